# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._outcome_store import read_outcome, write_outcomes


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
