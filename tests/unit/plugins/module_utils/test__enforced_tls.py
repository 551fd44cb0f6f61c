# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    DEFAULT_VERSION,
    EXACT,
    MINIMUM,
    AnswerCheck,
    InvalidSettingsResponse,
    SettingsError,
    canonical_version,
    check_answer,
    check_recorded_setting,
    compare_fields,
    describe_differences,
    differing_fields,
    fields_to_change,
    merge_settings,
    normalize_settings,
    only_fields,
    parse_desired_settings,
    parse_version,
    reported_fields,
    stricter_fields,
    strictness,
    unconfirmed_fields,
    weaker_fields,
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
# check_recorded_setting
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('value, checked', [
    ({'require_tls': True, 'require_valid_cert': False, 'version': 1.2},
     {'require_tls': True, 'require_valid_cert': False, 'version': 1.2}),
    ({'require_tls': False, 'require_valid_cert': True, 'version': '1.30', 'note': 'x'},
     {'require_tls': False, 'require_valid_cert': True, 'version': 1.3}),
])
def test_check_recorded_setting_is_the_whole_setting_normalised(value, checked):
    assert check_recorded_setting(value, 'before') == checked


@pytest.mark.parametrize('value, message', [
    (None, 'before must be a setting with require_tls, require_valid_cert, version; got null'),
    ({'require_tls': True}, 'before must be a setting with require_tls, require_valid_cert, version; got dict'),
    ({'require_tls': 1, 'require_valid_cert': True, 'version': 1.2},
     'before.require_tls must be true or false; got 1 (integer)'),
    ({'require_tls': True, 'require_valid_cert': True, 'version': 1.0},
     'before.version must be one of 1.1, 1.2, 1.3; got 1.0 (float)'),
])
def test_check_recorded_setting_refuses_what_is_not_a_whole_setting(value, message):
    with pytest.raises(SettingsError) as caught:
        check_recorded_setting(value, 'before')
    assert str(caught.value) == message
