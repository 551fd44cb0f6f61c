# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SendGridClient.list_blocks, and the paging and page size checks every listing shares."""

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._client import check_page_size
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridConfigError,
    SendGridResponseError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import (
    BLOCKS_PATH,
    MAX_BLOCKS,
    MAX_PAGE_SIZE,
    normalize_block,
    normalize_subuser,
)
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    BLOCKS_URL,
    FakeBlocksServer,
    FakeResponse,
    assert_no_key,
    block,
    subuser,
)

T0 = 1796083200


def blocks(count, start=T0):
    """``count`` entries of the blocks list, one a second from ``start``."""
    return [block('r{0}@d{1}.example'.format(index, index % 3), created=start + index) for index in range(count)]


def server_client(make_client, entries, account=None, **server_options):
    server = FakeBlocksServer({account: entries}, **server_options)
    client, session = make_client(forever=lambda: server)
    return client, session, server


def params_of(session):
    return [call['params'] for call in session.calls]


def offsets_of(session):
    return [call['params']['offset'] for call in session.calls]


# ---------------------------------------------------------------------------
# What is sent
# ---------------------------------------------------------------------------

def test_list_blocks_sends_the_window_and_page(make_client):
    client, session, dummy = server_client(make_client, blocks(5), account='marketing')
    entries, complete = client.list_blocks('marketing', start_time=T0, end_time=T0 + 100, page_size=2)
    assert complete is True
    assert entries == blocks(5)
    assert params_of(session) == [{'limit': 2, 'offset': offset, 'start_time': T0, 'end_time': T0 + 100}
                                  for offset in (0, 2, 4)]
    assert session.methods == ['GET'] * 3
    assert [call['url'] for call in session.calls] == [BLOCKS_URL] * 3
    assert [call['headers'] for call in session.calls] == [{'On-Behalf-Of': 'marketing'}] * 3
    assert [call['json'] for call in session.calls] == [None] * 3


@pytest.mark.parametrize('start_time, end_time, expected', [
    (None, None, {}),
    (T0, None, {'start_time': T0}),
    (None, T0, {'end_time': T0}),
    (0, 0, {'start_time': 0, 'end_time': 0}),
    (float(T0), T0 + 0.9, {'start_time': T0, 'end_time': T0}),
])
def test_list_blocks_sends_times_as_integers_and_only_when_given(make_client, start_time, end_time, expected):
    client, session = make_client([FakeResponse(200, [])])
    assert client.list_blocks(start_time=start_time, end_time=end_time) == ([], True)
    assert params_of(session) == [dict({'limit': 500, 'offset': 0}, **expected)]
    assert all(isinstance(value, int) and not isinstance(value, bool) for value in params_of(session)[0].values())


def test_list_blocks_of_the_parent_sends_no_on_behalf_of(make_client):
    client, session, dummy = server_client(make_client, blocks(3))
    assert client.list_blocks(page_size=2) == (blocks(3), True)
    assert [call['headers'] for call in session.calls] == [{}, {}]


@pytest.mark.parametrize('on_behalf_of', ['account-id 42', 'reseller'])
def test_list_blocks_sends_on_behalf_of_on_every_page(make_client, on_behalf_of):
    client, session, dummy = server_client(make_client, blocks(7), account=on_behalf_of)
    entries, complete = client.list_blocks(on_behalf_of, page_size=3)
    assert (len(entries), complete) == (7, True)
    assert [call['headers'] for call in session.calls] == [{'On-Behalf-Of': on_behalf_of}] * 3


def test_list_blocks_defaults(make_client):
    assert MAX_PAGE_SIZE == 500
    assert MAX_BLOCKS == 100000
    client, session, dummy = server_client(make_client, blocks(1200))
    entries, complete = client.list_blocks()
    assert (len(entries), complete) == (1200, True)
    assert params_of(session) == [{'limit': 500, 'offset': offset} for offset in (0, 500, 1000)]


def test_list_blocks_refuses_a_bad_on_behalf_of_before_any_request(make_client):
    client, session = make_client()
    with pytest.raises(SendGridConfigError):
        client.list_blocks('a\r\nX: 1')
    assert session.calls == []


