# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secret hygiene: no API key shows in anything a run of the collection writes.

secrets.yml runs every module and the role, in success and in every failure path, with four API
keys: one of every scope, a read-only one, one without subusers.read, and one SendGrid does not
know. This script (started by runme.sh, standard library only):

1. makes the four keys, anew each time, so that a key found later can only be a leak;
2. runs secrets.yml at -vvvv in each of the RUNS below, each on an emulator of its own (with the
   faults of files/faults.json) and with the key given the way that run says;
3. checks that each run shows what was planned for it (EXPECTED_TEXTS, REPORTS, EMULATOR_LOG), so
   that a run that did nothing cannot pass;
4. scans every file written for each key, whole and its secret part alone. There must be no hit.

Nothing here prints a key: no key is on a command line (they go in files of a private directory
and in the environment), and what is shown of a log has the keys masked.

    runme.sh [ansible-playbook options]    (ansible-test passes e.g. -v; every run gets them)
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))

# The four keys. The emulator knows three, with these scopes; the fourth it answers with 401.
KEY_SCOPES = {
    'full': ['user.settings.enforced_tls.read', 'user.settings.enforced_tls.update', 'subusers.read'],
    'read': ['user.settings.enforced_tls.read', 'subusers.read'],
    'nosub': ['user.settings.enforced_tls.read', 'user.settings.enforced_tls.update'],
    'unknown': None,
}
KINDS = list(KEY_SCOPES)

# ----------------------------------------------------------------------------------------------
# The runs
# ----------------------------------------------------------------------------------------------

EXTRA_VARS = 'extra-vars file'


@dataclass(frozen=True)
class Run:
    """One run of secrets.yml at -vvvv (ansible-playbook secrets.yml -vvvv OPTIONS --skip-tags SKIP_TAGS).

    key: where the keys come from. EXTRA_VARS: all four in the variable secrets_keys, from an extra
        vars file (as a vault gives them), for the api_key option and the role's input. Or the kind
        of the one key given in SENDGRID_API_KEY (as an AWX credential injects it); then the option
        and the input are left out (vars/common.yml).
    environment: more variables in the environment of ansible-playbook.
    """
    name: str
    key: str
    options: tuple = ()
    skip_tags: tuple = ()
    environment: dict = field(default_factory=dict)


# --diff and --check change nothing for the modules that only read (tag read_only), nor for the
# failure paths one by one on one account (tag failure_matrix): there is no diff of a failure, and in
# check mode no update. The batch and role runs with failing accounts run every time.
NOT_WITH_DIFF = ('read_only', 'failure_matrix')


def other_plays(kind):
    """The tags of the plays of the other keys: a run with SENDGRID_API_KEY has one key, so it runs
    only the play of that key. --skip-tags, not --tags: the role's argument validation is tagged always."""
    return tuple('key_' + other for other in KINDS if other != kind)


# ANSIBLE_DEBUG=1 makes ansible-core print every module's arguments unmasked, no_log or not: a key
# given in the api_key option or the role's input would show, and the collection cannot change that.
# Users who debug this way give the key through SENDGRID_API_KEY only, as the debug runs do; then the
# key must not show either. The debug output holds all that a plain -vvvv run shows, so these are
# also the runs of the keys from the environment without --diff, and they run all of their play.
DEBUG = {'ANSIBLE_DEBUG': '1'}

RUNS = [
    Run('vars', key=EXTRA_VARS),
    Run('vars-check-diff', key=EXTRA_VARS, options=('--check', '--diff'), skip_tags=NOT_WITH_DIFF),
    Run('env-diff-full', key='full', options=('--diff',), skip_tags=other_plays('full') + NOT_WITH_DIFF),
    Run('env-diff-read', key='read', options=('--diff',), skip_tags=other_plays('read') + NOT_WITH_DIFF),
    Run('env-diff-nosub', key='nosub', options=('--diff',), skip_tags=other_plays('nosub') + NOT_WITH_DIFF),
    Run('env-diff-unknown', key='unknown', options=('--diff',), skip_tags=other_plays('unknown') + NOT_WITH_DIFF),
    Run('debug-full', key='full', skip_tags=other_plays('full'), environment=DEBUG),
    Run('debug-read', key='read', skip_tags=other_plays('read'), environment=DEBUG),
    Run('debug-nosub', key='nosub', skip_tags=other_plays('nosub'), environment=DEBUG),
    Run('debug-unknown', key='unknown', skip_tags=other_plays('unknown'), environment=DEBUG),
]
ALL_RUNS = tuple(run.name for run in RUNS)

