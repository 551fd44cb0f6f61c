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
  - By default the options set exactly these values, loosening an account that is stricter. With
    O(enforcement=minimum) they are a floor instead, as a security baseline wants. An account at least as strict
    as asked is left as it is, and only the settings weaker than asked are raised.
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
  subusers:
    description:
      - Apply the same settings to each of these accounts in one task (batch mode), instead of to one account.
      - Each entry is an On-Behalf-Of value, as in O(on_behalf_of), a subuser's username or C(account-id <id>).
        Empty names and duplicates are refused before any request.
      - At most 50,000 names in one task; split larger fleets over several tasks or runs.
      - The accounts are processed concurrently by O(workers) workers over one keep-alive connection pool. As
        SendGrid limits each endpoint on its own, reads (C(GET)) and updates (C(PATCH)) are paced apart. An HTTP
        429 pauses every worker calling that endpoint until SendGrid's reset, and the workers pace themselves
        from C(X-RateLimit-Remaining) so that they rarely meet one. Resets are counted by SendGrid's clock (the
        answer's C(Date)), so a local clock that is off does not change the waits.
      - One account's failure does not stop the others. The task fails after all are done if any failed,
        naming the first ten failed accounts (and how many more), and still returns every account's result in
        RV(results).
      - A key that is not usable stops the batch at once, so that a wrong, revoked or under-scoped key costs a few
        requests, not one per account. SendGrid does not document what it answers for an unknown or foreign
        subuser, and it may be a 401 or 403 like a bad key, so a 401 or 403 for a subuser is settled by one request
        for the key's own account (made once, shared by all workers). Only if that fails with 401 or 403 too is the
        key taken as unusable. An update refused with 403 after the account was read points at the key's scope.
        When three updates were refused that way and none succeeded, the key is taken to lack
        C(user.settings.enforced_tls.update). Then no further request is sent, one message says the key is not
        usable and how many accounts were not attempted, and their results are marked C(not_attempted).
      - Much faster than a C(loop) over O(on_behalf_of) for many subusers, which costs Ansible about half a
        second per item before any request.
      - Mutually exclusive with O(on_behalf_of).
    type: list
    elements: str
  enforcement:
    description:
      - How the values of O(require_tls), O(require_valid_cert) and O(version) are enforced.
      - V(exact) sets them as given. An account that is stricter than asked is loosened (for example from TLS 1.3
        down to 1.2, or from requiring a valid certificate to not requiring one).
      - V(minimum) treats them as a floor. Strictness order is V(true) above V(false) and a higher version above a
        lower one. A setting weaker than asked is raised to it. A setting stricter than asked is kept and
        reported in RV(stricter), so an account at least as strict as asked on every given setting is not changed.
        With V(minimum), O(require_valid_cert=false) means the account may go without a valid certificate, not
        that checking is switched off.
      - The role C(mailops.sendgrid.enforced_tls_baseline) uses V(minimum) unless told otherwise.
    type: str
    choices: [exact, minimum]
    default: exact
  workers:
    description:
      - How many accounts of O(subusers) are processed at the same time.
      - A whole number from 1 to 100, refused before any request otherwise. More workers are faster until
        SendGrid's rate limit is reached; see the collection's C(docs/performance.md) for measurements.
      - Threads and connections are sized to the work, never more than the number of accounts.
    type: int
    default: 16
