# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import (
    PARENT_ACCOUNT,
    Account,
    accounts_from_inputs,
    build_plan,
    discovered_accounts,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import build_report, summarize
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_junit import (
    JUNIT_FILE,
    MAX_TEXT,
    render_junit,
    xml_text,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    account_result,
    failed_result,
    settings,
)

POLICY = {'require_tls': True, 'version': 1.2}
OLD = settings(False, False, 1.1)
NEW = settings(True, False, 1.2)
NEW13 = settings(True, False, 1.3)
FORBIDDEN = "GET /v3/user/settings/enforced_tls for subuser 'c' failed with HTTP 403 Forbidden"
# A name SendGrid may list, that no request can carry: the plan refuses it (a failed account).
HOSTILE = 'ops<&"\x07\nname'


def fleet_plan(enforcement='minimum'):
    """The parent account; a, b, c in the default region, d in eu (TLS 1.3); lab exempt; HOSTILE refused."""
    listed = accounts_from_inputs(['a', 'b', 'c', {'name': 'd', 'version': 1.3, 'region': 'eu'},
                                   {'name': 'lab', 'exempt': True, 'reason': 'test traffic'}])
    return build_plan(POLICY, listed, discovered=discovered_accounts([{'username': HOSTILE, 'region': 'eu'}]),
                      enforcement=enforcement, parent=Account(None))


def batch(results, check_mode):
    return {'changed': any(result['changed'] for result in results), 'failed': any(r['failed'] for r in results),
            'check_mode': check_mode, 'results': results}


def fleet_report(check_mode=True, enforcement='minimum', generated_at='2026-12-03T12:00:00Z', **extra):
    """A mixed fleet: a out of policy (TLS optional, 1.1), b compliant, c failed, d out of policy in eu (1.2 for
    1.3), lab exempt, HOSTILE refused, the parent account compliant. Audited (drift) or enforced (changed)."""
    plan = fleet_plan(enforcement)
    parent = {'changed': False, 'enforced_tls': NEW, 'before': NEW, 'differences': [], 'stricter': [],
              'account': None, 'msg': 'already as asked', 'check_mode': check_mode}
    groups = [batch([account_result('a', OLD, NEW, ['require_tls', 'version'], check_mode),
                     account_result('b', NEW, NEW, [], check_mode),
                     failed_result('c', FORBIDDEN)], check_mode),
              batch([account_result('d', NEW, NEW13, ['version'], check_mode)], check_mode)]
    report = build_report(plan, parent_result=parent, group_results=groups, generated_at=generated_at)
    return dict(report, **extra)


def parse(report):
    """The report's JUnit XML as CI tools read it: the <testsuites> and its one <testsuite>."""
    text = render_junit(report)
    suites = JUnitXml.fromstring(text.encode('utf-8'))
    assert len(list(suites)) == 1
    return suites, next(iter(suites))


def cases(report):
    """The report's test cases, by name."""
    return {case.name: case for case in parse(report)[1]}


def counts(element):
    return {name: getattr(element, name) for name in ('tests', 'failures', 'errors', 'skipped')}


def test_junit_file_name():
    assert JUNIT_FILE == 'enforced-tls-report.xml'


def test_render_junit_has_one_case_per_account_in_report_order_its_region_as_class():
    suites, suite = parse(fleet_report())
    assert suites.name == 'Enforced TLS'
    assert suite.name == 'Enforced TLS audit'
    assert [(case.classname, case.name) for case in suite] == [
        ('global', 'c'), ('eu', HOSTILE.replace('\x07', '')), ('global', 'a'), ('eu', 'd'), ('global', 'lab'),
        ('global', PARENT_ACCOUNT), ('global', 'b')]
    assert {case.time for case in suite} == {0}


def test_render_junit_counts_in_the_suite_and_in_testsuites():
    suites, suite = parse(fleet_report())
    expected = {'tests': 7, 'failures': 2, 'errors': 2, 'skipped': 1}
    assert counts(suite) == expected
    assert counts(suites) == expected
    root = ET.fromstring(render_junit(fleet_report()).encode('utf-8'))
    for element in (root, root.find('testsuite')):
        assert element.get('time') == '0'
        assert element.get('timestamp') == '2026-12-03T12:00:00'


def test_render_junit_counts_agree_with_the_report_summary():
    report = fleet_report()
    suite = parse(report)[1]
    summary = report['summary']
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
        summary['total'], summary['drift'], summary['failed'], summary['exempt'])


def test_render_junit_drift_is_a_failure_with_how_the_account_stands_against_its_policy():
    case = cases(fleet_report())['a']
    assert not case.is_passed
    [failure] = case.result
    assert isinstance(failure, Failure)
    assert failure.type == 'drift'
    assert failure.message == 'require_tls false < true, version 1.1 < 1.2'
    assert failure.text.splitlines() == [
        'before: TLS optional, cert optional, min 1.1',
        'policy: TLS required, at least TLS 1.2',
        'differences: require_tls, version',
        'require_tls false < true, version 1.1 < 1.2',
    ]


