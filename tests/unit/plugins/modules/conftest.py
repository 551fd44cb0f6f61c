# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by the module tests. Each test file names its module in ``MODULE``."""

from __future__ import annotations

import json

import pytest

from ansible_collections.mailops.sendgrid.tests.unit.plugins.modules.sendgrid_module_helpers import run_module
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import API_KEY


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No key or endpoint leaks in from the environment of whoever runs the tests."""
    monkeypatch.delenv('SENDGRID_API_KEY', raising=False)
    monkeypatch.delenv('SENDGRID_API_URL', raising=False)


@pytest.fixture
def run(monkeypatch, request):
    """Run the test file's MODULE; the API key must never be in its result, whatever happened."""
    main = request.module.MODULE.main

    def runner(args, session):
        result = run_module(monkeypatch, main, args, session)
        assert API_KEY not in json.dumps(result, default=repr)
        return result
    return runner
