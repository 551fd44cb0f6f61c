# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The exceptions of the SendGrid client.

Every exception's message is complete and safe to show: it never holds the API key.
It speaks of HTTP and SendGrid only. ``cause`` says what the user should look at;
the layer that owns the user's settings (the modules' options, an inventory
source's) adds advice in its own words (:meth:`SendGridError.explained`, with a table of its own:
``_module_support.OPTION_ADVICE``, the inventory plugin's ``INVENTORY_ADVICE``).
:meth:`SendGridError.result_fields` is what a failed result returns beside the message.
"""

from __future__ import annotations

from typing import Optional

# What an error asks the user to look at (SendGridError.cause).
CAUSE_NO_KEY = 'no key'            # no API key was given
CAUSE_KEY = 'key'                  # 401: the key is mistyped, revoked, or for the other region
CAUSE_ENDPOINT = 'endpoint'        # 404 or a redirect: the base URL or region is wrong
CAUSE_SERVER = 'server'            # 5xx until the retries ran out
CAUSE_RATE_LIMIT = 'rate limit'    # 429 until the waiting budget ran out
CAUSE_TIMEOUT = 'timeout'          # no answer in time, until the retries ran out
CAUSE_UNREACHABLE = 'unreachable'  # no connection, until the retries ran out


class SendGridError(Exception):
    """Base class: something kept a SendGrid operation from completing.

    ``account`` is the On-Behalf-Of value the operation acted on (None for the
    parent account, or when the error is not tied to an account).
    """

    def __init__(self, message: str, account: Optional[str] = None, cause: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.account = account
        self.cause = cause
        # The account's setting read before the failure, when there was one.
        self.before = None
        # Whether an earlier attempt of the failed request may have been acted on by SendGrid.
        self.outcome_unknown = False

    def append_to_message(self, note: str) -> None:
        """Append a sentence to the message (what is known about the account's state)."""
        self.message += note
        self.args = (self.message,)

    def explained(self, advice_by_cause: dict, settings: dict) -> str:
        """The message, followed by the caller's advice for its ``cause`` (a template filled with
        the caller's ``settings``, in the caller's own option names), when there is one."""
        advice = advice_by_cause.get(self.cause)
        if not advice:
            return self.message
        return '{0}{1} {2}'.format(self.message, '' if self.message.endswith('.') else '.', advice.format(settings))

    def result_fields(self) -> dict:
        """The facts a failed result returns beside its message (see the modules' RETURN)."""
        return {}


class SendGridConfigError(SendGridError):
    """A setting of the client or an account name is not valid. Raised before any request is sent."""


class SendGridAPIError(SendGridError):
    """SendGrid answered with an HTTP error status (or a redirect).

    ``error_id`` is the id SendGrid gave its error answer (what SendGrid support asks
    for), or None when the answer carried none.
    """

    def __init__(self, message: str, account: Optional[str] = None, status: Optional[int] = None,
                 api_messages: Optional[list] = None, cause: Optional[str] = None, error_id: Optional[str] = None):
        super().__init__(message, account, cause)
        self.status = status
        self.api_messages = api_messages or []
        self.error_id = error_id

    def result_fields(self) -> dict:
        fields = {'api_messages': list(self.api_messages)}
        if self.status is not None:
            fields['status'] = self.status
        if self.error_id:
            fields['error_id'] = self.error_id
        return fields


class SendGridRetriesExhausted(SendGridAPIError):
    """A request kept failing (429, 5xx or no connection) until a retry or wait cap was hit."""

    def __init__(self, message: str, account: Optional[str] = None, status: Optional[int] = None,
                 api_messages: Optional[list] = None, cause: Optional[str] = None, waited: float = 0.0,
                 retries: int = 0, error_id: Optional[str] = None):
        super().__init__(message, account, status, api_messages, cause, error_id)
        self.waited = waited
        self.retries = retries

    def result_fields(self) -> dict:
        return dict(super().result_fields(), retries=self.retries, waited=round(self.waited, 3))


class SendGridResponseError(SendGridError):
    """SendGrid answered 2xx, but with a body that cannot be trusted (not JSON, wrong shape)."""


class SendGridUpdateNotConfirmed(SendGridError):
    """SendGrid accepted an update, but its answer shows other values than were sent."""
