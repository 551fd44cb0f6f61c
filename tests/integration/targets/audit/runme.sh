#!/usr/bin/env bash
# What a user of an audit reads, read the way they read it: the --diff output and the recap of the
# default callback, the report files, and what the emulator holds afterwards. files/fleet.json:
#
#   parent     TLS optional            -> drift (require_tls)
#   s01        TLS optional            -> drift (require_tls)
#   s02        cert optional, TLS 1.1  -> drift (require_valid_cert, version)
#   ok-12      as the policy asks      -> compliant
#   ops|eu     as the policy asks      -> compliant (a | in its name, escaped in the Markdown table)
#   strict-13  TLS 1.3                 -> compliant, stricter (version): a floor never lowers it
#   partly     TLS optional, TLS 1.3   -> drift (require_tls); keeps 1.3
#   nocert-ok  cert required; its override lets it go without one -> compliant, stricter
#   eu-01      nothing required (EU)   -> drift (all three)
#   eu-13      TLS 1.3 (EU)            -> compliant, stricter
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/fleet.json

export SENDGRID_API_KEY=SG.itest-audit-output.K3y-s3cr3t-0001
export ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
emulator_reset() { "$EMULATOR_PYTHON" -c 'import os, urllib.request as u; u.urlopen(u.Request(os.environ["EMULATOR_URL"] + "/_emulator/reset", method="POST"))'; }
emulator_clear_log() { "$EMULATOR_PYTHON" -c 'import os, urllib.request as u; u.urlopen(u.Request(os.environ["EMULATOR_URL"] + "/_emulator/log", method="DELETE"))'; }

# The fleet through the collection's playbooks: every subuser discovered, nocert-ok's override.
fleet_vars='{"sendgrid_all_subusers": true, "sendgrid_subusers": [{"name": "nocert-ok", "require_valid_cert": false}]}'
drifted=(parent s01 s02 partly eu-01)
reports="$OUTPUT_DIR/reports"
rm -rf "$reports"

# 1. The audit with --check --diff: one before/after per drifted account, across the role's batches
#    (global and EU), and none for compliant or stricter ones; nothing written; the report says which
#    accounts are stricter than the policy.
ansible-playbook mailops.sendgrid.audit --check --diff -e "$fleet_vars" -e sendgrid_fail_on_drift=false \
    -e "sendgrid_report_dir=$reports/audit" "$@" | tee "$OUTPUT_DIR/audit.out"
check diffs "$OUTPUT_DIR/audit.out" "${drifted[@]}"
check requests 0 PATCH
check report "$reports/audit" parent=drift s01=drift s02=drift partly=drift:version eu-01=drift ok-12=compliant \
    strict-13=compliant:version nocert-ok=compliant:require_valid_cert eu-13=compliant:version
check has "$reports/audit/enforced-tls-report.md" 'Policy: TLS required, valid certificate required, at least TLS 1.2 (a floor'
check has "$reports/audit/enforced-tls-report.md" '| ops\|eu | compliant | TLS required, cert required, min 1.2 |'
check has "$reports/audit/enforced-tls-report.md" '| strict-13 | compliant | TLS required, cert required, min 1.3 | TLS required, cert required, min 1.3 | stricter than the policy: version 1.3 > 1.2 |'

# 2. fail_on_drift (the audit playbook's default) names each drifted account and how it differs.
if ansible-playbook mailops.sendgrid.audit --check -e "$fleet_vars" "$@" >"$OUTPUT_DIR/audit-fail.out"; then
    echo "the audit with drift passed" >&2
    exit 1
fi
check has "$OUTPUT_DIR/audit-fail.out" '5 account(s) out of policy: '
check has "$OUTPUT_DIR/audit-fail.out" 's02: require_valid_cert false < true, version 1.1 < 1.2'
check has "$OUTPUT_DIR/audit-fail.out" 'eu-01: require_tls false < true, require_valid_cert false < true, version 1.1 < 1.2'

# 3. The enforcement with --diff: the same accounts show a diff and are raised to the floor; stricter
#    settings are kept (strict-13 and eu-13 stay at 1.3, nocert-ok keeps its certificate check, partly
#    keeps 1.3).
ansible-playbook mailops.sendgrid.enforce --diff -e "$fleet_vars" -e "sendgrid_report_dir=$reports/enforce" "$@" \
    | tee "$OUTPUT_DIR/enforce.out"
