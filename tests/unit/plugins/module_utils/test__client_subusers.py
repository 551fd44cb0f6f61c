# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SendGridClient.list_subusers and find_subusers."""

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._client import SendGridClient
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridConfigError,
    SendGridResponseError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import SUBUSERS_PAGE_SIZE, SUBUSERS_PATH
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    FakeResponse,
    FakeSession,
    FakeSubuserServer,
    FakeTime,
    subuser,
)

URL = 'https://api.sendgrid.com' + SUBUSERS_PATH


def normalized(username, region='global', disabled=False, user_id=None):
    return {'username': username, 'id': user_id, 'email': username + '@example.com', 'disabled': disabled,
            'region': region}


@pytest.fixture
def make_client():
    def factory(answers=(), forever=None, **options):
        session = FakeSession(answers, forever=forever)
        fake_time = FakeTime()
        kwargs = dict(api_key=API_KEY, session=session, sleep=fake_time.sleep, clock=fake_time.clock,
                      rand=lambda: 0.5)
        kwargs.update(options)
        return SendGridClient(**kwargs), session
    return factory


def server_client(make_client, subusers, **server_options):
    server = FakeSubuserServer(subusers, **server_options)
    return make_client(forever=lambda: server)


def params_of(session):
    return [call['params'] for call in session.calls]


# ---------------------------------------------------------------------------
# list_subusers: paging
# ---------------------------------------------------------------------------

def test_list_subusers_pages_until_a_short_page(make_client):
    subusers = [subuser('s{0}'.format(index), user_id=index) for index in range(5)]
    client, session = server_client(make_client, subusers)
    listed = client.list_subusers(page_size=2)
    assert listed == [normalized('s{0}'.format(index), user_id=index) for index in range(5)]
    assert params_of(session) == [
        {'limit': 2, 'offset': 0, 'include_region': 'true'},
        {'limit': 2, 'offset': 2, 'include_region': 'true'},
        {'limit': 2, 'offset': 4, 'include_region': 'true'},
    ]
    assert session.methods == ['GET', 'GET', 'GET']
    assert [call['url'] for call in session.calls] == [URL] * 3
    assert [call['headers'] for call in session.calls] == [{}] * 3
    assert [call['json'] for call in session.calls] == [None] * 3


def test_list_subusers_default_page_size(make_client):
    # 500, as other clients page: the most SendGrid accepts.
    assert SUBUSERS_PAGE_SIZE == 500
    subusers = [subuser('s{0}'.format(index)) for index in range(750)]
    client, session = server_client(make_client, subusers)
    listed = client.list_subusers()
    assert [entry['username'] for entry in listed] == ['s{0}'.format(index) for index in range(750)]
    assert params_of(session) == [
        {'limit': 500, 'offset': 0, 'include_region': 'true'},
        {'limit': 500, 'offset': 500, 'include_region': 'true'},
    ]


def test_list_subusers_default_page_size_under_a_lower_server_cap(make_client):
    subusers = [subuser('s{0}'.format(index)) for index in range(250)]
    client, session = server_client(make_client, subusers, max_limit=100)
    listed = client.list_subusers()
    assert [entry['username'] for entry in listed] == ['s{0}'.format(index) for index in range(250)]
    assert [params['offset'] for params in params_of(session)] == [0, 100, 200]


def test_list_subusers_exact_multiple_of_the_page_size_needs_one_more_empty_page(make_client):
    subusers = [subuser('s{0}'.format(index)) for index in range(6)]
    client, session = server_client(make_client, subusers)
    listed = client.list_subusers(page_size=3)
    assert [entry['username'] for entry in listed] == ['s0', 's1', 's2', 's3', 's4', 's5']
    assert [params['offset'] for params in params_of(session)] == [0, 3, 6]
    assert len(session.calls) == 3


def test_list_subusers_none_at_all(make_client):
    client, session = server_client(make_client, [])
    assert client.list_subusers() == []
    assert params_of(session) == [{'limit': 500, 'offset': 0, 'include_region': 'true'}]


def test_list_subusers_username_prefix_filter(make_client):
    subusers = [subuser('mkt-1'), subuser('ops'), subuser('MKT-2', 'eu')]
    client, session = server_client(make_client, subusers)
    listed = client.list_subusers(username_prefix='mkt', page_size=5)
    # SendGrid's filter: names that start with it, regardless of case; the client keeps what it answers.
    assert listed == [normalized('mkt-1'), normalized('MKT-2', 'eu')]
    # A short first page may be the server's own cap: one more request proves it was the last.
    assert params_of(session) == [{'limit': 5, 'offset': 0, 'include_region': 'true', 'username': 'mkt'},
                                  {'limit': 5, 'offset': 2, 'include_region': 'true', 'username': 'mkt'}]


