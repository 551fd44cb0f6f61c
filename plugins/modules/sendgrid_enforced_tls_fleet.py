#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
module: sendgrid_enforced_tls_fleet
short_description: Apply one Enforced TLS policy to a fleet of SendGrid accounts, and report each
version_added: 2.0.0
description:
  - The fleet step behind the role C(mailops.sendgrid.enforced_tls_baseline) and the playbooks C(mailops.sendgrid.audit),
    C(mailops.sendgrid.enforce), C(mailops.sendgrid.audit_hosts) and C(mailops.sendgrid.enforce_hosts). It plans the
    accounts, applies the policy with one call of M(mailops.sendgrid.sendgrid_enforced_tls) per distinct policy and
    region (batch mode) and one for the parent account, never one per account, and builds the compliance report.
  - "The accounts come from one of two places (O(account_source)). V(inputs): the role's inputs, subusers listed in
    O(subusers) (with their overrides and exemptions), discovered with O(all_subusers) (one listing, through
    M(mailops.sendgrid.sendgrid_subuser_info)), and the parent account with O(include_parent). V(hosts): the hosts of
    the play batch, each standing for one account, as the inventory plugin C(mailops.sendgrid.subusers) makes them;
    run it with C(run_once=true), then M(mailops.sendgrid.sendgrid_enforced_tls_host_result) gives each host its
    account's outcome as its own result."
  - With V(hosts), a host with the host variable C(sendgrid_on_behalf_of) is that subuser, in the region of its
    C(sendgrid_region); a host without it is the parent account (at most one). Per host or group,
    C(enforced_tls_baseline_host_policy) replaces the settings of O(policy) that it names, and
    C(enforced_tls_baseline_exempt=true) with C(enforced_tls_baseline_exempt_reason) leaves the account as it is. A
    host whose inventory sets C(enforced_tls_baseline_policy) or C(enforced_tls_baseline_enforcement) to a value of
    its own fails the task before any request, as those hold for the whole run.
  - Every input, and each account, is checked once, before any request, and a failure names where the value came
    from (C(enforced_tls_baseline_subusers[3]), or the host and its variable). A run that has no account to read
    fails, before any request that could write.
  - One account's failure never stops the others; the task does not fail for failed accounts, its RV(failure) says
    why the run fails, so that the report and the counts are published first.
  - With O(report_dir), writes C(enforced-tls-report.json) and C(enforced-tls-report.md) there, in check mode too,
    never as a change. With V(hosts) and C(serial), the files hold the whole run so far, rewritten after each batch.
  - Publishes the counts as custom stats (as C(ansible.builtin.set_stats) does, in AWX the job's artifacts), once per
    call, added up over the batches of a play with C(serial). See RV(ansible_stats).
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
      - Only reads the settings; the report says what would change (drift). The report files are written.
  diff_mode:
    support: none
    details:
      - Each changed account's diff is in the results of the batch calls and, with O(account_source=hosts), the
        result of M(mailops.sendgrid.sendgrid_enforced_tls_host_result) for its host.
  idempotent:
    support: full
options:
  on_behalf_of:
    description:
      - Not used by this action, and refused. The accounts come from O(subusers), O(all_subusers) and O(include_parent),
        or from the hosts.
  region:
    description:
      - The region of the parent account, and of listed subusers (or hosts) whose region is not known. Discovered
        subusers are called in their own region.
      - Unset, the parent account is called at the endpoint of O(api_url), or in the region V(global).
    default: null
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
  account_source:
    description:
      - Where the accounts come from. V(inputs), O(subusers), O(all_subusers) and O(include_parent). V(hosts), the hosts
        of the play batch (or O(hosts)); run the task with C(run_once=true).
    type: str
    choices: [inputs, hosts]
    default: inputs
  subusers:
    description:
      - With O(account_source=inputs), the subusers. Each is a username, or a dictionary with C(name) and any of
        C(require_tls), C(require_valid_cert), C(version) (overriding O(policy) for it) and C(region) (V(global) or
        V(eu)), or with C(exempt=true) and a C(reason).
      - A name listed twice is one account; two dictionaries for one name must agree.
      - A list; anything else is refused before any request.
    type: raw
    default: []
  all_subusers:
    description:
      - With O(account_source=inputs), list every subuser of the parent account (one listing, every page) and apply the
        policy to them too. Listed entries add their overrides and exemptions.
    type: bool
    default: false
  include_disabled:
    description: Whether discovered subusers that are disabled get the policy too.
    type: bool
    default: false
  exclude:
    description:
      - A list of subuser names to leave out entirely, listed or discovered. A name is compared, never sent, so any
        name SendGrid lists can be left out.
    type: raw
    default: []
  include_parent:
    description: With O(account_source=inputs), whether the parent account (the API key's own) gets the policy too.
    type: bool
    default: true
  parent_policy:
    description:
      - With O(account_source=inputs), the parent account's own settings in place of those of O(policy) (any of
        C(require_tls), C(require_valid_cert) and C(version); those left out are the policy's). Checked before any
        request. With O(account_source=hosts), the parent account's host sets C(enforced_tls_baseline_host_policy)
        instead.
    type: dict
  hosts:
    description:
      - With O(account_source=hosts), the hosts whose accounts to apply the policy to. By default the hosts of the
        play batch (C(ansible_play_batch)).
    type: list
    elements: str
  workers:
    description:
      - How many accounts each batch call processes at the same time, a whole number from 1 to 100. Unset, the
        module's default (16).
    type: int
  page_size:
    description: How many subusers each page of the listing asks for (O(all_subusers)), from 1 to 500.
    type: int
    default: 500
  report_dir:
    description:
      - A directory on the controller for the report files, C(enforced-tls-report.json), C(enforced-tls-report.md) and
        C(enforced-tls-report.xml) as O(report_formats) asks. Created if missing, and checked before any account is
        read.
      - The C(enforced-tls-report.json) it holds is kept as C(enforced-tls-report.previous.json), one generation, when
        the call writes its own (with O(account_source=hosts), the run's first batch), and compared with; see
        RV(since_last_audit).
    type: path
  report_formats:
    description:
      - The formats of the report files in O(report_dir), some of V(json), V(markdown) and V(junit) (JUnit XML for the
        test reports of CI tools such as GitLab and Jenkins, one test case per account, the region as its class;
        drift is a failure, a failed account an error, exempt and held back accounts are skipped). Checked before
        any request.
      - Unset, V(json) and V(markdown).
    type: raw
  previous_report:
    description:
      - The report to compare this run with (an C(enforced-tls-report.json)), in place of the one O(report_dir)
        holds. A report that cannot be read is a warning, never a failure.
    type: path
  fail_on_drift:
    description:
      - Whether accounts out of policy (drift) make the run fail, in RV(failure). Failed accounts always do.
    type: bool
    default: false
  blocks_since:
    description:
      - After applying the policy, read each account's blocks list from this time on, with
        M(mailops.sendgrid.sendgrid_tls_blocks_info) (one call for the parent account, one per region for the
        subusers), and put its TLS blocks, the mail Enforced TLS dropped, into its entry (C(tls_blocks)), the counts
        and the report files.
      - A Unix time, an ISO 8601 time, or V(run) for the blocks since this run's updates (from the fleet step's
        start, less a minute, as SendGrid dates a block by its own clock). Unset or empty, not read.
      - Needs the scope C(suppression.blocks.read).
    type: raw
  max_tls_blocks:
    description:
      - The canary gate. After the updates (and O(canary_soak)), read the blocks list of each account this call
        changed, from the call's start (less a minute) or from O(blocks_since) when given; an account with more TLS
        blocks than this fails, its reason naming its blocked recipient domains, so that RV(failure) fails the run
        and, with O(account_source=hosts), its host fails and C(max_fail_percentage) stops the rollout before the next
        batch. An account whose blocks cannot be read fails too, as nothing says it drops no mail.
      - A whole number from 0 to 100000 (its digits as text too). Unset or empty, no gate. Not in check mode, which
        changes nothing.
      - Needs the scope C(suppression.blocks.read).
    type: raw
  canary_soak:
    description:
      - With O(max_tls_blocks), how many seconds to wait after the updates before reading the blocks, from 0 to 86400,
        so that mail sent meanwhile shows what the enforcement drops.
    type: raw
    default: 0
  rollback_on_blocks:
    description:
      - With O(max_tls_blocks), also set each account over the gate back to its setting before the update, exactly,
        as M(mailops.sendgrid.sendgrid_enforced_tls_restore) does (read in check mode, then written). Its entry gets
        C(rolled_back) and its C(after) is the setting the rollback left.
    type: bool
    default: false
  canary:
    description:
      - With O(account_source=inputs) and O(max_tls_blocks), apply the policy to this many subusers first (in the
        order of the plan), then the gate; the other subusers and the parent account only when no account of the
        canary failed. Otherwise they are held back, neither read nor changed, listed in C(held_back), and
        RV(failure) says so.
      - 0 or unset, every account at once. Not in check mode, which reads every account.
    type: raw
notes:
  - Connection options (O(api_key), O(api_url), O(timeout)...) reach every call this action makes; set them once with
    C(module_defaults) for C(group/mailops.sendgrid.sendgrid). Other C(module_defaults) of the modules it calls do not
    reach their calls; set O(workers) and O(page_size) here.
  - With O(account_source=hosts), the outcomes are handed to each host's task through one small file per account in
    Ansible's local temporary directory, and the run's report so far through one file per run, which ansible-core
    removes when the run ends. They hold no API key.
seealso:
  - module: mailops.sendgrid.sendgrid_enforced_tls
  - module: mailops.sendgrid.sendgrid_enforced_tls_host_result
  - module: mailops.sendgrid.sendgrid_enforced_tls_verdict
  - module: mailops.sendgrid.sendgrid_enforced_tls_restore
  - module: mailops.sendgrid.sendgrid_tls_blocks_info
'''

EXAMPLES = r'''
- name: Audit the parent account and every subuser
  mailops.sendgrid.sendgrid_enforced_tls_fleet:
    policy:
      require_tls: true
      require_valid_cert: true
      version: 1.2
    all_subusers: true
    report_dir: /var/lib/sendgrid-audits
  check_mode: true
  register: tls_report

- name: Fail when an account failed
  ansible.builtin.assert:
    that: tls_report.failure is none
    fail_msg: "{{ tls_report.failure or '' }}"
    success_msg: "{{ tls_report.msg }}"

- name: Enforce ten subusers first; the rest only if none drops more than 5 messages, else set them back
  mailops.sendgrid.sendgrid_enforced_tls_fleet:
    policy:
      require_tls: true
    all_subusers: true
    canary: 10
    max_tls_blocks: 5
    canary_soak: 900
    rollback_on_blocks: true
    report_dir: /var/lib/sendgrid-enforcements
  register: tls_report

- name: Each account of the inventory as its own host
  hosts: sendgrid
  gather_facts: false
  tasks:
    - name: Apply the policy to this batch's accounts
      mailops.sendgrid.sendgrid_enforced_tls_fleet:
        policy:
          require_tls: true
        account_source: hosts
      run_once: true
      register: tls_batch

    - name: Report each account as its host's own result
      mailops.sendgrid.sendgrid_enforced_tls_host_result:
        outcomes: "{{ tls_batch.outcomes }}"
        account: "{{ sendgrid_on_behalf_of | default(omit) }}"
'''

RETURN = r'''
msg:
  description: The run's summary in one line, with the path of the Markdown report when there is one.
  returned: success
  type: str
  sample: "Enforced TLS audit: 48 accounts, 24 compliant, 0 changed, 22 drift, 1 exempt, 1 failed."
failure:
  description:
    - Why the run fails (accounts that failed, the first 20 named with the first error, the gate's among them; the
      accounts held back after a failed canary; with O(fail_on_drift), accounts out of policy and how), or V(null)
      when it passes.
    - With O(account_source=hosts), of the run so far.
  returned: success
  type: str
mode:
  description: V(audit) in check mode, else V(enforce).
  returned: success
  type: str
summary:
  description:
    - The counts, C(total), C(compliant), C(drift) (in check mode), C(changed), C(exempt), C(failed), C(out_of_policy)
      (drift and failed) and C(stricter) (the compliant accounts that keep a setting stricter than their policy).
    - With O(blocks_since), C(tls_blocks) (how many TLS blocks), C(with_tls_blocks) (how many accounts have some)
      and C(tls_blocks_unread) (accounts whose blocks list could not be read).
    - With O(account_source=hosts), of this batch.
  returned: success
  type: dict
generated_at:
  description: When the report was made (UTC).
  returned: with O(account_source=inputs)
  type: str
blocks_since:
  description: With O(blocks_since), the time the accounts' TLS blocks were read from (UTC).
  returned: with O(account_source=inputs) and O(blocks_since)
  type: str
policy:
  description: The policy, checked and normalised.
  returned: with O(account_source=inputs)
  type: dict
enforcement:
  description: V(minimum) or V(exact).
  returned: with O(account_source=inputs)
  type: str
warnings:
  description: Warnings about the plan (also shown as the task's warnings).
  returned: with O(account_source=inputs)
  type: list
  elements: str
excluded:
  description: The subusers left out by O(exclude).
  returned: with O(account_source=inputs)
  type: list
  elements: str
disabled:
  description: The discovered subusers left out because they are disabled.
  returned: with O(account_source=inputs)
  type: list
  elements: str
batches:
  description: The batch calls made, each with its C(region), C(policy) and number of C(accounts).
  returned: with O(account_source=inputs)
  type: list
  elements: dict
accounts:
  description:
    - One entry per account with C(account) (the parent account is C((parent account))), C(region), C(status)
      (V(failed), V(drift), V(changed), V(exempt), V(compliant), in that order), C(policy), C(before), C(after)
      (predicted in check mode), C(differences), C(stricter) and C(reason). An exempt account's C(before) and C(after)
      are its setting, read and never written (V(null) when it could not be read; its reason says why).
    - An account the gate failed (O(max_tls_blocks)) is V(failed), its reason naming its blocked domains; with
      O(rollback_on_blocks), C(rolled_back) says whether it was set back.
    - With O(blocks_since) or the gate, C(tls_blocks) too, the account's TLS blocks since then, C(count), C(domains) (each with
      its number of C(blocks)), C(more_domains), C(first_blocked) and C(last_blocked), or C(failed) and C(msg) when its
      blocks list could not be read.
  returned: with O(account_source=inputs)
  type: list
  elements: dict
since_last_audit:
  description:
    - What changed since the last report (the one O(report_dir) held, or O(previous_report)), account by account,
      C(newly_out_of_policy) (V(drift) or V(failed) now, and not then), C(back_in_policy) (V(compliant) or
      V(changed) now, V(drift) or V(failed) then), C(new_accounts) and C(gone_accounts), with their C(counts), the
      last report's C(previous_generated_at), C(previous_mode) and C(previous_report) (its path).
    - Also in every report file, and in the summary line.
  returned: with O(account_source=inputs), when there was a last report to compare with
  type: dict
held_back:
  description: With O(canary), the accounts held back after a canary that failed, neither read nor changed.
  returned: with O(canary), when the canary failed
  type: list
  elements: str
outcomes:
  description: Where the outcomes of this batch are, for M(mailops.sendgrid.sendgrid_enforced_tls_host_result).
  returned: with O(account_source=hosts)
  type: str
ansible_stats:
  description:
    - The counts of this call, published as C(ansible.builtin.set_stats) would (once, not per host; in AWX, the job's
      artifacts), whole numbers which ansible-core adds up over the batches of a play with C(serial)
      C(enforced_tls_total), C(enforced_tls_compliant), C(enforced_tls_drift), C(enforced_tls_changed),
      C(enforced_tls_exempt), C(enforced_tls_failed), C(enforced_tls_out_of_policy) and C(enforced_tls_stricter); with
      O(blocks_since), C(enforced_tls_tls_blocks), C(enforced_tls_with_tls_blocks) and C(enforced_tls_tls_blocks_unread);
      compared with a last report, C(enforced_tls_newly_out_of_policy), C(enforced_tls_back_in_policy),
      C(enforced_tls_new_accounts) and C(enforced_tls_gone_accounts).
  returned: success
  type: dict
'''
