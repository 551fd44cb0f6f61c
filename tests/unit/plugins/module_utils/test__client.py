# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SendGrid client (_client.py): base URLs, SendGrid's answers and what its errors say."""

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._client import SendGridClient, resolve_base_url
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_ENDPOINT,
    CAUSE_KEY,
    CAUSE_NO_KEY,
    SendGridAPIError,
    SendGridRetriesExhausted,
    SendGridError,
    SendGridConfigError,
    SendGridResponseError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import (
    ENFORCED_TLS_PATH,
    MAX_ERROR_ID,
    error_hint,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    ACCOUNTS,
    API_KEY,
    FakeResponse,
    FakeSession,
    assert_no_key,
    settings,
)

URL = 'https://api.sendgrid.com' + ENFORCED_TLS_PATH


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
    assert excinfo.value.message.startswith(option + ' must be')
    assert_no_key(excinfo.value)


def test_client_refuses_bad_key_and_url(make_client):
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client(api_key=None)
    assert excinfo.value.message == 'an API key is required and none was given'
    assert excinfo.value.cause == CAUSE_NO_KEY
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client(api_key=API_KEY + '\n')
    assert_no_key(excinfo.value)
    with pytest.raises(SendGridConfigError) as excinfo:
        make_client(api_url='http://sendgrid.example.com')
    assert_no_key(excinfo.value)


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
    ('x' * 300, "no SendGrid error message, body: '{0}... (300 characters)'".format('x' * 200)),
])
def test_api_error_body_shown(make_client, text, said):
    client, dummy = make_client([FakeResponse(404, text=text)], region='eu')
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert excinfo.value.message == (
        'GET {0} for the parent account failed with HTTP 404 Not Found ({1}). Check the API endpoint'
        ' (https://api.eu.sendgrid.com); EU subusers are served at https://api.eu.sendgrid.com.'.format(
            ENFORCED_TLS_PATH, said))
    assert_no_key(excinfo.value)


@pytest.mark.parametrize('status', [400, 401, 403, 404, 418])
@pytest.mark.parametrize('on_behalf_of, account', ACCOUNTS)
def test_api_error_ends_with_the_error_id(make_client, status, on_behalf_of, account):
    answer = {'errors': [{'field': None, 'message': 'nope', 'help': 'https://docs.sendgrid.com/help'}],
              'id': 'a1b2c3d4'}
    client, dummy = make_client([FakeResponse(status, answer)], max_retries=0)
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls(on_behalf_of)
    error = excinfo.value
    # The message keeps its start (status, SendGrid's words, hint), and ends with the id.
    assert error.message.startswith('GET {0} for {1} failed with HTTP {2}'.format(ENFORCED_TLS_PATH, account, status))
    assert '(SendGrid says: nope (help: https://docs.sendgrid.com/help)).' in error.message
    assert error.message.endswith('. SendGrid error id: a1b2c3d4.')
    assert error.message.count('a1b2c3d4') == 1
    assert error.error_id == 'a1b2c3d4'
    assert error.api_messages == ['nope (help: https://docs.sendgrid.com/help)']
    assert error.result_fields() == {'status': status, 'api_messages': error.api_messages, 'error_id': 'a1b2c3d4'}


def test_api_error_without_an_id_has_no_error_id(make_client):
    client, dummy = make_client([FakeResponse(403, {'errors': [{'message': 'nope'}]})])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert excinfo.value.error_id is None
    assert 'error id' not in excinfo.value.message
    assert excinfo.value.result_fields() == {'status': 403, 'api_messages': ['nope']}


def test_api_error_with_an_id_and_no_message(make_client):
    client, dummy = make_client([FakeResponse(404, text='{"id": "only-an-id"}')])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    message = excinfo.value.message
    assert "(no SendGrid error message, body: '{\"id\": \"only-an-id\"}')" in message
    assert message.endswith(' SendGrid error id: only-an-id.')


