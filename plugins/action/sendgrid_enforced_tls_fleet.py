# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fleet step, behind the role and the per-host playbooks alike: plan the accounts, make one
batch call per policy and region, report. Documented in plugins/modules/sendgrid_enforced_tls_fleet.py."""

from __future__ import annotations

import datetime
import time
from typing import NamedTuple, Optional

from ansible import constants as C
from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import check_workers
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import ENFORCEMENT_MODES, MINIMUM
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import MAX_PAGE_SIZE, REGIONS
from ansible_collections.mailops.sendgrid.plugins.module_utils._tls_blocks import parse_time, utc_text
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._canary import (
    Gate,
    apply_gate,
    changed_plan,
    check_canary,
    check_gate,
    held_back,
    note_rollback,
    split_plan,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._fleet_calls import (
    CONNECTION_OPTIONS,
    FleetCalls,
    connection_args,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._host_result import index_outcomes
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import (
    RUN_INPUTS,
    PlanError,
    accounts_from_hosts,
    accounts_from_inputs,
    build_plan,
    check_exclude,
    check_inputs_cover_accounts,
    check_run_inputs,
    discovered_accounts,
    no_account_message,
    nothing_done,
    parent_from_inputs,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import (
    attach_blocks,
    attach_exempt_settings,
    build_report,
    custom_stats,
    merge_reports,
    summary_line,
    verdict,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import (
    MARKDOWN_FILE,
    ReportDirError,
    check_report_formats,
    prepare_report_dir,
    write_report_files,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_history import (
    change_counts,
    compare_with_last,
    previous_path,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._restore import restore_plan
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._run_store import read_run, write_outcomes, write_run

LISTING_MODULE = 'mailops.sendgrid.sendgrid_subuser_info'
# blocks_since=run: the blocks since the run's updates, from the fleet step's start less this margin, as
# SendGrid dates a block by its own clock, which may be a little behind the controller's.
RUN_CLOCK_MARGIN = 60
FROM_INPUTS = 'inputs'
FROM_HOSTS = 'hosts'
ARGUMENT_SPEC = dict(
    CONNECTION_OPTIONS,
    region=dict(type='str', choices=list(REGIONS)),
    policy=dict(type='dict', required=True),
    enforcement=dict(type='str', choices=list(ENFORCEMENT_MODES), default=MINIMUM),
    account_source=dict(type='str', choices=[FROM_INPUTS, FROM_HOSTS], default=FROM_INPUTS),
    # Raw, and checked by the plan, so that a value that is not a list is refused (a list type would turn 5 into
    # ['5'], a subuser named 5).
    subusers=dict(type='raw', default=[]),
    all_subusers=dict(type='bool', default=False),
    include_disabled=dict(type='bool', default=False),
    exclude=dict(type='raw', default=[]),
    include_parent=dict(type='bool', default=True),
    # Raw, and checked by the plan, as the policy is.
    parent_policy=dict(type='raw'),
    hosts=dict(type='list', elements='str'),
    workers=dict(type='int'),
    page_size=dict(type='int', default=MAX_PAGE_SIZE),
    report_dir=dict(type='path'),
    # Raw, and checked before any request: a list of some of json, markdown, junit.
    report_formats=dict(type='raw'),
    previous_report=dict(type='path'),
    fail_on_drift=dict(type='bool', default=False),
    blocks_since=dict(type='raw'),
    # Raw, and checked by the gate: a limit given as an extra var (key=value) is text.
    max_tls_blocks=dict(type='raw'),
    canary_soak=dict(type='raw', default=0),
    rollback_on_blocks=dict(type='bool', default=False),
    canary=dict(type='raw'),
    # In the group's shared options; here the plan names each account.
    on_behalf_of=dict(type='str'),
)
# The options of account_source=inputs only.
INPUT_OPTIONS = ('subusers', 'all_subusers', 'include_disabled', 'exclude', 'parent_policy')


def account_diffs(call_results):
    """The diffs of the accounts the calls changed (or would change), one per account, each headed with its
    name: what --diff shows."""
    diffs = []
    for call in call_results:
        for result in (call or {}).get('results') or [call or {}]:
            if result.get('diff'):
                diffs.append(result['diff'])
    return diffs


class Watch(NamedTuple):
    """What the run watches after its updates: the canary ``gate`` (or None), every account's TLS blocks since
    ``blocks_since`` (a Unix time, or None), and when the run started (the gate's window, less a margin)."""
    gate: Optional[Gate]
    blocks_since: Optional[int]
    run_start: int


class FleetError(Exception):
    """The run stops before any account is read or written; the message says why."""


class ActionModule(FleetCalls, ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        started = int(time.time())
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            blocks_since = self._blocks_since(args['blocks_since'], started)
            gate, canary = self._gate(args)
            formats = self._report_formats(args)
            plan, warnings = self._plan(args, task_vars)
        except FleetError as error:
            result.update(failed=True, msg=str(error))
            return result
        watch = Watch(gate, blocks_since, started - RUN_CLOCK_MARGIN)
        # An audit reads every account: nothing it does needs a canary.
        first, rest = split_plan(plan, canary) if canary and not self._task.check_mode else (plan, None)
        report, calls = self._enforce(first, args, task_vars, warnings, watch)
        if rest is not None and report['summary']['failed']:
            report = dict(report, held_back=held_back(rest))
        elif rest is not None:
            rest_report, rest_calls = self._enforce(rest, args, task_vars, [], watch)
            report, calls = merge_reports(report, rest_report), calls + rest_calls
        if args['account_source'] == FROM_HOSTS:
            outcome, history_warning = self._batch_of_hosts(report, args, formats)
        else:
            outcome, history_warning = self._run_of_inputs(report, args, formats, calls)
        result.update(outcome)
        # The task shows the calls' warnings too (an update applied although SendGrid answered it with an error;
        # ansible-core 2.19 and later show them on their own). The report has the plan's; each such account's
        # reason says what happened.
        warnings = list(warnings) + [warning for call in calls for warning in (call or {}).get('warnings') or []]
        warnings += [history_warning] if history_warning else []
        if warnings:
            result['warnings'] = warnings
        return result

    def _run_of_inputs(self, report, args, formats, calls):
        """The result of a run over the role's inputs: the report itself (with what changed since the last audit),
        its files, its summary line and verdict, and the counts; and the warning of a last report that could not
        be read. The task is changed when an account is (or, in check mode, would be)."""
        report, history_warning = compare_with_last(report, previous_path(args['report_dir'], args['previous_report']))
        self._write_report_files(report, args, formats)
        summary = report['summary']
        result = dict(report, changed=bool(summary['drift'] or summary['changed']),
                      ansible_stats=custom_stats(summary, change_counts(report)), **self._summed_up(report, args))
        if self._task.diff:
            result['diff'] = account_diffs(calls)
        return result, history_warning

    def _batch_of_hosts(self, report, args, formats):
        """The result of a play batch of hosts: where each host's task finds its account's outcome, and the batch's
        counts; the report files hold the run so far, compared with the last audit. Each host's task reports its
        own account (changed, diff), so the batch's report stays out of every host's variables."""
        earlier = read_run(C.DEFAULT_LOCAL_TMP, self._task._uuid)
        run_report, history_warning = compare_with_last(
            merge_reports(earlier, report),
            previous_path(args['report_dir'], args['previous_report'], first=earlier is None, earlier=earlier))
        write_run(C.DEFAULT_LOCAL_TMP, self._task._uuid, run_report)
        # Custom stats are added up over the batches: each publishes what it adds to the run's comparison.
        changes = change_counts(run_report, earlier)
        result = dict(outcomes=write_outcomes(C.DEFAULT_LOCAL_TMP, index_outcomes(report)), changed=False,
                      mode=report['mode'], summary=report['summary'],
                      ansible_stats=custom_stats(report['summary'], changes))
        self._write_report_files(run_report, args, formats)
        result.update(self._summed_up(run_report, args))
        return result, history_warning

    # -- applying the policy, and watching what it blocks -------------------------------------

    def _enforce(self, plan, args, task_vars, warnings, watch):
        """Apply the plan, and watch its accounts' TLS blocks: its report and the calls' results."""
        parent_result, group_results = self._apply(plan, args, task_vars)
        report = build_report(plan, parent_result=parent_result, group_results=group_results,
                              check_mode=bool(self._task.check_mode), generated_at=self._now(), warnings=warnings)
        report = attach_exempt_settings(report, self._read_exempt(plan, args, task_vars))
        return self._watch(plan, report, args, task_vars, watch), [parent_result] + group_results

    def _watch(self, plan, report, args, task_vars, watch):
        """The report with the accounts' TLS blocks (with blocks_since: every account's, since then) and, with the
        gate, the changed accounts over its limit failed, and rolled back with rollback_on_blocks. The gate waits
        its soak after the updates and reads the changed accounts' blocks since the run's start, or since
        blocks_since when given (one read serves both)."""
        gated = watch.gate is not None and any(entry['status'] == 'changed' for entry in report['accounts'])
        if not gated and watch.blocks_since is None:
            return report
        since = watch.blocks_since if watch.blocks_since is not None else watch.run_start
        if gated and watch.gate.soak:
            self._sleep(watch.gate.soak)
        read_plan = plan if watch.blocks_since is not None else changed_plan(plan, report)
        blocks = self._read_blocks(read_plan, args, task_vars, since)
        report = attach_blocks(report, blocks, utc_text(since))
        if not gated:
            return report
        report, rollback = apply_gate(report, blocks, watch.gate, utc_text(since))
        if rollback:
            restored = self._restore(rollback, restore_plan(rollback, args['region']), args, task_vars, False)
            report = note_rollback(report, restored)
        return report

    @staticmethod
    def _sleep(seconds):
        time.sleep(seconds)

    @staticmethod
    def _write_report_files(report, args, formats):
        if args['report_dir']:
            write_report_files(args['report_dir'], report, formats)

    @staticmethod
    def _summed_up(report, args):
        markdown = args['report_dir'] and '{0}/{1}'.format(args['report_dir'], MARKDOWN_FILE)
        return {'msg': summary_line(report, markdown), 'failure': verdict(report, args['fail_on_drift'])}

    # -- the plan, before any request that could write ------------------------------------

    @staticmethod
    def _blocks_since(value, started):
        """When to read the accounts' TLS blocks from (a Unix time), or None: not at all."""
        if value is None or value == '':
            return None
        if value == 'run':
            return started - RUN_CLOCK_MARGIN
        try:
            return parse_time(value, 'enforced_tls_baseline_blocks_since')
        except SendGridConfigError as error:
            raise FleetError(nothing_done('{0}. It may also be run: the blocks since this run\'s updates'.format(
                error.message)))

    @staticmethod
    def _gate(args):
        """The canary gate (or None) and how many accounts the canary holds (0: none)."""
        try:
            gate = check_gate(args['max_tls_blocks'], args['canary_soak'], args['rollback_on_blocks'])
            return gate, check_canary(args['canary'], gate, per_host=args['account_source'] == FROM_HOSTS)
        except PlanError as error:
            raise FleetError(nothing_done(str(error)))

    def _plan(self, args, task_vars):
        """The plan and its warnings. Every input is checked here, before any request; discovery is the only
        request before the plan, and it only reads."""
        if args['on_behalf_of'] is not None:
            raise FleetError(nothing_done('on_behalf_of is not an option of this action: the accounts come from the'
                                          ' role inputs or from the hosts (their sendgrid_on_behalf_of)'))
        try:
            run_inputs = check_run_inputs(args['policy'], args['region'], args['enforcement'])
            if args['workers'] is not None:
                check_workers(args['workers'], 'enforced_tls_baseline_workers')
            if not 1 <= args['page_size'] <= MAX_PAGE_SIZE:
                raise PlanError('page_size must be from 1 to {0}; got {1}'.format(MAX_PAGE_SIZE, args['page_size']))
            if args['account_source'] == FROM_HOSTS:
                plan, warnings = self._plan_hosts(run_inputs, args, task_vars), []
            else:
                plan, warnings = self._plan_inputs(run_inputs, args, task_vars)
        except (PlanError, ReportDirError, FleetError) as error:
            raise FleetError(nothing_done(str(error)))
        except SendGridConfigError as error:
            raise FleetError(nothing_done(error.message))
        return plan, warnings

    def _plan_hosts(self, run_inputs, args, task_vars):
        given = [name for name in INPUT_OPTIONS if args[name]]
        if given:
            raise PlanError('{0} are options of account_source=inputs; with account_source=hosts each host names its'
                            ' account'.format(', '.join(given)))
        hosts = args['hosts'] if args['hosts'] is not None else task_vars['ansible_play_batch']
        # A host's own value of a run-wide input would be ignored: it is compared with the one the run got.
        parent, subusers = accounts_from_hosts(hosts, task_vars['hostvars'],
                                               dict(zip(RUN_INPUTS, (args['policy'], args['enforcement']))))
        self._prepare_report_dir(args)
        baseline, region, enforcement = run_inputs
        return build_plan(baseline, subusers, region=region, enforcement=enforcement, parent=parent)

    def _plan_inputs(self, run_inputs, args, task_vars):
        listed = accounts_from_inputs(args['subusers'])
        exclude = check_exclude(args['exclude'])
        parent = parent_from_inputs(args['include_parent'], args['parent_policy'])
        warnings = check_inputs_cover_accounts(listed, args['all_subusers'], parent)
        self._prepare_report_dir(args)
        # Every input is checked; only now is the listing read.
        discovered = self._discover(args, task_vars) if args['all_subusers'] else None
        baseline, region, enforcement = run_inputs
        plan = build_plan(baseline, listed, discovered=discovered, exclude=exclude,
                          include_disabled=args['include_disabled'], region=region, enforcement=enforcement,
                          parent=parent)
        message = no_account_message(plan)
        if message:
            raise FleetError(message)
        return plan, warnings

    @staticmethod
    def _report_formats(args):
        """The formats of the report files, checked (json and markdown when not given)."""
        try:
            return check_report_formats(args['report_formats'])
        except ReportDirError as error:
            raise FleetError(nothing_done(str(error)))

    @staticmethod
    def _prepare_report_dir(args):
        if args['report_dir']:
            prepare_report_dir(args['report_dir'])

    def _discover(self, args, task_vars):
        result = self._call(LISTING_MODULE, dict(connection_args(args), page_size=args['page_size'],
                                                 region=args['region'] or 'global'), task_vars)
        if result.get('failed'):
            raise FleetError('listing the subusers failed: {0}'.format(result.get('msg') or 'no message'))
        return discovered_accounts(result.get('subusers'))

    @staticmethod
    def _now():
        return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
