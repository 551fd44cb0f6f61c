# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Which accounts a fleet run covers, and with which policy: the plan, as pure functions.

The accounts come from one of two places, and each is checked once, where it comes
from, so that a message names what the user set:

- the role's inputs: :func:`accounts_from_inputs` (``enforced_tls_baseline_subusers[3]``),
  plus the subusers SendGrid lists (:func:`discovered_accounts`);
- the hosts of a play batch: :func:`accounts_from_hosts` (``host web-1: sendgrid_region``).

Either way they become :class:`Account` entries, and :func:`build_plan` groups them by
effective policy and region: the fleet step makes one batch call per group, never one
per account. Nothing here sends a request.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Tuple

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import MAX_NAME_LENGTH, validate_on_behalf_of
from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import MAX_ACCOUNTS
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    ENFORCEMENT_MODES,
    MINIMUM,
    SETTING_FIELDS,
    SettingsError,
    canonical_version,
    parse_desired_settings,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value, quoted
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import REGIONS

PARENT_ACCOUNT = '(parent account)'
PREFIX = 'enforced_tls_baseline_'
SUBUSERS_INPUT = PREFIX + 'subusers'
ENTRY_KEYS = frozenset(SETTING_FIELDS + ('name', 'exempt', 'reason', 'region'))

# The host variables that name a host's account (the inventory plugin sets them), and those a user
# sets per host or group.
ON_BEHALF_OF = 'sendgrid_on_behalf_of'
REGION = 'sendgrid_region'
HOST_POLICY = PREFIX + 'host_policy'
EXEMPT = PREFIX + 'exempt'
EXEMPT_REASON = PREFIX + 'exempt_reason'
# Inputs that hold for the whole run: one host's inventory must not give them a value of its own.
RUN_INPUTS = (PREFIX + 'policy', PREFIX + 'enforcement')


class PlanError(ValueError):
    """The inputs do not make a plan; the message names the input (or the host and its variable) and what is
    allowed."""


class Account(NamedTuple):
    """One account a run is asked to cover, as checked where it came from.

    ``name``: the subuser, or None for the parent account. ``region``: None when not known.
    ``overrides``: settings that replace the policy's for it. ``exempt_reason``: why it is left
    as it is, or None. ``refused``: why no request can name it (a name SendGrid lists that no
    On-Behalf-Of header can carry), or None. ``source``: where it came from, for messages.
    """
    name: Optional[str]
    region: Optional[str] = None
    overrides: Dict[str, object] = {}
    exempt_reason: Optional[str] = None
    refused: Optional[str] = None
    source: str = ''


# -- checks of single values --------------------------------------------------------

def parse_policy(policy, field: str) -> dict:
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


def check_region(region, field: str) -> Optional[str]:
    """A region (or None, for not known), checked against SendGrid's regions."""
    if region is not None and region not in REGIONS:
        raise PlanError('{0} must be one of {1}; got {2}'.format(field, ', '.join(REGIONS), describe_value(region)))
    return region


def check_enforcement(enforcement, field: str = PREFIX + 'enforcement') -> str:
    if enforcement not in ENFORCEMENT_MODES:
        raise PlanError('{0} must be one of {1}; got {2}'.format(
            field, ', '.join(ENFORCEMENT_MODES), describe_value(enforcement)))
    return enforcement


def check_exemption(exempt, reason, where: str, exempt_name: str, reason_name: str) -> Optional[str]:
    """Why an account is exempt (``exempt`` true, with a reason that is not blank), or None. ``where`` names the
    entry or host, ``exempt_name`` and ``reason_name`` its two settings."""
    if exempt is None or exempt is False:
        return None
    if exempt is not True:
        raise PlanError('{0}: {1} must be true or false; got {2}'.format(where, exempt_name, describe_value(exempt)))
    if not isinstance(reason, str) or not reason.strip():
        raise PlanError('{0}: an exempt account needs {1}, so that reports can say why'.format(where, reason_name))
    return reason


def check_subuser_name(name, field: str) -> str:
    """A subuser name the user wrote, as an On-Behalf-Of header takes it."""
    try:
        return validate_on_behalf_of(name, field)
    except SendGridConfigError as error:
        raise PlanError(error.message)


