# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The SendGrid v3 API client of the collection: its endpoints, and what its errors say.

It knows SendGrid, not Ansible: it raises the exceptions of ``_errors.py`` and never
calls ``fail_json``, so it is unit-testable, safe to share between worker threads,
and reusable by any plugin. The waiting and retrying is the transport's
(``_http.py``); one client holds one transport (one keep-alive session and one rate
limiter per endpoint, shared by all its workers). Its messages name HTTP statuses, SendGrid's
own words, the account and what to check on the SendGrid side; advice in terms of
a caller's settings is the caller's (``SendGridError.cause``).
"""

from __future__ import annotations

import json
import random
import time
from typing import Callable, List, NamedTuple, Optional
from urllib.parse import urlsplit

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import (
    check_username,
    describe_account,
    select_username,
    validate_on_behalf_of,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    InvalidSettingsResponse,
    normalize_settings,
    reported_fields,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_ENDPOINT,
    CAUSE_KEY,
    CAUSE_RATE_LIMIT,
    CAUSE_SERVER,
    CAUSE_TIMEOUT,
    CAUSE_UNREACHABLE,
    SendGridAPIError,
    SendGridConfigError,
    SendGridResponseError,
    SendGridRetriesExhausted,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._http import (
    GAVE_UP_RATE_LIMITED,
    GAVE_UP_SERVER_ERROR,
    GAVE_UP_TIMEOUT,
    RATE_LIMITED_STATUS,
    RETRIED_STATUSES,
    Transport,
    TransportGaveUp,
    check_api_url,
    format_status,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_value, excerpt, quoted

REGION_URLS = {
    'global': 'https://api.sendgrid.com',
    'eu': 'https://api.eu.sendgrid.com',
}
ENFORCED_TLS_PATH = '/v3/user/settings/enforced_tls'
SUBUSERS_PATH = '/v3/subusers'
# Other clients of GET /v3/subusers page with 500, the most SendGrid accepts (it refuses 501).
SUBUSERS_PAGE_SIZE = 500
MAX_PAGE_SIZE = 500
SUBUSER_REGIONS = ('all', 'global', 'eu')
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
}
# What a user should look at, by the reason the transport gave a request up.
GAVE_UP_CAUSES = {
    GAVE_UP_RATE_LIMITED: CAUSE_RATE_LIMIT,
    GAVE_UP_SERVER_ERROR: CAUSE_SERVER,
    GAVE_UP_TIMEOUT: CAUSE_TIMEOUT,
}


def resolve_base_url(region: str = 'global', api_url: Optional[str] = None) -> str:
    """The API's base URL: ``api_url`` when given (see ``_http.check_api_url``), else the region's URL."""
    if api_url is not None:
        return check_api_url(api_url)
    if region not in REGION_URLS:
        raise SendGridConfigError('region must be one of {0}; got {1}'.format(
            ', '.join(sorted(REGION_URLS)), quoted(region)))
    return REGION_URLS[region]


# ---------------------------------------------------------------------------
# Reading SendGrid's answers.
# ---------------------------------------------------------------------------

def body_excerpt(text: Optional[str]) -> str:
    """A short, single-line excerpt of a body that carries no SendGrid error message."""
    return excerpt(' '.join((text or '').split()), MAX_BODY_EXCERPT)


def normalize_subuser(entry, offset: int = 0) -> dict:
    """One entry of GET /v3/subusers as ``{username, id, email, disabled, region}``."""
    if not isinstance(entry, dict) or not isinstance(entry.get('username'), str) or not entry['username']:
        raise SendGridResponseError(
            "SendGrid's answer to GET {0} (offset {1}) holds an entry without a username: {2!r}".format(
                SUBUSERS_PATH, offset, body_excerpt(str(entry))))
    return {
        'username': entry['username'],
        'id': entry.get('id'),
        'email': entry.get('email'),
        'disabled': bool(entry.get('disabled', False)),
        # SendGrid leaves the region out for accounts that predate regions: those are global.
        'region': entry.get('region') or 'global',
    }


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


def extract_api_messages(text: Optional[str], redact: Callable[[str], str] = _unchanged) -> List[str]:
    """SendGrid's own error messages from a response body (see ``read_error_body``)."""
    return read_error_body(text, redact).messages


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


