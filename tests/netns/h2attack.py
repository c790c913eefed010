#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""HTTP/2 attacks over h2c with prior knowledge, from raw frames, for
tests/netns/test-gwd-tls.sh:

    h2attack.py HOST PORT AUTHORITY rapid-reset|continuation|hpack-bomb|settings-flood|normal
    h2attack.py HOST PORT AUTHORITY cookies|stream-id-regress
    h2attack.py HOST PORT AUTHORITY slow-headers [CONNS [tls]]

Sends the attack, then reads until the server closes (10 s at most) and
prints one line: "goaway CODE frames N" when a GOAWAY arrived (N = frames
received), "closed frames N" when the connection ended without one, or
"open frames N" when the server neither closed nor sent GOAWAY in time.
"normal" sends one well-formed request with the same encoder and prints
"response frames N" once its response ended (a check of this client);
"cookies" does the same with three cookie fields and prints the response
body. "stream-id-regress" sends HEADERS on stream 5, then on stream 3.
"slow-headers" opens CONNS connections (over TLS with ALPN h2 if "tls"
follows), each sending the preface, SETTINGS and a HEADERS frame without
END_HEADERS, then waits up to 40 s and prints "slow closed C of N after S s"
(S = when the last of the C closed connections closed).
"""
import selectors
import socket
import ssl
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, GOAWAY, CONTINUATION = 0, 1, 3, 4, 7, 9
END_STREAM, END_HEADERS = 0x1, 0x4


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


def literal(index, value):
    """Literal field without indexing, name from the static table."""
    v = value.encode()
    return hpack_int(index, 4, 0x00) + hpack_int(len(v), 7, 0) + v


def request_block(authority, path="/"):
    # :method GET, :scheme http, :path, :authority
    return b"\x82\x86" + (b"\x84" if path == "/" else literal(4, path)) + literal(1, authority)


def attack(sock, kind, authority):
    out = [PREFACE, frame(SETTINGS, 0, 0)]
    if kind == "normal":
        out.append(frame(HEADERS, END_STREAM | END_HEADERS, 1, request_block(authority, "/ok")))
    elif kind == "cookies":
        block = request_block(authority, "/cookies")
        for c in ("a=1", "b=2", "c=3"):
            block += literal(32, c)  # cookie
        out.append(frame(HEADERS, END_STREAM | END_HEADERS, 1, block))
    elif kind == "stream-id-regress":
        out.append(frame(HEADERS, END_STREAM | END_HEADERS, 5, request_block(authority)))
        out.append(frame(HEADERS, END_STREAM | END_HEADERS, 3, request_block(authority)))
    elif kind == "rapid-reset":
        for i in range(5000):
            sid = 1 + 2 * i
            out.append(frame(HEADERS, END_STREAM | END_HEADERS, sid,
                             request_block(authority, "/rr")))
            out.append(frame(RST_STREAM, 0, sid, struct.pack(">I", 8)))  # CANCEL
    elif kind == "continuation":
        block = request_block(authority)
        out.append(frame(HEADERS, END_STREAM, 1, block[:2]))
        for _ in range(10000):
            out.append(frame(CONTINUATION, 0, 1, b""))
        out.append(frame(CONTINUATION, END_HEADERS, 1, block[2:]))
    elif kind == "hpack-bomb":
        # one 4000-byte field into the dynamic table, then 1000 references to it
        name, value = b"x-bomb", b"a" * 4000
        block = request_block(authority)
        block += b"\x40" + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value
        block += b"\xbe" * 1000  # dynamic table index 62
        out.append(frame(HEADERS, END_STREAM | END_HEADERS, 1, block))
    elif kind == "settings-flood":
        out.extend(frame(SETTINGS, 0, 0) for _ in range(600000))
    data = b"".join(out)
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass


def connect(host, port, authority, tls):
    sock = socket.create_connection((host, port), timeout=10)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        sock = ctx.wrap_socket(sock, server_hostname=authority)
    return sock


def slow_headers(host, port, authority, conns, tls):
    """Heads that never end: how long until the server closes them."""
    sel = selectors.DefaultSelector()
    start = time.time()
    head = PREFACE + frame(SETTINGS, 0, 0) + frame(HEADERS, END_STREAM, 1,
                                                  request_block(authority)[:2])
    for _ in range(conns):
        sock = connect(host, port, authority, tls)
        sock.sendall(head)
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ)
    closed, last, deadline = 0, 0.0, time.time() + 40
    while closed < conns and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            try:
                chunk = key.fileobj.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except (OSError, ssl.SSLError):
                chunk = b""
            if not chunk:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                closed += 1
                last = time.time() - start
    print(f"slow closed {closed} of {conns} after {last:.1f} s")


def main():
    host, port, authority, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if kind == "slow-headers":
        conns = int(sys.argv[5]) if len(sys.argv) > 5 else 1
        slow_headers(host, port, authority, conns, len(sys.argv) > 6 and sys.argv[6] == "tls")
        return
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if kind == "settings-flood":
        # read nothing and keep the buffers small: the server's ACKs pile up
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    sock.settimeout(10)
    attack(sock, kind, authority)
    buf, body, frames, goaway, deadline = b"", b"", 0, None, time.time() + 10
    state = "open"
    try:
        while time.time() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                state = "closed"
                break
            buf += chunk
            while len(buf) >= 9:
                length = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + length:
                    break
                if buf[3] == GOAWAY and length >= 8:
                    goaway = int.from_bytes(buf[13:17], "big")
                if buf[3] == DATA and kind == "cookies":
                    body += buf[9:9 + length]
                if buf[3] == DATA and buf[4] & END_STREAM and kind in ("normal", "cookies"):
                    state = "response"
                frames += 1
                buf = buf[9 + length:]
            if state == "response":
                break
    except ConnectionResetError:
        state = "closed"
    except socket.timeout:
        pass
    if state == "response" and kind == "cookies":
        print(body.decode(errors="replace"))
    elif state == "response":
        print(f"response frames {frames}")
    elif goaway is not None:
        print(f"goaway {goaway} frames {frames}")
    else:
        print(f"{state} frames {frames}")


if __name__ == "__main__":
    main()
