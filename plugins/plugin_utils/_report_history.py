# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What changed since the last audit: the report a run finds in its report directory is kept, one generation,
as ``enforced-tls-report.previous.json`` (:func:`keep_previous`), read back (:func:`load_previous`: a report that
cannot be read is a warning, never a failure) and compared with the new one (:func:`changes_since`): the accounts
newly out of policy, back in policy, new, and gone.
"""

from __future__ import annotations

import os
from typing import Optional, Tuple

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PREFIX
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import CHANGE_KINDS
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import (
    JSON_FILE,
    ReportFileError,
    read_report_file,
)

PREVIOUS_FILE = 'enforced-tls-report.previous.json'
PREVIOUS_INPUT = PREFIX + 'previous_report'
# The statuses of an account out of policy; changed and compliant ones are in policy, exempt ones neither.
OUT_OF_POLICY = ('drift', 'failed')
IN_POLICY = ('changed', 'compliant')


def keep_previous(directory) -> Optional[str]:
    """Keep the report ``directory`` holds (its JSON file) as the previous one, before a run writes its own: the
    path it is kept at, or None when there is none."""
    current = os.path.join(directory, JSON_FILE)
    if not os.path.isfile(current):
        return None
    previous = os.path.join(directory, PREVIOUS_FILE)
    try:
        os.replace(current, previous)
    except OSError:
        # Not kept (the name is taken by a directory, say): compared with where it is, and then replaced.
        return current
    return previous


def load_previous(path, field='the last report') -> Tuple[Optional[dict], Optional[str]]:
    """The previous report at ``path`` and None, or None and a warning that says why it cannot be compared."""
    try:
        previous = read_report_file(path, field)
    except ReportFileError as error:
        return None, '{0}; the report has no comparison with the last audit'.format(error)
    if not isinstance(previous, dict) or not isinstance(previous.get('accounts'), list) or not all(
            isinstance(entry, dict) and isinstance(entry.get('account'), str) for entry in previous['accounts']):
        return None, ('{0}: {1} is not a report of this collection (an enforced-tls-report.json); the report has no'
                      ' comparison with the last audit'.format(field, path))
    return previous, None


def _statuses(report):
    return {entry['account']: entry.get('status') for entry in report['accounts']}


def changes_since(previous, report) -> dict:
    """How ``report`` differs from ``previous``, account by account, in the new report's order (gone ones in the
    previous report's): ``newly_out_of_policy`` (out of policy now, and in policy then or not there),
    ``back_in_policy`` (in policy now, out of policy then), ``new_accounts``, ``gone_accounts``; with the
    previous report's time and mode, and the counts."""
    then, now = _statuses(previous), _statuses(report)
    changes = {
        'newly_out_of_policy': [name for name, status in now.items()
                                if status in OUT_OF_POLICY and then.get(name) not in OUT_OF_POLICY],
        'back_in_policy': [name for name, status in now.items()
                           if status in IN_POLICY and then.get(name) in OUT_OF_POLICY],
        'new_accounts': [name for name in now if name not in then],
        'gone_accounts': [name for name in then if name not in now],
    }
    return dict(changes, previous_generated_at=previous.get('generated_at'), previous_mode=previous.get('mode'),
                counts={kind: len(changes[kind]) for kind in CHANGE_KINDS})


def previous_path(report_dir=None, named=None, first=True, earlier=None) -> Optional[str]:
    """Where the previous report is: ``named`` (``enforced_tls_baseline_previous_report``) when given; else, in the
    first (or only) batch of a run, the report ``report_dir`` holds, kept now (:func:`keep_previous`); in a later
    batch, the one the first kept (``earlier``: the report of the run so far). None: no previous report."""
    if first and report_dir:
        kept = keep_previous(report_dir)
        # The report the directory held, named as such, is where it is kept now.
        if kept and named and os.path.abspath(os.path.expanduser(named)) == os.path.join(
                os.path.abspath(report_dir), JSON_FILE):
            return kept
    else:
        kept = ((earlier or {}).get('since_last_audit') or {}).get('previous_report')
    return named or kept


def compare_with_last(report, path) -> Tuple[dict, Optional[str]]:
    """The report with what changed since the previous report at ``path`` (``since_last_audit``), and a warning
    when it cannot be read; the report as it is without a path."""
    if not path:
        return report, None
    previous, warning = load_previous(path)
    if previous is None:
        return dict(report, warnings=list(report.get('warnings') or []) + [warning]), warning
    return dict(report, since_last_audit=dict(changes_since(previous, report), previous_report=path)), None


def change_counts(report, earlier=None) -> Optional[dict]:
    """The counts of what changed since the last audit that ``report`` (the run so far) adds to ``earlier`` (the
    run before this batch; None: the run is this report), or None when the run did not compare. Custom stats are
    added up over a play's batches, so each batch publishes what it adds (an account gone after the first batch
    may turn up in a later one: a negative count)."""
    changes = report.get('since_last_audit')
    if not changes:
        return None
    before = ((earlier or {}).get('since_last_audit') or {}).get('counts') or {}
    return {kind: changes['counts'][kind] - before.get(kind, 0) for kind in CHANGE_KINDS}
