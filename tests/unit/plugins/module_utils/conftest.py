# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the client and transport tests: a client on a fake session, with fake time."""

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._client import SendGridClient
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import API_KEY, FakeSession, FakeTime


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def make_client(fake_time):
    """Build a client on a fake session, with fake time and a fixed jitter (rand() == 0.5)."""
    def factory(answers=(), forever=None, **options):
        session = FakeSession(answers, forever=forever)
        kwargs = dict(api_key=API_KEY, session=session, sleep=fake_time.sleep, clock=fake_time.clock,
                      rand=lambda: 0.5)
        kwargs.update(options)
        return SendGridClient(**kwargs), session
    return factory
