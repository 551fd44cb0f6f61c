# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._host_result import (
    host_fact,
    host_result,
    index_outcomes,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT, Account, build_plan
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import build_report
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import account_result, settings

POLICY = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
CHECKED_AT = '2026-12-03T12:00:00Z'


def report_of(check_mode, enforcement='minimum'):
    """A report of a plan for subusers a (drift), b (compliant, stricter) and c (exempt)."""
    plan = build_plan(POLICY, [Account('a', 'global'), Account('b', 'global'),
                               Account('c', exempt_reason='legacy')], enforcement=enforcement)
    after = settings(True, True, 1.2)
    group_results = [{'check_mode': check_mode, 'results': [
        account_result('a', settings(False, True, 1.2), after, ['require_tls'], check_mode=check_mode),
        account_result('b', settings(True, True, 1.3), settings(True, True, 1.3), [], check_mode=check_mode,
                       stricter=['version']),
    ]}]
    return build_report(plan, group_results=group_results, check_mode=check_mode, generated_at=CHECKED_AT)


def outcome_of(account, check_mode=True):
    return index_outcomes(report_of(check_mode))[account]


def test_index_outcomes_by_account_with_the_runs_mode_time_and_enforcement():
    outcomes = index_outcomes(report_of(check_mode=True, enforcement='exact'))
    assert sorted(outcomes) == ['a', 'b', 'c']
    assert (outcomes['a']['status'], outcomes['a']['mode'], outcomes['a']['checked_at'],
            outcomes['a']['enforcement']) == ('drift', 'audit', CHECKED_AT, 'exact')


def test_index_outcomes_of_a_report_without_accounts():
    assert index_outcomes({'mode': 'audit'}) == {}


def test_host_result_drift_is_changed_with_its_diff_and_fact():
    result = host_result(outcome_of('a'), 'a', with_diff=True)
    assert (result['changed'], result.get('failed'), result['status'], result['account']) == (True, None, 'drift', 'a')
    assert result['msg'] == "subuser 'a' is out of policy: require_tls false < true"
    assert result['diff'] == {'before': settings(False, True, 1.2), 'after': settings(True, True, 1.2),
                              'before_header': "Enforced TLS of subuser 'a'",
                              'after_header': "Enforced TLS of subuser 'a'"}
    fact = result['ansible_facts']['sendgrid_enforced_tls']
    # An audit changes nothing: the fact holds the setting as read, not as it would be.
    assert (fact['status'], fact['setting'], fact['mode']) == ('drift', settings(False, True, 1.2), 'audit')


def test_host_result_has_no_diff_outside_diff_mode():
    assert 'diff' not in host_result(outcome_of('a'), 'a')


def test_host_result_enforced_fact_holds_the_setting_as_left():
    result = host_result(outcome_of('a', check_mode=False), 'a')
    assert (result['changed'], result['status']) == (True, 'changed')
    assert result['msg'] == "subuser 'a' was brought into policy: changed require_tls false -> true"
    assert result['ansible_facts']['sendgrid_enforced_tls']['setting'] == settings(True, True, 1.2)


def test_host_result_compliant_is_ok_and_says_what_it_keeps_stricter():
    result = host_result(outcome_of('b'), 'b', with_diff=True)
    assert (result['changed'], 'diff' in result, result['status']) == (False, False, 'compliant')
    assert result['msg'] == "subuser 'b' is compliant (stricter than the policy: version 1.3 > 1.2)"
    assert result['ansible_facts']['sendgrid_enforced_tls']['stricter'] == ['version']


def test_host_result_compliant_without_a_reason():
    outcome = {'account': 'account-id 42', 'status': 'compliant', 'reason': None}
    assert host_result(outcome, 'account-id 42')['msg'] == "customer account '42' is compliant"


def test_host_result_exempt_is_skipped_without_a_fact():
    result = host_result(outcome_of('c'), 'c')
    assert (result['skipped'], result['changed'], 'ansible_facts' in result) == (True, False, False)
    assert result['skip_reason'] == result['msg'] == "subuser 'c' is exempt: legacy"


def test_host_result_failed_is_failed_with_the_reason():
    outcome = {'account': 'a', 'status': 'failed', 'reason': 'HTTP 400', 'before': None, 'after': None}
    result = host_result(outcome, 'a', with_diff=True)
    assert (result['failed'], result['changed'], result['msg']) == (True, False, "subuser 'a' failed: HTTP 400")
    assert 'ansible_facts' not in result and 'diff' not in result


def test_host_result_of_the_parent_account():
    outcome = {'account': PARENT_ACCOUNT, 'status': 'drift', 'reason': 'version 1.1 < 1.2',
               'before': settings(True, True, 1.1), 'after': settings(True, True, 1.2), 'mode': 'audit'}
    result = host_result(outcome, None, with_diff=True)
    assert result['msg'] == 'the parent account is out of policy: version 1.1 < 1.2'
    assert result['diff']['before_header'] == 'Enforced TLS of the parent account'


@pytest.mark.parametrize('account, named', [('a', "subuser 'a'"), (None, 'the parent account')])
def test_host_result_without_an_outcome_fails_saying_what_to_run(account, named):
    result = host_result(None, account)
    assert (result['failed'], result['changed']) == (True, False)
    assert result['msg'] == (
        'this batch has no outcome for {0}; run the fleet step for this play batch first (the role'
        ' mailops.sendgrid.enforced_tls_baseline, tasks_from: hosts, does)'.format(named))


def test_host_fact_keeps_only_the_documented_keys():
    fact = host_fact(outcome_of('a'))
    assert sorted(fact) == ['account', 'before', 'checked_at', 'differences', 'enforcement', 'mode', 'policy',
                            'reason', 'region', 'setting', 'status', 'stricter', 'tls_blocks']
    assert (fact['region'], fact['policy'], fact['checked_at'], fact['differences']) == (
        'global', POLICY, CHECKED_AT, ['require_tls'])
    # Not read in this run.
    assert fact['tls_blocks'] is None


def test_host_fact_has_the_accounts_tls_blocks_when_the_run_read_them():
    blocks = {'count': 2, 'domains': [{'domain': 'old.example', 'blocks': 2}], 'more_domains': 0,
              'first_blocked': '2026-12-06T08:00:00Z', 'last_blocked': '2026-12-06T08:00:00Z'}
    assert host_fact(dict(outcome_of('a'), tls_blocks=blocks))['tls_blocks'] == blocks
