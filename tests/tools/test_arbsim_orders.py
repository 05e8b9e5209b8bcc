# SPDX-License-Identifier: MIT
# arbsim as a simulated exchange, driven by an independent client: Python's own
# hmac/hashlib/json, Debian's python3-websockets and the openssl command line
# (run by test_arbsim_orders.sh with /usr/bin/python3). Every expected fill
# below is worked out by hand from the scripted books written in write_books().
import asyncio
import base64
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

import websockets

ARBSIM = sys.argv[1]
TMP = sys.argv[2]
FAILS = 0


def check(cond, what):
    global FAILS
    if not cond:
        FAILS += 1
        print("FAIL:", what, file=sys.stderr)


def eq(got, want, what):
    check(got == want, "%s: got %r, want %r" % (what, got, want))


def path(name):
    return os.path.join(TMP, name)


def write_books():
    # Only the t=0 rows matter: with no market-data subscriber the timeline has not
    # started, so the book is the opening quotes. The later rows are ten minutes out.
    books = {
        "spot.csv": "0,USDCUSDT,0.9998,500.00,1.0002,300.00\n600000,USDCUSDT,0.9,1.00,1.1,1.00\n",
        "fut.csv": "0,BTCUSDT,27150.10,3.512,27150.20,1.208\n600000,BTCUSDT,1.0,1.0,2.0,1.0\n",
        "kraken.csv": "0,USDC/USD,0.99990,520000.00,1.00000,410000.00\n"
        "600000,USDC/USD,0.5,1.0,0.6,1.0\n",
        "cb.csv": "0,USDT-USD,1.0006,250000.00,1.0007,180000.00\n600000,USDT-USD,0.5,1,0.6,1\n",
    }
    for name, rows in books.items():
        with open(path(name), "w") as f:
            f.write("t_ms,symbol,bid,bid_qty,ask,ask_qty\n" + rows)


