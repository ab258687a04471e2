# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one client of Chatwoot's Platform API (/platform/api/v1) and Application API (/api/v1/accounts/<id>) that the
collection's configuration modules share, on ansible.module_utils.urls.open_url.

What it knows of Chatwoot 4.15.1 (its source, app/controllers/api and app/controllers/platform; the stand-in's README
names the file of each behaviour):
- both APIs take the token in the header ``api_access_token`` and answer JSON; create and update answer 200;
- errors come in several shapes (``{"error": ...}``, ``{"errors": [...]}``, ``{"message": ..., "attributes": [...]}``
  for a failed validation, ``{"status": 404, "error": "Not Found"}``, a plain-text 429 from Rack::Attack): each
  becomes a ChatwootError naming the request, the status and Chatwoot's own words;
- every list has its own shape (bare array, ``{"payload": [...]}``, ``{"payload": {"webhooks": [...]}}``):
  ``items()`` takes them apart;
- DELETE answers 200 with an empty body (an inbox: a message), and some deletions only happen later, in Chatwoot's
  worker: ``wait_until_gone()``.
"""

from __future__ import annotations

import json
import re
import socket
import time
from urllib.error import HTTPError, URLError

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.urls import open_url

MASK = '********'

APPLICATION = 'application'
PLATFORM = 'platform'

TOKEN_ENV = {APPLICATION: 'CHATWOOT_API_TOKEN', PLATFORM: 'CHATWOOT_PLATFORM_TOKEN'}
CREDENTIAL_KEY = {APPLICATION: 'user_token', PLATFORM: 'platform_token'}

# Where each list lives in its answer (app/views/**/index.json.jbuilder, and controllers rendering bare rows).
LIST_SHAPES = {
    'agents': (),
    'teams': (),
    'team_members': (),
    'canned_responses': (),
    'accounts': (),
    'account_users': (),
    'inboxes': ('payload',),
    'labels': ('payload',),
    'inbox_members': ('payload',),
    'webhooks': ('payload', 'webhooks'),
}

RETRIES_ON_429 = 3


def connection_argument_spec(api):
    """The connection options of a module of the Application API or of the Platform API."""
    spec = dict(
        api_url=dict(type='str', fallback=(env_fallback, ['CHATWOOT_URL'])),
        api_token=dict(type='str', no_log=True, fallback=(env_fallback, [TOKEN_ENV[api]])),
        validate_certs=dict(type='bool', default=True),
        timeout=dict(type='float', default=30.0),
    )
    if api == APPLICATION:
        spec['account_id'] = dict(type='int', fallback=(env_fallback, ['CHATWOOT_ACCOUNT_ID']))
    return spec


class ChatwootError(Exception):
    """Chatwoot refused a request, or could not be reached (status None)."""

    def __init__(self, method, path, status, message, attributes=None):
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.attributes = list(attributes or [])
        super().__init__(self.describe())

    def describe(self):
        if self.status is None:
            return '%s %s: %s' % (self.method, self.path, self.message)
        text = 'Chatwoot answered %s to %s %s: %s' % (self.status, self.method, self.path, self.message)
        if self.attributes:
            text += ' (fields: %s)' % ', '.join(self.attributes)
        return text


class BadInput(Exception):
    """The task's arguments cannot work; raised before any request that changes something."""


def error_message(status, body):
    """Chatwoot's own words from an error answer, whatever its shape; and the fields of a failed validation."""
    data = None
    if body:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
    if isinstance(data, dict):
        if data.get('message') is not None:
            return str(data['message']), data.get('attributes') or []
        if isinstance(data.get('errors'), list):
            return '; '.join(str(e) for e in data['errors']), []
        if data.get('error') is not None:
            return str(data['error']), []
    text = (body or '').strip()
    if not text:
        return 'no message (HTTP %s)' % status, []
    return text[:300], []


