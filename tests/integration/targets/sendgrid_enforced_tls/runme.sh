#!/usr/bin/env bash
# Integration tests of mailops.sendgrid.sendgrid_enforced_tls against the SendGrid emulator.
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/emulator.json

# The behaviour, task by task: see tests.yml and tasks/.
ansible-playbook tests.yml "$@"

# A nightly audit as users run it: --check --diff reports drift, changes nothing.
curl -sf -X POST "$EMULATOR_URL/_emulator/reset"
ansible-playbook audit.yml --check --diff "$@" | tee "$OUTPUT_DIR/audit.out"
# audit.yml checks the registered result; what --diff shows the user is checked here.
grep -qF -- '-    "require_tls": false,' "$OUTPUT_DIR/audit.out"
grep -qF -- '+    "require_tls": true,' "$OUTPUT_DIR/audit.out"
curl -sf "$EMULATOR_URL/_emulator/log" | "$EMULATOR_PYTHON" -c '
import json, sys
log = json.load(sys.stdin)
assert log["counts"].get("PATCH /v3/user/settings/enforced_tls", 0) == 0, log["counts"]
assert log["counts"]["GET /v3/user/settings/enforced_tls"] == 1, log["counts"]
'
