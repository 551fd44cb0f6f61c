# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import (
    PARENT_ACCOUNT,
    Account,
    accounts_from_inputs,
    build_plan,
    check_exclude,
    discovered_accounts,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import (
    APPLIED_DESPITE_ERROR,
    BLOCK_COUNTS,
    STATUS_ORDER,
    account_blocks,
    accounts_read,
    attach_blocks,
    attach_exempt_settings,
    build_report,
    custom_stats,
    drift_message,
    failed_message,
    merge_reports,
    ran_in_check_mode,
    summarize,
    summary_line,
    verdict,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    account_result,
    failed_result,
    settings,
)

POLICY = {'require_tls': True, 'version': 1.2}
TLS12 = {'require_tls': True, 'version': 1.2}
TLS13 = {'require_tls': True, 'version': 1.3}
OLD = settings(False, False, 1.1)
NEW = settings(True, False, 1.2)
NEW13 = settings(True, False, 1.3)
PARENT = Account(None)
FORBIDDEN = "GET /v3/user/settings/enforced_tls for subuser 'c' failed with HTTP 403 Forbidden"


def plan_of(policy=None, subusers=(), discovered=None, exclude=(), **kwargs):
    policy = POLICY if policy is None else policy
    listing = discovered_accounts(discovered) if discovered is not None else None
    return build_plan(policy, accounts_from_inputs(list(subusers)), discovered=listing,
                      exclude=check_exclude(list(exclude)), **kwargs)


def call(plan, results, check_mode=False, group=0):
    """The result of the batch call of the plan's group ``group``."""
    assert [result['account'] for result in results] == plan['groups'][group]['accounts']
    return {'changed': any(result['changed'] for result in results), 'failed': any(r['failed'] for r in results),
            'check_mode': check_mode, 'results': results}


def parent_result(before, after, differences, check_mode=False, **extra):
    result = account_result(None, before, after, differences, check_mode)
    return dict({'changed': result['changed'], 'enforced_tls': after, 'before': before, 'differences': differences,
                 'stricter': [], 'account': None, 'msg': result['msg'], 'check_mode': check_mode}, **extra)


def entry(account, status, region=None, policy=None, before=None, after=None, differences=None, reason=None,
          stricter=None):
    return {'account': account, 'region': region, 'policy': policy, 'status': status, 'before': before,
            'after': after, 'differences': differences or [], 'stricter': stricter or [], 'reason': reason}


def statuses(report):
    return [(item['account'], item['status']) for item in report['accounts']]


def counts(total=0, failed=0, drift=0, changed=0, exempt=0, compliant=0, stricter=0):
    return {'total': total, 'failed': failed, 'drift': drift, 'changed': changed, 'exempt': exempt,
            'compliant': compliant, 'out_of_policy': failed + drift, 'stricter': stricter}


@pytest.fixture
def plan():
    return plan_of(subusers=['a', 'b', 'c', {'name': 'd', 'version': 1.3, 'region': 'eu'},
                             {'name': 'lab', 'exempt': True, 'reason': 'test traffic'}, 'gone'],
                   discovered=[{'username': 'off', 'disabled': True}], exclude=['gone'], parent=PARENT)


def group_results(plan, check_mode=False):
    return [
        call(plan, [account_result('a', OLD, NEW, ['require_tls', 'version'], check_mode),
                    account_result('b', NEW, NEW, [], check_mode),
                    failed_result('c', FORBIDDEN)], check_mode),
        call(plan, [account_result('d', NEW, NEW13, ['version'], check_mode)], check_mode, group=1),
    ]


# ---------------------------------------------------------------------------
# build_report
# ---------------------------------------------------------------------------

def test_build_report_enforce(plan):
    report = build_report(plan, parent_result=parent_result(NEW, NEW, []), group_results=group_results(plan),
                          generated_at='2026-01-02T03:04:05Z')
    assert report == {
        'report_version': 1,
        'mode': 'enforce',
        'generated_at': '2026-01-02T03:04:05Z',
        'policy': TLS12,
        'enforcement': 'minimum',
        'warnings': [],
        'summary': counts(total=6, failed=1, changed=2, exempt=1, compliant=2),
        'excluded': ['gone'],
        'disabled': ['off'],
        'batches': [{'region': None, 'policy': TLS12, 'accounts': 3}, {'region': 'eu', 'policy': TLS13, 'accounts': 1}],
        'accounts': [
            entry('c', 'failed', policy=TLS12, reason=FORBIDDEN),
            entry('a', 'changed', policy=TLS12, before=OLD, after=NEW, differences=['require_tls', 'version'],
                  reason='changed require_tls false -> true, version 1.1 -> 1.2'),
            entry('d', 'changed', region='eu', policy=TLS13, before=NEW, after=NEW13, differences=['version'],
                  reason='changed version 1.2 -> 1.3'),
            entry('lab', 'exempt', reason='test traffic'),
            entry(PARENT_ACCOUNT, 'compliant', policy=TLS12, before=NEW, after=NEW),
            entry('b', 'compliant', policy=TLS12, before=NEW, after=NEW),
        ],
    }


