# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What chatwoot_host_info reads from the host's files: mode, owner and checksum of the files the role writes,
the record and the kept secrets (JSON), and the holder of the run lock.

Private to the sinapum.chatwoot collection: no API promise.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat

from ansible_collections.sinapum.chatwoot.plugins.module_utils._atomic_files import (
    group_name,
    kind_of,
    user_name,
)


class HostFileError(Exception):
    """A file the deploy decides on is there but cannot be used (unreadable, not the JSON object it should be)."""


def _sha1(path):
    digest = hashlib.sha1()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b''):
            digest.update(block)
    return digest.hexdigest()


def empty_file_facts(path):
    return {'path': path, 'exists': False, 'type': '', 'mode': '', 'owner': '', 'group': '', 'sha1': ''}


def file_facts(path):
    """Mode, owner and group of ``path`` itself (a symbolic link is not followed, as ``stat -c``), and the sha1 of
    the regular file it is or points to ('' otherwise)."""
    facts = empty_file_facts(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return facts
    except OSError as exc:
        raise HostFileError('cannot look at %s: %s' % (path, exc.strerror or type(exc).__name__))
    kind = kind_of(st.st_mode)
    if kind == 'link' and not os.path.exists(path):
        # a dangling link: `[ -e ]` says not there
        return facts
    facts.update(exists=True, type=kind, mode='%04o' % stat.S_IMODE(st.st_mode),
                 owner=user_name(st.st_uid), group=group_name(st.st_gid))
    if os.path.isfile(path):
        try:
            facts['sha1'] = _sha1(path)
        except OSError as exc:
            raise HostFileError('cannot read %s: %s' % (path, exc.strerror or type(exc).__name__))
    return facts


def read_json_object(path, what):
    """The JSON object kept in ``path``; {} when there is no such file. Raises HostFileError when it is there but
    unreadable or not a JSON object: a deploy must not take such a file for a missing one (it would make new
    secrets, or forget where it starts from). The message never quotes the content."""
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise HostFileError('cannot read the %s %s: %s' % (what, path, exc.strerror or type(exc).__name__))
    try:
        data = json.loads(raw.decode('utf-8'))
    except (ValueError, UnicodeDecodeError) as exc:
        where = (' (line %s)' % exc.lineno) if isinstance(exc, json.JSONDecodeError) else ''
        raise HostFileError('the %s %s is not valid JSON%s' % (what, path, where))
    if not isinstance(data, dict):
        raise HostFileError('the %s %s holds a JSON %s, not an object' % (what, path, type(data).__name__))
    return data


def empty_lock(path):
    return {'path': path, 'state': 'free' if path else '', 'age': 0, 'holder': {}}


def read_lock(path, now):
    """The run lock as ``chatwoot-lock.sh show`` reads it: state V(held) with the holder's key=value lines and the
    lock's age in seconds, or V(free). The lock file is replaced whole (mv), so it is read whole without its guard."""
    lock = empty_lock(path)
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8', errors='replace')
    except FileNotFoundError:
        return lock
    except OSError as exc:
        raise HostFileError('cannot read the lock %s: %s' % (path, exc.strerror or type(exc).__name__))
    holder = {}
    for line in text.splitlines():
        if '=' in line:
            key, value = line.split('=', 1)
            holder.setdefault(key, value)
    started = holder.get('started', '')
    lock.update(state='held', holder=holder, age=int(now) - int(started) if started.isdigit() else 0)
    return lock
