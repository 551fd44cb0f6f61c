# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The fleet logic of the ``enforced_tls_baseline`` role, as pure functions.

:func:`build_plan` turns the role's inputs (a policy, listed subusers with their
overrides and exemptions, discovered subusers, exclusions) into one group of
accounts per distinct effective policy and region: the role makes one batch call
per group, never one per subuser. :func:`build_report` turns the results of
those calls back into one entry per account, for the report files and the
summary. The filter plugins ``enforced_tls_plan`` and ``enforced_tls_report``
expose them to the role.
"""

from __future__ import annotations

from ansible.module_utils.common.validation import check_type_int

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import validate_on_behalf_of
from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import MAX_ACCOUNTS, MAX_WORKERS
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    ENFORCEMENT_MODES,
    MINIMUM,
    SETTING_FIELDS,
    SettingsError,
    canonical_version,
    compare_fields,
    describe_change,
    parse_desired_settings,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value

PARENT_ACCOUNT = '(parent account)'
ENTRY_KEYS = frozenset(SETTING_FIELDS + ('name', 'exempt', 'reason', 'region'))
REGIONS = ('global', 'eu')
# Report order: what needs a person's attention first.
STATUS_ORDER = ('failed', 'drift', 'changed', 'exempt', 'compliant')
PREFIX = 'enforced_tls_baseline_'


class PlanError(ValueError):
    """The role's inputs do not make a plan; the message names the input and what is allowed."""


