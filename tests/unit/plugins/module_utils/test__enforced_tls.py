# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    CONFIRM_READS,
    CONFIRM_WAITS,
    DEFAULT_VERSION,
    EXACT,
    MINIMUM,
    AnswerCheck,
    InvalidSettingsResponse,
    SettingsError,
    canonical_version,
    check_answer,
    compare_fields,
    describe_differences,
    describe_reads,
    describe_value,
    differing_fields,
    fields_to_change,
    merge_settings,
    normalize_settings,
    only_fields,
    parse_desired_settings,
    parse_version,
    reconcile,
    reported_fields,
    stricter_fields,
    strictness,
    unconfirmed_fields,
    weaker_fields,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridResponseError,
    SendGridRetriesExhausted,
    SendGridUpdateNotConfirmed,
)


def full(require_tls=False, require_valid_cert=False, version=1.1):
    return {'require_tls': require_tls, 'require_valid_cert': require_valid_cert, 'version': version}


# ---------------------------------------------------------------------------
# canonical_version / parse_version
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, expected', [
    (1.1, '1.1'),
    ('1.1', '1.1'),
    (1.10, '1.1'),
    ('1.10', '1.1'),
    ('1.2', '1.2'),
    (' 1.2 ', '1.2'),
    (1.3, '1.3'),
    ('1.30', '1.3'),
    (1, '1'),
    ('1.0', '1'),
    ('2', '2'),
])
def test_canonical_version(value, expected):
    assert canonical_version(value) == expected


@pytest.mark.parametrize('value', [True, False, None, 'abc', '', '1.2.3', [1.2], {'v': 1.2},
                                   float('nan'), float('inf'), float('-inf'), 'nan', 'inf', 'Infinity', 'sNaN'])
def test_canonical_version_refuses_non_numbers(value):
    assert canonical_version(value) is None


@pytest.mark.parametrize('value, expected', [
    (1.1, 1.1),
    ('1.1', 1.1),
    (1.10, 1.1),
    ('1.10', 1.1),
    (1.2, 1.2),
    ('1.2', 1.2),
    (1.3, 1.3),
    ('1.3', 1.3),
])
def test_parse_version_accepts(value, expected):
    result = parse_version(value)
    assert result == expected
    assert isinstance(result, float)


@pytest.mark.parametrize('value, shown', [
    (1.0, '1.0 (float)'),
    ('1.0', "'1.0' (string)"),
    (1.4, '1.4 (float)'),
    ('1.4', "'1.4' (string)"),
    (1, '1 (integer)'),
    ('abc', "'abc' (string)"),
    (True, 'true (boolean)'),
    (False, 'false (boolean)'),
    (None, 'null'),
    (float('nan'), 'nan (float)'),
    (float('inf'), 'inf (float)'),
    ('nan', "'nan' (string)"),
    ('inf', "'inf' (string)"),
    ([1.2], '[1.2] (list)'),
])
def test_parse_version_refuses_with_message(value, shown):
    with pytest.raises(SettingsError) as excinfo:
        parse_version(value)
    message = str(excinfo.value)
    assert message == 'version must be one of 1.1, 1.2, 1.3; got {0}'.format(shown)


def test_parse_version_names_the_given_field():
    with pytest.raises(SettingsError, match=r'^settings\.version must be one of 1\.1, 1\.2, 1\.3; got 1\.5'):
        parse_version(1.5, field='settings.version')


def test_settings_error_is_a_value_error():
    assert issubclass(SettingsError, ValueError)
    assert issubclass(InvalidSettingsResponse, ValueError)


# ---------------------------------------------------------------------------
# parse_desired_settings
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('params, expected', [
    ({'require_tls': True}, {'require_tls': True}),
    ({'require_tls': False, 'require_valid_cert': None, 'version': None}, {'require_tls': False}),
    ({'require_valid_cert': True}, {'require_valid_cert': True}),
    ({'version': '1.2'}, {'version': 1.2}),
    ({'version': 1.10}, {'version': 1.1}),
    ({'require_tls': True, 'require_valid_cert': False, 'version': 1.3},
     {'require_tls': True, 'require_valid_cert': False, 'version': 1.3}),
    # Options of other modules are ignored.
    ({'require_tls': True, 'api_key': 'x', 'on_behalf_of': 'sub'}, {'require_tls': True}),
])
def test_parse_desired_settings_only_given_fields(params, expected):
    assert parse_desired_settings(params) == expected


@pytest.mark.parametrize('params, message', [
    ({'require_tls': 'yes'}, "require_tls must be a boolean (true or false); got 'yes' (string)"),
    ({'require_tls': 1}, 'require_tls must be a boolean (true or false); got 1 (integer)'),
    ({'require_valid_cert': 'true'}, "require_valid_cert must be a boolean (true or false); got 'true' (string)"),
    ({'require_tls': True, 'version': 1.0}, 'version must be one of 1.1, 1.2, 1.3; got 1.0 (float)'),
    ({'version': True}, 'version must be one of 1.1, 1.2, 1.3; got true (boolean)'),
])
def test_parse_desired_settings_wrong_types(params, message):
    with pytest.raises(SettingsError) as excinfo:
        parse_desired_settings(params)
    assert str(excinfo.value) == message


