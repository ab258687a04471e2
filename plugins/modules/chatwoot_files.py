#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: chatwoot_files
short_description: Write a list of files and directories in one call
version_added: 1.0.0
description:
  - Writes each of O(files) - a file with the given content, mode, owner and group, or a directory with the given
    mode, owner and group - in one call, one round trip to the host, where one M(ansible.builtin.copy) or
    M(ansible.builtin.file) task for each costs one round trip each.
  - B(Every item is checked before anything is changed.) A path that is not absolute, is listed twice, is a symbolic
    link, is of the other kind (a directory where a file is wanted, a file where a directory is wanted, a socket...),
    a file whose directory neither exists nor is created by an earlier item of the list, an unknown owner or group,
    a bad mode or a validate command that cannot be found fail the task with nothing written.
  - Items are then written in the order given, so a directory item may come before the files in it.
  - A file is compared by its content (the UTF-8 bytes of O(files[].content) or O(files[].secret_content)), its mode,
    its owner and its group. New content is written atomically - to a temporary file in the same directory, which
    gets the mode and owner, is synced to disk, is given to O(files[].validate) and is then renamed over the file; a
    reader sees the old file or the new one, never a part. When only the mode, owner or group differ, only they are
    changed.
  - A directory is created with missing parents; only the directory itself gets O(files[].mode),
    O(files[].owner) and O(files[].group), parents get the default mode and owner, as with C(mkdir -p).
    An existing directory gets its mode, owner and group fixed when they differ; what it holds is not looked at.
  - Nothing is ever removed.
author:
  - SinapUm engineers (@sinapum)
requirements:
  - Nothing beyond the Python standard library that Ansible itself needs.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Everything is checked and compared and RV(changed), RV(files) and the diff say what would change; nothing
      is written and O(files[].validate) is not run.
  diff_mode:
    support: full
    details: One diff for each item that changes (or would change). The content of a O(files[].secret_content) item is
      never shown.
  platform:
    platforms: posix
options:
  files:
    description:
      - The files and directories to write, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description:
          - The absolute path of the file or directory.
        type: str
        required: true
      state:
        description:
          - V(file) - a regular file with O(files[].content) or O(files[].secret_content).
          - V(directory) - a directory.
        type: str
        choices: [file, directory]
        default: file
      content:
        description:
          - The content of a file, as text (written as UTF-8). It appears in the diff.
          - A file needs exactly one of O(files[].content) and O(files[].secret_content); a directory takes neither.
        type: str
      secret_content:
        description:
          - The content of a file that must never be shown - neither in the diff, nor in RV(files), nor in a message,
            nor in the output of O(files[].validate).
        type: str
      mode:
        description:
          - The permissions, as a quoted string of 3 or 4 octal digits such as V('0600').
          - An unquoted number is refused - YAML reads V(0644) as the number 420.
        type: raw
        required: true
      owner:
        description:
          - The user that owns the file or directory (a name, or a number).
        type: str
        default: root
      group:
        description:
          - The group that owns the file or directory (a name, or a number).
        type: str
        default: root
      validate:
        description:
          - A command run on the new content before it replaces the file - C(%s) in it stands for the temporary file.
            The file is replaced only when the command exits with 0; otherwise the task fails and the file is left as
            it was (items before it in the list are written by then).
          - The command is split as a shell would split it, but run without a shell. Its output is shown in the
            failure's message, except for a O(files[].secret_content) item.
          - Only for a file. Not run in check mode, nor when the content is unchanged.
        type: str
notes:
  - The temporary file of a new content is named C(.NAME.XXXXXXXX.tmp) in the file's directory, and is removed when
    the write fails.
  - SELinux contexts are not set; a new file gets the default context of its directory.
seealso:
  - module: ansible.builtin.copy
  - module: ansible.builtin.file
"""

EXAMPLES = r"""
- name: Write the project's files
  sinapum.chatwoot.chatwoot_files:
    files:
      - path: /opt/chatwoot
        state: directory
        mode: '0750'
      - path: /opt/chatwoot/docker-compose.yml
        content: "{{ lookup('ansible.builtin.template', 'docker-compose.yml.j2') }}"
        mode: '0640'
        validate: docker compose -f %s config --quiet
      - path: /opt/chatwoot/.env
        secret_content: "{{ lookup('ansible.builtin.template', 'env.j2') }}"
        mode: '0600'
      - path: /etc/systemd/system/chatwoot-backup.timer
        content: "{{ lookup('ansible.builtin.file', 'chatwoot-backup.timer') }}"
        mode: '0644'
  register: written

