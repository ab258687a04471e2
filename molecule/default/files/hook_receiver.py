# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helper of molecule/default, not part of the collection: a webhook receiver on the servers' network, as n8n or
Evolution API would be. Each POST is answered 200 and appended to the file given, as one JSON line: its path, the
X-Chatwoot-Timestamp and X-Chatwoot-Signature headers and the body as received (the signature is over those bytes).
Usage: hook_receiver.py PORT FILE"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # pylint: disable=invalid-name
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0)).decode('utf-8')
        line = dict(path=self.path, ts=self.headers.get('X-Chatwoot-Timestamp'),
                    sig=self.headers.get('X-Chatwoot-Signature'), body=body)
        with open(sys.argv[2], 'a', encoding='utf-8') as out:
            out.write(json.dumps(line) + '\n')
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """The requests are in the file; nothing in the journal."""


if __name__ == '__main__':
    ThreadingHTTPServer(('', int(sys.argv[1])), Receiver).serve_forever()
