#!/usr/bin/env bash
# The playbook mailops.sendgrid.enforce_hosts: each SendGrid account of the inventory plugin its own host,
# rolled out canary first, against the emulator. enforce_hosts_check.py runs the cases and checks the
# recap, diffs, custom stats, cached facts, report files, the run's verdict and the emulator's log and state.
set -eu -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config ../setup_sendgrid_hosts/files/fleet.json
export SENDGRID_API_KEY=SG.itest-hosts.K3y-s3cr3t-hosts-0001

"${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" enforce_hosts_check.py "$@"