def test_render_junit_drift_of_an_exact_enforcement_shows_the_exact_policy_of_its_region():
    [failure] = cases(fleet_report(enforcement='exact'))['d'].result
    assert failure.message == 'version 1.2 < 1.3'
    assert 'policy: TLS required, exactly TLS 1.3' in failure.text.splitlines()


def test_render_junit_failed_accounts_are_errors_with_their_reason():
    report = fleet_report()
    refusal = report['accounts'][1]['reason']
    assert refusal.startswith('SendGrid lists subuser ')  # The plan's refusal of HOSTILE.
    by_name = cases(report)
    for name, reason in (('c', FORBIDDEN), (HOSTILE.replace('\x07', ''), refusal)):
        [error] = by_name[name].result
        assert isinstance(error, Error)
        assert (error.type, error.message, error.text) == ('failed', reason, reason)


def test_render_junit_exempt_accounts_are_skipped_with_their_reason():
    case = cases(fleet_report())['lab']
    assert case.is_skipped
    [skipped] = case.result
    assert isinstance(skipped, Skipped)
    assert skipped.message == 'exempt: test traffic'


@pytest.mark.parametrize('check_mode, name, output', [
    (True, 'b', 'compliant: before TLS required, cert optional, min 1.2; after TLS required, cert optional, min 1.2'),
    (True, PARENT_ACCOUNT,
     'compliant: before TLS required, cert optional, min 1.2; after TLS required, cert optional, min 1.2'),
    (False, 'a', 'changed: before TLS optional, cert optional, min 1.1; after TLS required, cert optional, min 1.2\n'
                 'changed require_tls false -> true, version 1.1 -> 1.2'),
])
def test_render_junit_changed_and_compliant_accounts_pass_with_their_settings_as_output(check_mode, name, output):
    case = cases(fleet_report(check_mode=check_mode))[name]
    assert case.is_passed and case.result == []
    assert case.system_out == output


def test_render_junit_of_an_enforcement():
    suites, suite = parse(fleet_report(check_mode=False))
    assert suite.name == 'Enforced TLS enforce'
    assert counts(suite) == counts(suites) == {'tests': 7, 'failures': 0, 'errors': 2, 'skipped': 1}


def test_render_junit_accounts_held_back_after_the_canary_are_skipped_after_the_others():
    suites, suite = parse(fleet_report(check_mode=False, held_back=['e', PARENT_ACCOUNT]))
    held = list(suite)[-2:]
    assert [(case.classname, case.name) for case in held] == [('held back', 'e'), ('held back', PARENT_ACCOUNT)]
    for case in held:
        [skipped] = case.result
        assert isinstance(skipped, Skipped)
        assert skipped.message == 'held back after the canary'
    assert counts(suite) == counts(suites) == {'tests': 9, 'failures': 0, 'errors': 2, 'skipped': 3}


