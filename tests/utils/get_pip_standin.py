# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for get-pip.py, which ansible-test downloads from a host this CI cannot reach.

ansible-test runs it as ``python get_pip_X_Y.py pip==X.Y [--no-setuptools] [--no-wheel]``.
It bootstraps pip from the standard library, then installs what ansible-test asked for
from the configured package index.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys


def main():
    environment = dict(os.environ)  # ensurepip sets PIP_CONFIG_FILE=/dev/null; keep the machine's pip config
    arguments = [argument for argument in sys.argv[1:] if argument not in ('--no-setuptools', '--no-wheel')]
    ensurepip.bootstrap(upgrade=True)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + arguments,
                          env=environment)


if __name__ == '__main__':
    main()
