# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
import requests
from ansible.module_utils import basic
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.mailops.sendgrid.plugins.module_utils import _module_support as module_support
from ansible_collections.mailops.sendgrid.plugins.module_utils import _reconcile
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import ENFORCED_TLS_PATH
from ansible_collections.mailops.sendgrid.plugins.modules import sendgrid_enforced_tls
from ansible_collections.mailops.sendgrid.tests.unit.plugins.modules.sendgrid_module_helpers import (
    args,
    FakeAccount,
    patch_session,
    set_module_args,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    FakeResponse,
    FakeSession,
    settings,
)

MODULE = sendgrid_enforced_tls
URL = 'https://api.sendgrid.com' + ENFORCED_TLS_PATH


def account_session(state, patch_answer=None, **options):
    account = FakeAccount(state, patch_answer, **options)
    return account, FakeSession(forever=lambda: account)


@pytest.fixture
def warned(monkeypatch):
    """The module's warnings, as it gives them to module.warn()."""
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: seen.append(warning))
    return seen


@pytest.fixture
def no_waits(monkeypatch):
    """The reads that confirm an update follow each other without waiting."""
    monkeypatch.setattr(_reconcile, 'CONFIRM_WAITS', (0.0, 0.0))


SERVER_ERROR = FakeResponse(500, {'errors': [{'message': 'internal error'}]})
UNAVAILABLE = FakeResponse(503, {'errors': [{'message': 'try later'}]})


def test_changed_then_unchanged(run):
    account, session = account_session(settings(False, False, 1.1))
    result = run(args(require_tls=True, require_valid_cert=True, version=1.2), session)
    assert result['changed'] is True
    assert 'failed' not in result
    assert result['enforced_tls'] == settings(True, True, 1.2)
    assert result['differences'] == ['require_tls', 'require_valid_cert', 'version']
    assert result['account'] is None
    assert 'diff' not in result
    assert session.methods == ['GET', 'PATCH']
    assert session.calls[1]['json'] == settings(True, True, 1.2)
    assert session.calls[1]['url'] == URL
    assert session.closed is True

    session.calls = []
    result = run(args(require_tls=True, require_valid_cert=True, version=1.2), session)
    assert result['changed'] is False
    assert result['enforced_tls'] == settings(True, True, 1.2)
    assert result['differences'] == []
    assert session.methods == ['GET']


@pytest.mark.parametrize('enforcement, changed, after, stricter', [
    # The options set values: a stricter account is loosened.
    ('exact', True, settings(True, False, 1.2), []),
    # A floor: the account is stricter than asked on both settings and is left as it is.
    ('minimum', False, settings(True, True, 1.3), ['require_valid_cert', 'version']),
])
def test_enforcement_of_a_stricter_account(run, enforcement, changed, after, stricter):
    account, session = account_session(settings(True, True, 1.3))
    result = run(args(require_tls=True, require_valid_cert=False, version=1.2, enforcement=enforcement), session)
    assert result['changed'] is changed
    assert result['enforced_tls'] == after
    assert result['stricter'] == stricter
    assert account.state == after
    assert session.methods == (['GET', 'PATCH'] if changed else ['GET'])


def test_enforcement_minimum_raises_a_weaker_setting_and_keeps_the_stricter_ones(run):
    account, session = account_session(settings(False, True, 1.3))
    result = run(args(require_tls=True, require_valid_cert=False, version=1.2, enforcement='minimum'), session)
    assert result['changed'] is True
    assert result['differences'] == ['require_tls']
    assert result['msg'] == 'changed require_tls; kept stricter require_valid_cert, version'
    assert session.calls[1]['json'] == settings(True, True, 1.3)


def test_enforcement_refuses_unknown_values_before_any_request(run):
    session = FakeSession()
    result = run(args(require_tls=True, enforcement='floor'), session)
    assert result['failed'] is True
    assert 'enforcement' in result['msg']
    assert 'exact, minimum' in result['msg']
    assert session.calls == []


