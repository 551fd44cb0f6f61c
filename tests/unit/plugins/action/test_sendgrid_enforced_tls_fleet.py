# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime
import json
import os
import types
from unittest.mock import MagicMock

import pytest

from ansible_collections.mailops.sendgrid.plugins.action import sendgrid_enforced_tls_fleet as plugin
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._fleet_calls import CHECK_MODE_ARG
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import parent_only_warning
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import JSON_FILE, MARKDOWN_FILE
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._run_store import read_outcome, read_run
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    account_result,
    failed_result,
    settings,
    subuser,
)

POLICY = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
APPLY = 'mailops.sendgrid.sendgrid_enforced_tls'
LISTING = 'mailops.sendgrid.sendgrid_subuser_info'
BLOCKS = 'mailops.sendgrid.sendgrid_tls_blocks_info'
NOW = '2026-12-03T12:00:00Z'
NOTHING_DONE = ' No account was read or changed.'
KEY = 'SG.unit-test.K3y-s3cr3t'
PARENT = '(parent account)'

# How each account stands before the run ('(parent)': the parent account); 'broken' fails.
FLEET = {'(parent)': settings(False, True, 1.2), 'a': settings(True, True, 1.2), 'b': settings(False, True, 1.2),
         'c': settings(True, True, 1.1), 'd': settings(True, True, 1.2), 'e': settings(True, True, 1.2)}


# How many TLS blocks each account has ('(parent)': the parent account), all at old.example; a text: reading the
# account's blocks list fails with it. Accounts not named have none.
BLOCKED = {'(parent)': 1, 'a': 2, 'c': 3}
BLOCKED_AT = '2026-12-03T11:30:00Z'


class FakeModules:
    """The module calls, answered as sendgrid_enforced_tls (over ``fleet``, which its calls out of check mode
    change), sendgrid_subuser_info (``listing``: the subusers SendGrid lists, or a failed result) and
    sendgrid_tls_blocks_info (from ``blocks``; with ``blocks_failure``, each call for subusers fails with it
    before reading any) would. ``calls``: (module, arguments) of each."""

    def __init__(self, fleet, check_mode, diff=False, listing=None, warnings=(), blocks=None, blocks_failure=None):
        self.fleet = dict(fleet)
        self.check_mode = check_mode
        self.diff = diff
        self.listing = listing or []
        self.warnings = list(warnings)
        self.blocks = BLOCKED if blocks is None else blocks
        self.blocks_failure = blocks_failure
        self.calls = []

    def __call__(self, module_name=None, module_args=None, task_vars=None):
        self.calls.append((module_name, dict(module_args)))
        if module_name == LISTING:
            return self.listing if isinstance(self.listing, dict) else {'changed': False, 'subusers': self.listing}
        if module_name == BLOCKS:
            return self._read_blocks(module_args)
        assert module_name == APPLY
        wanted = {field: module_args[field] for field in POLICY if field in module_args}
        check_mode = self.check_mode or module_args.get(CHECK_MODE_ARG) is True
        if 'subusers' not in module_args:
            result = self._account(None, wanted, check_mode)
            return dict(result, enforced_tls=result.pop('after'), check_mode=check_mode)
        results = [self._account(account, wanted, check_mode) for account in module_args['subusers']]
        return {'changed': any(result['changed'] for result in results), 'check_mode': check_mode,
                'failed': any(result['failed'] for result in results), 'results': results,
                'warnings': self.warnings}

    def _account(self, account, wanted, check_mode):
        """An account's result; out of check mode, its setting is then as the call left it."""
        key = '(parent)' if account is None else account
        before = self.fleet.get(key)
        if before is None:
            return failed_result(account, 'HTTP 500 for {0}'.format(account))
        after = dict(before, **wanted)
        if not check_mode:
            self.fleet[key] = after
        result = account_result(account, before, after, sorted(k for k in wanted if before[k] != wanted[k]),
                                check_mode=check_mode)
        if self.diff and result['changed']:
            result['diff'] = {'before': before, 'after': after, 'before_header': str(account)}
        return result

    def _read_blocks(self, module_args):
        if 'subusers' not in module_args:
            entry = self._blocks_entry(None, self.blocks.get('(parent)', 0))
            # One account: a failure has no accounts.
            return {'failed': True, 'msg': entry['msg']} if entry['failed'] else {'changed': False, 'accounts': [entry]}
        if self.blocks_failure:
            return {'failed': True, 'msg': self.blocks_failure}
        entries = [self._blocks_entry(account, self.blocks.get(account, 0)) for account in module_args['subusers']]
        failed = [entry['account'] for entry in entries if entry['failed']]
        result = {'changed': False, 'accounts': entries}
        if failed:
            result.update(failed=True, msg='could not read the blocks of {0}'.format(', '.join(failed)))
        return result

    @staticmethod
    def _blocks_entry(account, blocks):
        if isinstance(blocks, str):
            return {'account': account, 'failed': True, 'msg': blocks, 'status': 403}
        return {'account': account, 'failed': False, 'complete': True, 'msg': '{0} TLS blocks'.format(blocks),
                'tls_blocks': blocks, 'domains': [{'domain': 'old.example', 'blocks': blocks}] if blocks else [],
                'more_domains': 0, 'first_blocked': BLOCKED_AT if blocks else None,
                'last_blocked': BLOCKED_AT if blocks else None, 'other_blocks': {'count': 0, 'reasons': []}}

    @property
    def applied(self):
        """The arguments of the calls of sendgrid_enforced_tls."""
        return [args for module, args in self.calls if module == APPLY]

    @property
    def read(self):
        """The arguments of the calls of sendgrid_tls_blocks_info."""
        return [args for module, args in self.calls if module == BLOCKS]


@pytest.fixture
def local_tmp(tmp_path, monkeypatch):
    directory = tmp_path / 'local_tmp'
    directory.mkdir()
    monkeypatch.setattr(plugin, 'C', types.SimpleNamespace(DEFAULT_LOCAL_TMP=str(directory)))
    monkeypatch.setattr(plugin.ActionModule, '_now', staticmethod(lambda: NOW))
    return str(directory)


@pytest.fixture
def fleet_step(local_tmp):
    """Run the action: ``hostvars`` makes the play batch; returns its result and the fake modules."""

    def run_action(args, hostvars=None, fleet=None, check_mode=True, diff=False, listing=None, warnings=(),
                   uuid='task-1', blocks=None, blocks_failure=None):
        task = MagicMock(args=args, check_mode=check_mode, diff=diff, async_val=0, _uuid=uuid)
        action = plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
        modules = FakeModules(FLEET if fleet is None else fleet, check_mode, diff, listing, warnings, blocks,
                              blocks_failure)
        action._execute_module = modules
        task_vars = {'hostvars': hostvars or {}, 'ansible_play_batch': list(hostvars or {})}
        return action.run(task_vars=task_vars), modules
    return run_action


def host(name=None, **variables):
    return dict({'sendgrid_on_behalf_of': name} if name else {}, **variables)


def hosts_args(**args):
    return dict({'policy': POLICY, 'account_source': 'hosts'}, **args)


def statuses(result):
    return [(entry['account'], entry['status']) for entry in result['accounts']]


HOSTVARS = {'parent': host(), 'a': host('a', sendgrid_region='global'), 'b': host('b', sendgrid_region='global'),
            'c': host('c', sendgrid_region='eu'),
            'd': host('d', enforced_tls_baseline_host_policy={'version': 1.3}),
            'x': host('x', enforced_tls_baseline_exempt=True, enforced_tls_baseline_exempt_reason='legacy')}
HOST_ACCOUNTS = (PARENT, 'a', 'b', 'c', 'd', 'x')


