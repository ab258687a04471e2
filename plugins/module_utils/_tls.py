# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TLS contexts that verify as Chatwoot's own clients do (ssl module only).

Private to the sinapum.chatwoot collection: no API promise.
Redis (redis-client through Ruby's OpenSSL) trusts OpenSSL's default store, which is the system's CAs or what
SSL_CERT_FILE names; a private CA is added to it. libpq's verify-ca and verify-full trust only the root
certificate file (sslrootcert, default ~/.postgresql/root.crt), never the system's CAs.
"""

from __future__ import annotations

import os
import ssl

LIBPQ_SSLMODES = ('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full')
LIBPQ_VERIFYING_MODES = ('verify-ca', 'verify-full')


class CaFileError(ValueError):
    """A CA file that cannot be used; the message names the option and says why."""


def check_ca_file(option, path):
    """Raise CaFileError unless ``path`` holds at least one PEM certificate."""
    if not os.path.exists(path):
        raise CaFileError('%s %s does not exist' % (option, path))
    if not os.path.isfile(path):
        raise CaFileError('%s %s is not a file' % (option, path))
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, ValueError):
        raise CaFileError('%s %s holds no PEM certificate' % (option, path))
    except OSError as exc:
        raise CaFileError('%s %s cannot be read: %s' % (option, path, exc.strerror or type(exc).__name__))


def redis_context(validate_certs=True, ca_file=None):
    """System CAs plus ``ca_file``, chain and name checked; or no verification at all."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def libpq_root_cert(sslmode, ca_file, home=None, mode_option='sslmode', ca_option='CA file'):
    """The root certificate file libpq would use: ``ca_file`` (sslrootcert), else ~/.postgresql/root.crt when it
    exists, else None. libpq verifies the chain whenever it has one, whatever the mode.

    Raises CaFileError when a verifying mode has none (libpq refuses to connect then), or when the file cannot be
    used; the options are named as the caller calls them.
    """
    if sslmode == 'disable':
        return None
    if ca_file:
        check_ca_file(ca_option, ca_file)
        return ca_file
    default = os.path.join(home or os.path.expanduser('~'), '.postgresql', 'root.crt')
    if os.path.isfile(default):
        check_ca_file('the default root certificate', default)
        return default
    if sslmode in LIBPQ_VERIFYING_MODES:
        raise CaFileError('%s %s verifies the server\'s certificate and needs the CA that signed it: no %s is '
                          'given and %s (where libpq looks by default) does not exist'
                          % (mode_option, sslmode, ca_option, default))
    return None


def libpq_context(sslmode, root_cert=None):
    """The context for a libpq ``sslmode``: with a root certificate the chain is verified against it alone (not
    the system's CAs), and verify-full checks the host name too; without one nothing is verified."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if root_cert is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    context.load_verify_locations(cafile=root_cert)
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = sslmode == 'verify-full'
    return context


def describe_verify_error(exc):
    """'certificate verify failed: <OpenSSL's words>' for a failed verification, else None."""
    cert_error = getattr(ssl, 'SSLCertVerificationError', None)
    if cert_error is not None and isinstance(exc, cert_error):
        return 'certificate verify failed: %s' % (getattr(exc, 'verify_message', None) or exc.reason)
    return None
