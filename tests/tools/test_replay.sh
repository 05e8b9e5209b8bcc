#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `arbiter replay` end to end on real data: the March 2023 USDC depeg (one-
# minute bars made into quotes by bars2quotes) and a Binance USD-M capture.
# Expectations are computed here with awk and grep from the raw files, not by
# the code under test. Usage: test_replay.sh ARBITER BARS2QUOTES SOURCE_DIR
set -eu  # no pipefail: `grep | head -1` ends its writer early on purpose
arbiter=$1 bars2quotes=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME GOT WANT
    if [ "$2" != "$3" ]; then
        echo "FAIL $1: got '$2', want '$3'" >&2
        fail=1
    else
        echo "ok   $1: $2"
    fi
}

bars=$src/data/depeg-2023-03
"$bars2quotes" --exchange kraken --symbol USDC/USD "$bars/kraken_usdcusd_1m_20230308-20230316.csv" >"$tmp/kraken_usdc.csv" 2>/dev/null
"$bars2quotes" --exchange kraken --symbol USDT/USD "$bars/kraken_usdtusd_1m_20230308-20230316.csv" >"$tmp/kraken_usdt.csv" 2>/dev/null
"$bars2quotes" --exchange coinbase --symbol USDT-USD "$bars/coinbase_usdtusd_1m_20230308-20230316.csv" >"$tmp/coinbase_usdt.csv" 2>/dev/null
conf=$src/data/replay/depeg-2023-03.conf
inputs=("$tmp/kraken_usdc.csv" "$tmp/kraken_usdt.csv" "$tmp/coinbase_usdt.csv")

# Gzipped inputs read the same as plain ones.
gzip -c "$tmp/kraken_usdc.csv" >"$tmp/kraken_usdc.csv.gz"
"$arbiter" replay --set feed.kraken.stale_ms=180000 --no-timing "$tmp/kraken_usdc.csv" >"$tmp/plain.jsonl"
"$arbiter" replay --set feed.kraken.stale_ms=180000 --no-timing "$tmp/kraken_usdc.csv.gz" >"$tmp/gz.jsonl"
if cmp -s "$tmp/plain.jsonl" "$tmp/gz.jsonl"; then echo "ok   gzip input: same $(wc -l <"$tmp/gz.jsonl") lines"; else echo "FAIL gzip input differs" >&2; fail=1; fi

# Determinism: two runs, byte-identical.
"$arbiter" replay --config "$conf" --no-timing "${inputs[@]}" >"$tmp/a.jsonl"
"$arbiter" replay --config "$conf" --no-timing "${inputs[@]}" >"$tmp/b.jsonl"
if cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"; then echo "ok   determinism: $(wc -l <"$tmp/a.jsonl") identical lines"; else echo "FAIL determinism" >&2; fail=1; fi
# The quote path bars2quotes documents: open +0 s, first extreme +15 s, second +30 s,
# close +45 s; ask = price + 0.00005, bid = price - 0.00005. From the raw bars:
# Epoch seconds from the ISO time with the civil-from-days algorithm (mawk has no UTC mktime).
path='BEGIN{FS=","} NR>1 { split($1,d,/[-T:Z]/); y=d[1]-(d[2]<=2); era=int(y/400);
  yoe=y-era*400; mp=(d[2]+9)%12; doy=int((153*mp+2)/5)+d[3]-1; doe=yoe*365+int(yoe/4)-int(yoe/100)+doy;
  t=(era*146097+doe-719468)*86400+d[4]*3600+d[5]*60+d[6];
  o=$(c_open); h=$(c_high); l=$(c_low); c=$(c_close);
  p[0]=o; if (c+0 >= o+0) { p[1]=l; p[2]=h } else { p[1]=h; p[2]=l }; p[3]=c;
  for (k=0;k<4;k++) print (t+15*k) "000000000", p[k] }'
awk -v c_open=2 -v c_high=3 -v c_low=4 -v c_close=5 "$path" "$bars/kraken_usdcusd_1m_20230308-20230316.csv" >"$tmp/usdc_path"
# USDC's entry is 30 bps below the peg on the ask: price + 0.00005 <= 0.997.
want=$(awk '$2 + 0.00005 <= 0.997 + 1e-12 {print $1; exit}' "$tmp/usdc_path")
got=$(grep '"type":"depeg"' "$tmp/a.jsonl" | grep '"coin":"USDC"' | grep '"action":"enter"' | head -1 | sed 's/.*"ts_ns":\([0-9]*\).*/\1/')
check "first USDC buy below the peg (2023-03-10 21:30:15 UTC)" "$got" "$want"
# Its price is that quote's ask.
wantpx=$(awk -v t="$want" '$1 == t {printf "%.5f", $2 + 0.00005; exit}' "$tmp/usdc_path" | sed 's/0*$//')
gotpx=$(grep '"type":"depeg"' "$tmp/a.jsonl" | grep '"coin":"USDC"' | head -1 | sed 's/.*"price":"\([0-9.]*\)".*/\1/')
check "its price" "$gotpx" "$wantpx"
# USDC reaches critical (mid 200 bps under): new USDC risk is refused from then on.
crit=$(awk '$2 <= 0.98 + 1e-12 {print $1; exit}' "$tmp/usdc_path")
gotcrit=$(grep '"reason":"critical_depeg"' "$tmp/a.jsonl" | grep '"instrument":"USDC/USD"' | head -1 | sed 's/.*"ts_ns":\([0-9]*\).*/\1/')
if [ -n "$gotcrit" ] && [ "$gotcrit" -ge "$crit" ]; then echo "ok   critical refusals start at or after $crit: $gotcrit"; else echo "FAIL critical refusals: '$gotcrit' before $crit" >&2; fail=1; fi
# The low: 0.874 at 2023-03-11 07:15 UTC is the lowest USDC price in the path.
low=$(sort -k2,2g "$tmp/usdc_path" | head -1 | awk '{print $2}')
check "lowest USDC mid in the bars" "$low" "0.874"

