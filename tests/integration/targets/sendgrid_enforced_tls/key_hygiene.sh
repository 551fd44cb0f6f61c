#!/usr/bin/env bash
# Runs key_hygiene.yml at -vvvv (with and without --check and --diff) and scans everything
# written, and the emulator's log, for the API keys: there must be no hit.
set -eu

out="$OUTPUT_DIR/key-hygiene"
rm -rf "$out"
mkdir -p "$out"
curl -sf -X POST "$EMULATOR_URL/_emulator/reset" >/dev/null

full_key=SG.itest-full.K3y-s3cr3t-full-0001
read_only_key=SG.itest-read.K3y-s3cr3t-read-0002
printf '{"hygiene_api_key": "%s", "hygiene_read_only_key": "%s"}\n' "$full_key" "$read_only_key" >"$out/keys.json"

run() {
    local name=$1
    shift
    SENDGRID_API_KEY=$full_key ansible-playbook key_hygiene.yml -e "@$out/keys.json" -vvvv "$@" >"$out/$name.log" 2>&1
}
run vvvv "$@"
run vvvv-diff --diff "$@"
run vvvv-check-diff --check --diff "$@"
rm "$out/keys.json"
curl -sf "$EMULATOR_URL/_emulator/log" >"$out/emulator-requests.json"
cp "$EMULATOR_LOG" "$out/emulator.log"

# The logs must be real: each shows the tasks ran and failed where planned.
for log in "$out"/vvvv*.log; do
    for expected in 'version must be one of 1.1, 1.2, 1.3' "subuser 'nobody'" 'failed=0'; do
        grep -q -- "$expected" "$log" || { echo "'$expected' missing from $log" >&2; exit 1; }
    done
done
grep -q 'user.settings.enforced_tls.update' "$out/vvvv.log"

# Search for each key, and for its secret part alone.
leaks=0
for secret in "$full_key" "$read_only_key" K3y-s3cr3t-full-0001 K3y-s3cr3t-read-0002; do
    if grep -r -l -F -- "$secret" "$out"; then
        echo "API key text $secret found in the files above" >&2
        leaks=1
    fi
done
exit "$leaks"
