# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: audit and enforce N subusers, the collection against the alternatives.

``make bench`` runs it in full and writes docs/performance.md with its plots;
``make test`` runs ``--smoke`` (N = 20, no latency) so that it cannot rot. It prints
figures; it never passes or fails on speed. The smoke run fails only if the
request counts are wrong, which would make every figure meaningless.

The contenders are the entries of CONTENDERS, each against the emulator
(tests/emulator/) with a fixed latency: a playbook (or a command) per phase, an
optional inventory, how its audit runs, and whether its runs are repeated. A
section (SMOKE, full_sections()) runs some of them at one N and latency; the
targets (targets()) compare the medians. Adding a contender is an entry in
CONTENDERS, its playbook in playbooks/, and its key in the sections it runs in.

For each run: wall time, API requests by method, HTTP 429s received (from the
emulator's request log), and the peak memory (summed PSS) of the process tree,
sampled every 20 ms from /proc.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(REPO, 'tests', 'emulator', 'sendgrid_emulator.py')
PLAYBOOKS = os.path.join(HERE, 'playbooks')
CALLBACKS = os.path.join(HERE, 'callbacks')
API_KEY = 'SG.emulator-full-access'
DRIFT_SHARE = 0.3
SEED = 7
# The path of the subuser listing in the emulator's request log: a discovery's pages.
LISTING_PATH = '/v3/subusers'


# ---------------------------------------------------------------------------
# Processes: the emulator, and a contender's process with its memory sampled.
# ---------------------------------------------------------------------------

class Emulator:
    """The emulator with N subusers, a share of them out of policy, and a fixed latency."""

    def __init__(self, workdir, subusers, latency_ms, rate_limit=0, rate_window=60):
        self.port_file = os.path.join(workdir, 'emulator-{0}.port'.format(os.getpid()))
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        command = [sys.executable, EMULATOR, '--port', '0', '--port-file', self.port_file,
                   '--subusers', str(subusers), '--compliant-share', str(1 - DRIFT_SHARE), '--seed', str(SEED),
                   '--latency-ms', str(latency_ms), '--rate-limit', str(rate_limit), '--rate-window', str(rate_window)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for dummy in range(200):
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                break
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError('the emulator did not start')
        self.url = 'http://127.0.0.1:{0}'.format(open(self.port_file).read().strip())

    def control(self, name, method='GET'):
        request = urllib.request.Request(self.url + '/_emulator/' + name, method=method)
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read().decode('utf-8'))

    def reset(self):
        self.control('reset', 'POST')

    def drifted(self):
        state = self.control('state')['subusers']
        policy = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
        return sorted(name for name, settings in state.items() if settings != policy)

    def take_log(self):
        """Requests by method (the subuser listing's pages apart) and 429s since the last call; clears the log."""
        log = self.control('log')
        self.control('log', 'DELETE')
        methods = {}
        listing = 0
        for entry in log['requests']:
            if entry['method'] == 'GET' and entry['path'].split('?')[0] == LISTING_PATH:
                listing += 1
            else:
                methods[entry['method']] = methods.get(entry['method'], 0) + 1
        return {'GET': methods.get('GET', 0), 'PATCH': methods.get('PATCH', 0), 'list': listing,
                'rate_limited': int(log['status_counts'].get('429', 0)),
                'patched': sorted({entry['on_behalf_of'] for entry in log['requests']
                                   if entry['method'] == 'PATCH' and entry['status'] == 200})}

    def stop(self):
        self.process.terminate()
        self.process.wait()


def process_memory(pid):
    """A process's proportional set size (PSS) in bytes: its private memory plus its share of shared pages.

    Forked Ansible workers share most pages with the controller; summing their RSS would
    count those pages once per process, PSS counts them once in all.
    """
    try:
        with open('/proc/{0}/smaps_rollup'.format(pid)) as handle:
            for line in handle:
                if line.startswith('Pss:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open('/proc/{0}/statm'.format(pid)) as handle:
            return int(handle.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
    except (OSError, IndexError, ValueError):
        return 0


def process_tree_memory(root_pid):
    """The summed PSS in bytes of a process and all its descendants, read from /proc."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/{0}/stat'.format(entry)) as handle:
                parent = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        total += process_memory(pid)
        pending.extend(children.get(pid, []))
    return total


def run_process(command, environment, name):
    """Run one contender's process; returns wall seconds, peak tree memory in MB, and the output."""
    with tempfile.TemporaryFile() as output_file:
        start = time.monotonic()
        process = subprocess.Popen(command, env=environment, stdout=output_file, stderr=subprocess.STDOUT)
        peak = 0
        while process.poll() is None:
            peak = max(peak, process_tree_memory(process.pid))
            time.sleep(0.02)
        wall = time.monotonic() - start
        output_file.seek(0)
        output = output_file.read().decode('utf-8', 'replace')
    if process.returncode != 0:
        raise RuntimeError('{0} failed (rc {1}):\n{2}'.format(name, process.returncode, output[-3000:]))
    return wall, peak / 1e6, output


def ansible_playbook():
    beside_python = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    return beside_python if os.path.exists(beside_python) else 'ansible-playbook'


# ---------------------------------------------------------------------------
# The contenders: data. A contender runs a playbook per phase (a file in playbooks/,
# or a collection's playbook by its FQCN), or a command of its own.
# ---------------------------------------------------------------------------

class Contender:
    """One way to audit and enforce: how each phase runs, and how its runs are checked.

    ``playbook``: a file in playbooks/ or a playbook FQCN, or a dict phase -> playbook.
    ``inventory``: given with -i, a file in playbooks/ or a path (an inventory plugin's config, say).
    ``audit_check``: the audit is the playbook in check mode; else ``audit_vars`` make it one.
    ``repeated``: fast enough to run ``--repeat`` times (the median is reported).
    ``batch``: uses the module's workers (the Workers column), else one account at a time.
    ``discovery``: lists the subusers first (its audit's pages are checked).
    ``command``: instead of a playbook, a function (bench, phase, vars_path) -> argv.
    """

    def __init__(self, key, label, description, playbook=None, phases=('audit', 'enforce'), inventory=None,
                 audit_check=True, audit_vars=None, repeated=False, batch=False, discovery=False, command=None,
                 args=()):
        self.key = key
        self.label = label
        self.description = description
        self.playbook = playbook
        self.phases = phases
        self.inventory = inventory
        self.audit_check = audit_check
        self.audit_vars = audit_vars or {}
        self.repeated = repeated
        self.batch = batch
        self.discovery = discovery
        self.command = command
        self.args = tuple(args)

    def argv(self, bench, phase, vars_path):
        if self.command is not None:
            return self.command(bench, phase, vars_path)
        playbook = self.playbook[phase] if isinstance(self.playbook, dict) else self.playbook
        local = os.path.join(PLAYBOOKS, playbook)
        argv = [ansible_playbook(), local if os.path.exists(local) else playbook, '-e', '@' + vars_path]
        if self.inventory:
            argv += ['-i', os.path.join(PLAYBOOKS, self.inventory)]
        if phase == 'audit' and self.audit_check:
            argv.append('--check')
        return argv + list(self.args)


def bare_client_command(bench, phase, vars_path):
    """The bare-client floor: the collection's client, batch runner and reconcile, no Ansible."""
    argv = [sys.executable, os.path.join(HERE, 'bare_client.py'), '--workers', str(bench.workers),
            '--vars', vars_path]
    if phase == 'audit':
        argv.append('--check')
    return argv + ['--discover']


ROLE_PHASES = ('audit', 'enforce', 'enforce 2')
# The inventory of (g) and (h): the inventory plugin over the emulator's subusers.
HOSTS_INVENTORY = os.path.join(HERE, 'inventory', 'hosts.sendgrid.yml')


def hosts_command(bench, phase, vars_path):
    """The per-host playbooks over the inventory plugin's hosts, with the bench's workers."""
    playbook = 'mailops.sendgrid.audit_hosts' if phase == 'audit' else 'mailops.sendgrid.enforce_hosts'
    # The audit reports its drift (the fleet's 30%) without failing the run, as the role's audit does.
    return [ansible_playbook(), playbook, '-i', HOSTS_INVENTORY, '-e', '@' + vars_path,
            '-e', 'enforced_tls_baseline_workers={0}'.format(bench.workers), '-e', 'sendgrid_fail_on_drift=false']


CONTENDERS = collections.OrderedDict((contender.key, contender) for contender in [
    Contender('role', '(a) role (batch)', 'the role `enforced_tls_baseline` with the subusers listed (batch mode,'
              ' {workers} workers): an audit in check mode, an enforcement, a second enforcement', playbook='role.yml',
              phases=ROLE_PHASES, repeated=True, batch=True),
    Contender('module_loop', '(b) module in a loop', 'the module `sendgrid_enforced_tls` in a plain `loop:` over the'
              ' subusers (audit with `--check`)', playbook='module_loop.yml'),
    Contender('uri_loop', '(c) uri in loops', '`ansible.builtin.uri` in loops: a GET per subuser, then a PATCH for each'
              ' that differs (the audit runs only the GETs)', playbook='uri_loop.yml', audit_check=False,
              audit_vars={'bench_audit': True}),
    Contender('role_discovery', '(e) role, discovery', 'the role with `enforced_tls_baseline_all_subusers: true`: its'
              ' fleet step lists the subusers (`sendgrid_subuser_info`), plans, makes its batch call ({workers}'
              ' workers) and builds the report; the same three phases as (a)', playbook='role_discovery.yml',
              phases=ROLE_PHASES, repeated=True, batch=True, discovery=True),
    Contender('bare_client', '(f) bare client', 'the bare-client floor: the collection\'s own client alone'
              ' (`tests/benchmarks/bare_client.py`: `_client.SendGridClient`, `_batch.run_for_each` and'
              ' `_reconcile.reconcile`, {workers} workers, the same discovery), no Ansible, as a separate Python'
              ' process; the same three phases as (a)', command=bare_client_command, phases=ROLE_PHASES,
              repeated=True, batch=True, discovery=True),
    Contender('hosts', '(g) per-host playbooks', 'the playbooks `mailops.sendgrid.audit_hosts` and'
              ' `mailops.sendgrid.enforce_hosts` over the inventory plugin `mailops.sendgrid.subusers` (each subuser a'
              ' host, listed by the plugin; one batch call per play batch, {workers} workers, then one task per'
              ' host on the controller; the enforcement rolls out in its default batches 1, 10%, the rest)',
              command=hosts_command, phases=ROLE_PHASES, batch=True, discovery=True),
    Contender('hosts_floor', '(h) one no-op task per host', 'ansible-core\'s own cost of a task per host over the'
              ' same inventory: `ansible.builtin.debug` on every subuser host, no request; (g) cannot go below it',
              playbook='hosts_noop.yml', inventory=HOSTS_INVENTORY, phases=('no-op',), discovery=True),
])


class Section:
    """Some contenders at one N and latency, against one emulator."""

    def __init__(self, title, n, latency_ms, contenders, note='', phases=None):
        self.title = title
        self.n = n
        self.latency_ms = latency_ms
        self.contenders = contenders
        self.note = note
        # Fewer phases for some contenders ({key: phases}), where their others are covered elsewhere.
        self.phases = phases or {}


SMOKE_N = 20
# The role with discovery audits only: its enforcements run the batch call that (a) runs.
SMOKE = Section('smoke', SMOKE_N, 0, ('role', 'role_discovery', 'module_loop', 'uri_loop', 'bare_client', 'hosts'),
                phases={'role_discovery': ('audit',), 'hosts': ('audit', 'enforce')})


def full_sections(args):
    return [
        Section('every contender', args.small_n, args.latency_ms, ('role', 'module_loop', 'uri_loop')),
        Section('the role', args.large_n, args.latency_ms, ('role', 'hosts', 'hosts_floor')),
        # The per-host playbooks at 10,000: an audit and one enforcement (each of their runs takes minutes).
        Section('a fleet, discovered', args.fleet_n, 0, ('role_discovery', 'bare_client', 'hosts'),
                phases={'hosts': ('audit', 'enforce')},
                note='no latency, discovery'),
    ]


# ---------------------------------------------------------------------------
# Running them.
# ---------------------------------------------------------------------------

class Bench:

    def __init__(self, workdir, workers):
        self.workdir = workdir
        self.workers = workers
        self.rows = []
        self.environment = dict(os.environ, SENDGRID_API_KEY=API_KEY, ANSIBLE_LOCALHOST_WARNING='false',
                                ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1')

    def vars_file(self, subusers, workers, **extra):
        path = os.path.join(self.workdir, 'vars.json')
        data = {'bench_subusers': subusers, 'bench_workers': workers}
        data.update(extra)
        with open(path, 'w') as handle:
            json.dump(data, handle)
        return path

    def measure(self, emulator, contender, phase, subusers, latency_ms, workers=None, note='', environment=None):
        """One run of a contender's phase: its row (also kept in self.rows)."""
        workers = workers or self.workers
        extra = contender.audit_vars if phase == 'audit' else {}
        vars_path = self.vars_file(subusers, workers, **extra)
        saved, self.workers = self.workers, workers
        try:
            argv = contender.argv(self, phase, vars_path)
        finally:
            self.workers = saved
        emulator.take_log()
        wall, peak_mb, dummy = run_process(argv, dict(environment or self.environment, SENDGRID_API_URL=emulator.url),
                                           '{0} {1}'.format(contender.label, phase))
        log = emulator.take_log()
        row = {'key': contender.key, 'contender': contender.label, 'phase': phase, 'n': len(subusers),
               'latency_ms': latency_ms, 'workers': workers if contender.batch else 1, 'wall': wall,
               'peak_mb': peak_mb, 'get': log['GET'], 'list': log['list'], 'patch': log['PATCH'],
               'rate_limited': log['rate_limited'], 'patched': log['patched'], 'note': note}
        self.rows.append(row)
        print('  {contender:<22} {phase:<9} N={n:<5} workers={workers:<3} {wall:7.2f} s  GET {get:<5} list {list:<3}'
              ' PATCH {patch:<5} 429s {rate_limited:<3} peak {peak_mb:6.1f} MB {note}'.format(**row), flush=True)
        return row

    def startup(self, emulator, repeat=5):
        """The floor's measured part: ansible-playbook start-up with one no-op task (median)."""
        noop = Contender('noop', '(d) floor: no-op play', '', playbook='noop.yml', phases=('start-up',))
        walls = [self.measure(emulator, noop, 'start-up', [], 0)['wall'] for dummy in range(repeat)]
        self.rows = [row for row in self.rows if row['phase'] != 'start-up']
        return statistics.median(walls)

    def runs(self, emulator, contender, subusers, latency_ms, repeat=1, note='', phases=None):
        """Every phase of a contender, ``repeat`` times from the same start (once unless it is ``repeated``).

        Returns the request-count problems of every run, and the median row of each phase by phase;
        only the medians stay in the table.
        """
        repeat = repeat if contender.repeated else 1
        problems = []
        runs = collections.OrderedDict((phase, []) for phase in phases or contender.phases)
        for dummy in range(repeat):
            emulator.reset()
            drifted = emulator.drifted()
            for phase, rows in runs.items():
                rows.append(self.measure(emulator, contender, phase, subusers, latency_ms, note=note))
            problems += check_counts(contender, subusers, drifted, {phase: rows[-1] for phase, rows in runs.items()})
        measured = [row for rows in runs.values() for row in rows]
        self.rows = [row for row in self.rows if not any(row is other for other in measured)]
        medians = collections.OrderedDict((phase, median_row(rows)) for phase, rows in runs.items())
        self.rows += medians.values()
        return problems, medians

    def section(self, emulator, section, repeat):
        """Every contender of a section; returns the problems and {(key, phase): median row}."""
        print('== N = {0}: {1}, latency {2:g} ms'.format(section.n, section.title, section.latency_ms), flush=True)
        problems = []
        medians = {}
        subusers = subuser_names(section.n)
        if not emulator.drifted():
            problems.append('the emulator has no drifted subusers: nothing is measured')
        for key in section.contenders:
            contender_problems, rows = self.runs(emulator, CONTENDERS[key], subusers, section.latency_ms,
                                                 repeat=repeat, note=section.note, phases=section.phases.get(key))
            problems += contender_problems
            medians.update(((key, phase), row) for phase, row in rows.items())
        return problems, medians

    def breakdown(self, emulator, contender, subusers, latency_ms):
        """One more audit with the bench_timer callback: [(task, seconds)], for where the time goes."""
        timer_file = os.path.join(self.workdir, 'timer.json')
        environment = dict(self.environment, ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
                           ANSIBLE_CALLBACKS_ENABLED='bench_timer', BENCH_TIMER_FILE=timer_file)
        emulator.reset()
        row = self.measure(emulator, contender, 'audit', subusers, latency_ms, note='timed by task',
                           environment=environment)
        self.rows.remove(row)
        with open(timer_file) as handle:
            tasks = json.load(handle)
        return row['wall'], tasks


def subuser_names(count):
    return ['subuser-{0:04d}'.format(index + 1) for index in range(count)]


def median_row(rows):
    """The row of median wall time (the lower middle one for an even count)."""
    return sorted(rows, key=lambda row: row['wall'])[(len(rows) - 1) // 2]


def listing_pages(count, page_size=None):
    """The GET /v3/subusers a discovery of ``count`` subusers makes: its full pages, then a short or an empty
    one; a short first page is followed by an empty one (a server may cap a page below the size asked)."""
    full, rest = divmod(count, page_size or subusers_page_size())
    return full + 1 + (1 if not full and rest else 0)


def check_counts(contender, subusers, drifted, phases):
    """The request counts every figure rests on: exact, or the benchmark is wrong."""
    problems = []
    label = '{0} N={1}'.format(contender.label, len(subusers))
    audit, enforce, again = phases.get('audit'), phases.get('enforce'), phases.get('enforce 2')
    pages = listing_pages(len(subusers)) if contender.discovery else 0
    for phase, row in phases.items():
        if row['list'] != pages:
            problems.append('{0} {1}: {2} subuser listing GETs, expected {3}'.format(label, phase, row['list'], pages))
    if audit is not None and (audit['get'] != len(subusers) or audit['patch'] != 0):
        problems.append('{0} audit: {1} GET / {2} PATCH, expected {3} / 0'.format(
            label, audit['get'], audit['patch'], len(subusers)))
    if enforce is not None and (enforce['patch'] != len(drifted) or enforce['patched'] != drifted):
        problems.append('{0} enforce: PATCHed {1} accounts, expected the {2} drifted ones'.format(
            label, enforce['patch'], len(drifted)))
    if again is not None and again['patch'] != 0:
        problems.append('{0} second enforce: {1} PATCH, expected 0'.format(label, again['patch']))
    return problems


# ---------------------------------------------------------------------------
# Reporting.
# ---------------------------------------------------------------------------

def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        beside_python = os.path.join(os.path.dirname(sys.executable), 'ansible')
        ansible = subprocess.run([beside_python if os.path.exists(beside_python) else 'ansible', '--version'],
                                 capture_output=True, text=True, check=False).stdout.splitlines()[0]
    except (OSError, IndexError):
        ansible = 'ansible (unknown version)'
    memory_gb = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30
    return '{0} CPU(s) ({1}), {2:.0f} GiB RAM, {3} {4}, Python {5}, {6}'.format(
        os.cpu_count(), cpu, memory_gb, platform.system(), platform.release(), platform.python_version(), ansible)


def table(rows):
    lines = ['| Contender | Phase | N | Latency | Workers | Wall (s) | GET | List | PATCH | 429s | Peak MB (PSS) | Run |',
             '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|']
    for row in rows:
        lines.append('| {contender} | {phase} | {n} | {latency_ms:g} ms | {workers} | {wall:.2f} | {get} | {list} |'
                     ' {patch} | {rate_limited} | {peak_mb:.0f} | {note} |'.format(**row))
    return '\n'.join(lines)


def plot(rows, floors, curve, path_n, path_workers):
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    series = {}
    for row in rows:
        if row['phase'] in ('audit', 'enforce') and not row['note']:
            series.setdefault('{0}, {1}'.format(row['contender'], row['phase']), []).append((row['n'], row['wall']))
    for n, floor in sorted(floors.items()):
        series.setdefault('(d) floor', []).append((n, floor))
    for label, points in sorted(series.items()):
        points.sort()
        axes.plot([point[0] for point in points], [point[1] for point in points], marker='o',
                  linestyle='--' if label.startswith('(d)') else '-', label=label)
    axes.set_xscale('log')
    axes.set_yscale('log')
    axes.set_xlabel('subusers (N)')
    axes.set_ylabel('wall time (s)')
    axes.set_title('Audit and enforce N subusers (emulator latency {0:g} ms)'.format(
        rows[0]['latency_ms'] if rows else 0))
    axes.grid(True, which='both', alpha=0.3)
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path_n, dpi=110)
    pyplot.close(figure)

    if curve:
        figure, axes = pyplot.subplots(figsize=(7, 4))
        workers = [point['workers'] for point in curve]
        axes.plot(workers, [point['wall'] for point in curve], marker='o', label='(a) role, audit')
        axes.plot(workers, [point['floor'] for point in curve], marker='o', linestyle='--', label='(d) floor')
        axes.set_xscale('log', base=2)
        axes.set_xlabel('workers')
        axes.set_ylabel('wall time (s)')
        axes.set_title('Audit of {0} subusers against workers'.format(curve[0]['n']))
        axes.grid(True, which='both', alpha=0.3)
        axes.legend()
        figure.tight_layout()
        figure.savefig(path_workers, dpi=110)
        pyplot.close(figure)


# ---------------------------------------------------------------------------
# Targets: a value, what it is compared with, and whether it is met.
# ---------------------------------------------------------------------------

class Finding:

    def __init__(self, label, value, unit, target='', met=None):
        self.label = label
        self.value = value
        self.unit = unit
        self.target = target
        self.met = met

    def verdict(self):
        return '' if self.met is None else ('met' if self.met else 'missed')


def ratio(numerator, denominator):
    return numerator / denominator if denominator else float('inf')


def targets(medians, floors, args, startup):
    """The targets, from the median rows of the sections ({(key, phase, n): row})."""
    findings = []
    small, large, fleet = args.small_n, args.large_n, args.fleet_n
    role_audit, uri_audit = medians[('role', 'audit', small)], medians[('uri_loop', 'audit', small)]
    speedup = ratio(uri_audit['wall'], role_audit['wall'])
    findings.append(Finding('(a) audit vs (c) audit at N={0}'.format(small), speedup, 'x faster', 'at least 25x',
                            speedup >= 25))
    findings.append(Finding('(a) enforce vs (c) enforce at N={0}'.format(small), ratio(
        medians[('uri_loop', 'enforce', small)]['wall'], medians[('role', 'enforce', small)]['wall']), 'x faster'))
    floor = floors[large]
    within = ratio(medians[('role', 'audit', large)]['wall'], floor)
    findings.append(Finding('(a) audit of {0} vs the floor (d) {1:.2f} s'.format(large, floor), within, 'x the floor',
                            'within 2x', within <= 2))
    peak = max(medians[('role', phase, large)]['peak_mb'] for phase in ROLE_PHASES)
    findings.append(Finding('peak memory, (a) N={0}'.format(large), peak, 'MB', 'under 200 MB', peak < 200))
    bare = medians[('bare_client', 'audit', fleet)]['wall']
    within = ratio(medians[('role_discovery', 'audit', fleet)]['wall'], bare)
    findings.append(Finding('(e) audit of {0}, discovered, vs the bare client (f) {1:.2f} s'.format(fleet, bare),
                            within, 'x the bare client', 'within 1.3x', within <= 1.3))
    bare = medians[('bare_client', 'enforce', fleet)]['wall']
    within = ratio(medians[('role_discovery', 'enforce', fleet)]['wall'], bare)
    findings.append(Finding('(e) enforcement of {0} vs the bare client (f) {1:.2f} s'.format(fleet, bare), within,
                            'x the bare client', 'within 1.3x', within <= 1.3))
    peak = max(medians[('role_discovery', phase, fleet)]['peak_mb'] for phase in ROLE_PHASES)
    findings.append(Finding('peak memory, (e) N={0}'.format(fleet), peak, 'MB', 'under 300 MB', peak < 300))
    peak = max(medians[('bare_client', phase, fleet)]['peak_mb'] for phase in ROLE_PHASES)
    findings.append(Finding('peak memory, (f) N={0}'.format(fleet), peak, 'MB'))
    within = ratio(medians[('hosts', 'audit', large)]['wall'], medians[('role', 'audit', large)]['wall'])
    findings.append(Finding('(g) audit of {0} subuser-hosts vs (a) audit of the same'.format(large), within,
                            'x the role'))
    floor = medians[('hosts_floor', 'no-op', large)]['wall'] + medians[('role', 'audit', large)]['wall']
    within = ratio(medians[('hosts', 'audit', large)]['wall'], floor)
    findings.append(Finding('(g) audit of {0} vs (h) + (a) {1:.2f} s, its floor'.format(large, floor), within,
                            'x the floor', 'within 1.2x', within <= 1.2))
    for key, label in (('hosts', '(g)'), ('hosts_floor', '(h)')):
        peak = max(row['peak_mb'] for (row_key, dummy, n), row in medians.items() if row_key == key and n == large)
        findings.append(Finding('peak memory, {0} N={1}'.format(label, large), peak, 'MB'))
    peak = max(row['peak_mb'] for (row_key, dummy, n), row in medians.items() if row_key == 'role' and n == small)
    findings.append(Finding('peak memory, (a) N={0}'.format(small), peak, 'MB'))
    for phase in ('audit', 'enforce'):
        findings.append(Finding('(g) {0} of {1} vs (e) {0} of the same'.format(phase, fleet), ratio(
            medians[('hosts', phase, fleet)]['wall'], medians[('role_discovery', phase, fleet)]['wall']), 'x the role'))
    peak = max(medians[('hosts', phase, fleet)]['peak_mb'] for phase in ('audit', 'enforce'))
    findings.append(Finding('peak memory, (g) N={0}'.format(fleet), peak, 'MB', 'under 300 MB', peak < 300))
    return findings


# ---------------------------------------------------------------------------
# The runs.
# ---------------------------------------------------------------------------

def run_full(args, bench, workdir):
    """Every section, the workers curve and the rate-limited audit; returns what the docs show."""
    problems = []
    medians = {}
    floors = {}
    curve = []
    latency = args.latency_ms
    sections = full_sections(args)
    startup = None
    breakdown = None
    for section in sections:
        emulator = Emulator(workdir, section.n, section.latency_ms)
        try:
            if startup is None:
                startup = bench.startup(emulator)
            section_problems, rows = bench.section(emulator, section, args.repeat)
            problems += section_problems
            medians.update(((key, phase, section.n), row) for (key, phase), row in rows.items())
            if section.latency_ms == latency:
                floors[section.n] = startup + section.n * latency / 1000.0 / bench.workers
            if section.n == args.large_n and section.latency_ms == latency:
                print('== workers: the role\'s audit of {0} subusers'.format(args.large_n), flush=True)
                subusers = subuser_names(args.large_n)
                for workers in args.curve:
                    emulator.reset()
                    row = bench.measure(emulator, CONTENDERS['role'], 'audit', subusers, latency, workers=workers,
                                        note='workers curve')
                    curve.append({'workers': workers, 'n': args.large_n, 'wall': row['wall'],
                                  'floor': startup + args.large_n * latency / 1000.0 / workers})
            if section.n == args.fleet_n and 'role_discovery' in section.contenders:
                print('== where the time goes: the role\'s audit of {0} subusers, timed by task'.format(section.n),
                      flush=True)
                breakdown = bench.breakdown(emulator, CONTENDERS['role_discovery'], subuser_names(section.n),
                                            section.latency_ms)
        finally:
            emulator.stop()
    findings = targets(medians, floors, args, startup)

    print('== rate limited: {0} requests per {1:g} s, {2} subusers'.format(
        args.rate_limit, args.rate_window, args.large_n), flush=True)
    emulator = Emulator(workdir, args.large_n, latency, rate_limit=args.rate_limit, rate_window=args.rate_window)
    try:
        subusers = subuser_names(args.large_n)
        emulator.reset()
        row = bench.measure(emulator, CONTENDERS['role'], 'audit', subusers, latency,
                            note='rate limited {0}/{1:g} s'.format(args.rate_limit, args.rate_window))
        windows = math.ceil(len(subusers) / float(args.rate_limit))
        last_window = len(subusers) - (windows - 1) * args.rate_limit
        rate_floor = startup + (windows - 1) * args.rate_window + last_window * latency / 1000.0 / bench.workers
        within = row['wall'] / rate_floor
        findings.append(Finding('(a) rate-limited audit vs the rate-limit floor {0:.1f} s'.format(rate_floor),
                                within, 'x the floor', 'within 1.1x', within <= 1.1))
        findings.append(Finding('429s met by the rate-limited audit', row['rate_limited'], '', 'few'))
    finally:
        emulator.stop()
    return problems, findings, floors, curve, startup, breakdown


def run_smoke(args, bench, workdir):
    print('== smoke: N = {0}, no latency, every contender'.format(SMOKE.n), flush=True)
    emulator = Emulator(workdir, SMOKE.n, SMOKE.latency_ms)
    try:
        startup = bench.startup(emulator, repeat=1)
        problems = bench.section(emulator, SMOKE, repeat=1)[0]
    finally:
        emulator.stop()
    plot(bench.rows, {SMOKE.n: startup}, [], os.path.join(workdir, 'smoke.png'),
         os.path.join(workdir, 'smoke-workers.png'))
    if not os.path.getsize(os.path.join(workdir, 'smoke.png')):
        problems.append('the plot is empty')
    return problems


# A doubling of the workers that saves less than this per account is not worth its connections.
KNEE_SAVING_MS = 2.0


def curve_knee(curve):
    """The knee of the workers curve: the first worker count from which doubling it saves less
    than KNEE_SAVING_MS per account. An absolute saving, not a share of the wall time: the saving
    of a doubling is about N x latency / (2 x workers) whatever the machine, while a share of the
    wall time moves with the machine's speed. More workers past the knee buy little, and make a
    real account meet SendGrid's rate limit sooner."""
    points = sorted(curve, key=lambda point: point['workers'])
    for point, following in zip(points, points[1:]):
        if point['wall'] - following['wall'] < point['n'] * KNEE_SAVING_MS / 1000.0:
            return point['workers']
    return points[-1]['workers']


def format_value(value):
    return '{0:.2f}'.format(value) if isinstance(value, float) else str(value)


# Everything in docs/performance.md from this line on is written by hand, and kept by make bench.
KEPT_MARKER = '<!-- Written by hand from here on: make bench keeps it. -->'


def kept_part(path):
    try:
        with open(path) as handle:
            text = handle.read()
    except OSError:
        return ''
    return text[text.index(KEPT_MARKER):] if KEPT_MARKER in text else ''


def breakdown_table(wall, tasks, share=0.01):
    """Where the time of one run goes, by task: each task from its start to the next one's."""
    lines = ['| Task | Seconds | Share |', '|---|---:|---:|']
    other = wall - sum(seconds for dummy, seconds in tasks)
    shown = [(name, seconds) for name, seconds in tasks if seconds >= share * wall]
    rest = sum(seconds for name, seconds in tasks if seconds < share * wall)
    for name, seconds in shown:
        name = name.split(' : ', 1)[-1].replace('|', '/')
        lines.append('| {0} | {1:.2f} | {2:.0%} |'.format(name, seconds, seconds / wall))
    lines.append('| every other task (each under {0:.0%}) | {1:.2f} | {2:.0%} |'.format(share, rest, rest / wall))
    lines.append('| before the callback starts, and after the play (Python and Ansible start-up, exit) | {0:.2f} |'
                 ' {1:.0%} |'.format(other, other / wall))
    return '\n'.join(lines)


def write_docs(path, bench, findings, curve, startup, breakdown, args, machine):
    workers = {'workers': bench.workers}
    lines = [
        '# Performance',
        '',
        'Measured by `make bench` (`tests/benchmarks/bench.py`) on {0}, {1}.'.format(
            time.strftime('%Y-%m-%d'), machine),
        '',
        '## Method',
        '',
        'The emulator (`tests/emulator/sendgrid_emulator.py`) runs on 127.0.0.1 with N subusers, of which {0:.0%}'
        ' are out of policy (seed {1}), and a fixed latency per request: {2:g} ms at N={3} and N={4}, none at'
        ' N={5}. Each contender runs as a separate process (`ansible-playbook`, or Python for the bare client); the'
        ' wall time covers the whole process, start-up included. Requests and 429s come from the emulator\'s'
        ' request log (GET counts the settings reads, List the pages of the subuser listing); peak memory is the'
        ' summed proportional set size (PSS) of the process tree (for Ansible: the controller, its forked'
        ' workers and the module processes; PSS counts the pages the forks share once, where summed RSS would'
        ' count them once per process), sampled every 20 ms. The request counts are checked on every run.'.format(
            DRIFT_SHARE, SEED, args.latency_ms, args.small_n, args.large_n, args.fleet_n),
        '',
    ]
    for contender in CONTENDERS.values():
        repeated = (' Each phase runs {0} times from the same start; the table shows the median run.'.format(
            args.repeat) if contender.repeated and args.repeat > 1 else '')
        lines.append('- **{0}** {1}.{2}'.format(contender.label.split(' ', 1)[0], contender.description.format(
            **workers), repeated))
    lines += [
        '- **(d)** the floor at 50 ms: the start-up of `ansible-playbook` with one no-op task (the median of five'
        ' runs: {0:.2f} s) plus N x latency / workers.'.format(startup),
        '',
        'Sections: N={0} at {1:g} ms: (a), (b), (c); N={2} at {1:g} ms: (a), its workers curve, and a rate-limited'
        ' audit; N={3} with no latency: (e) and (f), then one more audit of (e) timed by task (below). Playbooks:'
        ' `tests/benchmarks/playbooks/`. The machine runs the emulator and the contender side by side; with no'
        ' latency, the emulator\'s own CPU time is part of every figure, the bare client\'s too.'.format(
            args.small_n, args.latency_ms, args.large_n, args.fleet_n),
        '',
        '## Results',
        '',
        table(bench.rows),
        '',
        '![wall time against N](performance.png)',
        '',
        '## Targets',
        '',
        '| Measure | Result | Target | |',
        '|---|---:|---|---|',
    ]
    for finding in findings:
        lines.append('| {0} | {1} {2} | {3} | {4} |'.format(
            finding.label, format_value(finding.value), finding.unit, finding.target, finding.verdict()))
    lines += [
        '',
        '## Workers',
        '',
        'The role\'s audit of {0} subusers at {1:g} ms latency, by the number of workers:'.format(
            args.large_n, args.latency_ms),
        '',
        '| Workers | Wall (s) | Floor (s) |',
        '|---:|---:|---:|',
    ]
    for point in curve:
        lines.append('| {workers} | {wall:.2f} | {floor:.2f} |'.format(**point))
    lines += ['', '![wall time against workers](performance-workers.png)', '']
    if curve:
        lines += [
            'The knee of the curve, the first worker count from which the next step saves less than {0:g} ms per'
            ' account (a doubling saves about N x latency / (2 x workers) on any machine; {0:g} ms per account is'
            ' {3:.0f} s on this audit of {4}): **{1}**. The module\'s default (`workers`) is **{2}**. Workers'
            ' past the knee buy little here, make a real account meet SendGrid\'s rate limit sooner, and move'
            ' the role away from its floor, which they lower faster than they lower its own fixed cost. The client'
            ' paces itself by `X-RateLimit-Remaining` whatever the count.'.format(
                KNEE_SAVING_MS, curve_knee(curve), bench.workers, KNEE_SAVING_MS * args.large_n / 1000.0,
                args.large_n),
            '']
    if breakdown:
        wall, tasks = breakdown
        lines += [
            '## The audit of {0} subusers, by task'.format(args.fleet_n),
            '',
            'One more audit of (e), with the callback `tests/benchmarks/callbacks/bench_timer.py` ({0:.2f} s in'
            ' all, not in the medians above): each task from its start to the start of the next, so that the'
            ' processing of its results is in it.'.format(wall),
            '',
            breakdown_table(wall, tasks),
            '',
        ]
    kept = kept_part(path)
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines) + ('\n' + kept if kept else ''))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--smoke', action='store_true',
                        help='N = {0}, no latency, every contender once; checks the counts, prints figures'.format(
                            SMOKE_N))
    parser.add_argument('--latency-ms', type=float, default=50)
    parser.add_argument('--small-n', type=int, default=100, help='N for every contender')
    parser.add_argument('--large-n', type=int, default=1000, help='N for the role and the floor')
    parser.add_argument('--fleet-n', type=int, default=10000,
                        help='N, with no latency, for the role with discovery and the bare client')
    parser.add_argument('--repeat', type=int, default=3,
                        help="runs of each phase of a repeated contender (the role, the bare client) at each N;"
                             " the median is reported")
    parser.add_argument('--workers', type=int, default=None, help="the role's workers (default: the module's)")
    parser.add_argument('--curve', default='1,2,4,8,16,32,64', help='worker counts for the curve')
    parser.add_argument('--rate-limit', type=int, default=600)
    parser.add_argument('--rate-window', type=float, default=60)
    parser.add_argument('--docs', default=os.path.join(REPO, 'docs', 'performance.md'),
                        help='where to write the results (the plots go beside it)')
    args = parser.parse_args(argv)
    args.curve = [int(value) for value in args.curve.split(',') if value]
    return args


def read_constant(relative_path, name):
    """A whole-number constant from the collection's source (the benchmark runs outside Ansible's import machinery)."""
    with open(os.path.join(REPO, relative_path)) as handle:
        return int(re.search(r'^{0} = (\d+)'.format(name), handle.read(), re.M).group(1))


def default_workers():
    """The module's default workers."""
    return read_constant(os.path.join('plugins', 'modules', 'sendgrid_enforced_tls.py'), 'DEFAULT_WORKERS')


def subusers_page_size():
    """The subuser listing's page size (the client's default, and sendgrid_subuser_info's)."""
    return read_constant(os.path.join('plugins', 'module_utils', '_sendgrid_api.py'), 'SUBUSERS_PAGE_SIZE')


def main(argv=None):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='mailops-sendgrid-bench.')
    # The collection as ansible_collections.mailops.sendgrid, for ansible-playbook and the bare client.
    collections_dir = os.path.join(workdir, 'collections')
    os.makedirs(os.path.join(collections_dir, 'ansible_collections', 'mailops'))
    os.symlink(REPO, os.path.join(collections_dir, 'ansible_collections', 'mailops', 'sendgrid'))
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = collections_dir
    os.environ['PYTHONPATH'] = os.pathsep.join(filter(None, [collections_dir, os.environ.get('PYTHONPATH')]))
    bench = Bench(workdir, args.workers or default_workers())
    machine = machine_description()
    print('Machine: ' + machine, flush=True)
    try:
        curve = []
        findings = []
        if args.smoke:
            problems = run_smoke(args, bench, workdir)
        else:
            problems, findings, floors, curve, startup, breakdown = run_full(args, bench, workdir)
            docs_dir = os.path.dirname(args.docs)
            plot(bench.rows, floors, curve, os.path.join(docs_dir, 'performance.png'),
                 os.path.join(docs_dir, 'performance-workers.png'))
            write_docs(args.docs, bench, findings, curve, startup, breakdown, args, machine)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(bench.rows))
    for finding in findings:
        print('{0}: {1} {2} (target: {3}) {4}'.format(finding.label, format_value(finding.value), finding.unit,
                                                      finding.target or '-', finding.verdict()))
    if not args.smoke and curve:
        print('workers: the knee of the curve: {0}; the module default: {1}'.format(curve_knee(curve), bench.workers))
    for problem in problems:
        print('COUNT MISMATCH: ' + problem)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