def test_check_mode_sends_no_patch_and_predicts(run):
    account, session = account_session(settings(False, True, 1.1))
    result = run(args(require_tls=True, version='1.3', _ansible_check_mode=True), session)
    assert result['changed'] is True
    assert result['enforced_tls'] == settings(True, True, 1.3)
    assert result['differences'] == ['require_tls', 'version']
    assert session.methods == ['GET']
    assert account.state == settings(False, True, 1.1)


def test_check_mode_unchanged(run):
    dummy, session = account_session(settings(True, True, 1.3))
    result = run(args(require_tls=True, _ansible_check_mode=True), session)
    assert result['changed'] is False
    assert session.methods == ['GET']


@pytest.mark.parametrize('on_behalf_of, header', [
    (None, 'Enforced TLS of the parent account'),
    ('marketing', "Enforced TLS of subuser 'marketing'"),
    ('account-id 42', "Enforced TLS of customer account '42'"),
])
@pytest.mark.parametrize('check_mode', [False, True])
def test_diff(run, on_behalf_of, header, check_mode):
    dummy, session = account_session(settings(False, False, 1.2))
    result = run(args(require_valid_cert=True, on_behalf_of=on_behalf_of, _ansible_diff=True,
                      _ansible_check_mode=check_mode), session)
    assert result['changed'] is True
    assert result['account'] == on_behalf_of
    assert result['diff'] == {
        'before': settings(False, False, 1.2),
        'after': settings(False, True, 1.2),
        'before_header': header,
        'after_header': header,
    }
    expected_headers = {} if on_behalf_of is None else {'On-Behalf-Of': on_behalf_of}
    assert all(call['headers'] == expected_headers for call in session.calls)
    assert session.methods == (['GET'] if check_mode else ['GET', 'PATCH'])


@pytest.mark.parametrize('options, body', [
    ({'require_tls': True}, settings(True, True, 1.3)),
    ({'require_valid_cert': False}, settings(False, False, 1.3)),
    ({'version': '1.2'}, settings(False, True, 1.2)),
])
def test_options_not_given_are_left_as_they_are(run, options, body):
    account, session = account_session(settings(False, True, 1.3))
    result = run(args(**options), session)
    assert result['changed'] is True
    assert session.calls[1]['method'] == 'PATCH'
    assert session.calls[1]['json'] == body
    assert account.state == body
    assert result['enforced_tls'] == body


@pytest.mark.parametrize('version', ['1.2', 1.2, '1.20', ' 1.2'])
@pytest.mark.parametrize('current', [1.2, '1.2'])
def test_version_as_string_or_number(run, version, current):
    dummy, session = account_session({'require_tls': True, 'require_valid_cert': False, 'version': current})
    result = run(args(version=version, require_tls=True), session)
    assert result['changed'] is False
    assert result['differences'] == []
    assert result['enforced_tls'] == settings(True, False, 1.2)
    assert session.methods == ['GET']


def test_account_without_version_is_the_default(run):
    dummy, session = account_session({'require_tls': True, 'require_valid_cert': True})
    result = run(args(version='1.1'), session)
    assert result['changed'] is False
    assert result['enforced_tls'] == settings(True, True, 1.1)


@pytest.mark.parametrize('version, shown', [
    ('1.0', "'1.0' (string)"),
    (1.4, '1.4 (float)'),
    ('abc', "'abc' (string)"),
    (True, 'true (boolean)'),
    (1, '1 (integer)'),
    ('nan', "'nan' (string)"),
])
def test_invalid_version_fails_before_any_request(run, version, shown):
    session = FakeSession()
    result = run(args(version=version, on_behalf_of='sub'), session)
    assert result['failed'] is True
    assert result['msg'] == 'version must be one of 1.1, 1.2, 1.3; got {0}'.format(shown)
    assert result['account'] == 'sub'
    assert session.calls == []


