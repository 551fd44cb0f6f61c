# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import (
    MAX_NAME_LENGTH,
    check_username,
    describe_account,
    same_username,
    select_username,
    validate_on_behalf_of,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError


@pytest.mark.parametrize('on_behalf_of, shown', [
    (None, 'the parent account'),
    ('marketing', "subuser 'marketing'"),
    ('account-id 42', "customer account '42'"),
    ('account-id7', "subuser 'account-id7'"),
])
def test_describe_account(on_behalf_of, shown):
    assert describe_account(on_behalf_of) == shown


@pytest.mark.parametrize('value', ['marketing', 'sub.user-1', 'account-id 42', 'account-id abc-123', 'user name'])
def test_validate_on_behalf_of_accepts(value):
    assert validate_on_behalf_of(value) == value


@pytest.mark.parametrize('value', ['', ' ', '   \t '])
def test_validate_on_behalf_of_refuses_empty(value):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of(value)
    assert excinfo.value.message == 'on_behalf_of must not be empty or only whitespace'


@pytest.mark.parametrize('value', [
    'sub\r\nX-Injected: 1',
    'sub\nX-Injected: 1',
    'sub\rX',
    'sub\n',
    'su\tb',
    'sub\x00',
    'sub\x1b[31m',
    'sub\x7f',
])
def test_validate_on_behalf_of_refuses_control_characters(value):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of(value)
    assert excinfo.value.message == (
        'on_behalf_of {0!r} contains control characters (such as CR or LF), which are not allowed in an'
        ' On-Behalf-Of header'.format(value))


@pytest.mark.parametrize('value', [' sub', 'sub ', ' sub ', 'account-id ', ' account-id 42'])
def test_validate_on_behalf_of_refuses_surrounding_whitespace(value):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of(value)
    assert excinfo.value.message == 'on_behalf_of {0!r} has leading or trailing whitespace; remove it'.format(value)


def test_validate_on_behalf_of_refuses_account_id_without_id():
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of('account-id')
    assert excinfo.value.message == 'on_behalf_of \'account-id\': write a customer account as "account-id <id>"'


@pytest.mark.parametrize('value', [None, 42, ['sub']])
def test_validate_on_behalf_of_refuses_non_strings(value):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of(value, field='accounts[2].on_behalf_of')
    assert excinfo.value.message.startswith('accounts[2].on_behalf_of must be a string')


def test_validate_on_behalf_of_names_the_given_field():
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of('a\nb', field='accounts[0].on_behalf_of')
    assert excinfo.value.message.startswith("accounts[0].on_behalf_of 'a\\nb' contains control characters")


def test_validate_on_behalf_of_account_id_prefix_without_space_is_a_subuser_name():
    assert validate_on_behalf_of('account-id7') == 'account-id7'


def test_validate_on_behalf_of_refuses_characters_a_header_cannot_carry():
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of('m\u00fcller-\u20ac')
    assert 'cannot be sent in an HTTP header' in excinfo.value.message


@pytest.mark.parametrize('value', ['alice\x85X-Injected: yes', 'alice\u200bbob', 'alice\x9bbob', 'alice\x1bbob'])
def test_validate_on_behalf_of_refuses_c1_and_format_characters(value):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of(value)
    assert 'contains control characters' in excinfo.value.message


def test_validate_on_behalf_of_takes_a_name_at_the_length_bound():
    assert validate_on_behalf_of('n' * MAX_NAME_LENGTH) == 'n' * MAX_NAME_LENGTH


@pytest.mark.parametrize('length', [MAX_NAME_LENGTH + 1, 20000])
def test_validate_on_behalf_of_refuses_a_longer_name_showing_an_excerpt(length):
    with pytest.raises(SendGridConfigError) as excinfo:
        validate_on_behalf_of('n' * length)
    message = excinfo.value.message
    assert message.startswith("on_behalf_of 'nnnn")
    assert message.endswith('... ({0} characters) is longer than the 256 characters a subuser name may have'
                            ' here'.format(length))
    assert len(message) < 200


# ---------------------------------------------------------------------------
# same_username / select_username: exact names, regardless of case
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('first, second, same', [
    ('ann', 'ann', True),
    ('Ann', 'ann', True),
    ('ANN', 'aNn', True),
    ('Anna', 'ann', False),
    ('ann', 'Anna', False),
    ('annex', 'ann', False),
    ('ann ', 'ann', False),
    ('an', 'ann', False),
    ('M\u00dcLLER', 'm\u00fcller', True),
])
def test_same_username(first, second, same):
    assert same_username(first, second) is same
    assert same_username(second, first) is same


def named(*names):
    return [{'username': name, 'id': index} for index, name in enumerate(names)]


def test_select_username_keeps_the_exact_name_among_prefix_neighbours():
    # What SendGrid answers GET /v3/subusers?username=ann: every name that starts with it, any case.
    answer = named('Anna', 'annex', 'Ann', 'ann-eu', 'ANNA')
    assert select_username(answer, 'ann') == [{'username': 'Ann', 'id': 2}]
    assert select_username(answer, 'ANN') == [{'username': 'Ann', 'id': 2}]
    assert select_username(answer, 'anna') == [{'username': 'Anna', 'id': 0}, {'username': 'ANNA', 'id': 4}]


def test_select_username_none_of_that_name():
    assert select_username(named('Anna', 'annex'), 'ann') == []
    assert select_username([], 'ann') == []


def test_select_username_keeps_order_and_entries_whole():
    answer = [{'username': 'b', 'region': 'eu'}, {'username': 'B', 'disabled': True}]
    assert select_username(answer, 'b') == answer
    assert select_username(iter(answer), 'B') == answer


# ---------------------------------------------------------------------------
# check_username: a name, or the start of one, to filter by
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value', ['ann', 'Ann', 'user name', 'm\u00fcller-\u20ac', 'n' * MAX_NAME_LENGTH,
                                   'account-id 42'])
def test_check_username_accepts(value):
    assert check_username(value) == value


@pytest.mark.parametrize('value, message', [
    ('', 'username_prefix must not be empty or only whitespace'),
    (' \t', 'username_prefix must not be empty or only whitespace'),
    (None, 'username_prefix must be a string (a subuser username); got null'),
    (['ann'], "username_prefix must be a string (a subuser username); got ['ann'] (list)"),
    (7, 'username_prefix must be a string (a subuser username); got 7 (integer)'),
    ('ann\r\nX: 1', "username_prefix 'ann\\r\\nX: 1' contains control characters, which no subuser name has"),
    ('ann\u200b', "username_prefix 'ann\\u200b' contains control characters, which no subuser name has"),
    (' ann', "username_prefix ' ann' has leading or trailing whitespace; remove it"),
    ('ann ', "username_prefix 'ann ' has leading or trailing whitespace; remove it"),
])
def test_check_username_refuses(value, message):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_username(value, 'username_prefix')
    assert excinfo.value.message == message


@pytest.mark.parametrize('length', [MAX_NAME_LENGTH + 1, 100000])
def test_check_username_refuses_a_longer_name_showing_an_excerpt(length):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_username('n' * length)
    message = excinfo.value.message
    assert message.startswith("username 'nnnn")
    assert message.endswith('... ({0} characters) is longer than the 256 characters a subuser name may have'
                            ' here'.format(length))
    assert len(message) < 200
