#!/usr/bin/env bash
# Each SendGrid account as its own inventory host: the playbooks audit_hosts and enforce_hosts over
# the inventory plugin, against the emulator's fleet (files/fleet.json). hosts_check.py runs the
# cases and checks the recap, diffs, custom stats, cached facts and the emulator's log and state.
set -eu -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/fleet.json
export SENDGRID_API_KEY=SG.itest-hosts.K3y-s3cr3t-hosts-0001

"${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" hosts_check.py "$@"
