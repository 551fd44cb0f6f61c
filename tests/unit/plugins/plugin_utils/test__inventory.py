# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._inventory import (
    CONNECTION_VARS,
    MAX_EXCLUDE,
    InventoryConfigError,
    cache_entry,
    cache_source,
    cached_subusers,
    check_exclude,
    check_parent_name,
    derived_host_name,
    host_name_problem,
    inventory_groups,
    is_excluded,
    parent_host,
    plan_hosts,
    renamed_warning,
    subuser_host,
)


def listed(username, region='global', disabled=False, user_id=1, email=None):
    """A subuser as SendGridClient.list_subusers returns it."""
    return {'username': username, 'id': user_id, 'email': email or username + '@example.com', 'disabled': disabled,
            'region': region}


SOURCE = cache_source('https://api.sendgrid.com', 'all')


def test_subuser_host_has_the_account_vars_and_groups():
    host = subuser_host(listed('news-eu', region='eu', user_id=7, email='n@example.com'))
    assert host.name == 'news-eu'
    assert host.groups == ('sendgrid', 'sendgrid_subusers', 'sendgrid_region_eu')
    assert host.connection_vars == {'ansible_connection': 'local',
                                    'ansible_python_interpreter': '{{ ansible_playbook_python }}'}
    assert host.account_vars == {'sendgrid_on_behalf_of': 'news-eu', 'sendgrid_region': 'eu',
                                 'sendgrid_disabled': False, 'sendgrid_id': 7, 'sendgrid_email': 'n@example.com'}


def test_disabled_subuser_is_in_the_disabled_group():
    assert subuser_host(listed('old', disabled=True)).groups == (
        'sendgrid', 'sendgrid_subusers', 'sendgrid_region_global', 'sendgrid_disabled')


def test_unknown_region_gets_no_region_group_but_keeps_its_var():
    host = subuser_host(listed('x', region='au'))
    assert host.groups == ('sendgrid', 'sendgrid_subusers')
    assert host.account_vars['sendgrid_region'] == 'au'


def test_connection_vars_are_a_copy():
    host = subuser_host(listed('x'))
    host.connection_vars['ansible_connection'] = 'ssh'
    assert CONNECTION_VARS['ansible_connection'] == 'local'


def test_parent_host_is_in_the_all_group_only_without_on_behalf_of():
    host = parent_host('main', 'eu')
    assert host.groups == ('sendgrid',)
    assert host.account_vars == {'sendgrid_region': 'eu'}
    assert host.connection_vars == CONNECTION_VARS


@pytest.mark.parametrize('include_disabled, expected', [
    (False, ['sendgrid', 'sendgrid_subusers', 'sendgrid_region_global', 'sendgrid_region_eu']),
    (True, ['sendgrid', 'sendgrid_subusers', 'sendgrid_region_global', 'sendgrid_region_eu', 'sendgrid_disabled']),
])
def test_inventory_groups(include_disabled, expected):
    assert inventory_groups(include_disabled) == expected


@pytest.mark.parametrize('name', ['news', 'a.b-c_d', 'user@example.com', 'Ünïcode', 'x' * 256, 'a*b'])
def test_good_host_names(name):
    assert host_name_problem(name) is None


@pytest.mark.parametrize('name, says', [
    ('', 'empty'),
    ('x' * 257, 'longer than the 256'),
    ('a\nb', 'control characters'),
    ('a\x00b', 'control characters'),
    ('a\u200bb', 'control characters'),
    (' a', 'whitespace'),
    ('a b', 'whitespace'),
    ('a,b', ', or :'),
    ('a:b', ', or :'),
    ('!a', 'starts with !'),
    ('&a', 'starts with &'),
    ('~a', 'starts with ~'),
    ('{{ 7 * 6 }}', 'whitespace'),
    ('{{7*6}}', 'template marker'),
    ('a{%b', 'template marker'),
    ('\u0100bc', 'Latin-1'),
    ('account-id 5', 'customer account'),
])
def test_bad_host_names(name, says):
    assert says in host_name_problem(name)


def test_bad_host_name_problem_shows_an_excerpt_only():
    problem = host_name_problem('x' * 5000)
    assert 'x' * 81 not in problem
    assert '5000 characters' in problem


def test_non_string_name():
    assert 'must be a string' in host_name_problem(5)


def test_check_parent_name():
    assert check_parent_name('sendgrid_parent') == 'sendgrid_parent'
    with pytest.raises(InventoryConfigError, match="parent_name 'a,b' cannot be a host name"):
        check_parent_name('a,b')
    with pytest.raises(InventoryConfigError, match=r'parent_name must be a string .*got 5 \(integer\)'):
        check_parent_name(5)


