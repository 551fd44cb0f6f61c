# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's playbooks run the way AWX runs every job: through ansible-runner.

Each entry of RUNS is one job. This script (started by runme.sh) gives each its own emulator (on
127.0.0.1, a free port, seeded with the run's fleet and a key made anew) and its own private data
directory, laid out as AWX lays one out:

    env/envvars       SENDGRID_API_KEY and SENDGRID_API_URL, as an AWX credential injects them;
                      ANSIBLE_COLLECTIONS_PATH (ansible-test's, where the collection is), and the
                      inventory plugin enabled (ANSIBLE_INVENTORY_ENABLED) with every source required
                      to parse (ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED)
    env/settings      ansible-runner's own settings: a job timeout
    env/extravars     the run's extra vars (written by ansible-runner, as AWX passes them)
    inventory/subusers.sendgrid.yml   plugin: mailops.sendgrid.subusers (the hosts of the plugin;
                      the playbooks that run on localhost get the implicit localhost, as in AWX)
    project/          the project: files/project/ (a collection playbook runs by its FQCN, which
                      ansible-runner hands to ansible-playbook as it is)

and runs it with ansible_runner.run(), the jsonfile fact cache on (artifacts/<ident>/fact_cache, as
AWX's use_fact_cache), the events taken by an event handler as AWX takes them. Then it checks:

1. the job's status and return code;
2. the events: one playbook_on_start, one playbook_on_stats, and that event's artifact_data (the
   set_stats data AWX passes on in a workflow) equal to the run's stats;
3. each host's outcome (failed, unreachable, changed, ok, skipped), from the runner_on_* events and
   from the stats event's dicts, which must agree with each other and with the run's hosts and
   host_counts;
4. the facts the fact cache holds for each host, against the run's facts;
5. the key, whole and its secret part alone, in every file of the private data directory but the
   input env/envvars: there must be no hit, but for a run with planted leaks, where the hits must
   be exactly in the kinds of artifact it plants them in. ansible-runner writes the whole
   environment of ansible-playbook, the injected key with it, to artifacts/<ident>/command: there
   the key must be the value of SENDGRID_API_KEY (so the credential did reach the job), and nowhere
   else in that file.

Before the runs, a self-test shows that each check finds what it is there to find (--self-test runs
only that). Nothing here prints a key; at the end the key of each run is masked in every file it
left, so tests/output keeps none.

    runme.sh [ansible-playbook options]    (ansible-test passes e.g. -v; every run gets them)
    runme.sh --self-test
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))

# ----------------------------------------------------------------------------------------------
# The fleets the emulators are seeded with
# ----------------------------------------------------------------------------------------------

BASELINE = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
STRICTER = {'require_tls': True, 'require_valid_cert': True, 'version': 1.3}
LOOSE = {'require_tls': False, 'require_valid_cert': False, 'version': 1.1}


def account(name, settings, **more):
    return dict(more, username=name, settings=dict(settings))


# Every account meets the audit's policy (TLS and a valid certificate required, TLS 1.2 at least);
# one goes beyond it.
FLEET_COMPLIANT = {
    'parent': {'settings': BASELINE},
    'subusers': [account('compliant-a', BASELINE), account('compliant-b', BASELINE), account('stricter-a', STRICTER)],
}
# The parent and two subusers meet the policy, two subusers drift from it, and a disabled one (out
# of policy too) is neither audited nor a host of the inventory plugin.
FLEET_DRIFT = {
    'parent': {'settings': BASELINE},
    'subusers': [
        account('compliant-a', BASELINE),
        account('compliant-b', BASELINE),
        account('drift-a', LOOSE),
        account('drift-b', dict(BASELINE, require_valid_cert=False)),
        account('disabled-a', LOOSE, disabled=True),
    ],
}
# The enabled subusers of FLEET_DRIFT: the hosts of the inventory plugin.
FLEET_DRIFT_HOSTS = ('compliant-a', 'compliant-b', 'drift-a', 'drift-b')


def fleet_stats(total, compliant=0, drift=0, failed=0, changed=0, exempt=0, stricter=0):
    """The set_stats data of every playbook of the collection (the counts of its report, summed over the
    batches of a play with serial): integers named enforced_tls_<count>."""
    counts = {'total': total, 'compliant': compliant, 'drift': drift, 'failed': failed, 'changed': changed,
              'exempt': exempt, 'out_of_policy': drift + failed, 'stricter': stricter}
    return {'enforced_tls_' + name: value for name, value in counts.items()}


