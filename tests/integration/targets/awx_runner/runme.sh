#!/usr/bin/env bash
# The collection's playbooks run the way AWX runs every job: through ansible-runner, with a private
# data directory per run (the key injected in env/envvars, the subusers inventory plugin, fact
# caching), against an emulator of their own. awx_runner_check.py holds it all: the runs, what each
# must show (status, events, per-host outcomes, set_stats data, cached facts), and the scan of every
# file ansible-runner wrote for the key.
set -eu -o pipefail

# Only for where the emulator is (EMULATOR_SCRIPT): awx_runner_check.py starts one per run.
# shellcheck source=../setup_sendgrid_emulator/emulator.sh
source ../setup_sendgrid_emulator/emulator.sh
export EMULATOR_SCRIPT

exec "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" awx_runner_check.py "$@"
