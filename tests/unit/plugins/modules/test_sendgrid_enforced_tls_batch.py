# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""sendgrid_enforced_tls in batch mode (subusers, workers)."""

from __future__ import annotations


import pytest
from ansible.module_utils import basic

from ansible_collections.mailops.sendgrid.plugins.module_utils import _reconcile
from ansible_collections.mailops.sendgrid.plugins.modules import sendgrid_enforced_tls
from ansible_collections.mailops.sendgrid.tests.unit.plugins.modules.sendgrid_module_helpers import (
    args as module_args,
    FakeFleet,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    FakeResponse,
    FakeSession,
    account_result,
    failed_result,
    settings,
)

MODULE = sendgrid_enforced_tls
TARGET = settings(True, True, 1.2)
FORBIDDEN = FakeResponse(403, {'errors': [{'message': 'access forbidden'}]})
FORBIDDEN_GET = ("GET /v3/user/settings/enforced_tls for subuser 'b' failed with HTTP 403 Forbidden (SendGrid says:"
                 " access forbidden). Check that the API key has the scope user.settings.enforced_tls.read. Also"
                 " check that subuser 'b' exists and belongs to the parent account this key is for.")


def args(**options):
    """Module arguments with the policy every batch test asks for."""
    return module_args(**dict({'require_tls': True, 'require_valid_cert': True, 'version': '1.2'}, **options))


def fleet_session(states, **options):
    fleet = FakeFleet(states, **options)
    return fleet, FakeSession(forever=lambda: fleet)


STATES = {
    'a': settings(False, False, 1.1),
    'b': settings(True, True, 1.2),
    'c': settings(True, False, '1.2'),
    'd': settings(True, True, 1.3),
}


def test_batch_results_in_input_order(run):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['d', 'b', 'a', 'c'], workers=3), session)
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['check_mode'] is False
    assert result['results'] == [
        account_result('d', settings(True, True, 1.3), TARGET, ['version']),
        account_result('b', TARGET, TARGET, []),
        account_result('a', settings(False, False, 1.1), TARGET, ['require_tls', 'require_valid_cert', 'version']),
        account_result('c', settings(True, False, 1.2), TARGET, ['require_valid_cert']),
    ]
    assert result['summary'] == {'total': 4, 'changed': 3, 'unchanged': 1, 'failed': 0, 'not_attempted': 0}
    assert 'diff' not in result
    assert 'enforced_tls' not in result
    for name in ('a', 'c', 'd'):
        assert fleet.states[name] == TARGET
        assert fleet.methods_for(name) == ['GET', 'PATCH']
    assert fleet.methods_for('b') == ['GET']
    # The parent account is never touched in batch mode.
    assert fleet.methods_for(None) == []
    assert session.pool_sizes == [3]
    assert session.closed is True


def test_batch_patch_sends_the_whole_setting(run):
    fleet, session = fleet_session({'x': settings(True, False, 1.3)})
    result = run(args(subusers=['x'], require_tls=None, require_valid_cert=True, version=None), session)
    assert result['results'] == [account_result('x', settings(True, False, 1.3), settings(True, True, 1.3),
                                                ['require_valid_cert'])]
    patches = [call for call in session.calls if call['method'] == 'PATCH']
    assert [call['json'] for call in patches] == [settings(True, True, 1.3)]
    assert [call['headers'] for call in patches] == [{'On-Behalf-Of': 'x'}]


def test_batch_nothing_to_change(run):
    fleet, session = fleet_session({'a': TARGET, 'b': TARGET})
    result = run(args(subusers=['a', 'b']), session)
    assert result['changed'] is False
    assert 'failed' not in result
    assert result['summary'] == {'total': 2, 'changed': 0, 'unchanged': 2, 'failed': 0, 'not_attempted': 0}
    assert [item['msg'] for item in result['results']] == ['already as asked', 'already as asked']
    assert [method for method, dummy in fleet.requests] == ['GET', 'GET']