@pytest.mark.parametrize('region', ['global', 'eu'])
def test_list_subusers_region_filter_is_sent(make_client, region):
    subusers = [subuser('g1', 'global'), subuser('e1', 'eu'), subuser('old'), subuser('e2', 'eu')]
    client, session = server_client(make_client, subusers)
    listed = client.list_subusers(region=region, username_prefix='x' if region == 'eu' else None, page_size=10)
    expected = {'limit': 10, 'offset': 0, 'include_region': 'true', 'region': region}
    if region == 'eu':
        expected['username'] = 'x'
        assert listed == []
    else:
        assert listed == [normalized('g1'), normalized('old')]
    assert params_of(session)[0] == expected
    assert [params['offset'] for params in params_of(session)] == [0, len(listed)] if listed else [0]


@pytest.mark.parametrize('region, expected', [
    ('global', ['g1', 'old', 'g2']),
    ('eu', ['e1', 'e2']),
    ('all', ['g1', 'e1', 'old', 'e2', 'g2']),
])
def test_list_subusers_region_is_filtered_client_side_too(make_client, region, expected):
    subusers = [subuser('g1', 'global'), subuser('e1', 'eu'), subuser('old'), subuser('e2', 'eu'),
                subuser('g2', 'global')]
    client, session = server_client(make_client, subusers, honour_region=False)
    listed = client.list_subusers(region=region, page_size=2)
    assert [entry['username'] for entry in listed] == expected
    # Paging follows what the server answered, not what was kept.
    assert [params['offset'] for params in params_of(session)] == [0, 2, 4]
    assert all(('region' in params) == (region != 'all') for params in params_of(session))


def test_list_subusers_entries_without_region_are_global(make_client):
    session_answer = [{'username': 'old', 'id': 1}, {'username': 'new', 'id': 2, 'region': 'eu'},
                      {'username': 'empty', 'region': None}]
    client, session = make_client([FakeResponse(200, session_answer), FakeResponse(200, [])])
    assert client.list_subusers() == [
        {'username': 'old', 'id': 1, 'email': None, 'disabled': False, 'region': 'global'},
        {'username': 'new', 'id': 2, 'email': None, 'disabled': False, 'region': 'eu'},
        {'username': 'empty', 'id': None, 'email': None, 'disabled': False, 'region': 'global'},
    ]
    assert len(session.calls) == 2  # the second, empty page ends the listing


def test_list_subusers_region_global_keeps_entries_without_region(make_client):
    client, dummy = make_client([FakeResponse(200, [{'username': 'old'}, {'username': 'e', 'region': 'eu'}]),
                                 FakeResponse(200, [])])
    assert [entry['username'] for entry in client.list_subusers(region='global')] == ['old']


def test_list_subusers_disabled_ones_are_listed(make_client):
    client, dummy = server_client(make_client, [subuser('a'), subuser('off', disabled=True)])
    assert client.list_subusers() == [normalized('a'), normalized('off', disabled=True)]


def test_list_subusers_skips_repeated_entries_across_pages(make_client):
    # A subuser added while paging shifts the list: the next page repeats one entry.
    client, session = make_client([
        FakeResponse(200, [subuser('a'), subuser('b')]),
        FakeResponse(200, [subuser('b'), subuser('c')]),
        FakeResponse(200, [subuser('d')]),
    ])
    assert [entry['username'] for entry in client.list_subusers(page_size=2)] == ['a', 'b', 'c', 'd']
    assert [params['offset'] for params in params_of(session)] == [0, 2, 4]


# ---------------------------------------------------------------------------
# list_subusers: answers that cannot be trusted
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('body, shown', [
    ({'result': []}, "{'result': []}"),
    ('subusers', 'subusers'),
    (None, 'None'),
])
def test_list_subusers_refuses_an_answer_that_is_not_a_list(make_client, body, shown):
    answers = [FakeResponse(200, [subuser('a'), subuser('b')]), FakeResponse(200, text='null' if body is None else None,
                                                                             body=body)]
    client, session = make_client(answers)
    with pytest.raises(SendGridResponseError) as excinfo:
        client.list_subusers(page_size=2)
    assert excinfo.value.message == (
        "SendGrid's answer to GET /v3/subusers for the parent account (offset 2) is not a list of subusers:"
        " {0!r}".format(shown))
    assert len(session.calls) == 2


