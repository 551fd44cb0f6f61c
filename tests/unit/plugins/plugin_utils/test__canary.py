# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._canary import (
    Gate,
    apply_gate,
    changed_accounts,
    changed_plan,
    check_canary,
    check_gate,
    gate_reason,
    held_back,
    note_rollback,
    split_plan,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import (
    PARENT_ACCOUNT,
    Account,
    PlanError,
    accounts_from_inputs,
    build_plan,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import summarize
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._restore import Target
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import settings

LIMIT = 'enforced_tls_baseline_max_tls_blocks'
SOAK = 'enforced_tls_baseline_canary_soak'
CANARY = 'enforced_tls_baseline_canary'
ROLLBACK = 'enforced_tls_baseline_rollback_on_blocks'
SINCE = '2026-12-03T11:59:00Z'
OPEN = settings(False, True, 1.2)
ENFORCED = settings(True, True, 1.2)
OLD = settings(True, True, 1.1)
TLS13 = {'require_tls': True, 'version': 1.3}


# ---------------------------------------------------------------------------
# check_gate
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('limit', [None, ''])
def test_check_gate_no_limit_is_no_gate_whatever_the_soak(limit):
    assert check_gate(limit) is None
    assert check_gate(limit, 30) is None
    # The soak only matters with a limit: a bad one is not checked without it.
    assert check_gate(limit, 86401, False) is None


@pytest.mark.parametrize('limit', [None, ''])
def test_check_gate_rollback_without_a_limit_is_refused(limit):
    with pytest.raises(PlanError) as caught:
        check_gate(limit, 0, True)
    assert str(caught.value) == ('{0} needs {1}: the limit over which an account is rolled back'.format(ROLLBACK, LIMIT))


@pytest.mark.parametrize('limit, soak, rollback, gate', [
    (0, 0, False, Gate(0, 0, False)),
    (100000, 86400, True, Gate(100000, 86400, True)),
    (5, None, False, Gate(5, 0, False)),
    (5, '', 1, Gate(5, 0, True)),
    # An extra var given as key=value is text.
    ('7', '30', True, Gate(7, 30, True)),
    (' 12 ', ' 0 ', False, Gate(12, 0, False)),
])
def test_check_gate_takes_whole_numbers_and_their_digits(limit, soak, rollback, gate):
    checked = check_gate(limit, soak, rollback)
    assert checked == gate
    assert [type(value).__name__ for value in checked] == ['int', 'int', 'bool']


def test_check_gate_defaults_to_no_soak_and_no_rollback():
    assert check_gate(3) == Gate(3, 0, False)


@pytest.mark.parametrize('limit, shown', [
    (-1, '-1 (integer)'),
    (100001, '100001 (integer)'),
    ('x', "'x' (string)"),
    ('-1', "'-1' (string)"),
    ('1.5', "'1.5' (string)"),
    (' ', "' ' (string)"),
    # Digits that are not ASCII ones are not a number a person typed.
    ('\u00b2', "'\u00b2' (string)"),
    ('\u0663', "'\u0663' (string)"),
    (2.0, '2.0 (float)'),
    (True, 'true (boolean)'),
    ([3], '[3] (list)'),
])
def test_check_gate_refuses_a_limit_that_is_not_a_whole_number_in_bounds(limit, shown):
    with pytest.raises(PlanError) as caught:
        check_gate(limit)
    assert str(caught.value) == '{0} must be a whole number from 0 to 100000; got {1}'.format(LIMIT, shown)


@pytest.mark.parametrize('soak, shown', [
    (-1, '-1 (integer)'),
    (86401, '86401 (integer)'),
    # Digits are read as the number they are.
    ('86401', '86401 (integer)'),
    ('1m', "'1m' (string)"),
    (True, 'true (boolean)'),
    (1.5, '1.5 (float)'),
])
def test_check_gate_refuses_a_soak_that_is_not_a_whole_number_in_bounds(soak, shown):
    with pytest.raises(PlanError) as caught:
        check_gate(5, soak)
    assert str(caught.value) == '{0} must be a whole number from 0 to 86400; got {1}'.format(SOAK, shown)


# ---------------------------------------------------------------------------
# check_canary
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('canary', [None, '', 0, '0'])
@pytest.mark.parametrize('per_host', [False, True])
def test_check_canary_none_or_zero_is_no_canary_even_without_a_gate(canary, per_host):
    assert check_canary(canary, None, per_host) == 0


@pytest.mark.parametrize('canary, count', [(1, 1), ('3', 3), (' 2 ', 2), (50000, 50000)])
def test_check_canary_is_how_many_accounts_go_first(canary, count):
    checked = check_canary(canary, Gate(0, 0, False))
    assert checked == count and isinstance(checked, int) and not isinstance(checked, bool)


def test_check_canary_needs_the_gate():
    with pytest.raises(PlanError) as caught:
        check_canary(2, None)
    assert str(caught.value) == ('{0} needs {1}: the canary accounts are enforced first, and the rest only when none has'
                                 ' more TLS blocks than that'.format(CANARY, LIMIT))


@pytest.mark.parametrize('gate', [None, Gate(0, 0, False)])
def test_check_canary_is_refused_per_host(gate):
    with pytest.raises(PlanError) as caught:
        check_canary(1, gate, per_host=True)
    assert str(caught.value) == ("{0} is for the accounts of the role's inputs; with hosts, the play's serial makes the"
                                 " batches, and the gate watches each".format(CANARY))


@pytest.mark.parametrize('canary, shown', [
    (-1, '-1 (integer)'),
    (50001, '50001 (integer)'),
    ('all', "'all' (string)"),
    (True, 'true (boolean)'),
    (1.0, '1.0 (float)'),
])
def test_check_canary_refuses_a_count_that_is_not_a_whole_number_in_bounds(canary, shown):
    with pytest.raises(PlanError) as caught:
        check_canary(canary, Gate(0, 0, False))
    assert str(caught.value) == '{0} must be a whole number from 0 to 50000; got {1}'.format(CANARY, shown)


# ---------------------------------------------------------------------------
# split_plan, held_back
# ---------------------------------------------------------------------------

def plan(groups, parent=True, exempt=(), refused=(), excluded=(), disabled=()):
    """A plan of ``_plan.build_plan``'s shape: ``groups`` as (region, accounts), each with the policy TLS13 for
    the region eu, else ENFORCED."""
    return {
        'policy': ENFORCED, 'enforcement': 'minimum',
        'parent': {'policy': ENFORCED, 'region': None} if parent else None,
        'groups': [{'region': region, 'policy': TLS13 if region == 'eu' else ENFORCED, 'accounts': list(accounts)}
                   for region, accounts in groups],
        'exempt': [{'account': name, 'reason': 'legacy', 'region': None} for name in exempt],
        'refused': [{'account': name, 'reason': 'no header can carry it', 'region': None} for name in refused],
        'excluded': list(excluded), 'disabled': list(disabled), 'discovered': None,
        'accounts': 1 + sum(len(accounts) for region, accounts in groups) + len(exempt) + len(refused),
    }


FULL = plan([(None, ['a', 'b', 'c']), ('eu', ['d', 'e'])], exempt=['x'], refused=['bad\nname'],
            excluded=['old'], disabled=['off'])


def names(part):
    return [(group['region'], group['accounts']) for group in part['groups']]


def test_split_plan_the_canary_is_the_first_subusers_in_plan_order_across_groups():
    before = copy.deepcopy(FULL)
    canary, rest = split_plan(FULL, 4)
    assert names(canary) == [(None, ['a', 'b', 'c']), ('eu', ['d'])]
    assert names(rest) == [('eu', ['e'])]
    # Each part's groups keep their region and policy; the plan is left as it was.
    assert [group['policy'] for group in canary['groups']] == [ENFORCED, TLS13]
    assert rest['groups'][0]['policy'] == TLS13
    assert FULL == before


def test_split_plan_the_canary_has_the_accounts_no_call_reads_and_the_rest_the_parent():
    canary, rest = split_plan(FULL, 2)
    assert names(canary) == [(None, ['a', 'b'])]
    assert canary['parent'] is None
    assert (canary['exempt'], canary['refused']) == (FULL['exempt'], FULL['refused'])
    assert (canary['excluded'], canary['disabled']) == (['old'], ['off'])
    assert names(rest) == [(None, ['c']), ('eu', ['d', 'e'])]
    assert rest['parent'] == FULL['parent']
    assert (rest['exempt'], rest['refused'], rest['excluded'], rest['disabled']) == ([], [], [], [])
    # The rest of the plan is the plan's: its policy and enforcement.
    assert (rest['policy'], rest['enforcement'], canary['policy'], canary['enforcement']) == (
        ENFORCED, 'minimum', ENFORCED, 'minimum')


@pytest.mark.parametrize('count', [1, 3])
def test_split_plan_a_canary_on_a_groups_edge(count):
    canary, rest = split_plan(plan([(None, ['a', 'b', 'c']), ('eu', ['d'])]), count)
    assert [name for group in canary['groups'] for name in group['accounts']] == ['a', 'b', 'c'][:count]
    assert [name for group in rest['groups'] for name in group['accounts']] == ['a', 'b', 'c', 'd'][count:]
    assert not [group for group in canary['groups'] + rest['groups'] if not group['accounts']]


@pytest.mark.parametrize('count', [5, 6, 50000])
def test_split_plan_a_canary_of_every_subuser_leaves_the_parent_for_the_rest(count):
    canary, rest = split_plan(FULL, count)
    assert names(canary) == names(FULL) and canary['parent'] is None
    assert (rest['groups'], rest['parent']) == ([], FULL['parent'])


@pytest.mark.parametrize('count', [5, 6])
def test_split_plan_a_canary_of_every_account_is_the_plan_with_no_rest(count):
    whole = plan([(None, ['a', 'b', 'c']), ('eu', ['d', 'e'])], parent=False, exempt=['x'])
    canary, rest = split_plan(whole, count)
    assert canary is whole and rest is None


def test_split_plan_a_plan_of_the_parent_alone_is_its_own_canary():
    alone = plan([], exempt=['x'])
    canary, rest = split_plan(alone, 2)
    assert canary is alone and rest is None


def test_split_plan_of_a_built_plan():
    built = build_plan(ENFORCED, accounts_from_inputs(['a', {'name': 'b', 'version': 1.3}, 'c']), parent=Account(None))
    canary, rest = split_plan(built, 2)
    assert names(canary) == [(None, ['a', 'c'])]
    assert names(rest) == [(None, ['b'])] and rest['parent'] == built['parent']


def test_held_back_is_the_parent_then_the_subusers_in_plan_order():
    canary, rest = split_plan(FULL, 2)
    assert held_back(rest) == [PARENT_ACCOUNT, 'c', 'd', 'e']
    assert held_back(plan([('eu', ['d']), (None, ['a'])], parent=False, exempt=['x'])) == ['d', 'a']
    assert held_back(plan([])) == [PARENT_ACCOUNT]


# ---------------------------------------------------------------------------
# changed_accounts, changed_plan
# ---------------------------------------------------------------------------

def entry(account, status, region=None, reason='changed require_tls false -> true', **fields):
    """A report entry, from OPEN to ENFORCED unless ``fields`` say otherwise."""
    return dict({'account': account, 'region': region, 'policy': ENFORCED, 'status': status, 'before': OPEN,
                 'after': ENFORCED, 'differences': ['require_tls'] if status == 'changed' else [], 'stricter': [],
                 'reason': reason}, **fields)


def report(*entries):
    return {'report_version': 1, 'mode': 'enforce', 'summary': summarize(list(entries)), 'accounts': list(entries)}


def test_changed_accounts_are_the_entries_of_status_changed():
    entries = [entry('a', 'changed'), entry('b', 'compliant'), entry('c', 'failed'), entry('d', 'drift'),
               entry('x', 'exempt'), entry(PARENT_ACCOUNT, 'changed')]
    assert changed_accounts(report(*entries)) == [entries[0], entries[5]]


def test_changed_plan_holds_only_the_changed_accounts():
    changed = report(entry('a', 'compliant'), entry('c', 'changed'), entry('e', 'changed'), entry('d', 'failed'),
                     entry(PARENT_ACCOUNT, 'changed'))
    part = changed_plan(FULL, changed)
    assert names(part) == [(None, ['c']), ('eu', ['e'])]
    assert part['parent'] == FULL['parent']
    assert [group['policy'] for group in part['groups']] == [ENFORCED, TLS13]


def test_changed_plan_leaves_out_the_parent_and_groups_with_no_changed_account():
    part = changed_plan(FULL, report(entry('d', 'changed'), entry(PARENT_ACCOUNT, 'compliant')))
    assert names(part) == [('eu', ['d'])]
    assert part['parent'] is None
    assert names(changed_plan(FULL, report(entry('a', 'compliant')))) == []


# ---------------------------------------------------------------------------
# gate_reason
# ---------------------------------------------------------------------------

def blocks(count, *domains, more=0):
    return {'count': count, 'domains': [{'domain': name, 'blocks': number} for name, number in domains],
            'more_domains': more, 'first_blocked': None, 'last_blocked': None}


@pytest.mark.parametrize('count, limit', [(0, 0), (3, 3), (2, 5)])
def test_gate_reason_none_at_or_under_the_limit(count, limit):
    assert gate_reason(blocks(count, ('old.example', count)), limit, SINCE) is None


def test_gate_reason_over_the_limit_names_the_blocked_domains():
    found = blocks(5, ('old.example', 3), ('legacy.example', 2))
    assert gate_reason(found, 4, SINCE) == (
        '5 TLS blocks since its update (2026-12-03T11:59:00Z), more than {0} (4): mail dropped for old.example (3),'
        ' legacy.example (2)'.format(LIMIT))


def test_gate_reason_one_block_and_more_domains():
    assert gate_reason(blocks(1, ('old.example', 1)), 0, SINCE) == (
        '1 TLS block since its update (2026-12-03T11:59:00Z), more than {0} (0): mail dropped for'
        ' old.example (1)'.format(LIMIT))
    assert gate_reason(blocks(9, ('a.example', 7), more=1), 0, SINCE).endswith(
        'mail dropped for a.example (7), and 1 more domain')
    assert gate_reason(blocks(9, ('a.example', 5), more=2), 0, SINCE).endswith(
        'mail dropped for a.example (5), and 2 more domains')


@pytest.mark.parametrize('found, said', [
    (None, 'not read'),
    ({'failed': True, 'msg': 'HTTP 403 Forbidden'}, 'HTTP 403 Forbidden'),
    ({'failed': True, 'msg': None}, 'not read'),
])
def test_gate_reason_blocks_not_read_fail_the_account(found, said):
    assert gate_reason(found, 100000, SINCE) == (
        'the gate could not read its TLS blocks since its update, so it cannot say the enforcement drops no mail: ' + said)


# ---------------------------------------------------------------------------
# apply_gate
# ---------------------------------------------------------------------------

GATE_REPORT = report(
    entry('over', 'changed', region='eu'),
    entry('under', 'changed', before=OLD, reason='changed version 1.1 -> 1.2'),
    entry('unread', 'changed'),
    entry('missing', 'changed'),
    entry('kept', 'compliant', before=ENFORCED, reason=None),
    entry('broken', 'failed', before=None, after=None, reason='HTTP 500'),
    entry(PARENT_ACCOUNT, 'changed'),
)
GATE_BLOCKS = {'over': blocks(4, ('old.example', 4)), 'under': blocks(1, ('old.example', 1)),
               'unread': {'failed': True, 'msg': 'HTTP 403'}, 'kept': blocks(50, ('old.example', 50)),
               'broken': blocks(50, ('old.example', 50)), PARENT_ACCOUNT: blocks(2, ('old.example', 2))}


def by_account(gated):
    return {item['account']: item for item in gated['accounts']}


@pytest.mark.parametrize('rollback', [False, True])
def test_apply_gate_fails_each_changed_account_over_the_limit_or_not_read(rollback):
    gated, dummy = apply_gate(GATE_REPORT, GATE_BLOCKS, Gate(1, 0, rollback), SINCE)
    entries = by_account(gated)
    assert {name: item['status'] for name, item in entries.items()} == {
        'over': 'failed', 'under': 'changed', 'unread': 'failed', 'missing': 'failed', 'kept': 'compliant',
        'broken': 'failed', PARENT_ACCOUNT: 'failed'}
    assert entries['over']['reason'] == (
        'changed require_tls false -> true; 4 TLS blocks since its update (2026-12-03T11:59:00Z), more than {0} (1):'
        ' mail dropped for old.example (4)'.format(LIMIT))
    assert entries['unread']['reason'] == (
        'changed require_tls false -> true; the gate could not read its TLS blocks since its update, so it cannot'
        ' say the enforcement drops no mail: HTTP 403')
    assert entries['missing']['reason'].endswith('cannot say the enforcement drops no mail: not read')
    # What the gate does not fail is left as it was; a failed entry keeps the rest of what it was.
    for name in ('under', 'kept', 'broken'):
        assert entries[name] == by_account(GATE_REPORT)[name]
    assert entries['over'] == dict(by_account(GATE_REPORT)['over'], status='failed', reason=entries['over']['reason'])
    assert [item['account'] for item in gated['accounts']] == [item['account'] for item in GATE_REPORT['accounts']]


def test_apply_gate_counts_the_accounts_it_fails():
    gated, dummy = apply_gate(GATE_REPORT, GATE_BLOCKS, Gate(1, 0, False), SINCE)
    assert (gated['summary']['changed'], gated['summary']['failed']) == (1, 5)
    assert gated['summary'] == summarize(gated['accounts'])
    assert (gated['mode'], gated['report_version']) == ('enforce', 1)
    assert GATE_REPORT['summary']['failed'] == 1


def test_apply_gate_rolls_back_only_with_rollback_and_never_an_account_whose_blocks_were_not_read():
    dummy, none = apply_gate(GATE_REPORT, GATE_BLOCKS, Gate(1, 0, False), SINCE)
    assert none == []
    dummy, rollback = apply_gate(GATE_REPORT, GATE_BLOCKS, Gate(1, 0, True), SINCE)
    assert rollback == [Target('over', 'eu', OPEN, ENFORCED), Target(PARENT_ACCOUNT, None, OPEN, ENFORCED)]


def test_apply_gate_passes_every_account_at_or_under_the_limit():
    gated, rollback = apply_gate(GATE_REPORT, dict(GATE_BLOCKS, unread=blocks(0), missing=blocks(0)),
                                 Gate(4, 0, True), SINCE)
    assert gated['accounts'] == GATE_REPORT['accounts']
    assert rollback == []


# ---------------------------------------------------------------------------
# note_rollback
# ---------------------------------------------------------------------------

def restored(account, status, reason=None, **fields):
    """An entry of the rollback's result, as ``_restore.restore_entry`` makes it (``after``: OPEN unless given)."""
    return dict({'account': account, 'region': None, 'status': status, 'before': ENFORCED, 'after': OPEN,
                 'restore_to': OPEN, 'reason': reason}, **fields)


def test_note_rollback_sets_each_rolled_back_accounts_after_and_says_so():
    gated, dummy = apply_gate(GATE_REPORT, GATE_BLOCKS, Gate(1, 0, True), SINCE)
    noted = note_rollback(gated, [restored('over', 'restored'),
                                  restored(PARENT_ACCOUNT, 'unchanged', reason='already as before the enforcement')])
    entries, gated_entries = by_account(noted), by_account(gated)
    for name in ('over', PARENT_ACCOUNT):
        assert entries[name] == dict(gated_entries[name], after=OPEN, rolled_back=True, reason=(
            gated_entries[name]['reason'] + '; rolled back to its setting before the enforcement'))
    # The others are as the gate left them.
    assert [entries[name] for name in ('under', 'unread', 'kept')] == [
        gated_entries[name] for name in ('under', 'unread', 'kept')]
    assert 'rolled_back' not in gated_entries['over']


@pytest.mark.parametrize('status, reason', [
    ('failed', 'HTTP 500 for over'),
    ('changed_since', 'changed since the enforcement: it is ...; left alone'),
])
def test_note_rollback_a_rollback_that_failed_is_in_the_reason(status, reason):
    gated, dummy = apply_gate(GATE_REPORT, GATE_BLOCKS, Gate(1, 0, True), SINCE)
    noted = by_account(note_rollback(gated, [restored('over', status, after=ENFORCED, reason=reason)]))
    over = by_account(gated)['over']
    assert noted['over'] == dict(over, rolled_back=False, reason='{0}; the rollback failed ({1}): {2}'.format(
        over['reason'], status, reason))
    assert noted['over']['after'] == ENFORCED


def test_note_rollback_of_nothing_is_the_report():
    gated, dummy = apply_gate(GATE_REPORT, GATE_BLOCKS, Gate(1, 0, True), SINCE)
    noted = note_rollback(gated, [])
    assert noted == gated
