# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What chatwoot_files does to one path: look at it without following a link, name owners and modes, write a file
atomically (a temporary file in the same directory, its mode and owner set, synced, validated, renamed over the
old one), create a directory, set mode and owner.

Private to the sinapum.chatwoot collection: no API promise.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat
import tempfile


class AtomicFileError(Exception):
    """A path that cannot be looked at or written; the message names the path, never the content."""


_MODE = re.compile(r'^[0-7]{3,4}$')


def _why(exc):
    return exc.strerror or type(exc).__name__


def parse_mode(value):
    """'0600' or '600' -> 0o600. An integer is refused: YAML reads 0644 as 420 and 644 as 644, and which one was
    meant cannot be told."""
    if not isinstance(value, str) or not _MODE.match(value):
        raise AtomicFileError('mode must be a quoted string of 3 or 4 octal digits such as \'0600\', got %r'
                              % (value,))
    return int(value, 8)


def format_mode(mode):
    return '%04o' % mode


def user_id(owner):
    """The uid of a user name (or of a number)."""
    if owner.isdigit():
        return int(owner)
    try:
        return pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise AtomicFileError('owner %r is not a user on this host' % owner)


def group_id(group):
    """The gid of a group name (or of a number)."""
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise AtomicFileError('group %r is not a group on this host' % group)


def user_name(uid):
    """The name of a uid, or the number when no user has it."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid):
    """The name of a gid, or the number when no group has it."""
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def kind_of(st_mode):
    """V(link), V(directory), V(file) or V(other), of an lstat's mode."""
    if stat.S_ISLNK(st_mode):
        return 'link'
    if stat.S_ISDIR(st_mode):
        return 'directory'
    if stat.S_ISREG(st_mode):
        return 'file'
    return 'other'


def look(path):
    """What ``path`` itself is (a link is not followed): None when nothing is there, else a dict with ``kind``
    (V(file), V(directory), V(link), V(other)), ``mode`` (permission bits), ``uid`` and ``gid``."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AtomicFileError('cannot look at %s: %s' % (path, _why(exc)))
    return {'kind': kind_of(st.st_mode), 'mode': stat.S_IMODE(st.st_mode), 'uid': st.st_uid, 'gid': st.st_gid}


def read_bytes(path):
    """The content of the regular file ``path``, not following a link."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0))
    except OSError as exc:
        raise AtomicFileError('cannot read %s: %s' % (path, _why(exc)))
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                return b''.join(chunks)
            chunks.append(chunk)
    except OSError as exc:
        raise AtomicFileError('cannot read %s: %s' % (path, _why(exc)))
    finally:
        os.close(fd)


def _fsync_directory(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        # some file systems cannot sync a directory; the rename itself is done
        pass
    finally:
        os.close(fd)


def write_atomic(path, data, mode, uid, gid, validate=None):
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never a part: a temporary file
    in the same directory gets the data, its owner and mode, is synced, given to ``validate(temp_path)`` (which
    raises to refuse it) and renamed over ``path``. On any failure the temporary file is removed and ``path`` is
    left as it was."""
    directory = os.path.dirname(path)
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path), suffix='.tmp')
    except OSError as exc:
        raise AtomicFileError('cannot create a temporary file in %s: %s' % (directory, _why(exc)))
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            # owner first: chown clears the set-user-ID and set-group-ID bits
            os.fchown(fd, uid, gid)
            os.fchmod(fd, mode)
            os.fsync(fd)
        except OSError as exc:
            raise AtomicFileError('cannot write %s: %s' % (temp, _why(exc)))
        finally:
            os.close(fd)
        if validate is not None:
            validate(temp)
        try:
            os.replace(temp, path)
        except OSError as exc:
            raise AtomicFileError('cannot rename %s to %s: %s' % (temp, path, _why(exc)))
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def set_attributes(path, mode, uid, gid, seen):
    """Give ``path`` (as ``look`` saw it in ``seen``) ``mode``, ``uid`` and ``gid`` where they differ."""
    try:
        if (seen['uid'], seen['gid']) != (uid, gid):
            os.chown(path, uid, gid, follow_symlinks=False)
        # after chown, which may have cleared the set-ID bits
        if seen['mode'] != mode or (seen['uid'], seen['gid']) != (uid, gid):
            os.chmod(path, mode)
    except OSError as exc:
        raise AtomicFileError('cannot set the mode or owner of %s: %s' % (path, _why(exc)))


def make_directory(path, mode, uid, gid):
    """Create ``path`` with ``mode``, ``uid`` and ``gid``; missing parents are created with the default mode (as the
    umask leaves it) and owner, as ``mkdir -p`` does."""
    try:
        parent = os.path.dirname(path)
        if parent and not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        os.mkdir(path, 0o700)
        os.chown(path, uid, gid, follow_symlinks=False)
        # mkdir's mode is masked by the umask; chmod's is not
        os.chmod(path, mode)
    except OSError as exc:
        raise AtomicFileError('cannot create directory %s: %s' % (path, _why(exc)))
