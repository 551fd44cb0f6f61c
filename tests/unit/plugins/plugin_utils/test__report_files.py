# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import (
    JSON_FILE,
    MARKDOWN_FILE,
    ReportDirError,
    check_report_formats,
    prepare_report_dir,
    render_markdown,
    write_report_files,
)
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_junit import JUNIT_FILE, render_junit
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import settings

POLICY = {'require_tls': True, 'require_valid_cert': False, 'version': 1.2}


def account(name, status, before=None, after=None, reason=None):
    return {'account': name, 'region': 'global', 'policy': POLICY, 'status': status, 'before': before, 'after': after,
            'differences': [], 'stricter': [], 'reason': reason}


def small_report(mode='audit', enforcement='minimum', policy=None, warnings=('Only the parent account.',)):
    policy = POLICY if policy is None else policy
    return {
        'mode': mode,
        'generated_at': '2026-12-03T12:00:00Z',
        'policy': policy,
        'enforcement': enforcement,
        'warnings': list(warnings),
        'summary': {'total': 3, 'failed': 1, 'drift': 1, 'changed': 0, 'exempt': 0, 'compliant': 1,
                    'out_of_policy': 2, 'stricter': 0},
        'excluded': ['gone'],
        'disabled': ['off|line'],
        'batches': [{'region': 'global', 'policy': POLICY, 'accounts': 3}],
        'accounts': [
            account('ops|eu', 'failed', reason='HTTP 500\nretry later'),
            account('news', 'drift', settings(False, False, 1.1), settings(True, False, 1.2),
                    'require_tls false < true, version 1.1 < 1.2'),
            account('(parent account)', 'compliant', settings(True, True, 1.3), settings(True, True, 1.3)),
        ],
    }


def test_render_markdown_of_a_small_report():
    assert render_markdown(small_report()) == '\n'.join([
        '# Enforced TLS audit report',
        '',
        'Generated 2026-12-03T12:00:00Z in check mode: nothing was changed.',
        'Policy: TLS required, valid certificate optional, at least TLS 1.2 (a floor: accounts at least as strict are'
        ' compliant and left as they are).',
        '',
        'Warning: Only the parent account.',
        '',
        '| Accounts | Out of policy | Failed | Drift | Changed | Exempt | Compliant | Stricter |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|',
        '| 3 | **2** | 1 | 1 | 0 | 0 | 1 | 0 |',
        '',
        '| Account | Status | Before | After | Note |',
        '|---|---|---|---|---|',
        '| ops\\|eu | **failed** | - | - | HTTP 500 retry later |',
        '| news | **drift** | TLS optional, cert optional, min 1.1 | TLS required, cert optional, min 1.2 |'
        ' require_tls false < true, version 1.1 < 1.2 |',
        '| (parent account) | compliant | TLS required, cert required, min 1.3 | TLS required, cert required, min 1.3'
        ' |  |',
        '',
        'Not checked: excluded gone, disabled off\\|line.',
        '',
    ])


def test_render_markdown_of_an_exact_enforcement_without_warnings_or_accounts_left_out():
    report = dict(small_report(mode='enforce', enforcement='exact', policy={'require_tls': False, 'version': 1.3},
                               warnings=()), excluded=[], disabled=[])
    lines = render_markdown(report).splitlines()
    assert lines[:5] == [
        '# Enforced TLS enforce report',
        '',
        'Generated 2026-12-03T12:00:00Z.',
        'Policy: TLS not required, exactly TLS 1.3 (exact: accounts stricter than the policy are loosened to it).',
        '',
    ]
    assert not [line for line in lines if line.startswith(('Warning', 'Not checked'))]
    assert lines[-1].startswith('| (parent account) | compliant |')


def test_render_markdown_a_floor_policy_that_does_not_require_tls_says_optional():
    report = small_report(policy={'require_tls': False, 'require_valid_cert': False})
    assert render_markdown(report).splitlines()[3] == (
        'Policy: TLS optional, valid certificate optional (a floor: accounts at least as strict are compliant and left'
        ' as they are).')