@pytest.mark.parametrize('name', ['all', 'ungrouped', 'sendgrid', 'sendgrid_subusers', 'sendgrid_region_eu',
                                  'sendgrid_disabled', 'localhost', '127.0.0.1'])
def test_check_parent_name_refuses_a_group_name(name):
    with pytest.raises(InventoryConfigError, match='is the name of a group'):
        check_parent_name(name)


def test_check_exclude():
    assert check_exclude(None) == []
    assert check_exclude(['a', 'b*']) == ['a', 'b*']


@pytest.mark.parametrize('value, says', [
    ('a', 'exclude must be a list of subuser names or shell patterns; got string'),
    ({'a': 1}, 'got dict'),
    (['ok', 5], 'exclude[1] must be a string'),
    (['ok', ''], 'exclude[1] must not be empty'),
    (['x' * 300], 'exclude[0]'),
    (['a\nb'], r"exclude[0] 'a\nb' contains control characters"),
    ([' a'], 'leading or trailing whitespace'),
])
def test_check_exclude_refuses(value, says):
    with pytest.raises(InventoryConfigError) as caught:
        check_exclude(value)
    assert says in str(caught.value)
    assert 'x' * 81 not in str(caught.value)


def test_check_exclude_is_bounded():
    check_exclude(['a'] * MAX_EXCLUDE)
    with pytest.raises(InventoryConfigError, match='exclude holds 1001 entries; at most 1000'):
        check_exclude(['a'] * (MAX_EXCLUDE + 1))


@pytest.mark.parametrize('name, patterns, expected', [
    ('news', ['news'], True),
    ('News', ['nEWs'], True),
    ('news', ['new'], False),
    ('test-1', ['TEST-*'], True),
    ('Test-1', ['test-?'], True),
    ('test-10', ['test-?'], False),
    ('a-sandbox', ['*-sandbox', 'x'], True),
    ('news', [], False),
    ('a[1]', ['a[[]1]'], True),
])
def test_is_excluded(name, patterns, expected):
    assert is_excluded(name, patterns) is expected


def names(hosts):
    return [host.name for host in hosts]


def test_plan_hosts_leaves_out_disabled_and_excluded():
    subusers = [listed('a'), listed('b', disabled=True), listed('Test-1'), listed('c', region='eu')]
    hosts, renamed, skipped = plan_hosts(subusers, ['test-*'])
    assert names(hosts) == ['a', 'c']
    assert renamed == [] and skipped == []


def test_plan_hosts_with_disabled():
    hosts, dummy, dummy = plan_hosts([listed('a'), listed('b', disabled=True)], [], include_disabled=True)
    assert names(hosts) == ['a', 'b']
    assert 'sendgrid_disabled' in hosts[1].groups


def test_plan_hosts_with_parent_first():
    hosts, dummy, dummy = plan_hosts([listed('a')], [], include_parent=True, parent_name='main', region='eu')
    assert names(hosts) == ['main', 'a']
    assert hosts[0].account_vars == {'sendgrid_region': 'eu'}


def test_plan_hosts_exclude_does_not_apply_to_the_parent():
    hosts, dummy, dummy = plan_hosts([listed('a')], ['*'], include_parent=True)
    assert names(hosts) == ['sendgrid_parent']


@pytest.mark.parametrize('username, why', [
    ('b c', 'whitespace'),
    ('x\r\nInjected: 1', 'control characters'),
    ('all', 'the name of a group'),
    ('ungrouped', 'the name of a group'),
    ('sendgrid', 'the name of a group'),
    ('sendgrid_region_eu', 'the name of a group'),
    ('localhost', 'the implicit localhost'),
    ('a,b', ', or :'),
    ('{{x}}', 'template marker'),
    ('\u0100bc', 'Latin-1'),
    ('y' * 300, 'longer than'),
])
def test_plan_hosts_every_subuser_is_a_host_a_bad_name_gets_a_derived_one(username, why):
    hosts, renamed, skipped = plan_hosts([listed('a'), listed(username)], [])
    assert skipped == []
    assert names(hosts)[0] == 'a'
    derived = hosts[1]
    assert derived.name != username and host_name_problem(derived.name) is None
    assert derived.account_vars['sendgrid_on_behalf_of'] == username
    assert [(item.username, item.host) for item in renamed] == [(username, derived.name)]
    assert why in renamed[0].why


