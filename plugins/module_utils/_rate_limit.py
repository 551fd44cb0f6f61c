# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""How long to wait: SendGrid's rate-limit headers, exponential backoff, and the
rate limiter that all workers of one client share.

Pure arithmetic on headers and clocks; the transport (``_http.py``) does the waiting.
"""

from __future__ import annotations

import math
import random
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping, Optional

BACKOFF_BASE = 0.5
# X-RateLimit-Reset values above this are epoch seconds, below it seconds from now.
EPOCH_THRESHOLD = 1e9
# Added to a server-given reset so that a whole-second epoch has surely passed.
RESET_MARGIN = 0.25
DEFAULT_RATE_LIMIT_WAIT = 1.0
# How soon a worker held back by requests in flight looks at the quota again.
PACING_RECHECK = 0.05


def parse_rate_limit_reset(value, now: float) -> Optional[float]:
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
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def rate_limit_delay(headers: Mapping, now: float) -> float:
    """How long a 429 asks to wait: Retry-After, else X-RateLimit-Reset, else one second."""
    for delay in (parse_retry_after(headers.get('Retry-After'), now),
                  parse_rate_limit_reset(headers.get('X-RateLimit-Reset'), now)):
        if delay is not None:
            return delay
    return DEFAULT_RATE_LIMIT_WAIT


def backoff_delay(retry: int, max_wait: float, rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff with jitter for the n-th retry (1-based), at most ``max_wait``."""
    ceiling = min(max_wait, BACKOFF_BASE * (2 ** (retry - 1)))
    return ceiling * (0.5 + rand() / 2)


class RateLimiter:
    """Paces requests from SendGrid's rate-limit headers; a 429 pauses every worker.

    Thread-safe. ``clock`` is wall-clock time (epoch seconds), because
    ``X-RateLimit-Reset`` may be an epoch.
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

    def pause(self, seconds: float) -> None:
        """After a 429: no worker sends anything for ``seconds``."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
