# -*- coding: utf-8 -*-
# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check every request the emulator logged for the blocks list against the official suppressions spec
(tsg_suppressions_v3.yaml of twilio/sendgrid-oai): each query parameter is one the operation declares, of
its type and within its bounds.

    spec_check.py EMULATOR_URL SPEC_YAML
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from urllib.parse import parse_qs

import yaml

PATH = '/v3/suppression/blocks'


def parameters(spec, path, method):
    """The query parameters an operation declares, by name, their ``$ref``s resolved."""
    declared = {}
    for parameter in spec['paths'][path][method]['parameters']:
        if '$ref' in parameter:
            parameter = spec['components']['parameters'][parameter['$ref'].rsplit('/', 1)[1]]
        if parameter['in'] == 'query':
            declared[parameter['name']] = parameter['schema']
    return declared


def problems_of(query, declared):
    found = []
    for name, values in parse_qs(query).items():
        if name not in declared:
            found.append('{0} is not a parameter of the operation'.format(name))
            continue
        schema = declared[name]
        for value in values:
            if schema.get('type') == 'integer':
                if not value.lstrip('-').isdigit():
                    found.append('{0}={1} is not an integer'.format(name, value))
                    continue
                number = int(value)
                if 'minimum' in schema and number < schema['minimum']:
                    found.append('{0}={1} is below {2}'.format(name, value, schema['minimum']))
                if 'maximum' in schema and number > schema['maximum']:
                    found.append('{0}={1} is above {2}'.format(name, value, schema['maximum']))
    return found


def main(emulator_url, spec_path):
    if not os.path.exists(spec_path):
        print('The official spec is not there: {0}. The tests copy it from ../shared/seeds beside the checkout'
              ' (tests/utils/ansible-test.sh).'.format(spec_path), file=sys.stderr)
        return 1
    with open(spec_path) as handle:
        declared = parameters(yaml.safe_load(handle), PATH, 'get')
    with urllib.request.urlopen(emulator_url + '/_emulator/log') as answer:
        requests = [entry for entry in json.load(answer)['requests'] if entry['path'] == PATH]
    if not requests:
        print('no request of GET {0} was logged'.format(PATH), file=sys.stderr)
        return 1
    failures = ['{0} {1}?{2}: {3}'.format(entry['method'], entry['path'], entry['query'], problem)
                for entry in requests for problem in problems_of(entry['query'], declared)]
    for failure in failures:
        print(failure, file=sys.stderr)
    print('{0} requests of GET {1} checked against {2}: {3} problems'.format(
        len(requests), PATH, os.path.basename(spec_path), len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
