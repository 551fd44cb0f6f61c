# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The SendGrid v3 API client of the collection: the calls, and the errors they raise.

It knows SendGrid, not Ansible: it raises the exceptions of ``_errors.py`` and never
calls ``fail_json``, so it is unit-testable, safe to share between worker threads,
and reusable by any plugin. The waiting and retrying is the transport's
(``_http.py``); one client holds one transport (one keep-alive session and one rate
limiter per endpoint, shared by all its workers). What SendGrid's answers say is read by
``_sendgrid_api.py``. Its messages name HTTP statuses, SendGrid's own words, the account and
what to check on the SendGrid side; advice in terms of a caller's settings is the caller's
(``SendGridError.cause``).
"""

from __future__ import annotations

import random
import time
from typing import List, Optional, Tuple
from urllib.parse import urlsplit

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import (
    check_username,
    describe_account,
    select_username,
    validate_on_behalf_of,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._bounds import check_whole_number
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    InvalidSettingsResponse,
    normalize_settings,
    reported_fields,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_ENDPOINT,
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
    Transport,
    TransportGaveUp,
    check_api_url,
    format_status,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import quoted
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import (
    BLOCKS_PATH,
    ENFORCED_TLS_PATH,
    MAX_BLOCKS,
    MAX_PAGE_SIZE,
    REGION_URLS,
    SUBUSER_REGIONS,
    SUBUSERS_PAGE_SIZE,
    SUBUSERS_PATH,
    body_excerpt,
    error_hint,
    error_id_note,
    normalize_block,
    normalize_subuser,
    read_error_body,
    status_cause,
)

# What a user should look at, by the reason the transport gave a request up.
GAVE_UP_CAUSES = {
    GAVE_UP_RATE_LIMITED: CAUSE_RATE_LIMIT,
    GAVE_UP_SERVER_ERROR: CAUSE_SERVER,
    GAVE_UP_TIMEOUT: CAUSE_TIMEOUT,
}


def api_url_given(api_url: Optional[str]) -> bool:
    """Whether an api_url setting is set: an empty or blank value (an optional AWX credential field
    left blank, an unset environment variable exported as '') means "not set"."""
    return api_url is not None and not (isinstance(api_url, str) and not api_url.strip())


def resolve_base_url(region: str = 'global', api_url: Optional[str] = None) -> str:
    """The API's base URL: ``api_url`` when given (see ``api_url_given`` and ``_http.check_api_url``),
    else the region's URL."""
    if api_url_given(api_url):
        return check_api_url(api_url)
    if region not in REGION_URLS:
        raise SendGridConfigError('region must be one of {0}; got {1}'.format(
            ', '.join(sorted(REGION_URLS)), quoted(region)))
    return REGION_URLS[region]


def check_page_size(page_size) -> int:
    """A listing's page size: a whole number from 1 to MAX_PAGE_SIZE (the most SendGrid's listings take)."""
    return check_whole_number(page_size, 'page_size', 1, MAX_PAGE_SIZE)


