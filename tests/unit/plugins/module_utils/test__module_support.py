# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the modules word the client's errors: advice in their option names (_module_support.py)."""

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils import _errors
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_RATE_LIMIT,
    CAUSE_SERVER,
    SendGridAPIError,
    SendGridError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._module_support import (
    OPTION_ADVICE,
    explain,
)

PARAMS = {'max_retries': 5, 'max_total_wait': 300.0, 'timeout': 30.0}
CAUSES = sorted(value for name, value in vars(_errors).items() if name.startswith('CAUSE_'))


def option_advice(error, params):
    """The advice explain() puts after the message 'x'."""
    explained = explain(error, params)
    assert explained.startswith('x. ')
    return explained[len('x. '):]


def test_every_cause_has_advice():
    assert sorted(OPTION_ADVICE) == CAUSES


@pytest.mark.parametrize('cause', CAUSES)
def test_advice_is_a_sentence_for_every_cause(cause):
    advice = option_advice(SendGridError('x', cause=cause), PARAMS)
    assert advice[0].isupper() and advice.endswith('.')


def test_advice_names_the_current_values():
    assert option_advice(SendGridError('x', cause=CAUSE_SERVER), PARAMS) == (
        'To retry for longer, raise max_retries (now 5) or max_total_wait (now 300 s).')
    assert 'max_total_wait (now 2.5 s)' in option_advice(SendGridError('x', cause=CAUSE_RATE_LIMIT),
                                                         dict(PARAMS, max_total_wait=2.5))


def test_explain_without_a_cause_is_the_message():
    assert explain(SendGridAPIError('GET /x failed with HTTP 409 Conflict', status=409), PARAMS) == (
        'GET /x failed with HTTP 409 Conflict')


@pytest.mark.parametrize('message, expected', [
    ('SendGrid had a server error; try again later.', 'SendGrid had a server error; try again later. To retry'),
    ('no answer', 'no answer. To retry'),
])
def test_explain_appends_the_advice_as_a_sentence(message, expected):
    assert explain(SendGridError(message, cause=CAUSE_SERVER), PARAMS).startswith(expected)
