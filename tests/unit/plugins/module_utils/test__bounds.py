# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mailops.sendgrid.plugins.module_utils._bounds import check_whole_number
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError


@pytest.mark.parametrize('value', [0, 1, 7])
def test_check_whole_number_takes_a_whole_number_within_its_bounds(value):
    checked = check_whole_number(value, 'count', 0, 7)
    assert checked == value and isinstance(checked, int) and not isinstance(checked, bool)


@pytest.mark.parametrize('value, shown', [
    (-1, '-1 (integer)'),
    (8, '8 (integer)'),
    (True, 'true (boolean)'),
    (2.0, '2.0 (float)'),
    ('3', "'3' (string)"),
    (None, 'null'),
])
def test_check_whole_number_refuses_anything_else_naming_the_field_and_bounds(value, shown):
    with pytest.raises(SendGridConfigError) as caught:
        check_whole_number(value, 'count', 0, 7)
    assert caught.value.message == 'count must be a whole number from 0 to 7; got {0}'.format(shown)
