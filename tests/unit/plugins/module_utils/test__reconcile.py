# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    MINIMUM,
    normalize_settings,
    parse_desired_settings,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    SendGridAPIError,
    SendGridResponseError,
    SendGridRetriesExhausted,
    SendGridUpdateNotConfirmed,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._reconcile import (
    CONFIRM_READS,
    CONFIRM_WAITS,
    describe_reads,
    reconcile,
)


def full(require_tls=False, require_valid_cert=False, version=1.1):
    return {'require_tls': require_tls, 'require_valid_cert': require_valid_cert, 'version': version}


@pytest.mark.parametrize('reads, waited, text', [(1, 0.0, 'one read'), (2, 0.5, '2 reads over 0.5 s'),
                                                 (3, 1.5, '3 reads over 1.5 s')])
def test_describe_reads(reads, waited, text):
    assert describe_reads(reads, waited) == text


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
