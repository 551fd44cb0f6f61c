# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The transport: one keep-alive ``requests`` session, bearer authentication, and the
waits and retries of every request. It knows HTTP, not SendGrid's endpoints.

Waiting rules, per request:

* Each endpoint (method and path, such as ``GET /v3/subusers``) has its own rate-limit
  window, as SendGrid documents, and its own limiter shared by all workers.
* 429: every worker calling that endpoint pauses until ``Retry-After`` or
  ``X-RateLimit-Reset`` (epoch seconds or seconds from now), clamped to
  ``max_retry_wait``; other endpoints go on. Between 429s, the transport paces each endpoint
  from its answers' ``X-RateLimit-Remaining``/``-Reset`` so it rarely meets one.
* Epoch resets and Retry-After dates count from the answer's ``Date`` header, the server's
  clock, so a local clock that is off does not change the waits; without a ``Date``, from the
  local clock.
* 500/502/503/504 and connection failures: at most ``max_retries`` retries,
  waiting exponentially longer with jitter, each wait at most ``max_retry_wait``.
* All waiting of one request together is at most ``max_total_wait``; past that
  :class:`TransportGaveUp` says why, how often it retried and how long it waited.
"""

from __future__ import annotations

import ipaddress
import math
import random
import time
import traceback
from http.client import responses as HTTP_REASONS
from typing import Callable, Optional
from urllib.parse import urlsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.auth import AuthBase
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    AuthBase = object
HAS_REQUESTS = REQUESTS_IMPORT_ERROR is None

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import has_control_characters
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import CAUSE_NO_KEY, SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_value, mask_userinfo, quoted
from ansible_collections.mailops.sendgrid.plugins.module_utils._rate_limit import (
    EndpointRateLimiters,
    RateLimiter,
    backoff_delay,
    rate_limit_delay,
)

RETRIED_STATUSES = frozenset((500, 502, 503, 504))
RATE_LIMITED_STATUS = 429
# A 429 always waits at least this long, so that a server asking for no wait cannot spin the client.
MIN_RATE_LIMIT_WAIT = 0.5
USER_AGENT = 'mailops.sendgrid-ansible-collection'

# The upper bounds of the numeric settings, refused past them before any request (documented in
# the doc fragment): each is far beyond what a real run needs, and well below what would hang a
# job for days or exhaust the machine.
MAX_TIMEOUT = 600.0
MAX_RETRIES = 20
MAX_RETRY_WAIT = 3600.0
MAX_TOTAL_WAIT = 86400.0
MAX_POOL_SIZE = 100

# Why a request was given up (TransportGaveUp.reason).
GAVE_UP_RATE_LIMITED = 'rate limited'
GAVE_UP_SERVER_ERROR = 'server error'
GAVE_UP_TIMEOUT = 'timeout'
GAVE_UP_UNREACHABLE = 'unreachable'


# ---------------------------------------------------------------------------
# Checks of the transport's settings: they run before any request is sent.
# ---------------------------------------------------------------------------

def is_loopback_host(host: Optional[str]) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    if host.lower() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(api_url) -> str:
    """An absolute http(s) URL without user information, query or fragment; returned without a trailing slash.

    Plain HTTP is refused to any host but a loopback one: the key must never cross a
    network in clear text.
    """
    if not isinstance(api_url, str) or not api_url.strip():
        raise SendGridConfigError('api_url must be an absolute URL such as https://api.sendgrid.com; got {0}'.format(
            describe_value(api_url)))
    api_url = api_url.strip()
    if '\\' in api_url or has_control_characters(api_url) or any(char.isspace() for char in api_url):
        # URL parsers disagree on such URLs: the host checked here need not be the one requests connects to.
        raise SendGridConfigError('api_url {0} must not contain backslashes, spaces or control characters'.format(
            quoted(api_url)))
    try:
        parts = urlsplit(api_url)
        host = parts.hostname
        parts.port  # pylint: disable=pointless-statement
    except ValueError as exc:
        raise SendGridConfigError('api_url {0} is not a valid URL ({1})'.format(
            quoted(api_url), mask_userinfo(str(exc))))
    if '@' in parts.netloc:
        raise SendGridConfigError(
            'api_url {0} must not contain user information (user@host): the API key is sent in a header,'
            ' not in the URL'.format(quoted(api_url)))
    if parts.scheme not in ('https', 'http') or not host:
        raise SendGridConfigError(
            'api_url must be an absolute http(s) URL such as https://api.sendgrid.com; got {0}'.format(quoted(api_url)))
    if parts.query or parts.fragment:
        raise SendGridConfigError('api_url must not have a query or fragment; got {0}'.format(quoted(api_url)))
    if parts.scheme == 'http' and not is_loopback_host(host):
        raise SendGridConfigError(
            'api_url {0} uses plain http:// to a host that is not loopback: the API key would cross the'
            ' network unencrypted. Use https://, or http:// only to localhost, 127.0.0.1 or ::1 (an emulator'
            ' on this machine).'.format(quoted(api_url)))
    return api_url.rstrip('/')


def check_api_key(api_key) -> None:
    """Check that the key can be sent in a header, without ever putting it into a message."""
    if not api_key:
        raise SendGridConfigError('an API key is required and none was given', cause=CAUSE_NO_KEY)
    if not isinstance(api_key, str) or has_control_characters(api_key) or any(char.isspace() for char in api_key):
        raise SendGridConfigError(
            'api_key contains whitespace or control characters; check that the whole key was copied and'
            ' nothing else (such as a trailing newline)')
    try:
        api_key.encode('latin-1')
    except UnicodeEncodeError:
        raise SendGridConfigError(
            'api_key contains characters that cannot be sent in an HTTP header (SendGrid keys are plain ASCII);'
            ' check that the key was copied whole, without typographic quotes or dashes')


def check_bounded(name: str, value, maximum: float, allow_zero: bool = False) -> None:
    """Refuse a numeric setting that is not a number, not positive, or above ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise SendGridConfigError('{0} must be a number; got {1}'.format(name, describe_value(value)))
    if value < 0 or (value == 0 and not allow_zero) or value > maximum:
        raise SendGridConfigError('{0} must be {1} and at most {2:g}; got {3:g}'.format(
            name, 'zero or more' if allow_zero else 'greater than zero', maximum, value))


