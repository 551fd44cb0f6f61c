#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls_host_result
short_description: Report an account's Enforced TLS outcome as its inventory host's own result
version_added: 2.0.0
description:
  - The per-host step of the playbooks C(mailops.sendgrid.audit_hosts) and C(mailops.sendgrid.enforce_hosts) (the role
    C(mailops.sendgrid.enforced_tls_baseline) with C(tasks_from=hosts)). Takes the outcome of the host's account from
    the fleet step M(mailops.sendgrid.sendgrid_enforced_tls_fleet) with O(mailops.sendgrid.sendgrid_enforced_tls_fleet#module:account_source=hosts)
    and makes it the host's result, so that the play recap, AWX's host summaries and each host's history show every
    account.
  - A compliant account is V(ok). An account out of policy is V(changed) (drift in check mode, fixed otherwise), with
    its before and after in diff mode. An account that failed is V(failed), with its reason. An exempt account is
    skipped.
  - Sets the fact C(sendgrid_enforced_tls) of the host (not for failed or exempt accounts), which a fact cache keeps.
  - Runs on the controller only, sends no request, and takes no API key. So it is not in the action group
    C(mailops.sendgrid.sendgrid).
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.CONTROLLER_ACTION
attributes:
  check_mode:
    support: full
    details:
      - Reports what the fleet step found; in check mode, drift.
  diff_mode:
    support: full
    details:
      - Shows the account's setting before and after, with a header naming the account.
  idempotent:
    support: full
options:
  outcomes:
    description: The RV(mailops.sendgrid.sendgrid_enforced_tls_fleet#module:outcomes) of the fleet step in this play batch.
    type: str
    required: true
  account:
    description:
      - The host's account, its host variable C(sendgrid_on_behalf_of). Left out, the parent account.
    type: str
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls_fleet
  - module: mailops.sendgrid.sendgrid_enforced_tls_verdict
'''

EXAMPLES = r'''
- name: Report each account as its host's own result
  mailops.sendgrid.sendgrid_enforced_tls_host_result:
    outcomes: "{{ tls_batch.outcomes }}"
    account: "{{ sendgrid_on_behalf_of | default(omit) }}"
'''

RETURN = r'''
account:
  description: The account, or C((parent account)).
  returned: when the fleet step has an outcome for the account
  type: str
status:
  description: V(compliant), V(drift), V(changed), V(exempt) or V(failed).
  returned: when the fleet step has an outcome for the account
  type: str
ansible_facts:
  description: The host's facts.
  returned: when the account is not failed or exempt
  type: dict
  contains:
    sendgrid_enforced_tls:
      description:
        - How the account stands, as of this run. C(account), C(region), C(mode) (V(audit) or V(enforce)), C(status),
          C(setting) (its setting as it is now, as read in an audit, as left by an enforcement), C(before),
          C(policy), C(enforcement), C(differences), C(stricter), C(reason), C(checked_at) (UTC) and C(tls_blocks)
          (its TLS blocks, when the run read them, as in
          RV(mailops.sendgrid.sendgrid_enforced_tls_fleet#module:accounts), else V(null)).
      type: dict
      sample:
        account: acct-01
        region: global
        mode: audit
        status: drift
        setting: {require_tls: false, require_valid_cert: false, version: 1.1}
        before: {require_tls: false, require_valid_cert: false, version: 1.1}
        policy: {require_tls: true, require_valid_cert: true, version: 1.2}
        enforcement: minimum
        differences: [require_tls, require_valid_cert, version]
        stricter: []
        reason: require_tls false < true, require_valid_cert false < true, version 1.1 < 1.2
        checked_at: '2026-12-03T12:00:00Z'
'''
