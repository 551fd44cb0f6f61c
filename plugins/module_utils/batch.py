# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Apply one operation to many accounts: a bounded pool of workers, one result per
account in input order, and no failure that stops the others or loses a result.

No Ansible here: the module turns the outcome into its return values.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.mailops.sendgrid.plugins.module_utils.accounts import validate_on_behalf_of
from ansible_collections.mailops.sendgrid.plugins.module_utils.errors import (
    SendGridConfigError,
    SendGridError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils.messages import describe_type, describe_value

# Refused before any request: a list this long is a mistake, not a fleet.
MAX_ACCOUNTS = 50000
# Past this, more workers only meet SendGrid's rate limit sooner (docs/performance.md measures the
# curve); the bound keeps a typo such as 1000000000 from sizing threads and pools.
MAX_WORKERS = 100


def check_workers(workers, field='workers'):
    """Refuse a worker count that is not a whole number from 1 to MAX_WORKERS."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise SendGridConfigError('{0} must be a whole number from 1 to {1}; got {2}'.format(
            field, MAX_WORKERS, describe_value(workers)), field=field)
    return workers


def pool_size_for(workers, accounts):
    """Threads and connections for a batch: as many as the work can use, never more than asked."""
    return max(1, min(workers, len(accounts)))


def check_account_names(names, field='subusers'):
    """Validate a list of On-Behalf-Of values; raise SendGridConfigError naming each problem.

    Empty or malformed names and duplicates are refused, so that nothing is sent
    for a list that cannot be what the user meant.
    """
    if not isinstance(names, list):
        raise SendGridConfigError('{0} must be a list of subuser names; got {1}'.format(
            field, describe_type(names)), field=field)
    if len(names) > MAX_ACCOUNTS:
        raise SendGridConfigError('{0} holds {1} names, more than the {2} one task handles; split the list'.format(
            field, len(names), MAX_ACCOUNTS), field=field)
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
        problems.append('{0} lists {1} more than once'.format(field, ', '.join(repr(name) for name in duplicates)))
    if problems:
        shown = problems[:10]
        if len(problems) > len(shown):
            shown.append('and {0} more problems'.format(len(problems) - len(shown)))
        raise SendGridConfigError('; '.join(shown), field=field)
    return names


def failure_result(account, message, before=None):
    """A failed account's result: what went wrong, and its setting before, if it was read."""
    return {'account': account, 'changed': False, 'failed': True, 'msg': message, 'before': before,
            'after': None, 'differences': [], 'stricter': []}


def run_for_each(accounts, operation, workers):
    """``operation(account)`` for every account, on at most ``workers`` threads.

    ``operation`` returns a result dict. A SendGridError (or any other exception)
    becomes that account's failed result; the others go on. Results come back in
    the order of ``accounts``.
    """
    def guarded(account):
        try:
            return operation(account)
        except SendGridError as error:
            return failure_result(account, error.message, error.before)
        except Exception as error:  # pylint: disable=broad-exception-caught
            # A bug must not lose the other accounts' results; it is reported with this account.
            return failure_result(account, 'unexpected {0}: {1}'.format(type(error).__name__, error))

    if not accounts:
        return []
    with ThreadPoolExecutor(max_workers=pool_size_for(workers, accounts)) as pool:
        return list(pool.map(guarded, accounts))


def summarize(results):
    """Counts for a batch: total, changed, unchanged, failed."""
    failed = sum(1 for result in results if result['failed'])
    changed = sum(1 for result in results if result['changed'] and not result['failed'])
    return {'total': len(results), 'changed': changed, 'unchanged': len(results) - changed - failed,
            'failed': failed}


def failure_message(results, action='enforce TLS on'):
    """One message naming every failed account, with the first error in full."""
    failed = [result for result in results if result['failed']]
    if not failed:
        return None
    names = ', '.join(result['account'] for result in failed)
    return ('Could not {0} {1} of {2} accounts: {3}. First error: {4} Every account has its own result in'
            ' results.'.format(action, len(failed), len(results), names, failed[0]['msg']))