def test_build_report_audit(plan):
    report = build_report(plan, parent_result=parent_result(OLD, NEW, ['require_tls', 'version'], check_mode=True),
                          group_results=group_results(plan, check_mode=True))
    assert report['mode'] == 'audit'
    assert report['generated_at'] is None
    assert statuses(report) == [('c', 'failed'), (PARENT_ACCOUNT, 'drift'), ('a', 'drift'), ('d', 'drift'),
                                ('lab', 'exempt'), ('b', 'compliant')]
    assert report['summary'] == counts(total=6, failed=1, drift=3, exempt=1, compliant=1)
    assert report['accounts'][1]['reason'] == 'require_tls false < true, version 1.1 < 1.2'
    assert (report['accounts'][1]['before'], report['accounts'][1]['after']) == (OLD, NEW)


def test_status_order():
    assert STATUS_ORDER == ('failed', 'drift', 'changed', 'exempt', 'compliant')


@pytest.mark.parametrize('reported, default, mode, status', [
    (True, False, 'audit', 'drift'),
    (True, True, 'audit', 'drift'),
    (False, True, 'enforce', 'changed'),
    (False, False, 'enforce', 'changed'),
])
def test_build_report_check_mode_comes_from_the_results_over_the_default(plan, reported, default, mode, status):
    report = build_report(plan, group_results=group_results(plan, check_mode=reported), check_mode=default)
    assert report['mode'] == mode
    assert [item['status'] for item in report['accounts'] if item['account'] in ('a', 'd')] == [status, status]


@pytest.mark.parametrize('default, mode, status', [(True, 'audit', 'drift'), (False, 'enforce', 'changed')])
def test_build_report_check_mode_default_when_no_result_says(plan, default, mode, status):
    results = group_results(plan)
    for result in results:
        del result['check_mode']
    report = build_report(plan, group_results=results, check_mode=default)
    assert report['mode'] == mode
    assert report['summary'][status] == 2


@pytest.mark.parametrize('failure, reason', [
    ({'failed': True, 'msg': "subusers lists 'a' more than once"}, "subusers lists 'a' more than once"),
    # A call that says it did not fail, but has no results: it did not try its accounts.
    ({'failed': False, 'msg': 'api_key is required'}, 'api_key is required'),
    ({'failed': True}, 'the task failed without a message'),
    ({'failed': True, 'msg': '', 'results': None}, 'the task failed without a message'),
])
def test_build_report_group_without_results_fails_all_its_accounts(plan, failure, reason):
    results = group_results(plan)
    results[0] = dict(failure, changed=False)
    report = build_report(plan, group_results=results)
    assert report['accounts'][:3] == [entry(name, 'failed', policy=TLS12, reason=reason) for name in ('a', 'b', 'c')]
    assert report['summary'] == counts(total=5, failed=3, changed=1, exempt=1)


def test_build_report_group_with_failed_accounts_keeps_the_others(plan):
    results = group_results(plan)
    results[0]['msg'] = 'Could not enforce TLS on 1 of 3 accounts: c.'
    report = build_report(plan, group_results=results)
    assert statuses(report) == [('c', 'failed'), ('a', 'changed'), ('d', 'changed'), ('lab', 'exempt'),
                                ('b', 'compliant')]
    assert report['accounts'][0]['reason'] == FORBIDDEN


def test_build_report_without_a_parent_result(plan):
    report = build_report(plan, parent_result=None, group_results=group_results(plan))
    assert PARENT_ACCOUNT not in [item['account'] for item in report['accounts']]
    assert report['summary']['total'] == 5


def test_build_report_a_parent_result_of_a_plan_without_the_parent_is_ignored():
    plan = plan_of(subusers=['a'])
    report = build_report(plan, parent_result=parent_result(OLD, NEW, ['require_tls']),
                          group_results=[call(plan, [account_result('a', NEW, NEW, [])])])
    assert statuses(report) == [('a', 'compliant')]


