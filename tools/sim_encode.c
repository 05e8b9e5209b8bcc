/* SPDX-License-Identifier: MIT */
/* Venue market-data encoders: quotes into binance, coinbase and kraken messages. */
#include "tools/sim_encode.h"

#include "core/fixed.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static const char *const venue_names[ARB_SIM_NVENUES] = {
    [ARB_SIM_BINANCE] = "binance",
    [ARB_SIM_BINANCE_FUTURES] = "binance-futures",
    [ARB_SIM_COINBASE] = "coinbase",
    [ARB_SIM_KRAKEN] = "kraken",
};

int arb_sim_venue_find(const char *name)
{
    for (int i = 0; i < ARB_SIM_NVENUES; i++)
        if (strcmp(name, venue_names[i]) == 0)
            return i;
    return -1;
}

const char *arb_sim_venue_name(enum arb_sim_venue v)
{
    return (unsigned)v < ARB_SIM_NVENUES ? venue_names[v] : "?";
}

/* A bounded appender: overflow is sticky and reported once at the end. */
struct wbuf {
    char *p;
    char *end;
    int overflow;
};

static void put(struct wbuf *w, const char *s, size_t n)
{
    if ((size_t)(w->end - w->p) < n) {
        w->overflow = 1;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

static void puts_(struct wbuf *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_u64(struct wbuf *w, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(w, tmp + i, sizeof tmp - i);
}

static void put_i64(struct wbuf *w, int64_t v)
{
    if (v < 0) {
        put(w, "-", 1);
        put_u64(w, 0 - (uint64_t)v);
    } else {
        put_u64(w, (uint64_t)v);
    }
}

static void put_fixed(struct wbuf *w, int64_t v, unsigned dec)
{
    char tmp[32];

    put(w, tmp, arb_sim_fmt_fixed(v, dec, tmp));
}

/* A decimal as a JSON string: "25.35190000". */
static void put_qfixed(struct wbuf *w, int64_t v, unsigned dec)
{
    put(w, "\"", 1);
    put_fixed(w, v, dec);
    put(w, "\"", 1);
}

static void put_lower(struct wbuf *w, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        put(w, &c, 1);
    }
}

static int finish(struct wbuf *w, char *start)
{
    return w->overflow ? -ENOSPC : (int)(w->p - start);
}

size_t arb_sim_fmt_fixed(int64_t v_e8, unsigned decimals, char *out)
{
    size_t n = arb_fixed_format(v_e8, out);
    char *dot = memchr(out, '.', n);
    unsigned have = dot ? (unsigned)(out + n - dot - 1) : 0;

    if (decimals > ARB_FIXED_DECIMALS)
        decimals = ARB_FIXED_DECIMALS;
    if (have >= decimals)
        return n;
    if (!dot)
        out[n++] = '.';
    while (have < decimals) {
        out[n++] = '0';
        have++;
    }
    out[n] = '\0';
    return n;
}

size_t arb_sim_fmt_time_us(uint64_t ns, char *out)
{
    /* gmtime_r costs about as much as the rest of a message; one cache per thread
     * turns it into a compare for every message within the same second. */
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[20];
    time_t sec = (time_t)(ns / 1000000000ULL);
    uint32_t us = (uint32_t)(ns % 1000000000ULL / 1000);

    if (sec != cached_sec) {
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = sec;
    }
    memcpy(out, cached, 19);
    out[19] = '.';
    for (int i = 25; i >= 20; i--) {
        out[i] = (char)('0' + us % 10);
        us /= 10;
    }
    out[26] = 'Z';
    out[27] = '\0';
    return 27;
}

uint64_t arb_sim_next_funding_ms(uint64_t now_ms)
{
    const uint64_t period = 8ULL * 3600 * 1000;

    return (now_ms / period + 1) * period;
}

static void put_time(struct wbuf *w, uint64_t ns)
{
    char t[28];

    put(w, "\"", 1);
    put(w, t, arb_sim_fmt_time_us(ns, t));
    put(w, "\"", 1);
}

static int binance_book(const struct arb_sim_quote *q, const struct arb_sim_enc *e, bool futures,
                        struct wbuf *w)
{
    /* Spot prints every decimal field with 8 decimals; futures prints the
     * symbol's tick and step precision, which the source gave us. */
    unsigned pd = futures ? q->dec[ARB_SIM_F_BID] : 8, qd = futures ? q->dec[ARB_SIM_F_BID_QTY] : 8;
    unsigned apd = futures ? q->dec[ARB_SIM_F_ASK] : 8,
             aqd = futures ? q->dec[ARB_SIM_F_ASK_QTY] : 8;
    uint64_t ms = e->now_ns / 1000000ULL;

    if (e->combined) {
        puts_(w, "{\"stream\":\"");
        put_lower(w, q->symbol);
        puts_(w, "@bookTicker\",\"data\":");
    }
    puts_(w, futures ? "{\"e\":\"bookTicker\",\"u\":" : "{\"u\":");
    put_u64(w, e->seq);
    puts_(w, ",\"s\":\"");
    puts_(w, q->symbol);
    puts_(w, "\",\"b\":");
    put_qfixed(w, q->bid_e8, pd);
    puts_(w, ",\"B\":");
    put_qfixed(w, q->bid_qty_e8, qd);
    puts_(w, ",\"a\":");
    put_qfixed(w, q->ask_e8, apd);
    puts_(w, ",\"A\":");
    put_qfixed(w, q->ask_qty_e8, aqd);
    if (futures) {
        /* T is the matching-engine time, E the push time a few ms later. */
        puts_(w, ",\"T\":");
        put_u64(w, ms > 0 ? ms - 1 : 0);
        puts_(w, ",\"E\":");
        put_u64(w, ms);
    }
    puts_(w, e->combined ? "}}" : "}");
    return 0;
}

static int coinbase_ticker(const struct arb_sim_quote *q, const struct arb_sim_enc *e,
                           struct wbuf *w)
{
    unsigned pd = q->dec[ARB_SIM_F_BID];

    if (q->dec[ARB_SIM_F_ASK] > pd)
        pd = q->dec[ARB_SIM_F_ASK];
    puts_(w, "{\"type\":\"ticker\",\"sequence\":");
    put_u64(w, e->seq);
    puts_(w, ",\"product_id\":\"");
    puts_(w, q->symbol);
    /* The print is a taker sell at the bid. */
    puts_(w, "\",\"price\":");
    put_qfixed(w, q->bid_e8, q->dec[ARB_SIM_F_BID]);
    puts_(w, ",\"open_24h\":");
    put_qfixed(w, q->open_e8, pd);
    puts_(w, ",\"volume_24h\":");
    put_qfixed(w, q->volume_e8, 8);
    puts_(w, ",\"low_24h\":");
    put_qfixed(w, q->low_e8, pd);
    puts_(w, ",\"high_24h\":");
    put_qfixed(w, q->high_e8, pd);
    puts_(w, ",\"volume_30d\":");
    put_qfixed(w, q->volume_e8, 8);
    puts_(w, ",\"best_bid\":");
    put_qfixed(w, q->bid_e8, q->dec[ARB_SIM_F_BID]);
    puts_(w, ",\"best_bid_size\":");
    put_qfixed(w, q->bid_qty_e8, 8);
    puts_(w, ",\"best_ask\":");
    put_qfixed(w, q->ask_e8, q->dec[ARB_SIM_F_ASK]);
    puts_(w, ",\"best_ask_size\":");
    put_qfixed(w, q->ask_qty_e8, 8);
    puts_(w, ",\"side\":\"sell\",\"time\":");
    put_time(w, e->now_ns);
    puts_(w, ",\"trade_id\":");
    put_u64(w, e->seq);
    puts_(w, ",\"last_size\":\"0.01000000\"}");
    return 0;
}

/* change_pct = 100 * (last - open) / open, rounded half away from zero to 2 decimals. */
static int64_t change_pct_e8(int64_t last, int64_t open)
{
    __int128 num = (__int128)(last - open) * 100 * 100; /* percent, in hundredths */
    __int128 mag = num < 0 ? -num : num, den = open < 0 ? -(__int128)open : open;
    __int128 r;

    if (open == 0)
        return 0;
    r = (mag * 2 + den) / (2 * den);
    if ((num < 0) != (open < 0))
        r = -r;
    return (int64_t)r * (ARB_FIXED_ONE / 100);
}

static int kraken_v2_ticker(const struct arb_sim_quote *q, const struct arb_sim_enc *e,
                            struct wbuf *w)
{
    /* v2 prints numbers, not strings, at the pair's precision. */
    puts_(w, e->snapshot ? "{\"channel\":\"ticker\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\""
                         : "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{\"symbol\":\"");
    puts_(w, q->symbol);
    puts_(w, "\",\"bid\":");
    put_fixed(w, q->bid_e8, q->dec[ARB_SIM_F_BID]);
    puts_(w, ",\"bid_qty\":");
    put_fixed(w, q->bid_qty_e8, q->dec[ARB_SIM_F_BID_QTY]);
    puts_(w, ",\"ask\":");
    put_fixed(w, q->ask_e8, q->dec[ARB_SIM_F_ASK]);
    puts_(w, ",\"ask_qty\":");
    put_fixed(w, q->ask_qty_e8, q->dec[ARB_SIM_F_ASK_QTY]);
    puts_(w, ",\"last\":");
    put_fixed(w, q->bid_e8, q->dec[ARB_SIM_F_BID]);
    puts_(w, ",\"volume\":");
    put_fixed(w, q->volume_e8, 0);
    puts_(w, ",\"vwap\":");
    put_fixed(w, q->open_e8 / 2 + q->bid_e8 / 2, 0);
    puts_(w, ",\"low\":");
    put_fixed(w, q->low_e8, 0);
    puts_(w, ",\"high\":");
    put_fixed(w, q->high_e8, 0);
    puts_(w, ",\"change\":");
    put_fixed(w, q->bid_e8 - q->open_e8, 0);
    puts_(w, ",\"change_pct\":");
    put_fixed(w, change_pct_e8(q->bid_e8, q->open_e8), 2);
    puts_(w, ",\"timestamp\":");
    put_time(w, e->now_ns);
    puts_(w, "}]}");
    return 0;
}

static void kraken_v1_level(struct wbuf *w, const char *key, int64_t px, unsigned pd, int64_t qty)
{
    puts_(w, key);
    put_qfixed(w, px, pd);
    put(w, ",", 1);
    put_i64(w, qty / ARB_FIXED_ONE); /* whole lot volume */
    put(w, ",", 1);
    put_qfixed(w, qty, 8);
    put(w, "]", 1);
}

static int kraken_v1_ticker(const struct arb_sim_quote *q, const struct arb_sim_enc *e,
                            struct wbuf *w)
{
    unsigned pd = q->dec[ARB_SIM_F_BID] > 5 ? q->dec[ARB_SIM_F_BID] : 5;

    put(w, "[", 1);
    put_i64(w, e->channel_id);
    kraken_v1_level(w, ",{\"a\":[", q->ask_e8, pd, q->ask_qty_e8);
    kraken_v1_level(w, ",\"b\":[", q->bid_e8, pd, q->bid_qty_e8);
    puts_(w, ",\"c\":[");
    put_qfixed(w, q->bid_e8, pd);
    puts_(w, ",\"0.01000000\"],\"v\":[");
    put_qfixed(w, q->volume_e8, 8);
    put(w, ",", 1);
    put_qfixed(w, q->volume_e8, 8);
    puts_(w, "],\"p\":[");
    put_qfixed(w, q->open_e8 / 2 + q->bid_e8 / 2, pd);
    put(w, ",", 1);
    put_qfixed(w, q->open_e8 / 2 + q->bid_e8 / 2, pd);
    puts_(w, "],\"t\":[");
    put_u64(w, e->seq);
    put(w, ",", 1);
    put_u64(w, e->seq);
    puts_(w, "],\"l\":[");
    put_qfixed(w, q->low_e8, pd);
    put(w, ",", 1);
    put_qfixed(w, q->low_e8, pd);
    puts_(w, "],\"h\":[");
    put_qfixed(w, q->high_e8, pd);
    put(w, ",", 1);
    put_qfixed(w, q->high_e8, pd);
    puts_(w, "],\"o\":[");
    put_qfixed(w, q->open_e8, pd);
    put(w, ",", 1);
    put_qfixed(w, q->open_e8, pd);
    puts_(w, "]},\"ticker\",\"");
    puts_(w, q->symbol);
    puts_(w, "\"]");
    return 0;
}

int arb_sim_encode_bbo(enum arb_sim_venue v, const struct arb_sim_quote *q,
                       const struct arb_sim_enc *e, char *out, size_t cap)
{
    struct wbuf w = {out, out + cap, 0};

    switch (v) {
    case ARB_SIM_BINANCE:
    case ARB_SIM_BINANCE_FUTURES:
        binance_book(q, e, v == ARB_SIM_BINANCE_FUTURES, &w);
        break;
    case ARB_SIM_COINBASE:
        coinbase_ticker(q, e, &w);
        break;
    case ARB_SIM_KRAKEN:
        if (e->kraken_v1)
            kraken_v1_ticker(q, e, &w);
        else
            kraken_v2_ticker(q, e, &w);
        break;
    default:
        return -ENOTSUP;
    }
    return finish(&w, out);
}

int arb_sim_encode_funding(enum arb_sim_venue v, const struct arb_sim_quote *q,
                           const struct arb_sim_enc *e, char *out, size_t cap)
{
    struct wbuf w = {out, out + cap, 0};
    uint64_t ms = e->now_ns / 1000000ULL;

    if (v != ARB_SIM_BINANCE_FUTURES || !q->has_funding)
        return -ENOTSUP;
    if (e->combined) {
        puts_(&w, "{\"stream\":\"");
        put_lower(&w, q->symbol);
        puts_(&w, "@markPrice@1s\",\"data\":");
    }
    puts_(&w, "{\"e\":\"markPriceUpdate\",\"E\":");
    put_u64(&w, ms);
    puts_(&w, ",\"s\":\"");
    puts_(&w, q->symbol);
    /* The script gives one mark; index and estimated settle price follow it. */
    puts_(&w, "\",\"p\":");
    put_qfixed(&w, q->mark_e8, 8);
    puts_(&w, ",\"P\":");
    put_qfixed(&w, q->mark_e8, 8);
    puts_(&w, ",\"i\":");
    put_qfixed(&w, q->mark_e8, 8);
    puts_(&w, ",\"r\":");
    put_qfixed(&w, q->funding_e8, 8);
    puts_(&w, ",\"T\":");
    put_u64(&w, arb_sim_next_funding_ms(ms));
    puts_(&w, e->combined ? "}}" : "}");
    return finish(&w, out);
}
