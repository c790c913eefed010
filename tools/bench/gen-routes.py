#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Writes a large Gateway API configuration to stdout: one GatewayClass, one
Gateway with an HTTP listener, N HTTPRoutes (route-<i>.bench.example, one
rule with a PathPrefix match, a header match and one backendRef) over
max(1, N/10) Services, each with an EndpointSlice. Used by config-scale.sh
to measure gwctl load and gwd reload at 1k-100k routes.

usage: gen-routes.py N [--port P] [--backend ADDR:PORT] [--extra K]
  --extra K  also write route-extra-K (a route that exists only in this
             file, so "the new route serves" can be probed after a load)
"""
import argparse
import sys


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("n", type=int)
	ap.add_argument("--port", type=int, default=8000, help="Gateway listener port")
	ap.add_argument("--backend", default="127.0.0.1:9000", help="endpoint ADDR:PORT")
	ap.add_argument("--extra", type=int, default=None)
	a = ap.parse_args()
	addr, bport = a.backend.rsplit(":", 1)
	nsvc = max(1, a.n // 10)
	w = sys.stdout.write
	w("""apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: bench}
spec: {controllerName: xdpgw.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec:
  gatewayClassName: bench
  listeners:
  - {name: http, protocol: HTTP, port: %d}
""" % a.port)
	for s in range(nsvc):
		w("""---
apiVersion: v1
kind: Service
metadata: {name: svc-%d, namespace: bench}
spec:
  ports:
  - {name: http, port: 80, targetPort: %s}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: svc-%d-a
  namespace: bench
  labels: {kubernetes.io/service-name: svc-%d}
addressType: IPv4
ports:
- {name: http, port: %s, protocol: TCP}
endpoints:
- addresses: ["%s"]
""" % (s, bport, s, s, bport, addr))
	names = ["%d" % i for i in range(a.n)]
	if a.extra is not None:
		names.append("extra-%d" % a.extra)
	for i, name in enumerate(names):
		w("""---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route-%s, namespace: bench}
spec:
  parentRefs:
  - {name: gw}
  hostnames: ["route-%s.bench.example"]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /api}
      headers:
      - {name: x-tenant, value: t%d}
    - path: {type: PathPrefix, value: /}
    backendRefs:
    - {name: svc-%d, port: 80}
""" % (name, name, i % 100, i % nsvc))


if __name__ == "__main__":
	main()