class ChatwootClient:
    """HTTP calls to one Chatwoot with one token. ``opener`` is open_url (tests give their own)."""

    def __init__(self, url, token, validate_certs=True, timeout=30.0, opener=None, sleep=time.sleep):
        self.url = url.rstrip('/')
        self.token = token
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.opener = opener or open_url
        self.sleep = sleep

    def request(self, method, path, body=None):
        """One call; the parsed JSON answer (None for an empty body). Raises ChatwootError."""
        headers = {'api_access_token': self.token, 'Accept': 'application/json'}
        data = None
        if body is not None:
            headers['Content-Type'] = 'application/json'
            data = json.dumps(body)
        for attempt in range(RETRIES_ON_429 + 1):
            try:
                response = self.opener(self.url + path, method=method, data=data, headers=headers,
                                       validate_certs=self.validate_certs, timeout=self.timeout,
                                       follow_redirects='none')
                raw = response.read()
            except HTTPError as exc:
                raw = exc.read() if hasattr(exc, 'read') else b''
                text = raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else str(raw or '')
                if exc.code == 429 and attempt < RETRIES_ON_429:
                    # Rack::Attack's throttle (config/initializers/rack_attack.rb): no Retry-After, a minute window.
                    self.sleep(2 ** (attempt + 1))
                    continue
                if exc.code in (301, 302, 307, 308):
                    location = exc.headers.get('Location') if exc.headers else None
                    raise ChatwootError(method, path, exc.code, 'redirected to %s; give that address as api_url '
                                        '(FORCE_SSL sends plain HTTP to HTTPS)' % location)
                message, attributes = error_message(exc.code, text)
                raise ChatwootError(method, path, exc.code, message, attributes)
            except (URLError, socket.timeout, OSError) as exc:
                reason = getattr(exc, 'reason', exc)
                raise ChatwootError(method, path, None, 'cannot reach Chatwoot at %s: %s' % (self.url, reason))
            text = raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else str(raw or '')
            if not text.strip():
                return None
            try:
                return json.loads(text)
            except ValueError:
                raise ChatwootError(method, path, getattr(response, 'status', 200),
                                    'the answer is not JSON: %s' % text.strip()[:200])
        raise ChatwootError(method, path, 429, 'still throttled after %d attempts' % (RETRIES_ON_429 + 1))

    def get(self, path):
        return self.request('GET', path)

    def post(self, path, body):
        return self.request('POST', path, body)

    def patch(self, path, body):
        return self.request('PATCH', path, body)

    def delete(self, path, body=None):
        return self.request('DELETE', path, body)

    def exists(self, path):
        """True when GET path answers, False on 404."""
        try:
            self.get(path)
        except ChatwootError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def wait_until_gone(self, path, timeout, interval=1.0):
        """Deletions Chatwoot hands to its worker (DeleteObjectJob): True once GET path is a 404, False after timeout
        seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if not self.exists(path):
                    return True
            except ChatwootError as exc:
                # Chatwoot finds the object, then its policy asks the database again (InboxPolicy#show?:
                # assigned_inboxes.include?): when the worker deletes it between the two, that GET answers 401.
                # The DELETE was authorized, so ask again; a 401 that lasts the whole wait is raised.
                if exc.status != 401 or time.monotonic() >= deadline:
                    raise
            else:
                if time.monotonic() >= deadline:
                    return False
            self.sleep(interval)


def items(resource, body):
    """The list inside a list answer of ``resource`` (see LIST_SHAPES)."""
    data = body
    for key in LIST_SHAPES[resource]:
        if not isinstance(data, dict) or key not in data:
            raise ValueError('the answer for %s has no %r: %r' % (resource, key, body))
        data = data[key]
    if not isinstance(data, list):
        raise ValueError('the answer for %s is not a list: %r' % (resource, body))
    return data


def client_from(params, api, opener=None):
    """A client from a module's connection options; BadInput naming what is missing."""
    missing = []
    if not params.get('api_url'):
        missing.append('api_url (or CHATWOOT_URL)')
    if not params.get('api_token'):
        missing.append('api_token (or %s)' % TOKEN_ENV[api])
    if api == APPLICATION and not params.get('account_id'):
        missing.append('account_id (or CHATWOOT_ACCOUNT_ID)')
    if missing:
        raise BadInput('%s not given, and no chatwoot_credentials fact to take %s from (the role sets it; or '
                       "include_role sinapum.chatwoot.chatwoot tasks_from credentials)" % (
                           ', '.join(missing), 'them' if len(missing) > 1 else 'it'))
    url = params['api_url']
    if not (url.startswith('http://') or url.startswith('https://')):
        raise BadInput('api_url must be an http:// or https:// URL, not %r' % url)
    return ChatwootClient(url, params['api_token'], params['validate_certs'], params['timeout'], opener=opener)


def account_path(params, *parts):
    return '/api/v1/accounts/%d%s' % (params['account_id'], ''.join('/%s' % p for p in parts))


def platform_path(*parts):
    return '/platform/api/v1%s' % ''.join('/%s' % p for p in parts)


# ------------------------------------------------------------------------------------------- compare and diff
def same(current, wanted):
    """Chatwoot's value equals the wanted one (numbers as numbers, None as absent, dicts and lists deeply)."""
    if isinstance(wanted, bool) or isinstance(current, bool):
        return current is wanted
    if isinstance(wanted, (int, float)) and isinstance(current, (int, float)):
        return float(wanted) == float(current)
    if isinstance(wanted, dict) and isinstance(current, dict):
        return set(wanted) == set(current) and all(same(current[k], wanted[k]) for k in wanted)
    if isinstance(wanted, list) and isinstance(current, list):
        return len(wanted) == len(current) and all(same(c, w) for c, w in zip(current, wanted))
    return current == wanted