notes:
  - At least one of O(require_tls), O(require_valid_cert) and O(version) is required.
  - The update sends the whole setting (current values overlaid with the ones asked for), so no field is reset by
    being left out.
  - SendGrid's answer to the update is the after-state. If a value in it contradicts what was sent, the task fails
    rather than report a change that may not have happened.
  - A setting that SendGrid's answer to the update leaves out (its documented example answers leave out C(version))
    is confirmed by reading the setting back. A read right after an update may not show it yet, so a read that
    shows another value is repeated, at most three reads within 1.5 seconds. Only a value that still contradicts
    what was sent fails the task, as not confirmed.
  - When the update's outcome is unknown (a server error, a timeout or a lost connection until the retries ran
    out, or an answer that cannot be read), the setting is read back before the task fails, with the same
    repeated reads. If it shows the values asked for, the update was applied, and the account is reported as changed,
    with a warning naming SendGrid's error. If it shows the values from before, the task fails saying that the
    update was not applied. If the read fails too, the task fails saying that the outcome is unknown.
  - In batch mode (O(subusers)), diff mode shows one before/after per changed account, also when the task runs
    in a C(loop) (each account's entry of RV(results) carries its own C(diff)).
  - ansible-core shows no diff for a task that failed. When one account of a batch fails, the task fails after all
    are done, and the before/after of the accounts that changed are in their entries of RV(results). The role
    C(mailops.sendgrid.enforced_tls_baseline) reports failed accounts after its batch tasks, so its diffs always show.
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

- name: Enforce the same policy on many subusers in one task, ten at a time
  mailops.sendgrid.sendgrid_enforced_tls:
    subusers: "{{ sendgrid_subuser_names }}"
    workers: 10
    require_tls: true
    require_valid_cert: true
    version: 1.2
  register: fleet

- name: Raise every subuser to at least TLS 1.2, keeping those already at 1.3
  mailops.sendgrid.sendgrid_enforced_tls:
    subusers: "{{ sendgrid_subuser_names }}"
    enforcement: minimum
    require_tls: true
    version: 1.2

- name: Show the subusers that were out of policy
  ansible.builtin.debug:
    msg: "{{ fleet.results | selectattr('changed') | map(attribute='account') | list }}"

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
    - The Enforced TLS setting after the task, as SendGrid reported it after the update; the settings its answer
      left out, or all of them when it answered with an error, as read back right after.
    - In check mode, the setting the task would have set.
  returned: success, when O(subusers) is not used
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
before:
  description:
    - The Enforced TLS setting before the task.
  returned: success, when O(subusers) is not used
  type: dict
  sample: {require_tls: false, require_valid_cert: false, version: 1.1}
account:
  description:
    - The account acted on, as given in O(on_behalf_of), or V(null) for the key's own (parent) account.
  returned: when O(subusers) is not used
  type: str
  sample: marketing-eu
differences:
  description: The settings that differed from what was asked, and were changed (or would be, in check mode).
  returned: success, when O(subusers) is not used
  type: list
  elements: str
  sample: [require_valid_cert, version]
stricter:
  description:
    - The settings asked for that the account keeps stricter than asked (only with O(enforcement=minimum)).
  returned: success, when O(subusers) is not used
  type: list
  elements: str
  sample: [version]
applied_despite_error:
  description:
    - Whether SendGrid answered the update with an error although reading the setting back showed it applied (the
      account is changed, and the task's warnings say what happened).
  returned: success, when O(subusers) is not used
  type: bool
  sample: false
  version_added: 2.0.0
check_mode:
  description:
    - Whether the task ran in check mode. Then C(changed) means "would change", and the after-states are predictions.
    - Lets a consumer of registered results, such as a report, tell an audit from an enforcement even where the
      play sets C(check_mode) and the C(ansible_check_mode) variable does not show it.
  returned: success
  type: bool
  sample: true
results:
  description:
    - In batch mode, one result per account of O(subusers), in the same order, whether the task succeeded or failed.
  returned: when O(subusers) is used
  type: list
  elements: dict
  contains:
    account:
      description: The account, as given in O(subusers).
      type: str
      sample: marketing
    changed:
      description: Whether the account's setting was changed (in check mode, would be).
      type: bool
      sample: true
    failed:
      description: Whether reading or updating this account failed.
      type: bool
      sample: false
    msg:
      description:
        - What happened to the account, or why it failed (with SendGrid's message and what to check).
        - For an update that failed with an error of unknown outcome, whether reading the setting back showed it
          "not applied", or that the outcome is unknown.
      type: str
      sample: changed require_valid_cert, version
    not_attempted:
      description:
        - V(true) for an account that was not tried because the API key proved unusable (see O(subusers)); it is
          also C(failed). Absent otherwise.
      type: bool
      sample: true
    before:
      description: The setting before the task, or V(null) if it could not be read.
      type: dict
      sample: {require_tls: true, require_valid_cert: false, version: 1.1}
    after:
      description: The setting after the task (predicted in check mode), or V(null) if the account failed.
      type: dict
      sample: {require_tls: true, require_valid_cert: true, version: 1.2}
    differences:
      description: The settings that differed from what was asked, and were changed (or would be).
      type: list
      elements: str
      sample: [require_valid_cert, version]
    stricter:
      description: The settings the account keeps stricter than asked (only with O(enforcement=minimum)).
      type: list
      elements: str
      sample: [version]
    status:
      description: For a failed account, the HTTP status of SendGrid's error answer, when there was one.
      type: int
      sample: 404
    api_messages:
      description: For a failed account, SendGrid's own error messages, when it answered with an error status.
      type: list
      elements: str
      sample: [subuser not found]
    error_id:
      description:
        - For a failed account, the id SendGrid gave its error answer (what SendGrid support asks for), when it
          carried one. The account's C(msg) ends with it too.
      type: str
      sample: 7f3c2a9e1b4d4c8e9a0b1c2d3e4f5a6b
      version_added: 2.0.0
    retries:
      description: For an account whose request was given up after retries, how many times it was retried.
      type: int
      sample: 5
    waited:
      description: For an account whose request was given up after retries, the seconds it waited between them.
      type: float
      sample: 31.5
    warnings:
      description:
        - For an account changed although SendGrid answered its update with an error (a read right after showed
          the values asked for), what happened, with SendGrid's error. The task's warnings say it too.
        - Absent for other accounts.
      type: list
      elements: str
      sample: ["SendGrid answered the update of subuser 'marketing' with an error, but reading the setting back
        (one read) shows the values asked for (version=1.2): the update was applied, and the account is reported
        as changed. The error: PATCH /v3/user/settings/enforced_tls for subuser 'marketing' failed with HTTP 500
        Internal Server Error after 5 retries and 31.5 s of waiting (SendGrid says: internal error). SendGrid had a
        server error; try again later."]
    applied_despite_error:
      description:
        - V(true) for an account changed although SendGrid answered its update with an error (see C(warnings)).
        - Absent for other accounts.
      type: bool
      version_added: 2.0.0
    diff:
      description:
        - In diff mode, for a changed account, its before/after with a header naming it, so that the C(--diff) output
          shows every account also when the task runs in a C(loop).
      type: dict
summary:
  description: In batch mode, how many accounts there were, and how many changed, were already as asked, or failed.
  returned: when O(subusers) is used
  type: dict
  contains:
    total:
      description: The number of accounts.
      type: int
      sample: 50
    changed:
      description: Accounts changed (in check mode, that would be changed).
      type: int
      sample: 12
    unchanged:
      description: Accounts already as asked.
      type: int
      sample: 37
    failed:
      description: Accounts that failed, those not attempted included.
      type: int
      sample: 1
    not_attempted:
      description: Accounts not tried because the API key proved unusable.
      type: int
      sample: 0
status:
  description: The HTTP status of SendGrid's answer, when the task failed on an error answer from SendGrid.
  returned: failure, when SendGrid answered
  type: int
  sample: 403
api_messages:
  description:
    - SendGrid's own error messages, when the task failed on an error answer from SendGrid, each with the field it
      names and SendGrid's help when short. Each is cut to 300 characters; at most ten are kept.
  returned: failure, when SendGrid answered with an error status
  type: list
  elements: str
  sample: [authorization required]
error_id:
  description:
    - The id SendGrid gave its error answer, the one SendGrid support asks for. The message ends with it too.
  returned: failure, when SendGrid's error answer carried an id
  type: str
  sample: 7f3c2a9e1b4d4c8e9a0b1c2d3e4f5a6b
  version_added: 2.0.0
retries:
  description: How many times the failed request was retried (after 429, 5xx or no connection) before giving up.
  returned: failure, when the retries or the waiting budget (O(max_retries), O(max_total_wait)) ran out
  type: int
  sample: 5
waited:
  description: How many seconds the failed request waited between its retries before giving up.
  returned: failure, when the retries or the waiting budget (O(max_retries), O(max_total_wait)) ran out
  type: float
  sample: 31.5
'''

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import (
    KeyCheck,
    check_account_names,
    check_workers,
    failure_message,
    pool_size_for,
    run_for_each,
    summarize,
    warning_message,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    ENFORCEMENT_MODES,
    EXACT,
    SettingsError,
    describe_differences,
    parse_desired_settings,
    setting_diff,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridConfigError,
    SendGridError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._module_support import (
    SendGridModule,
    checked_on_behalf_of,
    create_client,
    explain,
    fail_on_error,
    sendgrid_argument_spec,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._reconcile import reconcile

DEFAULT_WORKERS = 16


def account_result(account, outcome, check_mode, with_diff=False):
    result = {'account': account, 'changed': outcome['changed'], 'failed': False,
              'msg': describe_differences(outcome['differences'], check_mode, outcome['stricter']),
              'before': outcome['before'], 'after': outcome['after'], 'differences': outcome['differences'],
              'stricter': outcome['stricter']}
    if outcome['warnings']:
        result['warnings'] = list(outcome['warnings'])
        result['applied_despite_error'] = True
    # In a loop, ansible-core's callbacks look for each account's diff in its own entry.
    if with_diff and outcome['changed']:
        result['diff'] = setting_diff(outcome['before'], outcome['after'], account)
    return result


def apply_to_one(module, client, desired, on_behalf_of):
    try:
        with client:
            outcome = reconcile(client, desired, on_behalf_of, check_mode=module.check_mode,
                                enforcement=module.params['enforcement'])
    except SendGridError as error:
        fail_on_error(module, error, changed=False, account=on_behalf_of)
    for warning in outcome['warnings']:
        module.warn(warning)
    result = dict(changed=outcome['changed'], enforced_tls=outcome['after'], before=outcome['before'],
                  account=on_behalf_of, differences=outcome['differences'], stricter=outcome['stricter'],
                  check_mode=module.check_mode, applied_despite_error=bool(outcome['warnings']),
                  msg=describe_differences(outcome['differences'], module.check_mode, outcome['stricter']))
    if module._diff:
        result['diff'] = setting_diff(outcome['before'], outcome['after'], on_behalf_of)
    module.exit_json(**result)


def apply_to_many(module, client, desired, subusers):
    # One request for the key's own account settles whether a 401/403 for a subuser is the key's.
    key_check = KeyCheck(lambda: client.get_enforced_tls(None))

    def operation(account):
        outcome = reconcile(client, desired, account, check_mode=module.check_mode,
                            enforcement=module.params['enforcement'])
        if outcome['changed'] and not module.check_mode:
            key_check.update_succeeded()
        return account_result(account, outcome, module.check_mode, with_diff=module._diff)

    def describe_error(error):
        return explain(error, module.params)

    with client:
        results = run_for_each(subusers, operation, module.params['workers'], key_check=key_check,
                               describe_error=describe_error)
    result = dict(changed=any(item['changed'] for item in results), results=results, summary=summarize(results),
                  check_mode=module.check_mode)
    if module._diff:
        # The task's own list, for tasks without a loop: the diffs the changed accounts already carry.
        result['diff'] = [item['diff'] for item in results if 'diff' in item]
    warning = warning_message(results)
    if warning:
        module.warn(warning)
    message = failure_message(results, action='audit' if module.check_mode else 'enforce TLS on',
                              key_failure=key_check.failure, describe_error=describe_error)
    if message:
        module.fail_json(msg=message, **result)
    module.exit_json(**result)


def main():
    module = SendGridModule(
        argument_spec=sendgrid_argument_spec(
            require_tls=dict(type='bool'),
            require_valid_cert=dict(type='bool'),
            version=dict(type='raw'),
            subusers=dict(type='list', elements='str'),
            enforcement=dict(type='str', choices=list(ENFORCEMENT_MODES), default=EXACT),
            workers=dict(type='int', default=DEFAULT_WORKERS),
        ),
        # At least one setting is required, checked by parse_desired_settings: ansible-core's own check
        # would come before the one that names an unknown (misspelt) option.
        mutually_exclusive=[('on_behalf_of', 'subusers')],
        supports_check_mode=True,
    )
    on_behalf_of = checked_on_behalf_of(module)
    subusers = module.params['subusers']
    try:
        desired = parse_desired_settings(module.params)
        check_workers(module.params['workers'])
        if subusers is not None:
            check_account_names(subusers)
    except SettingsError as error:
        module.fail_json(msg=str(error), account=on_behalf_of)
    except SendGridConfigError as error:
        fail_on_error(module, error)

    client = create_client(module, pool_size=1 if subusers is None else pool_size_for(module.params['workers'], subusers))
    if subusers is None:
        apply_to_one(module, client, desired, on_behalf_of)
    else:
        apply_to_many(module, client, desired, subusers)


if __name__ == '__main__':
    main()
