# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each SendGrid account as its own host: the playbooks audit_hosts and enforce_hosts.

The inventory is the plugin mailops.sendgrid.subusers (inventory/) over the emulator's fleet
(files/fleet.json), with a stricter policy for the EU group and one exempt host in its
group_vars and host_vars. Each case runs a playbook as a user would, with a fact cache, and
checks what the user sees: the play recap (per host: ok = compliant, changed = drift or fixed,
failed, skipped = exempt), the diffs, the custom stats, the cached facts, and, in the emulator's
log and state, which accounts were read and written.

    runme.sh [ansible-playbook options]    (started by runme.sh, with the emulator running)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR_URL = os.environ['EMULATOR_URL']
PARENT_HOST = 'sendgrid_parent'
POLICY = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
EU_POLICY = dict(POLICY, version=1.3)

# How each host stands against its policy before any enforcement (files/fleet.json; the EU hosts
# are held to TLS 1.3 by inventory/group_vars). disabled-01 is no host: the plugin leaves it out.
AUDIT = {
    PARENT_HOST: 'drift',
    'ok-01': 'compliant',
    'drift-tls-01': 'drift',
    'strict-01': 'compliant',      # at TLS 1.3, stricter than the policy: never loosened
    'drift-ver-01': 'drift',
    'exempt-01': 'exempt',         # inventory/host_vars/exempt-01.yml
    'fails-01': 'drift',
    'eu-ok-01': 'compliant',
    'eu-drift-01': 'drift',        # at 1.2: compliant by the play's policy, not by its group's
    'ok-02': 'compliant',
    'ok-03': 'compliant',
    'ok-04': 'compliant',
}
ACCOUNTS = {host: (None if host == PARENT_HOST else host) for host in AUDIT}


def emulator(path, method='GET', body=None):
    data = None if body is None else json.dumps(body).encode('utf-8')
    request = urllib.request.Request(EMULATOR_URL + '/_emulator/' + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request) as answer:
        text = answer.read().decode('utf-8')
    return json.loads(text) if text else None


def setting_requests(method):
    """The accounts the emulator got ``method`` requests of the Enforced TLS setting for."""
    return sorted((entry['on_behalf_of'] or '(parent)') for entry in emulator('log')['requests']
                  if entry['method'] == method and entry['path'] == '/v3/user/settings/enforced_tls')


def state_of(host):
    state = emulator('state')
    return state['parent'] if host == PARENT_HOST else state['subusers'][host]


class Run:
    """One ansible-playbook run, and what it showed."""

    def __init__(self, playbook, *args, facts_dir):
        env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_SHOW_CUSTOM_STATS='1',
                   ANSIBLE_INVENTORY_ENABLED='mailops.sendgrid.subusers', ANSIBLE_CACHE_PLUGIN='jsonfile',
                   ANSIBLE_CACHE_PLUGIN_CONNECTION=facts_dir, COLUMNS='200')
        command = ['ansible-playbook', '-i', os.path.join(HERE, 'inventory', 'subusers.sendgrid.yml'), playbook]
        command += list(args) + sys.argv[1:]
        process = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 check=False)
        self.output = process.stdout
        self.status = process.returncode
        self.facts_dir = facts_dir
        print(self.output)

    def recap(self):
        """Per host, the recap's counts."""
        text = self.output[self.output.rindex('PLAY RECAP'):]
        counts = {}
        for host, fields in re.findall(r'^(\S+)\s+:\s+(ok=.*)$', text, re.MULTILINE):
            counts[host] = {name: int(value) for name, value in re.findall(r'(\w+)=(\d+)', fields)}
        return counts

    def statuses(self):
        """Per host, its status as the recap shows it: failed, changed, skipped (nothing but skips) or ok."""
        statuses = {}
        for host, counts in self.recap().items():
            if counts['failed']:
                statuses[host] = 'failed'
            elif counts['changed']:
                statuses[host] = 'changed'
            elif counts['skipped'] and not counts['ok']:
                statuses[host] = 'skipped'
            else:
                statuses[host] = 'ok'
        return statuses

    def custom_stats(self):
        lines = [line for line in self.output.splitlines() if line.startswith('\tRUN: ')]
        assert len(lines) == 1, 'expected one line of custom stats, got {0}'.format(lines)
        return json.loads(lines[0][len('\tRUN: '):])

    def diff_headers(self):
        return sorted(re.findall(r"^--- before: Enforced TLS of (.*)$", self.output, re.MULTILINE))

    def fact(self, host):
        """The host's fact in the jsonfile fact cache: a file named by the host, holding its facts (from
        ansible-core 2.19 named s1_<host>, the facts as JSON text under "__payload__")."""
        for name in (host, 's1_' + host):
            path = os.path.join(self.facts_dir, name)
            if os.path.exists(path):
                with open(path) as handle:
                    facts = json.load(handle)
                if '__payload__' in facts:
                    facts = json.loads(facts['__payload__'])
                return facts.get('sendgrid_enforced_tls')
        return None


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_equal(actual, expected, what):
    expect(actual == expected, '{0}: got {1!r}, expected {2!r}'.format(what, actual, expected))


