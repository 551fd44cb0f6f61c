# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
import requests
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.mailops.sendgrid.plugins.module_utils import _module_support as module_support
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import ENFORCED_TLS_PATH
from ansible_collections.mailops.sendgrid.plugins.modules import sendgrid_enforced_tls_info
from ansible_collections.mailops.sendgrid.tests.unit.plugins.modules.sendgrid_module_helpers import (
    args,
    patch_session,
    set_module_args,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    FakeResponse,
    FakeSession,
    settings,
)

MODULE = sendgrid_enforced_tls_info
URL = 'https://api.sendgrid.com' + ENFORCED_TLS_PATH


@pytest.mark.parametrize('on_behalf_of, headers', [
    (None, {}),
    ('marketing', {'On-Behalf-Of': 'marketing'}),
    ('account-id 42', {'On-Behalf-Of': 'account-id 42'}),
])
def test_reads_the_setting(run, on_behalf_of, headers):
    session = FakeSession([FakeResponse(200, {'require_tls': True, 'require_valid_cert': False, 'version': '1.2'})])
    result = run(args(on_behalf_of=on_behalf_of), session)
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['enforced_tls'] == settings(True, False, 1.2)
    assert result['account'] == on_behalf_of
    assert session.methods == ['GET']
    assert session.calls[0]['url'] == URL
    assert session.calls[0]['headers'] == headers
    assert session.calls[0]['json'] is None
    assert session.closed is True
    prepared = requests.Request('GET', URL, auth=session.calls[0]['auth']).prepare()
    assert prepared.headers['Authorization'] == 'Bearer ' + API_KEY


def test_missing_version_is_the_default(run):
    session = FakeSession([FakeResponse(200, {'require_tls': False, 'require_valid_cert': False})])
    result = run(args(), session)
    assert result['enforced_tls'] == settings(False, False, 1.1)


def test_check_mode_reads_too(run):
    session = FakeSession([FakeResponse(200, settings(True, True, 1.3))])
    result = run(args(_ansible_check_mode=True), session)
    assert result['changed'] is False
    assert result['enforced_tls'] == settings(True, True, 1.3)
    assert session.methods == ['GET']


def test_eu_region(run):
    session = FakeSession([FakeResponse(200, settings())])
    run(args(region='eu'), session)
    assert session.calls[0]['url'] == 'https://api.eu.sendgrid.com' + ENFORCED_TLS_PATH


@pytest.mark.parametrize('on_behalf_of', ['sub\r\nX-Injected: 1', 'sub\n', '', ' sub'])
def test_bad_on_behalf_of_fails_before_any_request(run, on_behalf_of):
    session = FakeSession()
    result = run(args(on_behalf_of=on_behalf_of), session)
    assert result['failed'] is True
    assert result['msg'].startswith('on_behalf_of ')
    assert session.calls == []
    # Checked before the client is even built.
    assert session.pool_sizes == []


def test_plain_http_api_url_fails_before_any_request(run):
    session = FakeSession()
    result = run(args(api_url='http://sendgrid.example.com'), session)
    assert result['failed'] is True
    assert result['msg'].startswith("api_url 'http://sendgrid.example.com' uses plain http://")
    assert session.calls == []


def test_missing_api_key(run):
    session = FakeSession()
    result = run({}, session)
    assert result['failed'] is True
    assert 'SENDGRID_API_KEY' in result['msg']
    assert session.calls == []


def test_requests_missing(run, monkeypatch):
    monkeypatch.setattr(module_support, 'HAS_REQUESTS', False)
    session = FakeSession()
    result = run(args(), session)
    assert result['failed'] is True
    assert result['msg'] == missing_required_lib('requests')
    assert session.calls == []


@pytest.mark.parametrize('status, needle', [
    (401, 'Check the api_key option (or SENDGRID_API_KEY); an EU key needs region: eu.'),
    (403, 'Check that the API key has the scope user.settings.enforced_tls.read.'),
    (404, 'Check api_url and region; EU subusers need region: eu.'),
])
def test_api_errors_give_status(run, status, needle):
    session = FakeSession([FakeResponse(status, {'errors': [{'message': 'SendGrid refused'}]})])
    result = run(args(on_behalf_of='x'), session)
    assert result['failed'] is True
    assert result['status'] == status
    assert result['account'] == 'x'
    assert result['msg'].startswith("GET {0} for subuser 'x' failed with HTTP {1}".format(ENFORCED_TLS_PATH, status))
    assert 'SendGrid says: SendGrid refused' in result['msg']
    assert needle in result['msg']
    assert "Also check that subuser 'x' exists" in result['msg']


def test_api_error_id_in_the_message_and_result(run):
    answer = {'errors': [{'field': 'on-behalf-of', 'message': 'not a subuser'}], 'id': 'c0ffee01'}
    session = FakeSession([FakeResponse(403, answer)])
    result = run(args(on_behalf_of='x'), session)
    assert result['failed'] is True
    assert result['error_id'] == 'c0ffee01'
    assert result['api_messages'] == ['not a subuser (field: on-behalf-of)']
    assert result['msg'].endswith(' SendGrid error id: c0ffee01.')


def test_invalid_answer(run):
    session = FakeSession([FakeResponse(200, text='<html>proxy login</html>')])
    result = run(args(), session)
    assert result['failed'] is True
    assert 'status' not in result
    assert 'the body is not valid JSON' in result['msg']


def test_real_output_never_shows_the_key(monkeypatch, capsys):
    session = FakeSession([FakeResponse(403, {'errors': [{'message': 'access forbidden'}]})])
    patch_session(monkeypatch, session)
    with set_module_args(args()):
        with pytest.raises(SystemExit) as excinfo:
            sendgrid_enforced_tls_info.main()
    assert excinfo.value.code == 1
    out = capsys.readouterr().out
    assert API_KEY not in out
    result = json.loads(out)
    assert result['status'] == 403
    assert result['account'] is None
