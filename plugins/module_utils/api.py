# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SendGrid v3 API client of the collection.

It knows HTTP and SendGrid, not Ansible: it raises the exceptions of ``errors.py``
and never calls ``fail_json``, so it is unit-testable, safe to share between
worker threads, and reusable by any plugin. One client holds one
``requests.Session`` (keep-alive) and one rate limiter shared by all its workers.

Waiting rules, per request:

* 429: every worker of the client pauses until ``Retry-After`` or
  ``X-RateLimit-Reset`` (epoch seconds or seconds from now), clamped to
  ``max_retry_wait``. Between 429s, the client paces itself from
  ``X-RateLimit-Remaining``/``-Reset`` so it rarely meets one.
* 500/502/503/504 and connection failures: at most ``max_retries`` retries,
  waiting exponentially longer with jitter, each wait at most ``max_retry_wait``.
* All waiting of one request together is at most ``max_total_wait``; past that
  the request fails and the error says how long it waited.
"""

from __future__ import annotations

import ipaddress
import math
import json
import random
import threading
import time
import traceback
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from http.client import responses as HTTP_REASONS

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.auth import AuthBase
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    AuthBase = object
HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

from ansible_collections.mailops.sendgrid.plugins.module_utils.accounts import (
    describe_account,
    has_control_characters,
    validate_on_behalf_of,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils.enforced_tls import (
    InvalidSettingsResponse,
    normalize_settings,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils.errors import (
    SendGridAPIError,
    SendGridConfigError,
    SendGridResponseError,
    SendGridRetriesExhausted,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils.messages import (
    describe_value,
    mask_userinfo,
    quoted,
)

REGION_URLS = {
    'global': 'https://api.sendgrid.com',
    'eu': 'https://api.eu.sendgrid.com',
}
ENFORCED_TLS_PATH = '/v3/user/settings/enforced_tls'
SUBUSERS_PATH = '/v3/subusers'
SUBUSERS_PAGE_SIZE = 100
SUBUSER_REGIONS = ('all', 'global', 'eu')

# The API key scope each call needs, shown when SendGrid answers 403.
REQUIRED_SCOPES = {
    ('GET', ENFORCED_TLS_PATH): 'user.settings.enforced_tls.read',
    ('PATCH', ENFORCED_TLS_PATH): 'user.settings.enforced_tls.update',
    ('GET', SUBUSERS_PATH): 'subusers.read',
}

RETRIED_STATUSES = frozenset((500, 502, 503, 504))
RATE_LIMITED_STATUS = 429
BACKOFF_BASE = 0.5
# X-RateLimit-Reset values above this are epoch seconds, below it seconds from now.
EPOCH_THRESHOLD = 1e9
# Added to a server-given reset so that a whole-second epoch has surely passed.
RESET_MARGIN = 0.25
DEFAULT_RATE_LIMIT_WAIT = 1.0
# How soon a worker held back by requests in flight looks at the quota again.
PACING_RECHECK = 0.05
# A 429 always waits at least this long, so that a server asking for no wait cannot spin the client.
MIN_RATE_LIMIT_WAIT = 0.5
USER_AGENT = 'mailops.sendgrid-ansible-collection'
MAX_SHOWN_BODY = 200

# The upper bounds of the numeric options, refused past them before any request (documented in
# the doc fragment): each is far beyond what a real run needs, and well below what would hang a
# job for days or exhaust the machine.
MAX_TIMEOUT = 600.0
MAX_RETRIES = 20
MAX_RETRY_WAIT = 3600.0
MAX_TOTAL_WAIT = 86400.0
MAX_PAGE_SIZE = 500
MAX_POOL_SIZE = 100


# ---------------------------------------------------------------------------
# Validation of configuration: runs before any request is sent.
# ---------------------------------------------------------------------------

def is_loopback_host(host):
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_base_url(region='global', api_url=None):
    """The API's base URL: ``api_url`` when given, else the region's URL.

    Refuses anything that is not an absolute http(s) URL, and plain HTTP to any
    host but a loopback one: the key must never cross a network in clear text.
    """
    if api_url is None:
        if region not in REGION_URLS:
            raise SendGridConfigError('region must be one of {0}; got {1}'.format(
                ', '.join(sorted(REGION_URLS)), quoted(region)), field='region')
        return REGION_URLS[region]
    if not isinstance(api_url, str) or not api_url.strip():
        raise SendGridConfigError('api_url must be an absolute URL such as https://api.sendgrid.com; got {0}'.format(
            describe_value(api_url)), field='api_url')
    api_url = api_url.strip()
    if '\\' in api_url or has_control_characters(api_url) or any(char.isspace() for char in api_url):
        # URL parsers disagree on such URLs: the host checked here need not be the one requests connects to.
        raise SendGridConfigError('api_url {0} must not contain backslashes, spaces or control characters'.format(
            quoted(api_url)), field='api_url')
    try:
        parts = urlsplit(api_url)
        host = parts.hostname
        parts.port  # pylint: disable=pointless-statement
    except ValueError as exc:
        raise SendGridConfigError('api_url {0} is not a valid URL ({1})'.format(
            quoted(api_url), mask_userinfo(str(exc))), field='api_url')
    if '@' in parts.netloc:
        raise SendGridConfigError(
            'api_url {0} must not contain user information (user@host): the API key is sent in a header,'
            ' not in the URL'.format(quoted(api_url)), field='api_url')
    if parts.scheme not in ('https', 'http') or not host:
        raise SendGridConfigError(
            'api_url must be an absolute http(s) URL such as https://api.sendgrid.com; got {0}'.format(quoted(api_url)),
            field='api_url')
    if parts.query or parts.fragment:
        raise SendGridConfigError('api_url must not have a query or fragment; got {0}'.format(quoted(api_url)),
                                  field='api_url')
    if parts.scheme == 'http' and not is_loopback_host(host):
        raise SendGridConfigError(
            'api_url {0} uses plain http:// to a host that is not loopback: the API key would cross the'
            ' network unencrypted. Use https://, or http:// only to localhost, 127.0.0.1 or ::1 (an emulator'
            ' on this machine).'.format(quoted(api_url)), field='api_url')
    return api_url.rstrip('/')


def validate_api_key(api_key):
    """Check the key's form without ever putting it into a message."""
    if not api_key:
        raise SendGridConfigError(
            'api_key is required: set the api_key option (for example through module_defaults for'
            ' group/mailops.sendgrid.sendgrid) or the SENDGRID_API_KEY environment variable', field='api_key')
    if not isinstance(api_key, str) or has_control_characters(api_key) or any(char.isspace() for char in api_key):
        raise SendGridConfigError(
            'api_key contains whitespace or control characters; check that the whole key was copied and'
            ' nothing else (such as a trailing newline)', field='api_key')
    try:
        api_key.encode('latin-1')
    except UnicodeEncodeError:
        raise SendGridConfigError(
            'api_key contains characters that cannot be sent in an HTTP header (SendGrid keys are plain ASCII);'
            ' check that the key was copied whole, without typographic quotes or dashes', field='api_key')