# ---------------------------------------------------------------------------
# account_source=hosts
# ---------------------------------------------------------------------------

def test_hosts_one_call_per_policy_and_region_and_one_for_the_parent(fleet_step):
    result, modules = fleet_step(hosts_args(api_url='http://127.0.0.1:1', workers=4), HOSTVARS)
    assert modules.calls == [(APPLY, args) for args in [
        {'api_url': 'http://127.0.0.1:1', 'enforcement': 'minimum', **POLICY},
        {'api_url': 'http://127.0.0.1:1', 'subusers': ['a', 'b'], 'enforcement': 'minimum', 'region': 'global',
         'workers': 4, **POLICY},
        {'api_url': 'http://127.0.0.1:1', 'subusers': ['c'], 'enforcement': 'minimum', 'region': 'eu', 'workers': 4,
         **POLICY},
        {'api_url': 'http://127.0.0.1:1', 'subusers': ['d'], 'enforcement': 'minimum', 'workers': 4,
         **dict(POLICY, version=1.3)},
        # The exempt account, read only.
        {'api_url': 'http://127.0.0.1:1', 'subusers': ['x'], 'enforcement': 'minimum', 'workers': 4,
         CHECK_MODE_ARG: True, **POLICY},
    ]]
    assert result['summary']['total'] == 6 and not result.get('failed')


def test_hosts_the_region_option_is_that_of_the_parent_and_of_hosts_without_one(fleet_step):
    dummy, modules = fleet_step(hosts_args(region='eu'), {'parent': host(), 'd': host('d')})
    assert [args.get('region') for args in modules.applied] == ['eu', 'eu']


def test_hosts_every_accounts_outcome_is_left_for_its_host(fleet_step):
    result, dummy = fleet_step(hosts_args(), HOSTVARS)
    outcomes = {account: read_outcome(result['outcomes'], account)['status'] for account in HOST_ACCOUNTS}
    assert outcomes == {PARENT: 'drift', 'a': 'compliant', 'b': 'drift', 'c': 'drift', 'd': 'drift', 'x': 'exempt'}
    assert read_outcome(result['outcomes'], 'b')['mode'] == 'audit'
    assert read_outcome(result['outcomes'], 'b')['checked_at'] == NOW


def test_hosts_only_the_hosts_asked_for(fleet_step):
    result, modules = fleet_step(hosts_args(hosts=['b']), HOSTVARS)
    assert [args['subusers'] for args in modules.applied] == [['b']]
    assert result['summary']['total'] == 1


def test_hosts_the_counts_are_flat_custom_stats_of_the_batch(fleet_step):
    result, dummy = fleet_step(hosts_args(), HOSTVARS, check_mode=False)
    assert result['mode'] == 'enforce'
    assert result['ansible_stats'] == {'per_host': False, 'aggregate': True, 'data': {
        'enforced_tls_total': 6, 'enforced_tls_compliant': 1, 'enforced_tls_drift': 0, 'enforced_tls_changed': 4,
        'enforced_tls_exempt': 1, 'enforced_tls_failed': 0, 'enforced_tls_out_of_policy': 0,
        'enforced_tls_stricter': 0}}


def test_hosts_the_result_is_small_whatever_the_batch(fleet_step):
    """Registered with run_once, the result is a variable of every host of the batch."""
    result, dummy = fleet_step(hosts_args(), HOSTVARS)
    assert sorted(result) == ['ansible_stats', 'changed', 'failure', 'mode', 'msg', 'outcomes', 'summary']
    assert (result['changed'], result['failure']) == (False, None)
    assert result['msg'] == 'Enforced TLS audit: 6 accounts, 1 compliant, 0 changed, 4 drift, 1 exempt, 0 failed.'


def test_hosts_an_account_name_no_header_can_carry_is_refused_and_fails_alone(fleet_step):
    hostvars = {'a': host('a'), 'bad': host('x\r\ny')}
    result, modules = fleet_step(hosts_args(), hostvars)
    assert [args['subusers'] for args in modules.applied] == [['a']]
    outcome = read_outcome(result['outcomes'], 'x\r\ny')
    assert outcome['status'] == 'failed'
    assert outcome['reason'].startswith("host bad: sendgrid_on_behalf_of 'x\\r\\ny' cannot be sent to SendGrid")
    assert result['failure'].startswith('1 account(s) failed: x\r\ny. First error: host bad:')
    assert 'failed' not in result


@pytest.mark.parametrize('args, hostvars, message', [
    ({'policy': {'version': '1.0'}}, {'a': host('a')}, "enforced_tls_baseline_policy.version must be one of 1.1, 1.2,"
                                                       " 1.3; got '1.0' (string)."),
    ({}, {'a': host('a', enforced_tls_baseline_host_policy={'require_tsl': True})},
     'host a: enforced_tls_baseline_host_policy has unknown keys require_tsl'),
    ({}, {'a': host('a', enforced_tls_baseline_enforcement='exact')},
     'host a has its own enforced_tls_baseline_enforcement'),
    ({}, {'p': host(), 'q': host()}, 'host p and host q both stand for the parent account'),
    ({'on_behalf_of': 'a'}, {'a': host('a')}, 'on_behalf_of is not an option of this action'),
    ({'subusers': ['a'], 'exclude': ['b']}, {'a': host('a')},
     'subusers, exclude are options of account_source=inputs; with account_source=hosts each host names its'
     ' account.'),
    ({'all_subusers': True}, {'a': host('a')}, 'all_subusers are options of account_source=inputs'),
    ({'parent_policy': {'version': 1.3}}, {'a': host('a')}, 'parent_policy are options of account_source=inputs'),
    ({'workers': 0}, {'a': host('a')}, 'enforced_tls_baseline_workers must be a whole number from 1 to 100; got 0'),
])
def test_hosts_bad_input_fails_before_any_call(fleet_step, local_tmp, args, hostvars, message):
    result, modules = fleet_step(hosts_args(**args), hostvars)
    assert result['failed'] is True and message in result['msg']
    assert result['msg'].endswith(NOTHING_DONE)
    assert modules.calls == []
    assert os.listdir(local_tmp) == []


def test_hosts_module_warnings_are_passed_on(fleet_step):
    result, dummy = fleet_step(hosts_args(), {'a': host('a')}, warnings=['applied despite an error'])
    assert result['warnings'] == ['applied despite an error']


def test_hosts_the_key_goes_to_each_module_call_and_into_no_result_or_outcome(fleet_step):
    result, modules = fleet_step(hosts_args(api_key=KEY), HOSTVARS)
    assert [args['api_key'] for args in modules.applied] == [KEY] * 5
    assert KEY not in repr(result)
    for account in HOST_ACCOUNTS:
        assert KEY not in repr(read_outcome(result['outcomes'], account))


def test_hosts_options_left_out_are_left_to_the_module(fleet_step):
    dummy, modules = fleet_step(hosts_args(), {'a': host('a')})
    assert modules.calls == [(APPLY, {'subusers': ['a'], 'enforcement': 'minimum', **POLICY})]