@pytest.mark.parametrize('params', [{}, {'require_tls': None, 'require_valid_cert': None, 'version': None}])
def test_parse_desired_settings_none_given(params):
    with pytest.raises(SettingsError) as excinfo:
        parse_desired_settings(params)
    assert str(excinfo.value) == 'give at least one of require_tls, require_valid_cert, version'


def test_parse_desired_settings_field_prefix():
    with pytest.raises(SettingsError) as excinfo:
        parse_desired_settings({'require_tls': 'no'}, field_prefix='accounts[0].')
    assert str(excinfo.value).startswith('accounts[0].require_tls must be a boolean')

    with pytest.raises(SettingsError) as excinfo:
        parse_desired_settings({'version': '9'}, field_prefix='accounts[0].')
    assert str(excinfo.value).startswith('accounts[0].version must be one of 1.1, 1.2, 1.3')

    with pytest.raises(SettingsError) as excinfo:
        parse_desired_settings({}, field_prefix='accounts[0].')
    assert str(excinfo.value) == ('give at least one of accounts[0].require_tls, accounts[0].require_valid_cert,'
                                  ' accounts[0].version')

    # The prefix only changes messages, not the keys of the result.
    assert parse_desired_settings({'version': '1.3'}, field_prefix='x.') == {'version': 1.3}


# ---------------------------------------------------------------------------
# normalize_settings
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('body, expected', [
    ({'require_tls': True, 'require_valid_cert': False, 'version': 1.2}, full(True, False, 1.2)),
    ({'require_tls': True, 'require_valid_cert': True, 'version': '1.3'}, full(True, True, 1.3)),
    ({'require_tls': False, 'require_valid_cert': False, 'version': '1.10'}, full(False, False, 1.1)),
    ({'require_tls': False, 'require_valid_cert': True}, full(False, True, 1.1)),
    ({'require_tls': False, 'require_valid_cert': True, 'version': None}, full(False, True, 1.1)),
    # Unknown extra fields are dropped.
    ({'require_tls': True, 'require_valid_cert': True, 'version': 1.2, 'extra': 'x'}, full(True, True, 1.2)),
])
def test_normalize_settings(body, expected):
    result = normalize_settings(body)
    assert result == expected
    assert isinstance(result['version'], float)


def test_normalize_settings_missing_version_is_the_documented_default():
    assert DEFAULT_VERSION == 1.1
    assert normalize_settings({'require_tls': True, 'require_valid_cert': True})['version'] == 1.1


@pytest.mark.parametrize('body, message', [
    ({'require_valid_cert': True, 'version': 1.2}, 'require_tls is missing in the response, expected a boolean'),
    ({'require_tls': True, 'version': 1.2}, 'require_valid_cert is missing in the response, expected a boolean'),
    ({'require_tls': 'true', 'require_valid_cert': True},
     "require_tls is 'true' (string) in the response, expected a boolean"),
    ({'require_tls': True, 'require_valid_cert': 1},
     'require_valid_cert is 1 (integer) in the response, expected a boolean'),
    ({'require_tls': None, 'require_valid_cert': True},
     'require_tls is null in the response, expected a boolean'),
    ({'require_tls': True, 'require_valid_cert': True, 'version': 'TLSv1.2'},
     "version is 'TLSv1.2' (string) in the response, expected a number such as 1.2"),
    ({'require_tls': True, 'require_valid_cert': True, 'version': True},
     'version is true (boolean) in the response, expected a number such as 1.2'),
    ([], 'expected a JSON object with require_tls and require_valid_cert, got list'),
    ('ok', "expected a JSON object with require_tls and require_valid_cert, got 'ok' (string)"),
    (None, 'expected a JSON object with require_tls and require_valid_cert, got null'),
    (3, 'expected a JSON object with require_tls and require_valid_cert, got 3 (integer)'),
])
def test_normalize_settings_refuses(body, message):
    with pytest.raises(InvalidSettingsResponse) as excinfo:
        normalize_settings(body)
    assert str(excinfo.value) == message


# ---------------------------------------------------------------------------
# differing_fields / merge_settings / unconfirmed_fields
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('current, desired, expected', [
    (full(), {'require_tls': False}, []),
    (full(), {'require_tls': True}, ['require_tls']),
    (full(), {'version': 1.1}, []),
    (full(version=1.2), {'version': '1.2'}, []),
    (full(version='1.20'), {'version': 1.2}, []),
    (full(version=1.2), {'version': 1.3}, ['version']),
    # Fixed order, whatever the order of desired.
    (full(), {'version': 1.3, 'require_valid_cert': True, 'require_tls': True},
     ['require_tls', 'require_valid_cert', 'version']),
    (full(True, True, 1.2), {'require_valid_cert': True, 'version': 1.3}, ['version']),
])
def test_differing_fields(current, desired, expected):
    assert differing_fields(current, desired) == expected


