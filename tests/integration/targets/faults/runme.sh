#!/usr/bin/env bash
# Fault injection: never a false success, never a lost result. The emulator answers 429s, 5xx,
# dropped connections, late, malformed and empty answers, PATCH answers that disagree, and at last
# stops in the middle of a batch; each task must end in success or in a failure that names the
# affected accounts, and every account's result must say what is known about it
# (tasks/invariants.yml, checked against the emulator's request log and state).
#
# Two runs of the emulator (setup_sendgrid_emulator/emulator.sh starts and stops it):
#   1. cases.yml: one batch call per case of vars/cases.yml, each with its faults set through the
#      emulator's control API, then the role under a burst of faults (role.yml).
#   2. emulator_stops.yml: the emulator stops by itself at a request chosen in advance (--stop-at).
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
export FAULTS_REQUEST_LOG="$OUTPUT_DIR/faults-requests.jsonl"
rm -f "$FAULTS_REQUEST_LOG"
start_emulator --config files/emulator.json --request-log "$FAULTS_REQUEST_LOG"

# One batch call per case of vars/cases.yml, then the role enforced_tls_baseline under a burst of
# faults (role.yml): its report files against the emulator. The emulator_stops.yml run comes even
# when this one failed, so that a run reports every broken check.
status=0
ansible-playbook cases.yml "$@" || status=1
stop_emulator

# The emulator stops in the middle of a batch (emulator_stops.yml). --stop-at makes the emulator itself
# stop when acct-05's PATCH arrives: it logs that request, neither applies nor answers it, refuses
# every later connection and exits. No step waits for a moment to act: the stop comes with that
# request, however fast or slow the run. The request log file says afterwards what was answered.
export FAULTS_STOP_LOG="$OUTPUT_DIR/faults-emulator-stops.jsonl"
rm -f "$FAULTS_STOP_LOG"
start_emulator --config files/emulator.json --request-log "$FAULTS_STOP_LOG" --stop-at PATCH:acct-05
ansible-playbook emulator_stops.yml "$@" || status=1
# The emulator ended by itself, with status 0 (stop_emulator would have killed it: status 143).
if ! wait_for_emulator_exit; then
    echo "The emulator did not end by itself with status 0 after acct-05's PATCH" >&2
    status=1
fi
exit "$status"
