# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Every input has a bound: the one check of a whole number within its bounds, for every count the collection
takes (workers, page sizes, the blocks list's bounds, the canary gate's)."""

from __future__ import annotations

from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import SendGridConfigError
from ansible_collections.mailops.sendgrid.plugins.module_utils._messages import describe_value


def check_whole_number(value, field: str, low: int, high: int) -> int:
    """``value``, a whole number (not a boolean) from ``low`` to ``high``; else SendGridConfigError naming
    ``field``, the bounds and the value."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SendGridConfigError('{0} must be a whole number from {1} to {2}; got {3}'.format(
            field, low, high, describe_value(value)))
    return value