# ----------------------------------------------------------------------------------------------
# The runs
# ----------------------------------------------------------------------------------------------

# A host's outcome in a job, worst first: the one a host gets is the worst of its tasks'.
OUTCOMES = ('failed', 'unreachable', 'changed', 'ok', 'skipped')
# The kinds of artifact a leak is found in (see artifact_kind).
ARTIFACT_KINDS = ('stdout', 'stderr', 'job_events', 'fact_cache', 'command', 'status', 'rc', 'env', 'inventory',
                  'project', 'other')


@dataclass(frozen=True)
class Run:
    """One AWX job: ansible_runner.run(playbook=PLAYBOOK, extravars=EXTRA_VARS) on an emulator seeded
    with FLEET (started with EMULATOR_OPTIONS), and what it must show.

    playbook: a collection playbook by its FQCN, or a file of files/project/.
    status: ansible-runner's status, 'successful' (rc 0) or 'failed' (rc 2: a host failed).
    hosts: each host's outcome (OUTCOMES), from its runner_on_* events and from the stats event
        alike; every host of the job must be named. None: not checked.
    host_counts: how many hosts had each outcome (outcomes not named: none). None: not checked. For
        fleets too large to name every host.
    stats: the set_stats data, exactly (the stats event's artifact_data).
    facts: per host, facts the fact cache must hold with these values (others may be there too); of a
        dict, only the keys given are compared (so that a timestamp need not be named).
    leaks: the kinds of artifact (ARTIFACT_KINDS) the run plants the key in on purpose: the scan
        must find it in each of them and in no other. Empty: the key must be nowhere.
    """
    name: str
    playbook: str
    fleet: dict
    status: str
    extra_vars: dict = field(default_factory=dict)
    emulator_options: tuple = ()
    inventory: dict = field(default_factory=lambda: {'plugin': 'mailops.sendgrid.subusers'})
    limit: Optional[str] = None
    hosts: Optional[dict] = None
    host_counts: Optional[dict] = None
    stats: Optional[dict] = None
    facts: Optional[dict] = None
    leaks: tuple = ()


def by_outcome(**hosts):
    """{host: outcome} of hosts listed by outcome: by_outcome(ok=['a'], changed=['b', 'c'])."""
    unknown = set(hosts) - set(OUTCOMES)
    if unknown:
        raise ValueError('not outcomes: {0}'.format(', '.join(sorted(unknown))))
    return {host: outcome for outcome, names in hosts.items() for host in names}


AUDIT = 'mailops.sendgrid.audit'
ALL_SUBUSERS = {'sendgrid_all_subusers': True}


def hosts_facts(mode, **hosts_by_status):
    """{host: {'sendgrid_enforced_tls': {'account', 'mode', 'status'}}} of hosts listed by their status."""
    return {host: {'sendgrid_enforced_tls': {'account': host, 'mode': mode, 'status': status}}
            for status, hosts in hosts_by_status.items() for host in hosts}


# A run of a fleet too large to name every host gives host_counts={'ok': N, ...} instead of hosts
# (the emulator's --subusers N and --compliant-share, in emulator_options); limit is a job
# template's limit. Each run has an emulator of its own: an enforcement changes only its own fleet.

