#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls_info
short_description: Read the Enforced TLS setting of a SendGrid account
version_added: 1.0.0
description:
  - Reads the Enforced TLS setting of the account the API key belongs to, or of a subuser or customer account
    with O(on_behalf_of). Changes nothing.
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.INFO_MODULE
  - mailops.sendgrid.sendgrid.ACTIONGROUP_SENDGRID
options: {}
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls
'''

EXAMPLES = r'''
- name: Read the parent account's setting
  mailops.sendgrid.sendgrid_enforced_tls_info:
    api_key: "{{ sendgrid_api_key }}"
  register: parent_tls

- name: Read a subuser's setting
  mailops.sendgrid.sendgrid_enforced_tls_info:
    api_key: "{{ sendgrid_api_key }}"
    on_behalf_of: marketing
  register: marketing_tls

- name: Show whether the subuser requires TLS 1.2 or newer
  ansible.builtin.debug:
    msg: "{{ marketing_tls.enforced_tls.require_tls and marketing_tls.enforced_tls.version >= 1.2 }}"
'''

RETURN = r'''
enforced_tls:
  description:
    - The account's Enforced TLS setting. A version the account does not report is shown as the default, V(1.1).
  returned: success
  type: dict
  contains:
    require_tls:
      description: Whether recipients must support TLS.
      type: bool
      sample: false
    require_valid_cert:
      description: Whether recipients must have a valid certificate.
      type: bool
      sample: false
    version:
      description: The minimum TLS version.
      type: float
      sample: 1.1
account:
  description:
    - The account read, as given in O(on_behalf_of), or V(null) for the key's own (parent) account.
  returned: always
  type: str
  sample: marketing
status:
  description: The HTTP status of SendGrid's answer, when the task failed on an error answer from SendGrid.
  returned: failure, when SendGrid answered
  type: int
  sample: 401
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

from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridError
from ansible_collections.mailops.sendgrid.plugins.module_utils._module_support import (
    SendGridModule,
    checked_on_behalf_of,
    create_client,
    fail_on_error,
    sendgrid_argument_spec,
)


def main():
    module = SendGridModule(argument_spec=sendgrid_argument_spec(), supports_check_mode=True)
    on_behalf_of = checked_on_behalf_of(module)
    client = create_client(module)
    try:
        with client:
            settings = client.get_enforced_tls(on_behalf_of)
    except SendGridError as error:
        fail_on_error(module, error, account=on_behalf_of)
    module.exit_json(changed=False, enforced_tls=settings, account=on_behalf_of)


if __name__ == '__main__':
    main()
