#!/bin/sh
# SPDX-License-Identifier: MIT
# `arbiter parse` end to end over the recordings: hand-written expected lines, and
# counts checked against python3's json module reading the same files independently.
set -u
ARB=${1:?usage: test_cmd_parse.sh path/to/arbiter}
D=${ARB_SOURCE_DIR:?}/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0

command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }

bad() { echo "FAIL: $*" >&2; fail=1; }

# expect_line FILE N JSON: line N of FILE is exactly JSON.
expect_line() {
    got=$(sed -n "$2p" "$1")
    [ "$got" = "$3" ] || bad "$1 line $2:
  got  $got
  want $3"
}

# expect_count STDERR KEY VALUE: the summary line has KEY=VALUE.
expect_count() {
    grep -q "[ :]$2=$3\( \|\$\)" "$1" || bad "$1: want $2=$3, got: $(tail -n 1 "$1")"
}

# Independent counts: frames, and frames of the kind each parser turns into ticks.
count() {
    python3 - "$1" "$2" <<'PY'
import json, re, sys
path, kind = sys.argv[1], sys.argv[2]
frames = hits = hb = 0
for line in open(path, encoding="utf-8"):
    m = re.match(r"^(\d+(\.\d+)?): (.*)$", line.rstrip("\n"))
    if not m:
        continue
    frames += 1
    j = json.loads(m.group(3))
    if kind == "bookTicker":
        d = j.get("data", j)
        hits += d.get("e", "bookTicker") == "bookTicker" and "u" in d and "b" in d
    elif kind == "ticker":
        hits += j.get("type") == "ticker" and ("best_bid" in j or "best_ask" in j)
        hb += j.get("type") == "heartbeat"
    elif kind == "krakenv1":
        hits += isinstance(j, list) and j[-2] == "ticker"
        hb += isinstance(j, dict) and j.get("event") == "heartbeat"
print(frames, hits, hb)
PY
}

# Every stdout line must be one JSON object with the fixed leading keys.
check_json() {
    python3 - "$1" <<'PY' || bad "$1: output is not JSON lines"
import json, sys
for line in open(sys.argv[1]):
    j = json.loads(line)
    assert list(j)[:3] == ["venue", "symbol", "kind"], line
PY
}

# 1. Binance spot, combined stream, cryptofeed capture.
"$ARB" parse --venue binance "$D/recorded/BINANCE.ws.1.0" >"$T/bn.out" 2>"$T/bn.err" ||
    bad "binance: exit $?"
# Line 9 of the capture: 1633998513.377805: {"stream":"nknusdt@bookTicker","data":{"u":499869768,
# "s":"NKNUSDT","b":"0.35210000","B":"672.00000000","a":"0.35260000","A":"3199.00000000"}}
expect_line "$T/bn.out" 1 '{"venue":"binance","symbol":"NKNUSDT","kind":"bbo","bid_px":"0.3521","bid_qty":"672","ask_px":"0.3526","ask_qty":"3199","recv_ts_ns":1633998513377805000,"seq":499869768}'
expect_line "$T/bn.out" 2 '{"venue":"binance","symbol":"NKNUSDT","kind":"bbo","bid_px":"0.3521","bid_qty":"672","ask_px":"0.3525","ask_qty":"1123","recv_ts_ns":1633998513392304200,"seq":499869769}'
set -- $(count "$D/recorded/BINANCE.ws.1.0" bookTicker)
frames=$1 hits=$2
ev=$(sed -n 's/.* events=\([0-9]*\).*/\1/p' "$T/bn.err")
unk=$(sed -n 's/.* unknown=\([0-9]*\).*/\1/p' "$T/bn.err")
# Symbols the registry cannot split (BLZETH, LRCBTC) are counted as unknown, not lost.
[ "$((ev + unk))" -eq "$hits" ] || bad "binance: events $ev + unknown $unk != $hits bookTickers"
[ "$(wc -l <"$T/bn.out")" -eq "$ev" ] || bad "binance: stdout lines != events"
expect_count "$T/bn.err" lines 267
expect_count "$T/bn.err" skipped "$((frames - hits))"
expect_count "$T/bn.err" malformed 0
expect_count "$T/bn.err" meta 1
check_json "$T/bn.out"

# 2. Binance futures funding, one raw message per line, from stdin.
"$ARB" parse --venue binance-futures <"$D/messages/binance_futures_messages.jsonl" \
    >"$T/bf.out" 2>"$T/bf.err" || bad "binance-futures: exit $?"
