#!/usr/bin/env bash
# Integration tests of mailops.sendgrid.sendgrid_enforced_tls_info against the SendGrid emulator.
set -eux

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config ../sendgrid_enforced_tls/files/emulator.json

ansible-playbook tests.yml "$@"
