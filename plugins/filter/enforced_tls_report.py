# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: enforced_tls_report
short_description: One Enforced TLS compliance entry per account, from the results of a baseline run
version_added: 1.0.0
author:
  - mailops.sendgrid maintainers (@mailops)
description:
  - Turns a plan made by P(mailops.sendgrid.enforced_tls_plan#filter) and the registered results of the calls of
    M(mailops.sendgrid.sendgrid_enforced_tls) into a report, with one entry per account and counts.
  - Statuses are V(compliant), V(changed), V(drift) (would change, in check mode), V(exempt) and V(failed).
  - Internal to the role C(mailops.sendgrid.enforced_tls_baseline), for its report files and summary; not a public
    interface, it may change in any release. The role's output C(enforced_tls_baseline_report) is the report.
options:
  _input:
    description: The plan made by P(mailops.sendgrid.enforced_tls_plan#filter).
    type: dict
    required: true
  parent_result:
    description: The registered result of the call for the parent account, if there was one.
    type: dict
  group_results:
    description: The registered results of the batch calls, one per group of the plan, each with its C(item).
    type: list
    elements: dict
  check_mode:
    description:
      - Whether the calls ran in check mode (an audit), for when no call reports it in its own C(check_mode) result.
    type: bool
    default: false
  generated_at:
    description: A timestamp to put into the report.
    type: str
'''

EXAMPLES = r'''
- name: Build the report
  ansible.builtin.set_fact:
    tls_report: >-
      {{ tls_plan | mailops.sendgrid.enforced_tls_report(parent_result=parent_call, group_results=group_calls.results,
                                                         check_mode=ansible_check_mode) }}
'''

RETURN = r'''
_value:
  description: The report.
  type: dict
  contains:
    mode:
      description: V(audit) in check mode, else V(enforce).
      type: str
    summary:
      description: >-
        Counts: C(total), C(compliant), C(changed), C(drift), C(exempt), C(failed), and C(out_of_policy)
        (drift and failed).
      type: dict
    accounts:
      description:
        - One entry per account with C(account), C(region), C(status), C(policy), C(before), C(after), C(differences)
          and C(reason) (why it is exempt, what changed, or why it failed).
        - Failed accounts first, then drift, changed, exempt and compliant ones.
      type: list
      elements: dict
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._baseline import build_report


def enforced_tls_report(plan, parent_result=None, group_results=None, check_mode=False, generated_at=None):
    if not isinstance(plan, dict):
        raise AnsibleFilterError('enforced_tls_report expects the plan made by enforced_tls_plan as input')
    try:
        return build_report(plan, parent_result=parent_result, group_results=group_results, check_mode=check_mode,
                            generated_at=generated_at)
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('enforced_tls_report: the plan or results do not have the expected shape ({0}: {1});'
                                 ' pass the output of enforced_tls_plan and the registered module results'.format(
                                     type(error).__name__, error))


class FilterModule:

    def filters(self):
        return {'enforced_tls_report': enforced_tls_report}
