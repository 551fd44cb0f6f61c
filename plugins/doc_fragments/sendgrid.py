# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:

    # The options every module of the collection shares.
    DOCUMENTATION = r'''
options:
  api_key:
    description:
      - A SendGrid API key, sent as a Bearer token. Only characters an HTTP header can carry (SendGrid keys are
        ASCII); a key with others is refused before any request, naming O(api_key) and never showing the key.
      - If not set, the value of the E(SENDGRID_API_KEY) environment variable is used. One of the two is required.
      - To set it once for a whole play, use O(ignore:module_defaults) with C(group/mailops.sendgrid.sendgrid).
      - To act on subusers with O(on_behalf_of), use a key of the parent account.
      - The key is never logged, and never sent over plain HTTP except to a loopback host.
    type: str
  region:
    description:
      - The SendGrid region of the account, which selects the API endpoint.
      - V(global) uses U(https://api.sendgrid.com), V(eu) uses U(https://api.eu.sendgrid.com) (for EU regional subusers).
      - Ignored when O(api_url) is set.
    type: str
    choices: [global, eu]
    default: global
  api_url:
    description:
      - The API's base URL, overriding O(region). For a proxy in front of SendGrid, or the collection's emulator.
      - If not set, the value of the E(SENDGRID_API_URL) environment variable is used.
      - Must be C(https://), or C(http://) to a loopback host (V(localhost), V(127.0.0.1), V(::1)) only.
      - An empty value counts as not set.
      - Must not contain user information (C(user:password@)); messages that show a URL never show it.
      - The SendGrid API never redirects. An answer that redirects (HTTP 3xx) fails the request, naming the status
        and the host it points to; the redirect is not followed, so nothing is sent there.
    type: str
  on_behalf_of:
    description:
      - Act on a subuser or a customer account of the parent account that O(api_key) belongs to, through the
        C(On-Behalf-Of) header.
      - A subuser's username, or C(account-id <id>) for a customer account.
      - If not set, the module acts on the key's own account.
      - At most 256 characters (SendGrid documents no limit for usernames; this generous cap is the collection's),
        with no control characters (CR, LF, NUL), no surrounding whitespace, and only Latin-1 characters, as an HTTP
        header allows. Refused before any request otherwise; messages show at most an excerpt of the value.
    type: str
  timeout:
    description:
      - Seconds to wait for a connection or an answer, per request.
      - Greater than 0 and at most 600.
    type: float
    default: 30
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the API endpoint.
      - Set to V(false) only for a test endpoint with a self-signed certificate; the module warns when it is.
    type: bool
    default: true
  max_retries:
    description:
      - How many times one request is retried after HTTP 500, 502, 503, 504 or a failed connection, with
        exponential backoff and jitter.
      - Answers HTTP 429 (rate limited) are waited out and retried within O(max_total_wait), not counted here.
      - From 0 to 20.
    type: int
    default: 5
  max_retry_wait:
    description:
      - The longest single wait, in seconds, before a retry, whether for backoff or for a rate-limit reset
        announced by SendGrid (C(Retry-After), C(X-RateLimit-Reset)), counted by SendGrid's clock (the answer's
        C(Date) header) when the answer has one.
      - Greater than 0 and at most 3600 (one hour).
    type: float
    default: 60
  max_total_wait:
    description:
      - The most time, in seconds, one request may spend waiting for retries and rate limits in total.
      - When it is reached, the request fails with a message saying how long it waited.
      - From 0 to 86400 (one day).
    type: float
    default: 300
requirements:
  - requests
notes:
  - "All API requests are made from the host the task runs on: with C(hosts: localhost), the controller."
seealso:
  - name: SendGrid Enforced TLS API
    description: The API this collection manages.
    link: https://www.twilio.com/docs/sendgrid/api-reference/settings-enforced-tls
'''

    # For module_defaults: group/mailops.sendgrid.sendgrid
    ACTIONGROUP_SENDGRID = r'''
options: {}
attributes:
  action_group:
    description:
      - Use C(group/mailops.sendgrid.sendgrid) in O(ignore:module_defaults) to set defaults for this module.
      - The role C(mailops.sendgrid.enforced_tls_baseline) passes its connection inputs through
        C(group/mailops.sendgrid.enforced_tls_baseline), which leaves the play's C(group/mailops.sendgrid.sendgrid)
        defaults in place.
    support: full
    membership:
      - mailops.sendgrid.sendgrid
      - mailops.sendgrid.enforced_tls_baseline
'''

    # For the actions that run on the controller and call the modules: the fleet step, the restore, host results.
    CONTROLLER_ACTION = r'''
options: {}
attributes:
  action:
    support: full
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
'''

    # The standard attributes; each module sets their support.
    ATTRIBUTES = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the account has not been changed by others in between.
'''

    # For modules that only read.
    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - This action does not modify state.
'''
