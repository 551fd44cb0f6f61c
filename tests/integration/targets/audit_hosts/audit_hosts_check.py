# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbook mailops.sendgrid.audit_hosts, run as a user runs it (see ../setup_sendgrid_hosts/hosts_runs.py).

    AUDIT_HOSTS_CASES=fleet|names audit_hosts_check.py [ansible-playbook options]   (from runme.sh)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'setup_sendgrid_hosts'))

from hosts_runs import (  # noqa: E402 (after the path of the shared module)
    ACCOUNTS,
    AUDIT,
    INVENTORY,
    PARENT_HOST,
    Run,
    check_hosts,
    emulator,
    expect,
    expect_equal,
    run_cases,
    setting_requests,
)

PLAYBOOK = 'mailops.sendgrid.audit_hosts'
VERDICT_FAILED = 'fatal: [localhost]'


def report_statuses(report_dir):
    with open(os.path.join(report_dir, 'enforced-tls-report.json')) as handle:
        report = json.load(handle)
    return report, {entry['account']: entry['status'] for entry in report['accounts']}


def case_audit(facts_dir):
    """An audit with drift and one account failing: each host its own status, the report files, and the
    verdict fails the run (fail_on_drift by default); nothing is written."""
    emulator('reset', 'POST')
    emulator('faults', 'PATCH', {'fail_next': [{'status': 400, 'method': 'GET', 'account': 'fails-01'}]})
    before = emulator('state')
    report_dir = os.path.join(facts_dir, 'reports')
    run = Run(PLAYBOOK, '--diff', '-e', 'sendgrid_report_dir=' + report_dir, facts_dir=facts_dir)
    expect_equal(run.status, 2, 'the exit status of an audit with drift and a failed account')
    expected = dict(AUDIT, **{'fails-01': 'failed'})
    check_hosts(run, expected)
    expect_equal(setting_requests('PATCH'), [], 'the updates of an audit')
    expect_equal(setting_requests('GET'), sorted(a or '(parent)' for h, a in ACCOUNTS.items()),
                 'the accounts the audit read (every one once, the exempt one too: its setting is in the report)')
    expect_equal(emulator('state'), before, 'the emulator state after an audit')
    report, statuses = report_statuses(report_dir)
    expect_equal(statuses, {('(parent account)' if host == PARENT_HOST else host): status
                            for host, status in expected.items()}, 'the statuses in enforced-tls-report.json')
    expect_equal(report['mode'], 'audit', 'the mode of the report')
    expect(os.path.exists(os.path.join(report_dir, 'enforced-tls-report.md')), 'enforced-tls-report.md is written')
    expect(VERDICT_FAILED in run.output, 'the verdict on localhost fails the run')
    expect('Enforced TLS audit: 12 accounts, 6 compliant (1 stricter than the policy), 0 changed, 4 drift, 1 exempt,'
           ' 1 failed.' in run.output, 'the verdict sums the run up')
    expect('1 account(s) failed: fails-01.' in run.output, 'the verdict names the failed account')
    expect('4 account(s) out of policy: ' in run.output, 'the verdict names the accounts out of policy')


def case_audit_without_fail_on_drift(facts_dir):
    """sendgrid_fail_on_drift=false: drift is changed, and the run passes with its summary."""
    emulator('reset', 'POST')
    run = Run(PLAYBOOK, '--diff', '-e', 'sendgrid_fail_on_drift=false', facts_dir=facts_dir)
    expect_equal(run.status, 0, 'the exit status of an audit with drift, without fail_on_drift')
    check_hosts(run, AUDIT)
    expect('Enforced TLS audit: 12 accounts, 6 compliant (1 stricter than the policy), 0 changed, 5 drift, 1 exempt,'
           ' 0 failed.' in run.output, 'the verdict sums the run up')


def case_bad_input(facts_dir):
    """A host policy that is not valid fails the batch before any request, naming host and variable."""
    emulator('reset', 'POST')
    run = Run(PLAYBOOK, '-e', '{"enforced_tls_baseline_host_policy": {"version": "1.0"}}', facts_dir=facts_dir)
    expect(run.status != 0, 'an invalid host policy must fail the run')
    expect('host sendgrid_parent: enforced_tls_baseline_host_policy.version' in run.output,
           'the error names the host and the variable')
    expect('No account was read or changed.' in run.output, 'the error says that nothing was read or changed')
    expect_equal(setting_requests('GET') + setting_requests('PATCH'), [], 'the requests of a run with bad input')


