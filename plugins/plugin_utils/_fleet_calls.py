# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The module calls of the collection's fleet actions (the fleet step, the restore): one call of
``sendgrid_enforced_tls`` for the parent account and one batch call per group of a plan, one call of
``sendgrid_tls_blocks_info`` per region. Every request goes through the modules, and so through the
one API client; these actions only plan and report.
"""

from __future__ import annotations

from ansible_collections.mailops.sendgrid.plugins.module_utils._module_support import sendgrid_argument_spec
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import account_blocks, build_report
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._restore import decide, restore_entry, restore_plan

APPLY_MODULE = 'mailops.sendgrid.sendgrid_enforced_tls'
BLOCKS_MODULE = 'mailops.sendgrid.sendgrid_tls_blocks_info'
# The options every module shares, passed on to every call as given (group module_defaults reach
# the actions, which are in the sendgrid group). Their defaults and environment fallbacks
# (SENDGRID_API_KEY, SENDGRID_API_URL) are left to the modules. region is each action's own: the
# region of the parent account and of accounts whose region is not known.
CONNECTION_OPTIONS = {
    name: {key: value for key, value in spec.items() if key not in ('default', 'fallback')}
    for name, spec in sendgrid_argument_spec().items() if name not in ('on_behalf_of', 'region')
}
# How a call asks for check mode whatever the task's: the action's own reads (a restore reads every
# account before it writes any) must never write.
CHECK_MODE_ARG = '_ansible_check_mode'
DEFAULT_REGION = 'global'


def connection_args(args):
    """The shared options given to the action, to pass on to each call."""
    return {name: args[name] for name in CONNECTION_OPTIONS if args.get(name) is not None}


class FleetCalls:
    """Mixed into an action plugin (before ActionBase): its module calls."""

    def _update_module_args(self, module_name, module_args, task_vars, *args, **kwargs):
        # ActionBase sets check mode from the task; a read-only call keeps the check mode it asked for.
        read_only = module_args.get(CHECK_MODE_ARG) is True
        super()._update_module_args(module_name, module_args, task_vars, *args, **kwargs)
        if read_only:
            module_args[CHECK_MODE_ARG] = True

    def _call(self, module, module_args, task_vars, read_only=False):
        if read_only:
            module_args = dict(module_args, **{CHECK_MODE_ARG: True})
        return self._execute_module(module_name=module, module_args=module_args, task_vars=task_vars)

    def _apply(self, plan, args, task_vars, read_only=False):
        """One call for the parent account, one batch call per group of ``plan`` (``_plan.build_plan``'s shape);
        ``read_only``: in check mode whatever the task's. Failures are the accounts' own."""
        connection = dict(connection_args(args), enforcement=plan['enforcement'])
        parent_result = None
        if plan['parent'] is not None:
            parent_args = dict(connection, **plan['parent']['policy'])
            if plan['parent']['region']:
                parent_args['region'] = plan['parent']['region']
            parent_result = self._call(APPLY_MODULE, parent_args, task_vars, read_only)
        group_results = []
        for group in plan['groups']:
            group_args = dict(connection, subusers=group['accounts'], **group['policy'])
            if group['region']:
                group_args['region'] = group['region']
            if args.get('workers') is not None:
                group_args['workers'] = args['workers']
            group_results.append(self._call(APPLY_MODULE, group_args, task_vars, read_only))
        return parent_result, group_results

    def _restore(self, targets, plan, args, task_vars, check_mode, force=False):
        """Each target's result entry (``_restore.Target``; ``plan``: ``_restore.restore_plan`` of them): every one
        read first (never written then), then those still as the enforcement left them (or any, with ``force``)
        set back, unless in ``check_mode``."""
        if not targets:
            return []
        read = self._settings(plan, args, task_vars, read_only=True)
        decisions = {target.account: decide(target, read[target.account], force) for target in targets}
        to_write = [target for target in targets if decisions[target.account][0] == 'restore']
        written = {}
        if to_write and not check_mode:
            written = self._settings(restore_plan(to_write, args.get('region')), args, task_vars)
        return [restore_entry(target, *decisions[target.account], read=read[target.account],
                              written=written.get(target.account)) for target in targets]

    def _settings(self, plan, args, task_vars, read_only=False):
        """Each account of the plan as its call found (and, unless ``read_only``, left) it: its report entry."""
        parent_result, group_results = self._apply(plan, args, task_vars, read_only=read_only)
        report = build_report(plan, parent_result=parent_result, group_results=group_results, check_mode=read_only)
        return {entry['account']: entry for entry in report['accounts']}

    def _read_exempt(self, plan, args, task_vars):
        """The setting of each exempt account of ``plan``, read and never written (in check mode, whatever the
        task's): by account, its report entry as :meth:`_settings` gives it (failed when it could not be read)."""
        read_plan = exempt_plan(plan, args.get('region'))
        if read_plan is None:
            return {}
        return self._settings(read_plan, args, task_vars, read_only=True)

    def _read_blocks(self, plan, args, task_vars, since):
        """Each account's TLS blocks since ``since``: one call of the blocks module for the parent account, one
        for the subusers of each region (as :func:`_report.account_blocks` gives them, by account)."""
        connection = dict(connection_args(args), since=since)
        blocks = {}
        if plan['parent'] is not None:
            parent_args = dict(connection, region=plan['parent']['region']) if plan['parent']['region'] else connection
            blocks[PARENT_ACCOUNT] = blocks_of(self._call(BLOCKS_MODULE, parent_args, task_vars), [None])[None]
        # Accounts of no known region are called where the modules call by default: in the region global (or at
        # api_url, as are those of global).
        by_region = {}
        for group in plan['groups']:
            by_region.setdefault(group['region'] or DEFAULT_REGION, []).extend(group['accounts'])
        for region, accounts in by_region.items():
            call_args = dict(connection, subusers=accounts)
            if region != DEFAULT_REGION:
                call_args['region'] = region
            if args.get('workers') is not None:
                call_args['workers'] = args['workers']
            blocks.update(blocks_of(self._call(BLOCKS_MODULE, call_args, task_vars), accounts))
        return blocks


def exempt_plan(plan, region=None):
    """A plan that reads the exempt accounts of ``plan`` against its policy (one call for the parent account, one
    per region), or None when it has none."""
    parent = [entry for entry in plan['exempt'] if entry['account'] == PARENT_ACCOUNT]
    by_region = {}
    for entry in plan['exempt']:
        if entry['account'] != PARENT_ACCOUNT:
            by_region.setdefault(entry['region'], []).append(entry['account'])
    if not parent and not by_region:
        return None
    return {'policy': plan['policy'], 'enforcement': plan['enforcement'],
            'parent': {'policy': plan['policy'], 'region': parent[0]['region'] or region} if parent else None,
            'groups': [{'region': group_region, 'policy': plan['policy'], 'accounts': accounts}
                       for group_region, accounts in by_region.items()],
            'exempt': [], 'refused': [], 'excluded': [], 'disabled': []}


def blocks_of(call_result, accounts):
    """Each account's TLS blocks from a call of the blocks module; all failed when the call failed before
    reading any."""
    entries = call_result.get('accounts')
    if not isinstance(entries, list):
        failure = account_blocks({'failed': True, 'msg': call_result.get('msg')})
        return {account: failure for account in accounts}
    return {entry.get('account'): account_blocks(entry) for entry in entries}
