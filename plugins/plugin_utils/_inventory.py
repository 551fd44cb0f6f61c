# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The ``mailops.sendgrid.subusers`` inventory as pure functions: which accounts become hosts,
in which groups, with which variables, and what its cache holds.

:func:`plan_hosts` turns the listed subusers (as ``SendGridClient.list_subusers`` returns
them) and the inventory source's options into hosts; the plugin only adds them to
Ansible's inventory. Nothing here sends a request or touches Ansible's inventory.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import (
    MAX_NAME_LENGTH,
    check_username,
    validate_on_behalf_of,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_type, describe_value, quoted
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import REGIONS

GROUP_ALL = 'sendgrid'
GROUP_SUBUSERS = 'sendgrid_subusers'
GROUP_DISABLED = 'sendgrid_disabled'
REGION_GROUP_PREFIX = 'sendgrid_region_'
DEFAULT_PARENT_NAME = 'sendgrid_parent'
# Ansible's own groups, and the names under which it knows the controller (the implicit localhost).
ANSIBLE_GROUPS = ('all', 'ungrouped')
IMPLICIT_LOCALHOST = ('localhost', '127.0.0.1', '::1')
# How an On-Behalf-Of value names a customer account instead of a subuser.
CUSTOMER_ACCOUNT_PREFIX = 'account-id '
# The most entries the exclude option takes (each at most MAX_NAME_LENGTH characters).
MAX_EXCLUDE = 1000
# Every account runs its tasks on the controller, with the Python that runs ansible-playbook (which has
# requests): interpreter discovery would pick another one. The plugin marks the template as trusted.
CONNECTION_VARS = {
    'ansible_connection': 'local',
    'ansible_python_interpreter': '{{ ansible_playbook_python }}',
}
# What the cache holds of each subuser: the fields SendGridClient.list_subusers returns.
SUBUSER_FIELDS = ('username', 'id', 'email', 'disabled', 'region')
# Bumped when the cache's layout changes, so that an older entry counts as a miss.
CACHE_FORMAT = 1
# Characters a host pattern (--limit, hosts:) reads as separators, and the starts it reads as operators.
_PATTERN_SEPARATORS = (',', ':')
_PATTERN_OPERATORS = ('!', '&', '~')
_TEMPLATE_MARKERS = ('{{', '{%', '{#')


class InventoryConfigError(ValueError):
    """An option of the inventory source is not valid; the message names it and what is allowed."""


class InventoryHost(NamedTuple):
    """One host of the inventory.

    ``connection_vars`` are the collection's own (templates among them); ``account_vars`` come
    from SendGrid's answers and must never be templated.
    """
    name: str
    groups: Tuple[str, ...]
    connection_vars: Dict[str, str]
    account_vars: Dict[str, object]


def region_group(region: str) -> str:
    """The group of the accounts of a region: ``sendgrid_region_eu``."""
    return REGION_GROUP_PREFIX + region


def inventory_groups(include_disabled: bool) -> List[str]:
    """The groups the inventory always has, even when empty (so host filters can name them)."""
    groups = [GROUP_ALL, GROUP_SUBUSERS] + [region_group(region) for region in REGIONS]
    if include_disabled:
        groups.append(GROUP_DISABLED)
    return groups


def host_name_problem(name) -> Optional[str]:
    """Why ``name`` cannot be a host name, or None when it can.

    On top of what an On-Behalf-Of header refuses (control characters, surrounding whitespace,
    more than MAX_NAME_LENGTH characters, characters outside Latin-1): whitespace anywhere,
    the separators of host patterns (``,`` and ``:``), a leading pattern operator (``!``, ``&``,
    ``~``) and template markers, which would make the host impossible to target or a template.
    """
    try:
        validate_on_behalf_of(name, 'the name')
    except SendGridConfigError as error:
        return error.message
    if name.startswith(CUSTOMER_ACCOUNT_PREFIX):
        return 'the name reads as a customer account ("account-id <id>"), not a subuser'
    if any(char.isspace() for char in name):
        return 'the name contains whitespace, which a host name cannot hold'
    if any(char in name for char in _PATTERN_SEPARATORS):
        return 'the name contains , or :, which host patterns read as separators'
    if name.startswith(_PATTERN_OPERATORS):
        return 'the name starts with {0}, which host patterns read as an operator'.format(name[0])
    if any(marker in name for marker in _TEMPLATE_MARKERS):
        return 'the name contains a template marker ({{, {% or {#)'
    return None


def reserved_names(include_disabled: bool) -> Set[str]:
    """The names no host of this inventory may have: its groups, Ansible's own groups and the names of
    the implicit localhost (a host with a group's name would be taken for the group)."""
    return set(inventory_groups(include_disabled)) | set(ANSIBLE_GROUPS) | set(IMPLICIT_LOCALHOST)


def derived_host_name(username: str, taken: Set[str]) -> str:
    """A host name for a subuser whose username cannot be one (or is taken): the username's letters,
    digits, ``.``, ``_`` and ``-`` (others become ``_``, at most 64), then ``-`` and the start of the
    SHA-256 of the username, so that the same subuser always gets the same host (facts, history)."""
    slug = re.sub(r'[^A-Za-z0-9._-]+', '_', username).strip('._-')[:64] or 'subuser'
    digest = hashlib.sha256(username.encode('utf-8', 'surrogatepass')).hexdigest()
    for size in (8, 16, 64):
        name = '{0}-{1}'.format(slug, digest[:size])
        if name not in taken:
            return name
    raise InventoryConfigError('no host name is left for SendGrid subuser {0}'.format(quoted(username)))


def check_parent_name(value) -> str:
    """The parent_name option: a name a host can have (see ``host_name_problem``)."""
    if not isinstance(value, str):
        raise InventoryConfigError('parent_name must be a string (the host name of the parent account); got {0}'.format(
            describe_value(value)))
    problem = host_name_problem(value)
    if problem:
        raise InventoryConfigError('parent_name {0} cannot be a host name: {1}'.format(quoted(value), problem))
    if value in reserved_names(include_disabled=True):
        raise InventoryConfigError('parent_name {0} is the name of a group (or of the implicit localhost); set it to'
                                   ' another name'.format(quoted(value)))
    return value


def check_exclude(value) -> List[str]:
    """The exclude option: at most MAX_EXCLUDE names or shell patterns, each a valid subuser name filter."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise InventoryConfigError('exclude must be a list of subuser names or shell patterns; got {0}'.format(
            describe_type(value)))
    if len(value) > MAX_EXCLUDE:
        raise InventoryConfigError('exclude holds {0} entries; at most {1} are allowed (use shell patterns such as'
                                   ' test-*)'.format(len(value), MAX_EXCLUDE))
    patterns = []
    for index, pattern in enumerate(value):
        try:
            patterns.append(check_username(pattern, 'exclude[{0}]'.format(index)))
        except SendGridConfigError as error:
            raise InventoryConfigError('{0} (each entry is a subuser name or a shell pattern such as test-*, at most'
                                       ' {1} characters)'.format(error.message, MAX_NAME_LENGTH))
    return patterns


def is_excluded(name: str, patterns: List[str]) -> bool:
    """Whether a subuser name matches one of the names or shell patterns, regardless of case as SendGrid
    compares names."""
    folded = name.casefold()
    return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


def subuser_host(subuser: dict, name: Optional[str] = None) -> InventoryHost:
    """The host of a listed subuser, named ``name`` (by default its username)."""
    region = subuser['region']
    groups = [GROUP_ALL, GROUP_SUBUSERS]
    if region in REGIONS:
        # A region SendGrid may add later gets no group until the collection knows it.
        groups.append(region_group(region))
    if subuser['disabled']:
        groups.append(GROUP_DISABLED)
    account_vars = {
        'sendgrid_on_behalf_of': subuser['username'],
        'sendgrid_region': region,
        'sendgrid_disabled': subuser['disabled'],
        'sendgrid_id': subuser['id'],
        'sendgrid_email': subuser['email'],
    }
    return InventoryHost(name or subuser['username'], tuple(groups), dict(CONNECTION_VARS), account_vars)


def parent_host(name: str, region: str) -> InventoryHost:
    """The host of the parent account: in the group of every account only, acting on no subuser's behalf."""
    return InventoryHost(name, (GROUP_ALL,), dict(CONNECTION_VARS), {'sendgrid_region': region})


class Renamed(NamedTuple):
    """A subuser whose host is not named by its username, and why."""
    username: str
    host: str
    why: str


def plan_hosts(subusers: List[dict], exclude: List[str], include_disabled: bool = False,
               include_parent: bool = False, parent_name: str = DEFAULT_PARENT_NAME,
               region: str = 'global', taken: Iterable[str] = ()
               ) -> Tuple[List[InventoryHost], List[Renamed], List[Tuple[str, str]]]:
    """The hosts of the inventory: every listed subuser that ``exclude`` and ``include_disabled`` leave
    in, and the parent account with ``include_parent``.

    ``subusers`` as ``SendGridClient.list_subusers`` returns them; ``exclude`` as ``check_exclude``
    returns it. A subuser whose username cannot be a host name (``host_name_problem``), or is
    the name of a group (``reserved_names``, and ``taken``: the groups ``keyed_groups`` and
    ``groups`` make), of the parent's host or of another host, gets a derived host name
    (``derived_host_name``); its ``sendgrid_on_behalf_of`` holds the username. Returns the hosts,
    the renamed subusers, and the skipped ones ``(name, why)``: only a subuser whose name reads
    as a customer account (``account-id <id>``), which no On-Behalf-Of header can name as a
    subuser.
    """
    reserved = reserved_names(include_disabled) | set(taken)
    kept = [subuser for subuser in subusers
            if not (subuser['disabled'] and not include_disabled) and not is_excluded(subuser['username'], exclude)]
    names = {subuser['username'] for subuser in kept}
    used = reserved | names | ({parent_name} if include_parent else set())
    hosts = [parent_host(parent_name, region)] if include_parent else []
    renamed = []
    skipped = []
    for subuser in kept:
        username = subuser['username']
        if isinstance(username, str) and username.startswith(CUSTOMER_ACCOUNT_PREFIX):
            skipped.append((username, 'the name reads as a customer account ("account-id <id>"): an On-Behalf-Of'
                                      ' header with it would name that customer account, not this subuser'))
            continue
        why = host_name_problem(username)
        if why is None and username in IMPLICIT_LOCALHOST:
            why = 'it is a name of the controller, the implicit localhost'
        elif why is None and username in reserved:
            why = 'it is the name of a group'
        elif why is None and include_parent and username.casefold() == parent_name.casefold():
            why = 'it is parent_name, the host name of the parent account'
        if why is None:
            hosts.append(subuser_host(subuser))
            continue
        host = derived_host_name(username, used)
        used.add(host)
        renamed.append(Renamed(username, host, why))
        hosts.append(subuser_host(subuser, host))
    return hosts, renamed, skipped


def renamed_warning(renamed: List[Renamed], limit: int = 20) -> str:
    """The one warning about the subusers whose hosts have derived names (the first ``limit`` named)."""
    shown = '; '.join('{0} is host {1} ({2})'.format(quoted(item.username), item.host, item.why)
                      for item in renamed[:limit])
    more = ' and {0} more'.format(len(renamed) - limit) if len(renamed) > limit else ''
    return ('{0} SendGrid subuser(s) have a host name of their own, since their usernames cannot be host names: {1}{2}.'
            ' Their sendgrid_on_behalf_of holds the username.'.format(len(renamed), shown, more))


# -- the cache ------------------------------------------------------------------

def cache_source(base_url: str, subuser_region: str) -> dict:
    """What a listing was read from: a cached one is used only for the same source. Holds no key.

    Plain strings, so that the cache holds no more than the values (not where an option was set).
    """
    return {'base_url': str(base_url), 'subuser_region': str(subuser_region)}


def cache_entry(source: dict, subusers: List[dict]) -> dict:
    """What the cache holds: the source and the listed subusers' fields (SUBUSER_FIELDS), nothing else."""
    return {
        'format': CACHE_FORMAT,
        'source': dict(source),
        'subusers': [dict((field, subuser.get(field)) for field in SUBUSER_FIELDS) for subuser in subusers],
    }


def _is_cached_subuser(entry) -> bool:
    return (isinstance(entry, dict) and set(entry) == set(SUBUSER_FIELDS)
            and isinstance(entry['username'], str) and entry['username'] != ''
            and isinstance(entry['disabled'], bool) and isinstance(entry['region'], str)
            and (entry['email'] is None or isinstance(entry['email'], str))
            and (entry['id'] is None or (isinstance(entry['id'], (int, str)) and not isinstance(entry['id'], bool))))


def cached_subusers(entry, source: dict) -> Optional[List[dict]]:
    """The subusers of a cache entry written for ``source``; None (a miss) for an entry of another
    source or format, or one that does not hold what ``cache_entry`` writes."""
    if not isinstance(entry, dict) or entry.get('format') != CACHE_FORMAT or entry.get('source') != source:
        return None
    subusers = entry.get('subusers')
    if not isinstance(subusers, list) or not all(_is_cached_subuser(subuser) for subuser in subusers):
        return None
    return [dict(subuser) for subuser in subusers]