class Sim:
    def __init__(self, *args):
        self.p = subprocess.Popen([ARBSIM] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("arbsim: listening ws://127.0.0.1:"):
            raise SystemExit("arbsim did not start: %r %s" % (line, self.p.stderr.read()))
        self.port = int(line.rsplit(":", 1)[1].strip("/\n"))

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def stats(self):
        return json.loads(self.cmd("stats"))["orders"]

    def stop(self):
        self.cmd("quit")
        eq(self.p.wait(10), 0, "arbsim exit status")


def ws(sim, target):
    return websockets.connect("ws://127.0.0.1:%d%s" % (sim.port, target), ping_interval=None)


async def ask(conn, msg):
    await conn.send(json.dumps(msg))
    return json.loads(await asyncio.wait_for(conn.recv(), 5))


# ------------------------------------------------------------------ Binance

KEY, SECRET = "simkey-0123456789", "simsecret-abcdef"
now_ms = lambda: int(time.time() * 1000)


def bn_query(secret=SECRET, **kw):
    q = urllib.parse.urlencode(dict(kw, timestamp=kw.get("timestamp", now_ms())))
    return q + "&signature=" + hmac.new(secret.encode(), q.encode(), hashlib.sha256).hexdigest()


def bn_rest(conn, path_, key=KEY, body=False, secret=SECRET, **kw):
    q = bn_query(secret, **kw)
    hdr = {"X-MBX-APIKEY": key}
    if body:
        hdr["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST", path_, body=q, headers=hdr)
    else:
        conn.request("POST", path_ + "?" + q, headers=hdr)
    r = conn.getresponse()
    return r.status, dict(r.getheaders()), json.loads(r.read())


def bn_params(secret=SECRET, key=KEY, **kw):
    p = dict(kw, apiKey=key, timestamp=now_ms())
    payload = "&".join("%s=%s" % (k, p[k]) for k in sorted(p))
    p["signature"] = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return p


def order(side, qty, px, cid, sym="USDCUSDT"):
    return dict(symbol=sym, side=side, type="LIMIT", timeInForce="IOC", quantity=qty, price=px,
                newClientOrderId=cid)


async def binance_spot():
    sim = Sim("--venue", "binance", "--script", path("spot.csv"), "--api-key", KEY,
              "--api-secret", SECRET)
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    # Buy 100 at most 1.0005 against ask 1.0002 x 300: all of it, at the book's price.
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "100", "1.0005", "a1"))
    eq((st, r["status"], r["executedQty"], r["cummulativeQuoteQty"]),
       (200, "FILLED", "100.00000000", "100.02000000"), "spot REST full fill")
    eq((r["fills"][0]["price"], r["fills"][0]["qty"], r["price"], r["clientOrderId"]),
       ("1.00020000", "100.00000000", "1.00050000", "a1"), "spot REST fill detail")
    async with ws(sim, "/ws-api/v3") as c:
        r = await ask(c, {"id": "p", "method": "ping"})
        eq((r["id"], r["status"], r["result"]), ("p", 200, {}), "ws-api ping")
        # 250 more at 1.0002: 200 are left on that ask; the IOC rest expires.
        r = await ask(c, {"id": 7, "method": "order.place",
                          "params": bn_params(**order("BUY", "250", "1.0002", "a2"))})
        res = r["result"]
        eq((r["id"], r["status"], res["status"], res["executedQty"], res["cummulativeQuoteQty"]),
           (7, 200, "EXPIRED", "200.00000000", "200.04000000"), "ws-api partial fill")
        # The ask is used up until the book changes: nothing left.
        r = await ask(c, {"id": 8, "method": "order.place",
                          "params": bn_params(**order("BUY", "10", "1.0002", "a3"))})
        eq((r["result"]["status"], r["result"]["executedQty"], r["result"]["fills"]),
           ("EXPIRED", "0.00000000", []), "ws-api nothing left")
        r = await ask(c, {"id": 9, "method": "order.place",
                          "params": bn_params(**order("BUY", "100", "1.0005", "a1"))})
        eq((r["status"], r["error"]), (400, {"code": -2010, "msg": "Duplicate order sent."}),
           "ws-api duplicate")
        p = bn_params(**order("BUY", "1", "1.0005", "a9"))
        p["signature"] = "0" * 64
        r = await ask(c, {"id": 10, "method": "order.place", "params": p})
        eq((r["status"], r["error"]["code"], r["error"]["msg"]),
           (400, -1022, "Signature for this request is not valid."), "ws-api bad signature")
        r = await ask(c, {"id": 11, "method": "order.place",
                          "params": bn_params(key="nokey", **order("BUY", "1", "1.1", "a9"))})
        eq((r["status"], r["error"]["code"]), (401, -2015), "ws-api unknown key")
    # Sell 600 down to 0.9990 against bid 0.9998 x 500, the body carrying the params.
    st, _, r = bn_rest(rest, "/api/v3/order", body=True, **order("SELL", "600", "0.9990", "a4"))
    eq((st, r["status"], r["executedQty"], r["cummulativeQuoteQty"], r["fills"][0]["price"]),
       (200, "EXPIRED", "500.00000000", "499.90000000", "0.99980000"), "spot REST sell")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("SELL", "10", "0.9999", "a5"))
    eq((r["status"], r["executedQty"]), ("EXPIRED", "0.00000000"), "sell limit above the bid")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "100", "1.0005", "a1"))
    eq((st, r["code"]), (400, -2010), "REST duplicate")
    st, _, r = bn_rest(rest, "/api/v3/order", secret="wrong", **order("BUY", "1", "1.1", "a6"))
    eq((st, r), (400, {"code": -1022, "msg": "Signature for this request is not valid."}),
       "REST bad signature")
    st, _, r = bn_rest(rest, "/api/v3/order", key="other", **order("BUY", "1", "1.1", "a6"))
    eq((st, r["code"]), (401, -2015), "REST unknown key")
    st, _, r = bn_rest(rest, "/api/v3/order", timestamp=now_ms() - 60000,
                       **order("BUY", "1", "1.1", "a6"))
    eq((st, r["code"]), (400, -1021), "REST stale timestamp")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "1", "1.1", "a6", sym="XYZUSDT"))
    eq((st, r), (400, {"code": -1121, "msg": "Invalid symbol."}), "REST unknown symbol")
    book = json.loads(sim.cmd("book USDCUSDT"))["book"][0]
    eq((book["bid"], book["bid_qty"], book["ask"], book["ask_qty"]),
       ("0.9998", "0.00", "1.0002", "0.00"), "book after the fills")
    s = sim.stats()
    eq((s["received"], s["filled"], s["partial"], s["expired"], s["duplicates"]),
       (9, 1, 2, 2, 2), "spot order counts")
    eq((s["bad_signatures"], s["bad_keys"], s["rejected_by"]["symbol"]), (2, 2, 1),
       "spot reject counts")
    eq(json.loads(sim.cmd("stats"))["accepted"], 2, "REST calls shared one keep-alive connection")
    # Market data is unchanged on the same port.
    async with ws(sim, "/ws") as c:
        r = await ask(c, {"method": "SUBSCRIBE", "params": ["usdcusdt@bookTicker"], "id": 1})
        eq(r, {"result": None, "id": 1}, "market data still answered")
    sim.stop()


