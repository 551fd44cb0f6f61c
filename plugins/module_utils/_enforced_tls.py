# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The Enforced TLS setting as data: parse, normalise, compare, merge, check an answer.

Everything here is a pure function of its arguments (no I/O, no Ansible), so the
rules that decide ``changed`` are unit-tested directly. Acting on an account with
them (read, compare, PATCH, confirm) is ``_reconcile.py``.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import List, Mapping, NamedTuple, Optional

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import describe_account
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value

BOOLEAN_FIELDS = ('require_tls', 'require_valid_cert')
SETTING_FIELDS = BOOLEAN_FIELDS + ('version',)
ALLOWED_VERSIONS = ('1.1', '1.2', '1.3')
# How the asked values are enforced: ``exact`` sets them (loosening a stricter account),
# ``minimum`` treats them as a floor (raises a weaker setting, keeps a stricter one).
EXACT = 'exact'
MINIMUM = 'minimum'
ENFORCEMENT_MODES = (EXACT, MINIMUM)
# The API documents 1.1 as the default; accounts that predate the field omit it.
DEFAULT_VERSION = 1.1


class SettingsError(ValueError):
    """A setting given by the user is not valid. The message names the field."""


class InvalidSettingsResponse(ValueError):
    """SendGrid answered with a body that is not an Enforced TLS settings object."""


