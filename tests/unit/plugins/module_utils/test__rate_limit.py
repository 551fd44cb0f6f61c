# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rate-limit headers, backoff and the shared rate limiter (_rate_limit.py)."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest
import requests

from ansible_collections.mailops.sendgrid.plugins.module_utils import _rate_limit
from ansible_collections.mailops.sendgrid.plugins.module_utils._rate_limit import (
    RateLimiter,
    backoff_delay,
    parse_rate_limit_reset,
    parse_retry_after,
    rate_limit_delay,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import START


# ---------------------------------------------------------------------------
# Rate-limit headers and backoff
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (str(int(START) + 30), 30.25),  # epoch: seconds until then, plus a margin
    (int(START) + 30, 30.25),
    (str(START + 2.5), 2.75),
    (str(int(START) - 100), 0.25),  # an epoch already past
    ('5', 5.0),  # seconds from now
    ('0', 0.0),
    (12.5, 12.5),
    ('-3', 0.0),
])
def test_parse_rate_limit_reset(value, expected):
    assert parse_rate_limit_reset(value, START) == pytest.approx(expected)


@pytest.mark.parametrize('value', [None, '', 'soon', 'nan', '12s', [1]])
def test_parse_rate_limit_reset_garbage(value):
    assert parse_rate_limit_reset(value, START) is None


