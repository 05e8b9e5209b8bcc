/* SPDX-License-Identifier: MIT */
/*
 * The market-data side of a venue plug-in: one table of hooks per venue that
 * turns the venue's own WebSocket messages into normalized ticks, and builds
 * its subscription messages. Parsers are zero-copy and allocation-free.
 */
#ifndef ARB_FEEDS_PARSER_H
#define ARB_FEEDS_PARSER_H

#include "core/symtab.h"
#include "core/tick.h"

#include <stddef.h>
#include <stdint.h>

/* Per-connection parser state, owned by one feed thread (or one replay). */
struct arb_parser {
    uint16_t venue;            /* registry venue id stamped into every tick */
    struct arb_symtab *symtab; /* venue spelling -> instrument id */
    /*
     * Cold fallback for symbols missing from symtab. Replay and `arbiter parse`
     * set it to register new instruments on first sight; live feeds leave it
     * NULL, so unknown symbols are counted and skipped. Returns the
     * instrument id or -1.
     */
    int (*resolve)(void *ctx, const char *sym, size_t len);
    void *resolve_ctx;
    struct {
        uint64_t msgs;           /* messages offered to parse */
        uint64_t events;         /* ticks produced */
        uint64_t skipped;        /* valid messages of kinds we do not handle */
        uint64_t heartbeats;     /* venue heartbeats seen (also counted in skipped) */
        uint64_t unknown_symbol; /* well-formed, but a symbol we do not trade */
        uint64_t malformed;      /* not the venue's format: counted, logged, dropped */
        uint64_t fast;           /* messages the venue's byte-exact fast path decided */
    } stats;
};

/* parse() returns the number of ticks written (> 0), or one of these. */
#define ARB_PARSE_SKIP      0     /* not a kind we handle: subscription acks, trades... */
#define ARB_PARSE_MALFORMED (-22) /* -EINVAL: counted, logged rate-limited, skipped */
#define ARB_PARSE_UNKNOWN   (-2)  /* -ENOENT: a symbol with no instrument */
/* Internal, never returned by parse(): a fast path saw other bytes than the layout it
 * matches, so the general scanner decides. */
#define ARB_PARSE_FAST_MISS (-1000)

struct arb_feed_ops {
    const char *name; /* Tardis.dev exchange id: "binance", "binance-futures", ... */
    const char *url;  /* default public market-data endpoint */
    /*
     * Parses one complete message (one WebSocket text frame) into at most
     * `max` ticks at `out`. Updates p->stats. Never allocates, never reads
     * outside msg[0..len).
     */
    int (*parse)(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                 struct arb_tick *out, int max);
    /*
     * parse() without the venue's byte-exact fast path: the general scanner
     * alone, the reference the fast path must match byte for byte (tests,
     * fuzzing). Same contract; never counts stats.fast.
     */
    int (*parse_general)(struct arb_parser *p, const char *msg, size_t len, uint64_t recv_ts_ns,
                         struct arb_tick *out, int max);
    /*
     * Writes the subscription request(s) for `n` venue symbols into buf, one
     * message per line. Returns the length written, or -ENOSPC.
     */
    int (*subscribe)(const char *const *symbols, size_t n, char *buf, size_t len);
    /* Venue-level heartbeat the feed should expect, in ms; 0 when it has none. */
    uint32_t heartbeat_ms;
    /*
     * Whether consecutive `seq` values on one instrument must differ by exactly
     * one (a jump is a gap), or only increase (a step back is a gap).
     */
    uint8_t seq_contiguous;
};

/* The plug-ins, one per feeds/<venue>.c. */
extern const struct arb_feed_ops arb_feed_binance;
extern const struct arb_feed_ops arb_feed_binance_futures;
extern const struct arb_feed_ops arb_feed_coinbase;
extern const struct arb_feed_ops arb_feed_kraken;

/* Looks a venue plug-in up by name. Returns NULL when arbiter has none. */
const struct arb_feed_ops *arb_feed_ops_find(const char *name);

/* All plug-ins, NULL-terminated, for help texts. */
extern const struct arb_feed_ops *const arb_feed_ops_all[];

/* Sets up parser state for `venue` over `symtab`. */
void arb_parser_init(struct arb_parser *p, uint16_t venue, struct arb_symtab *symtab);

/*
 * Feed thread: the instrument for a venue symbol, from symtab or else the
 * resolve fallback. Returns its id, or -1 when neither knows it.
 */
static inline int arb_parser_instrument(struct arb_parser *p, const char *sym, size_t len)
{
    int id = arb_symtab_find(p->symtab, sym, len);

    if (__builtin_expect(id < 0, 0) && p->resolve)
        id = p->resolve(p->resolve_ctx, sym, len);
    return id;
}

/* arb_parser_instrument for a symbol inside the message, with 16 readable bytes at sym. */
static inline int arb_parser_instrument16(struct arb_parser *p, const char *sym, size_t len)
{
    int id = arb_symtab_find16(p->symtab, sym, len);

    if (__builtin_expect(id < 0, 0) && p->resolve)
        id = p->resolve(p->resolve_ctx, sym, len);
    return id;
}

/*
 * Feed thread: writes one tick of `kind` for instrument `id` into t, the four
 * payload words w in the order of the kind's layout (BBO: bid, bid qty, ask,
 * ask qty). Returns 1, the number of ticks written.
 */
static inline int arb_parser_emit(const struct arb_parser *p, int id, uint8_t kind,
                                  const int64_t w[4], uint16_t have, uint64_t exch_ns, uint64_t seq,
                                  uint64_t recv_ts_ns, struct arb_tick *t)
{
    t->bid_px_e8 = w[0];
    t->bid_qty_e8 = w[1];
    t->ask_px_e8 = w[2];
    t->ask_qty_e8 = w[3];
    t->exch_ts_ns = exch_ns;
    t->recv_ts_ns = recv_ts_ns;
    t->seq = seq;
    t->venue = p->venue;
    t->instrument = (uint16_t)id;
    t->kind = kind;
    t->flags = 0;
    t->have = have;
    return 1;
}

/*
 * Folds one event's result into a running message result, for messages that
 * carry several events: ticks add up; with none, a malformed event beats an
 * unknown symbol, which beats a skip.
 */
static inline int arb_parser_fold(int acc, int rc)
{
    if (acc == ARB_PARSE_MALFORMED || rc == ARB_PARSE_MALFORMED)
        return ARB_PARSE_MALFORMED;
    if (acc > 0)
        return rc > 0 ? acc + rc : acc;
    if (rc > 0)
        return rc;
    return acc == ARB_PARSE_UNKNOWN || rc == ARB_PARSE_UNKNOWN ? ARB_PARSE_UNKNOWN : ARB_PARSE_SKIP;
}

/* Feed thread: books one parse() result into p->stats and returns it unchanged. */
static inline int arb_parser_tally(struct arb_parser *p, int rc)
{
    p->stats.msgs++;
    if (__builtin_expect(rc > 0, 1))
        p->stats.events += (uint64_t)rc;
    else if (rc == ARB_PARSE_SKIP)
        p->stats.skipped++;
    else if (rc == ARB_PARSE_UNKNOWN)
        p->stats.unknown_symbol++;
    else
        p->stats.malformed++;
    return rc;
}

#endif /* ARB_FEEDS_PARSER_H */
