# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What SendGrid's answers say: subuser and blocks list entries, error bodies, and the hints for error statuses."""

from __future__ import annotations

import json

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridResponseError
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import (
    BLOCKS_PATH,
    ENFORCED_TLS_PATH,
    MAX_API_MESSAGE,
    MAX_API_MESSAGES,
    MAX_ERROR_HELP,
    MAX_ERROR_ID,
    REQUIRED_SCOPES,
    ErrorBody,
    error_help,
    error_hint,
    error_id_note,
    normalize_block,
    normalize_subuser,
    read_error_body,
)


# ---------------------------------------------------------------------------
# normalize_subuser
# ---------------------------------------------------------------------------

def test_normalize_subuser_full_entry():
    entry = {'username': 'eu-marketing', 'id': 42, 'email': 'm@example.com', 'disabled': True, 'region': 'eu',
             'extra': 'ignored'}
    assert normalize_subuser(entry) == {'username': 'eu-marketing', 'id': 42, 'email': 'm@example.com',
                                        'disabled': True, 'region': 'eu'}


@pytest.mark.parametrize('region', [None, ''])
def test_normalize_subuser_without_region_is_global(region):
    entry = {'username': 'old'}
    if region is not None:
        entry['region'] = region
    assert normalize_subuser(entry) == {'username': 'old', 'id': None, 'email': None, 'disabled': False,
                                        'region': 'global'}


@pytest.mark.parametrize('entry', [{}, {'username': ''}, {'username': None}, {'username': 42}, 'alice', None,
                                   ['alice']])
def test_normalize_subuser_refuses_entries_without_username(entry):
    with pytest.raises(SendGridResponseError) as excinfo:
        normalize_subuser(entry, offset=200)
    assert excinfo.value.message.startswith(
        "SendGrid's answer to GET /v3/subusers (offset 200) holds an entry without a username: ")


# ---------------------------------------------------------------------------
# normalize_block
# ---------------------------------------------------------------------------

def test_normalize_block_full_entry():
    entry = {'created': 1796083200, 'email': 'Ann@Old.Example', 'reason': 'TLS required but not supported',
             'status': '4.0.0', 'extra': 'ignored'}
    assert normalize_block(entry, 'marketing', 500) == {
        'created': 1796083200, 'email': 'Ann@Old.Example', 'reason': 'TLS required but not supported',
        'status': '4.0.0'}


@pytest.mark.parametrize('missing', [{}, {'reason': None, 'status': None}, {'reason': 42, 'status': 4.0},
                                     {'reason': ['x'], 'status': {'code': 4}}])
def test_normalize_block_reason_and_status_default_to_empty_text(missing):
    entry = dict({'created': 0, 'email': 'a@b.example'}, **missing)
    assert normalize_block(entry, None) == {'created': 0, 'email': 'a@b.example', 'reason': '', 'status': ''}


def test_normalize_block_keeps_texts_as_they_are():
    entry = {'created': 5, 'email': '', 'reason': '  two\nlines ', 'status': ''}
    assert normalize_block(entry, None) == entry


@pytest.mark.parametrize('entry', [
    {},
    {'created': 1796083200},
    {'email': 'a@b.example'},
    {'created': None, 'email': 'a@b.example'},
    {'created': True, 'email': 'a@b.example'},
    {'created': '1796083200', 'email': 'a@b.example'},
    {'created': 1796083200.0, 'email': 'a@b.example'},
    {'created': 1796083200, 'email': None},
    {'created': 1796083200, 'email': 42},
    {'created': 1796083200, 'email': ['a@b.example']},
    'a@b.example',
    None,
    [1796083200, 'a@b.example'],
    42,
])
@pytest.mark.parametrize('on_behalf_of, account', [
    (None, 'the parent account'),
    ('marketing', "subuser 'marketing'"),
    ('account-id 42', "customer account '42'"),
])
def test_normalize_block_refuses_entries_without_created_or_email(entry, on_behalf_of, account):
    with pytest.raises(SendGridResponseError) as excinfo:
        normalize_block(entry, on_behalf_of, offset=1500)
    assert excinfo.value.message == (
        "SendGrid's answer to GET /v3/suppression/blocks for {0} (offset 1500) holds an entry without a created"
        ' time or an email: {1!r}'.format(account, str(entry)))
    assert excinfo.value.account == on_behalf_of


