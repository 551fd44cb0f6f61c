# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The time window of a blocks list read, and what its entries say of Enforced TLS."""

from __future__ import annotations

import calendar
import json
import time

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._tls_blocks import (
    DEFAULT_MATCH,
    DEFAULT_MAX_DOMAINS,
    DEFAULT_SINCE_DAYS,
    MAX_REASONS,
    NO_DOMAIN,
    check_match,
    check_max_domains,
    describe_summary,
    is_tls_block,
    parse_time,
    recipient_domain,
    summarize_blocks,
    time_window,
    utc_text,
)

TIME_FORMS = 'a Unix time (seconds) or an ISO 8601 time such as 2026-12-01T08:00:00Z'
# 2026-12-01T00:00:00Z and 08:00:00Z, computed apart from the code under test.
DEC_1 = calendar.timegm((2026, 12, 1, 0, 0, 0))
DEC_1_8AM = DEC_1 + 8 * 3600
NOW = 1800000000.75
DAY = 86400


def utc(*fields):
    return calendar.timegm(fields + (0,) * (6 - len(fields)))


def entry(email, reason=DEFAULT_MATCH, created=DEC_1):
    """A normalized blocks list entry (as _sendgrid_api.normalize_block gives it)."""
    return {'created': created, 'email': email, 'reason': reason, 'status': '4.0.0'}


# ---------------------------------------------------------------------------
# parse_time
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (0, 0),
    (DEC_1, DEC_1),
    (1, 1),
    (str(DEC_1), DEC_1),
    ('0', 0),
    (' 1796083200 \n', 1796083200),
    ('00042', 42),
])
def test_parse_time_unix_times(value, expected):
    parsed = parse_time(value, 'since')
    assert parsed == expected
    assert isinstance(parsed, int) and not isinstance(parsed, bool)


@pytest.mark.parametrize('value, expected', [
    ('2026-12-01', DEC_1),
    ('2026-12-01T08:00:00Z', DEC_1_8AM),
    ('2026-12-01T08:00:00z', DEC_1_8AM),
    ('2026-12-01T08:00Z', DEC_1_8AM),
    ('  2026-12-01T08:00:00Z  ', DEC_1_8AM),
    ('2026-12-01T08:00:00.999Z', DEC_1_8AM),
    ('2026-12-01 08:00:00Z', DEC_1_8AM),
    # With an offset: the same instant in UTC.
    ('2026-12-01T08:00:00+00:00', DEC_1_8AM),
    ('2026-12-01T08:00:00+02:00', DEC_1_8AM - 2 * 3600),
    ('2026-12-01T08:00:00-05:30', DEC_1_8AM + 5 * 3600 + 30 * 60),
    ('2026-12-01T01:00:00+02:00', utc(2026, 11, 30, 23)),
    # Naive: UTC, whatever the local time zone of the host.
    ('2026-12-01T08:00:00', DEC_1_8AM),
    ('2026-12-01T08:00', DEC_1_8AM),
    ('1970-01-01T00:00:00Z', 0),
    ('2024-02-29T23:59:59Z', utc(2024, 2, 29, 23, 59, 59)),
])
def test_parse_time_iso_8601(value, expected):
    parsed = parse_time(value, 'until')
    assert parsed == expected
    assert isinstance(parsed, int) and not isinstance(parsed, bool)


