# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The report files of a fleet run: ``enforced-tls-report.json``, ``enforced-tls-report.md`` and, when asked,
``enforced-tls-report.xml`` (JUnit, ``_report_junit``).

:func:`check_report_formats` checks which, and :func:`prepare_report_dir` makes sure the directory can take
them, before any account is read (an enforcement must never change accounts and then fail to report them);
:func:`render_markdown` is the Markdown (a pure function); :func:`write_report_files` writes them, each file
replaced whole, so that a reader never sees half a report. :func:`read_report_file` reads a report back.
"""

from __future__ import annotations

import json
import os

from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_value
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._atomic_file import replace_file
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import (
    CHANGE_KINDS,
    changes_summary,
    named,
    show_policy,
    show_settings,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_junit import JUNIT_FILE, render_junit

JSON_FILE = 'enforced-tls-report.json'
MARKDOWN_FILE = 'enforced-tls-report.md'
REPORT_DIR_INPUT = 'enforced_tls_baseline_report_dir'
REPORT_FORMATS_INPUT = 'enforced_tls_baseline_report_formats'
# Each format the report files can take, and its file.
REPORT_FILES = {'json': JSON_FILE, 'markdown': MARKDOWN_FILE, 'junit': JUNIT_FILE}
DEFAULT_FORMATS = ('json', 'markdown')
# The titles of the lists of what changed since the last audit, in the Markdown.
CHANGE_TITLES = {'newly_out_of_policy': 'Newly out of policy', 'back_in_policy': 'Back in policy',
                 'new_accounts': 'New accounts', 'gone_accounts': 'Accounts gone'}


# A report of MAX_ACCOUNTS accounts is some tens of MB.
MAX_REPORT_BYTES = 256 * 1024 * 1024


class ReportDirError(ValueError):
    """The report files cannot be written as asked (their directory, their formats); the message says what to
    do."""


class ReportFileError(ValueError):
    """A report file cannot be read; the message names the input, the file and why."""


def check_report_formats(formats) -> tuple:
    """The formats of the report files, checked: a list of some of json, markdown and junit (None: the
    default, json and markdown)."""
    if formats is None:
        return DEFAULT_FORMATS
    allowed = ', '.join(REPORT_FILES)
    if not isinstance(formats, list) or not formats:
        raise ReportDirError('{0} must be a list of some of {1}; got {2}'.format(
            REPORT_FORMATS_INPUT, allowed, describe_value(formats)))
    unknown = [value for value in formats if not isinstance(value, str) or value not in REPORT_FILES]
    if unknown:
        raise ReportDirError('{0} must be a list of some of {1}; got {2}'.format(
            REPORT_FORMATS_INPUT, allowed, describe_value(unknown[0])))
    return tuple(name for name in REPORT_FILES if name in formats)


def read_report_file(path, field):
    """The report in the JSON file ``path`` (``field``: the input that named it, for messages), at most
    :data:`MAX_REPORT_BYTES` of it."""
    path = os.path.expanduser(path)
    try:
        with open(path, 'rb') as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as error:
        raise ReportFileError('{0}: cannot read {1}: {2}'.format(field, path, error.strerror or error))
    if len(data) > MAX_REPORT_BYTES:
        raise ReportFileError('{0}: {1} is larger than {2} MB, more than any report of this collection'.format(
            field, path, MAX_REPORT_BYTES // (1024 * 1024)))
    try:
        return json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as error:
        raise ReportFileError('{0}: {1} is not JSON ({2}); give an {3}'.format(field, path, error, JSON_FILE))


def prepare_report_dir(directory):
    """Create the directory if missing, and check that this run can write into it."""
    try:
        os.makedirs(directory, mode=0o755, exist_ok=True)
    except OSError:
        pass  # The check below says what is wrong.
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK | os.X_OK):
        raise ReportDirError(
            '{0} {1} is not a directory this run can write to (it could not be created, or is not writable).'
            ' Choose another directory, or leave the input empty for no report files.'.format(
                REPORT_DIR_INPUT, directory))


# How many recipient domains of an account's TLS blocks the Markdown names.
MARKDOWN_DOMAINS = 3


def _show_blocks(blocks):
    """An account's TLS blocks in a cell: ``3 (old.example 2, legacy.example 1)``."""
    if blocks is None:
        return '-'
    if blocks.get('failed'):
        return 'not read'
    if not blocks['count']:
        return '0'
    domains = blocks.get('domains') or []
    named = ', '.join('{0} {1}'.format(item['domain'], item['blocks']) for item in domains[:MARKDOWN_DOMAINS])
    more = max(0, len(domains) - MARKDOWN_DOMAINS) + (blocks.get('more_domains') or 0)
    return '{0} ({1}{2})'.format(blocks['count'], named, ', and {0} more'.format(more) if more > 0 else '')


