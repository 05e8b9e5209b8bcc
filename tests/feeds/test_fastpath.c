/* SPDX-License-Identifier: MIT */
/*
 * The venue fast paths against the general scanner they shortcut. For every
 * message in data/recorded and data/messages, under every venue's parser, and
 * for byte-level mutations of each message that carries a tick, parse() and
 * parse_general() must return the same result, write the same ticks byte for
 * byte, count the same stats and register the same symbols; and the fast path
 * must be the one that parsed every recorded tick.
 */
#include "feed_test.h"

#include "feeds/json.h"

#define FP_MAX_TICKS 8

/* One parser per side, each over its own symbol table, so side effects can be compared. */
struct twin {
    struct arb_symtab st[2];
    struct arb_parser p[2];
    uint64_t fast_hits; /* messages parse() decided on its fast path */
    uint64_t compared;  /* messages both sides parsed */
};

/* Registers every unknown symbol, as replay does: both sides see the same order. */
static int fp_resolve(void *ctx, const char *sym, size_t len)
{
    struct arb_symtab *st = ctx;
    uint16_t id = (uint16_t)st->count;

    return arb_symtab_add(st, sym, len, id) == 0 ? id : -1;
}

static void twin_init(struct twin *tw)
{
    memset(tw, 0, sizeof(*tw));
    for (int i = 0; i < 2; i++) {
        arb_symtab_init(&tw->st[i]);
        arb_parser_init(&tw->p[i], 5, &tw->st[i]);
        tw->p[i].resolve = fp_resolve;
        tw->p[i].resolve_ctx = &tw->st[i];
    }
}

/* Parses an exact-size copy of msg (for ASan) both ways and compares everything. */
static int diff_one(const struct arb_feed_ops *ops, struct twin *tw, const char *msg, size_t len,
                    int max)
{
    char *copy = malloc(len ? len : 1);
    struct arb_tick a[FP_MAX_TICKS], b[FP_MAX_TICKS];
    uint64_t fast0 = tw->p[0].stats.fast;
    int ra, rb;

    REQUIRE(copy);
    memcpy(copy, msg, len);
    memset(a, 0x5a, sizeof(a));
    memset(b, 0x5a, sizeof(b));
    ra = ops->parse(&tw->p[0], copy, len, 42, a, max);
    rb = ops->parse_general(&tw->p[1], copy, len, 42, b, max);
    free(copy);
    tw->compared++;
    if (tw->p[0].stats.fast != fast0)
        tw->fast_hits++;
    if (ra != rb || memcmp(a, b, sizeof(a)) != 0 || tw->p[0].stats.msgs != tw->p[1].stats.msgs ||
        tw->p[0].stats.events != tw->p[1].stats.events ||
        tw->p[0].stats.skipped != tw->p[1].stats.skipped ||
        tw->p[0].stats.heartbeats != tw->p[1].stats.heartbeats ||
        tw->p[0].stats.unknown_symbol != tw->p[1].stats.unknown_symbol ||
        tw->p[0].stats.malformed != tw->p[1].stats.malformed ||
        tw->st[0].count != tw->st[1].count || tw->p[1].stats.fast != 0) {
        T_FAIL("%s: fast %d, general %d on %zu bytes: %.*s", ops->name, ra, rb, len,
               (int)(len < 300 ? len : 300), msg);
        exit(T_EXIT_FAIL); /* one report is enough; later ones would only echo it */
    }
    return ra;
}

/* Truncations and single-byte replacements of a message, each through diff_one. */
static void mutate(const struct arb_feed_ops *ops, struct twin *tw, const char *msg, size_t len)
{
    static const char subst[] = "\"\\0.-9 x}],:";
    char *m = malloc(len);

    REQUIRE(m);
    for (size_t i = 0; i < len; i++)
        diff_one(ops, tw, msg, i, FP_MAX_TICKS);
    memcpy(m, msg, len);
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof(subst) - 1; k++) {
            if (subst[k] == msg[i])
                continue;
            m[i] = subst[k];
            diff_one(ops, tw, m, len, (int)(1 + (i + k) % 3));
        }
        m[i] = msg[i];
    }
    free(m);
}

/*
 * Every frame of data/<rel> (a capture, or JSON lines when `jsonl`) through
 * every venue; mutations of the frames that yield ticks for `mutate_venue`.
 * Returns how many frames gave `mutate_venue` ticks, and how many of those
 * its fast path took, in *fast.
 */
