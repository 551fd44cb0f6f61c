# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re
from types import MappingProxyType

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import MAX_ACCOUNTS
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import (
    PARENT_ACCOUNT,
    Account,
    Discovered,
    PlanError,
    accounts_from_hosts,
    accounts_from_inputs,
    accounts_to_read,
    as_subuser_list,
    build_plan,
    check_enforcement,
    check_exclude,
    check_exemption,
    check_inputs_cover_accounts,
    check_list,
    check_region,
    check_run_inputs,
    check_subuser_name,
    discovered_accounts,
    header_problem,
    no_account_message,
    no_hosts_message,
    parent_from_inputs,
    parent_only_warning,
    parse_policy,
)

POLICY = {'require_tls': True, 'version': 1.2}
# The policy of a plan when a test gives none (a test may give None, which is no policy).
DEFAULT = object()
TLS12 = {'require_tls': True, 'version': 1.2}
TLS13 = {'require_tls': True, 'version': 1.3}
SUBUSERS_FIELD = 'enforced_tls_baseline_subusers[0]'
PARENT = Account(None, source='enforced_tls_baseline_include_parent')


def discovered(username, region='global', disabled=False):
    """A subuser as sendgrid_subuser_info returns it."""
    return {'username': username, 'id': None, 'email': username + '@example.com', 'disabled': disabled,
            'region': region}


def plan_of(policy=DEFAULT, subusers=(), discovered=None, exclude=(), region=None, enforcement='minimum', **kwargs):
    """A plan from the role's inputs, each checked as the fleet step checks it."""
    policy = POLICY if policy is DEFAULT else policy
    listing = discovered_accounts(discovered) if discovered is not None else None
    baseline, region, enforcement = check_run_inputs(policy, region, enforcement)
    return build_plan(baseline, accounts_from_inputs(list(subusers)), discovered=listing,
                      exclude=check_exclude(list(exclude)), region=region, enforcement=enforcement, **kwargs)


def plan_error(*args, **kwargs):
    with pytest.raises(PlanError) as excinfo:
        plan_of(*args, **kwargs)
    return str(excinfo.value)


def groups_of(plan):
    """The groups as (region, policy, accounts) tuples, easy to compare."""
    return [(group['region'], group['policy'], group['accounts']) for group in plan['groups']]


def starts(message):
    """A pytest.raises match for a message that starts with ``message``."""
    return '^' + re.escape(message)


# ---------------------------------------------------------------------------
# Checks of single values
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


def test_parse_policy_names_the_field_it_is_given():
    with pytest.raises(PlanError, match=starts('host a: enforced_tls_baseline_host_policy.version must be one of')):
        parse_policy({'version': '1.0'}, 'host a: enforced_tls_baseline_host_policy')


def test_build_plan_validates_the_policy_and_keeps_only_given_settings():
    plan = plan_of({'require_tls': True, 'require_valid_cert': None, 'version': '1.20'}, subusers=['a'])
    assert plan['policy'] == {'require_tls': True, 'version': 1.2}


@pytest.mark.parametrize('check, args, message', [
    (check_region, ('us', 'enforced_tls_baseline_region'),
     "enforced_tls_baseline_region must be one of global, eu; got 'us' (string)"),
    (check_enforcement, ('floor',), "enforced_tls_baseline_enforcement must be one of exact, minimum; got 'floor'"
                                    ' (string)'),
    (check_enforcement, (None,), 'enforced_tls_baseline_enforcement must be one of exact, minimum; got null'),
    (check_enforcement, (True,), 'enforced_tls_baseline_enforcement must be one of exact, minimum; got true (boolean)'),
    (check_exemption, ('yes', 'r', 'lab', 'exempt', 'reason'), "lab: exempt must be true or false; got 'yes' (string)"),
    (check_exemption, (True, '  ', 'lab', 'exempt', 'reason'),
     'lab: an exempt account needs reason, so that reports can say why'),
    (check_list, ('a', 'exclude'), 'exclude must be a list; got string'),
    (check_subuser_name, ('', 'names[0]'), 'names[0] must not be empty or only whitespace'),
    (as_subuser_list, ({'name': 'a'},), 'expected a list of subusers, or text with one name per line; got dict'),
])
def test_single_value_checks_refuse_naming_the_field(check, args, message):
    with pytest.raises(PlanError) as excinfo:
        check(*args)
    assert str(excinfo.value) == message


