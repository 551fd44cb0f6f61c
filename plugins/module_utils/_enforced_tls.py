# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The Enforced TLS setting as data: parse, normalise, compare, merge, verify.

Everything here is a pure function of its arguments (no I/O, no Ansible), so the
rules that decide ``changed`` are unit-tested directly. The only function that
talks to SendGrid, :func:`reconcile`, does so through the client it is given.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal, InvalidOperation
from typing import Callable, List, Mapping, NamedTuple, Optional, Tuple

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import describe_account
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridError,
    SendGridUpdateNotConfirmed,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value, excerpt

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
# Reading an update back, to confirm a field SendGrid's answer to it leaves out, or to settle an update
# whose answer was an error. Other tools' maintainers note that a read right after an update may not
# show it yet, so a read that does not show the values sent is repeated: at most CONFIRM_READS reads,
# waiting CONFIRM_WAITS[n] seconds before read n + 2. At most 1.5 s for an account, and only for an
# account whose update its answer did not confirm.
CONFIRM_READS = 3
CONFIRM_WAITS = (0.5, 1.0)
# How much of an error's message a warning or a note about a second error shows.
MAX_ERROR_EXCERPT = 300
# The note on an update that was sent and whose outcome nothing settled.
OUTCOME_UNKNOWN = ' The update was sent and whether SendGrid applied it is unknown: '


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


def update_surely_refused(error: SendGridError) -> bool:
    """Whether a failed PATCH certainly changed nothing: SendGrid refused it with a 4xx,
    and no earlier attempt of it ended in a way that SendGrid may have acted on.

    After a 5xx, a lost connection, a timeout or an unreadable 2xx answer, the
    update may or may not have been applied, even when a retry is then refused.
    """
    return (isinstance(error, SendGridAPIError) and error.status is not None and 400 <= error.status < 500
            and not error.outcome_unknown)


def describe_reads(reads: int, waited: float) -> str:
    """``3 reads over 1.5 s``, or ``one read``: how the setting was read back."""
    if reads == 1:
        return 'one read'
    return '{0} reads over {1:g} s'.format(reads, waited)


def read_back(client, sent: dict, on_behalf_of: Optional[str], sleep: Callable[[float], None]) -> Tuple[dict, str]:
    """Read the setting until it shows every value of ``sent``, at most CONFIRM_READS times.

    Returns the last read and how it was read (see :func:`describe_reads`). A read
    that fails raises its SendGridError.
    """
    waited = 0.0
    reads = 0
    while True:
        current = client.get_enforced_tls(on_behalf_of)
        reads += 1
        if not unconfirmed_fields(sent, current) or reads >= CONFIRM_READS:
            return current, describe_reads(reads, waited)
        wait = CONFIRM_WAITS[min(reads - 1, len(CONFIRM_WAITS) - 1)]
        sleep(wait)
        waited += wait


def update_not_confirmed(message: str, on_behalf_of: Optional[str], before: dict) -> SendGridUpdateNotConfirmed:
    error = SendGridUpdateNotConfirmed(message, account=on_behalf_of)
    error.before = before
    return error


def confirm_answer(client, before: dict, sent: dict, reported: dict, on_behalf_of: Optional[str],
                   sleep: Callable[[float], None]) -> dict:
    """The after-state of an update SendGrid answered with ``reported``, once it is confirmed.

    A value that contradicts what was sent fails at once. A field the answer leaves
    out is read back (:func:`read_back`); the update fails as not confirmed only if
    the last read still shows another value there. A field sent with the value it
    already had is not read back: its absence says nothing, and it keeps that value.
    """
    check = check_answer(sent, reported)
    account = describe_account(on_behalf_of)
    if check.contradicting:
        raise update_not_confirmed(
            'SendGrid accepted the update of {account} but reports {reported} where {sent} was sent;'
            ' the update is not confirmed, so it is not reported as a change. Read the setting again'
            ' (sendgrid_enforced_tls_info) and check in the SendGrid console whether the account'
            ' can use these values.'.format(
                account=account,
                reported=format_fields(reported, check.contradicting),
                sent=format_fields(sent, check.contradicting),
            ),
            on_behalf_of, before)
    unchanged = [field for field in check.missing if same_value(field, before.get(field), sent[field])]
    missing = [field for field in check.missing if field not in unchanged]
    answered = merge_settings(reported, only_fields(before, unchanged))
    if not missing:
        return answered
    try:
        current, how = read_back(client, only_fields(sent, missing), on_behalf_of, sleep)
    except SendGridError as error:
        error.before = before
        error.outcome_unknown = True
        error.append_to_message(
            ' This read was to confirm the update of {0}, which SendGrid accepted with an answer that leaves out'
            ' {1}: whether SendGrid applied {2} is unknown. Read the setting again (sendgrid_enforced_tls_info)'
            ' before relying on it.'.format(account, ', '.join(missing), format_fields(sent, missing)))
        raise
    still_other = unconfirmed_fields(only_fields(sent, missing), current)
    if still_other:
        raise update_not_confirmed(
            'SendGrid accepted the update of {account} with an answer that leaves out {missing}, and reading'
            ' the setting back ({how}) shows {read} where {sent} was sent; the update is not confirmed, so it is'
            ' not reported as a change. Check in the SendGrid console whether the account can use these'
            ' values.'.format(
                account=account, missing=', '.join(missing), how=how,
                read=format_fields(current, still_other), sent=format_fields(sent, still_other)),
            on_behalf_of, before)
    return merge_settings(current, answered)


