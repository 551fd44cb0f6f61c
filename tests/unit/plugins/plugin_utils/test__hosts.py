# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import (
    PARENT_ACCOUNT,
    PlanError,
    build_plan,
    build_report,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._hosts import (
    host_fact,
    host_result,
    index_outcomes,
    plan_inputs,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import account_result, settings

POLICY = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
PLAY_INPUTS = {'enforced_tls_baseline_policy': POLICY, 'enforced_tls_baseline_enforcement': 'minimum'}


def subuser_host(name, **variables):
    return dict({'sendgrid_on_behalf_of': name, 'sendgrid_region': 'global'}, **variables)


def inputs_of(hostvars, play_inputs=None):
    return plan_inputs(list(hostvars), hostvars, play_inputs)


def test_plan_inputs_subusers_regions_and_the_parent():
    hostvars = {'parent': {}, 'a': subuser_host('a'), 'b': subuser_host('b', sendgrid_region='eu'),
                'c': {'sendgrid_on_behalf_of': 'c'}}
    assert inputs_of(hostvars) == {
        'subusers': [{'name': 'a', 'region': 'global'}, {'name': 'b', 'region': 'eu'}, {'name': 'c'}],
        'include_parent': True, 'parent_overrides': {}, 'parent_exempt_reason': None}


def test_plan_inputs_without_a_parent_host():
    assert inputs_of({'a': subuser_host('a')})['include_parent'] is False


def test_plan_inputs_host_policies_exemptions_and_the_parents_own():
    hostvars = {
        'parent': {'enforced_tls_baseline_host_policy': {'version': '1.3'}},
        'a': subuser_host('a', enforced_tls_baseline_host_policy={'version': 1.3, 'require_tls': True}),
        'b': subuser_host('b', enforced_tls_baseline_exempt=True, enforced_tls_baseline_exempt_reason='legacy'),
        'c': subuser_host('c', enforced_tls_baseline_exempt=False),
    }
    inputs = inputs_of(hostvars)
    assert inputs['subusers'] == [
        {'name': 'a', 'region': 'global', 'version': 1.3, 'require_tls': True},
        {'name': 'b', 'region': 'global', 'exempt': True, 'reason': 'legacy'},
        {'name': 'c', 'region': 'global'},
    ]
    assert inputs['parent_overrides'] == {'version': 1.3}


def test_plan_inputs_an_exempt_parent_is_left_out_with_its_reason():
    inputs = inputs_of({'parent': {'enforced_tls_baseline_exempt': True,
                                   'enforced_tls_baseline_exempt_reason': 'shared relay'}})
    assert (inputs['include_parent'], inputs['parent_exempt_reason']) == (False, 'shared relay')


def test_plan_inputs_make_a_plan_with_one_group_per_policy_and_region():
    hostvars = {'parent': {}, 'a': subuser_host('a'), 'b': subuser_host('b', sendgrid_region='eu'),
                'c': subuser_host('c'),
                'd': subuser_host('d', enforced_tls_baseline_host_policy={'version': 1.3})}
    inputs = inputs_of(hostvars)
    plan = build_plan(POLICY, subusers=inputs['subusers'], include_parent=inputs['include_parent'],
                      parent_overrides=inputs['parent_overrides'])
    assert [(group['region'], group['policy']['version'], group['accounts']) for group in plan['groups']] == [
        ('global', 1.2, ['a', 'c']), ('eu', 1.2, ['b']), ('global', 1.3, ['d'])]


@pytest.mark.parametrize('hostvars, message', [
    ({'p1': {}, 'p2': {}}, 'hosts p1 and p2 both stand for the parent account'),
    ({'a': subuser_host('a', enforced_tls_baseline_exempt=True)},
     'host a: an exempt account needs enforced_tls_baseline_exempt_reason'),
    ({'a': subuser_host('a', enforced_tls_baseline_exempt='yes')},
     "host a: enforced_tls_baseline_exempt must be true or false; got 'yes'"),
    ({'a': subuser_host('a', enforced_tls_baseline_exempt=True, enforced_tls_baseline_exempt_reason='x',
                        enforced_tls_baseline_host_policy={'version': 1.3})},
     'host a: an exempt account cannot also have enforced_tls_baseline_host_policy'),
    ({'a': subuser_host('a', enforced_tls_baseline_host_policy=['version'])},
     'host a: enforced_tls_baseline_host_policy must be a dict'),
    ({'a': subuser_host('a', enforced_tls_baseline_host_policy={'versoin': 1.3})},
     'host a: enforced_tls_baseline_host_policy has unknown keys versoin'),
    ({'a': subuser_host('a', enforced_tls_baseline_host_policy={'version': '1.0'})},
     'host a: enforced_tls_baseline_host_policy.version must be one of 1.1, 1.2, 1.3'),
    ({'a': subuser_host('a', sendgrid_region='us')}, "host a: sendgrid_region must be one of global, eu; got 'us'"),
    ({'a': {'sendgrid_on_behalf_of': 42}}, 'host a: sendgrid_on_behalf_of must be a subuser name; got 42'),
])
def test_plan_inputs_refuse_bad_host_variables_naming_host_and_variable(hostvars, message):
    with pytest.raises(PlanError, match='^' + message.replace('(', r'\(').replace(')', r'\)')):
        inputs_of(hostvars)


def test_plan_inputs_refuse_a_play_input_of_a_hosts_own():
    hostvars = {'a': subuser_host('a', enforced_tls_baseline_policy=POLICY),
                'b': subuser_host('b', enforced_tls_baseline_policy=dict(POLICY, version=1.3))}
    with pytest.raises(PlanError, match='^host b has its own enforced_tls_baseline_policy, but it holds for the whole'
                                        ' run; set a per-host policy with enforced_tls_baseline_host_policy'):
        inputs_of(hostvars, PLAY_INPUTS)


def test_plan_inputs_refuse_what_is_not_a_list_of_hosts():
    with pytest.raises(PlanError, match='must be a list of host names'):
        plan_inputs('a,b', {})


def report_of(check_mode, **results):
    """A report of a plan for subusers a (drift), b (compliant, stricter) and c (exempt)."""
    plan = build_plan(POLICY, subusers=['a', 'b', {'name': 'c', 'exempt': True, 'reason': 'legacy'}],
                      include_parent=False)
    after = settings(True, True, 1.2)
    group_results = [{'item': plan['groups'][0], 'check_mode': check_mode, 'results': [
        account_result('a', settings(False, True, 1.2), after, ['require_tls'], check_mode=check_mode),
        account_result('b', settings(True, True, 1.3), settings(True, True, 1.3), [], check_mode=check_mode,
                       stricter=['version']),
    ]}]
    return build_report(plan, group_results=group_results, check_mode=check_mode, generated_at='2026-12-03T12:00:00Z')


def test_index_outcomes_by_account_with_the_runs_mode_and_time():
    outcomes = index_outcomes(report_of(check_mode=True))
    assert sorted(outcomes) == ['a', 'b', 'c']
    assert (outcomes['a']['status'], outcomes['a']['mode'], outcomes['a']['checked_at']) == (
        'drift', 'audit', '2026-12-03T12:00:00Z')


def test_host_result_drift_is_changed_with_its_diff_and_fact():
    outcome = index_outcomes(report_of(check_mode=True))['a']
    result = host_result(outcome, 'a', with_diff=True)
    assert (result['changed'], result.get('failed'), result['status']) == (True, None, 'drift')
    assert result['msg'] == "subuser 'a' is out of policy: require_tls false < true"
    assert result['diff'] == {'before': settings(False, True, 1.2), 'after': settings(True, True, 1.2),
                              'before_header': "Enforced TLS of subuser 'a'",
                              'after_header': "Enforced TLS of subuser 'a'"}
    fact = result['ansible_facts']['sendgrid_enforced_tls']
    # An audit changes nothing: the fact holds the setting as read, not as it would be.
    assert (fact['status'], fact['setting'], fact['mode']) == ('drift', settings(False, True, 1.2), 'audit')


def test_host_result_has_no_diff_outside_diff_mode():
    assert 'diff' not in host_result(index_outcomes(report_of(check_mode=True))['a'], 'a')


def test_host_result_enforced_fact_holds_the_setting_as_left():
    outcome = index_outcomes(report_of(check_mode=False))['a']
    result = host_result(outcome, 'a')
    assert (result['changed'], result['status']) == (True, 'changed')
    assert result['ansible_facts']['sendgrid_enforced_tls']['setting'] == settings(True, True, 1.2)


def test_host_result_compliant_is_ok_and_says_what_it_keeps_stricter():
    result = host_result(index_outcomes(report_of(check_mode=True))['b'], 'b', with_diff=True)
    assert (result['changed'], 'diff' in result, result['status']) == (False, False, 'compliant')
    assert result['msg'] == "subuser 'b' is compliant (stricter than the policy: version 1.3 > 1.2)"
    assert result['ansible_facts']['sendgrid_enforced_tls']['stricter'] == ['version']


def test_host_result_exempt_is_skipped_without_a_fact():
    result = host_result(index_outcomes(report_of(check_mode=True))['c'], 'c')
    assert (result['skipped'], result['changed'], 'ansible_facts' in result) == (True, False, False)
    assert result['skip_reason'] == "subuser 'c' is exempt: legacy"


def test_host_result_failed_is_failed_with_the_reason():
    outcome = {'account': 'a', 'status': 'failed', 'reason': 'HTTP 400', 'before': None, 'after': None}
    result = host_result(outcome, 'a')
    assert (result['failed'], result['changed'], result['msg']) == (True, False, "subuser 'a' failed: HTTP 400")
    assert 'ansible_facts' not in result


def test_host_result_of_the_parent_account():
    outcome = {'account': PARENT_ACCOUNT, 'status': 'drift', 'reason': 'version 1.1 < 1.2',
               'before': settings(True, True, 1.1), 'after': settings(True, True, 1.2), 'mode': 'audit'}
    result = host_result(outcome, None, with_diff=True)
    assert result['msg'] == 'the parent account is out of policy: version 1.1 < 1.2'
    assert result['diff']['before_header'] == 'Enforced TLS of the parent account'


def test_host_result_without_an_outcome_fails_saying_what_to_run():
    result = host_result(None, 'a')
    assert result['failed'] is True
    assert result['msg'].startswith("this batch has no outcome for subuser 'a'; run the batch task")


def test_host_fact_keeps_only_the_documented_keys():
    fact = host_fact(index_outcomes(report_of(check_mode=True))['a'])
    assert sorted(fact) == ['account', 'before', 'checked_at', 'differences', 'enforcement', 'mode', 'policy',
                            'reason', 'region', 'setting', 'status', 'stricter']
