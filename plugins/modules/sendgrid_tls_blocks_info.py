#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_tls_blocks_info
short_description: Read the mail that Enforced TLS blocked, from SendGrid accounts' blocks lists
version_added: 2.0.0
description:
  - With Enforced TLS, SendGrid drops a message to a recipient whose server lacks TLS (or a valid certificate, or the
    minimum version) instead of sending it in clear text, and the recipient lands on the account's blocks list. This
    module reads the blocks list (C(GET /v3/suppression/blocks), every page) of the account the API key belongs to, of
    a subuser or customer account (O(on_behalf_of)), or of many subusers at once (O(subusers)), from O(since) to
    O(until), and says per account how many blocks were for TLS, at which recipient domains, and when.
  - Entries with any other reason (a full mailbox, an unknown host) are counted apart, with their most common reasons.
  - Recipient addresses are personal data and are never returned, only their domains and counts.
  - Changes nothing.
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.INFO_MODULE
  - mailops.sendgrid.sendgrid.ACTIONGROUP_SENDGRID
options:
  subusers:
    description:
      - Read the blocks list of each of these subusers (usernames, or C(account-id <id>) for customer accounts), in one
        task, O(workers) at a time, instead of one account. Mutually exclusive with O(on_behalf_of).
      - At most 50,000 names, each checked as O(on_behalf_of) is, before any request.
    type: list
    elements: str
  workers:
    description: With O(subusers), how many accounts are read at the same time, from 1 to 100.
    type: int
    default: 16
  since:
    description:
      - The start of the window, inclusive, as a Unix time (seconds) or an ISO 8601 time (V(2026-12-01),
        V(2026-12-01T08:00:00Z); UTC unless it names another offset), from 1970 to the end of year 9999.
      - By default 7 days before now.
    type: raw
  until:
    description:
      - The end of the window, inclusive, in the same forms as O(since). By default now.
    type: raw
  match:
    description:
      - The text by which a blocks list entry is known as a TLS block, compared regardless of case anywhere in the
        entry's reason.
      - SendGrid documents the block event's description, V(TLS required but not supported); the text of the blocks
        list's entry is not documented. See the notes for how to confirm it on your account.
      - 1 to 200 characters.
    type: str
    default: TLS required but not supported
  max_domains:
    description: How many recipient domains are named per account, the largest first, from 1 to 1000.
    type: int
    default: 20
  page_size:
    description: How many entries each request asks for, from 1 to 500 (the most SendGrid accepts).
    type: int
    default: 500
  max_blocks:
    description:
      - The most entries read per account, from 1 to 100000. An account with more in the window is reported with
        RV(accounts[].complete=false), counted up to that bound.
    type: int
    default: 10000
notes:
  - The API key needs the scope C(suppression.blocks.read); a 403 says so.
  - What a blocks list entry of a message dropped for Enforced TLS says is not documented (C(docs/api-behaviour.md) of
    the collection lists it as unsettled). To confirm it on your account, require TLS on a test subuser, send it a
    message to a domain without TLS, and read the entry with this module and O(match) set to a word of it, or with
    C(GET /v3/suppression/blocks); then set O(match) to its text.
  - Requests are paced by SendGrid's rate limit of this endpoint, apart from the Enforced TLS calls, and retried as for
    every module of the collection.
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls
  - name: SendGrid's blocks list
    description: The API call this module makes.
    link: https://www.twilio.com/docs/sendgrid/api-reference/blocks-api/retrieve-all-blocks
'''

EXAMPLES = r'''
- name: What did Enforced TLS block on the subuser marketing this week?
  mailops.sendgrid.sendgrid_tls_blocks_info:
    on_behalf_of: marketing
  register: marketing_blocks

- name: TLS blocks of many subusers since an enforcement
  mailops.sendgrid.sendgrid_tls_blocks_info:
    subusers: [marketing, billing, newsletter]
    since: "2026-12-01T08:00:00Z"
  register: fleet_blocks

- name: Show the accounts with TLS blocks and their domains
  ansible.builtin.debug:
    msg: "{{ item.account }}: {{ item.tls_blocks }} TLS blocks at {{ item.domains | map(attribute='domain') | join(', ') }}"
  loop: "{{ fleet_blocks.accounts | selectattr('tls_blocks') }}"
  loop_control:
    label: "{{ item.account }}"
'''

RETURN = r'''
since:
  description: The start of the window read (UTC).
  returned: success
  type: str
  sample: '2026-11-29T08:00:00Z'
until:
  description: The end of the window read (UTC), or V(null) for up to the time of the reads.
  returned: success
  type: str
accounts:
  description: One entry per account read, in the order given.
  returned: success, and failure with O(subusers)
  type: list
  elements: dict
  contains:
    account:
      description: The account, as in O(on_behalf_of) or O(subusers); V(null) for the key's own (parent) account.
      type: str
    failed:
      description: Whether reading the account failed.
      type: bool
    msg:
      description: What was found, in one line, or why the account failed.
      type: str
      sample: 3 TLS blocks, at old.example (2), legacy.example (1)
    tls_blocks:
      description: How many entries of the window are TLS blocks (their reason holds O(match)).
      type: int
    domains:
      description: The recipient domains of the TLS blocks, each with its number of C(blocks), the largest first.
      type: list
      elements: dict
      sample: [{domain: old.example, blocks: 2}, {domain: legacy.example, blocks: 1}]
    more_domains:
      description: How many more domains there are than O(max_domains) names.
      type: int
    first_blocked:
      description: When the first TLS block of the window was made (UTC), or V(null).
      type: str
    last_blocked:
      description: When the last TLS block of the window was made (UTC), or V(null).
      type: str
    other_blocks:
      description:
        - The entries of the window with another reason, their C(count) and their most common C(reasons).
        - A reason is shown on one line, at most 200 characters, an address in it without its local part
          (V(<...@full.example>)).
      type: dict
      sample: {count: 4, reasons: [{reason: mailbox full, blocks: 3}, {reason: unknown host, blocks: 1}]}
    complete:
      description: Whether every entry of the window was read (V(false) when O(max_blocks) was reached).
      type: bool