# Two runs at a time, each on its own emulator and with its own output and report directories, so
# that they share nothing and the order in which they end does not matter. The machines have two
# cores; one run at a time takes about twice as long (each module call costs Ansible most of a
# second of CPU, and the runs make about two hundred).
WORKERS = 2

# ----------------------------------------------------------------------------------------------
# What each run must show
# ----------------------------------------------------------------------------------------------

# {closed_url} stands for http://127.0.0.1:PORT, a port where nothing listens (connection refused).
CLOSED_URL = '{closed_url}'

# The accounts that fail in the batch and the role of the full key, with SendGrid's answers.
FAILING_ACCOUNTS = (
    "GET /v3/user/settings/enforced_tls for subuser 'limited' was rate limited (HTTP 429) after 0 retries",
    "GET /v3/user/settings/enforced_tls for subuser 'broken' failed with HTTP 503 Service Unavailable after 1 retries",
    "GET /v3/user/settings/enforced_tls for subuser 'malformed' with HTTP 200 OK, but the body is not valid JSON",
    "GET /v3/user/settings/enforced_tls for subuser 'empty-body' with HTTP 200 OK and an empty body",
)

# Each run's ansible-playbook output (-vvvv) holds every text of each group it is in.
EXPECTED_TEXTS = {
    # Every run gets to its end, and every failure in it was planned (and caught by secrets.yml).
    ALL_RUNS: ('PLAY RECAP', 'failed=0'),
    # The full key, every way: the batch and the role, with failing accounts.
    ('vars', 'vars-check-diff', 'env-diff-full', 'debug-full'): FAILING_ACCOUNTS + (
        "subusers lists 'never-called' more than once",
        "GET /v3/user/settings/enforced_tls for subuser 'nobody' failed with HTTP 403 Forbidden",
        "could not reach " + CLOSED_URL + ": connection failed: Connection refused after 1 retries",
        "5 of 6 accounts: nobody, limited, broken, malformed, empty-body.",
        "5 account(s) failed: nobody, limited, broken, malformed, empty-body.",
        "1 account(s) out of policy: audit-drift",
        "value of enforced_tls_baseline_region must be one of: global, eu, got: mars",
        "enforced_tls_baseline_policy.version must be one of 1.1, 1.2, 1.3",
    ),
    # The full key without --diff: the failure paths one by one (failure_matrix) and the modules that
    # only read (read_only).
    ('vars', 'debug-full'): (
        '"msg": "version must be one of 1.1, 1.2, 1.3; got ',
        "PATCH /v3/user/settings/enforced_tls for subuser 'limited-patch' was rate limited (HTTP 429)",
        "PATCH /v3/user/settings/enforced_tls for subuser 'broken-patch' failed with HTTP 503 Service Unavailable after 1 retries",
        "SendGrid answered the update of subuser 'malformed-patch' with an error, but reading the setting back",
        "PATCH /v3/user/settings/enforced_tls for subuser 'malformed-patch' with HTTP 200 OK, but the body is not valid JSON",
        "PATCH /v3/user/settings/enforced_tls for subuser 'empty-patch' with HTTP 200 OK and an empty body",
        "SendGrid accepted the update of subuser 'sticky' but reports require_tls=false where require_tls=true was sent",
        "contains control characters (such as CR or LF), which are not allowed in an On-Behalf-Of header",
        "page_size must be a whole number from 1 to 500; got 0 (integer)",
        "GET /v3/subusers for the parent account could not reach " + CLOSED_URL,
        "GET /v3/subusers for subuser 'limited' was rate limited (HTTP 429)",
        "GET /v3/subusers for subuser 'broken' failed with HTTP 503 Service Unavailable after 1 retries",
        "GET /v3/subusers for subuser 'malformed' with HTTP 200 OK, but the body is not valid JSON",
        "GET /v3/subusers for subuser 'empty-body' with HTTP 200 OK and an empty body",
    ),
    # The full key with a line break after it, in the api_key option: refused (only with the keys from the extra vars).
    ('vars',): ("api_key contains whitespace or control characters",),
    # The full key with --diff: the diffs of the updates.
    ('vars-check-diff', 'env-diff-full'): ("Enforced TLS of the parent account", "Enforced TLS of subuser 'batch-drift'"),
    ('vars-check-diff',): ('"check_mode": true',),
    # The read-only key: updates refused for the scope.
    ('vars', 'env-diff-read', 'debug-read'): (
        "PATCH /v3/user/settings/enforced_tls for subuser 'locked' failed with HTTP 403 Forbidden",
        "1 of 2 accounts: locked.",
        "Check that the API key has the scope user.settings.enforced_tls.update",
    ),
    # The key without subusers.read: listings refused.
    ('vars', 'vars-check-diff', 'env-diff-nosub', 'debug-nosub'): (
        "GET /v3/subusers for the parent account failed with HTTP 403 Forbidden",
        "Check that the API key has the scope subusers.read",
    ),
    # The unknown key: everything answered 401, the batch stopped.
    ('vars', 'vars-check-diff', 'env-diff-unknown', 'debug-unknown'): (
        "GET /v3/user/settings/enforced_tls for the parent account failed with HTTP 401 Unauthorized",
        "Check the api_key option (or SENDGRID_API_KEY)",
        "The API key is not usable, so the batch stopped: ",
        "2 account(s) failed: (parent account), compliant.",
    ),
    ('vars', 'debug-unknown'): ("GET /v3/subusers for the parent account failed with HTTP 401 Unauthorized",),
    # ANSIBLE_DEBUG=1 really was on.
    ('debug-full', 'debug-read', 'debug-nosub', 'debug-unknown'): ("done with _execute_module (",),
}