def test_parse_time_naive_is_utc_whatever_the_local_zone(monkeypatch):
    if not hasattr(time, 'tzset'):
        pytest.skip('no tzset on this platform')
    # A POSIX zone five hours west of UTC, needing no zone database.
    monkeypatch.setenv('TZ', 'WEST+05')
    time.tzset()
    try:
        assert time.timezone == 5 * 3600
        assert parse_time('2026-12-01T08:00:00', 'since') == DEC_1_8AM
        assert parse_time('2026-12-01', 'since') == DEC_1
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize('value, shown', [
    (True, 'true (boolean)'),
    (False, 'false (boolean)'),
    (-1, '-1 (integer)'),
    (-DEC_1, '-{0} (integer)'.format(DEC_1)),
    (1.5, '1.5 (float)'),
    (float(DEC_1), '{0!r} (float)'.format(float(DEC_1))),
    (None, 'null'),
    ('', "'' (string)"),
    ('   ', "'   ' (string)"),
    ('yesterday', "'yesterday' (string)"),
    ('-5', "'-5' (string)"),
    ('1.5', "'1.5' (string)"),
    ('2026-13-01', "'2026-13-01' (string)"),
    ('2026-12-01T25:00:00Z', "'2026-12-01T25:00:00Z' (string)"),
    ('2026-12-01T08:00:00+02:00Z', "'2026-12-01T08:00:00+02:00Z' (string)"),
    ('Z', "'Z' (string)"),
    ([DEC_1], '[{0}] (list)'.format(DEC_1)),
    ({'since': DEC_1}, "{{'since': {0}}} (dict)".format(DEC_1)),
])
@pytest.mark.parametrize('field', ['since', 'until'])
def test_parse_time_refuses_naming_the_field(value, shown, field):
    with pytest.raises(SendGridConfigError) as excinfo:
        parse_time(value, field)
    assert excinfo.value.message == '{0} must be {1}; got {2}'.format(field, TIME_FORMS, shown)


def test_parse_time_refusal_of_a_long_value_is_bounded():
    with pytest.raises(SendGridConfigError) as excinfo:
        parse_time('x' * 5000, 'since')
    assert len(excinfo.value.message) < 300
    assert '(5002 characters)' in excinfo.value.message


def test_parse_time_refuses_superscript_digits():
    with pytest.raises(SendGridConfigError):
        parse_time('\u00b2', 'since')


def test_parse_time_refuses_iso_times_before_1970():
    with pytest.raises(SendGridConfigError):
        parse_time('1969-12-31', 'since')


# ---------------------------------------------------------------------------
# time_window
# ---------------------------------------------------------------------------

def test_time_window_defaults_to_the_last_days():
    assert DEFAULT_SINCE_DAYS == 7
    assert time_window(None, None, NOW) == (1800000000 - 7 * DAY, None)


def test_time_window_default_since_with_an_until():
    assert time_window(None, '2027-01-15', NOW) == (1800000000 - 7 * DAY, utc(2027, 1, 15))


@pytest.mark.parametrize('since, until, expected', [
    (DEC_1, None, (DEC_1, None)),
    ('2026-12-01', '2026-12-01T08:00:00Z', (DEC_1, DEC_1_8AM)),
    (str(DEC_1), DEC_1_8AM, (DEC_1, DEC_1_8AM)),
    ('2026-12-01T10:00:00+02:00', '2026-12-01T08:00:00', (DEC_1_8AM, DEC_1_8AM)),
    (0, 0, (0, 0)),
])
def test_time_window_given(since, until, expected):
    assert time_window(since, until, NOW) == expected


@pytest.mark.parametrize('since, until, message', [
    ('2026-12-01', '2026-11-30T23:59:59Z',
     'until (2026-11-30T23:59:59Z) is before since (2026-12-01T00:00:00Z); give a window that ends after it starts'),
    (DEC_1_8AM, DEC_1_8AM - 1,
     'until (2026-12-01T07:59:59Z) is before since (2026-12-01T08:00:00Z); give a window that ends after it starts'),
    # Before the default since too.
    (None, 1800000000 - 8 * DAY,
     'until (2027-01-07T08:00:00Z) is before since (2027-01-08T08:00:00Z); give a window that ends after it starts'),
])
def test_time_window_refuses_an_until_before_since(since, until, message):
    with pytest.raises(SendGridConfigError) as excinfo:
        time_window(since, until, NOW)
    assert excinfo.value.message == message


