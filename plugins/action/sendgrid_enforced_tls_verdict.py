# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The end of a per-host run: its summary over every batch, and whether it passes.
Documented in plugins/modules/sendgrid_enforced_tls_verdict.py."""

from __future__ import annotations

from ansible import constants as C
from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import no_hosts_message
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import (
    accounts_read,
    merge_reports,
    summary_line,
    verdict,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import MARKDOWN_FILE
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._run_store import claim_runs

ARGUMENT_SPEC = dict(
    hosts_pattern=dict(type='str', default='sendgrid'),
    fail_on_drift=dict(type='bool', default=False),
    report_dir=dict(type='path'),
)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        report = None
        for run in claim_runs(C.DEFAULT_LOCAL_TMP):
            report = merge_reports(report, run)
        if report is None:
            result.update(failed=True, msg=no_hosts_message(
                args['hosts_pattern'], task_vars.get('groups'), task_vars.get('ansible_inventory_sources'),
                task_vars.get('ansible_limit')))
            return result
        line = summary_line(report, args['report_dir'] and '{0}/{1}'.format(args['report_dir'], MARKDOWN_FILE))
        result.update(changed=False, mode=report['mode'], summary=report['summary'], msg=line,
                      _ansible_verbose_always=True)
        failure = verdict(report, args['fail_on_drift'])
        if not accounts_read(report):
            failure = ('No SendGrid account was read: {0}. A run that reads no account is never a clean audit.'.format(
                'every account of the run is exempt' if report['summary']['total'] else 'its batches held no account'))
        if failure:
            result.update(failed=True, msg='{0} {1}'.format(line, failure))
        return result