def insecure_endpoint_warning(base_url: str, setting: str = 'validate_certs is false') -> str:
    """The warning for a client that does not check the endpoint's TLS certificate."""
    return ('{0}: the TLS certificate of {1} is not checked, so the API key could be sent to an impostor. Use this'
            ' only with a test endpoint.'.format(setting, base_url))


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
        check_page_size(page_size)
        if username_prefix:
            check_username(username_prefix, 'username')
        params = {'limit': int(page_size), 'include_region': 'true'}
        if username_prefix:
            params['username'] = username_prefix
        if region != 'all':
            params['region'] = region
        listing = self._listing(SUBUSERS_PATH, 'subusers', params, on_behalf_of, normalize_subuser,
                                identity=lambda subuser: subuser['username'])
        return [subuser for subuser in listing if region == 'all' or subuser['region'] == region]

    def find_subusers(self, username: str, region: str = 'all', page_size: int = SUBUSERS_PAGE_SIZE,
                      on_behalf_of: Optional[str] = None) -> List[dict]:
        """The subusers named exactly ``username``, compared regardless of case as SendGrid compares names.

        SendGrid's filter finds every name that starts with ``username``; all its pages are
        read (the name may be on any of them) and the exact name kept (``select_username``).
        """
        check_username(username, 'username')
        return select_username(self.list_subusers(username, region, page_size, on_behalf_of), username)

    def list_blocks(self, on_behalf_of: Optional[str] = None, start_time: Optional[int] = None,
                    end_time: Optional[int] = None, page_size: int = MAX_PAGE_SIZE,
                    max_entries: int = MAX_BLOCKS) -> Tuple[List[dict], bool]:
        """The account's blocks list, created from ``start_time`` to ``end_time`` (Unix times, inclusive;
        None for no bound), ``page_size`` entries a request, every page.

        Returns the entries (``{created, email, reason, status}``) and whether they are all of them:
        reading stops after ``max_entries`` (and says so), a bound on a list that can be long. As for
        the subusers, paging stops at an empty page, or at a page shorter than both ``page_size`` and an
        earlier page; a page of nothing new stops it with an error rather than looping.
        """
        check_page_size(page_size)
        params = {'limit': int(page_size)}
        for name, value in (('start_time', start_time), ('end_time', end_time)):
            if value is not None:
                params[name] = int(value)
        entries = []
        for entry in self._listing(BLOCKS_PATH, 'blocks', params, on_behalf_of, normalize_block,
                                   identity=lambda block: (block['email'], block['created']), limit_honoured=True):
            if len(entries) == max_entries:
                return entries, False
            entries.append(entry)
        return entries, True

    def newest_block(self, on_behalf_of: Optional[str] = None) -> Optional[dict]:
        """The account's newest block, or None: one request, enough to learn whether the key may read it."""
        entries = self._listing(BLOCKS_PATH, 'blocks', {'limit': 1}, on_behalf_of, normalize_block,
                                identity=lambda block: (block['email'], block['created']), limit_honoured=True)
        return next(entries, None)

    def _listing(self, path, what, params, on_behalf_of, normalize, identity, limit_honoured=False):
        """The entries of a listing SendGrid pages with ``limit`` and ``offset``, each normalized
        (``normalize(entry, on_behalf_of, offset)``) and given once (by ``identity``), read a page at a time
        as they are taken.

        The answer is a bare array with no total. Where a server may cap ``limit`` below what was asked
        (the subusers' listing), a page shorter than asked does not prove it is the last: paging stops at
        an empty page, or at a page shorter than both the page size and an earlier page. Where the spec
        bounds ``limit`` and the page size is within it (``limit_honoured``), a shorter page is the last.
        A page of nothing new stops it with an error rather than looping.
        """
        seen = set()
        offset = 0
        longest_page = 0
        while True:
            page = self.request('GET', path, on_behalf_of, params=dict(params, offset=offset))
            if not isinstance(page, list):
                raise SendGridResponseError(
                    "SendGrid's answer to GET {0} for {1} (offset {2}) is not a list of {3}: {4!r}".format(
                        path, describe_account(on_behalf_of), offset, what, body_excerpt(str(page))),
                    account=on_behalf_of)
            new = 0
            for item in page:
                entry = normalize(item, on_behalf_of, offset)
                if identity(entry) not in seen:
                    seen.add(identity(entry))
                    new += 1
                    yield entry
            if not page or (len(page) < params['limit'] and (limit_honoured or len(page) < longest_page)):
                return
            if not new:
                raise SendGridResponseError(
                    'GET {0} for {1} answered the same {2} again at offset {3}; stopped paging rather than loop'
                    ' forever.'.format(path, describe_account(on_behalf_of), what, offset), account=on_behalf_of)
            longest_page = max(longest_page, len(page))
            offset += len(page)

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
