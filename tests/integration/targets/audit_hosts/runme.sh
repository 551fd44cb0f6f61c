#!/usr/bin/env bash
# The playbook mailops.sendgrid.audit_hosts: each SendGrid account of the inventory plugin its own host,
# against the emulator. audit_hosts_check.py runs the cases and checks the recap, diffs, custom stats,
# cached facts, report files, the run's verdict and the emulator's log and state.
set -eu -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
export SENDGRID_API_KEY=SG.itest-hosts.K3y-s3cr3t-hosts-0001
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"

# The fleet of ../setup_sendgrid_hosts/files/fleet.json: audits, bad input, a revoked key.
start_emulator --config ../setup_sendgrid_hosts/files/fleet.json
AUDIT_HOSTS_CASES=fleet "$python" audit_hosts_check.py "$@"
stop_emulator

# Subusers named as groups (all, ungrouped, sendgrid), as the controller (localhost), with a space.
start_emulator --config ../setup_sendgrid_hosts/files/names.json
AUDIT_HOSTS_CASES=names "$python" audit_hosts_check.py "$@"
