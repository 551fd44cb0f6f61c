# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The inventory plugin, run as ansible-core runs it: loaded by name, parsing a file into an
InventoryData, the client's HTTP answered by the fakes of ``sendgrid_fakes.py``."""

from __future__ import annotations

import json
import os
from unittest.mock import MagicMock

import pytest
import requests
import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar

from ansible_collections.mailops.sendgrid.plugins.inventory import subusers as plugin_module
from ansible_collections.mailops.sendgrid.tests.unit.plugins.modules.sendgrid_module_helpers import patch_session
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import (
    API_KEY,
    FakeResponse,
    FakeSession,
    FakeSubuserServer,
    subuser,
)

PLUGIN = 'mailops.sendgrid.subusers'
FLEET = [
    subuser('news', region='global', user_id=1),
    subuser('News-EU', region='eu', user_id=2),
    subuser('old', region='global', disabled=True, user_id=3),
    subuser('test-1', region='eu', user_id=4),
    subuser('legacy', user_id=5),  # no region: an account older than regions, so global
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No key or endpoint leaks in from the environment of whoever runs the tests."""
    monkeypatch.delenv('SENDGRID_API_KEY', raising=False)
    monkeypatch.delenv('SENDGRID_API_URL', raising=False)


class Run:
    """One parse of an inventory file: the plugin, its inventory, the requests and the warnings."""

    def __init__(self, plugin, inventory, session, loader):
        self.plugin = plugin
        self.inventory = inventory
        self.session = session
        self.loader = loader

    @property
    def warnings(self):
        return [call.args[0] for call in self.plugin.display.warning.call_args_list]

    def hosts_of(self, group):
        return sorted(host.name for host in self.inventory.groups[group].get_hosts())

    def vars_of(self, host):
        return self.inventory.get_host(host).get_vars()


@pytest.fixture
def parse(monkeypatch, tmp_path):
    """Parse an inventory file with ``options`` (the key added unless given), against ``session``.

    Every text the run shows (error, warnings) and the inventory itself must not hold the key.
    """
    def parser(options=None, session=None, cache=True, file_name='inventory.sendgrid.yml', with_key=True):
        config = dict({'plugin': PLUGIN}, **(options or {}))
        if with_key:
            config.setdefault('api_key', API_KEY)
        path = tmp_path / file_name
        path.write_text(yaml.safe_dump(config))
        if session is None:
            session = FakeSession(forever=lambda: FakeSubuserServer(FLEET))
        patch_session(monkeypatch, session)
        plugin = inventory_loader.get(PLUGIN)
        plugin.display = MagicMock()
        inventory = InventoryData()
        loader = DataLoader()
        run = Run(plugin, inventory, session, loader)
        try:
            plugin.parse(inventory, loader, str(path), cache=cache)
            if getattr(plugin, '_cache', None):
                # As ansible-core's InventoryManager does after a parse.
                plugin.update_cache_if_changed()
        except AnsibleError as error:
            assert_no_key(str(error))
            assert_no_key(repr(plugin.display.mock_calls))
            raise
        assert_no_key(repr(plugin.display.mock_calls))
        assert_no_key(json.dumps(dict((name, run.vars_of(name)) for name in inventory.hosts), default=str))
        return run
    return parser


def assert_no_key(text):
    assert API_KEY not in text
    assert API_KEY[3:] not in text


def test_verify_file_accepts_only_sendgrid_yml_names(tmp_path):
    plugin = inventory_loader.get(PLUGIN)
    for name, expected in (('inventory.sendgrid.yml', True), ('sendgrid.yaml', True), ('prod-sendgrid.yml', True),
                           ('inventory.yml', False), ('sendgrid.yml.bak', False), ('sendgrid.json', False)):
        path = tmp_path / name
        path.write_text('plugin: {0}\n'.format(PLUGIN))
        assert plugin.verify_file(str(path)) is expected, name
    assert plugin.verify_file(str(tmp_path / 'missing.sendgrid.yml')) is False


def test_hosts_groups_and_hostvars(parse):
    run = parse()
    assert sorted(run.inventory.hosts) == ['News-EU', 'legacy', 'news', 'test-1']
    assert run.hosts_of('sendgrid') == ['News-EU', 'legacy', 'news', 'test-1']
    assert run.hosts_of('sendgrid_subusers') == ['News-EU', 'legacy', 'news', 'test-1']
    assert run.hosts_of('sendgrid_region_global') == ['legacy', 'news']
    assert run.hosts_of('sendgrid_region_eu') == ['News-EU', 'test-1']
    assert 'sendgrid_disabled' not in run.inventory.groups
    host_vars = run.vars_of('News-EU')
    assert host_vars['ansible_connection'] == 'local'
    assert host_vars['ansible_python_interpreter'] == '{{ ansible_playbook_python }}'
    assert dict((name, host_vars[name]) for name in (
        'sendgrid_on_behalf_of', 'sendgrid_region', 'sendgrid_disabled', 'sendgrid_id', 'sendgrid_email')) == {
        'sendgrid_on_behalf_of': 'News-EU', 'sendgrid_region': 'eu', 'sendgrid_disabled': False, 'sendgrid_id': 2,
        'sendgrid_email': 'News-EU@example.com'}
    assert run.vars_of('legacy')['sendgrid_region'] == 'global'
    assert run.warnings == []


def test_one_request_per_page_with_the_page_size(parse):
    run = parse({'page_size': 2})
    assert [call['params']['offset'] for call in run.session.calls] == [0, 2, 4]
    assert all(call['params']['limit'] == 2 for call in run.session.calls)
    assert run.session.calls[0]['url'] == 'https://api.sendgrid.com/v3/subusers'
    assert run.session.pool_sizes == [1]
    assert run.session.closed


def test_the_key_comes_from_the_environment(parse, monkeypatch):
    monkeypatch.setenv('SENDGRID_API_KEY', API_KEY)
    run = parse(with_key=False)
    assert len(run.inventory.hosts) == 4


@pytest.mark.parametrize('options, url', [
    ({'region': 'eu'}, 'https://api.eu.sendgrid.com/v3/subusers'),
    ({'api_url': 'http://127.0.0.1:3030/'}, 'http://127.0.0.1:3030/v3/subusers'),
    ({'api_url': '  ', 'region': 'eu'}, 'https://api.eu.sendgrid.com/v3/subusers'),
])
def test_endpoint(parse, options, url):
    run = parse(options)
    assert run.session.calls[0]['url'] == url


def test_api_url_from_the_environment(parse, monkeypatch):
    monkeypatch.setenv('SENDGRID_API_URL', 'http://localhost:9/')
    assert parse().session.calls[0]['url'] == 'http://localhost:9/v3/subusers'


def test_parent_host(parse):
    run = parse({'include_parent': True, 'region': 'eu', 'parent_name': 'main-account'})
    assert run.hosts_of('sendgrid') == ['News-EU', 'legacy', 'main-account', 'news', 'test-1']
    assert 'main-account' not in run.hosts_of('sendgrid_subusers')
    assert 'main-account' not in run.hosts_of('sendgrid_region_eu')
    host_vars = run.vars_of('main-account')
    assert 'sendgrid_on_behalf_of' not in host_vars
    assert host_vars['sendgrid_region'] == 'eu'
    assert host_vars['ansible_connection'] == 'local'
    assert host_vars['ansible_python_interpreter'] == '{{ ansible_playbook_python }}'


def test_parent_default_name(parse):
    assert 'sendgrid_parent' in parse({'include_parent': True}).inventory.hosts
    assert 'sendgrid_parent' not in parse().inventory.hosts


def test_disabled_subusers(parse):
    run = parse({'include_disabled': True})
    assert run.hosts_of('sendgrid_disabled') == ['old']
    assert 'old' in run.hosts_of('sendgrid_subusers')
    assert run.vars_of('old')['sendgrid_disabled'] is True


@pytest.mark.parametrize('region, hosts', [
    ('eu', ['News-EU', 'test-1']),
    ('global', ['legacy', 'news']),
])
def test_subuser_region(parse, region, hosts):
    run = parse({'subuser_region': region})
    assert sorted(run.inventory.hosts) == hosts
    assert run.session.calls[0]['params']['region'] == region


def test_subuser_region_is_also_checked_on_the_answers(parse):
    # A server that ignores the region filter: the client still keeps only the region's subusers.
    session = FakeSession(forever=lambda: FakeSubuserServer(FLEET, honour_region=False))
    assert sorted(parse({'subuser_region': 'eu'}, session=session).inventory.hosts) == ['News-EU', 'test-1']


def test_exclude_with_patterns_regardless_of_case(parse):
    run = parse({'exclude': ['TEST-*', 'news-eu', 'leg?cy']})
    assert sorted(run.inventory.hosts) == ['news']


def test_constructed_compose_groups_and_keyed_groups(parse):
    run = parse({
        'include_parent': True,
        'compose': {'sendgrid_domain': "sendgrid_email.split('@') | last"},
        'groups': {'eu_accounts': "sendgrid_region == 'eu'"},
        'keyed_groups': [{'key': 'sendgrid_region', 'prefix': 'region'}],
    })
    assert run.vars_of('news')['sendgrid_domain'] == 'example.com'
    assert run.hosts_of('eu_accounts') == ['News-EU', 'test-1']
    assert run.hosts_of('region_global') == ['legacy', 'news', 'sendgrid_parent']
    assert run.hosts_of('region_eu') == ['News-EU', 'test-1']
    # The parent has no email: without strict, its compose is skipped.
    assert 'sendgrid_domain' not in run.vars_of('sendgrid_parent')


def test_constructed_strict_fails_on_an_undefined_variable(parse):
    options = {'include_parent': True, 'strict': True, 'compose': {'domain': "sendgrid_email.split('@') | last"}}
    with pytest.raises(AnsibleError, match='sendgrid_parent'):
        parse(options)


def test_strict_keyed_groups(parse):
    options = {'strict': True, 'keyed_groups': [{'key': 'no_such_var', 'prefix': 'x'}]}
    with pytest.raises(AnsibleParserError, match='no_such_var'):
        parse(options)
    assert parse(dict(options, strict=False)).inventory.hosts


def test_values_from_sendgrid_are_never_templated(parse):
    hostile = [subuser('t1', email='{{ 7 * 6 }}@example.com', user_id=1)]
    run = parse(session=FakeSession(forever=lambda: FakeSubuserServer(hostile)))
    host_vars = dict(run.vars_of('t1'), ansible_playbook_python='/the/controller/python')
    templar = Templar(loader=run.loader, variables=host_vars)
    assert templar.template(host_vars['ansible_python_interpreter']) == '/the/controller/python'
    assert templar.template(host_vars['sendgrid_email']) == '{{ 7 * 6 }}@example.com'


def test_plain_values_stay_plain_strings(parse):
    """Only a value that could start a template is marked unsafe (before ansible-core 2.19): ansible-inventory
    --export, which AWX imports, writes a marked value as a dictionary."""
    run = parse(session=FakeSession(forever=lambda: FakeSubuserServer([subuser('t1', email='t1@example.com')])))
    host_vars = run.vars_of('t1')
    for name in ('sendgrid_on_behalf_of', 'sendgrid_region', 'sendgrid_email'):
        assert isinstance(host_vars[name], str) and not hasattr(host_vars[name], '__UNSAFE__'), name


def parse_fleet(parse, fleet, options=None):
    return parse(options, session=FakeSession(forever=lambda: FakeSubuserServer(fleet)))


def test_every_subuser_is_a_host_and_no_name_breaks_the_inventory(parse):
    fleet = [subuser(name, user_id=index) for index, name in enumerate(
        ['good', 'all', 'ungrouped', 'sendgrid', 'Weird Name', 'localhost', 'bad\r\nX-Injected: 1', 'a,b',
         'y' * 5000, '{{lookup("pipe")}}'])]
    run = parse_fleet(parse, fleet, {'include_parent': True})
    run.inventory.reconcile_inventory()
    accounts = {run.vars_of(host)['sendgrid_on_behalf_of']: host for host in run.hosts_of('sendgrid_subusers')}
    assert sorted(accounts) == sorted(item['username'] for item in fleet)
    assert accounts['good'] == 'good'
    for name, host in accounts.items():
        if name != 'good':
            assert host != name and host in run.inventory.hosts
    assert run.hosts_of('sendgrid') == sorted(list(accounts.values()) + ['sendgrid_parent'])
    # The groups are still groups, holding hosts, not one another.
    assert not run.inventory.groups['sendgrid'].child_groups
    assert 'sendgrid' not in run.inventory.hosts and 'all' not in run.inventory.hosts
    # One warning names them all, on one line, with excerpts only.
    assert len(run.warnings) == 1
    assert run.warnings[0].startswith('9 SendGrid subuser(s) have a host name of their own')
    assert "'Weird Name' is host Weird_Name-" in run.warnings[0]
    assert 'y' * 81 not in run.warnings[0] and '\n' not in run.warnings[0] and '\r' not in run.warnings[0]


def test_a_subuser_named_as_a_constructed_group_gets_a_derived_host_name(parse):
    fleet = [subuser('news', region='eu', user_id=1), subuser('region_eu', region='global', user_id=2)]
    run = parse_fleet(parse, fleet, {'keyed_groups': [{'key': 'sendgrid_region', 'prefix': 'region'}]})
    renamed = [host for host in run.inventory.hosts if host.startswith('region_eu-')]
    assert len(renamed) == 1 and run.vars_of(renamed[0])['sendgrid_on_behalf_of'] == 'region_eu'
    assert run.hosts_of('region_eu') == ['news']
    assert run.hosts_of('region_global') == renamed
    assert not run.inventory.groups['region_eu'].child_groups


def test_a_subuser_named_as_a_customer_account_is_left_out_with_a_warning(parse):
    run = parse_fleet(parse, [subuser('good', user_id=1), subuser('account-id 5', user_id=2)])
    assert sorted(run.inventory.hosts) == ['good']
    assert run.warnings == ["SendGrid subuser 'account-id 5' is not in the inventory: the name reads as a customer"
                            ' account ("account-id <id>"): an On-Behalf-Of header with it would name that customer'
                            ' account, not this subuser.']


def test_a_subuser_with_the_parent_hosts_name_gets_a_derived_host_name(parse):
    run = parse({'include_parent': True, 'parent_name': 'NEWS'})
    assert 'NEWS' in run.inventory.hosts and 'news' not in run.inventory.hosts
    assert 'sendgrid_on_behalf_of' not in run.vars_of('NEWS')
    renamed = [host for host in run.inventory.hosts if host.startswith('news-')]
    assert [run.vars_of(host)['sendgrid_on_behalf_of'] for host in renamed] == ['news']


def test_validate_certs_false_warns_and_is_passed_on(parse):
    run = parse({'validate_certs': False})
    assert run.session.calls[0]['verify'] is False
    assert any('validate_certs is false' in warning for warning in run.warnings)


# -- the cache --------------------------------------------------------------------

def cache_options(tmp_path):
    return {'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(tmp_path / 'cache')}


def cache_files(tmp_path):
    directory = tmp_path / 'cache'
    return [directory / name for name in os.listdir(str(directory))]


def test_cache_is_written_without_the_key_and_read_without_a_request(parse, tmp_path, monkeypatch):
    options = cache_options(tmp_path)
    first = parse(options)
    assert first.session.calls
    files = cache_files(tmp_path)
    assert len(files) == 1
    content = files[0].read_text()
    assert_no_key(content)
    assert 'News-EU' in content
    entry = json.loads(content)
    # ansible-core 2.19+ wraps what its jsonfile cache stores.
    entry = json.loads(entry['__payload__']) if '__payload__' in entry else entry
    assert entry['source'] == {'base_url': 'https://api.sendgrid.com', 'subuser_region': 'all'}
    assert sorted(entry['subusers'][0]) == ['disabled', 'email', 'id', 'region', 'username']

    # A cache hit: no request (a request would fail the test), and without a key.
    second = parse(dict(options, exclude=['news']), session=FakeSession(), with_key=False)
    assert second.session.calls == []
    assert sorted(second.inventory.hosts) == ['News-EU', 'legacy', 'test-1']


def test_refresh_reads_sendgrid_and_rewrites_the_cache(parse, tmp_path):
    options = cache_options(tmp_path)
    parse(options)
    fleet = [subuser('fresh', user_id=9)]
    refreshed = parse(options, session=FakeSession(forever=lambda: FakeSubuserServer(fleet)), cache=False)
    assert sorted(refreshed.inventory.hosts) == ['fresh']
    assert 'fresh' in cache_files(tmp_path)[0].read_text()


def test_cache_of_another_subuser_region_is_not_used(parse, tmp_path):
    options = cache_options(tmp_path)
    parse(options)
    run = parse(dict(options, subuser_region='eu'))
    assert run.session.calls
    assert sorted(run.inventory.hosts) == ['News-EU', 'test-1']


def test_without_the_cache_option_nothing_is_cached(parse, tmp_path):
    parse()
    assert not (tmp_path / 'cache').exists()
    assert parse(cache=True).session.calls


# -- failures ------------------------------------------------------------------------

def failing(response):
    return FakeSession(forever=lambda: response)


@pytest.mark.parametrize('response, says', [
    (FakeResponse(401, {'errors': [{'message': 'authorization required'}]}),
     ['HTTP 401 Unauthorized', 'authorization required',
      'Check the api_key option of the inventory source (or SENDGRID_API_KEY); an EU key needs region: eu.']),
    (FakeResponse(403, {'errors': [{'message': 'access forbidden'}]}),
     ['HTTP 403 Forbidden', 'access forbidden', 'the scope subusers.read']),
    (FakeResponse(404, {'errors': [{'message': 'not found'}]}),
     ['HTTP 404', 'Check the api_url (or SENDGRID_API_URL) and region options of the inventory source.']),
    (FakeResponse(500, {'errors': [{'message': 'boom'}]}),
     ['HTTP 500', 'raise max_retries (now 0) or max_total_wait (now 0 s) in the inventory source']),
    (FakeResponse(429, {'errors': [{'message': 'too many requests'}]}, headers={'Retry-After': '5'}),
     ['rate limited', 'raise max_total_wait (now 0 s) in the inventory source']),
    (FakeResponse(200, {'not': 'a list'}), ['is not a list of subusers']),
])
def test_api_failures_are_parser_errors_with_advice(parse, response, says):
    with pytest.raises(AnsibleParserError) as caught:
        parse({'max_retries': 0, 'max_total_wait': 0}, session=failing(response))
    for text in says:
        assert text in str(caught.value)


def test_an_error_body_that_echoes_the_key_shows_no_key(parse):
    response = FakeResponse(401, {'errors': [{'message': 'bad key {0}'.format(API_KEY)}]})
    with pytest.raises(AnsibleParserError, match='<api_key>'):
        parse(session=failing(response))


@pytest.mark.parametrize('exception, says', [
    (requests.exceptions.ConnectionError('Connection refused'), 'could not reach https://api.sendgrid.com'),
    (requests.exceptions.ReadTimeout('read timed out'), 'raise timeout (now 7 s) in the inventory source'),
])
def test_unreachable(parse, exception, says):
    with pytest.raises(AnsibleParserError) as caught:
        parse({'max_retries': 0, 'timeout': 7}, session=FakeSession(forever=lambda: exception))
    assert says in str(caught.value)


def test_unreachable_advice(parse):
    session = FakeSession(forever=lambda: requests.exceptions.ConnectionError('Connection refused'))
    with pytest.raises(AnsibleParserError, match='Check the api_url .* options of the inventory source; with a'
                                                 ' self-signed test endpoint, validate_certs'):
        parse({'max_retries': 0}, session=session)


def test_no_key(parse):
    with pytest.raises(AnsibleParserError) as caught:
        parse(session=FakeSession(), with_key=False)
    assert 'an API key is required and none was given' in str(caught.value)
    assert 'Set the api_key option of the inventory source, or the SENDGRID_API_KEY environment variable' in str(
        caught.value)


@pytest.mark.parametrize('options, says', [
    ({'api_key': API_KEY + '\n'}, 'api_key contains whitespace or control characters'),
    ({'api_url': 'http://example.com'}, "api_url 'http://example.com' uses plain http://"),
    ({'api_url': 'https://user:{0}@example.com'.format(API_KEY)}, 'must not contain user information'),
    ({'timeout': 0}, 'timeout must be greater than zero and at most 600'),
    ({'timeout': 601}, 'timeout must be greater than zero and at most 600'),
    ({'max_retries': 21}, 'max_retries must be zero or more and at most 20'),
    ({'max_total_wait': -1}, 'max_total_wait must be zero or more and at most 86400'),
    ({'page_size': 0}, 'page_size must be a whole number from 1 to 500'),
    ({'page_size': 501}, 'page_size must be a whole number from 1 to 500'),
    ({'exclude': ['ok', '']}, 'exclude[1] must not be empty'),
    ({'exclude': ['x'] * 1001}, 'exclude holds 1001 entries; at most 1000'),
    ({'exclude': ['z' * 300]}, 'exclude[0]'),
    ({'parent_name': 'a b'}, "parent_name 'a b' cannot be a host name"),
    ({'parent_name': 'p' * 300}, 'parent_name'),
])
def test_bad_options_fail_before_any_request(parse, options, says):
    with pytest.raises(AnsibleParserError) as caught:
        parse(options, session=FakeSession())
    assert says in str(caught.value)
    assert len(str(caught.value)) < 1000


@pytest.mark.parametrize('options, name', [
    ({'region': 'us'}, 'region'),
    ({'subuser_region': 'apac'}, 'subuser_region'),
    ({'timeout': 'soon'}, 'timeout'),
])
def test_option_types_and_choices_are_ansible_s_checks(parse, options, name):
    with pytest.raises(AnsibleError) as caught:
        parse(options, session=FakeSession())
    assert name in str(caught.value)


def test_missing_requests(parse, monkeypatch):
    monkeypatch.setattr(plugin_module, 'HAS_REQUESTS', False)
    with pytest.raises(AnsibleParserError) as caught:
        parse(session=FakeSession())
    assert 'Failed to import the required Python library (requests)' in str(caught.value)
    assert 'mailops.sendgrid.subusers inventory plugin' in str(caught.value)


def test_a_file_of_another_plugin(parse):
    with pytest.raises(AnsibleParserError, match='Incorrect plugin name'):
        parse({'plugin': 'other.plugin'}, session=FakeSession())
