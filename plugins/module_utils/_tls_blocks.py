# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The mail that Enforced TLS blocks, as pure functions: the time window to read an account's
blocks list over, and what its entries say.

SendGrid drops a message to a recipient whose server lacks TLS (or a valid certificate, or the
minimum version) when Enforced TLS requires it, and documents the block event's description as
"TLS required but not supported". What the entry of the blocks list (``GET
/v3/suppression/blocks``) says is not documented: the text a TLS block is recognised by is
``match``, compared regardless of case, anywhere in the entry's reason. Recipient addresses are
personal data: a summary names recipient domains and counts, never an address.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import List, Optional, Tuple

from ansible_collections.mailops.sendgrid.plugins.module_utils._bounds import check_whole_number
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_value, excerpt
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import MAX_BLOCKS

DEFAULT_MATCH = 'TLS required but not supported'
# How far back a read goes when no start is given.
DEFAULT_SINCE_DAYS = 7
# How many recipient domains, and how many of the other reasons, a summary names; how much of a reason.
DEFAULT_MAX_DOMAINS = 20
MAX_DOMAINS = 1000
MAX_REASONS = 5
MAX_REASON_LENGTH = 200
MAX_MATCH_LENGTH = 200
NO_DOMAIN = '(no domain)'
_TIME_FORMS = 'a Unix time (seconds) or an ISO 8601 time such as 2026-12-01T08:00:00Z'
# The blocks list takes times from 0 (the spec's minimum); a time is shown in UTC, so none past year 9999.
LATEST_TIME = 253402300799  # 9999-12-31T23:59:59Z
_TIME_RANGE = 'from 1970-01-01T00:00:00Z (0) to 9999-12-31T23:59:59Z ({0})'.format(LATEST_TIME)
# The local part of an address quoted in a reason (a bounce often quotes the recipient's).
_ADDRESS_LOCAL_PART = re.compile(r'[^\s<>()\[\],;:"@]+@(?=[^\s@])')


def _utc(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_time(value, field: str) -> int:
    """A time as a Unix time: ``value`` is one (an integer, or its digits as text) or an ISO 8601 time
    (a date, or a date and time; UTC unless it says otherwise; as text, or as YAML reads it unquoted), from
    1970 to the end of year 9999."""
    timestamp = _timestamp(value)
    if timestamp is None:
        raise SendGridConfigError('{0} must be {1}; got {2}'.format(field, _TIME_FORMS, describe_value(value)))
    if not 0 <= timestamp <= LATEST_TIME:
        raise SendGridConfigError('{0} must be a time {1}; got {2}'.format(field, _TIME_RANGE, describe_value(value)))
    return timestamp


def _timestamp(value) -> Optional[int]:
    """``value`` as a Unix time, or None when it is neither a whole number nor an ISO 8601 time. A date or time
    that YAML made of an unquoted value is that time."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, datetime.datetime):
        parsed = value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
        return int(parsed.timestamp())
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        parsed = datetime.datetime.fromisoformat(text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return int(parsed.timestamp())


def time_window(since, until, now: float) -> Tuple[int, Optional[int]]:
    """The window to read, as Unix times: from ``since`` (by default DEFAULT_SINCE_DAYS before ``now``)
    to ``until`` (None: up to now)."""
    start = parse_time(since, 'since') if since is not None else int(now) - DEFAULT_SINCE_DAYS * 86400
    end = parse_time(until, 'until') if until is not None else None
    if end is not None and end < start:
        raise SendGridConfigError('until ({0}) is before since ({1}); give a window that ends after it starts'.format(
            _utc(end), _utc(start)))
    return start, end


def check_match(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_MATCH_LENGTH:
        raise SendGridConfigError('match must be the text a TLS block\'s reason holds, 1 to {0} characters; got'
                                  ' {1}'.format(MAX_MATCH_LENGTH, describe_value(value)))
    return value


def check_max_blocks(value) -> int:
    return check_whole_number(value, 'max_blocks', 1, MAX_BLOCKS)


def check_max_domains(value) -> int:
    return check_whole_number(value, 'max_domains', 1, MAX_DOMAINS)


def recipient_domain(email: str) -> str:
    """The domain of a recipient's address, in lower case."""
    domain = email.rpartition('@')[2].strip().lower() if '@' in email else ''
    return domain or NO_DOMAIN


def is_tls_block(entry: dict, match: str = DEFAULT_MATCH) -> bool:
    return match.casefold() in entry['reason'].casefold()


def _counted(counter: Counter, limit: int, name: str) -> List[dict]:
    """The most common keys of ``counter``, the largest first (ties by name), as ``{name: key, 'blocks': n}``."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [{name: key, 'blocks': count} for key, count in ranked[:limit]]


def _shown_reason(reason: str) -> str:
    """A block's reason as a summary shows it: on one line, shortened, any address in it without its
    local part (``<...@full.example>``)."""
    text = _ADDRESS_LOCAL_PART.sub('...@', ' '.join(reason.split()))
    return excerpt(text, MAX_REASON_LENGTH) if text else '(no reason)'


def summarize_blocks(entries: List[dict], match: str = DEFAULT_MATCH, max_domains: int = DEFAULT_MAX_DOMAINS) -> dict:
    """What an account's blocks list says of Enforced TLS.

    ``tls_blocks``: how many entries' reason holds ``match``; ``domains``: their recipient domains with
    how many each, the largest first (at most ``max_domains``; ``more_domains`` counts the rest);
    ``first_blocked``/``last_blocked``: the first and last of them (UTC, ISO 8601), or None;
    ``other_blocks``: how many entries have another reason, and the most common of those reasons.
    """
    tls = [entry for entry in entries if is_tls_block(entry, match)]
    other = [entry for entry in entries if not is_tls_block(entry, match)]
    domains = Counter(recipient_domain(entry['email']) for entry in tls)
    reasons = Counter(_shown_reason(entry['reason']) for entry in other)
    created = [entry['created'] for entry in tls]
    return {
        'tls_blocks': len(tls),
        'domains': _counted(domains, max_domains, 'domain'),
        'more_domains': max(0, len(domains) - max_domains),
        'first_blocked': _utc(min(created)) if created else None,
        'last_blocked': _utc(max(created)) if created else None,
        'other_blocks': {'count': len(other), 'reasons': _counted(reasons, MAX_REASONS, 'reason')},
    }


def describe_domains(domains: list, more: int) -> str:
    """The blocked domains of a summary: ``old.example (2), legacy.example (1), and 2 more domains``."""
    shown = ', '.join('{0} ({1})'.format(item['domain'], item['blocks']) for item in domains)
    return shown + (', and {0} more domain{1}'.format(more, '' if more == 1 else 's') if more else '')


def describe_summary(summary: dict) -> str:
    """One line about an account's TLS blocks: ``3 TLS blocks, at old.example (2), legacy.example (1)``."""
    if not summary['tls_blocks']:
        return 'no TLS blocks'
    return '{0} TLS block{1}, at {2}'.format(summary['tls_blocks'], '' if summary['tls_blocks'] == 1 else 's',
                                             describe_domains(summary['domains'], summary['more_domains']))


def utc_text(timestamp: Optional[int]) -> Optional[str]:
    return None if timestamp is None else _utc(timestamp)
