/* SPDX-License-Identifier: MIT */
/*
 * The normalized market event: what every feed produces and the detector
 * consumes. One cache line, so one ring record.
 */
#ifndef ARB_CORE_TICK_H
#define ARB_CORE_TICK_H

#include <stddef.h>
#include <stdint.h>

enum arb_tick_kind {
    ARB_TICK_BBO = 1,     /* top of book */
    ARB_TICK_FUNDING = 2, /* perpetual mark price, index price and funding */
    ARB_TICK_TRADE = 3,   /* one trade print */
    ARB_TICK_STATUS = 4,  /* venue health change only: no prices */
};

/* flags */
#define ARB_TICK_F_STALE 0x01u /* venue silent or lagging: nothing may trade on it */
#define ARB_TICK_F_GAP   0x02u /* sequence numbers were skipped before this tick */
#define ARB_TICK_F_DOWN  0x04u /* connection lost (STATUS) */
#define ARB_TICK_F_SELL  0x08u /* TRADE: the aggressor sold */

/* have: which optional fields the message carried */
#define ARB_TICK_HAVE_BID      0x0001u
#define ARB_TICK_HAVE_BID_QTY  0x0002u
#define ARB_TICK_HAVE_ASK      0x0004u
#define ARB_TICK_HAVE_ASK_QTY  0x0008u
#define ARB_TICK_HAVE_MARK     0x0010u
#define ARB_TICK_HAVE_INDEX    0x0020u
#define ARB_TICK_HAVE_FUNDING  0x0040u
#define ARB_TICK_HAVE_NEXT_FND 0x0080u
#define ARB_TICK_HAVE_EXCH_TS  0x0100u
#define ARB_TICK_HAVE_SEQ      0x0200u
#define ARB_TICK_HAVE_PX       0x0400u
#define ARB_TICK_HAVE_QTY      0x0800u

struct arb_tick {
    union {
        struct { /* ARB_TICK_BBO */
            int64_t bid_px_e8;
            int64_t bid_qty_e8;
            int64_t ask_px_e8;
            int64_t ask_qty_e8;
        };
        struct { /* ARB_TICK_FUNDING */
            int64_t mark_px_e8;
            int64_t index_px_e8;
            int64_t funding_rate_e8; /* per 8 h period; 0.0001 is 10000 */
            uint64_t next_funding_ts_ns;
        };
        struct { /* ARB_TICK_TRADE */
            int64_t px_e8;
            int64_t qty_e8;
            uint64_t trade_id;
            uint64_t trade_reserved;
        };
    };
    uint64_t exch_ts_ns; /* venue's event time, ns since the epoch; 0 if absent */
    uint64_t recv_ts_ns; /* local receive completion of the frame, ns since the epoch */
    uint64_t seq;        /* venue sequence or update id; 0 if absent */
    uint16_t venue;      /* registry venue id */
    uint16_t instrument; /* registry instrument id */
    uint8_t kind;        /* enum arb_tick_kind */
    uint8_t flags;       /* ARB_TICK_F_* */
    uint16_t have;       /* ARB_TICK_HAVE_* */
};

_Static_assert(sizeof(struct arb_tick) == 64, "a tick is one cache line");
_Static_assert(offsetof(struct arb_tick, mark_px_e8) == offsetof(struct arb_tick, bid_px_e8),
               "kinds share the payload words");

#endif /* ARB_CORE_TICK_H */
