# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""sendgrid_tls_blocks_info: one account, or a batch of subusers."""

from __future__ import annotations

import calendar
import json
import types

import pytest

from ansible_collections.mailops.sendgrid.plugins.modules import sendgrid_tls_blocks_info
from ansible_collections.mailops.sendgrid.tests.unit.plugins.modules.sendgrid_module_helpers import (
    args,
    patch_session,
    set_module_args,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    BLOCKS_URL,
    TLS_REASON,
    FakeBlocksServer,
    FakeResponse,
    FakeSession,
    block,
)

MODULE = sendgrid_tls_blocks_info
# The module's clock: 2027-01-15T08:00:00Z and a half.
NOW = calendar.timegm((2027, 1, 15, 8, 0, 0)) + 0.5
WEEK_AGO = calendar.timegm((2027, 1, 8, 8, 0, 0))
DEC_1 = calendar.timegm((2026, 12, 1, 0, 0, 0))
JAN_1 = calendar.timegm((2027, 1, 1, 0, 0, 0))
FORBIDDEN = FakeResponse(403, {'errors': [{'message': 'access forbidden'}]})
UNAUTHORIZED = FakeResponse(401, {'errors': [{'field': None, 'message': 'authorization required'}]})
FORBIDDEN_B = ("GET /v3/suppression/blocks for subuser 'b' failed with HTTP 403 Forbidden (SendGrid says: access"
               ' forbidden). Check that the API key has the scope suppression.blocks.read. Also check that subuser'
               " 'b' exists and belongs to the parent account this key is for.")
# The entries a failed account keeps.
FAILURE_KEYS = {'account', 'failed', 'msg', 'status', 'api_messages', 'error_id', 'retries', 'waited',
                'not_attempted'}

# An account's blocks list: three TLS blocks at two domains, two entries with other reasons.
MIXED = [
    block('ann.private@old.example', created=DEC_1 + 3600),
    block('bob.private@Legacy.Example', 'tls required but not supported by mx1', created=DEC_1 + 7200),
    block('cy.private@OLD.example', created=DEC_1 + 60),
    block('dee.private@full.example', 'mailbox full', created=DEC_1 + 30),
    block('eve.private@full.example', 'mailbox   full', created=DEC_1 + 99999),
]
MIXED_ENTRY = {
    'tls_blocks': 3,
    'domains': [{'domain': 'old.example', 'blocks': 2}, {'domain': 'legacy.example', 'blocks': 1}],
    'more_domains': 0,
    'first_blocked': '2026-12-01T00:01:00Z',
    'last_blocked': '2026-12-01T02:00:00Z',
    'other_blocks': {'count': 2, 'reasons': [{'reason': 'mailbox full', 'blocks': 2}]},
    'complete': True,
    'failed': False,
    'msg': '3 TLS blocks, at old.example (2), legacy.example (1)',
}
NO_BLOCKS_ENTRY = {
    'tls_blocks': 0, 'domains': [], 'more_domains': 0, 'first_blocked': None, 'last_blocked': None,
    'other_blocks': {'count': 0, 'reasons': []}, 'complete': True, 'failed': False, 'msg': 'no TLS blocks',
}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """The module's clock (for the default window) stands at NOW."""
    monkeypatch.setattr(MODULE, 'time', types.SimpleNamespace(time=lambda: NOW))


def server_session(blocks, **options):
    server = FakeBlocksServer(blocks, **options)
    return server, FakeSession(forever=lambda: server)


def entry(account, **fields):
    return dict(MIXED_ENTRY, account=account, **fields)


