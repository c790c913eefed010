#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""gRPC server and client for xdpgw's netns tests (python3-grpcio, no protos).

Messages are raw bytes: requests are UTF-8 text, responses JSON.

  grpc_peer.py server --port P --name NAME
      Serves every method of every service (generic handler):
        */Unary         unary: {"pod", "method", "metadata", "request"}
        */ServerStream  server streaming: N replies {"pod", "i"}, N = int(request);
                        a request "N:SIZE" pads each reply with SIZE bytes ("pad")
        */ClientStream  client streaming: {"pod", "count", "joined"}
        */Bidi          bidirectional: one reply {"pod", "echo"} per request
        */Fail          aborts with NOT_FOUND, details "no such thing"
      Every call gets trailing metadata x-trailer: NAME and a line
      "call METHOD" on stdout; a request with metadata x-sleep-ms sleeps
      that long first.
  grpc_peer.py client --target HOST:PORT [--authority A] [--tls CA] \
          --method /svc/M [--kind unary|sstream|cstream|bidi|pingpong] [--data S]... \
          [--meta k=v]... [--timeout S] [--parallel N]
      Prints one JSON line: {"code", "details", "replies", "initial", "trailing"};
      with --parallel N, N unary calls at once, "code" their distinct statuses.
"""
import argparse
import json
import queue
import sys
import time
from concurrent import futures

import grpc


def _meta(ctx):
    return {k: v for k, v in ctx.invocation_metadata() if not k.endswith("-bin")}


def _sleep(ctx):
    ms = _meta(ctx).get("x-sleep-ms")
    if ms:
        time.sleep(int(ms) / 1000.0)


class Handler(grpc.GenericRpcHandler):
    def __init__(self, name):
        self.name = name

    def _done(self, ctx):
        ctx.set_trailing_metadata((("x-trailer", self.name),))

    def service(self, details):
        method = details.method
        kind = method.rsplit("/", 1)[-1]
        name = self.name
        print("call %s" % method, flush=True)

        def unary(req, ctx):
            _sleep(ctx)
            self._done(ctx)
            return json.dumps({"pod": name, "method": method, "metadata": _meta(ctx),
                               "request": req.decode()}).encode()

        def sstream(req, ctx):
            _sleep(ctx)
            self._done(ctx)
            n, _, size = (req.decode() or "3").partition(":")
            for i in range(int(n)):
                r = {"pod": name, "i": i}
                if size:
                    r["pad"] = "x" * int(size)
                yield json.dumps(r).encode()

        def cstream(it, ctx):
            parts = [r.decode() for r in it]
            self._done(ctx)
            return json.dumps({"pod": name, "count": len(parts),
                               "joined": "".join(parts)}).encode()

        def bidi(it, ctx):
            self._done(ctx)
            for r in it:
                yield json.dumps({"pod": name, "echo": r.decode()}).encode()

        def fail(req, ctx):
            self._done(ctx)
            ctx.abort(grpc.StatusCode.NOT_FOUND, "no such thing")

        if kind == "ServerStream":
            return grpc.unary_stream_rpc_method_handler(sstream)
        if kind == "ClientStream":
            return grpc.stream_unary_rpc_method_handler(cstream)
        if kind == "Bidi":
            return grpc.stream_stream_rpc_method_handler(bidi)
        if kind == "Fail":
            return grpc.unary_unary_rpc_method_handler(fail)
        return grpc.unary_unary_rpc_method_handler(unary)


def serve(a):
    srv = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    srv.add_generic_rpc_handlers((Handler(a.name),))
    if not srv.add_insecure_port("[::]:%d" % a.port):
        sys.exit("cannot listen on port %d" % a.port)
    srv.start()
    print("listening on %d" % a.port, flush=True)
    srv.wait_for_termination()


def call(a):
    opts = []
    if a.authority:
        opts.append(("grpc.default_authority", a.authority))
        if a.tls:
            opts.append(("grpc.ssl_target_name_override", a.authority))
    if a.tls:
        with open(a.tls, "rb") as f:
            creds = grpc.ssl_channel_credentials(root_certificates=f.read())
        ch = grpc.secure_channel(a.target, creds, options=opts)
    else:
        ch = grpc.insecure_channel(a.target, options=opts)
    meta = [tuple(m.split("=", 1)) for m in a.meta]
    data = [d.encode() for d in (a.data or ["hello"])]
    out = {"code": "OK", "details": "", "replies": [], "initial": {}, "trailing": {}}
    if a.parallel:
        # N unary calls at once on one channel (one HTTP/2 connection)
        with futures.ThreadPoolExecutor(max_workers=a.parallel) as ex:
            calls = [ex.submit(ch.unary_unary(a.method), data[0], metadata=meta,
                               timeout=a.timeout) for _ in range(a.parallel)]
            codes = []
            for f in calls:
                try:
                    out["replies"].append(json.loads(f.result()))
                    codes.append("OK")
                except grpc.RpcError as e:
                    codes.append(e.code().name)
        out["code"] = ",".join(sorted(set(codes)))
        print(json.dumps(out))
        return
    try:
        if a.kind == "unary":
            rep, c = ch.unary_unary(a.method).with_call(data[0], metadata=meta,
                                                         timeout=a.timeout)
            replies = [rep]
        elif a.kind == "sstream":
            c = ch.unary_stream(a.method)(data[0], metadata=meta, timeout=a.timeout)
            replies = list(c)
        elif a.kind == "cstream":
            rep, c = ch.stream_unary(a.method).with_call(iter(data), metadata=meta,
                                                          timeout=a.timeout)
            replies = [rep]
        elif a.kind == "bidi":
            c = ch.stream_stream(a.method)(iter(data), metadata=meta, timeout=a.timeout)
            replies = list(c)
        else:
            # ping-pong: each message only after the reply to the previous one,
            # which needs the request body to stream through the gateway
            got = queue.Queue()

            def requests():
                for d in data:
                    yield d
                    got.get(timeout=a.timeout)

            c = ch.stream_stream(a.method)(requests(), metadata=meta, timeout=a.timeout)
            replies = []
            for r in c:
                replies.append(r)
                got.put(r)
        out["replies"] = [json.loads(r) for r in replies]
        out["initial"] = dict(c.initial_metadata() or ())
        out["trailing"] = dict(c.trailing_metadata() or ())
    except grpc.RpcError as e:
        out["code"] = e.code().name
        out["details"] = e.details() or ""
        out["initial"] = dict(e.initial_metadata() or ())
        out["trailing"] = dict(e.trailing_metadata() or ())
    print(json.dumps(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--name", required=True)
    c = sub.add_parser("client")
    c.add_argument("--target", required=True)
    c.add_argument("--authority")
    c.add_argument("--tls")
    c.add_argument("--method", required=True)
    c.add_argument("--kind", default="unary", choices=["unary", "sstream", "cstream", "bidi", "pingpong"])
    c.add_argument("--data", action="append")
    c.add_argument("--meta", action="append", default=[])
    c.add_argument("--timeout", type=float, default=10)
    c.add_argument("--parallel", type=int, default=0)
    a = p.parse_args()
    serve(a) if a.cmd == "server" else call(a)


if __name__ == "__main__":
    main()
