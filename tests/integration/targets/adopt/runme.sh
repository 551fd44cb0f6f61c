#!/usr/bin/env bash
# Today's fleet as the baseline, the playbook mailops.sendgrid.adopt, read as a user reads it: the vars file it
# writes (as YAML, and through ansible-lint), the recap of the default callback, and what the emulator was asked.
# files/fleet.json, an uneven fleet:
#
#   parent             TLS, no certificate check, 1.2   -> its own policy (enforced_tls_baseline_parent_policy)
#   s01..s03, yes, null, #a, eu-01 (EU)   TLS, cert, 1.2 -> the policy (most accounts have it)
#   strict-13          TLS, cert, 1.3                   -> its own setting
#   1.2                TLS, no certificate check, 1.3   -> its own setting
#   - x                no TLS, cert, 1.1                -> its own setting
#   lab                nothing required                 -> exempt (a listed entry), carried over
#   sandbox            nothing required                 -> excluded, carried over
#   retired            disabled                         -> left out by discovery, as before
#
# Then the fleet audited (and enforced) with the file: every account compliant, no PATCH.
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/fleet.json

export SENDGRID_API_KEY=SG.itest-adopt.K3y-s3cr3t-0001
export ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
# The vars file reads back (with PyYAML's safe loader) as exactly this JSON; its header (its comments, as one line)
# holds the text given after it, if any.
holds() {
    "$EMULATOR_PYTHON" - "$@" <<'PY'
import json, sys, yaml
with open(sys.argv[1], encoding='utf-8') as handle:
    text = handle.read()
found, expected = yaml.safe_load(text), json.loads(sys.argv[2])
header = ' '.join(line[2:] for line in text.splitlines() if line.startswith('# '))
if not text.startswith('---\n# The Enforced TLS baseline of ') or 'Made by mailops.sendgrid.adopt at ' not in header:
    sys.exit('check failed: {0} has no header:\n{1}'.format(sys.argv[1], text))
for part in sys.argv[3:]:
    if part not in header:
        sys.exit('check failed: {0!r} is not in the header of {1}:\n{2}'.format(part, sys.argv[1], header))
if found != expected:
    sys.exit('check failed: {0} holds\n{1}\nexpected\n{2}'.format(sys.argv[1], json.dumps(found), json.dumps(expected)))
PY
}
# ansible-lint's production profile takes the file (ansible-lint is installed with the newest ansible-core only;
# the unit tests check the file against its yamllint rules too).
# ansible-lint of the development venv (make test puts it on PATH), on that venv's ansible-core, its CLI and
# module both: ansible-test's PYTHONPATH and PATH would hand it the ansible-core under test, and ansible-lint
# supports no 2.17.
lint() {
    local dir lint_bin
    dir=$(mktemp -d)
    lint_bin=$(dirname "$(command -v ansible-lint)")
    cp "$1" "$dir/baseline.yml"
    (cd "$dir" && env -u PYTHONPATH PATH="$lint_bin:$PATH" ansible-lint --offline --profile production baseline.yml)
    rm -rf "$dir"
}

lab='{"name": "lab", "exempt": true, "reason": "Test traffic to a receiver without TLS, ticket OPS-1234"}'
discovered=(-e sendgrid_all_subusers=true -e "{\"sendgrid_subusers\": [$lab]}" -e sendgrid_exclude=sandbox)
file="$OUTPUT_DIR/baseline.yml"
reports="$OUTPUT_DIR/reports"
rm -rf "$file" "$reports" "$OUTPUT_DIR/never.yml"
everyone=(parent s01 s02 s03 yes null '#a' eu-01 strict-13 1.2 '- x')
ok=()
for account in "${everyone[@]}"; do ok+=("$account=compliant"); done

