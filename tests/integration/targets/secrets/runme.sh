#!/usr/bin/env bash
# Secret hygiene. secrets.yml runs every module (sendgrid_enforced_tls on one account and in batch
# mode, sendgrid_enforced_tls_info, sendgrid_subuser_info) and the role enforced_tls_baseline (with
# report files) in success and in every failure path, with four API keys: one of every scope, a
# read-only one, one without subusers.read, and one SendGrid does not know. This script runs it at
# -vvvv, on the SendGrid emulator with the faults of files/faults.json:
#
#   run              keys from                 options                 tasks of secrets.yml
#   vars             extra vars file           -                       all
#   vars-check-diff  extra vars file           --check --diff          all but read_only, failure_matrix
#   env-diff-KEY     SENDGRID_API_KEY (a run   --diff                  KEY's play but read_only,
#                    per KEY)                                          failure_matrix
#   debug-KEY        SENDGRID_API_KEY          ANSIBLE_DEBUG=1         KEY's play, all
#
# then checks that every run shows the failures planned for it, with SendGrid's messages (so that a
# run that did nothing cannot pass), and scans all that was written for each key, whole and its
# secret part alone: the ansible-playbook output, the role's report files, the emulators' output
# and their request logs. There must be no hit.
#
# The keys are made anew for each run, so that a hit can only be a leak. No "set -x": the command
# lines of this script hold the keys, and nothing here may print one.
set -eu -o pipefail

out="$OUTPUT_DIR/secrets"    # all that is scanned
rm -rf "$out"
mkdir -p "$out"
private=$(mktemp -d)         # the extra vars file with the keys: the source, not scanned
trap 'rm -rf "$private"' EXIT
unset SENDGRID_API_KEY
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}

new_key() {
    "$python" -c 'import secrets; print("SG.{0}.{1}".format(secrets.token_urlsafe(16), secrets.token_urlsafe(32)))'
}
declare -A keys
for kind in full read nosub unknown; do
    keys[$kind]=$(new_key)
done
printf '{"secrets_keys": {"full": "%s", "read": "%s", "nosub": "%s", "unknown": "%s"}}\n' \
    "${keys[full]}" "${keys[read]}" "${keys[nosub]}" "${keys[unknown]}" >"$private/keys.json"

# A port where nothing listens, for "connection refused".
SECRETS_CLOSED_PORT=$("$python" -c '
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])')
export SECRETS_CLOSED_PORT

# Replace every key by its name, for what this script shows of a log.
mask() {
    local kind sed_args=()
    for kind in "${!keys[@]}"; do
        sed_args+=(-e "s/${keys[$kind]//./\\.}/<$kind key>/g" -e "s/${keys[$kind]##*.}/<secret of $kind key>/g")
    done
    sed "${sed_args[@]}"
}

# playbook NAME KEY_SOURCE [ansible-playbook options]: one run of secrets.yml on a fresh emulator
# (its state, and the faults of files/faults.json), output in $out/NAME.log, reports in
# $out/reports/NAME. KEY_SOURCE is "vars" (the extra vars file) or the kind of key to give in
# SENDGRID_API_KEY. Returns non-zero if ansible-playbook failed.
playbook() {
    local name=$1 source=$2 started=$SECONDS
    shift 2
    local env_key=() extra_vars=()
    if [ "$source" = vars ]; then
        extra_vars=(-e "@$private/keys.json")
    else
        env_key=("SENDGRID_API_KEY=${keys[$source]}")
    fi
    curl -sf -X POST "$EMULATOR_URL/_emulator/reset" >/dev/null
    curl -sf -X PATCH -H 'Content-Type: application/json' --data @files/faults.json \
        "$EMULATOR_URL/_emulator/faults" >/dev/null
    if env "${env_key[@]}" SECRETS_REPORT_DIR="$out/reports/$name" \
            ansible-playbook secrets.yml -vvvv "${extra_vars[@]}" "$@" "${playbook_options[@]}" >"$out/$name.log" 2>&1; then
        echo "run $name: passed in $((SECONDS - started)) s"
    else
        echo "run $name: ansible-playbook FAILED in $((SECONDS - started)) s; the end of $out/$name.log, keys masked:"
        tail -n 40 "$out/$name.log" | mask
        return 1
    fi
}