def test_batch_empty_list(run):
    fleet, session = fleet_session({})
    result = run(args(subusers=[]), session)
    assert result['changed'] is False
    assert 'failed' not in result
    assert result['results'] == []
    assert result['summary'] == {'total': 0, 'changed': 0, 'unchanged': 0, 'failed': 0, 'not_attempted': 0}
    assert fleet.requests == []


def test_batch_many_accounts(run):
    names = ['sub-{0:03d}'.format(index) for index in range(60)]
    states = dict((name, settings(index % 3 == 0, True, 1.2)) for index, name in enumerate(names))
    fleet, session = fleet_session(states)
    result = run(args(subusers=names, workers=7), session)
    assert [item['account'] for item in result['results']] == names
    assert [item['changed'] for item in result['results']] == [index % 3 != 0 for index in range(60)]
    assert result['summary'] == {'total': 60, 'changed': 40, 'unchanged': 20, 'failed': 0, 'not_attempted': 0}
    assert all(state == TARGET for state in fleet.states.values())
    assert len(session.calls) == 100
    assert session.pool_sizes == [7]


def test_batch_one_failing_account(run):
    fleet, session = fleet_session(STATES, errors={'b': FORBIDDEN})
    result = run(args(subusers=['a', 'b', 'c', 'd'], workers=2), session)
    assert result['failed'] is True
    assert result['changed'] is True
    assert result['check_mode'] is False
    assert result['msg'] == ('Could not enforce TLS on 1 of 4 accounts: b. First error: ' + FORBIDDEN_GET
                             + ' Every account has its own result in results.')
    assert result['results'] == [
        account_result('a', settings(False, False, 1.1), TARGET, ['require_tls', 'require_valid_cert', 'version']),
        failed_result('b', FORBIDDEN_GET, status=403, api_messages=['access forbidden']),
        account_result('c', settings(True, False, 1.2), TARGET, ['require_valid_cert']),
        account_result('d', settings(True, True, 1.3), TARGET, ['version']),
    ]
    assert result['summary'] == {'total': 4, 'changed': 3, 'unchanged': 0, 'failed': 1, 'not_attempted': 0}
    for name in ('a', 'c', 'd'):
        assert fleet.states[name] == TARGET
    assert fleet.methods_for('b') == ['GET']


def test_batch_failed_account_has_its_error_id(run):
    with_id = FakeResponse(403, {'errors': [{'message': 'access forbidden'}], 'id': 'b0b0b0'})
    fleet, session = fleet_session(STATES, errors={'b': with_id})
    result = run(args(subusers=['a', 'b', 'c'], workers=2), session)
    assert result['failed'] is True
    message = FORBIDDEN_GET + ' SendGrid error id: b0b0b0.'
    assert result['results'][1] == failed_result('b', message, status=403, api_messages=['access forbidden'],
                                                 error_id='b0b0b0')
    assert 'error_id' not in result['results'][0]
    assert result['msg'] == ('Could not enforce TLS on 1 of 3 accounts: b. First error: ' + message
                             + ' Every account has its own result in results.')


def test_batch_several_failing_accounts_are_all_named(run):
    states = dict(STATES, e=TARGET)
    fleet, session = fleet_session(states, errors={'d': FORBIDDEN, 'a': FORBIDDEN}, error_methods=('PATCH',))
    result = run(args(subusers=['a', 'b', 'c', 'd', 'e', 'unknown']), session)
    assert result['failed'] is True
    assert result['msg'].startswith(
        "Could not enforce TLS on 3 of 6 accounts: a, d, unknown. First error: PATCH /v3/user/settings/enforced_tls"
        " for subuser 'a' failed with HTTP 403 Forbidden (SendGrid says: access forbidden). Check that the API key"
        " has the scope user.settings.enforced_tls.update.")
    assert [(item['account'], item['failed'], item['changed']) for item in result['results']] == [
        ('a', True, False), ('b', False, False), ('c', False, True), ('d', True, False), ('e', False, False),
        ('unknown', True, False)]
    assert result['results'][5]['msg'].startswith(
        "GET /v3/user/settings/enforced_tls for subuser 'unknown' failed with HTTP 404 Not Found")
    assert result['summary'] == {'total': 6, 'changed': 1, 'unchanged': 2, 'failed': 3, 'not_attempted': 0}
    assert fleet.states['c'] == TARGET
    assert fleet.states['a'] == settings(False, False, 1.1)
    assert fleet.methods_for('a') == ['GET', 'PATCH']


