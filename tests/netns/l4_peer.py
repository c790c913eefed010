#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Clients and backends for the userspace L4 tests (test-gwd-l4.sh).

  l4_peer.py pods HOST PORT N            N HTTP/1.0 GETs, one connection each:
                                         prints "POD COUNT" per pod (gw-echo JSON)
  l4_peer.py echo-bulk HOST PORT MB      MB MiB to a TCP echo while reading it
                                         back; checks length and sha256
  l4_peer.py halfclose HOST PORT MB      MB MiB, then shutdown(SHUT_WR); expects
                                         "<bytes> <sha256>" back after our FIN
  l4_peer.py refused HOST PORT           connects; expects reset or EOF, no byte
  l4_peer.py sink-backend PORT           TCP backend: reads to EOF, answers
                                         "<bytes> <sha256>\\n", closes
  l4_peer.py udp-backend NAME PORT       UDP backend: answers "NAME PEERPORT DATA"
  l4_peer.py udp-clients HOST PORT N     N client sockets, two datagrams each:
                                         each gets its own payload back from one
                                         backend; prints "NAME COUNT" per backend
  l4_peer.py udp-big HOST PORT          a 9000-byte datagram gets no answer (too
                                         big for gwd's buffers: dropped, never cut),
                                         a small one after it does
  l4_peer.py udp-idle HOST PORT SECS     one client: two datagrams share a session
                                         (same backend source port), a third after
                                         SECS idle gets a new one
Exit status 0 when what was expected happened, 1 otherwise (with a reason).
"""
import hashlib
import json
import os
import socket
import sys
import threading
import time


def die(msg):
    print("l4_peer: " + msg, file=sys.stderr)
    sys.exit(1)


def conn(host, port):
    s = socket.create_connection((host, int(port)), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_to_eof(s):
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            return data
        data += b


def pods(host, port, n):
    counts = {}
    for i in range(int(n)):
        s = conn(host, port)
        s.sendall(b"GET /l4-%d HTTP/1.0\r\nHost: l4\r\n\r\n" % i)
        data = read_to_eof(s)
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0]:
            die("request %d: bad response %r" % (i, data[:200]))
        pod = json.loads(body)["pod"]
        counts[pod] = counts.get(pod, 0) + 1
    for k in sorted(counts):
        print(k, counts[k])


def payload(mb):
    # random, so a reordered, repeated or lost block changes the digest
    return [os.urandom(1 << 20) for _ in range(int(mb))]


def echo_bulk(host, port, mb):
    # connected first: the tunnel exists from the start (the reload test counts on it)
    s = conn(host, port)
    s.settimeout(60)
    blocks = payload(mb)
    want = hashlib.sha256(b"".join(blocks)).hexdigest()
    total = sum(len(b) for b in blocks)

    def send():
        for b in blocks:
            s.sendall(b)
        s.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=send)
    t0 = time.time()
    t.start()
    h, got = hashlib.sha256(), 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            break
        h.update(b)
        got += len(b)
    t.join()
    s.close()
    dt = time.time() - t0
    if got != total or h.hexdigest() != want:
        die("echoed %d of %d bytes, sha256 %s, want %s" % (got, total, h.hexdigest(), want))
    print("echoed %d bytes intact in %.2f s (%.0f MB/s)" % (got, dt, got / dt / 1e6))


def halfclose(host, port, mb):
    blocks = payload(mb)
    data_sha = hashlib.sha256(b"".join(blocks)).hexdigest()
    total = sum(len(b) for b in blocks)
    s = conn(host, port)
    s.settimeout(60)
    for b in blocks:
        s.sendall(b)
    # our FIN: the backend answers only after it saw it, so the answer must
    # travel back through the half-closed tunnel
    s.shutdown(socket.SHUT_WR)
    reply = read_to_eof(s)
    s.close()
    want = ("%d %s\n" % (total, data_sha)).encode()
    if reply != want:
        die("after our FIN the backend said %r, want %r" % (reply[:200], want))
    print("half-close: %d bytes, answer after FIN intact" % total)


def refused(host, port):
    try:
        s = conn(host, port)
    except ConnectionResetError:
        # on loopback the reset can come before connect() has returned
        print("reset")
        return
    s.settimeout(5)
    try:
        b = s.recv(1)
    except ConnectionResetError:
        print("reset")
        return
    except socket.timeout:
        die("connection neither reset nor closed within 5 s")
    if b:
        die("got a byte from a route without a usable backend: %r" % b)
    print("closed")


def sink_backend(port):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", int(port)))
    ls.listen(16)

    def serve(c):
        h, n = hashlib.sha256(), 0
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
        c.sendall(("%d %s\n" % (n, h.hexdigest())).encode())
        c.close()

    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def udp_backend(name, port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", int(port)))
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(b"%s %d " % (name.encode(), peer[1]) + data, peer)


def udp_ask(s, host, port, data):
    s.sendto(data, (host, int(port)))
    reply = s.recv(65536)
    name, pport, echoed = reply.split(b" ", 2)
    if echoed != data:
        die("sent %r, got back %r" % (data, reply))
    return name.decode(), int(pport)


def udp_clients(host, port, n):
    counts = {}
    socks = []
    for i in range(int(n)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        socks.append(s)
    # all first datagrams, then all second ones: sessions of different clients interleave
    first = [udp_ask(s, host, port, b"client %d first" % i) for i, s in enumerate(socks)]
    for i, s in enumerate(socks):
        again = udp_ask(s, host, port, b"client %d second" % i)
        if again != first[i]:
            die("client %d moved from %s to %s within its session" % (i, first[i], again))
        counts[again[0]] = counts.get(again[0], 0) + 1
    for k in sorted(counts):
        print(k, counts[k])


def udp_big(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.sendto(b"x" * 9000, (host, int(port)))
    try:
        reply = s.recv(65536)
        die("a 9000-byte datagram was answered with %d bytes" % len(reply))
    except socket.timeout:
        pass
    s.settimeout(5)
    print("big dropped, then", udp_ask(s, host, port, b"small"))


def udp_idle(host, port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    a = udp_ask(s, host, port, b"one")
    b = udp_ask(s, host, port, b"two")
    if a != b:
        die("two datagrams in a row used different sessions: %s, %s" % (a, b))
    time.sleep(float(secs))
    c = udp_ask(s, host, port, b"three")
    if c[1] == a[1]:
        die("after %s s idle the session (backend source port %d) still exists" % (secs, a[1]))
    print("session %s, then after idle %s" % (a, c))


CMDS = {"pods": pods, "echo-bulk": echo_bulk, "halfclose": halfclose, "refused": refused,
        "sink-backend": sink_backend, "udp-backend": udp_backend, "udp-clients": udp_clients,
        "udp-big": udp_big, "udp-idle": udp_idle}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CMDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    CMDS[sys.argv[1]](*sys.argv[2:])
