#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls_restore
short_description: Set the SendGrid accounts an enforcement changed back to their Enforced TLS setting before it
version_added: 2.0.0
description:
  - The way back from an enforcement, behind the playbook C(mailops.sendgrid.restore) and the role entry point
    C(mailops.sendgrid.enforced_tls_baseline) C(tasks_from=restore). Given the report of an enforcement (its
    C(enforced-tls-report.json), or the registered result of M(mailops.sendgrid.sendgrid_enforced_tls_fleet)), it sets
    each account the enforcement changed back to the setting the report records as its C(before), exactly (no floor),
    and nothing else.
  - The report is checked before any request. A file that is not the report of an enforcement (an audit's report, which
    changed nothing, or a report of a version this action does not know, see RV(accounts)) is refused, as is an entry
    of O(accounts) that the report does not hold.
  - Every account is read first (in check mode, whatever the task's), with one call of
    M(mailops.sendgrid.sendgrid_enforced_tls) for the parent account and one batch call per region and setting. An
    account still as the enforcement left it is set back with one more such call; one already as before is left
    (V(unchanged)); one changed since the report (neither its C(after) nor its C(before)) is left alone and named
    (V(changed_since)) unless O(force=true). Running it twice changes nothing the second time.
  - An account whose update failed in the enforcement, but whose setting before it the report records, is set back
    when it is no longer as before only with O(force=true), as the report does not say what the update made it. An account
    that failed before its setting was read cannot be restored (V(not_restorable)); a warning names it.
  - One account's failure never stops the others; the task does not fail for failed accounts, its RV(failure) says
    why the restore fails (accounts that failed, accounts changed since and left alone).
  - Runs on the controller; the module calls run on the host the task runs on.
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.ACTIONGROUP_SENDGRID
  - mailops.sendgrid.sendgrid.CONTROLLER_ACTION
attributes:
  check_mode:
    support: full
    details:
      - Only reads; each account to restore is V(to_restore) in RV(accounts), with what it would become.
  diff_mode:
    support: full
    details:
      - One diff per account set back (or, in check mode, to set back), headed with its name.
  idempotent:
    support: full
options:
  on_behalf_of:
    description:
      - Not used by this action, and refused. The report names the accounts; O(accounts) limits them.
  region:
    description:
      - The region of accounts whose region the report does not record (the parent account, unless the enforcement was
        given one). Unset, they are called at the endpoint of O(api_url), or in the region V(global).
    default: null
  report:
    description:
      - The report of the enforcement to undo. The path, on the controller, of its C(enforced-tls-report.json) (at most
        256 MB), or the report itself (a dictionary, such as the registered result of
        M(mailops.sendgrid.sendgrid_enforced_tls_fleet) or the role's C(enforced_tls_baseline_report)).
      - Its C(report_version) must be V(1) and its C(mode) V(enforce).
    type: raw
    required: true
  accounts:
    description:
      - Restore only these accounts of the report (subuser names; the parent account is V((parent account))). Unset or
        empty, every account the enforcement changed.
      - A list; a name the report does not hold is refused before any request.
    type: raw
  force:
    description:
      - Also set back the accounts changed since the report (and those whose update failed and that are no longer as
        before), to their C(before).
    type: bool
    default: false
  workers:
    description:
      - How many accounts each batch call processes at the same time, a whole number from 1 to 100. Unset, the
        module's default (16).
    type: int
notes:
  - Connection options (O(api_key), O(api_url), O(timeout)...) reach every call this action makes; set them once with
    C(module_defaults) for C(group/mailops.sendgrid.sendgrid).
  - An account is read, then written; a change made by someone else between the two is overwritten.
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls_fleet
  - module: mailops.sendgrid.sendgrid_enforced_tls
'''

EXAMPLES = r'''
- name: See what a restore would do
  mailops.sendgrid.sendgrid_enforced_tls_restore:
    report: /var/lib/sendgrid-enforcements/enforced-tls-report.json
  check_mode: true
  diff: true
  register: restore

- name: Restore two accounts of an enforcement, even if changed since
  mailops.sendgrid.sendgrid_enforced_tls_restore:
    report: /var/lib/sendgrid-enforcements/enforced-tls-report.json
    accounts:
      - marketing-eu
      - (parent account)
    force: true
  register: restore

- name: Fail when an account failed or was left alone
  ansible.builtin.assert:
    that: restore.failure is none
    fail_msg: "{{ restore.failure or '' }}"
    success_msg: "{{ restore.msg }}"
'''

RETURN = r'''
msg:
  description: The restore's summary in one line.
  returned: success
  type: str
  sample: "Enforced TLS restore: 3 accounts, 2 restored, 1 already as before, 0 changed since (left alone), 0 not
    restorable, 0 failed."
failure:
  description:
    - Why the restore fails (accounts that failed, the first 20 named with the first error; accounts changed since the
      enforcement and left alone), or V(null) when it passes.
  returned: success
  type: str
check_mode:
  description: Whether the restore ran in check mode (nothing written).
  returned: success
  type: bool
summary:
  description: How many accounts the restore covered (C(total)), and how many have each status.
  returned: success
  type: dict
  sample: {total: 3, failed: 0, changed_since: 0, not_restorable: 0, to_restore: 0, restored: 2, unchanged: 1}
accounts:
  description:
    - One entry per account the restore covered, those that need a person first (V(failed), V(changed_since),
      V(not_restorable)), then V(to_restore) (check mode), V(restored) and V(unchanged).
  returned: success
  type: list
  elements: dict
  contains:
    account:
      description: The subuser, or V((parent account)).
      type: str
    region:
      description: Its region as the report records it, or V(null).
      type: str
    status:
      description: What became of it.
      type: str
      choices: [failed, changed_since, not_restorable, to_restore, restored, unchanged]
    before:
      description: Its setting as the restore found it, or V(null) when not read.
      type: dict
    after:
      description: Its setting after the restore (in check mode, what the restore would make it), or V(null).
      type: dict
    restore_to:
      description: Its setting before the enforcement, as the report records it.
      type: dict
    reason:
      description: Why it has its status, or V(null).
      type: str
  sample:
    - account: marketing-eu
      region: eu
      status: restored
      before: {require_tls: true, require_valid_cert: true, version: 1.2}
      after: {require_tls: false, require_valid_cert: true, version: 1.2}
      restore_to: {require_tls: false, require_valid_cert: true, version: 1.2}
      reason: null
'''
