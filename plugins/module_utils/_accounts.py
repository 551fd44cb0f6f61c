# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The accounts a request acts on: how an On-Behalf-Of value is checked and named.

Kept apart from the client so that code that only plans or reports (the role's
filters, on the controller) does not load the HTTP library.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, List, Optional

from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_value, quoted

# SendGrid documents no length limit for a subuser's username; longer names than this are refused
# before any request (documented with the options that take names).
MAX_NAME_LENGTH = 256


def describe_account(on_behalf_of: Optional[str]) -> str:
    """Name the account a request acts on, the way messages and diff headers show it."""
    if on_behalf_of is None:
        return 'the parent account'
    if on_behalf_of.startswith('account-id '):
        return "customer account '{0}'".format(on_behalf_of[len('account-id '):])
    return "subuser '{0}'".format(on_behalf_of)


def has_control_characters(text: str) -> bool:
    """Control and format characters: C0, DEL, C1 (such as NEL, U+0085), zero-width and the like."""
    return any(unicodedata.category(char) in ('Cc', 'Cf') for char in text)


def _check_name(value, field: str, expected: str, about_control_characters: str) -> str:
    """The checks every name shares: a string (``expected`` says of what), not empty, at most
    MAX_NAME_LENGTH characters, no control characters, no surrounding whitespace."""
    if not isinstance(value, str):
        raise SendGridConfigError('{0} must be a string ({1}); got {2}'.format(field, expected, describe_value(value)))
    if not value.strip():
        raise SendGridConfigError('{0} must not be empty or only whitespace'.format(field))
    if len(value) > MAX_NAME_LENGTH:
        raise SendGridConfigError('{0} {1} is longer than the {2} characters a subuser name may have here'.format(
            field, quoted(value), MAX_NAME_LENGTH))
    if has_control_characters(value):
        raise SendGridConfigError('{0} {1} contains control characters{2}'.format(
            field, quoted(value), about_control_characters))
    if value != value.strip():
        raise SendGridConfigError('{0} {1} has leading or trailing whitespace; remove it'.format(field, quoted(value)))
    return value


def validate_on_behalf_of(value, field: str = 'on_behalf_of') -> str:
    """Check an On-Behalf-Of value (a subuser username or ``account-id <id>``).

    Refuses empty names, names longer than MAX_NAME_LENGTH, surrounding whitespace and
    control characters (a CR or LF would inject headers, a NUL ends strings). Returns
    the value unchanged.
    """
    _check_name(value, field, 'a subuser username or "account-id <id>"',
                ' (such as CR or LF), which are not allowed in an On-Behalf-Of header')
    if value == 'account-id' or (value.startswith('account-id ') and not value[len('account-id '):].strip()):
        raise SendGridConfigError('{0} {1}: write a customer account as "account-id <id>"'.format(field, quoted(value)))
    try:
        value.encode('latin-1')
    except UnicodeEncodeError:
        raise SendGridConfigError(
            '{0} {1} contains characters that cannot be sent in an HTTP header (only Latin-1 is allowed)'.format(
                field, quoted(value)))
    return value


def same_username(name: str, other: str) -> bool:
    """Whether two subuser names are the same name, compared regardless of case as SendGrid compares them."""
    return name.casefold() == other.casefold()


def select_username(subusers: Iterable[dict], username: str) -> List[dict]:
    """The subusers (dicts with ``username``) named exactly ``username``, regardless of case.

    SendGrid's ``username`` filter of ``GET /v3/subusers`` matches names that start with
    it (``ann`` also finds ``Anna`` and ``annex``); this keeps the one of that name.
    Order is kept.
    """
    return [subuser for subuser in subusers if same_username(subuser['username'], username)]


def check_username(value, field: str = 'username') -> str:
    """Check a subuser name, or the start of one, to filter subusers by.

    Refuses a value that is not a string, empty, longer than MAX_NAME_LENGTH, with control
    characters or with surrounding whitespace (no name has any). Returns the value unchanged.
    """
    return _check_name(value, field, 'a subuser username', ', which no subuser name has')
