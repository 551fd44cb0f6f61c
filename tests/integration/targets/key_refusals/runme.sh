#!/usr/bin/env bash
# A key that is not usable stops a batch at once; one subuser's refusal does not. Checked on the
# emulator's request log (what was sent) and on the task's result and message (what was shown).
# The emulator answers an unknown subuser with 401, as it may answer a bad key: both cases meet.
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --subusers 200 --subuser-prefix sub- --unknown-subuser-status 401 \
    --key SG.itest-keys.full-K3y-0001 \
    --key SG.itest-keys.read-only-K3y-0002:user.settings.enforced_tls.read,subusers.read

ansible-playbook key_refusals.yml "$@"