def test_build_report_changed_parent(plan):
    report = build_report(plan, parent_result=parent_result(OLD, NEW, ['require_tls', 'version']), group_results=[])
    assert report['accounts'] == [
        entry(PARENT_ACCOUNT, 'changed', policy=TLS12, before=OLD, after=NEW, differences=['require_tls', 'version'],
              reason='changed require_tls false -> true, version 1.1 -> 1.2'),
        entry('lab', 'exempt', reason='test traffic'),
    ]


@pytest.mark.parametrize('result, reason', [
    ({'failed': True, 'changed': False, 'msg': 'GET /v3/user/settings/enforced_tls for the parent account failed'
      ' with HTTP 401 Unauthorized', 'status': 401},
     'GET /v3/user/settings/enforced_tls for the parent account failed with HTTP 401 Unauthorized'),
    # Failed is false, but there is no setting in the result.
    ({'failed': False, 'changed': False, 'msg': 'no connection'}, 'no connection'),
    ({'failed': True, 'enforced_tls': NEW, 'msg': 'not confirmed'}, 'not confirmed'),
    ({'failed': True}, 'the task failed without a message'),
    ({'skipped': True, 'changed': False}, 'the task failed without a message'),
])
def test_build_report_failed_parent(plan, result, reason):
    report = build_report(plan, parent_result=result, group_results=group_results(plan))
    assert report['accounts'][0] == entry(PARENT_ACCOUNT, 'failed', policy=TLS12, reason=reason)
    assert report['accounts'][1]['account'] == 'c'
    assert report['summary']['failed'] == 2
    assert report['summary']['out_of_policy'] == 2


def test_build_report_empty_plan():
    report = build_report(build_plan(POLICY))
    assert report == {'report_version': 1, 'mode': 'enforce', 'generated_at': None, 'policy': TLS12,
                      'enforcement': 'minimum', 'warnings': [], 'summary': counts(), 'excluded': [], 'disabled': [],
                      'batches': [], 'accounts': []}
    assert build_report(build_plan(POLICY), check_mode=True)['mode'] == 'audit'


def test_build_report_sorts_every_status_in_order_keeping_processing_order():
    plan = plan_of(subusers=['c1', 'f1', 'd1', 'c2', 'x1', 'f2', 'd2',
                             {'name': 'e1', 'exempt': True, 'reason': 'r1'},
                             {'name': 'e2', 'exempt': True, 'reason': 'r2'}])
    results = [
        account_result('c1', NEW, NEW, []),
        failed_result('f1', 'boom 1'),
        account_result('d1', OLD, NEW, ['require_tls']),
        account_result('c2', NEW, NEW, []),
        account_result('x1', OLD, NEW, ['version']),
        failed_result('f2', 'boom 2'),
        account_result('d2', OLD, NEW, ['require_tls']),
    ]
    enforce = build_report(plan, group_results=[call(plan, results, check_mode=False)])
    assert statuses(enforce) == [
        ('f1', 'failed'), ('f2', 'failed'), ('d1', 'changed'), ('x1', 'changed'), ('d2', 'changed'),
        ('e1', 'exempt'), ('e2', 'exempt'), ('c1', 'compliant'), ('c2', 'compliant')]
    audit = build_report(plan, group_results=[call(plan, results, check_mode=True)])
    assert [item['status'] for item in audit['accounts']] == [
        'failed', 'failed', 'drift', 'drift', 'drift', 'exempt', 'exempt', 'compliant', 'compliant']
    assert audit['summary'] == counts(total=9, failed=2, drift=3, exempt=2, compliant=2)


def test_build_report_refused_accounts_fail_after_the_calls_failures():
    plan = plan_of(subusers=['a', 'f'], discovered=[{'username': 'bad\nname', 'region': 'eu'}])
    report = build_report(plan, group_results=[call(plan, [account_result('a', NEW, NEW, []),
                                                           failed_result('f', 'boom')])])
    refusal = plan['refused'][0]['reason']
    assert report['accounts'][:2] == [entry('f', 'failed', policy=TLS12, reason='boom'),
                                      entry('bad\nname', 'failed', region='eu', reason=refusal)]
    assert report['summary'] == counts(total=3, failed=2, compliant=1)


