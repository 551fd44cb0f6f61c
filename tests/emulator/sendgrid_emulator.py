# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stateful emulator of the parts of the SendGrid v3 API this collection uses.

Start it with one command (standard library only, Python 3.9 or newer)::

    python tests/emulator/sendgrid_emulator.py --port 3030 --subusers 20

then point the modules at it with ``api_url: http://127.0.0.1:3030`` (or
``SENDGRID_API_URL``) and one of its keys (by default ``SG.emulator-full-access``).
``--help`` lists every option.

The API it serves (HTTP/1.1 with keep-alive, on 127.0.0.1 only):

* ``GET``/``PATCH /v3/user/settings/enforced_tls``: Bearer auth against the
  configured keys and their scopes (``user.settings.enforced_tls.read`` /
  ``.update``), ``On-Behalf-Of`` for known subusers and customer accounts
  (``account-id <id>``), one setting per account, body validation answered with
  SendGrid-shaped 400 errors (``{"errors": [{"field": ..., "message": ..., "help": ...}]}``,
  each naming its field).
* ``GET /v3/subusers``: a bare JSON array; ``limit``, ``offset``, ``username``,
  ``region`` (all, global, eu) and ``include_region``; scope ``subusers.read``.
* ``GET /v3/suppression/blocks``: an account's blocks list (``On-Behalf-Of`` as above), a bare JSON
  array of ``{"created", "email", "reason", "status"}``, newest first; ``start_time`` and ``end_time``
  (Unix times, inclusive), ``limit`` (1 to 500), ``offset`` and ``email`` (a prefix; ``%`` is a
  wildcard); scope ``suppression.blocks.read``. An account can have recipients at domains without
  TLS (``tls_less_domains`` in ``--config`` or ``PATCH /_emulator/state``: a domain and how many
  recipients it has): when an update turns its ``require_tls`` on, a block for each of them appears,
  dated at the update, with the reason of the fault ``tls_block_reason`` (by default "TLS required
  but not supported", the description SendGrid's documentation gives the block event; what the list
  entry says is not documented). Other entries come from ``blocks`` in the config.
* The request's types are the official specs' (``tsg_enforced_tls_v3.yaml``,
  ``tsg_subusers_v3.yaml``, ``tsg_suppressions_v3.yaml``): ``version`` is a JSON number, the
  booleans are booleans, integer query parameters are integers within their bounds, and a query
  parameter a spec does not name is refused with a 400 naming it, so that a request that passes here
  is one SendGrid takes.
* Every error answer but the 429 (whose body SendGrid documents without one) carries SendGrid's
  error ``id`` (``{"errors": [...], "id": ...}``, the id SendGrid support asks for): a random hex
  id per answer, also in the request log
  (``error_id``); ``--no-error-ids`` (fault ``error_ids``) leaves it out. ``help`` is given
  where natural (a link to the documentation, for the 400s of the settings and the 403 of an
  unknown On-Behalf-Of account) and left out elsewhere.
* ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` on every API answer (spelt
  ``X-Ratelimit-*``, as real answers are, with ``--rate-limit-headers X-Ratelimit``); over
  the limit, HTTP 429 with the body SendGrid documents, byte for byte:
  ``{"errors":[{"field":null,"message":"too many requests"}]}``. One window per key and
  endpoint (method and path), as SendGrid documents; ``--rate-limit-scope key`` counts all
  endpoints in one window instead (faults ``rate_limit_headers``, ``rate_limit_scope``).
* A ``Date`` header on every answer. ``--clock-skew-seconds N`` (fault
  ``clock_skew_seconds``) sets the emulator's clock N seconds off the machine's, in ``Date``
  and in ``X-RateLimit-Reset`` alike (not in the request log's ``time``), to show that
  clients wait by the server's clock.

Its own control API, under ``/_emulator/`` (no auth, never logged or rate limited):

* ``GET /_emulator/log``: the request log (method, path, query, on-behalf-of,
  status, fault, error_id), counts by method and path and by account, and ``peak_in_flight``, the most
  API requests it was answering at once (how many workers really ran); ``DELETE`` clears it.
  With ``--request-log FILE``, each entry is also appended to FILE as a JSON line as
  it is answered, so the log survives the emulator being stopped mid-run.
* ``GET /_emulator/state``: every account's setting; ``PATCH`` sets some
  (``{"parent": {...}, "subusers": {"name": {...}}}``), and, by account name (``(parent)`` for the
  parent), its ``tls_less_domains`` (``{"tls_less_domains": {"name": {"domain.example": 2}}}``) and
  its blocks list (``{"blocks": {"name": [{"created", "email", "reason", "status"}]}}``).
* ``GET /_emulator/blocks``: every account's blocks list, by account name.
* ``GET``/``PATCH /_emulator/faults``: fault injection (see ``DEFAULT_FAULTS``);
  ``fail_next`` queues one-shot faults, e.g. ``[{"status": 429, "retry_after": 1}]``.
  ``stop_at`` (or ``--stop-at PATCH:acct-05``) names the request the emulator stops at, e.g.
  ``{"method": "PATCH", "account": "acct-05"}`` (either key may be left out; ``(parent)`` is the
  parent account): when it arrives, the emulator logs it with status null and fault ``stop``
  (flushed to the request log file), does not apply or answer it, stops listening (later connections
  are refused), closes that connection and exits with status 0. Nothing is applied or logged after
  it: its entry is the last of the log. Requests other threads are answering then are cut off: one
  already logged was applied and its answer may or may not get out; one not logged gets no answer
  (a PATCH among them may have changed the state, which ends with the process).
  ``unanswered_accounts`` lists accounts whose API requests get no answer: each is logged with
  status null and fault ``unanswered``, and its connection stays open until the client closes it or
  the emulator stops.
* ``POST /_emulator/reset``: the state, faults and log as at start.
* ``POST /_emulator/shutdown``: stop.

What SendGrid's API is known to do, what is unknown, and which option of this emulator gives
each behaviour the collection must cope with: ``docs/api-behaviour.md``, one table for all (the
collection's code and tests follow it). The faults are documented in ``DEFAULT_FAULTS`` below and
``--help``. Where nothing is known, the emulator's defaults are: a PATCH changes only the fields
sent and is answered with the whole setting; a status or drop fault strikes before the request is
processed; a subuser marked ``fail_status`` answers every call for it with that status.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import secrets
import socket
import sys
import threading
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ENFORCED_TLS_PATH = '/v3/user/settings/enforced_tls'
SUBUSERS_PATH = '/v3/subusers'
BLOCKS_PATH = '/v3/suppression/blocks'
CONTROL_PREFIX = '/_emulator/'
READ_SCOPE = 'user.settings.enforced_tls.read'
UPDATE_SCOPE = 'user.settings.enforced_tls.update'
SUBUSERS_SCOPE = 'subusers.read'
BLOCKS_SCOPE = 'suppression.blocks.read'
ALL_SCOPES = [READ_SCOPE, UPDATE_SCOPE, SUBUSERS_SCOPE, BLOCKS_SCOPE]
# The query parameters each listing takes, as its official spec names them; others are refused.
SUBUSERS_PARAMETERS = ('username', 'limit', 'offset', 'region', 'include_region')
BLOCKS_PARAMETERS = ('start_time', 'end_time', 'limit', 'offset', 'email')
# GET /v3/suppression/blocks: at most 500 a page (the spec's maximum); the spec leaves the default unsaid.
BLOCKS_MAX_LIMIT = 500
BLOCKS_DEFAULT_LIMIT = 500
# A block entry's status, as the spec's example shows it.
BLOCK_STATUS = '4.0.0'
VERSIONS = ('1.1', '1.2', '1.3')
PARENT = '(parent)'
DEFAULT_KEY = 'SG.emulator-full-access'
DEFAULT_SETTINGS = {'require_tls': False, 'require_valid_cert': False, 'version': 1.1}
# The policy a share of generated subusers already follows (--compliant-share).
BASELINE_SETTINGS = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}
# GET /v3/subusers without limit answers this many; a larger limit is capped at SUBUSERS_MAX_LIMIT
# (the most SendGrid accepts; it refuses 501, other clients page with 500).
SUBUSERS_DEFAULT_LIMIT = 100
SUBUSERS_MAX_LIMIT = 500
# The 429 answer's body, as SendGrid's "Rate Limits" page shows it.
TOO_MANY_REQUESTS_BODY = b'{"errors":[{"field":null,"message":"too many requests"}]}'
RATE_LIMIT_SCOPES = ('endpoint', 'key')
RATE_LIMIT_HEADER_SPELLINGS = ('X-RateLimit', 'X-Ratelimit')
# A clock skew beyond this (ten years) is no test of anything.
MAX_CLOCK_SKEW = 10 * 365 * 86400
# How GET /v3/subusers matches its username filter: as SendGrid does (sendgrid-oai issue 38), or
# case-sensitively (this emulator's behaviour before).
USERNAME_FILTERS = ('prefix_ignore_case', 'prefix')
# SendGrid's "help" for the errors where one is natural: links to its documentation.
SETTINGS_HELP = 'https://www.twilio.com/docs/sendgrid/api-reference/settings-enforced-tls'
ON_BEHALF_OF_HELP = 'https://docs.sendgrid.com/api-reference/how-to-use-the-sendgrid-v3-api/on-behalf-of'

DEFAULT_FAULTS = {
    'latency_ms': 0,            # added to every API answer
    'latency_jitter_ms': 0,     # plus a random 0..jitter
    'error_rate': 0.0,          # share of API requests answered with one of error_statuses
    'error_statuses': [500, 502, 503, 504],
    'drop_rate': 0.0,           # share of API requests whose connection is closed without an answer
    'drop_after_apply': False,  # drop after a PATCH was applied (the update happened, the answer is lost)
    'error_after_apply': False,  # answer a status fault after a PATCH was applied (the update happened, the answer
                                 # is an error: a 500 for an update that was made)
    'malformed_rate': 0.0,      # share answered 200 with a truncated JSON body
    'empty_body_rate': 0.0,     # share answered 200 with an empty body
    'slow_rate': 0.0,           # share whose body arrives slow_ms after the headers
    'slow_ms': 0,
    'omit_version': False,      # leave "version" out of every settings answer
    'patch_answer_omits': [],   # fields left out of every answer to a PATCH (the spec's example answer has no version)
    'read_lag_ms': 0,           # a GET within this many ms after a PATCH of the same account shows the setting from
                                # before that PATCH (read-after-write lag)
    'ignore_patch': False,      # PATCH answers 200 with the old setting, unchanged
    'unknown_subuser_status': 403,  # the answer for an On-Behalf-Of account that is not the key's: 403 or 401
    'subusers_max_limit': SUBUSERS_MAX_LIMIT,  # GET /v3/subusers caps limit at this (a server that caps lower)
    'username_filter': 'prefix_ignore_case',  # GET /v3/subusers?username=: prefix_ignore_case (SendGrid) or prefix
    'error_ids': True,          # error answers carry a random hex "id", as SendGrid's do; false leaves it out
    'rate_limit': 10000,        # requests per window and key; 0 for no limit
    'rate_window': 60.0,        # seconds
    'reset_style': 'epoch',     # X-RateLimit-Reset as Unix time ("epoch") or seconds from now ("relative")
    'rate_limit_scope': 'endpoint',  # one window per key and endpoint ("endpoint") or per key for all ("key")
    'rate_limit_headers': 'X-RateLimit',  # how the rate-limit headers are spelt: "X-RateLimit" or "X-Ratelimit"
    'clock_skew_seconds': 0,    # the emulator's clock this far off the machine's, in Date and X-RateLimit-Reset
    'fail_next': [],            # one-shot faults, in order: {"status", "retry_after", "reset", "location", "drop",
                                # "malformed", "empty", "slow_ms", "method", "account", "after_apply", "skip"};
                                # "after_apply" (for "status" and "drop") overrides error_after_apply /
                                # drop_after_apply; "skip": N lets N matching requests pass first (a read after
                                # an update fails, the read before it does not)
    'stop_at': None,            # the request that ends the emulator, unapplied and unanswered: {"method", "account"}
    'unanswered_accounts': [],  # accounts whose API requests get no answer (the connection is held open)
    'tls_block_reason': 'TLS required but not supported',  # the reason of the blocks an update turning
                                # require_tls on makes at an account's tls_less_domains (not documented)
}
# The keys of a stop_at rule, and of the part of a fail_next fault that says which request it is for.
REQUEST_MATCH_KEYS = ('method', 'account')


class ApiError(Exception):
    """An error answer in SendGrid's shape: ``{"errors": [{"field", "message", "help"}]}`` (the
    answer adds SendGrid's error ``id``, see ``with_error_id``)."""

    def __init__(self, status, message, field=None, headers=None, help_text=None):
        super().__init__(message)
        self.status = status
        error = {'field': field, 'message': message}
        if help_text is not None:
            error['help'] = help_text
        self.body = {'errors': [error]}
        self.headers = headers or {}


def check_fault_values(faults):
    """Refuse values of the rate-limit and clock settings that would break every answer."""
    if faults.get('rate_limit_scope', 'endpoint') not in RATE_LIMIT_SCOPES:
        raise ApiError(400, 'rate_limit_scope must be one of {0}'.format(', '.join(RATE_LIMIT_SCOPES)))
    if faults.get('rate_limit_headers', 'X-RateLimit') not in RATE_LIMIT_HEADER_SPELLINGS:
        raise ApiError(400, 'rate_limit_headers must be one of {0}'.format(', '.join(RATE_LIMIT_HEADER_SPELLINGS)))
    skew = faults.get('clock_skew_seconds', 0)
    if isinstance(skew, bool) or not isinstance(skew, (int, float)) or not abs(skew) <= MAX_CLOCK_SKEW:
        raise ApiError(400, 'clock_skew_seconds must be a number of seconds, at most {0} either way'.format(
            MAX_CLOCK_SKEW))


def endpoint_name(method, path):
    """The rate-limit window of a request: ``GET /v3/subusers``; paths the emulator does not serve share one."""
    if path in (ENFORCED_TLS_PATH, SUBUSERS_PATH, BLOCKS_PATH):
        return '{0} {1}'.format(method, path)
    return 'other'


def request_matches(rule, method, on_behalf_of):
    """Whether a request is the one a rule (stop_at, a fail_next fault) is for: its "method" and
    "account" (``(parent)`` for no On-Behalf-Of), each when the rule gives it."""
    if rule.get('method') not in (None, method):
        return False
    return 'account' not in rule or rule['account'] == (on_behalf_of or PARENT)


def check_stop_at(rule):
    """Refuse a stop_at rule that is not null or an object of REQUEST_MATCH_KEYS with string values."""
    if rule is None:
        return
    if not isinstance(rule, dict) or not all(key in REQUEST_MATCH_KEYS and isinstance(value, str)
                                             for key, value in rule.items()):
        raise ValueError('stop_at must be null or an object with "method" and/or "account" (strings)')


def parse_stop_at(text):
    """``--stop-at PATCH:acct-05`` as the stop_at rule ``{"method": "PATCH", "account": "acct-05"}``;
    either part may be empty (``:acct-05``, ``PATCH``) to match any."""
    method, _sep, account = text.partition(':')
    rule = {}
    if method:
        rule['method'] = method.upper()
    if account:
        rule['account'] = account
    return rule


def new_error_id():
    """A random id for one error answer, as SendGrid gives each (the id its support asks for)."""
    return secrets.token_hex(16)


def with_error_id(body, error_id):
    """An error body with SendGrid's ``id`` (when ``error_id`` is not None)."""
    if error_id is None or not isinstance(body, dict) or 'errors' not in body:
        return body
    return dict(body, id=error_id)


def username_matches(name, username, rule):
    """Whether GET /v3/subusers?username= lists ``name``: it starts with ``username``, regardless
    of case as SendGrid matches (``prefix_ignore_case``), or case-sensitively (``prefix``)."""
    if rule == 'prefix':
        return name.startswith(username)
    return name.casefold().startswith(username.casefold())


def canonical_version(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return '{0:f}'.format(number.normalize())


def make_subuser(index, username, settings, region='global', disabled=False, legacy=False, fail_status=None,
                 blocks=(), tls_less_domains=None):
    return {
        'id': 1000 + index,
        'username': username,
        'email': '{0}@example.test'.format(username),
        'region': region,
        'disabled': disabled,
        'legacy': legacy,
        'fail_status': fail_status,
        'settings': dict(settings),
        'blocks': [check_block(block) for block in blocks],
        'tls_less_domains': check_tls_less_domains(tls_less_domains),
    }


def check_block(block):
    """A blocks list entry as the spec types it: created (integer), email, reason and status (strings)."""
    if (not isinstance(block, dict) or isinstance(block.get('created'), bool) or not isinstance(block.get('created'), int)
            or not all(isinstance(block.get(field), str) for field in ('email', 'reason', 'status'))):
        raise ValueError('a block is an object with created (a Unix time) and email, reason and status (strings);'
                         ' got {0!r}'.format(block))
    return {field: block[field] for field in ('created', 'email', 'reason', 'status')}


def check_tls_less_domains(domains):
    """An account's recipient domains without TLS: a list of domains (one recipient each), or how many
    recipients each has."""
    if domains is None:
        return {}
    if isinstance(domains, list):
        domains = dict.fromkeys(domains, 1)
    if not isinstance(domains, dict) or not all(
            isinstance(domain, str) and domain and isinstance(count, int) and not isinstance(count, bool)
            and count >= 1 for domain, count in domains.items()):
        raise ValueError('tls_less_domains is a list of domains or an object of domain to a number of recipients;'
                         ' got {0!r}'.format(domains))
    return dict(domains)


def build_config(args):
    """The initial state: keys, parent account and subusers, from the command line and --config."""
    config = {'keys': {}, 'parent': {'settings': dict(DEFAULT_SETTINGS), 'legacy': False, 'blocks': [],
                                     'tls_less_domains': {}},
              'subusers': [], 'faults': copy.deepcopy(DEFAULT_FAULTS)}
    rng = random.Random(args.seed)
    for index in range(args.subusers):
        name = '{0}{1:04d}'.format(args.subuser_prefix, index + 1)
        compliant = rng.random() < args.compliant_share
        config['subusers'].append(make_subuser(index, name, BASELINE_SETTINGS if compliant else DEFAULT_SETTINGS))
    if args.config:
        with open(args.config) as handle:
            loaded = json.load(handle)
        for key, scopes in loaded.get('keys', {}).items():
            config['keys'][key] = list(scopes)
        if 'parent' in loaded:
            config['parent']['settings'].update(loaded['parent'].get('settings', {}))
            config['parent']['legacy'] = bool(loaded['parent'].get('legacy', False))
            config['parent']['blocks'] = [check_block(block) for block in loaded['parent'].get('blocks', [])]
            config['parent']['tls_less_domains'] = check_tls_less_domains(loaded['parent'].get('tls_less_domains'))
        offset = len(config['subusers'])
        for index, entry in enumerate(loaded.get('subusers', [])):
            settings = dict(DEFAULT_SETTINGS)
            settings.update(entry.get('settings', {}))
            config['subusers'].append(make_subuser(
                offset + index, entry['username'], settings, entry.get('region', 'global'),
                bool(entry.get('disabled', False)), bool(entry.get('legacy', False)), entry.get('fail_status'),
                entry.get('blocks', ()), entry.get('tls_less_domains')))
        config['faults'].update(loaded.get('faults', {}))
    if args.stop_at is not None:
        config['faults']['stop_at'] = args.stop_at
    check_stop_at(config['faults']['stop_at'])
    for spec in args.key or []:
        key, _sep, scopes = spec.partition(':')
        config['keys'][key] = [scope for scope in scopes.split(',') if scope] if _sep else list(ALL_SCOPES)
    if not config['keys']:
        config['keys'][DEFAULT_KEY] = list(ALL_SCOPES)
    for name in ('latency_ms', 'latency_jitter_ms', 'error_rate', 'drop_rate', 'malformed_rate', 'empty_body_rate',
                 'slow_rate', 'slow_ms', 'rate_limit', 'rate_window', 'reset_style', 'unknown_subuser_status',
                 'rate_limit_scope', 'rate_limit_headers', 'clock_skew_seconds', 'username_filter'):
        value = getattr(args, name, None)
        if value is not None:
            config['faults'][name] = value
    for name in ('omit_version', 'drop_after_apply', 'error_after_apply'):
        if getattr(args, name, False):
            config['faults'][name] = True
    if args.read_lag_ms is not None:
        config['faults']['read_lag_ms'] = args.read_lag_ms
    if args.patch_answer_omits:
        config['faults']['patch_answer_omits'] = list(args.patch_answer_omits)
    if args.no_error_ids:
        config['faults']['error_ids'] = False
    check_fault_values(config['faults'])
    return config


class Emulator:
    """The emulator's state; every method is thread-safe."""

    def __init__(self, config, seed=None, request_log=None):
        self._initial = copy.deepcopy(config)
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        # A file that receives each request as a JSON line as it is answered: it outlives the emulator.
        self._request_log = open(request_log, 'a') if request_log else None  # pylint: disable=consider-using-with
        # API requests being answered now (a reset does not change it).
        self.in_flight = 0
        self._load(config)

    def _load(self, config):
        config = copy.deepcopy(config)
        self.keys = config['keys']
        self.parent = config['parent']
        self.subusers = {entry['username']: entry for entry in config['subusers']}
        self.by_id = {str(entry['id']): entry for entry in config['subusers']}
        self.faults = config['faults']
        self.log = []
        self.windows = {}
        self.peak_in_flight = self.in_flight

    def reset(self):
        with self._lock:
            self._load(self._initial)

    # -- control API ---------------------------------------------------------

    def snapshot(self):
        with self._lock:
            return {
                'parent': dict(self.parent['settings']),
                'subusers': {name: dict(entry['settings']) for name, entry in self.subusers.items()},
            }

    def named_account(self, name):
        """An account by its name in the control API: ``(parent)``, or a known subuser."""
        if name == PARENT:
            return self.parent
        if name not in self.subusers:
            raise ApiError(400, 'no account {0!r}'.format(name))
        return self.subusers[name]

    def blocks_snapshot(self):
        with self._lock:
            accounts = dict({PARENT: self.parent}, **self.subusers)
            return {name: [dict(block) for block in entry['blocks']] for name, entry in accounts.items()}

    def set_state(self, changes):
        with self._lock:
            for name, domains in changes.get('tls_less_domains', {}).items():
                self.named_account(name)['tls_less_domains'] = check_tls_less_domains(domains)
            for name, blocks in changes.get('blocks', {}).items():
                self.named_account(name)['blocks'] = [check_block(block) for block in blocks]
            if 'parent' in changes:
                self.parent['settings'].update(changes['parent'])
                self.parent.pop('lag', None)
            for name, settings in changes.get('subusers', {}).items():
                if name not in self.subusers:
                    entry = make_subuser(len(self.subusers), name, DEFAULT_SETTINGS)
                    self.subusers[name] = entry
                    self.by_id[str(entry['id'])] = entry
                self.subusers[name]['settings'].update(settings)
                self.subusers[name].pop('lag', None)

    def get_faults(self):
        with self._lock:
            return copy.deepcopy(self.faults)

    def set_faults(self, changes):
        with self._lock:
            unknown = sorted(set(changes) - set(DEFAULT_FAULTS))
            if unknown:
                raise ApiError(400, 'unknown fault settings: {0}'.format(', '.join(unknown)))
            check_fault_values(dict(self.faults, **changes))
            check_stop_at(changes.get('stop_at'))
            if changes.get('username_filter', USERNAME_FILTERS[0]) not in USERNAME_FILTERS:
                raise ApiError(400, 'username_filter must be one of {0}'.format(', '.join(USERNAME_FILTERS)))
            self.faults.update(changes)
            return copy.deepcopy(self.faults)

    def log_report(self):
        with self._lock:
            entries = list(self.log)
            peak_in_flight = self.peak_in_flight
        counts = Counter('{0} {1}'.format(entry['method'], entry['path']) for entry in entries)
        by_account = {}
        for entry in entries:
            account = entry['on_behalf_of'] or PARENT
            by_account.setdefault(account, Counter())[entry['method']] += 1
        return {
            'requests': entries,
            'total': len(entries),
            'counts': dict(counts),
            'by_account': {account: dict(counter) for account, counter in by_account.items()},
            'status_counts': dict(Counter(str(entry['status']) for entry in entries)),
            'peak_in_flight': peak_in_flight,
        }

    def clear_log(self):
        with self._lock:
            self.log = []
            self.peak_in_flight = self.in_flight

    def request_started(self):
        """Count an API request being answered; the log reports the most answered at once."""
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def request_finished(self):
        with self._lock:
            self.in_flight -= 1

    def record(self, method, path, query, on_behalf_of, status, fault, error_id=None):
        with self._lock:
            self._append_to_log(method, path, query, on_behalf_of, status, fault, error_id)

    def _append_to_log(self, method, path, query, on_behalf_of, status, fault, error_id=None):
        """Log a request, and write it to the request log file (flushed); the caller holds the lock."""
        entry = {'seq': len(self.log) + 1, 'time': time.time(), 'method': method, 'path': path,
                 'query': query, 'on_behalf_of': on_behalf_of, 'status': status, 'fault': fault,
                 'error_id': error_id}
        self.log.append(entry)
        if self._request_log:
            self._request_log.write(json.dumps(entry) + '\n')
            self._request_log.flush()

    # -- faults ----------------------------------------------------------------

    def is_stop_request(self, method, on_behalf_of):
        """Whether this is the request the stop_at fault names."""
        with self._lock:
            rule = self.faults['stop_at']
            return bool(rule) and request_matches(rule, method, on_behalf_of)

    def stop(self, method, path, query, on_behalf_of, last_words):
        """stop_at: log this request (status null, fault "stop"), call ``last_words()``, end the process.

        Never returns. The lock is taken and never given back, so no other thread applies or logs a
        request after this one: its entry is the last of the request log.
        """
        self._lock.acquire()  # pylint: disable=consider-using-with
        try:
            self._append_to_log(method, path, query, on_behalf_of, None, 'stop')
            last_words()
        finally:
            os._exit(0)

    def is_unanswered(self, on_behalf_of):
        """Whether the unanswered_accounts fault holds back this account's requests."""
        with self._lock:
            return (on_behalf_of or PARENT) in self.faults['unanswered_accounts']

    def take_fault(self, method, on_behalf_of):
        """The fault for this request, if any: a queued one-shot first, then the random rates."""
        with self._lock:
            faults = self.faults
            for index, fault in enumerate(faults['fail_next']):
                if not request_matches(fault, method, on_behalf_of):
                    continue
                if fault.get('skip'):
                    fault['skip'] -= 1  # let this matching request pass; strike a later one
                    continue
                del faults['fail_next'][index]
                return dict(fault)
            roll = self._rng.random
            if faults['drop_rate'] and roll() < faults['drop_rate']:
                return {'drop': True}
            if faults['error_rate'] and roll() < faults['error_rate']:
                return {'status': self._rng.choice(faults['error_statuses'])}
            if faults['malformed_rate'] and roll() < faults['malformed_rate']:
                return {'malformed': True}
            if faults['empty_body_rate'] and roll() < faults['empty_body_rate']:
                return {'empty': True}
            if faults['slow_rate'] and roll() < faults['slow_rate']:
                return {'slow_ms': faults['slow_ms']}
            return None

    def after_apply(self, fault, kind):
        """Whether a one-shot or random fault of ``kind`` ("drop" or "status") strikes after the request was
        processed (a PATCH applied) rather than before: its own "after_apply", else the fault setting."""
        if not fault or not fault.get(kind):
            return False
        if 'after_apply' in fault:
            return bool(fault['after_apply'])
        with self._lock:
            return bool(self.faults['drop_after_apply' if kind == 'drop' else 'error_after_apply'])

    def latency(self):
        with self._lock:
            base = self.faults['latency_ms']
            jitter = self.faults['latency_jitter_ms']
            return (base + (self._rng.random() * jitter if jitter else 0)) / 1000.0

    def server_time(self):
        """The emulator's clock: the machine's, off by clock_skew_seconds."""
        with self._lock:
            return time.time() + self.faults['clock_skew_seconds']

    def rate_limit_header_names(self):
        """The names of the Limit, Remaining and Reset headers, spelt as configured."""
        with self._lock:
            prefix = self.faults['rate_limit_headers']
        return prefix + '-Limit', prefix + '-Remaining', prefix + '-Reset'

    def reset_epoch(self, seconds_from_now):
        """``X-RateLimit-Reset`` as a whole-second Unix time on the emulator's clock."""
        return int(math.ceil(self.server_time() + seconds_from_now))

    def rate_limit(self, key, method, path):
        """Count a request against its window (the key's and endpoint's); returns (headers, over_limit)."""
        with self._lock:
            limit = int(self.faults['rate_limit'])
            window = float(self.faults['rate_window'])
            style = self.faults['reset_style']
            skew = self.faults['clock_skew_seconds']
            window_key = key if self.faults['rate_limit_scope'] == 'key' else (key, endpoint_name(method, path))
            now = time.time()
            reset_at, used = self.windows.get(window_key, (0, 0))
            if now >= reset_at:
                reset_at, used = math.ceil(now + window), 0
            used += 1
            self.windows[window_key] = (reset_at, used)
        shown_limit = limit if limit > 0 else 1000000
        limit_name, remaining_name, reset_name = self.rate_limit_header_names()
        headers = {
            limit_name: str(shown_limit),
            remaining_name: str(max(shown_limit - used, 0)),
            reset_name: str(int(math.ceil(reset_at + skew)) if style == 'epoch'
                            else max(int(math.ceil(reset_at - now)), 0)),
        }
        return headers, limit > 0 and used > limit

    # -- the API ---------------------------------------------------------------

    def authorize(self, authorization):
        if not authorization or not authorization.startswith('Bearer '):
            raise ApiError(401, 'authorization required')
        key = authorization[len('Bearer '):]
        if key not in self.keys:
            raise ApiError(401, 'authorization required')
        return key

    def account(self, on_behalf_of):
        """The account a request acts on: the parent, or a known subuser or customer account."""
        if on_behalf_of is None:
            return PARENT, self.parent
        if on_behalf_of.startswith('account-id '):
            entry = self.by_id.get(on_behalf_of[len('account-id '):].strip())
        else:
            entry = self.subusers.get(on_behalf_of)
        if entry is None:
            if int(self.faults['unknown_subuser_status']) == 401:
                raise ApiError(401, 'authorization required')
            raise ApiError(403, 'the on-behalf-of account is not a subuser or customer account of this user',
                           field='on-behalf-of', help_text=ON_BEHALF_OF_HELP)
        if entry.get('fail_status'):
            raise ApiError(int(entry['fail_status']), 'internal error', field=None)
        return entry['username'], entry

    def settings_answer(self, entry, settings=None, omit=()):
        """The answer for an account's setting (``settings`` instead of its own, when given)."""
        with self._lock:
            answer = dict(entry['settings'] if settings is None else settings)
            if entry.get('legacy') or self.faults['omit_version']:
                answer.pop('version', None)
            for field in omit:
                answer.pop(field, None)
        return answer

    def lagging_settings(self, entry):
        """The setting a GET still shows within read_lag_ms of a PATCH of the account, or None."""
        with self._lock:
            lag = entry.get('lag')
            if lag and time.monotonic() < lag['until']:
                return dict(lag['settings'])
        return None

    def get_enforced_tls(self, scopes, on_behalf_of):
        require_scope(scopes, READ_SCOPE)
        _name, entry = self.account(on_behalf_of)
        lagging = self.lagging_settings(entry)
        if lagging is not None:
            return 200, self.settings_answer(entry, lagging), 'read lag'
        return 200, self.settings_answer(entry), None

    def patch_enforced_tls(self, scopes, on_behalf_of, raw_body):
        require_scope(scopes, UPDATE_SCOPE)
        _name, entry = self.account(on_behalf_of)
        changes = validate_settings_body(raw_body)
        with self._lock:
            if not self.faults['ignore_patch']:
                previous = dict(entry['settings'])
                entry['settings'].update(changes)
                if entry['settings']['require_tls'] and not previous['require_tls']:
                    self._block_tls_less_recipients(entry)
                lag_ms = float(self.faults['read_lag_ms'] or 0)
                if lag_ms > 0 and entry['settings'] != previous:
                    lag = entry.get('lag')
                    if lag and time.monotonic() < lag['until']:
                        previous = lag['settings']  # still showing an older setting: keep showing it
                    entry['lag'] = {'settings': previous, 'until': time.monotonic() + lag_ms / 1000.0}
            omit = list(self.faults['patch_answer_omits'] or [])
        return 200, self.settings_answer(entry, omit=omit), None

    def _block_tls_less_recipients(self, entry):
        """TLS is now required: the account's mail to its recipients at domains without TLS is dropped, and each
        such recipient lands on its blocks list, dated now (the caller holds the lock)."""
        listed = {block['email'] for block in entry['blocks']}
        created = int(time.time() + self.faults['clock_skew_seconds'])  # server_time(), under the lock held
        for domain, recipients in sorted(entry['tls_less_domains'].items()):
            for number in range(1, recipients + 1):
                email = 'recipient{0}@{1}'.format(number, domain)
                if email not in listed:
                    entry['blocks'].append({'created': created, 'email': email,
                                            'reason': self.faults['tls_block_reason'], 'status': BLOCK_STATUS})

    def list_blocks(self, scopes, on_behalf_of, query):
        require_scope(scopes, BLOCKS_SCOPE)
        check_parameters(query, BLOCKS_PARAMETERS)
        _name, entry = self.account(on_behalf_of)
        start_time = query_int(query, 'start_time', None, 0, None)
        end_time = query_int(query, 'end_time', None, 0, None)
        limit = query_int(query, 'limit', BLOCKS_DEFAULT_LIMIT, 1, BLOCKS_MAX_LIMIT, cap=False)
        offset = query_int(query, 'offset', 0, 0, None)
        email = query.get('email', [None])[0]
        with self._lock:
            blocks = [dict(block) for block in entry['blocks']]
        blocks = [block for block in blocks
                  if (start_time is None or block['created'] >= start_time)
                  and (end_time is None or block['created'] <= end_time)
                  and (not email or email_matches(block['email'], email))]
        blocks.sort(key=lambda block: (-block['created'], block['email']))
        return 200, blocks[offset:offset + limit], None

    def list_subusers(self, scopes, query):
        require_scope(scopes, SUBUSERS_SCOPE)
        check_parameters(query, SUBUSERS_PARAMETERS)
        limit = query_int(query, 'limit', SUBUSERS_DEFAULT_LIMIT, 1, int(self.faults['subusers_max_limit']))
        offset = query_int(query, 'offset', 0, 0, None)
        username = query.get('username', [None])[0]
        region = query.get('region', ['all'])[0]
        if region not in ('all', 'global', 'eu'):
            raise ApiError(400, 'region must be one of all, global, eu', field='region')
        include_region = query.get('include_region', ['false'])[0].lower() == 'true'
        with self._lock:
            entries = sorted(self.subusers.values(), key=lambda entry: entry['id'])
            username_filter = self.faults['username_filter']
        if username:
            entries = [entry for entry in entries if username_matches(entry['username'], username, username_filter)]
        if region != 'all':
            entries = [entry for entry in entries if entry['region'] == region]
        page = []
        for entry in entries[offset:offset + limit]:
            item = {'id': entry['id'], 'username': entry['username'], 'email': entry['email'],
                    'disabled': entry['disabled']}
            if include_region:
                item['region'] = entry['region']
            page.append(item)
        return 200, page, None


def require_scope(scopes, scope):
    if scope not in scopes:
        raise ApiError(403, 'access forbidden')


def query_int(query, name, default, minimum, maximum, cap=True):
    """An integer query parameter; past ``maximum`` it is capped (``cap``) or refused, as the endpoint does."""
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        raise ApiError(400, '{0} must be an integer'.format(name), field=name)
    if value < minimum:
        raise ApiError(400, '{0} must be at least {1}'.format(name, minimum), field=name)
    if maximum and value > maximum and not cap:
        raise ApiError(400, '{0} must be at most {1}'.format(name, maximum), field=name)
    return min(value, maximum) if maximum else value


def check_parameters(query, known):
    """Refuse a query parameter the endpoint's spec does not name."""
    unknown = sorted(set(query) - set(known))
    if unknown:
        raise ApiError(400, 'unknown query parameter {0}'.format(unknown[0]), field=unknown[0])


def email_matches(email, pattern):
    """The blocks list's ``email`` filter: addresses that start with it; ``%`` stands for any text."""
    parts = pattern.lower().split('%')
    text = email.lower()
    if not text.startswith(parts[0]):
        return False
    position = len(parts[0])
    for part in parts[1:]:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def validate_settings_body(raw_body):
    """The fields of a PATCH body, validated; SendGrid-shaped 400 errors otherwise."""
    try:
        body = json.loads(raw_body.decode('utf-8') or 'null')
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, 'invalid JSON in request body')
    if not isinstance(body, dict):
        raise ApiError(400, 'request body must be a JSON object')
    changes = {}
    errors = []
    for field in ('require_tls', 'require_valid_cert'):
        if field in body:
            if isinstance(body[field], bool):
                changes[field] = body[field]
            else:
                errors.append({'field': field, 'message': '{0} must be a boolean'.format(field), 'help': SETTINGS_HELP})
    if 'version' in body:
        # The spec types version as a number: "1.2", a string, is refused as SendGrid would refuse it.
        number = body['version'] if isinstance(body['version'], (int, float)) and not isinstance(body['version'], bool) \
            else None
        text = canonical_version(number) if number is not None else None
        if text in VERSIONS:
            changes['version'] = float(text)
        else:
            errors.append({'field': 'version', 'message': 'version must be a number, one of 1.1, 1.2, 1.3',
                           'help': SETTINGS_HELP})
    if errors:
        error = ApiError(400, errors[0]['message'], errors[0]['field'], help_text=SETTINGS_HELP)
        error.body = {'errors': errors}
        raise error
    return changes


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'SendGridEmulator/1.0'
    # Headers and body go out in separate writes: with Nagle's algorithm on, the body would wait for
    # the client's delayed ACK (about 40 ms on Linux), a latency no real API adds.
    disable_nagle_algorithm = True
    emulator = None  # set by make_server
    verbose = False

    def date_time_string(self, timestamp=None):
        """The Date header of every answer, by the emulator's clock (--clock-skew-seconds)."""
        return super().date_time_string(self.emulator.server_time() if timestamp is None else timestamp)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.verbose:
            sys.stderr.write('emulator: {0} {1}\n'.format(self.command, self.path.split('?')[0]))

    def do_GET(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def send_json(self, status, body, headers=None, slow_ms=0, raw=None):
        payload = raw if raw is not None else json.dumps(body).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if slow_ms and payload:
            self.wfile.write(payload[:1])
            self.wfile.flush()
            time.sleep(slow_ms / 1000.0)
            payload = payload[1:]
        self.wfile.write(payload)

    def drop_connection(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def stop_serving(self):
        """stop_at's last words: refuse new connections, drop this one unanswered, say so on stdout."""
        # shutdown, not close: the main thread's select still holds the socket, and a closed socket it
        # holds would go on listening.
        self.server.socket.shutdown(socket.SHUT_RDWR)
        self.drop_connection()
        print('SendGrid emulator stopped at {0} {1} for {2} (stop_at); it answers nothing more'.format(
            self.command, self.path.split('?')[0], self.headers.get('On-Behalf-Of') or PARENT), flush=True)

    def withhold_answer(self):
        """unanswered_accounts: send nothing, and keep the connection until the client closes it."""
        try:
            self.rfile.read(1)
        except OSError:
            pass
        self.drop_connection()

    def dispatch(self):
        parts = urlsplit(self.path)
        body = self.read_body()
        if parts.path.startswith(CONTROL_PREFIX):
            self.control(parts.path[len(CONTROL_PREFIX):].strip('/'), body)
        else:
            self.api(parts.path, parse_qs(parts.query), body)

    def control(self, name, body):
        emulator = self.emulator
        try:
            payload = json.loads(body.decode('utf-8')) if body else {}
            if name == 'log' and self.command == 'GET':
                return self.send_json(200, emulator.log_report())
            if name == 'log' and self.command == 'DELETE':
                emulator.clear_log()
                return self.send_json(200, {'cleared': True})
            if name == 'state' and self.command == 'GET':
                return self.send_json(200, emulator.snapshot())
            if name == 'blocks' and self.command == 'GET':
                return self.send_json(200, emulator.blocks_snapshot())
            if name == 'state' and self.command in ('PATCH', 'PUT', 'POST'):
                emulator.set_state(payload)
                return self.send_json(200, emulator.snapshot())
            if name == 'faults' and self.command == 'GET':
                return self.send_json(200, emulator.get_faults())
            if name == 'faults' and self.command in ('PATCH', 'PUT', 'POST'):
                return self.send_json(200, emulator.set_faults(payload))
            if name == 'reset' and self.command == 'POST':
                emulator.reset()
                return self.send_json(200, {'reset': True})
            if name == 'shutdown' and self.command == 'POST':
                self.send_json(200, {'stopping': True})
                threading.Thread(target=self.server.shutdown, daemon=True).start()
                return None
            return self.send_json(404, {'errors': [{'field': None, 'message': 'unknown control endpoint'}]})
        except ApiError as error:
            return self.send_json(error.status, error.body)
        except ValueError as error:
            return self.send_json(400, {'errors': [{'field': None, 'message': str(error)}]})

    def api(self, path, query, body):
        self.emulator.request_started()
        try:
            return self.answer_api(path, query, body)
        finally:
            self.emulator.request_finished()

    def answer_api(self, path, query, body):
        emulator = self.emulator
        method = self.command
        on_behalf_of = self.headers.get('On-Behalf-Of')
        if emulator.is_stop_request(method, on_behalf_of):
            emulator.stop(method, path, query_text(query), on_behalf_of, last_words=self.stop_serving)
        if emulator.is_unanswered(on_behalf_of):
            emulator.record(method, path, query_text(query), on_behalf_of, None, 'unanswered')
            return self.withhold_answer()
        delay = emulator.latency()
        if delay:
            time.sleep(delay)
        status, answer, headers, fault_name = 500, None, {}, None
        fault = emulator.take_fault(method, on_behalf_of)
        status_after_apply = emulator.after_apply(fault, 'status')
        try:
            key = emulator.authorize(self.headers.get('Authorization'))
            headers, over_limit = emulator.rate_limit(key, method, path)
            if fault and fault.get('drop') and not emulator.after_apply(fault, 'drop'):
                emulator.record(method, path, query_text(query), on_behalf_of, None, 'drop')
                return self.drop_connection()
            if fault and fault.get('status') and not status_after_apply:
                fault_name = 'status {0}'.format(fault['status'])
                raise fault_error(emulator, fault)
            if over_limit:
                raise ApiError(429, 'too many requests')
            scopes = emulator.keys[key]
            if path == ENFORCED_TLS_PATH and method == 'GET':
                status, answer, fault_name = emulator.get_enforced_tls(scopes, on_behalf_of)
            elif path == ENFORCED_TLS_PATH and method == 'PATCH':
                status, answer, fault_name = emulator.patch_enforced_tls(scopes, on_behalf_of, body)
            elif path == SUBUSERS_PATH and method == 'GET':
                status, answer, fault_name = emulator.list_subusers(scopes, query)
            elif path == BLOCKS_PATH and method == 'GET':
                status, answer, fault_name = emulator.list_blocks(scopes, on_behalf_of, query)
            elif path in (ENFORCED_TLS_PATH, SUBUSERS_PATH, BLOCKS_PATH):
                raise ApiError(405, 'method not allowed')
            else:
                raise ApiError(404, 'resource not found')
        except ApiError as error:
            status, answer = error.status, error.body
            headers = dict(headers, **error.headers)
        if fault and fault.get('drop'):
            emulator.record(method, path, query_text(query), on_behalf_of, status, 'drop after apply')
            return self.drop_connection()
        if status_after_apply:
            # The request was processed (a PATCH applied), and the answer is the fault's error all the same.
            error = fault_error(emulator, fault)
            status, answer, fault_name = error.status, error.body, 'status {0} after apply'.format(fault['status'])
            headers = dict(headers, **error.headers)
        # Every error answer carries an id, but the 429: SendGrid's "Rate Limits" page shows its body without one.
        error_id = new_error_id() if status >= 400 and status != 429 and emulator.get_faults()['error_ids'] else None
        answer = with_error_id(answer, error_id)
        raw = TOO_MANY_REQUESTS_BODY if status == 429 else None
        if fault and fault.get('malformed') and status == 200:
            raw, fault_name = json.dumps(answer).encode('utf-8')[:-3], 'malformed'
        if fault and fault.get('empty') and status == 200:
            raw, fault_name = b'', 'empty body'
        slow_ms = fault.get('slow_ms', 0) if fault else 0
        if slow_ms:
            fault_name = 'slow {0} ms'.format(slow_ms)
        emulator.record(method, path, query_text(query), on_behalf_of, status, fault_name, error_id)
        return self.send_json(status, answer, headers, slow_ms=slow_ms, raw=raw)


def fault_error(emulator, fault):
    """The error answer of a status fault: its status, Retry-After, X-RateLimit-Reset or Location."""
    fault_headers = {}
    if fault.get('retry_after') is not None:
        fault_headers['Retry-After'] = str(fault['retry_after'])
    if fault.get('location'):
        fault_headers['Location'] = str(fault['location'])
    if fault.get('reset') is not None:
        _limit_name, remaining_name, reset_name = emulator.rate_limit_header_names()
        fault_headers[remaining_name] = '0'
        fault_headers[reset_name] = str(emulator.reset_epoch(fault['reset']))
    message = {429: 'too many requests'}.get(fault['status'], 'moved' if fault.get('location') else 'internal error')
    return ApiError(int(fault['status']), message, headers=fault_headers)


def query_text(query):
    return '&'.join('{0}={1}'.format(name, value) for name, values in sorted(query.items()) for value in values)


def make_server(emulator, host='127.0.0.1', port=0, verbose=False):
    handler = type('BoundHandler', (Handler,), {'emulator': emulator, 'verbose': verbose})
    server_class = ThreadingHTTPServer
    if ':' in host:
        server_class = type('IPv6ThreadingHTTPServer', (ThreadingHTTPServer,), {'address_family': socket.AF_INET6})
    server = server_class((host, port), handler)
    server.daemon_threads = True
    return server


def write_port_file(path, port):
    temporary = '{0}.tmp'.format(path)
    with open(temporary, 'w') as handle:
        handle.write('{0}\n'.format(port))
    os.replace(temporary, path)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='A stateful emulator of the SendGrid Enforced TLS and subusers API.')
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=3030, help='port to listen on; 0 picks a free one (default 3030)')
    parser.add_argument('--port-file', help='write the port to this file once listening')
    parser.add_argument('--config', help='JSON file with "keys", "parent", "subusers" and "faults"')
    parser.add_argument('--key', action='append', metavar='KEY[:SCOPE,...]',
                        help='an API key it accepts, with its scopes (all scopes if none are given); repeatable.'
                             ' Default: {0}'.format(DEFAULT_KEY))
    parser.add_argument('--subusers', type=int, default=0, help='generate this many subusers')
    parser.add_argument('--subuser-prefix', default='subuser-', help='name prefix of generated subusers')
    parser.add_argument('--compliant-share', type=float, default=0.0,
                        help='share of generated subusers that already have TLS required, valid cert, TLS 1.2')
    parser.add_argument('--seed', type=int, default=1, help='seed of the random choices (default 1)')
    parser.add_argument('--latency-ms', dest='latency_ms', type=float, help='fixed latency of every API answer')
    parser.add_argument('--latency-jitter-ms', dest='latency_jitter_ms', type=float, help='added random latency')
    parser.add_argument('--error-rate', dest='error_rate', type=float, help='share of answers that are 5xx')
    parser.add_argument('--drop-rate', dest='drop_rate', type=float, help='share of connections dropped')
    parser.add_argument('--malformed-rate', dest='malformed_rate', type=float, help='share of malformed JSON answers')
    parser.add_argument('--empty-body-rate', dest='empty_body_rate', type=float, help='share of empty 200 answers')
    parser.add_argument('--slow-rate', dest='slow_rate', type=float, help='share of slow answers')
    parser.add_argument('--slow-ms', dest='slow_ms', type=float, help='how slow a slow answer is')
    parser.add_argument('--omit-version', action='store_true', help='leave "version" out of every answer')
    parser.add_argument('--patch-answer-omits', dest='patch_answer_omits', action='append',
                        choices=['require_tls', 'require_valid_cert', 'version'],
                        help='leave this field out of every answer to a PATCH, as the spec\'s example answers leave out'
                             ' "version" (fault patch_answer_omits); repeatable')
    parser.add_argument('--read-lag-ms', dest='read_lag_ms', type=float,
                        help='a GET within this many ms after a PATCH of the same account still shows the setting'
                             ' from before it (fault read_lag_ms; default 0)')
    parser.add_argument('--error-after-apply', dest='error_after_apply', action='store_true',
                        help='a status fault (fail_next "status", error_rate) on a PATCH strikes after the update was'
                             ' applied: updates applied and then answered 500 (fault error_after_apply)')
    parser.add_argument('--drop-after-apply', dest='drop_after_apply', action='store_true',
                        help='a dropped PATCH (fail_next "drop", drop_rate) is applied before its connection is'
                             ' closed: the update happens, its answer is lost (fault drop_after_apply)')
    parser.add_argument('--unknown-subuser-status', dest='unknown_subuser_status', type=int, choices=[401, 403],
                        help='the status answered for an On-Behalf-Of account that is not the key\'s (default 403)')
    parser.add_argument('--username-filter', dest='username_filter', choices=list(USERNAME_FILTERS),
                        help='how GET /v3/subusers matches its username filter: names that start with it regardless'
                             ' of case, as SendGrid does (prefix_ignore_case, the default), or case-sensitively'
                             ' (prefix)')
    parser.add_argument('--no-error-ids', dest='no_error_ids', action='store_true',
                        help='leave SendGrid\'s "id" out of error answers (by default each carries a random hex id)')
    parser.add_argument('--rate-limit', dest='rate_limit', type=int,
                        help='requests per window, key and endpoint (0: none); over it, HTTP 429')
    parser.add_argument('--rate-window', dest='rate_window', type=float, help='rate-limit window in seconds')
    parser.add_argument('--reset-style', dest='reset_style', choices=['epoch', 'relative'],
                        help='X-RateLimit-Reset as Unix time or seconds from now')
    parser.add_argument('--rate-limit-scope', dest='rate_limit_scope', choices=list(RATE_LIMIT_SCOPES),
                        help='"endpoint" (default): one window per key and endpoint (method and path), as SendGrid'
                             ' documents; "key": one window per key for all endpoints together')
    parser.add_argument('--rate-limit-headers', dest='rate_limit_headers', choices=list(RATE_LIMIT_HEADER_SPELLINGS),
                        help='how the rate-limit headers are spelt: X-RateLimit-* (default, as documented) or'
                             ' X-Ratelimit-* (as real answers spell them)')
    parser.add_argument('--clock-skew-seconds', dest='clock_skew_seconds', type=float,
                        help='set the emulator\'s clock this many seconds ahead of the machine\'s (negative: behind),'
                             ' in the Date header and in X-RateLimit-Reset')
    parser.add_argument('--stop-at', dest='stop_at', type=parse_stop_at, metavar='METHOD:ACCOUNT',
                        help='stop at this request (fault stop_at): log it, neither apply nor answer it, refuse'
                             ' new connections and exit with status 0. E.g. PATCH:acct-05; either part may be'
                             ' empty to match any, "(parent)" is the parent account')
    parser.add_argument('--request-log', help='also append each request, as a JSON line, to this file as it is'
                        ' answered (it outlives the emulator; never holds headers)')
    parser.add_argument('--verbose', action='store_true', help='print each request (never its headers)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.host not in ('127.0.0.1', 'localhost', '::1'):
        sys.exit('the emulator only listens on a loopback address')
    try:
        config = build_config(args)
    except ApiError as error:
        sys.exit('sendgrid_emulator: {0}'.format(error))
    except ValueError as error:
        sys.exit('the emulator cannot start: {0}'.format(error))
    emulator = Emulator(config, seed=args.seed, request_log=args.request_log)
    server = make_server(emulator, args.host, args.port, args.verbose)
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    # The keys themselves are never printed: this output may end up in a CI log.
    print('SendGrid emulator listening on http://{0}:{1} ({2} key(s), {3} subuser(s))'.format(
        args.host if ':' not in args.host else '[{0}]'.format(args.host), port, len(emulator.keys),
        len(emulator.subusers)), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == '__main__':
    main()