static uint64_t run_file(const char *rel, bool jsonl, const char *mutate_venue, uint64_t *fast)
{
    size_t len;
    char *buf = ft_load(rel, &len), *line = buf, *end = buf + len;
    struct twin *tw = malloc(sizeof(*tw) * 4);
    uint64_t ticks = 0;

    REQUIRE(tw);
    *fast = 0;
    for (int v = 0; arb_feed_ops_all[v]; v++)
        twin_init(&tw[v]);
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line), plen = ll;
        const char *payload = line;
        uint64_t ts;

        if (jsonl || arb_capture_line(line, ll, &ts, &payload, &plen) == ARB_CAPTURE_FRAME) {
            for (int v = 0; arb_feed_ops_all[v]; v++) {
                const struct arb_feed_ops *ops = arb_feed_ops_all[v];
                uint64_t hits = tw[v].fast_hits;
                if (diff_one(ops, &tw[v], payload, plen, FP_MAX_TICKS) > 0 &&
                    strcmp(ops->name, mutate_venue) == 0) {
                    ticks++;
                    *fast += tw[v].fast_hits - hits;
                    mutate(ops, &tw[v], payload, plen);
                }
            }
        }
        line = nl ? nl + 1 : end;
    }
    /* The symbol tables saw the same registrations in the same order. */
    for (int v = 0; arb_feed_ops_all[v]; v++)
        CHECK(memcmp(&tw[v].st[0], &tw[v].st[1], sizeof(tw[v].st[0])) == 0);
    free(tw);
    free(buf);
    return ticks;
}

static void test_recorded(void)
{
    static const struct {
        const char *rel;
        const char *venue;
    } files[] = {
        {"recorded/BINANCE.ws.1.0", "binance"},
        {"recorded/BINANCE_FUTURES.ws.1.0", "binance-futures"},
        {"recorded/COINBASE.ws.28.0.part1", "coinbase"},
        {"recorded/KRAKEN.ws.48.0", "kraken"},
        {"recorded/KRAKEN.ws.49.0", "kraken"},
    };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        uint64_t fast, ticks = run_file(files[i].rel, false, files[i].venue, &fast);
        /* Each recorded tick is in the venue's usual layout, so the fast path took it. */
        if (fast != ticks)
            T_FAIL("%s: the fast path took %llu of %llu tick messages", files[i].rel,
                   (unsigned long long)fast, (unsigned long long)ticks);
    }
}

static void test_messages(void)
{
    static const struct {
        const char *rel;
        const char *venue;
    } files[] = {
        {"messages/binance_messages.jsonl", "binance"},
        {"messages/binance_futures_messages.jsonl", "binance-futures"},
        {"messages/coinbase_messages.jsonl", "coinbase"},
    };
    uint64_t fast;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        run_file(files[i].rel, true, files[i].venue, &fast);
}

/*
 * Valid messages just off the fast layouts (whitespace, key order, escapes,
 * unusual numbers), and layouts the fast paths do take with edge values:
 * each must come out the same both ways.
 */
