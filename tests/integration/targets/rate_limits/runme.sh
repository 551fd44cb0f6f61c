#!/usr/bin/env bash
# Rate limits as SendGrid documents them: X-RateLimit-Reset is a Unix time on SendGrid's clock,
# which the collection reads against the answer's Date header; each endpoint has its own window;
# real answers spell the headers X-Ratelimit-*. Checked on task results and on the emulator's
# request log (what was sent, what was answered), never on how long anything took.
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --subusers 6 --subuser-prefix rl- --key SG.itest-rate.K3y-s3cr3t-rate-0001

# The emulator's answers themselves: a Date by its skewed clock, the headers as real answers spell
# them, and the 429 body byte for byte as SendGrid documents it.
"$EMULATOR_PYTHON" - "$EMULATOR_URL" <<'PY'
import http.client, json, sys, time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

url = urlsplit(sys.argv[1])
def call(method, path, body=None, key=None):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {'Authorization': 'Bearer ' + key} if key else {}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    answer = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return answer

call('PATCH', '/_emulator/faults', {'rate_limit': 1, 'rate_window': 600, 'clock_skew_seconds': 3600,
                                    'rate_limit_headers': 'X-Ratelimit'})
key = 'SG.itest-rate.K3y-s3cr3t-rate-0001'
first = call('GET', '/v3/user/settings/enforced_tls', key=key)
second = call('GET', '/v3/user/settings/enforced_tls', key=key)
other = call('GET', '/v3/subusers', key=key)
call('POST', '/_emulator/reset')
assert first[0] == 200 and second[0] == 429 and other[0] == 200, (first[0], second[0], other[0])
assert second[2] == b'{"errors":[{"field":null,"message":"too many requests"}]}', second[2]
for status, headers, body in (first, second):
    assert {'X-Ratelimit-Limit', 'X-Ratelimit-Remaining', 'X-Ratelimit-Reset'} <= set(headers), headers
    assert not any(name.startswith('X-RateLimit') for name in headers), headers
    server_now = parsedate_to_datetime(headers['Date']).timestamp()
    assert 3590 < server_now - time.time() < 3610, headers['Date']
    assert 590 < int(headers['X-Ratelimit-Reset']) - server_now < 610, headers
# The listing has a window of its own: the settings' 429 did not spend it.
assert other[1]['X-Ratelimit-Remaining'] == '0', other[1]
PY

ansible-playbook rate_limits.yml "$@"