@pytest.mark.parametrize('on_behalf_of', ['sub\r\nX-Injected: 1', 'sub\n', 'a\rb', ' sub', 'account-id'])
def test_bad_on_behalf_of_fails_before_any_request(run, on_behalf_of):
    session = FakeSession()
    result = run(args(require_tls=True, on_behalf_of=on_behalf_of), session)
    assert result['failed'] is True
    assert result['msg'].startswith('on_behalf_of {0!r}'.format(on_behalf_of))
    assert session.calls == []
    # Checked before the client is even built.
    assert session.pool_sizes == []


def test_on_behalf_of_with_cr_lf_names_the_problem(run):
    session = FakeSession()
    result = run(args(require_tls=True, on_behalf_of='sub\r\nX-Injected: 1'), session)
    assert 'contains control characters (such as CR or LF)' in result['msg']
    assert session.calls == []


@pytest.mark.parametrize('api_url', ['http://api.sendgrid.com', 'http://10.1.2.3:3030', 'http://localhost.evil.example'])
def test_plain_http_api_url_fails_before_any_request(run, api_url):
    session = FakeSession()
    result = run(args(require_tls=True, api_url=api_url), session)
    assert result['failed'] is True
    assert result['msg'].startswith('api_url {0!r} uses plain http://'.format(api_url))
    assert session.calls == []


def test_plain_http_api_url_from_the_environment_fails_before_any_request(run, monkeypatch):
    monkeypatch.setenv('SENDGRID_API_URL', 'http://sendgrid.internal.example')
    session = FakeSession()
    result = run(args(require_tls=True), session)
    assert result['failed'] is True
    assert "api_url 'http://sendgrid.internal.example' uses plain http://" in result['msg']
    assert session.calls == []


def test_loopback_api_url(run):
    dummy, session = account_session(settings(True, True, 1.2))
    result = run(args(require_tls=True, api_url='http://127.0.0.1:3030/'), session)
    assert result['changed'] is False
    assert session.calls[0]['url'] == 'http://127.0.0.1:3030' + ENFORCED_TLS_PATH


def test_eu_region(run):
    dummy, session = account_session(settings(True, True, 1.2))
    run(args(require_tls=True, region='eu'), session)
    assert session.calls[0]['url'] == 'https://api.eu.sendgrid.com' + ENFORCED_TLS_PATH


def test_missing_api_key(run):
    session = FakeSession()
    result = run({'require_tls': True}, session)
    assert result['failed'] is True
    assert result['msg'] == ('an API key is required and none was given. Set the api_key option (for example through'
                             ' module_defaults for group/mailops.sendgrid.sendgrid) or the SENDGRID_API_KEY environment'
                             ' variable.')
    assert 'SENDGRID_API_KEY' in result['msg']
    assert session.calls == []


def test_api_key_from_the_environment(run, monkeypatch):
    monkeypatch.setenv('SENDGRID_API_KEY', API_KEY)
    dummy, session = account_session(settings(True, True, 1.2))
    result = run({'require_tls': True}, session)
    assert result['changed'] is False
    prepared = requests.Request('GET', URL, auth=session.calls[0]['auth']).prepare()
    assert prepared.headers['Authorization'] == 'Bearer ' + API_KEY


def test_api_key_with_newline(run):
    session = FakeSession()
    result = run(args(require_tls=True, api_key=API_KEY + '\n'), session)
    assert result['failed'] is True
    assert result['msg'].startswith('api_key contains whitespace or control characters')
    assert session.calls == []


def test_requests_missing(run, monkeypatch):
    monkeypatch.setattr(module_support, 'HAS_REQUESTS', False)
    session = FakeSession()
    result = run(args(require_tls=True), session)
    assert result['failed'] is True
    assert result['msg'] == missing_required_lib('requests')
    assert 'requests' in result['msg']
    assert session.calls == []


def test_no_setting_given(run):
    session = FakeSession()
    result = run(args(), session)
    assert result['failed'] is True
    assert result['msg'] == 'give at least one of require_tls, require_valid_cert, version'
    assert session.calls == []


