# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Today's fleet as the baseline: write the role's inputs that make an audit's fleet compliant as it stands.
Documented in plugins/modules/sendgrid_enforced_tls_adopt.py."""

from __future__ import annotations

import datetime
import os

from ansible.plugins.action import ActionBase

from ansible_collections.mailops.sendgrid.plugins.plugin_utils._atomic_file import replace_file
from ansible_collections.mailops.sendgrid.plugins.plugin_utils._adopt import (
    FILE_INPUT,
    FORCE_INPUT,
    AdoptError,
    adopt_vars,
    nothing_written,
    render_vars_file,
    same_baseline,
    summary_line,
)

ARGUMENT_SPEC = dict(
    # Without it, the path is only checked: before the audit, so that a file that cannot be written reads no account.
    report=dict(type='dict'),
    path=dict(type='path', required=True),
    force=dict(type='bool', default=False),
    all_subusers=dict(type='bool', default=False),
    include_disabled=dict(type='bool', default=False),
)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        path = args['path']
        try:
            old = self._existing(path, args['force'])
            if args['report'] is None:
                result.update(changed=False, path=path, msg='{0} can be written.'.format(path))
                return result
            adoption = adopt_vars(args['report'], args['all_subusers'], args['include_disabled'])
        except AdoptError as error:
            # Before the audit, nothing was read either.
            result.update(failed=True, msg=nothing_written(str(error)) if args['report'] is not None
                          else '{0}. No account was read.'.format(str(error).rstrip('.')))
            return result
        text = render_vars_file(adoption.variables, self._now(), adoption.source, adoption.notes)
        changed = not same_baseline(old, text)
        check_mode = bool(self._task.check_mode)
        if changed and not check_mode:
            try:
                replace_file(path, text)
            except OSError as error:
                result.update(failed=True, msg=nothing_written('{0}: cannot write {1}: {2}'.format(
                    FILE_INPUT, path, error.strerror or error)))
                return result
        result.update(changed=changed, path=path, check_mode=check_mode, adopted=adoption.variables,
                      msg=summary_line(adoption.variables, path, changed, check_mode))
        if changed and self._task.diff:
            result['diff'] = {'before': old or '', 'after': text, 'before_header': path, 'after_header': path}
        return result

    @staticmethod
    def _existing(path, force):
        """The text of the file already at ``path`` (None: there is none), when it may be replaced. Refused before
        anything is written: a path whose directory does not exist or that is not a file, and an existing file
        without ``force``."""
        if not path:
            raise AdoptError('enforced_tls_baseline_adopt_file ({0}) is required: the path of the vars file to'
                             ' write'.format(FILE_INPUT))
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise AdoptError('{0}: the directory of {1} does not exist; create it, or choose another path'.format(
                FILE_INPUT, path))
        if not os.path.lexists(path):
            return None
        if os.path.isdir(path) or not os.path.isfile(path):
            raise AdoptError('{0}: {1} exists and is not a file; choose the path of a file'.format(FILE_INPUT, path))
        if not force:
            raise AdoptError('{0}: {1} exists; set {2}: true to replace it (with the fleet as it is now), or choose'
                             ' another path'.format(FILE_INPUT, path, FORCE_INPUT))
        try:
            with open(path, encoding='utf-8') as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError):
            # Unreadable as a vars file of ours: it is replaced whole, as force asks.
            return ''

    @staticmethod
    def _now():
        return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
