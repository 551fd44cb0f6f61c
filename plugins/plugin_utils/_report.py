# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The compliance report of a fleet run, as pure functions.

:func:`build_report` turns a plan (``_plan.build_plan``) and the results of its batch
calls into one entry per account, with its status, and the counts. The rest reads a
report: the counts published for AWX (:func:`custom_stats`), the one-line summary
(:func:`summary_line`), the run's verdict (:func:`verdict`: which accounts fail the
run), and the report of a whole run made of several ``serial`` batches
(:func:`merge_reports`). Every status rule is here, once, for the role and the
per-host playbooks alike.
"""

from __future__ import annotations

from typing import List, Optional

from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import MINIMUM, compare_fields, describe_change
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import REGIONS
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT, PlanError, check_subuser_name

# The version of the report's shape, in every report (report_version): what a restore checks it knows.
REPORT_VERSION = 1
# Report order: what needs a person's attention first.
STATUS_ORDER = ('failed', 'drift', 'changed', 'exempt', 'compliant')
# The counts of a report's summary, and the names they are published under for AWX (set_stats):
# integers, which ansible-core adds up over the serial batches of a play (it would replace a
# dictionary's values instead).
SUMMARY_COUNTS = ('total',) + STATUS_ORDER + ('out_of_policy', 'stricter')
# The counts of the accounts' TLS blocks, in the summary (and published) when they were read.
BLOCK_COUNTS = ('tls_blocks', 'with_tls_blocks', 'tls_blocks_unread')
STATS_PREFIX = 'enforced_tls_'
# What changed since the last audit (``since_last_audit``), each a list of accounts, counted in ``counts`` and
# published too.
CHANGE_KINDS = ('newly_out_of_policy', 'back_in_policy', 'new_accounts', 'gone_accounts')
# How many accounts a failure message names; the report has them all.
NAMED_IN_MESSAGES = 20
# The note on an account whose update SendGrid answered with an error, and that reading it back
# showed applied (the module's warning has the whole story).
APPLIED_DESPITE_ERROR = 'SendGrid answered the update with an error, but reading it back showed it applied'


def _failure(task_result):
    """A failed call's result as an account's: failed, with the call's message."""
    return {'failed': True, 'msg': task_result.get('msg') or 'the task failed without a message'}


def _entry(account, region, policy, result):
    """An account's report entry from its result; its status is settled later unless it failed.

    Until then, the reason of an account that did not fail is the note on an update applied
    despite an error answer (its result's ``applied_despite_error``), or None.
    """
    failed = bool(result.get('failed'))
    if failed:
        reason = result.get('msg')
    else:
        reason = APPLIED_DESPITE_ERROR if result.get('applied_despite_error') else None
    return {'account': account, 'region': region, 'policy': policy, 'status': 'failed' if failed else None,
            'before': result.get('before'), 'after': result.get('after'),
            'differences': result.get('differences') or [], 'stricter': result.get('stricter') or [],
            'reason': reason}


def _group_entries(group, call_result):
    """The report entries of one batch call (a group of the plan), whatever became of it."""
    results = call_result.get('results')
    if not isinstance(results, list):
        # The call failed before it could try any account: every account of it failed.
        failure = _failure(call_result)
        return [_entry(name, group['region'], group['policy'], failure) for name in group['accounts']]
    return [_entry(result['account'], group['region'], group['policy'], result) for result in results]


def _parent_entry(parent, call_result):
    if call_result.get('failed') or 'enforced_tls' not in call_result:
        return _entry(PARENT_ACCOUNT, parent['region'], parent['policy'], _failure(call_result))
    return _entry(PARENT_ACCOUNT, parent['region'], parent['policy'], dict(call_result, after=call_result['enforced_tls']))


def _settle(entry, check_mode):
    """An account's status and reason from what its call found: ``drift``/``changed`` with how
    each setting stood against the policy (``version 1.1 < 1.2``), else ``compliant``; and
    which settings it keeps stricter than the policy. A note already in ``reason`` comes last."""
    note = entry['reason']
    reasons = []
    if entry['differences']:
        entry['status'] = 'drift' if check_mode else 'changed'
        if check_mode:
            reasons.append(compare_fields(entry['before'], entry['policy'], entry['differences']))
        else:
            reasons.append('changed ' + describe_change(entry['before'], entry['after'], entry['differences']))
    else:
        entry['status'] = 'compliant'
    if entry['stricter']:
        stricter = compare_fields(entry['after'], entry['policy'], entry['stricter'])
        reasons.append('stricter than the policy: ' + stricter)
    if note:
        reasons.append(note)
    entry['reason'] = '; '.join(reasons) or None