def changes(current, wanted):
    """The keys of ``wanted`` (values not None) whose value differs in ``current``: {key: (before, after)}."""
    out = {}
    for key, value in wanted.items():
        if value is None:
            continue
        before = current.get(key) if current else None
        if current is None or not same(before, value):
            out[key] = (before, value)
    return out


def masked(values, secret_keys):
    """A copy of a dict with the values of secret keys masked (None stays None)."""
    if values is None:
        return None
    out = {}
    for key, value in values.items():
        if key in secret_keys and value not in (None, ''):
            out[key] = MASK
        elif isinstance(value, dict):
            out[key] = masked(value, secret_keys)
        else:
            out[key] = value
    return out


def diff_of(current, wanted, secret_keys=()):
    """Ansible's diff (before/after) of the managed keys; an absent object is {}."""
    keys = [k for k, v in wanted.items() if v is not None] if wanted is not None else []
    if current is not None and wanted is None:
        keys = sorted(current)
    before = dict((k, current.get(k)) for k in keys) if current is not None else {}
    after = {}
    if wanted is not None:
        after = dict(before)
        after.update((k, wanted[k]) for k in keys)
    return dict(before=masked(before, secret_keys), after=masked(after, secret_keys))


def find_one(objects, what, **keys):
    """The one object whose keys equal ``keys``; None if none; BadInput naming their ids if several."""
    found = [o for o in objects if all(o.get(k) == v for k, v in keys.items())]
    if len(found) > 1:
        raise BadInput('%d %s match %s (ids %s): give the id of the one to manage' % (
            len(found), what, ', '.join('%s=%r' % kv for kv in sorted(keys.items())),
            ', '.join(str(o.get('id')) for o in found)))
    return found[0] if found else None


# ------------------------------------------------------------------------------------------- running a module
def run_module(module, api, handler, result):
    """Run ``handler(client, result)`` with the module's client; Chatwoot's refusals and bad input fail the task with
    the result's shape kept (``result`` is pre-filled by the module); the token is never in a message."""
    if module.params.get('api_token'):
        module.no_log_values.add(module.params['api_token'])
    try:
        client = client_from(module.params, api)
        handler(client, result)
    except BadInput as exc:
        result['msg'] = str(exc)
        module.fail_json(**result)
    except ChatwootError as exc:
        result['msg'] = str(exc)
        result['status'] = exc.status
        module.fail_json(**result)
    module.exit_json(**result)


# ------------------------------------------------------------------------------------------- Chatwoot's input rules
# devise's email_regexp (config/initializers/devise.rb), which users made by the APIs go through.
EMAIL_RE = re.compile(r'\A[^@\s]+@[^@\s]+\Z')
# devise password_length 6..128 and devise-secure_password as config/initializers/secure_password.rb configures it:
# an upper-case and a lower-case letter, a digit and one of these, and no other character.
PASSWORD_SPECIAL = ' !@#$%^&*()_+-=[]{}|"/\\.,`<>:;?~\''


def password_problem(password):
    """Why Chatwoot would refuse this password (never quoting it), or None."""
    problems = []
    if not 6 <= len(password) <= 128:
        problems.append('6 to 128 characters')
    for label, test in (('an upper-case letter', lambda c: 'A' <= c <= 'Z'), ('a lower-case letter', lambda c: 'a' <= c <= 'z'),
                        ('a digit', lambda c: '0' <= c <= '9'), ('one of %s' % PASSWORD_SPECIAL, lambda c: c in PASSWORD_SPECIAL)):
        if not any(test(c) for c in password):
            problems.append(label)
    allowed = set(PASSWORD_SPECIAL) | set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
    if any(c not in allowed for c in password):
        problems.append('no other character (no accents, tabs or line breaks)')
    if not problems:
        return None
    return "breaks Chatwoot's password rules (value not shown): it needs %s" % ', '.join(problems)


def check_email(name, value):
    if not EMAIL_RE.match(value or ''):
        raise BadInput('%s %r is not an e-mail address Chatwoot accepts (local@domain, no spaces)' % (name, value))
    return value.strip().lower()


def find_user_by_email(client, email):
    """The user of this e-mail through the Platform API, or None.

    The Platform API has no search: POST /platform/api/v1/users answers with the existing user of the e-mail
    (User.from_email, the other fields ignored; the user becomes confirmed and permitted to the Platform App) or
    creates one. With the e-mail alone a new user fails validation (no name, no password): 422, nobody made.
    """
    try:
        return client.post(platform_path('users'), {'email': email})
    except ChatwootError as exc:
        if exc.status == 422 and 'name' in exc.attributes:
            return None
        raise


