# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils import _batch as batch
from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import (
    MAX_ACCOUNTS,
    KeyCheck,
    check_account_names,
    failure_message,
    failure_result,
    name_some,
    not_attempted_result,
    run_for_each,
    summarize,
    warning_message,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridConfigError,
    SendGridError,
    SendGridResponseError,
    SendGridRetriesExhausted,
)

# Only ever reached when the code under test is wrong: a passing test never waits this long.
DEADLOCK_GUARD = 5.0


def ok(account, changed=False):
    return {'account': account, 'changed': changed, 'failed': False, 'msg': 'fine', 'before': {}, 'after': {},
            'differences': ['require_tls'] if changed else []}


def failed(account, msg='broken'):
    return failure_result(account, msg)


# ---------------------------------------------------------------------------
# check_account_names
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('names', [[], ['a'], ['marketing', 'account-id 42', 'a b', 'accountant']])
def test_check_account_names_accepts_and_returns_the_list(names):
    assert check_account_names(names) is names


@pytest.mark.parametrize('names, message', [
    (['a', ''], 'subusers[1] must not be empty or only whitespace'),
    (['  ', 'b'], 'subusers[0] must not be empty or only whitespace'),
    ([' a'], "subusers[0] ' a' has leading or trailing whitespace; remove it"),
    (['a\t'], "subusers[0] 'a\\t' contains control characters (such as CR or LF), which are not allowed in an"
              ' On-Behalf-Of header'),
    (['ok', 'a\r\nX-Injected: 1'], "subusers[1] 'a\\r\\nX-Injected: 1' contains control characters (such as CR or LF),"
                                   ' which are not allowed in an On-Behalf-Of header'),
    (['a\x7f'], "subusers[0] 'a\\x7f' contains control characters (such as CR or LF), which are not allowed in an"
                ' On-Behalf-Of header'),
    (['account-id'], "subusers[0] 'account-id': write a customer account as \"account-id <id>\""),
    ([42], 'subusers[0] must be a string (a subuser username or "account-id <id>"); got 42 (integer)'),
    ([None], 'subusers[0] must be a string (a subuser username or "account-id <id>"); got null'),
])
def test_check_account_names_refuses_bad_names(names, message):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(names)
    assert excinfo.value.message == message


def test_check_account_names_names_every_duplicate_once():
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(['a', 'b', 'a', 'c', 'b', 'a'])
    assert excinfo.value.message == "subusers lists 'a', 'b' more than once"


def test_check_account_names_reports_bad_names_and_duplicates_together():
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(['x', '', 'x'])
    assert excinfo.value.message == ("subusers[1] must not be empty or only whitespace; subusers lists 'x' more"
                                     ' than once')


def test_check_account_names_uses_the_given_field():
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(['a', 'a', ''], field='accounts')
    assert excinfo.value.message == "accounts[2] must not be empty or only whitespace; accounts lists 'a' more than once"


def test_check_account_names_shows_at_most_ten_problems():
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names([''] * 12 + ['ok'])
    parts = excinfo.value.message.split('; ')
    assert len(parts) == 11
    assert parts[0] == 'subusers[0] must not be empty or only whitespace'
    assert parts[9] == 'subusers[9] must not be empty or only whitespace'
    # 12 empty names, and one more for '' listed more than once.
    assert parts[10] == 'and 3 more problems'


@pytest.mark.parametrize('names, type_name', [
    ('a', 'string'), (('a', 'b'), 'list'), ({'a': 1}, 'dict'), (None, 'null'),
])
def test_check_account_names_refuses_non_lists(names, type_name):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(names)
    assert excinfo.value.message == 'subusers must be a list of subuser names; got {0}'.format(type_name)


def test_check_account_names_refuses_too_many_quickly():
    names = ['subuser-{0}'.format(index) for index in range(100000)]
    started = time.perf_counter()
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(names)
    assert time.perf_counter() - started < 0.25
    assert excinfo.value.message == ('subusers holds 100000 names, more than the 50000 one task handles; split'
                                     ' the list')


def test_check_account_names_refuses_too_many_before_looking_at_names(monkeypatch):
    def must_not_be_called(*args):
        raise AssertionError('names were validated one by one')
    monkeypatch.setattr(batch, 'validate_on_behalf_of', must_not_be_called)
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names([''] * (MAX_ACCOUNTS + 1), field='accounts')
    assert excinfo.value.message.startswith('accounts holds 50001 names, more than the 50000')