def test_normalize_block_refusal_shows_a_bounded_excerpt():
    entry = {'created': 'soon', 'email': 'a@b.example', 'reason': 'x' * 5000}
    with pytest.raises(SendGridResponseError) as excinfo:
        normalize_block(entry, None)
    assert '(offset 0)' in excinfo.value.message
    assert len(excinfo.value.message) < 400
    assert 'characters)' in excinfo.value.message


# ---------------------------------------------------------------------------
# read_error_body's messages / error_hint
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('{"errors": [{"message": "invalid version", "field": "version"}]}', ['invalid version (field: version)']),
    ('{"errors": [{"message": "a", "field": null}, {"message": "b", "field": "require_tls"}]}',
     ['a', 'b (field: require_tls)']),
    ('{"errors": [{"message": "authorization required"}]}', ['authorization required']),
    ('{"errors": ["plain text error"]}', ['plain text error']),
    ('{"errors": [{"field": "version"}, {"message": ""}, 3]}', []),
    ('{"error": "access forbidden"}', ['access forbidden']),
    ('{"errors": [{"message": "x"}], "error": "y"}', ['x', 'y']),
    ('{"errors": "not a list"}', []),
    ('{"error": {"nested": 1}}', []),
    ('', []),
    (None, []),
    ('not json', []),
    ('<html><body>Bad Gateway</body></html>', []),
    ('[1, 2]', []),
    ('"text"', []),
])
def test_read_error_body_messages(text, expected):
    assert read_error_body(text).messages == expected


# ---------------------------------------------------------------------------
# read_error_body: SendGrid's error id and help, bounded whatever the body holds
# ---------------------------------------------------------------------------

def body(**fields):
    return json.dumps(fields)


@pytest.mark.parametrize('text, error_id', [
    (body(errors=[{'field': None, 'message': 'access forbidden'}], id='7f3c2a9e1b4d'), '7f3c2a9e1b4d'),
    (body(errors=[], id='abc123'), 'abc123'),
    (body(id='abc123'), 'abc123'),
    (body(errors=[{'message': 'x'}], id=12345), '12345'),
    (body(errors=[{'message': 'x'}], id='  a\nb\t c '), 'a b c'),
    # Absent, empty, or of a type no id has: no id.
    (body(errors=[{'message': 'x'}]), None),
    (body(errors=[{'message': 'x'}], id=None), None),
    (body(errors=[{'message': 'x'}], id=''), None),
    (body(errors=[{'message': 'x'}], id='   '), None),
    (body(errors=[{'message': 'x'}], id=True), None),
    (body(errors=[{'message': 'x'}], id=1.5), None),
    (body(errors=[{'message': 'x'}], id={'nested': ['garbage', {'id': 'x'}]}), None),
    (body(errors=[{'message': 'x'}], id=['abc']), None),
    (body(errors=[{'message': 'x', 'id': 'inner'}]), None),
    ('[{"id": "abc"}]', None),
    ('{"id": "abc"', None),
    ('not json', None),
    ('', None),
    (None, None),
])
def test_read_error_body_error_id(text, error_id):
    assert read_error_body(text).error_id == error_id


def test_read_error_body_a_huge_id_is_cut():
    said = read_error_body(body(errors=[{'message': 'x'}], id='f' * 100000))
    assert said.error_id == '{0}... (100000 characters)'.format('f' * MAX_ERROR_ID)
    assert said.messages == ['x']


def test_read_error_body_shape():
    said = read_error_body(body(errors=[{'field': 'version', 'message': 'invalid version'}], id='e1'))
    assert said == ErrorBody(['invalid version (field: version)'], 'e1')
    assert (said.messages, said.error_id) == (['invalid version (field: version)'], 'e1')