class SendGridClient:
    """A SendGrid v3 API client: one transport, shared by any number of threads."""

    def __init__(self, api_key: str, region: str = 'global', api_url: Optional[str] = None, timeout: float = 30,
                 validate_certs: bool = True, max_retries: int = 5, max_retry_wait: float = 60,
                 max_total_wait: float = 300, pool_size: int = 10, session=None, sleep=time.sleep,
                 clock=time.time, rand=random.random):
        self.transport = Transport(
            api_key, resolve_base_url(region, api_url), timeout=timeout, validate_certs=validate_certs,
            max_retries=max_retries, max_retry_wait=max_retry_wait, max_total_wait=max_total_wait,
            pool_size=pool_size, session=session, sleep=sleep, clock=clock, rand=rand)
        self.base_url = self.transport.base_url

    def close(self) -> None:
        self.transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- the SendGrid calls -------------------------------------------------

    def get_enforced_tls(self, on_behalf_of: Optional[str] = None) -> dict:
        """The account's Enforced TLS setting, normalised (see ``_enforced_tls.normalize_settings``)."""
        return self._settings(self.request('GET', ENFORCED_TLS_PATH, on_behalf_of), 'GET', on_behalf_of)

    def update_enforced_tls(self, settings: dict, on_behalf_of: Optional[str] = None) -> dict:
        """PATCH the setting; returns the fields SendGrid's answer holds, normalised.

        A field the answer leaves out is left out here, not given its default: an
        answer to an update that leaves ``version`` out says nothing about the version
        (see ``_enforced_tls.reported_fields``).
        """
        answer = self.request('PATCH', ENFORCED_TLS_PATH, on_behalf_of, body=settings)
        return self._settings(answer, 'PATCH', on_behalf_of, parse=reported_fields)

    def list_subusers(self, username_prefix: Optional[str] = None, region: str = 'all',
                      page_size: int = SUBUSERS_PAGE_SIZE, on_behalf_of: Optional[str] = None) -> List[dict]:
        """Every subuser of the key's account, asked for ``page_size`` at a time.

        ``GET /v3/subusers`` answers a bare array with no total, and a server may cap
        ``limit`` below what was asked, so a first page shorter than asked does not
        prove it is the last: paging stops at an empty page, or at a page shorter than
        both ``page_size`` and an earlier page. ``username_prefix`` is SendGrid's
        ``username`` filter: names that start with it, regardless of case (sendgrid-oai
        issue 38); None or '' for no filter. ``region`` is one of all, global, eu.
        Returns dicts with username, id, email, disabled and region.
        """
        if region not in SUBUSER_REGIONS:
            raise SendGridConfigError('region must be one of {0}; got {1}'.format(
                ', '.join(SUBUSER_REGIONS), quoted(region)))
        if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise SendGridConfigError('page_size must be a whole number from 1 to {0}; got {1}'.format(
                MAX_PAGE_SIZE, describe_value(page_size)))
        if username_prefix:
            check_username(username_prefix, 'username')
        subusers = []
        seen = set()
        offset = 0
        longest_page = 0
        while True:
            params = {'limit': int(page_size), 'offset': offset, 'include_region': 'true'}
            if username_prefix:
                params['username'] = username_prefix
            if region != 'all':
                params['region'] = region
            page = self.request('GET', SUBUSERS_PATH, on_behalf_of, params=params)
            if not isinstance(page, list):
                raise SendGridResponseError(
                    "SendGrid's answer to GET {0} (offset {1}) is not a list of subusers: {2!r}".format(
                        SUBUSERS_PATH, offset, body_excerpt(str(page))))
            new = 0
            for entry in page:
                subuser = normalize_subuser(entry, offset)
                if subuser['username'] in seen:
                    continue
                seen.add(subuser['username'])
                new += 1
                if region == 'all' or subuser['region'] == region:
                    subusers.append(subuser)
            if not page or (len(page) < page_size and len(page) < longest_page):
                return subusers
            if not new:
                raise SendGridResponseError(
                    'GET {0} answered the same subusers again at offset {1}; stopped paging rather than loop'
                    ' forever.'.format(SUBUSERS_PATH, offset))
            longest_page = max(longest_page, len(page))
            offset += len(page)

    def find_subusers(self, username: str, region: str = 'all', page_size: int = SUBUSERS_PAGE_SIZE,
                      on_behalf_of: Optional[str] = None) -> List[dict]:
        """The subusers named exactly ``username``, compared regardless of case as SendGrid compares names.

        SendGrid's filter finds every name that starts with ``username``; all its pages are
        read (the name may be on any of them) and the exact name kept (``select_username``).
        """
        check_username(username, 'username')
        return select_username(self.list_subusers(username, region, page_size, on_behalf_of), username)

    def _settings(self, answer, method, on_behalf_of, parse=normalize_settings):
        try:
            return parse(answer)
        except InvalidSettingsResponse as exc:
            raise SendGridResponseError(
                "SendGrid's answer to {0} {1} for {2} is not an Enforced TLS setting: {3}. Nothing was"
                ' assumed about the account.'.format(method, ENFORCED_TLS_PATH, describe_account(on_behalf_of), exc),
                account=on_behalf_of)

    # -- one request -----------------------------------------------------------

    def request(self, method: str, path: str, on_behalf_of: Optional[str] = None, params=None, body=None):
        """Send one API request (with the transport's waits and retries); returns the decoded JSON answer."""
        headers = {}
        if on_behalf_of is not None:
            headers['On-Behalf-Of'] = validate_on_behalf_of(on_behalf_of)
        try:
            response = self.transport.send(method, path, headers=headers, params=params, body=body)
        except TransportGaveUp as gave_up:
            error = self.gave_up_error(gave_up, method, path, on_behalf_of)
            error.outcome_unknown = gave_up.outcome_unknown
            raise error from None
        return self._decode(response, method, path, on_behalf_of)

    def _decode(self, response, method, path, on_behalf_of):
        status = response.status_code
        account = describe_account(on_behalf_of)
        if 300 <= status < 400:
            raise self.redirect_error(response, method, path, on_behalf_of)
        if 200 <= status < 300:
            if not response.content or not response.content.strip():
                raise SendGridResponseError(
                    'SendGrid answered {0} {1} for {2} with {3} and an empty body; nothing can be concluded'
                    ' about the account. Try again.'.format(method, path, account, format_status(status)),
                    account=on_behalf_of)
            try:
                return response.json()
            except ValueError:
                raise SendGridResponseError(
                    'SendGrid answered {0} {1} for {2} with {3}, but the body is not valid JSON: {4!r}.'
                    ' Try again; if it persists, check that {5} is the SendGrid API.'.format(
                        method, path, account, format_status(status),
                        self.transport.redact(body_excerpt(response.text)), self.base_url),
                    account=on_behalf_of)
        raise self.api_error(response, method, path, on_behalf_of)

    # -- what errors say ---------------------------------------------------------

    def redirect_error(self, response, method, path, on_behalf_of) -> SendGridAPIError:
        """The exception for a 3xx: the API never redirects, so the base URL points elsewhere."""
        location = response.headers.get('Location') or ''
        try:
            target = urlsplit(location).hostname or ''
        except ValueError:
            target = ''
        where = 'to {0}'.format(quoted(target)) if target else 'without a Location host'
        message = ('{0} {1} for {2} was answered with {3}, a redirect {4}; the SendGrid API never redirects, so it'
                   ' was not followed and nothing was sent there. Check the API endpoint ({5}).'.format(
                       method, path, describe_account(on_behalf_of), format_status(response.status_code), where,
                       self.base_url))
        return SendGridAPIError(self.transport.redact(message), account=on_behalf_of, status=response.status_code,
                                cause=CAUSE_ENDPOINT)

    def api_error(self, response, method, path, on_behalf_of, retries_note='') -> SendGridAPIError:
        """The exception for an HTTP error answer: status, SendGrid's words, account, what to check,
        and SendGrid's error id (for its support) when the body carries one."""
        error_body = read_error_body(response.text, self.transport.redact)
        messages = error_body.messages
        if messages:
            said = 'SendGrid says: {0}'.format('; '.join(messages))
        elif response.text and response.text.strip():
            # Redacted before it is cut, so that no cut leaves part of the key.
            said = 'no SendGrid error message, body: {0!r}'.format(body_excerpt(self.transport.redact(response.text)))
        else:
            said = 'no SendGrid error message'
        message = '{0} {1} for {2} failed with {3}{4} ({5}). {6}'.format(
            method, path, describe_account(on_behalf_of), format_status(response.status_code), retries_note,
            said, error_hint(response.status_code, method, path, on_behalf_of, self.base_url)).rstrip()
        message += error_id_note(error_body.error_id)
        return SendGridAPIError(self.transport.redact(message), account=on_behalf_of, status=response.status_code,
                                api_messages=messages, cause=status_cause(response.status_code),
                                error_id=error_body.error_id)

    def gave_up_error(self, gave_up: TransportGaveUp, method, path, on_behalf_of) -> SendGridRetriesExhausted:
        """The exception for a request the transport gave up: why, how often it retried, how long it waited."""
        retries_note = ' after {0} retries and {1:.1f} s of waiting'.format(gave_up.retries, gave_up.waited)
        account = describe_account(on_behalf_of)
        cause = GAVE_UP_CAUSES.get(gave_up.reason, CAUSE_UNREACHABLE)
        response = gave_up.response
        status = response.status_code if response is not None else None
        messages = []
        error_id = None
        if gave_up.reason == GAVE_UP_SERVER_ERROR:
            error = self.api_error(response, method, path, on_behalf_of, retries_note=retries_note)
            message, messages, error_id = error.message, error.api_messages, error.error_id
        elif gave_up.reason == GAVE_UP_RATE_LIMITED:
            status = RATE_LIMITED_STATUS
            if response is not None:
                messages, error_id = read_error_body(response.text, self.transport.redact)
            said = ' (SendGrid says: {0})'.format('; '.join(messages)) if messages else ''
            message = ('{0} {1} for {2} was {3}{4}{5}. Run when other clients of this key are idle.{6}'.format(
                method, path, account, gave_up.detail, retries_note, said, error_id_note(error_id)))
        elif gave_up.reason == GAVE_UP_TIMEOUT:
            message = ('{0} {1} for {2} got no answer in time from {3}: {4}{5}. SendGrid may be slow; try again'
                       ' later.'.format(method, path, account, self.base_url, gave_up.detail, retries_note))
        else:
            message = ('{0} {1} for {2} could not reach {3}: {4}{5}. Check the network and any proxy'
                       ' (HTTPS_PROXY).'.format(method, path, account, self.base_url, gave_up.detail, retries_note))
        return SendGridRetriesExhausted(message, on_behalf_of, status, messages, cause=cause, waited=gave_up.waited,
                                        retries=gave_up.retries, error_id=error_id)