def as_subuser_list(value):
    """A list of subuser entries from a list, or from text as a survey gives it.

    Text holds one name per line or comma-separated names; blank ones are dropped.
    A list is returned as it is (its entries may be dicts with overrides).
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [name.strip() for name in value.replace(',', '\n').splitlines() if name.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise PlanError('expected a list of subusers, or text with one name per line; got {0}'.format(
        describe_type(value)))


def _settings_key(settings):
    return tuple((field, canonical_version(settings[field]) if field == 'version' else settings[field])
                 for field in SETTING_FIELDS if field in settings)


def _check_name(name, field):
    try:
        return validate_on_behalf_of(name, field)
    except SendGridConfigError as error:
        raise PlanError(error.message)


def _parse_entry(entry, index):
    """One item of ``enforced_tls_baseline_subusers``: a name, or a dict with a name and its settings."""
    field = '{0}subusers[{1}]'.format(PREFIX, index)
    if isinstance(entry, str):
        return {'name': _check_name(entry, field), 'overrides': {}, 'exempt': False, 'reason': None,
                'region': None, 'plain': True}
    if not isinstance(entry, dict):
        raise PlanError('{0} must be a subuser name or a dict with "name"; got {1}'.format(
            field, describe_type(entry)))
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise PlanError('{0} has unknown keys {1}; allowed are {2}'.format(
            field, ', '.join(unknown), ', '.join(sorted(ENTRY_KEYS))))
    if 'name' not in entry:
        raise PlanError('{0} needs a "name" (the subuser username)'.format(field))
    name = _check_name(entry['name'], field + '.name')
    field = '{0} ({1})'.format(field, name)
    exempt = entry.get('exempt', False)
    if not isinstance(exempt, bool):
        raise PlanError('{0}: exempt must be true or false; got {1!r}'.format(field, exempt))
    reason = entry.get('reason')
    if exempt and (not isinstance(reason, str) or not reason.strip()):
        raise PlanError('{0}: an exempt subuser needs a "reason", so that reports can say why'.format(field))
    region = entry.get('region')
    if region is not None and region not in REGIONS:
        raise PlanError('{0}: region must be one of {1}; got {2!r}'.format(field, ', '.join(REGIONS), region))
    overrides = {}
    if any(entry.get(key) is not None for key in SETTING_FIELDS):
        try:
            overrides = parse_desired_settings(entry, field_prefix=field + ': ')
        except SettingsError as error:
            raise PlanError(str(error))
    if exempt and overrides:
        raise PlanError('{0}: an exempt subuser cannot also have settings; remove either'.format(field))
    return {'name': name, 'overrides': overrides, 'exempt': exempt, 'reason': reason, 'region': region,
            'plain': False}


def _entry_settings(entry):
    return entry['overrides'], entry['exempt'], entry['reason'], entry['region']


def _listed_entries(subusers):
    """The listed entries by name, in listing order. A dict entry wins over a plain name;
    two dict entries for one name must agree."""
    listed = {}
    for index, raw in enumerate(subusers or []):
        entry = _parse_entry(raw, index)
        earlier = listed.get(entry['name'])
        if earlier is None or (earlier['plain'] and not entry['plain']):
            listed[entry['name']] = entry
        elif not entry['plain'] and _entry_settings(earlier) != _entry_settings(entry):
            raise PlanError('{0}subusers lists {1!r} twice with different settings; keep one entry'.format(
                PREFIX, entry['name']))
    return listed


def _discovered_regions(discovered):
    """Discovered subusers: their regions by name, in discovery order, and the disabled names."""
    regions = {}
    disabled = set()
    for index, subuser in enumerate(discovered or []):
        # Each field is read once: in a template, every read of a registered result's field costs.
        username = subuser.get('username') if isinstance(subuser, dict) else None
        if not isinstance(username, str):
            raise PlanError('discovered subusers[{0}] has no username; expected the subusers returned by'
                            ' sendgrid_subuser_info, got {1!r}'.format(index, subuser))
        regions[username] = subuser.get('region') or 'global'
        if subuser.get('disabled'):
            disabled.add(username)
    return regions, disabled


def _worker_count(value):
    """A worker count as the role's int input and the module's workers option take it (ansible-core's
    int type: templates before ansible-core 2.19 render numbers as strings). 0 when it is no count."""
    if isinstance(value, bool):
        return 0
    try:
        return check_type_int(value)
    except TypeError:
        return 0


def parse_policy(policy, field):
    """A policy checked and normalised: a dict with any of the setting fields, each valid.
    ``field`` names it in messages."""
    if not isinstance(policy, dict):
        raise PlanError('{0} must be a dict with any of {1}; got {2}'.format(
            field, ', '.join(SETTING_FIELDS), describe_type(policy)))
    unknown = sorted(set(policy) - set(SETTING_FIELDS))
    if unknown:
        raise PlanError('{0} has unknown keys {1}; allowed are {2}'.format(
            field, ', '.join(unknown), ', '.join(SETTING_FIELDS)))
    try:
        return parse_desired_settings(policy, field_prefix=field + '.')
    except SettingsError as error:
        raise PlanError(str(error))


def parent_only_warning(include_parent):
    """The warning for a plan with no subuser while discovery is off: often a misspelt input name."""
    return ('{0}subusers is empty and {0}all_subusers is false, so this run covers {1}. If subusers were meant,'
            ' check the names of the inputs: Ansible ignores variables it does not know.'.format(
                PREFIX, 'only the parent account' if include_parent else 'no account at all'))


def build_plan(policy, subusers=None, discovered=None, exclude=None, include_disabled=False, region=None,
               workers=None, enforcement=MINIMUM, all_subusers=None, include_parent=True, parent_overrides=None,
               parent_exempt_reason=None):
    """Group the accounts by effective policy and region.

    ``policy``: the baseline, a dict with any of require_tls, require_valid_cert,
    version. ``subusers``: names, or dicts with ``name`` and overrides, or
    ``exempt: true`` with a ``reason``. ``discovered``: subusers as listed by
    ``sendgrid_subuser_info`` (disabled ones are left out unless
    ``include_disabled``), or None. ``exclude``: names to leave out entirely.
    ``region``: the region of listed subusers whose region is not known.
    ``workers``: checked only (1 to MAX_WORKERS), so that every input fails before any request.
    ``enforcement``: ``minimum`` (the policy is a floor) or ``exact``, for every account.
    ``all_subusers``: the role's discovery switch; when it is false (not None) and the
    plan holds no subuser, ``warnings`` says that only the parent account is covered
    (``include_parent``: whether it is).
    ``parent_overrides``: settings of the parent account's own that replace the policy's
    (``parent_policy`` in the plan). ``parent_exempt_reason``: the parent account is exempt,
    and why (it is then in ``exempt``; the caller leaves out its call).

    Returns ``{'policy', 'parent_policy', 'enforcement', 'groups': [{'region', 'policy', 'accounts'}],
    'exempt': [{'account', 'reason', 'region'}], 'excluded', 'disabled', 'warnings'}``,
    accounts in discovery order, then listing order. Raises PlanError on bad input.
    """
    baseline = parse_policy(policy, PREFIX + 'policy')
    if region is not None and region not in REGIONS:
        raise PlanError('{0}region must be one of {1}; got {2!r}'.format(PREFIX, ', '.join(REGIONS), region))
    if enforcement not in ENFORCEMENT_MODES:
        raise PlanError('{0}enforcement must be one of {1}; got {2}'.format(
            PREFIX, ', '.join(ENFORCEMENT_MODES), describe_value(enforcement)))
    if workers is not None and not 1 <= _worker_count(workers) <= MAX_WORKERS:
        raise PlanError('{0}workers must be a whole number from 1 to {1}; got {2}'.format(
            PREFIX, MAX_WORKERS, describe_value(workers)))
    for name, value in ((PREFIX + 'subusers', subusers), (PREFIX + 'exclude', exclude),
                        ('discovered subusers', discovered)):
        if value is not None and not isinstance(value, list):
            raise PlanError('{0} must be a list; got {1}'.format(name, describe_type(value)))

    discovered_regions, disabled_names = _discovered_regions(discovered)
    listed = _listed_entries(subusers)
    excluded_names = set()
    for index, name in enumerate(exclude or []):
        excluded_names.add(_check_name(name, '{0}exclude[{1}]'.format(PREFIX, index)))

    # Discovered subusers first, in discovery order; a disabled one only if asked for, or listed.
    names = [name for name in discovered_regions
             if name not in disabled_names or include_disabled or name in listed]
    names += [name for name in listed if name not in discovered_regions]
    planned = set(names)
    disabled = [name for name in discovered_regions if name not in planned]
    if len(names) > MAX_ACCOUNTS:
        raise PlanError('{0}subusers (with the discovered ones) come to {1} subusers, more than the {2} one run'
                        ' handles; split them over several runs, or leave some out with {0}exclude'.format(
                            PREFIX, len(names), MAX_ACCOUNTS))
    excluded = [name for name in names if name in excluded_names]

    groups = {}
    exempt = []
    for name in names:
        if name in excluded_names:
            continue
        entry = listed.get(name)
        account_region = (entry and entry['region']) or discovered_regions.get(name) or region
        if entry and entry['exempt']:
            exempt.append({'account': name, 'reason': entry['reason'], 'region': account_region})
            continue
        effective = dict(baseline)
        effective.update(entry['overrides'] if entry else {})
        key = (account_region or '', _settings_key(effective))
        group = groups.setdefault(key, {'region': account_region, 'policy': effective, 'accounts': []})
        group['accounts'].append(name)
    warnings = []
    if all_subusers is False and not groups and not exempt:
        warnings.append(parent_only_warning(include_parent))
    if parent_exempt_reason is not None:
        exempt.insert(0, {'account': PARENT_ACCOUNT, 'reason': parent_exempt_reason, 'region': None})
    parent_policy = dict(baseline, **(parent_overrides or {}))
    return {'policy': baseline, 'parent_policy': parent_policy, 'enforcement': enforcement,
            'groups': list(groups.values()), 'exempt': exempt, 'excluded': excluded, 'disabled': disabled,
            'warnings': warnings}


def _group_entries(group_result):
    """The report entries of one batch call, whatever became of it."""
    group = group_result.get('item') or {}
    policy = group.get('policy')
    region = group.get('region')
    results = group_result.get('results')
    if group_result.get('skipped'):
        return []
    if not isinstance(results, list):
        # The call failed before it could try any account: every account of it failed.
        failure = _failure(group_result)
        return [_entry(name, region, policy, failure) for name in group.get('accounts', [])]
    return [_entry(result['account'], region, policy, result) for result in results]


def _failure(task_result):
    """A failed call's result as an account's: failed, with the call's message."""
    return {'failed': True, 'msg': task_result.get('msg') or 'the task failed without a message'}


