#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The two echo-basic listeners gw-echo lacks, for tests/netns/test-gwd-conformance.sh.

  h2c-server --port P --name POD --namespace NS
      HTTP/2 over cleartext (prior knowledge, RFC 9113 3.3), as echo-basic's
      port 8081 (appProtocol kubernetes.io/h2c): every request is answered
      200 with gw-echo's JSON (pod, namespace, method, path, host, proto).
  ws-server --port P
      WebSocket (RFC 6455) echo of text and binary messages at any path, as
      echo-basic's port 8082 (appProtocol kubernetes.io/ws).
  ws-client --url URL --origin ORIGIN
      the HTTPRouteBackendProtocolWebSocket client: sends "Websocket
      Support!" and bytes 1..7, exits 0 when both come back unchanged.
  tcp-server --port P [--tls-port P --cert F --key F] --name POD --namespace NS
      echo-basic's TCP_ECHO_SERVER (conformance/echo-basic/tcpserver): a
      welcome line, then PING -> PONG, IS_TLS -> true|false, TEST -> one JSON
      line {"namespace", "pod", "isTLS", "tls": {"version", "serverName",
      "negotiatedProtocol", "cipherSuite"}}.
  https-server --port P --cert F --key F [--client-ca F] --name POD --namespace NS
      echo-basic with TLS_SERVER_CERT: HTTP/1.1 over TLS, every request
      answered 200 with gw-echo's JSON plus "tls": {"serverName",
      "peerCertificates"} (the SNI and the client certificate's subject it
      got; with --client-ca a client certificate of that CA is required).
  tcp-client --target HOST:PORT [--sni NAME --ca F]
      tcp.WaitForValidTCPResponse's dialogue; prints the TEST JSON with
      "isTLSAnswer" (the IS_TLS line) added; exit 1 if the welcome or PONG
      is wrong or the connection fails.