def test_merge_settings_gives_the_full_body_and_resets_nothing():
    current = full(True, True, 1.2)
    merged = merge_settings(current, {'version': 1.3})
    assert merged == {'require_tls': True, 'require_valid_cert': True, 'version': 1.3}
    assert current == full(True, True, 1.2), 'the current settings were modified'

    assert merge_settings(full(True, False, 1.3), {'require_valid_cert': True}) == full(True, True, 1.3)
    assert merge_settings(full(), {}) == full()


@pytest.mark.parametrize('sent, reported, expected', [
    (full(True, True, 1.2), full(True, True, 1.2), []),
    (full(True, True, 1.2), full(True, True, '1.20'), []),
    (full(True, True, 1.3), full(True, True, 1.2), ['version']),
    (full(True, True, 1.2), full(False, True, 1.1), ['require_tls', 'version']),
    (full(True, True, 1.2), {}, ['require_tls', 'require_valid_cert', 'version']),
    ({'require_tls': True}, full(True, False, 1.1), []),
])
def test_unconfirmed_fields(sent, reported, expected):
    assert unconfirmed_fields(sent, reported) == expected


# ---------------------------------------------------------------------------
# reported_fields / check_answer: SendGrid's answer to an update, field by field
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('body, expected', [
    ({'require_tls': True, 'require_valid_cert': False, 'version': 1.2}, full(True, False, 1.2)),
    # Left out, or a null version: no default, the field is not in the answer.
    ({'require_tls': True, 'require_valid_cert': False}, {'require_tls': True, 'require_valid_cert': False}),
    ({'require_tls': True, 'require_valid_cert': False, 'version': None},
     {'require_tls': True, 'require_valid_cert': False}),
    ({'version': '1.30'}, {'version': 1.3}),
    ({}, {}),
    ({'extra': 1, 'require_valid_cert': True}, {'require_valid_cert': True}),
])
def test_reported_fields(body, expected):
    assert reported_fields(body) == expected


@pytest.mark.parametrize('body, message', [
    ({'require_tls': None}, 'require_tls is null in the response, expected a boolean'),
    ({'require_valid_cert': 'yes'}, "require_valid_cert is 'yes' (string) in the response, expected a boolean"),
    ({'version': 'TLSv1.2'}, "version is 'TLSv1.2' (string) in the response, expected a number such as 1.2"),
    ([], 'expected a JSON object with require_tls and require_valid_cert, got list'),
    ('ok', "expected a JSON object with require_tls and require_valid_cert, got 'ok' (string)"),
])
def test_reported_fields_refuses_what_is_not_a_setting(body, message):
    with pytest.raises(InvalidSettingsResponse) as excinfo:
        reported_fields(body)
    assert str(excinfo.value) == message


@pytest.mark.parametrize('sent, reported, confirmed, missing, contradicting', [
    (full(True, True, 1.2), full(True, True, '1.20'), ['require_tls', 'require_valid_cert', 'version'], [], []),
    # The spec's example answer to a PATCH leaves the version out: it is missing, not 1.1.
    (full(True, True, 1.2), {'require_tls': True, 'require_valid_cert': True},
     ['require_tls', 'require_valid_cert'], ['version'], []),
    (full(True, True, 1.2), {'require_tls': False, 'version': 1.1}, [], ['require_valid_cert'],
     ['require_tls', 'version']),
    (full(True, True, 1.2), {}, [], ['require_tls', 'require_valid_cert', 'version'], []),
    # Only the fields sent count.
    ({'version': 1.3}, {'require_tls': False}, [], ['version'], []),
])
def test_check_answer(sent, reported, confirmed, missing, contradicting):
    assert check_answer(sent, reported) == AnswerCheck(confirmed, missing, contradicting)


def test_only_fields():
    assert only_fields(full(True, False, 1.2), ['version', 'require_tls']) == {'require_tls': True, 'version': 1.2}
    assert only_fields({'version': 1.2}, ['require_tls']) == {}


@pytest.mark.parametrize('reads, waited, text', [(1, 0.0, 'one read'), (2, 0.5, '2 reads over 0.5 s'),
                                                 (3, 1.5, '3 reads over 1.5 s')])
def test_describe_reads(reads, waited, text):
    assert describe_reads(reads, waited) == text


# ---------------------------------------------------------------------------
# strictness: the floor semantics of enforcement=minimum
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('field, weaker, stricter', [
    ('require_tls', False, True),
    ('require_valid_cert', False, True),
    ('version', 1.1, 1.2),
    ('version', 1.2, 1.3),
    ('version', '1.2', 1.3),
    ('version', 1.1, '1.30'),
])
def test_strictness_order(field, weaker, stricter):
    assert strictness(field, weaker) < strictness(field, stricter)