def test_check_account_names_accepts_exactly_max_accounts():
    assert MAX_ACCOUNTS == 50000
    names = ['s{0}'.format(index) for index in range(MAX_ACCOUNTS)]
    assert check_account_names(names) is names


@pytest.mark.parametrize('entry', [['a'], {'name': 'a'}])
def test_check_account_names_refuses_unhashable_entries_with_a_config_error(entry):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(['ok', entry])
    assert excinfo.value.message.startswith('subusers[1] must be a string')


# ---------------------------------------------------------------------------
# run_for_each
# ---------------------------------------------------------------------------

def test_run_for_each_empty():
    def must_not_run(account):
        raise AssertionError('called for {0}'.format(account))
    assert run_for_each([], must_not_run, 4) == []


def test_run_for_each_results_in_input_order_when_finishing_in_reverse():
    accounts = ['a', 'b', 'c', 'd']
    done = dict((account, threading.Event()) for account in accounts)
    finished = []
    lock = threading.Lock()

    def operation(account):
        index = accounts.index(account)
        if index + 1 < len(accounts):
            # Each account finishes only after the next one has.
            assert done[accounts[index + 1]].wait(DEADLOCK_GUARD), 'the accounts did not run concurrently'
        with lock:
            finished.append(account)
        done[account].set()
        return ok(account, changed=account in ('b', 'd'))

    results = run_for_each(accounts, operation, 4)
    assert finished == ['d', 'c', 'b', 'a']
    assert [result['account'] for result in results] == accounts
    assert [result['changed'] for result in results] == [False, True, False, True]


def test_run_for_each_with_one_worker_runs_in_order():
    seen = []
    results = run_for_each(['x', 'y', 'z'], lambda account: seen.append(account) or ok(account), 1)
    assert seen == ['x', 'y', 'z']
    assert [result['account'] for result in results] == ['x', 'y', 'z']


@pytest.mark.parametrize('workers', [1, 2, 3, 5])
def test_run_for_each_never_runs_more_than_workers_at_once(workers):
    lock = threading.Lock()
    counts = {'now': 0, 'most': 0}
    full = threading.Event()
    threads = set()

    def operation(account):
        with lock:
            counts['now'] += 1
            counts['most'] = max(counts['most'], counts['now'])
            threads.add(threading.current_thread().name)
            if counts['now'] >= workers:
                full.set()
        # Hold the first ones until the pool is full, so that an unbounded pool would show.
        full.wait(DEADLOCK_GUARD)
        time.sleep(0.002)
        with lock:
            counts['now'] -= 1
        return ok(account)

    accounts = ['s{0}'.format(index) for index in range(4 * workers + 3)]
    results = run_for_each(accounts, operation, workers)
    assert counts['most'] == workers
    assert len(threads) == workers
    assert [result['account'] for result in results] == accounts


@pytest.mark.parametrize('workers', [0, -3])
def test_run_for_each_with_fewer_than_one_worker_still_uses_one(workers):
    threads = set()

    def operation(account):
        threads.add(threading.current_thread().name)
        return ok(account)

    results = run_for_each(['a', 'b'], operation, workers)
    assert [result['account'] for result in results] == ['a', 'b']
    assert len(threads) == 1


def test_run_for_each_sendgrid_error_fails_only_that_account():
    ran = []
    lock = threading.Lock()

    def operation(account):
        with lock:
            ran.append(account)
        if account == 'b':
            raise SendGridAPIError("GET /x for subuser 'b' failed with HTTP 403 Forbidden", account='b', status=403)
        if account == 'd':
            raise SendGridResponseError('not JSON')
        return ok(account, changed=True)

    results = run_for_each(['a', 'b', 'c', 'd', 'e'], operation, 2)
    assert sorted(ran) == ['a', 'b', 'c', 'd', 'e']
    assert results[1] == {'account': 'b', 'changed': False, 'failed': True,
                          'msg': "GET /x for subuser 'b' failed with HTTP 403 Forbidden", 'before': None,
                          'after': None, 'differences': [], 'stricter': [], 'status': 403, 'api_messages': []}
    assert results[3] == {'account': 'd', 'changed': False, 'failed': True, 'msg': 'not JSON', 'before': None,
                          'after': None, 'differences': [], 'stricter': []}
    assert [result['failed'] for result in results] == [False, True, False, True, False]
    assert [result['changed'] for result in results] == [True, False, True, False, True]


