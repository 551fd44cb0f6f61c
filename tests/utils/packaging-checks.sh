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
#  3. antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs on the installed
#     collection: the plugin and role docs, and the guides in docs/docsite/ (extra-docs.yml, links.yml,
#     rst/*.rst: labels, toctree, rstcheck, and every :ansplugin:/:ansopt: naming a real plugin/option);
#  3b. the docsite as docs.ansible.com builds it: antsibull-docs renders the collection to RST, Sphinx
#     (with the Ansible theme) builds the HTML, and every guide of extra-docs.yml is a page of it;
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
        changelogs/changelog.yaml docs/docsite/extra-docs.yml docs/docsite/links.yml; do
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

echo "== antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs"
# rstcheck stays on (no --skip-rstcheck): a guide that is not valid RST fails here.
ANSIBLE_COLLECTIONS_PATH="$collections_dir" antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs "$installed"

echo "== the docsite: antsibull-docs sphinx-init, the collection's RST, sphinx-build"
# What build.sh of `antsibull-docs sphinx-init` does, with two changes for a machine without network:
#  - intersphinx is off (intersphinx_mapping = {}): its inventories are on docs.python.org and
#    docs.ansible.com, which cannot be reached here, and each failed fetch is a Sphinx warning;
#  - so instead of -W, the warnings go to a file, and the build fails on any warning but the
#    references only those inventories resolve: a label of docs.ansible.com (no dots, such as
#    common_return_values; the collection's own labels are ansible_collections.mailops.sendgrid.*)
#    and ansible-core's ANSIBLE_* configuration variables.
docsite="$work_dir/docsite"
mkdir "$docsite"
ANSIBLE_COLLECTIONS_PATH="$collections_dir" antsibull-docs sphinx-init --use-current \
    --dest-dir "$docsite" mailops.sendgrid >/dev/null
echo 'intersphinx_mapping = {}  # offline: see tests/utils/packaging-checks.sh' >>"$docsite/conf.py"
chmod og-w "$docsite/rst"  # as build.sh: antsibull-docs wants the directory writable by its owner only
(cd "$docsite" && ANSIBLE_COLLECTIONS_PATH="$collections_dir" antsibull-docs --config-file antsibull-docs.cfg \
    collection --cleanup everything --fail-on-error --use-current --dest-dir rst mailops.sendgrid >/dev/null) \
    || fail "antsibull-docs could not render the collection's docs"
sphinx-build -q -b html -c "$docsite" -w "$docsite/warnings.log" --keep-going "$docsite/rst" "$docsite/html" \
    >"$docsite/sphinx.log" 2>&1 || { cat "$docsite/sphinx.log"; fail "sphinx-build failed"; }
unexpected=$(grep -vE "WARNING: undefined label: '[a-z0-9_]+' \[ref\.ref\]$|WARNING: 'envvar' reference target not found: ANSIBLE_[A-Z0-9_]+ \[ref\.envvar\]$" \
    "$docsite/warnings.log" || true)
[ -z "$unexpected" ] || fail "sphinx-build warned: $unexpected"
site="$docsite/html/collections/mailops/sendgrid"
guides=$(python -c 'import sys, yaml
for section in yaml.safe_load(open(sys.argv[1]))["sections"]:
    for entry in section["toctree"]:
        print(entry if isinstance(entry, str) else entry["ref"])' "$installed/docs/docsite/extra-docs.yml")
[ -n "$guides" ] || fail "docs/docsite/extra-docs.yml lists no guide"
for guide in $guides; do
    [ -s "$site/docsite/$guide.html" ] || fail "the docsite has no page for the guide $guide"
    grep -q "href=\"docsite/$guide.html\"" "$site/index.html" || fail "the collection's index does not link the guide $guide"
done
for page in index sendgrid_enforced_tls_module enforced_tls_baseline_role subusers_inventory changelog; do
    [ -s "$site/$page.html" ] || fail "the docsite has no page $page.html"
done
echo "built $(find "$docsite/html" -name '*.html' | wc -l) pages; guides: ${guides//$'\n'/ }"

echo "== ansible-builder introspect"
ansible-builder introspect "$collections_dir" 2>/dev/null | tee "$work_dir/introspect.yml"
grep -q "requests  # from collection mailops.sendgrid" "$work_dir/introspect.yml" \
    || fail "ansible-builder introspect does not list requests for mailops.sendgrid"

echo "== the example execution environment definition (docs/execution-environment.yml)"
ansible-builder create -f "$repo_root/docs/execution-environment.yml" -c "$work_dir/ee-context" >/dev/null
grep -q 'mailops.sendgrid' "$work_dir/ee-context/_build/requirements.yml" \
    || fail "the example execution environment does not install mailops.sendgrid"

echo "packaging checks passed"