def recap_status(status):
    return {'compliant': 'ok', 'drift': 'changed', 'changed': 'changed', 'exempt': 'skipped',
            'failed': 'failed'}[status]


def diff_header(host):
    return 'the parent account' if host == PARENT_HOST else "subuser '{0}'".format(host)


def counts_of(statuses):
    names = ('compliant', 'drift', 'changed', 'exempt', 'failed')
    counts = {'enforced_tls_hosts_{0}'.format(name): sum(1 for s in statuses.values() if s == name)
              for name in names}
    counts['enforced_tls_hosts_total'] = len(statuses)
    return counts


def check_hosts(run, expected):
    """The recap, the custom stats, the diffs and the cached facts all say ``expected``."""
    expect_equal(run.statuses(), {host: recap_status(status) for host, status in expected.items()},
                 'the recap, host by host')
    # One task of its own per host; the first host of each batch also ran the batch step.
    for host, counts in run.recap().items():
        own = counts['ok'] + counts['failed'] + counts['skipped']
        expect(own in (1, 2), 'host {0} ran {1} tasks; expected its own and at most the batch step'.format(host, own))
    expect_equal(run.custom_stats(), counts_of(expected), 'the custom stats')
    expect_equal(run.diff_headers(), sorted(diff_header(host) for host, status in expected.items()
                                            if status in ('drift', 'changed')), 'the diffs')
    for host, status in expected.items():
        fact = run.fact(host)
        if status in ('failed', 'exempt'):
            expect(fact is None, 'host {0} ({1}) has a fact: {2}'.format(host, status, fact))
            continue
        expect(fact is not None, 'host {0} has no fact sendgrid_enforced_tls in the fact cache'.format(host))
        expect_equal(fact['status'], status, 'the fact status of ' + host)
        expect_equal(fact['setting'], state_of(host), 'the fact setting of {0} (the emulator holds)'.format(host))
        expect_equal(fact['account'], '(parent account)' if host == PARENT_HOST else host, 'the fact account')


def case_audit(facts_dir):
    """An audit with one account failing: drift is changed, the rest ok, nothing is written."""
    emulator('reset', 'POST')
    emulator('faults', 'PATCH', {'fail_next': [{'status': 400, 'method': 'GET', 'account': 'fails-01'}]})
    before = emulator('state')
    run = Run('mailops.sendgrid.audit_hosts', '--diff', facts_dir=facts_dir)
    expect_equal(run.status, 2, 'the exit status of an audit with a failed account')
    check_hosts(run, dict(AUDIT, **{'fails-01': 'failed'}))
    expect_equal(setting_requests('PATCH'), [], 'the updates of an audit')
    expect_equal(setting_requests('GET'), sorted(a or '(parent)' for h, a in ACCOUNTS.items() if h != 'exempt-01'),
                 'the accounts the audit read (every one but the exempt one, once)')
    expect_equal(emulator('state'), before, 'the emulator state after an audit')


