# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report import changes_summary, summary_line
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_files import JSON_FILE
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._report_history import (
    PREVIOUS_FILE,
    change_counts,
    changes_since,
    compare_with_last,
    keep_previous,
    load_previous,
    previous_path,
)

THEN = '2026-12-02T03:00:00Z'
NOW = '2026-12-03T03:00:00Z'


def report(generated_at=NOW, mode='audit', **statuses):
    """A report whose accounts stand as ``statuses`` (account: status), in that order."""
    return {'report_version': 1, 'mode': mode, 'generated_at': generated_at, 'warnings': [],
            'summary': {'total': len(statuses), 'compliant': 0, 'drift': 0, 'changed': 0, 'exempt': 0, 'failed': 0,
                        'out_of_policy': 0, 'stricter': 0},
            'accounts': [{'account': name, 'status': status} for name, status in statuses.items()]}


YESTERDAY = report(THEN, ok='compliant', drifts='compliant', fixed='drift', broken='failed', gone='drift',
                   lab='exempt', healed='failed')
TODAY = report(NOW, ok='compliant', drifts='drift', fixed='compliant', broken='failed', new='drift', lab='exempt',
               healed='changed', newbie='compliant')


# ---------------------------------------------------------------------------
# changes_since
# ---------------------------------------------------------------------------

def test_changes_since_names_each_account_that_changed_both_ways():
    changes = changes_since(YESTERDAY, TODAY)
    assert changes == {
        'newly_out_of_policy': ['drifts', 'new'],
        'back_in_policy': ['fixed', 'healed'],
        'new_accounts': ['new', 'newbie'],
        'gone_accounts': ['gone'],
        'previous_generated_at': THEN,
        'previous_mode': 'audit',
        'counts': {'newly_out_of_policy': 2, 'back_in_policy': 2, 'new_accounts': 2, 'gone_accounts': 1},
    }


@pytest.mark.parametrize('then, now, newly, back', [
    ('drift', 'failed', False, False),
    ('failed', 'drift', False, False),
    ('exempt', 'drift', True, False),
    ('drift', 'exempt', False, False),
    ('compliant', 'failed', True, False),
    ('changed', 'drift', True, False),
    ('drift', 'changed', False, True),
    ('failed', 'compliant', False, True),
    ('compliant', 'compliant', False, False),
])
def test_changes_since_out_of_policy_is_drift_or_failed(then, now, newly, back):
    changes = changes_since(report(THEN, a=then), report(NOW, a=now))
    assert (changes['newly_out_of_policy'] == ['a'], changes['back_in_policy'] == ['a']) == (newly, back)
    assert (changes['new_accounts'], changes['gone_accounts']) == ([], [])


def test_changes_since_an_identical_report_is_no_change():
    changes = changes_since(TODAY, TODAY)
    assert changes['counts'] == {'newly_out_of_policy': 0, 'back_in_policy': 0, 'new_accounts': 0, 'gone_accounts': 0}


# ---------------------------------------------------------------------------
# keep_previous, load_previous, previous_path
# ---------------------------------------------------------------------------

def write(path, value):
    path.write_text(json.dumps(value) if not isinstance(value, str) else value)
    return str(path)


def test_keep_previous_keeps_the_report_the_directory_holds_one_generation(tmp_path):
    write(tmp_path / PREVIOUS_FILE, YESTERDAY)
    write(tmp_path / JSON_FILE, TODAY)
    kept = keep_previous(str(tmp_path))
    assert kept == str(tmp_path / PREVIOUS_FILE)
    assert json.loads((tmp_path / PREVIOUS_FILE).read_text()) == TODAY
    assert not (tmp_path / JSON_FILE).exists()


def test_keep_previous_of_a_directory_without_a_report_is_none(tmp_path):
    write(tmp_path / PREVIOUS_FILE, YESTERDAY)
    assert keep_previous(str(tmp_path)) is None
    # An older one is left as it is, and not compared with (previous_path says None).
    assert json.loads((tmp_path / PREVIOUS_FILE).read_text()) == YESTERDAY


def test_load_previous_reads_a_report(tmp_path):
    assert load_previous(write(tmp_path / 'r.json', YESTERDAY)) == (YESTERDAY, None)


@pytest.mark.parametrize('content, said', [
    ('not json', 'is not JSON'),
    ([1, 2], 'is not a report of this collection'),
    ({'accounts': 'x'}, 'is not a report of this collection'),
    ({'accounts': [{'account': 3}]}, 'is not a report of this collection'),
    ({'generated_at': THEN}, 'is not a report of this collection'),
])
def test_load_previous_of_what_is_not_a_report_is_a_warning(tmp_path, content, said):
    path = write(tmp_path / 'r.json', content)
    previous, warning = load_previous(path)
    assert previous is None
    assert warning.startswith('the last report: ') and said in warning and path in warning
    assert warning.endswith('the report has no comparison with the last audit')


