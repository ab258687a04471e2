# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared vocabulary of the chatwoot_health probes.

Private to the sinapum.chatwoot collection: no API promise.
A component result is a plain dict with ``status``, ``latency_ms`` and ``reason`` plus
component-specific details; this file builds such dicts, measures time, turns socket
errors into plain words and removes secrets from anything that leaves the module.
"""

from __future__ import annotations

import errno
import socket
import ssl
import time

try:  # Python 3 only module_utils; quote() is stdlib
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    quote = None

from ansible_collections.sinapum.chatwoot.plugins.module_utils._tls import describe_verify_error

OK = 'ok'
FAILING = 'failing'
SKIPPED = 'skipped'

COMPONENTS = ('web', 'postgres', 'redis', 'sidekiq')

MASK = '********'


class ProbeTimeout(Exception):
    """The probe's time budget ran out."""


class Deadline(object):
    """A time budget shared by all the network operations of one probe."""

    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = float(seconds)
        self.clock = clock
        self.start = clock()
        self.end = self.start + self.seconds

    def remaining(self):
        """Seconds left; raise ProbeTimeout when none is."""
        left = self.end - self.clock()
        if left <= 0:
            raise ProbeTimeout('no answer within %s s' % format_seconds(self.seconds))
        return left

    def elapsed_ms(self):
        return round((self.clock() - self.start) * 1000.0, 1)


def format_seconds(value):
    """1.0 -> '1', 0.25 -> '0.25'."""
    value = float(value)
    if value == int(value):
        return '%d' % int(value)
    return ('%.3f' % value).rstrip('0').rstrip('.')


def component(status, reason='', latency_ms=0.0, **details):
    """Build one component entry."""
    entry = {'status': status, 'latency_ms': latency_ms, 'reason': reason}
    entry.update(details)
    return entry


def skipped(reason):
    return component(SKIPPED, reason)


def is_timeout(exc):
    return isinstance(exc, (socket.timeout, ProbeTimeout)) or (
        isinstance(exc, OSError) and getattr(exc, 'errno', None) == errno.ETIMEDOUT)


def describe_os_error(exc, where, timeout=None):
    """Plain words for a network error raised while talking to ``where`` ('host:port')."""
    if isinstance(exc, ProbeTimeout) or is_timeout(exc):
        if timeout is not None:
            return 'no answer from %s within %s s (timeout)' % (where, format_seconds(timeout))
        return 'no answer from %s (timeout)' % where
    if isinstance(exc, ConnectionRefusedError):
        return 'connection refused on %s (nothing listens there)' % where
    if isinstance(exc, socket.gaierror):
        return 'cannot resolve the host of %s (%s)' % (where, exc.strerror or exc)
    if isinstance(exc, ssl.SSLError):
        return 'TLS failed with %s: %s' % (where, describe_verify_error(exc) or getattr(exc, 'reason', None) or exc)
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return 'connection to %s was reset by the server' % where
    if isinstance(exc, FileNotFoundError):
        return 'socket %s does not exist' % where
    if isinstance(exc, PermissionError):
        return 'permission denied on %s' % where
    if isinstance(exc, OSError) and exc.errno == errno.EHOSTUNREACH:
        return 'host of %s is unreachable' % where
    if isinstance(exc, OSError) and exc.strerror:
        return '%s: %s' % (where, exc.strerror)
    return '%s: %s' % (where, exc)


def host_port(host, port):
    if ':' in host and not host.startswith('['):
        return '[%s]:%s' % (host, port)
    return '%s:%s' % (host, port)


def _secret_forms(secret):
    forms = {secret}
    if quote is not None:
        forms.add(quote(secret, safe=''))
        forms.add(quote(secret))
    return [f for f in forms if f]


def scrub_text(text, secrets):
    """Replace every secret (and its URL-encoded forms) in ``text`` by a mask."""
    if not isinstance(text, str) or not text:
        return text
    for secret in secrets:
        if not secret:
            continue
        for form in sorted(_secret_forms(secret), key=len, reverse=True):
            if form in text:
                text = text.replace(form, MASK)
    return text


def scrub(value, secrets):
    """Recursively scrub secrets out of strings in dicts, lists and tuples (keys included)."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return value
    if isinstance(value, dict):
        return dict((scrub_text(k, secrets), scrub(v, secrets)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(v, secrets) for v in value)
    if isinstance(value, str):
        return scrub_text(value, secrets)
    return value


# Web and worker fail when the database or Redis does: a failing backing service is named first, as the cause.
CAUSE_ORDER = ('postgres', 'redis', 'web', 'sidekiq')


def summarize(components, order=COMPONENTS):
    """Return (healthy, failed_components, msg) for a dict of component entries."""
    failed = [name for name in order if name in components and components[name]['status'] == FAILING]
    checked = [name for name in order if name in components and components[name]['status'] != SKIPPED]
    if failed:
        named = sorted(failed, key=lambda name: CAUSE_ORDER.index(name) if name in CAUSE_ORDER else len(CAUSE_ORDER))
        msg = '%s: %s' % (named[0], components[named[0]]['reason'])
        if len(named) > 1:
            msg += ' (also failing: %s)' % ', '.join(named[1:])
        return False, failed, msg
    if not checked:
        return True, [], 'no component was checked'
    return True, [], 'healthy: %s ok' % ', '.join(checked)