def test_derived_host_names_are_stable_and_readable():
    assert derived_host_name('Weird Name', set()) == derived_host_name('Weird Name', {'other'})
    assert derived_host_name('Weird Name', set()).startswith('Weird_Name-')
    assert derived_host_name('\r\n', set()).startswith('subuser-')
    assert len(derived_host_name('y' * 300, set())) == 64 + 1 + 8


def test_derived_host_names_avoid_names_taken():
    first = derived_host_name('a b', set())
    second = derived_host_name('a b', {first})
    assert second != first and second.startswith(first)


def test_plan_hosts_a_derived_name_never_takes_another_subusers_username():
    clash = derived_host_name('a b', set())
    hosts, dummy, dummy = plan_hosts([listed('a b'), listed(clash)], [])
    assert len(set(names(hosts))) == 2 and clash in names(hosts)


def test_plan_hosts_names_taken_by_constructed_groups_are_renamed():
    hosts, renamed, dummy = plan_hosts([listed('a'), listed('region_eu')], [], taken={'region_eu'})
    assert names(hosts)[0] == 'a' and names(hosts)[1].startswith('region_eu-')
    assert renamed[0].why == 'it is the name of a group'


def test_plan_hosts_a_subuser_named_as_the_parent_host_is_renamed():
    hosts, renamed, dummy = plan_hosts([listed('main')], [], include_parent=True, parent_name='Main')
    assert names(hosts)[0] == 'Main' and names(hosts)[1].startswith('main-')
    assert 'parent_name' in renamed[0].why
    # Without include_parent the name is free.
    hosts, renamed, dummy = plan_hosts([listed('main')], [], parent_name='Main')
    assert names(hosts) == ['main'] and renamed == []


def test_plan_hosts_skips_only_a_name_that_reads_as_a_customer_account():
    hosts, renamed, skipped = plan_hosts([listed('a'), listed('account-id 5')], [])
    assert names(hosts) == ['a'] and renamed == []
    assert skipped[0][0] == 'account-id 5' and 'customer account' in skipped[0][1]


def test_plan_hosts_renamed_names_can_be_excluded_silently():
    assert plan_hosts([listed('b c')], ['b*']) == ([], [], [])


def test_renamed_warning_names_each_subuser_once_bounded():
    hosts, renamed, dummy = plan_hosts([listed('n {0}'.format(index)) for index in range(25)], [])
    warning = renamed_warning(renamed)
    assert warning.startswith('25 SendGrid subuser(s) have a host name of their own')
    assert "'n 0' is host n_0-" in warning and "'n 19'" in warning and "'n 20'" not in warning
    assert warning.endswith('and 5 more. Their sendgrid_on_behalf_of holds the username.')


def test_cache_entry_round_trip_keeps_only_the_subuser_fields():
    subusers = [dict(listed('a'), extra='dropped'), listed('b', region='eu', disabled=True, user_id=None)]
    entry = cache_entry(SOURCE, subusers)
    assert entry['subusers'][0] == listed('a')
    assert cached_subusers(entry, SOURCE) == [listed('a'), listed('b', region='eu', disabled=True, user_id=None)]


def test_cache_entry_of_another_source_is_a_miss():
    entry = cache_entry(SOURCE, [listed('a')])
    assert cached_subusers(entry, cache_source('https://api.sendgrid.com', 'eu')) is None
    assert cached_subusers(entry, cache_source('https://api.eu.sendgrid.com', 'all')) is None


@pytest.mark.parametrize('entry', [
    None,
    [],
    'text',
    {'format': 0, 'source': SOURCE, 'subusers': []},
    {'format': 1, 'source': SOURCE, 'subusers': 'x'},
    {'format': 1, 'source': SOURCE, 'subusers': [{'username': 'a'}]},
    {'format': 1, 'source': SOURCE, 'subusers': [dict(listed('a'), username='')]},
    {'format': 1, 'source': SOURCE, 'subusers': [dict(listed('a'), disabled='no')]},
    {'format': 1, 'source': SOURCE, 'subusers': [dict(listed('a'), id=True)]},
    {'format': 1, 'source': SOURCE, 'subusers': [dict(listed('a'), email=5)]},
    {'format': 1, 'source': SOURCE, 'subusers': [dict(listed('a'), region=None)]},
    {'format': 1, 'source': SOURCE, 'subusers': [dict(listed('a'), api_key='x')]},
])
def test_cache_entry_not_as_written_is_a_miss(entry):
    assert cached_subusers(entry, SOURCE) is None
