# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The batch step of the per-host playbooks: one play batch's accounts, one module call per
policy and region. Documented in plugins/modules/sendgrid_enforced_tls_hosts.py."""

from __future__ import annotations

import datetime

from ansible import constants as C
from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import ENFORCEMENT_MODES, MINIMUM
from ansible_collections.mailops.sendgrid.plugins.module_utils._module_support import sendgrid_argument_spec
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import PlanError, build_plan, build_report
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._hosts import PLAY_INPUTS, index_outcomes, plan_inputs
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._outcome_store import write_outcomes

MODULE = 'mailops.sendgrid.sendgrid_enforced_tls'
# The options every module shares, passed on to every call of the module as given. Their defaults
# and environment fallbacks (SENDGRID_API_KEY, SENDGRID_API_URL) are left to the module.
CONNECTION_OPTIONS = {
    name: {key: value for key, value in spec.items() if key not in ('default', 'fallback')}
    for name, spec in sendgrid_argument_spec().items() if name != 'on_behalf_of'
}
ARGUMENT_SPEC = dict(
    CONNECTION_OPTIONS,
    policy=dict(type='dict', required=True),
    enforcement=dict(type='str', choices=list(ENFORCEMENT_MODES), default=MINIMUM),
    workers=dict(type='int'),
    hosts=dict(type='list', elements='str'),
    # In the group's shared options; here each host names its own account.
    on_behalf_of=dict(type='str'),
)
STAT_COUNTS = ('total', 'compliant', 'drift', 'changed', 'exempt', 'failed')


def custom_stats(summary):
    """The batch's counts as custom stats (what set_stats publishes), once for the run, not per host:
    integers under names of their own, which ansible-core adds up over the play's serial batches
    (it would replace a dictionary's values instead)."""
    data = {'enforced_tls_hosts_{0}'.format(name): summary.get(name, 0) for name in STAT_COUNTS}
    return {'data': data, 'per_host': False, 'aggregate': True}


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if args['on_behalf_of'] is not None:
            result.update(failed=True, msg='on_behalf_of is not an option of this action: each host names its account'
                                           ' with its host variable sendgrid_on_behalf_of (a host without it is the'
                                           ' parent account); no account was read or changed')
            return result
        hosts = args['hosts'] if args['hosts'] is not None else task_vars['ansible_play_batch']
        # The inputs that hold for the whole run, as the run-once task got them.
        play_inputs = dict(zip(PLAY_INPUTS, (args['policy'], args['enforcement'])))
        try:
            inputs = plan_inputs(hosts, task_vars['hostvars'], play_inputs)
            plan = build_plan(args['policy'], subusers=inputs['subusers'], region=args['region'],
                              workers=args['workers'], enforcement=args['enforcement'],
                              include_parent=inputs['include_parent'], parent_overrides=inputs['parent_overrides'],
                              parent_exempt_reason=inputs['parent_exempt_reason'])
        except PlanError as error:
            result.update(failed=True, msg='{0}; no account was read or changed'.format(error))
            return result

        connection = {name: args[name] for name in CONNECTION_OPTIONS if args[name] is not None}
        parent_result = None
        if inputs['include_parent']:
            parent_result = self._call(dict(connection, enforcement=plan['enforcement'], **plan['parent_policy']),
                                       task_vars)
        group_results = []
        for group in plan['groups']:
            module_args = dict(connection, subusers=group['accounts'], enforcement=plan['enforcement'],
                               **group['policy'])
            if group['region']:
                module_args['region'] = group['region']
            if args['workers'] is not None:
                module_args['workers'] = args['workers']
            group_results.append(dict(self._call(module_args, task_vars), item=group))

        report = build_report(plan, parent_result=parent_result, group_results=group_results,
                              check_mode=bool(self._task.check_mode),
                              generated_at=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))
        warnings = list(plan['warnings'])
        for call in [parent_result] + group_results:
            warnings.extend((call or {}).get('warnings') or [])
        result.update(
            changed=False,
            outcomes=write_outcomes(C.DEFAULT_LOCAL_TMP, index_outcomes(report)),
            mode=report['mode'],
            summary=report['summary'],
            ansible_stats=custom_stats(report['summary']),
        )
        if warnings:
            result['warnings'] = warnings
        return result

    def _call(self, module_args, task_vars):
        return self._execute_module(module_name=MODULE, module_args=module_args, task_vars=task_vars)
