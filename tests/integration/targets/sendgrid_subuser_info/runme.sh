#!/usr/bin/env bash
# Integration tests of mailops.sendgrid.sendgrid_subuser_info against the SendGrid emulator.
set -eux

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/emulator.json

# The behaviour, task by task: see tests.yml and tasks/.
ansible-playbook tests.yml "$@"
