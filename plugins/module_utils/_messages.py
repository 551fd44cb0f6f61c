# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""How messages show what a user gave: bounded excerpts, YAML type names, URLs without secrets.

Every message of the collection that echoes a user value goes through these, so
that no value (a 20,000-character name, a password in a URL) is shown whole, and
no Python-internal type name (``_AnsibleTaggedStr``) reaches a user.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

# The longest excerpt of a user value that a message shows.
MAX_EXCERPT = 80
# user:password@ (or user@) in a URL, wherever it stands in a text.
_USERINFO = re.compile(r'(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#@\s]*)@')

_YAML_TYPES = ((bool, 'boolean'), (int, 'integer'), (float, 'float'), (str, 'string'), (bytes, 'string'),
               (Mapping, 'dict'), (list, 'list'), (tuple, 'list'), (set, 'list'))


def excerpt(text: str, limit: int = MAX_EXCERPT) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was when it was cut."""
    if len(text) <= limit:
        return text
    return '{0}... ({1} characters)'.format(text[:limit], len(text))


def quoted(value) -> str:
    """A user value as a message shows it: its repr, URLs without user information, long text cut
    to an excerpt (masked first, so that no cut can leave half a password showing)."""
    if isinstance(value, str):
        text = mask_userinfo(str(value))
        if len(text) > MAX_EXCERPT:
            return '{0}... ({1} characters)'.format(repr(text[:MAX_EXCERPT]), len(value))
        return repr(text)
    return excerpt(mask_userinfo(repr(value)))


def describe_type(value) -> str:
    """The YAML name of a value's type (string, integer, list...), also for Ansible's own subclasses."""
    if value is None:
        return 'null'
    for kind, name in _YAML_TYPES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def describe_value(value) -> str:
    """Show a value the way it is written in YAML, with its type, for error messages.

    Checks are by isinstance: values that come through Ansible's templating are
    subclasses of str, int and float, whose own names mean nothing to a user. Long
    values are cut to an excerpt.
    """
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return '{0} (boolean)'.format(json.dumps(value))
    for kind, show in ((int, int), (float, float), (str, str)):
        if isinstance(value, kind):
            return '{0} ({1})'.format(excerpt(repr(show(value))), describe_type(value))
    return '{0} ({1})'.format(excerpt(repr(value)), describe_type(value))


def mask_userinfo(text: str) -> str:
    """Hide the user information (``user:password@``) of every URL in ``text``."""
    return _USERINFO.sub(lambda match: match.group('scheme') + '***@', text)