def tls_blocks(count, domains=(), more_domains=0):
    """An account's TLS blocks, as the report has them: ``domains`` (domain, blocks) pairs."""
    return {'count': count, 'domains': [{'domain': domain, 'blocks': blocks} for domain, blocks in domains],
            'more_domains': more_domains, 'first_blocked': '2026-12-03T12:00:00Z' if count else None,
            'last_blocked': '2026-12-03T12:00:00Z' if count else None}


def report_with_blocks(unread=True):
    """small_report with the accounts' TLS blocks read: ops|eu's could not be (``unread``), news has some at five
    domains, the parent account none; lab, exempt, was not read."""
    report = small_report()
    blocks = {'ops|eu': {'failed': True, 'msg': 'HTTP 403 Forbidden'} if unread else tls_blocks(0),
              'news': tls_blocks(9, [('old.example', 4), ('legacy.example', 2), ('a|b.example', 1), ('d.example', 1)],
                                 more_domains=1),
              '(parent account)': tls_blocks(0)}
    accounts = ([dict(item, tls_blocks=blocks[item['account']]) for item in report['accounts']]
                + [account('lab', 'exempt', reason='test traffic')])
    summary = dict(report['summary'], total=4, exempt=1, tls_blocks=9, with_tls_blocks=1,
                   tls_blocks_unread=1 if unread else 0)
    return dict(report, accounts=accounts, summary=summary, blocks_since='2026-12-03T11:59:00Z', blocks_until=None)


def test_render_markdown_of_a_report_with_tls_blocks():
    assert render_markdown(report_with_blocks()) == '\n'.join([
        '# Enforced TLS audit report',
        '',
        'Generated 2026-12-03T12:00:00Z in check mode: nothing was changed.',
        'Policy: TLS required, valid certificate optional, at least TLS 1.2 (a floor: accounts at least as strict are'
        ' compliant and left as they are).',
        '',
        'Warning: Only the parent account.',
        '',
        'TLS blocks since 2026-12-03T11:59:00Z: **9**, at 1 accounts (1 blocks lists could not be read).',
        '',
        '| Accounts | Out of policy | Failed | Drift | Changed | Exempt | Compliant | Stricter |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|',
        '| 4 | **2** | 1 | 1 | 0 | 1 | 1 | 0 |',
        '',
        '| Account | Status | Before | After | TLS blocks | Note |',
        '|---|---|---|---|---|---|',
        '| ops\\|eu | **failed** | - | - | not read | HTTP 500 retry later |',
        '| news | **drift** | TLS optional, cert optional, min 1.1 | TLS required, cert optional, min 1.2 |'
        ' 9 (old.example 4, legacy.example 2, a\\|b.example 1, and 2 more) |'
        ' require_tls false < true, version 1.1 < 1.2 |',
        '| (parent account) | compliant | TLS required, cert required, min 1.3 | TLS required, cert required, min 1.3'
        ' | 0 |  |',
        '| lab | exempt | - | - | - | test traffic |',
        '',
        'Not checked: excluded gone, disabled off\\|line.',
        '',
    ])


def test_render_markdown_of_tls_blocks_all_read_says_nothing_of_unread_lists():
    lines = render_markdown(report_with_blocks(unread=False)).splitlines()
    assert 'TLS blocks since 2026-12-03T11:59:00Z: **9**, at 1 accounts.' in lines
    assert '| ops\\|eu | **failed** | - | - | 0 | HTTP 500 retry later |' in lines


@pytest.mark.parametrize('blocks, cell', [
    (None, '-'),
    ({'failed': True, 'msg': 'HTTP 403 Forbidden'}, 'not read'),
    (tls_blocks(0), '0'),
    (tls_blocks(3, [('old.example', 2), ('legacy.example', 1)]), '3 (old.example 2, legacy.example 1)'),
    (tls_blocks(3, [('a.example', 1), ('b.example', 1), ('c.example', 1)]),
     '3 (a.example 1, b.example 1, c.example 1)'),
    (tls_blocks(4, [('a.example', 1), ('b.example', 1), ('c.example', 1), ('d.example', 1)]),
     '4 (a.example 1, b.example 1, c.example 1, and 1 more)'),
    # As sendgrid_tls_blocks_info names them by default: 20 domains, and how many more.
    (tls_blocks(30, [('d{0}.example'.format(index), 1) for index in range(20)], more_domains=5),
     '30 (d0.example 1, d1.example 1, d2.example 1, and 22 more)'),
])
def test_render_markdown_an_accounts_tls_blocks_cell(blocks, cell):
    assert blocks_row(blocks) == '| a | compliant | - | - | {0} |  |'.format(cell)