RUNS = [
    # Nothing out of policy: the job succeeds, and the audit changes nothing.
    Run('audit-compliant', AUDIT, FLEET_COMPLIANT, 'successful', extra_vars=ALL_SUBUSERS,
        hosts={'localhost': 'ok'}, stats=fleet_stats(4, compliant=4, stricter=1)),
    # Drift, with sendgrid_fail_on_drift at its default (true): the job fails, on localhost, after the
    # counts are published.
    Run('audit-drift', AUDIT, FLEET_DRIFT, 'failed', extra_vars=ALL_SUBUSERS,
        hosts={'localhost': 'failed'}, stats=fleet_stats(5, compliant=3, drift=2)),
    # The same drift reported without failing: the audit's check-mode batch call "would change".
    Run('audit-drift-no-fail', AUDIT, FLEET_DRIFT, 'successful', extra_vars=dict(ALL_SUBUSERS, sendgrid_fail_on_drift=False),
        hosts={'localhost': 'changed'}, stats=fleet_stats(5, compliant=3, drift=2)),
    # Each account a host of the inventory plugin: drift is "changed" (in check mode), and stays; the
    # verdict on localhost fails the job (sendgrid_fail_on_drift, true by default).
    Run('audit-hosts-drift', 'mailops.sendgrid.audit_hosts', FLEET_DRIFT, 'failed',
        hosts=by_outcome(ok=['compliant-a', 'compliant-b'], changed=['drift-a', 'drift-b'], failed=['localhost']),
        stats=fleet_stats(4, compliant=2, drift=2),
        facts=hosts_facts('audit', compliant=['compliant-a', 'compliant-b'], drift=['drift-a', 'drift-b'])),
    # The same enforced, canary first (serial [1, '10%', '100%']): the counts are summed over the batches.
    Run('enforce-hosts-drift', 'mailops.sendgrid.enforce_hosts', FLEET_DRIFT, 'successful',
        hosts=by_outcome(ok=['compliant-a', 'compliant-b', 'localhost'], changed=['drift-a', 'drift-b']),
        stats=fleet_stats(4, compliant=2, changed=2),
        facts=hosts_facts('enforce', compliant=['compliant-a', 'compliant-b'], changed=['drift-a', 'drift-b'])),
    # The inventory plugin's hosts in serial batches, with per-host outcomes, cached facts, summed
    # stats, and the key planted where the scan must find it (files/project/hosts_probe.yml).
    Run('hosts-probe', 'hosts_probe.yml', FLEET_DRIFT, 'failed',
        extra_vars={'awx_runner_probe_outcomes': {'drift-a': 'changed', 'drift-b': 'failed'},
                    'awx_runner_probe_leaky': 'compliant-b'},
        hosts=by_outcome(ok=['compliant-a', 'compliant-b'], changed=['drift-a'], failed=['drift-b']),
        host_counts={'ok': 2, 'changed': 1, 'failed': 1},
        stats={'awx_runner_probe_total': 4, 'awx_runner_probe_changed': 1, 'awx_runner_probe_failed': 1,
               'awx_runner_probe_mode': 'probe'},
        facts={host: {'awx_runner_probe': {'account': host, 'outcome': outcome}}
               for host, outcome in zip(FLEET_DRIFT_HOSTS, ('ok', 'ok', 'changed', 'failed'))},
        leaks=('stdout', 'job_events', 'fact_cache')),
]

# Two jobs at a time, each with its own emulator and private data directory. The machines have two
# cores; an audit costs ansible-playbook about 4 s of CPU.
WORKERS = 2
# ansible-runner's job_timeout (env/settings): a hung job ends as status "timeout".
JOB_TIMEOUT = 300

# ----------------------------------------------------------------------------------------------
# Per-host outcomes, stats and facts (each check returns a list of problems, empty when all is well)
# ----------------------------------------------------------------------------------------------


def worst(outcomes):
    return min(outcomes, key=OUTCOMES.index)


def host_outcomes_from_events(events):
    """{host: outcome} from the runner_on_* events: a failure with ignore_errors counts as ok, a
    loop's items (runner_item_on_*) are left to their task's event."""
    seen = {}
    for event in events:
        kind, data = event.get('event', ''), event.get('event_data', {})
        host = data.get('host')
        if not host or not kind.startswith('runner_on_'):
            continue
        if kind == 'runner_on_failed':
            outcome = 'ok' if data.get('ignore_errors') else 'failed'
        elif kind == 'runner_on_unreachable':
            outcome = 'unreachable'
        elif kind == 'runner_on_ok':
            outcome = 'changed' if (data.get('res') or {}).get('changed') else 'ok'
        elif kind == 'runner_on_skipped':
            outcome = 'skipped'
        else:  # runner_on_start, and the async events
            continue
        seen.setdefault(host, []).append(outcome)
    return {host: worst(outcomes) for host, outcomes in seen.items()}