# The role's report files (under the run's report directory): each must exist and hold these texts.
REPORTS = {
    ('vars', 'vars-check-diff', 'env-diff-full', 'debug-full'): {
        'success/enforced-tls-report.json': ('"failed": 0',),
        'success/enforced-tls-report.md': ('role-drift',),
        'failing-accounts/enforced-tls-report.json': FAILING_ACCOUNTS,
        'failing-accounts/enforced-tls-report.md': FAILING_ACCOUNTS,
    },
    ('vars', 'vars-check-diff', 'env-diff-unknown', 'debug-unknown'): {
        'unauthorized/enforced-tls-report.md': ('HTTP 401 Unauthorized',),
    },
}
# The role cases that stop before a report: the role creates and checks the report directory before
# discovery, but no report file may be written in it, in any run.
NO_REPORT = ('bad-argument', 'bad-policy', 'discovery-forbidden')

# What each run's emulator must have served. Its request log (one JSON line per request) must hold,
# for each group the run is in, each of these facts: a request ("METHOD PATH", which the emulator's
# output must also name), an answer's status ("status N"), or a fault of files/faults.json answered
# ("fault NAME"); "no FACT" means that none of its requests may have it.
GET_TLS = 'GET /v3/user/settings/enforced_tls'
PATCH_TLS = 'PATCH /v3/user/settings/enforced_tls'
GET_SUBUSERS = 'GET /v3/subusers'
FAULTS = ('fault malformed', 'fault empty body', 'fault status 429', 'fault status 503')
EMULATOR_LOG = {
    # The full key: every fault met, SendGrid's 403 for an account not the key's.
    ('vars', 'vars-check-diff', 'env-diff-full', 'debug-full'): (GET_TLS, 'status 200', 'status 403', 'status 429', 'status 503') + FAULTS,
    # Updates sent, but never in check mode.
    ('vars', 'env-diff-full', 'debug-full'): (PATCH_TLS,),
    ('vars-check-diff',): ('no ' + PATCH_TLS,),
    # The modules that only read list the subusers (they are skipped with --diff).
    ('vars', 'debug-full'): (GET_SUBUSERS,),
    # The read-only key: reads answered, updates refused.
    ('vars', 'env-diff-read', 'debug-read'): (GET_TLS, PATCH_TLS, 'status 200', 'status 403'),
    # The key without subusers.read: the listing refused.
    ('vars', 'vars-check-diff', 'env-diff-nosub', 'debug-nosub'): (GET_SUBUSERS, 'status 403'),
    # The unknown key: refused as unauthorized.
    ('vars', 'vars-check-diff', 'env-diff-unknown', 'debug-unknown'): (GET_TLS, 'status 401'),
    ('vars', 'debug-unknown'): (GET_SUBUSERS,),
}
# Accounts that must be refused before any request is sent: none may show in a request log.
NEVER_SENT = ('never-called', 'closed-port')