# ---------------------------------------------------------------------------
# Describing what happened on the wire.
# ---------------------------------------------------------------------------

def format_status(status: int) -> str:
    """``HTTP 404 Not Found``."""
    reason = HTTP_REASONS.get(status)
    return 'HTTP {0} {1}'.format(status, reason) if reason else 'HTTP {0}'.format(status)


TIMEOUT_REASON = 'no answer within the timeout'


def describe_exception(exc: BaseException) -> str:
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


class TransportGaveUp(Exception):
    """A request kept failing (429, 5xx or no connection) until a retry or wait cap was hit.

    Raised by :meth:`Transport.send` only; the client turns it into a SendGrid error that
    names the account. ``reason`` is one of the ``GAVE_UP_*`` values, ``response`` the last
    answer (None when there was none), ``detail`` what went wrong on the wire.
    """

    def __init__(self, reason: str, response, detail: str, retries: int, waited: float, outcome_unknown: bool):
        super().__init__(detail)
        self.reason = reason
        self.response = response
        self.detail = detail
        self.retries = retries
        self.waited = waited
        self.outcome_unknown = outcome_unknown


class BearerAuth(AuthBase):
    """Bearer authentication. Passing it as ``auth`` also keeps requests from using ~/.netrc."""

    def __init__(self, api_key: str):
        self.api_key = api_key

    def __call__(self, request):
        request.headers['Authorization'] = 'Bearer ' + self.api_key
        return request

    def __repr__(self):
        return 'BearerAuth(<hidden>)'