def host_outcomes_from_stats(stats):
    """{host: outcome} from the playbook_on_stats event's data: its dicts failures, dark, changed, ok
    and skipped each count a host's tasks of that kind (ok counts the changed ones too)."""
    dicts = {'failed': 'failures', 'unreachable': 'dark', 'changed': 'changed', 'ok': 'ok', 'skipped': 'skipped'}
    hosts = set()
    for name in dicts.values():
        hosts.update(stats.get(name) or {})
    return {host: worst([outcome for outcome, name in dicts.items() if (stats.get(name) or {}).get(host)] or ['skipped'])
            for host in hosts}


def count_outcomes(outcomes):
    """{outcome: number of hosts} of {host: outcome}, outcomes without a host left out."""
    counts = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def check_hosts(run, events, stats):
    """The hosts' outcomes from the events and from the stats agree, and are the run's."""
    from_events, from_stats = host_outcomes_from_events(events), host_outcomes_from_stats(stats)
    problems = []
    if from_events != from_stats:
        problems.append('{0}: the hosts by their events {1} and by the stats event {2} differ'.format(
            run.name, from_events, from_stats))
    if run.hosts is not None and from_events != run.hosts:
        problems.append('{0}: the hosts by their events are {1}, not {2}'.format(run.name, from_events, run.hosts))
    if run.host_counts is not None:
        for source, outcomes in (('events', from_events), ('stats event', from_stats)):
            if count_outcomes(outcomes) != run.host_counts:
                problems.append('{0}: the hosts counted by outcome from the {1} are {2}, not {3}'.format(
                    run.name, source, count_outcomes(outcomes), run.host_counts))
    return problems


def check_events(run, events):
    """One playbook_on_start and one playbook_on_stats, whose artifact_data is the run's stats.
    Returns the problems and the stats event's data."""
    starts = [event for event in events if event.get('event') == 'playbook_on_start']
    stats_events = [event for event in events if event.get('event') == 'playbook_on_stats']
    problems = []
    if len(starts) != 1 or len(stats_events) != 1:
        problems.append('{0}: {1} playbook_on_start and {2} playbook_on_stats events, not one of each'.format(
            run.name, len(starts), len(stats_events)))
    stats = stats_events[-1].get('event_data', {}) if stats_events else {}
    artifact_data = stats.get('artifact_data') or {}
    if run.stats is not None and artifact_data != run.stats:
        problems.append('{0}: the set_stats data (artifact_data) is {1}, not {2}'.format(run.name, artifact_data, run.stats))
    return problems, stats


def untagged(value):
    """A value read from ansible-core 2.19+'s cache with the tags (the origin of each value, trust)
    left out: {"__ansible_type": "_AnsibleTaggedStr", "value": V, "tags": [...]} is V."""
    if isinstance(value, dict):
        if str(value.get('__ansible_type', '')).startswith('_AnsibleTagged') and 'value' in value:
            return untagged(value['value'])
        return {name: untagged(item) for name, item in value.items()}
    if isinstance(value, list):
        return [untagged(item) for item in value]
    return value


def read_fact_cache(directory):
    """{host: facts} of a jsonfile fact cache directory. ansible-core up to 2.18 writes a file per
    host, named by the host, holding the facts; 2.19 and later name it s<schema>_<host> and hold
    the facts, tagged with their origins, as JSON text under __payload__ (so ansible-runner's
    Runner.get_fact_cache(host), which reads <host>, finds nothing there)."""
    facts = {}
    if not os.path.isdir(directory):
        return facts
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding='utf-8') as handle:
            content = json.load(handle)
        match = re.match(r's\d+_(.+)$', name)
        if match and isinstance(content, dict) and set(content) == {'__payload__'}:
            facts[match.group(1)] = untagged(json.loads(content['__payload__']))
        else:
            facts[name] = content
    return facts


def matches(value, expected):
    """Whether value is expected; of a dict, only the keys expected names are compared."""
    if isinstance(expected, dict):
        return isinstance(value, dict) and all(name in value and matches(value[name], item) for name, item in expected.items())
    return value == expected


def check_facts(run, fact_cache_dir):
    problems = []
    cached = read_fact_cache(fact_cache_dir)
    for host, expected in (run.facts or {}).items():
        for name, value in expected.items():
            if not matches(cached.get(host, {}).get(name), value):
                problems.append('{0}: the fact cache holds {1} for {2}.{3}, not {4}'.format(
                    run.name, cached.get(host, {}).get(name, '(nothing)'), host, name, value))
    return problems


