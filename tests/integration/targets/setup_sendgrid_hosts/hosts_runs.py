# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs of the per-host playbooks (audit_hosts, enforce_hosts) over the inventory plugin, and what a user sees.

Shared by the targets audit_hosts and enforce_hosts. The inventory (inventory/) is the plugin
mailops.sendgrid.subusers over the emulator's fleet (files/fleet.json), with a stricter policy
for the EU group and one exempt host in its group_vars and host_vars; files/expected.json says
how each host stands before any enforcement. A Run is one ansible-playbook, as a user runs it,
with a fact cache; the checks read what the user sees: the play recap (per host: ok = compliant,
changed = drift or fixed, failed, skipped = exempt), the diffs, the custom stats, the cached
facts, and, in the emulator's log and state, which accounts were read and written.
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
INVENTORY = os.path.join(HERE, 'inventory', 'subusers.sendgrid.yml')
EMULATOR_URL = os.environ['EMULATOR_URL']
PARENT_HOST = 'sendgrid_parent'
POLICY = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
EU_POLICY = dict(POLICY, version=1.3)
with open(os.path.join(HERE, 'files', 'expected.json')) as _handle:
    EXPECTED = json.load(_handle)
AUDIT = EXPECTED['audit']
ACCOUNTS = {host: (None if host == PARENT_HOST else host) for host in AUDIT}
COUNTS = ('total', 'compliant', 'drift', 'changed', 'exempt', 'failed', 'out_of_policy', 'stricter')


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


def state_of(account):
    state = emulator('state')
    return state['parent'] if account is None else state['subusers'][account]


class Run:
    """One ansible-playbook run, and what it showed."""

    def __init__(self, playbook, *args, facts_dir, inventory=INVENTORY, env=None):
        environment = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_SHOW_CUSTOM_STATS='1',
                           ANSIBLE_INVENTORY_ENABLED='mailops.sendgrid.subusers', ANSIBLE_CACHE_PLUGIN='jsonfile',
                           ANSIBLE_CACHE_PLUGIN_CONNECTION=facts_dir, COLUMNS='200', **(env or {}))
        command = ['ansible-playbook', '-i', inventory, playbook] + list(args) + sys.argv[1:]
        process = subprocess.run(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, check=False)
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
        """Per account host (localhost, which ends the run, left out), its status as the recap shows it:
        failed, changed, skipped (nothing but skips) or ok."""
        statuses = {}
        for host, counts in self.recap().items():
            if host == 'localhost':
                continue
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
        expect(len(lines) == 1, 'expected one line of custom stats, got {0}'.format(lines))
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


def diff_header(host, account):
    return 'the parent account' if account is None else "subuser '{0}'".format(account)


def counts_of(statuses, stricter=()):
    """The custom stats of a run whose hosts stand as ``statuses``: integers named enforced_tls_<count>."""
    counts = {name: sum(1 for status in statuses.values() if status == name) for name in COUNTS}
    counts.update(total=len(statuses), out_of_policy=counts['drift'] + counts['failed'],
                  stricter=sum(1 for host, status in statuses.items() if host in stricter and status == 'compliant'))
    return {'enforced_tls_' + name: value for name, value in counts.items()}


def check_hosts(run, expected, accounts=None, stricter=EXPECTED['stricter']):
    """The recap, the custom stats, the diffs and the cached facts all say ``expected`` (status by host);
    ``accounts``: each host's account (None for the parent), by default ACCOUNTS."""
    accounts = accounts or ACCOUNTS
    expect_equal(run.statuses(), {host: recap_status(status) for host, status in expected.items()},
                 'the recap, host by host')
    # One task of its own per host; the first host of each batch also ran the fleet step.
    for host, counts in run.recap().items():
        own = counts['ok'] + counts['failed'] + counts['skipped']
        expect(host == 'localhost' or own in (1, 2),
               'host {0} ran {1} tasks; expected its own and at most the fleet step'.format(host, own))
    expect_equal(run.custom_stats(), counts_of(expected, stricter), 'the custom stats')
    expect_equal(run.diff_headers(), sorted(diff_header(host, accounts[host]) for host, status in expected.items()
                                            if status in ('drift', 'changed')), 'the diffs')
    for host, status in expected.items():
        fact = run.fact(host)
        if status in ('failed', 'exempt'):
            expect(fact is None, 'host {0} ({1}) has a fact: {2}'.format(host, status, fact))
            continue
        expect(fact is not None, 'host {0} has no fact sendgrid_enforced_tls in the fact cache'.format(host))
        expect_equal(fact['status'], status, 'the fact status of ' + host)
        expect_equal(fact['setting'], state_of(accounts[host]),
                     'the fact setting of {0} (the emulator holds)'.format(host))
        expect_equal(fact['account'], '(parent account)' if accounts[host] is None else accounts[host],
                     'the fact account of ' + host)


def run_cases(cases):
    """Run each case with a fact cache of its own; report every failure, then fail."""
    failures = []
    for case in cases:
        with tempfile.TemporaryDirectory(prefix='facts-') as facts_dir:
            print('=== {0}: {1}'.format(case.__name__, case.__doc__))
            try:
                case(facts_dir)
            except AssertionError as error:
                failures.append('{0}: {1}'.format(case.__name__, error))
    for failure in failures:
        print('FAILED ' + failure, file=sys.stderr)
    return 1 if failures else 0