static void test_odd_but_valid(void)
{
    static const char *const bn[] = {
        "{\"stream\":\"x@bookTicker\",\"data\":{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.5\",\"B\":"
        "\"2\",\"a\":\"1.6\",\"A\":\"3\"}}",
        "{\"stream\":\"x@bookTicker\",\"data\":{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.5\",\"B\":"
        "\"2\",\"a\":\"1.6\",\"A\":\"3\"}} ",
        "{\"stream\":\"x@bookTicker\",\"data\":{\"s\":\"BTCUSDT\",\"u\":1,\"b\":\"1.5\",\"B\":"
        "\"2\",\"a\":\"1.6\",\"A\":\"3\"}}",
        "{\"stream\":\"x\\\"y\",\"data\":{\"u\":1,\"s\":\"BTC\\u0055SDT\",\"b\":\"1.5\",\"B\":"
        "\"2\",\"a\":\"1.6\",\"A\":\"3\"}}",
        "{\"u\":18446744073709551615,\"s\":\"BTCUSDT\",\"b\":\"-0.00000001\",\"B\":"
        "\"92233720368.54775807\",\"a\":\"1.000000000000\",\"A\":\"0012345678.9\"}",
        "{\"u\":1,\"s\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ01234\",\"b\":\"1.123456789\",\"B\":\"2\","
        "\"a\":\"1.6\",\"A\":\"3\"}",
        "{\"u\":01,\"s\":\"BTCUSDT\",\"b\":\"1234567.12345678\",\"B\":\"12345678\",\"a\":"
        "\"1e5\",\"A\":\"3\"}",
        "{\"stream\":\"x\",\"data\":{\"e\":\"bookTicker\",\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.5\","
        "\"B\":\"2\",\"a\":\"1.6\",\"A\":\"3\",\"T\":1,\"E\":18446744073709}}",
        "{\"stream\":\"x\",\"data\":{\"e\":\"bookTicker\",\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.5\","
        "\"B\":\"2\",\"a\":\"1.6\",\"A\":\"3\",\"T\":1,\"E\":18446744073710}}",
        "{\"stream\":\"x\",\"data\":{\"e\":\"bookTicker\",\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1.5\","
        "\"B\":\"2\",\"a\":\"1.6\",\"A\":\"3\",\"T\":\"x\",\"E\":1}}",
        "{\"stream\":\"x\",\"data\":{\"e\":\"bookTicker\",\"u\":1,\"s\":\"\",\"b\":\"1.5\","
        "\"B\":\"2\",\"a\":\"1.6\",\"A\":\"3\",\"T\":1,\"E\":1}}",
    };
    static const char *const cb[] = {
        "{\"type\":\"ticker\",\"sequence\":1,\"product_id\":\"BTC-USD\",\"price\":\"1\","
        "\"open_24h\":\"1\",\"volume_24h\":\"1\",\"low_24h\":\"1\",\"high_24h\":\"1\","
        "\"volume_30d\":\"1\",\"best_bid\":\"1.5\",\"best_ask\":\"1.6\",\"side\":\"buy\","
        "\"time\":\"2021-04-17T16:43:30Z\",\"trade_id\":1,\"last_size\":\"1\"}",
        "{\"type\":\"ticker\",\"sequence\":1,\"product_id\":\"BTC-USD\",\"price\":\"1\","
        "\"open_24h\":\"1\",\"volume_24h\":\"1\",\"low_24h\":\"1\",\"high_24h\":\"1\","
        "\"volume_30d\":\"1\",\"best_bid\":\"1.5\",\"best_ask\":\"1.6\",\"best_ask_size\":\"2\","
        "\"side\":\"buy\",\"time\":\"2021-02-29T16:43:30.5Z\",\"trade_id\":1,\"last_size\":\"1\"}",
        "{\"type\":\"ticker\",\"sequence\":1,\"product_id\":\"BTC-USD\",\"price\":\"1\","
        "\"open_24h\":\"1\",\"volume_24h\":\"1\",\"low_24h\":\"1\",\"high_24h\":\"1\","
        "\"volume_30d\":\"1\",\"best_bid\":\"1.5\",\"best_ask\":\"1.6\",\"side\":\"buy\","
        "\"time\":\"2024-02-29T23:59:60.123456789Z\",\"trade_id\":1,\"last_size\":\"1\"}",
        "{\"type\":\"ticker\",\"sequence\":1,\"product_id\":\"BTC-USD\",\"price\":\"1\","
        "\"open_24h\":\"1\",\"volume_24h\":\"1\",\"low_24h\":\"1\",\"high_24h\":\"1\","
        "\"volume_30d\":\"1\",\"best_bid\":\"1.5\",\"best_ask\":\"1.6\",\"side\":\"buy\","
        "\"time\":\"2021-13-17T16:43:30.1Z\",\"trade_id\":1,\"last_size\":\"1\"}",
        "{\"type\":\"ticker\",\"sequence\":1,\"product_id\":\"BTC-USD\",\"price\":\"1\","
        "\"open_24h\":\"1\",\"volume_24h\":\"1\",\"low_24h\":\"1\",\"high_24h\":\"1\","
        "\"volume_30d\":\"1\",\"best_bid\":\"1.5\",\"best_ask\":\"1.6\",\"side\":\"buy\","
        "\"time\":\"2021-04-17T16:43:30.244075Z\",\"trade_id\":1,\"last_size\":\"1\","
        "\"best_bid\":\"9\"}",
    };
    static const char *const kr[] = {
        "[1,{\"a\":[\"1.5\",1,\"2\"],\"b\":[\"1.4\",1,\"3\"],\"c\":[\"1\",\"1\"],\"v\":[\"1\","
        "\"1\"],\"p\":[\"1\",\"1\"],\"t\":[1,1],\"l\":[\"1\",\"1\"],\"h\":[\"1\",\"1\"],\"o\":"
        "[\"1\",\"1\"]},\"ticker\",\"XBT/USD\"]",
        "[1,{\"a\":[\"1.5\",1,\"2\"],\"b\":[\"1.4\",1,\"3\"],\"c\":[\"1\",\"1\"],\"v\":[\"1\","
        "\"1\"],\"p\":[\"1\",\"1\"],\"t\":[1,1],\"l\":[\"1\",\"1\"],\"h\":[\"1\",\"1\"],\"o\":"
        "[\"1\",\"1\"],\"a\":[\"9\",1,\"9\"]},\"ticker\",\"XBT/USD\"]",
        "[1,{\"a\":[\"1.5\",1,\"2\"],\"b\":[\"1.4\",1,\"3\"],\"c\":[\"1\",\"1\"],\"v\":[\"1\","
        "\"1\"],\"p\":[\"1\",\"1\"],\"t\":[1,1],\"l\":[\"1\",\"1\"],\"h\":[\"1\",\"1\"],\"o\":"
        "[\"1\",\"1\"]},\"ticker\",\"XBT/USD\"]\n",
        "[1,{\"a\":[\"1.5\",1,\"2\"],\"b\":[\"1.4\",1,\"3\"],\"c\":[\"1\",\"1\"],\"v\":[\"1\","
        "\"1\"],\"p\":[\"1\",\"1\"],\"t\":[1,1],\"l\":[\"1\",\"1\"],\"h\":[\"1\",\"1\"],\"o\":"
        "[\"1\",\"1\"]},\"ticker\",\"X\\\\Y\"]",
    };
    const struct {
        const char *venue;
        const char *const *msgs;
        size_t n;
    } sets[] = {
        {"binance", bn, sizeof(bn) / sizeof(bn[0])},
        {"binance-futures", bn, sizeof(bn) / sizeof(bn[0])},
        {"coinbase", cb, sizeof(cb) / sizeof(cb[0])},
        {"kraken", kr, sizeof(kr) / sizeof(kr[0])},
    };
    struct twin *tw = malloc(sizeof(*tw));

    REQUIRE(tw);
    for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
        const struct arb_feed_ops *ops = arb_feed_ops_find(sets[s].venue);
        REQUIRE(ops && ops->parse_general);
        twin_init(tw);
        for (size_t i = 0; i < sets[s].n; i++) {
            diff_one(ops, tw, sets[s].msgs[i], strlen(sets[s].msgs[i]), FP_MAX_TICKS);
            mutate(ops, tw, sets[s].msgs[i], strlen(sets[s].msgs[i]));
        }
        /* The plain layouts among them did take the fast path. */
        CHECK(tw->fast_hits > 0);
    }
    free(tw);
}

