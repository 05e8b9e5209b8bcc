/* SPDX-License-Identifier: MIT */
/* arbiter's side of bench_parse: parser set-up and the measured loop. */
#include "bench_parse_glue.h"

#include "bench/alloc.h"
#include "feeds/json.h"
#include "feeds/parser.h"

#include <stdlib.h>

#define BENCH_TICKS 16

struct bench_arb {
    const struct arb_feed_ops *ops;
    struct arb_parser parser;
    struct arb_symtab symtab;
    struct arb_tick ticks[BENCH_TICKS];
};

/* Registers unknown symbols as the next instrument id: the benchmark has no registry. */
static int bench_resolve(void *ctx, const char *sym, size_t len)
{
    struct arb_symtab *st = ctx;
    uint16_t id = (uint16_t)st->count;

    return arb_symtab_add(st, sym, len, id) == 0 ? id : -1;
}

struct bench_arb *bench_arb_open(const char *venue)
{
    const struct arb_feed_ops *ops = arb_feed_ops_find(venue);
    struct bench_arb *b;

    if (!ops || !(b = calloc(1, sizeof(*b))))
        return NULL;
    b->ops = ops;
    arb_symtab_init(&b->symtab);
    arb_parser_init(&b->parser, 1, &b->symtab);
    b->parser.resolve = bench_resolve;
    b->parser.resolve_ctx = &b->symtab;
    return b;
}

int bench_arb_ticks(struct bench_arb *b, const char *msg, size_t len)
{
    return b->ops->parse(&b->parser, msg, len, 1, b->ticks, BENCH_TICKS);
}

int64_t bench_arb_loop(struct bench_arb *b, const char *const *msgs, const size_t *lens, size_t n,
                       unsigned passes)
{
    int64_t sum = 0;

    for (unsigned r = 0; r < passes; r++) {
        for (size_t i = 0; i < n; i++) {
            int k = b->ops->parse(&b->parser, msgs[i], lens[i], 1, b->ticks, BENCH_TICKS);
            for (int j = 0; j < k; j++)
                sum += b->ticks[j].bid_px_e8 + b->ticks[j].ask_qty_e8 + b->ticks[j].instrument +
                       (int64_t)b->ticks[j].seq + (int64_t)b->ticks[j].exch_ts_ns;
        }
    }
    return sum;
}

int bench_arb_symbol(const struct bench_arb *b, const char *sym, size_t len)
{
    return arb_symtab_find(&b->symtab, sym, len);
}

uint64_t bench_rfc3339_ns(const char *s, size_t len)
{
    uint64_t ns;

    return arb_json_rfc3339_ns(s, len, &ns) == 0 ? ns : 0;
}

int64_t bench_thread_allocated(void)
{
    return arb_bench_allocated();
}