def check_status(run, result):
    problems = []
    if result.status != run.status:
        problems.append('{0}: ansible-runner status {1} (rc {2}), not {3}'.format(run.name, result.status, result.rc, run.status))
    elif result.rc != (0 if run.status == 'successful' else 2):
        problems.append('{0}: status {1} with rc {2}'.format(run.name, result.status, result.rc))
    return problems


# ----------------------------------------------------------------------------------------------
# The scan for the key
# ----------------------------------------------------------------------------------------------

def secret_part(key):
    return key.rsplit('.', 1)[1]


def artifact_kind(relative):
    """The kind of a file of the private data directory, by its path there."""
    parts = relative.split(os.sep)
    if parts[0] == 'artifacts' and len(parts) >= 3:
        name = parts[2]
        return name if name in ARTIFACT_KINDS else 'other'
    return parts[0] if parts[0] in ARTIFACT_KINDS else 'other'


def command_without_key(path, key):
    """The text of ansible-runner's artifacts/<ident>/command ({"command", "cwd", "env"}) with the
    env entry SENDGRID_API_KEY left out, and whether that entry was the key."""
    with open(path, encoding='utf-8') as handle:
        content = json.load(handle)
    injected = (content.get('env') or {}).pop('SENDGRID_API_KEY', None)
    return json.dumps(content), injected == key


def scan(private_data_dir, key):
    """Every file of the private data directory but env/envvars (the input the key is put in) for the
    key, whole and its secret part. Returns the problems and {kind: [relative path:line]} of the hits;
    of a hit only that is shown, never the line."""
    problems, hits = [], {}
    envvars = os.path.join(private_data_dir, 'env', 'envvars')
    for text in (key, secret_part(key)):
        if len(text) < 20 or text not in read_text(envvars):
            problems.append('the search for the key does not find it in {0}'.format(envvars))
    for directory, _dirs, names in os.walk(private_data_dir):
        for name in names:
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, private_data_dir)
            if path == envvars:
                continue
            kind = artifact_kind(relative)
            if kind == 'command':
                content, injected = command_without_key(path, key)
                if not injected:
                    problems.append('{0}: SENDGRID_API_KEY is not the injected key'.format(relative))
            else:
                content = read_text(path)
            lines = [number for number, line in enumerate(content.splitlines(), 1)
                     if key in line or secret_part(key) in line]
            if lines:
                hits.setdefault(kind, []).extend('{0}:{1}'.format(relative, number) for number in lines)
    return problems, hits


def check_scan(run, private_data_dir, key):
    problems, hits = scan(private_data_dir, key)
    problems = ['{0}: {1}'.format(run.name, problem) for problem in problems]
    for kind in sorted(set(hits) - set(run.leaks)):
        problems.append('{0}: LEAK: the key appears in {1}:\n  {2}'.format(run.name, kind, '\n  '.join(hits[kind])))
    for kind in sorted(set(run.leaks) - set(hits)):
        problems.append('{0}: the key planted in {1} was not found there'.format(run.name, kind))
    return problems, hits


def read_text(path):
    with open(path, encoding='utf-8', errors='replace') as handle:
        return handle.read()


def mask_text(text, key):
    return text.replace(key, '<key>').replace(secret_part(key), '<secret>')


def mask_key(directory, key):
    """Replace the key, and its secret part, in every file under directory."""
    for parent, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(parent, name)
            text = read_text(path)
            if mask_text(text, key) != text:
                with open(path, 'w', encoding='utf-8') as handle:
                    handle.write(mask_text(text, key))


# ----------------------------------------------------------------------------------------------
# Emulators and jobs
# ----------------------------------------------------------------------------------------------

