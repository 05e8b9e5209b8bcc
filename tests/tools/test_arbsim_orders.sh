#!/bin/sh
# SPDX-License-Identifier: MIT
# arbsim's simulated exchange against an independent client: test_arbsim_orders.py on
# Debian's /usr/bin/python3 (hmac, hashlib, json, python3-websockets) with keys made
# here by openssl. Usage: test_arbsim_orders.sh ARBSIM. Exit 0 pass, 1 fail, 77 skip.
set -u
ARBSIM=$1
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)

[ -x "$ARBSIM" ] || { echo "skip: $ARBSIM not built"; exit 77; }
# The python3 on PATH may be another interpreter without Debian's modules.
"$PY" -c 'import websockets' 2>/dev/null || { echo "skip: no python3-websockets"; exit 77; }
command -v openssl >/dev/null || { echo "skip: no openssl"; exit 77; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
umask 077
"$PY" "$HERE/test_arbsim_orders.py" "$ARBSIM" "$TMP"