def check_bounded(name, value, maximum, allow_zero=False):
    """Refuse a numeric option that is not a number, not positive, or above ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise SendGridConfigError('{0} must be a number; got {1}'.format(name, describe_value(value)), field=name)
    if value < 0 or (value == 0 and not allow_zero) or value > maximum:
        raise SendGridConfigError('{0} must be {1} and at most {2:g}; got {3:g}'.format(
            name, 'zero or more' if allow_zero else 'greater than zero', maximum, value), field=name)


# ---------------------------------------------------------------------------
# Reading SendGrid's answers.
# ---------------------------------------------------------------------------

def normalize_subuser(entry, offset=0):
    """One entry of GET /v3/subusers as ``{username, id, email, disabled, region}``."""
    if not isinstance(entry, dict) or not isinstance(entry.get('username'), str) or not entry['username']:
        raise SendGridResponseError(
            "SendGrid's answer to GET {0} (offset {1}) holds an entry without a username: {2!r}".format(
                SUBUSERS_PATH, offset, shown_body(str(entry))))
    return {
        'username': entry['username'],
        'id': entry.get('id'),
        'email': entry.get('email'),
        'disabled': bool(entry.get('disabled', False)),
        # SendGrid leaves the region out for accounts that predate regions: those are global.
        'region': entry.get('region') or 'global',
    }


def parse_rate_limit_reset(value, now):
    """Seconds until ``X-RateLimit-Reset``, accepting epoch seconds or seconds from now."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    if number > EPOCH_THRESHOLD:
        return max(number - now, 0.0) + RESET_MARGIN
    return max(number, 0.0)


