# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Apply one operation to many accounts: a bounded pool of workers, one result per
account in input order, and no failure that stops the others or loses a result.

No Ansible here: the module turns the outcome into its return values, and words
errors with its options' advice through the ``describe_error`` it passes in.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import validate_on_behalf_of
from ansible_collections.mailops.sendgrid.plugins.module_utils._bounds import check_whole_number
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridConfigError,
    SendGridError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, quoted

# Refused before any request: a list this long is a mistake, not a fleet.
MAX_ACCOUNTS = 50000
# How many accounts a failure message names before it says "and N more"; results name them all.
NAMED_IN_MESSAGES = 10
# The answers that may mean the key itself is unusable (wrong, revoked, or without the scope).
KEY_LEVEL_STATUSES = (401, 403)
# Updates refused with 403 before any succeeded, after which the key is taken to lack the update scope.
UPDATE_REFUSALS_FOR_SCOPE = 3
# Past this, more workers only meet SendGrid's rate limit sooner (docs/performance.md measures the
# curve); the bound keeps a typo such as 1000000000 from sizing threads and pools.
MAX_WORKERS = 100


def check_workers(workers, field: str = 'workers') -> int:
    """Refuse a worker count that is not a whole number from 1 to MAX_WORKERS."""
    return check_whole_number(workers, field, 1, MAX_WORKERS)


def pool_size_for(workers: int, accounts: list) -> int:
    """Threads and connections for a batch: as many as the work can use, never more than asked."""
    return max(1, min(workers, len(accounts)))


def check_account_names(names, field: str = 'subusers') -> list:
    """Validate a list of On-Behalf-Of values; raise SendGridConfigError naming each problem.

    Empty or malformed names and duplicates are refused, so that nothing is sent
    for a list that cannot be what the user meant.
    """
    if not isinstance(names, list):
        raise SendGridConfigError('{0} must be a list of subuser names; got {1}'.format(
            field, describe_type(names)))
    if len(names) > MAX_ACCOUNTS:
        raise SendGridConfigError('{0} holds {1} names, more than the {2} one task handles; split the list'.format(
            field, len(names), MAX_ACCOUNTS))
    problems = []
    for index, name in enumerate(names):
        try:
            validate_on_behalf_of(name, '{0}[{1}]'.format(field, index))
        except SendGridConfigError as error:
            problems.append(error.message)
    seen = set()
    duplicates = []
    for name in names:
        if not isinstance(name, str):
            continue  # already reported above
        if name in seen and name not in duplicates:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        problems.append('{0} lists {1} more than once'.format(
            field, name_some([quoted(name) for name in duplicates], noun=' names')))
    if problems:
        shown = problems[:10]
        if len(problems) > len(shown):
            shown.append('and {0} more problems'.format(len(problems) - len(shown)))
        raise SendGridConfigError('; '.join(shown))
    return names


def failure_result(account: str, message: str, before: Optional[dict] = None, **facts) -> dict:
    """A failed account's result: what went wrong, its setting before (if it was read), and the
    error's facts (``SendGridError.result_fields``: status, api_messages, error_id, retries, waited)."""
    return dict({'account': account, 'changed': False, 'failed': True, 'msg': message, 'before': before,
                 'after': None, 'differences': [], 'stricter': []}, **facts)


def not_attempted_result(account: str, reason: str) -> dict:
    """The result of an account the batch did not try, after the key itself proved unusable."""
    return dict(failure_result(account, 'not attempted: {0}'.format(reason)), not_attempted=True)


class KeyCheck:
    """Tells a refusal of the API key from a refusal of one account, for every worker of a batch.

    SendGrid does not document what it answers for an unknown or foreign On-Behalf-Of
    subuser; it may be a 401 or 403, like a bad key. So a 401 or 403 for a subuser's
    read is settled by one request for the key's own account (``probe``, made at most
    once per batch, whichever worker asks first): only if that fails with 401 or 403
    too is the key unusable. An update refused with 403 after the account was read
    (the On-Behalf-Of was accepted) points at the key's scope: once
    UPDATE_REFUSALS_FOR_SCOPE updates were refused and none succeeded, the key is
    taken to lack the update scope.
    """

    def __init__(self, probe):
        self._probe = probe
        self._lock = threading.Lock()
        self._probed = False
        self._update_refusals = 0
        self._updates_done = 0
        # The error that shows the key unusable, once one does.
        self.failure = None

    def update_succeeded(self) -> None:
        with self._lock:
            self._updates_done += 1

    def judge(self, error: SendGridError) -> bool:
        """Record an account's error; True when it shows (or the probe shows) the key unusable."""
        if not isinstance(error, SendGridAPIError) or error.status not in KEY_LEVEL_STATUSES:
            return self.failure is not None
        with self._lock:
            if self.failure is not None:
                return True
            if error.before is not None and error.status == 403:
                self._update_refusals += 1
                if self._update_refusals >= UPDATE_REFUSALS_FOR_SCOPE and not self._updates_done:
                    self.failure = error
                return self.failure is not None
            if error.account is None:
                self.failure = error
            elif not self._probed:
                self._probed = True
                try:
                    self._probe()
                except SendGridAPIError as probe_error:
                    if probe_error.status in KEY_LEVEL_STATUSES:
                        self.failure = probe_error
                except SendGridError:
                    pass  # The probe could not tell (no connection, say): one account's error stays its own.
            return self.failure is not None


