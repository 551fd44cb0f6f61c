# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of what a user of the collection's playbooks reads (the targets audit and restore): the default
callback's output, the report files, and what the emulator holds and was asked. Each subcommand exits 1
with a message when its check fails.

    check.py diffs OUT ACCOUNT...         the --diff output shows a before/after for exactly these
                                          accounts, each once ("parent" for the parent account)
    check.py recap OUT changed=0 ...      the PLAY RECAP line of localhost has these counts
    check.py has OUT TEXT                 OUT holds TEXT (whitespace collapsed)
    check.py state ACCOUNT=TLS,CERT,VER   the emulator holds these settings (e.g. strict-13=true,true,1.3)
    check.py requests N [METHOD]          the emulator's log holds N API requests (of METHOD)
    check.py report DIR ACCOUNT=STATUS[:FIELD+FIELD]...
                                          enforced-tls-report.json gives each account this status and
                                          these settings kept stricter than the policy
"""

from __future__ import annotations

import json
import os
import re
import sys
from urllib.request import urlopen

DIFF_HEADER = re.compile(r'^--- before: Enforced TLS of (.+)$', re.MULTILINE)


def fail(message):
    print('check failed: ' + message, file=sys.stderr)
    sys.exit(1)


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def emulator(path):
    with urlopen(os.environ['EMULATOR_URL'] + '/_emulator/' + path) as answer:
        return json.load(answer)


def account_label(name):
    return 'the parent account' if name == 'parent' else "subuser '{0}'".format(name)


def check_diffs(output, *accounts):
    text = read(output)
    shown = DIFF_HEADER.findall(text)
    expected = [account_label(name) for name in accounts]
    if sorted(shown) != sorted(expected):
        fail('diffs shown for {0}, expected for {1}'.format(sorted(shown), sorted(expected)))
    # Nothing else is shown as a diff: no report file, no temporary file.
    others = [line for line in text.splitlines() if line.startswith('--- before') and not DIFF_HEADER.match(line)]
    if others:
        fail('other diffs shown: {0}'.format(others))


def check_recap(output, *counts):
    match = re.search(r'^localhost\s+:\s+(.+)$', read(output), re.MULTILINE)
    if not match:
        fail('no PLAY RECAP line for localhost in ' + output)
    recap = dict(item.split('=') for item in match.group(1).split())
    for count in counts:
        key, value = count.split('=')
        if recap.get(key) != value:
            fail('recap has {0}={1}, expected {2} ({3})'.format(key, recap.get(key), value, match.group(1)))


def check_has(output, text):
    # Whitespace collapsed: ansible-core before 2.19 wraps warnings at the terminal width.
    if ' '.join(text.split()) not in ' '.join(read(output).split()):
        fail('{0!r} is not in {1}'.format(text, output))


def settings(text):
    require_tls, require_valid_cert, version = text.split(',')
    return {'require_tls': require_tls == 'true', 'require_valid_cert': require_valid_cert == 'true',
            'version': float(version)}


def check_state(*expectations):
    state = emulator('state')
    for expectation in expectations:
        name, values = expectation.split('=')
        held = state['parent'] if name == 'parent' else state['subusers'][name]
        if held != settings(values):
            fail('{0} holds {1}, expected {2}'.format(name, held, settings(values)))


def check_requests(count, method=None):
    requests = [entry for entry in emulator('log')['requests'] if method is None or entry['method'] == method]
    if len(requests) != int(count):
        seen = [(entry['method'], entry['on_behalf_of']) for entry in requests]
        fail('{0} {1}requests, expected {2}: {3}'.format(len(requests), method + ' ' if method else '', count, seen))


def check_report(directory, *expectations):
    report = json.loads(read(os.path.join(directory, 'enforced-tls-report.json')))
    entries = dict((entry['account'], entry) for entry in report['accounts'])
    for expectation in expectations:
        name, expected = expectation.split('=')
        status, dummy, stricter = expected.partition(':')
        entry = entries['(parent account)' if name == 'parent' else name]
        found = (entry['status'], '+'.join(entry['stricter']))
        if found != (status, stricter):
            fail('{0} is {1} (stricter: {2}), expected {3} (stricter: {4}); {5}'.format(
                name, found[0], found[1] or '-', status, stricter or '-', entry['reason']))


CHECKS = {'diffs': check_diffs, 'recap': check_recap, 'has': check_has, 'state': check_state,
          'requests': check_requests, 'report': check_report}

if __name__ == '__main__':
    CHECKS[sys.argv[1]](*sys.argv[2:])