def test_strictness_versions_compare_by_value():
    assert strictness('version', '1.20') == strictness('version', 1.2)


@pytest.mark.parametrize('current, desired, weaker, stricter', [
    (full(True, True, 1.2), {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}, [], []),
    (full(True, True, 1.3), {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}, [], ['version']),
    (full(True, True, 1.2), {'require_valid_cert': False}, [], ['require_valid_cert']),
    (full(False, True, 1.3), {'require_tls': True, 'require_valid_cert': False, 'version': 1.2},
     ['require_tls'], ['require_valid_cert', 'version']),
    (full(False, False, 1.1), {'require_tls': True, 'require_valid_cert': True, 'version': 1.3},
     ['require_tls', 'require_valid_cert', 'version'], []),
    # Only the fields asked for count: an unmanaged setting is neither weaker nor stricter.
    (full(False, True, 1.3), {'require_tls': False}, [], []),
])
def test_weaker_and_stricter_fields(current, desired, weaker, stricter):
    assert weaker_fields(current, desired) == weaker
    assert stricter_fields(current, desired) == stricter


@pytest.mark.parametrize('current, desired, exact, minimum', [
    (full(True, True, 1.3), {'version': 1.2}, ['version'], []),
    (full(True, True, 1.1), {'version': 1.2}, ['version'], ['version']),
    (full(True, True, 1.2), {'require_valid_cert': False}, ['require_valid_cert'], []),
    (full(False, True, 1.3), {'require_tls': True, 'require_valid_cert': False, 'version': 1.2},
     ['require_tls', 'require_valid_cert', 'version'], ['require_tls']),
])
def test_fields_to_change(current, desired, exact, minimum):
    assert fields_to_change(current, desired) == exact
    assert fields_to_change(current, desired, EXACT) == exact
    assert fields_to_change(current, desired, MINIMUM) == minimum


@pytest.mark.parametrize('current, desired, fields, text', [
    (full(True, True, 1.1), {'version': 1.2}, ['version'], 'version 1.1 < 1.2'),
    (full(True, True, 1.3), {'version': '1.2'}, ['version'], 'version 1.3 > 1.2'),
    (full(False, True, 1.1), {'require_tls': True, 'version': 1.2}, ['require_tls', 'version'],
     'require_tls false < true, version 1.1 < 1.2'),
    (full(True, True, 1.2), {'require_valid_cert': False}, ['require_valid_cert'], 'require_valid_cert true > false'),
    (full(True, True, 1.2), {'version': 1.2}, [], ''),
])
def test_compare_fields(current, desired, fields, text):
    assert compare_fields(current, desired, fields) == text


@pytest.mark.parametrize('differences, check_mode, stricter, text', [
    ([], False, [], 'already as asked'),
    (['version'], False, [], 'changed version'),
    (['require_tls', 'version'], True, [], 'would change require_tls, version'),
    ([], True, ['version'], 'already at least as strict as asked (stricter version)'),
    (['require_tls'], False, ['require_valid_cert', 'version'], 'changed require_tls; kept stricter require_valid_cert, version'),
])
def test_describe_differences(differences, check_mode, stricter, text):
    assert describe_differences(differences, check_mode, stricter) == text


# ---------------------------------------------------------------------------
# reconcile
# ---------------------------------------------------------------------------

class FakeClient:
    """Stands in for SendGridClient: a current setting, and what a PATCH answers.

    GET answers ``current``; after a PATCH, the GETs answer ``reads_after_patch`` first,
    in order (settings, or SendGridErrors to raise: a read that lags, or fails). PATCH
    applies what was sent and answers it, or ``patch_answer`` (then nothing is applied),
    or raises ``patch_error`` (after applying the update when ``applied``).
    """

    def __init__(self, current, patch_answer=None, reads_after_patch=(), patch_error=None, applied=False):
        self.current = current
        self.patch_answer = patch_answer
        self.reads_after_patch = list(reads_after_patch)
        self.patch_error = patch_error
        self.applied = applied
        self.patched = False
        self.calls = []

    def get_enforced_tls(self, on_behalf_of=None):
        self.calls.append(('GET', on_behalf_of))
        if self.patched and self.reads_after_patch:
            read = self.reads_after_patch.pop(0)
            if isinstance(read, Exception):
                raise read
            return dict(read)
        return dict(self.current)

    def update_enforced_tls(self, settings, on_behalf_of=None):
        self.calls.append(('PATCH', on_behalf_of, dict(settings)))
        self.patched = True
        if self.patch_error is not None:
            if self.applied:
                self.current = dict(settings)
            raise self.patch_error
        if self.patch_answer is not None:
            return dict(self.patch_answer)
        self.current = dict(settings)
        return dict(settings)

    @property
    def methods(self):
        return [call[0] for call in self.calls]