def blocks_row(blocks):
    """The Markdown row of an account 'a' with these TLS blocks (None: not read)."""
    entry = account('a', 'compliant')
    report = dict(report_with_blocks(), accounts=[entry if blocks is None else dict(entry, tls_blocks=blocks)],
                  excluded=[], disabled=[])
    return render_markdown(report).splitlines()[-1]


def test_render_markdown_tls_blocks_cell_counts_more_domains_when_fewer_than_three_are_named():
    assert blocks_row(tls_blocks(6, [('a.example', 4)], more_domains=2)) == (
        '| a | compliant | - | - | 6 (a.example 4, and 2 more) |  |')


def test_render_markdown_without_tls_blocks_has_neither_their_line_nor_their_column():
    report = small_report()
    text = render_markdown(report)
    assert 'TLS blocks' not in text and 'not read' not in text
    assert '| Account | Status | Before | After | Note |' in text.splitlines()
    assert text.splitlines()[-3] == ('| (parent account) | compliant | TLS required, cert required, min 1.3 |'
                                     ' TLS required, cert required, min 1.3 |  |')


def test_write_report_files_writes_both_files(tmp_path):
    report = small_report()
    paths = write_report_files(str(tmp_path), report)
    assert paths == {'json': str(tmp_path / JSON_FILE), 'markdown': str(tmp_path / MARKDOWN_FILE)}
    text = (tmp_path / JSON_FILE).read_text(encoding='utf-8')
    assert json.loads(text) == report
    assert text.startswith('{\n  "accounts": [\n    {\n      "account": "ops|eu",\n')
    assert text.endswith('\n}\n')
    top_keys = [line.split('"')[1] for line in text.splitlines() if line.startswith('  "')]
    assert top_keys == sorted(report)
    assert (tmp_path / MARKDOWN_FILE).read_text(encoding='utf-8') == render_markdown(report)
    for name in (JSON_FILE, MARKDOWN_FILE):
        assert stat.S_IMODE(os.stat(str(tmp_path / name)).st_mode) == 0o644
    # Nothing else is left behind (no temporary file).
    assert sorted(os.listdir(str(tmp_path))) == sorted([JSON_FILE, MARKDOWN_FILE])


def test_write_report_files_replaces_the_files_of_an_earlier_run(tmp_path):
    write_report_files(str(tmp_path), small_report())
    later = small_report(mode='enforce', warnings=())
    write_report_files(str(tmp_path), later)
    assert json.loads((tmp_path / JSON_FILE).read_text(encoding='utf-8')) == later
    assert (tmp_path / MARKDOWN_FILE).read_text(encoding='utf-8').startswith('# Enforced TLS enforce report\n')
    assert len(os.listdir(str(tmp_path))) == 2


def test_write_report_files_leaves_no_temporary_file_when_it_fails(tmp_path, monkeypatch):
    def refuse(source, target):
        raise OSError('disk full')
    monkeypatch.setattr(os, 'replace', refuse)
    with pytest.raises(OSError, match='disk full'):
        write_report_files(str(tmp_path), small_report())
    assert os.listdir(str(tmp_path)) == []


def test_prepare_report_dir_creates_a_missing_directory(tmp_path):
    directory = tmp_path / 'audits' / 'tls'
    prepare_report_dir(str(directory))
    assert directory.is_dir()
    prepare_report_dir(str(directory))  # An existing directory is fine.


def expected_refusal(path):
    return ('enforced_tls_baseline_report_dir {0} is not a directory this run can write to (it could not be created,'
            ' or is not writable). Choose another directory, or leave the input empty for no report'
            ' files.'.format(path))