async def binance_faults():
    sim = Sim("--venue", "binance", "--script", path("spot.csv"), "--api-key", KEY,
              "--api-secret", SECRET, "--rate-limit", "2:60000")
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    for i in range(2):
        st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "1", "1.0002", "r%d" % i))
        eq(r["status"], "FILLED", "order %d within the rate limit" % i)
    st, hdr, r = bn_rest(rest, "/api/v3/order", **order("BUY", "1", "1.0002", "r2"))
    eq((st, r["code"], r["msg"]),
       (429, -1015, "Too many new orders; current limit is 2 orders per 1 MINUTE."), "REST 429")
    check(int(hdr.get("Retry-After", "0")) >= 1, "429 carries Retry-After")
    async with ws(sim, "/ws-api/v3") as c:
        r = await ask(c, {"id": 1, "method": "order.place",
                          "params": bn_params(**order("BUY", "1", "1.0002", "r3"))})
        eq((r["status"], r["error"]["code"]), (429, -1015), "ws-api 429")
        check(r["error"]["data"]["retryAfter"] > now_ms(), "ws-api 429 says when to retry")
    eq(sim.cmd("rate-limit off"), "ok rate-limit off", "rate limit off by command")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "1", "1.0002", "r2"))
    eq(r["status"], "FILLED", "the refused client id is free after the limit")
    eq(sim.cmd("reject-every 1:busy"), "ok reject-every 1:busy", "reject by command")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "1", "1.0002", "r4"))
    eq((st, r["code"]), (503, -1008), "busy reject")
    sim.cmd("reject-every 0")
    eq(sim.stats()["rate_limited"], 2, "rate limited count")
    sim.stop()

    # Partial fills on every 2nd order, a funds reject on every 3rd, latency on all.
    sim = Sim("--venue", "binance", "--script", path("spot.csv"), "--api-key", KEY,
              "--api-secret", SECRET, "--partial-every", "2", "--partial-ratio", "0.5",
              "--reject-every", "3:funds", "--order-latency-us", "200000")
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    t0 = time.monotonic()
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "100", "1.0002", "p1"))
    check(time.monotonic() - t0 >= 0.19, "order latency applied")
    eq((r["status"], r["executedQty"]), ("FILLED", "100.00000000"), "1st order full")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "101", "1.0002", "p2"))
    eq((r["status"], r["executedQty"], r["cummulativeQuoteQty"]),
       ("EXPIRED", "50.00000000", "50.01000000"), "2nd order half, cut to whole units")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "10", "1.0002", "p3"))
    eq((st, r), (400, {"code": -2010,
                       "msg": "Account has insufficient balance for requested action."}),
       "3rd order rejected for funds")
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "10", "1.0002", "p3"))
    eq((r["status"], r["executedQty"]), ("EXPIRED", "5.00000000"),
       "a rejected client id may be sent again (4th order: partial)")
    s = sim.stats()
    eq((s["filled"], s["partial"], s["rejected_by"]["funds"]), (1, 2, 1), "fault counts")
    sim.stop()