def test_reconcile_unchanged_sends_no_patch():
    client = FakeClient(full(True, True, 1.2))
    outcome = reconcile(client, parse_desired_settings({'require_tls': True, 'version': '1.2'}), on_behalf_of='sub')
    assert outcome == {'changed': False, 'before': full(True, True, 1.2), 'after': full(True, True, 1.2),
                       'differences': [], 'stricter': [], 'warnings': []}
    assert client.calls == [('GET', 'sub')]


def test_reconcile_changed_patches_the_full_merged_object():
    client = FakeClient(full(False, True, 1.3))
    outcome = reconcile(client, {'require_tls': True}, on_behalf_of=None)
    assert outcome['changed'] is True
    assert outcome['differences'] == ['require_tls']
    assert outcome['before'] == full(False, True, 1.3)
    assert outcome['after'] == full(True, True, 1.3)
    assert outcome['warnings'] == []
    # The body holds every field: those not asked for keep their current value.
    assert client.calls == [('GET', None), ('PATCH', None, full(True, True, 1.3))]


def test_reconcile_after_state_is_the_patch_answer():
    # SendGrid agrees on every field sent, but writes the version as text: the answer is the after-state.
    answer = {'require_tls': True, 'require_valid_cert': False, 'version': '1.20'}
    client = FakeClient(full(False, False, 1.1), patch_answer=answer)
    outcome = reconcile(client, {'require_tls': True, 'version': 1.2}, on_behalf_of='account-id 42')
    assert outcome['changed'] is True
    assert outcome['after'] == answer
    assert outcome['after'] is not client.calls[1][2]
    assert client.calls[1] == ('PATCH', 'account-id 42', full(True, False, 1.2))
    assert client.methods == ['GET', 'PATCH']


def test_reconcile_check_mode_sends_no_patch_and_predicts():
    client = FakeClient(full(False, False, 1.1))
    outcome = reconcile(client, {'require_valid_cert': True, 'version': 1.3}, on_behalf_of='sub', check_mode=True)
    assert outcome == {'changed': True, 'before': full(False, False, 1.1), 'after': full(False, True, 1.3),
                       'differences': ['require_valid_cert', 'version'], 'stricter': [], 'warnings': []}
    assert client.calls == [('GET', 'sub')]


def test_reconcile_check_mode_unchanged():
    client = FakeClient(full(True, False, 1.2))
    outcome = reconcile(client, {'require_tls': True}, check_mode=True)
    assert outcome['changed'] is False
    assert outcome['after'] == full(True, False, 1.2)
    assert client.calls == [('GET', None)]


@pytest.mark.parametrize('on_behalf_of, account', [
    (None, 'the parent account'),
    ('marketing', "subuser 'marketing'"),
    ('account-id 42', "customer account '42'"),
])
def test_reconcile_disagreeing_answer_is_not_a_change(on_behalf_of, account):
    client = FakeClient(full(False, False, 1.1), patch_answer=full(True, False, 1.2))
    with pytest.raises(SendGridUpdateNotConfirmed) as excinfo:
        reconcile(client, {'require_tls': True, 'require_valid_cert': True, 'version': 1.3}, on_behalf_of=on_behalf_of)
    error = excinfo.value
    message = str(error)
    assert error.message == message
    assert message.startswith('SendGrid accepted the update of {0} but reports'.format(account))
    assert 'reports require_valid_cert=false, version=1.2 where require_valid_cert=true, version=1.3 was sent' in message
    # require_tls was confirmed, so it is not named.
    assert 'require_tls' not in message
    assert 'not reported as a change' in message
    assert error.account == on_behalf_of
    assert error.before == full(False, False, 1.1)
    assert client.methods == ['GET', 'PATCH']


# ---------------------------------------------------------------------------
# reconcile: a PATCH answer that leaves a field out
# ---------------------------------------------------------------------------

def without_version(settings):
    answer = dict(settings)
    del answer['version']
    return answer


def test_the_confirming_reads_are_few_and_short():
    assert CONFIRM_READS == 3
    assert len(CONFIRM_WAITS) == CONFIRM_READS - 1
    assert 0 < sum(CONFIRM_WAITS) <= 1.5