@pytest.mark.parametrize('error, message', [
    ({'message': 'bad', 'field': 'version', 'help': 'https://docs.sendgrid.com/x'},
     'bad (field: version; help: https://docs.sendgrid.com/x)'),
    ({'message': 'bad', 'field': None, 'help': 'see the docs'}, 'bad (help: see the docs)'),
    ({'message': 'bad', 'help': 'a\n  b'}, 'bad (help: a b)'),
    # The spec types help as an object: a short one is shown as compact JSON.
    ({'message': 'bad', 'help': {'link': 'https://x', 'text': 'y'}}, 'bad (help: {"link":"https://x","text":"y"})'),
    ({'message': 'bad', 'help': ['a', 1]}, 'bad (help: ["a",1])'),
    # Absent, empty, of another type, or too long: left out.
    ({'message': 'bad', 'help': None}, 'bad'),
    ({'message': 'bad', 'help': ''}, 'bad'),
    ({'message': 'bad', 'help': {}}, 'bad'),
    ({'message': 'bad', 'help': 42}, 'bad'),
    ({'message': 'bad', 'help': True}, 'bad'),
    ({'message': 'bad', 'help': 'h' * (MAX_ERROR_HELP + 1)}, 'bad'),
    ({'message': 'bad', 'help': {'deep': ['x' * 300]}}, 'bad'),
    ({'message': 'bad', 'field': 'f', 'help': 'h' * 100000}, 'bad (field: f)'),
])
def test_read_error_body_help(error, message):
    assert read_error_body(body(errors=[error])).messages == [message]


def test_error_help_at_its_bound():
    assert error_help('h' * MAX_ERROR_HELP) == 'h' * MAX_ERROR_HELP
    assert error_help('h' * (MAX_ERROR_HELP + 1)) is None


def test_read_error_body_bounds_hostile_messages():
    huge = body(errors=[{'message': 'm' * 100000, 'field': 'f' * 100000, 'help': 'h' * 100000}] * 1000,
                error='e' * 100000, id='i' * 100000)
    said = read_error_body(huge)
    assert len(said.messages) == MAX_API_MESSAGES + 1
    assert said.messages[-1] == 'and 991 more messages'
    first = said.messages[0]
    assert first.startswith('m' * MAX_API_MESSAGE + '... (100000 characters) (field: ' + 'f' * 80 + '... (100000')
    assert 'h' * 10 not in first
    assert len(first) < 500
    assert len('; '.join(said.messages)) < 5000
    assert len(said.error_id) < MAX_ERROR_ID + 30


@pytest.mark.parametrize('errors, messages', [
    ([{'message': {'nested': ['garbage']}}], ["{'nested': ['garbage']}"]),
    ([{'message': 'x', 'field': {'a': 1}}], ["x (field: {'a': 1})"]),
    ([{'message': 'line one\nline two'}], ['line one line two']),
    ([{'message': '   '}], []),
    ([['nested', 'list']], []),
    ([None, 3, True, {'message': None}], []),
])
def test_read_error_body_garbage_in_errors(errors, messages):
    assert read_error_body(body(errors=errors, id='x1')) == ErrorBody(messages, 'x1')


def test_read_error_body_redacts_before_cutting():
    key = 'SG.secret-key'
    text = body(errors=[{'message': 'm' * (MAX_API_MESSAGE - 5) + key, 'help': 'see ' + key}],
                id='i' * (MAX_ERROR_ID - 3) + key)
    said = read_error_body(text, lambda value: value.replace(key, '<api_key>'))
    assert 'SG.' not in said.messages[0] and 'SG.' not in said.error_id
    assert 'help: see <api_key>' in said.messages[0]


def test_error_id_note():
    assert error_id_note('abc123') == ' SendGrid error id: abc123.'
    assert error_id_note(None) == ''
    assert error_id_note('') == ''


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_error_hint_server_errors(status):
    assert error_hint(status, 'GET', ENFORCED_TLS_PATH, None, 'https://api.sendgrid.com') == (
        'SendGrid had a server error; try again later.')


def test_error_hint_400():
    assert error_hint(400, 'PATCH', ENFORCED_TLS_PATH, 'x', 'https://api.sendgrid.com') == (
        'Check the values sent: require_tls and require_valid_cert are booleans, version is one of 1.1, 1.2, 1.3.')