def test_batch_every_account_failing(run):
    fleet, session = fleet_session({}, errors={'a': FORBIDDEN, 'b': FORBIDDEN})
    result = run(args(subusers=['a', 'b']), session)
    assert result['failed'] is True
    assert result['changed'] is False
    assert result['msg'].startswith('Could not enforce TLS on 2 of 2 accounts: a, b. First error: ')
    assert result['summary'] == {'total': 2, 'changed': 0, 'unchanged': 0, 'failed': 2, 'not_attempted': 0}
    assert len(result['results']) == 2


def test_batch_unconfirmed_update_fails_that_account(run):
    states = {'a': settings(False, False, 1.1), 'b': settings(False, False, 1.1)}
    fleet, session = fleet_session(states)

    def answer(method, url, kwargs):
        if method == 'PATCH' and kwargs['headers'] == {'On-Behalf-Of': 'b'}:
            return FakeResponse(200, settings(True, True, 1.1))
        return fleet(method, url, kwargs)

    session.forever = lambda: answer
    result = run(args(subusers=['a', 'b']), session)
    assert result['failed'] is True
    assert result['results'][0] == account_result('a', settings(False, False, 1.1), TARGET,
                                                  ['require_tls', 'require_valid_cert', 'version'])
    assert result['results'][1]['failed'] is True
    assert result['results'][1]['msg'].startswith(
        "SendGrid accepted the update of subuser 'b' but reports version=1.1 where version=1.2 was sent")
    assert result['msg'].startswith('Could not enforce TLS on 1 of 2 accounts: b. First error: SendGrid accepted')


@pytest.fixture
def warned(monkeypatch):
    """The module's warnings, as it gives them to module.warn()."""
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: seen.append(warning))
    return seen


def update_outcomes_session(applied_then_500=(), not_applied_503=(), omit_version=()):
    """A fleet whose PATCHes for some accounts are applied and then answered 500, answered 503 without
    being applied, or answered without the version."""
    states = dict((name, settings(False, False, 1.1)) for name in 'abcd')
    fleet, session = fleet_session(states)

    def answer(method, url, kwargs):
        account = kwargs['headers'].get('On-Behalf-Of')
        if method == 'PATCH' and account in not_applied_503:
            return FakeResponse(503, {'errors': [{'message': 'try later'}]})
        response = fleet(method, url, kwargs)
        if method == 'PATCH' and account in applied_then_500:
            return FakeResponse(500, {'errors': [{'message': 'internal error'}]})
        if method == 'PATCH' and account in omit_version:
            return FakeResponse(200, {'require_tls': True, 'require_valid_cert': True})
        return response

    session.forever = lambda: answer
    return fleet, session


