#!/usr/bin/env bash
# Integration tests of the role mailops.sendgrid.enforced_tls_baseline against the SendGrid emulator,
# on the fleet of files/fleet.json (vars/fleet.yml says what it holds, account by account).
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/fleet.json

# The playbooks check the role's registered outputs, report files, and the emulator's log and state.
# Here: the set_stats counts that AWX reads, as ansible-playbook shows them (ANSIBLE_SHOW_CUSTOM_STATS):
# integers named enforced_tls_<count>, added up over the run's role calls, so the sum of the summaries
# of their report files.
custom_stats_match_reports() {
    "$EMULATOR_PYTHON" - "$@" <<'PY'
import json, sys
output, report_files = sys.argv[1], sys.argv[2:]
lines = [line for line in open(output) if line.startswith('\tRUN: ')]
assert len(lines) == 1, 'expected one line of custom stats, got {0}'.format(lines)
shown = json.loads(lines[0][len('\tRUN: '):])
summaries = [json.load(open(report_file))['summary'] for report_file in report_files]
expected = {'enforced_tls_' + name: sum(summary[name] for summary in summaries) for name in summaries[0]}
assert shown == expected, 'custom stats {0}, expected {1}'.format(shown, expected)
PY
}

# An audit with --check: exactly the accounts out of policy are reported, nothing is written.
ANSIBLE_SHOW_CUSTOM_STATS=true ansible-playbook audit.yml --check "$@" | tee "$OUTPUT_DIR/audit.out"
custom_stats_match_reports "$OUTPUT_DIR/audit.out" "$OUTPUT_DIR/audit-cli-check/enforced-tls-report.json"
# The whole report, against files/golden/audit-report.json: what the role of version 1.0.0 reported for this
# fleet, with what 2.0.0 adds and changes (batches, report_version, the exempt account's setting as read); its time,
# SendGrid's error ids and the seconds waited left out.
"$EMULATOR_PYTHON" golden_report.py "$OUTPUT_DIR/audit-cli-check/enforced-tls-report.json" files/golden/audit-report.json

# The same audit with the play keyword check_mode: true.
ansible-playbook audit_check_mode.yml "$@"

# Enforce twice: exactly the accounts out of policy change, with one PATCH each; then nothing does.
ANSIBLE_SHOW_CUSTOM_STATS=true ansible-playbook enforce.yml "$@" | tee "$OUTPUT_DIR/enforce.out"
custom_stats_match_reports "$OUTPUT_DIR/enforce.out" "$OUTPUT_DIR/enforce-first/enforced-tls-report.json" \
    "$OUTPUT_DIR/enforce-second/enforced-tls-report.json"

# fail_on_drift passes a clean audit (on the state enforce.yml left) and fails an audit with drift.
ansible-playbook fail_on_drift.yml "$@"

# Listed subusers without discovery, the role's own endpoint input, a listed disabled subuser.
ansible-playbook listed.yml "$@"

# Discovery with the module's own page size: 160 subusers take two pages.
ansible-playbook scale.yml "$@"

# The key, the endpoint and the workers from module_defaults for the group reach every call of the
# role; its workers input goes over them.
ansible-playbook module_defaults.yml "$@"

# An enforcement that reads each account's TLS blocks since its updates (enforced_tls_baseline_blocks_since: run).
ansible-playbook blocks.yml "$@"

# The canary: some subusers first, then the gate on their TLS blocks (with and without rollback), then the rest.
ansible-playbook canary.yml "$@"

# Two audits with a change between them: what changed since the last audit, in every format (JUnit too).
ansible-playbook history.yml "$@"
