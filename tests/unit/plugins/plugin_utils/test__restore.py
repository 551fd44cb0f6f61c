# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import REPORT_VERSION
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import MAX_REPORT_BYTES
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._restore import (
    RestoreError,
    Target,
    check_report,
    check_restore_accounts,
    decide,
    load_report,
    restore_entry,
    restore_line,
    restore_plan,
    restore_targets,
    restore_verdict,
    restore_warnings,
    sorted_entries,
    summarize_restore,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import settings

OPEN = settings(False, True, 1.2)
ENFORCED = settings(True, True, 1.2)
OLD = settings(True, False, 1.1)
OTHER = settings(True, False, 1.3)


def entry(account, status, before=None, after=None, region='global'):
    return {'account': account, 'region': region, 'status': status, 'before': before, 'after': after,
            'policy': ENFORCED, 'differences': [], 'stricter': [], 'reason': None}


def report(*entries, **fields):
    return dict({'report_version': REPORT_VERSION, 'mode': 'enforce', 'accounts': list(entries)}, **fields)


def read_entry(before, status='drift', reason=None):
    """An account's entry in the report of the restore's read."""
    return {'status': status, 'before': before, 'reason': reason}


FLEET = report(entry(PARENT_ACCOUNT, 'changed', OPEN, ENFORCED, region=None),
               entry('s01', 'changed', OPEN, ENFORCED),
               entry('s02', 'changed', OLD, ENFORCED, region='eu'),
               entry('ok', 'compliant', ENFORCED, ENFORCED),
               entry('lab', 'exempt', region=None),
               entry('broken', 'failed'),
               entry('half', 'failed', OLD))


# ---------------------------------------------------------------------------
# load_report
# ---------------------------------------------------------------------------

def test_load_report_reads_a_json_file(tmp_path):
    path = tmp_path / 'enforced-tls-report.json'
    path.write_text(json.dumps(FLEET))
    assert load_report(str(path)) == FLEET


def test_load_report_takes_the_report_itself():
    assert load_report(FLEET) is FLEET


@pytest.mark.parametrize('value, message', [
    (None, 'sendgrid_restore_report must be the path of an enforcement\'s enforced-tls-report.json, or the report'
           ' itself (a dict); got null'),
    ('  ', "sendgrid_restore_report must be the path of an enforcement's enforced-tls-report.json, or the report"
           " itself (a dict); got '  ' (string)"),
    (5, "sendgrid_restore_report must be the path of an enforcement's enforced-tls-report.json, or the report itself"
        " (a dict); got 5 (integer)"),
])
def test_load_report_refuses_what_is_neither(value, message):
    with pytest.raises(RestoreError) as error:
        load_report(value)
    assert str(error.value) == message


def test_load_report_names_a_missing_file(tmp_path):
    with pytest.raises(RestoreError) as error:
        load_report(str(tmp_path / 'missing.json'))
    assert str(error.value).startswith('sendgrid_restore_report: cannot read {0}: '.format(tmp_path / 'missing.json'))


def test_load_report_refuses_what_is_not_json(tmp_path):
    path = tmp_path / 'report.json'
    path.write_text('not json')
    with pytest.raises(RestoreError) as error:
        load_report(str(path))
    assert str(error.value).startswith('sendgrid_restore_report: {0} is not JSON ('.format(path))


def test_load_report_bounds_the_file(tmp_path, monkeypatch):
    from ansible_collections.mailops.sendgrid.plugins.plugin_utils import _report_files
    monkeypatch.setattr(_report_files, 'MAX_REPORT_BYTES', 10)
    path = tmp_path / 'report.json'
    path.write_text('[' + ' ' * 10 + ']')
    with pytest.raises(RestoreError) as error:
        load_report(str(path))
    assert 'is larger than 0 MB' in str(error.value)
    assert MAX_REPORT_BYTES == 256 * 1024 * 1024


# ---------------------------------------------------------------------------
# check_report
# ---------------------------------------------------------------------------

def test_check_report_gives_each_account_checked():
    entries = check_report(FLEET)
    assert [item['account'] for item in entries] == [PARENT_ACCOUNT, 's01', 's02', 'ok', 'lab', 'broken', 'half']
    assert entries[2] == {'account': 's02', 'region': 'eu', 'status': 'changed', 'before': OLD, 'after': ENFORCED}


def test_check_report_normalises_versions():
    entries = check_report(report(entry('s01', 'changed', dict(OPEN, version='1.20'), dict(ENFORCED, version=1.2))))
    assert entries[0]['before']['version'] == 1.2


@pytest.mark.parametrize('value, message', [
    ([], 'sendgrid_restore_report is not a report of an Enforced TLS run (a dict with accounts); got list'),
    ({'mode': 'enforce'}, 'sendgrid_restore_report is not a report of an Enforced TLS run (a dict with accounts);'
                          ' got dict'),
    (report(report_version=None), 'sendgrid_restore_report is a report of a version this restore does not know'
                                  ' (report_version null); it knows report_version 1, as written by this collection'
                                  ' since 2.0.0'),
    (report(report_version=2), 'sendgrid_restore_report is a report of a version this restore does not know'
                               ' (report_version 2 (integer)); it knows report_version 1, as written by this'
                               ' collection since 2.0.0'),
    (report(mode='audit'), 'sendgrid_restore_report is the report of an audit (check mode), which changed no account;'
                           ' give the report of an enforcement (mode enforce)'),
    (report(mode='x'), "sendgrid_restore_report is the report of a run of mode 'x' (string), which changed no account;"
                       " give the report of an enforcement (mode enforce)"),
    (report(accounts={}), 'sendgrid_restore_report: accounts must be a list of at most 50001 entries; got dict'),
])
def test_check_report_refuses_other_reports(value, message):
    with pytest.raises(RestoreError) as error:
        check_report(value)
    assert str(error.value) == message


def test_check_report_bounds_the_accounts():
    with pytest.raises(RestoreError) as error:
        check_report(report(accounts=[None] * 50002))
    assert str(error.value) == ('sendgrid_restore_report: accounts must be a list of at most 50001 entries; got 50002'
                                ' entries')


@pytest.mark.parametrize('bad, message', [
    ('x', 'accounts[0] must be an account entry (a dict); got string'),
    (dict(entry('s01', 'changed'), status='done'),
     "accounts[0].status must be one of failed, drift, changed, exempt, compliant; got 'done' (string)"),
    (dict(entry('s01', 'changed'), region='us'), "accounts[0].region must be null or one of global, eu; got 'us'"
                                                 " (string)"),
    (entry('s01', 'changed', {'require_tls': True}), 'accounts[0].before must be a setting with require_tls,'
                                                     ' require_valid_cert, version; got dict'),
    (entry('s01', 'changed', dict(OPEN, require_tls='yes')),
     "accounts[0].before.require_tls must be true or false; got 'yes' (string)"),
    (entry('s01', 'changed', OPEN, dict(ENFORCED, version=1.4)),
     'accounts[0].after.version must be one of 1.1, 1.2, 1.3; got 1.4 (float)'),
    (entry('bad\nname', 'changed'), 'accounts[0].account'),
    (entry('', 'changed'), 'accounts[0].account'),
])
def test_check_report_refuses_a_bad_entry_naming_it(bad, message):
    with pytest.raises(RestoreError) as error:
        check_report(report(bad))
    assert str(error.value).startswith(message)


def test_check_report_refuses_an_account_held_twice():
    with pytest.raises(RestoreError) as error:
        check_report(report(entry('s01', 'changed', OPEN, ENFORCED), entry('s01', 'compliant', OPEN, OPEN)))
    assert str(error.value) == "sendgrid_restore_report holds 's01' more than once; it is not a report this collection" \
                               " wrote"


# ---------------------------------------------------------------------------
# check_restore_accounts
# ---------------------------------------------------------------------------

def test_check_restore_accounts_all_by_default():
    entries = check_report(FLEET)
    assert check_restore_accounts(None, entries) is None
    assert check_restore_accounts([], entries) is None


def test_check_restore_accounts_names_held():
    assert check_restore_accounts(['s01', PARENT_ACCOUNT], check_report(FLEET)) == {'s01', PARENT_ACCOUNT}


@pytest.mark.parametrize('accounts, message', [
    ('s01', 'sendgrid_restore_accounts must be a list of at most 50001 account names; got string'),
    (['s01', 3], 'sendgrid_restore_accounts[1] must be an account name; got 3 (integer)'),
    (['s01', 's99', 'parent'], "sendgrid_restore_accounts names 's99', 'parent', which the report does not hold (the"
                               " parent account is '(parent account)')"),
])
def test_check_restore_accounts_refuses(accounts, message):
    with pytest.raises(RestoreError) as error:
        check_restore_accounts(accounts, check_report(FLEET))
    assert str(error.value) == message


# ---------------------------------------------------------------------------
# restore_targets / restore_plan
# ---------------------------------------------------------------------------

def test_restore_targets_are_the_changed_accounts_and_those_whose_update_failed():
    targets, settled = restore_targets(check_report(FLEET))
    assert targets == [Target(PARENT_ACCOUNT, None, OPEN, ENFORCED), Target('s01', 'global', OPEN, ENFORCED),
                       Target('s02', 'eu', OLD, ENFORCED), Target('half', 'global', OLD, None)]
    assert [(item['account'], item['status']) for item in settled] == [('broken', 'not_restorable')]
    assert settled[0]['reason'].startswith('the enforcement failed on it before it read its setting')


def test_restore_targets_of_some_accounts_say_why_others_are_not_restored():
    targets, settled = restore_targets(check_report(FLEET), frozenset(['s01', 'ok', 'lab']))
    assert targets == [Target('s01', 'global', OPEN, ENFORCED)]
    assert [(item['account'], item['status'], item['reason']) for item in settled] == [
        ('ok', 'unchanged', 'the enforcement did not change it (it was compliant)'),
        ('lab', 'unchanged', 'the enforcement did not change it (it was exempt)')]


def test_restore_plan_groups_by_region_and_setting_with_exact_enforcement():
    targets, dummy = restore_targets(check_report(FLEET))
    targets.append(Target('s03', 'global', OPEN, ENFORCED))
    plan = restore_plan(targets, region='eu')
    assert plan['enforcement'] == 'exact'
    # The parent's region is not recorded: the restore's own.
    assert plan['parent'] == {'policy': OPEN, 'region': 'eu'}
    assert [(group['region'], group['policy'], group['accounts']) for group in plan['groups']] == [
        ('global', OPEN, ['s01', 's03']), ('eu', OLD, ['s02']), ('global', OLD, ['half'])]


def test_restore_plan_without_the_parent():
    plan = restore_plan([Target('s01', None, OPEN, ENFORCED)])
    assert plan['parent'] is None
    assert [(group['region'], group['accounts']) for group in plan['groups']] == [(None, ['s01'])]


# ---------------------------------------------------------------------------
# decide
# ---------------------------------------------------------------------------

CHANGED = Target('s01', 'global', OPEN, ENFORCED)
HALF = Target('half', 'global', OLD, None)


def test_decide_restores_an_account_as_the_enforcement_left_it():
    assert decide(CHANGED, read_entry(ENFORCED)) == ('restore', None)


def test_decide_leaves_an_account_already_as_before():
    assert decide(CHANGED, read_entry(OPEN, 'compliant')) == ('unchanged', 'already as before the enforcement')


def test_decide_leaves_an_account_changed_since_alone():
    assert decide(CHANGED, read_entry(OTHER)) == (
        'changed_since', 'changed since the enforcement: it is require_tls=true, require_valid_cert=false,'
        ' version=1.3, the enforcement left it require_tls=true, require_valid_cert=true, version=1.2; left alone'
        ' (set sendgrid_restore_force: true to restore it anyway)')


def test_decide_restores_an_account_changed_since_with_force():
    decision, reason = decide(CHANGED, read_entry(OTHER), force=True)
    assert decision == 'restore'
    assert reason.endswith('; restored anyway (sendgrid_restore_force)')


def test_decide_an_account_whose_update_failed():
    assert decide(HALF, read_entry(OLD, 'compliant'))[0] == 'unchanged'
    decision, reason = decide(HALF, read_entry(ENFORCED))
    assert decision == 'changed_since'
    assert reason.startswith('its update failed and it is no longer as before the enforcement (require_tls=true,')
    assert decide(HALF, read_entry(ENFORCED), force=True)[0] == 'restore'


def test_decide_a_failed_read():
    assert decide(CHANGED, read_entry(None, 'failed', 'HTTP 500')) == ('failed', 'HTTP 500')


# ---------------------------------------------------------------------------
# restore_entry
# ---------------------------------------------------------------------------

def written(before, after, differences, status='changed', reason=None):
    return {'status': status, 'before': before, 'after': after, 'differences': differences, 'reason': reason}


def test_restore_entry_in_check_mode_shows_what_it_would_do():
    assert restore_entry(CHANGED, 'restore', None, read_entry(ENFORCED)) == {
        'account': 's01', 'region': 'global', 'status': 'to_restore', 'before': ENFORCED, 'after': OPEN,
        'restore_to': OPEN, 'reason': None}


def test_restore_entry_restored():
    result = restore_entry(CHANGED, 'restore', None, read_entry(ENFORCED), written(ENFORCED, OPEN, ['require_tls']))
    assert (result['status'], result['before'], result['after']) == ('restored', ENFORCED, OPEN)


def test_restore_entry_set_back_by_someone_in_between_is_unchanged():
    result = restore_entry(CHANGED, 'restore', None, read_entry(ENFORCED), written(OPEN, OPEN, [], 'compliant'))
    assert (result['status'], result['reason']) == ('unchanged', 'already as before the enforcement')


def test_restore_entry_whose_write_failed():
    result = restore_entry(CHANGED, 'restore', None, read_entry(ENFORCED),
                           written(None, None, [], 'failed', 'PATCH failed with HTTP 500'))
    assert (result['status'], result['before'], result['reason']) == ('failed', ENFORCED, 'PATCH failed with HTTP 500')


def test_restore_entry_left_alone_keeps_what_was_read():
    result = restore_entry(CHANGED, 'changed_since', 'why', read_entry(OTHER))
    assert (result['status'], result['before'], result['after'], result['restore_to'], result['reason']) == (
        'changed_since', OTHER, OTHER, OPEN, 'why')


# ---------------------------------------------------------------------------
# summaries and verdict
# ---------------------------------------------------------------------------

def result(account, status, reason=None):
    return {'account': account, 'status': status, 'reason': reason}


RESULTS = [result('a', 'restored'), result('b', 'unchanged'), result('c', 'changed_since', 'changed'),
           result('d', 'not_restorable', 'never read'), result('e', 'failed', 'HTTP 500'), result('f', 'restored')]


def test_sorted_entries_put_what_needs_a_person_first():
    assert [item['account'] for item in sorted_entries(RESULTS)] == ['e', 'c', 'd', 'a', 'f', 'b']


def test_summarize_restore_counts_every_status():
    assert summarize_restore(RESULTS) == {'total': 6, 'failed': 1, 'changed_since': 1, 'not_restorable': 1,
                                          'to_restore': 0, 'restored': 2, 'unchanged': 1}


def test_restore_line():
    assert restore_line(summarize_restore(RESULTS), False) == (
        'Enforced TLS restore: 6 accounts, 2 restored, 1 already as before, 1 changed since (left alone), 1 not'
        ' restorable, 1 failed.')
    assert restore_line(summarize_restore([result('a', 'to_restore')]), True) == (
        'Enforced TLS restore (check mode, nothing written): 1 accounts, 1 to restore, 0 already as before, 0 changed'
        ' since (left alone), 0 not restorable, 0 failed.')


def test_restore_verdict_names_failed_accounts_and_those_left_alone():
    assert restore_verdict(RESULTS) == (
        '1 account(s) failed: e. First error: HTTP 500 1 account(s) changed since the enforcement were left alone: c.'
        ' Set sendgrid_restore_force: true to restore them anyway.')


def test_restore_verdict_passes_a_restore_with_accounts_it_cannot_restore():
    assert restore_verdict([result('a', 'restored'), result('d', 'not_restorable', 'x')]) is None
    assert restore_warnings([result('a', 'restored'), result('d', 'not_restorable', 'never read')]) == [
        '1 account(s) cannot be restored: d (never read).']
    assert restore_warnings([result('a', 'restored')]) == []


def test_restore_verdict_names_twenty_accounts():
    message = restore_verdict([result('s{0:02d}'.format(index), 'changed_since') for index in range(25)])
    assert message.startswith('25 account(s) changed since the enforcement were left alone: s00, s01,')
    assert 's19, and 5 more.' in message
    assert 's20' not in message
