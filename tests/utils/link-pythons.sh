#!/usr/bin/env bash
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Make every installed Python 3.9+ reachable as pythonX.Y in the directory given.
#
# ansible-test runs its per-Python sanity tests (compile, import) with each pythonX.Y on PATH.
# pyenv's shims only resolve the pyenv "global" version and ansible-test does not pass
# PYENV_VERSION through, so this writes small wrappers that exec the real interpreters, wherever
# find-python.sh finds them.
set -euo pipefail
target_dir=$1
mkdir -p "$target_dir"
for version in 3.9 3.10 3.11 3.12 3.13 3.14; do
    interpreter=$("$(dirname "${BASH_SOURCE[0]}")/find-python.sh" --quiet "$version") || continue
    printf '#!/bin/sh\nexec %s "$@"\n' "$interpreter" >"$target_dir/python$version"
    chmod +x "$target_dir/python$version"
done
ls "$target_dir"
