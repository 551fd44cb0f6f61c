# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._run_store import (
    RUNS_DIRECTORY,
    claim_runs,
    read_outcome,
    read_run,
    write_outcomes,
    write_run,
)


def test_each_account_reads_back_its_own_outcome(tmp_path):
    outcomes = {'a': {'status': 'drift'}, 'b/../x': {'status': 'compliant'}, '(parent account)': {'status': 'failed'}}
    directory = write_outcomes(str(tmp_path), outcomes)
    assert os.path.dirname(directory) == str(tmp_path)
    for account, outcome in outcomes.items():
        assert read_outcome(directory, account) == outcome
    # One file per account, whatever its name, inside the directory only.
    assert len(os.listdir(directory)) == 3 and os.listdir(str(tmp_path)) == [os.path.basename(directory)]


def test_the_directory_is_this_users_only(tmp_path):
    directory = write_outcomes(str(tmp_path), {'a': {}})
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_an_account_of_no_outcome_reads_none(tmp_path):
    assert read_outcome(write_outcomes(str(tmp_path), {'a': {}}), 'b') is None


@pytest.mark.parametrize('name', ['missing', 'elsewhere'])
def test_a_directory_not_written_by_write_outcomes_is_refused(tmp_path, name):
    if name == 'elsewhere':
        os.mkdir(str(tmp_path / name))
    with pytest.raises(ValueError, match='is not a directory of outcomes written by this run'):
        read_outcome(str(tmp_path / name), 'a')


# ---------------------------------------------------------------------------
# The run's report so far: read_run, write_run, claim_runs
# ---------------------------------------------------------------------------

def runs_directory(tmp_path):
    return tmp_path / RUNS_DIRECTORY


def record(tmp_path, run_id, report, mtime):
    """Record ``report`` for ``run_id`` as of ``mtime`` (the order claim_runs gives)."""
    write_run(str(tmp_path), run_id, report)
    for name in os.listdir(str(runs_directory(tmp_path))):
        path = str(runs_directory(tmp_path) / name)
        if name.endswith('.json') and read_json(path) == report:
            os.utime(path, (mtime, mtime))


def read_json(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def test_a_run_never_recorded_reads_none(tmp_path):
    assert read_run(str(tmp_path), 'task-1') is None


def test_a_run_reads_back_what_was_last_recorded_for_it(tmp_path):
    write_run(str(tmp_path), 'task-1', {'summary': {'total': 1}})
    write_run(str(tmp_path), 'task-2', {'summary': {'total': 5}})
    write_run(str(tmp_path), 'task-1', {'summary': {'total': 3}})
    assert read_run(str(tmp_path), 'task-1') == {'summary': {'total': 3}}
    assert read_run(str(tmp_path), 'task-2') == {'summary': {'total': 5}}
    # One file per run, in a directory of this user's only; no temporary file left behind.
    assert len(os.listdir(str(runs_directory(tmp_path)))) == 2
    assert stat.S_IMODE(os.stat(str(runs_directory(tmp_path))).st_mode) == 0o700


def test_claim_runs_gives_every_run_recorded_oldest_first(tmp_path):
    record(tmp_path, 'late', {'run': 'late'}, 2000000000)
    record(tmp_path, 'early', {'run': 'early'}, 1000000000)
    assert claim_runs(str(tmp_path)) == [{'run': 'early'}, {'run': 'late'}]


def test_a_claimed_run_is_not_claimed_again(tmp_path):
    write_run(str(tmp_path), 'task-1', {'run': 1})
    assert claim_runs(str(tmp_path)) == [{'run': 1}]
    assert claim_runs(str(tmp_path)) == []
    assert read_run(str(tmp_path), 'task-1') is None
    # A later run of the same process is claimed on its own.
    write_run(str(tmp_path), 'task-2', {'run': 2})
    assert claim_runs(str(tmp_path)) == [{'run': 2}]


def test_claim_runs_of_nothing_recorded(tmp_path):
    assert claim_runs(str(tmp_path)) == []
