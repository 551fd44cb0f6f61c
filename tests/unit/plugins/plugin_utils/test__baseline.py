# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import (
    APPLIED_DESPITE_ERROR,
    PARENT_ACCOUNT,
    STATUS_ORDER,
    PlanError,
    build_plan,
    build_report,
    ran_in_check_mode,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import MAX_ACCOUNTS
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    account_result,
    failed_result,
    settings,
)

POLICY = {'require_tls': True, 'version': 1.2}
TLS12 = {'require_tls': True, 'version': 1.2}
TLS13 = {'require_tls': True, 'version': 1.3}
SUBUSERS_FIELD = 'enforced_tls_baseline_subusers[0]'


def discovered(username, region='global', disabled=False):
    """A subuser as sendgrid_subuser_info returns it."""
    return {'username': username, 'id': None, 'email': username + '@example.com', 'disabled': disabled,
            'region': region}


def groups_of(plan):
    """The groups as (region, policy, accounts) tuples, easy to compare."""
    return [(group['region'], group['policy'], group['accounts']) for group in plan['groups']]


def plan_error(*args, **kwargs):
    with pytest.raises(PlanError) as excinfo:
        build_plan(*args, **kwargs)
    return str(excinfo.value)


# ---------------------------------------------------------------------------
# build_plan: the baseline policy and the other top-level inputs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('policy, message', [
    ('require_tls', 'enforced_tls_baseline_policy must be a dict with any of require_tls, require_valid_cert, version;'
                    ' got string'),
    (None, 'enforced_tls_baseline_policy must be a dict with any of require_tls, require_valid_cert, version;'
           ' got null'),
    ({'require_tls': True, 'verison': 1.2, 'tls': 1}, 'enforced_tls_baseline_policy has unknown keys tls, verison;'
                                                      ' allowed are require_tls, require_valid_cert, version'),
    ({}, 'give at least one of enforced_tls_baseline_policy.require_tls,'
         ' enforced_tls_baseline_policy.require_valid_cert, enforced_tls_baseline_policy.version'),
    ({'require_tls': None}, 'give at least one of enforced_tls_baseline_policy.require_tls,'
                            ' enforced_tls_baseline_policy.require_valid_cert, enforced_tls_baseline_policy.version'),
    ({'require_tls': 'yes'}, "enforced_tls_baseline_policy.require_tls must be a boolean (true or false);"
                             " got 'yes' (string)"),
    ({'require_valid_cert': 1}, 'enforced_tls_baseline_policy.require_valid_cert must be a boolean (true or false);'
                                ' got 1 (integer)'),
    ({'version': 1.4}, 'enforced_tls_baseline_policy.version must be one of 1.1, 1.2, 1.3; got 1.4 (float)'),
    ({'version': 'tls1.2'}, "enforced_tls_baseline_policy.version must be one of 1.1, 1.2, 1.3; got 'tls1.2' (string)"),
])
def test_build_plan_refuses_bad_policy(policy, message):
    assert plan_error(policy, subusers=['a']) == message


def test_build_plan_validates_the_policy_and_keeps_only_given_settings():
    plan = build_plan({'require_tls': True, 'require_valid_cert': None, 'version': '1.20'}, subusers=['a'])
    assert plan['policy'] == {'require_tls': True, 'version': 1.2}


@pytest.mark.parametrize('kwargs, message', [
    ({'region': 'us'}, "enforced_tls_baseline_region must be one of global, eu; got 'us'"),
    ({'region': 'all'}, "enforced_tls_baseline_region must be one of global, eu; got 'all'"),
    ({'subusers': 'a,b'}, 'enforced_tls_baseline_subusers must be a list; got string'),
    ({'exclude': 'a'}, 'enforced_tls_baseline_exclude must be a list; got string'),
    ({'discovered': {'username': 'a'}}, 'discovered subusers must be a list; got dict'),
])
def test_build_plan_refuses_bad_inputs(kwargs, message):
    assert plan_error(POLICY, **kwargs) == message


def test_build_plan_nothing_to_do():
    assert build_plan(POLICY) == {'policy': TLS12, 'parent_policy': TLS12, 'enforcement': 'minimum', 'groups': [],
                                  'exempt': [], 'excluded': [], 'disabled': [], 'warnings': []}
    assert build_plan(POLICY, subusers=[], discovered=[], exclude=[]) == {
        'policy': TLS12, 'parent_policy': TLS12, 'enforcement': 'minimum', 'groups': [], 'exempt': [], 'excluded': [], 'disabled': [],
        'warnings': []}


# ---------------------------------------------------------------------------
# build_plan: listed subusers
# ---------------------------------------------------------------------------