def parse_retry_after(value, now):
    """Seconds asked for by ``Retry-After``: a number of seconds or an HTTP date."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def rate_limit_delay(headers, now):
    """How long a 429 asks to wait: Retry-After, else X-RateLimit-Reset, else one second."""
    for delay in (parse_retry_after(headers.get('Retry-After'), now),
                  parse_rate_limit_reset(headers.get('X-RateLimit-Reset'), now)):
        if delay is not None:
            return delay
    return DEFAULT_RATE_LIMIT_WAIT


def backoff_delay(retry, max_wait, rand=random.random):
    """Exponential backoff with jitter for the n-th retry (1-based), at most ``max_wait``."""
    ceiling = min(max_wait, BACKOFF_BASE * (2 ** (retry - 1)))
    return ceiling * (0.5 + rand() / 2)


def extract_api_messages(text):
    """SendGrid's own error messages from a response body, in either shape it uses.

    ``{"errors": [{"message": ..., "field": ...}]}`` or ``{"error": "..."}``.
    """
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    messages = []
    if isinstance(body, dict):
        errors = body.get('errors')
        if isinstance(errors, list):
            for error in errors:
                if isinstance(error, dict) and error.get('message'):
                    message = str(error['message'])
                    if error.get('field'):
                        message = '{0} (field: {1})'.format(message, error['field'])
                    messages.append(message)
                elif isinstance(error, str):
                    messages.append(error)
        if isinstance(body.get('error'), str):
            messages.append(body['error'])
    return messages


def shown_body(text):
    """A short, single-line excerpt of a body that carries no SendGrid error message."""
    excerpt = ' '.join((text or '').split())
    if len(excerpt) > MAX_SHOWN_BODY:
        excerpt = excerpt[:MAX_SHOWN_BODY] + '...'
    return excerpt


def error_hint(status, method, path, on_behalf_of, base_url):
    """What the user should check for an HTTP error status."""
    account = describe_account(on_behalf_of)
    on_behalf_hint = ''
    if on_behalf_of is not None:
        on_behalf_hint = (' Also check that {0} exists and belongs to the parent account this key is for'
                          ' (on_behalf_of / subusers).'.format(account))
    if status == 400 and path == ENFORCED_TLS_PATH:
        return ('Check the values sent: require_tls and require_valid_cert are booleans, version is one of'
                ' 1.1, 1.2, 1.3.')
    if status == 400:
        return 'Check the values sent (see SendGrid\'s message).'
    if status == 401:
        return ('Check api_key (or SENDGRID_API_KEY): it may be mistyped, revoked, or from another region'
                ' (EU keys need region: eu).' + on_behalf_hint)
    if status == 403:
        scope = REQUIRED_SCOPES.get((method, path))
        needed = 'the scope {0}'.format(scope) if scope else 'the scopes of this call'
        return 'Check that the API key has {0}.'.format(needed) + on_behalf_hint
    if status == 404:
        return ('Check api_url/region ({0}); EU subusers need region: eu.'.format(base_url) + on_behalf_hint)
    if status in RETRIED_STATUSES:
        return 'SendGrid had a server error; try again later, or raise max_retries.'
    return ''


def format_status(status):
    reason = HTTP_REASONS.get(status)
    return 'HTTP {0} {1}'.format(status, reason) if reason else 'HTTP {0}'.format(status)


TIMEOUT_REASON = 'no answer within the timeout'


def describe_exception(exc):
    """A short reason for a failed connection, without headers (and so without the key)."""
    if HAS_REQUESTS:
        if isinstance(exc, requests.exceptions.SSLError):
            return 'TLS handshake or certificate verification failed'
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return 'connecting timed out'
        if isinstance(exc, requests.exceptions.Timeout):
            return TIMEOUT_REASON
        if isinstance(exc, requests.exceptions.ConnectionError):
            text = str(exc)
            if 'timed out' in text:
                # A server that sends headers and then stalls: requests reports a ConnectionError.
                return TIMEOUT_REASON
            for known in ('Connection refused', 'Connection reset', 'Connection aborted', 'RemoteDisconnected',
                          'Name or service not known', 'Temporary failure in name resolution',
                          'No route to host', 'Network is unreachable'):
                if known in text:
                    return 'connection failed: {0}'.format(known)
            return 'connection failed'
    return type(exc).__name__


class BearerAuth(AuthBase):
    """Bearer authentication. Passing it as ``auth`` also keeps requests from using ~/.netrc."""

    def __init__(self, api_key):
        self.api_key = api_key

    def __call__(self, request):
        request.headers['Authorization'] = 'Bearer ' + self.api_key
        return request

    def __repr__(self):
        return 'BearerAuth(<hidden>)'


# ---------------------------------------------------------------------------
# The rate limiter shared by all workers of a client.
# ---------------------------------------------------------------------------

class RateLimiter(object):
    """Paces requests from SendGrid's rate-limit headers; a 429 pauses every worker.

    Thread-safe. ``clock`` is wall-clock time (epoch seconds), because
    ``X-RateLimit-Reset`` may be an epoch.
    """

    def __init__(self, clock=time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._remaining = None
        self._reset_at = None
        self._in_flight = 0
        self.rate_limited_count = 0

    def delay_before_request(self):
        """Seconds to wait before the next request may go; 0 reserves a slot for it."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            if self._reset_at is not None and now >= self._reset_at:
                self._remaining = None
                self._reset_at = None
            if self._remaining is not None and self._remaining - self._in_flight <= 0:
                if self._remaining > 0:
                    # The quota left is spoken for by requests in flight; their answers may show
                    # otherwise (not every request counts), so look again soon.
                    return min(self._reset_at - now, PACING_RECHECK)
                return self._reset_at - now
            self._in_flight += 1
            return 0.0

    def record_answer(self, headers=None):
        """Release the slot of a finished request and learn from its rate-limit headers."""
        with self._lock:
            self._in_flight = max(self._in_flight - 1, 0)
            if not headers:
                return
            now = self._clock()
            try:
                remaining = int(headers.get('X-RateLimit-Remaining'))
            except (TypeError, ValueError):
                return
            until_reset = parse_rate_limit_reset(headers.get('X-RateLimit-Reset'), now)
            if until_reset is None:
                return
            reset_at = now + until_reset
            if self._reset_at is None or reset_at > self._reset_at + 1.0:
                # A new window: its counts replace the old ones.
                self._remaining, self._reset_at = remaining, reset_at
            else:
                # Answers of one window arrive out of order: the lowest count is the newest.
                self._remaining = min(self._remaining, remaining)

    def pause(self, seconds):
        """After a 429: no worker sends anything for ``seconds``."""
        with self._lock:
            self.rate_limited_count += 1
            self._paused_until = max(self._paused_until, self._clock() + seconds)