@pytest.mark.parametrize('since, until, field', [
    ('soon', None, 'since'),
    (None, 'later', 'until'),
    (True, DEC_1, 'since'),
    (DEC_1, -1, 'until'),
    ('bad', 'worse', 'since'),
])
def test_time_window_refusals_name_the_field(since, until, field):
    with pytest.raises(SendGridConfigError) as excinfo:
        time_window(since, until, NOW)
    assert excinfo.value.message.startswith('{0} must be {1}; got '.format(field, TIME_FORMS))


@pytest.mark.parametrize('since', [99999999999999, '99999999999999'], ids=['integer', 'digits'])
def test_time_window_refuses_times_that_cannot_be_shown(since):
    with pytest.raises(SendGridConfigError):
        start, end = time_window(since, None, NOW)
        utc_text(start)


# ---------------------------------------------------------------------------
# check_match / check_max_domains
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value', [DEFAULT_MATCH, 'x', 'STARTTLS', ' tls ', 'y' * 200])
def test_check_match_accepts(value):
    assert check_match(value) == value


@pytest.mark.parametrize('value, shown', [
    ('', "'' (string)"),
    ('   ', "'   ' (string)"),
    ('\n\t', "'\\n\\t' (string)"),
    (None, 'null'),
    (42, '42 (integer)'),
    (True, 'true (boolean)'),
    (['TLS'], "['TLS'] (list)"),
    ('y' * 201, "'{0}... (203 characters) (string)".format('y' * 79)),
])
def test_check_match_refuses(value, shown):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_match(value)
    assert excinfo.value.message == ("match must be the text a TLS block's reason holds, 1 to 200 characters; got"
                                     ' ' + shown)


@pytest.mark.parametrize('value', [1, 2, DEFAULT_MAX_DOMAINS, 1000])
def test_check_max_domains_accepts(value):
    assert check_max_domains(value) == value


@pytest.mark.parametrize('value, shown', [
    (0, '0 (integer)'),
    (-1, '-1 (integer)'),
    (1001, '1001 (integer)'),
    (True, 'true (boolean)'),
    ('5', "'5' (string)"),
    (2.0, '2.0 (float)'),
    (None, 'null'),
])
def test_check_max_domains_refuses(value, shown):
    with pytest.raises(SendGridConfigError) as excinfo:
        check_max_domains(value)
    assert excinfo.value.message == 'max_domains must be a whole number from 1 to 1000; got ' + shown


# ---------------------------------------------------------------------------
# recipient_domain / is_tls_block
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('email, domain', [
    ('ann@old.example', 'old.example'),
    ('Ann@Old.EXAMPLE', 'old.example'),
    ('ann@old.example ', 'old.example'),
    ('"a@b"@quoted.example', 'quoted.example'),
    ('a@b@last.example', 'last.example'),
    ('no-at-sign', NO_DOMAIN),
    ('', NO_DOMAIN),
    ('ann@', NO_DOMAIN),
    ('ann@   ', NO_DOMAIN),
    ('@bare.example', 'bare.example'),
])
def test_recipient_domain(email, domain):
    assert recipient_domain(email) == domain
    assert NO_DOMAIN == '(no domain)'


@pytest.mark.parametrize('reason, match, expected', [
    ('TLS required but not supported', DEFAULT_MATCH, True),
    ('tls REQUIRED but NOT supported', DEFAULT_MATCH, True),
    ('550 5.7.1 TLS required but not supported by mx.old.example', DEFAULT_MATCH, True),
    ('TLS required', DEFAULT_MATCH, False),
    ('mailbox full', DEFAULT_MATCH, False),
    ('', DEFAULT_MATCH, False),
    ('STARTTLS negotiation failed', 'starttls', True),
    ('Certificate verification failed', 'CERTIFICATE', True),
    ('certificate verification failed', 'TLS', False),
    ('Straße blocked', 'STRASSE', True),
])
def test_is_tls_block_compares_regardless_of_case_anywhere(reason, match, expected):
    assert is_tls_block(entry('a@b.example', reason), match) is expected