# lane NAME RUN...: the runs one after another, on an emulator of the lane's own, in the background.
# The lanes run side by side: each module call costs Ansible most of a second of CPU, and the runs
# make about two hundred.
lane() {
    local name=$1
    shift
    (
        set +e
        OUTPUT_DIR="$out/$name"
        mkdir -p "$OUTPUT_DIR"
        # shellcheck source=../setup_sendgrid_emulator/emulator.sh
        source ../setup_sendgrid_emulator/emulator.sh
        # The emulator knows three of the keys; "unknown" is answered 401. --verbose prints each
        # request (never its headers), so that its output shows it served the runs.
        start_emulator --config files/emulator.json --request-log "$OUTPUT_DIR/emulator-requests.jsonl" --verbose \
            --key "${keys[full]}:user.settings.enforced_tls.read,user.settings.enforced_tls.update,subusers.read" \
            --key "${keys[read]}:user.settings.enforced_tls.read,subusers.read" \
            --key "${keys[nosub]}:user.settings.enforced_tls.read,user.settings.enforced_tls.update" || exit 1
        failed=0
        for run in "$@"; do
            "$run" || failed=$((failed + 1))
        done
        exit "$failed"
    ) &
}
# Options from ansible-test (such as -v), for every run.
playbook_options=("$@")

# What each run leaves out (--skip-tags): --diff and --check change nothing for the modules that only
# read (tag read_only), nor for the failure paths one by one on one account (tag failure_matrix):
# there is no diff of a failure, and in check mode no update. The batch and role runs with failing
# accounts, and the plays of the other keys, run every time.
diff_skip=read_only,failure_matrix

# The keys from a variable (an extra vars file, as a vault gives it) in the api_key option and the
# role's input: at -vvvv, and at -vvvv --check --diff.
vars_run() {
    playbook vars vars
}
vars_check_diff_run() {
    playbook vars-check-diff vars --check --diff --skip-tags "$diff_skip"
}

# The keys from SENDGRID_API_KEY in the environment of ansible-playbook (as an AWX credential
# injects it): one run per key, each for the play of its key. --skip-tags, not --tags: the role's
# argument validation is tagged "always".
other_plays() {
    local kind=$1 other skip=()
    for other in full read nosub unknown; do
        [ "$other" = "$kind" ] || skip+=("key_$other")
    done
    local IFS=,
    echo "${skip[*]}"
}
env_diff_runs() {
    local kind failed=0
    for kind in full read nosub unknown; do
        playbook "env-diff-$kind" "$kind" --diff --skip-tags "$(other_plays "$kind"),$diff_skip" || failed=1
    done
    return "$failed"
}

# ANSIBLE_DEBUG=1 makes ansible-core print every module's arguments unmasked, no_log or not: that is
# ansible-core's behaviour, which the collection cannot change, so a key given in the api_key option
# or the role's input would show. Users who debug this way give the key through SENDGRID_API_KEY
# only, as these runs do; then the key must not show either. The debug output holds all that a
# plain -vvvv run shows: these are also the keys' runs from the environment without --diff, and
# they run all of secrets.yml.
debug_runs() {
    local kind failed=0
    for kind in full read nosub unknown; do
        ANSIBLE_DEBUG=1 playbook "debug-$kind" "$kind" --skip-tags "$(other_plays "$kind")" || failed=1
    done
    return "$failed"
}

failures=0
lanes=()
for runs in vars_run vars_check_diff_run env_diff_runs debug_runs; do
    lane "${runs%_run*}-lane" "$runs"
    lanes+=($!)
done
for pid in "${lanes[@]}"; do
    wait "$pid" || failures=$((failures + 1))
done

