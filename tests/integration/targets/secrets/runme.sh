#!/usr/bin/env bash
# Secret hygiene: no API key shows in anything a run of the collection writes. secrets_check.py
# holds it all: the runs of secrets.yml, what each must show, and the scan for the keys.
set -eu -o pipefail

# Only for where the emulator is (EMULATOR_SCRIPT): secrets_check.py starts one per run.
# shellcheck source=../setup_sendgrid_emulator/emulator.sh
source ../setup_sendgrid_emulator/emulator.sh
export EMULATOR_SCRIPT

exec "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" secrets_check.py "$@"
