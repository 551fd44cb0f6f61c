# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import types
from unittest.mock import MagicMock

import pytest

from ansible_collections.mailops.sendgrid.plugins.action import sendgrid_enforced_tls_verdict as plugin
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import Account, build_plan
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import build_report
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._run_store import write_run
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    account_result,
    failed_result,
    settings,
)

POLICY = {'require_tls': True, 'version': 1.2}
GOOD = settings(True, False, 1.2)
OLD = settings(False, False, 1.2)
ALL_EXEMPT = ('No SendGrid account was read: every account of the run is exempt. A run that reads no account is'
              ' never a clean audit.')


@pytest.fixture
def local_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(plugin, 'C', types.SimpleNamespace(DEFAULT_LOCAL_TMP=str(tmp_path)))
    return str(tmp_path)


def verdict(args=None, task_vars=None):
    task = MagicMock(args=args or {}, check_mode=True, diff=False, async_val=0)
    action = plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars=task_vars or {})


def batch(names, check_mode=True):
    """A batch's report, as the fleet step records it: names starting with ``d`` drifted, ``f`` failed, ``e`` are
    exempt, the others are compliant."""
    plan = build_plan(POLICY, [Account(name, exempt_reason='legacy' if name.startswith('e') else None)
                               for name in names])
    results = [failed_result(name, 'boom ' + name) if name.startswith('f')
               else account_result(name, OLD, GOOD, ['require_tls'], check_mode) if name.startswith('d')
               else account_result(name, GOOD, GOOD, [], check_mode)
               for group in plan['groups'] for name in group['accounts']]
    calls = [{'check_mode': check_mode, 'results': results}] if results else []
    return build_report(plan, group_results=calls, check_mode=check_mode, generated_at='2026-12-03T12:00:00Z')


def test_a_run_that_recorded_nothing_fails_naming_the_pattern_and_the_sources(local_tmp):
    result = verdict({'hosts_pattern': 'sendgrid_eu'},
                     {'groups': {'all': [], 'ungrouped': []}, 'ansible_inventory_sources': ['/inv/eu.sendgrid.yml']})
    assert result['failed'] is True
    assert result['msg'].startswith("No SendGrid account was read: the host pattern 'sendgrid_eu' matched no host. The"
                                    " inventory (/inv/eu.sendgrid.yml) has no group 'sendgrid_eu'")
    assert 'summary' not in result


def test_a_run_that_recorded_nothing_names_the_limit_and_the_default_pattern(local_tmp):
    result = verdict(task_vars={'groups': {'sendgrid': ['a']}, 'ansible_inventory_sources': ['x.sendgrid.yml'],
                                'ansible_limit': 'web*'})
    assert result['failed'] is True
    assert result['msg'].startswith("No SendGrid account was read: the host pattern 'sendgrid' with --limit 'web*'"
                                    ' matched no host.')


def test_a_recorded_run_ends_with_its_summary(local_tmp):
    write_run(local_tmp, 'task-1', batch(['c1', 'd1', 'e1']))
    result = verdict({'report_dir': '/srv/reports'})
    assert 'failed' not in result
    assert result['msg'] == ('Enforced TLS audit: 3 accounts, 1 compliant, 0 changed, 1 drift, 1 exempt, 0 failed.'
                             ' Report: /srv/reports/enforced-tls-report.md')
    assert (result['changed'], result['mode'], result['summary']['total']) == (False, 'audit', 3)


def test_every_recorded_run_of_the_process_is_counted_once(local_tmp):
    write_run(local_tmp, 'task-1', batch(['c1', 'c2']))
    write_run(local_tmp, 'task-2', batch(['c3']))
    assert verdict()['summary']['total'] == 3
    # The next verdict of the same process has no run left to judge.
    again = verdict()
    assert again['failed'] is True and again['msg'].startswith('No SendGrid account was read')


def test_a_run_of_exempt_accounts_only_fails(local_tmp):
    write_run(local_tmp, 'task-1', batch(['e1', 'e2']))
    result = verdict()
    assert result['failed'] is True
    assert result['msg'] == ('Enforced TLS audit: 2 accounts, 0 compliant, 0 changed, 0 drift, 2 exempt, 0 failed. '
                             + ALL_EXEMPT)


def test_failed_accounts_fail_the_run(local_tmp):
    write_run(local_tmp, 'task-1', batch(['c1', 'f1'], check_mode=False))
    result = verdict()
    assert result['failed'] is True
    assert result['msg'] == ('Enforced TLS enforcement: 2 accounts, 1 compliant, 0 changed, 0 drift, 0 exempt,'
                             ' 1 failed. 1 account(s) failed: f1. First error: boom f1')
    assert result['mode'] == 'enforce'


@pytest.mark.parametrize('fail_on_drift', [False, True])
def test_drift_fails_the_run_only_when_asked(local_tmp, fail_on_drift):
    write_run(local_tmp, 'task-1', batch(['c1', 'd1']))
    result = verdict({'fail_on_drift': fail_on_drift})
    line = 'Enforced TLS audit: 2 accounts, 1 compliant, 0 changed, 1 drift, 0 exempt, 0 failed.'
    if fail_on_drift:
        assert result['failed'] is True
        assert result['msg'] == line + ' 1 account(s) out of policy: d1: require_tls false < true'
    else:
        assert 'failed' not in result and result['msg'] == line