# Line 3: {"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1569888003001,
# "s":"BTCUSDT","p":"8291.34697815","r":"0.00010000","T":1569916800000}}
expect_line "$T/bf.out" 1 '{"venue":"binance-futures","symbol":"BTCUSDT","kind":"funding","mark_px":"8291.34697815","funding_rate":"0.0001","next_funding_ts_ns":1569916800000000000,"exch_ts_ns":1569888003001000000}'
expect_line "$T/bf.out" 2 '{"venue":"binance-futures","symbol":"BTCUSDT","kind":"funding","mark_px":"11857.56","index_px":"11851.86949091","funding_rate":"0.0001564","next_funding_ts_ns":1597564800000000000,"exch_ts_ns":1597536008000000000}'
expect_line "$T/bf.out" 4 '{"venue":"binance-futures","symbol":"BTCUSDT","kind":"bbo","bid_px":"33134.42","bid_qty":"0.17","ask_px":"33139.39","ask_qty":"0.38","exch_ts_ns":1612137603571000000,"seq":185130926750}'
expect_count "$T/bf.err" lines 15
expect_count "$T/bf.err" events 4
expect_count "$T/bf.err" skipped 11
check_json "$T/bf.out"

# 3. Coinbase tickers (2021: prices without sizes) among level2 traffic.
"$ARB" parse --venue coinbase "$D/recorded/COINBASE.ws.28.0.part1" >"$T/cb.out" 2>"$T/cb.err" ||
    bad "coinbase: exit $?"
# Line 9: 1618677817.079694: {"type":"ticker","sequence":333938798,"product_id":"BAND-GBP",...
# "best_bid":"14.7550","best_ask":"14.8060",...,"time":"2021-04-17T16:43:30.244075Z",...}
expect_line "$T/cb.out" 1 '{"venue":"coinbase","symbol":"BAND-GBP","kind":"bbo","bid_px":"14.755","ask_px":"14.806","exch_ts_ns":1618677810244075000,"recv_ts_ns":1618677817079694000,"seq":333938798}'
set -- $(count "$D/recorded/COINBASE.ws.28.0.part1" ticker)
expect_count "$T/cb.err" events "$2"
expect_count "$T/cb.err" skipped "$(($1 - $2))"
expect_count "$T/cb.err" malformed 0
expect_count "$T/cb.err" unknown 0
expect_count "$T/cb.err" meta 4
check_json "$T/cb.out"

# 4. Kraken v1 tickers and heartbeats.
"$ARB" parse --venue kraken "$D/recorded/KRAKEN.ws.49.0" >"$T/kr.out" 2>"$T/kr.err" ||
    bad "kraken: exit $?"
# Line 14: 1618678132.9496498: [1668,{"a":["13.253900",35,"35.72892241"],
# "b":["13.232900",185,"185.18432037"],...},"ticker","WAVES/EUR"]
expect_line "$T/kr.out" 1 '{"venue":"kraken","symbol":"WAVES/EUR","kind":"bbo","bid_px":"13.2329","bid_qty":"185.18432037","ask_px":"13.2539","ask_qty":"35.72892241","recv_ts_ns":1618678132949649800}'
set -- $(count "$D/recorded/KRAKEN.ws.49.0" krakenv1)
expect_count "$T/kr.err" events "$2"
expect_count "$T/kr.err" skipped "$(($1 - $2))"
expect_count "$T/kr.err" heartbeats "$3"
expect_count "$T/kr.err" malformed 0
check_json "$T/kr.out"

# 5. arbiter's own capture form, a v2 message, malformed lines (reported with their line
#    number, counted, and not fatal) and blank lines.
cat >"$T/mixed.txt" <<'IN'
1723161254087891268 {"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":61837.6,"bid_qty":3.78826,"ask":61837.7,"ask_qty":1.54698}]}
[1,{"a":["1",0,"1"]
garbage

{"channel":"heartbeat"}
{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":"61837.6"}]}
IN
"$ARB" parse --venue kraken "$T/mixed.txt" >"$T/mx.out" 2>"$T/mx.err" || bad "mixed: exit $?"
expect_line "$T/mx.out" 1 '{"venue":"kraken","symbol":"BTC/USD","kind":"bbo","bid_px":"61837.6","bid_qty":"3.78826","ask_px":"61837.7","ask_qty":"1.54698","recv_ts_ns":1723161254087891268}'
grep -q "line 2: malformed kraken message" "$T/mx.err" || bad "mixed: line 2 not reported"
grep -q "line 3: malformed kraken message" "$T/mx.err" || bad "mixed: line 3 not reported"
grep -q "line 6: malformed kraken message" "$T/mx.err" || bad "mixed: line 6 not reported"
expect_count "$T/mx.err" lines 6
expect_count "$T/mx.err" events 1
expect_count "$T/mx.err" malformed 3
expect_count "$T/mx.err" heartbeats 1

# 6. Usage errors.
"$ARB" parse --venue bitfinex </dev/null >/dev/null 2>"$T/u.err"
[ $? -ne 0 ] || bad "unknown venue accepted"
grep -q "known venues: binance binance-futures coinbase kraken" "$T/u.err" ||
    bad "unknown venue: no list of venues"
"$ARB" parse </dev/null >/dev/null 2>&1 && bad "missing --venue accepted"
"$ARB" parse --venue binance "$T/does-not-exist" >/dev/null 2>&1 && bad "missing file accepted"

exit $fail