def groups_of(run_name, table):
    """The values of table (keyed by groups of run names) for the groups run_name is in."""
    return [value for runs, value in table.items() if run_name in runs]


def unknown_run_names():
    """Names in the tables above that name no run: their expectations would check nothing."""
    return sorted({name for table in (EXPECTED_TEXTS, REPORTS, EMULATOR_LOG) for runs in table for name in runs} - set(ALL_RUNS))


# ----------------------------------------------------------------------------------------------
# Keys, emulators, runs
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    """What every run shares. The keys themselves are only in the private files and the
    environment of the runs, never on a command line."""
    keys: dict             # kind -> key
    extra_vars: str        # the extra vars file with all four keys (in the private directory)
    emulator_config: str   # the emulators' configuration, with the three keys they know (likewise)
    out: str               # where the runs write: all that the scan reads
    closed_url: str        # http://127.0.0.1:PORT, where nothing listens
    playbook_options: list  # from ansible-test (such as -v), for every run


def make_keys():
    """Four keys shaped like SendGrid's, SG.<id>.<secret>, new each time."""
    return {kind: 'SG.{0}.{1}'.format(secrets.token_urlsafe(16), secrets.token_urlsafe(32)) for kind in KINDS}


def secret_part(key):
    return key.rsplit('.', 1)[1]


def mask(text, keys):
    """text with every key, and every key's secret part, replaced by its name."""
    for kind, key in keys.items():
        text = text.replace(key, '<{0} key>'.format(kind)).replace(secret_part(key), '<secret of {0} key>'.format(kind))
    return text


def write_private_files(private, keys):
    """The files that hold the keys, in a directory that is not scanned: the extra vars file, and the
    emulators' configuration (files/emulator.json, the faults of files/faults.json, and the three
    keys the emulator knows, with their scopes). Returns their paths."""
    extra_vars = os.path.join(private, 'keys.json')
    with open(extra_vars, 'w', encoding='utf-8') as handle:
        json.dump({'secrets_keys': keys}, handle)
    with open(os.path.join(HERE, 'files', 'emulator.json'), encoding='utf-8') as handle:
        config = json.load(handle)
    with open(os.path.join(HERE, 'files', 'faults.json'), encoding='utf-8') as handle:
        config['faults'] = json.load(handle)
    config['keys'] = {keys[kind]: scopes for kind, scopes in KEY_SCOPES.items() if scopes is not None}
    emulator_config = os.path.join(private, 'emulator.json')
    with open(emulator_config, 'w', encoding='utf-8') as handle:
        json.dump(config, handle)
    return extra_vars, emulator_config


