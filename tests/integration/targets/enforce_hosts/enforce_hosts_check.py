# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbook mailops.sendgrid.enforce_hosts, run as a user runs it (see ../setup_sendgrid_hosts/hosts_runs.py).

    enforce_hosts_check.py [ansible-playbook options]   (from runme.sh)
"""

from __future__ import annotations

import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'setup_sendgrid_hosts'))

from hosts_runs import (  # noqa: E402 (after the path of the shared module)
    ACCOUNTS,
    AUDIT,
    EU_POLICY,
    EXPECTED,
    PARENT_HOST,
    POLICY,
    Run,
    check_hosts,
    emulator,
    expect,
    expect_equal,
    run_cases,
    setting_requests,
    state_of,
)

PLAYBOOK = 'mailops.sendgrid.enforce_hosts'


def batches(run):
    """How many serial batches the per-host play ran (a PLAY header each; the verdict's play left out)."""
    return len(re.findall(r'^PLAY \[Enforce', run.output, re.MULTILINE))


def case_preview(facts_dir):
    """enforce_hosts --check --diff: the rollout's batches, each drifted account's diff, nothing written."""
    emulator('reset', 'POST')
    before = emulator('state')
    run = Run(PLAYBOOK, '--check', '--diff', facts_dir=facts_dir)
    expect_equal(run.status, 0, 'the exit status of a preview')
    check_hosts(run, AUDIT)
    expect_equal(batches(run), 3, 'the batches (serial 1, 10%, 100%)')
    expect_equal(setting_requests('PATCH'), [], 'the updates of a preview')
    expect_equal(emulator('state'), before, 'the emulator state after a preview')


def case_canary(facts_dir):
    """The canary (the parent account, first) fails: no other account is read or written."""
    emulator('reset', 'POST')
    emulator('faults', 'PATCH', {'fail_next': [{'status': 400, 'method': 'PATCH', 'account': '(parent)'}]})
    run = Run(PLAYBOOK, facts_dir=facts_dir)
    expect(run.status != 0, 'a failed canary must fail the run')
    expect('NO MORE HOSTS LEFT' in run.output, 'the run must end after the canary batch')
    expect_equal(run.statuses(), {PARENT_HOST: 'failed'}, 'the recap of a failed canary')
    expect_equal(setting_requests('PATCH'), ['(parent)'], 'the updates of a failed canary')
    expect_equal(setting_requests('GET'), ['(parent)'], 'the reads of a failed canary')


def case_enforce(facts_dir):
    """Enforcement in three batches (1, 10%, the rest), its report files holding the whole run, then again:
    nothing left to change."""
    emulator('reset', 'POST')
    before = emulator('state')
    report_dir = os.path.join(facts_dir, 'reports')
    run = Run(PLAYBOOK, '--diff', '-e', 'sendgrid_report_dir=' + report_dir, facts_dir=facts_dir)
    expect_equal(run.status, 0, 'the exit status of the enforcement')
    expected = {host: ('changed' if status == 'drift' else status) for host, status in AUDIT.items()}
    check_hosts(run, expected)
    expect_equal(batches(run), 3, 'the batches (serial 1, 10%, 100%)')
    changed = [host for host, status in expected.items() if status == 'changed']
    expect_equal(setting_requests('PATCH'), sorted(ACCOUNTS[host] or '(parent)' for host in changed),
                 'the accounts written: exactly those out of policy')
    for host in changed:
        wanted = EU_POLICY if host.startswith('eu-') else POLICY
        expect_equal(state_of(ACCOUNTS[host]), dict(state_of(ACCOUNTS[host]), **wanted),
                     'the setting of {0} after'.format(host))
    for host in EXPECTED['left_alone']:
        expect_equal(state_of(host), before['subusers'][host], 'the setting of {0} (left as it was)'.format(host))
    # The report files hold the whole run, every batch of it.
    with open(os.path.join(report_dir, 'enforced-tls-report.json')) as handle:
        report = json.load(handle)
    expect_equal({entry['account']: entry['status'] for entry in report['accounts']},
                 {('(parent account)' if host == PARENT_HOST else host): status for host, status in expected.items()},
                 'the statuses in enforced-tls-report.json')
    expect_equal([batch['accounts'] for batch in report['batches']], [1, 7, 2],
                 'the batch calls of the run, one per policy and region of each serial batch (the first batch, the'
                 ' parent account alone, is a call of its own: no batch call)')
    expect('Enforced TLS enforcement: 12 accounts, 6 compliant (1 stricter than the policy), 5 changed, 0 drift,'
           ' 1 exempt, 0 failed.' in run.output, 'the verdict sums the whole run up')

    emulator('log', 'DELETE')
    again = Run(PLAYBOOK, '--diff', facts_dir=facts_dir)
    expect_equal(again.status, 0, 'the exit status of the second enforcement')
    check_hosts(again, {host: ('compliant' if status == 'changed' else status) for host, status in expected.items()})
    expect_equal(setting_requests('PATCH'), [], 'the updates of the second enforcement')


def blocks_requests():
    """The accounts whose blocks list was read, in order ('(parent)': the parent account)."""
    return [entry['on_behalf_of'] or '(parent)' for entry in emulator('log')['requests']
            if entry['path'] == '/v3/suppression/blocks']


def case_gate(facts_dir):
    """The gate (sendgrid_max_tls_blocks 0): the canary, the parent account, has recipients at a domain without
    TLS, so enforcing drops their mail; it fails as its host, naming the domain, and the run stops after it, no
    other account read or written. With sendgrid_rollback_on_blocks the canary is set back as well."""
    for rollback in (False, True):
        emulator('reset', 'POST')
        before = emulator('state')
        emulator('state', 'PATCH', {'tls_less_domains': {'(parent)': {'plain.example': 2}}})
        options = ['-e', 'sendgrid_max_tls_blocks=0', '-e', 'sendgrid_canary_soak=1']
        run = Run(PLAYBOOK, *(options + (['-e', 'sendgrid_rollback_on_blocks=true'] if rollback else [])),
                  facts_dir=facts_dir)
        expect(run.status != 0, 'a canary over the gate must fail the run')
        expect('NO MORE HOSTS LEFT' in run.output, 'the run must end after the canary batch')
        expect_equal(run.statuses(), {PARENT_HOST: 'failed'}, 'the recap of a canary over the gate')
        expect('2 TLS blocks since its update' in run.output and 'more than enforced_tls_baseline_max_tls_blocks (0):'
               ' mail dropped for plain.example (2)' in run.output, 'the canary names its blocked domain')
        # The rollback reads the canary before it writes (and its update reads it again).
        expect_equal(setting_requests('GET'), ['(parent)'] * (3 if rollback else 1), 'the reads of the gated run')
        expect_equal(setting_requests('PATCH'), ['(parent)'] * (2 if rollback else 1), 'the updates of the gated run')
        expect_equal(blocks_requests(), ['(parent)'], 'the blocks read: the canary\'s')
        expect_equal(emulator('state')['subusers'], before['subusers'], 'the subusers: none written')
        expect_equal(state_of(None), before['parent'] if rollback else dict(before['parent'], **POLICY),
                     'the canary after the gate' + (' and its rollback' if rollback else ''))
        expect(rollback == ('rolled back to its setting before the enforcement' in run.output),
               'the canary\'s message says whether it was rolled back')


def case_gate_passes(facts_dir):
    """A gate that no account is over: every batch goes on; each batch's changed accounts' blocks are read once."""
    emulator('reset', 'POST')
    emulator('state', 'PATCH', {'tls_less_domains': {'(parent)': {'plain.example': 2}}})
    run = Run(PLAYBOOK, '-e', 'sendgrid_max_tls_blocks=2', facts_dir=facts_dir)
    expect_equal(run.status, 0, 'the exit status of an enforcement the gate passes')
    expect_equal(batches(run), 3, 'the batches (serial 1, 10%, 100%)')
    changed = sorted(ACCOUNTS[host] or '(parent)' for host, status in AUDIT.items() if status == 'drift')
    expect_equal(sorted(blocks_requests()), changed, 'the blocks read: each changed account\'s, once')


if __name__ == '__main__':
    sys.exit(run_cases([case_preview, case_canary, case_enforce, case_gate, case_gate_passes]))