def _status_entry(planned, status):
    """The entry of an account no call read: exempt, or refused (failed)."""
    entry = _entry(planned['account'], planned.get('region'), None, {})
    entry.update(status=status, reason=planned['reason'])
    return entry


def ran_in_check_mode(results, default=False):
    """Whether the module calls ran in check mode, as they report it (``check_mode``).

    The play keyword ``check_mode: true`` does not show in ``ansible_check_mode``,
    so the calls' own word is preferred; ``default`` is for when none could say.
    """
    reported = [result['check_mode'] for result in results if result and 'check_mode' in result]
    return any(reported) if reported else bool(default)


def summarize(entries):
    """The counts of a report's accounts; with their TLS blocks when they were read (``tls_blocks``: how many
    blocks, ``with_tls_blocks``: how many accounts have some, ``tls_blocks_unread``: accounts whose read failed)."""
    summary = {'total': len(entries)}
    for status in STATUS_ORDER:
        summary[status] = sum(1 for entry in entries if entry['status'] == status)
    summary['out_of_policy'] = summary['drift'] + summary['failed']
    # Of the compliant accounts, those stricter than the policy: the summary line reads them as such (a drifted
    # account stricter on another field is drift, and counted there only).
    summary['stricter'] = sum(1 for entry in entries if entry['stricter'] and entry['status'] == 'compliant')
    blocks = [entry['tls_blocks'] for entry in entries if entry.get('tls_blocks') is not None]
    if blocks:
        summary['tls_blocks'] = sum(item.get('count') or 0 for item in blocks)
        summary['with_tls_blocks'] = sum(1 for item in blocks if item.get('count'))
        summary['tls_blocks_unread'] = sum(1 for item in blocks if item.get('failed'))
    return summary


def account_blocks(result):
    """An account's TLS blocks, for its report entry, from its result of ``sendgrid_tls_blocks_info``."""
    if result.get('failed'):
        return {'failed': True, 'msg': result.get('msg') or 'reading the blocks list failed'}
    blocks = {name: result.get(name) for name in ('domains', 'more_domains', 'first_blocked', 'last_blocked')}
    return dict(blocks, count=result.get('tls_blocks') or 0)


def attach_blocks(report, blocks, since, until=None):
    """The report with each account's TLS blocks (``blocks``: by account, as :func:`account_blocks` gives
    them), the window they were read over (``blocks_since``, ``blocks_until``: UTC) and their counts."""
    entries = [dict(entry, tls_blocks=blocks[entry['account']]) if entry['account'] in blocks else entry
               for entry in report['accounts']]
    return dict(report, accounts=entries, summary=summarize(entries), blocks_since=since, blocks_until=until)


def _exempt_entry(entry, read):
    """An exempt account's entry with its setting as read (``read``: its entry from a read-only call), or the
    read's failure in its reason: an exempt account is never written, and a failed read does not fail it."""
    if read is None:
        return entry
    if read['status'] == 'failed':
        return dict(entry, reason='{0}; its setting could not be read: {1}'.format(entry['reason'], read['reason']))
    return dict(entry, before=read['before'], after=read['before'])


def attach_exempt_settings(report, read):
    """The report with each exempt account's setting (``read``: by account, as a read-only call found it)."""
    entries = [_exempt_entry(entry, read.get(entry['account'])) if entry['status'] == 'exempt' else entry
               for entry in report['accounts']]
    return dict(report, accounts=entries)


def show_settings(settings):
    """A setting as the report files show it: ``TLS required, cert optional, min 1.2`` (``-``: not known)."""
    if settings is None:
        return '-'
    return 'TLS {0}, cert {1}, min {2}'.format(
        'required' if settings.get('require_tls') else 'optional',
        'required' if settings.get('require_valid_cert') else 'optional', settings.get('version'))


def show_policy(policy, floor):
    """A policy as the report files show it: ``TLS required, at least TLS 1.2`` (``floor``: minimum enforcement)."""
    parts = []
    if 'require_tls' in policy:
        parts.append('TLS ' + ('required' if policy['require_tls'] else ('optional' if floor else 'not required')))
    if 'require_valid_cert' in policy:
        parts.append('valid certificate ' + ('required' if policy['require_valid_cert']
                                             else ('optional' if floor else 'not required')))
    if 'version' in policy:
        parts.append('{0} TLS {1}'.format('at least' if floor else 'exactly', policy['version']))
    return ', '.join(parts)


