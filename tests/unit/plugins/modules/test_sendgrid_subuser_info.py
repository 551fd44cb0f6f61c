# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import SUBUSERS_PATH
from ansible_collections.mailops.sendgrid.plugins.modules import sendgrid_subuser_info
from ansible_collections.mailops.sendgrid.tests.unit.plugins.modules.sendgrid_module_helpers import (
    args,
    patch_session,
    set_module_args,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    FakeResponse,
    FakeSession,
    FakeSubuserServer,
    subuser,
)

MODULE = sendgrid_subuser_info
URL = 'https://api.sendgrid.com' + SUBUSERS_PATH
FLEET = [
    subuser('g1', 'global', user_id=1),
    subuser('e1', 'eu', user_id=2),
    subuser('old', user_id=3),
    subuser('off', 'global', disabled=True, user_id=4),
    subuser('e-off', 'eu', disabled=True, user_id=5),
]


def server_session(subusers=None, **options):
    server = FakeSubuserServer(FLEET if subusers is None else subusers, **options)
    return FakeSession(forever=lambda: server)


def normalized(username, region='global', disabled=False, user_id=None):
    return {'username': username, 'id': user_id, 'email': username + '@example.com', 'disabled': disabled,
            'region': region}


ALL = [
    normalized('g1', user_id=1),
    normalized('e1', 'eu', user_id=2),
    normalized('old', user_id=3),
    normalized('off', disabled=True, user_id=4),
    normalized('e-off', 'eu', disabled=True, user_id=5),
]


def test_lists_every_subuser_page_by_page(run):
    session = server_session()
    result = run(args(page_size=2), session)
    assert result == {'changed': False, 'subusers': ALL}
    assert [call['params'] for call in session.calls] == [
        {'limit': 2, 'offset': 0, 'include_region': 'true'},
        {'limit': 2, 'offset': 2, 'include_region': 'true'},
        {'limit': 2, 'offset': 4, 'include_region': 'true'},
    ]
    assert [call['url'] for call in session.calls] == [URL] * 3
    assert [call['headers'] for call in session.calls] == [{}] * 3
    assert session.methods == ['GET'] * 3
    assert session.closed is True
    assert session.pool_sizes == [1]


def test_default_page_size(run):
    # 500, as other clients page (the most SendGrid accepts).
    subusers = [subuser('s{0:04d}'.format(index)) for index in range(1230)]
    session = server_session(subusers)
    result = run(args(), session)
    assert [item['username'] for item in result['subusers']] == ['s{0:04d}'.format(index) for index in range(1230)]
    assert [(call['params']['limit'], call['params']['offset']) for call in session.calls] == [
        (500, 0), (500, 500), (500, 1000)]


def test_default_page_size_under_a_lower_server_cap(run):
    subusers = [subuser('s{0:03d}'.format(index)) for index in range(230)]
    session = server_session(subusers, max_limit=100)
    result = run(args(), session)
    assert len(result['subusers']) == 230
    assert [(call['params']['limit'], call['params']['offset']) for call in session.calls] == [
        (500, 0), (500, 100), (500, 200)]


def test_exact_multiple_of_the_page_size(run):
    session = server_session(FLEET[:4])
    result = run(args(page_size=2), session)
    assert [item['username'] for item in result['subusers']] == ['g1', 'e1', 'old', 'off']
    assert [call['params']['offset'] for call in session.calls] == [0, 2, 4]


def test_include_disabled_false_leaves_out_disabled(run):
    session = server_session()
    result = run(args(include_disabled=False, page_size=3), session)
    assert result['subusers'] == ALL[:3]
    # Disabled subusers are filtered after listing: every page is still read.
    assert [call['params']['offset'] for call in session.calls] == [0, 3]


@pytest.mark.parametrize('region, expected', [
    ('global', ['g1', 'old', 'off']),
    ('eu', ['e1', 'e-off']),
    ('all', ['g1', 'e1', 'old', 'off', 'e-off']),
])
@pytest.mark.parametrize('honour_region', [True, False])
def test_subuser_region(run, region, expected, honour_region):
    session = server_session(honour_region=honour_region)
    result = run(args(subuser_region=region), session)
    assert [item['username'] for item in result['subusers']] == expected
    params = session.calls[0]['params']
    assert params.get('region') == (None if region == 'all' else region)
    # subuser_region filters the subusers; the endpoint stays the global one.
    assert session.calls[0]['url'] == URL


def test_subuser_region_and_include_disabled_together(run):
    session = server_session()
    result = run(args(subuser_region='eu', include_disabled=False), session)
    assert result['subusers'] == [normalized('e1', 'eu', user_id=2)]


def test_bad_subuser_region_is_refused_before_any_request(run):
    session = server_session()
    result = run(args(subuser_region='us'), session)
    assert result['failed'] is True
    assert 'subuser_region' in result['msg']
    assert 'all, global, eu' in result['msg']
    assert session.calls == []