@contextmanager
def emulator(run, key, run_dir, private):
    """An emulator seeded with the run's fleet and the key (every scope), stopped on leaving; yields
    its URL. Its configuration (which holds the key) is in the private directory; its output goes to
    RUN_DIR/emulator.log."""
    config = dict(run.fleet, keys={key: ['user.settings.enforced_tls.read', 'user.settings.enforced_tls.update',
                                         'subusers.read']})
    config_path = os.path.join(private, run.name + '.json')
    port_file = os.path.join(private, run.name + '.port')
    with open(config_path, 'w', encoding='utf-8') as handle:
        json.dump(config, handle)
    with open(os.path.join(run_dir, 'emulator.log'), 'w', encoding='utf-8') as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, os.environ['EMULATOR_SCRIPT'], '--port', '0', '--port-file', port_file,
             '--config', config_path, '--verbose'] + list(run.emulator_options),
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 10
            while not (os.path.exists(port_file) and os.path.getsize(port_file)):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError('{0}: the emulator did not start; see {1}'.format(run.name, log.name))
                time.sleep(0.05)
            yield 'http://127.0.0.1:{0}'.format(read_text(port_file).strip())
        finally:
            process.terminate()
            process.wait()


def write_private_data_dir(run, key, url, private_data_dir):
    """The private data directory AWX would lay out for the job (see the docstring of this file)."""
    for name in ('env', 'inventory'):
        os.makedirs(os.path.join(private_data_dir, name))
    shutil.copytree(os.path.join(HERE, 'files', 'project'), os.path.join(private_data_dir, 'project'))
    envvars = {
        'SENDGRID_API_KEY': key,
        'SENDGRID_API_URL': url,
        'ANSIBLE_COLLECTIONS_PATH': os.environ.get('ANSIBLE_COLLECTIONS_PATH', ''),
        'ANSIBLE_INVENTORY_ENABLED': 'mailops.sendgrid.subusers',
        'ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED': 'true',
    }
    # JSON is YAML: ansible-runner reads env/ files as YAML, ansible the inventory file.
    for relative, content in (('env/envvars', envvars), ('env/settings', {'job_timeout': JOB_TIMEOUT}),
                              ('inventory/subusers.sendgrid.yml', run.inventory)):
        with open(os.path.join(private_data_dir, relative), 'w', encoding='utf-8') as handle:
            json.dump(content, handle, indent=2)


def run_job(run, key, out, private, playbook_options):
    """One job on an emulator of its own, under OUT/RUN. Returns a line saying how it went and the
    problems found."""
    import ansible_runner  # pylint: disable=import-outside-toplevel

    run_dir = os.path.join(out, run.name)
    private_data_dir = os.path.join(run_dir, 'private_data_dir')
    os.makedirs(run_dir)
    events = []
    started = time.monotonic()
    with emulator(run, key, run_dir, private) as url:
        write_private_data_dir(run, key, url, private_data_dir)
        result = ansible_runner.run(
            private_data_dir=private_data_dir, ident=run.name, playbook=run.playbook, extravars=run.extra_vars,
            limit=run.limit, cmdline=' '.join(shlex.quote(option) for option in playbook_options) or None,
            fact_cache_type='jsonfile', quiet=True,
            # As AWX takes the events; True: ansible-runner writes them to job_events/ too.
            event_handler=lambda event: events.append(event) or True)
    took = time.monotonic() - started
    artifact_dir = os.path.join(private_data_dir, 'artifacts', run.name)
    problems, stats = check_events(run, events)
    problems += check_status(run, result) + check_hosts(run, events, stats)
    problems += check_facts(run, os.path.join(artifact_dir, 'fact_cache'))
    written = sorted(os.path.relpath(os.path.join(parent, name), artifact_dir)
                     for parent, _dirs, names in os.walk(artifact_dir) for name in names)
    scan_problems, hits = check_scan(run, private_data_dir, key)
    problems += scan_problems
    line = 'run {0}: {1} (rc {2}) in {3:.0f} s, {4} events, hosts {5}, stats {6}; artifacts: {7}; key found in: {8}'.format(
        run.name, result.status, result.rc, took, len(events), host_outcomes_from_events(events),
        stats.get('artifact_data') or {}, ', '.join(summarize(written)), ', '.join(sorted(hits)) or 'nothing')
    mask_key(run_dir, key)
    if problems:
        line += '\n  the end of its stdout, the key masked:\n' + ''.join(
            read_text(os.path.join(artifact_dir, 'stdout')).splitlines(True)[-25:])
    return mask_text(line, key), [mask_text(problem, key) for problem in problems]