def test_api_error_hostile_body_stays_bounded(make_client):
    hostile = {'errors': [{'message': 'm' * 50000, 'field': 'f' * 50000, 'help': 'h' * 50000}] * 500,
               'id': 'i' * 50000}
    client, dummy = make_client([FakeResponse(400, hostile)])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.update_enforced_tls(settings(True), 'x')
    error = excinfo.value
    assert len(error.message) < 6000
    assert len(error.error_id) < MAX_ERROR_ID + 30
    assert error.message.endswith(' SendGrid error id: {0}.'.format(error.error_id))


def test_a_key_echoed_at_the_cut_of_a_body_is_redacted_whole(make_client):
    # The excerpt is 200 characters: the key starts before the cut and ends after it.
    client, dummy = make_client([FakeResponse(404, text='x' * 190 + API_KEY + 'y' * 50)])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert API_KEY[:10] not in excinfo.value.message
    assert "body: '{0}<api_key>".format('x' * 190) in excinfo.value.message


def test_a_key_echoed_in_the_id_or_help_is_redacted(make_client):
    echo = {'errors': [{'message': 'bad', 'help': 'key ' + API_KEY}], 'id': API_KEY}
    client, dummy = make_client([FakeResponse(401, echo)])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls()
    assert_no_key(excinfo.value)
    assert API_KEY not in excinfo.value.error_id
    assert excinfo.value.message.endswith(' SendGrid error id: <api_key>.')


@pytest.mark.parametrize('status', [429, 500, 503])
def test_retries_exhausted_keep_the_last_answers_error_id(make_client, status):
    answer = {'errors': [{'field': None, 'message': 'busy'}], 'id': 'last-{0}'.format(status)}
    client, dummy = make_client(forever=lambda: FakeResponse(status, answer), max_retries=1, max_total_wait=5)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        client.get_enforced_tls('x')
    error = excinfo.value
    assert error.error_id == 'last-{0}'.format(status)
    assert error.message.endswith(' SendGrid error id: last-{0}.'.format(status))
    assert error.result_fields()['error_id'] == 'last-{0}'.format(status)
    assert error.result_fields()['api_messages'] == ['busy']


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
        " '<html>login page</html>'. Try again; if it persists, check that https://api.sendgrid.com is the SendGrid API.".format(
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


@pytest.mark.parametrize('answer, expected', [
    ({'require_tls': True, 'require_valid_cert': False}, {'require_tls': True, 'require_valid_cert': False}),
    ({'require_tls': True, 'require_valid_cert': False, 'version': None},
     {'require_tls': True, 'require_valid_cert': False}),
    ({}, {}),
])
def test_update_enforced_tls_leaves_out_what_the_answer_leaves_out(make_client, answer, expected):
    # The spec's example answer to a PATCH has no version: no default is assumed for it.
    client, dummy = make_client([FakeResponse(200, answer)])
    assert client.update_enforced_tls(settings(True, False, 1.2), 'x') == expected


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


@pytest.mark.parametrize('method, body, detail', [
    (method, body, detail)
    for method in ('GET', 'PATCH')
    for body, detail in [
        ({'require_tls': 'yes', 'require_valid_cert': True}, "require_tls is 'yes' (string) in the response"),
        ([settings()], 'expected a JSON object with require_tls and require_valid_cert, got list'),
        ({'require_tls': True, 'require_valid_cert': True, 'version': 'TLS1.2'}, "version is 'TLS1.2' (string)"),
    ]
] + [
    # A field left out is an error in a read; in an answer to an update, it is confirmed by a read (reconcile).
    ('GET', {'require_tls': True}, 'require_valid_cert is missing in the response'),
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


@pytest.mark.parametrize('status, cause', [(401, CAUSE_KEY), (404, CAUSE_ENDPOINT), (301, CAUSE_ENDPOINT),
                                           (403, None), (400, None), (409, None)])
def test_an_error_says_what_to_look_at(make_client, status, cause):
    client, dummy = make_client([FakeResponse(status, {'errors': [{'message': 'no'}]})])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.get_enforced_tls('x')
    assert excinfo.value.cause == cause
    assert excinfo.value.result_fields()['status'] == status