- name: Reload systemd when a unit changed
  ansible.builtin.systemd_service:
    daemon_reload: true
  when: written.files | selectattr('changed') | map(attribute='path') | select('match', '/etc/systemd/') | list
"""

RETURN = r"""
changed:
  description: Whether any item changed (or would change, in check mode).
  returned: always
  type: bool
files:
  description:
    - One entry for each item of O(files), in the same order, with its C(path) and C(state) as given; C(changed) -
      the item was (or would be) written; C(content_changed) - a file was created or got a new content;
      C(attributes_changed) - the mode, owner or group were set (a new file or directory) or changed.
    - The content is never returned. On a failure the entries tell which items had been written.
  returned: always
  type: list
  elements: dict
  sample:
    - {path: /opt/chatwoot, state: directory, changed: false, content_changed: false, attributes_changed: false}
    - {path: /opt/chatwoot/.env, state: file, changed: true, content_changed: true, attributes_changed: false}
msg:
  description: One line saying what changed.
  returned: always
  type: str
  sample: "2 of 4 items changed: /opt/chatwoot/.env (content), /opt/chatwoot/docker-compose.yml (mode)"
"""

import os
import shlex

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.sinapum.chatwoot.plugins.module_utils._atomic_files import (
    AtomicFileError,
    format_mode,
    group_id,
    group_name,
    look,
    make_directory,
    parse_mode,
    read_bytes,
    set_attributes,
    user_id,
    user_name,
    write_atomic,
)

SECRET_BEFORE = '(secret content, not shown)\n'
SECRET_AFTER = '(secret content, changed, not shown)\n'
VALIDATE_OUTPUT_LIMIT = 2000


def argument_spec():
    return dict(
        files=dict(type='list', elements='dict', required=True, options=dict(
            path=dict(type='str', required=True),
            state=dict(type='str', choices=['file', 'directory'], default='file'),
            content=dict(type='str'),
            secret_content=dict(type='str', no_log=True),
            mode=dict(type='raw', required=True),
            owner=dict(type='str', default='root'),
            group=dict(type='str', default='root'),
            validate=dict(type='str'),
        )),
    )


class FilesError(Exception):
    """An item that cannot be written, or a write that failed: the one reason this module fails. The message never
    holds a secret content."""


def empty_result(items):
    """The result's shape, every item unchanged: what a failure before any change returns."""
    files = []
    for item in items or []:
        item = item if isinstance(item, dict) else {}
        files.append(dict(path=item.get('path') or '', state=item.get('state') or 'file', changed=False,
                          content_changed=False, attributes_changed=False))
    return dict(changed=False, files=files, msg='')


