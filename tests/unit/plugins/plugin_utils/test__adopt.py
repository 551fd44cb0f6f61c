# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import yaml

from ansible.parsing.utils.yaml import from_yaml

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._adopt import (
    MADE_AT_PREFIX,
    AdoptError,
    adopt_vars,
    baseline_policy,
    check_report,
    describe_fleet,
    nothing_written,
    render_vars_file,
    same_baseline,
    summary_line,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import settings

POLICY = settings(True, True, 1.2)
STRICT = settings(True, True, 1.3)
NO_CERT = settings(True, False, 1.2)
OPEN = settings(False, True, 1.1)
MADE_AT = '2026-12-06T10:00:00Z'
# ansible-lint's production profile: yamllint's line-length limit.
MAX_LINE = 160


def read(account, before, status='compliant', region=None):
    """An account's entry in an audit's report (``_report.build_report``'s shape)."""
    return {'account': account, 'region': region, 'status': status, 'policy': POLICY, 'before': before,
            'after': before, 'differences': [], 'stricter': [], 'reason': None}


def exempt(account, reason='Test traffic, ticket OPS-1234', region=None):
    return {'account': account, 'region': region, 'status': 'exempt', 'policy': None, 'before': None, 'after': None,
            'differences': [], 'stricter': [], 'reason': reason}


def failed(account, reason='HTTP 403: access forbidden'):
    return {'account': account, 'region': None, 'status': 'failed', 'policy': POLICY, 'before': None, 'after': None,
            'differences': [], 'stricter': [], 'reason': reason}


def audit(*entries, **fields):
    return dict({'report_version': 1, 'mode': 'audit', 'excluded': [], 'disabled': [], 'accounts': list(entries)},
                **fields)


# The report's order: drift first, then exempt, then compliant.
FLEET = audit(read('s02', OPEN, 'drift'), read(PARENT_ACCOUNT, NO_CERT, 'drift'), exempt('lab'),
              read('s01', POLICY), read('s03', STRICT), read('s04', POLICY), excluded=['sandbox'])


def render(adoption):
    return render_vars_file(adoption.variables, MADE_AT, adoption.source, adoption.notes)


# ---------------------------------------------------------------------------
# check_report: anything but an audit's report is refused, naming the problem
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('report, message', [
    (None, 'report is not the report of an Enforced TLS audit (a dict with a list of accounts); got null. Give the'
           ' registered enforced_tls_baseline_report of the role run in check mode'),
    ([], 'report is not the report of an Enforced TLS audit (a dict with a list of accounts); got list.'),
    ({'mode': 'audit'}, 'report is not the report of an Enforced TLS audit (a dict with a list of accounts); got a dict'
                        ' without accounts.'),
    ({'mode': 'audit', 'accounts': 'all'}, 'got accounts as string.'),
    ({'failure': 'this run has no account to read: the parent account is left out', 'msg': ''},
     'report holds no accounts: the audit failed before it read any (this run has no account to read: the parent'
     ' account is left out)'),
    (audit(read('s01', POLICY), mode='enforce'),
     'report is the report of an enforcement (mode enforce), which changed accounts, not of an audit; adopt the report'
     ' of an audit (the role run in check mode, mode audit), whose accounts are as it read them'),
    (audit(read('s01', POLICY), mode=None), 'report is the report of a run of mode null, not of an audit'),
    (audit('s01'), 'report: accounts[0] must be an account entry (a dict); got string'),
    (audit({'status': 'compliant'}), 'report: accounts[0].account must be an account name; got null'),
    (audit(read('', POLICY)), "report: accounts[0].account must be an account name; got '' (string)"),
    (audit(read('s01', POLICY, status='fine')),
     "report: accounts[0].status must be one of failed, drift, changed, exempt, compliant; got 'fine' (string)"),
    (audit(read('s01', POLICY, region='us')), "report: accounts[0].region must be null or one of global, eu; got 'us'"),
    (audit(read('s01', None)), "report: accounts[0] ('s01').before must be a setting with require_tls,"
                               " require_valid_cert, version; got null"),
    (audit(read('s01', {'require_tls': True, 'version': 1.2})), "accounts[0] ('s01').before must be a setting"),
    (audit(read('s01', dict(POLICY, require_tls='yes'))),
     "report: accounts[0] ('s01').before.require_tls must be true or false; got 'yes' (string)"),
    (audit(read('s01', dict(POLICY, version=1.0))),
     "report: accounts[0] ('s01').before.version must be one of 1.1, 1.2, 1.3; got 1.0 (float)"),
    (audit(exempt('lab', reason=' ')), "report: accounts[0] ('lab'): an exempt account needs its reason; got ' '"),
    (audit(read('bad\nname', POLICY)), 'report: accounts[0].account'),
    (audit(read('x' * 257, POLICY)), 'is longer than the 256 characters a subuser name may have here'),
    (audit(read('s01', POLICY), excluded='sandbox'),
     "report: excluded must be a list of subuser names; got 'sandbox' (string)"),
])
def test_check_report_refuses_what_is_not_an_audits_report(report, message):
    with pytest.raises(AdoptError) as error:
        adopt_vars(report)
    assert message in str(error.value)


def test_check_report_refuses_failed_accounts_naming_them_and_the_first_error():
    report = audit(failed('ghost', 'HTTP 403: unknown subuser'), failed(PARENT_ACCOUNT), read('s01', POLICY))
    with pytest.raises(AdoptError) as error:
        check_report(report)
    assert str(error.value) == (
        "2 account(s) failed in the audit: 'ghost', '(parent account)'. A failed account has no setting to adopt: fix"
        ' the key or the name (or leave the account out with enforced_tls_baseline_exclude) and run again. First'
        ' error: HTTP 403: unknown subuser')


def test_check_report_names_the_first_20_failed_accounts():
    report = audit(*[failed('s{0:02d}'.format(number)) for number in range(23)])
    with pytest.raises(AdoptError) as error:
        check_report(report)
    assert "'s19', and 3 more. A failed account" in str(error.value)
    assert "'s20'" not in str(error.value)


def test_check_report_refuses_a_report_with_no_account_read():
    with pytest.raises(AdoptError) as error:
        adopt_vars(audit(exempt('lab')))
    assert str(error.value) == ('report holds no account the audit read (every account is exempt), so there is no'
                                ' setting to adopt')


def test_check_report_normalises_each_account():
    entries = check_report(audit(read('s01', dict(POLICY, version='1.20'), region='eu'), exempt('lab')))
    assert entries == [{'account': 's01', 'region': 'eu', 'status': 'compliant', 'setting': (True, True, 1.2)},
                       {'account': 'lab', 'region': None, 'status': 'exempt',
                        'reason': 'Test traffic, ticket OPS-1234'}]


# ---------------------------------------------------------------------------
# baseline_policy: the setting most accounts have, ties to the strictest
# ---------------------------------------------------------------------------

def test_baseline_policy_is_the_setting_most_accounts_have():
    assert baseline_policy([(True, True, 1.3), (False, False, 1.1), (False, False, 1.1)]) == settings(False, False, 1.1)


def test_the_parent_account_counts_towards_the_policy():
    adoption = adopt_vars(audit(read(PARENT_ACCOUNT, OPEN), read('s01', OPEN), read('s02', POLICY)))
    assert adoption.variables['enforced_tls_baseline_policy'] == OPEN
    without_parent = adopt_vars(audit(read(PARENT_ACCOUNT, STRICT), read('s01', OPEN), read('s02', POLICY)))
    # One each: the tie goes to the strictest.
    assert without_parent.variables['enforced_tls_baseline_policy'] == STRICT


def test_exempt_accounts_do_not_count_towards_the_policy():
    adoption = adopt_vars(audit(exempt('a'), exempt('b'), read('s01', OPEN)))
    assert adoption.variables['enforced_tls_baseline_policy'] == OPEN


@pytest.mark.parametrize('tied, expected', [
    # TLS required first, even over a valid certificate and a higher version.
    ([(False, True, 1.3), (True, False, 1.1)], (True, False, 1.1)),
    # Then a valid certificate required, over a higher version.
    ([(True, False, 1.3), (True, True, 1.1)], (True, True, 1.1)),
    # Then the higher version.
    ([(True, True, 1.2), (True, True, 1.3), (True, True, 1.1)], (True, True, 1.3)),
])
def test_a_tie_goes_to_the_strictest_setting_whatever_the_order(tied, expected):
    assert baseline_policy(tied) == dict(zip(('require_tls', 'require_valid_cert', 'version'), expected))
    assert baseline_policy(list(reversed(tied))) == baseline_policy(tied)


def test_the_policy_has_every_field_and_versions_as_numbers():
    adoption = adopt_vars(audit(read('s01', dict(POLICY, version='1.2'))))
    policy = adoption.variables['enforced_tls_baseline_policy']
    assert policy == POLICY
    assert list(policy) == ['require_tls', 'require_valid_cert', 'version']
    assert isinstance(policy['version'], float)


# ---------------------------------------------------------------------------
# adopt_vars: the role's inputs
# ---------------------------------------------------------------------------

def test_a_listed_fleet_lists_every_subuser_in_report_order():
    adoption = adopt_vars(FLEET)
    assert adoption.variables == {
        'enforced_tls_baseline_policy': POLICY,
        'enforced_tls_baseline_enforcement': 'exact',
        'enforced_tls_baseline_parent_policy': NO_CERT,
        'enforced_tls_baseline_all_subusers': False,
        'enforced_tls_baseline_subusers': [
            dict(OPEN, name='s02'),
            {'name': 'lab', 'exempt': True, 'reason': 'Test traffic, ticket OPS-1234'},
            's01',
            dict(STRICT, name='s03'),
            's04',
        ],
        'enforced_tls_baseline_exclude': ['sandbox'],
    }
    assert list(adoption.variables['enforced_tls_baseline_subusers'][0]) == [
        'name', 'require_tls', 'require_valid_cert', 'version']
    assert adoption.notes == ()


def test_a_discovered_fleet_lists_only_the_subusers_that_differ_and_the_exempt_ones():
    adoption = adopt_vars(FLEET, all_subusers=True)
    assert adoption.variables['enforced_tls_baseline_all_subusers'] is True
    assert 'enforced_tls_baseline_include_disabled' not in adoption.variables
    assert adoption.variables['enforced_tls_baseline_subusers'] == [
        dict(OPEN, name='s02'), {'name': 'lab', 'exempt': True, 'reason': 'Test traffic, ticket OPS-1234'},
        dict(STRICT, name='s03')]


def test_include_disabled_is_written_only_with_discovery():
    assert adopt_vars(FLEET, all_subusers=True, include_disabled=True).variables[
        'enforced_tls_baseline_include_disabled'] is True
    assert 'enforced_tls_baseline_include_disabled' not in adopt_vars(FLEET, include_disabled=True).variables


def test_a_discovered_fleet_at_the_policy_lists_no_subuser():
    adoption = adopt_vars(audit(read(PARENT_ACCOUNT, POLICY), read('s01', POLICY)), all_subusers=True)
    assert adoption.variables['enforced_tls_baseline_subusers'] == []


def test_a_parent_account_at_the_policy_has_no_policy_of_its_own():
    adoption = adopt_vars(audit(read(PARENT_ACCOUNT, POLICY), read('s01', OPEN), read('s02', POLICY)))
    assert 'enforced_tls_baseline_parent_policy' not in adoption.variables
    assert 'enforced_tls_baseline_include_parent' not in adoption.variables


def test_a_report_without_the_parent_account_leaves_it_out():
    adoption = adopt_vars(audit(read('s01', POLICY)))
    assert adoption.variables['enforced_tls_baseline_include_parent'] is False
    assert 'enforced_tls_baseline_parent_policy' not in adoption.variables


def test_an_exempt_parent_account_is_left_out_and_a_note_says_why():
    adoption = adopt_vars(audit(exempt(PARENT_ACCOUNT, 'Legacy relay\nOPS-9'), read('s01', POLICY)))
    assert adoption.variables['enforced_tls_baseline_include_parent'] is False
    assert 'enforced_tls_baseline_parent_policy' not in adoption.variables
    assert adoption.notes == ("The parent account was exempt in the audit (Legacy relay OPS-9). The role's inputs"
                              ' cannot exempt it, so it is left out (enforced_tls_baseline_include_parent: false):'
                              ' neither read nor changed.',)
    assert '# The parent account was exempt in the audit (Legacy relay OPS-9).' in render(adoption)


def test_no_exclude_when_the_audit_excluded_none():
    assert 'enforced_tls_baseline_exclude' not in adopt_vars(audit(read('s01', POLICY))).variables


def test_a_listed_subuser_keeps_a_region_other_than_the_parent_accounts():
    report = audit(read(PARENT_ACCOUNT, POLICY, region='global'), read('s01', POLICY, region='global'),
                   read('s02', POLICY, region='eu'), read('s03', OPEN, region='eu'), read('s04', POLICY))
    assert adopt_vars(report).variables['enforced_tls_baseline_subusers'] == [
        's01', {'name': 's02', 'region': 'eu'}, dict(OPEN, name='s03', region='eu'), 's04']
    # Discovered subusers are called in the region SendGrid lists them in.
    assert adopt_vars(report, all_subusers=True).variables['enforced_tls_baseline_subusers'] == [dict(OPEN, name='s03')]


def test_without_the_parent_account_every_known_region_is_kept():
    report = audit(read('s01', POLICY, region='eu'), read('s02', POLICY))
    assert adopt_vars(report).variables['enforced_tls_baseline_subusers'] == [{'name': 's01', 'region': 'eu'}, 's02']


def test_the_inputs_are_plain_python_values():
    class Tagged(str):
        """As ansible-core hands templated strings to an action: a subclass of str (before 2.19, whose str() is
        itself)."""

        def __str__(self):  # pylint: disable=invalid-str-returned
            return self

    report = audit(read(Tagged('s01'), dict(OPEN, version=Tagged('1.1'))), read('s02', POLICY),
                   read('s03', POLICY), exempt(Tagged('lab'), Tagged('why')), excluded=[Tagged('x')])
    # A safe dumper takes no subclass of str: each value is a plain one.
    text = yaml.safe_dump(adopt_vars(report).variables)
    assert '  version: 1.1\n' in text


# ---------------------------------------------------------------------------
# describe_fleet: which fleet, from the report only
# ---------------------------------------------------------------------------

def test_describe_fleet_names_the_parent_account_the_subusers_and_the_regions():
    assert describe_fleet(FLEET, all_subusers=True) == ('the parent account and 5 subusers (all_subusers, 1 exempt,'
                                                        ' 1 excluded), region global')
    report = audit(read('s01', POLICY, region='eu'), read('s02', POLICY))
    assert describe_fleet(report) == '2 subusers (listed), regions eu and global'
    assert describe_fleet(audit(read(PARENT_ACCOUNT, POLICY), read('s01', POLICY))) == (
        'the parent account and 1 subuser (listed), region global')


def test_describe_fleet_shows_no_key_or_url_the_report_holds():
    report = dict(FLEET, warnings=['http://user:SG.secret@127.0.0.1:3030 answered slowly'], api_key='SG.secret')
    adoption = adopt_vars(report)
    assert 'secret' not in render(adoption)
    assert '3030' not in render(adoption)


# ---------------------------------------------------------------------------
# render_vars_file: YAML that ansible-lint's production profile takes, and that reads back as written
# ---------------------------------------------------------------------------

def test_the_file_starts_with_a_header_saying_what_when_and_which_fleet():
    text = render(adopt_vars(FLEET, all_subusers=True))
    lines = text.splitlines()
    assert lines[0] == '---'
    assert lines[1:6] == [
        '# The Enforced TLS baseline of the parent account and 5 subusers (all_subusers, 1 exempt, 1 excluded),',
        "# region global: each account's setting as the audit read it, kept exactly",
        '# (enforced_tls_baseline_enforcement: exact).',
        '# Made by mailops.sendgrid.adopt at 2026-12-06T10:00:00Z (UTC).',
        '# Audit the fleet against it: ansible-playbook mailops.sendgrid.audit -e @<this file>.',
    ]
    assert lines[6] == 'enforced_tls_baseline_policy:'


def test_the_file_is_the_role_inputs_in_block_style():
    text = render(adopt_vars(FLEET))
    body = text[text.index('enforced_tls_baseline_policy:'):]
    assert body == '''enforced_tls_baseline_policy:
  require_tls: true
  require_valid_cert: true
  version: 1.2
enforced_tls_baseline_enforcement: exact
enforced_tls_baseline_parent_policy:
  require_tls: true
  require_valid_cert: false
  version: 1.2
enforced_tls_baseline_all_subusers: false
enforced_tls_baseline_subusers:
  - name: s02
    require_tls: false
    require_valid_cert: true
    version: 1.1
  - name: lab
    exempt: true
    reason: Test traffic, ticket OPS-1234
  - s01
  - name: s03
    require_tls: true
    require_valid_cert: true
    version: 1.3
  - s04
enforced_tls_baseline_exclude:
  - sandbox
'''


# Names YAML would read as something else, or that a YAML 1.2 reader (and yamllint) takes for numbers; quotes,
# backslashes, Latin-1 letters, and names longer than a line.
HOSTILE_NAMES = ['yes', 'no', 'on', 'Off', 'Y', 'True', '1.2', '1.10', '12', '0o17', '017', '0x1F', '1e3', '+1', '-1',
                 '.5', '.inf', 'null', 'Null', '~', '- x', '-', '--- x', '...', '#a', 'x #y', 'a: b', 'a:b', '? x',
                 '@x', '`x', '*x', '&x', '!x', '%x', '|x', '>x', '[x]', '{x}', ',x', '<<', '=', '"q"', "it's",
                 'back\\slash', 'caf\xe9', 'x\xa0y', '\xfc' * 256, 'a' * 256, ('a b' * 90)[:256],
                 'account-id 12345']


def test_hostile_names_read_back_as_written():
    entries = ([read(name, OPEN, 'drift') for name in HOSTILE_NAMES]
               + [read('p' + name[:255], POLICY) for name in HOSTILE_NAMES])
    report = audit(read(PARENT_ACCOUNT, POLICY), *entries,
                   exempt('lab', 'https://tickets.example.com/' + 'x' * 300 + ' and "quotes" \\ and\nnew\tline'),
                   excluded=['z' * 256, 'yes', '1.2'])
    adoption = adopt_vars(report)
    text = render(adoption)
    assert yaml.safe_load(text) == adoption.variables
    # As ansible-playbook reads -e @file.
    assert from_yaml(text) == adoption.variables
    subusers = adoption.variables['enforced_tls_baseline_subusers']
    assert [item['name'] for item in subusers[:len(HOSTILE_NAMES)]] == HOSTILE_NAMES
    assert subusers[len(HOSTILE_NAMES):2 * len(HOSTILE_NAMES)] == ['p' + name[:255] for name in HOSTILE_NAMES]


def test_latin1_names_are_written_as_they_are():
    text = render(adopt_vars(audit(read('caf\xe9', POLICY), read('m\xfcller', OPEN))))
    assert '\n  - caf\xe9\n' in text and "name: m\xfcller\n" in text


@pytest.mark.parametrize('name', ['0o17', '1e3', '+1', '.5', '017', '1.2', 'yes', 'null', '- x', '#a'])
def test_a_name_a_yaml_reader_would_take_for_something_else_is_quoted(name):
    text = render(adopt_vars(audit(read(name, POLICY))))
    assert "\n  - '{0}'\n".format(name) in text


def check_lint_rules(text):
    """yamllint's rules as ansible-lint's production profile sets them, those a generated file can break."""
    lines = text.split('\n')
    assert text.endswith('\n') and not text.endswith('\n\n')
    assert lines[0] == '---'
    for number, line in enumerate(lines, 1):
        assert len(line) <= MAX_LINE, 'line {0} has {1} characters'.format(number, len(line))
        assert line == line.rstrip(), 'line {0} ends with whitespace'.format(number)
        if line.startswith('#'):
            assert line.startswith('# '), 'line {0}: a comment starts with "# "'.format(number)
        indent = len(line) - len(line.lstrip(' '))
        assert indent % 2 == 0, 'line {0} is not indented by 2 spaces a level'.format(number)
        stripped = line.strip()
        if ': ' in stripped and not stripped.startswith(('"', "'", '#')):
            value = stripped.split(': ', 1)[1]
            assert value not in ('yes', 'no', 'on', 'off', 'True', 'False'), 'line {0}: a truthy value'.format(number)


def test_the_file_keeps_ansible_lints_yaml_rules():
    report = audit(read(PARENT_ACCOUNT, POLICY), *[read(name, OPEN, 'drift') for name in HOSTILE_NAMES],
                   exempt('lab', 'see https://tickets.example.com/' + 'x' * 300 + ' ' + 'word ' * 80),
                   exempt('lab2', ' ' + 'y ' * 120), excluded=['z' * 256])
    text = render(adopt_vars(report))
    check_lint_rules(text)
    # The items of a list indented under their key, not at its level.
    assert '\n- ' not in text and '\nenforced_tls_baseline_subusers:\n  - ' in text
    # Versions as numbers.
    assert '\n  version: 1.1\n' in text and "version: '" not in text
    assert 'true' in text and 'yes\n' not in text


def test_the_file_passes_yamllint_with_ansible_lints_configuration():
    pytest.importorskip('ansiblelint')
    from ansiblelint.yaml_utils import load_yamllint_config  # pylint: disable=import-outside-toplevel
    from yamllint import linter  # pylint: disable=import-outside-toplevel
    report = audit(read(PARENT_ACCOUNT, NO_CERT), *[read(name, OPEN, 'drift') for name in HOSTILE_NAMES],
                   exempt('lab', 'see https://tickets.example.com/' + 'x' * 300 + '\n' + 'word ' * 80),
                   excluded=['z' * 256, '0o17'])
    text = render(adopt_vars(report))
    assert list(linter.run(text, load_yamllint_config())) == []


def test_a_long_word_is_split_over_lines_and_reads_back_whole():
    name = 'a' * 256
    adoption = adopt_vars(audit(read(name, OPEN), read('s01', POLICY), read('s02', POLICY)))
    text = render(adoption)
    # Folded near the width PyYAML is given (100), far below ansible-lint's limit.
    assert max(len(line) for line in text.splitlines()) < 110
    assert '  - name: "aaaa' in text and 'aaaa\\\n' in text
    assert yaml.safe_load(text)['enforced_tls_baseline_subusers'][0]['name'] == name


def test_a_space_at_a_line_break_of_a_split_word_is_kept():
    # A run of spaces longer than a line: one of them starts a line, where YAML would drop it unless escaped.
    reason = 'x' * 120 + ' ' * 120 + 'y' * 120
    adoption = adopt_vars(audit(read('s01', POLICY), exempt('lab', reason)))
    text = render(adoption)
    assert '\n      \\ ' in text
    assert yaml.safe_load(text)['enforced_tls_baseline_subusers'][1]['reason'] == reason


def test_notes_are_comments_on_lines_of_their_own():
    adoption = adopt_vars(audit(exempt(PARENT_ACCOUNT, '  line one \n  line two\x00 ' + 'x' * 200), read('s01', POLICY)))
    text = render(adoption)
    comments = [line for line in text.splitlines() if line.startswith('#')]
    assert '# The parent account was exempt in the audit (line one line two' in comments
    assert '\x00' not in text
    assert yaml.safe_load(text) == adoption.variables
    check_lint_rules(text)


# ---------------------------------------------------------------------------
# same_baseline, nothing_written, summary_line
# ---------------------------------------------------------------------------

def test_two_files_of_the_same_fleet_hold_the_same_baseline_whenever_made():
    adoption = adopt_vars(FLEET)
    first = render_vars_file(adoption.variables, MADE_AT, adoption.source)
    later = render_vars_file(adoption.variables, '2027-01-01T00:00:00Z', adoption.source)
    assert first != later
    assert same_baseline(first, later)
    other = adopt_vars(audit(*FLEET['accounts'][:-1], excluded=['sandbox']))
    assert not same_baseline(first, render_vars_file(other.variables, MADE_AT, other.source))
    assert not same_baseline(None, first)
    assert not same_baseline('', first)
    assert MADE_AT_PREFIX + MADE_AT in first


def test_nothing_written():
    assert nothing_written('report is wrong') == 'report is wrong. No file was written.'
    assert nothing_written('report is wrong. ') == 'report is wrong. No file was written.'


def test_summary_line():
    variables = adopt_vars(FLEET).variables
    assert summary_line(variables, '/x/baseline.yml', True, False) == (
        'Wrote /x/baseline.yml: policy require_tls=true, require_valid_cert=true, version=1.2 (exact); the parent'
        ' account has a setting of its own; 2 subuser(s) with a setting of their own, 1 exempt, 5 subuser(s) listed.')
    discovered = adopt_vars(audit(read('s01', POLICY), read('s02', dict(POLICY, version=1.3)), read('s03', POLICY)),
                            all_subusers=True).variables
    assert summary_line(discovered, 'b.yml', True, True) == (
        'Would write b.yml: policy require_tls=true, require_valid_cert=true, version=1.2 (exact); the parent account'
        ' is left out; 1 subuser(s) with a setting of their own, 0 exempt, every other subuser discovered.')
    at_policy = adopt_vars(audit(read(PARENT_ACCOUNT, POLICY), read('s01', POLICY, region='eu'))).variables
    assert summary_line(at_policy, 'b.yml', False, False) == (
        'b.yml already holds this baseline (policy require_tls=true, require_valid_cert=true, version=1.2 (exact); the'
        ' parent account has the policy; 0 subuser(s) with a setting of their own, 0 exempt, 1 subuser(s) listed);'
        ' left as it is.')
