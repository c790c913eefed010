#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""RS256 tokens and their JWK set with the openssl CLI, for
tests/netns/test-gwd-secpol.sh (no Python crypto library needed):

    jwt_mint.py keygen DIR KID        DIR/KID.pem, prints {"keys": [JWK]}
    jwt_mint.py sign DIR KID CLAIMS   prints header.payload.signature
    jwt_mint.py none CLAIMS           an unsecured (alg none) token

CLAIMS is a JSON object; "exp": "+N" / "-N" means now plus/minus N seconds.
"""
import base64
import json
import subprocess
import sys
import time


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def claims(text):
    c = json.loads(text)
    for k in ("exp", "nbf", "iat"):
        if isinstance(c.get(k), str) and c[k][:1] in "+-":
            c[k] = int(time.time()) + int(c[k])
    return json.dumps(c, separators=(",", ":")).encode()


def main():
    cmd = sys.argv[1]
    if cmd == "keygen":
        d, kid = sys.argv[2], sys.argv[3]
        key = f"{d}/{kid}.pem"
        subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True,
                       stderr=subprocess.DEVNULL)
        mod = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-modulus"], check=True,
                             capture_output=True, text=True).stdout.strip().split("=", 1)[1]
        jwk = {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
               "n": b64u(bytes.fromhex(mod)), "e": "AQAB"}
        print(json.dumps({"keys": [jwk]}))
    elif cmd == "sign":
        d, kid = sys.argv[2], sys.argv[3]
        head = b64u(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
        inp = head + "." + b64u(claims(sys.argv[4]))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", f"{d}/{kid}.pem"],
                             input=inp.encode(), check=True, capture_output=True).stdout
        print(inp + "." + b64u(sig))
    elif cmd == "none":
        head = b64u(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        print(head + "." + b64u(claims(sys.argv[2])) + ".")


if __name__ == "__main__":
    main()
