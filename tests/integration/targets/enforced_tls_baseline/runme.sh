#!/usr/bin/env bash
# Integration tests of the role mailops.sendgrid.enforced_tls_baseline against the SendGrid emulator,
# on the fleet of files/fleet.json (vars/fleet.yml says what it holds, account by account).
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/fleet.json

# The playbooks check the role's registered outputs, report files, and the emulator's log and state.
# Here: the set_stats counts that AWX reads, as ansible-playbook shows them (ANSIBLE_SHOW_CUSTOM_STATS),
# are the summary and mode of the report file of the run's last role call.
custom_stats_match_report() {
    "$EMULATOR_PYTHON" - "$1" "$2" <<'PY'
import json, sys
output, report_file = sys.argv[1:]
lines = [line for line in open(output) if line.startswith('\tRUN: ')]
shown = json.loads(lines[-1][len('\tRUN: '):])
report = json.load(open(report_file))
expected = {'enforced_tls_baseline': dict(report['summary'], mode=report['mode'])}
assert shown == expected, 'custom stats {0}, expected {1}'.format(shown, expected)
PY
}

# An audit with --check: exactly the accounts out of policy are reported, nothing is written.
ANSIBLE_SHOW_CUSTOM_STATS=true ansible-playbook audit.yml --check "$@" | tee "$OUTPUT_DIR/audit.out"
custom_stats_match_report "$OUTPUT_DIR/audit.out" "$OUTPUT_DIR/audit-cli-check/enforced-tls-report.json"

# The same audit with the play keyword check_mode: true.
ansible-playbook audit_check_mode.yml "$@"

# Enforce twice: exactly the accounts out of policy change, with one PATCH each; then nothing does.
ANSIBLE_SHOW_CUSTOM_STATS=true ansible-playbook enforce.yml "$@" | tee "$OUTPUT_DIR/enforce.out"
custom_stats_match_report "$OUTPUT_DIR/enforce.out" "$OUTPUT_DIR/enforce-second/enforced-tls-report.json"

# fail_on_drift passes a clean audit (on the state enforce.yml left) and fails an audit with drift.
ansible-playbook fail_on_drift.yml "$@"

# Listed subusers without discovery, the role's own endpoint input, a listed disabled subuser.
ansible-playbook listed.yml "$@"

# Discovery with the module's own page size: 160 subusers take two pages.
ansible-playbook scale.yml "$@"

# The key, the endpoint and the workers from module_defaults for the group reach every call of the
# role; its workers input goes over them.
ansible-playbook module_defaults.yml "$@"