def test_is_tls_block_default_match():
    assert is_tls_block(entry('a@b.example', 'x TLS REQUIRED BUT NOT SUPPORTED y')) is True
    assert is_tls_block(entry('a@b.example', 'bounced')) is False


# ---------------------------------------------------------------------------
# summarize_blocks
# ---------------------------------------------------------------------------

EMPTY_SUMMARY = {'tls_blocks': 0, 'domains': [], 'more_domains': 0, 'first_blocked': None, 'last_blocked': None,
                 'other_blocks': {'count': 0, 'reasons': []}}


def test_summarize_blocks_of_nothing():
    assert summarize_blocks([]) == EMPTY_SUMMARY


def test_summarize_blocks_only_other_reasons():
    summary = summarize_blocks([entry('a@x.example', 'mailbox full', DEC_1), entry('b@x.example', 'mailbox full')])
    assert summary == dict(EMPTY_SUMMARY, other_blocks={'count': 2, 'reasons': [{'reason': 'mailbox full',
                                                                                 'blocks': 2}]})


def test_summarize_blocks_mixed():
    entries = [
        entry('ann@old.example', created=DEC_1 + 60),
        entry('bob@Legacy.Example', 'tls required but not supported (no STARTTLS)', created=DEC_1_8AM),
        entry('cy@OLD.example', created=DEC_1),
        entry('dee@full.example', 'mailbox full', created=DEC_1 - DAY),
        entry('eve@nowhere.example', 'unknown host', created=DEC_1 + DAY),
        entry('fay@full.example', 'mailbox  full\n', created=DEC_1 - 2 * DAY),
    ]
    assert summarize_blocks(entries) == {
        'tls_blocks': 3,
        'domains': [{'domain': 'old.example', 'blocks': 2}, {'domain': 'legacy.example', 'blocks': 1}],
        'more_domains': 0,
        # Only TLS blocks date the window: the other entries were earlier and later.
        'first_blocked': '2026-12-01T00:00:00Z',
        'last_blocked': '2026-12-01T08:00:00Z',
        'other_blocks': {'count': 3, 'reasons': [{'reason': 'mailbox full', 'blocks': 2},
                                                 {'reason': 'unknown host', 'blocks': 1}]},
    }


def test_summarize_blocks_first_and_last_whatever_the_order():
    created = [DEC_1 + 5, DEC_1 + 1, DEC_1 + 9, DEC_1 + 3]
    summary = summarize_blocks([entry('x{0}@a.example'.format(index), created=value)
                                for index, value in enumerate(created)])
    assert summary['first_blocked'] == '2026-12-01T00:00:01Z'
    assert summary['last_blocked'] == '2026-12-01T00:00:09Z'


def test_summarize_blocks_one_block_is_first_and_last():
    summary = summarize_blocks([entry('a@a.example', created=0)])
    assert summary['first_blocked'] == summary['last_blocked'] == '1970-01-01T00:00:00Z'


def test_summarize_blocks_domains_largest_first_ties_by_name():
    counts = {'b.example': 2, 'a.example': 2, 'c.example': 3, 'z.example': 1, 'd.example': 2}
    entries = [entry('r{0}@{1}'.format(number, domain)) for domain, count in counts.items()
               for number in range(count)]
    assert summarize_blocks(entries)['domains'] == [
        {'domain': 'c.example', 'blocks': 3},
        {'domain': 'a.example', 'blocks': 2},
        {'domain': 'b.example', 'blocks': 2},
        {'domain': 'd.example', 'blocks': 2},
        {'domain': 'z.example', 'blocks': 1},
    ]


def test_summarize_blocks_domains_are_counted_in_lower_case():
    entries = [entry('a@Mixed.Example'), entry('b@MIXED.EXAMPLE'), entry('c@mixed.example')]
    assert summarize_blocks(entries)['domains'] == [{'domain': 'mixed.example', 'blocks': 3}]


def test_summarize_blocks_entries_without_a_domain():
    entries = [entry('no-domain'), entry('also@'), entry('x@real.example')]
    assert summarize_blocks(entries)['domains'] == [{'domain': '(no domain)', 'blocks': 2},
                                                    {'domain': 'real.example', 'blocks': 1}]


