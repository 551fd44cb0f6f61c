# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import types
from unittest.mock import MagicMock

import pytest

from ansible_collections.mailops.sendgrid.plugins.action import sendgrid_enforced_tls_hosts as plugin
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._outcome_store import read_outcome
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import account_result, settings

POLICY = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
MODULE = 'mailops.sendgrid.sendgrid_enforced_tls'


def host(name=None, **variables):
    return dict({'sendgrid_on_behalf_of': name} if name else {}, **variables)


class FakeModule:
    """The module calls: their arguments, answered as sendgrid_enforced_tls would, from ``fleet``."""

    def __init__(self, fleet, check_mode):
        self.fleet = fleet
        self.check_mode = check_mode
        self.calls = []

    def __call__(self, module_name=None, module_args=None, task_vars=None):
        assert module_name == MODULE
        self.calls.append(dict(module_args))
        wanted = {field: module_args[field] for field in POLICY if field in module_args}
        if 'subusers' not in module_args:
            before = self.fleet['(parent)']
            after = dict(before, **wanted)
            return {'changed': after != before, 'check_mode': self.check_mode, 'before': before,
                    'enforced_tls': after, 'differences': sorted(k for k in wanted if before[k] != wanted[k]),
                    'stricter': []}
        results = []
        for account in module_args['subusers']:
            before = self.fleet[account]
            after = dict(before, **wanted)
            results.append(account_result(account, before, after, sorted(k for k in wanted if before[k] != wanted[k]),
                                          check_mode=self.check_mode))
        return {'changed': any(r['changed'] for r in results), 'check_mode': self.check_mode, 'results': results}


@pytest.fixture
def run_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(plugin, 'C', types.SimpleNamespace(DEFAULT_LOCAL_TMP=str(tmp_path)))

    def run_action(args, hostvars, fleet=None, check_mode=True):
        task = MagicMock()
        task.args = args
        task.check_mode = check_mode
        task.diff = False
        task.async_val = 0
        action = plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
        module = FakeModule(fleet or {}, check_mode)
        action._execute_module = module
        task_vars = {'hostvars': hostvars, 'ansible_play_batch': list(hostvars)}
        return action.run(task_vars=task_vars), module.calls
    return run_action


FLEET = {'(parent)': settings(False, True, 1.2), 'a': settings(True, True, 1.2), 'b': settings(False, True, 1.2),
         'c': settings(True, True, 1.1), 'd': settings(True, True, 1.2)}
HOSTVARS = {'parent': host(), 'a': host('a', sendgrid_region='global'), 'b': host('b', sendgrid_region='global'),
            'c': host('c', sendgrid_region='eu'),
            'd': host('d', enforced_tls_baseline_host_policy={'version': 1.3}),
            'x': host('x', enforced_tls_baseline_exempt=True, enforced_tls_baseline_exempt_reason='legacy')}


def test_one_call_per_policy_and_region_and_one_for_the_parent(run_batch):
    result, calls = run_batch({'policy': POLICY, 'api_url': 'http://127.0.0.1:1', 'workers': 4}, HOSTVARS, FLEET)
    assert calls == [
        {'api_url': 'http://127.0.0.1:1', 'enforcement': 'minimum', **POLICY},
        {'api_url': 'http://127.0.0.1:1', 'subusers': ['a', 'b'], 'enforcement': 'minimum', 'region': 'global',
         'workers': 4, **POLICY},
        {'api_url': 'http://127.0.0.1:1', 'subusers': ['c'], 'enforcement': 'minimum', 'region': 'eu', 'workers': 4,
         **POLICY},
        {'api_url': 'http://127.0.0.1:1', 'subusers': ['d'], 'enforcement': 'minimum', 'workers': 4,
         **dict(POLICY, version=1.3)},
    ]
    assert result['summary']['total'] == 6 and not result.get('failed')


