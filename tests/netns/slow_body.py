#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A client that trickles its request body, for tests/netns/test-gwd-slow.sh:

    slow_body.py HOST PORT AUTHORITY h1|h2 SECONDS

sends a complete request head announcing a body (HTTP/1.1: Content-Length
1000000; HTTP/2: HEADERS with END_HEADERS, no END_STREAM), then one body
byte every 0.5 s for at most SECONDS, and prints one line: "answered STATUS
after S s" when a response head arrived (h2: STATUS is "h2", the HPACK block
is not decoded), "reset after S s" for RST_STREAM/GOAWAY, "closed after S s"
when the connection ended first, or "open after S s".
"""
import socket
import sys
import time

import h2attack as h


def main():
    host, port, authority, proto, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4], float(sys.argv[5])
    s = socket.create_connection((host, port))
    if proto == "h1":
        s.sendall(b"POST /slow HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000000\r\n\r\n" %
                  authority.encode())
    else:
        s.sendall(h.PREFACE + h.frame(h.SETTINGS, 0, 0) +
                  h.frame(h.HEADERS, h.END_HEADERS, 1, h.request_block(authority, "/slow")))
    s.setblocking(False)
    start, buf, verdict = time.time(), b"", None
    while verdict is None and time.time() - start < seconds:
        try:
            s.sendall(b"x" if proto == "h1" else h.frame(h.DATA, 0, 1, b"x"))
        except OSError:
            verdict = "closed"
            break
        time.sleep(0.5)
        try:
            d = s.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            d = b""
        if not d:
            verdict = "closed"
            break
        buf += d
        if proto == "h1":
            if b"\r\n" in buf:
                verdict = "answered " + buf.split(b"\r\n")[0].split(b" ")[1].decode()
            continue
        frames, buf = h.frames_of(buf)
        for ftype, _, sid, _ in frames:
            if ftype == h.HEADERS and sid == 1:
                verdict = "answered h2"
            elif ftype in (h.RST_STREAM, h.GOAWAY) and verdict is None:
                verdict = "reset"
    print(f"{verdict or 'open'} after {time.time() - start:.1f} s")


if __name__ == "__main__":
    main()
