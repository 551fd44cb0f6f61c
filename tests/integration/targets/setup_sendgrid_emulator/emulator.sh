# shellcheck shell=bash
# Sourced by the runme.sh of every target that needs the SendGrid emulator.
#
#   source ../setup_sendgrid_emulator/emulator.sh
#   start_emulator --config files/emulator.json   # any emulator options
#
# Starts tests/emulator/sendgrid_emulator.py on 127.0.0.1 with a free port, exports
# EMULATOR_URL and SENDGRID_API_URL, and stops the emulator when the script exits.

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