# USDT: 40 bps either side. Kraken's and Coinbase's paths merged by time (kraken first on ties).
awk -v c_open=2 -v c_high=3 -v c_low=4 -v c_close=5 "$path" "$bars/kraken_usdtusd_1m_20230308-20230316.csv" | sed 's/$/ 0/' >"$tmp/usdt_k"
awk -v c_open=5 -v c_high=4 -v c_low=3 -v c_close=6 "$path" "$bars/coinbase_usdtusd_1m_20230308-20230316.csv" | sed 's/$/ 1/' >"$tmp/usdt_c"
want=$(sort -k1,1n -k3,3n -s "$tmp/usdt_k" "$tmp/usdt_c" | awk '$2 - 0.00005 >= 1.004 - 1e-12 || $2 + 0.00005 <= 0.996 + 1e-12 {print $1; exit}')
got=$(grep '"type":"depeg"' "$tmp/a.jsonl" | grep '"coin":"USDT"' | grep '"action":"enter"' | head -1 | sed 's/.*"ts_ns":\([0-9]*\).*/\1/')
check "first USDT depeg signal" "$got" "$want"

# Every line is one JSON object; the summary closes the output and counts what came before.
check "summary last" "$(tail -1 "$tmp/a.jsonl" | cut -c1-11)" '{"summary":'
n_depeg=$(grep -c '"type":"depeg"' "$tmp/a.jsonl")
check "summary depeg count" "$(tail -1 "$tmp/a.jsonl" | sed 's/.*"depeg":\([0-9]*\).*/\1/')" "$n_depeg"
n_events=$(( $(grep -c . "$tmp/kraken_usdc.csv") + $(grep -c . "$tmp/kraken_usdt.csv") + $(grep -c . "$tmp/coinbase_usdt.csv") - 3 ))
check "summary events = quote rows" "$(tail -1 "$tmp/a.jsonl" | sed 's/.*"events":\([0-9]*\).*/\1/')" "$n_events"

# A spot/perpetual capture: Binance USD-M bookTicker and markPriceUpdate, raw frames.
cap=$src/data/recorded/BINANCE_FUTURES.ws.1.0
"$arbiter" replay --no-timing binance-futures:"$cap" >"$tmp/f.jsonl"
n_bt=$(grep -c '"e":"bookTicker"' "$cap")
n_mp=$(grep -c '"e":"markPriceUpdate"' "$cap" || true)
check "futures capture: every bookTicker and markPrice is an event" \
    "$(tail -1 "$tmp/f.jsonl" | sed 's/.*"events":\([0-9]*\).*/\1/')" "$((n_bt + n_mp))"
check "futures capture: no basis without a spot venue" "$(grep -c '"type":"basis"' "$tmp/f.jsonl" || true)" "0"

# Hostile inputs: a clear error, a non-zero exit, no crash.
if "$arbiter" replay nosuchvenue:/nonexistent 2>"$tmp/err"; then echo "FAIL missing file accepted" >&2; fail=1; fi
grep -q "nonexistent" "$tmp/err" && echo "ok   missing file named in the error" || { echo "FAIL error text: $(cat "$tmp/err")" >&2; fail=1; }
printf '[spread]\nmin_edge_bps = abc\n' >"$tmp/bad.conf"
if "$arbiter" replay --config "$tmp/bad.conf" "${inputs[0]}" 2>"$tmp/err" >/dev/null; then echo "FAIL bad config accepted" >&2; fail=1; fi
check "bad config names file:line and key" "$(cat "$tmp/err")" "arbiter replay: $tmp/bad.conf:2: spread.min_edge_bps: 'abc' is not a decimal number"
if "$arbiter" replay --set risk.max_position_pct=250 "${inputs[0]}" 2>"$tmp/err" >/dev/null; then echo "FAIL out-of-range --set accepted" >&2; fail=1; fi
grep -q "out of range" "$tmp/err" && echo "ok   --set out of range refused" || { echo "FAIL --set error: $(cat "$tmp/err")" >&2; fail=1; }
printf 'kraken,USDC/USD,1678233600000000,1678233600000000,1,garbage,0.9,1\nnot,a,row\n' | cat <(head -1 "$tmp/kraken_usdc.csv") - >"$tmp/badrows.csv"
"$arbiter" replay --no-timing "$tmp/badrows.csv" >"$tmp/br.jsonl" 2>"$tmp/err"
check "malformed rows counted" "$(tail -1 "$tmp/br.jsonl" | sed 's/.*"malformed":\([0-9]*\).*/\1/')" "2"

exit $fail
