#!/bin/sh
# SPDX-License-Identifier: MIT
# arbsim from the outside: clear errors for bad flags and files (file:line for
# script rows), and Debian's python3-websockets client as an independent peer.
set -u
SIM=${1:?usage: test_arbsim_cli.sh path/to/arbsim}
S=${ARB_SOURCE_DIR:?}/data/scripts
T=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
fail=0

bad() { echo "FAIL: $*" >&2; fail=1; }

# expect_error WANT_STDERR_SUBSTRING ARGS...: exit status 2 and the message on stderr.
expect_error() {
    want=$1
    shift
    "$SIM" "$@" </dev/null >"$T/out" 2>"$T/err"
    st=$?
    [ "$st" -eq 2 ] || bad "arbsim $*: exit $st, want 2"
    grep -qF -- "$want" "$T/err" || bad "arbsim $*: stderr lacks '$want': $(cat "$T/err")"
}

expect_error "--venue is required"
expect_error "--venue okx: want binance" --venue okx
expect_error "only 127.0.0.1, ::1 or localhost" --venue binance --host 0.0.0.0
expect_error "--port: 'x' is not a whole number" --venue binance --port x
expect_error "--speed -1: want a number >= 0" --venue binance --speed -1
expect_error "--script and --capture exclude each other" --venue binance --script a --capture b
expect_error "--cert and --key go together" --venue binance --cert a.pem
expect_error "$T/none.csv: No such file or directory" --venue binance --script "$T/none.csv"
expect_error "--cert $T/none.pem:" --venue binance --cert "$T/none.pem" --key "$T/none.pem"
expect_error "--drop-after-frames: mode is rst, fin or mid" --venue binance --drop-after-frames 3:x
expect_error "--skip-at-frame: want N:M" --venue binance --skip-at-frame 3
expect_error "unexpected argument 'extra'" --venue binance extra

# Script rows: each error names the file, the line and the field.
row() { printf 't_ms,symbol,bid,bid_qty,ask,ask_qty\n0,USDCUSDT,1.0000,5,1.0001,5\n%s\n' "$1" >"$T/s.csv"; }
row '10,USDCUSDT,1.0000,5,1.00x1,5'
expect_error "$T/s.csv:3: field 'ask': '1.00x1' is not an exact decimal" --venue binance --script "$T/s.csv"
row '5,USDCUSDT,1.0000,5,1.0001'
expect_error "$T/s.csv:3: 5 fields" --venue binance --script "$T/s.csv"
row '-5,USDCUSDT,1.0000,5,1.0001,5'
expect_error "$T/s.csv:3: field 't_ms'" --venue binance --script "$T/s.csv"
row '20,USDCUSDT,1.000000001,5,1.0001,5'
expect_error "$T/s.csv:3: field 'bid': '1.000000001' is not an exact decimal (more than 8 decimals)" \
    --venue binance --script "$T/s.csv"
printf '0,A,1,1,2,1\n0,A,1,-1,2,1\n' >"$T/s.csv"
expect_error "$T/s.csv:2: field 'bid_qty': negative" --venue binance --script "$T/s.csv"
printf '10,A,1,1,2,1\n5,A,1,1,2,1\n' >"$T/s.csv"
expect_error "$T/s.csv:2: field 't_ms': 5 goes back in time (after 10)" --venue binance --script "$T/s.csv"
printf '0,A"B,1,1,2,1\n' >"$T/s.csv"
expect_error "$T/s.csv:1: field 'symbol': byte 0x22 not allowed" --venue binance --script "$T/s.csv"
printf '# only a comment\n' >"$T/s.csv"
expect_error "$T/s.csv: no rows" --venue binance --script "$T/s.csv"
printf 'wss://x <-> 1633998511.1\n' >"$T/c.txt"
expect_error "$T/c.txt: no frames" --venue binance --capture "$T/c.txt"

"$SIM" --help >"$T/help" || bad "--help exits non-zero"
grep -q "^usage: arbsim --venue NAME" "$T/help" || bad "--help has no usage line"

# The example scripts all load.
for f in "$S"/*.csv; do
    case $f in *futures*) v=binance-futures ;; *coinbase*) v=coinbase ;; *kraken*) v=kraken ;; *) v=binance ;; esac
    printf 'quit\n' | "$SIM" --venue "$v" --script "$f" >"$T/out" 2>"$T/err" || bad "$f does not load: $(cat "$T/err")"
done

# An independent peer: python3-websockets (Debian's, hence /usr/bin/python3).
if /usr/bin/python3 -c 'import websockets' 2>/dev/null; then
    mkfifo "$T/in"
    "$SIM" --venue binance --script "$S/usdcusdt_binance.csv" --speed 20 <"$T/in" >"$T/sim.out" \
        2>"$T/sim.err" &
    pid=$!
    exec 3>"$T/in"
    port=
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        port=$(sed -n '1s/^arbsim: listening ws:\/\/127.0.0.1:\([0-9]*\)\/$/\1/p' "$T/sim.out")
        [ -n "$port" ] && break
        sleep 0.25
    done
    [ -n "$port" ] || bad "no listening line: $(cat "$T/sim.out" "$T/sim.err")"
    /usr/bin/python3 - "$port" <<'PY' || bad "python3-websockets peer"
import asyncio, json, sys
import websockets

async def main(port):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", compression=None) as ws:
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["usdcusdt@bookTicker"], "id": 5}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack == {"result": None, "id": 5}, ack
        prev = None
        for _ in range(4):
            m = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert m["s"] == "USDCUSDT" and set(m) == {"u", "s", "b", "B", "a", "A"}, m
            assert m["b"] < m["a"] and len(m["b"].split(".")[1]) == 8, m
            assert prev is None or m["u"] == prev + 1, (prev, m)
            prev = m["u"]
        pong = await ws.ping(b"py")
        await asyncio.wait_for(pong, 5)
    # The library's close handshake completed without error: the server echoed the close.

asyncio.run(main(int(sys.argv[1])))
PY
    echo quit >&3
    exec 3>&-
    wait "$pid" || bad "arbsim exit status $?"
    pid=
else
    echo "note: python3-websockets missing, independent peer not run"
fi

[ "$fail" -eq 0 ] && echo "test_arbsim_cli: ok"
exit "$fail"