def test_batch_updates_of_unknown_outcome_are_read_back(run, warned, monkeypatch):
    monkeypatch.setattr(_reconcile, 'CONFIRM_WAITS', (0.0, 0.0))
    fleet, session = update_outcomes_session(applied_then_500=['b'], not_applied_503=['c'], omit_version=['d'])
    result = run(args(subusers=['a', 'b', 'c', 'd'], max_retries=0), session)
    before = settings(False, False, 1.1)
    changed = ['require_tls', 'require_valid_cert', 'version']
    assert result['failed'] is True
    assert result['changed'] is True
    assert result['summary'] == {'total': 4, 'changed': 3, 'unchanged': 0, 'failed': 1, 'not_attempted': 0}
    assert result['results'][0] == account_result('a', before, TARGET, changed)
    # b: applied, then answered 500: a change, with a warning in its result and in the task's.
    b_warning = (
        "SendGrid answered the update of subuser 'b' with an error, but reading the setting back (one read) shows"
        ' the values asked for (require_tls=true, require_valid_cert=true, version=1.2): the update was applied, and'
        " the account is reported as changed. The error: PATCH /v3/user/settings/enforced_tls for subuser 'b' failed"
        ' with HTTP 500 Internal Server Error after 0 retries and 0.0 s of waiting (SendGrid says: internal error).'
        ' SendGrid had a server error; try again later.')
    assert result['results'][1] == dict(account_result('b', before, TARGET, changed), warnings=[b_warning],
                                        applied_despite_error=True)
    assert warned == [b_warning]
    # c: answered 503 and not applied, as the reads show.
    assert result['results'][2]['failed'] is True
    assert result['results'][2]['before'] == before
    assert result['results'][2]['status'] == 503
    assert ('The update was not applied: reading the setting back (3 reads over 0 s) shows it as before'
            ' (require_tls=false, require_valid_cert=false, version=1.1).') in result['results'][2]['msg']
    assert 'unknown' not in result['results'][2]['msg']
    # d: answered without the version, confirmed by a read.
    assert result['results'][3] == account_result('d', before, TARGET, changed)
    assert result['msg'].startswith('Could not enforce TLS on 1 of 4 accounts: c. First error: PATCH')
    assert fleet.methods_for('b') == ['GET', 'PATCH', 'GET']
    assert fleet.methods_for('c') == ['GET', 'GET', 'GET', 'GET']  # the 503s never reach the fleet
    assert fleet.methods_for('d') == ['GET', 'PATCH', 'GET']


def test_batch_many_updates_applied_despite_errors_give_one_warning(run, warned):
    fleet, session = update_outcomes_session(applied_then_500=['a', 'c'])
    result = run(args(subusers=['a', 'b', 'c'], max_retries=0), session)
    assert 'failed' not in result
    assert result['summary']['changed'] == 3
    assert ['warnings' in item for item in result['results']] == [True, False, True]
    assert len(warned) == 1
    assert warned[0].startswith('2 of 3 accounts were changed although SendGrid answered their update with an'
                                " error: a, c. First warning: SendGrid answered the update of subuser 'a'")


def test_batch_check_mode_sends_no_patch(run):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a', 'b', 'c', 'd'], _ansible_check_mode=True), session)
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['check_mode'] is True
    assert result['results'] == [
        account_result('a', settings(False, False, 1.1), TARGET, ['require_tls', 'require_valid_cert', 'version'],
                       check_mode=True),
        account_result('b', TARGET, TARGET, [], check_mode=True),
        account_result('c', settings(True, False, 1.2), TARGET, ['require_valid_cert'], check_mode=True),
        account_result('d', settings(True, True, 1.3), TARGET, ['version'], check_mode=True),
    ]
    assert result['summary'] == {'total': 4, 'changed': 3, 'unchanged': 1, 'failed': 0, 'not_attempted': 0}
    assert session.methods == ['GET'] * 4
    assert 'PATCH' not in [method for method, dummy in fleet.requests]
    assert fleet.states == STATES


def test_batch_check_mode_with_a_failing_account(run):
    fleet, session = fleet_session(STATES, errors={'b': FORBIDDEN})
    result = run(args(subusers=['a', 'b'], _ansible_check_mode=True), session)
    assert result['failed'] is True
    assert result['check_mode'] is True
    assert result['results'][0]['msg'] == 'would change require_tls, require_valid_cert, version'
    assert result['results'][1] == failed_result('b', FORBIDDEN_GET, status=403, api_messages=['access forbidden'])
    # b's 403 may be the key's: one GET for the key's own account (here 404, not a key refusal) settles it.
    assert session.methods == ['GET', 'GET', 'GET']
    assert fleet.methods_for(None) == ['GET']
    assert result['msg'].startswith('Could not audit 1 of 2 accounts: b. First error: ')