def test_load_previous_of_a_missing_file_is_a_warning(tmp_path):
    previous, warning = load_previous(str(tmp_path / 'gone.json'), 'enforced_tls_baseline_previous_report')
    assert previous is None
    assert warning.startswith('enforced_tls_baseline_previous_report: cannot read {0}'.format(tmp_path / 'gone.json'))


def test_previous_path_of_a_first_batch_keeps_what_the_directory_holds(tmp_path):
    write(tmp_path / JSON_FILE, YESTERDAY)
    assert previous_path(str(tmp_path)) == str(tmp_path / PREVIOUS_FILE)
    # A later batch of the same run compares with what the first kept, not with the first batch's own files.
    write(tmp_path / JSON_FILE, TODAY)
    earlier = {'since_last_audit': {'previous_report': str(tmp_path / PREVIOUS_FILE)}}
    assert previous_path(str(tmp_path), first=False, earlier=earlier) == str(tmp_path / PREVIOUS_FILE)
    assert json.loads((tmp_path / JSON_FILE).read_text()) == TODAY
    assert previous_path(str(tmp_path), first=False, earlier={}) is None


def test_previous_path_a_named_report_wins_and_the_directory_is_kept_all_the_same(tmp_path):
    named = write(tmp_path / 'baseline.json', YESTERDAY)
    write(tmp_path / JSON_FILE, TODAY)
    assert previous_path(str(tmp_path), named) == named
    assert json.loads((tmp_path / PREVIOUS_FILE).read_text()) == TODAY
    assert previous_path(None, named) == named


def test_previous_path_naming_the_directorys_own_report_is_where_it_is_kept(tmp_path):
    write(tmp_path / JSON_FILE, YESTERDAY)
    assert previous_path(str(tmp_path), str(tmp_path / JSON_FILE)) == str(tmp_path / PREVIOUS_FILE)


def test_previous_path_without_a_directory_or_a_name_is_none():
    assert previous_path() is None


# ---------------------------------------------------------------------------
# compare_with_last, change_counts
# ---------------------------------------------------------------------------

def test_compare_with_last_adds_the_changes_and_where_the_last_report_is(tmp_path):
    path = write(tmp_path / PREVIOUS_FILE, YESTERDAY)
    compared, warning = compare_with_last(TODAY, path)
    assert warning is None
    assert compared == dict(TODAY, since_last_audit=dict(changes_since(YESTERDAY, TODAY), previous_report=path))
    assert 'since_last_audit' not in TODAY


def test_compare_with_last_of_a_report_that_cannot_be_read_warns_in_the_report_and_to_the_caller(tmp_path):
    path = write(tmp_path / PREVIOUS_FILE, '{')
    compared, warning = compare_with_last(TODAY, path)
    assert 'since_last_audit' not in compared
    assert compared['warnings'] == [warning] and 'is not JSON' in warning
    assert TODAY['warnings'] == []


def test_compare_with_last_without_a_path_is_the_report():
    assert compare_with_last(TODAY, None) == (TODAY, None)


def test_change_counts_of_a_run_and_of_a_batch_that_adds_to_it():
    first = dict(TODAY, since_last_audit={'counts': {'newly_out_of_policy': 1, 'back_in_policy': 0,
                                                     'new_accounts': 2, 'gone_accounts': 5}})
    assert change_counts(first) == first['since_last_audit']['counts']
    run = dict(TODAY, since_last_audit={'counts': {'newly_out_of_policy': 3, 'back_in_policy': 1,
                                                   'new_accounts': 2, 'gone_accounts': 2}})
    # Accounts gone after the first batch turned up in the second: added up, the counts are the run's.
    assert change_counts(run, first) == {'newly_out_of_policy': 2, 'back_in_policy': 1, 'new_accounts': 0,
                                         'gone_accounts': -3}
    assert change_counts(TODAY) is None


# ---------------------------------------------------------------------------
# the summary line
# ---------------------------------------------------------------------------

def test_the_summary_line_ends_with_the_changes_since_the_last_audit():
    changes = changes_since(YESTERDAY, TODAY)
    assert changes_summary(changes) == ('Since the last audit (2026-12-02T03:00:00Z): 2 newly out of policy, 2 back'
                                        ' in policy, 2 new, 1 gone.')
    line = summary_line(dict(TODAY, since_last_audit=changes), '/r/enforced-tls-report.md')
    assert line.endswith(' ' + changes_summary(changes) + ' Report: /r/enforced-tls-report.md')
    assert 'Since the last audit' not in summary_line(TODAY)


def test_keep_previous_that_cannot_keep_the_report_compares_with_it_where_it_is(tmp_path):
    (tmp_path / PREVIOUS_FILE).mkdir()
    write(tmp_path / JSON_FILE, YESTERDAY)
    kept = keep_previous(str(tmp_path))
    assert kept == str(tmp_path / JSON_FILE)
    assert compare_with_last(TODAY, kept)[0]['since_last_audit']['gone_accounts'] == ['gone']
