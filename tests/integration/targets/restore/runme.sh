#!/usr/bin/env bash
# The way back from an enforcement, the playbook mailops.sendgrid.restore, read as a user reads it: the
# --diff output and the recap of the default callback, and what the emulator holds and was asked.
# files/fleet.json, against the default policy (TLS and a valid certificate required, TLS 1.2 at least):
#
#   parent     TLS optional            -> changed (require_tls)
#   s01        TLS optional            -> changed (require_tls)
#   s02        cert optional, TLS 1.1  -> changed (require_valid_cert, version)
#   ok-12      as the policy asks      -> compliant: never written, by the enforcement or a restore
#   strict-13  TLS 1.3                 -> compliant, stricter: never written
#   partly     TLS optional, TLS 1.3   -> changed (require_tls), keeps 1.3
#   eu-01      nothing required (EU)   -> changed (all three), in the EU region
#   broken     every call fails (404)  -> failed before it was read: not restorable
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/fleet.json

export SENDGRID_API_KEY=SG.itest-restore.K3y-s3cr3t-0001
export ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

changed=(parent s01 s02 partly eu-01)
initial=('parent=false,true,1.2' 's01=false,true,1.2' 's02=true,false,1.1' 'ok-12=true,true,1.2' 'strict-13=true,true,1.3'
         'partly=false,true,1.3' 'eu-01=false,false,1.1')
enforced=('parent=true,true,1.2' 's01=true,true,1.2' 's02=true,true,1.2' 'ok-12=true,true,1.2' 'strict-13=true,true,1.3'
          'partly=true,true,1.3' 'eu-01=true,true,1.2')
reports="$OUTPUT_DIR/reports"
rm -rf "$reports"
enforce() {
    # The enforcement fails for broken, after its report.
    fails ansible-playbook mailops.sendgrid.enforce -e sendgrid_all_subusers=true -e "sendgrid_report_dir=$reports/$1" \
        "${@:2}" >"$OUTPUT_DIR/enforce-$1.out"
    check state "${enforced[@]}"
}
restore() { ansible-playbook mailops.sendgrid.restore -e "sendgrid_restore_report=$reports/$1/enforced-tls-report.json" "${@:2}"; }

# 1. An enforcement with a report.
enforce first "$@"
check report "$reports/first" parent=changed s01=changed s02=changed partly=changed:version eu-01=changed \
    ok-12=compliant strict-13=compliant:version broken=failed

# 2. The restore in check mode, with --diff: one before/after per account the enforcement changed, nothing
#    written; broken is named as not restorable (a warning, not a failure).
emulator DELETE log
restore first --check --diff "$@" 2>&1 | tee "$OUTPUT_DIR/check.out"
check diffs "$OUTPUT_DIR/check.out" "${changed[@]}"
check recap "$OUTPUT_DIR/check.out" changed=1 failed=0
check has "$OUTPUT_DIR/check.out" 'Enforced TLS restore (check mode, nothing written): 6 accounts, 5 to restore, 0 already as before, 0 changed since (left alone), 1 not restorable, 0 failed.'
check has "$OUTPUT_DIR/check.out" '[WARNING]: 1 account(s) cannot be restored: broken (the enforcement failed on it before it read its setting'
check requests 0 PATCH
# Each account the enforcement changed read once, in its region; the others never.
check requests 5 GET
check state "${enforced[@]}"

# 3. The restore: every account as it was before the enforcement, each set back with one PATCH.
emulator DELETE log
restore first --diff "$@" | tee "$OUTPUT_DIR/restore.out"
check diffs "$OUTPUT_DIR/restore.out" "${changed[@]}"
check recap "$OUTPUT_DIR/restore.out" changed=1 failed=0
check has "$OUTPUT_DIR/restore.out" 'Enforced TLS restore: 6 accounts, 5 restored, 0 already as before'
check state "${initial[@]}"
check requests 5 PATCH