def test_hosts_the_serial_batches_of_a_play_make_one_run(fleet_step, local_tmp, tmp_path):
    report_dir = str(tmp_path / 'reports')
    first, dummy = fleet_step(hosts_args(report_dir=report_dir), {'a': host('a'), 'b': host('b')})
    second, dummy = fleet_step(hosts_args(report_dir=report_dir), {'broken': host('broken')})
    # Each batch publishes its own counts (ansible-core adds them up) and the run so far.
    assert (first['summary']['total'], second['summary']['total']) == (2, 1)
    assert second['ansible_stats']['data']['enforced_tls_total'] == 1
    assert second['msg'] == ('Enforced TLS audit: 3 accounts, 1 compliant, 0 changed, 1 drift, 0 exempt, 1 failed.'
                             ' Report: {0}/{1}'.format(report_dir, MARKDOWN_FILE))
    assert second['failure'] == '1 account(s) failed: broken. First error: HTTP 500 for broken'
    assert read_run(local_tmp, 'task-1')['summary']['total'] == 3
    with open(os.path.join(report_dir, JSON_FILE), encoding='utf-8') as handle:
        assert [entry['account'] for entry in json.load(handle)['accounts']] == ['broken', 'b', 'a']
    # Another task is another run.
    other, dummy = fleet_step(hosts_args(), {'a': host('a')}, uuid='task-2')
    assert other['msg'].startswith('Enforced TLS audit: 1 accounts,')


def test_hosts_the_run_so_far_fails_on_drift_when_asked(fleet_step):
    result, dummy = fleet_step(hosts_args(fail_on_drift=True), {'b': host('b')})
    assert result['failure'] == ('1 account(s) out of policy: b: require_tls false < true')
    assert 'failed' not in result


# ---------------------------------------------------------------------------
# account_source=inputs
# ---------------------------------------------------------------------------

LISTING_ANSWER = [subuser('a'), subuser('b', region='eu'), subuser('off', disabled=True), subuser('c', region='global')]


def test_inputs_discovery_lists_once_then_one_call_per_policy_and_region(fleet_step):
    args = {'policy': POLICY, 'all_subusers': True, 'subusers': [{'name': 'c', 'version': 1.3}, 'z'],
            'api_key': KEY, 'page_size': 100}
    result, modules = fleet_step(args, fleet=dict(FLEET, z=FLEET['a']), listing=LISTING_ANSWER)
    assert modules.calls == [
        (LISTING, {'api_key': KEY, 'page_size': 100, 'region': 'global'}),
        (APPLY, {'api_key': KEY, 'enforcement': 'minimum', **POLICY}),
        (APPLY, {'api_key': KEY, 'subusers': ['a'], 'region': 'global', 'enforcement': 'minimum', **POLICY}),
        (APPLY, {'api_key': KEY, 'subusers': ['b'], 'region': 'eu', 'enforcement': 'minimum', **POLICY}),
        (APPLY, {'api_key': KEY, 'subusers': ['c'], 'region': 'global', 'enforcement': 'minimum',
                 **dict(POLICY, version=1.3)}),
        (APPLY, {'api_key': KEY, 'subusers': ['z'], 'enforcement': 'minimum', **POLICY}),
    ]
    assert result['disabled'] == ['off']
    assert [batch['accounts'] for batch in result['batches']] == [1, 1, 1, 1]
    assert KEY not in repr(result)


def test_inputs_discovery_lists_in_the_region_given(fleet_step):
    dummy, modules = fleet_step({'policy': POLICY, 'all_subusers': True, 'region': 'eu'}, listing=[])
    assert modules.calls[0] == (LISTING, {'page_size': 500, 'region': 'eu'})
    assert modules.calls[1] == (APPLY, {'region': 'eu', 'enforcement': 'minimum', **POLICY})


def test_inputs_a_listing_that_fails_fails_the_run_before_any_change(fleet_step):
    result, modules = fleet_step({'policy': POLICY, 'all_subusers': True},
                                 listing={'failed': True, 'msg': 'HTTP 401 Unauthorized'})
    assert result['failed'] is True
    assert result['msg'] == 'listing the subusers failed: HTTP 401 Unauthorized.' + NOTHING_DONE
    assert [module for module, args in modules.calls] == [LISTING]


def test_inputs_a_listing_of_bad_entries_fails_the_run_before_any_change(fleet_step):
    result, modules = fleet_step({'policy': POLICY, 'all_subusers': True}, listing=[{'name': 'a'}])
    assert result['failed'] is True and result['msg'].startswith('discovered subusers[0] has no username')
    assert [module for module, args in modules.calls] == [LISTING]


def test_inputs_a_discovery_that_leaves_no_account_fails_before_any_change(fleet_step):
    result, modules = fleet_step({'policy': POLICY, 'all_subusers': True, 'include_parent': False,
                                  'exclude': ['a']}, listing=[subuser('a'), subuser('off', disabled=True)])
    assert result['failed'] is True
    assert result['msg'] == (
        'this run has no account to read: the parent account is left out (enforced_tls_baseline_include_parent is'
        ' false), SendGrid lists 2 subusers, 1 excluded, 1 disabled (left out unless'
        ' enforced_tls_baseline_include_disabled). A run that reads no account is never a clean audit.' + NOTHING_DONE)
    assert [module for module, args in modules.calls] == [LISTING]


@pytest.mark.parametrize('args, message', [
    ({'include_parent': False}, 'this run covers no account: enforced_tls_baseline_include_parent is false,'
                                ' enforced_tls_baseline_subusers is empty and enforced_tls_baseline_all_subusers is'
                                ' false. List subusers, set enforced_tls_baseline_all_subusers: true, or include the'
                                ' parent account.' + NOTHING_DONE),
    ({'include_parent': False, 'subusers': ['a'], 'exclude': ['a']},
     'this run has no account to read: the parent account is left out (enforced_tls_baseline_include_parent is'
     ' false), 1 excluded. A run that reads no account is never a clean audit.' + NOTHING_DONE),
    ({'include_parent': False, 'subusers': [{'name': 'a', 'exempt': True, 'reason': 'r'}]},
     'this run has no account to read: the parent account is left out (enforced_tls_baseline_include_parent is'
     ' false), 1 exempt. A run that reads no account is never a clean audit.' + NOTHING_DONE),
])
def test_inputs_a_run_of_no_account_fails_before_any_call(fleet_step, args, message):
    result, modules = fleet_step(dict(args, policy=POLICY))
    assert (result['failed'], result['msg']) == (True, message)
    assert modules.calls == []


@pytest.mark.parametrize('args, message', [
    ({'subusers': ['a', {'name': 'b', 'version': '1.0'}]},
     "enforced_tls_baseline_subusers[1] (b): version must be one of 1.1, 1.2, 1.3; got '1.0' (string)."),
    ({'subusers': ['a', 'a\nb']}, "enforced_tls_baseline_subusers[1] 'a\\nb' contains control characters"),
    ({'subusers': [{'name': 'a', 'version': 1.3}, {'name': 'a', 'version': 1.1}]},
     "enforced_tls_baseline_subusers lists 'a' twice with different settings"),
    ({'subusers': ['a'], 'exclude': ['', 'b']}, 'enforced_tls_baseline_exclude[0] must be a subuser name'),
    ({'policy': {'verison': 1.2}}, 'enforced_tls_baseline_policy has unknown keys verison'),
    ({'parent_policy': {'version': 1.0}}, 'enforced_tls_baseline_parent_policy.version must be one of 1.1, 1.2, 1.3;'
                                          ' got 1.0 (float).'),
    ({'workers': 101}, 'enforced_tls_baseline_workers must be a whole number from 1 to 100; got 101 (integer).'),
    ({'page_size': 0, 'all_subusers': True}, 'page_size must be from 1 to 500; got 0.'),
    ({'on_behalf_of': 'a'}, 'on_behalf_of is not an option of this action: the accounts come from the role inputs or'
                            ' from the hosts (their sendgrid_on_behalf_of).'),
])
def test_inputs_bad_input_is_named_and_fails_before_any_call(fleet_step, args, message):
    result, modules = fleet_step(dict({'policy': POLICY, 'all_subusers': False}, **args), listing=LISTING_ANSWER)
    assert result['failed'] is True
    assert message in result['msg'] and result['msg'].endswith(NOTHING_DONE)
    assert modules.calls == []