@pytest.mark.parametrize('max_domains, shown, more', [
    (1, ['d5.example'], 4),
    (2, ['d5.example', 'd4.example'], 3),
    (4, ['d5.example', 'd4.example', 'd3.example', 'd2.example'], 1),
    (5, ['d5.example', 'd4.example', 'd3.example', 'd2.example', 'd1.example'], 0),
    (1000, ['d5.example', 'd4.example', 'd3.example', 'd2.example', 'd1.example'], 0),
])
def test_summarize_blocks_bounded_by_max_domains(max_domains, shown, more):
    # dN.example has N blocks.
    entries = [entry('r{0}@d{1}.example'.format(number, count)) for count in range(1, 6) for number in range(count)]
    summary = summarize_blocks(entries, max_domains=max_domains)
    assert [item['domain'] for item in summary['domains']] == shown
    assert [item['blocks'] for item in summary['domains']] == [int(name[1]) for name in shown]
    assert summary['more_domains'] == more
    # Every block is counted, named domain or not.
    assert summary['tls_blocks'] == 15


def test_summarize_blocks_default_max_domains():
    entries = [entry('r@d{0:02d}.example'.format(index)) for index in range(25)]
    summary = summarize_blocks(entries)
    assert len(summary['domains']) == DEFAULT_MAX_DOMAINS == 20
    assert summary['more_domains'] == 5
    assert summary['domains'][0] == {'domain': 'd00.example', 'blocks': 1}
    assert summary['domains'][-1] == {'domain': 'd19.example', 'blocks': 1}


def test_summarize_blocks_with_another_match():
    entries = [entry('a@x.example', 'STARTTLS failed'), entry('b@y.example', DEFAULT_MATCH),
               entry('c@z.example', 'starttls: no certificate')]
    summary = summarize_blocks(entries, match='StartTLS')
    assert summary['tls_blocks'] == 2
    assert summary['domains'] == [{'domain': 'x.example', 'blocks': 1}, {'domain': 'z.example', 'blocks': 1}]
    assert summary['other_blocks'] == {'count': 1, 'reasons': [{'reason': DEFAULT_MATCH, 'blocks': 1}]}


def test_summarize_blocks_the_five_most_common_other_reasons():
    counts = {'r-one': 1, 'r-six': 6, 'r-two': 2, 'r-four': 4, 'r-three-b': 3, 'r-three-a': 3, 'r-five': 5}
    entries = [entry('x@o.example', reason) for reason, count in counts.items() for dummy in range(count)]
    other = summarize_blocks(entries)['other_blocks']
    assert MAX_REASONS == 5
    assert other == {'count': 24, 'reasons': [
        {'reason': 'r-six', 'blocks': 6},
        {'reason': 'r-five', 'blocks': 5},
        {'reason': 'r-four', 'blocks': 4},
        {'reason': 'r-three-a', 'blocks': 3},
        {'reason': 'r-three-b', 'blocks': 3},
    ]}


def test_summarize_blocks_other_reasons_whitespace_folded():
    entries = [entry('a@o.example', 'mailbox full'), entry('b@o.example', '  mailbox\n\tfull  '),
               entry('c@o.example', 'mailbox\r\nfull'), entry('d@o.example', 'Mailbox full')]
    assert summarize_blocks(entries)['other_blocks']['reasons'] == [{'reason': 'mailbox full', 'blocks': 3},
                                                                    {'reason': 'Mailbox full', 'blocks': 1}]


@pytest.mark.parametrize('reason', ['', '   ', '\n'])
def test_summarize_blocks_other_entry_without_reason(reason):
    other = summarize_blocks([entry('a@o.example', reason)])['other_blocks']
    assert other == {'count': 1, 'reasons': [{'reason': '(no reason)', 'blocks': 1}]}