def _cell(text):
    return (text or '').replace('|', '\\|').replace('\n', ' ')


def render_markdown(report):
    """The report as Markdown: the policy, the counts, then the accounts that need attention first."""
    summary = report['summary']
    floor = report['enforcement'] == 'minimum'
    lines = ['# Enforced TLS {0} report'.format(report['mode']), '',
             'Generated {0}{1}.'.format(report['generated_at'],
                                        ' in check mode: nothing was changed' if report['mode'] == 'audit' else ''),
             'Policy: {0}{1}.'.format(
                 show_policy(report['policy'], floor),
                 ' (a floor: accounts at least as strict are compliant and left as they are)' if floor
                 else ' (exact: accounts stricter than the policy are loosened to it)')]
    for warning in report.get('warnings') or []:
        lines += ['', 'Warning: {0}'.format(warning)]
    with_blocks = 'tls_blocks' in summary
    if with_blocks:
        lines += ['', 'TLS blocks since {0}: **{1}**, at {2} accounts{3}.'.format(
            report.get('blocks_since'), summary['tls_blocks'], summary['with_tls_blocks'],
            ' ({0} blocks lists could not be read)'.format(summary['tls_blocks_unread'])
            if summary['tls_blocks_unread'] else '')]
    lines += ['',
              '| Accounts | Out of policy | Failed | Drift | Changed | Exempt | Compliant | Stricter |',
              '|---:|---:|---:|---:|---:|---:|---:|---:|',
              '| {total} | **{out_of_policy}** | {failed} | {drift} | {changed} | {exempt} | {compliant} | {stricter} |'
              .format(**summary),
              '',
              '| Account | Status | Before | After |{0} Note |'.format(' TLS blocks |' if with_blocks else ''),
              '|---|---|---|---|{0}---|'.format('---|' if with_blocks else '')]
    for entry in report['accounts']:
        status = '**{0}**'.format(entry['status']) if entry['status'] in ('failed', 'drift') else entry['status']
        blocks = ' {0} |'.format(_cell(_show_blocks(entry.get('tls_blocks')))) if with_blocks else ''
        lines.append('| {0} | {1} | {2} | {3} |{4} {5} |'.format(
            _cell(entry['account']), status, show_settings(entry['before']), show_settings(entry['after']), blocks,
            _cell(entry['reason'])))
    not_checked = (['excluded ' + name for name in report['excluded']]
                   + ['disabled ' + name for name in report['disabled']])
    if not_checked:
        lines += ['', 'Not checked: {0}.'.format(_cell(', '.join(not_checked)))]
    if report.get('since_last_audit'):
        lines += [''] + _changes_lines(report['since_last_audit'])
    return '\n'.join(lines) + '\n'


def _changes_lines(changes):
    """What changed since the last audit: the previous report's time, and each list that has accounts (the
    first 20 named)."""
    lines = [changes_summary(changes)]
    lines += ['- {0}: {1}.'.format(CHANGE_TITLES[kind], _cell(named(changes[kind])))
              for kind in CHANGE_KINDS if changes[kind]]
    return lines


RENDERERS = {'json': lambda report: json.dumps(report, indent=2, sort_keys=True) + '\n',
             'markdown': render_markdown, 'junit': render_junit}


def write_report_files(directory, report, formats=DEFAULT_FORMATS):
    """Write the files of ``report`` in ``formats`` (checked: :func:`check_report_formats`) into ``directory``;
    returns their paths, by format."""
    paths = {name: os.path.join(directory, REPORT_FILES[name]) for name in formats}
    for name, path in paths.items():
        replace_file(path, RENDERERS[name](report))
    return paths