# 1. Adopt a discovered fleet: the policy most accounts have, the parent account's own, each subuser that differs,
#    the exemption and the exclusion. The audit reads every account and writes none.
emulator DELETE log
ansible-playbook mailops.sendgrid.adopt "${discovered[@]}" -e "sendgrid_adopt_file=$file" "$@" | tee "$OUTPUT_DIR/adopt.out"
check recap "$OUTPUT_DIR/adopt.out" changed=2 failed=0
check has "$OUTPUT_DIR/adopt.out" "Wrote $file: policy require_tls=true, require_valid_cert=true, version=1.2 (exact); the parent account has a setting of its own; 3 subuser(s) with a setting of their own, 1 exempt, every other subuser discovered."
check requests 0 PATCH
cat "$file"
holds "$file" '{
  "enforced_tls_baseline_policy": {"require_tls": true, "require_valid_cert": true, "version": 1.2},
  "enforced_tls_baseline_enforcement": "exact",
  "enforced_tls_baseline_parent_policy": {"require_tls": true, "require_valid_cert": false, "version": 1.2},
  "enforced_tls_baseline_all_subusers": true,
  "enforced_tls_baseline_subusers": [
    {"name": "1.2", "require_tls": true, "require_valid_cert": false, "version": 1.3},
    {"name": "- x", "require_tls": false, "require_valid_cert": true, "version": 1.1},
    {"name": "lab", "exempt": true, "reason": "Test traffic to a receiver without TLS, ticket OPS-1234"},
    {"name": "strict-13", "require_tls": true, "require_valid_cert": true, "version": 1.3}],
  "enforced_tls_baseline_exclude": ["sandbox"]}' \
    'The Enforced TLS baseline of the parent account and 11 subusers (all_subusers, 1 exempt, 1 excluded), regions eu and global:'
test "$(stat -c %a "$file")" = 644
lint "$file"

# 2. The fleet audited with the file as extra vars: every account compliant (lab exempt), changed=0, no PATCH;
#    and enforced with it: nothing to change.
emulator DELETE log
ansible-playbook mailops.sendgrid.audit -e "@$file" -e "sendgrid_report_dir=$reports/audit" "$@" \
    | tee "$OUTPUT_DIR/audit.out"
check recap "$OUTPUT_DIR/audit.out" changed=0 failed=0
check report "$reports/audit" "${ok[@]}" lab=exempt
check requests 0 PATCH
ansible-playbook mailops.sendgrid.enforce -e "@$file" "$@" | tee "$OUTPUT_DIR/enforce.out"
check recap "$OUTPUT_DIR/enforce.out" changed=0 failed=0
check requests 0 PATCH

# 3. Again without sendgrid_adopt_force: refused before any account is read, the file left as it is.
cp "$file" "$OUTPUT_DIR/first.yml"
emulator DELETE log
fails ansible-playbook mailops.sendgrid.adopt "${discovered[@]}" -e "sendgrid_adopt_file=$file" "$@" \
    >"$OUTPUT_DIR/refused.out"
check has "$OUTPUT_DIR/refused.out" "sendgrid_adopt_file: $file exists; set sendgrid_adopt_force: true to replace it (with the fleet as it is now), or choose another path. No account was read."
check requests 0
cmp "$file" "$OUTPUT_DIR/first.yml"

# 4. With force, the same fleet: the file is left as it is (changed only for the audit's drift).
ansible-playbook mailops.sendgrid.adopt "${discovered[@]}" -e "sendgrid_adopt_file=$file" -e sendgrid_adopt_force=true \
    "$@" | tee "$OUTPUT_DIR/same.out"
check recap "$OUTPUT_DIR/same.out" changed=1 failed=0
check has "$OUTPUT_DIR/same.out" "$file already holds this baseline"
cmp "$file" "$OUTPUT_DIR/first.yml"

# 5. The fleet changes; the audit with the file reports it as drift. Adopted again with force and --diff, the file
#    is rewritten (the diff shows its text), and the audit with it is clean again.
emulator PATCH state '{"subusers": {"s01": {"require_tls": true, "require_valid_cert": true, "version": 1.3}}}'
fails ansible-playbook mailops.sendgrid.audit -e "@$file" "$@" >"$OUTPUT_DIR/drift.out"
check has "$OUTPUT_DIR/drift.out" '1 account(s) out of policy: s01: version 1.3 > 1.2'
ansible-playbook mailops.sendgrid.adopt "${discovered[@]}" -e "sendgrid_adopt_file=$file" -e sendgrid_adopt_force=true \
    --diff "$@" | tee "$OUTPUT_DIR/force.out"
