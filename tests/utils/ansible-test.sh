#!/usr/bin/env bash
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run ansible-test on this checkout.
#
# ansible-test needs the collection at ansible_collections/<namespace>/<name>/, so this copies the
# checkout (without development leftovers) into such a tree under $COLLECTION_BUILD_ROOT and runs
# ansible-test there, with the arguments given. It also puts the offline get-pip stand-in where
# ansible-test looks for its pip bootstrap script.
#
#   tests/utils/ansible-test.sh sanity --venv
#   tests/utils/ansible-test.sh units --local
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# A tree of its own per run, so that runs side by side do not trample each other.
build_root=${COLLECTION_BUILD_ROOT:-$(mktemp -d "${TMPDIR:-/tmp}/mailops-sendgrid-test.XXXXXX")}
[ -n "${COLLECTION_BUILD_ROOT:-}" ] || trap 'rm -rf "$build_root"' EXIT
collection_dir="$build_root/ansible_collections/mailops/sendgrid"
python=${PYTHON:-python3}
ansible_test=${ANSIBLE_TEST:-ansible-test}

# The pip bootstrap script ansible-test asks for is named after the pip version it pins.
pip_version=$("$python" - <<'PY'
import re, ansible_test, os
source = open(os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')).read()
print(re.search(r"pip='([0-9.]+)'", source).group(1))
PY
)
cache_dir="$HOME/.ansible/test/cache"
mkdir -p "$cache_dir"
cp "$repo_root/tests/utils/get_pip_standin.py" "$cache_dir/get_pip_${pip_version//./_}.py"

rm -rf "$collection_dir"
mkdir -p "$collection_dir"
tar -C "$repo_root" -cf - \
    --exclude=./.git --exclude=./.venv --exclude=./.ansible --exclude=./build --exclude=./tests/output \
    --exclude='__pycache__' --exclude='.pytest_cache' --exclude='*.tar.gz' . \
  | tar -C "$collection_dir" -xf -

# The official API descriptions, from the workplace's reference material beside the checkout (../shared/seeds),
# for the integration tests that check every request against them. Not part of the collection: only the test
# tree gets them, and only for integration tests (sanity would lint them as the collection's own files).
seeds="$repo_root/../shared/seeds"
if [ "${1:-}" = integration ] && [ -d "$seeds" ]; then
  specs="$collection_dir/tests/integration/targets/setup_sendgrid_emulator/specs"
  mkdir -p "$specs"
  cp "$seeds"/tsg_*.yaml "$specs/"
fi

cd "$collection_dir"
status=0
"$ansible_test" "$@" || status=$?
# Keep the results (junit, coverage, logs) where a developer looks for them.
if [ -d tests/output ]; then
  mkdir -p "$repo_root/tests/output"
  for result in tests/output/*; do cp -r "$result" "$repo_root/tests/output/"; done
fi
exit "$status"