def test_build_plan_plain_names():
    plan = build_plan(POLICY, subusers=['marketing', 'billing', 'account-id 42'])
    assert plan == {
        'policy': TLS12,
        'parent_policy': TLS12,
        'enforcement': 'minimum',
        'groups': [{'region': None, 'policy': TLS12, 'accounts': ['marketing', 'billing', 'account-id 42']}],
        'exempt': [], 'excluded': [], 'disabled': [], 'warnings': [],
    }


@pytest.mark.parametrize('region', ['global', 'eu'])
def test_build_plan_region_applies_to_listed_subusers(region):
    plan = build_plan(POLICY, subusers=['a', {'name': 'b', 'region': 'eu'}, 'c'], region=region)
    if region == 'eu':
        assert groups_of(plan) == [('eu', TLS12, ['a', 'b', 'c'])]
    else:
        assert groups_of(plan) == [('global', TLS12, ['a', 'c']), ('eu', TLS12, ['b'])]


def test_build_plan_dict_entries_with_overrides():
    plan = build_plan(POLICY, subusers=[
        'a',
        {'name': 'b', 'version': 1.3},
        'c',
        {'name': 'd', 'version': '1.3', 'require_valid_cert': True},
        {'name': 'e', 'version': '1.3'},
        {'name': 'f'},
        {'name': 'g', 'require_tls': False},
    ])
    assert groups_of(plan) == [
        (None, TLS12, ['a', 'c', 'f']),
        (None, TLS13, ['b', 'e']),
        (None, {'require_tls': True, 'require_valid_cert': True, 'version': 1.3}, ['d']),
        (None, {'require_tls': False, 'version': 1.2}, ['g']),
    ]
    assert plan['policy'] == TLS12


@pytest.mark.parametrize('override', [1.2, '1.2', '1.20', ' 1.2'])
@pytest.mark.parametrize('baseline', [1.2, '1.2'])
def test_build_plan_versions_as_number_or_string_land_in_the_same_group(baseline, override):
    plan = build_plan({'require_tls': True, 'version': baseline},
                      subusers=['a', {'name': 'b', 'version': override}, {'name': 'c', 'require_tls': True}])
    assert groups_of(plan) == [(None, TLS12, ['a', 'b', 'c'])]


def test_build_plan_regions_split_groups_of_one_policy():
    plan = build_plan(POLICY, subusers=[{'name': 'a', 'region': 'eu'}, 'b', {'name': 'c', 'region': 'eu'},
                                        {'name': 'd', 'region': 'eu', 'version': 1.3}])
    assert groups_of(plan) == [('eu', TLS12, ['a', 'c']), (None, TLS12, ['b']), ('eu', TLS13, ['d'])]


def test_build_plan_exempt_entries():
    plan = build_plan(POLICY, subusers=[
        'a',
        {'name': 'lab', 'exempt': True, 'reason': 'test traffic, OPS-1'},
        {'name': 'old', 'exempt': True, 'reason': 'legacy receiver', 'region': 'eu'},
        {'name': 'b', 'exempt': False, 'reason': 'not exempt after all'},
    ], region='global')
    assert plan['exempt'] == [
        {'account': 'lab', 'reason': 'test traffic, OPS-1', 'region': 'global'},
        {'account': 'old', 'reason': 'legacy receiver', 'region': 'eu'},
    ]
    assert groups_of(plan) == [('global', TLS12, ['a', 'b'])]


@pytest.mark.parametrize('reason', [None, '', '   ', 5])
def test_build_plan_exempt_needs_a_reason(reason):
    entry = {'name': 'lab', 'exempt': True}
    if reason is not None:
        entry['reason'] = reason
    assert plan_error(POLICY, subusers=[entry]) == (
        SUBUSERS_FIELD + ' (lab): an exempt subuser needs a "reason", so that reports can say why')


@pytest.mark.parametrize('setting', [{'version': 1.2}, {'require_tls': False}, {'require_valid_cert': True}])
def test_build_plan_exempt_with_settings_is_refused(setting):
    entry = dict({'name': 'lab', 'exempt': True, 'reason': 'test'}, **setting)
    assert plan_error(POLICY, subusers=['a', entry]) == (
        'enforced_tls_baseline_subusers[1] (lab): an exempt subuser cannot also have settings; remove either')