Debian's python3-h2 and python3-websockets (scripts/install-deps.sh).
"""
import argparse
import asyncio
import json
import socket
import sys
import threading


def h2c_server(args):
    import h2.config
    import h2.connection
    import h2.events

    def serve(sock):
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        heads = {}
        while True:
            data = sock.recv(65536)
            if not data:
                break
            for ev in conn.receive_data(data):
                if isinstance(ev, h2.events.RequestReceived):
                    heads[ev.stream_id] = {k.decode(): v.decode() for k, v in ev.headers}
                if isinstance(ev, h2.events.StreamEnded) and ev.stream_id in heads:
                    h = heads.pop(ev.stream_id)
                    body = json.dumps({
                        "pod": args.name, "namespace": args.namespace,
                        "method": h.get(":method"), "path": h.get(":path"),
                        "host": h.get(":authority", h.get("host")), "proto": "HTTP/2.0",
                        "headers": {k: v for k, v in h.items() if not k.startswith(":")},
                    }).encode() + b"\n"
                    conn.send_headers(ev.stream_id, [(":status", "200"),
                                                     ("content-type", "application/json"),
                                                     ("content-length", str(len(body)))])
                    conn.send_data(ev.stream_id, body, end_stream=True)
                if isinstance(ev, h2.events.ConnectionTerminated):
                    sock.sendall(conn.data_to_send())
                    sock.close()
                    return
            sock.sendall(conn.data_to_send())
        sock.close()

    srv = socket.socket(socket.AF_INET6)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::", args.port))
    srv.listen(64)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def ws_server(args):
    import websockets

    async def echo(ws, _path=None):
        async for msg in ws:
            await ws.send(msg)

    async def main():
        # host None: every address of both families (asyncio makes "::" v6-only)
        async with websockets.serve(echo, None, args.port):
            await asyncio.Future()

    asyncio.run(main())


def ws_client(args):
    import websockets

    async def main():
        async with websockets.connect(args.url, origin=args.origin, open_timeout=10) as ws:
            await ws.send("Websocket Support!")
            text = await asyncio.wait_for(ws.recv(), 10)
            await ws.send(bytes([1, 2, 3, 4, 5, 6, 7]))
            binary = await asyncio.wait_for(ws.recv(), 10)
        print(json.dumps({"text": text, "binary": list(binary) if isinstance(binary, bytes) else binary}))
        return text == "Websocket Support!" and binary == bytes([1, 2, 3, 4, 5, 6, 7])

    return 0 if asyncio.run(main()) else 1


WELCOME = "Gateway API Test TCP Server\n"


def tcp_server(args):
    import ssl

    def serve(conn, tls):
        f = conn.makefile("rwb", buffering=0)
        f.write(WELCOME.encode())
        for line in f:
            cmd = line.decode(errors="replace").strip()
            if cmd == "PING":
                f.write(b"PONG\n")
            elif cmd == "IS_TLS":
                f.write(b"true\n" if tls else b"false\n")
            elif cmd == "TEST":
                out = {"namespace": args.namespace, "pod": args.name, "isTLS": tls}
                if tls:
                    out["tls"] = {"version": conn.version(), "serverName": snis.get(id(conn), ""),
                                  "negotiatedProtocol": conn.selected_alpn_protocol() or "",
                                  "cipherSuite": conn.cipher()[0]}
                f.write(json.dumps(out).encode() + b"\n")
            else:
                f.write(b"unknown command\n")
        conn.close()

    snis = {}
    ctx = None
    if args.tls_port:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(args.cert, args.key)
        ctx.sni_callback = lambda sock, name, _ctx: snis.__setitem__(id(sock), name or "")

    def listen(port, tls):
        srv = socket.socket(socket.AF_INET6)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        srv.bind(("::", port))
        srv.listen(64)
        while True:
            c, _ = srv.accept()

            def run(c=c):
                try:
                    serve(ctx.wrap_socket(c, server_side=True) if tls else c, tls)
                except (OSError, ValueError):
                    c.close()
            threading.Thread(target=run, daemon=True).start()

    if args.tls_port:
        threading.Thread(target=listen, args=(args.tls_port, True), daemon=True).start()
    listen(args.port, False)


def tcp_client(args):
    import ssl

    host, port = args.target.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    if args.sni:
        ctx = ssl.create_default_context(cafile=args.ca)
        sock = ctx.wrap_socket(sock, server_hostname=args.sni)
    f = sock.makefile("rwb", buffering=0)
    if f.readline().decode() != WELCOME:
        return 1
    f.write(b"PING\n")
    if f.readline() != b"PONG\n":
        return 1
    f.write(b"IS_TLS\n")
    is_tls = f.readline().decode().strip()
    f.write(b"TEST\n")
    out = json.loads(f.readline())
    out["isTLSAnswer"] = is_tls
    print(json.dumps(out))
    return 0


def https_server(args):
    import http.server
    import ssl

    snis = {}
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.load_verify_locations(args.client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.sni_callback = lambda sock, name, _ctx: snis.__setitem__(id(sock), name or "")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_any(self):
            n = int(self.headers.get("content-length") or 0)
            if n:
                self.rfile.read(n)
            peer = self.connection.getpeercert() or {}
            subject = ",".join("%s=%s" % kv for rdn in peer.get("subject", ()) for kv in rdn)
            body = json.dumps({
                "pod": args.name, "namespace": args.namespace, "method": self.command,
                "path": self.path, "host": self.headers.get("host"), "proto": self.request_version,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "tls": {"serverName": snis.get(id(self.connection), ""),
                        "peerCertificates": [subject] if subject else []},
            }).encode() + b"\n"
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_any

        def log_message(self, fmt, *a):
            print("%s %s" % (self.client_address[0], fmt % a), flush=True)

    class Server(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6

        def server_bind(self):
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            super().server_bind()

        def get_request(self):
            c, a = self.socket.accept()
            return ctx.wrap_socket(c, server_side=True), a

    Server(("::", args.port), Handler).serve_forever()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["h2c-server", "ws-server", "ws-client", "tcp-server",
                                   "tcp-client", "https-server"])
    p.add_argument("--client-ca")
    p.add_argument("--tls-port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--target")
    p.add_argument("--sni")
    p.add_argument("--ca")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--name", default="pod")
    p.add_argument("--namespace", default="default")
    p.add_argument("--url")
    p.add_argument("--origin")
    args = p.parse_args()
    if args.mode == "h2c-server":
        h2c_server(args)
    elif args.mode == "ws-server":
        ws_server(args)
    elif args.mode == "tcp-server":
        tcp_server(args)
    elif args.mode == "https-server":
        https_server(args)
    elif args.mode == "tcp-client":
        try:
            sys.exit(tcp_client(args))
        except (OSError, ValueError) as e:
            print("tcp-client: %s" % e, file=sys.stderr)
            sys.exit(1)
    else:
        sys.exit(ws_client(args))


if __name__ == "__main__":
    main()
