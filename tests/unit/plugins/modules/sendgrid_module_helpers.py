# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running a module's main() in-process, the way community.hrobot's unit tests do.

Module arguments go in through ``patch_module_args`` (or ``basic._ANSIBLE_ARGS`` on
older ansible-core); ``exit_json``/``fail_json`` raise, so the result can be examined
before Ansible masks no_log values in it; the client's requests session is a fake.
"""

from __future__ import annotations

import contextlib
import json
import threading

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.mailops.sendgrid.plugins.module_utils import _http
from ansible_collections.mailops.sendgrid.tests.unit.plugins.sendgrid_fakes import API_KEY, FakeResponse

try:
    from ansible.module_utils.testing import patch_module_args as _patch_module_args
except ImportError:  # ansible-core before 2.19
    _patch_module_args = None

try:
    from ansible.module_utils import _internal as _module_utils_internal
except ImportError:  # ansible-core before 2.19
    _module_utils_internal = None


def _no_controller_types():
    return {}


def _no_controller_module(dummy_name):
    return None


@contextlib.contextmanager
def as_target():
    """Run module code as it runs on a target host, even in a process that imported controller code.

    On ansible-core 2.19+, importing any controller module (``ansible.errors``, as the
    filter plugins and their tests do) switches module_utils to controller mode for the
    whole process: ``module.warn()`` then goes to the controller's display instead of
    the module's result. Within this context module_utils is back in target mode.
    """
    if _module_utils_internal is None or not getattr(_module_utils_internal, 'is_controller', False):
        yield
        return
    names = ('is_controller', 'get_controller_serialize_map', 'import_controller_module')
    saved = dict((name, getattr(_module_utils_internal, name)) for name in names)
    _module_utils_internal.is_controller = False
    _module_utils_internal.get_controller_serialize_map = _no_controller_types
    _module_utils_internal.import_controller_module = _no_controller_module
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(_module_utils_internal, name, value)


@contextlib.contextmanager
def set_module_args(args):
    """Expose ``args`` to the AnsibleModule created within this context, run as on a target host."""
    with as_target():
        if _patch_module_args is not None:
            with _patch_module_args(args):
                yield
            return
        previous = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous


class ModuleExit(Exception):
    """exit_json or fail_json was called; ``result`` holds what it was given."""

    def __init__(self, result):
        super().__init__(result)
        self.result = result


def _exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise ModuleExit(kwargs)


def _fail_json(self, msg, **kwargs):
    kwargs.pop('exception', None)
    kwargs['failed'] = True
    kwargs['msg'] = msg
    raise ModuleExit(kwargs)


def patch_session(monkeypatch, session):
    """Make every transport (and so every SendGridClient) built from now on use ``session``.

    The pool sizes the clients asked for are recorded in ``session.pool_sizes``.
    """
    pool_sizes = session.pool_sizes = []

    def new_session(pool_size):
        pool_sizes.append(pool_size)
        return session

    monkeypatch.setattr(_http.Transport, '_new_session', staticmethod(new_session))


def run_module(monkeypatch, main, args, session):
    """Run ``main()`` with ``args`` against ``session``; returns the result dict (``failed`` set on failure)."""
    patch_session(monkeypatch, session)
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', _fail_json)
    with set_module_args(args):
        try:
            main()
        except ModuleExit as exit_:
            return exit_.result
    raise AssertionError('the module returned without calling exit_json or fail_json')


class FakeAccount:
    """One SendGrid account's Enforced TLS setting: GET returns it, PATCH updates it.

    ``patch_answer``: what a PATCH answers instead, without applying anything.
    ``omit``: the fields a PATCH answer leaves out (as the spec's example answers do).
    ``answer_after_apply``: the FakeResponse a PATCH answers after applying the update
    (an update applied and then answered with an error). Use as
    ``FakeSession(forever=lambda: account)``.
    """

    def __init__(self, state, patch_answer=None, omit=(), answer_after_apply=None):
        self.state = dict(state)
        self.patch_answer = patch_answer
        self.omit = omit
        self.answer_after_apply = answer_after_apply

    def __call__(self, method, url, kwargs):
        if method == 'GET':
            return FakeResponse(200, self.state)
        if method == 'PATCH':
            if self.patch_answer is not None:
                return FakeResponse(200, self.patch_answer)
            self.state.update(kwargs['json'])
            if self.answer_after_apply is not None:
                return self.answer_after_apply
            return FakeResponse(200, dict((name, value) for name, value in self.state.items() if name not in self.omit))
        raise AssertionError('unexpected method {0}'.format(method))


class FakeFleet:
    """Many accounts' Enforced TLS settings, chosen by each request's On-Behalf-Of header.

    ``states`` maps account names (None for the parent) to settings; GET returns an
    account's setting, PATCH updates it. ``errors`` maps account names to the
    FakeResponse answered to their requests of ``error_methods``. An account not in
    ``states`` gets a 404. Every request is recorded in ``requests`` as
    ``(method, account)``; safe to use from many threads. Use as
    ``FakeSession(forever=lambda: fleet)``.
    """

    def __init__(self, states, errors=None, error_methods=('GET', 'PATCH')):
        self.states = dict((name, dict(state)) for name, state in states.items())
        self.errors = dict(errors or {})
        self.error_methods = error_methods
        self.requests = []
        self._lock = threading.Lock()

    def __call__(self, method, url, kwargs):
        account = (kwargs.get('headers') or {}).get('On-Behalf-Of')
        with self._lock:
            self.requests.append((method, account))
            if account in self.errors and method in self.error_methods:
                return self.errors[account]
            if account not in self.states:
                return FakeResponse(404, {'errors': [{'message': 'unknown account'}]})
            state = self.states[account]
            if method == 'GET':
                return FakeResponse(200, state)
            if method == 'PATCH':
                state.update(kwargs['json'])
                return FakeResponse(200, state)
        raise AssertionError('unexpected method {0}'.format(method))

    def methods_for(self, account):
        """The methods of the requests sent for ``account``, in order."""
        with self._lock:
            return [method for method, name in self.requests if name == account]


def args(**options):
    """Module arguments: the test API key, plus the options given."""
    result = {'api_key': API_KEY}
    result.update(options)
    return result
