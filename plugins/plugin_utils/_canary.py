# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The canary gate of an enforcement, as pure functions: after the updates, each changed account's TLS
blocks since then are read, and an account with more than ``max_tls_blocks`` fails (its blocked domains in
its reason), so that the rollout stops before the next batch; with ``rollback`` it is also set back to its
setting before. The role enforces ``canary`` accounts first (:func:`split_plan`), then the gate, then the
rest; the per-host playbooks gate each ``serial`` batch.
"""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Tuple

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import MAX_ACCOUNTS
from ansible_collections.mailops.sendgrid.plugins.module_utils._bounds import check_whole_number
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import MAX_BLOCKS
from ansible_collections.mailops.sendgrid.plugins.module_utils._tls_blocks import describe_domains
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT, PREFIX, PlanError
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import summarize
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._restore import Target

MAX_SOAK = 24 * 3600
MAX_TLS_BLOCKS_INPUT = PREFIX + 'max_tls_blocks'
SOAK_INPUT = PREFIX + 'canary_soak'
CANARY_INPUT = PREFIX + 'canary'


class Gate(NamedTuple):
    """The gate: at most ``max_tls_blocks`` TLS blocks per changed account, read ``soak`` seconds after the
    updates; ``rollback``: set an account over it back to its setting before."""
    max_tls_blocks: int
    soak: int
    rollback: bool


def _whole_number(value, field, low, high):
    """A whole number from ``low`` to ``high``, given as one or as its digits (an extra var given as key=value)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    try:
        return check_whole_number(value, field, low, high)
    except SendGridConfigError as error:
        raise PlanError(error.message)


def check_gate(max_tls_blocks, soak=0, rollback=False) -> Optional[Gate]:
    """The gate, or None when ``max_tls_blocks`` is not given (None or empty): no gate."""
    if max_tls_blocks is None or max_tls_blocks == '':
        if rollback:
            raise PlanError('{0}rollback_on_blocks needs {1}: the limit over which an account is rolled back'.format(
                PREFIX, MAX_TLS_BLOCKS_INPUT))
        return None
    return Gate(_whole_number(max_tls_blocks, MAX_TLS_BLOCKS_INPUT, 0, MAX_BLOCKS),
                _whole_number(soak or 0, SOAK_INPUT, 0, MAX_SOAK), bool(rollback))


def check_canary(canary, gate, per_host=False) -> int:
    """How many accounts the role enforces before the gate (0: no canary)."""
    count = 0 if canary is None or canary == '' else _whole_number(canary, CANARY_INPUT, 0, MAX_ACCOUNTS)
    if not count:
        return 0
    if per_host:
        raise PlanError('{0} is for the accounts of the role\'s inputs; with hosts, the play\'s serial makes the'
                        ' batches, and the gate watches each'.format(CANARY_INPUT))
    if gate is None:
        raise PlanError('{0} needs {1}: the canary accounts are enforced first, and the rest only when none has more'
                        ' TLS blocks than that'.format(CANARY_INPUT, MAX_TLS_BLOCKS_INPUT))
    return count


def split_plan(plan, count) -> Tuple[dict, Optional[dict]]:
    """The canary's plan: the first ``count`` subusers, in the plan's order, with the accounts no call reads
    (exempt, refused); and the rest's: the other subusers and the parent account, whose mail matters most, or
    None when the canary holds every account. A plan of the parent account alone is its own canary."""
    canary_groups, rest_groups, left = [], [], count
    for group in plan['groups']:
        first, later = group['accounts'][:left], group['accounts'][left:]
        left -= len(first)
        if first:
            canary_groups.append(dict(group, accounts=first))
        if later:
            rest_groups.append(dict(group, accounts=later))
    if not canary_groups or (not rest_groups and plan['parent'] is None):
        return plan, None
    rest = dict(plan, groups=rest_groups, exempt=[], refused=[], excluded=[], disabled=[])
    return dict(plan, groups=canary_groups, parent=None), rest


def held_back(plan) -> List[str]:
    """The accounts of a plan that no call read: the rest after a failed canary."""
    names = [PARENT_ACCOUNT] if plan['parent'] is not None else []
    return names + [name for group in plan['groups'] for name in group['accounts']]


def changed_accounts(report) -> List[dict]:
    return [entry for entry in report['accounts'] if entry['status'] == 'changed']


def changed_plan(plan, report):
    """The part of ``plan`` whose accounts the run changed: the accounts the gate reads."""
    changed = set(entry['account'] for entry in changed_accounts(report))
    groups = [dict(group, accounts=[name for name in group['accounts'] if name in changed]) for group in plan['groups']]
    return dict(plan, parent=plan['parent'] if PARENT_ACCOUNT in changed else None,
                groups=[group for group in groups if group['accounts']])


def gate_reason(blocks, limit, since) -> Optional[str]:
    """Why the gate fails a changed account, from its TLS blocks since its update, or None when it passes."""
    if blocks is None or blocks.get('failed'):
        return ('the gate could not read its TLS blocks since its update, so it cannot say the enforcement drops'
                ' no mail: {0}'.format((blocks or {}).get('msg') or 'not read'))
    if blocks['count'] <= limit:
        return None
    return '{0} TLS block{1} since its update ({2}), more than {3} ({4}): mail dropped for {5}'.format(
        blocks['count'], '' if blocks['count'] == 1 else 's', since, MAX_TLS_BLOCKS_INPUT, limit,
        describe_domains(blocks.get('domains') or [], blocks.get('more_domains') or 0))


def apply_gate(report, blocks, gate, since) -> Tuple[dict, List[Target]]:
    """The report with each changed account over the gate failed (its reason says why, and names its blocked
    domains), and the accounts to roll back (all of them with ``gate.rollback``, but those whose blocks could
    not be read: nothing says they drop mail)."""
    entries, rollback = [], []
    for entry in report['accounts']:
        reason = gate_reason(blocks.get(entry['account']), gate.max_tls_blocks, since) \
            if entry['status'] == 'changed' else None
        if reason is None:
            entries.append(entry)
            continue
        entries.append(dict(entry, status='failed', reason='{0}; {1}'.format(entry['reason'], reason)))
        if gate.rollback and not (blocks.get(entry['account']) or {'failed': True}).get('failed'):
            rollback.append(Target(entry['account'], entry['region'], entry['before'], entry['after']))
    return dict(report, accounts=entries, summary=summarize(entries)), rollback


def note_rollback(report, restored) -> dict:
    """The report with each rolled back account's outcome: ``after`` its setting as the rollback left it, and
    the rollback in its reason (``restored``: the rollback's result entries, ``_restore.restore_entry``)."""
    by_account = {entry['account']: entry for entry in restored}
    entries = []
    for entry in report['accounts']:
        rolled = by_account.get(entry['account'])
        if rolled is None:
            entries.append(entry)
        elif rolled['status'] in ('restored', 'unchanged'):
            entries.append(dict(entry, after=rolled['after'], rolled_back=True,
                                reason=entry['reason'] + '; rolled back to its setting before the enforcement'))
        else:
            entries.append(dict(entry, rolled_back=False, reason='{0}; the rollback failed ({1}): {2}'.format(
                entry['reason'], rolled['status'], rolled['reason'])))
    return dict(report, accounts=entries)
