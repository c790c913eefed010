#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The quickstart, end to end, on this node without disturbing it: in a
# private network namespace with its own state and pin directories, start an
# echo backend where examples/quickstart.yaml's EndpointSlice says the
# backend is (127.0.0.1:3000), start gwd, load the example
# with gwctl, show the status, read the Gateway's address and send the
# quickstart's request, as Envoy Gateway's quickstart does with kubectl:
#   GATEWAY_HOST=$(gwctl get gateway eg -o jsonpath='{.status.addresses[0].value}')
#   curl --header "Host: www.example.com" http://$GATEWAY_HOST/get
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/.output

if [ "$(id -u)" != 0 ]; then
	echo "quickstart: run as root (as root: make quickstart; as a user with sudo: sudo make quickstart)" >&2
	exit 1
fi
if [ -z "${GW_QS_INNER:-}" ]; then
	# re-run inside a fresh network + mount namespace; everything dies with it
	exec env GW_QS_INNER=1 unshare --net --mount --fork "$0" "$@"
fi

WORK=$(mktemp -d /tmp/xdpgw-quickstart.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
ip link set lo up
mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
mkdir -p "$WORK/state"

echo "== echo backend on 127.0.0.1:3000"
"$OUT/gw-echo" --listen 127.0.0.1:3000 --name backend --namespace default \
	--pidfile "$WORK/echo.pid" >"$WORK/echo.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$WORK/echo.pid" ] && break; sleep 0.1; done

echo "== gwd --state-dir $WORK/state"
"$OUT/gwd" --state-dir "$WORK/state" >"$WORK/gwd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$WORK/state/gwd.sock" ] && break; sleep 0.1; done
[ -S "$WORK/state/gwd.sock" ] || { cat "$WORK/gwd.log" >&2; exit 1; }

echo "== gwctl load -f examples/quickstart.yaml"
"$OUT/gwctl" load -f "$REPO/examples/quickstart.yaml" --state-dir "$WORK/state"
echo
echo "== gwctl status"
"$OUT/gwctl" status --state-dir "$WORK/state"
echo
echo "== gwctl get httproute backend -o yaml (status)"
"$OUT/gwctl" get httproute backend -o yaml --state-dir "$WORK/state" | sed -n '/^status:/,$p'
echo
echo "== GATEWAY_HOST=\$(gwctl get gateway eg -o jsonpath='{.status.addresses[0].value}')"
GATEWAY_HOST=$("$OUT/gwctl" get gateway eg -o jsonpath='{.status.addresses[0].value}' \
	--state-dir "$WORK/state")
echo "GATEWAY_HOST=$GATEWAY_HOST"
[ -n "$GATEWAY_HOST" ] || { echo "quickstart: the Gateway has no address" >&2; exit 1; }
echo
echo '== curl --header "Host: www.example.com" http://$GATEWAY_HOST/get'
curl -sS --max-time 5 --header "Host: www.example.com" "http://$GATEWAY_HOST/get"
echo
echo
echo "The quickstart ran in a private network namespace with state in $WORK;"
echo "both are removed as it exits, so there is nothing to clean up. On a node"
echo "you loaded for real: 'gwctl unload' (as root) detaches XDP and removes its pins,"
echo "stop gwd (SIGTERM drains it), and remove the state directory (/var/lib/xdpgw)."