# The note on an account whose update SendGrid answered with an error, and that reading it back
# showed applied (the module's warning has the whole story).
APPLIED_DESPITE_ERROR = 'SendGrid answered the update with an error, but reading it back showed it applied'


def _entry(account, region, policy, result):
    """An account's report entry from its result; its status is settled later unless it failed.

    Until then, the reason of an account that did not fail is the note on an update applied
    despite an error answer (its result's ``warnings``), or None.
    """
    failed = bool(result.get('failed'))
    if failed:
        reason = result.get('msg')
    else:
        reason = APPLIED_DESPITE_ERROR if result.get('warnings') else None
    return {'account': account, 'region': region, 'policy': policy, 'status': 'failed' if failed else None,
            'before': result.get('before'), 'after': result.get('after'),
            'differences': result.get('differences') or [], 'stricter': result.get('stricter') or [],
            'reason': reason}


def _parent_entry(parent_result, policy):
    if parent_result.get('failed') or 'enforced_tls' not in parent_result:
        return _entry(PARENT_ACCOUNT, None, policy, _failure(parent_result))
    return _entry(PARENT_ACCOUNT, None, policy, dict(parent_result, after=parent_result['enforced_tls']))


def _settle(entry, check_mode):
    """An account's status and reason from what its call found: ``drift``/``changed`` with how
    each setting stood against the policy (``version 1.1 < 1.2``), else ``compliant``; and
    which settings it keeps stricter than the policy. A note already in ``reason`` comes last."""
    note = entry['reason']
    reasons = []
    if entry['differences']:
        entry['status'] = 'drift' if check_mode else 'changed'
        if check_mode:
            reasons.append(compare_fields(entry['before'], entry['policy'], entry['differences']))
        else:
            reasons.append('changed ' + describe_change(entry['before'], entry['after'], entry['differences']))
    else:
        entry['status'] = 'compliant'
    if entry['stricter']:
        stricter = compare_fields(entry['after'], entry['policy'], entry['stricter'])
        reasons.append('stricter than the policy: ' + stricter)
    if note:
        reasons.append(note)
    entry['reason'] = '; '.join(reasons) or None


