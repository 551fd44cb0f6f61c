#!/usr/bin/env bash
# Integration tests of mailops.sendgrid.sendgrid_tls_blocks_info against the SendGrid emulator: a fleet whose
# accounts have recipients at domains without TLS (files/emulator.json) is enforced, then its blocks lists are
# read, over several pages, and every request is checked against the official suppressions spec.
set -eux

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/emulator.json

ansible-playbook tests.yml "$@"

# Every request the module sent is one the official spec describes (its parameters, their types and bounds).
"$EMULATOR_PYTHON" spec_check.py "$EMULATOR_URL" ../setup_sendgrid_emulator/specs/tsg_suppressions_v3.yaml