def test_inputs_a_report_dir_that_cannot_be_made_fails_before_any_call(fleet_step, tmp_path):
    (tmp_path / 'file').write_text('')
    for args in ({'subusers': ['a']}, {'account_source': 'hosts'}):
        result, modules = fleet_step(dict(args, policy=POLICY, report_dir=str(tmp_path / 'file')), {'a': host('a')},
                                     listing=LISTING_ANSWER)
        assert result['failed'] is True
        assert result['msg'].startswith('enforced_tls_baseline_report_dir {0} is not a directory'.format(
            tmp_path / 'file'))
        assert modules.calls == []


def test_inputs_the_result_is_the_report(fleet_step):
    exempt = {'name': 'x', 'exempt': True, 'reason': 'legacy'}
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', 'b', 'broken', exempt]})
    assert statuses(result) == [('broken', 'failed'), (PARENT, 'drift'), ('b', 'drift'), ('x', 'exempt'),
                                ('a', 'compliant')]
    assert (result['mode'], result['generated_at'], result['policy'], result['enforcement']) == (
        'audit', NOW, POLICY, 'minimum')
    assert result['summary']['out_of_policy'] == 3
    assert result['msg'] == 'Enforced TLS audit: 5 accounts, 1 compliant, 0 changed, 2 drift, 1 exempt, 1 failed.'
    # A failed account fails the run through failure, after the report is published; not the task.
    assert result['failure'] == '1 account(s) failed: broken. First error: HTTP 500 for broken'
    assert 'failed' not in result


@pytest.mark.parametrize('fail_on_drift, failure', [
    (False, None), (True, '1 account(s) out of policy: b: require_tls false < true')])
def test_inputs_drift_fails_the_run_only_when_asked(fleet_step, fail_on_drift, failure):
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', 'b'], 'include_parent': False,
                                'fail_on_drift': fail_on_drift})
    assert result['failure'] == failure


@pytest.mark.parametrize('check_mode, subusers, changed', [
    (True, ['a', 'b'], True),
    (False, ['a', 'b'], True),
    (True, ['a', 'e'], False),
    (False, ['a', 'e'], False),
])
def test_inputs_changed_when_an_account_drifted_or_changed(fleet_step, check_mode, subusers, changed):
    result, dummy = fleet_step({'policy': POLICY, 'subusers': subusers, 'include_parent': False},
                               check_mode=check_mode)
    assert result['changed'] is changed


def test_inputs_diff_mode_shows_each_changed_accounts_diff(fleet_step):
    args = {'policy': POLICY, 'subusers': ['a', 'b', 'c', {'name': 'd', 'region': 'eu'}]}
    result, dummy = fleet_step(args, check_mode=False, diff=True)
    assert [diff['before_header'] for diff in result['diff']] == ['None', 'b', 'c']
    assert result['diff'][2] == {'before': FLEET['c'], 'after': dict(FLEET['c'], version=1.2), 'before_header': 'c'}
    without, dummy = fleet_step(args, check_mode=False, diff=False)
    assert 'diff' not in without


def test_inputs_the_counts_are_flat_custom_stats(fleet_step):
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', 'b']}, check_mode=False)
    assert result['ansible_stats']['data'] == {
        'enforced_tls_total': 3, 'enforced_tls_compliant': 1, 'enforced_tls_drift': 0, 'enforced_tls_changed': 2,
        'enforced_tls_exempt': 0, 'enforced_tls_failed': 0, 'enforced_tls_out_of_policy': 0,
        'enforced_tls_stricter': 0}
    assert (result['ansible_stats']['per_host'], result['ansible_stats']['aggregate']) == (False, True)


def test_inputs_the_modules_warnings_are_the_tasks_and_the_report_keeps_the_plans(fleet_step, tmp_path):
    report_dir = str(tmp_path / 'reports')
    result, modules = fleet_step({'policy': POLICY, 'report_dir': report_dir}, warnings=['applied despite an error'])
    # Only the parent account, whose call (in this fake) warns of nothing.
    assert modules.calls == [(APPLY, {'enforcement': 'minimum', **POLICY})]
    assert result['warnings'] == [parent_only_warning()]
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a'], 'report_dir': report_dir},
                               warnings=['applied despite an error'])
    assert result['warnings'] == ['applied despite an error']
    with open(os.path.join(report_dir, JSON_FILE), encoding='utf-8') as handle:
        assert json.load(handle)['warnings'] == []


def test_inputs_the_report_files_hold_the_report(fleet_step, tmp_path):
    report_dir = str(tmp_path / 'new' / 'reports')
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', 'b'], 'report_dir': report_dir})
    assert result['msg'].endswith(' Report: {0}/{1}'.format(report_dir, MARKDOWN_FILE))
    with open(os.path.join(report_dir, JSON_FILE), encoding='utf-8') as handle:
        written = json.load(handle)
    assert written == {key: result[key] for key in written}
    assert sorted(written) == ['accounts', 'batches', 'disabled', 'enforcement', 'excluded', 'generated_at', 'mode',
                               'policy', 'report_version', 'summary', 'warnings']
    with open(os.path.join(report_dir, MARKDOWN_FILE), encoding='utf-8') as handle:
        assert handle.read().startswith('# Enforced TLS audit report\n')


def test_inputs_record_no_run_and_leave_no_outcomes(fleet_step, local_tmp):
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a']})
    assert 'outcomes' not in result
    assert os.listdir(local_tmp) == []


# ---------------------------------------------------------------------------
# blocks_since: each account's TLS blocks, read after the updates
# ---------------------------------------------------------------------------

SINCE = '2026-12-03T11:00:00Z'
SINCE_TIME = 1796295600
# The step's start: NOW.
START = 1796299200
BLOCK_STATS = ('enforced_tls_tls_blocks', 'enforced_tls_with_tls_blocks', 'enforced_tls_tls_blocks_unread')
EXEMPT_X = {'name': 'x', 'exempt': True, 'reason': 'legacy'}


def read_blocks(count):
    """An account's TLS blocks in its report entry, as FakeModules has them."""
    return {'count': count, 'domains': [{'domain': 'old.example', 'blocks': count}] if count else [],
            'more_domains': 0, 'first_blocked': BLOCKED_AT if count else None,
            'last_blocked': BLOCKED_AT if count else None}


def unread(msg):
    return {'failed': True, 'msg': msg}


def block_counts(summary):
    return tuple(summary[name] for name in ('tls_blocks', 'with_tls_blocks', 'tls_blocks_unread'))


@pytest.fixture
def clock(monkeypatch):
    """The controller's clock as the action reads it: ``clock.now``."""
    now = types.SimpleNamespace(now=START + 0.9)
    monkeypatch.setattr(plugin, 'time', types.SimpleNamespace(time=lambda: now.now))
    return now


@pytest.mark.parametrize('given', [{}, {'blocks_since': None}, {'blocks_since': ''}])
def test_blocks_are_not_read_without_blocks_since(fleet_step, given):
    result, modules = fleet_step(dict({'policy': POLICY, 'subusers': ['a', 'c']}, **given))
    assert [module for module, args in modules.calls] == [APPLY, APPLY]
    assert 'blocks_since' not in result and 'tls_blocks' not in result['summary']
    assert not [entry for entry in result['accounts'] if 'tls_blocks' in entry]
    assert not set(BLOCK_STATS) & set(result['ansible_stats']['data'])
    assert 'TLS blocks' not in result['msg']
    batch, modules = fleet_step(hosts_args(**given), {'a': host('a')})
    assert modules.read == []
    assert 'tls_blocks' not in batch['summary'] and 'tls_blocks' not in read_outcome(batch['outcomes'], 'a')