def case_revoked_key(facts_dir):
    """A revoked key: the inventory does not parse, the audit play matches no host, and the run fails saying that
    no account was read, why, and how to fail at once."""
    emulator('reset', 'POST')
    # ansible-core's default (ansible-test makes a host pattern that matches nothing an error of its own).
    revoked = {'SENDGRID_API_KEY': 'SG.revoked.K3y-n0-l0nger-valid', 'ANSIBLE_HOST_PATTERN_MISMATCH': 'warning'}
    run = Run(PLAYBOOK, facts_dir=facts_dir, env=revoked)
    expect(run.status != 0, 'an audit that read no account must fail')
    expect('No SendGrid account was read: the host pattern \'sendgrid\' matched no host.' in run.output,
           'the verdict says that no account was read')
    expect(INVENTORY in run.output, 'the verdict names the inventory source')
    expect('did not parse' in run.output and 'any_unparsed_is_failed = true' in run.output,
           'the verdict says the likely cause and how to fail at once')
    expect_equal(setting_requests('GET') + setting_requests('PATCH'), [], 'the settings requests of the run')

    failing_at_once = Run(PLAYBOOK, facts_dir=facts_dir,
                          env=dict(revoked, ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED='true'))
    expect(failing_at_once.status != 0, 'with any_unparsed_is_failed, the run fails')
    expect('PLAY [' not in failing_at_once.output, 'with any_unparsed_is_failed, no play starts')
    expect('HTTP 401' in failing_at_once.output, 'the failure says what SendGrid answered')


def inventory_accounts():
    """Each host of the inventory plugin, and its account (None for the parent), from ansible-inventory."""
    listing = json.loads(subprocess.run(['ansible-inventory', '-i', INVENTORY, '--list'], check=True, text=True,
                                        stdout=subprocess.PIPE, env=dict(
                                            os.environ, ANSIBLE_INVENTORY_ENABLED='mailops.sendgrid.subusers')).stdout)
    hostvars = listing['_meta']['hostvars']
    # ansible-core 2.19+ lists a value from an inventory plugin (never a template) as {"__ansible_unsafe": value}.
    return {host: unwrapped(hostvars[host].get('sendgrid_on_behalf_of')) for host in hostvars}


def unwrapped(value):
    return value['__ansible_unsafe'] if isinstance(value, dict) else value


def case_every_name(facts_dir):
    """Subusers named all, ungrouped, sendgrid, localhost and Weird Name beside ordinary ones: each is a host (of a
    derived name where its own cannot be one), and the audit reads and reports every one of them."""
    emulator('reset', 'POST')
    accounts = inventory_accounts()
    by_account = {account: host for host, account in accounts.items()}
    expect_equal(sorted(a for a in accounts.values() if a), sorted(emulator('state')['subusers']),
                 'the subusers that are hosts (every one)')
    for name in ('all', 'ungrouped', 'sendgrid', 'localhost', 'Weird Name'):
        expect(by_account[name] != name and by_account[name].startswith(name.replace(' ', '_') + '-'),
               'subuser {0!r} has a host name of its own: {1!r}'.format(name, by_account[name]))
    statuses = {None: 'compliant', 'ok-01': 'compliant', 'all': 'drift', 'ungrouped': 'compliant', 'sendgrid': 'drift',
                'Weird Name': 'drift', 'localhost': 'compliant', 'ok-02': 'compliant'}
    run = Run(PLAYBOOK, '--diff', '-e', 'sendgrid_fail_on_drift=false', facts_dir=facts_dir)
    expect_equal(run.status, 0, 'the exit status of the audit')
    check_hosts(run, {by_account[account]: status for account, status in statuses.items()}, accounts=accounts,
                stricter=())
    expect_equal(setting_requests('GET'), sorted(a or '(parent)' for a in statuses),
                 'the accounts the audit read (every one, once)')
    expect('8 SendGrid subuser(s)' not in run.output and '5 SendGrid subuser(s) have a host name of their own'
           in run.output, 'the inventory says once which subusers have host names of their own')


CASES = {
    'fleet': [case_audit, case_audit_without_fail_on_drift, case_bad_input, case_revoked_key],
    'names': [case_every_name],
}


if __name__ == '__main__':
    sys.exit(run_cases(CASES[os.environ['AUDIT_HOSTS_CASES']]))