def check_report_entry(entry, where) -> dict:
    """An account entry of a report read back (a restore's, an adoption's): its ``account`` (the parent account,
    or a subuser name a header can carry), ``region`` and ``status``, checked; ``where`` names it in messages.
    Raises PlanError."""
    if not isinstance(entry, dict):
        raise PlanError('{0} must be an account entry (a dict); got {1}'.format(where, describe_type(entry)))
    account = entry.get('account')
    if not isinstance(account, str) or not account:
        raise PlanError('{0}.account must be an account name; got {1}'.format(where, describe_value(account)))
    if account != PARENT_ACCOUNT:
        account = check_subuser_name(account, where + '.account')
    if entry.get('status') not in STATUS_ORDER:
        raise PlanError('{0}.status must be one of {1}; got {2}'.format(
            where, ', '.join(STATUS_ORDER), describe_value(entry.get('status'))))
    if entry.get('region') is not None and entry.get('region') not in REGIONS:
        raise PlanError('{0}.region must be null or one of {1}; got {2}'.format(
            where, ', '.join(REGIONS), describe_value(entry.get('region'))))
    return {'account': account, 'region': entry.get('region'), 'status': entry['status']}


def _sorted_entries(entries):
    return sorted(entries, key=lambda entry: STATUS_ORDER.index(entry['status']))


def build_report(plan, parent_result=None, group_results=(), check_mode=False, generated_at=None, warnings=()):
    """One entry per account with its status, before, after and reason, plus counts.

    ``parent_result``: the result of the parent account's call (None when the plan has no
    parent call). ``group_results``: the results of the batch calls, one per group of the
    plan, in the plan's order. ``check_mode``: used when no call reports whether it ran in
    check mode. Statuses: compliant, changed, drift (in check mode), exempt, failed. An
    account that keeps settings stricter than its policy (``enforcement`` ``minimum``) is
    compliant, and its ``stricter`` and ``reason`` say so; ``summary.stricter`` counts such compliant
    accounts. Accounts come in the order of :data:`STATUS_ORDER`, then as processed.
    ``batches`` says what each batch call was: its region, policy and number of accounts.
    """
    group_results = list(group_results)
    check_mode = ran_in_check_mode([parent_result] + group_results, check_mode)
    entries = []
    if plan['parent'] is not None and parent_result is not None:
        entries.append(_parent_entry(plan['parent'], parent_result))
    for group, call_result in zip(plan['groups'], group_results):
        entries.extend(_group_entries(group, call_result))
    for entry in entries:
        if entry['status'] is None:
            _settle(entry, check_mode)
    entries.extend(_status_entry(planned, 'failed') for planned in plan['refused'])
    entries.extend(_status_entry(planned, 'exempt') for planned in plan['exempt'])
    entries = _sorted_entries(entries)
    return {
        'report_version': REPORT_VERSION,
        'mode': 'audit' if check_mode else 'enforce',
        'generated_at': generated_at,
        'policy': plan['policy'],
        'enforcement': plan.get('enforcement', MINIMUM),
        'warnings': list(warnings),
        'summary': summarize(entries),
        'excluded': list(plan['excluded']),
        'disabled': list(plan['disabled']),
        'batches': [{'region': group['region'], 'policy': group['policy'], 'accounts': len(group['accounts'])}
                    for group in plan['groups']],
        'accounts': entries,
    }


def _union(first, second):
    return first + [item for item in second if item not in first]


def merge_reports(earlier, later):
    """The report of a run made of two parts (the serial batches of a play, in order): the accounts of
    both, the counts over both, the later part's time."""
    if earlier is None:
        return later
    entries = _sorted_entries(earlier['accounts'] + later['accounts'])
    if earlier.get('blocks_since') and later.get('blocks_since'):
        later = dict(later, blocks_since=min(earlier['blocks_since'], later['blocks_since']))
    return dict(later, warnings=_union(earlier['warnings'], later['warnings']), summary=summarize(entries),
                excluded=_union(earlier['excluded'], later['excluded']),
                disabled=_union(earlier['disabled'], later['disabled']),
                batches=earlier['batches'] + later['batches'], accounts=entries)


