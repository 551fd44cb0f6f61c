# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""One account brought to the asked setting: read, compare, PATCH only on difference, and
make sure of the outcome.

:func:`reconcile` talks to SendGrid only through the client it is given (and sleeps only
through the ``sleep`` it is given), so it is unit-tested with a fake client. What it decides
with is in ``_enforced_tls.py`` (pure functions). An answer to an update is trusted only as
far as it goes: a field it leaves out is read back (:func:`confirm_answer`), and an update
answered with an error that may have been applied is read back before the account fails
(:func:`settle_outcome`).
"""

from __future__ import annotations

import time
from typing import Callable, List, Optional, Tuple

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import describe_account
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    EXACT,
    check_answer,
    differing_fields,
    fields_to_change,
    format_fields,
    merge_settings,
    only_fields,
    same_value,
    stricter_fields,
    unconfirmed_fields,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridError,
    SendGridUpdateNotConfirmed,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import excerpt

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