@pytest.mark.parametrize('entry, message', [
    ({'name': 'a', 'versoin': 1.2}, SUBUSERS_FIELD + ' has unknown keys versoin; allowed are exempt, name, reason,'
                                                     ' region, require_tls, require_valid_cert, version'),
    ({'username': 'a', 'tls': 1}, SUBUSERS_FIELD + ' has unknown keys tls, username; allowed are exempt, name,'
                                                   ' reason, region, require_tls, require_valid_cert, version'),
    ({'version': 1.2}, SUBUSERS_FIELD + ' needs a "name" (the subuser username)'),
    (42, SUBUSERS_FIELD + ' must be a subuser name or a dict with "name"; got integer'),
    (['a'], SUBUSERS_FIELD + ' must be a subuser name or a dict with "name"; got list'),
    ('', SUBUSERS_FIELD + ' must not be empty or only whitespace'),
    ('a\r\nX: 1', SUBUSERS_FIELD + " 'a\\r\\nX: 1' contains control characters (such as CR or LF), which are not"
                                   ' allowed in an On-Behalf-Of header'),
    ({'name': ' a'}, SUBUSERS_FIELD + ".name ' a' has leading or trailing whitespace; remove it"),
    ({'name': 7}, SUBUSERS_FIELD + '.name must be a string (a subuser username or "account-id <id>"); got 7 (integer)'),
    ({'name': 'a', 'exempt': 'yes', 'reason': 'r'}, SUBUSERS_FIELD + " (a): exempt must be true or false; got 'yes'"),
    ({'name': 'a', 'region': 'us'}, SUBUSERS_FIELD + " (a): region must be one of global, eu; got 'us'"),
    ({'name': 'a', 'version': '1.0'}, SUBUSERS_FIELD + " (a): version must be one of 1.1, 1.2, 1.3; got '1.0'"
                                                       ' (string)'),
    ({'name': 'a', 'require_tls': 'no'}, SUBUSERS_FIELD + " (a): require_tls must be a boolean (true or false);"
                                                          " got 'no' (string)"),
])
def test_build_plan_refuses_bad_entries(entry, message):
    assert plan_error(POLICY, subusers=[entry, 'b']) == message


def test_build_plan_bad_entry_is_named_by_its_index():
    assert plan_error(POLICY, subusers=['a', 'b', {'name': 'c', 'version': 2}]) == (
        "enforced_tls_baseline_subusers[2] (c): version must be one of 1.1, 1.2, 1.3; got 2 (integer)")


@pytest.mark.parametrize('subusers, expected', [
    (['a', 'b', 'a', 'b', 'c'], [(None, TLS12, ['a', 'b', 'c'])]),
    (['a', {'name': 'a', 'version': 1.3}, 'b'], [(None, TLS13, ['a']), (None, TLS12, ['b'])]),
    ([{'name': 'a', 'version': 1.3}, 'b', 'a'], [(None, TLS13, ['a']), (None, TLS12, ['b'])]),
    ([{'name': 'a', 'version': 1.3}, {'name': 'a', 'version': '1.3'}], [(None, TLS13, ['a'])]),
    ([{'name': 'a'}, 'a', {'name': 'a'}], [(None, TLS12, ['a'])]),
])
def test_build_plan_duplicates_are_de_duplicated(subusers, expected):
    assert groups_of(build_plan(POLICY, subusers=subusers)) == expected


def test_build_plan_duplicate_exempt_entries_are_de_duplicated():
    entry = {'name': 'lab', 'exempt': True, 'reason': 'r'}
    plan = build_plan(POLICY, subusers=[entry, 'lab', dict(entry)])
    assert plan['exempt'] == [{'account': 'lab', 'reason': 'r', 'region': None}]
    assert plan['groups'] == []


@pytest.mark.parametrize('first, second', [
    ({'name': 'a', 'version': 1.3}, {'name': 'a', 'version': 1.1}),
    ({'name': 'a', 'version': 1.3}, {'name': 'a', 'require_tls': True}),
    ({'name': 'a', 'exempt': True, 'reason': 'r'}, {'name': 'a', 'version': 1.3}),
    ({'name': 'a', 'region': 'eu'}, {'name': 'a', 'region': 'global'}),
])
def test_build_plan_same_name_twice_with_different_settings_is_refused(first, second):
    assert plan_error(POLICY, subusers=[first, 'b', second]) == (
        "enforced_tls_baseline_subusers lists 'a' twice with different settings; keep one entry")


def test_build_plan_same_name_twice_with_different_settings_is_refused_for_discovered_subusers():
    message = plan_error(POLICY, discovered=[discovered('a', 'eu')],
                         subusers=[{'name': 'a', 'version': 1.3}, {'name': 'a', 'version': 1.1}])
    assert message == "enforced_tls_baseline_subusers lists 'a' twice with different settings; keep one entry"


# ---------------------------------------------------------------------------
# build_plan: discovered subusers, disabled ones, exclusions
# ---------------------------------------------------------------------------

def test_build_plan_discovered_subusers_are_grouped_by_their_region():
    plan = build_plan(POLICY, discovered=[discovered('a'), discovered('b', 'eu'), discovered('c'),
                                          dict(discovered('d'), region=None)])
    assert groups_of(plan) == [('global', TLS12, ['a', 'c', 'd']), ('eu', TLS12, ['b'])]
    assert plan['disabled'] == []


