#!/usr/bin/env bash
# Hostile input: every case of vars/cases.yml must be refused before any request, with a message
# that names the field and what is allowed. The emulator must not see one request in the whole run.
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
request_log="$OUTPUT_DIR/hostile-input-requests.jsonl"
rm -f "$request_log"
start_emulator --key SG.itest-hostile.K3y-s3cr3t-0001 --request-log "$request_log"

# Every playbook runs even when one fails, so that one run reports every case that fails.
status=0

# Every case but those with 100,000 names.
ansible-playbook run_cases.yml "$@" || status=1

# The cases with 100,000 names (user-000001 ...), through the module and through the role: they must
# be refused cleanly and quickly.
huge_names="$OUTPUT_DIR/huge_names.json"
"$EMULATOR_PYTHON" -c '
import json, sys
json.dump({"huge_names": ["user-{0:06d}".format(n) for n in range(1, 100001)]}, sys.stdout)
' >"$huge_names"
timeout 120 ansible-playbook run_cases.yml -e hostile_huge=true -e "@$huge_names" "$@" || {
    [ $? -ne 124 ] || echo "The cases with 100,000 names were not refused within 120 s" >&2
    status=1
}

# Not one request reached the API in the whole target: the emulator's log, and the file it appends
# each request to as it answers it, are both empty.
curl -sf "$EMULATOR_URL/_emulator/log" | "$EMULATOR_PYTHON" -c '
import json, sys
log = json.load(sys.stdin)
if log["total"]:
    sys.exit("{0} request(s) reached the API:\n{1}".format(log["total"], json.dumps(log["requests"], indent=1)))
' || status=1
stop_emulator
if [ -s "$request_log" ]; then
    cat "$request_log"
    echo "The requests above reached the emulator" >&2
    status=1
fi
exit "$status"