def test_every_accounts_outcome_is_left_for_its_host(run_batch):
    result, dummy = run_batch({'policy': POLICY}, HOSTVARS, FLEET)
    outcomes = {account: read_outcome(result['outcomes'], account)['status']
                for account in ('(parent account)', 'a', 'b', 'c', 'd', 'x')}
    assert outcomes == {'(parent account)': 'drift', 'a': 'compliant', 'b': 'drift', 'c': 'drift', 'd': 'drift',
                        'x': 'exempt'}
    assert read_outcome(result['outcomes'], 'b')['mode'] == 'audit'


def test_the_counts_are_custom_stats_that_add_up_over_batches(run_batch):
    result, dummy = run_batch({'policy': POLICY}, HOSTVARS, FLEET, check_mode=False)
    assert result['mode'] == 'enforce'
    assert result['ansible_stats'] == {'per_host': False, 'aggregate': True, 'data': {
        'enforced_tls_hosts_total': 6, 'enforced_tls_hosts_compliant': 1, 'enforced_tls_hosts_drift': 0,
        'enforced_tls_hosts_changed': 4, 'enforced_tls_hosts_exempt': 1, 'enforced_tls_hosts_failed': 0}}


def test_the_result_is_small_whatever_the_batch(run_batch):
    """Registered with run_once, the result is a variable of every host of the batch."""
    result, dummy = run_batch({'policy': POLICY}, HOSTVARS, FLEET)
    assert sorted(result) == ['ansible_stats', 'changed', 'mode', 'outcomes', 'summary']


@pytest.mark.parametrize('args, hostvars, message', [
    ({'policy': {'version': '1.0'}}, {'a': host('a')}, 'enforced_tls_baseline_policy.version must be one of'),
    ({'policy': POLICY}, {'a': host('a', enforced_tls_baseline_host_policy={'require_tsl': True})},
     'host a: enforced_tls_baseline_host_policy has unknown keys require_tsl'),
    ({'policy': POLICY}, {'a': host('a', enforced_tls_baseline_enforcement='exact')},
     'host a has its own enforced_tls_baseline_enforcement'),
    ({'policy': POLICY, 'on_behalf_of': 'a'}, {'a': host('a')}, 'on_behalf_of is not an option of this action'),
])
def test_bad_input_fails_before_any_call(run_batch, args, hostvars, message):
    result, calls = run_batch(args, hostvars, FLEET)
    assert result['failed'] is True and message in result['msg']
    assert result['msg'].endswith('no account was read or changed')
    assert calls == []


def test_module_warnings_are_passed_on(run_batch):
    def warn(module_name=None, module_args=None, task_vars=None):
        return {'check_mode': True, 'warnings': ['applied despite an error'],
                'results': [account_result('a', FLEET['a'], FLEET['a'], [])]}
    result, dummy = run_batch({'policy': POLICY}, {'a': host('a')}, FLEET)
    assert 'warnings' not in result  # the fake module warns of nothing
    task = MagicMock(args={'policy': POLICY}, check_mode=True, diff=False, async_val=0)
    action = plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    action._execute_module = warn
    assert action.run(task_vars={'hostvars': {'a': host('a')}, 'ansible_play_batch': ['a']})['warnings'] == [
        'applied despite an error']


def test_the_key_goes_to_each_module_call_and_into_no_result_or_outcome(run_batch):
    key = 'SG.unit-test.K3y-s3cr3t'
    result, calls = run_batch({'policy': POLICY, 'api_key': key}, HOSTVARS, FLEET)
    assert all(call['api_key'] == key for call in calls) and len(calls) == 4
    assert key not in repr(result)
    for account in ('(parent account)', 'a', 'b', 'c', 'd', 'x'):
        assert key not in repr(read_outcome(result['outcomes'], account))


def test_options_left_out_are_left_to_the_module(run_batch):
    dummy, calls = run_batch({'policy': POLICY}, {'a': host('a')}, FLEET)
    assert calls == [{'subusers': ['a'], 'enforcement': 'minimum', **POLICY}]
