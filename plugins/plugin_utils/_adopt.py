# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Today's fleet as the baseline, as pure functions.

An adoption takes the report of an audit (the role run in check mode: each account's ``before`` is its
setting as it is) and gives the role's inputs that make that fleet compliant as it stands, with
``enforced_tls_baseline_enforcement: exact``: :func:`check_report` refuses, naming the problem, anything
that is not such a report, and a report with failed accounts (a failed account has no setting to adopt);
:func:`adopt_vars` gives the inputs (the policy most accounts have, the parent account's own setting and
each subuser's where they differ from it, the exemptions and exclusions as they were);
:func:`render_vars_file` writes them as a vars file, and :func:`same_baseline` says whether two such
files hold the same baseline (whenever each was made).
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from typing import List, NamedTuple, Optional, Tuple

import yaml

from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    EXACT,
    SETTING_FIELDS,
    SettingsError,
    check_recorded_setting,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import (
    describe_type,
    describe_value,
    excerpt,
    quoted,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT, PREFIX, PlanError
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import check_report_entry, named

REPORT_OPTION = 'report'
FILE_INPUT = 'sendgrid_adopt_file'
FORCE_INPUT = 'sendgrid_adopt_force'
MADE_BY = 'mailops.sendgrid.adopt'
# The header line that says when the file was made: the only line two files of the same baseline differ in.
MADE_AT_PREFIX = '# Made by {0} at '.format(MADE_BY)
# The statuses of an account the audit read: its before is its setting. An audit has no changed account;
# it is taken all the same, its before being its setting before the run.
READ_STATUSES = ('compliant', 'drift', 'changed')
# The role's inputs, in the order the file holds them.
POLICY_VAR = PREFIX + 'policy'
ENFORCEMENT_VAR = PREFIX + 'enforcement'
PARENT_POLICY_VAR = PREFIX + 'parent_policy'
INCLUDE_PARENT_VAR = PREFIX + 'include_parent'
ALL_SUBUSERS_VAR = PREFIX + 'all_subusers'
INCLUDE_DISABLED_VAR = PREFIX + 'include_disabled'
SUBUSERS_VAR = PREFIX + 'subusers'
EXCLUDE_VAR = PREFIX + 'exclude'
# yamllint's line-length limit in ansible-lint's production profile is 160; text is folded well within it.
LINE_WIDTH = 100


class AdoptError(ValueError):
    """The report cannot be adopted; the message says why, and what to do."""


class Adoption(NamedTuple):
    """The role's inputs that make the audited fleet the baseline (``variables``, in file order), which fleet that
    is (``source``, :func:`describe_fleet`), and notes for the file's header about what the inputs cannot say (an
    exempt parent account)."""
    variables: dict
    source: str
    notes: Tuple[str, ...] = ()


# -- the report ------------------------------------------------------------------------

def _text(value) -> str:
    """A plain str, as a safe YAML dumper takes it: ansible-core hands an action str subclasses (AnsibleUnsafeText
    before 2.19, whose str() is itself; tagged strings since)."""
    return str.__str__(value)


def _setting(value, where) -> Tuple[bool, bool, float]:
    """A setting the audit read (a dict with every field) as a key that sorts by strictness."""
    try:
        setting = check_recorded_setting(value, where)
    except SettingsError as error:
        raise AdoptError(str(error))
    return setting['require_tls'], setting['require_valid_cert'], setting['version']


def _as_dict(key) -> dict:
    return dict(zip(SETTING_FIELDS, key))


def _check_kind(report):
    if isinstance(report, dict) and 'accounts' not in report and report.get('failure'):
        raise AdoptError('{0} holds no accounts: the audit failed before it read any ({1})'.format(
            REPORT_OPTION, excerpt(str(report['failure']), 300)))
    if not isinstance(report, dict) or not isinstance(report.get('accounts'), list):
        raise AdoptError('{0} is not the report of an Enforced TLS audit (a dict with a list of accounts); got {1}.'
                         ' Give the registered enforced_tls_baseline_report of the role run in check mode'.format(
                             REPORT_OPTION, describe_type(report) if not isinstance(report, dict)
                             else 'a dict without accounts' if 'accounts' not in report
                             else 'accounts as ' + describe_type(report['accounts'])))
    if report.get('mode') != 'audit':
        raise AdoptError('{0} is the report of {1}, not of an audit; adopt the report of an audit (the role run in check'
                         ' mode, mode audit), whose accounts are as it read them'.format(
                             REPORT_OPTION, 'an enforcement (mode enforce), which changed accounts'
                             if report.get('mode') == 'enforce' else 'a run of mode {0}'.format(
                                 describe_value(report.get('mode')))))


def _check_entry(entry, index) -> dict:
    try:
        return dict(entry, **check_report_entry(entry, '{0}: accounts[{1}]'.format(REPORT_OPTION, index)))
    except PlanError as error:
        raise AdoptError(str(error))


def check_report(report) -> List[dict]:
    """The accounts of an audit's report, each checked: ``account``, ``region``, ``status``, and ``setting`` (a key
    of :func:`_setting`, for an account read) or ``reason`` (for an exempt one). Refuses anything but an audit's
    report, and a report with failed accounts, naming them."""
    _check_kind(report)
    entries = [_check_entry(entry, index) for index, entry in enumerate(report['accounts'])]
    failed = [entry for entry in entries if entry['status'] == 'failed']
    if failed:
        raise AdoptError('{0} account(s) failed in the audit: {1}. A failed account has no setting to adopt: fix the'
                         ' key or the name (or leave the account out with {2}) and run again. First error: {3}'.format(
                             len(failed), named(failed, lambda entry: quoted(entry['account'])), EXCLUDE_VAR,
                             failed[0].get('reason') or 'none given'))
    checked = []
    for index, entry in enumerate(entries):
        name = _text(entry['account'])
        where = '{0}: accounts[{1}] ({2})'.format(REPORT_OPTION, index, quoted(name))
        item = {'account': name, 'region': None if entry.get('region') is None else _text(entry['region']),
                'status': _text(entry['status'])}
        if entry['status'] == 'exempt':
            reason = entry.get('reason')
            if not isinstance(reason, str) or not reason.strip():
                raise AdoptError('{0}: an exempt account needs its reason; got {1}'.format(
                    where, describe_value(reason)))
            item['reason'] = _text(reason)
        else:
            item['setting'] = _setting(entry.get('before'), where + '.before')
        checked.append(item)
    return checked


def _excluded(report) -> List[str]:
    excluded = report.get('excluded') or []
    if not isinstance(excluded, list) or not all(isinstance(name, str) and name for name in excluded):
        raise AdoptError('{0}: excluded must be a list of subuser names; got {1}'.format(
            REPORT_OPTION, describe_value(excluded)))
    return [_text(name) for name in excluded]


# -- the baseline ------------------------------------------------------------------------

def baseline_policy(settings) -> dict:
    """The setting most accounts have, all three fields. A tie goes to the strictest: TLS required first, then a
    valid certificate required, then the higher version."""
    counts = Counter(settings)
    if not counts:
        raise AdoptError('{0} holds no account the audit read (every account is exempt), so there is no setting to'
                         ' adopt'.format(REPORT_OPTION))
    return _as_dict(max(counts, key=lambda key: (counts[key], key)))


def _subuser_entry(entry, policy, region=None):
    """A subuser as the role's input lists it: its name when it has the policy's setting (and no region of its
    own), else a dict with its own setting."""
    if entry['status'] == 'exempt':
        return {'name': entry['account'], 'exempt': True, 'reason': entry['reason']}
    setting = _as_dict(entry['setting'])
    item = {'name': entry['account']}
    if setting != policy:
        item.update(setting)
    if region is not None:
        item['region'] = region
    return item['name'] if len(item) == 1 else item


def adopt_vars(report, all_subusers=False, include_disabled=False) -> Adoption:
    """The role's inputs that make the fleet of an audit's report its baseline: every account compliant as it
    stands, under ``enforced_tls_baseline_enforcement: exact``.

    ``all_subusers``: whether the audit discovered the subusers (the report does not say). Discovered, only the
    subusers that differ from the policy (and the exempt ones) are listed, and discovery is kept on (with
    ``include_disabled`` when the audit had it); listed, every subuser is listed, in report order, a plain name
    when it has the policy's setting. A listed subuser keeps the region the audit gave it when that is not the
    parent account's (the run's region). An exempt parent account cannot be written as an entry: it is left out
    (``enforced_tls_baseline_include_parent: false``), neither read nor changed, and a note says so.
    """
    entries = check_report(report)
    excluded = _excluded(report)
    parent = next((entry for entry in entries if entry['account'] == PARENT_ACCOUNT), None)
    subusers = [entry for entry in entries if entry['account'] != PARENT_ACCOUNT]
    policy = baseline_policy([entry['setting'] for entry in entries if 'setting' in entry])
    variables = {POLICY_VAR: policy, ENFORCEMENT_VAR: EXACT}
    notes = []
    if parent is None:
        variables[INCLUDE_PARENT_VAR] = False
    elif parent['status'] == 'exempt':
        variables[INCLUDE_PARENT_VAR] = False
        notes.append('The parent account was exempt in the audit ({0}). The role\'s inputs cannot exempt it, so it'
                     ' is left out ({1}: false): neither read nor changed.'.format(
                         _comment_text(parent['reason']), INCLUDE_PARENT_VAR))
    elif _as_dict(parent['setting']) != policy:
        variables[PARENT_POLICY_VAR] = _as_dict(parent['setting'])
    variables[ALL_SUBUSERS_VAR] = bool(all_subusers)
    if all_subusers:
        if include_disabled:
            variables[INCLUDE_DISABLED_VAR] = True
        listed = [_subuser_entry(entry, policy) for entry in subusers
                  if entry['status'] == 'exempt' or _as_dict(entry['setting']) != policy]
    else:
        run_region = parent['region'] if parent is not None else None
        listed = [_subuser_entry(entry, policy, entry['region'] if entry['region'] not in (None, run_region) else None)
                  for entry in subusers]
    variables[SUBUSERS_VAR] = listed
    if excluded:
        variables[EXCLUDE_VAR] = excluded
    return Adoption(variables, _describe(entries, len(excluded), all_subusers), tuple(notes))


def describe_fleet(report, all_subusers=False) -> str:
    """Which fleet the report covers, for the file's header: ``the parent account and 12 subusers (all_subusers),
    region global``. From the report's accounts and counts only: never a key or a URL."""
    return _describe(check_report(report), len(_excluded(report)), all_subusers)


def _describe(entries, excluded, all_subusers):
    parent = any(entry['account'] == PARENT_ACCOUNT for entry in entries)
    subusers = [entry for entry in entries if entry['account'] != PARENT_ACCOUNT]
    exempt = sum(1 for entry in entries if entry['status'] == 'exempt')
    count = '{0} subuser{1}'.format(len(subusers), '' if len(subusers) == 1 else 's')
    details = ['all_subusers' if all_subusers else 'listed']
    details += ['{0} {1}'.format(number, what) for what, number in (('exempt', exempt), ('excluded', excluded))
                if number]
    regions = sorted(set(entry['region'] or 'global' for entry in entries))
    return '{0}{1} ({2}), region{3} {4}'.format(
        'the parent account and ' if parent else '', count, ', '.join(details), 's' if len(regions) > 1 else '',
        ' and '.join(regions))


# -- the file ------------------------------------------------------------------------------

# A string that a YAML 1.2 reader, or yamllint, would take for a number (``0o17``, ``1e3``, ``+1``); PyYAML's
# resolver (YAML 1.1) quotes the others that are not strings to it: ``yes``, ``null``, ``1.2``, ``~``.
_NUMBER_LIKE = re.compile(r'[-+]?\.?[0-9]')
_STR_TAG = 'tag:yaml.org,2002:str'


class _Dumper(yaml.SafeDumper):
    """Block style with the items of a list indented under their key, as yamllint's default indentation rule
    (ansible-lint's) wants. Safe: every string that YAML would read as something else (``yes``, ``1.2``,
    ``null``, ``- x``, ``#a``, ``0o17``) is quoted; one with a word longer than a line is written double-quoted
    over several lines (an escaped line break joins them), so that no line is longer than yamllint allows."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        value = self.event.value
        if self.event.tag == _STR_TAG and any(len(word) > LINE_WIDTH for word in value.split(' ')):
            return '"'
        return style

    def _put(self, data):
        self.column += len(data)
        self.stream.write(data.encode(self.encoding) if self.encoding else data)

    def write_double_quoted(self, text, split=True):
        """As PyYAML's, but a line may break anywhere, not only at a space: ``\\`` at its end, and a space
        that starts the next line escaped (``\\ ``), so that nothing is added or lost."""
        self.write_indicator('"', True)
        for index, char in enumerate(text):
            piece = _escaped(char, self.allow_unicode, self.ESCAPE_REPLACEMENTS)
            if split and 0 < index and self.column + len(piece) + 1 > self.best_width:
                self._put('\\')
                self.write_indent()
                self.whitespace = False
                self.indention = False
                if char == ' ':
                    piece = '\\ '
            self._put(piece)
        self.write_indicator('"', False)


def _escaped(char, allow_unicode, replacements):
    """A character as a double-quoted YAML scalar holds it (PyYAML's rules)."""
    printable = '\x20' <= char <= '\x7E' or (allow_unicode and ('\xA0' <= char <= '\uD7FF' or '\uE000' <= char <= '\uFFFD'))
    if printable and char not in '"\\\x85\u2028\u2029\uFEFF':
        return char
    if char in replacements:
        return '\\' + replacements[char]
    if char <= '\xFF':
        return '\\x%02X' % ord(char)
    if char <= '\uFFFF':
        return '\\u%04X' % ord(char)
    return '\\U%08X' % ord(char)


def _represent_str(dumper, value):
    return dumper.represent_scalar(_STR_TAG, value, style="'" if _NUMBER_LIKE.match(value) else None)


_Dumper.add_representer(str, _represent_str)


def _comment_text(text) -> str:
    """Text for a comment: on one line, printable, and an excerpt."""
    text = ''.join(char if char.isprintable() else ' ' for char in str(text))
    return excerpt(' '.join(text.split()))


def _comment(text) -> List[str]:
    return ['# ' + line for line in textwrap.wrap(text, LINE_WIDTH, break_long_words=True, break_on_hyphens=False)]


def render_vars_file(variables, made_at, source, notes=()) -> str:
    """The vars file: ``---``, a header that says what it is, when it was made (UTC) and from which fleet
    (``source``, from :func:`describe_fleet`), ``notes``, then the inputs as YAML that ansible-lint's production
    profile takes (2-space indent, true/false, versions as numbers, every name that YAML would read as something
    else quoted)."""
    header = ['---']
    header += _comment('The Enforced TLS baseline of {0}: each account\'s setting as the audit read it, kept'
                       ' exactly ({1}: {2}).'.format(source, ENFORCEMENT_VAR, EXACT))
    header.append('{0}{1} (UTC).'.format(MADE_AT_PREFIX, made_at))
    for note in notes:
        header += _comment(note)
    header += _comment('Audit the fleet against it: ansible-playbook mailops.sendgrid.audit -e @<this file>.')
    body = yaml.dump(variables, Dumper=_Dumper, default_flow_style=False, sort_keys=False, allow_unicode=True,
                     indent=2, width=LINE_WIDTH, explicit_start=False)
    return '\n'.join(header) + '\n' + body


def same_baseline(old: Optional[str], new: str) -> bool:
    """Whether two vars files hold the same baseline: the same text but for when each was made."""
    if old is None:
        return False

    def without_time(text):
        return [line for line in text.splitlines() if not line.startswith(MADE_AT_PREFIX)]
    return without_time(old) == without_time(new)


def nothing_written(message: str) -> str:
    """A message that stops an adoption before it writes, saying so."""
    message = message.rstrip()
    return '{0}{1} No file was written.'.format(message, '' if message.endswith('.') else '.')


def summary_line(variables, path, written, check_mode) -> str:
    """The one line a person reads after an adoption."""
    listed = variables[SUBUSERS_VAR]
    own = sum(1 for item in listed if isinstance(item, dict) and not item.get('exempt') and len(item) > 2)
    exempt = sum(1 for item in listed if isinstance(item, dict) and item.get('exempt'))
    parent = ('the parent account has a setting of its own' if PARENT_POLICY_VAR in variables
              else 'the parent account is left out' if INCLUDE_PARENT_VAR in variables
              else 'the parent account has the policy')
    policy = variables[POLICY_VAR]
    what = ('policy require_tls={0}, require_valid_cert={1}, version={2} (exact); {3}; {4} subuser(s) with a setting'
            ' of their own, {5} exempt{6}'.format(
                str(policy['require_tls']).lower(), str(policy['require_valid_cert']).lower(), policy['version'],
                parent, own, exempt, ', every other subuser discovered' if variables[ALL_SUBUSERS_VAR]
                else ', {0} subuser(s) listed'.format(len(listed))))
    if not written:
        return '{0} already holds this baseline ({1}); left as it is.'.format(path, what)
    return '{0} {1}: {2}.'.format('Would write' if check_mode else 'Wrote', path, what)
