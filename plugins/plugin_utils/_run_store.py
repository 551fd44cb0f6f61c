# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What the tasks of one per-host run hand each other on the controller, through files in
Ansible's local temporary directory (one per ``ansible-playbook`` process, removed when it ends).

- **Each account's outcome, for its host's task.** The fleet step runs once for a play
  batch; every host's own task then needs its account's outcome. Handed over as a variable,
  the batch's outcomes would be a variable of every host, and ansible-core copies a host's
  variables for each of its tasks: with N hosts, each of N tasks would copy N outcomes. So
  the fleet step writes one small file per account (:func:`write_outcomes`), and each host's
  task reads its one file (:func:`read_outcome`): a constant cost per host however large the
  batch.
- **The run's report so far, for the next batch and the verdict.** A play with ``serial``
  runs the fleet step once per batch; the report of the run is the sum of theirs
  (:func:`read_run`, :func:`write_run`). The verdict at the end of the run takes every run
  this process recorded and has not judged yet (:func:`claim_runs`): none means that no
  batch ever ran, so no account was read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

OUTCOMES_PREFIX = 'mailops-sendgrid-outcomes-'
RUNS_DIRECTORY = 'mailops-sendgrid-runs'
OPEN_RUN = '.json'
CLAIMED_RUN = '.claimed'


def _file_name(key):
    return hashlib.sha256(key.encode('utf-8')).hexdigest()


def write_outcomes(parent_directory, outcomes):
    """Write each account's outcome (``outcomes``: by account) into a new directory in
    ``parent_directory`` (readable by this user only), and return its path."""
    directory = tempfile.mkdtemp(prefix=OUTCOMES_PREFIX, dir=parent_directory)
    for account, outcome in outcomes.items():
        with open(os.path.join(directory, _file_name(account) + '.json'), 'w', encoding='utf-8') as handle:
            json.dump(outcome, handle)
    return directory


def read_outcome(directory, account):
    """The outcome of ``account`` that :func:`write_outcomes` left in ``directory``, or None.

    Raises ValueError when ``directory`` is not such a directory (never written, or
    removed because the run that wrote it ended).
    """
    if not os.path.isdir(directory) or not os.path.basename(directory).startswith(OUTCOMES_PREFIX):
        raise ValueError('{0} is not a directory of outcomes written by this run'.format(directory))
    try:
        with open(os.path.join(directory, _file_name(account) + '.json'), encoding='utf-8') as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def _runs_directory(parent_directory):
    directory = os.path.join(parent_directory, RUNS_DIRECTORY)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return directory


def read_run(parent_directory, run_id):
    """The report recorded so far for the run ``run_id`` (not yet claimed), or None."""
    path = os.path.join(_runs_directory(parent_directory), _file_name(run_id) + OPEN_RUN)
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def write_run(parent_directory, run_id, report):
    """Record ``report`` as the run's report so far (replacing what was recorded)."""
    directory = _runs_directory(parent_directory)
    handle, temporary = tempfile.mkstemp(dir=directory, suffix='.tmp')
    with os.fdopen(handle, 'w', encoding='utf-8') as stream:
        json.dump(report, stream)
    os.replace(temporary, os.path.join(directory, _file_name(run_id) + OPEN_RUN))


def claim_runs(parent_directory):
    """The reports of the runs recorded and not claimed yet, oldest first; each is claimed, so that a
    later verdict does not count it again."""
    directory = _runs_directory(parent_directory)
    paths = [os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(OPEN_RUN)]
    reports = []
    for path in sorted(paths, key=os.path.getmtime):
        with open(path, encoding='utf-8') as handle:
            reports.append(json.load(handle))
        os.replace(path, path[:-len(OPEN_RUN)] + CLAIMED_RUN)
    return reports