def test_build_plan_discovered_region_is_not_replaced_by_the_plan_region():
    plan = build_plan(POLICY, discovered=[discovered('g', 'global')], subusers=['x'], region='eu')
    assert groups_of(plan) == [('global', TLS12, ['g']), ('eu', TLS12, ['x'])]


def test_build_plan_discovered_with_listed_overrides_merged():
    plan = build_plan(POLICY, discovered=[discovered('c'), discovered('b', 'eu'), discovered('a')], subusers=[
        {'name': 'b', 'version': 1.3},
        'z',
        'a',
        {'name': 'lab', 'exempt': True, 'reason': 'test'},
        {'name': 'c', 'exempt': True, 'reason': 'legacy'},
    ])
    # Discovery order first (c is exempt), then listed names that were not discovered.
    assert groups_of(plan) == [('eu', TLS13, ['b']), ('global', TLS12, ['a']), (None, TLS12, ['z'])]
    assert plan['exempt'] == [{'account': 'c', 'reason': 'legacy', 'region': 'global'},
                              {'account': 'lab', 'reason': 'test', 'region': None}]


def test_build_plan_order_of_groups_and_accounts():
    plan = build_plan(POLICY, discovered=[discovered('d1'), discovered('d2', 'eu'), discovered('d3')],
                      subusers=['l1', {'name': 'd3', 'version': 1.3}, {'name': 'l2', 'version': 1.3},
                                {'name': 'd2', 'version': 1.3}, 'd1', 'l3'], region='global')
    assert groups_of(plan) == [
        ('global', TLS12, ['d1', 'l1', 'l3']),
        ('eu', TLS13, ['d2']),
        ('global', TLS13, ['d3', 'l2']),
    ]


def test_build_plan_disabled_discovered_are_left_out_and_listed():
    plan = build_plan(POLICY, discovered=[discovered('a'), discovered('off', disabled=True), discovered('b'),
                                          discovered('off-eu', 'eu', disabled=True)])
    assert groups_of(plan) == [('global', TLS12, ['a', 'b'])]
    assert plan['disabled'] == ['off', 'off-eu']
    assert plan['exempt'] == []


def test_build_plan_disabled_discovered_are_kept_with_include_disabled():
    plan = build_plan(POLICY, discovered=[discovered('a'), discovered('off', disabled=True),
                                          discovered('off-eu', 'eu', disabled=True)], include_disabled=True)
    assert groups_of(plan) == [('global', TLS12, ['a', 'off']), ('eu', TLS12, ['off-eu'])]
    assert plan['disabled'] == []


def test_build_plan_disabled_discovered_and_listed_is_either_left_out_or_planned_in_its_region():
    plan = build_plan(POLICY, discovered=[discovered('off', 'eu', disabled=True)], subusers=['off'])
    planned = [(group['region'], account) for group in plan['groups'] for account in group['accounts']]
    assert ('off' in plan['disabled']) != bool(planned)
    assert planned in ([], [('eu', 'off')])


def test_build_plan_exclude_removes_listed_and_discovered():
    plan = build_plan(POLICY, discovered=[discovered('c'), discovered('d', 'eu')],
                      subusers=['a', {'name': 'b', 'version': 1.3}, {'name': 'lab', 'exempt': True, 'reason': 'r'}],
                      exclude=['b', 'd', 'lab', 'unknown'])
    assert groups_of(plan) == [('global', TLS12, ['c']), (None, TLS12, ['a'])]
    assert plan['exempt'] == []
    # In plan order; names that were neither listed nor discovered are not reported.
    assert plan['excluded'] == ['d', 'b', 'lab']


def test_build_plan_excluded_disabled_subuser_is_only_disabled():
    plan = build_plan(POLICY, discovered=[discovered('off', disabled=True), discovered('a')], exclude=['off'])
    assert groups_of(plan) == [('global', TLS12, ['a'])]
    assert plan['disabled'] == ['off']
    assert plan['excluded'] == []


@pytest.mark.parametrize('exclude, message', [
    (['a', ''], 'enforced_tls_baseline_exclude[1] must not be empty or only whitespace'),
    ([3], 'enforced_tls_baseline_exclude[0] must be a string (a subuser username or "account-id <id>"); got 3 (integer)'),
    (['a\n'], "enforced_tls_baseline_exclude[0] 'a\\n' contains control characters (such as CR or LF), which are not"
              ' allowed in an On-Behalf-Of header'),
])
def test_build_plan_refuses_bad_exclude(exclude, message):
    assert plan_error(POLICY, subusers=['a'], exclude=exclude) == message