# SendGrid's username filter is a case-insensitive prefix match (sendgrid-oai issue 38).
NEIGHBOURS = [
    subuser('Anna', user_id=1),
    subuser('annex', 'eu', user_id=2),
    subuser('bob', user_id=3),
    subuser('Ann', user_id=4),
    subuser('ann-off', disabled=True, user_id=5),
]


@pytest.mark.parametrize('name', ['ann', 'Ann', 'ANN'])
def test_username_is_the_exact_name_regardless_of_case(run, name):
    session = server_session(NEIGHBOURS)
    result = run(args(username=name, page_size=2), session)
    assert result == {'changed': False, 'subusers': [normalized('Ann', user_id=4)]}
    # Every page of SendGrid's prefix matches is read: the name may be on any of them.
    assert [call['params'] for call in session.calls] == [
        {'limit': 2, 'offset': offset, 'include_region': 'true', 'username': name} for offset in (0, 2, 4)]


def test_username_found_beyond_the_first_page(run):
    subusers = [subuser('ann-{0:03d}'.format(index)) for index in range(9)] + [subuser('ANN', user_id=99)]
    session = server_session(subusers)
    result = run(args(username='ann', page_size=4), session)
    assert result['subusers'] == [normalized('ANN', user_id=99)]
    assert [call['params']['offset'] for call in session.calls] == [0, 4, 8]


def test_username_with_no_subuser_of_that_name(run):
    session = server_session(NEIGHBOURS)
    result = run(args(username='an'), session)
    assert result == {'changed': False, 'subusers': []}


def test_username_with_the_other_filters(run):
    session = server_session(NEIGHBOURS)
    assert run(args(username='annex', subuser_region='eu'), session)['subusers'] == [
        normalized('annex', 'eu', user_id=2)]
    assert run(args(username='ann-off', include_disabled=False), session)['subusers'] == []


def test_username_prefix_is_sendgrids_filter(run):
    session = server_session(NEIGHBOURS)
    result = run(args(username_prefix='ann'), session)
    assert [item['username'] for item in result['subusers']] == ['Anna', 'annex', 'Ann', 'ann-off']
    assert session.calls[0]['params'] == {'limit': 500, 'offset': 0, 'include_region': 'true', 'username': 'ann'}


def test_username_and_username_prefix_are_mutually_exclusive(run):
    session = server_session(NEIGHBOURS)
    result = run(args(username='ann', username_prefix='ann'), session)
    assert result['failed'] is True
    assert 'mutually exclusive' in result['msg']
    assert 'username' in result['msg'] and 'username_prefix' in result['msg']
    assert session.calls == []


@pytest.mark.parametrize('option', ['username', 'username_prefix'])
@pytest.mark.parametrize('value, message', [
    ('', '{0} must not be empty or only whitespace'),
    ('  ', '{0} must not be empty or only whitespace'),
    ('a' * 257, "{0} '" + 'a' * 80 + "'... (257 characters) is longer than the 256 characters a subuser name may"
     ' have here'),
    ('ann\x00x', "{0} 'ann\\x00x' contains control characters, which no subuser name has"),
    ('ann\r\nX: y', "{0} 'ann\\r\\nX: y' contains control characters, which no subuser name has"),
    ('ann ', "{0} 'ann ' has leading or trailing whitespace; remove it"),
])
def test_bad_names_fail_before_any_request(run, option, value, message):
    session = server_session()
    result = run(args(**{option: value}), session)
    assert result['failed'] is True
    if '\x00' in value:
        # The module refuses a NUL in any option before ansible-core logs it.
        assert result['msg'] == '{0} contains a NUL character, which no SendGrid name, key or setting can hold;' \
            ' remove it'.format(option)
    else:
        assert result['msg'] == message.format(option)
    assert session.calls == []
    assert session.pool_sizes == []


def test_a_name_at_its_bound(run):
    session = server_session([subuser('n' * 256)])
    result = run(args(username='N' * 256), session)
    assert [item['username'] for item in result['subusers']] == ['n' * 256]


def test_eu_endpoint(run):
    session = server_session()
    run(args(region='eu'), session)
    assert session.calls[0]['url'] == 'https://api.eu.sendgrid.com' + SUBUSERS_PATH


@pytest.mark.parametrize('on_behalf_of', ['account-id 42', 'reseller'])
def test_on_behalf_of(run, on_behalf_of):
    session = server_session()
    result = run(args(on_behalf_of=on_behalf_of, page_size=3), session)
    assert len(result['subusers']) == 5
    assert [call['headers'] for call in session.calls] == [{'On-Behalf-Of': on_behalf_of}] * 2


def test_check_mode_lists_the_same(run):
    session = server_session()
    result = run(args(_ansible_check_mode=True, page_size=2), session)
    assert result == {'changed': False, 'subusers': ALL}
    assert len(session.calls) == 3


