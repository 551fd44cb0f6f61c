#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_subuser_info
short_description: List the subusers of a SendGrid parent account
version_added: 1.0.0
description:
  - Lists the subusers of the account the API key belongs to, page by page, with C(GET /v3/subusers).
  - Use it to discover the subusers a TLS policy applies to, for example with
    M(mailops.sendgrid.sendgrid_enforced_tls) and its O(mailops.sendgrid.sendgrid_enforced_tls#module:subusers) option.
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.INFO_MODULE
  - mailops.sendgrid.sendgrid.ACTIONGROUP_SENDGRID
options:
  username:
    description:
      - Only the subuser of exactly this name, compared regardless of case, as SendGrid compares names
        (V(ann) finds C(Ann) but not C(Anna) or C(annex)). RV(subusers) is empty when there is none.
      - SendGrid's own C(username) filter matches every name that starts with it, regardless of case; the module
        reads every page of those (the name may be on any of them) and keeps the name asked for.
      - At most 256 characters; an empty value, control characters and surrounding whitespace are refused before
        any request.
      - Mutually exclusive with O(username_prefix).
    type: str
  username_prefix:
    description:
      - Only the subusers whose names start with this, compared regardless of case (SendGrid's own C(username)
        filter; V(ann) finds C(Ann), C(Anna) and C(annex)).
      - Bounded and checked as O(username).
      - Mutually exclusive with O(username).
    type: str
    version_added: 2.0.0
  subuser_region:
    description:
      - Only subusers of this region. V(all) lists every subuser, V(global) and V(eu) those of one region.
      - Not to be confused with O(region), which selects the API endpoint to call.
    type: str
    choices: [all, global, eu]
    default: all
  include_disabled:
    description:
      - Whether to list disabled subusers too.
    type: bool
    default: true
  page_size:
    description:
      - How many subusers to ask for per request, from 1 to 500 (the most SendGrid accepts).
      - SendGrid answers a list with no total and may return fewer than asked per page, so paging goes on until
        an empty page, or a page shorter than both this and an earlier page. When every subuser fits in the first
        page, that takes one more request.
      - The default was V(100) before version 2.0.0.
    type: int
    default: 500
notes:
  - Lists the subusers of the key's own account, or with O(on_behalf_of), of that customer account.
  - Needs the API key scope C(subusers.read).
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls
'''

EXAMPLES = r'''
- name: List every enabled subuser
  mailops.sendgrid.sendgrid_subuser_info:
    api_key: "{{ sendgrid_api_key }}"
    include_disabled: false
  register: listing

- name: Require TLS on all of them in one task
  mailops.sendgrid.sendgrid_enforced_tls:
    api_key: "{{ sendgrid_api_key }}"
    subusers: "{{ listing.subusers | selectattr('region', 'eq', 'global') | map(attribute='username') | list }}"
    require_tls: true

- name: List the EU subusers
  mailops.sendgrid.sendgrid_subuser_info:
    api_key: "{{ sendgrid_api_key }}"
    subuser_region: eu
  register: eu_listing

- name: Find the subuser named marketing (not marketing-eu)
  mailops.sendgrid.sendgrid_subuser_info:
    api_key: "{{ sendgrid_api_key }}"
    username: marketing
  register: marketing

- name: List the subusers whose names start with marketing
  mailops.sendgrid.sendgrid_subuser_info:
    api_key: "{{ sendgrid_api_key }}"
    username_prefix: marketing
  register: marketing_all
'''

RETURN = r'''
subusers:
  description: The subusers, in the order SendGrid lists them.
  returned: success
  type: list
  elements: dict
  contains:
    username:
      description: The subuser's username, the value for O(on_behalf_of).
      type: str
      sample: marketing
    id:
      description: The subuser's ID.
      type: int
      sample: 1234567
    email:
      description: The subuser's email address.
      type: str
      sample: marketing@example.com
    disabled:
      description: Whether the subuser is disabled.
      type: bool
      sample: false
    region:
      description: The subuser's region, V(global) or V(eu). Subusers that predate regions are V(global).
      type: str
      sample: global
status:
  description: The HTTP status of SendGrid's answer, when the task failed on an error answer from SendGrid.
  returned: failure, when SendGrid answered
  type: int
  sample: 403
api_messages:
  description:
    - SendGrid's own error messages, when the task failed on an error answer from SendGrid, each with the field it
      names and SendGrid's help when short. Each is cut to 300 characters; at most ten are kept.
  returned: failure, when SendGrid answered with an error status
  type: list
  elements: str
  sample: [authorization required]
error_id:
  description:
    - The id SendGrid gave its error answer, the one SendGrid support asks for. The message ends with it too.
  returned: failure, when SendGrid's error answer carried an id
  type: str
  sample: 7f3c2a9e1b4d4c8e9a0b1c2d3e4f5a6b
  version_added: 2.0.0
retries:
  description: How many times the failed request was retried (after 429, 5xx or no connection) before giving up.
  returned: failure, when the retries or the waiting budget (O(max_retries), O(max_total_wait)) ran out
  type: int
  sample: 5
waited:
  description: How many seconds the failed request waited between its retries before giving up.
  returned: failure, when the retries or the waiting budget (O(max_retries), O(max_total_wait)) ran out
  type: float
  sample: 31.5
'''

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import check_username
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError, SendGridError
from ansible_collections.mailops.sendgrid.plugins.module_utils._module_support import (
    SendGridModule,
    checked_on_behalf_of,
    create_client,
    fail_on_error,
    sendgrid_argument_spec,
)


def main():
    module = SendGridModule(
        argument_spec=sendgrid_argument_spec(
            username=dict(type='str'),
            username_prefix=dict(type='str'),
            subuser_region=dict(type='str', default='all', choices=['all', 'global', 'eu']),
            include_disabled=dict(type='bool', default=True),
            page_size=dict(type='int', default=500),
        ),
        mutually_exclusive=[('username', 'username_prefix')],
        supports_check_mode=True,
    )
    params = module.params
    on_behalf_of = checked_on_behalf_of(module)
    try:
        for name in ('username', 'username_prefix'):
            if params[name] is not None:
                check_username(params[name], name)
    except SendGridConfigError as error:
        fail_on_error(module, error)
    client = create_client(module)
    listing = dict(region=params['subuser_region'], page_size=params['page_size'], on_behalf_of=on_behalf_of)
    try:
        with client:
            if params['username'] is not None:
                subusers = client.find_subusers(params['username'], **listing)
            else:
                subusers = client.list_subusers(params['username_prefix'], **listing)
    except SendGridError as error:
        fail_on_error(module, error)
    if not params['include_disabled']:
        subusers = [subuser for subuser in subusers if not subuser['disabled']]
    module.exit_json(changed=False, subusers=subusers)


if __name__ == '__main__':
    main()
