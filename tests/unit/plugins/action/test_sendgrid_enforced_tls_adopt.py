# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import stat
from unittest.mock import MagicMock

import pytest
import yaml

from ansible_collections.mailops.sendgrid.plugins.action import sendgrid_enforced_tls_adopt as plugin
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PARENT_ACCOUNT
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import settings

POLICY = settings(True, True, 1.2)
STRICT = settings(True, True, 1.3)
NO_CERT = settings(True, False, 1.2)
NOTHING_WRITTEN = ' No file was written.'
MADE_AT = '2026-12-06T10:00:00Z'


def entry(account, before, status='compliant'):
    return {'account': account, 'region': None, 'status': status, 'policy': POLICY, 'before': before,
            'after': before, 'differences': [], 'stricter': [], 'reason': None}


# As the role registers it: the report, with the task's own keys.
REPORT = {'report_version': 1, 'mode': 'audit', 'excluded': [], 'disabled': [], 'changed': True, 'msg': 'audit',
          'failure': None, 'accounts': [entry(PARENT_ACCOUNT, NO_CERT, 'drift'), entry('s01', POLICY),
                                        entry('s02', STRICT), entry('s03', POLICY)]}
EXPECTED = {
    'enforced_tls_baseline_policy': POLICY,
    'enforced_tls_baseline_enforcement': 'exact',
    'enforced_tls_baseline_parent_policy': NO_CERT,
    'enforced_tls_baseline_all_subusers': False,
    'enforced_tls_baseline_subusers': ['s01', dict(STRICT, name='s02'), 's03'],
}


@pytest.fixture
def adopt(monkeypatch):
    def run_action(args, check_mode=False, diff=False, made_at=MADE_AT):
        monkeypatch.setattr(plugin.ActionModule, '_now', staticmethod(lambda: made_at))
        task = MagicMock(args=args, check_mode=check_mode, diff=diff, async_val=0)
        action = plugin.ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
        return action.run(task_vars={})
    return run_action


def listing(directory):
    return sorted(os.listdir(str(directory)))


def test_adopt_writes_the_vars_file(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    result = adopt({'report': REPORT, 'path': str(path)})
    assert result.get('failed') is not True
    assert result['changed'] is True
    assert result['check_mode'] is False
    assert result['path'] == str(path)
    assert result['adopted'] == EXPECTED
    text = path.read_text(encoding='utf-8')
    assert text.startswith('---\n# The Enforced TLS baseline of the parent account and 3 subusers (listed), region'
                           ' global:')
    assert '# Made by mailops.sendgrid.adopt at 2026-12-06T10:00:00Z (UTC).\n' in text
    assert yaml.safe_load(text) == EXPECTED
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o644
    # Renamed into place: no temporary file is left.
    assert listing(tmp_path) == ['baseline.yml']
    assert result['msg'] == ('Wrote {0}: policy require_tls=true, require_valid_cert=true, version=1.2 (exact); the'
                             ' parent account has a setting of its own; 1 subuser(s) with a setting of their own,'
                             ' 0 exempt, 3 subuser(s) listed.'.format(path))
    assert 'diff' not in result


def test_the_file_mode_is_0644_whatever_the_umask(adopt, tmp_path):
    old = os.umask(0o077)
    try:
        adopt({'report': REPORT, 'path': str(tmp_path / 'baseline.yml')})
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(str(tmp_path / 'baseline.yml')).st_mode) == 0o644


def test_discovery_and_disabled_subusers_are_passed_on(adopt, tmp_path):
    result = adopt({'report': REPORT, 'path': str(tmp_path / 'b.yml'), 'all_subusers': True, 'include_disabled': True})
    assert result['adopted']['enforced_tls_baseline_all_subusers'] is True
    assert result['adopted']['enforced_tls_baseline_include_disabled'] is True
    assert result['adopted']['enforced_tls_baseline_subusers'] == [dict(STRICT, name='s02')]