def test_render_junit_of_an_empty_report():
    report = dict(fleet_report(generated_at=None), accounts=[], summary=summarize([]))
    text = render_junit(report)
    suites, suite = parse(report)
    assert list(suite) == []
    assert counts(suite) == counts(suites) == {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    root = ET.fromstring(text.encode('utf-8'))
    assert 'timestamp' not in root.attrib and 'timestamp' not in root.find('testsuite').attrib


def test_render_junit_is_a_document_ending_with_a_newline():
    text = render_junit(fleet_report())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    assert text.endswith('</testsuites>\n') and not text.endswith('\n\n')


def test_render_junit_same_report_same_bytes():
    report = fleet_report(held_back=['e'])
    first = render_junit(report)
    assert render_junit(copy.deepcopy(report)) == first
    assert render_junit(report) == first
    assert render_junit(report).encode('utf-8') == first.encode('utf-8')


def hostile_entry(name, reason, status='failed'):
    return {'account': name, 'region': None, 'policy': None, 'status': status, 'before': None, 'after': None,
            'differences': [], 'stricter': [], 'reason': reason}


def report_of(*entries, **extra):
    return dict(fleet_report(), accounts=list(entries), summary=summarize(list(entries)), **extra)


# Each character XML 1.0 forbids: C0 controls but tab, newline and CR; lone surrogates; U+FFFE, U+FFFF.
FORBIDDEN_CHARACTERS = ''.join(chr(code) for code in range(0x20) if chr(code) not in '\t\n\r') + '\ud800\udfff\ufffe\uffff'


def test_render_junit_escapes_markup_and_drops_what_xml_forbids_in_names_and_reasons():
    name = '<a href="x">&amp;</a>' + FORBIDDEN_CHARACTERS + '\u00e9\U0001F600'
    reason = 'HTTP 500: <html>&"\'</html>\x00\x1b[31m\tdone'
    report = report_of(hostile_entry(name, reason), hostile_entry(name + '2', 'test & <lab>', status='exempt'))
    text = render_junit(report)
    assert not any(character in text for character in FORBIDDEN_CHARACTERS)
    assert '&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;' in text
    [failed, exempt] = list(parse(report)[1])
    assert failed.name == '<a href="x">&amp;</a>\u00e9\U0001F600'
    [error] = failed.result
    assert error.message == error.text == 'HTTP 500: <html>&"\'</html>[31m\tdone'
    assert exempt.name == '<a href="x">&amp;</a>\u00e9\U0001F6002'
    assert exempt.result[0].message == 'exempt: test & <lab>'


def test_render_junit_attributes_keep_newlines_and_tabs():
    [case] = list(parse(report_of(hostile_entry('multi\nline\tname', 'HTTP 500\nretry later')))[1])
    assert case.name == 'multi\nline\tname'
    assert case.result[0].message == 'HTTP 500\nretry later'


def test_render_junit_bounds_long_reasons_and_names():
    reason = 'x' * 5000
    name = 'n' * 3000
    report = report_of(hostile_entry(name, reason), hostile_entry('lab', reason, status='exempt'),
                       hostile_entry('drifted', reason, status='drift'))
    [failed, exempt, drifted] = list(parse(report)[1])
    assert failed.name == 'n' * (MAX_TEXT - 1) + '\u2026'
    [error] = failed.result
    assert error.message == error.text == 'x' * (MAX_TEXT - 1) + '\u2026'
    assert len(exempt.result[0].message) == MAX_TEXT
    [failure] = drifted.result
    assert len(failure.message) == MAX_TEXT
    assert len(failure.text) == MAX_TEXT and failure.text.startswith('before: -\npolicy: -\n')


@pytest.mark.parametrize('value, text', [
    (None, ''),
    (1.2, '1.2'),
    ('a\x00b\x7f\x85c', 'ab\x7f\x85c'),  # DEL and C1 controls are XML 1.0 characters.
    ('\ud83d\ude00', ''),  # A surrogate pair in a str is two lone surrogates.
    ('\U0001F600', '\U0001F600'),
    ('x' * MAX_TEXT, 'x' * MAX_TEXT),
    ('x' * (MAX_TEXT + 1), 'x' * (MAX_TEXT - 1) + '\u2026'),
    ('\x00' * 10 + 'x' * MAX_TEXT, 'x' * MAX_TEXT),  # Bounded once cleaned.
])
def test_xml_text(value, text):
    assert xml_text(value) == text


@pytest.mark.parametrize('status, tag, message', [
    ('failed', Error, 'failed without a reason'),
    ('exempt', Skipped, 'exempt'),
])
def test_render_junit_an_account_without_a_reason(status, tag, message):
    [case] = list(parse(report_of(hostile_entry('a', None, status=status)))[1])
    [result] = case.result
    assert isinstance(result, tag)
    assert result.message == message


def test_render_junit_drift_without_a_reason_names_its_differences():
    entry = dict(hostile_entry('a', None, status='drift'), differences=['version'], before=OLD, policy=POLICY)
    [case] = list(parse(report_of(entry))[1])
    assert case.result[0].message == 'out of policy: version'
    assert case.result[0].text.splitlines()[:3] == [
        'before: TLS optional, cert optional, min 1.1', 'policy: TLS required, at least TLS 1.2',
        'differences: version']


def test_render_junit_what_changed_since_the_last_audit_is_in_the_suites_properties():
    since = {'newly_out_of_policy': ['a', 'd'], 'back_in_policy': [], 'new_accounts': ['d'], 'gone_accounts': ['old'],
             'previous_generated_at': '2026-12-02T12:00:00Z', 'previous_mode': 'audit',
             'counts': {'newly_out_of_policy': 2, 'back_in_policy': 0, 'new_accounts': 1, 'gone_accounts': 1}}
    dummy, suite = parse(fleet_report(since_last_audit=since))
    assert {item.name: item.value for item in suite.properties()} == {
        'since_last_audit.previous_generated_at': '2026-12-02T12:00:00Z',
        'since_last_audit.newly_out_of_policy': '2', 'since_last_audit.newly_out_of_policy.accounts': 'a, d',
        'since_last_audit.back_in_policy': '0', 'since_last_audit.back_in_policy.accounts': '',
        'since_last_audit.new_accounts': '1', 'since_last_audit.new_accounts.accounts': 'd',
        'since_last_audit.gone_accounts': '1', 'since_last_audit.gone_accounts.accounts': 'old'}
    # The cases are as they were.
    assert [case.name for case in suite] == [case.name for case in parse(fleet_report())[1]]
    assert '<properties' not in render_junit(fleet_report())