@pytest.mark.parametrize('check, args, expected', [
    (check_region, (None, 'region'), None),
    (check_region, ('eu', 'region'), 'eu'),
    (check_enforcement, ('exact',), 'exact'),
    (check_exemption, (None, None, 'lab', 'exempt', 'reason'), None),
    (check_exemption, (False, None, 'lab', 'exempt', 'reason'), None),
    (check_exemption, (True, 'legacy', 'lab', 'exempt', 'reason'), 'legacy'),
    (check_list, (None, 'exclude'), []),
    (check_list, (['a'], 'exclude'), ['a']),
    (check_subuser_name, ('account-id 42', 'name'), 'account-id 42'),
])
def test_single_value_checks_return_the_value(check, args, expected):
    assert check(*args) == expected


@pytest.mark.parametrize('name, problem', [
    ('news', None),
    ('account-id 7', None),
    ('a\nb', "its name 'a\\nb' contains control characters (such as CR or LF), which are not allowed in an"
             ' On-Behalf-Of header'),
    ('caf\u00e9', None),
    ('\u0100x', "its name '\u0100x' contains characters that cannot be sent in an HTTP header (only Latin-1 is"
                ' allowed)'),
    (' a', "its name ' a' has leading or trailing whitespace; remove it"),
])
def test_header_problem(name, problem):
    assert header_problem(name) == problem


@pytest.mark.parametrize('value, expected', [
    (None, []),
    ('', []),
    ('a, b\n c\n\n,d,', ['a', 'b', 'c', 'd']),
    (['a', {'name': 'b', 'version': 1.3}], ['a', {'name': 'b', 'version': 1.3}]),
    (('a', 'b'), ['a', 'b']),
])
def test_as_subuser_list(value, expected):
    assert as_subuser_list(value) == expected


# ---------------------------------------------------------------------------
# build_plan: top-level inputs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('make, message', [
    (lambda: plan_of(subusers=['a'], region='us'),
     "enforced_tls_baseline_region must be one of global, eu; got 'us' (string)"),
    (lambda: plan_of(subusers=['a'], region='all'),
     "enforced_tls_baseline_region must be one of global, eu; got 'all' (string)"),
    (lambda: plan_of(subusers=['a'], enforcement='floor'),
     "enforced_tls_baseline_enforcement must be one of exact, minimum; got 'floor' (string)"),
    (lambda: accounts_from_inputs('a,b'), 'enforced_tls_baseline_subusers must be a list; got string'),
    (lambda: check_exclude('a'), 'enforced_tls_baseline_exclude must be a list; got string'),
    (lambda: discovered_accounts({'username': 'a'}), 'discovered subusers must be a list; got dict'),
])
def test_the_inputs_of_a_plan_are_refused_naming_them(make, message):
    with pytest.raises(PlanError) as excinfo:
        make()
    assert str(excinfo.value) == message


def test_build_plan_nothing_to_do():
    assert build_plan(POLICY) == {'policy': TLS12, 'enforcement': 'minimum', 'parent': None, 'groups': [],
                                  'exempt': [], 'refused': [], 'excluded': [], 'disabled': [], 'discovered': None,
                                  'accounts': 0}
    assert plan_of(POLICY, subusers=[], discovered=[], exclude=[])['discovered'] == 0


@pytest.mark.parametrize('enforcement', ['minimum', 'exact'])
def test_build_plan_keeps_the_enforcement(enforcement):
    assert plan_of(subusers=['a'], enforcement=enforcement)['enforcement'] == enforcement


def test_check_run_inputs_checks_each_once_and_gives_them_normalised():
    assert check_run_inputs({'require_tls': True, 'version': '1.20'}, 'eu', 'exact') == (TLS12, 'eu', 'exact')
    with pytest.raises(PlanError, match=starts('enforced_tls_baseline_region must be one of global, eu')):
        check_run_inputs(POLICY, 'us')
    with pytest.raises(PlanError, match=starts('enforced_tls_baseline_enforcement must be one of')):
        check_run_inputs(POLICY, None, 'floor')


# ---------------------------------------------------------------------------
# accounts_from_inputs and build_plan: listed subusers
# ---------------------------------------------------------------------------

def test_build_plan_plain_names():
    plan = plan_of(subusers=['marketing', 'billing', 'account-id 42'])
    assert plan == {
        'policy': TLS12,
        'enforcement': 'minimum',
        'parent': None,
        'groups': [{'region': None, 'policy': TLS12, 'accounts': ['marketing', 'billing', 'account-id 42']}],
        'exempt': [], 'refused': [], 'excluded': [], 'disabled': [], 'discovered': None, 'accounts': 3,
    }