# 4. Again: nothing to do, nothing written, changed=0.
emulator DELETE log
restore first --diff "$@" | tee "$OUTPUT_DIR/again.out"
check diffs "$OUTPUT_DIR/again.out"
check recap "$OUTPUT_DIR/again.out" changed=0 failed=0
check has "$OUTPUT_DIR/again.out" 'Enforced TLS restore: 6 accounts, 0 restored, 5 already as before'
check requests 0 PATCH
check state "${initial[@]}"

# 5. An account changed since the enforcement (neither its after nor its before) is left alone and named, and
#    the restore fails; the others are restored. With sendgrid_restore_force it is restored too.
enforce second "$@"
emulator PATCH state '{"subusers": {"s01": {"require_tls": true, "require_valid_cert": false, "version": 1.3}}}'
fails restore second "$@" >"$OUTPUT_DIR/changed-since.out"
check has "$OUTPUT_DIR/changed-since.out" '1 account(s) changed since the enforcement were left alone: s01. Set sendgrid_restore_force: true to restore them anyway.'
check state s01=true,false,1.3 parent=false,true,1.2 s02=true,false,1.1 partly=false,true,1.3 eu-01=false,false,1.1
restore second -e sendgrid_restore_force=true -e sendgrid_restore_accounts=s01 "$@" | tee "$OUTPUT_DIR/force.out"
check has "$OUTPUT_DIR/force.out" 'Enforced TLS restore: 1 accounts, 1 restored'
check state "${initial[@]}"

# 6. Some accounts only, as a survey's text gives them.
enforce third "$@"
restore third -e 'sendgrid_restore_accounts="s02, (parent account)"' "$@" | tee "$OUTPUT_DIR/some.out"
check has "$OUTPUT_DIR/some.out" 'Enforced TLS restore: 2 accounts, 2 restored'
check state parent=false,true,1.2 s02=true,false,1.1 s01=true,true,1.2 partly=true,true,1.3 eu-01=true,true,1.2

# 7. Refused before any request: an audit's report, a report of no known version, a file that is not JSON, an
#    account the report does not hold.
ansible-playbook mailops.sendgrid.audit --check -e sendgrid_all_subusers=true -e sendgrid_fail_on_drift=false \
    -e "sendgrid_report_dir=$reports/audit" "$@" || true
"$EMULATOR_PYTHON" -c 'import json, sys; r = json.load(open(sys.argv[1])); r.pop("report_version"); json.dump(r, open(sys.argv[2], "w"))' \
    "$reports/first/enforced-tls-report.json" "$OUTPUT_DIR/no-version.json"
echo 'not json' >"$OUTPUT_DIR/not-json.json"
emulator DELETE log
fails restore audit "$@" >"$OUTPUT_DIR/refused-audit.out"
check has "$OUTPUT_DIR/refused-audit.out" 'sendgrid_restore_report is the report of an audit (check mode), which changed no account; give the report of an enforcement (mode enforce). No account was read or changed.'
fails ansible-playbook mailops.sendgrid.restore -e "sendgrid_restore_report=$OUTPUT_DIR/no-version.json" "$@" \
    >"$OUTPUT_DIR/refused-version.out"
check has "$OUTPUT_DIR/refused-version.out" 'sendgrid_restore_report is a report of a version this restore does not know (report_version null)'
fails ansible-playbook mailops.sendgrid.restore -e "sendgrid_restore_report=$OUTPUT_DIR/not-json.json" "$@" \
    >"$OUTPUT_DIR/refused-json.out"
check has "$OUTPUT_DIR/refused-json.out" "is not JSON"
fails restore first -e sendgrid_restore_accounts=s99 "$@" >"$OUTPUT_DIR/refused-account.out"
check has "$OUTPUT_DIR/refused-account.out" "sendgrid_restore_accounts names 's99', which the report does not hold"
check requests 0