def ran_in_check_mode(results, default=False):
    """Whether the module calls ran in check mode, as they report it (``check_mode``).

    The play keyword ``check_mode: true`` does not show in ``ansible_check_mode``,
    so the calls' own word is preferred; ``default`` is for when none could say.
    """
    reported = [result['check_mode'] for result in results if result and 'check_mode' in result]
    return any(reported) if reported else bool(default)


def build_report(plan, parent_result=None, group_results=None, check_mode=False, generated_at=None):
    """One entry per account with its status, before, after and reason, plus counts.

    ``parent_result``: the registered result of the parent account's call (a
    skipped result, or None, when the parent is left out). ``group_results``: the registered results of
    the batch calls, one per group of the plan (each with its ``item``).
    ``check_mode``: used when no call reports whether it ran in check mode.
    Statuses: compliant, changed, drift (in check mode), exempt, failed. An account
    that keeps settings stricter than its policy (``enforcement`` ``minimum``) is
    compliant, and its ``stricter`` and ``reason`` say so; ``summary.stricter``
    counts such accounts.
    Accounts come in the order of :data:`STATUS_ORDER`, then as processed.
    """
    check_mode = ran_in_check_mode([parent_result] + list(group_results or []), check_mode)
    entries = []
    if parent_result is not None and not parent_result.get('skipped'):
        entries.append(_parent_entry(parent_result, plan.get('parent_policy') or plan.get('policy')))
    for group_result in group_results or []:
        entries.extend(_group_entries(group_result))
    for entry in entries:
        if entry['status'] is None:
            _settle(entry, check_mode)
    for exempt in plan.get('exempt', []):
        entry = _entry(exempt['account'], exempt.get('region'), None, {})
        entry.update(status='exempt', reason=exempt['reason'])
        entries.append(entry)
    entries.sort(key=lambda entry: STATUS_ORDER.index(entry['status']))
    summary = {'total': len(entries)}
    for status in STATUS_ORDER:
        summary[status] = sum(1 for entry in entries if entry['status'] == status)
    summary['out_of_policy'] = summary['drift'] + summary['failed']
    summary['stricter'] = sum(1 for entry in entries if entry['stricter'])
    return {
        'mode': 'audit' if check_mode else 'enforce',
        'generated_at': generated_at,
        'policy': plan.get('policy'),
        'enforcement': plan.get('enforcement', MINIMUM),
        'warnings': plan.get('warnings', []),
        'summary': summary,
        'excluded': plan.get('excluded', []),
        'disabled': plan.get('disabled', []),
        'accounts': entries,
    }
