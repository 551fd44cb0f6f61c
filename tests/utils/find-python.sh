#!/usr/bin/env bash
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Print the path of a working Python X.Y interpreter, wherever it is installed.
#
#   tests/utils/find-python.sh 3.13          the interpreter, or a message on stderr and exit 1
#   tests/utils/find-python.sh --quiet 3.9   the same without the message
#
# Looks, in this order, at: pythonX.Y on PATH, pyenv's versions (under `pyenv root`, $PYENV_ROOT or
# ~/.pyenv; its shims only run the versions pyenv has activated, so the real interpreters are used),
# uv's managed Pythons, and the usual system directories. Each candidate is run once to check that
# it is Python X.Y and has the venv module, so a broken interpreter or an inactive shim is skipped.
set -euo pipefail

quiet=false
if [ "${1:-}" = --quiet ]; then
    quiet=true
    shift
fi
version=${1:?usage: find-python.sh [--quiet] X.Y}

candidates() {
    local root path
    command -v "python$version" 2>/dev/null || true
    for root in "$(pyenv root 2>/dev/null || true)" "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
        [ -n "$root" ] || continue
        # The newest patch release first.
        for path in "$root"/versions/"$version".*/bin/python"$version"; do
            echo "$path"
        done | sort -rV
    done
    uv python find "$version" 2>/dev/null || true
    for path in /usr/local/bin/python"$version" /usr/bin/python"$version" /opt/python*/bin/python"$version"; do
        echo "$path"
    done
}

# The interpreter's own path (a shim's target), if CANDIDATE is Python X.Y with the venv module.
real_interpreter() {
    "$1" -c "import sys, venv; assert sys.version_info[:2] == tuple(map(int, '$version'.split('.'))); print(sys.executable)" 2>/dev/null
}

while IFS= read -r candidate; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && real_interpreter "$candidate"; then
        exit 0
    fi
done < <(candidates)

if [ "$quiet" = false ]; then
    cat >&2 <<EOF
Python $version is needed and was not found (looked for python$version on PATH, in pyenv, uv, /usr/local/bin, /usr/bin).
Install it with one of:
    pyenv install $version
    uv python install $version
    apt-get install python$version python$version-venv      (where your distribution has it)
or name it: make PYTHON=/path/to/python$version ...
EOF
fi
exit 1
