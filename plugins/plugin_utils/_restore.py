# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The way back from an enforcement, as pure functions.

A restore takes the report of an enforcement (``enforced-tls-report.json``, or the registered result of
the fleet step) and sets each account the enforcement changed back to its recorded ``before``, exactly.
:func:`check_report` refuses, before any request, anything that is not such a report;
:func:`restore_targets` picks the accounts (and names those that cannot be restored);
:func:`restore_plan` groups them as the fleet step's plan does; once each account's setting is read,
:func:`decide` says what to do with it: set it back when it is still as the enforcement left it, nothing
when it is already as before, and leave it alone (named) when it was changed since, unless forced.
"""

from __future__ import annotations

from collections import Counter
from typing import List, NamedTuple, Optional, Tuple

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import MAX_ACCOUNTS
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    EXACT,
    SETTING_FIELDS,
    SettingsError,
    check_recorded_setting,
    differing_fields,
    format_fields,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value, quoted
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT, Account, PlanError, build_plan
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import REPORT_VERSION, check_report_entry, named
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import ReportFileError, read_report_file

REPORT_INPUT = 'sendgrid_restore_report'
ACCOUNTS_INPUT = 'sendgrid_restore_accounts'
FORCE_INPUT = 'sendgrid_restore_force'
# What became of each account, in the order a restore's result lists them: what needs a person first.
# to_restore is check mode's restored.
RESTORE_STATUSES = ('failed', 'changed_since', 'not_restorable', 'to_restore', 'restored', 'unchanged')
RESTORED = 'restored'
TO_RESTORE = 'to_restore'


class RestoreError(ValueError):
    """The report or the inputs of a restore are refused, before any request; the message says why."""


class Target(NamedTuple):
    """An account to set back: its ``before`` (what to restore) and ``after`` (what the enforcement left; None
    when its update failed, so that the report does not know)."""
    account: str
    region: Optional[str]
    before: dict
    after: Optional[dict]


# -- the report ------------------------------------------------------------------------

def load_report(value) -> dict:
    """The report to restore from: the path of a JSON report file, or the report itself (a dict: the
    registered result of the fleet step)."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value.strip():
        raise RestoreError('{0} must be the path of an enforcement\'s enforced-tls-report.json, or the report itself'
                           ' (a dict); got {1}'.format(REPORT_INPUT, describe_value(value)))
    try:
        return read_report_file(value, REPORT_INPUT)
    except ReportFileError as error:
        raise RestoreError(str(error))


def _check_setting(value, where):
    """A setting the report records (a dict with every field), normalised; None stays None."""
    if value is None:
        return None
    try:
        return check_recorded_setting(value, where)
    except SettingsError as error:
        raise RestoreError(str(error))


def _check_entry(entry, index):
    where = 'accounts[{0}]'.format(index)
    try:
        checked = check_report_entry(entry, where)
    except PlanError as error:
        raise RestoreError(str(error))
    return dict(checked, before=_check_setting(entry.get('before'), where + '.before'),
                after=_check_setting(entry.get('after'), where + '.after'))


def check_report(report) -> List[dict]:
    """The accounts of an enforcement's report, each checked (``account``, ``region``, ``status``, ``before``,
    ``after``). Refuses a report of another kind or version, and an audit's (which changed nothing)."""
    if not isinstance(report, dict) or 'accounts' not in report:
        raise RestoreError('{0} is not a report of an Enforced TLS run (a dict with accounts); got {1}'.format(
            REPORT_INPUT, describe_type(report)))
    if report.get('report_version') != REPORT_VERSION:
        raise RestoreError('{0} is a report of a version this restore does not know (report_version {1}); it knows'
                           ' report_version {2}, as written by this collection since 2.0.0'.format(
                               REPORT_INPUT, describe_value(report.get('report_version')), REPORT_VERSION))
    if report.get('mode') != 'enforce':
        raise RestoreError('{0} is the report of {1}, which changed no account; give the report of an enforcement'
                           ' (mode enforce)'.format(
                               REPORT_INPUT, 'an audit (check mode)' if report.get('mode') == 'audit'
                               else 'a run of mode {0}'.format(describe_value(report.get('mode')))))
    accounts = report['accounts']
    if not isinstance(accounts, list) or len(accounts) > MAX_ACCOUNTS + 1:
        raise RestoreError('{0}: accounts must be a list of at most {1} entries; got {2}'.format(
            REPORT_INPUT, MAX_ACCOUNTS + 1, describe_type(accounts) if not isinstance(accounts, list)
            else '{0} entries'.format(len(accounts))))
    entries = [_check_entry(entry, index) for index, entry in enumerate(accounts)]
    twice = sorted(name for name, count in Counter(entry['account'] for entry in entries).items() if count > 1)
    if twice:
        raise RestoreError('{0} holds {1} more than once; it is not a report this collection wrote'.format(
            REPORT_INPUT, named(twice, quoted)))
    return entries