def test_build_report_stricter_accounts_are_compliant_and_say_so():
    policy = {'require_tls': True, 'require_valid_cert': False, 'version': 1.2}
    plan = plan_of(policy, subusers=['strict', 'partly', 'exact'])
    strict = settings(True, True, 1.3)
    results = [
        account_result('strict', strict, strict, [], stricter=['require_valid_cert', 'version']),
        account_result('partly', settings(False, True, 1.2), settings(True, True, 1.2), ['require_tls'],
                       stricter=['require_valid_cert']),
        account_result('exact', settings(True, False, 1.2), settings(True, False, 1.2), []),
    ]
    report = build_report(plan, group_results=[call(plan, results)])
    by_account = {item['account']: item for item in report['accounts']}
    assert by_account['strict']['status'] == 'compliant'
    assert by_account['strict']['stricter'] == ['require_valid_cert', 'version']
    assert by_account['strict']['reason'] == ('stricter than the policy: require_valid_cert true > false,'
                                              ' version 1.3 > 1.2')
    assert by_account['partly']['status'] == 'changed'
    assert by_account['partly']['reason'] == ('changed require_tls false -> true; stricter than the policy:'
                                              ' require_valid_cert true > false')
    assert by_account['exact']['reason'] is None
    # 2 compliant (1 stricter than the policy): the changed one that keeps a stricter setting is counted as changed.
    assert report['summary'] == counts(total=3, changed=1, compliant=2, stricter=1)


def test_build_report_exact_drift_says_how_a_stricter_account_would_be_loosened():
    plan = plan_of(subusers=['strict'], enforcement='exact')
    results = [account_result('strict', settings(True, True, 1.3), settings(True, True, 1.2), ['version'],
                              check_mode=True)]
    report = build_report(plan, group_results=[call(plan, results, check_mode=True)])
    assert report['enforcement'] == 'exact'
    assert report['accounts'][0]['status'] == 'drift'
    assert report['accounts'][0]['reason'] == 'version 1.3 > 1.2'


def test_build_report_stricter_parent(plan):
    report = build_report(plan, parent_result=parent_result(NEW13, NEW13, [], stricter=['version']),
                          group_results=[])
    assert report['accounts'][-1] == entry(PARENT_ACCOUNT, 'compliant', policy=TLS12, before=NEW13, after=NEW13,
                                           stricter=['version'], reason='stricter than the policy: version 1.3 > 1.2')


def test_build_report_carries_the_warnings_it_is_given():
    assert build_report(build_plan(POLICY), warnings=('only the parent account',))['warnings'] == [
        'only the parent account']


def test_build_report_an_update_applied_despite_an_error_answer_says_so():
    plan = plan_of(subusers=['warned', 'plain'])
    warned = account_result('warned', OLD, NEW, ['require_tls', 'version'])
    # As the module says it: a warning, and the flag.
    warned['warnings'] = ["SendGrid answered the update of subuser 'warned' with an error, but reading the setting"
                          " back (one read) shows the values asked for"]
    warned['applied_despite_error'] = True
    results = [warned, account_result('plain', OLD, NEW, ['require_tls', 'version'])]
    report = build_report(plan, group_results=[call(plan, results)])
    reasons = {item['account']: item['reason'] for item in report['accounts']}
    assert reasons == {
        'warned': 'changed require_tls false -> true, version 1.1 -> 1.2; ' + APPLIED_DESPITE_ERROR,
        'plain': 'changed require_tls false -> true, version 1.1 -> 1.2',
    }
    assert report['summary']['changed'] == 2


def test_build_report_other_warnings_of_a_call_add_no_note():
    plan = plan_of(parent=PARENT)
    parent = parent_result(NEW, NEW, [], applied_despite_error=False,
                           warnings=['validate_certs is false: the connection is not verified'])
    assert build_report(plan, parent_result=parent)['accounts'][0]['reason'] is None
    applied = build_report(plan, parent_result=dict(parent, applied_despite_error=True))
    assert applied['accounts'][0]['reason'] == APPLIED_DESPITE_ERROR


def test_build_report_an_exempt_parent_account_is_reported_exempt():
    plan = plan_of(subusers=['a'], parent=Account(None, exempt_reason='shared relay'))
    report = build_report(plan, group_results=[call(plan, [account_result('a', NEW, NEW, [])])])
    assert statuses(report) == [(PARENT_ACCOUNT, 'exempt'), ('a', 'compliant')]