@contextmanager
def closed_port():
    """A port on 127.0.0.1 bound but never listening, so that a connection to it is refused and no
    emulator gets it. Yields its number."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        yield sock.getsockname()[1]


@contextmanager
def emulator(config, run_dir):
    """A new emulator, stopped on leaving; yields its URL. Its output (--verbose: each request, never
    its headers) goes to RUN_DIR/emulator.log, its request log to RUN_DIR/emulator-requests.jsonl."""
    with open(os.path.join(run_dir, 'emulator.log'), 'w', encoding='utf-8') as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, os.environ['EMULATOR_SCRIPT'], '--port', '0', '--config', config, '--verbose',
             '--request-log', os.path.join(run_dir, 'emulator-requests.jsonl')],
            stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            # Its first line, printed once it listens: "SendGrid emulator listening on http://127.0.0.1:PORT (...)".
            # Reading it waits for that, however long it takes (or for its end, if it fails).
            first_line = process.stdout.readline()
            log.write(first_line)
            log.flush()
            match = re.search(r'listening on (http://\S+)', first_line)
            if not match:
                raise RuntimeError('the emulator did not start; see {0}'.format(log.name))
            yield match.group(1)
        finally:
            process.terminate()
            process.wait()
            process.stdout.close()


def run_playbook(run, setup):
    """One run of secrets.yml on an emulator of its own. Everything it writes goes under OUT/RUN:
    ansible-playbook.log (its output), reports/ (the role's reports), and the emulator's files.
    Returns a line saying how it went, and whether it passed."""
    run_dir = os.path.join(setup.out, run.name)
    os.makedirs(run_dir)
    command = ['ansible-playbook', 'secrets.yml', '-vvvv'] + list(run.options)
    if run.skip_tags:
        command += ['--skip-tags', ','.join(run.skip_tags)]
    env = {name: value for name, value in os.environ.items() if name not in ('SENDGRID_API_KEY', 'ANSIBLE_DEBUG')}
    env.update(run.environment)
    env.update(SECRETS_CLOSED_PORT=setup.closed_url.rsplit(':', 1)[1], SECRETS_REPORT_DIR=os.path.join(run_dir, 'reports'))
    if run.key == EXTRA_VARS:
        command += ['-e', '@' + setup.extra_vars]
    else:
        env['SENDGRID_API_KEY'] = setup.keys[run.key]
    command += setup.playbook_options
    log_path = os.path.join(run_dir, 'ansible-playbook.log')
    started = time.monotonic()
    with emulator(setup.emulator_config, run_dir) as url, open(log_path, 'w', encoding='utf-8') as log:
        env.update(EMULATOR_URL=url, SENDGRID_API_URL=url)
        status = subprocess.call(command, cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT)
    took = time.monotonic() - started
    if status == 0:
        return 'run {0}: passed in {1:.0f} s'.format(run.name, took), True
    with open(log_path, encoding='utf-8', errors='replace') as log:
        tail = ''.join(log.readlines()[-40:])
    return 'run {0}: ansible-playbook FAILED (exit {1}) in {2:.0f} s; the end of {3}, keys masked:\n{4}'.format(
        run.name, status, took, log_path, mask(tail, setup.keys)), False


# ----------------------------------------------------------------------------------------------
# Checks: each returns a list of problems (empty when all is well)
# ----------------------------------------------------------------------------------------------

def read_text(path):
    with open(path, encoding='utf-8', errors='replace') as handle:
        return handle.read()


def one_line(text):
    """Text with every run of white space made one space: ansible-core before 2.19 wraps warnings
    at the terminal's width, so an expected text may stand on two lines of an output."""
    return ' '.join(text.split())


def missing_texts(path, texts, setup):
    if not os.path.isfile(path):
        return ['{0} was not written'.format(path)]
    content = one_line(read_text(path))
    return ['missing from {0}: {1}'.format(path, text) for text in texts
            if one_line(text.replace(CLOSED_URL, setup.closed_url)) not in content]


def check_output(run, setup):
    """The run's ansible-playbook output holds the texts of EXPECTED_TEXTS."""
    path = os.path.join(setup.out, run.name, 'ansible-playbook.log')
    return [problem for texts in groups_of(run.name, EXPECTED_TEXTS) for problem in missing_texts(path, texts, setup)]


def check_reports(run, setup):
    """The report files of REPORTS exist and hold their texts; none was written for NO_REPORT."""
    reports = os.path.join(setup.out, run.name, 'reports')
    problems = []
    for files in groups_of(run.name, REPORTS):
        for name, texts in files.items():
            problems += missing_texts(os.path.join(reports, name), texts, setup)
    for case in NO_REPORT:
        case_dir = os.path.join(reports, case)
        written = [name for name in os.listdir(case_dir) if name.startswith('enforced-tls-report.')] if os.path.isdir(case_dir) else []
        if written:
            problems.append('{0}: a report was written for {1}: {2}'.format(run.name, case, written))
    return problems


def check_emulator(run, setup):
    """The emulator's output and request log hold the facts of EMULATOR_LOG; no NEVER_SENT account."""
    run_dir = os.path.join(setup.out, run.name)
    request_log = os.path.join(run_dir, 'emulator-requests.jsonl')
    entries = [json.loads(line) for line in read_text(request_log).splitlines()] if os.path.isfile(request_log) else []
    facts = set()
    for entry in entries:
        facts.update(['{0} {1}'.format(entry['method'], entry['path']), 'status {0}'.format(entry['status'])])
        if entry['fault']:
            facts.add('fault {0}'.format(entry['fault']))
    print('{0}: {1} requests: {2}'.format(run.name, len(entries), ', '.join(sorted(facts))))
    output = read_text(os.path.join(run_dir, 'emulator.log'))
    problems = []
    if 'SendGrid emulator listening on' not in output:
        problems.append('{0}: the emulator did not say it listened'.format(run.name))
    for expected in groups_of(run.name, EMULATOR_LOG):
        for fact in expected:
            absent = fact.startswith('no ')
            fact = fact[3:] if absent else fact
            if (fact in facts) == absent:
                problems.append('{0}: the emulator request log {1} {2}'.format(run.name, 'holds' if absent else 'lacks', fact))
            if fact.startswith(('GET ', 'PATCH ')) and (('emulator: ' + fact) in output) == absent:
                problems.append('{0}: the emulator output {1} {2}'.format(run.name, 'holds' if absent else 'lacks', fact))
    sent = [entry for entry in entries if (entry['on_behalf_of'] or '').startswith(NEVER_SENT)]
    if sent:
        problems.append('{0}: requests that should have been refused before they were sent: {1}'.format(run.name, sent))
    return problems


def lines_holding(path, text):
    """The numbers of the lines of the file at path that hold text."""
    with open(path, 'rb') as handle:
        return [number for number, line in enumerate(handle, 1) if text.encode() in line]


def scan(setup):
    """Every file under OUT, for each key, whole and its secret part alone. The same search must find
    each of them in the extra vars file, so that a search that cannot match cannot pass. Of a hit,
    only file:line is shown, never the line: it holds the key."""
    paths = [os.path.join(directory, name) for directory, _dirs, names in os.walk(setup.out) for name in names]
    print('scanning {0} files, {1} bytes'.format(len(paths), sum(os.path.getsize(path) for path in paths)))
    problems = []
    for kind, key in setup.keys.items():
        for part, text in (('whole', key), ('secret', secret_part(key))):
            if len(text) < 20 or not lines_holding(setup.extra_vars, text):
                problems.append('the search for the {0} key ({1}) does not find it where it is'.format(kind, part))
            hits = ['{0}:{1}'.format(path, number) for path in paths for number in lines_holding(path, text)]
            if hits:
                problems.append('LEAK: the {0} key ({1}) appears at:\n  {2}'.format(kind, part, '\n  '.join(hits)))
    return problems


# ----------------------------------------------------------------------------------------------

def main(playbook_options):
    """Make the keys, do the runs, check them, scan; 0 if all is as planned."""
    if unknown_run_names():
        print('the expectations name runs that are not in RUNS: {0}'.format(', '.join(unknown_run_names())))
        return 1
    started = time.monotonic()
    out = os.path.join(os.environ['OUTPUT_DIR'], 'secrets')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    keys = make_keys()
    private = tempfile.mkdtemp()
    try:
        with closed_port() as port:
            extra_vars, emulator_config = write_private_files(private, keys)
            setup = Setup(keys, extra_vars, emulator_config, out, 'http://127.0.0.1:{0}'.format(port), playbook_options)
            failed_runs = 0
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                # The lines come in the order of RUNS, whichever run ends first.
                for line, passed in pool.map(functools.partial(run_playbook, setup=setup), RUNS):
                    print(line, flush=True)
                    failed_runs += not passed
        problems = []
        for run in RUNS:
            problems += check_output(run, setup) + check_reports(run, setup) + check_emulator(run, setup)
        leaks = scan(setup)
    finally:
        shutil.rmtree(private)
    for problem in problems + leaks:
        print(problem)
    print('failed runs: {0}, expectations not met: {1}, scan problems: {2} ({3:.0f} s in all)'.format(
        failed_runs, len(problems), len(leaks), time.monotonic() - started))
    return 1 if failed_runs or problems or leaks else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
