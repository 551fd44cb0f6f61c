# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's bare-client floor: the collection's own client, with no Ansible.

What the role's batch call does for its accounts, and nothing else: the same client
(``_client.SendGridClient``, one connection pool of ``--workers`` connections), the
same batch runner (``_batch.run_for_each`` with its ``KeyCheck``) and the same
``_reconcile.reconcile`` per account, with the same number of workers. With
``--discover`` it lists the subusers first (``list_subusers``, enabled ones only, as
the role does), else it takes the names given. It builds each account's result as
the module does and prints the counts as JSON. The benchmark runs it as a separate
process, so that its wall time and memory are measured like a playbook's.

It needs the collection importable as ``ansible_collections.mailops.sendgrid``: the
benchmark puts a tree with that path on PYTHONPATH. The endpoint and key come from
SENDGRID_API_URL and SENDGRID_API_KEY, as for the modules.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ansible_collections.mailops.sendgrid.plugins.module_utils._batch import KeyCheck, run_for_each, summarize
from ansible_collections.mailops.sendgrid.plugins.module_utils._client import SendGridClient
from ansible_collections.mailops.sendgrid.plugins.module_utils._enforced_tls import (
    MINIMUM,
    describe_differences,
    parse_desired_settings,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._reconcile import reconcile

POLICY = {'require_tls': True, 'require_valid_cert': True, 'version': 1.2}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--workers', type=int, required=True)
    parser.add_argument('--check', action='store_true', help='read only, as an audit in check mode')
    parser.add_argument('--discover', action='store_true', help='list the subusers instead of reading --vars')
    parser.add_argument('--vars', help='the benchmark\'s vars file (JSON); its bench_subusers are the accounts')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    desired = parse_desired_settings(POLICY)
    client = SendGridClient(os.environ['SENDGRID_API_KEY'], api_url=os.environ['SENDGRID_API_URL'],
                            pool_size=args.workers)
    key_check = KeyCheck(lambda: client.get_enforced_tls(None))

    def operation(account):
        outcome = reconcile(client, desired, account, check_mode=args.check, enforcement=MINIMUM)
        if outcome['changed'] and not args.check:
            key_check.update_succeeded()
        result = {'account': account, 'changed': outcome['changed'], 'failed': False,
                  'msg': describe_differences(outcome['differences'], args.check, outcome['stricter']),
                  'before': outcome['before'], 'after': outcome['after'], 'differences': outcome['differences'],
                  'stricter': outcome['stricter']}
        if outcome['warnings']:
            result['warnings'] = list(outcome['warnings'])
        return result

    with client:
        if args.discover:
            accounts = [subuser['username'] for subuser in client.list_subusers() if not subuser['disabled']]
        else:
            with open(args.vars) as handle:
                accounts = json.load(handle)['bench_subusers']
        results = run_for_each(accounts, operation, args.workers, key_check=key_check)
    summary = summarize(results)
    summary['drift'] = sum(1 for result in results if result['differences'])
    json.dump(summary, sys.stdout)
    sys.stdout.write('\n')
    return 1 if summary['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
