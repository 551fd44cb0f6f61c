# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._fleet_calls import (
    APPLY_MODULE,
    BLOCKS_MODULE,
    CHECK_MODE_ARG,
    CONNECTION_OPTIONS,
    FleetCalls,
    blocks_of,
    connection_args,
    exempt_plan,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import settings

ENFORCED = settings(True, True, 1.2)
SINCE = 1764763140


class Action(FleetCalls, ActionBase):
    """The smallest action the calls are mixed into."""

    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        raise NotImplementedError


def action(check_mode=False):
    task = MagicMock(check_mode=check_mode, diff=False, no_log=False, async_val=0)
    made = Action(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    made._execute_module = MagicMock(return_value={'changed': False})
    return made


# ---------------------------------------------------------------------------
# connection_args, CONNECTION_OPTIONS
# ---------------------------------------------------------------------------

def test_connection_options_are_the_shared_ones_but_the_account_and_its_region():
    assert 'api_key' in CONNECTION_OPTIONS and 'api_url' in CONNECTION_OPTIONS
    assert 'on_behalf_of' not in CONNECTION_OPTIONS and 'region' not in CONNECTION_OPTIONS
    # Defaults and environment fallbacks are the modules' own.
    assert not [name for name, spec in CONNECTION_OPTIONS.items() if 'default' in spec or 'fallback' in spec]
    assert CONNECTION_OPTIONS['api_key'].get('no_log') is True


def test_connection_args_are_the_connection_options_given():
    given = {'api_key': 'SG.key', 'api_url': None, 'validate_certs': False, 'region': 'eu', 'policy': ENFORCED}
    assert connection_args(given) == {'api_key': 'SG.key', 'validate_certs': False}


# ---------------------------------------------------------------------------
# check mode of each call
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('task_check_mode', [False, True])
def test_a_read_only_call_is_in_check_mode_whatever_the_tasks(task_check_mode):
    made = action(task_check_mode)
    module_args = {'require_tls': True, CHECK_MODE_ARG: True}
    made._update_module_args(APPLY_MODULE, module_args, {})
    assert module_args[CHECK_MODE_ARG] is True


@pytest.mark.parametrize('task_check_mode', [False, True])
def test_any_other_call_is_in_the_tasks_check_mode(task_check_mode):
    made = action(task_check_mode)
    module_args = {'require_tls': True}
    made._update_module_args(APPLY_MODULE, module_args, {})
    assert module_args[CHECK_MODE_ARG] is task_check_mode


@pytest.mark.parametrize('read_only, sent', [(True, {'since': SINCE, CHECK_MODE_ARG: True}), (False, {'since': SINCE})])
def test_call_asks_for_check_mode_only_when_read_only(read_only, sent):
    made = action()
    given = {'since': SINCE}
    made._call(BLOCKS_MODULE, given, {'x': 1}, read_only=read_only)
    made._execute_module.assert_called_once_with(module_name=BLOCKS_MODULE, module_args=sent, task_vars={'x': 1})
    assert given == {'since': SINCE}


# ---------------------------------------------------------------------------
# blocks_of
# ---------------------------------------------------------------------------

def blocks_entry(account, count):
    return {'account': account, 'failed': False, 'complete': True, 'tls_blocks': count,
            'domains': [{'domain': 'old.example', 'blocks': count}], 'more_domains': 0,
            'first_blocked': None, 'last_blocked': None, 'other_blocks': {'count': 0, 'reasons': []}}


def test_blocks_of_a_call_is_each_accounts_blocks():
    found = blocks_of({'changed': False, 'accounts': [blocks_entry('a', 2), blocks_entry('b', 0)]}, ['a', 'b'])
    assert sorted(found) == ['a', 'b']
    assert (found['a']['count'], found['b']['count']) == (2, 0)
    assert found['a']['domains'] == [{'domain': 'old.example', 'blocks': 2}]


def test_blocks_of_an_account_that_failed_is_its_failure():
    failed = {'account': 'b', 'failed': True, 'msg': 'HTTP 403 for b', 'status': 403}
    found = blocks_of({'failed': True, 'msg': 'could not read b', 'accounts': [blocks_entry('a', 1), failed]},
                      ['a', 'b'])
    assert found['a']['count'] == 1
    assert found['b'] == {'failed': True, 'msg': 'HTTP 403 for b'}


@pytest.mark.parametrize('result', [
    {'failed': True, 'msg': 'the API key was refused'},
    {'failed': True, 'msg': 'the API key was refused', 'accounts': None},
])
def test_blocks_of_a_call_that_read_no_account_fails_each_with_its_message(result):
    assert blocks_of(result, ['a', None]) == {'a': {'failed': True, 'msg': 'the API key was refused'},
                                              None: {'failed': True, 'msg': 'the API key was refused'}}


# ---------------------------------------------------------------------------
# _read_blocks
# ---------------------------------------------------------------------------

def test_read_blocks_one_call_for_the_parent_and_one_per_region():
    made = action()
    answers = iter([{'accounts': [blocks_entry(None, 1)]},
                    {'accounts': [blocks_entry('a', 2), blocks_entry('c', 0)]},
                    {'accounts': [blocks_entry('e', 3)]}])
    made._execute_module = MagicMock(side_effect=lambda **call: next(answers))
    plan = {'parent': {'region': 'eu', 'policy': ENFORCED},
            'groups': [{'region': None, 'accounts': ['a']}, {'region': 'eu', 'accounts': ['e']},
                       {'region': 'global', 'accounts': ['c']}]}
    found = made._read_blocks(plan, {'api_key': 'SG.key', 'workers': 3}, {}, SINCE)
    sent = [call.kwargs['module_args'] for call in made._execute_module.call_args_list]
    assert sent == [{'api_key': 'SG.key', 'since': SINCE, 'region': 'eu'},
                    {'api_key': 'SG.key', 'since': SINCE, 'subusers': ['a', 'c'], 'workers': 3},
                    {'api_key': 'SG.key', 'since': SINCE, 'subusers': ['e'], 'region': 'eu', 'workers': 3}]
    assert {account: item['count'] for account, item in found.items()} == {PARENT_ACCOUNT: 1, 'a': 2, 'c': 0, 'e': 3}


def test_read_blocks_of_a_plan_without_the_parent_reads_only_subusers():
    made = action()
    made._execute_module = MagicMock(return_value={'failed': True, 'msg': 'HTTP 401'})
    found = made._read_blocks({'parent': None, 'groups': [{'region': 'eu', 'accounts': ['e']}]}, {}, {}, SINCE)
    assert made._execute_module.call_count == 1
    assert found == {'e': {'failed': True, 'msg': 'HTTP 401'}}


# ---------------------------------------------------------------------------
# exempt_plan
# ---------------------------------------------------------------------------

def test_exempt_plan_reads_the_exempt_accounts_against_the_policy_by_region():
    plan = {'policy': ENFORCED, 'enforcement': 'exact', 'parent': None, 'groups': [{'region': None, 'accounts': ['a']}],
            'exempt': [{'account': PARENT_ACCOUNT, 'reason': 'r', 'region': None},
                       {'account': 'x', 'reason': 'r', 'region': 'eu'}, {'account': 'y', 'reason': 'r', 'region': None},
                       {'account': 'z', 'reason': 'r', 'region': 'eu'}]}
    read = exempt_plan(plan, 'global')
    assert read['parent'] == {'policy': ENFORCED, 'region': 'global'}
    assert read['groups'] == [{'region': 'eu', 'policy': ENFORCED, 'accounts': ['x', 'z']},
                              {'region': None, 'policy': ENFORCED, 'accounts': ['y']}]
    assert (read['enforcement'], read['exempt'], read['refused']) == ('exact', [], [])


def test_exempt_plan_of_a_plan_without_exempt_accounts_is_none():
    assert exempt_plan({'policy': ENFORCED, 'enforcement': 'minimum', 'exempt': []}) is None