@pytest.mark.parametrize('entry', ['alice', {'name': 'alice'}])
def test_build_plan_refuses_bad_discovered_entries_with_a_plan_error(entry):
    with pytest.raises(PlanError):
        build_plan(POLICY, discovered=[entry])


# ---------------------------------------------------------------------------
# ran_in_check_mode
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


# ---------------------------------------------------------------------------
# build_report
# ---------------------------------------------------------------------------

OLD = settings(False, False, 1.1)
NEW = settings(True, False, 1.2)
NEW13 = settings(True, False, 1.3)


@pytest.fixture
def plan():
    return build_plan(POLICY, subusers=['a', 'b', 'c', {'name': 'd', 'version': 1.3, 'region': 'eu'},
                                        {'name': 'lab', 'exempt': True, 'reason': 'test traffic'}, 'gone'],
                      discovered=[discovered('off', disabled=True)], exclude=['gone'])


def group_results(plan, check_mode=False):
    group12, group13 = plan['groups']
    return [
        {'item': group12, 'changed': True, 'failed': False, 'check_mode': check_mode, 'results': [
            account_result('a', OLD, NEW, ['require_tls', 'version'], check_mode),
            account_result('b', NEW, NEW, [], check_mode),
            failed_result('c', "GET /v3/user/settings/enforced_tls for subuser 'c' failed with HTTP 403 Forbidden"),
        ]},
        {'item': group13, 'changed': True, 'failed': False, 'check_mode': check_mode, 'results': [
            account_result('d', NEW, NEW13, ['version'], check_mode),
        ]},
    ]


def parent_result(before, after, differences, check_mode=False):
    result = account_result(None, before, after, differences, check_mode)
    return {'changed': result['changed'], 'enforced_tls': after, 'before': before, 'differences': differences,
            'account': None, 'msg': result['msg'], 'check_mode': check_mode}


def entry(account, status, region=None, policy=None, before=None, after=None, differences=None, reason=None,
          stricter=None):
    return {'account': account, 'region': region, 'policy': policy, 'status': status, 'before': before,
            'after': after, 'differences': differences or [], 'stricter': stricter or [], 'reason': reason}


