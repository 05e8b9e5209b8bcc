/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for one venue parser, picked at build time by ARB_FUZZ_VENUE.
 * Proves the parser never reads outside its input (ASan sizes the buffer exactly),
 * never crashes, and keeps its result and stats contract on any bytes.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct arb_feed_ops *ops;
    static struct arb_symtab st;
    static const char *const known[] = {"BTCUSDT", "BNBUSDT", "NKNUSDT",   "BTC-USD", "BAND-GBP",
                                        "XBT/USD", "BTC/USD", "WAVES/EUR", "ALGO/USD"};
    struct arb_parser p;
    struct arb_tick out[FUZZ_MAX_TICKS + 1];
    int rc, max;

    if (!ops) {
        ops = arb_feed_ops_find(ARB_FUZZ_VENUE);
        if (!ops)
            abort();
    }
    arb_symtab_init(&st);
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        arb_symtab_add(&st, known[i], strlen(known[i]), (uint16_t)i);
    arb_parser_init(&p, 3, &st);
    if (size > 0 && (data[0] & 0x80)) {
        p.resolve = fuzz_resolve;
        p.resolve_ctx = &st;
    }
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
    return 0;
}