class Transport:
    """Sends requests to one base URL with waits and retries; shared by any number of threads."""

    def __init__(self, api_key: str, base_url: str, timeout: float = 30, validate_certs: bool = True,
                 max_retries: int = 5, max_retry_wait: float = 60, max_total_wait: float = 300, pool_size: int = 10,
                 session=None, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 rand: Callable[[], float] = random.random):
        if not HAS_REQUESTS:
            raise SendGridConfigError('the Python library requests is required')
        check_api_key(api_key)
        check_bounded('timeout', timeout, MAX_TIMEOUT)
        check_bounded('max_retries', max_retries, MAX_RETRIES, allow_zero=True)
        check_bounded('max_retry_wait', max_retry_wait, MAX_RETRY_WAIT)
        check_bounded('max_total_wait', max_total_wait, MAX_TOTAL_WAIT, allow_zero=True)
        check_bounded('pool_size', pool_size, MAX_POOL_SIZE)
        self.base_url = base_url
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.max_retries = int(max_retries)
        self.max_retry_wait = float(max_retry_wait)
        self.max_total_wait = float(max_total_wait)
        self.sleep = sleep
        self.clock = clock
        self.rand = rand
        # One rate limiter per endpoint, shared by every worker of this transport.
        self.rate_limiters = EndpointRateLimiters(clock)
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

    def close(self) -> None:
        self._session.close()

    def redact(self, text: Optional[str]) -> Optional[str]:
        """Hide the API key in text that came from elsewhere (an error body could echo it)."""
        return text.replace(self._auth.api_key, '<api_key>') if text else text

    def send(self, method: str, path: str, headers=None, params=None, body=None):
        """Send one request; return the first answer that is not retried (2xx, 3xx, 4xx but 429).

        Raises TransportGaveUp when the retries or the waiting budget run out.
        """
        limiter = self.rate_limiters.for_request(method, path)
        tries = _RequestTries(self, limiter)
        while True:
            tries.wait_for_turn()
            try:
                # Redirects are never followed, so the key goes to no other host.
                response = self._session.request(
                    method, self.base_url + path, params=params, json=body, headers=headers or {}, auth=self._auth,
                    timeout=self.timeout, verify=self.validate_certs, allow_redirects=False)
            except requests.exceptions.RequestException as exc:
                limiter.record_answer(None)
                tries.retry_after_failure(None, describe_exception(exc))
                continue
            limiter.record_answer(response.headers)
            if response.status_code == RATE_LIMITED_STATUS:
                tries.retry_after_rate_limit(response)
            elif response.status_code in RETRIED_STATUSES:
                tries.retry_after_failure(response, format_status(response.status_code))
            else:
                return response


class _RequestTries:
    """Every try of one request: how often it was retried, how long it waited, and when to give up.

    ``limiter`` is the rate limiter of the request's endpoint.
    """

    def __init__(self, transport: Transport, limiter: RateLimiter):
        self.transport = transport
        self.limiter = limiter
        self.failures_retried = 0  # retries after 5xx or connection failures, bounded by max_retries
        self.retries = 0           # all retries made, 429s included
        self.waited = 0.0
        # Whether a try ended so that the server may have acted on it (a 5xx, a lost connection,
        # a timeout): then even a later, clear refusal does not prove that nothing happened.
        self.outcome_unknown = False

    def _wait(self, seconds):
        seconds = min(seconds, self.transport.max_retry_wait)
        self.transport.sleep(seconds)
        self.waited += seconds

    def _budget_left(self):
        return self.transport.max_total_wait - self.waited

    def _give_up(self, reason, response, detail):
        raise TransportGaveUp(reason, response, detail, self.retries, self.waited, self.outcome_unknown)

    def wait_for_turn(self):
        """Wait while the endpoint's limiter holds requests back (after a 429, or out of quota)."""
        while True:
            delay = self.limiter.delay_before_request()
            if delay <= 0:
                return
            if delay > self._budget_left():
                self._give_up(GAVE_UP_RATE_LIMITED, None,
                              'held back by the rate limit for {0:.1f} s more'.format(delay))
            self._wait(delay)

    def retry_after_rate_limit(self, response):
        """A 429: pause every worker of the endpoint for as long as the server asks (at least MIN_RATE_LIMIT_WAIT)."""
        delay = rate_limit_delay(response.headers, self.transport.clock())
        delay = max(min(delay, self.transport.max_retry_wait), MIN_RATE_LIMIT_WAIT)
        if delay > self._budget_left():
            self._give_up(GAVE_UP_RATE_LIMITED, response, 'rate limited (HTTP 429)')
        self.retries += 1
        self.limiter.pause(delay)

    def retry_after_failure(self, response, detail):
        """A 5xx or a failed connection: back off exponentially, at most max_retries times."""
        self.outcome_unknown = True
        if response is not None:
            reason = GAVE_UP_SERVER_ERROR
        else:
            reason = GAVE_UP_TIMEOUT if detail == TIMEOUT_REASON else GAVE_UP_UNREACHABLE
        if self.failures_retried >= self.transport.max_retries:
            self._give_up(reason, response, detail)
        delay = backoff_delay(self.failures_retried + 1, self.transport.max_retry_wait, self.transport.rand)
        if delay > self._budget_left():
            self._give_up(reason, response, detail)
        self.failures_retried += 1
        self.retries += 1
        self._wait(delay)