@pytest.mark.parametrize('check_mode', [False, True])
def test_batch_diff_one_per_changed_account(run, check_mode):
    fleet, session = fleet_session(dict(STATES, **{'account-id 42': settings(False, True, 1.2)}))
    result = run(args(subusers=['a', 'b', 'account-id 42', 'c'], _ansible_diff=True,
                      _ansible_check_mode=check_mode), session)
    assert result['diff'] == [
        {'before': settings(False, False, 1.1), 'after': TARGET,
         'before_header': "Enforced TLS of subuser 'a'", 'after_header': "Enforced TLS of subuser 'a'"},
        {'before': settings(False, True, 1.2), 'after': TARGET,
         'before_header': "Enforced TLS of customer account '42'",
         'after_header': "Enforced TLS of customer account '42'"},
        {'before': settings(True, False, 1.2), 'after': TARGET,
         'before_header': "Enforced TLS of subuser 'c'", 'after_header': "Enforced TLS of subuser 'c'"},
    ]
    assert fleet.methods_for('account-id 42') == (['GET'] if check_mode else ['GET', 'PATCH'])


@pytest.mark.parametrize('check_mode', [False, True])
def test_batch_diff_in_each_changed_accounts_own_result(run, check_mode):
    # In a loop, ansible-core's callbacks look for the diff of each entry of results: each
    # changed account carries the same diff as the task's list, unchanged ones none.
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a', 'b', 'c', 'd'], _ansible_diff=True, _ansible_check_mode=check_mode), session)
    by_account = dict((item['account'], item) for item in result['results'])
    assert [by_account[name]['diff'] for name in ('a', 'c', 'd')] == result['diff']
    assert 'diff' not in by_account['b']
    assert by_account['a']['diff']['before_header'] == "Enforced TLS of subuser 'a'"


def test_batch_without_diff_mode_has_no_diff_in_the_results(run):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a', 'b']), session)
    assert [item for item in result['results'] if 'diff' in item] == []


def test_batch_enforcement_minimum_keeps_stricter_accounts(run):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a', 'b', 'c', 'd'], enforcement='minimum'), session)
    assert result['results'][3] == account_result(
        'd', settings(True, True, 1.3), settings(True, True, 1.3), [], stricter=['version'],
        msg='already at least as strict as asked (stricter version)')
    assert result['summary'] == {'total': 4, 'changed': 2, 'unchanged': 2, 'failed': 0, 'not_attempted': 0}
    assert fleet.methods_for('d') == ['GET']
    assert fleet.states['d'] == settings(True, True, 1.3)
    assert fleet.states['a'] == TARGET


def test_batch_diff_leaves_out_failed_and_unchanged_accounts(run):
    fleet, session = fleet_session(STATES, errors={'a': FORBIDDEN})
    result = run(args(subusers=['a', 'b', 'd'], _ansible_diff=True), session)
    assert result['failed'] is True
    assert result['diff'] == [
        {'before': settings(True, True, 1.3), 'after': TARGET,
         'before_header': "Enforced TLS of subuser 'd'", 'after_header': "Enforced TLS of subuser 'd'"},
    ]


def test_batch_diff_nothing_changed(run):
    fleet, session = fleet_session({'b': TARGET})
    result = run(args(subusers=['b'], _ansible_diff=True), session)
    assert result['diff'] == []