# ---------------------------------------------------------------------------
# One account
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('on_behalf_of, headers', [
    (None, {}),
    ('marketing', {'On-Behalf-Of': 'marketing'}),
    ('account-id 42', {'On-Behalf-Of': 'account-id 42'}),
])
def test_one_account(run, on_behalf_of, headers):
    server, session = server_session({on_behalf_of: MIXED})
    result = run(args(on_behalf_of=on_behalf_of, since='2026-12-01', until='2026-12-31T23:59:59Z'), session)
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['since'] == '2026-12-01T00:00:00Z'
    assert result['until'] == '2026-12-31T23:59:59Z'
    assert result['accounts'] == [entry(on_behalf_of)]
    assert result['summary'] == {'accounts': 1, 'with_tls_blocks': 1, 'tls_blocks': 3, 'failed': 0}
    assert [call['params'] for call in session.calls] == [
        {'limit': 500, 'offset': 0, 'start_time': DEC_1, 'end_time': JAN_1 - 1}]
    assert [call['headers'] for call in session.calls] == [headers]
    assert [call['url'] for call in session.calls] == [BLOCKS_URL]
    assert session.methods == ['GET']
    assert session.pool_sizes == [1]
    assert session.closed is True


def test_one_account_default_window_is_the_last_week(run):
    server, session = server_session({None: []})
    result = run(args(), session)
    assert result['since'] == '2027-01-08T08:00:00Z'
    assert result['until'] is None
    assert result['accounts'] == [dict(NO_BLOCKS_ENTRY, account=None)]
    assert result['summary'] == {'accounts': 1, 'with_tls_blocks': 0, 'tls_blocks': 0, 'failed': 0}
    # No end: up to the time of the read.
    assert server.params_for(None) == [{'limit': 500, 'offset': 0, 'start_time': WEEK_AGO}]


