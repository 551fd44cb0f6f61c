#!/usr/bin/env bash
# Integration tests of mailops.sendgrid.sendgrid_tls_blocks_info against the SendGrid emulator: a fleet whose
# accounts have recipients at domains without TLS (files/emulator.json) is enforced, then its blocks lists are
# read, over several pages, and every request is checked against the official suppressions spec.
set -eux

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/emulator.json

ansible-playbook tests.yml "$@"

# Every request the module sent is one the official spec describes (its parameters, their types and bounds).
"$EMULATOR_PYTHON" spec_check.py "$EMULATOR_URL" ../setup_sendgrid_emulator/specs/tsg_suppressions_v3.yaml

# And the emulator refuses a query parameter the spec does not name, as a request that passes here must pass
# there (checked after the spec check, which would count this request as one the module sent).
"$EMULATOR_PYTHON" - <<'PY'
import json, os, urllib.error, urllib.request as u
request = u.Request(os.environ['EMULATOR_URL'] + '/v3/suppression/blocks?limit=10&page=2',
                    headers={'Authorization': 'Bearer SG.itest-blocks.K3y-s3cr3t-blocks-0001'})
try:
    u.urlopen(request)
    raise SystemExit('the emulator took a query parameter the spec does not name')
except urllib.error.HTTPError as error:
    body = json.loads(error.read())
    assert error.code == 400, error.code
    assert body['errors'][0]['field'] == 'page', body
    assert 'unknown query parameter page' in body['errors'][0]['message'], body
PY
