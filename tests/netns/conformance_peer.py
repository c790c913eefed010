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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["h2c-server", "ws-server", "ws-client"])
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
    else:
        sys.exit(ws_client(args))


if __name__ == "__main__":
    main()
