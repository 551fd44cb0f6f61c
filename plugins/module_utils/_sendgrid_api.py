# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""SendGrid's v3 API as data: its addresses and endpoints, the scope each call needs, and
what its answers say: the entries of a subuser listing, an error body's messages, error id
and help, and what each error status asks the user to check on the SendGrid side.

Pure functions, no I/O and no Ansible; the client (``_client.py``) sends the requests and
builds its errors with them. Every text taken from an answer is bounded (``_messages.py``).
"""

from __future__ import annotations

import json
from typing import Callable, List, NamedTuple, Optional

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import describe_account
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_ENDPOINT,
    CAUSE_KEY,
    SendGridResponseError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._http import RETRIED_STATUSES
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import excerpt

# SendGrid's regions, each with its API's base URL: the one list every option, host variable and
# input that names a region is checked against.
REGIONS = ('global', 'eu')
REGION_URLS = {
    'global': 'https://api.sendgrid.com',
    'eu': 'https://api.eu.sendgrid.com',
}
ENFORCED_TLS_PATH = '/v3/user/settings/enforced_tls'
SUBUSERS_PATH = '/v3/subusers'
BLOCKS_PATH = '/v3/suppression/blocks'
# Other clients of GET /v3/subusers page with 500, the most SendGrid accepts (it refuses 501).
SUBUSERS_PAGE_SIZE = 500
MAX_PAGE_SIZE = 500
# The most entries of one account's blocks list a call reads (its pages of MAX_PAGE_SIZE): the list can
# be long, and its pages cost a request each.
MAX_BLOCKS = 100000
# The regions GET /v3/subusers filters by (include_region and region), and all of them.
SUBUSER_REGIONS = ('all',) + REGIONS
# How much of a body without a SendGrid error message a message shows.
MAX_BODY_EXCERPT = 200
# How many of SendGrid's error messages an error quotes, and how much of each (and of its field).
MAX_API_MESSAGES = 10
MAX_API_MESSAGE = 300
MAX_API_FIELD = 80
# How much of SendGrid's error id (what its support asks for) an error shows; longer ones are cut.
MAX_ERROR_ID = 100
# SendGrid's help for an error (a text or a link) is shown up to this long, and left out when longer.
MAX_ERROR_HELP = 200

# The API key scope each call needs, shown when SendGrid answers 403.
REQUIRED_SCOPES = {
    ('GET', ENFORCED_TLS_PATH): 'user.settings.enforced_tls.read',
    ('PATCH', ENFORCED_TLS_PATH): 'user.settings.enforced_tls.update',
    ('GET', SUBUSERS_PATH): 'subusers.read',
    ('GET', BLOCKS_PATH): 'suppression.blocks.read',
}


def body_excerpt(text: Optional[str]) -> str:
    """A short, single-line excerpt of a body that carries no SendGrid error message."""
    return excerpt(' '.join((text or '').split()), MAX_BODY_EXCERPT)


def normalize_subuser(entry, on_behalf_of: Optional[str] = None, offset: int = 0) -> dict:
    """One entry of GET /v3/subusers as ``{username, id, email, disabled, region}``."""
    if not isinstance(entry, dict) or not isinstance(entry.get('username'), str) or not entry['username']:
        raise SendGridResponseError(
            "SendGrid's answer to GET {0} (offset {1}) holds an entry without a username: {2!r}".format(
                SUBUSERS_PATH, offset, body_excerpt(str(entry))), account=on_behalf_of)
    return {
        'username': entry['username'],
        'id': entry.get('id'),
        'email': entry.get('email'),
        'disabled': bool(entry.get('disabled', False)),
        # SendGrid leaves the region out for accounts that predate regions: those are global.
        'region': entry.get('region') or 'global',
    }


def normalize_block(entry, on_behalf_of: Optional[str], offset: int = 0) -> dict:
    """One entry of GET /v3/suppression/blocks as ``{created, email, reason, status}`` (the spec's
    ``BlocksResponse``): ``created`` a Unix time, the others text ('' when left out)."""
    created = entry.get('created') if isinstance(entry, dict) else None
    if isinstance(created, bool) or not isinstance(created, int) or not isinstance(entry.get('email'), str):
        raise SendGridResponseError(
            "SendGrid's answer to GET {0} for {1} (offset {2}) holds an entry without a created time or an email:"
            ' {3!r}'.format(BLOCKS_PATH, describe_account(on_behalf_of), offset, body_excerpt(str(entry))),
            account=on_behalf_of)
    return {'created': created, 'email': entry['email'],
            'reason': entry['reason'] if isinstance(entry.get('reason'), str) else '',
            'status': entry['status'] if isinstance(entry.get('status'), str) else ''}


class ErrorBody(NamedTuple):
    """What an error answer's body says: SendGrid's messages, and its error id (or None)."""
    messages: List[str]
    error_id: Optional[str]


def _unchanged(text: str) -> str:
    return text


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) as one space."""
    return ' '.join(text.split())


