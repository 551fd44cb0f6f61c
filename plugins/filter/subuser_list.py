# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: subuser_list
short_description: A list of subusers from a list, or from survey text
version_added: 1.0.0
author:
  - mailops.sendgrid maintainers (@mailops)
description:
  - Accepts subusers the way AWX surveys and extra vars give them, as a list or as text with one name per line or
    comma-separated names, and returns a list. Blank names are dropped.
  - A list is returned unchanged, so its entries may be dictionaries with overrides for the role
    C(mailops.sendgrid.enforced_tls_baseline).
  - Public, unlike the role's other filters. The playbooks C(mailops.sendgrid.audit) and C(mailops.sendgrid.enforce)
    use it for their survey inputs, and so may yours.
options:
  _input:
    description: A list, a string, or null (an empty list).
    type: raw
    required: true
'''

EXAMPLES = r'''
- name: Names from a survey textarea
  ansible.builtin.debug:
    msg: "{{ 'marketing\ntransactional, billing' | mailops.sendgrid.subuser_list }}"
    # => ['marketing', 'transactional', 'billing']
'''

RETURN = r'''
_value:
  description: The subusers.
  type: list
  elements: raw
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._plan import PlanError, as_subuser_list


def subuser_list(value):
    try:
        return as_subuser_list(value)
    except PlanError as error:
        raise AnsibleFilterError(str(error))


class FilterModule:

    def filters(self):
        return {'subuser_list': subuser_list}