async def binance_drops():
    # The 2nd order is booked, then the connection is reset before any answer.
    sim = Sim("--venue", "binance", "--script", path("spot.csv"), "--api-key", KEY,
              "--api-secret", SECRET, "--drop-after-orders", "2")
    async with ws(sim, "/ws-api/v3") as c:
        r = await ask(c, {"id": 1, "method": "order.place",
                          "params": bn_params(**order("BUY", "10", "1.0002", "d1"))})
        eq(r["result"]["status"], "FILLED", "order before the drop")
        await c.send(json.dumps({"id": 2, "method": "order.place",
                                 "params": bn_params(**order("BUY", "10", "1.0002", "d2"))}))
        try:
            await asyncio.wait_for(c.recv(), 5)
            check(False, "no answer after drop-after-orders")
        except websockets.ConnectionClosed:
            pass
    async with ws(sim, "/ws-api/v3") as c:
        r = await ask(c, {"id": 3, "method": "order.place",
                          "params": bn_params(**order("BUY", "10", "1.0002", "d2"))})
        eq((r["status"], r["error"]["code"]), (400, -2010), "resent order is a duplicate")
    s = sim.stats()
    eq((s["filled"], s["duplicates"], s["drops"]), (2, 1, 1), "booked once, never twice")
    sim.stop()
    # REST, mid-response: half the HTTP answer, then FIN.
    sim = Sim("--venue", "binance", "--script", path("spot.csv"), "--api-key", KEY,
              "--api-secret", SECRET, "--drop-after-orders", "1:mid")
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    try:
        bn_rest(rest, "/api/v3/order", **order("BUY", "10", "1.0002", "m1"))
        check(False, "the answer was cut off")
    except (http.client.HTTPException, ConnectionError, json.JSONDecodeError):
        pass
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "10", "1.0002", "m1"))
    eq((st, r["code"]), (400, -2010), "REST resend after a cut answer is a duplicate")
    eq(sim.stats()["filled"], 1, "REST order booked once")
    sim.stop()


async def binance_capture():
    # A capture's book comes from its frames read by the engine's own binance parser.
    with open(path("cap.txt"), "w") as f:
        f.write('{"u":1,"s":"USDCUSDT","b":"0.99980000","B":"31.21000000",'
                '"a":"1.00010000","A":"40.66000000"}\n')
    sim = Sim("--venue", "binance", "--capture", path("cap.txt"), "--api-key", KEY,
              "--api-secret", SECRET)
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    st, _, r = bn_rest(rest, "/api/v3/order", **order("BUY", "50", "1.0005", "cap1"))
    eq((r["status"], r["executedQty"], r["fills"][0]["price"]),
       ("EXPIRED", "40.66000000", "1.00010000"), "fill against a captured book")
    sim.stop()


