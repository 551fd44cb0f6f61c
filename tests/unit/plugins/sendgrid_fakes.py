# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test doubles shared by the unit tests: a fake requests session, responses and time.

Nothing here touches the network or really sleeps.
"""

from __future__ import annotations

import json
import threading

from requests.structures import CaseInsensitiveDict

# A key that is easy to spot in any text it leaks into.
API_KEY = 'SG.unit-test-key.Very-Secret-9f3c'
# Fake wall-clock start: above _rate_limit.EPOCH_THRESHOLD, so epoch rate-limit resets are recognised.
START = 1700000000.0
# A fake session refuses more calls than this, so a retry loop that never ends fails the test.
MAX_CALLS = 500


class FakeResponse:
    """Just enough of requests.Response for the client."""

    def __init__(self, status_code=200, body=None, text=None, headers=None):
        if text is None:
            text = '' if body is None else json.dumps(body)
        self.status_code = status_code
        self.text = text
        self.content = text.encode('utf-8')
        self.headers = CaseInsensitiveDict(headers or {})

    def json(self):
        return json.loads(self.text)


class TooManyCalls(AssertionError):
    """The code under test kept sending requests: a loop that would never end."""


class FakeSession:
    """Answers requests from a script; records every call.

    ``answers`` items are FakeResponse objects, exceptions (raised), or callables
    ``(method, url, kwargs) -> FakeResponse``. When the script is used up, ``forever``
    (a callable returning the answer) is used if given; else the call fails the test.
    """

    def __init__(self, answers=(), forever=None, max_calls=MAX_CALLS):
        self.answers = list(answers)
        self.forever = forever
        self.max_calls = max_calls
        self.calls = []
        self.closed = False

    def request(self, method, url, **kwargs):
        self.calls.append(dict(kwargs, method=method, url=url))
        if len(self.calls) > self.max_calls:
            raise TooManyCalls('more than {0} requests sent'.format(self.max_calls))
        if self.answers:
            answer = self.answers.pop(0)
        elif self.forever is not None:
            answer = self.forever()
        else:
            raise AssertionError('unexpected request: {0} {1}'.format(method, url))
        if callable(answer) and not isinstance(answer, FakeResponse):
            answer = answer(method, url, kwargs)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def close(self):
        self.closed = True

    @property
    def methods(self):
        return [call['method'] for call in self.calls]


class FakeTime:
    """A clock that only moves when ``sleep`` is called."""

    def __init__(self, start=START):
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0, 'negative sleep {0!r}'.format(seconds)
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def slept(self):
        return sum(self.sleeps)


def settings(require_tls=False, require_valid_cert=False, version=1.1):
    return {'require_tls': require_tls, 'require_valid_cert': require_valid_cert, 'version': version}


def account_result(account, before, after, differences, check_mode=False, stricter=(), msg=None):
    """One account's entry of the batch's ``results``, as the module returns it (without diff mode)."""
    if msg is None:
        msg = 'already as asked'
        if differences:
            msg = '{0} {1}'.format('would change' if check_mode else 'changed', ', '.join(differences))
    return {'account': account, 'changed': bool(differences), 'failed': False, 'msg': msg, 'before': before,
            'after': after, 'differences': differences, 'stricter': list(stricter)}


def failed_result(account, msg, **facts):
    """The ``results`` entry of an account that failed; ``facts`` are the error's (status, api_messages...)."""
    return dict({'account': account, 'changed': False, 'failed': True, 'msg': msg, 'before': None, 'after': None,
                 'differences': [], 'stricter': []}, **facts)


def subuser(username, region=None, disabled=False, user_id=None, email=None):
    """One entry of GET /v3/subusers as SendGrid sends it (no ``region`` key when region is None)."""
    entry = {'username': username, 'id': user_id, 'email': email or '{0}@example.com'.format(username),
             'disabled': disabled}
    if region is not None:
        entry['region'] = region
    return entry


