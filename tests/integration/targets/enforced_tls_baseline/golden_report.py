# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare a report file with a golden one, what varies from run to run left out: the report's time,
SendGrid's error ids and the seconds a request waited. Prints a diff and fails when they differ.

    golden_report.py REPORT_JSON GOLDEN_JSON
"""

from __future__ import annotations

import difflib
import json
import re
import sys

VARYING = ((re.compile(r'SendGrid error id: [0-9a-f]+'), 'SendGrid error id: <id>'),
           (re.compile(r'and [0-9.]+ s of waiting'), 'and <n> s of waiting'))


def normalised(value):
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items() if key != 'generated_at'}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str):
        for pattern, replacement in VARYING:
            value = pattern.sub(replacement, value)
    return value


def main(report_path, golden_path):
    with open(report_path) as handle:
        report = json.dumps(normalised(json.load(handle)), indent=1, sort_keys=True).splitlines()
    with open(golden_path) as handle:
        golden = json.dumps(normalised(json.load(handle)), indent=1, sort_keys=True).splitlines()
    if report == golden:
        return 0
    diff = difflib.unified_diff(golden, report, golden_path, report_path, lineterm='')
    sys.stdout.writelines(line + '\n' for line in diff)
    return 1


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
