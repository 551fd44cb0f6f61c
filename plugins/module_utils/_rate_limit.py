# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""How long to wait: SendGrid's rate-limit headers, exponential backoff, and the
rate limiters that all workers of one client share, one per endpoint.

Pure arithmetic on headers and clocks; the transport (``_http.py``) does the waiting.

Two things SendGrid documents shape this file (its "Rate Limits" page of the v3 API reference):
``X-RateLimit-Reset`` is a Unix time, on SendGrid's clock, and each endpoint has its own
limit and refresh period. So a reset is counted from the answer's ``Date`` header (SendGrid's
clock when it answered) rather than from the local clock, which may be off by any amount, and
each endpoint (method and path) is paced on its own. Header names are matched whatever their
case: real answers spell them ``X-Ratelimit-*``.
"""

from __future__ import annotations

import math
import random
import threading
import time
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Dict, Mapping, Optional

BACKOFF_BASE = 0.5
# X-RateLimit-Reset values above this are epoch seconds, below it seconds from now.
EPOCH_THRESHOLD = 1e9
# Added to a server-given reset so that a whole-second epoch has surely passed.
RESET_MARGIN = 0.25
DEFAULT_RATE_LIMIT_WAIT = 1.0
# How soon a worker held back by requests in flight looks at the quota again.
PACING_RECHECK = 0.05
# Two answers whose resets lie this close together belong to one window. A reset counted from
# a Date header (whole seconds) varies by up to a second from answer to answer.
SAME_WINDOW_TOLERANCE = 2.0
# HTTP-dates are 29 characters (IMF-fixdate); anything much longer is no date.
MAX_HTTP_DATE_LENGTH = 64


def header_value(headers: Optional[Mapping], name: str):
    """The value of header ``name`` whatever the case of its name (``X-Ratelimit-Reset`` is
    ``X-RateLimit-Reset``); None when absent. Works on plain dicts as on requests' headers."""
    if not headers:
        return None
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value
    return None


def parse_http_date(value) -> Optional[float]:
    """Epoch seconds of an HTTP-date (RFC 7231: IMF-fixdate, or the obsolete RFC 850 and asctime
    forms, which are GMT too); None when it is not one."""
    if not isinstance(value, str) or len(value) > MAX_HTTP_DATE_LENGTH:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        # asctime dates and "-0000" carry no zone; HTTP-dates are always GMT.
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.timestamp()
    except (ValueError, OverflowError):
        return None


def server_time(headers: Optional[Mapping], local_now: float) -> float:
    """The server's clock when it answered: its ``Date`` header, or the local clock when the
    answer has none that parses."""
    date = parse_http_date(header_value(headers, 'Date'))
    return local_now if date is None else date


def parse_rate_limit_reset(value, now: float) -> Optional[float]:
    """Seconds until ``X-RateLimit-Reset``, accepting epoch seconds or seconds from now.

    ``now`` is the clock the epoch is read against: the server's (``server_time``).
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    if number > EPOCH_THRESHOLD:
        return max(number - now, 0.0) + RESET_MARGIN
    return max(number, 0.0)


def parse_retry_after(value, now: float) -> Optional[float]:
    """Seconds asked for by ``Retry-After``: a number of seconds or an HTTP date."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    date = parse_http_date(value)
    return None if date is None else max(date - now, 0.0)


def rate_limit_delay(headers: Mapping, now: float) -> float:
    """How long a 429 asks to wait: Retry-After, else X-RateLimit-Reset, else one second.

    ``now`` is the local clock; dates and Unix times in the headers are read against the
    answer's ``Date`` when it has one.
    """
    server_now = server_time(headers, now)
    for delay in (parse_retry_after(header_value(headers, 'Retry-After'), server_now),
                  parse_rate_limit_reset(header_value(headers, 'X-RateLimit-Reset'), server_now)):
        if delay is not None:
            return delay
    return DEFAULT_RATE_LIMIT_WAIT


def backoff_delay(retry: int, max_wait: float, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter for the n-th retry (1-based), at most ``max_wait``."""
    ceiling = min(max_wait, BACKOFF_BASE * (2 ** (retry - 1)))
    return ceiling * (0.5 + rand() / 2)


class RateLimiter:
    """Paces the requests of one endpoint from SendGrid's rate-limit headers; a 429 pauses
    every worker that calls the endpoint.

    Thread-safe. ``clock`` is wall-clock time (epoch seconds): it is the fallback for answers
    without a ``Date`` header, whose ``X-RateLimit-Reset`` epoch is then read against it.
    Every time kept here is on the local clock.
    """

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._remaining = None
        self._reset_at = None
        self._in_flight = 0

    def delay_before_request(self) -> float:
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

    def record_answer(self, headers: Optional[Mapping] = None) -> None:
        """Release the slot of a finished request and learn from its rate-limit headers."""
        with self._lock:
            self._in_flight = max(self._in_flight - 1, 0)
            if not headers:
                return
            now = self._clock()
            try:
                remaining = int(header_value(headers, 'X-RateLimit-Remaining'))
            except (TypeError, ValueError):
                return
            until_reset = parse_rate_limit_reset(header_value(headers, 'X-RateLimit-Reset'), server_time(headers, now))
            if until_reset is None:
                return
            reset_at = now + until_reset
            if self._reset_at is None or reset_at > self._reset_at + SAME_WINDOW_TOLERANCE:
                # A new window: its counts replace the old ones.
                self._remaining, self._reset_at = remaining, reset_at
            else:
                # Answers of one window arrive out of order: the lowest count is the newest.
                self._remaining = min(self._remaining, remaining)

    def pause(self, seconds: float) -> None:
        """After a 429: no worker sends anything to this endpoint for ``seconds``."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


def endpoint_key(method: str, path: str) -> str:
    """The rate-limit window a request counts against: ``GET /v3/subusers``; method and path, without the query.

    Known (SendGrid's "Rate Limits" page of the v3 API reference): each endpoint allows its own
    number of requests per refresh period, and over it "you can no longer make requests against
    that endpoint" until the reset. SendGrid's 2019 notice of a default limit (for some v2
    endpoints) counts "requests/minute/user", presumably the key's account.
    Assumed: the account acted for (On-Behalf-Of) is not part of the window, since SendGrid does
    not say whether a request for a subuser counts against the parent's window or the
    subuser's. Were it the subuser's, the answers would show each subuser's own count; the
    limiter keeps the lowest count of a window, so it would hold back sooner than needed, not later.
    """
    return '{0} {1}'.format(method.upper(), path.split('?', 1)[0])


class EndpointRateLimiters:
    """One :class:`RateLimiter` per endpoint, made when first needed; shared by all workers.

    Thread-safe. The endpoints are the client's own few paths (no user value), so the
    registry stays small.
    """

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._limiters: Dict[str, RateLimiter] = {}

    def for_request(self, method: str, path: str) -> RateLimiter:
        """The limiter of the endpoint ``method`` ``path``, the same object for every caller."""
        key = endpoint_key(method, path)
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                limiter = self._limiters[key] = RateLimiter(self._clock)
            return limiter

    def endpoints(self) -> list:
        """The endpoints paced so far, sorted."""
        with self._lock:
            return sorted(self._limiters)