def test_inputs_blocks_one_call_for_the_parent_and_one_per_region_after_the_updates(fleet_step):
    subusers = ['a', 'b', {'name': 'c', 'version': 1.3}, {'name': 'd', 'region': 'eu'}, EXEMPT_X]
    args = {'policy': POLICY, 'subusers': subusers,
            'api_key': KEY, 'api_url': 'http://127.0.0.1:1', 'workers': 4, 'blocks_since': SINCE}
    result, modules = fleet_step(args, check_mode=False)
    # The updates first (the parent account, a and b, c's own policy, d in the EU), then the reads.
    # The exempt account is read, never written, and its blocks are not read.
    assert [module for module, args in modules.calls] == [APPLY] * 5 + [BLOCKS] * 3
    connection = {'api_key': KEY, 'api_url': 'http://127.0.0.1:1', 'since': SINCE_TIME}
    assert modules.read == [connection, dict(connection, subusers=['a', 'b', 'c'], workers=4),
                            dict(connection, subusers=['d'], region='eu', workers=4)]
    assert KEY not in repr(result)


def test_blocks_the_parent_and_accounts_of_no_known_region_are_read_in_the_region_given_global_by_default(fleet_step):
    args = {'policy': POLICY, 'region': 'eu', 'subusers': ['a', {'name': 'b', 'region': 'global'}],
            'blocks_since': SINCE}
    dummy, modules = fleet_step(args)
    assert modules.read == [{'since': SINCE_TIME, 'region': 'eu'},
                            {'since': SINCE_TIME, 'subusers': ['a'], 'region': 'eu'},
                            {'since': SINCE_TIME, 'subusers': ['b']}]
    dummy, modules = fleet_step(dict(args, include_parent=False))
    assert [args.get('subusers') for args in modules.read] == [['a'], ['b']]


def test_hosts_blocks_of_the_global_region_are_read_in_one_call(fleet_step):
    dummy, modules = fleet_step(hosts_args(blocks_since=SINCE), HOSTVARS)
    reads = [(args.get('region', 'global'), args['subusers']) for args in modules.read if 'subusers' in args]
    assert sorted(reads) == [('eu', ['c']), ('global', ['a', 'b', 'd'])]


def test_inputs_each_accounts_tls_blocks_are_in_its_entry_the_counts_the_line_and_the_files(fleet_step, tmp_path):
    report_dir = str(tmp_path / 'reports')
    forbidden = 'HTTP 403 Forbidden: the key lacks suppression.blocks.read'
    args = {'policy': POLICY, 'subusers': ['a', 'b', 'c', EXEMPT_X], 'blocks_since': SINCE, 'report_dir': report_dir}
    result, dummy = fleet_step(args, blocks={'(parent)': 1, 'a': 2, 'c': forbidden})
    blocks = {entry['account']: entry.get('tls_blocks', 'none') for entry in result['accounts']}
    assert blocks == {PARENT: read_blocks(1), 'a': read_blocks(2), 'b': read_blocks(0), 'c': unread(forbidden),
                      'x': 'none'}
    assert block_counts(result['summary']) == (3, 2, 1)
    assert (result['blocks_since'], result['blocks_until']) == (SINCE, None)
    assert [result['ansible_stats']['data'][name] for name in BLOCK_STATS] == [3, 2, 1]
    assert result['msg'] == ('Enforced TLS audit: 5 accounts, 1 compliant, 0 changed, 3 drift, 1 exempt, 0 failed.'
                             ' TLS blocks since 2026-12-03T11:00:00Z: 3 at 2 accounts (1 could not be read).'
                             ' Report: {0}/{1}'.format(report_dir, MARKDOWN_FILE))
    # A blocks list that could not be read fails neither the task nor the run: the counts say it.
    assert 'failed' not in result and result['failure'] is None
    with open(os.path.join(report_dir, JSON_FILE), encoding='utf-8') as handle:
        written = json.load(handle)
    assert (written['blocks_since'], written['summary'], written['accounts']) == (
        SINCE, result['summary'], result['accounts'])
    with open(os.path.join(report_dir, MARKDOWN_FILE), encoding='utf-8') as handle:
        markdown = handle.read().splitlines()
    assert 'TLS blocks since 2026-12-03T11:00:00Z: **3**, at 2 accounts (1 blocks lists could not be read).' in markdown
    assert '| Account | Status | Before | After | TLS blocks | Note |' in markdown


def test_blocks_a_call_that_fails_before_reading_any_account_leaves_each_of_its_accounts_unread(fleet_step):
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', 'b'], 'blocks_since': SINCE},
                               blocks={'(parent)': 'HTTP 401 Unauthorized'}, blocks_failure='MODULE FAILURE')
    blocks = {entry['account']: entry['tls_blocks'] for entry in result['accounts']}
    assert blocks == {PARENT: unread('HTTP 401 Unauthorized'), 'a': unread('MODULE FAILURE'),
                      'b': unread('MODULE FAILURE')}
    assert block_counts(result['summary']) == (0, 0, 3)
    assert result['msg'].endswith(' TLS blocks since 2026-12-03T11:00:00Z: 0 at 0 accounts (3 could not be read).')


def test_blocks_since_run_is_the_start_of_the_step_less_a_minute(fleet_step, monkeypatch):
    # The step starts at START; by the time the blocks are read, the updates have taken ten minutes.
    times = iter([START + 0.9])
    monkeypatch.setattr(plugin, 'time', types.SimpleNamespace(time=lambda: next(times, START + 600)))
    result, modules = fleet_step({'policy': POLICY, 'subusers': ['a'], 'blocks_since': 'run'}, check_mode=False)
    assert [args['since'] for args in modules.read] == [START - 60] * 2
    assert result['blocks_since'] == '2026-12-03T11:59:00Z'
    assert result['msg'].endswith(' TLS blocks since 2026-12-03T11:59:00Z: 3 at 2 accounts.')


@pytest.mark.parametrize('value', ['2026-12-03T12:00:00+01:00', SINCE_TIME, str(SINCE_TIME)])
def test_blocks_since_is_a_unix_or_iso_8601_time(fleet_step, value):
    result, modules = fleet_step({'policy': POLICY, 'blocks_since': value})
    assert modules.read == [{'since': SINCE_TIME}]
    assert result['blocks_since'] == SINCE


@pytest.mark.parametrize('value, since', [
    (datetime.date(2026, 12, 3), SINCE_TIME - 11 * 3600),
    (datetime.datetime(2026, 12, 3, 11, 0, tzinfo=datetime.timezone.utc), SINCE_TIME),
])
def test_blocks_since_an_unquoted_yaml_date_or_time_is_that_time(fleet_step, value, since):
    result, modules = fleet_step({'policy': POLICY, 'blocks_since': value})
    assert 'failed' not in result
    assert modules.read == [{'since': since}]


@pytest.mark.parametrize('value, shown', [
    ('yesterday', "must be a Unix time (seconds) or an ISO 8601 time such as 2026-12-01T08:00:00Z; got 'yesterday'"
                  " (string)"),
    ('runs', "got 'runs' (string)"),
    ('1969-12-31', "must be a time from 1970-01-01T00:00:00Z (0) to 9999-12-31T23:59:59Z (253402300799); got"
                   " '1969-12-31' (string)"),
    (-1, 'got -1 (integer)'),
    (True, 'got true (boolean)'),
    (1796295600.5, 'got 1796295600.5 (float)'),
])
def test_bad_blocks_since_is_named_and_fails_before_any_call(fleet_step, local_tmp, value, shown):
    for args in ({'all_subusers': True}, {'account_source': 'hosts'}):
        result, modules = fleet_step(dict(args, policy=POLICY, blocks_since=value), {'a': host('a')},
                                     listing=LISTING_ANSWER)
        assert result['failed'] is True
        assert result['msg'].startswith('enforced_tls_baseline_blocks_since must be ')
        assert shown in result['msg']
        assert result['msg'].endswith(". It may also be run: the blocks since this run's updates." + NOTHING_DONE)
        assert modules.calls == []
    assert os.listdir(local_tmp) == []


