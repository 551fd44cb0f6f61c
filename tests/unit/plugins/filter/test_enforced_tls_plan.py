# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.sendgrid.plugins.filter import enforced_tls_plan as plan_filter
from ansible_collections.mailops.sendgrid.plugins.filter.enforced_tls_plan import FilterModule, enforced_tls_plan
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import PlanError, build_plan

POLICY = {'require_tls': True, 'version': '1.2'}


def test_filters_exposes_the_name():
    filters = FilterModule().filters()
    assert list(filters) == ['enforced_tls_plan']
    assert filters['enforced_tls_plan'] is enforced_tls_plan


def test_plan_is_the_one_of_build_plan():
    kwargs = dict(subusers=['a', {'name': 'b', 'version': 1.3}, {'name': 'lab', 'exempt': True, 'reason': 'test'}],
                  discovered=[{'username': 'd', 'region': 'eu', 'disabled': False},
                              {'username': 'off', 'region': 'global', 'disabled': True}],
                  exclude=['x'], include_disabled=False, region='global')
    plan = enforced_tls_plan(POLICY, **kwargs)
    assert plan == build_plan(POLICY, **kwargs)
    assert plan == {
        'policy': {'require_tls': True, 'version': 1.2},
        'parent_policy': {'require_tls': True, 'version': 1.2},
        'groups': [
            {'region': 'eu', 'policy': {'require_tls': True, 'version': 1.2}, 'accounts': ['d']},
            {'region': 'global', 'policy': {'require_tls': True, 'version': 1.2}, 'accounts': ['a']},
            {'region': 'global', 'policy': {'require_tls': True, 'version': 1.3}, 'accounts': ['b']},
        ],
        'exempt': [{'account': 'lab', 'reason': 'test', 'region': 'global'}],
        'excluded': [],
        'disabled': ['off'],
        'enforcement': 'minimum',
        'warnings': [],
    }


def test_every_argument_is_passed_on(monkeypatch):
    calls = []

    def fake_build_plan(policy, **kwargs):
        calls.append((policy, kwargs))
        return {'warnings': []}

    monkeypatch.setattr(plan_filter, 'build_plan', fake_build_plan)
    assert enforced_tls_plan(POLICY, subusers=['a'], discovered=[], exclude=['b'], include_disabled=True,
                             region='eu', workers=4, enforcement='exact', all_subusers=False,
                             include_parent=False) == {'warnings': []}
    assert enforced_tls_plan(POLICY) == {'warnings': []}
    assert calls == [
        (POLICY, {'subusers': ['a'], 'discovered': [], 'exclude': ['b'], 'include_disabled': True, 'region': 'eu',
                  'workers': 4, 'enforcement': 'exact', 'all_subusers': False, 'include_parent': False}),
        (POLICY, {'subusers': None, 'discovered': None, 'exclude': None, 'include_disabled': False, 'region': None,
                  'workers': None, 'enforcement': 'minimum', 'all_subusers': None, 'include_parent': True}),
    ]


@pytest.mark.parametrize('policy, kwargs, message', [
    ({}, {}, 'give at least one of enforced_tls_baseline_policy.require_tls,'
             ' enforced_tls_baseline_policy.require_valid_cert, enforced_tls_baseline_policy.version'),
    (POLICY, {'subusers': [{'name': 'lab', 'exempt': True}]},
     'enforced_tls_baseline_subusers[0] (lab): an exempt subuser needs a "reason", so that reports can say why'),
    (POLICY, {'region': 'us'}, "enforced_tls_baseline_region must be one of global, eu; got 'us'"),
])
def test_plan_error_becomes_a_filter_error(policy, kwargs, message):
    with pytest.raises(AnsibleFilterError) as excinfo:
        enforced_tls_plan(policy, **kwargs)
    assert excinfo.value.message == message
    assert not isinstance(excinfo.value, PlanError)


def test_other_errors_are_not_hidden(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError('username')

    monkeypatch.setattr(plan_filter, 'build_plan', broken)
    with pytest.raises(KeyError):
        enforced_tls_plan(POLICY)


def test_the_plans_warnings_are_shown_as_ansible_warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(plan_filter.display, 'warning', shown.append)
    plan = enforced_tls_plan(POLICY, all_subusers=False)
    assert shown == plan['warnings']
    assert 'so this run covers only the parent account' in shown[0]
    shown[:] = []
    enforced_tls_plan(POLICY, subusers=['a'], all_subusers=False)
    assert shown == []