def summarize(paths):
    """The artifact files, those of a directory as DIR/ (N files)."""
    counts = {}
    for path in paths:
        top = path.split(os.sep)[0] + (os.sep if os.sep in path else '')
        counts[top] = counts.get(top, 0) + 1
    return ['{0} ({1} files)'.format(name, count) if name.endswith(os.sep) else name for name, count in sorted(counts.items())]


# ----------------------------------------------------------------------------------------------
# The self-test: each check finds what it is there to find
# ----------------------------------------------------------------------------------------------

def event(kind, host, **data):
    return {'event': kind, 'event_data': dict(data, host=host)}


def self_test():
    """Returns the problems: a check that missed what it must find, or found what is not there."""
    problems = []

    def expect(what, got, wanted):
        if got != wanted:
            problems.append('self-test: {0}: {1}, not {2}'.format(what, got, wanted))

    events = [
        event('runner_on_start', 'a'), event('runner_on_ok', 'a', res={'changed': False}),
        event('runner_on_ok', 'b', res={'changed': True}), event('runner_on_ok', 'b', res={'changed': False}),
        event('runner_on_failed', 'c', ignore_errors=True), event('runner_on_ok', 'c', res={}),
        event('runner_on_ok', 'd', res={}), event('runner_on_failed', 'd', ignore_errors=False),
        event('runner_on_skipped', 'e'), event('runner_on_unreachable', 'f'),
        event('runner_item_on_failed', 'a'),
    ]
    outcomes = {'a': 'ok', 'b': 'changed', 'c': 'ok', 'd': 'failed', 'e': 'skipped', 'f': 'unreachable'}
    expect('outcomes from events', host_outcomes_from_events(events), outcomes)
    stats = {'ok': {'a': 1, 'b': 2, 'c': 2, 'd': 1}, 'changed': {'b': 1}, 'failures': {'d': 1}, 'ignored': {'c': 1},
             'skipped': {'e': 1}, 'dark': {'f': 1}, 'processed': dict.fromkeys('abcdef', 1), 'rescued': {}}
    expect('outcomes from stats', host_outcomes_from_stats(stats), outcomes)
    expect('counts', count_outcomes(outcomes), {'ok': 2, 'changed': 1, 'failed': 1, 'skipped': 1, 'unreachable': 1})
    expect('a dict matched by the keys given', [matches({'a': 1, 'b': {'c': 2, 'd': 3}}, {'b': {'c': 2}}),
                                                matches({'a': 1}, {'a': 1, 'b': 2}), matches({'a': {'c': 1}}, {'a': {'c': 2}})],
           [True, False, False])
    expect('by outcome', by_outcome(ok=['a', 'c'], changed=['b'], failed=['d'], skipped=['e'], unreachable=['f']), outcomes)
    stats_event = {'event': 'playbook_on_stats', 'event_data': dict(stats, artifact_data={'n': 1})}
    all_events = [{'event': 'playbook_on_start'}] + events + [stats_event]

    good = Run('good', 'p', {}, 'successful', hosts=outcomes, host_counts=count_outcomes(outcomes), stats={'n': 1})
    expect('a run as planned', check_events(good, all_events)[0] + check_hosts(good, events, stats), [])
    for wrong in (Run('x', 'p', {}, 'successful', hosts=dict(outcomes, a='changed')),
                  Run('x', 'p', {}, 'successful', host_counts={'ok': 6}),
                  Run('x', 'p', {}, 'successful', hosts=dict(outcomes, g='ok'))):
        expect('problems of {0}'.format(wrong), bool(check_hosts(wrong, events, stats)), True)
    expect('events and stats that differ', bool(check_hosts(good, events[:-2], stats)), True)
    expect('stats not as planned', bool(check_events(Run('x', 'p', {}, 'successful', stats={'n': 2}), all_events)[0]), True)
    expect('no stats event', bool(check_events(good, all_events[:-1])[0]), True)

    key = 'SG.{0}.{1}'.format(secrets.token_urlsafe(16), secrets.token_urlsafe(32))
    directory = tempfile.mkdtemp()
    try:
        artifacts = os.path.join(directory, 'artifacts', 'x')
        for sub in ('env', 'inventory', os.path.join(artifacts, 'job_events'), os.path.join(artifacts, 'fact_cache')):
            os.makedirs(os.path.join(directory, sub))
        files = {
            'env/envvars': json.dumps({'SENDGRID_API_KEY': key}),
            'env/extravars': '{}',
            os.path.join(artifacts, 'stdout'): 'ok: [localhost]\n',
            os.path.join(artifacts, 'command'): json.dumps({'command': ['ansible-playbook'], 'env': {'SENDGRID_API_KEY': key}}),
            os.path.join(artifacts, 'job_events', '1-a.json'): '{}',
            os.path.join(artifacts, 'fact_cache', 'h1'): json.dumps({'f': 1}),
            os.path.join(artifacts, 'fact_cache', 's1_h2'): json.dumps({'__payload__': json.dumps(
                {'f': {'__ansible_type': '_AnsibleTaggedDict', 'tags': [], 'value': {
                    'g': {'__ansible_type': '_AnsibleTaggedStr', 'tags': [{'__ansible_type': 'Origin'}], 'value': 'v'}}}})}),
        }
        for relative, text in files.items():
            with open(os.path.join(directory, relative), 'w', encoding='utf-8') as handle:
                handle.write(text)
        expect('fact cache', read_fact_cache(os.path.join(artifacts, 'fact_cache')), {'h1': {'f': 1}, 'h2': {'f': {'g': 'v'}}})
        clean = Run('x', 'p', {}, 'successful')
        expect('a clean scan', check_scan(clean, directory, key)[0], [])
        # The secret part alone, in an event; the key in the command line and in another variable.
        leaks = {os.path.join(artifacts, 'job_events', '1-a.json'): json.dumps({'stdout': secret_part(key)}),
                 os.path.join(artifacts, 'command'): json.dumps({'command': ['-e', key], 'env': {'SENDGRID_API_KEY': key}}),
                 os.path.join(artifacts, 'fact_cache', 'h1'): json.dumps({'other': key})}
        for relative, text in leaks.items():
            with open(os.path.join(directory, relative), 'w', encoding='utf-8') as handle:
                handle.write(text)
        expect('leaks found', sorted(scan(directory, key)[1]), ['command', 'fact_cache', 'job_events'])
        expect('leaks reported', len(check_scan(clean, directory, key)[0]), 3)
        expect('planted leaks found', check_scan(Run('x', 'p', {}, 'x', leaks=('command', 'fact_cache', 'job_events')),
                                                 directory, key)[0], [])
        expect('planted leak missed', len(check_scan(Run('x', 'p', {}, 'x', leaks=('stdout',)), directory, key)[0]), 4)
        with open(os.path.join(artifacts, 'command'), 'w', encoding='utf-8') as handle:
            json.dump({'command': [], 'env': {}}, handle)
        expect('a key not injected', any('not the injected key' in problem for problem in scan(directory, key)[0]), True)
    finally:
        shutil.rmtree(directory)
    return problems