/*
 * The fast paths' value helpers against their definitions: arb_json_fixed_str
 * is arb_json_str_end then arb_fixed_parse, and arb_json_digits reads the
 * longest run of digits (1 to 19). Random values, digit-heavy so that most are
 * valid, followed by a quote and more bytes or cut off at the end of an
 * exact-size buffer.
 */
static void test_value_helpers(void)
{
    static const char alpha[] = "0123456789012345678901234567890123456789.-\"\\ex";
    uint64_t seed = 4242, bad = 0;
    char s[64];

    for (int i = 0; i < 1000000; i++) {
        uint64_t r = t_rand(&seed);
        size_t n = (size_t)(r % 24), total = n + (size_t)((r >> 8) % 20);
        for (size_t k = 0; k < total; k++)
            s[k] = alpha[t_rand(&seed) % (sizeof(alpha) - 1)];
        if ((r >> 16) & 1) {
            /* A price shape: digits, one '.', digits. */
            for (size_t k = 0; k < n; k++)
                s[k] = (char)('0' + t_rand(&seed) % 10);
            if (n > 1)
                s[(r >> 20) % (n - 1) + 1] = '.';
        }
        if (n < total)
            s[n] = '"';
        char *buf = malloc(total ? total : 1);
        REQUIRE(buf);
        memcpy(buf, s, total);
        const char *end = buf + total, *q = arb_json_str_end(buf, end), *got;
        int64_t want = 0, v = 0;
        const char *expect = q && arb_fixed_parse(buf, (size_t)(q - buf), &want) == 0 ? q : NULL;
        got = arb_json_fixed_str(buf, end, &v);
        if ((got != expect || (got && v != want)) && bad++ < 5)
            T_FAIL("fixed_str(\"%.*s\"): got %td %lld, want %td %lld", (int)total, s,
                   got ? got - buf : -1, (long long)v, expect ? expect - buf : -1, (long long)want);
        /* Digits: the run from buf, if 1..19 long. */
        size_t run = 0;
        uint64_t dv = 0, uv = 0;
        while (run < total && buf[run] >= '0' && buf[run] <= '9')
            run++;
        const char *dgot = arb_json_digits(buf, end, &dv);
        bool dwant = run >= 1 && run <= 19 && arb_json_u64(buf, run, &uv) == 0;
        if ((dwant ? dgot != buf + run || dv != uv : dgot != NULL) && bad++ < 5)
            T_FAIL("digits(\"%.*s\"): got %td, want run %zu", (int)total, s, dgot ? dgot - buf : -1,
                   run);
        free(buf);
    }
    CHECK_EQ_U64(bad, 0);
}

int main(void)
{
    test_value_helpers();
    test_odd_but_valid();
    test_recorded();
    test_messages();
    return T_DONE();
}
