#!/usr/bin/env bash
# Fault injection: never a false success, never a lost result. The emulator answers 429s, 5xx,
# dropped connections, late, malformed and empty answers, PATCH answers that disagree, and at last
# stops in the middle of a batch; each task must end in success or in a failure that names the
# affected accounts, and every account's result must say what is known about it
# (tasks/invariants.yml, checked against the emulator's request log and state).
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

# The emulator stops mid-run. Every answer takes 0.5 s; once acct-05 (the ninth account of the
# batch) has been read, its PATCH is on its way, and the emulator is killed. The request log
# file says afterwards which PATCHes were answered.
export FAULTS_STOP_LOG="$OUTPUT_DIR/faults-emulator-stops.jsonl"
export FAULTS_STOP_MARK="$OUTPUT_DIR/faults-emulator-stops.mark"
rm -f "$FAULTS_STOP_LOG" "$FAULTS_STOP_MARK"
start_emulator --config files/emulator.json --latency-ms 500 --request-log "$FAULTS_STOP_LOG"

stop_when_read() {
    set +x
    local account=$1 how='without reading it (timed out)'
    for _ in $(seq 1 1500); do
        if grep -qE "\"method\": \"GET\", .*\"on_behalf_of\": \"$account\", \"status\": 200," "$FAULTS_STOP_LOG" 2>/dev/null; then
            sleep 0.1
            how="after reading $account"
            break
        fi
        sleep 0.02
    done
    echo "$how" >"$FAULTS_STOP_MARK"
    kill "$EMULATOR_PID"
}
stop_when_read acct-05 &
stopper=$!
ansible-playbook emulator_stops.yml "$@" || status=1
kill "$stopper" 2>/dev/null || true
wait "$stopper" 2>/dev/null || true
stop_emulator
exit "$status"