# ------------------------------------------------------------------------------------------------- checking
def _validate_argv(command, which):
    """The validate command as an argument list with '%s' kept, its program found."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise FilesError('validate cannot be split into words: %s' % exc)
    if not argv or not any('%s' in arg for arg in argv):
        raise FilesError('validate must hold %s, which stands for the file to check')
    program = which(argv[0])
    if not program:
        raise FilesError('validate: the command %s is not found' % argv[0])
    return [program] + argv[1:]


def _content(item):
    has_content, has_secret = item['content'] is not None, item['secret_content'] is not None
    if item['state'] == 'directory':
        if has_content or has_secret or item['validate'] is not None:
            raise FilesError('a directory takes no content, secret_content nor validate')
        return None, False
    if has_content == has_secret:
        raise FilesError('a file needs exactly one of content and secret_content')
    text = item['secret_content'] if has_secret else item['content']
    try:
        return to_bytes(text, errors='surrogate_or_strict'), has_secret
    except UnicodeError:
        raise FilesError('the content cannot be written as UTF-8')


def _parents_planned(path, planned):
    """The missing directories above ``path`` (nearest first) that creating it creates, after checking that what is
    there above it is a directory. ``planned`` maps the paths of earlier items (and the parents they create) to
    their kind (V(file), V(directory), V(parent))."""
    missing = []
    parent = os.path.dirname(path)
    while parent and parent != path:
        if parent in planned:
            if planned[parent] == 'file':
                raise FilesError('%s is a file of an earlier item, not a directory' % parent)
            break
        if os.path.lexists(parent):
            if not os.path.isdir(parent):
                raise FilesError('%s is there and is not a directory' % parent)
            break
        missing.append(parent)
        path, parent = parent, os.path.dirname(parent)
    return missing


def check_item(item, planned, which):
    """One item checked against the host and the earlier items; its plan (what is there, what changes)."""
    path = item['path']
    if not os.path.isabs(path):
        raise FilesError('path must be absolute')
    path = os.path.normpath(path)
    state = item['state']
    if path in planned:
        if planned[path] == 'parent' and state == 'file':
            raise FilesError('%s is a directory an earlier item creates as its parent' % path)
        if planned[path] == 'parent':
            raise FilesError('%s is created as a parent directory by an earlier item; list it before that item' % path)
        raise FilesError('%s is listed by an earlier item too' % path)
    data, secret = _content(item)
    try:
        mode = parse_mode(item['mode'])
        uid, gid = user_id(item['owner']), group_id(item['group'])
    except AtomicFileError as exc:
        raise FilesError(str(exc))
    argv = _validate_argv(item['validate'], which) if item['validate'] is not None else None
    parents = _parents_planned(path, planned)
    if state == 'file' and parents:
        raise FilesError('its directory %s does not exist, and no earlier directory item creates it'
                         % os.path.dirname(path))
    try:
        seen = look(path)
    except AtomicFileError as exc:
        raise FilesError(str(exc))
    if seen is not None:
        if seen['kind'] == 'link':
            raise FilesError('%s is a symbolic link; links are not followed nor replaced' % path)
        if seen['kind'] != state:
            raise FilesError('%s is there as a %s, not a %s' % (
                path, seen['kind'] if seen['kind'] != 'other' else 'special file (neither file nor directory)', state))
    for parent in parents:
        planned[parent] = 'parent'
    planned[path] = state
    old = None
    if seen is None:
        content_changed = state == 'file'
        attributes_changed = True
    else:
        if state == 'file':
            try:
                old = read_bytes(path)
            except AtomicFileError as exc:
                raise FilesError(str(exc))
        content_changed = state == 'file' and old != data
        attributes_changed = (seen['mode'], seen['uid'], seen['gid']) != (mode, uid, gid)
    return dict(path=path, state=state, data=data, secret=secret, mode=mode, uid=uid, gid=gid, argv=argv, seen=seen,
                old=old, content_changed=content_changed, attributes_changed=attributes_changed,
                changed=content_changed or attributes_changed)


def check_items(items, which):
    """Every item checked before anything is changed; the plans, in order."""
    planned = {}
    plans = []
    for index, item in enumerate(items):
        try:
            plans.append(check_item(item, planned, which))
        except FilesError as exc:
            raise FilesError('files[%d] (%s): %s; nothing was changed' % (index, item['path'], exc))
    return plans


# ------------------------------------------------------------------------------------------------- diff
def _attributes(mode, uid, gid):
    return 'mode %s, owner %s, group %s' % (format_mode(mode), user_name(uid), group_name(gid))


def _attribute_changes(plan):
    seen = plan['seen']
    changes = []
    if seen['mode'] != plan['mode']:
        changes.append(('mode', format_mode(seen['mode']), format_mode(plan['mode'])))
    if seen['uid'] != plan['uid']:
        changes.append(('owner', user_name(seen['uid']), user_name(plan['uid'])))
    if seen['gid'] != plan['gid']:
        changes.append(('group', group_name(seen['gid']), group_name(plan['gid'])))
    return changes


def _text(data):
    return to_text(data, errors='surrogate_then_replace')


def diff_for(plan):
    """The diff of one changed item: its content (a placeholder for a secret) or, when only they change, its mode,
    owner and group as lines; the headers say what happens to mode, owner and group."""
    path = plan['path']
    wanted = _attributes(plan['mode'], plan['uid'], plan['gid'])
    if plan['seen'] is None:
        if plan['state'] == 'directory':
            after = 'directory, %s\n' % wanted
        else:
            after = SECRET_AFTER if plan['secret'] else _text(plan['data'])
        return dict(before_header='%s (absent)' % path, after_header='%s (new %s, %s)' % (path, plan['state'], wanted),
                    before='', after=after)
    changes = _attribute_changes(plan)
    after_header = path
    if changes:
        after_header += ' (%s)' % ', '.join('%s %s -> %s' % change for change in changes)
    if plan['content_changed']:
        if plan['secret']:
            before, after = SECRET_BEFORE, SECRET_AFTER
        else:
            before, after = _text(plan['old']), _text(plan['data'])
    else:
        before = ''.join('%s %s\n' % (name, old) for name, old, dummy in changes)
        after = ''.join('%s %s\n' % (name, new) for name, dummy, new in changes)
    return dict(before_header=path, after_header=after_header, before=before, after=after)


# ------------------------------------------------------------------------------------------------- writing
def _one_line(text):
    text = ' | '.join(line.strip() for line in to_text(text, errors='surrogate_then_replace').splitlines()
                      if line.strip())
    return text if len(text) <= VALIDATE_OUTPUT_LIMIT else '...' + text[-VALIDATE_OUTPUT_LIMIT:]


def _validator(plan, run_command):
    if plan['argv'] is None:
        return None

    def validate(temp):
        argv = [arg.replace('%s', temp) for arg in plan['argv']]
        rc, out, err = run_command(argv)
        if rc != 0:
            if plan['secret']:
                raise FilesError('validate %s failed with rc %d (its output is not shown: the content is secret)'
                                 % (os.path.basename(plan['argv'][0]), rc))
            raise FilesError('validate %s failed with rc %d: %s' % (
                os.path.basename(plan['argv'][0]), rc, _one_line(err) or _one_line(out) or 'no output'))
    return validate


def apply(plan, run_command):
    if plan['state'] == 'directory':
        if plan['seen'] is None:
            make_directory(plan['path'], plan['mode'], plan['uid'], plan['gid'])
        else:
            set_attributes(plan['path'], plan['mode'], plan['uid'], plan['gid'], plan['seen'])
    elif plan['content_changed']:
        write_atomic(plan['path'], plan['data'], plan['mode'], plan['uid'], plan['gid'],
                     _validator(plan, run_command))
    else:
        set_attributes(plan['path'], plan['mode'], plan['uid'], plan['gid'], plan['seen'])


def summary(result, plans, check_mode):
    changed = [(entry, plan) for entry, plan in zip(result['files'], plans) if entry['changed']]
    if not changed:
        return '%d items, none %s' % (len(plans), 'would change' if check_mode else 'changed')
    words = []
    for entry, plan in changed:
        if plan['seen'] is None:
            what = 'created'
        elif entry['content_changed'] and entry['attributes_changed']:
            what = 'content, ' + ', '.join(name for name, dummy, dummy2 in _attribute_changes(plan))
        elif entry['content_changed']:
            what = 'content'
        else:
            what = ', '.join(name for name, dummy, dummy2 in _attribute_changes(plan))
        words.append('%s (%s)' % (plan['path'], what))
    return '%d of %d items %s: %s' % (len(changed), len(plans), 'would change' if check_mode else 'changed',
                                      ', '.join(words))


def write_files(items, check_mode, which, run_command):
    """Check every item, then write those that differ, in order (nothing in check mode). Returns (result, diffs);
    raises FilesError with the result so far (which items were written) as its second argument."""
    result = empty_result(items)
    plans = check_items(items, which)
    diffs = [diff_for(plan) for plan in plans if plan['changed']]
    for entry, plan in zip(result['files'], plans):
        if not plan['changed']:
            continue
        if not check_mode:
            try:
                apply(plan, run_command)
            except (FilesError, AtomicFileError) as exc:
                result['msg'] = '%s: %s' % (plan['path'], exc)
                raise FilesError(result['msg'], result)
        entry.update(changed=True, content_changed=plan['content_changed'],
                     attributes_changed=plan['attributes_changed'])
        result['changed'] = True
    result['msg'] = summary(result, plans, check_mode)
    return result, diffs


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    items = module.params['files']
    try:
        result, diffs = write_files(items, module.check_mode, module.get_bin_path, module.run_command)
    except FilesError as exc:
        failed = exc.args[1] if len(exc.args) > 1 else empty_result(items)
        failed['msg'] = exc.args[0]
        module.fail_json(**failed)
    if module._diff:
        result['diff'] = diffs
    module.exit_json(**result)


if __name__ == '__main__':
    main()
