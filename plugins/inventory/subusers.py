# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: subusers
short_description: SendGrid subusers as hosts
version_added: 2.0.0
author:
  - mailops.sendgrid maintainers (@mailops)
description:
  - Lists the subusers of a SendGrid parent account (C(GET /v3/subusers), every page) and makes each one a host named
    by its username, so that AWX / Automation Controller shows one host per account, with its own status, history
    and facts, and so that C(serial), host filters and job slicing work on accounts.
  - Each host runs its tasks on the controller (C(ansible_connection=local)) with the Python that runs Ansible (which
    needs C(requests)), and has the variables C(sendgrid_on_behalf_of) (its username, for the modules'
    O(mailops.sendgrid.sendgrid_enforced_tls#module:on_behalf_of)), C(sendgrid_region) (V(global) or V(eu)),
    C(sendgrid_disabled), C(sendgrid_id) and C(sendgrid_email).
  - "Groups: C(sendgrid) (every account), C(sendgrid_subusers), C(sendgrid_region_global), C(sendgrid_region_eu), and
    C(sendgrid_disabled) (with O(include_disabled) only). The groups exist even when empty."
  - With O(include_parent), the parent account is a host too, named O(parent_name), in the group C(sendgrid) only,
    without C(sendgrid_on_behalf_of), with C(sendgrid_region) set to O(region).
  - Every subuser that O(exclude) and O(include_disabled) leave in is a host. One whose username cannot be a host name
    (whitespace, control characters, C(,) or C(:), a leading C(!), C(&) or C(~), template markers, more than 256
    characters) or is the name of a group (C(all), C(ungrouped), the plugin's groups, those O(keyed_groups) and
    O(groups) make), of the implicit localhost, or of the parent's host, gets a host name of its own, derived from its
    username (its letters, digits, C(.), C(_) and C(-), then C(-) and the start of the username's SHA-256, such as
    C(Weird_Name-cf297017)); its C(sendgrid_on_behalf_of) holds the username. One warning names them.
  - A subuser whose name reads as a customer account (C(account-id <id>)) is left out with a warning, since an
    C(On-Behalf-Of) header with its name would act on that customer account. A username that no C(On-Behalf-Of)
    header can carry (control characters, characters outside Latin-1) is a host whose account fails in the fleet
    step, before any request for it.
  - The values SendGrid answers are never templated.
  - Uses the collection's API client, with its paging, retries and rate-limit waits.
  - Inventory files must end in C(sendgrid.yml) or C(sendgrid.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
requirements:
  - requests (on the controller)
options:
  plugin:
    description: The name of this plugin. Must be V(mailops.sendgrid.subusers) for the file to be read by it.
    type: str
    required: true
    choices: [mailops.sendgrid.subusers]
  api_key:
    description:
      - A SendGrid API key of the parent account with the scope C(subusers.read). A secret, never shown in any message,
        warning or cache file, and never sent over plain HTTP except to a loopback host.
      - Best left out of the file and given by the E(SENDGRID_API_KEY) environment variable, which is how an AWX
        credential injects it.
      - Only characters an HTTP header can carry; a key with others is refused before any request.
      - Required, here or in the environment, unless the inventory is read from the cache.
    type: str
    env:
      - name: SENDGRID_API_KEY
  api_url:
    description:
      - The API's base URL, overriding O(region). For a proxy in front of SendGrid, or the collection's emulator.
      - Must be C(https://), or C(http://) to a loopback host (V(localhost), V(127.0.0.1), V(::1)) only, without user
        information, query or fragment.
      - An empty value counts as not set.
    type: str
    env:
      - name: SENDGRID_API_URL
  region:
    description:
      - The SendGrid region of the parent account, which selects the API endpoint.
      - V(global) uses U(https://api.sendgrid.com), V(eu) uses U(https://api.eu.sendgrid.com).
      - Ignored for the endpoint when O(api_url) is set; still the parent host's C(sendgrid_region).
    type: str
    choices: [global, eu]
    default: global
  include_parent:
    description: Whether the parent account is a host too (named O(parent_name)).
    type: bool
    default: false
  parent_name:
    description:
      - The host name of the parent account, with O(include_parent).
      - At most 256 characters, with no whitespace, control characters, C(,) or C(:), no leading C(!), C(&) or C(~),
        and no template markers. Not the name of a group, nor C(localhost). A subuser of that name (compared
        regardless of case) gets a derived host name.
    type: str
    default: sendgrid_parent
  include_disabled:
    description: Whether disabled subusers are hosts too (in the group C(sendgrid_disabled)).
    type: bool
    default: false
  subuser_region:
    description:
      - Which subusers to list, by their region. V(all) lists every subuser, V(global) or V(eu) only those of that
        region (filtered by SendGrid, and again on the answers).
    type: str
    choices: [all, global, eu]
    default: all
  exclude:
    description:
      - Subusers that are not hosts, by name or shell pattern (V(test-*), V(*-sandbox)), compared regardless of case
        as SendGrid compares names.
      - At most 1000 entries, each at most 256 characters, without control characters or surrounding whitespace.
      - Does not apply to the parent account.
    type: list
    elements: str
    default: []
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the API endpoint.
      - Set to V(false) only for a test endpoint with a self-signed certificate; the plugin warns when it is.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for a connection or an answer, per request.
      - Greater than 0 and at most 600.
    type: float
    default: 30
  max_retries:
    description:
      - How many times one request is retried after HTTP 500, 502, 503, 504 or a failed connection, with
        exponential backoff and jitter. Answers HTTP 429 are waited out within O(max_total_wait), not counted here.
      - From 0 to 20.
    type: int
    default: 5
  max_total_wait:
    description:
      - The most time, in seconds, one request may spend waiting for retries and rate limits in total.
      - From 0 to 86400 (one day).
    type: float
    default: 300
  page_size:
    description:
      - How many subusers to ask for per request.
      - From 1 to 500 (the most SendGrid accepts).
    type: int
    default: 500
notes:
  - The options are checked before the first request; a failure names the option and what it allows, or, for an
    answer of SendGrid's, the HTTP status, SendGrid's message and what to check, never the key.
  - With O(cache), the cache holds the listed subusers (their username, id, email, disabled and region) and the
    endpoint they were listed from, never the key. A cached listing is used only for the same endpoint and
    O(subuser_region); O(exclude), O(include_disabled) and O(include_parent) apply to it at every run.
seealso:
  - name: SendGrid's list of subusers
    description: The API call this plugin makes.
    link: https://www.twilio.com/docs/sendgrid/api-reference/subusers-api/list-all-subusers
'''

EXAMPLES = r'''
# inventory.sendgrid.yml: every enabled subuser, the key from SENDGRID_API_KEY
plugin: mailops.sendgrid.subusers

---
# inventory.sendgrid.yml: the EU subusers and the parent, a group per email domain, cached for an hour
plugin: mailops.sendgrid.subusers
subuser_region: eu
include_parent: true
exclude:
  - test-*
  - Sandbox
keyed_groups:
  - key: sendgrid_email | default('', true) | split('@') | last
    prefix: domain
compose:
  sendgrid_is_marketing: inventory_hostname is match('mkt-')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: /var/cache/ansible/sendgrid
cache_timeout: 3600
'''

import functools

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.mailops.sendgrid.plugins.module_utils._client import (
    SendGridClient,
    insecure_endpoint_warning,
    resolve_base_url,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_ENDPOINT,
    CAUSE_KEY,
    CAUSE_NO_KEY,
    CAUSE_RATE_LIMIT,
    CAUSE_SERVER,
    CAUSE_TIMEOUT,
    CAUSE_UNREACHABLE,
    SendGridError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._http import HAS_REQUESTS
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import quoted
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._inventory import (
    InventoryConfigError,
    cache_entry,
    cache_source,
    cached_subusers,
    check_exclude,
    check_parent_name,
    inventory_groups,
    plan_hosts,
    renamed_warning,
)

# How many times the hosts are named again when keyed_groups or groups make a group of a host's name.
MAX_NAMING_ROUNDS = 3


def _unchanged(value):
    return value


try:
    # ansible-core 2.19+: values an inventory plugin sets are not templates unless marked as trusted.
    from ansible.template import trust_as_template
    make_unsafe = _unchanged
except ImportError:
    # Before 2.19 every string is a template unless marked unsafe. Only strings that could start one are
    # marked: ansible-inventory --export (how AWX imports an inventory source) writes a marked string as
    # a dictionary, which AWX would keep as the host variable's value.
    from ansible.utils.unsafe_proxy import wrap_var

    def make_unsafe(value):
        if isinstance(value, str) and ('{' in value or '}' in value):
            return wrap_var(value)
        return value
    trust_as_template = _unchanged

# What to do about an error (by its cause), in this plugin's option names; {0} is the options.
INVENTORY_ADVICE = {
    CAUSE_NO_KEY: ('Set the api_key option of the inventory source, or the SENDGRID_API_KEY environment variable'
                   ' (an AWX credential injects it).'),
    CAUSE_KEY: 'Check the api_key option of the inventory source (or SENDGRID_API_KEY); an EU key needs region: eu.',
    CAUSE_ENDPOINT: 'Check the api_url (or SENDGRID_API_URL) and region options of the inventory source.',
    CAUSE_SERVER: ('To retry for longer, raise max_retries (now {0[max_retries]}) or max_total_wait'
                   ' (now {0[max_total_wait]:g} s) in the inventory source.'),
    CAUSE_RATE_LIMIT: ('To wait for longer, raise max_total_wait (now {0[max_total_wait]:g} s) in the inventory'
                       ' source, or refresh the inventory when other clients of this key are idle.'),
    CAUSE_TIMEOUT: 'If SendGrid is slow, raise timeout (now {0[timeout]:g} s) in the inventory source.',
    CAUSE_UNREACHABLE: ('Check the api_url (or SENDGRID_API_URL) and region options of the inventory source; with a'
                        ' self-signed test endpoint, validate_certs.'),
}
# The options INVENTORY_ADVICE shows.
ADVICE_OPTIONS = ('max_retries', 'max_total_wait', 'timeout')


def explain(error: SendGridError, options: dict) -> str:
    """The client's message (it never holds the key), with advice in the inventory source's option names."""
    return error.explained(INVENTORY_ADVICE, options)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """The subusers of a SendGrid parent account as hosts."""

    NAME = 'mailops.sendgrid.subusers'

    def verify_file(self, path):
        """Only files whose names end in sendgrid.yml or sendgrid.yaml."""
        return super().verify_file(path) and path.endswith(('sendgrid.yml', 'sendgrid.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            exclude = check_exclude(self.get_option('exclude'))
            parent_name = check_parent_name(self.get_option('parent_name'))
        except InventoryConfigError as error:
            raise AnsibleParserError(str(error))
        subusers = self._subusers(path, cache)
        plan = functools.partial(plan_hosts, subusers, exclude, include_disabled=self.get_option('include_disabled'),
                                 include_parent=self.get_option('include_parent'), parent_name=parent_name,
                                 region=self.get_option('region'))
        try:
            hosts, renamed, skipped = plan()
            # A host may not have the name of a group that keyed_groups or groups make: it would be taken for
            # the group. Those names are known once the groups are made, so they are made aside first.
            taken = set()
            for dummy in range(MAX_NAMING_ROUNDS):
                clashes = set(host.name for host in hosts) & self._constructed_groups(hosts)
                if not clashes:
                    break
                taken |= clashes
                hosts, renamed, skipped = plan(taken=taken)
        except InventoryConfigError as error:
            raise AnsibleParserError(str(error))
        for name, why in skipped:
            self.display.warning('SendGrid subuser {0} is not in the inventory: {1}.'.format(quoted(name), why))
        if renamed:
            self.display.warning(renamed_warning(renamed))
        self._populate(hosts)

    # -- the listing, from the cache or from SendGrid ------------------------------

    def _subusers(self, path, cache):
        """The listed subusers: from the cache when it is on and not being refreshed, else from SendGrid."""
        source = cache_source(self._base_url(), self.get_option('subuser_region'))
        use_cache = self.get_option('cache')
        cache_key = self.get_cache_key(path)
        subusers = None
        if use_cache and cache:
            try:
                subusers = cached_subusers(self._cache[cache_key], source)
            except KeyError:
                subusers = None
        if subusers is not None:
            return subusers
        subusers = self._list_subusers()
        if use_cache:
            # Written on a miss and on a refresh (--flush-cache, meta: refresh_inventory); holds no key.
            self._cache[cache_key] = cache_entry(source, subusers)
        return subusers

    def _base_url(self):
        try:
            return resolve_base_url(self.get_option('region'), self.get_option('api_url'))
        except SendGridError as error:
            raise AnsibleParserError(explain(error, self._advice_options()))

    def _advice_options(self):
        return dict((name, self.get_option(name)) for name in ADVICE_OPTIONS)

    def _list_subusers(self):
        if not HAS_REQUESTS:
            raise AnsibleParserError(missing_required_lib(
                'requests', reason='for the {0} inventory plugin, on the controller'.format(self.NAME)))
        try:
            with SendGridClient(
                    api_key=self.get_option('api_key'), region=self.get_option('region'), api_url=self.get_option('api_url'),
                    timeout=self.get_option('timeout'), validate_certs=self.get_option('validate_certs'),
                    max_retries=self.get_option('max_retries'), max_total_wait=self.get_option('max_total_wait'),
                    pool_size=1) as client:
                if not self.get_option('validate_certs'):
                    self.display.warning(insecure_endpoint_warning(
                        client.base_url, 'validate_certs is false in the inventory source'))
                return client.list_subusers(region=self.get_option('subuser_region'),
                                            page_size=self.get_option('page_size'))
        except SendGridError as error:
            raise AnsibleParserError(explain(error, self._advice_options()))

    # -- the inventory ---------------------------------------------------------------

    def _constructed_groups(self, hosts):
        """The names of the groups that keyed_groups and groups make for these hosts, made in an inventory aside."""
        if not self.get_option('keyed_groups') and not self.get_option('groups'):
            return set()
        inventory = self.inventory
        self.inventory = InventoryData()
        try:
            self._populate(hosts)
            return set(self.inventory.groups) - set(InventoryData().groups)
        finally:
            self.inventory = inventory

    def _populate(self, hosts):
        for group in inventory_groups(self.get_option('include_disabled')):
            self.inventory.add_group(group)
        strict = self.get_option('strict')
        for host in hosts:
            self.inventory.add_host(host.name)
            for group in host.groups:
                self.inventory.add_child(group, host.name)
            for name, value in host.connection_vars.items():
                self.inventory.set_variable(host.name, name, trust_as_template(value))
            for name, value in host.account_vars.items():
                self.inventory.set_variable(host.name, name, make_unsafe(value))
            variables = self.inventory.get_host(host.name).get_vars()
            self._set_composite_vars(self.get_option('compose'), variables, host.name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, host.name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host.name, strict=strict)