def test_reconcile_answer_without_version_is_confirmed_by_one_read(fake_time):
    # The spec's own example answer to a PATCH has no version: that is not 1.1.
    client = FakeClient(full(False, False, 1.1), patch_answer=without_version(full(True, True, 1.2)),
                        reads_after_patch=[full(True, True, 1.2)])
    outcome = reconcile(client, {'require_tls': True, 'require_valid_cert': True, 'version': 1.2},
                        on_behalf_of='sub', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['after'] == full(True, True, 1.2)
    assert outcome['warnings'] == []
    assert client.methods == ['GET', 'PATCH', 'GET']
    assert fake_time.sleeps == []


def test_reconcile_an_answer_without_a_field_sent_unchanged_needs_no_read(fake_time):
    # An account that never reports its version: the PATCH sends the version it has (1.1), and an
    # answer without it says nothing about it.
    client = FakeClient(full(False, True, 1.1), patch_answer=without_version(full(True, True, 1.1)))
    outcome = reconcile(client, {'require_tls': True}, on_behalf_of='legacy', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['after'] == full(True, True, 1.1)
    assert client.methods == ['GET', 'PATCH']


def test_reconcile_a_read_that_lags_once_is_read_again(fake_time):
    client = FakeClient(full(False, False, 1.1), patch_answer=without_version(full(True, True, 1.2)),
                        reads_after_patch=[full(True, True, 1.1), full(True, True, 1.2)])
    outcome = reconcile(client, {'require_tls': True, 'require_valid_cert': True, 'version': 1.2},
                        on_behalf_of='sub', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['after'] == full(True, True, 1.2)
    assert client.methods == ['GET', 'PATCH', 'GET', 'GET']
    assert fake_time.sleeps == [CONFIRM_WAITS[0]]


def test_reconcile_the_answer_outranks_a_lagging_read_on_the_fields_it_holds(fake_time):
    # The read still shows require_tls false, but the answer confirmed require_tls: only version is read for.
    client = FakeClient(full(False, False, 1.1), patch_answer=without_version(full(True, False, 1.2)),
                        reads_after_patch=[full(False, False, 1.2)])
    outcome = reconcile(client, {'require_tls': True, 'version': 1.2}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['after'] == full(True, False, 1.2)
    assert client.methods == ['GET', 'PATCH', 'GET']


def test_reconcile_an_answer_without_any_field_is_confirmed_by_reading(fake_time):
    client = FakeClient(full(False, False, 1.1), patch_answer={}, reads_after_patch=[full(True, False, 1.1)])
    outcome = reconcile(client, {'require_tls': True}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['after'] == full(True, False, 1.1)


@pytest.mark.parametrize('on_behalf_of, account', [(None, 'the parent account'), ('sub', "subuser 'sub'")])
def test_reconcile_a_read_that_contradicts_what_was_sent_is_not_confirmed(fake_time, on_behalf_of, account):
    # The version is left out of the answer and of every read: reads take it as the default, 1.1.
    client = FakeClient(full(False, False, 1.1), patch_answer=without_version(full(False, False, 1.2)),
                        reads_after_patch=[without_version(full())] * 3)
    client.reads_after_patch = [normalize_settings(read) for read in client.reads_after_patch]
    with pytest.raises(SendGridUpdateNotConfirmed) as excinfo:
        reconcile(client, {'version': 1.2}, on_behalf_of=on_behalf_of, sleep=fake_time.sleep)
    error = excinfo.value
    assert error.message == (
        'SendGrid accepted the update of {0} with an answer that leaves out version, and reading the setting back'
        ' (3 reads over 1.5 s) shows version=1.1 where version=1.2 was sent; the update is not confirmed, so it is'
        ' not reported as a change. Check in the SendGrid console whether the account can use these'
        ' values.'.format(account))
    assert error.before == full(False, False, 1.1)
    assert error.account == on_behalf_of
    assert client.methods == ['GET', 'PATCH', 'GET', 'GET', 'GET']
    assert fake_time.sleeps == list(CONFIRM_WAITS)


def test_reconcile_a_contradiction_in_the_answer_needs_no_read(fake_time):
    client = FakeClient(full(False, False, 1.1), patch_answer={'require_tls': False})
    with pytest.raises(SendGridUpdateNotConfirmed) as excinfo:
        reconcile(client, {'require_tls': True, 'version': 1.2}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert 'reports require_tls=false where require_tls=true was sent' in excinfo.value.message
    assert client.methods == ['GET', 'PATCH']


def test_reconcile_a_confirming_read_that_fails_leaves_the_outcome_unknown(fake_time):
    read_error = SendGridRetriesExhausted("GET /v3/user/settings/enforced_tls for subuser 'sub' failed with HTTP 503",
                                          'sub', 503)
    client = FakeClient(full(False, False, 1.1), patch_answer=without_version(full(False, False, 1.2)),
                        reads_after_patch=[read_error])
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        reconcile(client, {'version': 1.2}, on_behalf_of='sub', sleep=fake_time.sleep)
    error = excinfo.value
    assert error is read_error
    assert error.message == (
        "GET /v3/user/settings/enforced_tls for subuser 'sub' failed with HTTP 503 This read was to confirm the"
        " update of subuser 'sub', which SendGrid accepted with an answer that leaves out version: whether SendGrid"
        ' applied version=1.2 is unknown. Read the setting again (sendgrid_enforced_tls_info) before relying on it.')
    assert error.before == full(False, False, 1.1)
    assert error.outcome_unknown is True


# ---------------------------------------------------------------------------
# reconcile: an update whose answer was an error of unknown outcome is read back
# ---------------------------------------------------------------------------

class FailingPatchClient(FakeClient):
    """A client whose PATCH raises the given error (after applying the update when ``applied``)."""

    def __init__(self, current, error, applied=False, reads_after_patch=()):
        super().__init__(current, patch_error=error, applied=applied, reads_after_patch=reads_after_patch)
        self.error = error


def unknown_outcome_errors():
    in_doubt = SendGridRetriesExhausted('PATCH was rate limited (HTTP 429).', 'sub', 429)
    in_doubt.outcome_unknown = True  # an earlier attempt ended in a 5xx: the refused retry proves nothing
    return [
        SendGridRetriesExhausted('PATCH failed with HTTP 503.', 'sub', 503),
        SendGridRetriesExhausted('PATCH could not reach the API.', 'sub', None),
        SendGridResponseError('PATCH answered 200 with an empty body.', 'sub'),
        in_doubt,
    ]


@pytest.mark.parametrize('error', unknown_outcome_errors())
def test_reconcile_an_update_applied_despite_its_error_is_a_change_with_a_warning(fake_time, error):
    client = FailingPatchClient(full(False, False, 1.1), error, applied=True)
    outcome = reconcile(client, {'require_tls': True, 'version': 1.2}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['before'] == full(False, False, 1.1)
    assert outcome['after'] == full(True, False, 1.2)
    assert outcome['differences'] == ['require_tls', 'version']
    assert outcome['warnings'] == [
        "SendGrid answered the update of subuser 'sub' with an error, but reading the setting back (one read) shows"
        ' the values asked for (require_tls=true, version=1.2): the update was applied, and the account is reported'
        ' as changed. The error: {0}'.format(error.message)]
    assert client.methods == ['GET', 'PATCH', 'GET']
    assert fake_time.sleeps == []


def test_reconcile_an_update_applied_despite_its_error_may_show_after_a_lag(fake_time):
    error = SendGridRetriesExhausted('PATCH failed with HTTP 500.', 'sub', 500)
    client = FailingPatchClient(full(False, False, 1.1), error, applied=True, reads_after_patch=[full()])
    outcome = reconcile(client, {'require_tls': True}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['after'] == full(True, False, 1.1)
    assert 'reading the setting back (2 reads over 0.5 s) shows the values asked for (require_tls=true)' in (
        outcome['warnings'][0])
    assert client.methods == ['GET', 'PATCH', 'GET', 'GET']


def test_reconcile_the_warning_is_bounded():
    error = SendGridRetriesExhausted('PATCH failed: ' + 'x' * 5000, 'sub', 500)
    client = FailingPatchClient(full(False, False, 1.1), error, applied=True)
    outcome = reconcile(client, {'require_tls': True}, on_behalf_of='sub', sleep=lambda seconds: None)
    assert len(outcome['warnings'][0]) < 700
    assert outcome['warnings'][0].endswith('(5014 characters)')


@pytest.mark.parametrize('error', unknown_outcome_errors())
def test_reconcile_an_update_the_reads_show_as_before_was_not_applied(fake_time, error):
    message = error.message
    client = FailingPatchClient(full(False, False, 1.1), error)
    with pytest.raises(type(error)) as excinfo:
        reconcile(client, {'require_tls': True, 'version': 1.2}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert excinfo.value is error
    assert error.message == message + (
        ' The update was not applied: reading the setting back (3 reads over 1.5 s) shows it as before'
        ' (require_tls=false, version=1.1).')
    assert 'unknown' not in error.message
    assert str(error) == error.message
    assert error.before == full(False, False, 1.1)
    assert error.outcome_unknown is False
    assert client.methods == ['GET', 'PATCH', 'GET', 'GET', 'GET']
    assert fake_time.sleeps == list(CONFIRM_WAITS)


@pytest.mark.parametrize('error', unknown_outcome_errors())
def test_reconcile_an_update_whose_read_fails_too_stays_unknown(fake_time, error):
    message = error.message
    read_error = SendGridRetriesExhausted(
        "GET /v3/user/settings/enforced_tls for subuser 'sub' could not reach the API.", 'sub', None)
    client = FailingPatchClient(full(False, False, 1.1), error, reads_after_patch=[read_error])
    with pytest.raises(type(error)) as excinfo:
        reconcile(client, {'require_tls': True}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert excinfo.value is error
    assert error.message == message + (
        ' The update was sent and whether SendGrid applied it is unknown: reading the setting back failed too'
        " (GET /v3/user/settings/enforced_tls for subuser 'sub' could not reach the API). Read it again"
        ' (sendgrid_enforced_tls_info) before relying on it.')
    assert error.before == full(False, False, 1.1)
    assert client.methods == ['GET', 'PATCH', 'GET']


def test_reconcile_a_read_that_shows_neither_old_nor_asked_values_leaves_the_outcome_unknown(fake_time):
    error = SendGridRetriesExhausted('PATCH failed with HTTP 503.', 'sub', 503)
    client = FailingPatchClient(full(False, False, 1.1), error, reads_after_patch=[full(version=1.3)] * 3)
    with pytest.raises(SendGridRetriesExhausted) as excinfo:
        reconcile(client, {'version': 1.2}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert excinfo.value.message == (
        'PATCH failed with HTTP 503. The update was sent and whether SendGrid applied it is unknown: reading the'
        ' setting back (3 reads over 1.5 s) shows version=1.3, neither what was sent (version=1.2) nor what was there'
        ' before. Read it again (sendgrid_enforced_tls_info) before relying on it.')


def test_reconcile_only_the_fields_changed_decide_whether_it_was_applied(fake_time):
    # Someone else turned require_valid_cert on meanwhile: the update of require_tls was applied all the same.
    error = SendGridRetriesExhausted('PATCH failed with HTTP 503.', 'sub', 503)
    client = FailingPatchClient(full(False, False, 1.1), error, reads_after_patch=[full(True, True, 1.1)])
    outcome = reconcile(client, {'require_tls': True}, on_behalf_of='sub', sleep=fake_time.sleep)
    assert outcome['changed'] is True
    assert outcome['after'] == full(True, True, 1.1)


@pytest.mark.parametrize('status', [400, 403, 404, 429])
def test_reconcile_patch_refused_by_sendgrid_changed_nothing(status):
    error = SendGridAPIError('PATCH failed with HTTP {0}'.format(status), 'sub', status)
    client = FailingPatchClient(full(False, False, 1.1), error)
    with pytest.raises(SendGridAPIError) as excinfo:
        reconcile(client, {'require_tls': True}, on_behalf_of='sub', sleep=pytest.fail)
    assert excinfo.value.message == 'PATCH failed with HTTP {0}'.format(status)
    assert excinfo.value.before == full(False, False, 1.1)
    # A refusal is not read back: nothing was applied.
    assert client.methods == ['GET', 'PATCH']


def test_reconcile_check_mode_never_reads_back():
    client = FailingPatchClient(full(False, False, 1.1), SendGridRetriesExhausted('PATCH failed', 'sub', 503))
    outcome = reconcile(client, {'require_tls': True}, on_behalf_of='sub', check_mode=True, sleep=pytest.fail)
    assert outcome['changed'] is True
    assert client.methods == ['GET']


class TaggedStr(str):
    """Like the str subclasses Ansible's templating hands to filters."""


class TaggedFloat(float):
    """Like the float subclasses Ansible's templating hands to filters."""


@pytest.mark.parametrize('value, shown', [
    (TaggedStr('abc'), "'abc' (string)"),
    (TaggedFloat(1.4), '1.4 (float)'),
    (None, 'null'),
    (True, 'true (boolean)'),
    (7, '7 (integer)'),
    ([1], '[1] (list)'),
])
def test_describe_value_names_yaml_types_not_python_classes(value, shown):
    assert describe_value(value) == shown


def test_reconcile_minimum_keeps_a_stricter_account_and_sends_nothing():
    client = FakeClient(full(True, True, 1.3))
    outcome = reconcile(client, {'require_tls': True, 'require_valid_cert': False, 'version': 1.2},
                        on_behalf_of='sub', enforcement=MINIMUM)
    assert outcome == {'changed': False, 'before': full(True, True, 1.3), 'after': full(True, True, 1.3),
                       'differences': [], 'stricter': ['require_valid_cert', 'version'], 'warnings': []}
    assert client.calls == [('GET', 'sub')]


@pytest.mark.parametrize('check_mode', [False, True])
def test_reconcile_minimum_raises_only_the_weaker_settings(check_mode):
    client = FakeClient(full(False, True, 1.3))
    outcome = reconcile(client, {'require_tls': True, 'require_valid_cert': False, 'version': 1.2},
                        on_behalf_of='sub', check_mode=check_mode, enforcement=MINIMUM)
    assert outcome['changed'] is True
    assert outcome['differences'] == ['require_tls']
    assert outcome['stricter'] == ['require_valid_cert', 'version']
    # The stricter certificate check and version are kept, in the PATCH body and the after-state.
    assert outcome['after'] == full(True, True, 1.3)
    expected_calls = [('GET', 'sub')] + ([] if check_mode else [('PATCH', 'sub', full(True, True, 1.3))])
    assert client.calls == expected_calls


def test_reconcile_exact_loosens_a_stricter_account():
    client = FakeClient(full(True, True, 1.3))
    outcome = reconcile(client, {'require_valid_cert': False, 'version': 1.2}, on_behalf_of='sub')
    assert outcome['differences'] == ['require_valid_cert', 'version']
    assert outcome['stricter'] == []
    assert client.calls[1] == ('PATCH', 'sub', full(True, False, 1.2))