def test_build_report_the_parent_account_is_held_to_its_own_policy():
    plan = plan_of(parent=Account(None, 'eu', {'version': 1.3}))
    parent = {'changed': True, 'check_mode': True, 'before': settings(True, True, 1.2),
              'enforced_tls': settings(True, True, 1.3), 'differences': ['version'], 'stricter': []}
    item = build_report(plan, parent_result=parent)['accounts'][0]
    assert (item['status'], item['region'], item['policy']['version'], item['reason']) == (
        'drift', 'eu', 1.3, 'version 1.2 < 1.3')


# ---------------------------------------------------------------------------
# ran_in_check_mode, summarize
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('results, default, expected', [
    ([], False, False),
    ([], True, True),
    ([None, {'changed': True}, {'skipped': True}], True, True),
    ([None, {'changed': True}], False, False),
    ([{'check_mode': False}], True, False),
    ([None, {'check_mode': True}], False, True),
    ([{'check_mode': False}, {'failed': True}, {'check_mode': True}], False, True),
    ([{}, {'check_mode': False}, {'check_mode': False}], True, False),
])
def test_ran_in_check_mode(results, default, expected):
    assert ran_in_check_mode(results, default) is expected


def test_summarize():
    entries = [{'status': 'failed', 'stricter': []}, {'status': 'drift', 'stricter': ['version']},
               {'status': 'drift', 'stricter': []}, {'status': 'compliant', 'stricter': ['version']},
               {'status': 'exempt', 'stricter': []}]
    # stricter: of the compliant accounts (a drifted one stricter on another field is drift only).
    assert summarize(entries) == counts(total=5, failed=1, drift=2, exempt=1, compliant=1, stricter=1)


# ---------------------------------------------------------------------------
# merge_reports: the serial batches of a play
# ---------------------------------------------------------------------------

def batch_report(names, check_mode=True, generated_at='2026-01-01T00:00:00Z', warnings=(), **kwargs):
    """The report of a batch in which names starting with ``d`` drifted, ``f`` failed, ``e`` are exempt."""
    subusers = [{'name': name, 'exempt': True, 'reason': 'r'} if name.startswith('e') else name for name in names]
    plan = plan_of(subusers=subusers, **kwargs)
    results = [failed_result(name, 'boom ' + name) if name.startswith('f')
               else account_result(name, OLD, NEW, ['require_tls'] if name.startswith('d') else [], check_mode)
               for name in plan['groups'][0]['accounts']] if plan['groups'] else []
    calls = [call(plan, results, check_mode)] if plan['groups'] else []
    return build_report(plan, group_results=calls, check_mode=check_mode, generated_at=generated_at,
                        warnings=warnings)


def test_merge_reports_of_nothing_earlier_is_the_later_one():
    later = batch_report(['c1'])
    assert merge_reports(None, later) is later


def test_merge_reports_adds_up_both_batches():
    earlier = batch_report(['c1', 'd1', 'e1', 'y'], warnings=['w1', 'w2'], exclude=['y'],
                           discovered=[{'username': 'off', 'disabled': True}])
    later = batch_report(['f2', 'c2', 'd2', 'x'], generated_at='2026-01-01T00:05:00Z', warnings=['w2', 'w3'],
                         exclude=['x'])
    merged = merge_reports(earlier, later)
    assert statuses(merged) == [('f2', 'failed'), ('d1', 'drift'), ('d2', 'drift'), ('e1', 'exempt'),
                                ('c1', 'compliant'), ('c2', 'compliant')]
    assert merged['summary'] == counts(total=6, failed=1, drift=2, exempt=1, compliant=2)
    assert (merged['generated_at'], merged['mode']) == ('2026-01-01T00:05:00Z', 'audit')
    assert merged['warnings'] == ['w1', 'w2', 'w3']
    assert (merged['excluded'], merged['disabled']) == (['y', 'x'], ['off'])
    assert [batch['accounts'] for batch in merged['batches']] == [2, 3]
    # The parts are left as they were.
    assert earlier['summary']['total'] == 3 and later['summary']['total'] == 3


# ---------------------------------------------------------------------------
# What a report publishes and says
# ---------------------------------------------------------------------------

def test_custom_stats_are_flat_integers_once_for_the_run():
    assert custom_stats(counts(total=7, failed=1, drift=2, changed=1, exempt=1, compliant=2, stricter=1)) == {
        'per_host': False, 'aggregate': True, 'data': {
            'enforced_tls_total': 7, 'enforced_tls_failed': 1, 'enforced_tls_drift': 2, 'enforced_tls_changed': 1,
            'enforced_tls_exempt': 1, 'enforced_tls_compliant': 2, 'enforced_tls_out_of_policy': 3,
            'enforced_tls_stricter': 1}}