# ---------------------------------------------------------------------------
# The client.
# ---------------------------------------------------------------------------

class SendGridClient(object):
    """A SendGrid v3 API client: one keep-alive session, shared by any number of threads."""

    def __init__(self, api_key, region='global', api_url=None, timeout=30, validate_certs=True,
                 max_retries=5, max_retry_wait=60, max_total_wait=300, pool_size=10,
                 session=None, sleep=time.sleep, clock=time.time, rand=random.random):
        if not HAS_REQUESTS:
            raise SendGridConfigError('the Python library requests is required')
        validate_api_key(api_key)
        self.base_url = resolve_base_url(region, api_url)
        check_bounded('timeout', timeout, MAX_TIMEOUT)
        check_bounded('max_retries', max_retries, MAX_RETRIES, allow_zero=True)
        check_bounded('max_retry_wait', max_retry_wait, MAX_RETRY_WAIT)
        check_bounded('max_total_wait', max_total_wait, MAX_TOTAL_WAIT, allow_zero=True)
        check_bounded('pool_size', pool_size, MAX_POOL_SIZE)
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.max_retries = int(max_retries)
        self.max_retry_wait = float(max_retry_wait)
        self.max_total_wait = float(max_total_wait)
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self.limiter = RateLimiter(clock)
        self._session = session if session is not None else self._new_session(pool_size)
        self._auth = BearerAuth(api_key)

    @staticmethod
    def _new_session(pool_size):
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=int(pool_size), max_retries=0)
        session.mount('https://', adapter)
        session.mount('http://', adapter)
        session.headers['User-Agent'] = USER_AGENT
        session.headers['Accept'] = 'application/json'
        return session

    def close(self):
        self._session.close()

    def redact(self, text):
        """Hide the API key in text that came from elsewhere (an error body could echo it)."""
        return text.replace(self._auth.api_key, '<api_key>') if text else text

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- the SendGrid calls -------------------------------------------------

    def get_enforced_tls(self, on_behalf_of=None):
        """The account's Enforced TLS setting, normalised (see ``enforced_tls.normalize_settings``)."""
        return self._settings(self.request('GET', ENFORCED_TLS_PATH, on_behalf_of), 'GET', on_behalf_of)

    def update_enforced_tls(self, settings, on_behalf_of=None):
        """PATCH the setting; returns the settings SendGrid reports back, normalised."""
        answer = self.request('PATCH', ENFORCED_TLS_PATH, on_behalf_of, body=settings)
        return self._settings(answer, 'PATCH', on_behalf_of)

    def list_subusers(self, username=None, region='all', page_size=SUBUSERS_PAGE_SIZE, on_behalf_of=None):
        """Every subuser of the key's account, asked for ``page_size`` at a time.

        ``GET /v3/subusers`` answers a bare array with no total, and a server may cap
        ``limit`` below what was asked, so a first page shorter than asked does not
        prove it is the last: paging stops at an empty page, or at a page shorter than
        both ``page_size`` and an earlier page. ``username`` filters as SendGrid does;
        ``region`` is one of all, global, eu. Returns dicts with username, id, email,
        disabled and region.
        """
        if region not in SUBUSER_REGIONS:
            raise SendGridConfigError('region must be one of {0}; got {1}'.format(
                ', '.join(SUBUSER_REGIONS), quoted(region)), field='region')
        if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise SendGridConfigError('page_size must be a whole number from 1 to {0}; got {1}'.format(
                MAX_PAGE_SIZE, describe_value(page_size)), field='page_size')
        subusers = []
        seen = set()
        offset = 0
        longest_page = 0
        while True:
            params = {'limit': int(page_size), 'offset': offset, 'include_region': 'true'}
            if username:
                params['username'] = username
            if region != 'all':
                params['region'] = region
            page = self.request('GET', SUBUSERS_PATH, on_behalf_of, params=params)
            if not isinstance(page, list):
                raise SendGridResponseError(
                    "SendGrid's answer to GET {0} (offset {1}) is not a list of subusers: {2!r}".format(
                        SUBUSERS_PATH, offset, shown_body(str(page))))
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

    def _settings(self, answer, method, on_behalf_of):
        try:
            return normalize_settings(answer)
        except InvalidSettingsResponse as exc:
            raise SendGridResponseError(
                "SendGrid's answer to {0} {1} for {2} is not an Enforced TLS setting: {3}. Nothing was"
                ' assumed about the account.'.format(method, ENFORCED_TLS_PATH, describe_account(on_behalf_of), exc),
                account=on_behalf_of)

    # -- HTTP ------------------------------------------------------------------

    def request(self, method, path, on_behalf_of=None, params=None, body=None):
        """Send one API request with waits and retries; returns the decoded JSON answer."""
        headers = {}
        if on_behalf_of is not None:
            headers['On-Behalf-Of'] = validate_on_behalf_of(on_behalf_of)
        attempt = _Attempt(self, method, path, on_behalf_of)
        while True:
            attempt.wait_for_turn()
            try:
                # The SendGrid API never redirects: a redirect is followed nowhere, so the key goes to no other host.
                response = self._session.request(
                    method, self.base_url + path, params=params, json=body, headers=headers, auth=self._auth,
                    timeout=self.timeout, verify=self.validate_certs, allow_redirects=False)
            except requests.exceptions.RequestException as exc:
                self.limiter.record_answer(None)
                attempt.retry_after_failure(None, describe_exception(exc))
                continue
            self.limiter.record_answer(response.headers)
            if response.status_code == RATE_LIMITED_STATUS:
                attempt.retry_after_rate_limit(response)
            elif response.status_code in RETRIED_STATUSES:
                attempt.retry_after_failure(response, None)
            else:
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
                    ' Try again; if it persists, check api_url points at the SendGrid API.'.format(
                        method, path, account, format_status(status), self.redact(shown_body(response.text))),
                    account=on_behalf_of)
        raise self.api_error(response, method, path, on_behalf_of)

    def redirect_error(self, response, method, path, on_behalf_of):
        """The exception for a 3xx: the API never redirects, so api_url points elsewhere."""
        location = response.headers.get('Location') or ''
        try:
            target = urlsplit(location).hostname or ''
        except ValueError:
            target = ''
        where = 'to {0}'.format(quoted(target)) if target else 'without a Location host'
        message = ('{0} {1} for {2} was answered with {3}, a redirect {4}; the SendGrid API never redirects, so it'
                   ' was not followed and nothing was sent there. Check api_url/region ({5}).'.format(
                       method, path, describe_account(on_behalf_of), format_status(response.status_code), where,
                       self.base_url))
        return SendGridAPIError(self.redact(message), account=on_behalf_of, status=response.status_code)

    def api_error(self, response, method, path, on_behalf_of, retries_note=''):
        """The exception for an HTTP error answer: status, SendGrid's words, account, what to check."""
        messages = extract_api_messages(response.text)
        if messages:
            said = 'SendGrid says: {0}'.format('; '.join(messages))
        elif response.text and response.text.strip():
            said = 'no SendGrid error message, body: {0!r}'.format(shown_body(response.text))
        else:
            said = 'no SendGrid error message'
        message = '{0} {1} for {2} failed with {3}{4} ({5}). {6}'.format(
            method, path, describe_account(on_behalf_of), format_status(response.status_code), retries_note,
            said, error_hint(response.status_code, method, path, on_behalf_of, self.base_url)).rstrip()
        return SendGridAPIError(self.redact(message), account=on_behalf_of, status=response.status_code,
                                api_messages=[self.redact(text) for text in messages])