# ---------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------

def test_list_blocks_reads_every_page(make_client):
    client, session, dummy = server_client(make_client, blocks(10))
    entries, complete = client.list_blocks(page_size=3)
    assert entries == [normalize_block(entry, None) for entry in blocks(10)]
    assert complete is True
    assert offsets_of(session) == [0, 3, 6, 9]


@pytest.mark.parametrize('count, page_size, requests', [
    (3, 5, 1),
    (0, 5, 1),
    (4, 5, 1),
    (9, 5, 2),
    (1, 1, 2),
    (499, 500, 1),
])
def test_list_blocks_a_page_shorter_than_asked_is_the_last(make_client, count, page_size, requests):
    # The spec bounds limit (1 to 500): a short page is SendGrid's last, not its own cap.
    client, session, dummy = server_client(make_client, blocks(count))
    assert client.list_blocks(page_size=page_size) == (blocks(count), True)
    assert len(session.calls) == requests


def test_list_blocks_a_full_last_page_needs_one_more_empty_page(make_client):
    client, session, dummy = server_client(make_client, blocks(6))
    assert client.list_blocks(page_size=3) == (blocks(6), True)
    assert offsets_of(session) == [0, 3, 6]


def test_list_blocks_an_empty_page_ends(make_client):
    client, session = make_client([FakeResponse(200, blocks(2)), FakeResponse(200, [])])
    assert client.list_blocks(page_size=2) == (blocks(2), True)
    assert offsets_of(session) == [0, 2]


def test_list_blocks_none_at_all(make_client):
    client, session = make_client([FakeResponse(200, [])])
    assert client.list_blocks('marketing') == ([], True)
    assert len(session.calls) == 1


def test_list_blocks_skips_entries_repeated_across_pages(make_client):
    # A block added while paging shifts the list: the next page repeats an entry.
    first, second = blocks(2), blocks(4)[1:]
    client, session = make_client([FakeResponse(200, first), FakeResponse(200, second[:2]),
                                   FakeResponse(200, second[2:])])
    entries, complete = client.list_blocks(page_size=2)
    assert entries == blocks(4)
    assert complete is True
    assert offsets_of(session) == [0, 2, 4]


def test_list_blocks_same_address_at_another_time_is_another_entry(make_client):
    answer = [block('a@x.example', created=T0), block('a@x.example', created=T0 + 1),
              block('a@x.example', created=T0)]
    client, dummy = make_client([FakeResponse(200, answer)])
    assert client.list_blocks(page_size=5) == (answer[:2], True)


def test_list_blocks_normalizes_entries(make_client):
    answer = [{'created': T0, 'email': 'a@x.example', 'extra': 1}, {'created': T0 + 1, 'email': 'b@x.example',
                                                                    'reason': 'mailbox full', 'status': None}]
    client, dummy = make_client([FakeResponse(200, answer)])
    assert client.list_blocks(page_size=5) == ([
        {'created': T0, 'email': 'a@x.example', 'reason': '', 'status': ''},
        {'created': T0 + 1, 'email': 'b@x.example', 'reason': 'mailbox full', 'status': ''},
    ], True)


# ---------------------------------------------------------------------------
# max_entries
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('count, page_size, max_entries, read, complete, offsets', [
    # More than max_entries: it stops as soon as one more entry shows there are more.
    (10, 3, 4, 4, False, [0, 3]),
    (10, 3, 3, 3, False, [0, 3]),
    (10, 5, 2, 2, False, [0]),
    (10, 3, 1, 1, False, [0]),
    (600, 500, 500, 500, False, [0, 500]),
    # Exactly max_entries: complete, once the list is known to end.
    (4, 2, 4, 4, True, [0, 2, 4]),
    (5, 2, 5, 5, True, [0, 2, 4]),
    (3, 5, 3, 3, True, [0]),
    # Fewer.
    (5, 2, 100, 5, True, [0, 2, 4]),
    (0, 2, 1, 0, True, [0]),
])
def test_list_blocks_max_entries(make_client, count, page_size, max_entries, read, complete, offsets):
    client, session, dummy = server_client(make_client, blocks(count))
    entries, is_complete = client.list_blocks(page_size=page_size, max_entries=max_entries)
    assert entries == blocks(count)[:read]
    assert is_complete is complete
    assert offsets_of(session) == offsets