def test_accounts_from_inputs_say_where_each_came_from():
    assert accounts_from_inputs(['a', {'name': 'b', 'region': 'eu', 'version': '1.3'}]) == [
        Account('a', source='enforced_tls_baseline_subusers[0]'),
        Account('b', 'eu', {'version': 1.3}, source='enforced_tls_baseline_subusers[1] (b)'),
    ]
    assert accounts_from_inputs(None) == []


@pytest.mark.parametrize('region', ['global', 'eu'])
def test_build_plan_region_applies_to_listed_subusers(region):
    plan = plan_of(subusers=['a', {'name': 'b', 'region': 'eu'}, 'c'], region=region)
    if region == 'eu':
        assert groups_of(plan) == [('eu', TLS12, ['a', 'b', 'c'])]
    else:
        assert groups_of(plan) == [('global', TLS12, ['a', 'c']), ('eu', TLS12, ['b'])]


def test_build_plan_dict_entries_with_overrides():
    plan = plan_of(subusers=[
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
    plan = plan_of({'require_tls': True, 'version': baseline},
                   subusers=['a', {'name': 'b', 'version': override}, {'name': 'c', 'require_tls': True}])
    assert groups_of(plan) == [(None, TLS12, ['a', 'b', 'c'])]


def test_build_plan_regions_split_groups_of_one_policy():
    plan = plan_of(subusers=[{'name': 'a', 'region': 'eu'}, 'b', {'name': 'c', 'region': 'eu'},
                             {'name': 'd', 'region': 'eu', 'version': 1.3}])
    assert groups_of(plan) == [('eu', TLS12, ['a', 'c']), (None, TLS12, ['b']), ('eu', TLS13, ['d'])]


def test_build_plan_exempt_entries():
    plan = plan_of(subusers=[
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
    assert (plan['accounts'], accounts_to_read(plan)) == (4, 2)


@pytest.mark.parametrize('reason', [None, '', '   ', 5])
def test_build_plan_exempt_needs_a_reason(reason):
    entry = {'name': 'lab', 'exempt': True}
    if reason is not None:
        entry['reason'] = reason
    assert plan_error(subusers=[entry]) == (
        SUBUSERS_FIELD + ' (lab): an exempt account needs a "reason", so that reports can say why')


@pytest.mark.parametrize('setting', [{'version': 1.2}, {'require_tls': False}, {'require_valid_cert': True}])
def test_build_plan_exempt_with_settings_is_refused(setting):
    entry = dict({'name': 'lab', 'exempt': True, 'reason': 'test'}, **setting)
    assert plan_error(subusers=['a', entry]) == (
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
    ({'name': 'a', 'exempt': 'yes', 'reason': 'r'}, SUBUSERS_FIELD + " (a): exempt must be true or false; got 'yes'"
                                                                     ' (string)'),
    ({'name': 'a', 'region': 'us'}, SUBUSERS_FIELD + " (a): region must be one of global, eu; got 'us' (string)"),
    ({'name': 'a', 'version': '1.0'}, SUBUSERS_FIELD + " (a): version must be one of 1.1, 1.2, 1.3; got '1.0'"
                                                       ' (string)'),
    ({'name': 'a', 'require_tls': 'no'}, SUBUSERS_FIELD + " (a): require_tls must be a boolean (true or false);"
                                                          " got 'no' (string)"),
])
def test_build_plan_refuses_bad_entries(entry, message):
    assert plan_error(subusers=[entry, 'b']) == message


def test_build_plan_bad_entry_is_named_by_its_index():
    assert plan_error(subusers=['a', 'b', {'name': 'c', 'version': 2}]) == (
        "enforced_tls_baseline_subusers[2] (c): version must be one of 1.1, 1.2, 1.3; got 2 (integer)")


@pytest.mark.parametrize('subusers, expected', [
    (['a', 'b', 'a', 'b', 'c'], [(None, TLS12, ['a', 'b', 'c'])]),
    (['a', {'name': 'a', 'version': 1.3}, 'b'], [(None, TLS13, ['a']), (None, TLS12, ['b'])]),
    ([{'name': 'a', 'version': 1.3}, 'b', 'a'], [(None, TLS13, ['a']), (None, TLS12, ['b'])]),
    (['a', {'name': 'a', 'version': 1.3}, 'a'], [(None, TLS13, ['a'])]),
    ([{'name': 'a', 'version': 1.3}, {'name': 'a', 'version': '1.3'}], [(None, TLS13, ['a'])]),
    ([{'name': 'a'}, 'a', {'name': 'a'}], [(None, TLS12, ['a'])]),
])
def test_build_plan_duplicates_are_de_duplicated(subusers, expected):
    assert groups_of(plan_of(subusers=subusers)) == expected


def test_build_plan_duplicate_exempt_entries_are_de_duplicated():
    entry = {'name': 'lab', 'exempt': True, 'reason': 'r'}
    plan = plan_of(subusers=[entry, 'lab', dict(entry)])
    assert plan['exempt'] == [{'account': 'lab', 'reason': 'r', 'region': None}]
    assert plan['groups'] == []


@pytest.mark.parametrize('first, second', [
    ({'name': 'a', 'version': 1.3}, {'name': 'a', 'version': 1.1}),
    ({'name': 'a', 'version': 1.3}, {'name': 'a', 'require_tls': True}),
    ({'name': 'a', 'exempt': True, 'reason': 'r'}, {'name': 'a', 'version': 1.3}),
    ({'name': 'a', 'region': 'eu'}, {'name': 'a', 'region': 'global'}),
])
def test_build_plan_same_name_twice_with_different_settings_is_refused_naming_both(first, second):
    assert plan_error(subusers=[first, 'b', second]) == (
        "enforced_tls_baseline_subusers lists 'a' twice with different settings; keep one entry,"
        ' enforced_tls_baseline_subusers[0] (a) or enforced_tls_baseline_subusers[2] (a)')


def test_build_plan_refuses_more_accounts_than_one_run_handles():
    names = ['s{0}'.format(index) for index in range(MAX_ACCOUNTS + 1)]
    assert build_plan(POLICY, [Account(name) for name in names[1:]])['accounts'] == MAX_ACCOUNTS
    with pytest.raises(PlanError) as excinfo:
        build_plan(POLICY, [Account(name) for name in names])
    assert str(excinfo.value) == (
        'enforced_tls_baseline_subusers (with the discovered ones) come to {0} subusers, more than the {1} one run'
        ' handles; split them over several runs, or leave some out with enforced_tls_baseline_exclude'.format(
            MAX_ACCOUNTS + 1, MAX_ACCOUNTS))


# ---------------------------------------------------------------------------
# discovered_accounts and build_plan: discovered subusers, disabled ones, exclusions
# ---------------------------------------------------------------------------

def test_discovered_accounts_by_name_with_regions_and_the_disabled_ones():
    assert discovered_accounts([discovered('a', 'eu'), dict(discovered('b'), region=None),
                                {'username': 'c', 'disabled': True}]) == Discovered(
        {'a': 'eu', 'b': 'global', 'c': 'global'}, frozenset(['c']))


@pytest.mark.parametrize('entry, shown', [
    ('alice', "'alice' (string)"),
    ({'name': 'alice'}, "{'name': 'alice'} (dict)"),
    ({'username': ''}, "{'username': ''} (dict)"),
])
def test_discovered_accounts_refuse_an_entry_without_a_username(entry, shown):
    with pytest.raises(PlanError) as excinfo:
        discovered_accounts([discovered('a'), entry])
    assert str(excinfo.value) == ('discovered subusers[1] has no username; expected the subusers returned by'
                                  ' sendgrid_subuser_info, got ' + shown)


def test_build_plan_discovered_subusers_are_grouped_by_their_region():
    plan = plan_of(discovered=[discovered('a'), discovered('b', 'eu'), discovered('c'),
                               dict(discovered('d'), region=None)])
    assert groups_of(plan) == [('global', TLS12, ['a', 'c', 'd']), ('eu', TLS12, ['b'])]
    assert (plan['disabled'], plan['discovered'], plan['accounts']) == ([], 4, 4)


def test_build_plan_discovered_region_is_not_replaced_by_the_plan_region():
    plan = plan_of(discovered=[discovered('g', 'global')], subusers=['x'], region='eu')
    assert groups_of(plan) == [('global', TLS12, ['g']), ('eu', TLS12, ['x'])]


def test_build_plan_discovered_with_listed_overrides_merged():
    plan = plan_of(discovered=[discovered('c'), discovered('b', 'eu'), discovered('a')], subusers=[
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
    plan = plan_of(discovered=[discovered('d1'), discovered('d2', 'eu'), discovered('d3')],
                   subusers=['l1', {'name': 'd3', 'version': 1.3}, {'name': 'l2', 'version': 1.3},
                             {'name': 'd2', 'version': 1.3}, 'd1', 'l3'], region='global')
    assert groups_of(plan) == [
        ('global', TLS12, ['d1', 'l1', 'l3']),
        ('eu', TLS13, ['d2']),
        ('global', TLS13, ['d3', 'l2']),
    ]


def test_build_plan_disabled_discovered_are_left_out_and_listed():
    plan = plan_of(discovered=[discovered('a'), discovered('off', disabled=True), discovered('b'),
                               discovered('off-eu', 'eu', disabled=True)])
    assert groups_of(plan) == [('global', TLS12, ['a', 'b'])]
    assert plan['disabled'] == ['off', 'off-eu']
    assert (plan['exempt'], plan['discovered'], plan['accounts']) == ([], 4, 2)


def test_build_plan_disabled_discovered_are_kept_with_include_disabled():
    plan = plan_of(discovered=[discovered('a'), discovered('off', disabled=True),
                               discovered('off-eu', 'eu', disabled=True)], include_disabled=True)
    assert groups_of(plan) == [('global', TLS12, ['a', 'off']), ('eu', TLS12, ['off-eu'])]
    assert plan['disabled'] == []


def test_build_plan_a_disabled_subuser_that_is_listed_is_planned_in_its_region():
    plan = plan_of(discovered=[discovered('off', 'eu', disabled=True)], subusers=['off'])
    assert groups_of(plan) == [('eu', TLS12, ['off'])]
    assert plan['disabled'] == []


def test_build_plan_exclude_removes_listed_and_discovered():
    plan = plan_of(discovered=[discovered('c'), discovered('d', 'eu')],
                   subusers=['a', {'name': 'b', 'version': 1.3}, {'name': 'lab', 'exempt': True, 'reason': 'r'}],
                   exclude=['b', 'd', 'lab', 'unknown'])
    assert groups_of(plan) == [('global', TLS12, ['c']), (None, TLS12, ['a'])]
    assert plan['exempt'] == []
    # In plan order; names that were neither listed nor discovered are not reported.
    assert plan['excluded'] == ['d', 'b', 'lab']
    assert plan['accounts'] == 2


def test_build_plan_excluded_disabled_subuser_is_only_disabled():
    plan = plan_of(discovered=[discovered('off', disabled=True), discovered('a')], exclude=['off'])
    assert groups_of(plan) == [('global', TLS12, ['a'])]
    assert plan['disabled'] == ['off']
    assert plan['excluded'] == []


@pytest.mark.parametrize('exclude, message', [
    (['a', ''], "enforced_tls_baseline_exclude[1] must be a subuser name; got '' (string)"),
    ([3], 'enforced_tls_baseline_exclude[0] must be a subuser name; got 3 (integer)'),
    (['y' * 257], "enforced_tls_baseline_exclude[0] '" + 'y' * 80 + "'... (257 characters) is longer than the 256"
                  ' characters a subuser name may have here'),
    ('a', 'enforced_tls_baseline_exclude must be a list; got string'),
])
def test_check_exclude_refuses_bad_names(exclude, message):
    with pytest.raises(PlanError) as excinfo:
        check_exclude(exclude)
    assert str(excinfo.value) == message


def test_check_exclude_gives_the_names():
    assert check_exclude(['a', 'b', 'a']) == frozenset(['a', 'b'])
    assert check_exclude(None) == frozenset()


def test_build_plan_refuses_a_discovered_name_no_header_can_carry():
    plan = plan_of(discovered=[discovered('ok'), discovered('bad\u0100', 'eu')], subusers=['ok'])
    assert groups_of(plan) == [('global', TLS12, ['ok'])]
    assert plan['refused'] == [{
        'account': 'bad\u0100', 'region': 'eu',
        'reason': "SendGrid lists subuser 'bad\u0100', but its name 'bad\u0100' contains characters that cannot be sent"
                  ' in an HTTP header (only Latin-1 is allowed), so no request can name it; nothing was read or'
                  ' changed for it. Leave it out with enforced_tls_baseline_exclude'}]
    # Refused accounts are read (they fail), so they count.
    assert (plan['accounts'], accounts_to_read(plan)) == (2, 2)


def test_build_plan_an_excluded_discovered_name_no_header_can_carry_is_only_excluded():
    plan = plan_of(discovered=[{'username': 'bad\nname'}], exclude=[])
    assert [entry['account'] for entry in plan['refused']] == ['bad\nname']
    excluded = build_plan(POLICY, discovered=discovered_accounts([{'username': 'bad\nname'}]),
                          exclude=frozenset(['bad\nname']))
    assert (excluded['refused'], excluded['excluded']) == ([], ['bad\nname'])


@pytest.mark.parametrize('name', ['caf\u0100', 'bad\nname'])
def test_a_refused_discovered_name_can_be_left_out_with_exclude_as_its_message_says(name):
    assert plan_of(discovered=[{'username': name}])['refused'][0]['reason'].endswith(
        'Leave it out with enforced_tls_baseline_exclude')
    assert plan_of(discovered=[{'username': name}], exclude=[name])['excluded'] == [name]


# ---------------------------------------------------------------------------
# The parent account
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('include_parent, expected', [(True, PARENT), (False, None), (None, None)])
def test_parent_from_inputs(include_parent, expected):
    assert parent_from_inputs(include_parent) == expected


def test_build_plan_the_parent_account_in_the_plan_region():
    plan = plan_of(subusers=['a'], parent=PARENT, region='eu')
    assert plan['parent'] == {'policy': TLS12, 'region': 'eu'}
    assert (plan['accounts'], accounts_to_read(plan)) == (2, 2)


def test_build_plan_the_parent_accounts_own_settings_and_region_leave_the_subusers_alone():
    plan = plan_of(subusers=['a'], parent=Account(None, 'eu', {'version': 1.3}), region='global')
    assert plan['parent'] == {'policy': TLS13, 'region': 'eu'}
    assert groups_of(plan) == [('global', TLS12, ['a'])]


def test_build_plan_an_exempt_parent_account_is_listed_first_among_the_exempt():
    plan = plan_of(subusers=[{'name': 'lab', 'exempt': True, 'reason': 'r'}],
                   parent=Account(None, exempt_reason='shared relay'))
    assert plan['parent'] is None
    assert plan['exempt'] == [{'account': PARENT_ACCOUNT, 'reason': 'shared relay', 'region': None},
                              {'account': 'lab', 'reason': 'r', 'region': None}]
    assert (plan['accounts'], accounts_to_read(plan)) == (2, 0)


# ---------------------------------------------------------------------------
# Before any request: does the run cover an account?
# ---------------------------------------------------------------------------

def test_parent_only_warning():
    assert parent_only_warning() == (
        'enforced_tls_baseline_subusers is empty and enforced_tls_baseline_all_subusers is false, so this run covers'
        ' only the parent account. If subusers were meant, check the names of the inputs: Ansible ignores variables'
        ' it does not know.')


@pytest.mark.parametrize('listed, all_subusers, parent, warnings', [
    ([], False, PARENT, [parent_only_warning()]),
    ([Account('a')], False, PARENT, []),
    ([Account('a')], False, None, []),
    ([Account('lab', exempt_reason='r')], False, None, []),
    ([], True, None, []),
    ([], True, PARENT, []),
])
def test_check_inputs_cover_accounts(listed, all_subusers, parent, warnings):
    assert check_inputs_cover_accounts(listed, all_subusers, parent) == warnings


def test_check_inputs_cover_accounts_refuses_a_run_of_no_account():
    with pytest.raises(PlanError) as excinfo:
        check_inputs_cover_accounts([], False, None)
    assert str(excinfo.value) == (
        'this run covers no account: enforced_tls_baseline_include_parent is false, enforced_tls_baseline_subusers is'
        ' empty and enforced_tls_baseline_all_subusers is false. List subusers, set enforced_tls_baseline_all_subusers:'
        ' true, or include the parent account')


@pytest.mark.parametrize('kwargs', [
    {'subusers': ['a']},
    {'parent': PARENT},
    {'discovered': [{'username': 'bad\nname'}]},
])
def test_no_account_message_none_when_an_account_is_read(kwargs):
    assert no_account_message(plan_of(**kwargs)) is None


@pytest.mark.parametrize('kwargs, parts', [
    ({}, 'the parent account is left out (enforced_tls_baseline_include_parent is false)'),
    ({'discovered': [discovered('off', disabled=True), discovered('a')], 'exclude': ['a']},
     'the parent account is left out (enforced_tls_baseline_include_parent is false), SendGrid lists 2 subusers,'
     ' 1 excluded, 1 disabled (left out unless enforced_tls_baseline_include_disabled)'),
    ({'discovered': [], 'parent': Account(None, exempt_reason='relay'),
      'subusers': [{'name': 'lab', 'exempt': True, 'reason': 'r'}]},
     'the parent account is exempt, SendGrid lists 0 subusers, 1 exempt'),
])
def test_no_account_message_says_why_no_account_is_read(kwargs, parts):
    assert no_account_message(plan_of(**kwargs)) == (
        'this run has no account to read: {0}. A run that reads no account is never a clean audit'.format(parts))


UNPARSED = ('To fail at once when an inventory source does not parse, set any_unparsed_is_failed = true in the'
            ' [inventory] section of ansible.cfg (or ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true).')


def test_no_hosts_message_when_the_inventory_has_no_such_group():
    message = no_hosts_message('sendgrid', {'all': [], 'ungrouped': []}, ['inv/a.sendgrid.yml', 'inv/b.yml'])
    assert message == (
        "No SendGrid account was read: the host pattern 'sendgrid' matched no host. The inventory (inv/a.sendgrid.yml,"
        " inv/b.yml) has no group 'sendgrid': most likely the inventory plugin mailops.sendgrid.subusers did not parse"
        ' (its warning above says why: a revoked or missing API key, the network, or a file name that does not end in'
        ' sendgrid.yml), or the pattern is not one of its groups. A run that reads no account is never a clean'
        ' audit. ' + UNPARSED)


def test_no_hosts_message_when_the_group_is_empty():
    message = no_hosts_message('sendgrid', {'sendgrid': []}, None)
    assert message.startswith("No SendGrid account was read: the host pattern 'sendgrid' matched no host. The group"
                              " 'sendgrid' of the inventory (no source) is empty: SendGrid lists no subuser that"
                              ' passes exclude and include_disabled')
    assert message.endswith(UNPARSED)


def test_no_hosts_message_when_the_limit_left_no_host():
    message = no_hosts_message('sendgrid', {'sendgrid': ['a']}, ['inv.sendgrid.yml'], limit='web*')
    assert message.startswith(
        "No SendGrid account was read: the host pattern 'sendgrid' with --limit 'web*' matched no host. The host"
        " pattern 'sendgrid' with --limit 'web*' matched no host of the inventory (inv.sendgrid.yml); check"
        ' sendgrid_hosts and --limit.')


# ---------------------------------------------------------------------------
# accounts_from_hosts: the hosts of a play batch
# ---------------------------------------------------------------------------

POLICY_HOSTS = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
RUN_INPUTS = {'enforced_tls_baseline_policy': POLICY_HOSTS, 'enforced_tls_baseline_enforcement': 'minimum'}


def subuser_host(name, **variables):
    return dict({'sendgrid_on_behalf_of': name, 'sendgrid_region': 'global'}, **variables)


def of_hosts(hostvars, run_inputs=None):
    return accounts_from_hosts(list(hostvars), hostvars, run_inputs)


def test_accounts_from_hosts_subusers_regions_and_the_parent():
    hostvars = {'parent': {}, 'a': subuser_host('a'), 'b': subuser_host('b', sendgrid_region='eu'),
                'c': {'sendgrid_on_behalf_of': 'c'}}
    assert of_hosts(hostvars) == (Account(None, source='host parent'), [
        Account('a', 'global', source='host a'), Account('b', 'eu', source='host b'), Account('c', source='host c')])


def test_accounts_from_hosts_without_a_parent_host():
    assert of_hosts({'a': subuser_host('a')})[0] is None


def test_accounts_from_hosts_only_the_hosts_asked_for():
    hostvars = {'a': subuser_host('a'), 'b': subuser_host('b')}
    assert [account.name for account in accounts_from_hosts(('b',), hostvars)[1]] == ['b']


def test_accounts_from_hosts_policies_exemptions_and_the_parents_own():
    hostvars = {
        'parent': {'enforced_tls_baseline_host_policy': {'version': '1.3'}, 'sendgrid_region': 'eu'},
        'a': subuser_host('a', enforced_tls_baseline_host_policy={'version': 1.3, 'require_tls': True}),
        'b': subuser_host('b', enforced_tls_baseline_exempt=True, enforced_tls_baseline_exempt_reason='legacy'),
        'c': subuser_host('c', enforced_tls_baseline_exempt=False),
    }
    parent, subusers = of_hosts(hostvars)
    assert parent == Account(None, 'eu', {'version': 1.3}, source='host parent')
    assert subusers == [
        Account('a', 'global', {'version': 1.3, 'require_tls': True}, source='host a'),
        Account('b', 'global', exempt_reason='legacy', source='host b'),
        Account('c', 'global', source='host c'),
    ]


def test_accounts_from_hosts_an_exempt_parent_keeps_its_reason():
    parent, dummy = of_hosts({'parent': {'enforced_tls_baseline_exempt': True,
                                         'enforced_tls_baseline_exempt_reason': 'shared relay'}})
    assert parent.exempt_reason == 'shared relay'
    assert build_plan(POLICY_HOSTS, parent=parent)['exempt'] == [
        {'account': PARENT_ACCOUNT, 'reason': 'shared relay', 'region': None}]


def test_accounts_from_hosts_make_a_plan_with_one_group_per_policy_and_region():
    hostvars = {'parent': {}, 'a': subuser_host('a'), 'b': subuser_host('b', sendgrid_region='eu'),
                'c': subuser_host('c'),
                'd': subuser_host('d', enforced_tls_baseline_host_policy={'version': 1.3})}
    parent, subusers = of_hosts(hostvars)
    plan = build_plan(POLICY_HOSTS, subusers, parent=parent)
    assert [(group['region'], group['policy']['version'], group['accounts']) for group in plan['groups']] == [
        ('global', 1.2, ['a', 'c']), ('eu', 1.2, ['b']), ('global', 1.3, ['d'])]
    assert plan['parent'] == {'policy': POLICY_HOSTS, 'region': None}


def test_accounts_from_hosts_a_name_no_header_can_carry_is_a_refused_account():
    parent, subusers = of_hosts({'a': subuser_host('a'), 'bad': subuser_host('x\r\ny', sendgrid_region='eu')})
    assert subusers[1].refused == (
        "host bad: sendgrid_on_behalf_of 'x\\r\\ny' cannot be sent to SendGrid: its name 'x\\r\\ny' contains control"
        ' characters (such as CR or LF), which are not allowed in an On-Behalf-Of header; nothing was read or changed'
        ' for it')
    plan = build_plan(POLICY_HOSTS, subusers)
    assert groups_of(plan) == [('global', POLICY_HOSTS, ['a'])]
    assert plan['refused'] == [{'account': 'x\r\ny', 'reason': subusers[1].refused, 'region': 'eu'}]


def test_accounts_from_hosts_read_a_mapping_that_is_not_a_dict():
    """ansible-core's hostvars are a Mapping, whose missing keys are not read."""
    hostvars = {'a': MappingProxyType(subuser_host('a', enforced_tls_baseline_host_policy={'version': 1.3}))}
    assert of_hosts(hostvars)[1] == [Account('a', 'global', {'version': 1.3}, source='host a')]


@pytest.mark.parametrize('hostvars, message', [
    ({'p1': {}, 'p2': {}}, 'host p1 and host p2 both stand for the parent account (neither has sendgrid_on_behalf_of)'),
    ({'a': subuser_host('News'), 'b': subuser_host('news')},
     "host a and host b both stand for subuser 'news' (sendgrid_on_behalf_of); SendGrid compares names regardless of"
     ' case'),
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
def test_accounts_from_hosts_refuse_bad_host_variables_naming_host_and_variable(hostvars, message):
    with pytest.raises(PlanError, match=starts(message)):
        of_hosts(hostvars)


def test_accounts_from_hosts_refuse_a_run_input_of_a_hosts_own():
    hostvars = {'a': subuser_host('a', enforced_tls_baseline_policy=POLICY_HOSTS),
                'b': subuser_host('b', enforced_tls_baseline_policy=dict(POLICY_HOSTS, version=1.3))}
    with pytest.raises(PlanError, match=starts(
            'host b has its own enforced_tls_baseline_policy, but it holds for the whole run; set a per-host policy'
            ' with enforced_tls_baseline_host_policy (host or group vars) instead')):
        of_hosts(hostvars, RUN_INPUTS)
    # The same hosts without run inputs to compare with: nothing to refuse.
    assert len(of_hosts(hostvars)[1]) == 2


def test_accounts_from_hosts_refuse_what_is_not_a_list_of_hosts():
    with pytest.raises(PlanError, match=starts('the hosts of the batch must be a list of host names; got string')):
        accounts_from_hosts('a,b', {})


@pytest.mark.parametrize('parent_policy', [None, '', {}])
def test_parent_from_inputs_without_a_parent_policy_gets_the_policy(parent_policy):
    assert parent_from_inputs(True, parent_policy).overrides == {}


def test_parent_from_inputs_a_parent_policy_replaces_the_policys_settings():
    parent = parent_from_inputs(True, {'require_tls': False, 'version': '1.3'})
    assert parent.overrides == {'require_tls': False, 'version': 1.3}
    plan = build_plan(TLS12, (), parent=parent)
    assert plan['parent'] == {'policy': dict(TLS12, require_tls=False, version=1.3), 'region': None}


@pytest.mark.parametrize('include_parent', [True, False])
@pytest.mark.parametrize('parent_policy, message', [
    ({'require_tls': 'yes'}, 'enforced_tls_baseline_parent_policy.require_tls must be a boolean (true or false);'
                             " got 'yes' (string)"),
    ({'tls': True}, 'enforced_tls_baseline_parent_policy has unknown keys tls; allowed are require_tls,'
                    ' require_valid_cert, version'),
    (['require_tls'], 'enforced_tls_baseline_parent_policy must be a dict with any of require_tls, require_valid_cert,'
                      ' version; got list'),
])
def test_parent_from_inputs_a_bad_parent_policy_is_named_even_without_the_parent(include_parent, parent_policy,
                                                                                 message):
    with pytest.raises(PlanError) as caught:
        parent_from_inputs(include_parent, parent_policy)
    assert str(caught.value) == message
