#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Regenerates the committed seed corpus of the tls_sniff fuzz target: the
first bytes real TLS clients send (openssl s_client, curl, Python's ssl),
captured on a local socket, plus the same hellos cut into several records
and a plain-HTTP request. Run from the repository root:

    tests/fuzz/tls_sniff/gen-corpus.py

Grow the corpus afterwards only with libFuzzer's -merge=1."""
import os
import socket
import ssl
import subprocess
import threading

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def capture(client):
    """Runs client(port) against a listener that records what arrives, then closes."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    got = bytearray()

    def accept():
        conn, _ = srv.accept()
        conn.settimeout(1.0)
        try:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                got.extend(chunk)
                if len(got) >= 5 and len(got) >= 5 + int.from_bytes(got[3:5], "big"):
                    break
        except socket.timeout:
            pass
        conn.close()

    t = threading.Thread(target=accept)
    t.start()
    client(port)
    t.join()
    srv.close()
    return bytes(got)


def run(args):
    def client(port):
        subprocess.run([a.replace("PORT", str(port)) for a in args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
    return client


def python_client(sni, alpn):
    def client(port):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if alpn:
            ctx.set_alpn_protocols(alpn)
        try:
            with socket.create_connection(("127.0.0.1", port)) as s:
                ctx.wrap_socket(s, server_hostname=sni)
        except (ssl.SSLError, OSError):
            pass
    return client


def refragment(hello, size):
    """The handshake message of a one-record hello in records of size bytes."""
    msg, out = hello[5:], bytearray()
    for i in range(0, len(msg), size):
        part = msg[i:i + size]
        out += bytes([0x16, 3, 1]) + len(part).to_bytes(2, "big") + part
    return bytes(out)


CLIENTS = {
    "s_client-sni-alpn": run(["openssl", "s_client", "-connect", "127.0.0.1:PORT",
                              "-servername", "www.example.com", "-alpn", "h2,http/1.1"]),
    "s_client-nosni": run(["openssl", "s_client", "-connect", "127.0.0.1:PORT",
                           "-noservername"]),
    "s_client-tls12": run(["openssl", "s_client", "-connect", "127.0.0.1:PORT", "-tls1_2",
                           "-servername", "legacy.example.org"]),
    "s_client-tls13-groups": run(["openssl", "s_client", "-connect", "127.0.0.1:PORT",
                                  "-tls1_3", "-groups", "X25519:P-256:P-384:P-521",
                                  "-servername", "a.b.example.com", "-alpn", "imap"]),
    "curl-h2": run(["curl", "-sk", "--max-time", "2", "--resolve",
                    "www.example.com:PORT:127.0.0.1", "https://www.example.com:PORT/"]),
    "curl-http1": run(["curl", "-sk", "--http1.1", "--max-time", "2", "--resolve",
                       "api.example.net:PORT:127.0.0.1", "https://api.example.net:PORT/"]),
    "python-sni-alpn": python_client("grpc.example.com", ["h2"]),
    "python-nosni": python_client(None, None),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    hellos = {}
    for name, client in CLIENTS.items():
        data = capture(client)
        if not data or data[0] != 0x16:
            print(f"{name}: no ClientHello captured, skipped")
            continue
        hellos[name] = data
    for name, data in hellos.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    for name in ("s_client-sni-alpn", "curl-h2"):
        if name in hellos:
            for size in (20, 100):
                with open(os.path.join(OUT, f"{name}-records-{size}"), "wb") as f:
                    f.write(refragment(hellos[name], size))
    with open(os.path.join(OUT, "http-request"), "wb") as f:
        f.write(b"GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
    print(f"{len(os.listdir(OUT))} files in {OUT}")


if __name__ == "__main__":
    main()
