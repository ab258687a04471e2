# SPDX-License-Identifier: GPL-3.0-or-later
# Prints `ALTER ROLE "<role>" PASSWORD '<SCRAM-SHA-256 verifier>';` for the password read from stdin, as psql's
# \password does: the verifier is made here, so the password itself never reaches the server, where a statement
# that fails is written to its log. The verifier is PostgreSQL's format (RFC 5802/7677, 4096 iterations, 16 bytes of
# salt), of the password prepared as PostgreSQL's clients prepare it (SASLprep, RFC 4013; a password SASLprep refuses
# is used as it is, as pg_saslprep does). Usage: python3 -c "$(cat this)" ROLE < password
import base64
import hashlib
import hmac
import os
import stringprep
import sys
import unicodedata


def saslprep(password):
    mapped = ''.join(' ' if stringprep.in_table_c12(c) else c for c in password if not stringprep.in_table_b1(c))
    prepared = unicodedata.normalize('NFKC', mapped)
    prohibited = (stringprep.in_table_a1, stringprep.in_table_c12, stringprep.in_table_c21_c22, stringprep.in_table_c3,
                  stringprep.in_table_c4, stringprep.in_table_c5, stringprep.in_table_c6, stringprep.in_table_c7,
                  stringprep.in_table_c8, stringprep.in_table_c9)
    if not prepared or any(test(c) for c in prepared for test in prohibited):
        return password
    if any(stringprep.in_table_d1(c) for c in prepared):
        if any(stringprep.in_table_d2(c) for c in prepared) or not (
                stringprep.in_table_d1(prepared[0]) and stringprep.in_table_d1(prepared[-1])):
            return password
    return prepared


def b64(data):
    return base64.b64encode(data).decode('ascii')


def verifier(password, iterations=4096):
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac('sha256', saslprep(password).encode('utf-8'), salt, iterations)
    client_key = hmac.new(salted, b'Client Key', hashlib.sha256).digest()
    server_key = hmac.new(salted, b'Server Key', hashlib.sha256).digest()
    return 'SCRAM-SHA-256$%d:%s$%s:%s' % (iterations, b64(salt), b64(hashlib.sha256(client_key).digest()), b64(server_key))


def main():
    role = sys.argv[1]
    password = sys.stdin.buffer.read().decode('utf-8')
    if not password:
        sys.exit('no password on stdin')
    sys.stdout.write('ALTER ROLE "%s" PASSWORD \'%s\';\n' % (role.replace('"', '""'), verifier(password)))


main()