check diffs "$OUTPUT_DIR/enforce.out" "${drifted[@]}"
check state parent=true,true,1.2 s01=true,true,1.2 s02=true,true,1.2 partly=true,true,1.3 eu-01=true,true,1.2 \
    ok-12=true,true,1.2 strict-13=true,true,1.3 nocert-ok=true,true,1.2 eu-13=true,true,1.3
check report "$reports/enforce" parent=changed s01=changed partly=changed:version strict-13=compliant:version

# 4. Audits of the now compliant fleet recap changed=0: into a new report directory, then again into
#    the same one (the files are rewritten); no diff is shown, not even of the report files.
emulator_clear_log
for run in new-dir same-dir; do
    ansible-playbook mailops.sendgrid.audit --check --diff -e "$fleet_vars" -e "sendgrid_report_dir=$reports/clean" "$@" \
        | tee "$OUTPUT_DIR/clean-$run.out"
    check recap "$OUTPUT_DIR/clean-$run.out" changed=0 failed=0
    check diffs "$OUTPUT_DIR/clean-$run.out"
    check report "$reports/clean" parent=compliant strict-13=compliant:version partly=compliant:version
done
check requests 0 PATCH

# 5. Exact enforcement is an explicit opt-in: then the stricter accounts are drift, shown with their
#    diffs, and the enforcement loosens them.
emulator_reset
ansible-playbook mailops.sendgrid.audit --check --diff -e "$fleet_vars" -e sendgrid_fail_on_drift=false \
    -e enforced_tls_baseline_enforcement=exact -e "sendgrid_report_dir=$reports/exact" "$@" | tee "$OUTPUT_DIR/exact.out"
check diffs "$OUTPUT_DIR/exact.out" "${drifted[@]}" strict-13 nocert-ok eu-13
check report "$reports/exact" strict-13=drift nocert-ok=drift partly=drift
check has "$reports/exact/enforced-tls-report.md" '| strict-13 | **drift** | TLS required, cert required, min 1.3 | TLS required, cert required, min 1.2 | version 1.3 > 1.2 |'
check has "$reports/exact/enforced-tls-report.md" 'exactly TLS 1.2 (exact: accounts stricter than the policy are loosened to it)'
ansible-playbook mailops.sendgrid.enforce -e "$fleet_vars" -e enforced_tls_baseline_enforcement=exact "$@"
check state strict-13=true,true,1.2 partly=true,true,1.2 nocert-ok=true,false,1.2

# 6. A batch task of the module inside a loop, with --check --diff: every drifted account of every
#    item shows its own diff.
emulator_reset
ansible-playbook loop_batch.yml --diff "$@" | tee "$OUTPUT_DIR/loop.out"
check diffs "$OUTPUT_DIR/loop.out" s01 s02 partly

# 7. A report directory that cannot be written fails the enforcement before any account is read.
emulator_clear_log
touch "$OUTPUT_DIR/a-file"
if ansible-playbook mailops.sendgrid.enforce -e "$fleet_vars" -e "sendgrid_report_dir=$OUTPUT_DIR/a-file/reports" "$@" \
        >"$OUTPUT_DIR/unwritable.out"; then
    echo "the enforcement with an unwritable report directory passed" >&2
    exit 1
fi
check has "$OUTPUT_DIR/unwritable.out" "is not a directory this run can write to"
check has "$OUTPUT_DIR/unwritable.out" "No account was read or changed."
check requests 0

# 8. No subusers without discovery (here a misspelt input name): a warning (on stderr, as Ansible
#    shows warnings) that only the parent account was covered, and only the parent account is read.
ansible-playbook mailops.sendgrid.audit --check -e sendgrid_subuser=s01 -e sendgrid_fail_on_drift=false "$@" 2>&1 \
    | tee "$OUTPUT_DIR/parent-only.out"
check has "$OUTPUT_DIR/parent-only.out" '[WARNING]: enforced_tls_baseline_subusers is empty and enforced_tls_baseline_all_subusers is false, so this run covers only the parent account.'
check requests 1 GET