def test_list_subusers_refuses_an_entry_without_username(make_client):
    client, session = make_client([FakeResponse(200, [subuser('a'), {'id': 7, 'email': 'x@example.com'}])])
    with pytest.raises(SendGridResponseError) as excinfo:
        client.list_subusers(page_size=5)
    assert excinfo.value.message.startswith(
        "SendGrid's answer to GET /v3/subusers (offset 0) holds an entry without a username: ")
    assert "'id': 7" in excinfo.value.message
    assert len(session.calls) == 1


def test_list_subusers_stops_when_the_server_ignores_the_offset(make_client):
    subusers = [subuser('s{0}'.format(index)) for index in range(10)]
    client, session = server_client(make_client, subusers, ignore_offset=True)
    with pytest.raises(SendGridResponseError) as excinfo:
        client.list_subusers(page_size=4)
    assert excinfo.value.message == ('GET /v3/subusers for the parent account answered the same subusers again at'
                                     ' offset 4; stopped paging rather than loop forever.')
    assert [params['offset'] for params in params_of(session)] == [0, 4]


def test_list_subusers_api_error(make_client):
    client, session = make_client([FakeResponse(403, {'errors': [{'message': 'access forbidden'}]})])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.list_subusers(on_behalf_of='account-id 42')
    assert excinfo.value.status == 403
    assert excinfo.value.message.startswith(
        "GET /v3/subusers for customer account '42' failed with HTTP 403 Forbidden (SendGrid says: access"
        " forbidden). Check that the API key has the scope subusers.read.")
    assert len(session.calls) == 1


# ---------------------------------------------------------------------------
# list_subusers: options
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('on_behalf_of', ['account-id 42', 'reseller'])
def test_list_subusers_sends_on_behalf_of_on_every_page(make_client, on_behalf_of):
    client, session = server_client(make_client, [subuser('a'), subuser('b'), subuser('c')])
    assert len(client.list_subusers(page_size=2, on_behalf_of=on_behalf_of)) == 3
    assert [call['headers'] for call in session.calls] == [{'On-Behalf-Of': on_behalf_of}] * 2


def test_list_subusers_username_prefix_empty_is_not_sent(make_client):
    client, session = server_client(make_client, [subuser('a')])
    client.list_subusers(username_prefix='')
    assert [params for params in params_of(session) if 'username' in params] == []


@pytest.mark.parametrize('value, message', [
    (' ', 'username must not be empty or only whitespace'),
    ('a' * 257, "username '{0}'... (257 characters) is longer than the 256 characters".format('a' * 80)),
    ('a\nb', "username 'a\\nb' contains control characters"),
    (' ann', "username ' ann' has leading or trailing whitespace"),
    (42, 'username must be a string (a subuser username); got 42 (integer)'),
])
@pytest.mark.parametrize('call', ['list', 'find'])
def test_username_filters_are_refused_before_any_request(make_client, value, message, call):
    client, session = make_client()
    with pytest.raises(SendGridConfigError) as excinfo:
        if call == 'list':
            client.list_subusers(username_prefix=value)
        else:
            client.find_subusers(value)
    assert excinfo.value.message.startswith(message)
    assert session.calls == []


def test_find_subusers_refuses_an_empty_name(make_client):
    client, session = make_client()
    with pytest.raises(SendGridConfigError) as excinfo:
        client.find_subusers('')
    assert excinfo.value.message == 'username must not be empty or only whitespace'
    assert session.calls == []


# ---------------------------------------------------------------------------
# find_subusers: the subuser of exactly that name
# ---------------------------------------------------------------------------

NEIGHBOURS = [subuser('Anna', user_id=1), subuser('annex', user_id=2), subuser('ann-eu', 'eu', user_id=3),
              subuser('bob', user_id=4), subuser('Ann', user_id=5), subuser('anne', user_id=6)]


@pytest.mark.parametrize('name', ['ann', 'Ann', 'ANN'])
def test_find_subusers_keeps_the_exact_name_among_prefix_neighbours(make_client, name):
    client, session = server_client(make_client, NEIGHBOURS)
    assert client.find_subusers(name, page_size=2) == [normalized('Ann', user_id=5)]
    # SendGrid is asked for the name as given; its prefix matches are read to the last page.
    assert params_of(session) == [{'limit': 2, 'offset': offset, 'include_region': 'true', 'username': name}
                                  for offset in (0, 2, 4)]


