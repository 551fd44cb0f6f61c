#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls_verdict
short_description: End a per-host Enforced TLS run with its summary, and fail it when it read no account
version_added: 2.0.0
description:
  - The last step of the playbooks C(mailops.sendgrid.audit_hosts) and C(mailops.sendgrid.enforce_hosts) (the role
    C(mailops.sendgrid.enforced_tls_baseline) with C(tasks_from=hosts_verdict)), in a play of its own on
    C(localhost) after the per-host play.
  - Takes what every batch of the per-host play recorded (M(mailops.sendgrid.sendgrid_enforced_tls_fleet) with
    O(mailops.sendgrid.sendgrid_enforced_tls_fleet#module:account_source=hosts)) and says in one line how the run's
    accounts stand, over all its C(serial) batches.
  - Fails when the run read no account, so that a nightly audit that reads nothing never looks like a clean one. That
    is when the per-host play matched no host (the inventory did not parse, holds no account, or the pattern or
    C(--limit) left none; the message says which, and names the inventory sources), or when every account was
    exempt.
  - Fails when accounts failed, and with O(fail_on_drift) when accounts are out of policy, naming the first 20.
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
      - Judges the audit that the check-mode run made.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  hosts_pattern:
    description: The host pattern of the per-host play, named in the message when it matched no host.
    type: str
    default: sendgrid
  fail_on_drift:
    description: Whether accounts out of policy (drift) fail the run. Failed accounts always do.
    type: bool
    default: false
  report_dir:
    description: The report directory of the run, named in the summary.
    type: path
notes:
  - "To fail as soon as an inventory source does not parse, before any play, set C(any_unparsed_is_failed = true) in
    the C([inventory]) section of C(ansible.cfg), or the environment variable
    E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) (in AWX, in the job template's or the global environment)."
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls_fleet
  - module: mailops.sendgrid.sendgrid_enforced_tls_host_result
'''

EXAMPLES = r'''
- name: Judge the per-host run
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Fail when no account was read, or accounts failed or drifted
      mailops.sendgrid.sendgrid_enforced_tls_verdict:
        hosts_pattern: sendgrid
        fail_on_drift: true
'''

RETURN = r'''
msg:
  description: The run's summary in one line, then why it fails, if it does.
  returned: always
  type: str
  sample: "Enforced TLS audit: 12 accounts, 11 compliant, 0 changed, 1 drift, 0 exempt, 0 failed."
mode:
  description: V(audit) in check mode, else V(enforce).
  returned: when the run read accounts
  type: str
summary:
  description: The run's counts over all its batches, as in RV(mailops.sendgrid.sendgrid_enforced_tls_fleet#module:summary).
  returned: when the run read accounts
  type: dict
'''
