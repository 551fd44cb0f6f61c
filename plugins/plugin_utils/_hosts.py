# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""SendGrid accounts as inventory hosts: the per-host playbooks' logic, as pure functions.

The hosts of a play batch (made by the inventory plugin ``mailops.sendgrid.subusers``,
or written by hand) name their accounts in host variables. :func:`plan_inputs` turns
them into the inputs of :func:`._baseline.build_plan`, so that the batch is applied
with one module call per policy and region, as the role does. :func:`host_result`
turns one account's entry of the report back into its host's own task result:
``changed`` for drift or a fix, ``failed``, ``skipped`` for an exempt account, and the
fact ``sendgrid_enforced_tls``.
"""

from __future__ import annotations

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import describe_account
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import setting_diff
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import (
    PARENT_ACCOUNT,
    REGIONS,
    PlanError,
    parse_policy,
)

# The host variables the inventory plugin sets, and those a user sets per host or group.
ON_BEHALF_OF = 'sendgrid_on_behalf_of'
REGION = 'sendgrid_region'
HOST_POLICY = 'enforced_tls_baseline_host_policy'
EXEMPT = 'enforced_tls_baseline_exempt'
EXEMPT_REASON = 'enforced_tls_baseline_exempt_reason'
# Inputs that hold for the whole run: one host's inventory must not give them a value of its own.
PLAY_INPUTS = ('enforced_tls_baseline_policy', 'enforced_tls_baseline_enforcement')
FACT = 'sendgrid_enforced_tls'


def _host_var(variables, name):
    """A host variable, or None when the host has none (a Mapping such as ansible-core's hostvars)."""
    return variables[name] if name in variables else None


def _host_overrides(host, variables):
    policy = _host_var(variables, HOST_POLICY)
    if policy is None:
        return {}
    return parse_policy(policy, 'host {0}: {1}'.format(host, HOST_POLICY))


def _host_exemption(host, variables):
    """Why the host's account is exempt, or None."""
    exempt = _host_var(variables, EXEMPT)
    if exempt is None or exempt is False:
        return None
    if exempt is not True:
        raise PlanError('host {0}: {1} must be true or false; got {2}'.format(host, EXEMPT, describe_value(exempt)))
    reason = _host_var(variables, EXEMPT_REASON)
    if not isinstance(reason, str) or not reason.strip():
        raise PlanError('host {0}: an exempt account needs {1}, so that reports can say why'.format(
            host, EXEMPT_REASON))
    return reason


def _check_play_inputs(host, variables, play_inputs):
    """A play-wide input that a host's inventory sets to another value would be silently ignored."""
    for name, value in sorted((play_inputs or {}).items()):
        own = _host_var(variables, name)
        if own is not None and own != value:
            raise PlanError('host {0} has its own {1}, but it holds for the whole run; set a per-host policy with'
                            ' {2} (host or group vars) instead'.format(host, name, HOST_POLICY))


def plan_inputs(hosts, hostvars, play_inputs=None):
    """The role's plan inputs for the accounts of these hosts.

    ``hosts``: the host names of the batch. ``hostvars``: their variables by host
    name. A host with ``sendgrid_on_behalf_of`` is that subuser; a host without it is
    the parent account (at most one). ``play_inputs``: the run-wide inputs by name,
    which no host may set to another value of its own.

    Returns ``{'subusers': [entries for build_plan], 'include_parent', 'parent_overrides',
    'parent_exempt_reason'}``. Raises PlanError naming the host and the variable.
    """
    if not isinstance(hosts, (list, tuple)):
        raise PlanError('the hosts of the batch must be a list of host names; got {0}'.format(describe_type(hosts)))
    subusers = []
    parent_host = None
    parent = {'include_parent': False, 'parent_overrides': {}, 'parent_exempt_reason': None}
    for host in hosts:
        variables = hostvars[host]
        _check_play_inputs(host, variables, play_inputs)
        overrides = _host_overrides(host, variables)
        reason = _host_exemption(host, variables)
        if reason is not None and overrides:
            raise PlanError('host {0}: an exempt account cannot also have {1}; remove either'.format(
                host, HOST_POLICY))
        account = _host_var(variables, ON_BEHALF_OF)
        if account is None:
            if parent_host is not None:
                raise PlanError('hosts {0} and {1} both stand for the parent account (neither has {2}); give each'
                                ' subuser host its {2}, or leave one of them out'.format(
                                    parent_host, host, ON_BEHALF_OF))
            parent_host = host
            parent = {'include_parent': reason is None, 'parent_overrides': overrides,
                      'parent_exempt_reason': reason}
            continue
        if not isinstance(account, str):
            raise PlanError('host {0}: {1} must be a subuser name; got {2}'.format(
                host, ON_BEHALF_OF, describe_value(account)))
        region = _host_var(variables, REGION)
        if region is not None and region not in REGIONS:
            raise PlanError('host {0}: {1} must be one of {2}; got {3}'.format(
                host, REGION, ', '.join(REGIONS), describe_value(region)))
        entry = {'name': account}
        if region is not None:
            entry['region'] = region
        if reason is not None:
            entry.update(exempt=True, reason=reason)
        entry.update(overrides)
        subusers.append(entry)
    return dict(parent, subusers=subusers)


def index_outcomes(report):
    """The report's entries by account, each with the run's mode and time."""
    common = {'mode': report.get('mode'), 'checked_at': report.get('generated_at'),
              'enforcement': report.get('enforcement')}
    return {entry['account']: dict(entry, **common) for entry in report.get('accounts', [])}


def host_fact(outcome):
    """The fact ``sendgrid_enforced_tls`` of an account's host: how it stands, as of this run.

    ``setting`` is the account's setting as it is now: in an audit, as it was read (an
    audit changes nothing); in an enforcement, as it was left.
    """
    audit = outcome.get('mode') == 'audit'
    return {
        'account': outcome['account'],
        'region': outcome.get('region'),
        'mode': outcome.get('mode'),
        'status': outcome['status'],
        'setting': outcome.get('before') if audit else outcome.get('after'),
        'before': outcome.get('before'),
        'policy': outcome.get('policy'),
        'enforcement': outcome.get('enforcement'),
        'differences': outcome.get('differences') or [],
        'stricter': outcome.get('stricter') or [],
        'reason': outcome.get('reason'),
        'checked_at': outcome.get('checked_at'),
    }


def _on_behalf_of(outcome):
    """The outcome's account as an On-Behalf-Of value: None for the parent account."""
    return None if outcome['account'] == PARENT_ACCOUNT else outcome['account']


def _message(outcome):
    status = outcome['status']
    account = describe_account(_on_behalf_of(outcome))
    reason = outcome.get('reason')
    if status == 'compliant':
        return '{0} is compliant{1}'.format(account, ' ({0})'.format(reason) if reason else '')
    if status == 'exempt':
        return '{0} is exempt: {1}'.format(account, reason)
    verb = {'drift': 'is out of policy', 'changed': 'was brought into policy', 'failed': 'failed'}[status]
    return '{0} {1}: {2}'.format(account, verb, reason)


def host_result(outcome, account=None, with_diff=False):
    """A host's task result from its account's outcome (an entry of :func:`index_outcomes`),
    or None when the batch has no outcome for it.

    compliant: ok; drift (audit) and changed (enforcement): changed, with the diff
    when ``with_diff``; failed: failed; exempt: skipped. All but failed and skipped
    set the fact ``sendgrid_enforced_tls``.
    """
    if outcome is None:
        return {'failed': True, 'changed': False,
                'msg': 'this batch has no outcome for {0}; run the batch task of this play batch first (the role'
                       ' mailops.sendgrid.enforced_tls_baseline, tasks_from: hosts, does)'.format(
                           describe_account(account))}
    status = outcome['status']
    result = {'changed': status in ('drift', 'changed'), 'account': outcome['account'], 'status': status,
              'msg': _message(outcome)}
    if status == 'failed':
        result['failed'] = True
    elif status == 'exempt':
        result['skipped'] = True
        result['skip_reason'] = result['msg']
    else:
        result['ansible_facts'] = {FACT: host_fact(outcome)}
    if with_diff and result['changed']:
        result['diff'] = setting_diff(outcome['before'], outcome['after'], _on_behalf_of(outcome))
    return result