def test_summarize_blocks_other_reasons_cut_to_200_characters():
    long_reason = 'x' * 250
    at_bound = 'y' * 200
    other = summarize_blocks([entry('a@o.example', long_reason), entry('b@o.example', long_reason),
                              entry('c@o.example', at_bound)])['other_blocks']
    assert other['reasons'] == [{'reason': 'x' * 200 + '... (250 characters)', 'blocks': 2},
                                {'reason': at_bound, 'blocks': 1}]


def test_summarize_blocks_folds_whitespace_before_cutting():
    # 300 characters, 200 once its runs of spaces are one.
    reason = '  '.join(['ab'] * 50) + ' ' * 50
    other = summarize_blocks([entry('a@o.example', reason)])['other_blocks']
    assert other['reasons'] == [{'reason': ' '.join(['ab'] * 50), 'blocks': 1}]


def test_summarize_blocks_names_no_recipient_address():
    entries = [entry('alice.secret@old.example'), entry('bob.secret@legacy.example', created=DEC_1_8AM),
               entry('carol.secret@full.example', 'mailbox full')]
    text = json.dumps(summarize_blocks(entries))
    assert 'secret' not in text
    assert 'old.example' in text


def test_summarize_blocks_other_reasons_do_not_show_the_address():
    entries = [entry('carol.secret@full.example', '550 5.1.1 <carol.secret@full.example>: user unknown')]
    assert 'carol.secret' not in json.dumps(summarize_blocks(entries))


# ---------------------------------------------------------------------------
# describe_summary / utc_text
# ---------------------------------------------------------------------------

def test_describe_summary_of_nothing():
    assert describe_summary(EMPTY_SUMMARY) == 'no TLS blocks'
    assert describe_summary(summarize_blocks([entry('a@o.example', 'mailbox full')])) == 'no TLS blocks'


def test_describe_summary_one_block():
    assert describe_summary(summarize_blocks([entry('a@Old.Example')])) == '1 TLS block, at old.example (1)'


def test_describe_summary_several_blocks():
    entries = [entry('a@old.example'), entry('b@old.example'), entry('c@legacy.example'),
               entry('d@o.example', 'mailbox full')]
    assert describe_summary(summarize_blocks(entries)) == '3 TLS blocks, at old.example (2), legacy.example (1)'


def test_describe_summary_more_domains():
    entries = [entry('r{0}@d{1}.example'.format(number, count)) for count in range(1, 6) for number in range(count)]
    assert describe_summary(summarize_blocks(entries, max_domains=2)) == (
        '15 TLS blocks, at d5.example (5), d4.example (4), and 3 more domains')


def test_describe_summary_given_counts():
    summary = {'tls_blocks': 12, 'domains': [{'domain': 'a.example', 'blocks': 10}], 'more_domains': 2}
    assert describe_summary(summary) == '12 TLS blocks, at a.example (10), and 2 more domains'


def test_describe_summary_one_more_domain():
    summary = {'tls_blocks': 11, 'domains': [{'domain': 'a.example', 'blocks': 10}], 'more_domains': 1}
    assert describe_summary(summary) == '11 TLS blocks, at a.example (10), and 1 more domain'


def test_summarize_blocks_other_reasons_keep_the_domain_of_a_quoted_address():
    entries = [entry('carol.secret@full.example', '550 5.1.1 <carol.secret@full.example>: user unknown'),
               entry('dan@x.example', 'relay denied for dan+tag@x.example.')]
    reasons = [item['reason'] for item in summarize_blocks(entries)['other_blocks']['reasons']]
    assert sorted(reasons) == ['550 5.1.1 <...@full.example>: user unknown', 'relay denied for ...@x.example.']


@pytest.mark.parametrize('timestamp, text', [
    (None, None),
    (0, '1970-01-01T00:00:00Z'),
    (DEC_1_8AM, '2026-12-01T08:00:00Z'),
    (utc(2024, 2, 29, 23, 59, 59), '2024-02-29T23:59:59Z'),
])
def test_utc_text(timestamp, text):
    assert utc_text(timestamp) == text