class FakeSubuserServer:
    """GET /v3/subusers over a fixed list, paged with limit and offset like SendGrid.

    ``username`` keeps the subusers whose name starts with it, regardless of case as
    SendGrid does (case-sensitively with ``case_sensitive``); ``region`` (when
    ``honour_region``) those of that region, entries without one being global.
    ``ignore_offset`` answers the first page whatever the offset; ``max_limit`` caps
    ``limit`` as a server may. Use as ``FakeSession(forever=lambda: server)``.
    """

    def __init__(self, subusers, ignore_offset=False, honour_region=True, case_sensitive=False, max_limit=None):
        self.subusers = list(subusers)
        self.ignore_offset = ignore_offset
        self.honour_region = honour_region
        self.case_sensitive = case_sensitive
        self.max_limit = max_limit

    def _starts_with(self, name, prefix):
        if self.case_sensitive:
            return name.startswith(prefix)
        return name.casefold().startswith(prefix.casefold())

    def __call__(self, method, url, kwargs):
        if method != 'GET' or not url.endswith('/v3/subusers'):
            raise AssertionError('unexpected request: {0} {1}'.format(method, url))
        params = kwargs['params']
        found = self.subusers
        if 'username' in params:
            found = [entry for entry in found if self._starts_with(entry['username'], params['username'])]
        if 'region' in params and self.honour_region:
            found = [entry for entry in found if entry.get('region', 'global') == params['region']]
        offset = 0 if self.ignore_offset else params['offset']
        limit = min(params['limit'], self.max_limit or params['limit'])
        return FakeResponse(200, found[offset:offset + limit])


# The enforced TLS endpoint on the global API, and how messages name each kind of account.
ENFORCED_TLS_URL = 'https://api.sendgrid.com/v3/user/settings/enforced_tls'
ACCOUNTS = [
    (None, 'the parent account'),
    ('x', "subuser 'x'"),
    ('account-id 42', "customer account '42'"),
]


def assert_no_key(error):
    """The API key must not be in anything an exception shows."""
    for text in (str(error), repr(error), getattr(error, 'message', ''), repr(getattr(error, 'api_messages', ''))):
        assert API_KEY not in text
        assert API_KEY[3:] not in text


# The blocks list on the global API, and the reason SendGrid documents for a message Enforced TLS dropped.
BLOCKS_URL = 'https://api.sendgrid.com/v3/suppression/blocks'
TLS_REASON = 'TLS required but not supported'


def block(email, reason=TLS_REASON, created=START, status='4.0.0'):
    """One entry of GET /v3/suppression/blocks as SendGrid sends it."""
    return {'created': int(created), 'email': email, 'reason': reason, 'status': status}


class FakeBlocksServer:
    """GET /v3/suppression/blocks over fixed lists, one per account, paged with limit and offset like SendGrid.

    ``blocks`` maps account names (the On-Behalf-Of value, None for the parent) to their entries;
    ``start_time`` and ``end_time`` keep the entries created from/until them (inclusive). ``errors`` maps
    account names to the FakeResponse answered instead; an account in neither gets a 404. Every request is
    recorded in ``requests`` as ``(account, params)``; safe to use from many threads. Use as
    ``FakeSession(forever=lambda: server)``.
    """

    def __init__(self, blocks, errors=None):
        self.blocks = dict((name, list(entries)) for name, entries in blocks.items())
        self.errors = dict(errors or {})
        self.requests = []
        self._lock = threading.Lock()

    def __call__(self, method, url, kwargs):
        if method != 'GET' or not url.endswith('/v3/suppression/blocks'):
            raise AssertionError('unexpected request: {0} {1}'.format(method, url))
        account = (kwargs.get('headers') or {}).get('On-Behalf-Of')
        params = kwargs['params']
        with self._lock:
            self.requests.append((account, dict(params)))
        if account in self.errors:
            return self.errors[account]
        if account not in self.blocks:
            return FakeResponse(404, {'errors': [{'message': 'unknown account'}]})
        start, end = params.get('start_time'), params.get('end_time')
        found = [entry for entry in self.blocks[account]
                 if (start is None or entry['created'] >= start) and (end is None or entry['created'] <= end)]
        offset = params['offset']
        return FakeResponse(200, found[offset:offset + params['limit']])

    def params_for(self, account):
        """The params of the requests sent for ``account``, in order."""
        with self._lock:
            return [params for name, params in self.requests if name == account]
