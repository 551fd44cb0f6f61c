# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One host's own result from its account's outcome in the fleet step of its play batch.
Documented in plugins/modules/sendgrid_enforced_tls_host_result.py."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._host_result import host_result
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._run_store import read_outcome

ARGUMENT_SPEC = dict(
    outcomes=dict(type='str', required=True),
    account=dict(type='str'),
)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        account = args['account'] if args['account'] is not None else PARENT_ACCOUNT
        try:
            outcome = read_outcome(args['outcomes'], account)
        except ValueError as error:
            result.update(failed=True, msg='outcomes: {0}; pass the outcomes returned by'
                                           ' mailops.sendgrid.sendgrid_enforced_tls_fleet in this play batch'.format(error))
            return result
        result.update(host_result(outcome, args['account'], with_diff=bool(self._task.diff)))
        return result
