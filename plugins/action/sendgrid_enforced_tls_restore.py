# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The way back from an enforcement: set each account it changed back to its recorded before. Documented in
plugins/modules/sendgrid_enforced_tls_restore.py."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import check_workers
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import setting_diff
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import REGIONS
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._fleet_calls import CONNECTION_OPTIONS, FleetCalls
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT, PlanError, nothing_done
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._restore import (
    ACCOUNTS_INPUT,
    RESTORED,
    TO_RESTORE,
    RestoreError,
    check_report,
    check_restore_accounts,
    load_report,
    restore_line,
    restore_plan,
    restore_targets,
    restore_verdict,
    restore_warnings,
    sorted_entries,
    summarize_restore,
)

ARGUMENT_SPEC = dict(
    CONNECTION_OPTIONS,
    region=dict(type='str', choices=list(REGIONS)),
    # A path, or the report itself (the registered result of the fleet step).
    report=dict(type='raw', required=True),
    accounts=dict(type='raw'),
    force=dict(type='bool', default=False),
    workers=dict(type='int'),
    # In the group's shared options; here the report names each account.
    on_behalf_of=dict(type='str'),
)


class ActionModule(FleetCalls, ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            targets, settled, plan = self._plan(args)
        except (RestoreError, PlanError) as error:
            result.update(failed=True, msg=nothing_done(str(error)))
            return result
        except SendGridConfigError as error:
            result.update(failed=True, msg=nothing_done(error.message))
            return result
        check_mode = bool(self._task.check_mode)
        entries = sorted_entries(settled + self._restore(targets, plan, args, task_vars, check_mode, args['force']))
        summary = summarize_restore(entries)
        result.update(changed=bool(summary[RESTORED] or summary[TO_RESTORE]), check_mode=check_mode, summary=summary,
                      accounts=entries, msg=restore_line(summary, check_mode), failure=restore_verdict(entries))
        warnings = restore_warnings(entries)
        if warnings:
            result['warnings'] = warnings
        if self._task.diff:
            result['diff'] = [setting_diff(entry['before'], entry['after'],
                                           None if entry['account'] == PARENT_ACCOUNT else entry['account'])
                              for entry in entries if entry['status'] in (RESTORED, TO_RESTORE)]
        return result

    @staticmethod
    def _plan(args):
        """The accounts to restore, those the report settles, and the plan that reads (and writes) them: every input
        checked, before any request."""
        if args['on_behalf_of'] is not None:
            raise RestoreError('on_behalf_of is not an option of this action: the report names the accounts; limit'
                               ' them with {0}'.format(ACCOUNTS_INPUT))
        if args['workers'] is not None:
            check_workers(args['workers'], 'workers')
        entries = check_report(load_report(args['report']))
        targets, settled = restore_targets(entries, check_restore_accounts(args['accounts'], entries))
        return targets, settled, restore_plan(targets, args['region'])