@pytest.mark.parametrize('since, until, start, end, since_text, until_text', [
    (DEC_1, None, DEC_1, None, '2026-12-01T00:00:00Z', None),
    (str(DEC_1), str(JAN_1), DEC_1, JAN_1, '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z'),
    ('2026-12-01T02:00:00+02:00', '2027-01-01', DEC_1, JAN_1, '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z'),
    ('2026-12-01T00:00:00', '2026-12-01T00:00:00Z', DEC_1, DEC_1, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'),
    (None, '2027-01-10T00:00:00-08:00', WEEK_AGO, JAN_1 + 9 * 86400 + 8 * 3600, '2027-01-08T08:00:00Z',
     '2027-01-10T08:00:00Z'),
])
def test_one_account_window(run, since, until, start, end, since_text, until_text):
    server, session = server_session({None: []})
    result = run(args(since=since, until=until), session)
    assert (result['since'], result['until']) == (since_text, until_text)
    expected = {'limit': 500, 'offset': 0, 'start_time': start}
    if end is not None:
        expected['end_time'] = end
    assert server.params_for(None) == [expected]


def test_one_account_window_filters_what_is_read(run):
    server, session = server_session({None: MIXED})
    result = run(args(since=DEC_1 + 61, until=DEC_1 + 3600), session)
    assert result['accounts'][0]['tls_blocks'] == 1
    assert result['accounts'][0]['first_blocked'] == result['accounts'][0]['last_blocked'] == '2026-12-01T01:00:00Z'
    assert result['accounts'][0]['other_blocks'] == {'count': 0, 'reasons': []}


def test_one_account_match_max_domains_and_page_size(run):
    entries = [block('r{0}@d{1}.example'.format(number, count), 'STARTTLS failed', created=DEC_1 + count)
               for count in range(1, 5) for number in range(count)] + [block('x@y.example', created=DEC_1)]
    server, session = server_session({'marketing': entries})
    result = run(args(on_behalf_of='marketing', since=DEC_1, match='starttls', max_domains=2, page_size=4), session)
    account = result['accounts'][0]
    assert account['tls_blocks'] == 10
    assert account['domains'] == [{'domain': 'd4.example', 'blocks': 4}, {'domain': 'd3.example', 'blocks': 3}]
    assert account['more_domains'] == 2
    assert account['other_blocks'] == {'count': 1, 'reasons': [{'reason': TLS_REASON, 'blocks': 1}]}
    assert account['msg'] == '10 TLS blocks, at d4.example (4), d3.example (3), and 2 more domains'
    assert account['complete'] is True
    assert [params['offset'] for params in server.params_for('marketing')] == [0, 4, 8]
    assert {params['limit'] for params in server.params_for('marketing')} == {4}


def test_one_account_max_blocks_reached(run):
    entries = [block('r{0}@old.example'.format(index), created=DEC_1 + index) for index in range(5)]
    server, session = server_session({None: entries})
    result = run(args(since=DEC_1, max_blocks=3, page_size=2), session)
    assert 'failed' not in result
    account = result['accounts'][0]
    assert account['complete'] is False
    assert account['tls_blocks'] == 3
    assert account['last_blocked'] == '2026-12-01T00:00:02Z'
    assert account['msg'] == '3 TLS blocks, at old.example (3) (read up to max_blocks entries)'
    assert [params['offset'] for params in server.params_for(None)] == [0, 2]


def test_one_account_names_no_recipient_address(run):
    server, session = server_session({None: MIXED})
    result = run(args(since=DEC_1), session)
    assert 'private' not in json.dumps(result)


@pytest.mark.parametrize('status, needle', [
    (401, 'Check the api_key option (or SENDGRID_API_KEY); an EU key needs region: eu.'),
    (403, 'Check that the API key has the scope suppression.blocks.read.'),
    (404, 'Check api_url and region; EU subusers need region: eu.'),
])
def test_one_account_api_error(run, status, needle):
    answer = FakeResponse(status, {'errors': [{'message': 'SendGrid refused'}], 'id': 'e-42'})
    server, session = server_session({}, errors={'x': answer})
    result = run(args(on_behalf_of='x', since=DEC_1), session)
    assert result['failed'] is True
    assert result['status'] == status
    assert result['account'] == 'x'
    assert result['api_messages'] == ['SendGrid refused']
    assert result['error_id'] == 'e-42'
    assert result['since'] == '2026-12-01T00:00:00Z'
    assert result['until'] is None
    assert result['changed'] is False
    assert result['msg'].startswith("GET /v3/suppression/blocks for subuser 'x' failed with HTTP {0}".format(status))
    assert needle in result['msg']
    assert 'accounts' not in result
    assert len(session.calls) == 1


def test_one_account_untrustworthy_answer(run):
    session = FakeSession([FakeResponse(200, {'result': []})])
    result = run(args(on_behalf_of='x'), session)
    assert result['failed'] is True
    assert 'status' not in result
    assert result['msg'] == ("SendGrid's answer to GET /v3/suppression/blocks for subuser 'x' (offset 0) is not a"
                             " list of blocks: \"{'result': []}\"")


def test_check_mode_reads_and_changes_nothing(run):
    server, session = server_session({'marketing': MIXED})
    normal = run(args(on_behalf_of='marketing', since=DEC_1), session)
    checked = run(args(on_behalf_of='marketing', since=DEC_1, _ansible_check_mode=True), session)
    assert checked == normal
    assert checked['changed'] is False
    assert checked['accounts'] == [entry('marketing')]
    assert session.methods == ['GET', 'GET']


def test_batch_check_mode_reads_and_changes_nothing(run):
    server, session = server_session({'a': MIXED, 'b': []})
    result = run(args(subusers=['a', 'b'], since=DEC_1, _ansible_check_mode=True), session)
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['accounts'] == [entry('a'), dict(NO_BLOCKS_ENTRY, account='b')]
    assert set(session.methods) == {'GET'}


# ---------------------------------------------------------------------------
# A batch of subusers
# ---------------------------------------------------------------------------

def test_batch_results_in_input_order(run):
    quiet = [block('x@y.example', 'mailbox full', created=DEC_1)]
    server, session = server_session({'d': MIXED, 'b': quiet, 'a': [], 'account-id 7': MIXED[:1]})
    result = run(args(subusers=['d', 'b', 'a', 'account-id 7'], since=DEC_1, workers=3), session)
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['since'] == '2026-12-01T00:00:00Z'
    assert result['accounts'] == [
        entry('d'),
        dict(NO_BLOCKS_ENTRY, account='b', other_blocks={'count': 1, 'reasons': [{'reason': 'mailbox full',
                                                                                  'blocks': 1}]}),
        dict(NO_BLOCKS_ENTRY, account='a'),
        dict(NO_BLOCKS_ENTRY, account='account-id 7', tls_blocks=1, domains=[{'domain': 'old.example', 'blocks': 1}],
             first_blocked='2026-12-01T01:00:00Z', last_blocked='2026-12-01T01:00:00Z',
             msg='1 TLS block, at old.example (1)'),
    ]
    assert result['summary'] == {'accounts': 4, 'with_tls_blocks': 2, 'tls_blocks': 4, 'failed': 0}
    # The parent is not read when no account fails.
    assert server.params_for(None) == []
    assert {account for account, dummy in server.requests} == {'d', 'b', 'a', 'account-id 7'}
    assert session.pool_sizes == [3]
    assert session.closed is True


def test_batch_empty_list(run):
    server, session = server_session({})
    result = run(args(subusers=[]), session)
    assert 'failed' not in result
    assert result['accounts'] == []
    assert result['summary'] == {'accounts': 0, 'with_tls_blocks': 0, 'tls_blocks': 0, 'failed': 0}
    assert session.calls == []


@pytest.mark.parametrize('workers', [1, 2, 16])
def test_batch_any_number_of_workers_gives_the_same_results(run, workers):
    names = ['s{0:02d}'.format(index) for index in range(12)]
    server, session = server_session(dict((name, MIXED[:index % 4]) for index, name in enumerate(names)))
    result = run(args(subusers=names, since=DEC_1, workers=workers), session)
    assert [item['account'] for item in result['accounts']] == names
    assert [item['tls_blocks'] for item in result['accounts']] == [min(index % 4, 3) for index in range(12)]
    assert result['summary'] == {'accounts': 12, 'with_tls_blocks': 9, 'tls_blocks': 18, 'failed': 0}
    assert session.pool_sizes == [min(workers, 12)]


def test_batch_default_workers(run):
    names = ['s{0:02d}'.format(index) for index in range(20)]
    server, session = server_session(dict((name, []) for name in names))
    run(args(subusers=names), session)
    assert session.pool_sizes == [16] == [sendgrid_tls_blocks_info.DEFAULT_WORKERS]


def test_batch_one_account_refused_with_403(run):
    server, session = server_session({None: [], 'a': MIXED, 'c': [], 'd': MIXED}, errors={'b': FORBIDDEN})
    result = run(args(subusers=['a', 'b', 'c', 'd'], since=DEC_1, workers=2), session)
    assert result['failed'] is True
    assert result['changed'] is False
    assert result['msg'] == ('Could not read the blocks of 1 of 4 accounts: b. First error: ' + FORBIDDEN_B
                             + ' Every account has its own result in accounts.')
    assert result['accounts'] == [
        entry('a'),
        {'account': 'b', 'failed': True, 'msg': FORBIDDEN_B, 'status': 403, 'api_messages': ['access forbidden']},
        dict(NO_BLOCKS_ENTRY, account='c'),
        entry('d'),
    ]
    assert result['summary'] == {'accounts': 4, 'with_tls_blocks': 2, 'tls_blocks': 6, 'failed': 1}
    assert result['since'] == '2026-12-01T00:00:00Z'
    # b's 403 might have been the key's: one read of the key's own account, one entry at most, settled it.
    assert server.params_for(None) == [{'limit': 1, 'offset': 0}]
    assert len(server.params_for('b')) == 1


def test_batch_failed_entry_keeps_its_error_id_and_retries(run):
    errors = {'b': FakeResponse(403, {'errors': [{'message': 'access forbidden'}], 'id': 'b0b0'}),
              'c': FakeResponse(500, {'errors': [{'message': 'internal error'}]})}
    server, session = server_session({None: [], 'a': []}, errors=errors)
    result = run(args(subusers=['a', 'b', 'c'], max_retries=0, workers=1), session)
    assert result['failed'] is True
    failed_b, failed_c = result['accounts'][1:]
    assert failed_b == {'account': 'b', 'failed': True, 'msg': FORBIDDEN_B + ' SendGrid error id: b0b0.',
                        'status': 403, 'api_messages': ['access forbidden'], 'error_id': 'b0b0'}
    assert set(failed_c) == {'account', 'failed', 'msg', 'status', 'api_messages', 'retries', 'waited'}
    assert (failed_c['status'], failed_c['retries'], failed_c['waited']) == (500, 0, 0)
    assert failed_c['msg'].startswith("GET /v3/suppression/blocks for subuser 'c' failed with HTTP 500")
    assert 'raise max_retries (now 0)' in failed_c['msg']
    assert result['msg'].startswith('Could not read the blocks of 2 of 3 accounts: b, c. First error: ')
    assert result['summary'] == {'accounts': 3, 'with_tls_blocks': 0, 'tls_blocks': 0, 'failed': 2}


def test_batch_failed_entries_keep_only_the_failure_fields(run):
    names = ['s{0}'.format(index) for index in range(6)]
    server, session = server_session({None: []}, errors=dict((name, FORBIDDEN) for name in names[::2]))
    server.blocks.update((name, MIXED) for name in names[1::2])
    result = run(args(subusers=names, since=DEC_1), session)
    for item in result['accounts']:
        if item['failed']:
            assert set(item) <= FAILURE_KEYS
            assert set(item) >= {'account', 'failed', 'msg', 'status', 'api_messages'}
        else:
            assert set(item) == set(entry('x'))
    assert [item['failed'] for item in result['accounts']] == [True, False] * 3
    assert result['summary'] == {'accounts': 6, 'with_tls_blocks': 3, 'tls_blocks': 9, 'failed': 3}


def test_batch_unknown_subuser(run):
    server, session = server_session({None: [], 'a': []})
    result = run(args(subusers=['a', 'ghost']), session)
    assert result['failed'] is True
    assert result['accounts'][1]['status'] == 404
    assert result['accounts'][1]['msg'].startswith(
        "GET /v3/suppression/blocks for subuser 'ghost' failed with HTTP 404 Not Found")
    assert 'Check api_url and region' in result['accounts'][1]['msg']
    assert result['msg'].startswith('Could not read the blocks of 1 of 2 accounts: ghost. First error: ')


def test_batch_a_key_refused_for_everyone_stops_the_batch(run):
    names = ['s{0:02d}'.format(index) for index in range(10)]
    server, session = server_session({}, errors=dict((name, UNAUTHORIZED) for name in names + [None]))
    result = run(args(subusers=names, since=DEC_1, workers=1), session)
    assert result['failed'] is True
    probe_error = ('GET /v3/suppression/blocks for the parent account failed with HTTP 401 Unauthorized (SendGrid'
                   ' says: authorization required). Check the API key: it may be mistyped, revoked, or from another'
                   ' region (an EU key is valid only at https://api.eu.sendgrid.com). Check the api_key option (or'
                   ' SENDGRID_API_KEY); an EU key needs region: eu.')
    assert result['msg'] == ('The API key is not usable, so the batch stopped: 9 of 10 accounts were not attempted,'
                             ' and no further request was sent. ' + probe_error + ' Accounts that failed: s00.'
                             ' Every account has its own result in accounts.')
    first = result['accounts'][0]
    assert set(first) == {'account', 'failed', 'msg', 'status', 'api_messages'}
    assert (first['account'], first['status']) == ('s00', 401)
    assert first['msg'].startswith("GET /v3/suppression/blocks for subuser 's00' failed with HTTP 401")
    assert result['accounts'][1:] == [{'account': name, 'failed': True, 'not_attempted': True,
                                       'msg': 'not attempted: the API key was refused'} for name in names[1:]]
    assert result['summary'] == {'accounts': 10, 'with_tls_blocks': 0, 'tls_blocks': 0, 'failed': 10}
    # One request for the first subuser and one for the key's own account; none after.
    assert server.requests == [('s00', {'limit': 500, 'offset': 0, 'start_time': DEC_1}),
                               (None, {'limit': 1, 'offset': 0})]


def test_batch_a_key_refused_for_everyone_with_many_workers(run):
    names = ['s{0:03d}'.format(index) for index in range(200)]
    server, session = server_session({}, errors=dict((name, UNAUTHORIZED) for name in names + [None]))
    result = run(args(subusers=names, workers=4), session)
    assert result['failed'] is True
    not_attempted = [item for item in result['accounts'] if item.get('not_attempted')]
    assert len(not_attempted) >= 200 - 4
    assert len(session.calls) <= 4 + 1
    assert server.params_for(None) == [{'limit': 1, 'offset': 0}]
    assert result['summary']['failed'] == 200
    assert result['msg'].startswith('The API key is not usable, so the batch stopped: {0} of 200 accounts were not'
                                    ' attempted'.format(len(not_attempted)))
    assert len(result['msg']) < 1200


def test_batch_one_subusers_401_does_not_stop_the_others(run):
    names = ['s{0:02d}'.format(index) for index in range(8)]
    server, session = server_session(dict((name, MIXED) for name in names), errors={'s03': UNAUTHORIZED})
    server.blocks[None] = []
    result = run(args(subusers=names, since=DEC_1, workers=2), session)
    assert result['summary'] == {'accounts': 8, 'with_tls_blocks': 7, 'tls_blocks': 21, 'failed': 1}
    assert [item['failed'] for item in result['accounts']] == [False] * 3 + [True] + [False] * 4
    assert 'not_attempted' not in result['accounts'][3]
    assert result['msg'].startswith('Could not read the blocks of 1 of 8 accounts: s03. First error: ')


def test_batch_key_check_is_one_request(run):
    server, session = server_session({None: MIXED, 'a': []}, errors={'b': FORBIDDEN})
    run(args(subusers=['a', 'b'], since=DEC_1), session)
    assert len(server.params_for(None)) == 1


# ---------------------------------------------------------------------------
# Inputs refused before any request
# ---------------------------------------------------------------------------

TIME_FORMS = 'a Unix time (seconds) or an ISO 8601 time such as 2026-12-01T08:00:00Z'


@pytest.mark.parametrize('options, message', [
    ({'since': 'last tuesday'}, "since must be {0}; got 'last tuesday' (string)".format(TIME_FORMS)),
    ({'since': -1}, 'since must be {0}; got -1 (integer)'.format(TIME_FORMS)),
    ({'since': True}, 'since must be {0}; got true (boolean)'.format(TIME_FORMS)),
    ({'since': 1.5}, 'since must be {0}; got 1.5 (float)'.format(TIME_FORMS)),
    ({'until': '2026-02-30'}, "until must be {0}; got '2026-02-30' (string)".format(TIME_FORMS)),
    ({'since': '2026-12-02', 'until': '2026-12-01T23:59:59Z'},
     'until (2026-12-01T23:59:59Z) is before since (2026-12-02T00:00:00Z); give a window that ends after it'
     ' starts'),
    ({'until': '2027-01-01'},
     'until (2027-01-01T00:00:00Z) is before since (2027-01-08T08:00:00Z); give a window that ends after it'
     ' starts'),
    ({'match': ''}, "match must be the text a TLS block's reason holds, 1 to 200 characters; got '' (string)"),
    ({'match': '   '},
     "match must be the text a TLS block's reason holds, 1 to 200 characters; got '   ' (string)"),
    ({'max_domains': 0}, 'max_domains must be a whole number from 1 to 1000; got 0 (integer)'),
    ({'max_domains': 1001}, 'max_domains must be a whole number from 1 to 1000; got 1001 (integer)'),
    ({'page_size': 501}, 'page_size must be a whole number from 1 to 500; got 501 (integer)'),
    ({'page_size': 0}, 'page_size must be a whole number from 1 to 500; got 0 (integer)'),
    ({'max_blocks': 0}, 'max_blocks must be a whole number from 1 to 100000; got 0 (integer)'),
    ({'max_blocks': 100001}, 'max_blocks must be a whole number from 1 to 100000; got 100001 (integer)'),
    ({'workers': 0}, 'workers must be a whole number from 1 to 100; got 0 (integer)'),
    ({'workers': 0, 'subusers': ['a']}, 'workers must be a whole number from 1 to 100; got 0 (integer)'),
    ({'workers': 101, 'subusers': ['a']}, 'workers must be a whole number from 1 to 100; got 101 (integer)'),
    ({'subusers': ['a', 'b', 'a']}, "subusers lists 'a' more than once"),
    ({'subusers': ['a', '']}, 'subusers[1] must not be empty or only whitespace'),
    ({'on_behalf_of': 'b', 'subusers': ['a']}, 'parameters are mutually exclusive: on_behalf_of|subusers'),
])
def test_bad_inputs_fail_before_any_request(run, options, message):
    server, session = server_session({None: MIXED, 'a': MIXED, 'b': MIXED})
    result = run(args(**options), session)
    assert result['failed'] is True
    assert result['msg'] == message
    assert session.calls == []
    # Refused before the client is even built.
    assert session.pool_sizes == []
    assert 'accounts' not in result


@pytest.mark.parametrize('options', [
    {'since': '\u00b2'},
    {'since': 99999999999999},
    {'until': '9999-12-31T23:00:00-05:00'},
    {'since': '1969-12-31'},
], ids=['superscript', 'past-9999', 'offset-past-9999', 'before-1970'])
def test_times_out_of_range_fail_before_any_request(run, options):
    server, session = server_session({None: []})
    result = run(args(**options), session)
    assert result['failed'] is True
    assert result['msg'].startswith(tuple(options))
    assert session.calls == []


def test_match_too_long_fails_before_any_request(run):
    server, session = server_session({None: MIXED})
    result = run(args(match='x' * 201), session)
    assert result['failed'] is True
    assert result['msg'].startswith("match must be the text a TLS block's reason holds, 1 to 200 characters; got 'x")
    assert session.calls == []


@pytest.mark.parametrize('on_behalf_of', ['sub\r\nX-Injected: 1', '', ' sub'])
def test_bad_on_behalf_of_fails_before_any_request(run, on_behalf_of):
    server, session = server_session({None: MIXED})
    result = run(args(on_behalf_of=on_behalf_of), session)
    assert result['failed'] is True
    assert result['msg'].startswith('on_behalf_of ')
    assert session.calls == []
    assert session.pool_sizes == []


def test_missing_api_key_fails_before_any_request(run):
    server, session = server_session({None: MIXED})
    result = run({'since': DEC_1}, session)
    assert result['failed'] is True
    assert 'SENDGRID_API_KEY' in result['msg']
    assert session.calls == []


# ---------------------------------------------------------------------------
# The API key
# ---------------------------------------------------------------------------

def test_a_key_echoed_by_sendgrid_is_never_shown(run):
    # The run fixture checks every result for the key; here SendGrid's answers hold it.
    echo = FakeResponse(403, {'errors': [{'message': 'key ' + API_KEY + ' refused'}], 'id': API_KEY})
    server, session = server_session({None: []}, errors={'b': echo})
    result = run(args(subusers=['a', 'b'], since=DEC_1), session)
    assert result['failed'] is True
    text = json.dumps(result)
    assert API_KEY not in text
    assert API_KEY[3:] not in text
    assert 'refused' in result['accounts'][1]['api_messages'][0]


def test_real_output_never_shows_the_key(monkeypatch, capsys):
    echo = FakeResponse(403, {'errors': [{'message': 'key ' + API_KEY + ' refused'}]})
    server, session = server_session({None: [], 'a': MIXED}, errors={'b': echo})
    patch_session(monkeypatch, session)
    with set_module_args(args(subusers=['a', 'b'], since=DEC_1)):
        with pytest.raises(SystemExit) as excinfo:
            sendgrid_tls_blocks_info.main()
    assert excinfo.value.code == 1
    out = capsys.readouterr().out
    assert API_KEY not in out
    assert API_KEY[3:] not in out
    result = json.loads(out)
    assert result['failed'] is True
    assert [item['account'] for item in result['accounts']] == ['a', 'b']
    assert result['accounts'][0]['tls_blocks'] == 3
    assert result['summary'] == {'accounts': 2, 'with_tls_blocks': 1, 'tls_blocks': 3, 'failed': 1}
