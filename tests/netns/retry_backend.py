# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A flaky backend like the Gateway API conformance echo-basic retry simulator
(conformance/echo-basic/echo-basic.go, retrySimulationHandler, v1.6.1).

GET /anything?uuid=U&succeedAfter=N[&responseCode=C|&delayMs=D]: the first N
requests carrying uuid U fail, later ones get 200. A failure is status C; or,
with delayMs, a 200 that comes D ms late (a backend timeout to the gateway);
or, without either, a TCP RST (SO_LINGER 0 close) instead of any answer. The count
is per uuid across connections. GET /count?uuid=U answers the number of
requests seen for U (failed or not), without counting itself.
"""
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

seen = {}
lock = threading.Lock()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        uuid = q.get("uuid")
        if not uuid:
            return self.reply(400, b"uuid is required\n")
        if u.path == "/count":
            with lock:
                return self.reply(200, b"%d\n" % seen.get(uuid, 0))
        with lock:
            n = seen.get(uuid, 0)
            seen[uuid] = n + 1
        if n >= int(q.get("succeedAfter", "0")):
            return self.reply(200, b"ok after %d\n" % n)
        if "responseCode" in q:
            return self.reply(int(q["responseCode"]), b"failing\n")
        if "delayMs" in q:
            time.sleep(int(q["delayMs"]) / 1000.0)
            try:
                return self.reply(200, b"late %d\n" % n)
            except OSError:
                return  # the gateway gave up on this attempt

        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))


ThreadingHTTPServer.address_family = socket.AF_INET
ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
