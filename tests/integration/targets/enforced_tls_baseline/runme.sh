#!/usr/bin/env bash
# Integration tests of the role mailops.sendgrid.enforced_tls_baseline against the SendGrid emulator,
# on the fleet of files/fleet.json (vars/fleet.yml says what it holds, account by account).
set -eux -o pipefail

source ../setup_sendgrid_emulator/emulator.sh
start_emulator --config files/fleet.json

# An audit with --check: exactly the accounts out of policy are reported, nothing is written.
# The counts are published with set_stats.
ANSIBLE_SHOW_CUSTOM_STATS=true ansible-playbook audit.yml --check "$@" | tee "$OUTPUT_DIR/audit.out"
for count in '"mode": "audit"' '"total": 48' '"drift": 22' '"failed": 1' '"out_of_policy": 23' '"changed": 0' \
        '"exempt": 1' '"compliant": 24'; do
    grep '^	RUN: ' "$OUTPUT_DIR/audit.out" | grep -qF "$count"
done
grep -qF '"msg": "Enforced TLS audit: 48 accounts, 24 compliant, 0 changed, 22 drift, 1 exempt, 1 failed. Report: ' \
    "$OUTPUT_DIR/audit.out"

# The same audit with the play keyword check_mode: true.
ansible-playbook audit_check_mode.yml "$@"

# Enforce twice: exactly the accounts out of policy change, with one PATCH each; then nothing does.
ANSIBLE_SHOW_CUSTOM_STATS=true ansible-playbook enforce.yml "$@" | tee "$OUTPUT_DIR/enforce.out"
# One batch call per distinct policy and region (5) in each of the two runs, not one per subuser.
[ "$(grep -cE '^(ok|changed): \[localhost\] => \(item=[0-9]+ subusers( in [a-z]+)?, ' "$OUTPUT_DIR/enforce.out")" -eq 10 ]
grep '^	RUN: ' "$OUTPUT_DIR/enforce.out" | grep -qF '"mode": "enforce"'
grep -qF '"msg": "Enforced TLS enforcement: 48 accounts, 24 compliant, 22 changed, 0 drift, 1 exempt, 1 failed.' \
    "$OUTPUT_DIR/enforce.out"
grep -qF '"msg": "Enforced TLS enforcement: 48 accounts, 46 compliant, 0 changed, 0 drift, 1 exempt, 1 failed.' \
    "$OUTPUT_DIR/enforce.out"

# fail_on_drift passes a clean audit (on the state enforce.yml left) and fails an audit with drift.
ansible-playbook fail_on_drift.yml "$@"

# Listed subusers without discovery, the role's own endpoint input, a listed disabled subuser.
ansible-playbook listed.yml "$@"

# Discovery with the module's own page size: 160 subusers take two pages.
ansible-playbook scale.yml "$@"

# The key, the endpoint and the workers from module_defaults for the group reach every call of the
# role; its workers input goes over them.
ansible-playbook module_defaults.yml "$@"