def test_run_for_each_words_errors_with_the_callers_describe_error():
    def operation(account):
        raise SendGridAPIError('refused', account=account, status=401)

    results = run_for_each(['a'], operation, 1, describe_error=lambda error: error.message + ' Check the key option.')
    assert results[0]['msg'] == 'refused Check the key option.'


@pytest.mark.parametrize('error, message', [
    (KeyError('version'), "unexpected KeyError: 'version'"),
    (ValueError('boom'), 'unexpected ValueError: boom'),
    (ZeroDivisionError('division by zero'), 'unexpected ZeroDivisionError: division by zero'),
])
def test_run_for_each_unexpected_exception_fails_only_that_account(error, message):
    def operation(account):
        if account == 'a':
            raise error
        return ok(account)

    results = run_for_each(['a', 'b', 'c'], operation, 3)
    assert results[0] == failure_result('a', message)
    assert results[0]['msg'] == message
    assert results[0]['failed'] is True
    assert results[1:] == [ok('b'), ok('c')]


def test_run_for_each_every_account_failing_still_gives_every_result():
    def operation(account):
        raise SendGridConfigError('bad {0}'.format(account))

    results = run_for_each(['a', 'b', 'c'], operation, 2)
    assert [(result['account'], result['failed'], result['msg']) for result in results] == [
        ('a', True, 'bad a'), ('b', True, 'bad b'), ('c', True, 'bad c')]


# ---------------------------------------------------------------------------
# summarize and failure_message
# ---------------------------------------------------------------------------

def test_summarize():
    results = [ok('a', changed=True), ok('b'), failed('c'), ok('d', changed=True), ok('e'), failed('f')]
    assert summarize(results) == {'total': 6, 'changed': 2, 'unchanged': 2, 'failed': 2, 'not_attempted': 0}


def test_summarize_empty():
    assert summarize([]) == {'total': 0, 'changed': 0, 'unchanged': 0, 'failed': 0, 'not_attempted': 0}


def test_summarize_failed_and_changed_counts_as_failed_only():
    result = dict(failed('a'), changed=True)
    assert summarize([result, ok('b')]) == {'total': 2, 'changed': 0, 'unchanged': 1, 'failed': 1, 'not_attempted': 0}


def test_failure_message_none_when_nothing_failed():
    assert failure_message([ok('a'), ok('b', changed=True)]) is None
    assert failure_message([]) is None


def test_failure_message_names_every_failed_account_and_the_first_error():
    results = [ok('a'), failed('b', 'first problem.'), ok('c', changed=True), failed('d', 'second problem.')]
    assert failure_message(results) == (
        'Could not enforce TLS on 2 of 4 accounts: b, d. First error: first problem. Every account has its own'
        ' result in results.')


def warned(account, warning):
    return dict(ok(account, changed=True), warnings=[warning])


def test_warning_message_none_without_warnings():
    assert warning_message([]) is None
    assert warning_message([ok('a'), ok('b', changed=True), failed('c')]) is None


def test_warning_message_of_one_account_is_its_warning():
    assert warning_message([ok('a'), warned('b', 'SendGrid answered the update of b with an error.')]) == (
        'SendGrid answered the update of b with an error.')


def test_warning_message_of_many_accounts_names_them_and_gives_the_first():
    results = [warned('w{0:02d}'.format(index), 'warning {0}.'.format(index)) for index in range(12)] + [ok('a')]
    assert warning_message(results) == (
        '12 of 13 accounts were changed although SendGrid answered their update with an error: w00, w01, w02, w03,'
        ' w04, w05, w06, w07, w08, w09, and 2 more. First warning: warning 0. Every account has its own warnings'
        ' in results.')


def test_failure_message_with_another_action():
    message = failure_message([failed('x', 'nope.')], action='read')
    assert message.startswith('Could not read 1 of 1 accounts: x. First error: nope.')
    assert 'second' not in message


def test_a_failed_account_keeps_the_setting_read_before_the_failure():
    def operation(account):
        error = SendGridError('PATCH for {0} failed'.format(account), account)
        error.before = {'require_tls': False, 'require_valid_cert': False, 'version': 1.1}
        raise error

    assert run_for_each(['a'], operation, 2) == [{
        'account': 'a', 'changed': False, 'failed': True, 'msg': 'PATCH for a failed',
        'before': {'require_tls': False, 'require_valid_cert': False, 'version': 1.1}, 'after': None,
        'differences': [], 'stricter': []}]