check recap "$OUTPUT_DIR/force.out" changed=2 failed=0
check has "$OUTPUT_DIR/force.out" '+  - name: s01'
if cmp -s "$file" "$OUTPUT_DIR/first.yml"; then echo "the file was not rewritten" >&2; exit 1; fi
check has "$file" '- name: s01 require_tls: true require_valid_cert: true version: 1.3'
lint "$file"
ansible-playbook mailops.sendgrid.audit -e "@$file" "$@" | tee "$OUTPUT_DIR/audit-again.out"
check recap "$OUTPUT_DIR/audit-again.out" changed=0 failed=0

# 6. A listed fleet without the parent account: every subuser listed, a plain name at the policy, names YAML would
#    read as something else quoted; include_parent false. The audit with it is clean.
listed='{"sendgrid_subusers": ["s02", "yes", "1.2", "null", "#a", "- x", "eu-01", '"$lab"']}'
ansible-playbook mailops.sendgrid.adopt -e "$listed" -e sendgrid_include_parent=false \
    -e "sendgrid_adopt_file=$OUTPUT_DIR/listed.yml" "$@" | tee "$OUTPUT_DIR/listed.out"
holds "$OUTPUT_DIR/listed.yml" '{
  "enforced_tls_baseline_policy": {"require_tls": true, "require_valid_cert": true, "version": 1.2},
  "enforced_tls_baseline_enforcement": "exact",
  "enforced_tls_baseline_include_parent": false,
  "enforced_tls_baseline_all_subusers": false,
  "enforced_tls_baseline_subusers": [
    {"name": "1.2", "require_tls": true, "require_valid_cert": false, "version": 1.3},
    {"name": "- x", "require_tls": false, "require_valid_cert": true, "version": 1.1},
    {"name": "lab", "exempt": true, "reason": "Test traffic to a receiver without TLS, ticket OPS-1234"},
    "s02", "yes", "null", "#a", "eu-01"]}' 'The Enforced TLS baseline of 8 subusers (listed, 1 exempt), region global:'
check has "$OUTPUT_DIR/listed.yml" "- 'yes'"
check has "$OUTPUT_DIR/listed.yml" "- name: '- x'"
lint "$OUTPUT_DIR/listed.yml"
emulator DELETE log
ansible-playbook mailops.sendgrid.audit -e "@$OUTPUT_DIR/listed.yml" -e "sendgrid_report_dir=$reports/listed" "$@" \
    | tee "$OUTPUT_DIR/audit-listed.out"
check recap "$OUTPUT_DIR/audit-listed.out" changed=0 failed=0
check report "$reports/listed" s02=compliant yes=compliant 1.2=compliant null=compliant '#a=compliant' \
    '- x=compliant' eu-01=compliant lab=exempt
check requests 0 PATCH

# 7. In check mode nothing is written; --diff shows the file it would write.
ansible-playbook mailops.sendgrid.adopt "${discovered[@]}" -e "sendgrid_adopt_file=$OUTPUT_DIR/never.yml" --check \
    --diff "$@" | tee "$OUTPUT_DIR/check.out"
test ! -e "$OUTPUT_DIR/never.yml"
check has "$OUTPUT_DIR/check.out" "Would write $OUTPUT_DIR/never.yml"
check has "$OUTPUT_DIR/check.out" '+enforced_tls_baseline_enforcement: exact'

# 8. Refused before any account is read: no file given, a directory that does not exist.
emulator DELETE log
fails ansible-playbook mailops.sendgrid.adopt "${discovered[@]}" "$@" >"$OUTPUT_DIR/no-file.out"
check has "$OUTPUT_DIR/no-file.out" 'enforced_tls_baseline_adopt_file (sendgrid_adopt_file) is required: the path of the vars file to write. No account was read.'
fails ansible-playbook mailops.sendgrid.adopt "${discovered[@]}" -e "sendgrid_adopt_file=$OUTPUT_DIR/missing/b.yml" "$@" \
    >"$OUTPUT_DIR/no-dir.out"
check has "$OUTPUT_DIR/no-dir.out" "sendgrid_adopt_file: the directory of $OUTPUT_DIR/missing/b.yml does not exist; create it, or choose another path. No account was read."
check requests 0
