# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The report of a fleet run as JUnit XML (``enforced-tls-report.xml``), for the test reports of CI tools.

:func:`render_junit` is a pure function: one test suite for the run, one test case per account
(the region as its class, the account as its name). An account out of policy (``drift``) is a
failure, an account that failed is an error, an exempt account and an account held back after a
failed canary are skipped; changed and compliant accounts pass. Account names and reasons come
from an API: every value is cleaned of the characters XML 1.0 forbids, and bounded in length.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import CHANGE_KINDS, named, show_policy, show_settings

JUNIT_FILE = 'enforced-tls-report.xml'
# The longest text or attribute value written, its ellipsis included.
MAX_TEXT = 1000
ELLIPSIS = '\u2026'
# The class of an account of the default region (region None: the parent account's, or a subuser's without one).
DEFAULT_REGION = 'global'
# The class of an account held back after a failed canary: the report does not say its region.
HELD_BACK_CLASS = 'held back'
HELD_BACK_MESSAGE = 'held back after the canary'
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# What XML 1.0 forbids: control characters but tab, newline and carriage return; lone surrogates; U+FFFE, U+FFFF.
_NOT_XML = re.compile('[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def xml_text(value):
    """``value`` as text XML 1.0 can hold: without the characters it forbids, at most :data:`MAX_TEXT` long."""
    text = _NOT_XML.sub('', '' if value is None else str(value))
    if len(text) > MAX_TEXT:
        return text[:MAX_TEXT - len(ELLIPSIS)] + ELLIPSIS
    return text


def _attributes(**values):
    """Attribute values made safe for XML, in the order given."""
    return {name: xml_text(value) for name, value in values.items()}


def _element(tag, text=None, **attributes):
    """An element, its attributes and text made safe for XML."""
    element = ET.Element(tag, _attributes(**attributes))
    if text is not None:
        element.text = xml_text(text)
    return element


def _drift(entry, floor):
    """An account out of policy: a failure saying how it stands against its policy."""
    message = entry['reason'] or 'out of policy: ' + ', '.join(entry['differences'])
    details = ['before: ' + show_settings(entry['before']),
               'policy: ' + (show_policy(entry['policy'], floor) if entry['policy'] else '-'),
               'differences: ' + (', '.join(entry['differences']) or '-')]
    return _element('failure', '\n'.join(details + [message]), message=message, type='drift')


def _error(entry):
    """An account that failed: an error with its reason."""
    message = entry['reason'] or 'failed without a reason'
    return _element('error', message, message=message, type='failed')


def _exempt(entry):
    """An exempt account: skipped, with why."""
    return _element('skipped', message='exempt: {0}'.format(entry['reason']) if entry['reason'] else 'exempt')


def _output(entry):
    """A changed or compliant account: its settings before and after, and its note."""
    lines = ['{0}: before {1}; after {2}'.format(entry['status'], show_settings(entry['before']), show_settings(entry['after']))]
    if entry['reason']:
        lines.append(entry['reason'])
    return _element('system-out', '\n'.join(lines))


def _outcome(entry, floor):
    """What became of an account: a failure (drift), an error (failed), skipped (exempt), else its output."""
    if entry['status'] == 'drift':
        return _drift(entry, floor)
    if entry['status'] == 'failed':
        return _error(entry)
    if entry['status'] == 'exempt':
        return _exempt(entry)
    return _output(entry)


def _account_case(entry, floor):
    """The test case of a report entry: the region as its class, the account as its name."""
    case = _element('testcase', classname=entry['region'] or DEFAULT_REGION, name=entry['account'], time='0')
    case.append(_outcome(entry, floor))
    return case


def _held_back_case(name):
    """The test case of an account held back after a failed canary: skipped."""
    case = _element('testcase', classname=HELD_BACK_CLASS, name=name, time='0')
    case.append(_element('skipped', message=HELD_BACK_MESSAGE))
    return case


def _counts(cases):
    """How many test cases, and how many of them fail, err, are skipped; as JUnit counts them."""
    def having(tag):
        return sum(1 for case in cases if case.find(tag) is not None)
    return {'tests': len(cases), 'failures': having('failure'), 'errors': having('error'),
            'skipped': having('skipped')}


def _timestamp(report):
    """When the run was, in UTC, without a zone: the JUnit schema's timestamp has none."""
    return {'timestamp': report['generated_at'].rstrip('Z')} if report.get('generated_at') else {}


def _properties(report):
    """What changed since the last audit, as the suite's properties (each list's first 20 accounts), or None."""
    changes = report.get('since_last_audit')
    if not changes:
        return None
    properties = ET.Element('properties')
    values = [('since_last_audit.previous_generated_at', changes['previous_generated_at'] or '')]
    for kind in CHANGE_KINDS:
        values += [('since_last_audit.{0}'.format(kind), changes['counts'][kind]),
                   ('since_last_audit.{0}.accounts'.format(kind), named(changes[kind]))]
    properties.extend(_element('property', name=name, value=value) for name, value in values)
    return properties


def render_junit(report) -> str:
    """The report as a JUnit XML document (UTF-8 once encoded): its accounts, in the report's order, then the
    accounts held back. The same report gives the same document, ending with a newline."""
    floor = report['enforcement'] == 'minimum'
    cases = ([_account_case(entry, floor) for entry in report['accounts']]
             + [_held_back_case(name) for name in report.get('held_back') or []])
    counts = dict(_counts(cases), time='0', **_timestamp(report))
    root = ET.Element('testsuites', _attributes(name='Enforced TLS', **counts))
    suite = ET.SubElement(root, 'testsuite', _attributes(name='Enforced TLS {0}'.format(report['mode']), **counts))
    properties = _properties(report)
    if properties is not None:
        suite.append(properties)
    suite.extend(cases)
    ET.indent(root)
    return XML_DECLARATION + '\n' + ET.tostring(root, encoding='unicode') + '\n'