@pytest.mark.parametrize('subusers, message', [
    (['a', 'b', 'a'], "subusers lists 'a' more than once"),
    (['a', 'b', 'b', 'a'], "subusers lists 'b', 'a' more than once"),
    (['a', ''], 'subusers[1] must not be empty or only whitespace'),
    (['a', '   '], 'subusers[1] must not be empty or only whitespace'),
    (['a\r\nX-Injected: 1'], "subusers[0] 'a\\r\\nX-Injected: 1' contains control characters (such as CR or LF),"
                             ' which are not allowed in an On-Behalf-Of header'),
    (['a', 'b\n'], "subusers[1] 'b\\n' contains control characters (such as CR or LF), which are not allowed in an"
                   ' On-Behalf-Of header'),
    ([' a'], "subusers[0] ' a' has leading or trailing whitespace; remove it"),
    (['', 'x', 'x'], "subusers[0] must not be empty or only whitespace; subusers lists 'x' more than once"),
])
def test_batch_bad_names_fail_before_any_request(run, subusers, message):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=subusers), session)
    assert result['failed'] is True
    assert result['msg'] == message
    assert session.calls == []
    assert fleet.requests == []
    # Refused before the client is even built.
    assert session.pool_sizes == []
    assert 'results' not in result


def test_batch_too_many_names_fail_before_any_request(run):
    fleet, session = fleet_session({})
    result = run(args(subusers=['s{0}'.format(index) for index in range(50001)]), session)
    assert result['failed'] is True
    assert result['msg'] == 'subusers holds 50001 names, more than the 50000 one task handles; split the list'
    assert session.calls == []


def test_batch_with_on_behalf_of_is_refused(run):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a'], on_behalf_of='b'), session)
    assert result['failed'] is True
    assert result['msg'] == 'parameters are mutually exclusive: on_behalf_of|subusers'
    assert session.calls == []
    assert session.pool_sizes == []


@pytest.mark.parametrize('workers', [0, -2, 101, 1000000000])
def test_batch_workers_out_of_bounds_are_refused_before_any_request(run, workers):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a', 'b'], workers=workers), session)
    assert result['failed'] is True
    assert result['msg'] == 'workers must be a whole number from 1 to 100; got {0} (integer)'.format(workers)
    assert session.calls == []
    assert session.pool_sizes == []


def test_batch_workers_at_the_bound_sized_to_the_work(run):
    # 100 workers asked for, two accounts to do: two threads and connections, not a hundred.
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a', 'b'], workers=100), session)
    assert result['summary']['total'] == 2
    assert session.pool_sizes == [2]


def test_batch_bad_setting_is_refused_before_any_request(run):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['a'], version='1.4'), session)
    assert result['failed'] is True
    assert result['msg'] == "version must be one of 1.1, 1.2, 1.3; got '1.4' (string)"
    assert session.calls == []


def test_batch_default_workers(run):
    names = ['s{0:02d}'.format(index) for index in range(20)]
    fleet, session = fleet_session(dict((name, settings()) for name in names))
    result = run(args(subusers=names), session)
    assert result['changed'] is True
    # The knee of the workers curve in docs/performance.md.
    assert session.pool_sizes == [16] == [sendgrid_enforced_tls.DEFAULT_WORKERS]


@pytest.mark.parametrize('workers', [1, 2, 16])
def test_batch_any_number_of_workers_gives_the_same_results(run, workers):
    fleet, session = fleet_session(STATES)
    result = run(args(subusers=['c', 'a', 'd', 'b'], workers=workers), session)
    assert [(item['account'], item['changed']) for item in result['results']] == [
        ('c', True), ('a', True), ('d', True), ('b', False)]
    # Never more than the four accounts can use.
    assert session.pool_sizes == [min(workers, 4)]


def test_batch_eu_region(run):
    fleet, session = fleet_session(STATES)
    run(args(subusers=['a', 'b'], region='eu'), session)
    assert {call['url'] for call in session.calls} == {'https://api.eu.sendgrid.com/v3/user/settings/enforced_tls'}


# ---------------------------------------------------------------------------
# A key that is not usable stops the batch; one subuser's refusal does not
# ---------------------------------------------------------------------------

UNAUTHORIZED = FakeResponse(401, {'errors': [{'field': None, 'message': 'authorization required'}]})


