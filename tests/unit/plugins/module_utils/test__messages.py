# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import (
    MAX_EXCERPT,
    describe_type,
    describe_value,
    excerpt,
    mask_userinfo,
    quoted,
)


class TaggedStr(str):
    """Stands in for ansible-core's _AnsibleTaggedStr: a subclass whose name means nothing to a user."""


class TaggedInt(int):
    pass


class TaggedFloat(float):
    pass


class TaggedList(list):
    pass


class TaggedDict(dict):
    pass


@pytest.mark.parametrize('value, name', [
    (None, 'null'), (True, 'boolean'), (1, 'integer'), (1.5, 'float'), ('a', 'string'), ([1], 'list'),
    ((1,), 'list'), ({'a': 1}, 'dict'), (TaggedStr('a'), 'string'), (TaggedInt(3), 'integer'),
    (TaggedList([1]), 'list'), (TaggedDict(a=1), 'dict'),
])
def test_describe_type_gives_yaml_names(value, name):
    assert describe_type(value) == name


@pytest.mark.parametrize('value, shown', [
    (TaggedStr('yes'), "'yes' (string)"), (TaggedInt(4), '4 (integer)'), (TaggedFloat(1.4), '1.4 (float)'),
    (TaggedList([4]), '[4] (list)'), (False, 'false (boolean)'), (None, 'null'), (7, '7 (integer)'),
    ([1], '[1] (list)'),
])
def test_describe_value(value, shown):
    assert describe_value(value) == shown


def test_describe_value_of_a_long_value_is_an_excerpt():
    shown = describe_value('x' * 20000)
    assert len(shown) < MAX_EXCERPT + 40
    assert shown.endswith('(string)')


def test_excerpt():
    assert excerpt('short') == 'short'
    assert excerpt('a' * 100, limit=10) == 'aaaaaaaaaa... (100 characters)'


@pytest.mark.parametrize('text, masked', [
    ('https://user:pw@host/x', 'https://***@host/x'),
    ('see http://a@b and https://c:d@e.example:8443/', 'see http://***@b and https://***@e.example:8443/'),
    ('https://api.sendgrid.com/v3', 'https://api.sendgrid.com/v3'),
    ('mail me at a@b.example', 'mail me at a@b.example'),
])
def test_mask_userinfo(text, masked):
    assert mask_userinfo(text) == masked


def test_quoted_masks_before_it_cuts():
    value = 'https://user:' + 'p' * 200 + '@host'
    shown = quoted(value)
    assert 'ppp' not in shown
    assert shown == "'https://***@host'"


def test_quoted_cuts_long_text():
    shown = quoted('n' * 20000)
    assert shown == repr('n' * MAX_EXCERPT) + '... (20000 characters)'
