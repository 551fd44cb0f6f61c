#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls_hosts
short_description: Apply an Enforced TLS policy to the accounts of a play batch of inventory hosts
version_added: 1.1.0
description:
  - The batch step of the playbooks C(mailops.sendgrid.audit_hosts) and C(mailops.sendgrid.enforce_hosts), and of
    the role C(mailops.sendgrid.enforced_tls_baseline) with C(tasks_from=hosts). Run it with C(run_once=true); then
    M(mailops.sendgrid.sendgrid_enforced_tls_outcome) gives each host its account's outcome as its own result.
  - Each host of the play batch (or of O(hosts)) stands for one SendGrid account. A host with the host variable
    C(sendgrid_on_behalf_of) is that subuser, in the region of its C(sendgrid_region) (C(global) or C(eu)). A host
    without it is the parent account; at most one may be. The inventory plugin C(mailops.sendgrid.subusers) makes
    such hosts.
  - Per host, the host (or group) variable C(enforced_tls_baseline_host_policy) replaces the settings of O(policy)
    that it names, and C(enforced_tls_baseline_exempt=true) with C(enforced_tls_baseline_exempt_reason) leaves the
    account as it is. A host whose inventory sets C(enforced_tls_baseline_policy) or
    C(enforced_tls_baseline_enforcement) to a value of its own fails the task before any request, as those hold for
    the whole run.
  - Calls M(mailops.sendgrid.sendgrid_enforced_tls) once per distinct policy and region (batch mode, with O(workers)
    workers), and once for the parent account. Never one call per host.
  - Bad inputs fail the task before any request, naming the host and the variable.
  - Runs on the controller; the module calls run on the host the task runs on (the controller, with the inventory
    plugin's C(ansible_connection=local)).
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.ACTIONGROUP_SENDGRID
attributes:
  action:
    support: full
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
  check_mode:
    support: full
    details:
      - Only reads the settings; the outcomes are the predicted ones.
  diff_mode:
    support: none
    details:
      - Each host's diff is the result of M(mailops.sendgrid.sendgrid_enforced_tls_outcome).
  idempotent:
    support: full
options:
  on_behalf_of:
    description:
      - Not used by this action, and refused. Each host names its own account with its host variable
        C(sendgrid_on_behalf_of).
  policy:
    description:
      - The policy, a dictionary with any of C(require_tls) (bool), C(require_valid_cert) (bool) and C(version) (V(1.1),
        V(1.2) or V(1.3)). Settings left out are not managed.
    type: dict
    required: true
  enforcement:
    description:
      - V(minimum) makes the policy a floor, never loosening an account that is stricter. V(exact) sets the policy's
        values as they are. See O(mailops.sendgrid.sendgrid_enforced_tls#module:enforcement).
    type: str
    choices: [minimum, exact]
    default: minimum
  workers:
    description:
      - How many accounts are processed at the same time in each batch call, a whole number from 1 to 100.
        Unset, the module's default.
    type: int
  hosts:
    description:
      - The hosts whose accounts to apply the policy to. By default the hosts of the play batch
        (C(ansible_play_batch)).
    type: list
    elements: str
notes:
  - The outcomes are handed to each host's task through one small file per account in Ansible's local temporary
    directory, which ansible-core removes when the run ends. They hold no API key.
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls_outcome
  - module: mailops.sendgrid.sendgrid_enforced_tls
'''

EXAMPLES = r'''
- name: Audit every SendGrid account of the inventory, each as its own host
  hosts: sendgrid
  gather_facts: false
  check_mode: true
  tasks:
    - name: Read the accounts of this batch
      mailops.sendgrid.sendgrid_enforced_tls_hosts:
        policy:
          require_tls: true
          require_valid_cert: true
          version: 1.2
      run_once: true
      register: tls_batch

    - name: Report each account as its host's own result
      mailops.sendgrid.sendgrid_enforced_tls_outcome:
        outcomes: "{{ tls_batch.outcomes }}"
        account: "{{ sendgrid_on_behalf_of | default(omit) }}"
'''

RETURN = r'''
outcomes:
  description: Where the outcomes of this batch are, for M(mailops.sendgrid.sendgrid_enforced_tls_outcome).
  returned: success
  type: str
mode:
  description: V(audit) in check mode, else V(enforce).
  returned: success
  type: str
summary:
  description:
    - How many accounts of the batch are compliant, changed, drift (in check mode), exempt and failed, with C(total),
      C(out_of_policy) (drift and failed) and C(stricter) (compliant accounts stricter than their policy).
  returned: success
  type: dict
ansible_stats:
  description:
    - The batch's counts, published as C(ansible.builtin.set_stats) would (once, not per host; in AWX, the job's
      artifacts). Whole numbers under names of their own, C(enforced_tls_hosts_total), C(enforced_tls_hosts_compliant),
      C(enforced_tls_hosts_drift), C(enforced_tls_hosts_changed), C(enforced_tls_hosts_exempt) and
      C(enforced_tls_hosts_failed), which ansible-core adds up over the batches of a play with C(serial).
  returned: success
  type: dict
'''