def _error_text(value, redact: Callable[[str], str]) -> str:
    """A message or field of SendGrid's as one line: redacted first, so that no cut leaves part of a key."""
    return one_line(redact(value if isinstance(value, str) else str(value)))


def error_help(value, redact: Callable[[str], str] = _unchanged) -> Optional[str]:
    """SendGrid's help for one error (a text or link; the spec types it as an object), when short.

    A string or a JSON object or list, on one line; None when absent, of another type,
    or longer than MAX_ERROR_HELP, so that help never crowds out the message.
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, (dict, list)) and value:
        try:
            text = json.dumps(value, sort_keys=True, separators=(',', ':'))
        except (TypeError, ValueError):
            return None
    else:
        return None
    text = one_line(redact(text))
    return text if text and len(text) <= MAX_ERROR_HELP else None


def error_id_of(body, redact: Callable[[str], str] = _unchanged) -> Optional[str]:
    """SendGrid's error id from a decoded error body: a string (or a number), on one line, cut to
    MAX_ERROR_ID characters; None when absent or of another type."""
    value = body.get('id') if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = one_line(redact(str(value)))
    return excerpt(text, MAX_ERROR_ID) if text else None


def _error_message(error, redact: Callable[[str], str]) -> Optional[str]:
    """One entry of ``errors`` as a line: SendGrid's message, then its field and help when given."""
    if isinstance(error, str):
        text = _error_text(error, redact)
        return excerpt(text, MAX_API_MESSAGE) if text else None
    if not isinstance(error, dict) or not error.get('message'):
        return None
    text = _error_text(error['message'], redact)
    if not text:
        return None
    notes = []
    if error.get('field'):
        notes.append('field: {0}'.format(excerpt(_error_text(error['field'], redact), MAX_API_FIELD)))
    help_text = error_help(error.get('help'), redact)
    if help_text:
        notes.append('help: {0}'.format(help_text))
    text = excerpt(text, MAX_API_MESSAGE)
    return '{0} ({1})'.format(text, '; '.join(notes)) if notes else text


def read_error_body(text: Optional[str], redact: Callable[[str], str] = _unchanged) -> ErrorBody:
    """SendGrid's own error messages and its error id, from a response body in either shape it uses.

    ``{"errors": [{"message": ..., "field": ..., "help": ...}], "id": ...}`` or ``{"error": "..."}``.
    Every text is bounded, whatever the body holds: each message is cut to MAX_API_MESSAGE
    characters, at most MAX_API_MESSAGES are kept (then one saying how many more), help
    longer than MAX_ERROR_HELP is left out, and the id is cut to MAX_ERROR_ID. ``redact``
    is applied to every text before it is cut.
    """
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ErrorBody([], None)
    messages = []
    errors = body.get('errors')
    if isinstance(errors, list):
        for error in errors:
            message = _error_message(error, redact)
            if message:
                messages.append(message)
    if isinstance(body.get('error'), str) and body['error'].strip():
        messages.append(excerpt(_error_text(body['error'], redact), MAX_API_MESSAGE))
    if len(messages) > MAX_API_MESSAGES:
        messages = messages[:MAX_API_MESSAGES] + ['and {0} more messages'.format(len(messages) - MAX_API_MESSAGES)]
    return ErrorBody(messages, error_id_of(body, redact))


def error_id_note(error_id: Optional[str]) -> str:
    """The sentence that ends an error message when SendGrid gave an error id ('' otherwise)."""
    return ' SendGrid error id: {0}.'.format(error_id) if error_id else ''


def error_hint(status: int, method: str, path: str, on_behalf_of: Optional[str], base_url: str) -> str:
    """What to check, on the SendGrid side, for an HTTP error status."""
    account = describe_account(on_behalf_of)
    on_behalf_hint = ''
    if on_behalf_of is not None:
        on_behalf_hint = ' Also check that {0} exists and belongs to the parent account this key is for.'.format(account)
    if status == 400 and path == ENFORCED_TLS_PATH:
        return ('Check the values sent: require_tls and require_valid_cert are booleans, version is one of'
                ' 1.1, 1.2, 1.3.')
    if status == 400:
        return 'Check the values sent (see SendGrid\'s message).'
    if status == 401:
        return ('Check the API key: it may be mistyped, revoked, or from another region (an EU key is valid only at'
                ' {0}).'.format(REGION_URLS['eu']) + on_behalf_hint)
    if status == 403:
        scope = REQUIRED_SCOPES.get((method, path))
        needed = 'the scope {0}'.format(scope) if scope else 'the scopes of this call'
        return 'Check that the API key has {0}.'.format(needed) + on_behalf_hint
    if status == 404:
        return ('Check the API endpoint ({0}); EU subusers are served at {1}.'.format(base_url, REGION_URLS['eu'])
                + on_behalf_hint)
    if status in RETRIED_STATUSES:
        return 'SendGrid had a server error; try again later.'
    return ''


def status_cause(status: int) -> Optional[str]:
    """What the user should look at for an HTTP error status (SendGridError.cause)."""
    if status == 401:
        return CAUSE_KEY
    if status == 404 or 300 <= status < 400:
        return CAUSE_ENDPOINT
    return None
