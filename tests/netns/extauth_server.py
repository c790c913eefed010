#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A tiny HTTP authorization service for the ExternalAuth netns tests.

    extauth_server.py PORT

Allows requests whose Authorization is "Bearer good" (200, with
"X-Auth-User: alice" and "X-Auth-Request-Path: <path it saw>", fields the
backend must receive), answers "Bearer forbidden" with 403 and any other
request with 401 + WWW-Authenticate, each with a body the client must get;
"Bearer slow" is allowed after 1 s, "Bearer quiet" with no fields.
Every request it receives is printed as one JSON line on stdout (method,
path, headers lowercased, body), so tests assert on what gwd sent it.
"""
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: gwd pools the connection

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("latin-1"),
        }
        print(json.dumps(seen), flush=True)
        auth = self.headers.get("Authorization", "")
        if auth == "Bearer slow":
            time.sleep(1)
            auth = "Bearer good"
        if auth == "Bearer quiet":
            self.reply(200, b"", [])
        elif auth == "Bearer good":
            self.reply(200, b"", [("X-Auth-User", "alice"),
                                  ("X-Auth-Request-Path", self.path)])
        elif auth == "Bearer forbidden":
            self.reply(403, b"forbidden by the auth service\n",
                       [("Content-Type", "text/plain"), ("X-Deny-Reason", "policy")])
        else:
            self.reply(401, b"denied by the auth service\n",
                       [("Content-Type", "text/plain"),
                        ("WWW-Authenticate", 'Bearer realm="xdpgw-test"')])

    def reply(self, status, body, fields):
        self.send_response(status)
        for name, value in fields:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = answer

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer.address_family = socket.AF_INET6
    server = ThreadingHTTPServer(("::", int(sys.argv[1])), Handler)
    print("listening", flush=True)
    server.serve_forever()