def test_custom_stats_count_what_a_summary_leaves_out_as_zero():
    assert set(custom_stats({'total': 2})['data'].values()) == {2, 0}


@pytest.mark.parametrize('names, check_mode, report_file, line', [
    (['c1', 'd1', 'e1', 'f1'], True, None,
     'Enforced TLS audit: 4 accounts, 1 compliant, 0 changed, 1 drift, 1 exempt, 1 failed.'),
    (['c1', 'd1'], False, '/srv/r/enforced-tls-report.md',
     'Enforced TLS enforcement: 2 accounts, 1 compliant, 1 changed, 0 drift, 0 exempt, 0 failed.'
     ' Report: /srv/r/enforced-tls-report.md'),
])
def test_summary_line(names, check_mode, report_file, line):
    assert summary_line(batch_report(names, check_mode=check_mode), report_file) == line


def test_summary_line_counts_the_stricter_accounts():
    report = batch_report(['c1'])
    report['summary']['stricter'] = 1
    assert summary_line(report) == ('Enforced TLS audit: 1 accounts, 1 compliant (1 stricter than the policy),'
                                    ' 0 changed, 0 drift, 0 exempt, 0 failed.')


def test_failed_message_names_the_failed_accounts_and_the_first_error():
    assert failed_message(batch_report(['c1', 'd1'])) is None
    assert failed_message(batch_report(['c1', 'f1', 'f2'])) == '2 account(s) failed: f1, f2. First error: boom f1'


def test_failed_message_names_the_first_twenty():
    names = ['f{0:02d}'.format(index) for index in range(23)]
    assert failed_message(batch_report(names)) == '23 account(s) failed: {0}, and 3 more. First error: boom f00'.format(
        ', '.join(names[:20]))


def test_drift_message_says_how_each_account_stands():
    assert drift_message(batch_report(['c1', 'f1'])) is None
    assert drift_message(batch_report(['d1', 'c1', 'd2'])) == (
        '2 account(s) out of policy: d1: require_tls false < true; d2: require_tls false < true')
    names = ['d{0:02d}'.format(index) for index in range(21)]
    assert drift_message(batch_report(names)).endswith('d19: require_tls false < true; and 1 more')


@pytest.mark.parametrize('names, fail_on_drift, expected', [
    (['c1', 'e1'], True, None),
    (['c1', 'd1'], False, None),
    (['c1', 'd1'], True, '1 account(s) out of policy: d1: require_tls false < true'),
    (['f1', 'd1'], False, '1 account(s) failed: f1. First error: boom f1'),
    (['f1', 'd1'], True, '1 account(s) failed: f1. First error: boom f1. 1 account(s) out of policy: d1: require_tls'
                         ' false < true'),
])
def test_verdict(names, fail_on_drift, expected):
    assert verdict(batch_report(names), fail_on_drift) == expected


@pytest.mark.parametrize('names, read', [(['c1', 'd1', 'f1', 'e1'], 3), (['e1', 'e2'], 0), ([], 0)])
def test_accounts_read_are_all_but_the_exempt_ones(names, read):
    assert accounts_read(batch_report(names)) == read


# ---------------------------------------------------------------------------
# TLS blocks: account_blocks, attach_blocks, and the counts and line of a report with them
# ---------------------------------------------------------------------------

SINCE = '2026-12-03T11:00:00Z'
UNREAD = {'failed': True, 'msg': 'HTTP 403 Forbidden'}


def tls_blocks(count, domains=(), more_domains=0):
    """An account's TLS blocks as account_blocks gives them: ``domains`` (domain, blocks) pairs."""
    return {'domains': [{'domain': domain, 'blocks': blocks} for domain, blocks in domains],
            'more_domains': more_domains, 'first_blocked': '2026-12-03T11:10:00Z' if count else None,
            'last_blocked': '2026-12-03T11:50:00Z' if count else None, 'count': count}


def blocks_entry(account, count, domains=()):
    """An account's entry of sendgrid_tls_blocks_info's ``accounts``, read without error."""
    return {'account': account, 'failed': False, 'complete': True, 'msg': '{0} TLS blocks'.format(count),
            'tls_blocks': count, 'domains': [{'domain': domain, 'blocks': blocks} for domain, blocks in domains],
            'more_domains': 0, 'first_blocked': '2026-12-03T11:10:00Z' if count else None,
            'last_blocked': '2026-12-03T11:50:00Z' if count else None,
            'other_blocks': {'count': 4, 'reasons': [{'reason': 'mailbox full', 'blocks': 4}]}}


