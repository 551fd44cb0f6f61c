# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: enforced_tls_plan
short_description: Group subusers by the Enforced TLS policy that applies to them
version_added: 1.0.0
author:
  - mailops.sendgrid maintainers (@mailops)
description:
  - Turns a baseline policy, listed subusers (with overrides and exemptions), discovered subusers and exclusions
    into one group of accounts per distinct effective policy and region, so that each group is one batch call of
    M(mailops.sendgrid.sendgrid_enforced_tls).
  - Internal to the role C(mailops.sendgrid.enforced_tls_baseline), whose README describes the inputs; not a public
    interface, it may change in any release. Use the role.
  - Fails with a message naming the input and what is allowed when an input is not valid.
  - Warns when O(all_subusers) is V(false) and the plan holds no subuser (often a misspelt input name, which Ansible
    ignores). Then only the parent account is covered.
options:
  _input:
    description: The baseline policy, a dictionary with any of C(require_tls), C(require_valid_cert) and C(version).
    type: dict
    required: true
  subusers:
    description:
      - Subuser names, or dictionaries with C(name) and any of C(require_tls), C(require_valid_cert), C(version) and
        C(region), or with C(exempt=true) and a C(reason).
    type: list
    elements: raw
  discovered:
    description: Subusers as returned by M(mailops.sendgrid.sendgrid_subuser_info) in RV(mailops.sendgrid.sendgrid_subuser_info#module:subusers).
    type: list
    elements: dict
  exclude:
    description: Subuser names to leave out.
    type: list
    elements: str
  include_disabled:
    description: Whether discovered subusers that are disabled are kept.
    type: bool
    default: false
  region:
    description: The region of listed subusers whose region is not otherwise known.
    type: str
    choices: [global, eu]
  workers:
    description: The role's worker count, checked (1 or more) so that every input fails before any request.
    type: int
  enforcement:
    description:
      - How every account gets its policy, as the O(mailops.sendgrid.sendgrid_enforced_tls#module:enforcement) option
        of the module takes it.
      - V(minimum), the policy is a floor, an account at least as strict is compliant and left as it is. V(exact), the
        policy's values are set as they are, loosening stricter accounts.
    type: str
    choices: [minimum, exact]
    default: minimum
  all_subusers:
    description:
      - Whether discovery will add the subusers of the parent account (the role's C(enforced_tls_baseline_all_subusers)).
      - When V(false) and the plan holds no subuser, the plan warns that only the parent account is covered.
    type: bool
  include_parent:
    description: Whether the parent account is covered too; only changes the wording of the warning.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Plan which subusers get which policy
  ansible.builtin.set_fact:
    tls_plan: >-
      {{ {'require_tls': true, 'version': 1.2} | mailops.sendgrid.enforced_tls_plan(
           subusers=['marketing', {'name': 'legacy-app', 'version': 1.1}, {'name': 'lab', 'exempt': true, 'reason': 'test'}]) }}
'''

RETURN = r'''
_value:
  description: The plan.
  type: dict
  contains:
    policy:
      description: The baseline policy, validated.
      type: dict
    enforcement:
      description: V(minimum) or V(exact), as given in O(enforcement).
      type: str
    warnings:
      description: Warnings about the plan, also shown as Ansible warnings.
      type: list
      elements: str
    groups:
      description: One entry per distinct effective policy and region, with its C(region), C(policy) and C(accounts).
      type: list
      elements: dict
    exempt:
      description: The exempt subusers, each with its C(account), C(reason) and C(region).
      type: list
      elements: dict
    excluded:
      description: The names left out by O(exclude).
      type: list
      elements: str
    disabled:
      description: The discovered subusers left out because they are disabled.
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import PlanError, build_plan

display = Display()


def enforced_tls_plan(policy, subusers=None, discovered=None, exclude=None, include_disabled=False, region=None,
                      workers=None, enforcement='minimum', all_subusers=None, include_parent=True):
    try:
        plan = build_plan(policy, subusers=subusers, discovered=discovered, exclude=exclude,
                          include_disabled=include_disabled, region=region, workers=workers, enforcement=enforcement,
                          all_subusers=all_subusers, include_parent=include_parent)
    except PlanError as error:
        raise AnsibleFilterError(str(error))
    for warning in plan['warnings']:
        display.warning(warning)
    return plan


class FilterModule:

    def filters(self):
        return {'enforced_tls_plan': enforced_tls_plan}
