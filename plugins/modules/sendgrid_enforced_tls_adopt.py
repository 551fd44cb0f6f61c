#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls_adopt
short_description: Write the role inputs that make a SendGrid fleet's Enforced TLS settings, as an audit read them, the baseline
version_added: 2.0.0
description:
  - Today's fleet as the baseline, behind the playbook C(mailops.sendgrid.adopt) and the role entry point
    C(mailops.sendgrid.enforced_tls_baseline) C(tasks_from=adopt). Given the report of an audit (the role run in check
    mode, or M(mailops.sendgrid.sendgrid_enforced_tls_fleet) in check mode), it writes a vars file of the role's inputs
    under which every account is compliant as it stands, with C(enforced_tls_baseline_enforcement=exact), so that
    whatever changes later shows as drift.
  - "C(enforced_tls_baseline_policy): the setting (all three fields) most accounts the audit read have, the parent
    account counted too; a tie goes to the strictest (TLS required first, then a valid certificate required, then the
    higher version)."
  - "C(enforced_tls_baseline_parent_policy): the parent account's own setting, when it differs from the policy.
    C(enforced_tls_baseline_include_parent=false) when the report has no parent account, or the parent account was exempt
    (the role's inputs cannot exempt it; a comment in the file says so): it is then neither read nor changed."
  - "C(enforced_tls_baseline_subusers): with O(all_subusers=false), every subuser of the report, in its order: its name
    when it has the policy's setting, else a dict with C(name) and its own C(require_tls), C(require_valid_cert) and
    C(version) (and C(region), when the audit gave it a region other than the parent account's). With
    O(all_subusers=true), only the subusers that differ from the policy, and C(enforced_tls_baseline_all_subusers=true)
    (with C(enforced_tls_baseline_include_disabled=true) when O(include_disabled)). Exempt subusers are carried over
    as C(name), C(exempt=true) and their C(reason)."
  - "C(enforced_tls_baseline_exclude): the report's C(excluded), when any."
  - The file starts with C(---) and a comment saying it was made by C(mailops.sendgrid.adopt), when (UTC), and of
    which fleet (how many subusers, whether discovered, the regions; never the key or the URL). It is YAML that
    C(ansible-lint --profile production) takes (two-space indentation, V(true) and V(false), versions as numbers,
    every name YAML would read as something else quoted, no line longer than 160 characters).
  - The report is checked first, and refused when it is not an audit's (a dict with C(accounts) and C(mode=audit)), or
    when accounts failed in it (named), as a failed account has no setting to adopt.
  - The file is written on the controller, whole (a temporary file in the same directory renamed over it), with mode
    C(0644). An existing file is refused unless O(force=true), before anything is written; with O(force=true) it is
    replaced only when the baseline changed (the time it was made aside), so the task is V(changed) only then.
  - Sends no request and takes no API key, so it is not in the action groups C(mailops.sendgrid.sendgrid) and
    C(mailops.sendgrid.enforced_tls_baseline).
author:
  - mailops.sendgrid maintainers (@mailops)
extends_documentation_fragment:
  - mailops.sendgrid.sendgrid.ATTRIBUTES
  - mailops.sendgrid.sendgrid.CONTROLLER_ACTION
attributes:
  check_mode:
    support: full
    details:
      - Writes nothing; RV(msg) says what it would write, and RV(adopted) holds it.
  diff_mode:
    support: full
    details:
      - The file's text before (empty when there is none) and after, when it changes.
  idempotent:
    support: full
    details:
      - With O(force=true) and the same fleet, the file is left as it is. Without O(force), a second run is refused.
options:
  report:
    description:
      - The report of an audit, such as the role's registered C(enforced_tls_baseline_report) after a run in check
        mode, or the result of M(mailops.sendgrid.sendgrid_enforced_tls_fleet) in check mode.
      - Its C(mode) must be V(audit), and no account may have failed in it.
    type: dict
    required: true
  path:
    description:
      - The vars file to write, on the controller. Its directory must exist. A relative path is relative to the
        directory C(ansible-playbook) runs in.
      - A symbolic link there is replaced by the file, not followed.
    type: path
    required: true
  force:
    description:
      - Replace the file at O(path) when there is one. Without it, an existing file is refused and left as it is.
    type: bool
    default: false
  all_subusers:
    description:
      - Whether the audit discovered the subusers (the role's C(enforced_tls_baseline_all_subusers)); the report does
        not say. Then the file keeps discovery on and lists only the subusers that differ from the policy.
    type: bool
    default: false
  include_disabled:
    description:
      - Whether the audit included disabled subusers it discovered (C(enforced_tls_baseline_include_disabled)). Only
        with O(all_subusers).
    type: bool
    default: false
notes:
  - Use the file as extra vars (C(ansible-playbook mailops.sendgrid.audit -e @baseline.yml)), or with
    C(ansible.builtin.include_vars) before the role. The connection inputs (key, URL, region) are not in it.
  - With O(all_subusers=false), a subuser created after the audit is not in the file, so no later run covers it until
    it is listed; with O(all_subusers=true), it gets the policy.
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls_fleet
'''

EXAMPLES = r'''
- name: Audit every account, writing nothing
  ansible.builtin.include_role:
    name: mailops.sendgrid.enforced_tls_baseline
  vars:
    enforced_tls_baseline_all_subusers: true
    enforced_tls_baseline_fail_on_drift: false
  check_mode: true

- name: Make the fleet as the audit read it the baseline
  mailops.sendgrid.sendgrid_enforced_tls_adopt:
    report: "{{ enforced_tls_baseline_report }}"
    path: /etc/sendgrid/enforced-tls-baseline.yml
    all_subusers: true
'''

RETURN = r'''
msg:
  description: What was written (or, in check mode, would be), in one line.
  returned: success
  type: str
  sample: "Wrote /etc/sendgrid/enforced-tls-baseline.yml: policy require_tls=true, require_valid_cert=true,
    version=1.2 (exact); the parent account has a setting of its own; 3 subuser(s) with a setting of their own,
    1 exempt, every other subuser discovered."
path:
  description: The file, as given.
  returned: success
  type: str
check_mode:
  description: Whether the task ran in check mode (nothing written).
  returned: success
  type: bool
adopted:
  description: The role inputs the file holds, by name.
  returned: success
  type: dict
  sample:
    enforced_tls_baseline_policy: {require_tls: true, require_valid_cert: true, version: 1.2}
    enforced_tls_baseline_enforcement: exact
    enforced_tls_baseline_parent_policy: {require_tls: true, require_valid_cert: false, version: 1.2}
    enforced_tls_baseline_all_subusers: true
    enforced_tls_baseline_subusers:
      - {name: legacy-crm, require_tls: true, require_valid_cert: true, version: 1.1}
      - {name: lab, exempt: true, reason: Test traffic to a receiver without TLS, ticket OPS-1234}
    enforced_tls_baseline_exclude: [sandbox]
'''