def settle_outcome(client, error: SendGridError, before: dict, sent: dict, on_behalf_of: Optional[str],
                   sleep: Callable[[float], None]) -> Tuple[dict, List[str]]:
    """Find out by reading whether an update whose answer was an error (``error``) was applied.

    The values sent are read back (:func:`read_back`): then the update was applied,
    and the after-state comes back with a warning that names the error. Otherwise
    ``error`` is raised, its message saying that the update was not applied (the
    last read shows the setting as before), or that its outcome is unknown (the
    read failed too, or shows other values).
    """
    account = describe_account(on_behalf_of)
    changing = differing_fields(before, sent)
    asked = only_fields(sent, changing)
    try:
        current, how = read_back(client, asked, on_behalf_of, sleep)
    except SendGridError as read_error:
        error.append_to_message(
            OUTCOME_UNKNOWN + 'reading the setting back failed too ({0}). Read it again (sendgrid_enforced_tls_info)'
            ' before relying on it.'.format(excerpt(read_error.message.rstrip('.'), MAX_ERROR_EXCERPT)))
        raise error
    if not unconfirmed_fields(asked, current):
        warning = ('SendGrid answered the update of {0} with an error, but reading the setting back ({1}) shows the'
                   ' values asked for ({2}): the update was applied, and the account is reported as changed. The'
                   ' error: {3}'.format(account, how, format_fields(current, changing),
                                        excerpt(error.message, MAX_ERROR_EXCERPT)))
        return current, [warning]
    if not unconfirmed_fields(only_fields(before, changing), current):
        error.outcome_unknown = False
        error.append_to_message(
            ' The update was not applied: reading the setting back ({0}) shows it as before ({1}).'.format(
                how, format_fields(current, changing)))
        raise error
    error.append_to_message(
        OUTCOME_UNKNOWN + 'reading the setting back ({0}) shows {1}, neither what was sent ({2}) nor what was'
        ' there before. Read it again (sendgrid_enforced_tls_info) before relying on it.'.format(
            how, format_fields(current, changing), format_fields(sent, changing)))
    raise error


def apply_update(client, before: dict, sent: dict, on_behalf_of: Optional[str],
                 sleep: Callable[[float], None]) -> Tuple[dict, List[str]]:
    """PATCH ``sent``; return the after-state and any warnings once the update is known to be applied.

    Raises a SendGridError when SendGrid refused the update, when its answer or a read
    contradicts what was sent (SendGridUpdateNotConfirmed), or when the update was
    not applied or its outcome stays unknown; ``before`` is on the error.
    """
    try:
        reported = client.update_enforced_tls(sent, on_behalf_of)
    except SendGridError as error:
        error.before = before
        if update_surely_refused(error):
            raise
        return settle_outcome(client, error, before, sent, on_behalf_of, sleep)
    return confirm_answer(client, before, sent, reported, on_behalf_of, sleep), []


def reconcile(client, desired: dict, on_behalf_of: Optional[str] = None, check_mode: bool = False,
              enforcement: str = EXACT, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Bring one account's Enforced TLS setting to ``desired``; PATCH only on difference.

    With ``enforcement`` ``exact`` every setting of ``desired`` is set as given; with
    ``minimum`` the values are a floor: only settings weaker than asked are raised, and
    settings stricter than asked are kept (see :func:`fields_to_change`).

    Returns ``{'changed', 'before', 'after', 'differences', 'stricter', 'warnings'}``:
    ``differences`` are the fields changed (or that would be), ``stricter`` those the
    account keeps stricter than asked, ``warnings`` what the caller should show (an
    update applied although SendGrid answered it with an error). In check mode
    nothing is written and ``after`` is the predicted state.

    After a PATCH, SendGrid's answer is the after-state. A value in it that contradicts
    what was sent raises SendGridUpdateNotConfirmed rather than report a change that
    did not happen; a field it leaves out is read back (a read right after an update
    may lag, so the read is repeated briefly, waiting with ``sleep``). An update whose
    answer was an error of unknown outcome (a 5xx, a timeout, a lost connection, an
    unreadable answer) is settled by reading it back: see :func:`settle_outcome`.
    """
    before = client.get_enforced_tls(on_behalf_of)
    differences = fields_to_change(before, desired, enforcement)
    after = merge_settings(before, {field: desired[field] for field in differences})
    warnings = []
    if differences and not check_mode:
        after, warnings = apply_update(client, before, after, on_behalf_of, sleep)
    return {'changed': bool(differences), 'before': before, 'after': after, 'differences': differences,
            'stricter': stricter_fields(after, desired), 'warnings': warnings}