@pytest.mark.parametrize('where', ['file', 'under a file'])
def test_prepare_report_dir_refuses_a_file(tmp_path, where):
    (tmp_path / 'report').write_text('not a directory')
    path = str(tmp_path / 'report') if where == 'file' else str(tmp_path / 'report' / 'sub')
    with pytest.raises(ReportDirError) as excinfo:
        prepare_report_dir(path)
    assert str(excinfo.value) == expected_refusal(path)


def test_prepare_report_dir_refuses_a_directory_it_cannot_write(tmp_path, monkeypatch):
    directory = tmp_path / 'read-only'
    directory.mkdir()
    directory.chmod(0o500)
    real_access = os.access

    def access(path, mode):
        # As root every directory is writable: say what a user without the right would be told.
        if os.fspath(path) == str(directory) and mode & os.W_OK:
            return False
        return real_access(path, mode)
    monkeypatch.setattr(os, 'access', access)
    try:
        with pytest.raises(ReportDirError) as excinfo:
            prepare_report_dir(str(directory))
    finally:
        directory.chmod(0o700)
    assert str(excinfo.value) == expected_refusal(str(directory))


# ---------------------------------------------------------------------------
# formats, and what changed since the last audit
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('formats, checked', [
    (None, ('json', 'markdown')),
    (['junit'], ('junit',)),
    (['junit', 'json', 'junit'], ('json', 'junit')),
    (['markdown', 'junit', 'json'], ('json', 'markdown', 'junit')),
])
def test_check_report_formats(formats, checked):
    assert check_report_formats(formats) == checked


@pytest.mark.parametrize('formats, shown', [
    ([], '[] (list)'),
    ('json', "'json' (string)"),
    (['json', 'xml'], "'xml' (string)"),
    ([['json']], "['json'] (list)"),
])
def test_check_report_formats_refuses_what_is_not_a_list_of_known_formats(formats, shown):
    with pytest.raises(ReportDirError) as caught:
        check_report_formats(formats)
    assert str(caught.value) == ('enforced_tls_baseline_report_formats must be a list of some of json, markdown,'
                                 ' junit; got {0}'.format(shown))


def test_write_report_files_writes_the_formats_asked_for(tmp_path):
    report = small_report()
    paths = write_report_files(str(tmp_path), report, ('json', 'junit'))
    assert paths == {'json': str(tmp_path / JSON_FILE), 'junit': str(tmp_path / JUNIT_FILE)}
    assert sorted(os.listdir(tmp_path)) == sorted([JSON_FILE, JUNIT_FILE])
    assert (tmp_path / JUNIT_FILE).read_text(encoding='utf-8') == render_junit(report)


def changes(**lists):
    kinds = ('newly_out_of_policy', 'back_in_policy', 'new_accounts', 'gone_accounts')
    found = {kind: list(lists.get(kind, [])) for kind in kinds}
    return dict(found, previous_generated_at='2026-12-02T03:00:00Z', previous_mode='audit',
                previous_report='/r/enforced-tls-report.previous.json',
                counts={kind: len(found[kind]) for kind in kinds})


def test_render_markdown_ends_with_what_changed_since_the_last_audit():
    report = dict(small_report(), since_last_audit=changes(newly_out_of_policy=['a|b', 'c'], gone_accounts=['old']))
    assert render_markdown(report).splitlines()[-4:] == [
        '',
        'Since the last audit (2026-12-02T03:00:00Z): 2 newly out of policy, 0 back in policy, 0 new, 1 gone.',
        '- Newly out of policy: a\\|b, c.',
        '- Accounts gone: old.',
    ]
    assert 'Since the last audit' not in render_markdown(small_report())


def test_render_markdown_names_the_first_20_accounts_that_changed():
    names = ['s{0:02d}'.format(number) for number in range(25)]
    report = dict(small_report(), since_last_audit=changes(new_accounts=names))
    assert render_markdown(report).splitlines()[-1] == '- New accounts: {0}, and 5 more.'.format(', '.join(names[:20]))