@pytest.mark.parametrize('value, expected', [
    ('120', 120.0),
    ('0', 0.0),
    ('2.5', 2.5),
    ('-5', 0.0),
    (formatdate(START + 90, usegmt=True), 90.0),
    (formatdate(START - 90, usegmt=True), 0.0),
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, START) == pytest.approx(expected)


@pytest.mark.parametrize('value', [None, '', 'soon', 'Tue, 99 Foo 2023 99:99:99 GMT'])
def test_parse_retry_after_garbage(value):
    assert parse_retry_after(value, START) is None


def test_parse_retry_after_nan_is_garbage():
    assert parse_retry_after('nan', START) is None


@pytest.mark.parametrize('headers, expected', [
    ({'Retry-After': '7', 'X-RateLimit-Reset': str(int(START) + 30)}, 7.0),
    ({'retry-after': '3'}, 3.0),
    ({'X-RateLimit-Reset': str(int(START) + 30)}, 30.25),
    ({'x-ratelimit-reset': '12'}, 12.0),
    ({'Retry-After': 'soon', 'X-RateLimit-Reset': '12'}, 12.0),
    ({'Retry-After': 'soon', 'X-RateLimit-Reset': 'later'}, 1.0),
    ({}, 1.0),
    ({'X-RateLimit-Remaining': '0'}, 1.0),
])
def test_rate_limit_delay_precedence(headers, expected):
    assert rate_limit_delay(requests.structures.CaseInsensitiveDict(headers), START) == pytest.approx(expected)


@pytest.mark.parametrize('retry, rand_value, expected', [
    (1, 0.0, 0.25),
    (1, 0.5, 0.375),
    (1, 1.0, 0.5),
    (2, 0.0, 0.5),
    (2, 1.0, 1.0),
    (3, 0.5, 1.5),
    (4, 0.0, 2.0),
    (5, 1.0, 8.0),
])
def test_backoff_delay_is_exponential(retry, rand_value, expected):
    assert backoff_delay(retry, 60, rand=lambda: rand_value) == pytest.approx(expected)


@pytest.mark.parametrize('retry, max_wait, low, high', [
    (8, 10, 5.0, 10.0),  # 0.5 * 2**7 = 64, capped to 10
    (30, 60, 30.0, 60.0),
    (1, 0.2, 0.1, 0.2),
])
def test_backoff_delay_is_capped(retry, max_wait, low, high):
    assert backoff_delay(retry, max_wait, rand=lambda: 0.0) == pytest.approx(low)
    assert backoff_delay(retry, max_wait, rand=lambda: 1.0) == pytest.approx(high)


def test_backoff_delay_jitter_bounds():
    rng = random.Random(1234)
    for retry in range(1, 12):
        ceiling = min(20, 0.5 * 2 ** (retry - 1))
        delays = [backoff_delay(retry, 20, rand=rng.random) for dummy in range(200)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        # Jitter: the delays are not all the same.
        assert len(set(delays)) > 100


# ---------------------------------------------------------------------------
# RateLimiter
# ---------------------------------------------------------------------------

def headers(remaining, reset):
    return requests.structures.CaseInsensitiveDict({'X-RateLimit-Remaining': str(remaining),
                                                    'X-RateLimit-Reset': str(reset)})


def test_rate_limiter_lets_requests_go_without_information(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert [limiter.delay_before_request() for dummy in range(5)] == [0.0] * 5
    limiter.record_answer(None)
    limiter.record_answer(requests.structures.CaseInsensitiveDict())
    limiter.record_answer(headers('lots', 10))
    limiter.record_answer(headers(0, 'later'))
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_paces_by_remaining_minus_in_flight(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0  # request 1 in flight
    limiter.record_answer(headers(2, 10))  # window: 2 left, resets in 10 s
    assert limiter.delay_before_request() == 0.0  # request 2
    assert limiter.delay_before_request() == 0.0  # request 3: 2 in flight use up the 2 left
    # Held back by requests in flight: look again soon, their answers may leave quota.
    assert limiter.delay_before_request() == pytest.approx(_rate_limit.PACING_RECHECK)
    assert limiter.delay_before_request() == pytest.approx(_rate_limit.PACING_RECHECK)  # blocked callers reserve nothing
    fake_time.sleep(4)
    limiter.record_answer(headers(1, 6))  # request 2 answered, same window: 1 left, 1 in flight
    assert limiter.delay_before_request() == pytest.approx(_rate_limit.PACING_RECHECK)
    limiter.record_answer(headers(0, 6))  # request 3 answered: the quota is gone
    assert limiter.delay_before_request() == pytest.approx(6.0)  # so wait for the reset
    fake_time.sleep(6)  # the window has reset
    assert limiter.delay_before_request() == 0.0
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_lets_a_request_go_when_answers_leave_quota(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(5, 10))
    for dummy in range(5):
        assert limiter.delay_before_request() == 0.0  # 5 in flight, 5 left
    assert limiter.delay_before_request() == pytest.approx(_rate_limit.PACING_RECHECK)
    # One request in flight was not counted by the server: its answer still shows 5 left.
    limiter.record_answer(headers(5, 10))
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_out_of_order_answers_keep_the_lowest_count(fake_time):
    limiter = RateLimiter(fake_time.clock)
    for dummy in range(3):
        assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(0, 10))
    limiter.record_answer(headers(5, 10))  # an older answer of the same window arrives late
    limiter.record_answer(headers(4, 10.5))
    assert limiter.delay_before_request() == pytest.approx(10.0)


def test_rate_limiter_new_window_replaces_counts(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(0, 10))
    assert limiter.delay_before_request() == pytest.approx(10.0)
    limiter.record_answer(headers(100, 60))  # a later reset: a new window with a fresh count
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_epoch_reset(fake_time):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0
    limiter.record_answer(headers(0, int(START) + 20))
    assert limiter.delay_before_request() == pytest.approx(20.25)


def test_rate_limiter_pause_applies_to_all_callers(fake_time):
    limiter = RateLimiter(fake_time.clock)
    limiter.pause(5)
    # Every caller is held back, and none reserves a slot while paused.
    assert [limiter.delay_before_request() for dummy in range(3)] == [pytest.approx(5.0)] * 3
    limiter.pause(2)  # a shorter pause does not shorten the current one
    assert limiter.delay_before_request() == pytest.approx(5.0)
    fake_time.sleep(3)
    assert limiter.delay_before_request() == pytest.approx(2.0)
    fake_time.sleep(2)
    assert limiter.delay_before_request() == 0.0


def test_rate_limiter_pause_extends(fake_time):
    limiter = RateLimiter(fake_time.clock)
    limiter.pause(5)
    fake_time.sleep(1)
    limiter.pause(10)
    assert limiter.delay_before_request() == pytest.approx(10.0)
