# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: bench_timer
type: aggregate
short_description: The wall time of each task, for the benchmark
description:
  - Writes, when the playbook ends, a JSON list of [task name, seconds] to the file named by the environment
    variable E(BENCH_TIMER_FILE), and the seconds from the callback's start to the first task.
  - A task's time runs from its start to the start of the next task (or to the end of the play), so it includes
    the processing of its results. Used by tests/benchmarks/bench.py only; not part of the collection.
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._started = time.monotonic()
        self._current = ('(start-up: loading the playbook and the role)', self._started)
        self._tasks = []

    def _next(self, name):
        now = time.monotonic()
        self._tasks.append([self._current[0], now - self._current[1]])
        self._current = (name, now)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._next(task.get_name())

    def v2_playbook_on_handler_task_start(self, task):
        self._next(task.get_name())

    def v2_playbook_on_stats(self, stats):
        self._next(None)
        path = os.environ.get('BENCH_TIMER_FILE')
        if path:
            with open(path, 'w') as handle:
                json.dump(self._tasks, handle)