def test_a_misspelt_setting_is_named(run):
    # require_tsl: a typo, with no valid setting beside it; the error names the unknown option.
    session = FakeSession()
    result = run(args(require_tsl=True), session)
    assert result['failed'] is True
    assert 'require_tsl' in result['msg']
    assert 'Unsupported parameters' in result['msg']
    assert session.calls == []


def test_bad_option_fails_before_any_request(run):
    session = FakeSession()
    result = run(args(require_tls=True, max_retry_wait=0), session)
    assert result['failed'] is True
    assert result['msg'] == 'max_retry_wait must be greater than zero and at most 3600; got 0'
    assert session.calls == []


@pytest.mark.parametrize('status, failing_method, needle', [
    (401, 'GET', 'Check the api_key option (or SENDGRID_API_KEY); an EU key needs region: eu.'),
    (403, 'GET', 'the scope user.settings.enforced_tls.read'),
    (403, 'PATCH', 'the scope user.settings.enforced_tls.update'),
    (404, 'GET', 'Check api_url and region; EU subusers need region: eu.'),
    (400, 'PATCH', 'Check the values sent'),
    (500, 'GET', 'SendGrid had a server error'),
])
@pytest.mark.parametrize('on_behalf_of, account', [(None, 'the parent account'), ('x', "subuser 'x'")])
def test_api_errors_give_status(run, status, failing_method, needle, on_behalf_of, account):
    error = FakeResponse(status, {'errors': [{'message': 'nope', 'field': 'version'}]})
    answers = [error] if failing_method == 'GET' else [FakeResponse(200, settings()), error]
    session = FakeSession(answers)
    result = run(args(require_tls=True, on_behalf_of=on_behalf_of, max_retries=0), session)
    assert result['failed'] is True
    assert result['changed'] is False
    assert result['status'] == status
    assert result['account'] == on_behalf_of
    assert result['msg'].startswith('{0} {1} for {2} failed with HTTP {3}'.format(
        failing_method, ENFORCED_TLS_PATH, account, status))
    assert 'SendGrid says: nope (field: version)' in result['msg']
    assert result['api_messages'] == ['nope (field: version)']
    assert needle in result['msg']
    assert session.methods == (['GET'] if failing_method == 'GET' else ['GET', 'PATCH'])


@pytest.mark.parametrize('failing_method', ['GET', 'PATCH'])
def test_api_error_id_in_the_message_and_result(run, failing_method):
    error = FakeResponse(403, {'errors': [{'field': None, 'message': 'access forbidden'}], 'id': '0123abcd'})
    answers = [error] if failing_method == 'GET' else [FakeResponse(200, settings()), error]
    result = run(args(require_tls=True, on_behalf_of='x', max_retries=0), FakeSession(answers))
    assert result['failed'] is True
    assert result['error_id'] == '0123abcd'
    # The id follows the client's message, before the advice in option names (none for a 403).
    assert result['msg'].endswith('belongs to the parent account this key is for. SendGrid error id: 0123abcd.')


def test_api_error_id_before_the_option_advice(run):
    session = FakeSession([FakeResponse(401, {'errors': [{'message': 'authorization required'}], 'id': 'feed42'})])
    result = run(args(require_tls=True), session)
    assert result['error_id'] == 'feed42'
    assert result['msg'].endswith(' SendGrid error id: feed42. Check the api_key option (or SENDGRID_API_KEY); an EU'
                                  ' key needs region: eu.')


def test_unconfirmed_update_fails_without_change(run):
    dummy, session = account_session(settings(False, False, 1.1), patch_answer=settings(True, False, 1.1))
    result = run(args(require_tls=True, version='1.3', on_behalf_of='x'), session)
    assert result['failed'] is True
    assert result['changed'] is False
    assert 'status' not in result
    assert result['account'] == 'x'
    assert result['msg'].startswith(
        "SendGrid accepted the update of subuser 'x' but reports version=1.1 where version=1.3 was sent")
    assert session.methods == ['GET', 'PATCH']


