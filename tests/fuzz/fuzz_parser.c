/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for one venue parser, picked at build time by ARB_FUZZ_VENUE.
 * Proves the parser never reads outside its input (ASan sizes the buffer exactly),
 * never crashes, and keeps its result and stats contract on any bytes; and that
 * parse(), with its byte-exact fast path, agrees with parse_general(), the
 * general scanner alone, on every input: result, ticks, stats and symbols.
 */
#include "feeds/parser.h"

#include <stdlib.h>
#include <string.h>

#ifndef ARB_FUZZ_VENUE
#error "build with -DARB_FUZZ_VENUE=\"binance\" (or another feeds/ venue)"
#endif

#define FUZZ_MAX_TICKS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_resolve(void *ctx, const char *sym, size_t len)
{
    struct arb_symtab *st = ctx;

    /* Register a few unknown symbols, refuse the rest: both paths get exercised. */
    if (len == 0 || (sym[0] & 1) || st->count >= 64)
        return -1;
    return arb_symtab_add(st, sym, len, (uint16_t)(st->count + 10)) == 0 ? (int)st->count + 9 : -1;
}

/* One parser over its own symbol table, set up the same way for both sides. */
static void fuzz_setup(struct arb_parser *p, struct arb_symtab *st, const uint8_t *data,
                       size_t size)
{
    static const char *const known[] = {"BTCUSDT", "BNBUSDT", "NKNUSDT",   "BTC-USD", "BAND-GBP",
                                        "XBT/USD", "BTC/USD", "WAVES/EUR", "ALGO/USD"};

    arb_symtab_init(st);
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        arb_symtab_add(st, known[i], strlen(known[i]), (uint16_t)i);
    arb_parser_init(p, 3, st);
    if (size > 0 && (data[0] & 0x80)) {
        p->resolve = fuzz_resolve;
        p->resolve_ctx = st;
    }
}

/* The general scanner on the same bytes must give exactly what parse() gave. */
static void fuzz_differential(const struct arb_feed_ops *ops, const uint8_t *data, size_t size,
                              int max, int rc, const struct arb_parser *p,
                              const struct arb_symtab *st, const struct arb_tick *out)
{
    static struct arb_symtab gst;
    struct arb_parser gp;
    struct arb_tick gout[FUZZ_MAX_TICKS + 1];
    int grc;

    fuzz_setup(&gp, &gst, data, size);
    memset(gout, 0xa5, sizeof(gout));
    grc = ops->parse_general(&gp, (const char *)data, size, 77, gout, max);
    if (grc != rc || memcmp(gout, out, sizeof(gout)) != 0 || gp.stats.fast != 0 ||
        gp.stats.msgs != p->stats.msgs || gp.stats.events != p->stats.events ||
        gp.stats.skipped != p->stats.skipped || gp.stats.heartbeats != p->stats.heartbeats ||
        gp.stats.unknown_symbol != p->stats.unknown_symbol ||
        gp.stats.malformed != p->stats.malformed || memcmp(&gst, st, sizeof(gst)) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct arb_feed_ops *ops;
    static struct arb_symtab st;
    struct arb_parser p;
    struct arb_tick out[FUZZ_MAX_TICKS + 1];
    int rc, max;

    if (!ops) {
        ops = arb_feed_ops_find(ARB_FUZZ_VENUE);
        if (!ops)
            abort();
    }
    fuzz_setup(&p, &st, data, size);
    /* The first byte's low bits also vary the room given, so the drop path is reached. */
    max = size > 0 ? 1 + (data[0] & 3) : 1;
    memset(out, 0xa5, sizeof(out));
    rc = ops->parse(&p, (const char *)data, size, 77, out, max);
    if (rc > max || (rc < 0 && rc != ARB_PARSE_MALFORMED && rc != ARB_PARSE_UNKNOWN))
        abort();
    /* The guard tick past max must be untouched. */
    if (out[max].venue != 0xa5a5)
        abort();
    for (int i = 0; i < rc; i++) {
        const struct arb_tick *t = &out[i];
        if (t->venue != 3 || t->recv_ts_ns != 77 || t->flags != 0 ||
            (t->kind != ARB_TICK_BBO && t->kind != ARB_TICK_FUNDING))
            abort();
        if (arb_symtab_name(&st, t->instrument, &(size_t){0}) == NULL)
            abort();
    }
    if (p.stats.msgs != 1 ||
        p.stats.events + p.stats.skipped + p.stats.malformed + p.stats.unknown_symbol !=
            (rc > 0 ? (uint64_t)rc : 1) ||
        p.stats.heartbeats > p.stats.skipped)
        abort();
    fuzz_differential(ops, data, size, max, rc, &p, &st, out);
    return 0;
}
