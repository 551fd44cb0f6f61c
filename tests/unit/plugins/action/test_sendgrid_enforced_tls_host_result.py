# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible_collections.mailops.sendgrid.plugins.action.sendgrid_enforced_tls_host_result import ActionModule
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._run_store import write_outcomes
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import settings

DRIFT = {'account': 'a', 'status': 'drift', 'reason': 'version 1.1 < 1.2', 'before': settings(True, True, 1.1),
         'after': settings(True, True, 1.2), 'mode': 'audit', 'region': 'global'}
PARENT = dict(DRIFT, account='(parent account)')


def run(args, diff=False):
    task = MagicMock(args=args, check_mode=True, diff=diff, async_val=0)
    action = ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return action.run(task_vars={})


@pytest.fixture
def outcomes(tmp_path):
    return write_outcomes(str(tmp_path), {'a': DRIFT, '(parent account)': PARENT})


def test_the_hosts_account_is_its_result(outcomes):
    result = run({'outcomes': outcomes, 'account': 'a'}, diff=True)
    assert result['msg'] == "subuser 'a' is out of policy: version 1.1 < 1.2"
    assert (result['changed'], result['status'], result['account']) == (True, 'drift', 'a')
    assert result['diff']['before_header'] == "Enforced TLS of subuser 'a'"
    assert result['ansible_facts']['sendgrid_enforced_tls']['setting'] == settings(True, True, 1.1)


def test_a_host_without_an_account_is_the_parent(outcomes):
    result = run({'outcomes': outcomes})
    assert (result['account'], 'diff' in result) == ('(parent account)', False)
    assert result['msg'] == 'the parent account is out of policy: version 1.1 < 1.2'


def test_an_account_the_batch_did_not_cover_fails(outcomes):
    result = run({'outcomes': outcomes, 'account': 'zz'})
    assert result['failed'] is True and "no outcome for subuser 'zz'" in result['msg']


def test_outcomes_not_of_this_run_fail_saying_what_to_pass(tmp_path):
    result = run({'outcomes': str(tmp_path / 'gone'), 'account': 'a'})
    assert result['failed'] is True
    assert result['msg'] == ('outcomes: {0} is not a directory of outcomes written by this run; pass the outcomes'
                             ' returned by mailops.sendgrid.sendgrid_enforced_tls_fleet in this play batch'.format(
                                 tmp_path / 'gone'))
