# shellcheck shell=bash
# Sourced by the runme.sh of every target that needs the SendGrid emulator.
#
#   source ../setup_sendgrid_emulator/emulator.sh
#   start_emulator --config files/emulator.json   # any emulator options
#
# Starts tests/emulator/sendgrid_emulator.py on 127.0.0.1 with a free port, exports
# EMULATOR_URL and SENDGRID_API_URL, and stops the emulator when the script exits.
# wait_for_emulator_exit waits for one that was told to stop by itself (--stop-at).
#
# For the targets that check what a playbook printed and did: check runs check.py (a report, a recap, a
# diff, a text in an output file); emulator METHOD PATH [BODY] calls the emulator's control API
# (/_emulator/PATH); fails runs a command that must fail.

collection_root="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/mailops/sendgrid"
EMULATOR_SCRIPT="$collection_root/tests/emulator/sendgrid_emulator.py"
export EMULATOR_PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
export EMULATOR_LOG="${OUTPUT_DIR:-/tmp}/sendgrid-emulator.log"

stop_emulator() {
    if [ -n "${EMULATOR_PID:-}" ]; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
        EMULATOR_PID=
    fi
}

# Wait for an emulator that ends by itself (its stop_at fault, --stop-at) to end, and return its exit
# status. One still running after $1 seconds (default 10) is stopped, and the wait fails: a bound for a
# broken run only, as one that works returns as soon as the emulator has ended.
wait_for_emulator_exit() {
    local status=0
    if ! timeout "${1:-10}" tail --pid="$EMULATOR_PID" --sleep-interval=0.1 -f /dev/null; then
        echo "The SendGrid emulator did not end by itself" >&2
        stop_emulator
        return 1
    fi
    wait "$EMULATOR_PID" || status=$?
    EMULATOR_PID=
    return "$status"
}

start_emulator() {
    local port_file="${OUTPUT_DIR:-/tmp}/sendgrid-emulator.port"
    rm -f "$port_file"
    "$EMULATOR_PYTHON" "$EMULATOR_SCRIPT" --port 0 --port-file "$port_file" "$@" >>"$EMULATOR_LOG" 2>&1 &
    EMULATOR_PID=$!
    trap stop_emulator EXIT
    for _ in $(seq 1 100); do
        [ -s "$port_file" ] && break
        sleep 0.1
    done
    if [ ! -s "$port_file" ]; then
        cat "$EMULATOR_LOG"
        echo "The SendGrid emulator did not start" >&2
        return 1
    fi
    EMULATOR_URL="http://127.0.0.1:$(cat "$port_file")"
    export EMULATOR_URL
    export SENDGRID_API_URL="$EMULATOR_URL"
}

check() { "$EMULATOR_PYTHON" ../setup_sendgrid_emulator/check.py "$@"; }

emulator() {
    "$EMULATOR_PYTHON" - "$@" <<'PY'
import os, sys, urllib.request as u
method, path, body = sys.argv[1], sys.argv[2], (sys.argv[3].encode() if len(sys.argv) > 3 else None)
u.urlopen(u.Request(os.environ['EMULATOR_URL'] + '/_emulator/' + path, data=body, method=method,
                    headers={'Content-Type': 'application/json'}))
PY
}

fails() { if "$@"; then echo "expected to fail: $*" >&2; exit 1; fi; }