def test_update_answered_without_version_is_confirmed_by_a_read(run, warned):
    # The spec's example answer to a PATCH has no version; before, that was taken as 1.1 and failed the task.
    dummy, session = account_session(settings(False, False, 1.1), omit=('version',))
    result = run(args(require_tls=True, version='1.2', on_behalf_of='x'), session)
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['enforced_tls'] == settings(True, False, 1.2)
    assert result['applied_despite_error'] is False
    assert session.methods == ['GET', 'PATCH', 'GET']
    assert warned == []


def test_update_applied_but_answered_with_an_error_is_a_change_with_a_warning(run, warned):
    account, session = account_session(settings(False, False, 1.1), answer_after_apply=SERVER_ERROR)
    result = run(args(require_tls=True, version='1.2', on_behalf_of='x', max_retries=0), session)
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['before'] == settings(False, False, 1.1)
    assert result['enforced_tls'] == settings(True, False, 1.2)
    assert result['differences'] == ['require_tls', 'version']
    assert result['applied_despite_error'] is True
    assert warned == [
        "SendGrid answered the update of subuser 'x' with an error, but reading the setting back (one read) shows the"
        ' values asked for (require_tls=true, version=1.2): the update was applied, and the account is reported as'
        " changed. The error: PATCH /v3/user/settings/enforced_tls for subuser 'x' failed with HTTP 500 Internal"
        ' Server Error after 0 retries and 0.0 s of waiting (SendGrid says: internal error). SendGrid had a server'
        ' error; try again later.']
    assert session.methods == ['GET', 'PATCH', 'GET']


def test_update_answered_with_an_error_and_read_as_before_was_not_applied(run, warned, no_waits):
    session = FakeSession([FakeResponse(200, settings()), UNAVAILABLE], forever=lambda: FakeResponse(200, settings()))
    result = run(args(require_tls=True, max_retries=0), session)
    assert result['failed'] is True
    assert result['changed'] is False
    assert result['status'] == 503
    assert result['msg'] == (
        'PATCH /v3/user/settings/enforced_tls for the parent account failed with HTTP 503 Service Unavailable after'
        ' 0 retries and 0.0 s of waiting (SendGrid says: try later). SendGrid had a server error; try again later.'
        ' The update was not applied: reading the setting back (3 reads over 0 s) shows it as before'
        ' (require_tls=false). To retry for longer, raise max_retries (now 0) or max_total_wait (now 300 s).')
    assert session.methods == ['GET', 'PATCH', 'GET', 'GET', 'GET']
    assert warned == []


def test_update_answered_with_an_error_whose_read_fails_too_is_of_unknown_outcome(run):
    session = FakeSession([FakeResponse(200, settings()), UNAVAILABLE, UNAVAILABLE])
    result = run(args(require_tls=True, max_retries=0), session)
    assert result['failed'] is True
    assert result['changed'] is False
    assert result['status'] == 503
    assert (' The update was sent and whether SendGrid applied it is unknown: reading the setting back failed too'
            ' (GET /v3/user/settings/enforced_tls for the parent account failed with HTTP 503 Service Unavailable'
            ' after 0 retries and 0.0 s of waiting (SendGrid says: try later). SendGrid had a server error; try again'
            ' later). Read it again (sendgrid_enforced_tls_info) before relying on it.') in result['msg']
    assert session.methods == ['GET', 'PATCH', 'GET']


def test_check_mode_reads_nothing_back(run):
    session = FakeSession([FakeResponse(200, settings())])
    result = run(args(require_tls=True, _ansible_check_mode=True), session)
    assert result['changed'] is True
    assert session.methods == ['GET']


def test_invalid_answer_fails_without_status(run):
    session = FakeSession([FakeResponse(200, {'require_tls': 'yes'})])
    result = run(args(require_tls=True), session)
    assert result['failed'] is True
    assert result['changed'] is False
    assert 'status' not in result
    assert result['msg'].startswith("SendGrid's answer to GET {0} for the parent account is not an Enforced TLS"
                                    ' setting'.format(ENFORCED_TLS_PATH))