def many(count, state=None):
    return dict(('s{0:04d}'.format(index), state or settings()) for index in range(count))


@pytest.mark.parametrize('answer, status', [(UNAUTHORIZED, 401), (FORBIDDEN, 403)])
@pytest.mark.parametrize('check_mode', [False, True])
def test_a_refused_key_stops_the_batch(run, answer, status, check_mode):
    states = many(200)
    fleet, session = fleet_session(dict(states, **{'': settings()}), errors={})
    fleet.states[None] = fleet.states.pop('')
    fleet.errors = dict((name, answer) for name in list(states) + [None])
    result = run(args(subusers=sorted(states), workers=4, _ansible_check_mode=check_mode), session)
    assert result['failed'] is True
    # At most one request per worker before the stop, and one for the key's own account.
    assert len(session.calls) <= 4 + 1
    assert fleet.methods_for(None) == ['GET']
    not_attempted = [item for item in result['results'] if item.get('not_attempted')]
    assert len(not_attempted) >= 200 - 4
    assert not_attempted[0]['msg'] == 'not attempted: the API key was refused'
    assert not_attempted[0]['failed'] is True
    assert result['summary']['not_attempted'] == len(not_attempted)
    assert result['summary']['failed'] == 200
    message = result['msg']
    assert message.startswith('The API key is not usable, so the batch stopped: {0} of 200 accounts were not'
                              ' attempted, and no further request was sent.'.format(len(not_attempted)))
    assert 'for the parent account failed with HTTP {0}'.format(status) in message
    assert len(message) < 1200
    assert 'enforce TLS' not in message


def test_one_subusers_401_does_not_stop_the_others(run):
    # SendGrid's answer for an unknown subuser is not documented and may be a 401, like a bad key.
    states = many(30)
    fleet, session = fleet_session(states, errors={'s0003': UNAUTHORIZED, 's0017': UNAUTHORIZED})
    fleet.states[None] = settings()
    result = run(args(subusers=sorted(states), workers=3), session)
    assert result['summary'] == {'total': 30, 'changed': 28, 'unchanged': 0, 'failed': 2, 'not_attempted': 0}
    # The key was checked once, with one request for its own account, whichever worker asked.
    assert fleet.methods_for(None) == ['GET']
    assert result['msg'].startswith('Could not enforce TLS on 2 of 30 accounts: s0003, s0017. First error: ')


def test_updates_refused_for_the_scope_stop_the_batch(run):
    # A key that may read but not update: every PATCH is refused with 403 after its GET.
    states = many(50)
    fleet, session = fleet_session(states, errors=dict((name, FORBIDDEN) for name in states),
                                   error_methods=('PATCH',))
    result = run(args(subusers=sorted(states), workers=1), session)
    patches = [method for method, name in fleet.requests if method == 'PATCH']
    assert len(patches) == 3
    assert result['summary']['not_attempted'] == 47
    assert 'the scope user.settings.enforced_tls.update' in result['msg']
    assert fleet.states == states


def test_an_update_that_succeeded_keeps_later_refusals_account_level(run):
    states = many(10)
    errors = dict((name, FORBIDDEN) for name in sorted(states)[1:])
    fleet, session = fleet_session(states, errors=errors, error_methods=('PATCH',))
    result = run(args(subusers=sorted(states), workers=1), session)
    assert result['summary']['not_attempted'] == 0
    assert result['summary']['changed'] == 1
    assert result['summary']['failed'] == 9


def test_a_long_failure_message_names_the_first_ten_accounts(run):
    states = many(2000)
    fleet, session = fleet_session({}, errors={})
    result = run(args(subusers=sorted(states), workers=8), session)
    assert result['summary']['failed'] == 2000
    assert result['msg'].startswith('Could not enforce TLS on 2000 of 2000 accounts: s0000, s0001, s0002, s0003,'
                                    ' s0004, s0005, s0006, s0007, s0008, s0009, and 1990 more. First error: ')
    assert len(result['msg']) < 1000
