# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
from unittest.mock import MagicMock

import pytest

from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.action import sendgrid_enforced_tls_restore as plugin
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._fleet_calls import CHECK_MODE_ARG
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import REPORT_VERSION
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    account_result,
    failed_result,
    settings,
)

APPLY = 'mailops.sendgrid.sendgrid_enforced_tls'
OPEN = settings(False, True, 1.2)
ENFORCED = settings(True, True, 1.2)
OLD = settings(True, False, 1.1)
OTHER = settings(True, False, 1.3)
FIELDS = ('require_tls', 'require_valid_cert', 'version')
NOTHING_DONE = ' No account was read or changed.'


def entry(account, status, before=None, after=None, region='global'):
    return {'account': account, 'region': region, 'status': status, 'before': before, 'after': after,
            'policy': ENFORCED, 'differences': [], 'stricter': [], 'reason': None}


REPORT = {'report_version': REPORT_VERSION, 'mode': 'enforce', 'accounts': [
    entry(PARENT_ACCOUNT, 'changed', OPEN, ENFORCED, region=None),
    entry('s01', 'changed', OPEN, ENFORCED),
    entry('s02', 'changed', OLD, ENFORCED, region='eu'),
    entry('ok', 'compliant', ENFORCED, ENFORCED),
    entry('broken', 'failed'),
]}


class FakeAccounts:
    """sendgrid_enforced_tls over ``state`` (by account, None for the parent), honouring check mode as the module
    does; ``failing``: accounts whose every call fails. ``calls``: the arguments of each call."""

    def __init__(self, state, failing=()):
        self.state = dict(state)
        self.failing = set(failing)
        self.calls = []

    def __call__(self, module_name=None, module_args=None, task_vars=None):
        assert module_name == APPLY
        self.calls.append(dict(module_args))
        check_mode = module_args.get(CHECK_MODE_ARG) is True
        wanted = {field: module_args[field] for field in FIELDS}
        assert module_args['enforcement'] == 'exact'
        if 'subusers' not in module_args:
            result = self._account(None, wanted, check_mode)
            return dict(result, enforced_tls=result.pop('after'), check_mode=check_mode)
        results = [self._account(account, wanted, check_mode) for account in module_args['subusers']]
        return {'changed': any(item['changed'] for item in results), 'check_mode': check_mode, 'results': results}

    def _account(self, account, wanted, check_mode):
        if account in self.failing:
            return failed_result(account, 'HTTP 500 for {0}'.format(account))
        before = self.state[account]
        differences = [field for field in FIELDS if before[field] != wanted[field]]
        if not check_mode:
            self.state[account] = dict(wanted)
        return account_result(account, before, dict(wanted), differences, check_mode=check_mode)

    @property
    def writes(self):
        return [call for call in self.calls if not call.get(CHECK_MODE_ARG)]


ENFORCED_STATE = {None: ENFORCED, 's01': ENFORCED, 's02': ENFORCED, 'ok': ENFORCED}


@pytest.fixture
def restore():
    def run_action(args, state=None, check_mode=False, diff=False, failing=()):
        task = MagicMock(args=args, check_mode=check_mode, diff=diff, async_val=0)
        action = plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
        accounts = FakeAccounts(ENFORCED_STATE if state is None else state, failing)
        action._execute_module = accounts
        return action.run(task_vars={}), accounts
    return run_action


def statuses(result):
    return [(item['account'], item['status']) for item in result['accounts']]


def test_restore_sets_each_changed_account_back_to_its_before(restore):
    result, accounts = restore({'report': REPORT})
    assert accounts.state == {None: OPEN, 's01': OPEN, 's02': OLD, 'ok': ENFORCED}
    assert statuses(result) == [('broken', 'not_restorable'), (PARENT_ACCOUNT, 'restored'), ('s01', 'restored'),
                                ('s02', 'restored')]
    assert result['changed'] is True
    assert result['failure'] is None
    assert result['summary'] == {'total': 4, 'failed': 0, 'changed_since': 0, 'not_restorable': 1, 'to_restore': 0,
                                 'restored': 3, 'unchanged': 0}
    assert result['msg'] == ('Enforced TLS restore: 4 accounts, 3 restored, 0 already as before, 0 changed since (left'
                             ' alone), 1 not restorable, 0 failed.')
    assert result['warnings'] == ['1 account(s) cannot be restored: broken (the enforcement failed on it before it'
                                  ' read its setting, so the report does not record what to restore; check it by'
                                  ' hand).']


def test_restore_reads_every_account_in_check_mode_then_writes_in_groups(restore):
    result, accounts = restore({'report': REPORT, 'workers': 4, 'region': 'global'})
    reads = [call for call in accounts.calls if call.get(CHECK_MODE_ARG)]
    # The parent alone (in the restore's region), then one batch call per region and setting.
    assert [(call.get('subusers'), call.get('region')) for call in reads] == [
        (None, 'global'), (['s01'], 'global'), (['s02'], 'eu')]
    assert [(call.get('subusers'), call.get('region')) for call in accounts.writes] == [
        (None, 'global'), (['s01'], 'global'), (['s02'], 'eu')]
    assert [call.get('workers') for call in accounts.calls] == [None, 4, 4] * 2
    assert [{field: call[field] for field in FIELDS} for call in accounts.writes] == [OPEN, OPEN, OLD]