def test_find_subusers_reads_past_the_first_page(make_client):
    subusers = [subuser('ann-{0:03d}'.format(index)) for index in range(7)] + [subuser('ANN')]
    client, session = server_client(make_client, subusers)
    assert client.find_subusers('ann', page_size=3) == [normalized('ANN')]
    assert [params['offset'] for params in params_of(session)] == [0, 3, 6]


def test_find_subusers_reads_past_a_server_cap(make_client):
    subusers = [subuser('ann-{0:03d}'.format(index)) for index in range(250)] + [subuser('ann')]
    client, session = server_client(make_client, subusers, max_limit=100)
    assert client.find_subusers('ann') == [normalized('ann')]
    assert [params['offset'] for params in params_of(session)] == [0, 100, 200]


def test_find_subusers_none_of_that_name(make_client):
    client, dummy = server_client(make_client, NEIGHBOURS)
    assert client.find_subusers('an') == []
    assert client.find_subusers('annabel') == []


def test_find_subusers_with_a_case_sensitive_server(make_client):
    # A server that matches case-sensitively finds only names that start with the case asked for.
    client, dummy = server_client(make_client, NEIGHBOURS, case_sensitive=True)
    assert client.find_subusers('Ann') == [normalized('Ann', user_id=5)]
    assert client.find_subusers('ann') == []


def test_find_subusers_keeps_the_region_filter(make_client):
    client, session = server_client(make_client, NEIGHBOURS)
    assert client.find_subusers('ann-EU', region='eu') == [normalized('ann-eu', 'eu', user_id=3)]
    assert client.find_subusers('Ann', region='eu') == []
    assert params_of(session)[0]['region'] == 'eu'


@pytest.mark.parametrize('region', ['us', 'EU', None, ''])
def test_list_subusers_refuses_bad_region_before_any_request(make_client, region):
    client, session = make_client()
    with pytest.raises(SendGridConfigError) as excinfo:
        client.list_subusers(region=region)
    assert excinfo.value.message == 'region must be one of all, global, eu; got {0!r}'.format(region)
    assert session.calls == []


@pytest.mark.parametrize('page_size, message', [
    (0, 'page_size must be a whole number from 1 to 500; got 0 (integer)'),
    (-5, 'page_size must be a whole number from 1 to 500; got -5 (integer)'),
    ('100', "page_size must be a whole number from 1 to 500; got '100' (string)"),
    (None, 'page_size must be a whole number from 1 to 500; got null'),
    (True, 'page_size must be a whole number from 1 to 500; got true (boolean)'),
    (float('nan'), 'page_size must be a whole number from 1 to 500; got nan (float)'),
])
def test_list_subusers_refuses_bad_page_size_before_any_request(make_client, page_size, message):
    client, session = make_client()
    with pytest.raises(SendGridConfigError) as excinfo:
        client.list_subusers(page_size=page_size)
    assert excinfo.value.message == message
    assert session.calls == []


def test_list_subusers_refuses_bad_on_behalf_of_before_any_request(make_client):
    client, session = make_client()
    with pytest.raises(SendGridConfigError):
        client.list_subusers(on_behalf_of='a\r\nX: 1')
    assert session.calls == []


@pytest.mark.parametrize('page_size', [0.5, 2.5])
def test_list_subusers_fractional_page_size_is_refused_or_pages_everything(make_client, page_size):
    subusers = [subuser('s{0}'.format(index)) for index in range(5)]
    client, dummy = server_client(make_client, subusers)
    try:
        listed = client.list_subusers(page_size=page_size)
    except SendGridConfigError:
        return
    assert [entry['username'] for entry in listed] == ['s0', 's1', 's2', 's3', 's4']


def test_list_subusers_pages_on_when_the_server_caps_the_page_size(make_client):
    # The server answers at most 3 per page whatever is asked: a first page shorter than asked
    # is not the last one; the page shorter than the server's own is.
    subusers = [subuser('s{0}'.format(index)) for index in range(8)]
    pages = [subusers[0:3], subusers[3:6], subusers[6:8]]
    client, session = make_client([FakeResponse(200, page) for page in pages])
    assert [entry['username'] for entry in client.list_subusers(page_size=100)] == [
        's{0}'.format(index) for index in range(8)]
    assert [params['offset'] for params in params_of(session)] == [0, 3, 6]
