# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What every module of the collection shares: the common options, the client built
from them, and how the client's exceptions become a failed task, with advice in
terms of the modules' options.

The options are documented once, in ``plugins/doc_fragments/sendgrid.py``.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.mailops.sendgrid.plugins.module_utils._accounts import validate_on_behalf_of
from ansible_collections.mailops.sendgrid.plugins.module_utils._client import SendGridClient, insecure_endpoint_warning
from ansible_collections.mailops.sendgrid.plugins.module_utils._errors import (
    CAUSE_ENDPOINT,
    CAUSE_KEY,
    CAUSE_NO_KEY,
    CAUSE_RATE_LIMIT,
    CAUSE_SERVER,
    CAUSE_TIMEOUT,
    CAUSE_UNREACHABLE,
    SendGridConfigError,
    SendGridError,
)
from ansible_collections.mailops.sendgrid.plugins.module_utils._http import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.mailops.sendgrid.plugins.module_utils._sendgrid_api import REGIONS

# What to do about an error (by its cause), in the modules' option names; {0} is module.params.
OPTION_ADVICE = {
    CAUSE_NO_KEY: ('Set the api_key option (for example through module_defaults for group/mailops.sendgrid.sendgrid)'
                   ' or the SENDGRID_API_KEY environment variable.'),
    CAUSE_KEY: 'Check the api_key option (or SENDGRID_API_KEY); an EU key needs region: eu.',
    CAUSE_ENDPOINT: 'Check api_url and region; EU subusers need region: eu.',
    CAUSE_SERVER: ('To retry for longer, raise max_retries (now {0[max_retries]}) or max_total_wait'
                   ' (now {0[max_total_wait]:g} s).'),
    CAUSE_RATE_LIMIT: 'To wait for longer, raise max_total_wait (now {0[max_total_wait]:g} s), or use fewer workers.',
    CAUSE_TIMEOUT: 'If SendGrid is slow, raise timeout (now {0[timeout]:g} s).',
    CAUSE_UNREACHABLE: 'Check api_url and region; with a self-signed test endpoint, validate_certs.',
}


def _holds_nul(value):
    if isinstance(value, str):
        return '\x00' in value
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(item) for item in value)
    return False


class SendGridModule(AnsibleModule):
    """The AnsibleModule of every module of the collection.

    It refuses a NUL character in any option before ansible-core logs the
    invocation: ansible-core's syslog call fails on one, with a message that names no
    option. No value is shown, so a NUL in api_key shows nothing of the key.
    """

    def _log_invocation(self):
        for name in sorted(self.params):
            if _holds_nul(self.params[name]):
                self.fail_json(msg='{0} contains a NUL character, which no SendGrid name, key or setting can'
                                   ' hold; remove it'.format(name))
        super()._log_invocation()


def sendgrid_argument_spec(**module_options) -> dict:
    """The common options of every module, plus the module's own."""
    spec = dict(
        api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['SENDGRID_API_KEY'])),
        region=dict(type='str', default='global', choices=list(REGIONS)),
        api_url=dict(type='str', fallback=(env_fallback, ['SENDGRID_API_URL'])),
        on_behalf_of=dict(type='str'),
        timeout=dict(type='float', default=30),
        validate_certs=dict(type='bool', default=True),
        max_retries=dict(type='int', default=5),
        max_retry_wait=dict(type='float', default=60),
        max_total_wait=dict(type='float', default=300),
    )
    spec.update(module_options)
    return spec


def explain(error: SendGridError, params: dict) -> str:
    """A client exception's message (it never holds the key), with advice in option names."""
    return error.explained(OPTION_ADVICE, params)


def fail_on_error(module: AnsibleModule, error: SendGridError, **result):
    """End the task with a client exception's message, advice, and facts (status, SendGrid's messages...)."""
    for name, value in error.result_fields().items():
        result.setdefault(name, value)
    module.fail_json(msg=explain(error, module.params), **result)


def checked_on_behalf_of(module: AnsibleModule):
    """The on_behalf_of option, refused before any request if it is malformed."""
    value = module.params['on_behalf_of']
    if value is None:
        return None
    try:
        return validate_on_behalf_of(value)
    except SendGridConfigError as error:
        fail_on_error(module, error)


def create_client(module: AnsibleModule, pool_size: int = 1) -> SendGridClient:
    """Build the one client of this module run from the common options.

    Fails the task, before any request, when requests is missing or an option is
    not valid (for example plain http:// to a host that is not loopback).
    """
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    params = module.params
    try:
        client = SendGridClient(
            api_key=params['api_key'],
            region=params['region'],
            api_url=params['api_url'],
            timeout=params['timeout'],
            validate_certs=params['validate_certs'],
            max_retries=params['max_retries'],
            max_retry_wait=params['max_retry_wait'],
            max_total_wait=params['max_total_wait'],
            pool_size=pool_size,
        )
    except SendGridConfigError as error:
        fail_on_error(module, error)
    if not params['validate_certs']:
        module.warn(insecure_endpoint_warning(client.base_url))
    return client