def test_an_existing_file_is_refused_without_force_and_left_as_it_is(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    path.write_text('# mine\n')
    before = os.stat(str(path))
    result = adopt({'report': REPORT, 'path': str(path)})
    assert result['failed'] is True
    assert result['msg'] == ('sendgrid_adopt_file: {0} exists; set sendgrid_adopt_force: true to replace it (with the'
                             ' fleet as it is now), or choose another path.{1}'.format(path, NOTHING_WRITTEN))
    assert path.read_text() == '# mine\n'
    assert os.stat(str(path)).st_mtime_ns == before.st_mtime_ns
    assert listing(tmp_path) == ['baseline.yml']


def test_an_existing_file_is_refused_in_check_mode_too(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    path.write_text('# mine\n')
    result = adopt({'report': REPORT, 'path': str(path)}, check_mode=True)
    assert result['failed'] is True
    assert 'set sendgrid_adopt_force: true' in result['msg']


def test_force_replaces_a_file_of_another_baseline(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    path.write_text('# mine\n')
    result = adopt({'report': REPORT, 'path': str(path), 'force': True}, diff=True)
    assert result['changed'] is True
    assert yaml.safe_load(path.read_text()) == EXPECTED
    assert result['diff']['before'] == '# mine\n'
    assert result['diff']['after'] == path.read_text()
    assert result['diff']['before_header'] == result['diff']['after_header'] == str(path)
    assert listing(tmp_path) == ['baseline.yml']


def test_force_leaves_a_file_of_the_same_baseline_as_it_is(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    adopt({'report': REPORT, 'path': str(path)})
    first = path.read_text()
    result = adopt({'report': REPORT, 'path': str(path), 'force': True}, diff=True, made_at='2027-01-01T00:00:00Z')
    assert result['changed'] is False
    assert 'diff' not in result
    assert path.read_text() == first
    assert result['msg'].startswith('{0} already holds this baseline (policy'.format(path))
    assert result['msg'].endswith('); left as it is.')


def test_check_mode_writes_nothing_and_diff_shows_the_file(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    result = adopt({'report': REPORT, 'path': str(path)}, check_mode=True, diff=True)
    assert listing(tmp_path) == []
    assert result['changed'] is True
    assert result['check_mode'] is True
    assert result['msg'].startswith('Would write {0}: policy require_tls=true'.format(path))
    assert result['diff']['before'] == ''
    assert yaml.safe_load(result['diff']['after']) == EXPECTED
    assert result['diff']['after'].startswith('---\n# The Enforced TLS baseline of')


def test_check_mode_with_force_shows_the_file_it_would_replace(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    path.write_text('# mine\n')
    result = adopt({'report': REPORT, 'path': str(path), 'force': True}, check_mode=True, diff=True)
    assert path.read_text() == '# mine\n'
    assert result['changed'] is True
    assert result['diff']['before'] == '# mine\n'


def test_a_file_that_is_not_text_is_replaced_with_force(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    path.write_bytes(b'\xff\xfe\x00')
    result = adopt({'report': REPORT, 'path': str(path), 'force': True})
    assert result['changed'] is True
    assert yaml.safe_load(path.read_text()) == EXPECTED


@pytest.mark.parametrize('report, message', [
    (dict(REPORT, mode='enforce'), 'report is the report of an enforcement (mode enforce), which changed accounts,'
                                   ' not of an audit;'),
    (dict(REPORT, accounts=REPORT['accounts'] + [dict(entry('ghost', None, 'failed'), reason='HTTP 404')]),
     "1 account(s) failed in the audit: 'ghost'. A failed account has no setting to adopt"),
    ({'failure': 'this run has no account to read', 'msg': 'x'},
     'report holds no accounts: the audit failed before it read any (this run has no account to read)'),
])
def test_a_report_that_cannot_be_adopted_writes_nothing(adopt, tmp_path, report, message):
    path = tmp_path / 'baseline.yml'
    result = adopt({'report': report, 'path': str(path)})
    assert result['failed'] is True
    assert result['msg'].startswith(message)
    assert result['msg'].endswith(NOTHING_WRITTEN)
    assert listing(tmp_path) == []


def test_a_path_in_a_directory_that_does_not_exist_is_refused(adopt, tmp_path):
    path = tmp_path / 'missing' / 'baseline.yml'
    result = adopt({'report': REPORT, 'path': str(path)})
    assert result['msg'] == ('sendgrid_adopt_file: the directory of {0} does not exist; create it, or choose another'
                             ' path.{1}'.format(path, NOTHING_WRITTEN))
    assert listing(tmp_path) == []


def test_a_path_that_is_a_directory_is_refused_even_with_force(adopt, tmp_path):
    result = adopt({'report': REPORT, 'path': str(tmp_path), 'force': True})
    assert result['failed'] is True
    assert result['msg'] == 'sendgrid_adopt_file: {0} exists and is not a file; choose the path of a file.{1}'.format(
        tmp_path, NOTHING_WRITTEN)
    assert listing(tmp_path) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(adopt, tmp_path, monkeypatch):
    path = tmp_path / 'baseline.yml'
    path.write_text('# mine\n')

    def refuse(source, target):
        raise OSError(13, 'Permission denied')
    monkeypatch.setattr(plugin.os, 'replace', refuse)
    result = adopt({'report': REPORT, 'path': str(path), 'force': True})
    assert result['failed'] is True
    assert result['msg'] == 'sendgrid_adopt_file: cannot write {0}: Permission denied.{1}'.format(path, NOTHING_WRITTEN)
    assert path.read_text() == '# mine\n'
    assert listing(tmp_path) == ['baseline.yml']


def test_the_header_says_when_in_utc():
    made_at = plugin.ActionModule._now()
    assert len(made_at) == 20 and made_at.endswith('Z') and made_at[10] == 'T'


def test_without_a_report_the_path_is_only_checked(adopt, tmp_path):
    path = tmp_path / 'baseline.yml'
    assert adopt({'path': str(path)})['msg'] == '{0} can be written.'.format(path)
    assert not path.exists()
    path.write_text('# mine\n')
    result = adopt({'path': str(path)})
    assert result['failed'] is True
    assert result['msg'] == ('sendgrid_adopt_file: {0} exists; set sendgrid_adopt_force: true to replace it (with the'
                             ' fleet as it is now), or choose another path. No account was read.'.format(path))
    assert 'failed' not in adopt({'path': str(path), 'force': True})
    assert adopt({'path': ''})['msg'] == ('enforced_tls_baseline_adopt_file (sendgrid_adopt_file) is required: the'
                                          ' path of the vars file to write. No account was read.')
