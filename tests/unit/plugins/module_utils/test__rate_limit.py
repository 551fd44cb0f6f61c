# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rate-limit headers, backoff and the shared rate limiter (_rate_limit.py)."""

from __future__ import annotations

import random
import threading
from email.utils import formatdate

import pytest
import requests

from ansible_collections.mailops.sendgrid.plugins.module_utils import _rate_limit
from ansible_collections.mailops.sendgrid.plugins.module_utils._rate_limit import (
    EndpointRateLimiters,
    RateLimiter,
    backoff_delay,
    endpoint_key,
    header_value,
    parse_http_date,
    parse_rate_limit_reset,
    parse_retry_after,
    rate_limit_delay,
    server_time,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import START


# An hour: how far the server's clock is off the local one in the clock-skew tests.
HOUR = 3600.0


def http_date(epoch):
    """An IMF-fixdate, as a Date header carries it."""
    return formatdate(epoch, usegmt=True)


# ---------------------------------------------------------------------------
# Header names, HTTP dates and the server's clock
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('headers', [
    {'X-RateLimit-Reset': '12'},
    {'X-Ratelimit-Reset': '12'},  # as real answers spell it
    {'x-ratelimit-reset': '12'},
    {'X-RATELIMIT-RESET': '12'},
    requests.structures.CaseInsensitiveDict({'X-Ratelimit-Reset': '12'}),
])
def test_header_value_ignores_the_case_of_names_also_in_plain_dicts(headers):
    assert header_value(headers, 'X-RateLimit-Reset') == '12'


@pytest.mark.parametrize('headers', [None, {}, {'X-RateLimit-Remaining': '3'}, {1: 'x'}])
def test_header_value_absent(headers):
    assert header_value(headers, 'X-RateLimit-Reset') is None


@pytest.mark.parametrize('value', [
    'Tue, 14 Nov 2023 22:13:20 GMT',       # IMF-fixdate
    'Tuesday, 14-Nov-23 22:13:20 GMT',     # obsolete RFC 850 form
    'Tue Nov 14 22:13:20 2023',            # obsolete asctime form: GMT, though it says no zone
    'Tue, 14 Nov 2023 22:13:20 -0000',
])
def test_parse_http_date(value):
    assert parse_http_date(value) == START


@pytest.mark.parametrize('value', [None, '', 'soon', 'Tue, 99 Foo 2023 99:99:99 GMT', 1700000000, START,
                                   'Tue, 14 Nov 99999 22:13:20 GMT', 'Tue, 14 Nov 2023 22:13:20 GMT' + ' ' * 100])
def test_parse_http_date_garbage(value):
    assert parse_http_date(value) is None


@pytest.mark.parametrize('headers, expected', [
    ({'Date': http_date(START + HOUR)}, START + HOUR),
    ({'date': http_date(START - HOUR)}, START - HOUR),
    ({'Date': 'yesterday'}, START),  # unparsable: the local clock
    ({}, START),
    (None, START),
])
def test_server_time_is_the_date_header_else_the_local_clock(headers, expected):
    assert server_time(headers, START) == expected


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


@pytest.mark.parametrize('skew', [HOUR, -HOUR, 0.0, 86400.0 * 365])
def test_rate_limit_delay_counts_the_reset_from_the_servers_date(skew):
    # The server says 2 s: its Date and its reset agree, however far its clock is off ours.
    server_now = START + skew
    for headers in ({'Date': http_date(server_now), 'X-RateLimit-Reset': str(int(server_now) + 2)},
                    {'date': http_date(server_now), 'x-ratelimit-reset': str(int(server_now) + 2)},
                    {'Date': http_date(server_now), 'X-Ratelimit-Reset': str(int(server_now) + 2)}):
        assert rate_limit_delay(headers, START) == pytest.approx(2.25)


@pytest.mark.parametrize('skew, expected', [
    (HOUR, HOUR + 2.25),  # the local clock an hour behind: an hour too long
    (-HOUR, 0.25),        # an hour ahead: no wait at all
])
def test_rate_limit_delay_without_a_date_counts_from_the_local_clock(skew, expected):
    reset = str(int(START + skew) + 2)
    assert rate_limit_delay({'X-RateLimit-Reset': reset}, START) == pytest.approx(expected)
    assert rate_limit_delay({'Date': 'not a date', 'X-RateLimit-Reset': reset}, START) == pytest.approx(expected)


def test_rate_limit_delay_reads_a_retry_after_date_against_the_servers_date():
    headers = {'Date': http_date(START + HOUR), 'Retry-After': http_date(START + HOUR + 30)}
    assert rate_limit_delay(headers, START) == pytest.approx(30.0)


def test_rate_limit_delay_relative_reset_ignores_the_date():
    assert rate_limit_delay({'Date': http_date(START + HOUR), 'X-Ratelimit-Reset': '7'}, START) == pytest.approx(7.0)


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


def test_rate_limiter_counts_the_reset_from_the_servers_date(fake_time):
    for skew in (HOUR, -HOUR):
        limiter = RateLimiter(fake_time.clock)
        server_now = fake_time.now + skew
        assert limiter.delay_before_request() == 0.0
        limiter.record_answer({'Date': http_date(server_now), 'X-Ratelimit-Remaining': '0',
                               'X-Ratelimit-Reset': str(int(server_now) + 2)})
        # Neither an hour nor nothing: the 2 s the server means, plus the margin.
        assert limiter.delay_before_request() == pytest.approx(2.25)
        fake_time.sleep(2.25)
        assert limiter.delay_before_request() == 0.0


def test_rate_limiter_keeps_one_window_when_date_rounding_moves_the_reset(fake_time):
    limiter = RateLimiter(fake_time.clock)
    for dummy in range(2):
        assert limiter.delay_before_request() == 0.0
    reset = str(int(START) + 10)
    # Two answers of one window; the older one, stamped a second earlier by the server, arrives last.
    limiter.record_answer({'Date': http_date(START), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset})
    fake_time.sleep(0.01)
    limiter.record_answer({'Date': http_date(START - 1), 'X-RateLimit-Remaining': '5', 'X-RateLimit-Reset': reset})
    assert limiter.delay_before_request() == pytest.approx(10.24)


@pytest.mark.parametrize('spelling', ['X-RateLimit', 'X-Ratelimit', 'x-ratelimit'])
def test_rate_limiter_reads_every_spelling_of_the_headers_in_plain_dicts(fake_time, spelling):
    limiter = RateLimiter(fake_time.clock)
    assert limiter.delay_before_request() == 0.0
    limiter.record_answer({spelling + '-Remaining': '0', spelling + '-Reset': '4'})
    assert limiter.delay_before_request() == pytest.approx(4.0)


def test_rate_limiter_pause_extends(fake_time):
    limiter = RateLimiter(fake_time.clock)
    limiter.pause(5)
    fake_time.sleep(1)
    limiter.pause(10)
    assert limiter.delay_before_request() == pytest.approx(10.0)


# ---------------------------------------------------------------------------
# One rate limiter per endpoint
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('method, path, expected', [
    ('GET', '/v3/subusers', 'GET /v3/subusers'),
    ('get', '/v3/subusers?limit=500', 'GET /v3/subusers'),
    ('PATCH', '/v3/user/settings/enforced_tls', 'PATCH /v3/user/settings/enforced_tls'),
])
def test_endpoint_key_is_method_and_path(method, path, expected):
    assert endpoint_key(method, path) == expected


def test_endpoint_rate_limiters_one_per_endpoint(fake_time):
    limiters = EndpointRateLimiters(fake_time.clock)
    subusers = limiters.for_request('GET', '/v3/subusers')
    read = limiters.for_request('GET', '/v3/user/settings/enforced_tls')
    update = limiters.for_request('PATCH', '/v3/user/settings/enforced_tls')
    assert len({id(subusers), id(read), id(update)}) == 3
    assert limiters.for_request('get', '/v3/subusers') is subusers
    assert limiters.endpoints() == ['GET /v3/subusers', 'GET /v3/user/settings/enforced_tls',
                                    'PATCH /v3/user/settings/enforced_tls']


def test_endpoint_rate_limiters_quota_and_pause_stay_with_their_endpoint(fake_time):
    limiters = EndpointRateLimiters(fake_time.clock)
    subusers = limiters.for_request('GET', '/v3/subusers')
    read = limiters.for_request('GET', '/v3/user/settings/enforced_tls')
    update = limiters.for_request('PATCH', '/v3/user/settings/enforced_tls')
    assert subusers.delay_before_request() == 0.0
    subusers.record_answer(headers(0, 30))  # the listing's quota is gone for 30 s
    update.pause(10)  # an update was answered 429
    assert subusers.delay_before_request() == pytest.approx(30.0)
    assert update.delay_before_request() == pytest.approx(10.0)
    assert read.delay_before_request() == 0.0  # the reads go on


def test_endpoint_rate_limiters_give_all_threads_the_same_limiter(fake_time):
    limiters = EndpointRateLimiters(fake_time.clock)
    found = []
    start = threading.Barrier(8)

    def worker():
        start.wait()
        found.append(limiters.for_request('GET', '/v3/user/settings/enforced_tls'))

    threads = [threading.Thread(target=worker) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8
    assert all(limiter is found[0] for limiter in found)
