# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import random
from email.utils import formatdate

import pytest
import requests
from urllib3.util import parse_url

from ansible_collections.mailops.sendgrid.plugins.module_utils import api
from ansible_collections.mailops.sendgrid.plugins.module_utils.api import (
    ENFORCED_TLS_PATH,
    USER_AGENT,
    BearerAuth,
    RateLimiter,
    SendGridClient,
    backoff_delay,
    check_bounded,
    error_hint,
    extract_api_messages,
    is_loopback_host,
    parse_rate_limit_reset,
    parse_retry_after,
    rate_limit_delay,
    resolve_base_url,
    validate_api_key,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils.errors import (
    SendGridAPIError,
    SendGridConfigError,
    SendGridError,
    SendGridResponseError,
    SendGridRetriesExhausted,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    START,
    FakeResponse,
    FakeSession,
    FakeTime,
    settings,
)

URL = 'https://api.sendgrid.com' + ENFORCED_TLS_PATH
ACCOUNTS = [
    (None, 'the parent account'),
    ('x', "subuser 'x'"),
    ('account-id 42', "customer account '42'"),
]


def assert_no_key(error):
    """The API key must not be in anything an exception shows."""
    for text in (str(error), repr(error), getattr(error, 'message', ''), repr(getattr(error, 'api_messages', ''))):
        assert API_KEY not in text
        assert API_KEY[3:] not in text


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def make_client(fake_time):
    """Build a client on a fake session, with fake time and a fixed jitter (rand() == 0.5)."""
    def factory(answers=(), forever=None, **options):
        session = FakeSession(answers, forever=forever)
        kwargs = dict(api_key=API_KEY, session=session, sleep=fake_time.sleep, clock=fake_time.clock,
                      rand=lambda: 0.5)
        kwargs.update(options)
        return SendGridClient(**kwargs), session
    return factory


# ---------------------------------------------------------------------------
# resolve_base_url
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('region, api_url, expected', [
    ('global', None, 'https://api.sendgrid.com'),
    ('eu', None, 'https://api.eu.sendgrid.com'),
    ('eu', 'https://sendgrid-proxy.example.com', 'https://sendgrid-proxy.example.com'),
    ('global', 'https://api.sendgrid.com/', 'https://api.sendgrid.com'),
    ('global', ' https://proxy.example.com/sendgrid/ ', 'https://proxy.example.com/sendgrid'),
    ('global', 'https://api.sendgrid.com:8443', 'https://api.sendgrid.com:8443'),
    ('global', 'http://127.0.0.1:3030', 'http://127.0.0.1:3030'),
    ('global', 'http://127.0.0.1:3030/', 'http://127.0.0.1:3030'),
    ('global', 'http://127.10.0.1', 'http://127.10.0.1'),
    ('global', 'http://localhost:3030', 'http://localhost:3030'),
    ('global', 'http://LOCALHOST:3030', 'http://LOCALHOST:3030'),
    ('global', 'http://[::1]:3030', 'http://[::1]:3030'),
    ('global', 'HTTPS://api.sendgrid.com', 'HTTPS://api.sendgrid.com'),
])
def test_resolve_base_url(region, api_url, expected):
    assert resolve_base_url(region, api_url) == expected


def test_resolve_base_url_refuses_unknown_region():
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('us', None)
    assert excinfo.value.message == "region must be one of eu, global; got 'us'"
    assert excinfo.value.field == 'region'


@pytest.mark.parametrize('api_url', [
    'http://api.sendgrid.com',
    'http://10.0.0.5:3030',
    'http://192.168.1.1/',
    'http://[::2]:3030',
    'http://localhost.evil.example',
    'http://127.0.0.1.evil.example',
    'http://0.0.0.0:3030',
])
def test_resolve_base_url_refuses_plain_http_to_other_hosts(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', api_url)
    error = excinfo.value
    assert error.field == 'api_url'
    assert error.message.startswith('api_url {0!r} uses plain http://'.format(api_url))
    assert 'Use https://, or http:// only to localhost, 127.0.0.1 or ::1' in error.message


@pytest.mark.parametrize('api_url', [
    '',
    '   ',
    'api.sendgrid.com',
    '/v3',
    'ftp://api.sendgrid.com',
    'https://',
    'https:///v3',
    'mailto:ops@example.com',
    42,
])
def test_resolve_base_url_refuses_non_urls(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', api_url)
    assert excinfo.value.field == 'api_url'
    assert 'api_url must be an absolute' in excinfo.value.message
    assert 'such as https://api.sendgrid.com' in excinfo.value.message


def test_resolve_base_url_refuses_malformed_url():
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', 'https://[::1')
    assert excinfo.value.field == 'api_url'
    assert excinfo.value.message.startswith("api_url 'https://[::1' is not a valid URL (")


@pytest.mark.parametrize('api_url', [
    'https://api.sendgrid.com?debug=1',
    'https://api.sendgrid.com/?on_behalf_of=x',
    'https://api.sendgrid.com/#top',
    'http://127.0.0.1:3030/?a=b',
])
def test_resolve_base_url_refuses_query_and_fragment(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', api_url)
    assert excinfo.value.message == 'api_url must not have a query or fragment; got {0!r}'.format(api_url)
    assert excinfo.value.field == 'api_url'


@pytest.mark.parametrize('api_url', [
    'http://localhost@evil.example',
    'https://user:password@api.sendgrid.com',
    'http://evil.example@localhost',
])
def test_resolve_base_url_refuses_user_information(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', api_url)
    assert excinfo.value.field == 'api_url'
    assert 'must not contain user information (user@host)' in excinfo.value.message
    # What stood before the @ is never shown: it may be a password.
    userinfo = api_url.split('//', 1)[1].rsplit('@', 1)[0]
    assert userinfo not in excinfo.value.message
    assert '//***@' in excinfo.value.message


@pytest.mark.parametrize('api_url', [
    'ftp://user:s3cret-pw@api.sendgrid.com',
    'https://user:s3cret-pw@api.sendgrid.com/?x=1',
    'http://user:s3cret-pw@example.com',
])
def test_resolve_base_url_never_shows_a_password(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', api_url)
    assert 's3cret-pw' not in excinfo.value.message


def test_resolve_base_url_shows_an_excerpt_of_a_long_url():
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', 'ftp://' + 'a' * 20000)
    assert len(excinfo.value.message) < 300
    assert '(20006 characters)' in excinfo.value.message


@pytest.mark.parametrize('api_url', ['http://evil.example\\@localhost', 'https://api.sendgrid.com\\x', 'http://127.0.0.1 :3030'])
def test_resolve_base_url_refuses_backslashes_and_spaces(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        resolve_base_url('global', api_url)
    assert 'must not contain backslashes, spaces or control characters' in excinfo.value.message


@pytest.mark.parametrize('api_url', ['http://evil.example\\@localhost', 'http://evil.example\\@127.0.0.1:3030'])
def test_resolve_base_url_plain_http_check_matches_the_host_requests_connects_to(api_url):
    try:
        base_url = resolve_base_url('global', api_url)
    except SendGridConfigError:
        return
    # Accepted: then the host requests would really connect to must be a loopback one.
    host = parse_url(requests.Request('GET', base_url + ENFORCED_TLS_PATH).prepare().url).host
    assert is_loopback_host(host), 'api_url {0!r} accepted, but requests connects to {1!r}'.format(api_url, host)


@pytest.mark.parametrize('host, expected', [
    ('localhost', True),
    ('LocalHost', True),
    ('127.0.0.1', True),
    ('127.255.0.9', True),
    ('::1', True),
    ('', False),
    (None, False),
    ('10.0.0.1', False),
    ('api.sendgrid.com', False),
    ('localhost.example', False),
])
def test_is_loopback_host(host, expected):
    assert is_loopback_host(host) is expected


# ---------------------------------------------------------------------------
# validate_api_key / check_positive
# ---------------------------------------------------------------------------

def test_validate_api_key_accepts():
    assert validate_api_key(API_KEY) is None


@pytest.mark.parametrize('api_key', [None, ''])
def test_validate_api_key_missing(api_key):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_api_key(api_key)
    assert excinfo.value.field == 'api_key'
    assert excinfo.value.message.startswith('api_key is required')
    assert 'SENDGRID_API_KEY' in excinfo.value.message


@pytest.mark.parametrize('api_key', [
    API_KEY + '\n',
    API_KEY + '\r\n',
    ' ' + API_KEY,
    API_KEY + ' ',
    API_KEY[:10] + ' ' + API_KEY[10:],
    API_KEY + '\t',
    API_KEY + '\x00',
    API_KEY + '\x7f',
    API_KEY + '\u00a0',
])
def test_validate_api_key_refuses_whitespace_without_showing_it(api_key):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_api_key(api_key)
    error = excinfo.value
    assert error.field == 'api_key'
    assert error.message.startswith('api_key contains whitespace or control characters')
    assert_no_key(error)
    assert API_KEY[:10] not in error.message


@pytest.mark.parametrize('api_key', ['SG.caf\u00e9-\u2014-key', 'SG.\u201ckey\u201d', 'SG.\u043a\u043b\u044e\u0447'])
def test_validate_api_key_refuses_what_a_header_cannot_carry(api_key):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_api_key(api_key)
    assert excinfo.value.field == 'api_key'
    assert excinfo.value.message.startswith('api_key contains characters that cannot be sent in an HTTP header')
    assert 'latin-1' not in excinfo.value.message
    assert api_key not in excinfo.value.message
    assert api_key[3:] not in excinfo.value.message


def test_validate_api_key_refuses_non_string():
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_api_key(12345678)
    assert '12345678' not in excinfo.value.message
    assert excinfo.value.field == 'api_key'


@pytest.mark.parametrize('value, allow_zero', [(1, False), (0.5, False), (30, False), (0, True), (0.0, True),
                                               (5, True), (600, False), (600.0, True)])
def test_check_bounded_accepts(value, allow_zero):
    assert check_bounded('timeout', value, 600, allow_zero=allow_zero) is None


@pytest.mark.parametrize('value, allow_zero, message', [
    (0, False, 'timeout must be greater than zero and at most 600; got 0'),
    (-1, False, 'timeout must be greater than zero and at most 600; got -1'),
    (-0.5, True, 'timeout must be zero or more and at most 600; got -0.5'),
    (600.5, False, 'timeout must be greater than zero and at most 600; got 600.5'),
    (10 ** 9, True, 'timeout must be zero or more and at most 600; got 1e+09'),
    (float('inf'), False, 'timeout must be greater than zero and at most 600; got inf'),
    (True, False, 'timeout must be a number; got true (boolean)'),
    ('5', False, "timeout must be a number; got '5' (string)"),
    (None, True, 'timeout must be a number; got null'),
    (float('nan'), True, 'timeout must be a number; got nan (float)'),
])
def test_check_bounded_refuses(value, allow_zero, message):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_bounded('timeout', value, 600, allow_zero=allow_zero)
    assert excinfo.value.message == message
    assert excinfo.value.field == 'timeout'


@pytest.mark.parametrize('option, bound', [('timeout', api.MAX_TIMEOUT), ('max_retries', api.MAX_RETRIES),
                                           ('max_retry_wait', api.MAX_RETRY_WAIT),
                                           ('max_total_wait', api.MAX_TOTAL_WAIT), ('pool_size', api.MAX_POOL_SIZE)])
def test_client_options_at_their_bound_and_past_it(option, bound):
    client = SendGridClient(API_KEY, session=FakeSession(), **{option: bound})
    assert client is not None
    with pytest.raises(SendGridConfigError) as excinfo:
        SendGridClient(API_KEY, session=FakeSession(), **{option: bound + 1})
    assert excinfo.value.message == '{0} must be {1} and at most {2:g}; got {3:g}'.format(
        option, 'zero or more' if option in ('max_retries', 'max_total_wait') else 'greater than zero', bound, bound + 1)


# ---------------------------------------------------------------------------
# Rate-limit headers and backoff
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (str(int(START) + 30), 30.25),  # epoch: seconds until then, plus a margin
    (int(START) + 30, 30.25),
    (str(START + 2.5), 2.75),
    (str(int(START) - 100), 0.25),  # an epoch already past
    ('5', 5.0),  # seconds from now
    ('0', 0.0),
    (12.5, 12.5),
    ('-3', 0.0),
])
def test_parse_rate_limit_reset(value, expected):
    assert parse_rate_limit_reset(value, START) == pytest.approx(expected)


@pytest.mark.parametrize('value', [None, '', 'soon', 'nan', '12s', [1]])
def test_parse_rate_limit_reset_garbage(value):
    assert parse_rate_limit_reset(value, START) is None


@pytest.mark.parametrize('value, expected', [
    ('120', 120.0),
    ('0', 0.0),
    ('2.5', 2.5),
    ('-5', 0.0),
    (formatdate(START + 90, usegmt=True), 90.0),
    (formatdate(START - 90, usegmt=True), 0.0),
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, START) == pytest.approx(expected)


@pytest.mark.parametrize('value', [None, '', 'soon', 'Tue, 99 Foo 2023 99:99:99 GMT'])
def test_parse_retry_after_garbage(value):
    assert parse_retry_after(value, START) is None


def test_parse_retry_after_nan_is_garbage():
    assert parse_retry_after('nan', START) is None


@pytest.mark.parametrize('headers, expected', [
    ({'Retry-After': '7', 'X-RateLimit-Reset': str(int(START) + 30)}, 7.0),
    ({'retry-after': '3'}, 3.0),
    ({'X-RateLimit-Reset': str(int(START) + 30)}, 30.25),
    ({'x-ratelimit-reset': '12'}, 12.0),
    ({'Retry-After': 'soon', 'X-RateLimit-Reset': '12'}, 12.0),
    ({'Retry-After': 'soon', 'X-RateLimit-Reset': 'later'}, 1.0),
    ({}, 1.0),
    ({'X-RateLimit-Remaining': '0'}, 1.0),
])
def test_rate_limit_delay_precedence(headers, expected):
    assert rate_limit_delay(requests.structures.CaseInsensitiveDict(headers), START) == pytest.approx(expected)


@pytest.mark.parametrize('retry, rand_value, expected', [
    (1, 0.0, 0.25),
    (1, 0.5, 0.375),
    (1, 1.0, 0.5),
    (2, 0.0, 0.5),
    (2, 1.0, 1.0),
    (3, 0.5, 1.5),
    (4, 0.0, 2.0),
    (5, 1.0, 8.0),
])
def test_backoff_delay_is_exponential(retry, rand_value, expected):
    assert backoff_delay(retry, 60, rand=lambda: rand_value) == pytest.approx(expected)


@pytest.mark.parametrize('retry, max_wait, low, high', [
    (8, 10, 5.0, 10.0),  # 0.5 * 2**7 = 64, capped to 10
    (30, 60, 30.0, 60.0),
    (1, 0.2, 0.1, 0.2),
])
def test_backoff_delay_is_capped(retry, max_wait, low, high):
    assert backoff_delay(retry, max_wait, rand=lambda: 0.0) == pytest.approx(low)
    assert backoff_delay(retry, max_wait, rand=lambda: 1.0) == pytest.approx(high)


def test_backoff_delay_jitter_bounds():
    rng = random.Random(1234)
    for retry in range(1, 12):
        ceiling = min(20, 0.5 * 2 ** (retry - 1))
        delays = [backoff_delay(retry, 20, rand=rng.random) for dummy in range(200)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        # Jitter: the delays are not all the same.
        assert len(set(delays)) > 100


# ---------------------------------------------------------------------------
# extract_api_messages / error_hint
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('{"errors": [{"message": "invalid version", "field": "version"}]}', ['invalid version (field: version)']),
    ('{"errors": [{"message": "a", "field": null}, {"message": "b", "field": "require_tls"}]}',
     ['a', 'b (field: require_tls)']),
    ('{"errors": [{"message": "authorization required"}]}', ['authorization required']),
    ('{"errors": ["plain text error"]}', ['plain text error']),
    ('{"errors": [{"field": "version"}, {"message": ""}, 3]}', []),
    ('{"error": "access forbidden"}', ['access forbidden']),
    ('{"errors": [{"message": "x"}], "error": "y"}', ['x', 'y']),
    ('{"errors": "not a list"}', []),
    ('{"error": {"nested": 1}}', []),
    ('', []),
    (None, []),
    ('not json', []),
    ('<html><body>Bad Gateway</body></html>', []),
    ('[1, 2]', []),
    ('"text"', []),
])
def test_extract_api_messages(text, expected):
    assert extract_api_messages(text) == expected


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_error_hint_server_errors(status):
    assert error_hint(status, 'GET', ENFORCED_TLS_PATH, None, 'https://api.sendgrid.com') == (
        'SendGrid had a server error; try again later, or raise max_retries.')


def test_error_hint_400():
    assert error_hint(400, 'PATCH', ENFORCED_TLS_PATH, 'x', 'https://api.sendgrid.com') == (
        'Check the values sent: require_tls and require_valid_cert are booleans, version is one of 1.1, 1.2, 1.3.')


def test_error_hint_401():
    hint = error_hint(401, 'GET', ENFORCED_TLS_PATH, None, 'https://api.sendgrid.com')
    assert hint == ('Check api_key (or SENDGRID_API_KEY): it may be mistyped, revoked, or from another region'
                    ' (EU keys need region: eu).')
    hint = error_hint(401, 'GET', ENFORCED_TLS_PATH, 'x', 'https://api.sendgrid.com')
    assert hint.startswith('Check api_key (or SENDGRID_API_KEY)')
    assert hint.endswith(" Also check that subuser 'x' exists and belongs to the parent account this key is for"
                         ' (on_behalf_of / subusers).')


@pytest.mark.parametrize('method, path, scope', [
    ('GET', ENFORCED_TLS_PATH, 'the scope user.settings.enforced_tls.read'),
    ('PATCH', ENFORCED_TLS_PATH, 'the scope user.settings.enforced_tls.update'),
    ('GET', '/v3/subusers', 'the scope subusers.read'),
    ('DELETE', '/v3/other', 'the scopes of this call'),
])
def test_error_hint_403_names_the_scope(method, path, scope):
    assert error_hint(403, method, path, None, 'https://api.sendgrid.com') == (
        'Check that the API key has {0}.'.format(scope))
    with_account = error_hint(403, method, path, 'account-id 42', 'https://api.sendgrid.com')
    assert with_account == ('Check that the API key has {0}. Also check that customer account \'42\' exists and'
                            ' belongs to the parent account this key is for (on_behalf_of / subusers).'.format(scope))


def test_error_hint_404_names_the_base_url():
    assert error_hint(404, 'GET', ENFORCED_TLS_PATH, None, 'https://api.eu.sendgrid.com') == (
        'Check api_url/region (https://api.eu.sendgrid.com); EU subusers need region: eu.')
    hint = error_hint(404, 'GET', ENFORCED_TLS_PATH, 'marketing', 'https://api.sendgrid.com')
    assert hint.startswith('Check api_url/region (https://api.sendgrid.com); EU subusers need region: eu.')
    assert "Also check that subuser 'marketing' exists" in hint


@pytest.mark.parametrize('status', [409, 418, 422])
def test_error_hint_other_statuses(status):
    assert error_hint(status, 'GET', ENFORCED_TLS_PATH, 'x', 'https://api.sendgrid.com') == ''


# ---------------------------------------------------------------------------
# RateLimiter
# ---------------------------------------------------------------------------

def headers(remaining, reset):
    return requests.structures.CaseInsensitiveDict({'X-RateLimit-Remaining': str(remaining),
                                                    'X-RateLimit-Reset': str(reset)})


def test_rate_limiter_lets_requests_go_without_information(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert [limiter.delay_before_request() for dummy in range(5)] == [0.0] * 5
    limiter.record_answer(None)
    limiter.record_answer(requests.structures.CaseInsensitiveDict())
    limiter.record_answer(headers('lots', 10))
    limiter.record_answer(headers(0, 'later'))
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_paces_by_remaining_minus_in_flight(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0  # request 1 in flight
    limiter.record_answer(headers(2, 10))  # window: 2 left, resets in 10 s
    assert limiter.delay_before_request() == 0.0  # request 2
    assert limiter.delay_before_request() == 0.0  # request 3: 2 in flight use up the 2 left
    # Held back by requests in flight: look again soon, their answers may leave quota.
    assert limiter.delay_before_request() == pytest.approx(api.PACING_RECHECK)
    assert limiter.delay_before_request() == pytest.approx(api.PACING_RECHECK)  # blocked callers reserve nothing
    fake_time.sleep(4)
    limiter.record_answer(headers(1, 6))  # request 2 answered, same window: 1 left, 1 in flight
    assert limiter.delay_before_request() == pytest.approx(api.PACING_RECHECK)
    limiter.record_answer(headers(0, 6))  # request 3 answered: the quota is gone
    assert limiter.delay_before_request() == pytest.approx(6.0)  # so wait for the reset
    fake_time.sleep(6)  # the window has reset
    assert limiter.delay_before_request() == 0.0
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_lets_a_request_go_when_answers_leave_quota(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(5, 10))
    for dummy in range(5):
        assert limiter.delay_before_request() == 0.0  # 5 in flight, 5 left
    assert limiter.delay_before_request() == pytest.approx(api.PACING_RECHECK)
    # One request in flight was not counted by the server: its answer still shows 5 left.
    limiter.record_answer(headers(5, 10))
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_out_of_order_answers_keep_the_lowest_count(fake_time):
    limiter = RateLimiter(fake_time.clock)
    for dummy in range(3):
        assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(0, 10))
    limiter.record_answer(headers(5, 10))  # an older answer of the same window arrives late
    limiter.record_answer(headers(4, 10.5))
    assert limiter.delay_before_request() == pytest.approx(10.0)


def test_rate_limiter_new_window_replaces_counts(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(0, 10))
    assert limiter.delay_before_request() == pytest.approx(10.0)
    limiter.record_answer(headers(100, 60))  # a later reset: a new window with a fresh count
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_epoch_reset(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(0, int(START) + 20))
    assert limiter.delay_before_request() == pytest.approx(20.25)


def test_rate_limiter_pause_applies_to_all_callers(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.rate_limited_count == 0
    limiter.pause(5)
    assert limiter.rate_limited_count == 1
    # Every caller is held back, and none reserves a slot while paused.
    assert [limiter.delay_before_request() for dummy in range(3)] == [pytest.approx(5.0)] * 3
    limiter.pause(2)  # a shorter pause does not shorten the current one
    assert limiter.rate_limited_count == 2
    assert limiter.delay_before_request() == pytest.approx(5.0)
    fake_time.sleep(3)
    assert limiter.delay_before_request() == pytest.approx(2.0)
    fake_time.sleep(2)
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_pause_extends(fake_time):
    limiter = RateLimiter(fake_time.clock)
    limiter.pause(5)
    fake_time.sleep(1)
    limiter.pause(10)
    assert limiter.delay_before_request() == pytest.approx(10.0)


# ---------------------------------------------------------------------------
# SendGridClient: construction
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('option, value', [
    ('timeout', 0),
    ('max_retries', -1),
    ('max_retry_wait', 0),
    ('max_total_wait', -1),
    ('pool_size', 0),
    ('timeout', 'slow'),
])
def test_client_refuses_bad_options_before_any_request(make_client, option, value):
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client(**{option: value})
    assert excinfo.value.field == option
    assert excinfo.value.message.startswith(option + ' must be')
    assert_no_key(excinfo.value)


def test_client_refuses_bad_key_and_url(make_client):
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client(api_key=None)
    assert 'SENDGRID_API_KEY' in excinfo.value.message
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client(api_key=API_KEY + '\n')
    assert_no_key(excinfo.value)
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client(api_url='http://sendgrid.example.com')
    assert excinfo.value.field == 'api_url'
    assert_no_key(excinfo.value)


def test_client_without_requests(monkeypatch, make_client):
    monkeypatch.setattr(api, 'HAS_REQUESTS', False)
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client()
    assert excinfo.value.message == 'the Python library requests is required'


def test_client_default_session():
    client = SendGridClient(API_KEY, pool_size=4)
    session = client._session
    assert isinstance(session, requests.Session)
    assert session.headers['User-Agent'] == USER_AGENT
    assert session.headers['Accept'] == 'application/json'
    adapter = session.get_adapter('https://api.sendgrid.com')
    assert adapter.max_retries.total == 0
    assert adapter._pool_maxsize == 4
    assert session.get_adapter('http://127.0.0.1:3030') is adapter
    # The key is only in the auth object, never in the session's default headers.
    assert 'Authorization' not in session.headers
    assert API_KEY not in repr(session.headers)
    client.close()


def test_client_context_manager_closes_the_session(make_client):
    client, session = make_client()
    with client as entered:
        assert entered is client
        assert session.closed is False
    assert session.closed is True


# ---------------------------------------------------------------------------
# SendGridClient: requests, headers, authentication
# ---------------------------------------------------------------------------

def test_request_sends_bearer_auth_and_no_on_behalf_of(make_client):
    client, session = make_client([FakeResponse(200, settings(True, True, 1.2))],
                                  timeout=12.5, validate_certs=False)
    assert client.get_enforced_tls() == settings(True, True, 1.2)
    assert len(session.calls) == 1
    call = session.calls[0]
    assert call['method'] == 'GET'
    assert call['url'] == URL
    assert call['headers'] == {}
    assert call['json'] is None
    assert call['params'] is None
    assert call['timeout'] == 12.5
    assert call['verify'] is False
    auth = call['auth']
    assert isinstance(auth, BearerAuth)
    prepared = requests.Request('GET', URL, auth=auth).prepare()
    assert prepared.headers['Authorization'] == 'Bearer ' + API_KEY
    assert API_KEY not in repr(auth)
    # The key travels only through the auth object.
    assert API_KEY not in repr({key: value for key, value in call.items() if key != 'auth'})


@pytest.mark.parametrize('on_behalf_of', ['x', 'account-id 42'])
def test_request_sends_on_behalf_of_when_given(make_client, on_behalf_of):
    client, session = make_client([FakeResponse(200, settings())])
    client.get_enforced_tls(on_behalf_of)
    assert session.calls[0]['headers'] == {'On-Behalf-Of': on_behalf_of}


def test_request_uses_api_url(make_client):
    client, session = make_client([FakeResponse(200, settings())], api_url='http://127.0.0.1:3030/')
    client.get_enforced_tls()
    assert session.calls[0]['url'] == 'http://127.0.0.1:3030' + ENFORCED_TLS_PATH
    client, session = make_client([FakeResponse(200, settings())], region='eu')
    client.get_enforced_tls()
    assert session.calls[0]['url'] == 'https://api.eu.sendgrid.com' + ENFORCED_TLS_PATH


@pytest.mark.parametrize('on_behalf_of', ['x\r\nX-Evil: 1', ' x', '', 'account-id'])
def test_request_refuses_bad_on_behalf_of_before_sending(make_client, on_behalf_of):
    client, session = make_client()
    with pytest.raises(SendGridConfigError) as excinfo:
        client.get_enforced_tls(on_behalf_of)
    assert excinfo.value.field == 'on_behalf_of'
    assert session.calls == []
    assert_no_key(excinfo.value)


def test_request_passes_params_and_returns_json(make_client):
    client, session = make_client([FakeResponse(200, [{'username': 'a'}])])
    assert client.request('GET', '/v3/subusers', params={'limit': 10}) == [{'username': 'a'}]
    assert session.calls[0]['params'] == {'limit': 10}
    assert session.calls[0]['url'] == 'https://api.sendgrid.com/v3/subusers'


# ---------------------------------------------------------------------------
# SendGridClient: waiting on 429
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('rate_headers, expected_wait', [
    ({'X-RateLimit-Reset': str(int(START) + 20), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Limit': '600'}, 20.25),
    ({'X-RateLimit-Reset': '7'}, 7.0),
    ({'Retry-After': '3'}, 3.0),
    ({'Retry-After': formatdate(START + 45, usegmt=True)}, 45.0),
    ({'Retry-After': '2', 'X-RateLimit-Reset': '40'}, 2.0),
    ({}, 1.0),
    ({'Retry-After': '500'}, 60.0),  # clamped to max_retry_wait
])
def test_429_then_200_waits_as_asked(make_client, fake_time, rate_headers, expected_wait):
    client, session = make_client([FakeResponse(429, {'errors': [{'message': 'too many requests'}]},
                                                headers=rate_headers),
                                   FakeResponse(200, settings(True, False, 1.2))])
    assert client.get_enforced_tls('x') == settings(True, False, 1.2)
    assert session.methods == ['GET', 'GET']
    assert fake_time.sleeps == [pytest.approx(expected_wait)]
    assert client.limiter.rate_limited_count == 1


def test_429_pause_holds_back_the_next_request_of_the_client(make_client, fake_time):
    client, session = make_client([FakeResponse(429, headers={'Retry-After': '10'}),
                                   FakeResponse(200, settings()),
                                   FakeResponse(200, settings())])
    client.get_enforced_tls()
    client.get_enforced_tls('x')
    assert fake_time.sleeps == [10.0]
    assert len(session.calls) == 3


def test_pacing_waits_for_the_reset_when_no_requests_remain(make_client, fake_time):
    client, session = make_client([
        FakeResponse(200, settings(), headers={'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '5'}),
        FakeResponse(200, settings(True, True, 1.3)),
    ])
    client.get_enforced_tls()
    assert fake_time.sleeps == []
    assert client.get_enforced_tls() == settings(True, True, 1.3)
    assert fake_time.sleeps == [5.0]
    assert len(session.calls) == 2


def test_pacing_gives_up_when_the_reset_is_beyond_max_total_wait(make_client, fake_time):
    client, session = make_client([
        FakeResponse(200, settings(), headers={'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '30'}),
    ], max_total_wait=10)
    client.get_enforced_tls()
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls('x')
    error = excinfo.value
    assert error.message.startswith("GET {0} for subuser 'x' was held back by the rate limit for 30.0 s more"
                                    ' after 0 retries and 0.0 s of waiting'.format(ENFORCED_TLS_PATH))
    assert error.status == 429
    assert len(session.calls) == 1
    assert fake_time.sleeps == []
    assert_no_key(error)


def test_429_forever_gives_up_within_max_total_wait(make_client, fake_time):
    client, session = make_client(
        forever=lambda: FakeResponse(429, {'errors': [{'message': 'too many requests'}]}, headers={'Retry-After': '10'}),
        max_total_wait=25)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    error = excinfo.value
    assert fake_time.sleeps == [10.0, 10.0]
    assert fake_time.slept <= 25
    assert len(session.calls) == 3
    assert error.status == 429
    assert error.waited == pytest.approx(20.0)
    assert error.api_messages == ['too many requests']
    message = error.message
    assert message.startswith('GET {0} for the parent account was rate limited (HTTP 429) after'.format(ENFORCED_TLS_PATH))
    assert '20.0 s of waiting (max_retries=5, max_total_wait=25)' in message
    assert '(SendGrid says: too many requests)' in message
    assert message.endswith('Raise max_total_wait, use fewer workers, or run when other clients of this key are idle.')
    assert_no_key(error)


def test_429_forever_with_epoch_reset(make_client, fake_time):
    client, session = make_client(
        forever=lambda: FakeResponse(429, headers={'X-RateLimit-Reset': str(fake_time.now + 30),
                                                   'X-RateLimit-Remaining': '0'}),
        max_total_wait=100)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.update_enforced_tls(settings(True), 'account-id 42')
    error = excinfo.value
    assert fake_time.sleeps == [pytest.approx(30.25)] * 3
    assert fake_time.slept <= 100
    assert len(session.calls) == 4
    assert error.message.startswith("PATCH {0} for customer account '42' was rate limited (HTTP 429)".format(
        ENFORCED_TLS_PATH))
    assert '90.8 s of waiting' in error.message
    assert_no_key(error)


def test_429_with_no_wait_budget_gives_up_at_once(make_client, fake_time):
    client, session = make_client([FakeResponse(429, headers={'Retry-After': '1'})], max_total_wait=0)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert fake_time.sleeps == []
    assert len(session.calls) == 1
    assert '0.0 s of waiting' in excinfo.value.message
    assert_no_key(excinfo.value)


def test_429_forever_counts_retries_made(make_client, fake_time):
    client, session = make_client(forever=lambda: FakeResponse(429, headers={'Retry-After': '10'}), max_total_wait=25)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert len(session.calls) == 3  # the first request and 2 retries
    assert ' after 2 retries and 20.0 s of waiting' in excinfo.value.message


@pytest.mark.parametrize('rate_headers', [{'Retry-After': '0'}, {'X-RateLimit-Reset': '0'}])
def test_429_forever_without_delay_ends(make_client, rate_headers):
    client, session = make_client(forever=lambda: FakeResponse(429, headers=rate_headers), max_total_wait=5)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    # Each 429 waits at least MIN_RATE_LIMIT_WAIT (0.5 s), so the 5 s budget allows 10 retries.
    assert len(session.calls) == 11
    assert excinfo.value.waited == 5.0


# ---------------------------------------------------------------------------
# SendGridClient: retrying server errors and connection failures
# ---------------------------------------------------------------------------

def test_503_twice_then_200(make_client, fake_time):
    client, session = make_client([FakeResponse(503, text='Service Unavailable'),
                                   FakeResponse(503),
                                   FakeResponse(200, settings(True, True, 1.2))])
    assert client.get_enforced_tls() == settings(True, True, 1.2)
    assert len(session.calls) == 3
    # rand() == 0.5: 0.75 of 0.5 s, then 0.75 of 1 s.
    assert fake_time.sleeps == [pytest.approx(0.375), pytest.approx(0.75)]


@pytest.mark.parametrize('status, reason', [(500, 'Internal Server Error'), (502, 'Bad Gateway'),
                                            (503, 'Service Unavailable'), (504, 'Gateway Timeout')])
def test_5xx_forever_exhausts_retries(make_client, fake_time, status, reason):
    client, session = make_client(
        forever=lambda: FakeResponse(status, {'errors': [{'message': 'upstream down'}]}), max_retries=3)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls('x')
    error = excinfo.value
    assert isinstance(error, SendGridAPIError)
    assert len(session.calls) == 4
    assert fake_time.sleeps == [pytest.approx(0.375), pytest.approx(0.75), pytest.approx(1.5)]
    assert error.status == status
    assert error.retries == 3
    assert error.waited == pytest.approx(2.625)
    assert error.account == 'x'
    assert error.api_messages == ['upstream down']
    assert error.message == (
        "GET {0} for subuser 'x' failed with HTTP {1} {2} after 3 retries and 2.6 s of waiting (max_retries=3,"
        ' max_total_wait=300) (SendGrid says: upstream down). SendGrid had a server error; try again later, or'
        ' raise max_retries.'.format(ENFORCED_TLS_PATH, status, reason))
    assert_no_key(error)


def test_5xx_backoff_is_capped_by_max_retry_wait(make_client, fake_time):
    client, dummy = make_client(forever=lambda: FakeResponse(500), max_retries=6, max_retry_wait=2)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert fake_time.sleeps == [pytest.approx(value) for value in (0.375, 0.75, 1.5, 1.5, 1.5, 1.5)]
    assert excinfo.value.retries == 6
    assert_no_key(excinfo.value)


def test_5xx_gives_up_when_the_next_wait_exceeds_max_total_wait(make_client, fake_time):
    client, session = make_client(forever=lambda: FakeResponse(502), max_retries=10, max_total_wait=1)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert fake_time.sleeps == [pytest.approx(0.375)]
    assert len(session.calls) == 2
    assert fake_time.slept <= 1
    assert 'HTTP 502 Bad Gateway' in excinfo.value.message
    assert '0.4 s of waiting (max_retries=10, max_total_wait=1)' in excinfo.value.message
    assert_no_key(excinfo.value)


def test_5xx_budget_give_up_counts_retries_made(make_client):
    client, session = make_client(forever=lambda: FakeResponse(502), max_retries=10, max_total_wait=1)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert len(session.calls) == 2  # the first request and 1 retry
    assert excinfo.value.retries == 1
    assert ' after 1 retries and 0.4 s of waiting' in excinfo.value.message


def test_max_retries_zero_fails_at_once(make_client, fake_time):
    client, session = make_client([FakeResponse(500)], max_retries=0)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert fake_time.sleeps == []
    assert len(session.calls) == 1
    assert 'HTTP 500 Internal Server Error after 0 retries and 0.0 s of waiting' in excinfo.value.message
    assert 'no SendGrid error message' in excinfo.value.message


@pytest.mark.parametrize('exception, reason', [
    (requests.exceptions.ConnectionError('HTTPSConnectionPool(host=x): [Errno 111] Connection refused'),
     'connection failed: Connection refused'),
    (requests.exceptions.ConnectionError('Failed to resolve: Name or service not known'),
     'connection failed: Name or service not known'),
    (requests.exceptions.ConnectionError('something odd'), 'connection failed'),
    (requests.exceptions.ConnectTimeout('connect timed out'), 'connecting timed out'),
    (requests.exceptions.SSLError('certificate verify failed'), 'TLS handshake or certificate verification failed'),
])
def test_connection_failure_forever(make_client, fake_time, exception, reason):
    client, session = make_client(forever=lambda: exception, max_retries=2)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls('x')
    error = excinfo.value
    assert len(session.calls) == 3
    assert fake_time.sleeps == [pytest.approx(0.375), pytest.approx(0.75)]
    assert error.status is None
    assert error.retries == 2
    assert error.message == (
        "GET {0} for subuser 'x' could not reach https://api.sendgrid.com: {1} after 2 retries and 1.1 s of"
        ' waiting (max_retries=2, max_total_wait=300). Check api_url/region, the network, and any proxy'
        ' (HTTPS_PROXY); with a self-signed test endpoint, validate_certs.'.format(ENFORCED_TLS_PATH, reason))
    assert_no_key(error)


@pytest.mark.parametrize('exception', [
    requests.exceptions.ReadTimeout('read timed out'),
    # A server that sends its headers and then stalls: requests raises a ConnectionError.
    requests.exceptions.ConnectionError("HTTPConnectionPool(host='x', port=1): Read timed out."),
])
def test_no_answer_in_time_forever(make_client, fake_time, exception):
    client, dummy = make_client(forever=lambda: exception, max_retries=2)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls('x')
    assert excinfo.value.message == (
        "GET {0} for subuser 'x' got no answer in time from https://api.sendgrid.com: no answer within the"
        ' timeout after 2 retries and 1.1 s of waiting (max_retries=2, max_total_wait=300). SendGrid may be slow:'
        ' raise timeout, or try again later.'.format(ENFORCED_TLS_PATH))
    assert excinfo.value.outcome_unknown is True


def test_a_refusal_after_a_failed_attempt_leaves_the_outcome_open(make_client, fake_time):
    # The first PATCH may have been applied (503); its retry is rate limited until the budget is gone.
    client, dummy = make_client([FakeResponse(503), FakeResponse(429, headers={'Retry-After': '30'})],
                                max_total_wait=5)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.update_enforced_tls({'require_tls': True}, 'x')
    assert excinfo.value.status == 429
    assert excinfo.value.outcome_unknown is True


def test_a_plain_refusal_is_no_unknown_outcome(make_client):
    client, dummy = make_client([FakeResponse(403, {'errors': [{'message': 'access forbidden'}]})])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.update_enforced_tls({'require_tls': True}, 'x')
    assert excinfo.value.outcome_unknown is False


def test_connection_failure_text_is_not_copied_into_the_message(make_client):
    # A library's exception text may hold anything, even request headers: only known phrases are used.
    leaky = requests.exceptions.ConnectionError('Authorization: Bearer {0} -- Connection reset by peer'.format(API_KEY))
    client, dummy = make_client([leaky], max_retries=0, api_url='http://localhost:3030')
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert 'could not reach http://localhost:3030: connection failed: Connection reset after 0 retries' in (
        excinfo.value.message)
    assert_no_key(excinfo.value)


def test_connection_failure_then_success(make_client, fake_time):
    client, session = make_client([requests.exceptions.ReadTimeout('slow'), FakeResponse(200, settings(True))])
    assert client.get_enforced_tls() == settings(True)
    assert len(session.calls) == 2
    assert fake_time.sleeps == [pytest.approx(0.375)]


# ---------------------------------------------------------------------------
# SendGridClient: HTTP errors
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('status, reason', [
    (400, 'Bad Request'),
    (401, 'Unauthorized'),
    (403, 'Forbidden'),
    (404, 'Not Found'),
    (500, 'Internal Server Error'),
])
@pytest.mark.parametrize('on_behalf_of, account', ACCOUNTS)
@pytest.mark.parametrize('method', ['GET', 'PATCH'])
def test_api_error_message(make_client, status, reason, on_behalf_of, account, method):
    body = {'errors': [{'message': 'SendGrid words {0}'.format(status), 'field': 'version'}]}
    client, session = make_client([FakeResponse(status, body)], max_retries=0)
    with pytest.raises(SendGridAPIError) as excinfo:
        if method == 'GET':
            client.get_enforced_tls(on_behalf_of)
        else:
            client.update_enforced_tls(settings(True, True, 1.2), on_behalf_of)
    error = excinfo.value
    message = error.message
    assert str(error) == message
    assert message.startswith('{0} {1} for {2} failed with HTTP {3} {4}'.format(
        method, ENFORCED_TLS_PATH, account, status, reason))
    assert '(SendGrid says: SendGrid words {0} (field: version))'.format(status) in message
    hint = error_hint(status, method, ENFORCED_TLS_PATH, on_behalf_of, 'https://api.sendgrid.com')
    assert hint
    assert message.endswith('. ' + hint)
    assert error.status == status
    assert error.account == on_behalf_of
    assert error.api_messages == ['SendGrid words {0} (field: version)'.format(status)]
    assert len(session.calls) == 1
    assert_no_key(error)


def test_403_hint_names_the_scope_of_the_method(make_client):
    client, dummy = make_client([FakeResponse(403, {'errors': [{'message': 'access forbidden'}]})] * 2)
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert excinfo.value.message.endswith('Check that the API key has the scope user.settings.enforced_tls.read.')
    with pytest.raises(SendGridAPIError) as excinfo:
        client.update_enforced_tls(settings())
    assert excinfo.value.message.endswith('Check that the API key has the scope user.settings.enforced_tls.update.')
    assert_no_key(excinfo.value)


@pytest.mark.parametrize('text, said', [
    ('', 'no SendGrid error message'),
    ('   ', 'no SendGrid error message'),
    ('{"error": "not found"}', 'SendGrid says: not found'),
    ('<html>\n  <b>Not   Found</b>\n</html>', "no SendGrid error message, body: '<html> <b>Not Found</b> </html>'"),
    ('x' * 300, "no SendGrid error message, body: '{0}...'".format('x' * 200)),
])
def test_api_error_body_shown(make_client, text, said):
    client, dummy = make_client([FakeResponse(404, text=text)], region='eu')
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert excinfo.value.message == (
        'GET {0} for the parent account failed with HTTP 404 Not Found ({1}). Check api_url/region'
        ' (https://api.eu.sendgrid.com); EU subusers need region: eu.'.format(ENFORCED_TLS_PATH, said))
    assert_no_key(excinfo.value)


def test_api_error_unknown_status_has_no_hint(make_client):
    client, dummy = make_client([FakeResponse(418, text='')])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert excinfo.value.message == (
        "GET {0} for the parent account failed with HTTP 418 I'm a Teapot (no SendGrid error message).".format(
            ENFORCED_TLS_PATH))
    assert excinfo.value.status == 418


# ---------------------------------------------------------------------------
# SendGridClient: untrustworthy 2xx bodies
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('text', ['', '  \n'])
def test_empty_200_body(make_client, text):
    client, dummy = make_client([FakeResponse(200, text=text)])
    with pytest.raises(SendGridResponseError) as excinfo:
        client.get_enforced_tls('x')
    assert excinfo.value.message == (
        "SendGrid answered GET {0} for subuser 'x' with HTTP 200 OK and an empty body; nothing can be concluded"
        ' about the account. Try again.'.format(ENFORCED_TLS_PATH))
    assert excinfo.value.account == 'x'
    assert_no_key(excinfo.value)


def test_invalid_json_200_body(make_client):
    client, dummy = make_client([FakeResponse(200, text='<html>login page</html>')])
    with pytest.raises(SendGridResponseError) as excinfo:
        client.get_enforced_tls()
    assert excinfo.value.message == (
        "SendGrid answered GET {0} for the parent account with HTTP 200 OK, but the body is not valid JSON:"
        " '<html>login page</html>'. Try again; if it persists, check api_url points at the SendGrid API.".format(
            ENFORCED_TLS_PATH))
    assert_no_key(excinfo.value)


def test_get_enforced_tls_normalises(make_client):
    client, dummy = make_client([FakeResponse(200, {'require_tls': True, 'require_valid_cert': False}),
                                 FakeResponse(200, {'require_tls': False, 'require_valid_cert': True,
                                                    'version': '1.20'})])
    assert client.get_enforced_tls() == settings(True, False, 1.1)
    result = client.get_enforced_tls()
    assert result == settings(False, True, 1.2)
    assert isinstance(result['version'], float)


def test_update_enforced_tls_sends_the_body_and_normalises_the_answer(make_client):
    client, session = make_client([FakeResponse(200, {'require_tls': True, 'require_valid_cert': True,
                                                      'version': '1.3'})])
    body = settings(True, True, 1.3)
    assert client.update_enforced_tls(body, 'x') == body
    call = session.calls[0]
    assert call['method'] == 'PATCH'
    assert call['url'] == URL
    assert call['json'] == body
    assert call['headers'] == {'On-Behalf-Of': 'x'}


@pytest.mark.parametrize('method', ['GET', 'PATCH'])
@pytest.mark.parametrize('body, detail', [
    ({'require_tls': 'yes', 'require_valid_cert': True}, "require_tls is 'yes' (string) in the response"),
    ({'require_tls': True}, 'require_valid_cert is missing in the response'),
    ([settings()], 'expected a JSON object with require_tls and require_valid_cert, got list'),
    ({'require_tls': True, 'require_valid_cert': True, 'version': 'TLS1.2'}, "version is 'TLS1.2' (string)"),
])
@pytest.mark.parametrize('on_behalf_of, account', ACCOUNTS)
def test_invalid_settings_body_is_a_response_error(make_client, method, body, detail, on_behalf_of, account):
    client, dummy = make_client([FakeResponse(200, body)])
    with pytest.raises(SendGridResponseError) as excinfo:
        if method == 'GET':
            client.get_enforced_tls(on_behalf_of)
        else:
            client.update_enforced_tls(settings(True), on_behalf_of)
    error = excinfo.value
    assert error.message.startswith("SendGrid's answer to {0} {1} for {2} is not an Enforced TLS setting: ".format(
        method, ENFORCED_TLS_PATH, account))
    assert detail in error.message
    assert error.message.endswith('. Nothing was assumed about the account.')
    assert error.account == on_behalf_of
    assert isinstance(error, SendGridError)
    assert_no_key(error)


@pytest.mark.parametrize('status', [400, 401, 403, 404])
def test_a_key_echoed_by_the_server_is_redacted(make_client, status):
    echo = {'errors': [{'message': 'bad key {0}'.format(API_KEY), 'field': None}]}
    client, dummy = make_client([FakeResponse(status, echo)])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert API_KEY not in excinfo.value.message
    assert 'bad key <api_key>' in excinfo.value.message
    assert all(API_KEY not in message for message in excinfo.value.api_messages)


def test_a_key_echoed_in_a_malformed_body_is_redacted(make_client):
    client, dummy = make_client([FakeResponse(200, text='oops {0}'.format(API_KEY))])
    with pytest.raises(SendGridResponseError) as excinfo:
        client.get_enforced_tls()
    assert API_KEY not in excinfo.value.message
    assert 'oops <api_key>' in excinfo.value.message


# ---------------------------------------------------------------------------
# Redirects: the SendGrid API never redirects, and none is followed
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_a_redirect_is_not_followed(status):
    session = FakeSession([FakeResponse(status, headers={'Location': 'https://user:pw@evil.example/v3/x'})])
    client = SendGridClient(API_KEY, session=session, sleep=lambda seconds: None)
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls('sub')
    assert excinfo.value.status == status
    assert len(session.calls) == 1
    assert session.calls[0]['allow_redirects'] is False
    message = excinfo.value.message
    assert message.startswith("GET /v3/user/settings/enforced_tls for subuser 'sub' was answered with HTTP {0}".format(status))
    assert "a redirect to 'evil.example'; the SendGrid API never redirects, so it was not followed" in message
    assert 'pw' not in message.replace('api.sendgrid.com', '')


def test_a_redirect_without_location():
    session = FakeSession([FakeResponse(302)])
    client = SendGridClient(API_KEY, session=session, sleep=lambda seconds: None)
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert 'a redirect without a Location host' in excinfo.value.message