def test_error_hint_401():
    hint = error_hint(401, 'GET', ENFORCED_TLS_PATH, None, 'https://api.sendgrid.com')
    assert hint == ('Check the API key: it may be mistyped, revoked, or from another region (an EU key is valid'
                    ' only at https://api.eu.sendgrid.com).')
    hint = error_hint(401, 'GET', ENFORCED_TLS_PATH, 'x', 'https://api.sendgrid.com')
    assert hint.startswith('Check the API key: ')
    assert hint.endswith(" Also check that subuser 'x' exists and belongs to the parent account this key is for.")


@pytest.mark.parametrize('method, path, scope', [
    ('GET', ENFORCED_TLS_PATH, 'the scope user.settings.enforced_tls.read'),
    ('PATCH', ENFORCED_TLS_PATH, 'the scope user.settings.enforced_tls.update'),
    ('GET', '/v3/subusers', 'the scope subusers.read'),
    ('GET', BLOCKS_PATH, 'the scope suppression.blocks.read'),
    ('DELETE', BLOCKS_PATH, 'the scopes of this call'),
    ('DELETE', '/v3/other', 'the scopes of this call'),
])
def test_error_hint_403_names_the_scope(method, path, scope):
    assert error_hint(403, method, path, None, 'https://api.sendgrid.com') == (
        'Check that the API key has {0}.'.format(scope))
    with_account = error_hint(403, method, path, 'account-id 42', 'https://api.sendgrid.com')
    assert with_account == ('Check that the API key has {0}. Also check that customer account \'42\' exists and'
                            ' belongs to the parent account this key is for.'.format(scope))


def test_required_scope_of_the_blocks_list():
    assert BLOCKS_PATH == '/v3/suppression/blocks'
    assert REQUIRED_SCOPES[('GET', BLOCKS_PATH)] == 'suppression.blocks.read'
    # The blocks list is only read: no other call of it has a scope.
    assert [key for key in REQUIRED_SCOPES if key[1] == BLOCKS_PATH] == [('GET', BLOCKS_PATH)]


@pytest.mark.parametrize('status', [400, 401, 404, 500])
def test_error_hint_blocks_list_other_statuses_name_no_scope(status):
    assert 'suppression.blocks.read' not in error_hint(status, 'GET', BLOCKS_PATH, 'x', 'https://api.sendgrid.com')


def test_error_hint_400_of_the_blocks_list_is_not_the_enforced_tls_one():
    assert error_hint(400, 'GET', BLOCKS_PATH, None, 'https://api.sendgrid.com') == (
        "Check the values sent (see SendGrid's message).")


def test_error_hint_404_names_the_base_url():
    assert error_hint(404, 'GET', ENFORCED_TLS_PATH, None, 'https://api.eu.sendgrid.com') == (
        'Check the API endpoint (https://api.eu.sendgrid.com); EU subusers are served at https://api.eu.sendgrid.com.')
    hint = error_hint(404, 'GET', ENFORCED_TLS_PATH, 'marketing', 'https://api.sendgrid.com')
    assert hint.startswith('Check the API endpoint (https://api.sendgrid.com); EU subusers are served at')
    assert "Also check that subuser 'marketing' exists" in hint


@pytest.mark.parametrize('status', [409, 418, 422])
def test_error_hint_other_statuses(status):
    assert error_hint(status, 'GET', ENFORCED_TLS_PATH, 'x', 'https://api.sendgrid.com') == ''


# The modules' option names: the client's hints speak of SendGrid and HTTP only, so that every
# caller (a module, an inventory source) can word advice in its own settings.
OPTION_NAMES = ('api_key', 'SENDGRID_API_KEY', 'api_url', 'region:', 'max_retries', 'max_total_wait', 'timeout',
                'validate_certs', 'on_behalf_of', 'workers')


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 500, 502, 503, 504])
@pytest.mark.parametrize('on_behalf_of', [None, 'x'])
def test_error_hint_names_no_option(status, on_behalf_of):
    hint = error_hint(status, 'GET', ENFORCED_TLS_PATH, on_behalf_of, 'https://api.sendgrid.com')
    assert not [name for name in OPTION_NAMES if name in hint]