def with_blocks(report, blocks, since=SINCE):
    return attach_blocks(report, blocks, since)


def test_block_counts():
    assert BLOCK_COUNTS == ('tls_blocks', 'with_tls_blocks', 'tls_blocks_unread')


def test_summarize_counts_the_tls_blocks_of_the_accounts_read():
    entries = [dict(entry('a', 'changed'), tls_blocks=tls_blocks(3, [('old.example', 3)])),
               dict(entry('b', 'compliant'), tls_blocks=tls_blocks(0)),
               dict(entry('c', 'failed'), tls_blocks=UNREAD),
               dict(entry('d', 'drift'), tls_blocks=tls_blocks(2, [('legacy.example', 2)])),
               dict(entry('e', 'compliant'), tls_blocks=None),
               entry('x', 'exempt')]
    assert summarize(entries) == dict(counts(total=6, failed=1, drift=1, changed=1, exempt=1, compliant=2),
                                      tls_blocks=5, with_tls_blocks=2, tls_blocks_unread=1)


def test_summarize_has_no_block_counts_when_no_account_had_its_blocks_read():
    entries = [dict(entry('a', 'compliant'), tls_blocks=None), entry('x', 'exempt')]
    assert summarize(entries) == counts(total=2, exempt=1, compliant=1)
    assert not set(BLOCK_COUNTS) & set(summarize([]))


def test_account_blocks_of_an_account_read_keeps_its_tls_blocks_only():
    result = blocks_entry('a', 3, [('old.example', 2), ('legacy.example', 1)])
    assert account_blocks(dict(result, more_domains=4)) == {
        'count': 3, 'domains': [{'domain': 'old.example', 'blocks': 2}, {'domain': 'legacy.example', 'blocks': 1}],
        'more_domains': 4, 'first_blocked': '2026-12-03T11:10:00Z', 'last_blocked': '2026-12-03T11:50:00Z'}


@pytest.mark.parametrize('result', [blocks_entry('b', 0), {'account': 'b', 'failed': False, 'tls_blocks': None}])
def test_account_blocks_of_an_account_without_tls_blocks_counts_none(result):
    assert account_blocks(result)['count'] == 0
    assert 'failed' not in account_blocks(result)


@pytest.mark.parametrize('result, msg', [
    ({'account': 'c', 'failed': True, 'msg': 'HTTP 403 Forbidden', 'status': 403, 'api_messages': ['no scope']},
     'HTTP 403 Forbidden'),
    ({'account': 'c', 'failed': True, 'tls_blocks': 7}, 'reading the blocks list failed'),
    ({'failed': True, 'msg': None}, 'reading the blocks list failed'),
])
def test_account_blocks_of_a_failed_read_is_its_message(result, msg):
    assert account_blocks(result) == {'failed': True, 'msg': msg}


def test_attach_blocks_puts_each_accounts_blocks_into_its_entry_and_counts_them():
    report = batch_report(['c1', 'd1', 'f1', 'e1'])
    blocks = {'c1': tls_blocks(0), 'd1': tls_blocks(4, [('old.example', 4)]), 'f1': UNREAD,
              'not-in-report': tls_blocks(9)}
    attached = attach_blocks(report, blocks, SINCE, '2026-12-03T12:00:00Z')
    by_account = {item['account']: item for item in attached['accounts']}
    assert {name: item.get('tls_blocks', 'none') for name, item in by_account.items()} == {
        'c1': tls_blocks(0), 'd1': tls_blocks(4, [('old.example', 4)]), 'f1': UNREAD, 'e1': 'none'}
    assert attached['summary'] == dict(report['summary'], tls_blocks=4, with_tls_blocks=1, tls_blocks_unread=1)
    assert (attached['blocks_since'], attached['blocks_until']) == (SINCE, '2026-12-03T12:00:00Z')
    assert statuses(attached) == statuses(report)
    assert {key: value for key, value in attached.items() if key not in ('accounts', 'summary', 'blocks_since',
                                                                         'blocks_until')} == {
        key: value for key, value in report.items() if key not in ('accounts', 'summary')}
    # The report given is left as it was.
    assert 'blocks_since' not in report and 'tls_blocks' not in report['summary']
    assert not [item for item in report['accounts'] if 'tls_blocks' in item]