@pytest.mark.parametrize('check_mode, mode', [(True, 'audit'), (False, 'enforce')])
def test_blocks_are_read_in_check_mode_too(fleet_step, check_mode, mode):
    """Reading the blocks lists changes nothing: an audit reads them as an enforcement does."""
    result, modules = fleet_step({'policy': POLICY, 'subusers': ['a'], 'blocks_since': SINCE}, check_mode=check_mode)
    assert result['mode'] == mode
    assert modules.read == [{'since': SINCE_TIME}, {'since': SINCE_TIME, 'subusers': ['a']}]
    assert block_counts(result['summary']) == (3, 2, 0)


def test_hosts_blocks_of_each_batch_and_the_run_since_its_first_batch(fleet_step, clock, local_tmp, tmp_path):
    report_dir = str(tmp_path / 'reports')
    args = hosts_args(blocks_since='run', report_dir=report_dir)
    exempt = host('x', enforced_tls_baseline_exempt=True, enforced_tls_baseline_exempt_reason='legacy')
    first, modules = fleet_step(args, {'parent': host(), 'a': host('a'), 'x': exempt})
    assert modules.read == [{'since': START - 60}, {'since': START - 60, 'subusers': ['a']}]
    clock.now = START + 300
    second, modules = fleet_step(args, {'c': host('c', sendgrid_region='eu')}, blocks={'c': 'HTTP 500'})
    assert modules.read == [{'since': START + 240, 'subusers': ['c'], 'region': 'eu'}]
    # Each batch publishes its own counts; each host's outcome has its account's blocks.
    assert (block_counts(first['summary']), block_counts(second['summary'])) == ((3, 2, 0), (0, 0, 1))
    assert [second['ansible_stats']['data'][name] for name in BLOCK_STATS] == [0, 0, 1]
    assert read_outcome(first['outcomes'], 'a')['tls_blocks'] == read_blocks(2)
    assert read_outcome(second['outcomes'], 'c')['tls_blocks'] == unread('HTTP 500')
    # The run so far: the blocks since its first batch's start.
    assert second['msg'] == ('Enforced TLS audit: 4 accounts, 1 compliant, 0 changed, 2 drift, 1 exempt, 0 failed.'
                             ' TLS blocks since 2026-12-03T11:59:00Z: 3 at 2 accounts (1 could not be read).'
                             ' Report: {0}/{1}'.format(report_dir, MARKDOWN_FILE))
    assert read_run(local_tmp, 'task-1')['blocks_since'] == '2026-12-03T11:59:00Z'
    with open(os.path.join(report_dir, JSON_FILE), encoding='utf-8') as handle:
        written = json.load(handle)
    assert (written['blocks_since'], block_counts(written['summary'])) == ('2026-12-03T11:59:00Z', (3, 2, 1))


# ---------------------------------------------------------------------------
# the canary gate
# ---------------------------------------------------------------------------

# FLEET and BLOCKED, enforced with POLICY: the parent account (1 block), b (none) and c (3 blocks) change; a
# (2 blocks), d and e are compliant.
GATE_START = START - 60
LIMIT = 'enforced_tls_baseline_max_tls_blocks'


@pytest.fixture
def soaks(monkeypatch):
    """The soaks the step waited, in seconds (none really)."""
    waited = []
    monkeypatch.setattr(plugin.ActionModule, '_sleep', staticmethod(waited.append))
    return waited


def gate_args(**args):
    return dict({'policy': POLICY, 'subusers': ['a', 'b', 'c', 'd', 'e']}, **args)


def entries(result):
    return {entry['account']: entry for entry in result['accounts']}


@pytest.mark.parametrize('args, message', [
    ({'max_tls_blocks': 'some'}, LIMIT + " must be a whole number from 0 to 100000; got 'some' (string)"),
    ({'max_tls_blocks': 100001}, LIMIT + ' must be a whole number from 0 to 100000; got 100001 (integer)'),
    ({'max_tls_blocks': 0, 'canary_soak': 86401},
     'enforced_tls_baseline_canary_soak must be a whole number from 0 to 86400; got 86401 (integer)'),
    ({'rollback_on_blocks': True}, 'enforced_tls_baseline_rollback_on_blocks needs ' + LIMIT),
    ({'canary': 2}, 'enforced_tls_baseline_canary needs ' + LIMIT),
    ({'max_tls_blocks': 0, 'canary': -1},
     'enforced_tls_baseline_canary must be a whole number from 0 to 50000; got -1 (integer)'),
])
def test_gate_bad_input_is_named_and_fails_before_any_call(fleet_step, soaks, args, message):
    result, modules = fleet_step(gate_args(**args), check_mode=False)
    assert result['failed'] is True
    assert result['msg'].startswith(message) and result['msg'].endswith(NOTHING_DONE)
    assert (modules.calls, soaks) == ([], [])


def test_gate_a_canary_is_refused_with_hosts_before_any_call(fleet_step):
    result, modules = fleet_step(hosts_args(max_tls_blocks=0, canary=1), HOSTVARS, check_mode=False)
    assert result['msg'].startswith("enforced_tls_baseline_canary is for the accounts of the role's inputs")
    assert modules.calls == []


def test_gate_reads_the_changed_accounts_blocks_after_a_soak_and_fails_those_over_the_limit(fleet_step, soaks, clock):
    result, modules = fleet_step(gate_args(max_tls_blocks=2, canary_soak=600), check_mode=False)
    assert [module for module, args in modules.calls] == [APPLY, APPLY, BLOCKS, BLOCKS]
    # Only the changed accounts, since the step's start (less a minute), after the soak.
    assert modules.read == [{'since': GATE_START}, {'since': GATE_START, 'subusers': ['b', 'c']}]
    assert soaks == [600]
    assert {name: entry['status'] for name, entry in entries(result).items()} == {
        PARENT: 'changed', 'a': 'compliant', 'b': 'changed', 'c': 'failed', 'd': 'compliant', 'e': 'compliant'}
    assert entries(result)['c']['reason'].endswith(
        '; 3 TLS blocks since its update (2026-12-03T11:59:00Z), more than {0} (2): mail dropped for'
        ' old.example (3)'.format(LIMIT))
    assert entries(result)['c']['tls_blocks'] == read_blocks(3)
    # The run fails on it; without rollback_on_blocks, c stays enforced.
    assert result['failure'].startswith('1 account(s) failed: c')
    assert modules.fleet['c'] == dict(FLEET['c'], version=1.2)
    assert 'rolled_back' not in entries(result)['c']


def test_gate_rollback_sets_each_account_over_the_limit_back_after_reading_it(fleet_step, soaks):
    result, modules = fleet_step(gate_args(max_tls_blocks=0, rollback_on_blocks=True), check_mode=False)
    assert soaks == []
    rollback = [args for args in modules.applied if args['enforcement'] == 'exact']
    # The parent account and c, over the limit, read in check mode first, then each set back.
    assert rollback == [dict(FLEET['(parent)'], enforcement='exact', **{CHECK_MODE_ARG: True}),
                        dict(FLEET['c'], enforcement='exact', subusers=['c'], **{CHECK_MODE_ARG: True}),
                        dict(FLEET['(parent)'], enforcement='exact'),
                        dict(FLEET['c'], enforcement='exact', subusers=['c'])]
    assert modules.fleet == dict(FLEET, b=dict(FLEET['b'], require_tls=True))
    for name in (PARENT, 'c'):
        assert entries(result)[name]['status'] == 'failed'
        assert entries(result)[name]['rolled_back'] is True
        assert entries(result)[name]['after'] == entries(result)[name]['before']
        assert entries(result)[name]['reason'].endswith('; rolled back to its setting before the enforcement')
    assert 'rolled_back' not in entries(result)['b']