# The logs are real: each run shows the failures planned for it, with SendGrid's message.
missing=0
# expect FILE TEXT...: each TEXT is in FILE.
expect() {
    local file=$1 text
    shift
    for text in "$@"; do
        if ! grep -qF -- "$text" "$file"; then
            echo "missing from $file: $text"
            missing=$((missing + 1))
        fi
    done
}
full_every_way=(
    "subusers lists 'never-called' more than once"
    "GET /v3/user/settings/enforced_tls for subuser 'nobody' failed with HTTP 403 Forbidden"
    "could not reach http://127.0.0.1:$SECRETS_CLOSED_PORT: connection failed: Connection refused after 1 retries"
    "5 of 6 accounts: nobody, limited, broken, malformed, empty-body."
    "GET /v3/user/settings/enforced_tls for subuser 'limited' was rate limited (HTTP 429) after 0 retries"
    "GET /v3/user/settings/enforced_tls for subuser 'broken' failed with HTTP 503 Service Unavailable after 1 retries"
    "GET /v3/user/settings/enforced_tls for subuser 'malformed' with HTTP 200 OK, but the body is not valid JSON"
    "GET /v3/user/settings/enforced_tls for subuser 'empty-body' with HTTP 200 OK and an empty body"
    "5 account(s) failed: nobody, limited, broken, malformed, empty-body."
    "1 account(s) out of policy: audit-drift"
    "value of enforced_tls_baseline_region must be one of: global, eu, got: mars"
    "enforced_tls_baseline_policy.version must be one of 1.1, 1.2, 1.3"
)
full_failure_matrix=(
    '"msg": "version must be one of 1.1, 1.2, 1.3; got '
    "PATCH /v3/user/settings/enforced_tls for subuser 'limited-patch' was rate limited (HTTP 429)"
    "PATCH /v3/user/settings/enforced_tls for subuser 'broken-patch' failed with HTTP 503 Service Unavailable after 1 retries"
    "PATCH /v3/user/settings/enforced_tls for subuser 'malformed-patch' with HTTP 200 OK, but the body is not valid JSON"
    "PATCH /v3/user/settings/enforced_tls for subuser 'empty-patch' with HTTP 200 OK and an empty body"
    "SendGrid accepted the update of subuser 'sticky' but reports require_tls=false where require_tls=true was sent"
)
full_read_only=(
    "contains control characters (such as CR or LF), which are not allowed in an On-Behalf-Of header"
    "page_size must be a whole number from 1 to 500; got 0 (integer)"
    "GET /v3/subusers for the parent account could not reach http://127.0.0.1:$SECRETS_CLOSED_PORT"
    "GET /v3/subusers for subuser 'limited' was rate limited (HTTP 429)"
    "GET /v3/subusers for subuser 'broken' failed with HTTP 503 Service Unavailable after 1 retries"
    "GET /v3/subusers for subuser 'malformed' with HTTP 200 OK, but the body is not valid JSON"
    "GET /v3/subusers for subuser 'empty-body' with HTTP 200 OK and an empty body"
)
full_diff=("Enforced TLS of the parent account" "Enforced TLS of subuser 'batch-drift'")
read_updating=(
    "PATCH /v3/user/settings/enforced_tls for subuser 'locked' failed with HTTP 403 Forbidden"
    "1 of 2 accounts: locked."
    "Check that the API key has the scope user.settings.enforced_tls.update"
)
nosub=("GET /v3/subusers for the parent account failed with HTTP 403 Forbidden"
       "Check that the API key has the scope subusers.read")
unknown=(
    "GET /v3/user/settings/enforced_tls for the parent account failed with HTTP 401 Unauthorized"
    "Check the api_key option (or SENDGRID_API_KEY)"
    "The API key is not usable, so the batch stopped: "
    "2 account(s) failed: (parent account), compliant."
)
unknown_read_only=("GET /v3/subusers for the parent account failed with HTTP 401 Unauthorized")

