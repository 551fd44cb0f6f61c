# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: audit and enforce N subusers, the collection against the alternatives.

``make bench`` runs it in full and writes docs/performance.md with its plots;
``make test`` runs ``--smoke`` (N = 20, no latency) so that it cannot rot. It prints
figures; it never passes or fails on speed. The smoke run fails only if the
request counts are wrong, which would make every figure meaningless.

Contenders, each against the emulator (tests/emulator/) with a fixed latency:

(a) the ``enforced_tls_baseline`` role (batch mode): an audit in check mode, an
    enforcement, and a second enforcement;
(b) the collection's module in a plain ``loop:`` over the subusers;
(c) ``ansible.builtin.uri``, a GET and a conditional PATCH per subuser, in loops;
(d) the floor: the start-up of ``ansible-playbook`` with one no-op task, measured,
    plus N x latency / workers.

For each run: wall time, API requests by method, HTTP 429s received (from the
emulator's request log), and the peak memory (summed PSS) of the ansible-playbook
process tree, sampled every 20 ms from /proc.
"""

from __future__ import annotations

import argparse
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
API_KEY = 'SG.emulator-full-access'
DRIFT_SHARE = 0.3
SEED = 7


# ---------------------------------------------------------------------------
# Processes: the emulator, and ansible-playbook with its memory sampled.
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
        """Requests by method and 429s since the last call, and clear the log."""
        log = self.control('log')
        self.control('log', 'DELETE')
        methods = {}
        for entry in log['requests']:
            methods[entry['method']] = methods.get(entry['method'], 0) + 1
        return {'GET': methods.get('GET', 0), 'PATCH': methods.get('PATCH', 0),
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


def run_playbook(playbook, extra_vars, environment, check=False):
    """Run one playbook; returns wall seconds, peak tree memory in MB, and the output."""
    beside_python = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    command = [beside_python if os.path.exists(beside_python) else 'ansible-playbook',
               os.path.join(PLAYBOOKS, playbook), '-e', '@' + extra_vars]
    if check:
        command.append('--check')
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
        raise RuntimeError('{0} failed (rc {1}):\n{2}'.format(playbook, process.returncode, output[-3000:]))
    return wall, peak / 1e6, output


# ---------------------------------------------------------------------------
# The contenders.
# ---------------------------------------------------------------------------

class Bench:

    def __init__(self, workdir, workers):
        self.workdir = workdir
        self.workers = workers
        self.rows = []
        self.environment = dict(os.environ, SENDGRID_API_KEY=API_KEY, ANSIBLE_LOCALHOST_WARNING='false',
                                ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1')

    def vars_file(self, subusers, **extra):
        path = os.path.join(self.workdir, 'vars.json')
        data = {'bench_subusers': subusers, 'bench_workers': self.workers}
        data.update(extra)
        with open(path, 'w') as handle:
            json.dump(data, handle)
        return path

    def measure(self, emulator, contender, phase, playbook, subusers, latency_ms, check=False, workers=None,
                note='', **extra):
        environment = dict(self.environment, SENDGRID_API_URL=emulator.url)
        workers = workers or self.workers
        saved, self.workers = self.workers, workers
        try:
            vars_path = self.vars_file(subusers, **extra)
        finally:
            self.workers = saved
        emulator.take_log()
        wall, peak_mb, output = run_playbook(playbook, vars_path, environment, check=check)
        log = emulator.take_log()
        row = {'contender': contender, 'phase': phase, 'n': len(subusers), 'latency_ms': latency_ms,
               'workers': workers if contender.startswith('(a)') else 1, 'wall': wall, 'peak_mb': peak_mb,
               'get': log['GET'], 'patch': log['PATCH'], 'rate_limited': log['rate_limited'],
               'patched': log['patched'], 'note': note}
        self.rows.append(row)
        print('  {contender:<22} {phase:<9} N={n:<5} workers={workers:<3} {wall:7.2f} s  GET {get:<5} PATCH {patch:<5}'
              ' 429s {rate_limited:<3} peak {peak_mb:6.1f} MB {note}'.format(**row), flush=True)
        return row

    def startup(self, emulator, repeat=5):
        """The floor's measured part: ansible-playbook start-up with one no-op task (median)."""
        walls = [self.measure(emulator, '(d) floor: no-op play', 'start-up', 'noop.yml', [], 0)['wall']
                 for dummy in range(repeat)]
        self.rows = [row for row in self.rows if row['phase'] != 'start-up']
        return statistics.median(walls)

    def role_runs(self, emulator, subusers, latency_ms, repeat=1, label='(a)'):
        """Audit, enforce and enforce again, `repeat` times from the same start; the median run of each phase.

        Returns the request-count problems of every repetition and the median rows; only those stay in the table.
        """
        problems = []
        runs = {'audit': [], 'enforce': [], 'enforce 2': []}
        for dummy in range(repeat):
            emulator.reset()
            drifted = emulator.drifted()
            for phase, rows in runs.items():
                rows.append(self.measure(emulator, '(a) role (batch)', phase, 'role.yml', subusers, latency_ms,
                                         check=(phase == 'audit')))
            problems += check_counts(label, subusers, drifted, runs['audit'][-1], runs['enforce'][-1],
                                     runs['enforce 2'][-1])
        measured = [row for rows in runs.values() for row in rows]
        self.rows = [row for row in self.rows if not any(row is other for other in measured)]
        medians = [median_row(rows) for rows in runs.values()]
        self.rows += medians
        return [problems] + medians

    def loop_runs(self, emulator, contender, playbook, subusers, latency_ms, **audit_vars):
        emulator.reset()
        drifted = emulator.drifted()
        audit = self.measure(emulator, contender, 'audit', playbook, subusers, latency_ms,
                             check=not audit_vars, **audit_vars)
        enforce = self.measure(emulator, contender, 'enforce', playbook, subusers, latency_ms)
        return drifted, audit, enforce


def median_row(rows):
    """The row of median wall time (the lower middle one for an even count)."""
    return sorted(rows, key=lambda row: row['wall'])[(len(rows) - 1) // 2]


def check_counts(label, subusers, drifted, audit, enforce, again=None):
    """The request counts every figure rests on: exact, or the benchmark is wrong."""
    problems = []
    if audit['get'] != len(subusers) or audit['patch'] != 0:
        problems.append('{0} audit: {1} GET / {2} PATCH, expected {3} / 0'.format(
            label, audit['get'], audit['patch'], len(subusers)))
    if enforce['patch'] != len(drifted) or enforce['patched'] != drifted:
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
        ansible = subprocess.run(['ansible', '--version'], capture_output=True, text=True, check=False).stdout.splitlines()[0]
    except (OSError, IndexError):
        ansible = 'ansible (unknown version)'
    memory_gb = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30
    return '{0} CPU(s) ({1}), {2:.0f} GiB RAM, {3} {4}, Python {5}, {6}'.format(
        os.cpu_count(), cpu, memory_gb, platform.system(), platform.release(), platform.python_version(), ansible)


def table(rows):
    lines = ['| Contender | Phase | N | Latency | Workers | Wall (s) | GET | PATCH | 429s | Peak MB (PSS) | Run |',
             '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|']
    for row in rows:
        lines.append('| {contender} | {phase} | {n} | {latency_ms:g} ms | {workers} | {wall:.2f} | {get} | {patch} |'
                     ' {rate_limited} | {peak_mb:.0f} | {note} |'.format(**row))
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
# The runs.
# ---------------------------------------------------------------------------

def subuser_names(count):
    return ['subuser-{0:04d}'.format(index + 1) for index in range(count)]


def run_full(args, bench, workdir):
    findings = []
    problems = []
    floors = {}
    curve = []
    latency = args.latency_ms

    print('== N = {0}: every contender, latency {1:g} ms'.format(args.small_n, latency), flush=True)
    emulator = Emulator(workdir, args.small_n, latency)
    try:
        startup = bench.startup(emulator)
        subusers = subuser_names(args.small_n)
        floors[args.small_n] = startup + args.small_n * latency / 1000.0 / bench.workers
        role_problems, a_audit, a_enforce, a_again = bench.role_runs(emulator, subusers, latency,
                                                                     repeat=args.repeat)
        problems += role_problems
        drifted, b_audit, b_enforce = bench.loop_runs(emulator, '(b) module in a loop', 'module_loop.yml',
                                                      subusers, latency)
        problems += check_counts('(b)', subusers, drifted, b_audit, b_enforce)
        drifted, c_audit, c_enforce = bench.loop_runs(emulator, '(c) uri in loops', 'uri_loop.yml', subusers,
                                                      latency, bench_audit=True)
        problems += check_counts('(c)', subusers, drifted, c_audit, c_enforce)
    finally:
        emulator.stop()
    findings.append(('(a) audit vs (c) audit at N={0}'.format(args.small_n), c_audit['wall'] / a_audit['wall'],
                     'x faster', 'at least 20x'))
    findings.append(('(a) enforce vs (c) enforce at N={0}'.format(args.small_n),
                     c_enforce['wall'] / a_enforce['wall'], 'x faster', ''))

    print('== N = {0}: the role and the floor, latency {1:g} ms'.format(args.large_n, latency), flush=True)
    emulator = Emulator(workdir, args.large_n, latency)
    try:
        subusers = subuser_names(args.large_n)
        floors[args.large_n] = startup + args.large_n * latency / 1000.0 / bench.workers
        role_problems, a_audit, a_enforce, a_again = bench.role_runs(
            emulator, subusers, latency, repeat=args.repeat, label='(a) N={0}'.format(args.large_n))
        problems += role_problems
        findings.append(('(a) audit of {0} vs the floor (d) {1:.2f} s'.format(args.large_n, floors[args.large_n]),
                         a_audit['wall'] / floors[args.large_n], 'x the floor', 'within 2x'))
        findings.append(('peak memory, (a) N={0}'.format(args.large_n),
                         max(a_audit['peak_mb'], a_enforce['peak_mb'], a_again['peak_mb']), 'MB', 'under 200 MB'))

        print('== workers: the role\'s audit of {0} subusers'.format(args.large_n), flush=True)
        for workers in args.curve:
            emulator.reset()
            row = bench.measure(emulator, '(a) role (batch)', 'audit', 'role.yml', subusers, latency, check=True,
                                workers=workers, note='workers curve')
            curve.append({'workers': workers, 'n': args.large_n, 'wall': row['wall'],
                          'floor': startup + args.large_n * latency / 1000.0 / workers})
    finally:
        emulator.stop()

    print('== rate limited: {0} requests per {1:g} s, {2} subusers'.format(
        args.rate_limit, args.rate_window, args.large_n), flush=True)
    emulator = Emulator(workdir, args.large_n, latency, rate_limit=args.rate_limit, rate_window=args.rate_window)
    try:
        subusers = subuser_names(args.large_n)
        emulator.reset()
        row = bench.measure(emulator, '(a) role (batch)', 'audit', 'role.yml', subusers, latency, check=True,
                            note='rate limited {0}/{1:g} s'.format(args.rate_limit, args.rate_window))
        windows = math.ceil(len(subusers) / float(args.rate_limit))
        last_window = len(subusers) - (windows - 1) * args.rate_limit
        rate_floor = startup + (windows - 1) * args.rate_window + last_window * latency / 1000.0 / bench.workers
        findings.append(('(a) rate-limited audit vs the rate-limit floor {0:.1f} s'.format(rate_floor),
                         row['wall'] / rate_floor, 'x the floor', 'within 1.1x'))
        findings.append(('429s met by the rate-limited audit', row['rate_limited'], '', 'few'))
    finally:
        emulator.stop()
    return problems, findings, floors, curve, startup


def run_smoke(args, bench, workdir):
    n = 20
    print('== smoke: N = {0}, no latency, every contender'.format(n), flush=True)
    emulator = Emulator(workdir, n, 0)
    problems = []
    try:
        startup = bench.startup(emulator, repeat=1)
        subusers = subuser_names(n)
        if not emulator.drifted():
            problems.append('the emulator has no drifted subusers: nothing is measured')
        problems += bench.role_runs(emulator, subusers, 0)[0]
        problems += check_counts('(b)', subusers, *bench.loop_runs(emulator, '(b) module in a loop',
                                                                   'module_loop.yml', subusers, 0))
        problems += check_counts('(c)', subusers, *bench.loop_runs(emulator, '(c) uri in loops', 'uri_loop.yml',
                                                                   subusers, 0, bench_audit=True))
    finally:
        emulator.stop()
    floors = {n: startup}
    plot(bench.rows, floors, [], os.path.join(workdir, 'smoke.png'), os.path.join(workdir, 'smoke-workers.png'))
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


def write_docs(path, bench, findings, floors, curve, startup, args, machine):
    lines = [
        '# Performance',
        '',
        'Measured by `make bench` (`tests/benchmarks/bench.py`) on {0}, {1}.'.format(
            time.strftime('%Y-%m-%d'), machine),
        '',
        '## Method',
        '',
        'The emulator (`tests/emulator/sendgrid_emulator.py`) runs on 127.0.0.1 with a fixed latency of {0:g} ms'
        ' per request and N subusers, of which {1:.0%} are out of policy (seed {2}). Each contender runs as a'
        ' separate `ansible-playbook` process; the wall time covers the whole process, start-up included. Requests'
        ' and 429s come from the emulator\'s request log; peak memory is the summed proportional set size (PSS) of'
        ' the `ansible-playbook` process tree (the controller, its forked workers and the module processes; PSS'
        ' counts the pages the forks share once, where summed RSS would count them once per process), sampled'
        ' every 20 ms.'.format(
            args.latency_ms, DRIFT_SHARE, SEED),
        '',
        '- **(a)** the role `enforced_tls_baseline` (batch mode, {0} workers): an audit in check mode, an'
        ' enforcement, a second enforcement; each of the three runs {1} times from the same start, and the table'
        ' shows the median run (the request counts are checked on every run).'.format(bench.workers, args.repeat),
        '- **(b)** the module `sendgrid_enforced_tls` in a plain `loop:` over the subusers (audit with `--check`).',
        '- **(c)** `ansible.builtin.uri` in loops: a GET per subuser, then a PATCH for each that differs (the audit'
        ' runs only the GETs).',
        '- **(d)** the floor: the start-up of `ansible-playbook` with one no-op task (the median of five runs:'
        ' {0:.2f} s) plus'
        ' N x latency / workers.'.format(startup),
        '',
        'Playbooks: `tests/benchmarks/playbooks/`. The machine runs the emulator and Ansible side by side.',
        '',
        '## Results',
        '',
        table(bench.rows),
        '',
        '![wall time against N](performance.png)',
        '',
        '## Targets',
        '',
        '| Measure | Result | Target |',
        '|---|---:|---|',
    ]
    for label, value, unit, target in findings:
        lines.append('| {0} | {1} {2} | {3} |'.format(label, format_value(value), unit, target))
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
            ' the role away from its floor, which they lower faster than they lower its own fixed cost. The client paces itself by'
            ' `X-RateLimit-Remaining` whatever the count.'.format(
                KNEE_SAVING_MS, curve_knee(curve), bench.workers, KNEE_SAVING_MS * args.large_n / 1000.0,
                args.large_n),
            '']
    with open(path, 'w') as handle:
        handle.write('\n'.join(lines))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--smoke', action='store_true', help='N = 20, no latency; checks the counts, prints figures')
    parser.add_argument('--latency-ms', type=float, default=50)
    parser.add_argument('--small-n', type=int, default=100, help='N for every contender')
    parser.add_argument('--large-n', type=int, default=1000, help='N for the role and the floor')
    parser.add_argument('--repeat', type=int, default=3,
                        help="runs of the role's audit, enforce and second enforce at each N; the median is reported")
    parser.add_argument('--workers', type=int, default=None, help="the role's workers (default: the module's)")
    parser.add_argument('--curve', default='1,2,4,8,16,32,64', help='worker counts for the curve')
    parser.add_argument('--rate-limit', type=int, default=600)
    parser.add_argument('--rate-window', type=float, default=60)
    parser.add_argument('--docs', default=os.path.join(REPO, 'docs', 'performance.md'),
                        help='where to write the results (the plots go beside it)')
    args = parser.parse_args(argv)
    args.curve = [int(value) for value in args.curve.split(',') if value]
    return args


def default_workers():
    """The module's default, read from its source (the benchmark runs outside Ansible's import machinery)."""
    with open(os.path.join(REPO, 'plugins', 'modules', 'sendgrid_enforced_tls.py')) as handle:
        return int(re.search(r'^DEFAULT_WORKERS = (\d+)', handle.read(), re.M).group(1))


def main(argv=None):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='mailops-sendgrid-bench.')
    collections = os.path.join(workdir, 'collections', 'ansible_collections', 'mailops')
    os.makedirs(collections)
    os.symlink(REPO, os.path.join(collections, 'sendgrid'))
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = os.path.join(workdir, 'collections')
    bench = Bench(workdir, args.workers or default_workers())
    machine = machine_description()
    print('Machine: ' + machine, flush=True)
    try:
        curve = []
        if args.smoke:
            problems = run_smoke(args, bench, workdir)
            findings = []
        else:
            problems, findings, floors, curve, startup = run_full(args, bench, workdir)
            docs_dir = os.path.dirname(args.docs)
            plot(bench.rows, floors, curve, os.path.join(docs_dir, 'performance.png'),
                 os.path.join(docs_dir, 'performance-workers.png'))
            write_docs(args.docs, bench, findings, floors, curve, startup, args, machine)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(bench.rows))
    for label, value, unit, target in findings:
        print('{0}: {1} {2} (target: {3})'.format(label, format_value(value), unit, target or '-'))
    if not args.smoke and curve:
        print('workers: the knee of the curve: {0}; the module default: {1}'.format(curve_knee(curve), bench.workers))
    for problem in problems:
        print('COUNT MISMATCH: ' + problem)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