def test_gate_an_account_whose_blocks_were_not_read_fails_and_is_not_rolled_back(fleet_step, soaks):
    result, modules = fleet_step(gate_args(max_tls_blocks=5, rollback_on_blocks=True), check_mode=False,
                                 blocks={'c': 'HTTP 403 Forbidden'})
    assert entries(result)['c']['status'] == 'failed'
    assert entries(result)['c']['reason'].endswith('cannot say the enforcement drops no mail: HTTP 403 Forbidden')
    assert [args for args in modules.applied if args['enforcement'] == 'exact'] == []
    assert [entries(result)[name]['status'] for name in (PARENT, 'b')] == ['changed', 'changed']


def test_gate_passes_a_run_under_the_limit(fleet_step, soaks):
    result, modules = fleet_step(gate_args(max_tls_blocks=3, canary_soak=30, rollback_on_blocks=True),
                                 check_mode=False)
    assert result['failure'] is None and 'failed' not in result
    assert result['summary']['changed'] == 3
    assert [args['enforcement'] for args in modules.applied] == ['minimum', 'minimum']
    assert soaks == [30]


def test_gate_of_a_run_that_changed_nothing_reads_nothing_and_waits_not(fleet_step, soaks):
    result, modules = fleet_step(gate_args(max_tls_blocks=0, canary_soak=30, subusers=['a', 'd']),
                                 fleet=dict(FLEET, **{'(parent)': FLEET['a']}), check_mode=False)
    assert (modules.read, soaks) == ([], [])
    assert result['summary']['changed'] == 0 and result['failure'] is None
    # With blocks_since, the blocks are read at once: there is no update to wait after.
    result, modules = fleet_step(gate_args(max_tls_blocks=0, canary_soak=30, subusers=['a', 'd'], blocks_since=SINCE),
                                 fleet=dict(FLEET, **{'(parent)': FLEET['a']}), check_mode=False)
    assert (len(modules.read), soaks) == (2, [])
    assert result['failure'] is None


def test_gate_an_audit_reads_no_blocks_and_waits_not(fleet_step, soaks):
    result, modules = fleet_step(gate_args(max_tls_blocks=0, canary_soak=30, canary=2), check_mode=True)
    assert [module for module, args in modules.calls] == [APPLY, APPLY]
    assert soaks == []
    assert result['summary']['drift'] == 3 and 'held_back' not in result


def test_gate_with_blocks_since_reads_every_account_since_then_in_one_read(fleet_step, soaks):
    result, modules = fleet_step(gate_args(max_tls_blocks=2, canary_soak=60, blocks_since=SINCE), check_mode=False)
    assert modules.read == [{'since': SINCE_TIME}, {'since': SINCE_TIME, 'subusers': ['a', 'b', 'c', 'd', 'e']}]
    assert soaks == [60]
    # a is over the limit but not changed: the gate is about what the run changed.
    assert [entries(result)[name]['status'] for name in ('a', 'c')] == ['compliant', 'failed']
    assert entries(result)['c']['reason'].endswith('3 TLS blocks since its update (2026-12-03T11:00:00Z), more'
                                                   ' than {0} (2): mail dropped for old.example (3)'.format(LIMIT))


def test_gate_a_canary_that_passes_is_followed_by_the_rest(fleet_step, soaks):
    result, modules = fleet_step(gate_args(max_tls_blocks=0, canary=2, canary_soak=10), check_mode=False)
    # The canary (a, b), its gate, then the parent account and the other subusers, and their gate.
    assert [(module, args.get('subusers')) for module, args in modules.calls] == [
        (APPLY, ['a', 'b']), (BLOCKS, ['b']), (APPLY, None), (APPLY, ['c', 'd', 'e']), (BLOCKS, None),
        (BLOCKS, ['c'])]
    assert soaks == [10, 10]
    assert 'held_back' not in result
    assert sorted(entries(result)) == sorted([PARENT, 'a', 'b', 'c', 'd', 'e'])
    assert [entries(result)[name]['status'] for name in (PARENT, 'b', 'c')] == ['failed', 'changed', 'failed']
    assert result['summary']['total'] == 6


def test_gate_a_canary_that_fails_holds_the_rest_back(fleet_step, soaks, clock):
    result, modules = fleet_step(gate_args(max_tls_blocks=0, canary=3), check_mode=False)
    assert [(module, args.get('subusers')) for module, args in modules.calls] == [
        (APPLY, ['a', 'b', 'c']), (BLOCKS, ['b', 'c'])]
    assert result['held_back'] == [PARENT, 'd', 'e']
    assert sorted(entries(result)) == ['a', 'b', 'c']
    assert modules.fleet['(parent)'] == FLEET['(parent)']
    assert result['failure'] == (
        '1 account(s) failed: c. First error: changed version 1.1 -> 1.2; 3 TLS blocks since its update'
        ' (2026-12-03T11:59:00Z), more than {0} (0): mail dropped for old.example (3). The canary failed, so 3'
        ' account(s) were held back, neither read nor changed: {1}, d, e.'.format(LIMIT, PARENT))
    assert result['msg'].endswith(' 3 held back after the canary.')


def test_gate_hosts_each_batch_is_gated(fleet_step, soaks):
    result, modules = fleet_step(hosts_args(max_tls_blocks=0, canary_soak=5), HOSTVARS, check_mode=False)
    assert soaks == [5]
    outcomes = {account: read_outcome(result['outcomes'], account)['status'] for account in HOST_ACCOUNTS}
    assert outcomes == {PARENT: 'failed', 'a': 'compliant', 'b': 'changed', 'c': 'failed', 'd': 'changed',
                        'x': 'exempt'}
    assert 'mail dropped for old.example (3)' in read_outcome(result['outcomes'], 'c')['reason']


# ---------------------------------------------------------------------------
# the parent account's own settings
# ---------------------------------------------------------------------------

def test_inputs_parent_policy_is_the_parent_accounts_and_only_its(fleet_step):
    result, modules = fleet_step({'policy': POLICY, 'subusers': ['a'], 'parent_policy': {'require_tls': False}})
    assert modules.applied == [dict(POLICY, enforcement='minimum', require_tls=False),
                               dict(POLICY, enforcement='minimum', subusers=['a'])]
    assert entries(result)[PARENT]['status'] == 'compliant'
    assert entries(result)[PARENT]['policy'] == dict(POLICY, require_tls=False)


# ---------------------------------------------------------------------------
# exempt accounts: read, never written
# ---------------------------------------------------------------------------

EXEMPT_FLEET = dict(FLEET, x=settings(False, False, 1.1), y=settings(True, False, 1.3))