def case_preview(facts_dir):
    """enforce_hosts --check --diff: the rollout's batches, each drifted account's diff, nothing written."""
    emulator('reset', 'POST')
    before = emulator('state')
    run = Run('mailops.sendgrid.enforce_hosts', '--check', '--diff', facts_dir=facts_dir)
    expect_equal(run.status, 0, 'the exit status of a preview')
    check_hosts(run, AUDIT)
    expect_equal(len(re.findall(r'^PLAY \[', run.output, re.MULTILINE)), 3, 'the batches (serial 1, 10%, 100%)')
    expect_equal(setting_requests('PATCH'), [], 'the updates of a preview')
    expect_equal(emulator('state'), before, 'the emulator state after a preview')


def case_canary(facts_dir):
    """The canary (the parent account, first) fails: no other account is read or written."""
    emulator('reset', 'POST')
    emulator('faults', 'PATCH', {'fail_next': [{'status': 400, 'method': 'PATCH', 'account': '(parent)'}]})
    run = Run('mailops.sendgrid.enforce_hosts', facts_dir=facts_dir)
    expect(run.status != 0, 'a failed canary must fail the run')
    expect('NO MORE HOSTS LEFT' in run.output, 'the run must end after the canary batch')
    expect_equal(run.statuses(), {PARENT_HOST: 'failed'}, 'the recap of a failed canary')
    expect_equal(setting_requests('PATCH'), ['(parent)'], 'the updates of a failed canary')
    expect_equal(setting_requests('GET'), ['(parent)'], 'the reads of a failed canary')


def case_enforce(facts_dir):
    """Enforcement in three batches (1, 10%, the rest), then again: nothing left to change."""
    emulator('reset', 'POST')
    before = emulator('state')
    run = Run('mailops.sendgrid.enforce_hosts', '--diff', facts_dir=facts_dir)
    expect_equal(run.status, 0, 'the exit status of the enforcement')
    expected = {host: ('changed' if status == 'drift' else status) for host, status in AUDIT.items()}
    check_hosts(run, expected)
    expect_equal(len(re.findall(r'^PLAY \[', run.output, re.MULTILINE)), 3, 'the batches (serial 1, 10%, 100%)')
    changed = [host for host, status in expected.items() if status == 'changed']
    expect_equal(setting_requests('PATCH'), sorted(ACCOUNTS[host] or '(parent)' for host in changed),
                 'the accounts written: exactly those out of policy')
    for host in changed:
        wanted = EU_POLICY if host.startswith('eu-') else POLICY
        expect_equal(state_of(host), dict(state_of(host), **wanted), 'the setting of {0} after'.format(host))
    for host in ('strict-01', 'exempt-01'):
        expect_equal(state_of(host), (before['subusers'][host]), 'the setting of {0} (left as it was)'.format(host))

    emulator('log', 'DELETE')
    again = Run('mailops.sendgrid.enforce_hosts', '--diff', facts_dir=facts_dir)
    expect_equal(again.status, 0, 'the exit status of the second enforcement')
    check_hosts(again, {host: ('compliant' if status == 'changed' else status) for host, status in expected.items()})
    expect_equal(setting_requests('PATCH'), [], 'the updates of the second enforcement')


def case_bad_input(facts_dir):
    """A host policy that is not valid fails the batch before any request, naming host and variable."""
    emulator('reset', 'POST')
    run = Run('mailops.sendgrid.audit_hosts', '-e', '{"enforced_tls_baseline_host_policy": {"version": "1.0"}}',
              facts_dir=facts_dir)
    expect(run.status != 0, 'an invalid host policy must fail the run')
    expect('host sendgrid_parent: enforced_tls_baseline_host_policy.version' in run.output,
           'the error names the host and the variable')
    expect('No account was read or changed.' in run.output, 'the error says that nothing was read or changed')
    expect_equal(setting_requests('GET') + setting_requests('PATCH'), [], 'the requests of a run with bad input')


CASES = [case_audit, case_preview, case_canary, case_enforce, case_bad_input]


def main():
    failures = []
    for case in CASES:
        with tempfile.TemporaryDirectory(prefix='facts-') as facts_dir:
            print('=== {0}: {1}'.format(case.__name__, case.__doc__))
            try:
                case(facts_dir)
            except AssertionError as error:
                failures.append('{0}: {1}'.format(case.__name__, error))
    for failure in failures:
        print('FAILED ' + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