def test_build_report_enforce(plan):
    assert groups_of(plan) == [(None, TLS12, ['a', 'b', 'c']), ('eu', TLS13, ['d'])]
    report = build_report(plan, parent_result=parent_result(NEW, NEW, []), group_results=group_results(plan),
                          generated_at='2026-01-02T03:04:05Z')
    assert report == {
        'mode': 'enforce',
        'generated_at': '2026-01-02T03:04:05Z',
        'policy': TLS12,
        'enforcement': 'minimum',
        'warnings': [],
        'summary': {'total': 6, 'failed': 1, 'drift': 0, 'changed': 2, 'exempt': 1, 'compliant': 2,
                    'out_of_policy': 1, 'stricter': 0},
        'excluded': ['gone'],
        'disabled': ['off'],
        'accounts': [
            entry('c', 'failed', policy=TLS12,
                  reason="GET /v3/user/settings/enforced_tls for subuser 'c' failed with HTTP 403 Forbidden"),
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
    assert [(item['account'], item['status']) for item in report['accounts']] == [
        ('c', 'failed'), (PARENT_ACCOUNT, 'drift'), ('a', 'drift'), ('d', 'drift'), ('lab', 'exempt'),
        ('b', 'compliant')]
    assert report['summary'] == {'total': 6, 'failed': 1, 'drift': 3, 'changed': 0, 'exempt': 1, 'compliant': 1,
                                 'out_of_policy': 4, 'stricter': 0}
    assert report['accounts'][1]['reason'] == 'require_tls false < true, version 1.1 < 1.2'
    assert report['accounts'][1]['after'] == NEW
    assert report['accounts'][1]['before'] == OLD


def test_build_report_status_order():
    assert STATUS_ORDER == ('failed', 'drift', 'changed', 'exempt', 'compliant')


@pytest.mark.parametrize('reported, default, mode, status', [
    (True, False, 'audit', 'drift'),
    (True, True, 'audit', 'drift'),
    (False, True, 'enforce', 'changed'),
    (False, False, 'enforce', 'changed'),
])
def test_build_report_check_mode_comes_from_the_results_over_the_default(plan, reported, default, mode, status):
    results = group_results(plan, check_mode=reported)
    report = build_report(plan, group_results=results, check_mode=default)
    assert report['mode'] == mode
    assert [item['status'] for item in report['accounts'] if item['account'] in ('a', 'd')] == [status, status]


@pytest.mark.parametrize('default, mode, status', [(True, 'audit', 'drift'), (False, 'enforce', 'changed')])
def test_build_report_check_mode_default_when_no_result_says(plan, default, mode, status):
    results = group_results(plan)
    for result in results:
        del result['check_mode']
    report = build_report(plan, parent_result={'skipped': True, 'changed': False}, group_results=results,
                          check_mode=default)
    assert report['mode'] == mode
    assert report['summary'][status] == 2


@pytest.mark.parametrize('failure, reason', [
    ({'failed': True, 'msg': "subusers lists 'a' more than once"}, "subusers lists 'a' more than once"),
    # failed_when: false in the role: the call did fail, but says failed: false.
    ({'failed': False, 'failed_when_result': False, 'msg': 'api_key is required'}, 'api_key is required'),
    ({'failed': True}, 'the task failed without a message'),
    ({'failed': True, 'msg': '', 'results': None}, 'the task failed without a message'),
])
def test_build_report_group_without_results_fails_all_its_accounts(plan, failure, reason):
    results = group_results(plan)
    results[0] = dict(failure, item=plan['groups'][0], changed=False)
    report = build_report(plan, group_results=results)
    assert report['accounts'][:3] == [entry(name, 'failed', policy=TLS12, reason=reason) for name in ('a', 'b', 'c')]
    assert report['summary'] == {'total': 5, 'failed': 3, 'drift': 0, 'changed': 1, 'exempt': 1, 'compliant': 0,
                                 'out_of_policy': 3, 'stricter': 0}


def test_build_report_group_with_failed_accounts_keeps_the_others(plan):
    results = group_results(plan)
    results[0]['failed'] = True
    results[0]['msg'] = 'Could not enforce TLS on 1 of 3 accounts: c.'
    report = build_report(plan, group_results=results)
    assert [(item['account'], item['status']) for item in report['accounts']] == [
        ('c', 'failed'), ('a', 'changed'), ('d', 'changed'), ('lab', 'exempt'), ('b', 'compliant')]
    assert report['accounts'][0]['reason'].startswith("GET /v3/user/settings/enforced_tls for subuser 'c'")


def test_build_report_skipped_results_are_ignored(plan):
    results = group_results(plan)
    results[1] = {'item': plan['groups'][1], 'skipped': True, 'changed': False, 'skip_reason': 'Conditional result'
                  ' was False'}
    report = build_report(plan, parent_result={'skipped': True, 'changed': False, 'skip_reason': 'x'},
                          group_results=results)
    assert [item['account'] for item in report['accounts']] == ['c', 'a', 'lab', 'b']
    assert report['summary']['total'] == 4


def test_build_report_without_parent(plan):
    report = build_report(plan, parent_result=None, group_results=group_results(plan))
    assert PARENT_ACCOUNT not in [item['account'] for item in report['accounts']]
    assert report['summary']['total'] == 5


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
    # failed_when: false in the role: failed is false, but there is no setting in the result.
    ({'failed': False, 'failed_when_result': False, 'changed': False, 'msg': 'no connection'}, 'no connection'),
    ({'failed': True, 'enforced_tls': NEW, 'msg': 'not confirmed'}, 'not confirmed'),
    ({'failed': True}, 'the task failed without a message'),
])
def test_build_report_failed_parent(plan, result, reason):
    report = build_report(plan, parent_result=result, group_results=group_results(plan))
    assert report['accounts'][0] == entry(PARENT_ACCOUNT, 'failed', policy=TLS12, reason=reason)
    assert report['accounts'][1]['account'] == 'c'
    assert report['summary']['failed'] == 2
    assert report['summary']['out_of_policy'] == 2


def test_build_report_empty_plan():
    report = build_report({'policy': TLS12})
    assert report == {'mode': 'enforce', 'generated_at': None, 'policy': TLS12, 'enforcement': 'minimum',
                      'warnings': [],
                      'summary': {'total': 0, 'failed': 0, 'drift': 0, 'changed': 0, 'exempt': 0, 'compliant': 0,
                                  'out_of_policy': 0, 'stricter': 0},
                      'excluded': [], 'disabled': [], 'accounts': []}
    assert build_report({'policy': TLS12}, check_mode=True)['mode'] == 'audit'