def header_problem(name: str) -> Optional[str]:
    """Why a name SendGrid gave cannot be sent in an On-Behalf-Of header, or None when it can."""
    try:
        validate_on_behalf_of(name, 'its name')
    except SendGridConfigError as error:
        return error.message
    return None


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


def check_list(value, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PlanError('{0} must be a list; got {1}'.format(field, describe_type(value)))
    return value


# -- accounts from the role's inputs -----------------------------------------------------

def _input_entry(entry, index) -> Tuple[Account, bool]:
    """One item of ``enforced_tls_baseline_subusers``, and whether it is a plain name."""
    field = '{0}[{1}]'.format(SUBUSERS_INPUT, index)
    if isinstance(entry, str):
        return Account(check_subuser_name(entry, field), source=field), True
    if not isinstance(entry, dict):
        raise PlanError('{0} must be a subuser name or a dict with "name"; got {1}'.format(
            field, describe_type(entry)))
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise PlanError('{0} has unknown keys {1}; allowed are {2}'.format(
            field, ', '.join(unknown), ', '.join(sorted(ENTRY_KEYS))))
    if 'name' not in entry:
        raise PlanError('{0} needs a "name" (the subuser username)'.format(field))
    name = check_subuser_name(entry['name'], field + '.name')
    field = '{0} ({1})'.format(field, name)
    reason = check_exemption(entry.get('exempt'), entry.get('reason'), field, 'exempt', 'a "reason"')
    region = check_region(entry.get('region'), field + ': region')
    overrides = {}
    if any(entry.get(key) is not None for key in SETTING_FIELDS):
        try:
            overrides = parse_desired_settings(entry, field_prefix=field + ': ')
        except SettingsError as error:
            raise PlanError(str(error))
    if reason is not None and overrides:
        raise PlanError('{0}: an exempt subuser cannot also have settings; remove either'.format(field))
    return Account(name, region, overrides, reason, source=field), False


def _same_settings(one: Account, other: Account) -> bool:
    return (one.overrides, one.exempt_reason, one.region) == (other.overrides, other.exempt_reason, other.region)


def accounts_from_inputs(subusers) -> List[Account]:
    """The subusers of ``enforced_tls_baseline_subusers``, each checked, in listing order.

    A name listed more than once is one account: a dict entry wins over a plain name; two
    dict entries must agree.
    """
    listed = {}
    plain = set()
    subusers = check_list(subusers, SUBUSERS_INPUT)
    check_account_count(len(subusers))
    for index, raw in enumerate(subusers):
        account, is_plain = _input_entry(raw, index)
        earlier = listed.get(account.name)
        if earlier is None or (earlier.name in plain and not is_plain):
            listed[account.name] = account
            if is_plain:
                plain.add(account.name)
            else:
                plain.discard(account.name)
        elif not is_plain and not _same_settings(earlier, account):
            raise PlanError('{0} lists {1} twice with different settings; keep one entry, {2} or {3}'.format(
                SUBUSERS_INPUT, quoted(account.name), earlier.source, account.source))
    return list(listed.values())


PARENT_POLICY_INPUT = PREFIX + 'parent_policy'


def parent_from_inputs(include_parent, parent_policy=None) -> Optional[Account]:
    """The parent account, when the role's ``include_parent`` asks for it, with ``parent_policy``'s settings in
    place of the policy's (None or empty: the policy's). A parent policy is checked even when the parent is left
    out: a mistake in it must not wait for the run that includes it."""
    given = parent_policy not in (None, '', {})
    overrides = parse_policy(parent_policy, PARENT_POLICY_INPUT) if given else {}
    return Account(None, overrides=overrides, source=PREFIX + 'include_parent') if include_parent else None


class Discovered(NamedTuple):
    """The subusers SendGrid listed: by name, in listing order, with their regions; the disabled ones."""
    regions: Dict[str, str]
    disabled: frozenset


def discovered_accounts(discovered) -> Discovered:
    """Subusers as ``sendgrid_subuser_info`` (the collection's client) lists them."""
    regions = {}
    disabled = set()
    for index, subuser in enumerate(check_list(discovered, 'discovered subusers')):
        # Each field is read once.
        username = subuser.get('username') if isinstance(subuser, dict) else None
        if not isinstance(username, str) or not username:
            raise PlanError('discovered subusers[{0}] has no username; expected the subusers returned by'
                            ' sendgrid_subuser_info, got {1}'.format(index, describe_value(subuser)))
        regions[username] = subuser.get('region') or 'global'
        if subuser.get('disabled'):
            disabled.add(username)
    return Discovered(regions, frozenset(disabled))


# -- accounts from the hosts of a play batch ---------------------------------------------------

def _host_var(variables, name):
    """A host variable, or None when the host has none (a Mapping such as ansible-core's hostvars)."""
    return variables[name] if name in variables else None


def _check_run_inputs(host, variables, run_inputs):
    """A run-wide input that a host's inventory sets to another value would be silently ignored."""
    for name, value in sorted((run_inputs or {}).items()):
        own = _host_var(variables, name)
        if own is not None and own != value:
            raise PlanError('host {0} has its own {1}, but it holds for the whole run; set a per-host policy with'
                            ' {2} (host or group vars) instead'.format(host, name, HOST_POLICY))


def _host_account(host, variables) -> Account:
    source = 'host {0}'.format(host)
    policy = _host_var(variables, HOST_POLICY)
    overrides = parse_policy(policy, '{0}: {1}'.format(source, HOST_POLICY)) if policy is not None else {}
    reason = check_exemption(_host_var(variables, EXEMPT), _host_var(variables, EXEMPT_REASON), source, EXEMPT,
                             EXEMPT_REASON)
    if reason is not None and overrides:
        raise PlanError('{0}: an exempt account cannot also have {1}; remove either'.format(source, HOST_POLICY))
    region = check_region(_host_var(variables, REGION), '{0}: {1}'.format(source, REGION))
    name = _host_var(variables, ON_BEHALF_OF)
    if name is None:
        return Account(None, region, overrides, reason, source=source)
    if not isinstance(name, str):
        raise PlanError('{0}: {1} must be a subuser name; got {2}'.format(source, ON_BEHALF_OF, describe_value(name)))
    problem = header_problem(name)
    refused = None
    if problem:
        refused = ('{0}: {1} {2} cannot be sent to SendGrid: {3}; nothing was read or changed for it'.format(
            source, ON_BEHALF_OF, quoted(name), problem))
    return Account(name, region, overrides, reason, refused, source)


def accounts_from_hosts(hosts, hostvars, run_inputs=None) -> Tuple[Optional[Account], List[Account]]:
    """The parent account (a host without ``sendgrid_on_behalf_of``, at most one) and the subusers
    of these hosts, each host's variables checked once.

    ``hosts``: the host names of the batch; ``hostvars``: their variables by host name;
    ``run_inputs``: the run-wide inputs by name, which no host may set to a value of its own.
    Raises PlanError naming the host and its variable.
    """
    if not isinstance(hosts, (list, tuple)):
        raise PlanError('the hosts of the batch must be a list of host names; got {0}'.format(describe_type(hosts)))
    parent = None
    subusers = []
    seen = {}
    for host in hosts:
        variables = hostvars[host]
        _check_run_inputs(host, variables, run_inputs)
        account = _host_account(host, variables)
        if account.name is None:
            if parent is not None:
                raise PlanError('{0} and {1} both stand for the parent account (neither has {2}); give each subuser'
                                ' host its {2}, or leave one of them out'.format(
                                    parent.source, account.source, ON_BEHALF_OF))
            parent = account
            continue
        key = account.name.casefold()
        if key in seen:
            raise PlanError('{0} and {1} both stand for subuser {2} ({3}); SendGrid compares names regardless of'
                            ' case, so leave one of them out'.format(
                                seen[key].source, account.source, quoted(account.name), ON_BEHALF_OF))
        seen[key] = account
        subusers.append(account)
    return parent, subusers


# -- the plan ----------------------------------------------------------------------------

def _settings_key(settings):
    return tuple((field, canonical_version(settings[field]) if field == 'version' else settings[field])
                 for field in SETTING_FIELDS if field in settings)


def check_exclude(exclude) -> frozenset:
    """The names to leave out. They are compared, never sent: any name SendGrid lists can be left out, one that
    no On-Behalf-Of header can carry too."""
    names = set()
    for index, name in enumerate(check_list(exclude, PREFIX + 'exclude')):
        field = '{0}exclude[{1}]'.format(PREFIX, index)
        if not isinstance(name, str) or not name:
            raise PlanError('{0} must be a subuser name; got {1}'.format(field, describe_value(name)))
        if len(name) > MAX_NAME_LENGTH:
            raise PlanError('{0} {1} is longer than the {2} characters a subuser name may have here'.format(
                field, quoted(name), MAX_NAME_LENGTH))
        names.add(name)
    return frozenset(names)


def parent_only_warning():
    """The warning for a role run that covers only the parent account: often a misspelt input name."""
    return ('{0}subusers is empty and {0}all_subusers is false, so this run covers only the parent account. If'
            ' subusers were meant, check the names of the inputs: Ansible ignores variables it does not know.'.format(
                PREFIX))


def check_inputs_cover_accounts(listed, all_subusers, parent) -> List[str]:
    """Before any request: the role's inputs must be able to name an account. Returns the warnings of a
    run that covers only the parent account; raises PlanError for one that covers none."""
    if listed or all_subusers:
        return []
    if parent is None:
        raise PlanError('this run covers no account: {0}include_parent is false, {1} is empty and {0}all_subusers'
                        ' is false. List subusers, set {0}all_subusers: true, or include the parent account'.format(
                            PREFIX, SUBUSERS_INPUT))
    return [parent_only_warning()]


def _planned_names(listed, discovered, include_disabled):
    """Discovered subusers first, in listing order (a disabled one only if asked for, or listed), then
    listed subusers not discovered, in listing order."""
    names = [name for name in discovered.regions
             if name not in discovered.disabled or include_disabled or name in listed]
    names += [name for name in listed if name not in discovered.regions]
    return names


def _refusal(name, discovered):
    """Why a subuser SendGrid listed cannot be asked about, or None."""
    if name not in discovered.regions:
        return None
    problem = header_problem(name)
    if problem:
        return ('SendGrid lists subuser {0}, but {1}, so no request can name it; nothing was read or changed for'
                ' it. Leave it out with {2}exclude'.format(quoted(name), problem, PREFIX))
    return None


def check_run_inputs(policy, region=None, enforcement=MINIMUM):
    """The inputs that hold for the whole run, each checked once: the policy (normalised), the region of the parent
    account and of accounts of no known region, and the enforcement."""
    return (parse_policy(policy, PREFIX + 'policy'), check_region(region, PREFIX + 'region'),
            check_enforcement(enforcement))


def check_account_count(count):
    if count > MAX_ACCOUNTS:
        raise PlanError('{0} (with the discovered ones) come to {1} subusers, more than the {2} one run handles;'
                        ' split them over several runs, or leave some out with {3}exclude'.format(
                            SUBUSERS_INPUT, count, MAX_ACCOUNTS, PREFIX))


def build_plan(baseline, listed=(), discovered=None, exclude=frozenset(), include_disabled=False, region=None,
               enforcement=MINIMUM, parent=None):
    """Group the accounts by effective policy and region.

    Takes checked inputs only (:func:`check_run_inputs`, the ``accounts_from_*`` functions,
    :func:`check_exclude`). ``baseline``: the policy. ``listed``: :class:`Account` entries (from
    the inputs or the hosts). ``discovered``: a :class:`Discovered`, or None. ``exclude``: names to
    leave out entirely. ``region``: the region of the parent account and of listed subusers whose
    region is not known. ``enforcement``: ``minimum`` or ``exact``, for every account. ``parent``:
    the parent account's :class:`Account`, or None when it is left out.

    Returns ``{'policy', 'enforcement', 'parent': {'policy', 'region'} or None,
    'groups': [{'region', 'policy', 'accounts'}], 'exempt': [{'account', 'reason', 'region'}],
    'refused': [{'account', 'reason', 'region'}], 'excluded', 'disabled', 'discovered', 'accounts'}``
    (``discovered``: how many subusers SendGrid listed, None without discovery; ``accounts``:
    how many accounts the plan holds, exempt and refused ones included), accounts in listing
    order. Raises PlanError when they come to more than one run handles.
    """
    discovery = discovered is not None
    discovered = discovered or Discovered({}, frozenset())
    listed = {account.name: account for account in listed}
    excluded_names = exclude or frozenset()

    names = _planned_names(listed, discovered, include_disabled)
    check_account_count(len(names))
    planned = set(names)
    groups = {}
    exempt = []
    refused = []
    excluded = []
    for name in names:
        if name in excluded_names:
            excluded.append(name)
            continue
        account = listed.get(name) or Account(name)
        account_region = account.region or discovered.regions.get(name) or region
        reason = account.refused or _refusal(name, discovered)
        if reason:
            refused.append({'account': name, 'reason': reason, 'region': account_region})
            continue
        if account.exempt_reason is not None:
            exempt.append({'account': name, 'reason': account.exempt_reason, 'region': account_region})
            continue
        effective = dict(baseline, **account.overrides)
        key = (account_region or '', _settings_key(effective))
        group = groups.setdefault(key, {'region': account_region, 'policy': effective, 'accounts': []})
        group['accounts'].append(name)

    parent_plan = None
    if parent is not None:
        if parent.exempt_reason is not None:
            exempt.insert(0, {'account': PARENT_ACCOUNT, 'reason': parent.exempt_reason, 'region': parent.region})
        else:
            parent_plan = {'policy': dict(baseline, **parent.overrides), 'region': parent.region or region}
    planned_groups = list(groups.values())
    return {
        'policy': baseline,
        'enforcement': enforcement,
        'parent': parent_plan,
        'groups': planned_groups,
        'exempt': exempt,
        'refused': refused,
        'excluded': excluded,
        'disabled': [name for name in discovered.regions if name not in planned],
        'discovered': len(discovered.regions) if discovery else None,
        'accounts': (parent_plan is not None) + sum(len(group['accounts']) for group in planned_groups)
        + len(exempt) + len(refused),
    }


def accounts_to_read(plan) -> int:
    """How many accounts of the plan a run reads (or fails to name): all but the exempt ones."""
    return plan['accounts'] - len(plan['exempt'])


def nothing_done(message: str) -> str:
    """A message that stops a run before any account is read, saying so."""
    message = message.rstrip()
    return '{0}{1} No account was read or changed.'.format(message, '' if message.endswith('.') else '.')


def no_account_message(plan) -> Optional[str]:
    """Why a role run's plan leaves no account to read, or None when it has one."""
    if accounts_to_read(plan):
        return None
    exempt_parent = any(entry['account'] == PARENT_ACCOUNT for entry in plan['exempt'])
    parts = ['the parent account is exempt' if exempt_parent
             else 'the parent account is left out ({0}include_parent is false)'.format(PREFIX)]
    if plan['discovered'] is not None:
        parts.append('SendGrid lists {0} subusers'.format(plan['discovered']))
    counts = (('excluded', len(plan['excluded'])),
              ('disabled (left out unless {0}include_disabled)'.format(PREFIX), len(plan['disabled'])),
              ('exempt', len(plan['exempt']) - exempt_parent))
    parts.extend('{0} {1}'.format(count, what) for what, count in counts if count)
    return ('this run has no account to read: {0}. A run that reads no account is never a clean audit'.format(
        ', '.join(parts)))


def no_hosts_message(pattern, groups, sources, limit=None) -> str:
    """Why a per-host run read no account: its play matched no host (the inventory did not parse, holds no
    account, or the pattern or --limit left none)."""
    where = 'the inventory ({0})'.format(', '.join(str(source) for source in sources or []) or 'no source')
    matched = 'the host pattern {0}{1}'.format(quoted(pattern), ' with --limit {0}'.format(quoted(limit)) if limit else '')
    if pattern not in (groups or {}):
        cause = ('{0} has no group {1}: most likely the inventory plugin mailops.sendgrid.subusers did not parse (its'
                 ' warning above says why: a revoked or missing API key, the network, or a file name that does not'
                 ' end in sendgrid.yml), or the pattern is not one of its groups'.format(where, quoted(pattern)))
    elif not groups[pattern]:
        cause = ('the group {0} of {1} is empty: SendGrid lists no subuser that passes exclude and include_disabled,'
                 ' and the parent account is not a host (include_parent)'.format(quoted(pattern), where))
    else:
        cause = '{0} matched no host of {1}; check sendgrid_hosts and --limit'.format(matched, where)
    return ('No SendGrid account was read: {0} matched no host. {1}. A run that reads no account is never a clean'
            ' audit. To fail at once when an inventory source does not parse, set any_unparsed_is_failed = true in'
            ' the [inventory] section of ansible.cfg (or ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true).'.format(
                matched, cause[0].upper() + cause[1:]))