def check_restore_accounts(accounts, entries) -> Optional[frozenset]:
    """The accounts to restore (None: all), each one the report holds."""
    if accounts is None or accounts == []:
        return None
    if not isinstance(accounts, list) or len(accounts) > MAX_ACCOUNTS + 1:
        raise RestoreError('{0} must be a list of at most {1} account names; got {2}'.format(
            ACCOUNTS_INPUT, MAX_ACCOUNTS + 1, describe_type(accounts)))
    held = set(entry['account'] for entry in entries)
    unknown = []
    for index, name in enumerate(accounts):
        if not isinstance(name, str):
            raise RestoreError('{0}[{1}] must be an account name; got {2}'.format(
                ACCOUNTS_INPUT, index, describe_value(name)))
        if name not in held:
            unknown.append(name)
    if unknown:
        raise RestoreError('{0} names {1}, which the report does not hold (the parent account is {2})'.format(
            ACCOUNTS_INPUT, named(unknown, quoted), quoted(PARENT_ACCOUNT)))
    return frozenset(accounts)


# -- what to restore ---------------------------------------------------------------------

def restore_targets(entries, accounts=None) -> Tuple[List[Target], List[dict]]:
    """The accounts to read and maybe set back, and the result entries of those the report settles.

    Set back: each account the enforcement changed; each that failed but whose setting before it the report
    records (its update may have been written, or the canary gate failed it after its update). Not restorable: an account that failed with no
    setting recorded. Named in ``accounts`` but left as it was by the enforcement: unchanged. The other
    accounts of the report (compliant, exempt) are not the restore's business.
    """
    targets, settled = [], []
    for entry in entries:
        if accounts is not None and entry['account'] not in accounts:
            continue
        if entry['status'] == 'changed' and entry['before'] and entry['after']:
            targets.append(Target(entry['account'], entry['region'], entry['before'], entry['after']))
        elif entry['status'] == 'failed' and entry['before']:
            # Its update failed (``after`` unknown), or the canary gate failed it after its update (``after`` known).
            targets.append(Target(entry['account'], entry['region'], entry['before'], entry['after']))
        elif entry['status'] == 'failed':
            settled.append(result_entry(entry['account'], entry['region'], 'not_restorable', reason=(
                'the enforcement failed on it before it read its setting, so the report does not record what to'
                ' restore; check it by hand')))
        elif accounts is not None:
            settled.append(result_entry(entry['account'], entry['region'], 'unchanged', reason=(
                'the enforcement did not change it (it was {0})'.format(entry['status']))))
    return targets, settled


def restore_plan(targets, region=None):
    """The plan that sets each target to its ``before``, exactly: one call for the parent account, one batch
    call per region and setting (``_plan.build_plan``'s shape). ``region``: that of accounts whose region the
    report does not record."""
    parent = None
    subusers = []
    for target in targets:
        account = Account(None if target.account == PARENT_ACCOUNT else target.account, target.region,
                          overrides=target.before)
        if account.name is None:
            parent = account
        else:
            subusers.append(account)
    return build_plan({}, subusers, region=region, enforcement=EXACT, parent=parent)


def _show(setting):
    return format_fields(setting, list(SETTING_FIELDS))