def test_build_report_sorts_every_status_in_order_keeping_processing_order():
    plan = build_plan(POLICY, subusers=['c1', 'f1', 'd1', 'c2', 'x1', 'f2', 'd2',
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
    enforce = build_report(plan, group_results=[{'item': plan['groups'][0], 'results': results, 'check_mode': False}])
    assert [(item['account'], item['status']) for item in enforce['accounts']] == [
        ('f1', 'failed'), ('f2', 'failed'), ('d1', 'changed'), ('x1', 'changed'), ('d2', 'changed'),
        ('e1', 'exempt'), ('e2', 'exempt'), ('c1', 'compliant'), ('c2', 'compliant')]
    audit = build_report(plan, group_results=[{'item': plan['groups'][0], 'results': results, 'check_mode': True}])
    assert [item['status'] for item in audit['accounts']] == [
        'failed', 'failed', 'drift', 'drift', 'drift', 'exempt', 'exempt', 'compliant', 'compliant']
    assert audit['summary'] == {'total': 9, 'failed': 2, 'drift': 3, 'changed': 0, 'exempt': 2, 'compliant': 2,
                                'out_of_policy': 5, 'stricter': 0}


def test_build_plan_refuses_more_accounts_than_one_run_handles():
    names = ['s{0}'.format(index) for index in range(MAX_ACCOUNTS + 1)]
    with pytest.raises(PlanError) as excinfo:
        build_plan({'require_tls': True}, subusers=names)
    assert str(excinfo.value) == (
        'enforced_tls_baseline_subusers (with the discovered ones) come to {0} subusers, more than the {1} one run'
        ' handles; split them over several runs, or leave some out with enforced_tls_baseline_exclude'.format(
            MAX_ACCOUNTS + 1, MAX_ACCOUNTS))


@pytest.mark.parametrize('workers, shown', [(0, '0 (integer)'), (-2, '-2 (integer)'), ('many', "'many' (string)"),
                                            ('0', "'0' (string)"), ('1.5', "'1.5' (string)"), ([4], '[4] (list)'),
                                            (True, 'true (boolean)'), (101, '101 (integer)'),
                                            (1000000000, '1000000000 (integer)'), ('101', "'101' (string)")])
def test_build_plan_refuses_a_bad_worker_count(workers, shown):
    with pytest.raises(PlanError) as excinfo:
        build_plan({'require_tls': True}, subusers=['a'], workers=workers)
    assert str(excinfo.value) == 'enforced_tls_baseline_workers must be a whole number from 1 to 100; got {0}'.format(
        shown)


@pytest.mark.parametrize('workers', [4, '4', ' 16 ', 100, '100'])
def test_build_plan_accepts_a_worker_count(workers):
    # ansible-core before 2.19 renders "{{ 4 }}" as the string '4'; the role's int input takes it.
    assert build_plan({'require_tls': True}, subusers=['a'], workers=workers)['groups'][0]['accounts'] == ['a']


# ---------------------------------------------------------------------------
# The policy as a floor (enforcement) and the parent-only warning
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('enforcement', ['minimum', 'exact'])
def test_build_plan_keeps_the_enforcement(enforcement):
    assert build_plan(POLICY, subusers=['a'], enforcement=enforcement)['enforcement'] == enforcement


@pytest.mark.parametrize('enforcement, shown', [('floor', "'floor' (string)"), (None, 'null'), (True, 'true (boolean)')])
def test_build_plan_refuses_an_unknown_enforcement(enforcement, shown):
    assert plan_error(POLICY, subusers=['a'], enforcement=enforcement) == (
        'enforced_tls_baseline_enforcement must be one of exact, minimum; got {0}'.format(shown))


@pytest.mark.parametrize('include_parent, covered', [(True, 'only the parent account'), (False, 'no account at all')])
def test_build_plan_warns_when_it_holds_no_subuser_without_discovery(include_parent, covered):
    plan = build_plan(POLICY, subusers=[], all_subusers=False, include_parent=include_parent)
    assert plan['warnings'] == [
        'enforced_tls_baseline_subusers is empty and enforced_tls_baseline_all_subusers is false, so this run covers'
        ' {0}. If subusers were meant, check the names of the inputs: Ansible ignores variables it does not'
        ' know.'.format(covered)]


@pytest.mark.parametrize('kwargs', [
    {'subusers': ['a'], 'all_subusers': False},
    {'subusers': [{'name': 'lab', 'exempt': True, 'reason': 'r'}], 'all_subusers': False},
    {'subusers': [], 'all_subusers': True},
    # The second plan of a run with discovery, and callers that do not say.
    {'subusers': [], 'discovered': []},
    {'subusers': []},
])
def test_build_plan_no_warning(kwargs):
    assert build_plan(POLICY, **kwargs)['warnings'] == []


def test_build_plan_warns_when_every_listed_subuser_is_excluded():
    assert len(build_plan(POLICY, subusers=['a'], exclude=['a'], all_subusers=False)['warnings']) == 1


def test_build_report_stricter_accounts_are_compliant_and_say_so():
    policy = {'require_tls': True, 'require_valid_cert': False, 'version': 1.2}
    plan = build_plan(policy, subusers=['strict', 'partly', 'exact'])
    strict = settings(True, True, 1.3)
    results = [
        account_result('strict', strict, strict, [], stricter=['require_valid_cert', 'version']),
        account_result('partly', settings(False, True, 1.2), settings(True, True, 1.2), ['require_tls'],
                       stricter=['require_valid_cert']),
        account_result('exact', settings(True, False, 1.2), settings(True, False, 1.2), []),
    ]
    report = build_report(plan, group_results=[{'item': plan['groups'][0], 'results': results, 'check_mode': False}])
    by_account = dict((item['account'], item) for item in report['accounts'])
    assert by_account['strict']['status'] == 'compliant'
    assert by_account['strict']['stricter'] == ['require_valid_cert', 'version']
    assert by_account['strict']['reason'] == 'stricter than the policy: require_valid_cert true > false, version 1.3 > 1.2'
    assert by_account['partly']['status'] == 'changed'
    assert by_account['partly']['reason'] == ('changed require_tls false -> true; stricter than the policy:'
                                              ' require_valid_cert true > false')
    assert by_account['exact']['reason'] is None
    assert report['summary']['compliant'] == 2
    assert report['summary']['stricter'] == 2


def test_build_report_exact_drift_says_how_a_stricter_account_would_be_loosened():
    plan = build_plan(POLICY, subusers=['strict'], enforcement='exact')
    results = [account_result('strict', settings(True, True, 1.3), settings(True, True, 1.2), ['version'],
                              check_mode=True)]
    report = build_report(plan, group_results=[{'item': plan['groups'][0], 'results': results, 'check_mode': True}])
    assert report['enforcement'] == 'exact'
    assert report['accounts'][0]['status'] == 'drift'
    assert report['accounts'][0]['reason'] == 'version 1.3 > 1.2'


def test_build_report_stricter_parent(plan):
    parent = parent_result(NEW13, NEW13, [])
    parent['stricter'] = ['version']
    report = build_report(plan, parent_result=parent, group_results=[])
    assert report['accounts'][-1] == entry(PARENT_ACCOUNT, 'compliant', policy=TLS12, before=NEW13, after=NEW13,
                                           stricter=['version'], reason='stricter than the policy: version 1.3 > 1.2')


def test_build_report_carries_the_plans_warnings():
    plan = build_plan(POLICY, all_subusers=False)
    assert build_report(plan)['warnings'] == plan['warnings'] != []


def test_build_report_an_update_applied_despite_an_error_answer_says_so():
    plan = build_plan(POLICY, subusers=['warned', 'plain'])
    warned = account_result('warned', OLD, NEW, ['require_tls', 'version'])
    warned['warnings'] = ["SendGrid answered the update of subuser 'warned' with an error, but reading the setting"
                          " back (one read) shows the values asked for"]
    results = [warned, account_result('plain', OLD, NEW, ['require_tls', 'version'])]
    report = build_report(plan, group_results=[{'item': plan['groups'][0], 'results': results, 'check_mode': False}])
    reasons = dict((item['account'], item['reason']) for item in report['accounts'])
    assert reasons == {
        'warned': 'changed require_tls false -> true, version 1.1 -> 1.2; ' + APPLIED_DESPITE_ERROR,
        'plain': 'changed require_tls false -> true, version 1.1 -> 1.2',
    }
    assert report['summary']['changed'] == 2


def test_build_plan_the_parent_accounts_own_settings_leave_the_subusers_policy_alone():
    plan = build_plan(POLICY, subusers=['a'], parent_overrides={'version': 1.3})
    assert plan['parent_policy'] == {'require_tls': True, 'version': 1.3}
    assert plan['groups'][0]['policy'] == {'require_tls': True, 'version': 1.2}
    assert build_plan(POLICY)['parent_policy'] == build_plan(POLICY)['policy']


def test_build_plan_an_exempt_parent_account_is_reported_exempt():
    plan = build_plan(POLICY, subusers=['a'], include_parent=False, parent_exempt_reason='shared relay')
    assert plan['exempt'] == [{'account': PARENT_ACCOUNT, 'reason': 'shared relay', 'region': None}]
    report = build_report(plan, group_results=[{'item': plan['groups'][0], 'results': [
        account_result('a', settings(True, False, 1.2), settings(True, False, 1.2), [])]}])
    assert [(entry['account'], entry['status']) for entry in report['accounts']] == [
        (PARENT_ACCOUNT, 'exempt'), ('a', 'compliant')]


def test_build_report_the_parent_account_is_held_to_its_own_policy():
    plan = build_plan(POLICY, parent_overrides={'version': 1.3})
    parent = {'changed': True, 'check_mode': True, 'before': settings(True, True, 1.2),
              'enforced_tls': settings(True, True, 1.3), 'differences': ['version'], 'stricter': []}
    entry = build_report(plan, parent_result=parent)['accounts'][0]
    assert (entry['status'], entry['policy']['version'], entry['reason']) == ('drift', 1.3, 'version 1.2 < 1.3')
