/* SPDX-License-Identifier: MIT */
/*
 * Venue message encoders: one quote (a scripted top of book, with optional
 * mark price and funding) turned into each venue's own public market-data
 * message, byte for byte in the venue's style. Shared by arbsim, the order
 * simulator and the demo. Pure functions over caller buffers.
 */
#ifndef ARB_TOOLS_SIM_ENCODE_H
#define ARB_TOOLS_SIM_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_SYMMAX  31   /* longest venue symbol, in bytes */
#define ARB_SIM_MSG_MAX 1024 /* every encoded message fits in this many bytes */

enum arb_sim_venue {
    ARB_SIM_BINANCE = 0,         /* spot: bookTicker, 8-decimal strings */
    ARB_SIM_BINANCE_FUTURES = 1, /* USD-M perpetuals: bookTicker with e/E/T, markPriceUpdate */
    ARB_SIM_COINBASE = 2,        /* Exchange feed: ticker with sequence, heartbeat */
    ARB_SIM_KRAKEN = 3,          /* spot WebSocket v2 (v1 on request) */
    ARB_SIM_NVENUES = 4,
};

/* Which decimal fields a quote carries; index of arb_sim_quote.dec. */
enum arb_sim_field {
    ARB_SIM_F_BID = 0,
    ARB_SIM_F_BID_QTY = 1,
    ARB_SIM_F_ASK = 2,
    ARB_SIM_F_ASK_QTY = 3,
    ARB_SIM_F_FUNDING = 4,
    ARB_SIM_F_MARK = 5,
    ARB_SIM_NFIELDS = 6,
};

/* One top-of-book state of one symbol, all values exact 1e-8 fixed point. */
struct arb_sim_quote {
    char symbol[ARB_SIM_SYMMAX + 1]; /* the venue's spelling, NUL-terminated */
    int64_t bid_e8, bid_qty_e8;
    int64_t ask_e8, ask_qty_e8;
    int64_t funding_e8;               /* rate per funding period; with mark_e8 when has_funding */
    int64_t mark_e8;                  /* mark (and index) price */
    int64_t open_e8, low_e8, high_e8; /* session statistics for tickers that print them */
    int64_t volume_e8;                /* traded quantity since the session start */
    uint8_t dec[ARB_SIM_NFIELDS];     /* decimals as the source wrote them (tick-size precision) */
    uint8_t has_funding;              /* funding_e8 and mark_e8 are set */
};

/* Per-message context the encoders stamp in. */
struct arb_sim_enc {
    uint64_t seq;       /* venue sequence / update id of this message */
    uint64_t now_ns;    /* event time, ns since the epoch */
    uint8_t combined;   /* binance: wrap as {"stream":"<sym>@<stream>","data":...} */
    uint8_t kraken_v1;  /* kraken: the v1 array form instead of v2 */
    uint8_t snapshot;   /* kraken v2: "type":"snapshot" (the first message after subscribe) */
    int32_t channel_id; /* kraken v1: the channelID given in subscriptionStatus */
};

/* Looks a venue up by its Tardis id ("binance-futures"). Returns it or -1. */
int arb_sim_venue_find(const char *name);

/* The Tardis id of a venue. */
const char *arb_sim_venue_name(enum arb_sim_venue v);

/*
 * Writes the venue's top-of-book message for q into out[0..cap): binance
 * bookTicker, coinbase ticker, kraken ticker. Returns the length, or -ENOSPC
 * when cap is too small (ARB_SIM_MSG_MAX always suffices).
 */
int arb_sim_encode_bbo(enum arb_sim_venue v, const struct arb_sim_quote *q,
                       const struct arb_sim_enc *e, char *out, size_t cap);

/*
 * Writes the venue's mark price / funding message for q (binance-futures
 * markPriceUpdate). Returns the length, -ENOTSUP for venues without one or a
 * quote without funding, -ENOSPC when cap is too small.
 */
int arb_sim_encode_funding(enum arb_sim_venue v, const struct arb_sim_quote *q,
                           const struct arb_sim_enc *e, char *out, size_t cap);

/*
 * Writes v with exactly max(decimals, needed) fractional digits, where needed
 * is what exactness requires, so no value is ever rounded ("25.35190000" at 8).
 * out needs 32 bytes. Returns the length.
 */
size_t arb_sim_fmt_fixed(int64_t v_e8, unsigned decimals, char *out);

/* Writes an RFC 3339 UTC time with microseconds ("2021-04-17T16:43:30.244075Z") into
 * out[28]. Returns 27. */
size_t arb_sim_fmt_time_us(uint64_t ns, char *out);

/* The next 00:00/08:00/16:00 UTC funding settlement strictly after t, in ms. */
uint64_t arb_sim_next_funding_ms(uint64_t now_ms);

#endif /* ARB_TOOLS_SIM_ENCODE_H */