@pytest.mark.parametrize('status, needle', [
    (401, 'Check the api_key option (or SENDGRID_API_KEY); an EU key needs region: eu.'),
    (403, 'Check that the API key has the scope subusers.read.'),
    (404, 'Check api_url and region; EU subusers need region: eu.'),
    (400, ''),
])
def test_api_errors_give_status(run, status, needle):
    session = FakeSession([FakeResponse(status, {'errors': [{'message': 'nope'}]})])
    result = run(args(max_retries=0), session)
    assert result['failed'] is True
    assert result['status'] == status
    assert result['msg'].startswith('GET /v3/subusers for the parent account failed with HTTP {0}'.format(status))
    assert '(SendGrid says: nope)' in result['msg']
    assert needle in result['msg']
    assert 'subusers' not in result


@pytest.mark.parametrize('status', [400, 403, 500])
def test_api_error_id_in_the_message_and_result(run, status):
    answer = {'errors': [{'field': 'limit', 'message': 'nope', 'help': 'see the docs'}], 'id': 'e7a1c0ffee'}
    session = FakeSession([FakeResponse(status, answer)])
    result = run(args(max_retries=0, username='ann'), session)
    assert result['failed'] is True
    assert result['status'] == status
    assert result['error_id'] == 'e7a1c0ffee'
    assert result['api_messages'] == ['nope (field: limit; help: see the docs)']
    assert result['msg'].startswith('GET /v3/subusers for the parent account failed with HTTP {0}'.format(status))
    assert ' SendGrid error id: e7a1c0ffee.' in result['msg']


def test_api_error_without_an_id_has_no_error_id(run):
    session = FakeSession([FakeResponse(403, {'errors': [{'message': 'nope'}]})])
    result = run(args(), session)
    assert 'error_id' not in result
    assert 'error id' not in result['msg']


def test_400_hint_does_not_talk_about_tls_settings(run):
    session = FakeSession([FakeResponse(400, {'errors': [{'message': 'invalid limit'}]})])
    result = run(args(), session)
    assert result['status'] == 400
    assert 'require_tls' not in result['msg']


def test_error_on_a_later_page(run):
    session = FakeSession([FakeResponse(200, FLEET[:2]), FakeResponse(403, {'errors': [{'message': 'nope'}]})])
    result = run(args(page_size=2, on_behalf_of='account-id 7'), session)
    assert result['failed'] is True
    assert result['status'] == 403
    assert result['msg'].startswith("GET /v3/subusers for customer account '7' failed with HTTP 403 Forbidden")
    assert 'subusers' not in result


def test_invalid_answer_fails_without_status(run):
    session = FakeSession([FakeResponse(200, {'result': []})])
    result = run(args(), session)
    assert result['failed'] is True
    assert 'status' not in result
    assert result['msg'] == ("SendGrid's answer to GET /v3/subusers for the parent account (offset 0) is not a list"
                             " of subusers: \"{'result': []}\"")


def test_server_ignoring_offset_fails_instead_of_looping(run):
    session = server_session(ignore_offset=True)
    result = run(args(page_size=2), session)
    assert result['failed'] is True
    assert result['msg'] == ('GET /v3/subusers for the parent account answered the same subusers again at offset 2;'
                             ' stopped paging rather than loop forever.')
    assert len(session.calls) == 2


@pytest.mark.parametrize('page_size', [0, -1, 501, 10 ** 9])
def test_bad_page_size_fails_before_any_request(run, page_size):
    session = server_session()
    result = run(args(page_size=page_size), session)
    assert result['failed'] is True
    assert result['msg'] == 'page_size must be a whole number from 1 to 500; got {0} (integer)'.format(page_size)
    assert session.calls == []


def test_page_size_at_its_bound(run):
    session = server_session()
    result = run(args(page_size=500), session)
    assert 'failed' not in result
    assert session.calls[0]['params']['limit'] == 500


def test_bad_on_behalf_of_fails_before_any_request(run):
    session = server_session()
    result = run(args(on_behalf_of='a\r\nX: 1'), session)
    assert result['failed'] is True
    assert result['msg'].startswith("on_behalf_of 'a\\r\\nX: 1' contains control characters")
    assert session.calls == []
    assert session.pool_sizes == []


def test_missing_api_key(run):
    session = server_session()
    result = run({}, session)
    assert result['failed'] is True
    assert result['msg'] == ('an API key is required and none was given. Set the api_key option (for example through'
                             ' module_defaults for group/mailops.sendgrid.sendgrid) or the SENDGRID_API_KEY environment'
                             ' variable.')
    assert session.calls == []


def test_key_is_sent_but_never_in_the_output(run):
    session = FakeSession([FakeResponse(401, text='{"errors": [{"message": "bad key ' + API_KEY + '"}]}')])
    result = run(args(), session)
    assert result['failed'] is True
    assert 'bad key <api_key>' in result['msg']
    assert session.calls[0]['auth'].api_key == API_KEY


def test_real_output_never_shows_the_key(monkeypatch, capsys):
    session = server_session()
    patch_session(monkeypatch, session)
    with set_module_args(args(page_size=2)):
        with pytest.raises(SystemExit) as excinfo:
            sendgrid_subuser_info.main()
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    assert API_KEY not in out
    result = json.loads(out)
    assert result['changed'] is False
    assert result['subusers'] == ALL