summary:
  description: The counts, C(accounts), C(with_tls_blocks) (accounts with at least one), C(tls_blocks) and C(failed).
  returned: success, and failure with O(subusers)
  type: dict
  sample: {accounts: 3, with_tls_blocks: 1, tls_blocks: 3, failed: 0}
status:
  description: The HTTP status of SendGrid's answer, when the task failed on an error answer from SendGrid.
  returned: failure, when SendGrid answered
  type: int
  sample: 403
api_messages:
  description: SendGrid's own error messages, when the task failed on an error answer from SendGrid (each bounded).
  returned: failure, when SendGrid answered with an error status
  type: list
  elements: str
error_id:
  description: The id SendGrid gave its error answer, the one SendGrid support asks for.
  returned: failure, when SendGrid's error answer carried an id
  type: str
'''

import time

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import (
    KeyCheck,
    check_account_names,
    check_workers,
    failure_message,
    pool_size_for,
    run_for_each,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._client import check_page_size
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError, SendGridError
from ansible_collections.mailops.sendgrid.plugins.module_utils._module_support import (
    SendGridModule,
    checked_on_behalf_of,
    create_client,
    explain,
    fail_on_error,
    sendgrid_argument_spec,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._tls_blocks import (
    DEFAULT_MATCH,
    DEFAULT_MAX_DOMAINS,
    check_match,
    check_max_blocks,
    check_max_domains,
    describe_summary,
    summarize_blocks,
    time_window,
    utc_text,
)

DEFAULT_WORKERS = 16
DEFAULT_MAX_BLOCKS = 10000
# What a failed account's entry keeps of the batch runner's failure result.
FAILURE_FIELDS = ('account', 'failed', 'msg', 'status', 'api_messages', 'error_id', 'retries', 'waited',
                  'not_attempted')


class BlocksReader:
    """Reads one account's blocks list over the window, and sums it up."""

    def __init__(self, client, params, window):
        self.client = client
        self.params = params
        self.window = window

    def read(self, account):
        entries, complete = self.client.list_blocks(account, self.window[0], self.window[1],
                                                    page_size=self.params['page_size'],
                                                    max_entries=self.params['max_blocks'])
        summary = summarize_blocks(entries, self.params['match'], self.params['max_domains'])
        return dict(summary, account=account, failed=False, complete=complete,
                    msg=describe_summary(summary) + ('' if complete else ' (read up to max_blocks entries)'))


def failed_entry(result):
    return {name: result[name] for name in FAILURE_FIELDS if name in result}


def summarize(accounts):
    return {'accounts': len(accounts),
            'with_tls_blocks': sum(1 for entry in accounts if entry.get('tls_blocks')),
            'tls_blocks': sum(entry.get('tls_blocks') or 0 for entry in accounts),
            'failed': sum(1 for entry in accounts if entry['failed'])}


def main():
    module = SendGridModule(
        argument_spec=sendgrid_argument_spec(
            subusers=dict(type='list', elements='str'),
            workers=dict(type='int', default=DEFAULT_WORKERS),
            since=dict(type='raw'),
            until=dict(type='raw'),
            match=dict(type='str', default=DEFAULT_MATCH),
            max_domains=dict(type='int', default=DEFAULT_MAX_DOMAINS),
            page_size=dict(type='int', default=500),
            max_blocks=dict(type='int', default=DEFAULT_MAX_BLOCKS),
        ),
        mutually_exclusive=[('on_behalf_of', 'subusers')],
        supports_check_mode=True,
    )
    params = module.params
    on_behalf_of = checked_on_behalf_of(module)
    subusers = params['subusers']
    try:
        window = time_window(params['since'], params['until'], time.time())
        check_match(params['match'])
        check_max_domains(params['max_domains'])
        check_page_size(params['page_size'])
        check_max_blocks(params['max_blocks'])
        check_workers(params['workers'])
        if subusers is not None:
            check_account_names(subusers)
    except SendGridConfigError as error:
        fail_on_error(module, error)
    result = dict(changed=False, since=utc_text(window[0]), until=utc_text(window[1]))
    pool_size = 1 if subusers is None else pool_size_for(params['workers'], subusers)
    client = create_client(module, pool_size=pool_size)
    reader = BlocksReader(client, params, window)
    if subusers is None:
        try:
            with client:
                entry = reader.read(on_behalf_of)
        except SendGridError as error:
            fail_on_error(module, error, account=on_behalf_of, **result)
        module.exit_json(accounts=[entry], summary=summarize([entry]), **result)

    # One request for the key's own account settles whether a 401/403 for a subuser is the key's.
    key_check = KeyCheck(lambda: client.newest_block(None))

    def describe_error(error):
        return explain(error, params)

    with client:
        results = run_for_each(subusers, reader.read, params['workers'], key_check=key_check,
                               stopped_reason='the API key was refused', describe_error=describe_error)
    accounts = [failed_entry(entry) if entry['failed'] else entry for entry in results]
    result.update(accounts=accounts, summary=summarize(accounts))
    message = failure_message(results, action='read the blocks of', key_failure=key_check.failure,
                              describe_error=describe_error, where='accounts')
    if message:
        module.fail_json(msg=message, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
