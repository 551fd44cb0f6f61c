# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The exceptions of the SendGrid client.

Every exception's message is complete and safe to show: it never holds the API key.
"""

from __future__ import annotations


class SendGridError(Exception):
    """Base class: something kept a SendGrid operation from completing.

    ``account`` is the On-Behalf-Of value the operation acted on (None for the
    parent account, or when the error is not tied to an account).
    """

    def __init__(self, message, account=None):
        super(SendGridError, self).__init__(message)
        self.message = message
        self.account = account
        # The account's setting read before the failure, when there was one.
        self.before = None
        # Whether an earlier attempt of the failed request may have been acted on by SendGrid.
        self.outcome_unknown = False

    def append_to_message(self, note):
        """Append a sentence to the message (what is known about the account's state)."""
        self.message += note
        self.args = (self.message,)


class SendGridConfigError(SendGridError):
    """The client or an account name is misconfigured. Raised before any request is sent."""

    def __init__(self, message, field=None):
        super(SendGridConfigError, self).__init__(message)
        self.field = field


class SendGridAPIError(SendGridError):
    """SendGrid answered with an HTTP error status."""

    def __init__(self, message, account=None, status=None, api_messages=None):
        super(SendGridAPIError, self).__init__(message, account)
        self.status = status
        self.api_messages = api_messages or []


class SendGridRetriesExhausted(SendGridAPIError):
    """A request kept failing (429, 5xx or no connection) until a retry or wait cap was hit."""

    def __init__(self, message, account=None, status=None, api_messages=None, waited=0.0, retries=0):
        super(SendGridRetriesExhausted, self).__init__(message, account, status, api_messages)
        self.waited = waited
        self.retries = retries


class SendGridResponseError(SendGridError):
    """SendGrid answered 2xx, but with a body that cannot be trusted (not JSON, wrong shape)."""


class SendGridUpdateNotConfirmed(SendGridError):
    """SendGrid accepted an update, but its answer shows other values than were sent."""

    def __init__(self, message, account=None, sent=None, reported=None, before=None):
        super(SendGridUpdateNotConfirmed, self).__init__(message, account)
        self.sent = sent
        self.reported = reported
        self.before = before