@pytest.mark.parametrize('check_mode', [True, False])
def test_exempt_accounts_are_read_in_check_mode_and_their_setting_is_reported(fleet_step, check_mode):
    subusers = ['a', EXEMPT_X, {'name': 'y', 'exempt': True, 'reason': 'vendor', 'region': 'eu'}]
    result, modules = fleet_step({'policy': POLICY, 'subusers': subusers, 'include_parent': False},
                                 fleet=EXEMPT_FLEET, check_mode=check_mode)
    reads = [args for args in modules.applied if args.get(CHECK_MODE_ARG)]
    assert reads == [dict(POLICY, enforcement='minimum', subusers=['x'], **{CHECK_MODE_ARG: True}),
                     dict(POLICY, enforcement='minimum', subusers=['y'], region='eu', **{CHECK_MODE_ARG: True})]
    assert (modules.fleet['x'], modules.fleet['y']) == (EXEMPT_FLEET['x'], EXEMPT_FLEET['y'])
    assert entries(result)['x'] == dict(entries(result)['x'], status='exempt', reason='legacy',
                                        before=EXEMPT_FLEET['x'], after=EXEMPT_FLEET['x'])
    assert (entries(result)['y']['before'], entries(result)['y']['region']) == (EXEMPT_FLEET['y'], 'eu')
    assert result['summary']['exempt'] == 2


def test_hosts_an_exempt_parent_account_is_read_in_the_region_given(fleet_step):
    result, modules = fleet_step(hosts_args(region='eu'), {
        'parent': host(enforced_tls_baseline_exempt=True, enforced_tls_baseline_exempt_reason='the key'),
        'a': host('a')})
    assert modules.applied[-1] == dict(POLICY, enforcement='minimum', region='eu', **{CHECK_MODE_ARG: True})
    assert read_outcome(result['outcomes'], PARENT)['before'] == FLEET['(parent)']


def test_an_exempt_account_that_cannot_be_read_is_reported_and_fails_nothing(fleet_step):
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', EXEMPT_X]}, fleet=FLEET)
    assert entries(result)['x']['status'] == 'exempt'
    assert entries(result)['x']['before'] is None
    assert entries(result)['x']['reason'] == 'legacy; its setting could not be read: HTTP 500 for x'
    assert result['failure'] is None and result['summary']['failed'] == 0


def test_hosts_an_exempt_hosts_outcome_has_its_setting(fleet_step):
    result, dummy = fleet_step(hosts_args(), HOSTVARS, fleet=EXEMPT_FLEET)
    outcome = read_outcome(result['outcomes'], 'x')
    assert (outcome['status'], outcome['before']) == ('exempt', EXEMPT_FLEET['x'])


# ---------------------------------------------------------------------------
# report formats, and what changed since the last audit
# ---------------------------------------------------------------------------

CHANGE_STATS = ('enforced_tls_newly_out_of_policy', 'enforced_tls_back_in_policy', 'enforced_tls_new_accounts',
                'enforced_tls_gone_accounts')


def last_audit(report_dir, **statuses):
    """The report a directory holds from a run before: its accounts as ``statuses``."""
    os.makedirs(report_dir, exist_ok=True)
    path = os.path.join(report_dir, JSON_FILE)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump({'report_version': 1, 'mode': 'audit', 'generated_at': '2026-12-02T12:00:00Z',
                   'accounts': [{'account': name, 'status': status} for name, status in statuses.items()]}, handle)
    return path


@pytest.mark.parametrize('formats', [['json', 'csv'], 'junit', []])
def test_bad_report_formats_fail_before_any_call(fleet_step, formats):
    for args in ({'subusers': ['a']}, {'account_source': 'hosts'}):
        result, modules = fleet_step(dict(args, policy=POLICY, report_formats=formats), {'a': host('a')})
        assert result['msg'].startswith('enforced_tls_baseline_report_formats must be a list of some of json,'
                                        ' markdown, junit; got ')
        assert result['msg'].endswith(NOTHING_DONE) and modules.calls == []


def test_inputs_junit_is_written_when_asked(fleet_step, tmp_path):
    report_dir = str(tmp_path / 'reports')
    fleet_step({'policy': POLICY, 'subusers': ['a', 'b'], 'report_dir': report_dir,
                'report_formats': ['junit', 'markdown']})
    assert sorted(os.listdir(report_dir)) == ['enforced-tls-report.md', 'enforced-tls-report.xml']


def test_inputs_the_report_the_directory_holds_is_kept_and_compared_with(fleet_step, tmp_path):
    report_dir = str(tmp_path / 'reports')
    last_audit(report_dir, **{PARENT: 'drift', 'a': 'drift', 'b': 'compliant', 'gone': 'compliant'})
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', 'b', 'c'], 'report_dir': report_dir})
    since = result['since_last_audit']
    assert (since['newly_out_of_policy'], since['back_in_policy'], since['new_accounts'], since['gone_accounts']) == (
        ['b', 'c'], ['a'], ['c'], ['gone'])
    assert since['previous_report'] == os.path.join(report_dir, 'enforced-tls-report.previous.json')
    assert [result['ansible_stats']['data'][name] for name in CHANGE_STATS] == [2, 1, 1, 1]
    assert ' Since the last audit (2026-12-02T12:00:00Z): 2 newly out of policy, 1 back in policy, 1 new, 1 gone.' \
        ' Report: ' in result['msg']
    with open(os.path.join(report_dir, JSON_FILE), encoding='utf-8') as handle:
        assert json.load(handle)['since_last_audit'] == since
    with open(since['previous_report'], encoding='utf-8') as handle:
        assert [entry['account'] for entry in json.load(handle)['accounts']] == [PARENT, 'a', 'b', 'gone']
    # The next run compares with this one.
    again, dummy = fleet_step({'policy': POLICY, 'subusers': ['a', 'b', 'c'], 'report_dir': report_dir})
    assert again['since_last_audit']['counts'] == {'newly_out_of_policy': 0, 'back_in_policy': 0,
                                                   'new_accounts': 0, 'gone_accounts': 0}


def test_inputs_without_a_last_report_there_is_no_comparison(fleet_step, tmp_path):
    result, dummy = fleet_step({'policy': POLICY, 'subusers': ['a'], 'report_dir': str(tmp_path / 'r')})
    assert 'since_last_audit' not in result
    assert not set(CHANGE_STATS) & set(result['ansible_stats']['data'])


def test_inputs_a_named_last_report_that_cannot_be_read_is_a_warning_never_a_failure(fleet_step, tmp_path):
    missing = str(tmp_path / 'missing.json')
    result, modules = fleet_step({'policy': POLICY, 'subusers': ['a'], 'previous_report': missing})
    warning = ('the last report: cannot read {0}: No such file or directory; the report has no comparison with the'
               ' last audit'.format(missing))
    assert result['warnings'] == [warning]
    assert result['failure'] is None and 'failed' not in result and len(modules.applied) == 2
    assert 'since_last_audit' not in result


def test_hosts_batches_compare_the_run_so_far_and_add_up_their_counts(fleet_step, tmp_path):
    report_dir = str(tmp_path / 'reports')
    last_audit(report_dir, a='compliant', b='drift', c='drift')
    first, dummy = fleet_step(hosts_args(report_dir=report_dir), {'a': host('a')})
    second, dummy = fleet_step(hosts_args(report_dir=report_dir), {'b': host('b'), 'c': host('c')},
                               fleet=dict(FLEET, c=POLICY))
    # After the first batch b and c look gone; the second finds them.
    assert first['ansible_stats']['data']['enforced_tls_gone_accounts'] == 2
    assert second['ansible_stats']['data']['enforced_tls_gone_accounts'] == -2
    added = {name: first['ansible_stats']['data'][name] + second['ansible_stats']['data'][name]
             for name in CHANGE_STATS}
    assert added == dict.fromkeys(CHANGE_STATS, 0) | {'enforced_tls_back_in_policy': 1}
    with open(os.path.join(report_dir, JSON_FILE), encoding='utf-8') as handle:
        written = json.load(handle)['since_last_audit']
    assert (written['back_in_policy'], written['gone_accounts']) == (['c'], [])