def test_connection_failure(run):
    session = FakeSession(forever=lambda: requests.exceptions.ConnectionError('[Errno 111] Connection refused'))
    result = run(args(require_tls=True, max_retries=0), session)
    assert result['failed'] is True
    assert 'status' not in result
    assert 'could not reach https://api.sendgrid.com: connection failed: Connection refused' in result['msg']
    assert result['msg'].endswith('Check the network and any proxy (HTTPS_PROXY). Check api_url and region; with a'
                                  ' self-signed test endpoint, validate_certs.')
    assert (result['retries'], result['waited'], result['api_messages']) == (0, 0.0, [])
    assert len(session.calls) == 1


def test_retries_running_out_give_the_count_the_wait_and_the_options_to_raise(run):
    session = FakeSession(forever=lambda: FakeResponse(503, {'errors': [{'message': 'try later'}]}))
    result = run(args(require_tls=True, max_retries=2, max_retry_wait=0.01, max_total_wait=7), session)
    assert result['failed'] is True
    assert result['status'] == 503
    assert result['retries'] == 2
    assert 0 < result['waited'] <= 0.02
    assert result['api_messages'] == ['try later']
    assert result['msg'].endswith('SendGrid had a server error; try again later. To retry for longer, raise'
                                  ' max_retries (now 2) or max_total_wait (now 7 s).')
    assert len(session.calls) == 3


def test_client_is_built_with_one_connection(run):
    dummy, session = account_session(settings(True, True, 1.2))
    run(args(require_tls=True, timeout=5, validate_certs=False), session)
    assert session.pool_sizes == [1]
    assert session.calls[0]['timeout'] == 5.0
    assert session.calls[0]['verify'] is False


def test_real_output_has_the_result_and_warning_but_never_the_key(monkeypatch, capsys):
    """The module's own exit_json: the printed JSON has the result, warnings, and never the key."""
    dummy, session = account_session(settings(False, False, 1.1))
    patch_session(monkeypatch, session)
    with set_module_args(args(require_tls=True, validate_certs=False, api_url='https://127.0.0.1:3030')):
        with pytest.raises(SystemExit) as excinfo:
            sendgrid_enforced_tls.main()
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    assert API_KEY not in out
    result = json.loads(out)
    assert result['changed'] is True
    assert result['enforced_tls'] == settings(True, False, 1.1)
    # ansible-core 2.19+ returns warnings as structured objects, older ones as strings.
    warnings = json.dumps(result['warnings'])
    assert 'validate_certs is false: the TLS certificate of https://127.0.0.1:3030 is not checked' in warnings


def test_real_output_on_failure_never_shows_the_key(monkeypatch, capsys):
    session = FakeSession([FakeResponse(401, {'errors': [{'message': 'authorization required'}]})])
    patch_session(monkeypatch, session)
    with set_module_args(args(require_tls=True)):
        with pytest.raises(SystemExit) as excinfo:
            sendgrid_enforced_tls.main()
    assert excinfo.value.code == 1
    out = capsys.readouterr().out
    assert API_KEY not in out
    result = json.loads(out)
    assert result['failed'] is True
    assert result['status'] == 401
    assert 'SendGrid says: authorization required' in result['msg']


@pytest.mark.parametrize('options, name', [
    ({'on_behalf_of': 'mark\x00eting'}, 'on_behalf_of'),
    ({'subusers': ['a', 'b\x00c']}, 'subusers'),
    ({'api_key': 'SG.secret\x00part'}, 'api_key'),
])
def test_a_nul_character_is_refused_naming_the_option(run, options, name):
    session = FakeSession()
    result = run(args(require_tls=True, **options), session)
    assert result['failed'] is True
    assert result['msg'] == ('{0} contains a NUL character, which no SendGrid name, key or setting can hold;'
                             ' remove it'.format(name))
    assert 'secret' not in json.dumps(result)
    assert session.calls == []