def canonical_version(value) -> Optional[str]:
    """Return the canonical text of a TLS version number, or None if it is not one.

    ``1.1``, ``"1.1"``, ``"1.10"`` and ``1.10`` all give ``"1.1"``. Booleans, which
    Python would otherwise treat as the integers 0 and 1, are not numbers here.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    text = '{0:f}'.format(number.normalize())
    return text


def parse_version(value, field: str = 'version') -> float:
    """Parse a TLS version asked for by the user into a number (1.1, 1.2 or 1.3)."""
    text = canonical_version(value)
    if text not in ALLOWED_VERSIONS:
        raise SettingsError('{0} must be one of {1}; got {2}'.format(
            field, ', '.join(ALLOWED_VERSIONS), describe_value(value)))
    return float(text)


def check_recorded_setting(value, where: str) -> dict:
    """A whole setting as a report records it (``require_tls``, ``require_valid_cert``, ``version``), checked and
    normalised (the version a number); ``where`` names it in messages. Raises SettingsError."""
    if not isinstance(value, dict) or not set(SETTING_FIELDS) <= set(value):
        raise SettingsError('{0} must be a setting with {1}; got {2}'.format(
            where, ', '.join(SETTING_FIELDS), describe_type(value)))
    for field in BOOLEAN_FIELDS:
        if not isinstance(value[field], bool):
            raise SettingsError('{0}.{1} must be true or false; got {2}'.format(where, field, describe_value(value[field])))
    if canonical_version(value['version']) not in ALLOWED_VERSIONS:
        raise SettingsError('{0}.version must be one of {1}; got {2}'.format(
            where, ', '.join(ALLOWED_VERSIONS), describe_value(value['version'])))
    return {'require_tls': value['require_tls'], 'require_valid_cert': value['require_valid_cert'],
            'version': float(canonical_version(value['version']))}


def parse_desired_settings(params: Mapping, field_prefix: str = '') -> dict:
    """Extract the settings the user asked for, leaving out those not given.

    ``params`` maps option names to values (None meaning "not given"). Raises
    SettingsError when a value has the wrong type or none of the settings is given.
    """
    desired = {}
    for field in BOOLEAN_FIELDS:
        value = params.get(field)
        if value is None:
            continue
        if not isinstance(value, bool):
            raise SettingsError('{0}{1} must be a boolean (true or false); got {2}'.format(
                field_prefix, field, describe_value(value)))
        desired[field] = value
    if params.get('version') is not None:
        desired['version'] = parse_version(params['version'], field_prefix + 'version')
    if not desired:
        raise SettingsError('give at least one of {0}'.format(
            ', '.join(field_prefix + field for field in SETTING_FIELDS)))
    return desired


def _check_object(body) -> None:
    if not isinstance(body, dict):
        raise InvalidSettingsResponse('expected a JSON object with require_tls and require_valid_cert, got {0}'.format(
            describe_value(body) if not isinstance(body, (list, dict)) else describe_type(body)))


def _reported_value(body: dict, field: str):
    """One field of a settings object from the API, checked and normalised; None when it is left out
    (or, for ``version``, null). A value of the wrong type raises InvalidSettingsResponse."""
    value = body.get(field)
    if field == 'version':
        if value is None:
            return None
        text = canonical_version(value)
        if text is None:
            raise InvalidSettingsResponse('version is {0} in the response, expected a number such as 1.2'.format(
                describe_value(value)))
        return float(text)
    if field not in body:
        return None
    if not isinstance(value, bool):
        raise InvalidSettingsResponse('{0} is {1} in the response, expected a boolean'.format(field, describe_value(value)))
    return value


def normalize_settings(body) -> dict:
    """Turn a settings object from the API into ``{require_tls, require_valid_cert, version}``.

    A missing ``version`` is the documented default, 1.1. Anything else that is
    missing or of the wrong type raises InvalidSettingsResponse: guessing here
    could report a change that did not happen.
    """
    _check_object(body)
    settings = {}
    for field in SETTING_FIELDS:
        value = _reported_value(body, field)
        if value is None and field == 'version':
            value = DEFAULT_VERSION
        elif value is None:
            raise InvalidSettingsResponse('{0} is missing in the response, expected a boolean'.format(field))
        settings[field] = value
    return settings


def reported_fields(body) -> dict:
    """The fields a settings object from the API holds, checked and normalised like
    :func:`normalize_settings`, with no default for those it leaves out.

    For SendGrid's answer to an update: a field it leaves out says nothing about
    the field (the spec's own example answers leave ``version`` out), so it is
    confirmed by reading the setting (see :func:`reconcile`), not taken as 1.1.
    """
    _check_object(body)
    reported = {}
    for field in SETTING_FIELDS:
        value = _reported_value(body, field)
        if value is not None:
            reported[field] = value
    return reported


def same_value(field: str, left, right) -> bool:
    """Compare one setting; versions compare by their canonical value."""
    if field == 'version':
        return canonical_version(left) == canonical_version(right)
    return left == right


def differing_fields(current: dict, desired: dict) -> List[str]:
    """The fields of ``desired`` whose value differs from ``current``, in a fixed order."""
    return [field for field in SETTING_FIELDS
            if field in desired and not same_value(field, current.get(field), desired[field])]


def strictness(field: str, value):
    """A value's rank in the order "stricter is higher": ``true`` above ``false``, a higher
    version above a lower one. Values must be valid (normalised or parsed) settings."""
    if field == 'version':
        return Decimal(canonical_version(value))
    return int(bool(value))


def weaker_fields(current: dict, desired: dict) -> List[str]:
    """The fields of ``desired`` that ``current`` sets less strictly than asked."""
    return [field for field in differing_fields(current, desired)
            if strictness(field, current.get(field)) < strictness(field, desired[field])]


def stricter_fields(current: dict, desired: dict) -> List[str]:
    """The fields of ``desired`` that ``current`` sets more strictly than asked."""
    return [field for field in differing_fields(current, desired)
            if strictness(field, current.get(field)) > strictness(field, desired[field])]


def fields_to_change(current: dict, desired: dict, enforcement: str = EXACT) -> List[str]:
    """The fields an update must set: every differing one (``exact``), or only those weaker
    than asked (``minimum``: an account stricter than asked is never loosened)."""
    if enforcement == MINIMUM:
        return weaker_fields(current, desired)
    return differing_fields(current, desired)


def describe_change(before: dict, after: dict, fields: List[str]) -> str:
    """``version 1.1 -> 1.2``: what an update did (or would do) to each of ``fields``."""
    return ', '.join('{0} {1} -> {2}'.format(field, show_setting(field, before[field]), show_setting(field, after[field]))
                     for field in fields)


def show_setting(field: str, value) -> str:
    """One setting's value as a user writes it in YAML: ``true``, ``1.2``."""
    if field == 'version':
        return canonical_version(value) or json.dumps(value)
    return json.dumps(value)


def compare_fields(current: dict, desired: dict, fields: List[str]) -> str:
    """``version 1.1 < 1.2, require_tls false < true``: how ``current`` stands against
    ``desired`` on ``fields`` (``<`` weaker than asked, ``>`` stricter)."""
    parts = []
    for field in fields:
        sign = '<' if strictness(field, current[field]) < strictness(field, desired[field]) else '>'
        parts.append('{0} {1} {2} {3}'.format(
            field, show_setting(field, current[field]), sign, show_setting(field, desired[field])))
    return ', '.join(parts)


def merge_settings(current: dict, desired: dict) -> dict:
    """The full settings object: current values overlaid with the desired ones.

    Used as the PATCH body, so that no field is reset by being left out.
    """
    merged = dict(current)
    merged.update(desired)
    return merged


def unconfirmed_fields(sent: dict, reported: dict) -> List[str]:
    """The fields whose value in SendGrid's answer differs from what was sent (a field left out differs)."""
    return [field for field in SETTING_FIELDS
            if field in sent and not same_value(field, sent[field], reported.get(field))]


class AnswerCheck(NamedTuple):
    """How SendGrid's answer to an update stands against what was sent, field by field."""
    confirmed: List[str]      # the answer holds the value sent
    missing: List[str]        # the answer leaves the field out: it says nothing about it
    contradicting: List[str]  # the answer holds another value than was sent


def check_answer(sent: dict, reported: dict) -> AnswerCheck:
    """Split the fields of ``sent`` by what ``reported`` (see :func:`reported_fields`) says of them."""
    confirmed, missing, contradicting = [], [], []
    for field in SETTING_FIELDS:
        if field not in sent:
            continue
        if field not in reported:
            missing.append(field)
        elif same_value(field, sent[field], reported[field]):
            confirmed.append(field)
        else:
            contradicting.append(field)
    return AnswerCheck(confirmed, missing, contradicting)


def only_fields(settings: dict, fields: List[str]) -> dict:
    """The part of ``settings`` on ``fields``."""
    return {field: settings[field] for field in fields if field in settings}


def describe_differences(differences: List[str], check_mode: bool = False, stricter=()) -> str:
    """A short account-level message: what changed (or would), or that nothing needed to,
    and which settings were kept because they are stricter than asked."""
    if differences:
        text = '{0} {1}'.format('would change' if check_mode else 'changed', ', '.join(differences))
        return text + ('; kept stricter {0}'.format(', '.join(stricter)) if stricter else '')
    if stricter:
        return 'already at least as strict as asked (stricter {0})'.format(', '.join(stricter))
    return 'already as asked'


def format_fields(settings: dict, fields: List[str]) -> str:
    """``require_tls=true, version=1.2``: settings as a user wrote them in YAML."""
    return ', '.join('{0}={1}'.format(field, json.dumps(settings.get(field))) for field in fields)


def setting_diff(before, after, on_behalf_of):
    """An account's setting before and after, as Ansible's diff output shows it, with a header naming
    the account (``on_behalf_of`` None: the parent account)."""
    header = 'Enforced TLS of {0}'.format(describe_account(on_behalf_of))
    return {'before': before, 'after': after, 'before_header': header, 'after_header': header}