def test_attach_blocks_reads_up_to_now_by_default():
    assert attach_blocks(batch_report(['c1']), {'c1': tls_blocks(0)}, SINCE)['blocks_until'] is None


def test_merge_reports_keeps_the_earliest_blocks_since_and_counts_the_blocks_of_both():
    early = with_blocks(batch_report(['c1', 'f1']), {'c1': tls_blocks(2, [('old.example', 2)]), 'f1': UNREAD},
                        since='2026-12-03T09:59:00Z')
    late = with_blocks(batch_report(['c2', 'd2']), {'c2': tls_blocks(0), 'd2': tls_blocks(1, [('a.example', 1)])},
                       since='2026-12-03T10:04:00Z')
    for earlier, later in ((early, late), (late, early)):
        merged = merge_reports(earlier, later)
        assert merged['blocks_since'] == '2026-12-03T09:59:00Z'
        assert merged['summary'] == dict(counts(total=4, failed=1, drift=1, compliant=2), tls_blocks=3,
                                         with_tls_blocks=2, tls_blocks_unread=1)
    assert (early['blocks_since'], late['blocks_since']) == ('2026-12-03T09:59:00Z', '2026-12-03T10:04:00Z')


def test_merge_reports_without_blocks_has_no_blocks_since():
    merged = merge_reports(batch_report(['c1']), batch_report(['c2']))
    assert 'blocks_since' not in merged
    assert not set(BLOCK_COUNTS) & set(merged['summary'])


def test_custom_stats_publish_the_block_counts_when_the_blocks_were_read():
    summary = dict(counts(total=3, compliant=3), tls_blocks=5, with_tls_blocks=2, tls_blocks_unread=0)
    data = custom_stats(summary)['data']
    assert {name: data[name] for name in data if 'blocks' in name} == {
        'enforced_tls_tls_blocks': 5, 'enforced_tls_with_tls_blocks': 2, 'enforced_tls_tls_blocks_unread': 0}
    assert data['enforced_tls_total'] == 3
    assert not [name for name in custom_stats(counts(total=3))['data'] if 'blocks' in name]


@pytest.mark.parametrize('blocks, report_file, ending', [
    ({'c1': tls_blocks(0), 'd1': tls_blocks(3, [('old.example', 3)])}, None,
     ' TLS blocks since 2026-12-03T11:00:00Z: 3 at 1 accounts.'),
    ({'c1': tls_blocks(0), 'd1': tls_blocks(0)}, None, ' TLS blocks since 2026-12-03T11:00:00Z: 0 at 0 accounts.'),
    ({'c1': tls_blocks(1, [('old.example', 1)]), 'd1': UNREAD}, '/srv/r/enforced-tls-report.md',
     ' TLS blocks since 2026-12-03T11:00:00Z: 1 at 1 accounts (1 could not be read).'
     ' Report: /srv/r/enforced-tls-report.md'),
])
def test_summary_line_says_the_tls_blocks_when_they_were_read(blocks, report_file, ending):
    report = batch_report(['c1', 'd1'])
    assert summary_line(with_blocks(report, blocks), report_file) == summary_line(report) + ending


def test_attach_exempt_settings_shows_each_exempt_accounts_setting_as_read():
    plan = plan_of(subusers=['a', {'name': 'x', 'exempt': True, 'reason': 'legacy'},
                             {'name': 'y', 'exempt': True, 'reason': 'vendor'}])
    compliant = account_result('a', settings(True, True, 1.2), settings(True, True, 1.2), [])
    report = build_report(plan, group_results=[call(plan, [compliant])])
    read = {'x': {'status': 'compliant', 'before': settings(False, False, 1.1), 'reason': None},
            'y': {'status': 'failed', 'before': None, 'reason': 'HTTP 403 for y'},
            'a': {'status': 'drift', 'before': settings(False, False, 1.1), 'reason': None}}
    shown = {entry['account']: entry for entry in attach_exempt_settings(report, read)['accounts']}
    assert (shown['x']['status'], shown['x']['before'], shown['x']['after'], shown['x']['reason']) == (
        'exempt', settings(False, False, 1.1), settings(False, False, 1.1), 'legacy')
    # A read that failed is in the reason; the account stays exempt, and nothing else changes.
    assert (shown['y']['status'], shown['y']['before'], shown['y']['reason']) == (
        'exempt', None, 'vendor; its setting could not be read: HTTP 403 for y')
    assert shown['a'] == {entry['account']: entry for entry in report['accounts']}['a']
    assert attach_exempt_settings(report, {})['accounts'] == report['accounts']