# ---------------------------------------------------------------------------
# KeyCheck: a refusal of the key, or of one account
# ---------------------------------------------------------------------------

def refused(status, account='sub', before=None):
    error = SendGridAPIError('refused with HTTP {0}'.format(status), account=account, status=status)
    error.before = before
    return error


class Probe:
    """The request for the key's own account: answers with ``error`` (or succeeds), counting calls."""

    def __init__(self, error=None):
        self.error = error
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize('status', [401, 403])
def test_key_check_a_subusers_refusal_is_settled_by_one_probe(status):
    probe = Probe()
    check = KeyCheck(probe)
    assert check.judge(refused(status, 'a')) is False
    assert check.judge(refused(status, 'b')) is False
    assert probe.calls == 1
    assert check.failure is None


@pytest.mark.parametrize('status', [401, 403])
def test_key_check_the_probe_refused_too_means_the_key(status):
    probe_error = refused(status, account=None)
    check = KeyCheck(Probe(probe_error))
    assert check.judge(refused(status, 'a')) is True
    assert check.failure is probe_error


@pytest.mark.parametrize('error', [refused(404), refused(500), SendGridResponseError('not JSON'),
                                   SendGridRetriesExhausted('no connection')])
def test_key_check_other_errors_are_the_accounts_own(error):
    probe = Probe(refused(401, account=None))
    check = KeyCheck(probe)
    assert check.judge(error) is False
    assert probe.calls == 0


def test_key_check_a_probe_that_cannot_tell_stops_nothing():
    check = KeyCheck(Probe(SendGridRetriesExhausted('no connection')))
    assert check.judge(refused(401, 'a')) is False
    assert check.failure is None


def test_key_check_the_parents_own_refusal_is_the_keys():
    probe = Probe()
    check = KeyCheck(probe)
    error = refused(401, account=None)
    assert check.judge(error) is True
    assert check.failure is error
    assert probe.calls == 0


def test_key_check_updates_refused_for_the_scope():
    check = KeyCheck(Probe())
    before = {'require_tls': False}
    assert [check.judge(refused(403, name, before)) for name in 'abc'] == [False, False, True]
    assert check.failure.account == 'c'


def test_key_check_a_successful_update_keeps_refusals_the_accounts():
    check = KeyCheck(Probe())
    check.update_succeeded()
    before = {'require_tls': False}
    assert [check.judge(refused(403, name, before)) for name in 'abcde'] == [False] * 5


def test_run_for_each_stops_once_the_key_is_refused():
    sent = []
    lock = threading.Lock()

    def operation(account):
        with lock:
            sent.append(account)
        raise refused(401, account)

    check = KeyCheck(Probe(refused(401, account=None)))
    results = run_for_each(['s{0}'.format(index) for index in range(100)], operation, 1, key_check=check,
                           stopped_reason='the key was refused')
    assert sent == ['s0']
    assert results[0]['msg'] == 'refused with HTTP 401'
    assert [result['msg'] for result in results[1:]] == ['not attempted: the key was refused'] * 99
    assert all(result['not_attempted'] and result['failed'] for result in results[1:])
    assert summarize(results)['not_attempted'] == 99


def test_failure_message_after_a_key_failure():
    results = [failure_result('a', 'refused')] + [not_attempted_result(name, 'the API key was refused')
                                                  for name in ('b', 'c')]
    message = failure_message(results, key_failure=refused(401, account=None))
    assert message == ('The API key is not usable, so the batch stopped: 2 of 3 accounts were not attempted, and no'
                       ' further request was sent. refused with HTTP 401 Accounts that failed: a. Every account has'
                       ' its own result in results.')


def test_name_some():
    assert name_some(['a', 'b']) == 'a, b'
    assert name_some(['n{0}'.format(index) for index in range(12)], limit=3) == 'n0, n1, n2, and 9 more'


def test_check_account_names_names_the_first_duplicates_only():
    names = ['d{0}'.format(index) for index in range(500)] * 2
    with pytest.raises(SendGridConfigError) as excinfo:
        check_account_names(names)
    assert excinfo.value.message == ("subusers lists 'd0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9', and"
                                     " 490 more names more than once")