def message_of(error: SendGridError) -> str:
    """The default ``describe_error``: the exception's own message."""
    return error.message


def run_for_each(accounts: list, operation: Callable[[str], dict], workers: int, key_check: Optional[KeyCheck] = None,
                 stopped_reason: str = 'the API key was refused',
                 describe_error: Callable[[SendGridError], str] = message_of) -> List[dict]:
    """``operation(account)`` for every account, on at most ``workers`` threads.

    ``operation`` returns a result dict. A SendGridError (or any other exception)
    becomes that account's failed result, its message worded by ``describe_error``;
    the others go on, unless ``key_check``
    (a KeyCheck) finds the key itself unusable: then no further request is sent, and
    every account not yet tried gets a result marked ``not_attempted``. Results come
    back in the order of ``accounts``.
    """
    def guarded(account):
        if key_check is not None and key_check.failure is not None:
            return not_attempted_result(account, stopped_reason)
        try:
            return operation(account)
        except SendGridError as error:
            if key_check is not None:
                key_check.judge(error)
            return failure_result(account, describe_error(error), error.before, **error.result_fields())
        except Exception as error:  # pylint: disable=broad-exception-caught
            # A bug must not lose the other accounts' results; it is reported with this account.
            return failure_result(account, 'unexpected {0}: {1}'.format(type(error).__name__, error))

    if not accounts:
        return []
    with ThreadPoolExecutor(max_workers=pool_size_for(workers, accounts)) as pool:
        return list(pool.map(guarded, accounts))


def summarize(results: List[dict]) -> dict:
    """Counts for a batch: total, changed, unchanged, failed (of them not_attempted)."""
    failed = sum(1 for result in results if result['failed'])
    changed = sum(1 for result in results if result['changed'] and not result['failed'])
    return {'total': len(results), 'changed': changed, 'unchanged': len(results) - changed - failed,
            'failed': failed, 'not_attempted': sum(1 for result in results if result.get('not_attempted'))}


def warning_message(results: List[dict]) -> Optional[str]:
    """One bounded warning for the accounts of a batch whose results carry ``warnings`` (updates
    applied although SendGrid answered them with an error): the first few by name and the first
    warning in full, or that one warning when a single account has one."""
    warned = [result for result in results if result.get('warnings')]
    if not warned:
        return None
    if len(warned) == 1:
        return warned[0]['warnings'][0]
    return ('{0} of {1} accounts were changed although SendGrid answered their update with an error: {2}.'
            ' First warning: {3} Every account has its own warnings in results.'.format(
                len(warned), len(results), name_some([result['account'] for result in warned]),
                warned[0]['warnings'][0]))


def name_some(names: List[str], limit: int = NAMED_IN_MESSAGES, noun: str = '') -> str:
    """``a, b, c, and 7 more``: the first ``limit`` names of a list (``noun`` follows "more")."""
    shown = ', '.join(names[:limit])
    return shown + (', and {0} more{1}'.format(len(names) - limit, noun) if len(names) > limit else '')


def failure_message(results: List[dict], action: str = 'enforce TLS on', key_failure: Optional[SendGridError] = None,
                    describe_error: Callable[[SendGridError], str] = message_of,
                    where: str = 'results') -> Optional[str]:
    """One bounded message: the failed accounts (the first few by name) and the first error in full;
    after a key failure, that the key is unusable and how many accounts were not attempted. ``where`` names
    the return value that holds every account's result."""
    failed = [result for result in results if result['failed']]
    if not failed:
        return None
    if key_failure is not None:
        skipped = sum(1 for result in failed if result.get('not_attempted'))
        tried = [result['account'] for result in failed if not result.get('not_attempted')]
        return ('The API key is not usable, so the batch stopped: {0} of {1} accounts were not attempted, and no'
                ' further request was sent. {2} Accounts that failed: {3}. Every account has its own result in'
                ' {4}.'.format(skipped, len(results), describe_error(key_failure), name_some(tried), where))
    names = name_some([result['account'] for result in failed])
    return ('Could not {0} {1} of {2} accounts: {3}. First error: {4} Every account has its own result in'
            ' {5}.'.format(action, len(failed), len(results), names, failed[0]['msg'], where))