def custom_stats(summary, changes=None):
    """The counts as custom stats, once for the run (as set_stats publishes them): integers under names
    of their own (``enforced_tls_total``...), which ansible-core adds up over a play's serial batches;
    ``changes``: the counts of what changed since the last audit, when the run compared."""
    data = {STATS_PREFIX + name: summary.get(name, 0) for name in SUMMARY_COUNTS + BLOCK_COUNTS
            if name in SUMMARY_COUNTS or name in summary}
    data.update((STATS_PREFIX + kind, changes[kind]) for kind in CHANGE_KINDS if changes is not None)
    return {'data': data, 'per_host': False, 'aggregate': True}


def summary_line(report, report_file=None):
    """The one line a person reads at the end of a run."""
    summary = report['summary']
    stricter = ' ({0} stricter than the policy)'.format(summary['stricter']) if summary['stricter'] else ''
    line = ('Enforced TLS {0}: {1} accounts, {2} compliant{3}, {4} changed, {5} drift, {6} exempt, {7} failed.'.format(
        'audit' if report['mode'] == 'audit' else 'enforcement', summary['total'], summary['compliant'], stricter,
        summary['changed'], summary['drift'], summary['exempt'], summary['failed']))
    if 'tls_blocks' in summary:
        line += ' TLS blocks since {0}: {1} at {2} accounts{3}.'.format(
            report.get('blocks_since'), summary['tls_blocks'], summary['with_tls_blocks'],
            ' ({0} could not be read)'.format(summary['tls_blocks_unread']) if summary['tls_blocks_unread'] else '')
    if report.get('held_back'):
        line += ' {0} held back after the canary.'.format(len(report['held_back']))
    if report.get('since_last_audit'):
        line += ' ' + changes_summary(report['since_last_audit'])
    return line + (' Report: {0}'.format(report_file) if report_file else '')


def changes_summary(changes) -> str:
    """The counts of what changed since the last audit (``since_last_audit``), in a sentence."""
    counts = changes['counts']
    return ('Since the last audit ({0}): {1} newly out of policy, {2} back in policy, {3} new, {4} gone.'.format(
        changes['previous_generated_at'] or 'time unknown', counts['newly_out_of_policy'], counts['back_in_policy'],
        counts['new_accounts'], counts['gone_accounts']))


def named(items, describe=str, separator=', '):
    """The first :data:`NAMED_IN_MESSAGES` items, each as ``describe`` gives it, and how many more."""
    shown = separator.join(describe(item) for item in items[:NAMED_IN_MESSAGES])
    more = len(items) - NAMED_IN_MESSAGES
    return shown + ('{0}and {1} more'.format(separator, more) if more > 0 else '')


def failed_message(report) -> Optional[str]:
    """The failure of a run with failed accounts: the first 20 named, and the first error."""
    failed = [entry for entry in report['accounts'] if entry['status'] == 'failed']
    if not failed:
        return None
    return '{0} account(s) failed: {1}. First error: {2}'.format(
        len(failed), named(failed, lambda entry: entry['account']), failed[0]['reason'])


def drift_message(report) -> Optional[str]:
    """The failure of an audit with drift: each drifted account (the first 20) and how it stands."""
    drift = [entry for entry in report['accounts'] if entry['status'] == 'drift']
    if not drift:
        return None
    return '{0} account(s) out of policy: {1}'.format(
        len(drift), named(drift, lambda entry: '{0}: {1}'.format(entry['account'], entry['reason']), '; '))


def held_back_message(report) -> Optional[str]:
    """The failure of a run whose canary failed: the accounts held back (the first 20 named)."""
    names = report.get('held_back') or []
    if not names:
        return None
    return ('The canary failed, so {0} account(s) were held back, neither read nor changed: {1}.'.format(
        len(names), named(names)))


def verdict(report, fail_on_drift=False) -> Optional[str]:
    """Why the run fails, or None: accounts that failed (always; the canary gate's too), accounts held back after a
    failed canary, accounts out of policy (with ``fail_on_drift``). Every account is in the report whatever the
    verdict."""
    messages: List[str] = [message for message in (failed_message(report), held_back_message(report),
                                                   drift_message(report) if fail_on_drift else None) if message]
    # Each message but the last ends its sentence (a first error may end without a full stop).
    sentences = [message if message.endswith('.') else message + '.' for message in messages[:-1]] + messages[-1:]
    return ' '.join(sentences) or None


def accounts_read(report) -> int:
    """How many accounts the run read, or tried to (failed ones included): all but the exempt ones."""
    return report['summary']['total'] - report['summary']['exempt']