for log in "$out"/*.log; do
    expect "$log" "PLAY RECAP" "failed=0"
done
for run in vars vars-check-diff env-diff-full debug-full; do
    expect "$out/$run.log" "${full_every_way[@]}"
done
for run in vars debug-full; do
    expect "$out/$run.log" "${full_failure_matrix[@]}" "${full_read_only[@]}"
done
expect "$out/vars.log" "api_key contains whitespace or control characters"
for run in vars-check-diff env-diff-full; do
    expect "$out/$run.log" "${full_diff[@]}"
done
expect "$out/vars-check-diff.log" '"check_mode": true'
for run in vars env-diff-read debug-read; do
    expect "$out/$run.log" "${read_updating[@]}"
done
for run in vars vars-check-diff env-diff-nosub debug-nosub; do
    expect "$out/$run.log" "${nosub[@]}"
done
for run in vars vars-check-diff env-diff-unknown debug-unknown; do
    expect "$out/$run.log" "${unknown[@]}"
done
for run in vars debug-unknown; do
    expect "$out/$run.log" "${unknown_read_only[@]}"
done
for run in debug-full debug-read debug-nosub debug-unknown; do
    expect "$out/$run.log" "done with _execute_module ("
done

# The reports are real: written where the role got that far, with the reasons of the failed accounts.
for run in vars vars-check-diff env-diff-full debug-full; do
    reports="$out/reports/$run"
    expect "$reports/success/enforced-tls-report.json" '"failed": 0'
    expect "$reports/success/enforced-tls-report.md" "role-drift"
    expect "$reports/failing-accounts/enforced-tls-report.json" "${full_every_way[@]:4:4}"
    expect "$reports/failing-accounts/enforced-tls-report.md" "${full_every_way[@]:4:4}"
done
for run in vars vars-check-diff env-diff-unknown debug-unknown; do
    expect "$out/reports/$run/unauthorized/enforced-tls-report.md" "HTTP 401 Unauthorized"
done
# (The role creates and checks the report directory before discovery; no report file goes in it.)
for unwritten in bad-argument bad-policy discovery-forbidden; do
    if compgen -G "$out/reports/*/$unwritten/enforced-tls-report.*" >/dev/null; then
        echo "a report was written for $unwritten"
        missing=$((missing + 1))
    fi
done

# The emulators' logs are real: their output names the requests they served, their request logs hold
# every status and fault planned, and nothing refused before a request reached them.
for lane_dir in "$out"/*-lane; do
    expect "$lane_dir/sendgrid-emulator.log" "SendGrid emulator listening on" \
        "emulator: GET /v3/user/settings/enforced_tls" "emulator: GET /v3/subusers"
    case $lane_dir in
        *check*) ;;
        *) expect "$lane_dir/sendgrid-emulator.log" "emulator: PATCH /v3/user/settings/enforced_tls" ;;
    esac
    "$python" - "$lane_dir/emulator-requests.jsonl" <<'PY' || missing=$((missing + 1))
import json, sys
entries = [json.loads(line) for line in open(sys.argv[1])]
statuses = {entry['status'] for entry in entries}
faults = {entry['fault'] for entry in entries}
problems = []
if not {200, 401, 403, 429, 503} <= statuses:
    problems.append('statuses {0}'.format(sorted(statuses, key=str)))
if not {'malformed', 'empty body', 'status 429', 'status 503'} <= faults:
    problems.append('faults {0}'.format(sorted(faults, key=str)))
refused = [entry for entry in entries if (entry['on_behalf_of'] or '').startswith(('never-called', 'closed-port'))]
if refused:
    problems.append('requests that should have been refused before they were sent: {0}'.format(refused))
if problems:
    sys.exit('{0}: {1}'.format(sys.argv[1], '; '.join(problems)))
print('{0}: {1} requests'.format(sys.argv[1], len(entries)))
PY
done

# The scan: every file written, for each key and for its secret part alone. The same search must
# find each of them in the extra vars file, so that a search that cannot match cannot pass.
leaks=0
scanned=("$out")
echo "scanning $(find "${scanned[@]}" -type f | wc -l) files, $(find "${scanned[@]}" -type f -exec cat {} + | wc -c) bytes"
for kind in full read nosub unknown; do
    for part in whole secret; do
        text=${keys[$kind]}
        [ "$part" = whole ] || text=${text##*.}
        if [ "${#text}" -lt 20 ] || ! grep -qrF -- "$text" "$private"; then
            echo "the search for the $kind key ($part) does not find it where it is"
            leaks=$((leaks + 1))
        fi
        # Only file:line is shown, never the line: it holds the key.
        hits=$(grep -rnF -- "$text" "${scanned[@]}" | cut -d: -f1,2 || true)
        if [ -n "$hits" ]; then
            echo "LEAK: the $kind key ($part) appears at:"
            echo "$hits"
            leaks=$((leaks + 1))
        fi
    done
done

echo "lanes with failed runs: $failures, expected texts missing: $missing, keys found: $leaks ($SECONDS s in all)"
[ "$failures" -eq 0 ] && [ "$missing" -eq 0 ] && [ "$leaks" -eq 0 ]