def test_restore_in_check_mode_writes_nothing_and_shows_each_diff(restore):
    result, accounts = restore({'report': REPORT}, check_mode=True, diff=True)
    assert accounts.writes == []
    assert accounts.state == ENFORCED_STATE
    assert statuses(result)[1:] == [(PARENT_ACCOUNT, 'to_restore'), ('s01', 'to_restore'), ('s02', 'to_restore')]
    assert result['changed'] is True
    assert result['check_mode'] is True
    assert result['msg'].startswith('Enforced TLS restore (check mode, nothing written): 4 accounts, 3 to restore,')
    assert [(item['before_header'], item['before'], item['after']) for item in result['diff']] == [
        ('Enforced TLS of the parent account', ENFORCED, OPEN), ("Enforced TLS of subuser 's01'", ENFORCED, OPEN),
        ("Enforced TLS of subuser 's02'", ENFORCED, OLD)]


def test_restore_twice_changes_nothing_the_second_time(restore):
    dummy, accounts = restore({'report': REPORT})
    result, again = restore({'report': REPORT}, state=accounts.state, diff=True)
    assert again.writes == []
    assert result['changed'] is False
    assert result['diff'] == []
    assert [status for account, status in statuses(result)] == ['not_restorable'] + ['unchanged'] * 3


def test_an_account_changed_since_is_left_alone_and_named(restore):
    state = dict(ENFORCED_STATE, s01=OTHER)
    result, accounts = restore({'report': REPORT}, state=state)
    assert accounts.state['s01'] == OTHER
    assert accounts.state['s02'] == OLD
    assert ('s01', 'changed_since') in statuses(result)
    assert [call.get('subusers') for call in accounts.writes] == [None, ['s02']]
    assert result['failure'] == ('1 account(s) changed since the enforcement were left alone: s01. Set'
                                 ' sendgrid_restore_force: true to restore them anyway.')


def test_force_restores_an_account_changed_since(restore):
    result, accounts = restore({'report': REPORT, 'force': True, 'accounts': ['s01']},
                               state=dict(ENFORCED_STATE, s01=OTHER))
    assert accounts.state == dict(ENFORCED_STATE, s01=OPEN)
    assert statuses(result) == [('s01', 'restored')]
    assert result['accounts'][0]['reason'].endswith('restored anyway (sendgrid_restore_force)')
    assert result['failure'] is None


def test_a_failed_read_fails_the_account_not_the_others(restore):
    result, accounts = restore({'report': REPORT}, failing={'s01'})
    assert ('s01', 'failed') in statuses(result)
    assert accounts.state['s02'] == OLD
    assert result['failure'] == '1 account(s) failed: s01. First error: HTTP 500 for s01'


def test_a_report_that_changed_nothing_reads_nothing(restore):
    result, accounts = restore({'report': dict(REPORT, accounts=[entry('ok', 'compliant', ENFORCED, ENFORCED)])})
    assert accounts.calls == []
    assert result['changed'] is False
    assert result['summary']['total'] == 0


def test_the_report_file_is_read(restore, tmp_path):
    path = tmp_path / 'enforced-tls-report.json'
    path.write_text(json.dumps(REPORT))
    result, accounts = restore({'report': str(path), 'accounts': ['s02']})
    assert statuses(result) == [('s02', 'restored')]


@pytest.mark.parametrize('args, message', [
    ({'report': dict(REPORT, mode='audit')},
     'sendgrid_restore_report is the report of an audit (check mode), which changed no account; give the report of an'
     ' enforcement (mode enforce).'),
    ({'report': dict(REPORT, report_version=None)},
     'sendgrid_restore_report is a report of a version this restore does not know (report_version null)'),
    ({'report': REPORT, 'accounts': ['s99']}, "sendgrid_restore_accounts names 's99', which the report does not hold"),
    ({'report': REPORT, 'workers': 0}, 'workers must be a whole number from 1 to 100; got 0'),
    ({'report': REPORT, 'on_behalf_of': 's01'}, 'on_behalf_of is not an option of this action: the report names the'
                                                ' accounts; limit them with sendgrid_restore_accounts.'),
])
def test_bad_inputs_fail_before_any_request(restore, args, message):
    result, accounts = restore(args)
    assert result['failed'] is True
    assert result['msg'].startswith(message)
    assert result['msg'].endswith(NOTHING_DONE)
    assert accounts.calls == []


@pytest.mark.parametrize('task_check_mode', [True, False])
def test_a_read_only_call_is_in_check_mode_whatever_the_task(monkeypatch, task_check_mode):
    def base_update(self, module_name, module_args, task_vars, ignore_unknown_opts=False):
        module_args[CHECK_MODE_ARG] = bool(self._task.check_mode)
    monkeypatch.setattr(ActionBase, '_update_module_args', base_update)
    task = MagicMock(check_mode=task_check_mode)
    action = plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    read_only = {CHECK_MODE_ARG: True}
    action._update_module_args(APPLY, read_only, {})
    assert read_only[CHECK_MODE_ARG] is True
    other = {}
    action._update_module_args(APPLY, other, {})
    assert other[CHECK_MODE_ARG] is task_check_mode
