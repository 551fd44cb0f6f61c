# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.sendgrid.plugins.filter import enforced_tls_report as report_filter
from ansible_collections.mailops.sendgrid.plugins.filter.enforced_tls_report import FilterModule, enforced_tls_report
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import build_plan, build_report

POLICY = {'require_tls': True}
BEFORE = {'require_tls': False, 'require_valid_cert': False, 'version': 1.1}
AFTER = {'require_tls': True, 'require_valid_cert': False, 'version': 1.1}


def test_filters_exposes_the_name():
    filters = FilterModule().filters()
    assert list(filters) == ['enforced_tls_report']
    assert filters['enforced_tls_report'] is enforced_tls_report


def test_report_is_the_one_of_build_report():
    plan = build_plan(POLICY, subusers=['a', 'b'])
    group_results = [{'item': plan['groups'][0], 'check_mode': True, 'results': [
        {'account': 'a', 'changed': True, 'failed': False, 'msg': 'would change require_tls', 'before': BEFORE,
         'after': AFTER, 'differences': ['require_tls']},
        {'account': 'b', 'changed': False, 'failed': False, 'msg': 'already as asked', 'before': AFTER,
         'after': AFTER, 'differences': []},
    ]}]
    parent = {'failed': True, 'msg': 'HTTP 401'}
    report = enforced_tls_report(plan, parent_result=parent, group_results=group_results, generated_at='now')
    assert report == build_report(plan, parent_result=parent, group_results=group_results, generated_at='now')
    assert report['mode'] == 'audit'
    assert report['generated_at'] == 'now'
    assert [(entry['account'], entry['status']) for entry in report['accounts']] == [
        ('(parent account)', 'failed'), ('a', 'drift'), ('b', 'compliant')]
    assert report['summary'] == {'total': 3, 'failed': 1, 'drift': 1, 'changed': 0, 'exempt': 0, 'compliant': 1,
                                 'out_of_policy': 2, 'stricter': 0}


def test_every_argument_is_passed_on(monkeypatch):
    calls = []

    def fake_build_report(plan, **kwargs):
        calls.append((plan, kwargs))
        return 'the report'

    monkeypatch.setattr(report_filter, 'build_report', fake_build_report)
    plan = {'policy': POLICY}
    assert enforced_tls_report(plan, parent_result={'changed': False}, group_results=[{}], check_mode=True,
                               generated_at='2026-01-01T00:00:00Z') == 'the report'
    assert enforced_tls_report(plan) == 'the report'
    assert calls == [
        (plan, {'parent_result': {'changed': False}, 'group_results': [{}], 'check_mode': True,
                'generated_at': '2026-01-01T00:00:00Z'}),
        (plan, {'parent_result': None, 'group_results': None, 'check_mode': False, 'generated_at': None}),
    ]


@pytest.mark.parametrize('plan', [None, 'plan', ['a'], 3])
def test_input_that_is_not_a_plan_is_a_filter_error(plan):
    with pytest.raises(AnsibleFilterError) as excinfo:
        enforced_tls_report(plan)
    assert excinfo.value.message == 'enforced_tls_report expects the plan made by enforced_tls_plan as input'
