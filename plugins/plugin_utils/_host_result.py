# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""A per-host run's result for one host, from its account's outcome, as pure functions.

The fleet step applies the policy to a play batch's accounts in one batch call per
policy and region; :func:`index_outcomes` gives each account its entry of the batch's
report. :func:`host_result` turns one account's entry into its host's own task result:
``ok`` for compliant, ``changed`` for drift or a fix (with the account's diff), ``failed``,
``skipped`` for an exempt account, and the fact ``sendgrid_enforced_tls``.
"""

from __future__ import annotations

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import describe_account
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import setting_diff
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT

FACT = 'sendgrid_enforced_tls'


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
        'tls_blocks': outcome.get('tls_blocks'),
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
                'msg': 'this batch has no outcome for {0}; run the fleet step for this play batch first (the role'
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
