# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The transport (_http.py): settings checks, the session, and the waits and retries of a request."""

from __future__ import annotations

from email.utils import formatdate

import pytest
import requests
from urllib3.util import parse_url

from ansible_collections.mailops.sendgrid.plugins.module_utils import _http
from ansible_collections.mailops.sendgrid.plugins.module_utils._client import SendGridClient
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_NO_KEY,
    CAUSE_RATE_LIMIT,
    CAUSE_SERVER,
    CAUSE_TIMEOUT,
    CAUSE_UNREACHABLE,
    SendGridAPIError,
    SendGridConfigError,
    SendGridRetriesExhausted,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._http import (
    USER_AGENT,
    BearerAuth,
    check_api_key,
    check_api_url,
    check_bounded,
    is_loopback_host,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import ENFORCED_TLS_PATH
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    START,
    FakeResponse,
    FakeSession,
    assert_no_key,
    settings,
)

URL = 'https://api.sendgrid.com' + ENFORCED_TLS_PATH


@pytest.mark.parametrize('api_url', [
    'http://api.sendgrid.com',
    'http://10.0.0.5:3030',
    'http://192.168.1.1/',
    'http://[::2]:3030',
    'http://localhost.evil.example',
    'http://127.0.0.1.evil.example',
    'http://0.0.0.0:3030',
])
def test_check_api_url_refuses_plain_http_to_other_hosts(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url(api_url)
    error = excinfo.value
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
def test_check_api_url_refuses_non_urls(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url(api_url)
    assert 'api_url must be an absolute' in excinfo.value.message
    assert 'such as https://api.sendgrid.com' in excinfo.value.message


def test_check_api_url_refuses_malformed_url():
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url('https://[::1')
    assert excinfo.value.message.startswith("api_url 'https://[::1' is not a valid URL (")


@pytest.mark.parametrize('api_url', [
    'https://api.sendgrid.com?debug=1',
    'https://api.sendgrid.com/?on_behalf_of=x',
    'https://api.sendgrid.com/#top',
    'http://127.0.0.1:3030/?a=b',
])
def test_check_api_url_refuses_query_and_fragment(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url(api_url)
    assert excinfo.value.message == 'api_url must not have a query or fragment; got {0!r}'.format(api_url)


@pytest.mark.parametrize('api_url', [
    'http://localhost@evil.example',
    'https://user:password@api.sendgrid.com',
    'http://evil.example@localhost',
])
def test_check_api_url_refuses_user_information(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url(api_url)
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
def test_check_api_url_never_shows_a_password(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url(api_url)
    assert 's3cret-pw' not in excinfo.value.message


def test_check_api_url_shows_an_excerpt_of_a_long_url():
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url('ftp://' + 'a' * 20000)
    assert len(excinfo.value.message) < 300
    assert '(20006 characters)' in excinfo.value.message


@pytest.mark.parametrize('api_url', ['http://evil.example\\@localhost', 'https://api.sendgrid.com\\x', 'http://127.0.0.1 :3030'])
def test_check_api_url_refuses_backslashes_and_spaces(api_url):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_url(api_url)
    assert 'must not contain backslashes, spaces or control characters' in excinfo.value.message


@pytest.mark.parametrize('api_url', ['http://evil.example\\@localhost', 'http://evil.example\\@127.0.0.1:3030'])
def test_check_api_url_plain_http_check_matches_the_host_requests_connects_to(api_url):
    try:
        base_url = check_api_url(api_url)
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
# check_api_key / check_positive
# ---------------------------------------------------------------------------

def test_check_api_key_accepts():
    assert check_api_key(API_KEY) is None


@pytest.mark.parametrize('api_key', [None, ''])
def test_check_api_key_missing(api_key):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_key(api_key)
    assert excinfo.value.message == 'an API key is required and none was given'
    assert excinfo.value.cause == CAUSE_NO_KEY


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
def test_check_api_key_refuses_whitespace_without_showing_it(api_key):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_key(api_key)
    error = excinfo.value
    assert error.message.startswith('api_key contains whitespace or control characters')
    assert_no_key(error)
    assert API_KEY[:10] not in error.message


@pytest.mark.parametrize('api_key', ['SG.caf\u00e9-\u2014-key', 'SG.\u201ckey\u201d', 'SG.\u043a\u043b\u044e\u0447'])
def test_check_api_key_refuses_what_a_header_cannot_carry(api_key):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_key(api_key)
    assert excinfo.value.message.startswith('api_key contains characters that cannot be sent in an HTTP header')
    assert 'latin-1' not in excinfo.value.message
    assert api_key not in excinfo.value.message
    assert api_key[3:] not in excinfo.value.message


def test_check_api_key_refuses_non_string():
    with pytest.raises(SendGridConfigError) as excinfo:
        check_api_key(12345678)
    assert '12345678' not in excinfo.value.message


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


@pytest.mark.parametrize('option, bound', [('timeout', _http.MAX_TIMEOUT), ('max_retries', _http.MAX_RETRIES),
                                           ('max_retry_wait', _http.MAX_RETRY_WAIT),
                                           ('max_total_wait', _http.MAX_TOTAL_WAIT), ('pool_size', _http.MAX_POOL_SIZE)])
def test_client_options_at_their_bound_and_past_it(option, bound):
    client = SendGridClient(API_KEY, session=FakeSession(), **{option: bound})
    assert client is not None
    with pytest.raises(SendGridConfigError) as excinfo:
        SendGridClient(API_KEY, session=FakeSession(), **{option: bound + 1})
    assert excinfo.value.message == '{0} must be {1} and at most {2:g}; got {3:g}'.format(
        option, 'zero or more' if option in ('max_retries', 'max_total_wait') else 'greater than zero', bound, bound + 1)


def test_client_without_requests(monkeypatch, make_client):
    monkeypatch.setattr(_http, 'HAS_REQUESTS', False)
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client()
    assert excinfo.value.message == 'the Python library requests is required'


def test_client_default_session():
    client = SendGridClient(API_KEY, pool_size=4)
    session = client.transport._session
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
    assert '20.0 s of waiting' in message
    assert '(SendGrid says: too many requests)' in message
    assert message.endswith('Run when other clients of this key are idle.')
    assert error.cause == CAUSE_RATE_LIMIT
    assert error.result_fields() == {'status': 429, 'api_messages': ['too many requests'], 'retries': 2,
                                     'waited': 20.0}
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
# The server's clock: resets counted from the answer's Date header
# ---------------------------------------------------------------------------

HOUR = 3600.0
SUBUSERS_PATH = '/v3/subusers'


def skewed_rate_headers(fake_time, skew, reset_in, remaining=0, spelling='X-RateLimit'):
    """Rate-limit headers of a server whose clock is ``skew`` seconds off ours; it resets in ``reset_in`` s."""
    server_now = fake_time.now + skew
    headers = {'Date': formatdate(server_now, usegmt=True), spelling + '-Limit': '600',
               spelling + '-Reset': str(int(server_now) + reset_in)}
    if remaining is not None:
        headers[spelling + '-Remaining'] = str(remaining)
    return headers


@pytest.mark.parametrize('skew', [HOUR, -HOUR])
@pytest.mark.parametrize('spelling', ['X-RateLimit', 'X-Ratelimit'])
def test_429_waits_by_the_servers_clock(make_client, fake_time, skew, spelling):
    # The server is an hour ahead of (or behind) the local clock and says: 2 s. Counted from the
    # local clock, that would be an hour (clamped to max_retry_wait) or nothing (the least wait).
    client, session = make_client([
        FakeResponse(429, {'errors': [{'field': None, 'message': 'too many requests'}]},
                     headers=skewed_rate_headers(fake_time, skew, 2, spelling=spelling)),
        FakeResponse(200, settings(True, True, 1.2)),
    ])
    assert client.get_enforced_tls() == settings(True, True, 1.2)
    assert fake_time.sleeps == [pytest.approx(2.25)]
    assert len(session.calls) == 2


@pytest.mark.parametrize('skew', [HOUR, -HOUR])
def test_pacing_waits_by_the_servers_clock(make_client, fake_time, skew):
    client, session = make_client([
        FakeResponse(200, settings(), headers=skewed_rate_headers(fake_time, skew, 5, spelling='X-Ratelimit')),
        FakeResponse(200, settings(True)),
    ], max_total_wait=60)
    client.get_enforced_tls()
    assert client.get_enforced_tls() == settings(True)
    assert fake_time.sleeps == [pytest.approx(5.25)]
    assert len(session.calls) == 2


def test_a_wait_by_the_servers_clock_is_still_clamped(make_client, fake_time):
    client, dummy = make_client([
        FakeResponse(429, headers=skewed_rate_headers(fake_time, HOUR, 500, remaining=None)),
        FakeResponse(200, settings()),
    ], max_retry_wait=20)
    client.get_enforced_tls()
    assert fake_time.sleeps == [20.0]


def test_pacing_by_the_servers_clock_gives_up_past_max_total_wait(make_client, fake_time):
    client, session = make_client([
        FakeResponse(200, settings(), headers=skewed_rate_headers(fake_time, -HOUR, 30)),
    ], max_total_wait=10)
    client.get_enforced_tls()
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls()
    assert 'held back by the rate limit for 30.2 s more' in excinfo.value.message
    assert fake_time.sleeps == []
    assert len(session.calls) == 1


def test_an_unparsable_date_falls_back_to_the_local_clock(make_client, fake_time):
    client, dummy = make_client([
        FakeResponse(429, headers={'Date': 'soon', 'X-Ratelimit-Reset': str(int(START) + 7)}),
        FakeResponse(200, settings()),
    ])
    client.get_enforced_tls()
    assert fake_time.sleeps == [pytest.approx(7.25)]


# ---------------------------------------------------------------------------
# One pacing window per endpoint
# ---------------------------------------------------------------------------

def test_an_endpoint_out_of_quota_does_not_hold_back_the_others(make_client, fake_time):
    exhausted = {'X-Ratelimit-Remaining': '0', 'X-Ratelimit-Reset': '30'}
    client, session = make_client([
        FakeResponse(200, [], headers=exhausted),                     # GET /v3/subusers: its quota is gone
        FakeResponse(200, settings(), headers={'X-Ratelimit-Remaining': '1', 'X-Ratelimit-Reset': '30'}),
        FakeResponse(200, settings(True)),                            # the PATCH
        FakeResponse(200, settings(True)),                            # the last GET of the settings
        FakeResponse(200, []),                                        # the listing, after its reset
    ], max_total_wait=60)
    client.request('GET', SUBUSERS_PATH, params={'limit': 10})
    client.get_enforced_tls('a')
    client.update_enforced_tls({'require_tls': True}, 'a')
    client.get_enforced_tls('b')
    assert fake_time.sleeps == []  # the settings endpoints went on, each within its own quota
    client.request('GET', SUBUSERS_PATH, params={'limit': 10})
    assert fake_time.sleeps == [30.0]  # the listing waited for its own reset
    assert [call['method'] for call in session.calls] == ['GET', 'GET', 'PATCH', 'GET', 'GET']


def test_the_settings_quota_does_not_hold_back_the_listing(make_client, fake_time):
    client, dummy = make_client([
        FakeResponse(200, settings(), headers={'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '30'}),
        FakeResponse(200, []),
    ], max_total_wait=5)
    client.get_enforced_tls('a')
    assert client.request('GET', SUBUSERS_PATH, params={'limit': 10}) == []
    assert fake_time.sleeps == []
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls('b')
    assert 'held back by the rate limit' in excinfo.value.message


def test_a_429_pauses_only_the_workers_of_its_endpoint(make_client, fake_time):
    # While the PATCH waits out its 429, another worker reads a setting (a different endpoint) at
    # once, and a third worker's PATCH waits for the same pause.
    other_workers = []

    def sleep_as_others_work(seconds):
        if not other_workers:
            other_workers.append('busy')
            sleeps_before = list(fake_time.sleeps)
            other_workers.append(client.get_enforced_tls('b'))
            other_workers.append(fake_time.sleeps == sleeps_before)
        fake_time.sleep(seconds)

    client, session = make_client([
        FakeResponse(429, headers={'Retry-After': '10'}),  # PATCH for a
        FakeResponse(200, settings(True, True, 1.3)),      # GET for b, during the pause
        FakeResponse(200, settings(True)),                 # PATCH for a, retried
    ], sleep=sleep_as_others_work)
    assert client.update_enforced_tls({'require_tls': True}, 'a') == settings(True)
    assert other_workers == ['busy', settings(True, True, 1.3), True]
    assert fake_time.sleeps == [10.0]
    assert [call['method'] for call in session.calls] == ['PATCH', 'GET', 'PATCH']


def test_a_429_of_the_listing_does_not_pause_the_settings(make_client, fake_time):
    client, session = make_client([
        FakeResponse(429, headers={'X-Ratelimit-Remaining': '0', 'X-Ratelimit-Reset': '40'}),
    ], max_total_wait=5)
    with pytest.raises(SendGridRetriesExhausted):
        client.request('GET', SUBUSERS_PATH, params={'limit': 10})
    session.answers.append(FakeResponse(200, settings(True)))
    assert client.get_enforced_tls('a') == settings(True)
    assert fake_time.sleeps == []


def test_one_limiter_per_endpoint_for_every_account(make_client, fake_time):
    # The account acted for (On-Behalf-Of) is not part of the window.
    client, dummy = make_client([
        FakeResponse(200, settings(), headers={'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '8'}),
        FakeResponse(200, settings()),
    ])
    client.get_enforced_tls('a')
    client.get_enforced_tls('account-id 42')
    assert fake_time.sleeps == [8.0]
    assert client.transport.rate_limiters.endpoints() == ['GET ' + ENFORCED_TLS_PATH]


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
        "GET {0} for subuser 'x' failed with HTTP {1} {2} after 3 retries and 2.6 s of waiting (SendGrid says:"
        ' upstream down). SendGrid had a server error; try again later.'.format(ENFORCED_TLS_PATH, status, reason))
    assert error.cause == CAUSE_SERVER
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
    assert '0.4 s of waiting' in excinfo.value.message
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
        ' waiting. Check the network and any proxy (HTTPS_PROXY).'.format(ENFORCED_TLS_PATH, reason))
    assert error.cause == CAUSE_UNREACHABLE
    assert error.result_fields() == {'api_messages': [], 'retries': 2, 'waited': 1.125}
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
        ' timeout after 2 retries and 1.1 s of waiting. SendGrid may be slow; try again later.'.format(
            ENFORCED_TLS_PATH))
    assert excinfo.value.cause == CAUSE_TIMEOUT
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
