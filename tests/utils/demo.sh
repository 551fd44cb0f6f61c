#!/usr/bin/env bash
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo: the collection against the SendGrid emulator, no SendGrid account needed.
#
# Builds and installs the collection into .ansible/collections and starts the emulator. Then:
#  - the module: playbooks/enforced_tls.yml three times on the parent and three subusers (one batch
#    task with the module's subusers option): an audit
#    (--check --diff) that shows the drift, the enforcement, a second audit that shows no change;
#  - the fleet: the role through playbooks/audit.yml and enforce.yml on every subuser of a parent
#    with 40 more: the audit report, the enforcement, a clean second audit.
# Stops the emulator at the end.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/mailops-sendgrid-demo.XXXXXX")
collections_dir="$repo_root/.ansible/collections"

banner() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

banner "Building and installing the collection into $collections_dir"
ansible-galaxy collection build --force --output-path "$work_dir" . >/dev/null
ansible-galaxy collection install --force -p "$collections_dir" "$work_dir"/mailops-sendgrid-*.tar.gz >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$collections_dir"

banner "Starting the SendGrid emulator on 127.0.0.1"
python3 tests/emulator/sendgrid_emulator.py --port 0 --port-file "$work_dir/port" \
    --config tests/emulator/demo-accounts.json --subusers 40 --subuser-prefix team- --compliant-share 0.7 \
    >"$work_dir/emulator.log" 2>&1 &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true; wait $emulator_pid 2>/dev/null || true; rm -rf "$work_dir"' EXIT
for _ in $(seq 1 100); do [ -s "$work_dir/port" ] && break; sleep 0.1; done
SENDGRID_API_URL="http://127.0.0.1:$(cat "$work_dir/port")"
export SENDGRID_API_URL
export SENDGRID_API_KEY=SG.emulator-demo-key
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
subusers='{"enforced_tls_subusers": ["marketing", "transactional", "newsletter-eu"]}'
echo "emulator at $SENDGRID_API_URL"

banner "1. Audit (--check --diff): what is out of policy? Nothing is changed."
ansible-playbook mailops.sendgrid.enforced_tls --check --diff -e "$subusers"

banner "2. Enforce: fix what drifted."
ansible-playbook mailops.sendgrid.enforced_tls -e "$subusers"

banner "3. Audit again: everything is in policy (changed=0)."
ansible-playbook mailops.sendgrid.enforced_tls --check --diff -e "$subusers"

banner "4. Fleet audit: the role on every subuser (mailops.sendgrid.audit), with a report."
ansible-playbook mailops.sendgrid.audit -e sendgrid_all_subusers=true -e sendgrid_fail_on_drift=false \
    -e sendgrid_report_dir="$work_dir/report" | grep -A2 'Summarize' | tail -1
echo
sed -n '1,16p' "$work_dir/report/enforced-tls-report.md"
echo "  ... (the report lists every account: the out-of-policy ones first)"

banner "5. Fleet enforcement (mailops.sendgrid.enforce): one batch call for all subusers."
ansible-playbook mailops.sendgrid.enforce -e sendgrid_all_subusers=true | grep -E 'Summarize|"msg"|PLAY RECAP|localhost +:'

banner "6. Fleet audit again, failing on drift: there is none."
ansible-playbook mailops.sendgrid.audit -e sendgrid_all_subusers=true | grep -E '"msg"|localhost +:'

banner "Requests the emulator received"
curl -sf "$SENDGRID_API_URL/_emulator/log" | python3 -c '
import json, sys
log = json.load(sys.stdin)
for name, count in sorted(log["counts"].items()):
    print("  {0:45s} {1}".format(name, count))
'