async def binance_futures():
    sim = Sim("--venue", "binance-futures", "--script", path("fut.csv"), "--api-key", KEY,
              "--api-secret", SECRET)
    async with ws(sim, "/ws-fapi/v1") as c:
        r = await ask(c, {"id": "f1", "method": "order.place",
                          "params": bn_params(**order("BUY", "1.000", "27151.00", "f1",
                                                      sym="BTCUSDT"))})
        res = r["result"]
        eq((r["status"], res["status"], res["executedQty"], res["avgPrice"], res["cumQuote"],
            res["price"]), (200, "FILLED", "1.000", "27150.20000", "27150.20000", "27151.00"),
           "futures ws fill")
        r = await ask(c, {"id": "f2", "method": "order.place",
                          "params": bn_params(**order("BUY", "1.000", "27151.00", "f1",
                                                      sym="BTCUSDT"))})
        eq(r["error"], {"code": -4116, "msg": "ClientOrderId is duplicated."}, "futures duplicate")
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    # Sell 4 down to 27150.00 against bid 27150.10 x 3.512: 3.512 * 27150.10 = 95351.1512.
    st, _, r = bn_rest(rest, "/fapi/v1/order",
                       **order("SELL", "4.000", "27150.00", "f3", sym="BTCUSDT"))
    eq((st, r["status"], r["executedQty"], r["avgPrice"], r["cumQuote"]),
       (200, "EXPIRED", "3.512", "27150.10000", "95351.15120"), "futures REST partial")
    sim.stop()


async def binance_ed25519():
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", path("ed.pem")],
                   check=True)
    sim = Sim("--venue", "binance", "--script", path("spot.csv"), "--api-key", KEY,
              "--ed25519-pubkey", path("ed.pem"))
    q = urllib.parse.urlencode(dict(order("BUY", "5", "1.0002", "e1"), timestamp=now_ms()))
    with open(path("payload"), "w") as f:
        f.write(q)
    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", path("ed.pem"), "-rawin",
                          "-in", path("payload")], check=True, capture_output=True).stdout
    rest = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    for s, want in ((sig, 200), (bytes(64), 400)):
        rest.request("POST", "/api/v3/order?" + q + "&signature=" +
                     urllib.parse.quote(base64.b64encode(s).decode(), safe=""),
                     headers={"X-MBX-APIKEY": KEY})
        r = rest.getresponse()
        body = json.loads(r.read())
        eq(r.status, want, "Ed25519 signature %s" % ("good" if want == 200 else "bad"))
    eq(body["code"], -1022, "Ed25519 bad signature code")
    sim.stop()


# ------------------------------------------------------------------- Kraken

KR_SECRET = base64.b64encode(hashlib.sha512(b"arbsim test key").digest()).decode()