# ----------------------------------------------------------------------------------------------

def main(args):
    """The self-test, then the runs and their checks; 0 if all is as planned."""
    started = time.monotonic()
    problems = self_test()
    print('self-test: {0}'.format('passed' if not problems else '{0} problems'.format(len(problems))))
    if args == ['--self-test'] or problems:
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    try:
        import ansible_runner  # noqa: F401, pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        print('ansible-runner is not installed (tests/requirements*.txt list it)')
        return 1
    for name in ('SENDGRID_API_KEY', 'SENDGRID_API_URL'):
        os.environ.pop(name, None)  # each job gets its own, from env/envvars only
    out = os.path.join(os.environ.get('OUTPUT_DIR', tempfile.gettempdir()), 'awx_runner')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    private = tempfile.mkdtemp()
    try:
        keys = {run.name: 'SG.{0}.{1}'.format(secrets.token_urlsafe(16), secrets.token_urlsafe(32)) for run in RUNS}
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            jobs = [pool.submit(run_job, run, keys[run.name], out, private, args) for run in RUNS]
            for job in jobs:
                line, run_problems = job.result()
                print(line, flush=True)
                problems += run_problems
    finally:
        shutil.rmtree(private)
    for problem in problems:
        print(problem)
    print('{0} runs, {1} problems ({2:.0f} s in all)'.format(len(RUNS), len(problems), time.monotonic() - started))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