def decide(target, read, force=False) -> Tuple[str, Optional[str]]:
    """What to do with a target, from its entry in the report of the read (``_report.build_report``):
    ``restore``, or a final status (``unchanged``, ``changed_since``, ``failed``) with its reason."""
    if read['status'] == 'failed':
        return 'failed', read['reason']
    now = read['before']
    if not differing_fields(now, target.before):
        return 'unchanged', 'already as before the enforcement'
    if target.after is not None and not differing_fields(now, target.after):
        return 'restore', None
    if target.after is None:
        changed = 'its update failed and it is no longer as before the enforcement ({0}; before: {1})'.format(
            _show(now), _show(target.before))
    else:
        changed = 'changed since the enforcement: it is {0}, the enforcement left it {1}'.format(
            _show(now), _show(target.after))
    if force:
        return 'restore', changed + '; restored anyway ({0})'.format(FORCE_INPUT)
    return 'changed_since', changed + '; left alone (set {0}: true to restore it anyway)'.format(FORCE_INPUT)


def result_entry(account, region, status, before=None, after=None, restore_to=None, reason=None):
    """An account's entry in a restore's result: ``before``/``after`` its setting before and after the restore
    (in check mode, what the restore would make it), ``restore_to`` its setting before the enforcement."""
    return {'account': account, 'region': region, 'status': status, 'before': before, 'after': after,
            'restore_to': restore_to, 'reason': reason}


def restore_entry(target, decision, reason, read, written=None):
    """A target's result entry: from the read (``read``) and, when it was set back, the write (``written``;
    None in check mode, where it is what the restore would do)."""
    if decision != 'restore':
        return result_entry(target.account, target.region, decision, read['before'], read['before'],
                            target.before, reason)
    if written is None:
        return result_entry(target.account, target.region, TO_RESTORE, read['before'], target.before, target.before,
                            reason)
    if written['status'] == 'failed':
        return result_entry(target.account, target.region, 'failed', read['before'], written['after'],
                            target.before, written['reason'])
    status = RESTORED if written['differences'] else 'unchanged'
    return result_entry(target.account, target.region, status, written['before'], written['after'], target.before,
                        reason if written['differences'] else 'already as before the enforcement')


def sorted_entries(entries):
    rank = {status: index for index, status in enumerate(RESTORE_STATUSES)}
    return sorted(entries, key=lambda entry: rank[entry['status']])


def summarize_restore(entries):
    summary = {'total': len(entries)}
    summary.update((status, sum(1 for entry in entries if entry['status'] == status)) for status in RESTORE_STATUSES)
    return summary


def restore_line(summary, check_mode):
    """The one line a person reads at the end of a restore."""
    return ('Enforced TLS restore{0}: {1} accounts, {2} {3}, {4} already as before, {5} changed since (left alone),'
            ' {6} not restorable, {7} failed.'.format(
                ' (check mode, nothing written)' if check_mode else '', summary['total'],
                summary[TO_RESTORE] if check_mode else summary[RESTORED], 'to restore' if check_mode else 'restored',
                summary['unchanged'], summary['changed_since'], summary['not_restorable'], summary['failed']))


def _accounts(entries):
    return named(entries, lambda entry: entry['account'])


def restore_verdict(entries) -> Optional[str]:
    """Why the restore fails, or None: accounts it failed on, accounts changed since the enforcement (left alone)."""
    messages = []
    failed = [entry for entry in entries if entry['status'] == 'failed']
    if failed:
        messages.append('{0} account(s) failed: {1}. First error: {2}'.format(
            len(failed), _accounts(failed), failed[0]['reason']))
    changed = [entry for entry in entries if entry['status'] == 'changed_since']
    if changed:
        messages.append('{0} account(s) changed since the enforcement were left alone: {1}. Set {2}: true to'
                        ' restore them anyway.'.format(len(changed), _accounts(changed), FORCE_INPUT))
    return ' '.join(messages) or None


def restore_warnings(entries) -> List[str]:
    """The accounts the restore cannot set back: named, without failing it (a rerun cannot fix them)."""
    unrestorable = [entry for entry in entries if entry['status'] == 'not_restorable']
    if not unrestorable:
        return []
    return ['{0} account(s) cannot be restored: {1} ({2}).'.format(
        len(unrestorable), _accounts(unrestorable), unrestorable[0]['reason'])]