def test_list_blocks_max_entries_counts_distinct_entries(make_client):
    answer = [block('a@x.example'), block('a@x.example'), block('b@x.example')]
    client, dummy = make_client([FakeResponse(200, answer)])
    assert client.list_blocks(page_size=5, max_entries=2) == ([block('a@x.example'), block('b@x.example')], True)


# ---------------------------------------------------------------------------
# Answers that cannot be trusted
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('body, text, shown', [
    ({'result': []}, None, "{'result': []}"),
    ('blocks', None, 'blocks'),
    (None, 'null', 'None'),
    (42, None, '42'),
])
@pytest.mark.parametrize('on_behalf_of, account', [
    (None, 'the parent account'),
    ('x', "subuser 'x'"),
    ('account-id 42', "customer account '42'"),
])
def test_list_blocks_refuses_an_answer_that_is_not_a_list(make_client, body, text, shown, on_behalf_of, account):
    client, session = make_client([FakeResponse(200, blocks(2)), FakeResponse(200, body, text=text)])
    with pytest.raises(SendGridResponseError) as excinfo:
        client.list_blocks(on_behalf_of, page_size=2)
    assert excinfo.value.message == (
        "SendGrid's answer to GET /v3/suppression/blocks for {0} (offset 2) is not a list of blocks: {1!r}".format(
            account, shown))
    assert excinfo.value.account == on_behalf_of
    assert len(session.calls) == 2


@pytest.mark.parametrize('bad', [{'email': 'x@y.example'}, {'created': T0}, {'created': str(T0), 'email': 'x@y'},
                                 'x@y.example', None])
def test_list_blocks_refuses_an_entry_without_created_or_email(make_client, bad):
    client, session = make_client([FakeResponse(200, blocks(3)), FakeResponse(200, blocks(3, T0 + 10)[:2] + [bad])])
    with pytest.raises(SendGridResponseError) as excinfo:
        client.list_blocks('account-id 42', page_size=3)
    assert excinfo.value.message == (
        "SendGrid's answer to GET /v3/suppression/blocks for customer account '42' (offset 3) holds an entry"
        ' without a created time or an email: {0!r}'.format(str(bad)))
    assert excinfo.value.account == 'account-id 42'
    assert len(session.calls) == 2


def test_list_blocks_stops_when_the_server_repeats_a_page(make_client):
    client, session = make_client(forever=lambda: FakeResponse(200, blocks(4)))
    with pytest.raises(SendGridResponseError) as excinfo:
        client.list_blocks('marketing', page_size=4)
    assert excinfo.value.message == ("GET /v3/suppression/blocks for subuser 'marketing' answered the same blocks"
                                     ' again at offset 4; stopped paging rather than loop forever.')
    assert excinfo.value.account == 'marketing'
    assert offsets_of(session) == [0, 4]


def test_list_blocks_a_short_repeated_page_ends_the_listing(make_client):
    # A page shorter than asked is the last, even when it holds nothing new.
    client, session = make_client([FakeResponse(200, blocks(4)), FakeResponse(200, blocks(4)[:2])])
    assert client.list_blocks(page_size=4) == (blocks(4), True)
    assert offsets_of(session) == [0, 4]


def test_list_blocks_api_error_names_the_scope(make_client):
    client, session = make_client([FakeResponse(403, {'errors': [{'message': 'access forbidden'}], 'id': 'e1'})])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.list_blocks('marketing', start_time=T0)
    assert excinfo.value.status == 403
    assert excinfo.value.account == 'marketing'
    assert excinfo.value.api_messages == ['access forbidden']
    assert excinfo.value.error_id == 'e1'
    assert excinfo.value.message == (
        "GET /v3/suppression/blocks for subuser 'marketing' failed with HTTP 403 Forbidden (SendGrid says: access"
        ' forbidden). Check that the API key has the scope suppression.blocks.read. Also check that subuser'
        " 'marketing' exists and belongs to the parent account this key is for. SendGrid error id: e1.")
    assert len(session.calls) == 1