# ------------------------------------------------------------------------------------------- one-key resources
class Resource:
    """A resource of the Application API found by one key in its list, written under a wrapper key
    (``{"team": {...}}``) and deleted at once: teams, labels, canned responses."""

    def __init__(self, kind, wrapper, key, managed, what, required=()):
        self.kind = kind          # the path under the account and the list's shape (LIST_SHAPES)
        self.wrapper = wrapper    # require(:wrapper) in Chatwoot's controller
        self.key = key            # the field the object is found by
        self.managed = managed    # the fields compared
        self.what = what          # for messages
        self.required = required  # fields without which Chatwoot refuses to create one


def reconcile_resource(client, params, check_mode, result, resource, key_value, wanted, out_key):
    """Find the object whose ``resource.key`` equals ``key_value`` and make it as ``wanted`` (state present) or delete
    it; fills result[out_key], result['diff'], result['changed'], result['msg']. Returns the object after the task
    (None when absent)."""
    objects = items(resource.kind, client.get(account_path(params, resource.kind)))
    current = next((o for o in objects if o.get(resource.key) == key_value), None)
    label = '%s %r' % (resource.what, key_value)
    if params['state'] == 'absent':
        result['diff'] = diff_of(current and dict((k, current.get(k)) for k in resource.managed), None)
        if current is None:
            result['msg'] = label + ' absent'
            return None
        result['changed'] = True
        result[out_key] = current
        if not check_mode:
            client.delete(account_path(params, resource.kind, current['id']))
            result[out_key] = {}
        result['msg'] = '%s %s' % (label, 'would be deleted' if check_mode else 'deleted')
        return None
    if current is None:
        missing = [k for k in resource.required if wanted.get(k) is None]
        if missing:
            raise BadInput('%s does not exist; to create it give %s' % (label, ', '.join(missing)))
        result['changed'] = True
        result['diff'] = diff_of(None, dict(wanted, **{resource.key: key_value}))
        if check_mode:
            result['msg'] = label + ' would be created'
            return None
        body = dict((k, v) for k, v in dict(wanted, **{resource.key: key_value}).items() if v is not None)
        result[out_key] = client.post(account_path(params, resource.kind), {resource.wrapper: body})
        result['msg'] = '%s created (id %s)' % (label, result[out_key]['id'])
        return result[out_key]
    differences = changes(current, wanted)
    result[out_key] = current
    result['diff'] = diff_of(current, dict((k, v[1]) for k, v in differences.items()))
    if not differences:
        result['msg'] = label + ' as wanted'
        return current
    result['changed'] = True
    if check_mode:
        result['msg'] = '%s would change: %s' % (label, ', '.join(sorted(differences)))
        return current
    result[out_key] = client.patch(account_path(params, resource.kind, current['id']),
                                   {resource.wrapper: dict((k, v[1]) for k, v in differences.items())})
    result['msg'] = '%s changed: %s' % (label, ', '.join(sorted(differences)))
    return result[out_key]


def emails_of(agents):
    """The sorted, lower-cased e-mail addresses of a list of Chatwoot's agent objects."""
    return sorted((a.get('email') or '').lower() for a in agents)


def agent_ids(client, params, emails, check_mode=False):
    """{email: user id} for the given addresses, all agents of the account (checked before anything changes); BadInput
    naming the others. None when ``emails`` is None (members not managed). In check mode an address that is no agent
    yet is kept with the id None: an earlier task of the same run may be the one that adds it."""
    if emails is None:
        return None
    agents = dict(((a.get('email') or '').lower(), a['id'])
                  for a in items('agents', client.get(account_path(params, 'agents'))))
    wanted = sorted(set(check_email('members', m) for m in emails))
    unknown = [m for m in wanted if m not in agents]
    if unknown and not check_mode:
        raise BadInput('not agents of account %s: %s (add them with sinapum.chatwoot.chatwoot_agent first)' % (
            params['account_id'], ', '.join(unknown)))
    return dict((m, agents.get(m)) for m in wanted)


# ------------------------------------------------------------------------------------------- asynchronous deletes
def wait_argument_spec():
    """The options of doc fragment chatwoot_api.wait."""
    return dict(wait=dict(type='bool', default=True), wait_timeout=dict(type='int', default=120))


def delete_and_wait(client, path, params, what):
    """DELETE an object Chatwoot deletes later (DeleteObjectJob), then, with params['wait'], until GET path is a 404."""
    client.delete(path)
    if params['wait'] and not client.wait_until_gone(path, params['wait_timeout']):
        raise BadInput('Chatwoot accepted the deletion of %s but it still exists after %d s: is its worker (Sidekiq) '
                       'running?' % (what, params['wait_timeout']))
