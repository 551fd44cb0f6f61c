# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this plugin util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Where a batch of the per-host playbooks leaves each account's outcome for its host's task.

The batch task runs once for a play batch; every host's own task then needs its
account's outcome. Handed over as a variable, the batch's outcomes would be a
variable of every host, and ansible-core copies a host's variables for each of its
tasks: with N hosts, each of N tasks would copy N outcomes. So the batch task writes
one small file per account into a directory of its own under Ansible's local
temporary directory (removed when the run ends), and each host's task reads its one
file: a constant cost per host however large the batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile


def _file_name(account):
    return hashlib.sha256(account.encode('utf-8')).hexdigest() + '.json'


def write_outcomes(parent_directory, outcomes):
    """Write each account's outcome (``outcomes``: by account) into a new directory in
    ``parent_directory`` (readable by this user only), and return its path."""
    directory = tempfile.mkdtemp(prefix='mailops-sendgrid-outcomes-', dir=parent_directory)
    for account, outcome in outcomes.items():
        with open(os.path.join(directory, _file_name(account)), 'w', encoding='utf-8') as handle:
            json.dump(outcome, handle)
    return directory


def read_outcome(directory, account):
    """The outcome of ``account`` that :func:`write_outcomes` left in ``directory``, or None.

    Raises ValueError when ``directory`` is not such a directory (never written, or
    removed because the run that wrote it ended).
    """
    if not os.path.isdir(directory) or not os.path.basename(directory).startswith('mailops-sendgrid-outcomes-'):
        raise ValueError('{0} is not a directory of outcomes written by this run'.format(directory))
    try:
        with open(os.path.join(directory, _file_name(account)), encoding='utf-8') as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
