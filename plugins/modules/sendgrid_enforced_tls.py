#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls
short_description: Manage the Enforced TLS setting of a SendGrid account
version_added: 1.0.0
description:
  - Makes SendGrid drop mail instead of sending it in clear text when a recipient's server refuses TLS, or has no
    valid certificate, or offers only an older TLS version.
  - Reads the account's current setting, compares it with the options given, and sends an update only when they
    differ. Options that are not given are left as they are.
  - Acts on the account the API key belongs to, or on a subuser or customer account with O(on_behalf_of).
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.ACTIONGROUP_SENDGRID
attributes:
  check_mode:
    support: full
    details:
      - Only reads the setting; returns the predicted after-state.
  diff_mode:
    support: full
    details:
      - Shows the setting before and after, with a header naming the account.
  idempotent:
    support: full
options:
  require_tls:
    description:
      - Whether recipients must support TLS. If V(true), mail to a server without TLS is dropped, with a block
        event "TLS required but not supported".
    type: bool
  require_valid_cert:
    description:
      - Whether recipients must have a valid TLS certificate.
    type: bool
  version:
    description:
      - The minimum TLS version recipients must support. One of V(1.1), V(1.2) or V(1.3), written as a number or a
        string.
      - An account that does not report a version is treated as having the documented default, V(1.1).
    type: raw
notes:
  - At least one of O(require_tls), O(require_valid_cert) and O(version) is required.
  - The update sends the whole setting (current values overlaid with the ones asked for), so no field is reset by
    being left out.
  - SendGrid's answer to the update is the after-state. If it disagrees with what was sent, the task fails
    rather than report a change that may not have happened.
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls_info
'''

EXAMPLES = r'''
- name: Require TLS 1.2 with a valid certificate on the parent account
  mailops.sendgrid.sendgrid_enforced_tls:
    api_key: "{{ sendgrid_api_key }}"
    require_tls: true
    require_valid_cert: true
    version: 1.2

- name: Require TLS for a subuser, leaving its other settings as they are
  mailops.sendgrid.sendgrid_enforced_tls:
    on_behalf_of: marketing-eu
    region: eu
    require_tls: true

- name: Set the key once for every module of the collection
  module_defaults:
    group/mailops.sendgrid.sendgrid:
      api_key: "{{ sendgrid_api_key }}"
  block:
    - name: Enforce TLS on the parent account
      mailops.sendgrid.sendgrid_enforced_tls:
        require_tls: true
        version: "1.2"
    - name: Enforce TLS on a subuser
      mailops.sendgrid.sendgrid_enforced_tls:
        on_behalf_of: transactional
        require_tls: true
        version: "1.2"
'''

RETURN = r'''
enforced_tls:
  description:
    - The Enforced TLS setting after the task, as SendGrid reported it after the update.
    - In check mode, the setting the task would have set.
  returned: success
  type: dict
  contains:
    require_tls:
      description: Whether recipients must support TLS.
      type: bool
      sample: true
    require_valid_cert:
      description: Whether recipients must have a valid certificate.
      type: bool
      sample: true
    version:
      description: The minimum TLS version.
      type: float
      sample: 1.2
account:
  description:
    - The account acted on, as given in O(on_behalf_of), or V(null) for the key's own (parent) account.
  returned: always
  type: str
  sample: marketing-eu
differences:
  description: The settings that differed from what was asked, and were changed (or would be, in check mode).
  returned: success
  type: list
  elements: str
  sample: [require_valid_cert, version]
status:
  description: The HTTP status of SendGrid's error answer, when the task failed on one.
  returned: failure
  type: int
  sample: 403
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.mailops.sendgrid.plugins.module_utils.enforced_tls import (
    SettingsError,
    parse_desired_settings,
    reconcile,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils.errors import (
    SendGridError,
    describe_account,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils.module_support import (
    checked_on_behalf_of,
    create_client,
    fail_on_error,
    sendgrid_argument_spec,
)


def build_diff(outcome, on_behalf_of):
    header = 'Enforced TLS of {0}'.format(describe_account(on_behalf_of))
    return {'before': outcome['before'], 'after': outcome['after'],
            'before_header': header, 'after_header': header}


def main():
    module = AnsibleModule(
        argument_spec=sendgrid_argument_spec(
            require_tls=dict(type='bool'),
            require_valid_cert=dict(type='bool'),
            version=dict(type='raw'),
        ),
        required_one_of=[('require_tls', 'require_valid_cert', 'version')],
        supports_check_mode=True,
    )
    on_behalf_of = checked_on_behalf_of(module)
    try:
        desired = parse_desired_settings(module.params)
    except SettingsError as error:
        module.fail_json(msg=str(error), account=on_behalf_of)

    client = create_client(module)
    try:
        with client:
            outcome = reconcile(client, desired, on_behalf_of, check_mode=module.check_mode)
    except SendGridError as error:
        fail_on_error(module, error, changed=False, account=on_behalf_of)

    result = dict(changed=outcome['changed'], enforced_tls=outcome['after'], account=on_behalf_of,
                  differences=outcome['differences'])
    if module._diff:
        result['diff'] = build_diff(outcome, on_behalf_of)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