def test_list_blocks_api_error_on_a_later_page(make_client):
    client, session = make_client([FakeResponse(200, blocks(2)),
                                   FakeResponse(400, {'errors': [{'field': 'offset', 'message': 'too far'}]})])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.list_blocks(page_size=2)
    assert excinfo.value.status == 400
    assert excinfo.value.message.startswith('GET /v3/suppression/blocks for the parent account failed with HTTP 400')
    assert offsets_of(session) == [0, 2]


def test_list_blocks_errors_never_show_the_key(make_client):
    client, dummy = make_client([FakeResponse(401, {'errors': [{'message': 'bad key ' + API_KEY}]})])
    with pytest.raises(SendGridAPIError) as excinfo:
        client.list_blocks()
    assert_no_key(excinfo.value)
    assert excinfo.value.status == 401


# ---------------------------------------------------------------------------
# page_size
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('page_size', [1, 2, 499, 500])
def test_check_page_size_accepts(page_size):
    assert check_page_size(page_size) == page_size


@pytest.mark.parametrize('page_size, shown', [
    (0, '0 (integer)'),
    (501, '501 (integer)'),
    (-1, '-1 (integer)'),
    (True, 'true (boolean)'),
    ('100', "'100' (string)"),
    (100.0, '100.0 (float)'),
    (None, 'null'),
])
def test_list_blocks_refuses_bad_page_size_before_any_request(make_client, page_size, shown):
    client, session = make_client()
    with pytest.raises(SendGridConfigError) as excinfo:
        client.list_blocks('marketing', page_size=page_size)
    assert excinfo.value.message == 'page_size must be a whole number from 1 to 500; got ' + shown
    assert session.calls == []
    with pytest.raises(SendGridConfigError):
        check_page_size(page_size)


def test_list_blocks_page_size_one(make_client):
    client, session, dummy = server_client(make_client, blocks(3))
    assert client.list_blocks(page_size=1) == (blocks(3), True)
    assert offsets_of(session) == [0, 1, 2, 3]


# ---------------------------------------------------------------------------
# _listing, shared by every listing
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('limit_honoured, offsets', [(True, [0]), (False, [0, 2])])
def test_listing_a_short_first_page(make_client, limit_honoured, offsets):
    # Where the server may cap limit, a short first page may be its cap: one more request shows it was the last.
    client, session = make_client([FakeResponse(200, [subuser('a'), subuser('b')]), FakeResponse(200, [])])
    listing = client._listing('/v3/subusers', 'subusers', {'limit': 5}, None, normalize_subuser,
                              identity=lambda entry: entry['username'], limit_honoured=limit_honoured)
    assert [entry['username'] for entry in listing] == ['a', 'b']
    assert offsets_of(session) == offsets


def test_listing_reads_a_page_only_when_its_entries_are_taken(make_client):
    client, session, dummy = server_client(make_client, blocks(10))
    listing = client._listing(BLOCKS_PATH, 'blocks', {'limit': 3}, None, normalize_block,
                              identity=lambda entry: (entry['email'], entry['created']), limit_honoured=True)
    assert session.calls == []
    assert [next(listing) for dummy in range(3)] == blocks(3)
    assert offsets_of(session) == [0]
    assert next(listing) == blocks(10)[3]
    assert offsets_of(session) == [0, 3]


def test_listing_keeps_its_params_apart_from_the_offset(make_client):
    client, session, dummy = server_client(make_client, blocks(4))
    params = {'limit': 2, 'start_time': T0}
    list(client._listing(BLOCKS_PATH, 'blocks', params, None, normalize_block,
                         identity=lambda entry: (entry['email'], entry['created']), limit_honoured=True))
    assert params == {'limit': 2, 'start_time': T0}
    assert params_of(session) == [{'limit': 2, 'start_time': T0, 'offset': offset} for offset in (0, 2, 4)]