class _Attempt(object):
    """The waiting and retry bookkeeping of one request."""

    def __init__(self, client, method, path, on_behalf_of):
        self.client = client
        self.method = method
        self.path = path
        self.on_behalf_of = on_behalf_of
        self.failures_retried = 0  # retries after 5xx or connection failures, bounded by max_retries
        self.retries = 0           # all retries made, 429s included
        self.waited = 0.0
        # Whether an attempt ended so that SendGrid may have acted on it (a 5xx, a lost connection,
        # a timeout): then even a later, clear refusal does not prove that nothing happened.
        self.outcome_unknown = False

    def _wait(self, seconds):
        seconds = min(seconds, self.client.max_retry_wait)
        self.client._sleep(seconds)
        self.waited += seconds

    def _budget_left(self):
        return self.client.max_total_wait - self.waited

    def wait_for_turn(self):
        """Wait while the shared limiter holds requests back (after a 429, or out of quota)."""
        while True:
            delay = self.client.limiter.delay_before_request()
            if delay <= 0:
                return
            if delay > self._budget_left():
                self._give_up(RATE_LIMITED_STATUS, None, 'held back by the rate limit for {0:.1f} s more'.format(delay))
            self._wait(delay)

    def retry_after_rate_limit(self, response):
        """A 429: pause every worker for as long as SendGrid asks (at least MIN_RATE_LIMIT_WAIT)."""
        delay = rate_limit_delay(response.headers, self.client._clock())
        delay = max(min(delay, self.client.max_retry_wait), MIN_RATE_LIMIT_WAIT)
        if delay > self._budget_left():
            self._give_up(RATE_LIMITED_STATUS, response, 'rate limited (HTTP 429)')
        self.retries += 1
        self.client.limiter.pause(delay)

    def retry_after_failure(self, response, reason):
        """A 5xx or a failed connection: back off exponentially, at most max_retries times."""
        self.outcome_unknown = True
        status = response.status_code if response is not None else None
        if self.failures_retried >= self.client.max_retries:
            self._give_up(status, response, reason)
        delay = backoff_delay(self.failures_retried + 1, self.client.max_retry_wait, self.client._rand)
        if delay > self._budget_left():
            self._give_up(status, response, reason)
        self.failures_retried += 1
        self.retries += 1
        self._wait(delay)

    def _give_up(self, status, response, reason):
        error = self._exhausted_error(status, response, reason)
        error.outcome_unknown = self.outcome_unknown
        raise error

    def _exhausted_error(self, status, response, reason):
        client = self.client
        waited_note = ' after {0} retries and {1:.1f} s of waiting (max_retries={2}, max_total_wait={3:g})'.format(
            self.retries, self.waited, client.max_retries, client.max_total_wait)
        account = describe_account(self.on_behalf_of)
        if response is not None and status != RATE_LIMITED_STATUS:
            error = client.api_error(response, self.method, self.path, self.on_behalf_of, retries_note=waited_note)
            return SendGridRetriesExhausted(error.message, self.on_behalf_of, status, error.api_messages,
                                            self.waited, self.retries)
        if status == RATE_LIMITED_STATUS:
            messages = extract_api_messages(response.text) if response is not None else []
            said = ' (SendGrid says: {0})'.format(client.redact('; '.join(messages))) if messages else ''
            message = (
                '{0} {1} for {2} was {3}{4}{5}. Raise max_total_wait, use fewer workers, or run when'
                ' other clients of this key are idle.'.format(
                    self.method, self.path, account, reason, waited_note, said))
            return SendGridRetriesExhausted(message, self.on_behalf_of, status, messages, self.waited, self.retries)
        if reason == TIMEOUT_REASON:
            message = ('{0} {1} for {2} got no answer in time from {3}: {4}{5}. SendGrid may be slow: raise'
                       ' timeout, or try again later.'.format(
                           self.method, self.path, account, client.base_url, reason, waited_note))
        else:
            message = ('{0} {1} for {2} could not reach {3}: {4}{5}. Check api_url/region, the network, and any'
                       ' proxy (HTTPS_PROXY); with a self-signed test endpoint, validate_certs.'.format(
                           self.method, self.path, account, client.base_url, reason, waited_note))
        return SendGridRetriesExhausted(message, self.on_behalf_of, None, [], self.waited, self.retries)
