#!/usr/bin/env bash
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Packaging checks: what Galaxy, AWX and docs builders will meet.
#
#  1. ansible-galaxy collection build, and the tarball holds no development leftovers, and holds
#     the licence text (COPYING, LICENSES/GPL-3.0-or-later.txt) and REUSE.toml;
#  2. galaxy-importer imports the tarball the way Galaxy does (without ansible-test: no
#     container engine here), with no error and no warning;
#  3. antsibull-docs lint-collection-docs --plugin-docs on the installed collection;
#  4. ansible-builder introspect on the installed collection lists the Python requirements
#     that meta/execution-environment.yml declares;
#  5. ansible-builder accepts the example definition in docs/execution-environment.yml (it
#     writes the build context; building the image needs a container engine, which CI lacks).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/mailops-sendgrid-packaging.XXXXXX")
trap 'rm -rf "$work_dir"' EXIT
fail() { echo "packaging check failed: $*" >&2; exit 1; }

echo "== build"
ansible-galaxy collection build --output-path "$work_dir" "$repo_root" >/dev/null
tarball=$(ls "$work_dir"/mailops-sendgrid-*.tar.gz)
echo "$tarball"

echo "== no development leftovers in the tarball"
tar -tzf "$tarball" >"$work_dir/contents.txt"
leftovers=$(grep -E '(^|/)(\.venv|\.ansible|\.git|\.ci|\.cache|\.pytest_cache|__pycache__|build)(/|$)|^tests/output(/|$)|\.pyc$|\.tar\.gz$' "$work_dir/contents.txt" || true)
[ -z "$leftovers" ] || fail "the tarball holds development files: $leftovers"
for expected in MANIFEST.json README.md COPYING LICENSES/GPL-3.0-or-later.txt REUSE.toml \
        meta/runtime.yml meta/execution-environment.yml requirements.txt \
        plugins/modules/sendgrid_enforced_tls.py roles/enforced_tls_baseline/tasks/main.yml \
        changelogs/changelog.yaml; do
    grep -qx -- "$expected" "$work_dir/contents.txt" || fail "$expected is missing from the tarball"
done
# galaxy.yml says GPL-3.0-or-later: the licence text itself must ship, whole.
for licence in COPYING LICENSES/GPL-3.0-or-later.txt; do
    tar -xzOf "$tarball" "$licence" | cmp -s - "$repo_root/COPYING" || fail "$licence in the tarball is not the text of COPYING"
done
if ! grep -q 'GNU GENERAL PUBLIC LICENSE' "$repo_root/COPYING" || ! grep -q 'Version 3, 29 June 2007' "$repo_root/COPYING"; then
    fail "COPYING is not the GNU GPL version 3"
fi

echo "== galaxy-importer"
printf '[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nCHECK_REQUIRED_TAGS = False\n' >"$work_dir/galaxy-importer.cfg"
# It writes importer_result.json into the current directory: keep that out of the checkout.
(cd "$work_dir" && GALAXY_IMPORTER_CONFIG="$work_dir/galaxy-importer.cfg" python -m galaxy_importer.main "$tarball" \
    >"$work_dir/importer.log" 2>&1) || { cat "$work_dir/importer.log"; fail "galaxy-importer failed"; }
grep -v '^DEBUG' "$work_dir/importer.log"
grep -q 'Importer processing completed successfully' "$work_dir/importer.log" || fail "galaxy-importer did not complete"
if grep -E '(^|[^A-Za-z])(WARNING|ERROR)' "$work_dir/importer.log" | grep -v '^DEBUG'; then
    fail "galaxy-importer reported the warnings or errors above"
fi

echo "== install"
collections_dir="$work_dir/collections"
ansible-galaxy collection install --force -p "$collections_dir" "$tarball" >/dev/null 2>&1
installed="$collections_dir/ansible_collections/mailops/sendgrid"
[ -f "$installed/MANIFEST.json" ] || fail "the collection did not install"

echo "== antsibull-docs lint-collection-docs --plugin-docs"
ANSIBLE_COLLECTIONS_PATH="$collections_dir" antsibull-docs lint-collection-docs --plugin-docs "$installed"

echo "== ansible-builder introspect"
ansible-builder introspect "$collections_dir" 2>/dev/null | tee "$work_dir/introspect.yml"
grep -q "requests  # from collection mailops.sendgrid" "$work_dir/introspect.yml" \
    || fail "ansible-builder introspect does not list requests for mailops.sendgrid"

echo "== the example execution environment definition (docs/execution-environment.yml)"
ansible-builder create -f "$repo_root/docs/execution-environment.yml" -c "$work_dir/ee-context" >/dev/null
grep -q 'mailops.sendgrid' "$work_dir/ee-context/_build/requirements.yml" \
    || fail "the example execution environment does not install mailops.sendgrid"

echo "packaging checks passed"