def kr_token(sim, key="kraken-key", secret=KR_SECRET, nonce=None):
    body = "nonce=%d" % (nonce or time.time_ns())
    uri = "/0/private/GetWebSocketsToken"
    inner = hashlib.sha256((body[6:] + body).encode()).digest()
    sign = base64.b64encode(hmac.new(base64.b64decode(secret), uri.encode() + inner,
                                     hashlib.sha512).digest()).decode()
    c = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    c.request("POST", uri, body=body, headers={"API-Key": key, "API-Sign": sign,
                                               "Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    return r.status, json.loads(r.read())


async def kraken():
    with open(path("kr.keys"), "w") as f:
        f.write("# test account\napi-key=kraken-key\napi-secret=%s\n" % KR_SECRET)
    os.chmod(path("kr.keys"), 0o644)
    p = subprocess.run([ARBSIM, "--venue", "kraken", "--key-file", path("kr.keys")],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    eq(p.returncode, 2, "a world-readable key file is refused")
    check("chmod 600" in p.stderr, "the refusal says how to fix it: %r" % p.stderr)
    os.chmod(path("kr.keys"), 0o600)
    sim = Sim("--venue", "kraken", "--script", path("kraken.csv"), "--key-file", path("kr.keys"))
    st, r = kr_token(sim, secret=base64.b64encode(b"x" * 64).decode())
    eq((st, r), (200, {"error": ["EAPI:Invalid signature"]}), "kraken bad API-Sign")
    st, r = kr_token(sim, key="other")
    eq(r, {"error": ["EAPI:Invalid key"]}, "kraken unknown key")
    st, r = kr_token(sim, nonce=1)
    eq(r["error"], [], "kraken token issued")
    st, r2 = kr_token(sim, nonce=1)
    eq(r2, {"error": ["EAPI:Invalid nonce"]}, "kraken nonce reuse")
    token = r["result"]["token"]
    async with ws(sim, "/v2") as c:
        status = json.loads(await c.recv())
        eq(status["channel"], "status", "kraken greeting")
        r = await ask(c, {"method": "subscribe", "params": {"channel": "executions",
                                                           "token": token}, "req_id": 1})
        eq((r["method"], r["success"], r["result"]["channel"]), ("subscribe", True, "executions"),
           "executions subscribed")
        snap = json.loads(await c.recv())
        eq((snap["type"], snap["data"]), ("snapshot", []), "executions snapshot")
        r = await ask(c, {"method": "add_order", "req_id": 2, "params": {
            "order_type": "limit", "side": "buy", "limit_price": 1.0, "order_qty": 1000,
            "symbol": "USDC/USD", "time_in_force": "ioc", "cl_ord_id": "k1", "token": token}})
        eq((r["success"], r["req_id"], r["result"]["cl_ord_id"]), (True, 2, "k1"), "add_order ack")
        new, trade, done = [json.loads(await c.recv())["data"][0] for _ in range(3)]
        eq((new["exec_type"], new["order_id"]), ("new", r["result"]["order_id"]), "exec new")
        eq((trade["exec_type"], trade["last_qty"], trade["last_price"], trade["order_status"]),
           ("trade", 1000, 1, "filled"), "exec trade")
        eq((done["exec_type"], done["cum_qty"], done["avg_price"]), ("filled", 1000, 1),
           "exec filled")
        # Sell 600000 down to 0.9 against bid 0.9999 x 520000: cost 519948.
        r = await ask(c, {"method": "add_order", "req_id": 3, "params": {
            "order_type": "limit", "side": "sell", "limit_price": 0.9, "order_qty": 600000,
            "symbol": "USDC/USD", "time_in_force": "ioc", "cl_ord_id": "k2", "token": token}})
        new, trade, done = [json.loads(await c.recv())["data"][0] for _ in range(3)]
        eq((trade["last_qty"], trade["last_price"], trade["cost"], trade["order_status"]),
           (520000, 0.9999, 519948, "partially_filled"), "exec partial trade")
        eq((done["exec_type"], done["cum_qty"], done["cum_cost"]), ("canceled", 520000, 519948),
           "IOC rest canceled")
        r = await ask(c, {"method": "add_order", "req_id": 4, "params": {
            "order_type": "limit", "side": "buy", "limit_price": 1.0, "order_qty": 1000,
            "symbol": "USDC/USD", "time_in_force": "ioc", "cl_ord_id": "k1", "token": token}})
        eq((r["success"], r["error"]), (False, "EOrder:Duplicate order"), "kraken duplicate")
        r = await ask(c, {"method": "add_order", "req_id": 5, "params": {
            "order_type": "limit", "side": "buy", "limit_price": 1.0, "order_qty": 1,
            "symbol": "USDC/USD", "time_in_force": "ioc", "token": "forged"}})
        eq((r["success"], r["error"]), (False, "ESession:Invalid session"), "kraken bad token")
        r = await ask(c, {"method": "cancel_all_orders_after", "req_id": 6,
                          "params": {"timeout": 60, "token": token}})
        check(r["success"] and r["result"]["triggerTime"] > r["result"]["currentTime"],
              "cancel_all_orders_after: %r" % r)
        r = await ask(c, {"method": "subscribe", "req_id": 7,
                          "params": {"channel": "ticker", "symbol": ["USDC/USD"]}})
        eq((r["method"], r["success"]), ("subscribe", True), "ticker on the same connection")
    s = sim.stats()
    eq((s["filled"], s["partial"], s["duplicates"], s["bad_signatures"], s["bad_keys"],
        s["tokens"]), (1, 1, 1, 1, 2, 1), "kraken counts")
    sim.stop()


# ----------------------------------------------------------------- Coinbase

CB_KEY = "organizations/sim-org/apiKeys/sim-key"


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def der_to_rs(der):
    # SEQUENCE { INTEGER r, INTEGER s } into the 64-byte r||s JWS wants.
    i = 2 if der[1] < 0x80 else 3
    out = b""
    for _ in range(2):
        n = der[i + 1]
        out += der[i + 2:i + 2 + n].lstrip(b"\0").rjust(32, b"\0")
        i += 2 + n
    return out


def jwt(pem, method, path_, exp=120, host="api.coinbase.com"):
    t = int(time.time())
    hdr = {"alg": "ES256", "kid": CB_KEY, "nonce": os.urandom(8).hex(), "typ": "JWT"}
    pay = {"sub": CB_KEY, "iss": "cdp", "nbf": t, "exp": t + exp,
           "uri": "%s %s%s" % (method, host, path_)}
    msg = b64url(json.dumps(hdr).encode()) + "." + b64url(json.dumps(pay).encode())
    der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", pem], input=msg.encode(),
                         capture_output=True, check=True).stdout
    return msg + "." + b64url(der_to_rs(der))


def cb_call(sim, method, path_, body=None, pem=None, **kw):
    c = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    c.request(method, path_, body=json.dumps(body) if body else None,
              headers={"Authorization": "Bearer " + jwt(pem or path("cb.pem"), method,
                                                        path_.split("?")[0], **kw),
                       "Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if r.status == 200 else data.decode())


async def coinbase():
    for name in ("cb.pem", "cb-other.pem"):
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                        path(name)], check=True)
    sim = Sim("--venue", "coinbase", "--script", path("cb.csv"), "--api-key", CB_KEY,
              "--coinbase-pubkey", path("cb.pem"))
    o = {"client_order_id": "c1", "product_id": "USDT-USD", "side": "BUY",
         "order_configuration": {"sor_limit_ioc": {"base_size": "100.00",
                                                   "limit_price": "1.0010"}}}
    st, r = cb_call(sim, "POST", "/api/v3/brokerage/orders", o)
    eq((st, r["success"], r["success_response"]["client_order_id"]), (200, True, "c1"),
       "coinbase order accepted")
    oid = r["success_response"]["order_id"]
    st, r = cb_call(sim, "GET", "/api/v3/brokerage/orders/historical/fills?order_id=" + oid)
    eq([(f["price"], f["size"], f["side"]) for f in r["fills"]], [("1.0007", "100.00", "BUY")],
       "coinbase fill at the ask")
    st, r = cb_call(sim, "GET", "/api/v3/brokerage/orders/historical/" + oid)
    eq((r["order"]["status"], r["order"]["filled_size"], r["order"]["average_filled_price"]),
       ("FILLED", "100.00", "1.0007"), "coinbase order status")
    st, r = cb_call(sim, "POST", "/api/v3/brokerage/orders", o)
    eq((st, r["success_response"]["order_id"]), (200, oid),
       "a repeated client_order_id returns the first order")
    for what, kw in (("other key", {"pem": path("cb-other.pem")}), ("expired", {"exp": -5}),
                     ("wrong uri host", {"host": "example.com"})):
        st, r = cb_call(sim, "POST", "/api/v3/brokerage/orders", dict(o, client_order_id="c2"),
                        **kw)
        eq(st, 401, "coinbase JWT refused: " + what)
    s = sim.stats()
    eq((s["filled"], s["duplicates"], s["bad_signatures"]), (1, 1, 3), "coinbase counts")
    sim.stop()


async def main():
    write_books()
    for t in (binance_spot, binance_faults, binance_drops, binance_capture, binance_futures, binance_ed25519,
              kraken, coinbase):
        try:
            await t()
        except Exception as e:  # one broken case must not hide the others' results
            check(False, "%s raised %r" % (t.__name__, e))
    print("test_arbsim_orders: %s" % ("FAILED" if FAILS else "ok"))
    sys.exit(1 if FAILS else 0)


asyncio.run(main())
