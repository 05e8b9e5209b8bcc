/* SPDX-License-Identifier: MIT */
/*
 * The simulated exchange's core, shared by every order connection: the top
 * of book of each symbol as the source is being replayed, IOC matching
 * against it, the order store with its client-order-id index, the order
 * faults (latency, partial fills, rejects, a rate bucket, drops) and the
 * counters. One mutex guards it all: orders are rare next to market data.
 */
#ifndef ARB_TOOLS_SIM_MATCH_H
#define ARB_TOOLS_SIM_MATCH_H

#include "tools/sim_encode.h"
#include "tools/sim_sign.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_CLID_MAX   64         /* longest client order id kept, NUL included */
#define ARB_SIM_ORDERS_MAX (1u << 16) /* orders remembered; the oldest fall out first */
#define ARB_SIM_TAKEN_MAX  64         /* symbols whose taken liquidity is tracked */
#define ARB_SIM_TOKENS_MAX 64         /* Kraken WebSocket tokens outstanding */

enum arb_sim_ord_status {
    ARB_SIM_ORD_FILLED = 1,       /* the whole quantity traded */
    ARB_SIM_ORD_PARTIAL = 2,      /* some traded, the IOC rest expired */
    ARB_SIM_ORD_EXPIRED = 3,      /* nothing traded */
    ARB_SIM_ORD_REJECTED = 4,     /* refused before matching: reject says why */
    ARB_SIM_ORD_DUPLICATE = 5,    /* the client order id was used before; ord is that order */
    ARB_SIM_ORD_RATE_LIMITED = 6, /* the token bucket was empty */
};

/* Why an order was refused; the protocol layer turns it into the venue's error. */
enum arb_sim_reject {
    ARB_SIM_REJ_NONE = 0,
    ARB_SIM_REJ_FUNDS = 1,  /* insufficient balance / margin */
    ARB_SIM_REJ_FILTER = 2, /* a price or quantity filter */
    ARB_SIM_REJ_BUSY = 3,   /* the venue is overloaded */
    ARB_SIM_REJ_SYMBOL = 4, /* a symbol the source never names */
    ARB_SIM_NREJ = 5,
};

/* Events counted outside arb_sim_exch_place. */
enum arb_sim_note {
    ARB_SIM_NOTE_BAD_SIGNATURE = 0, /* a signature, JWT or API-Sign that did not verify */
    ARB_SIM_NOTE_BAD_KEY = 1,       /* an API key or token we never issued */
    ARB_SIM_NOTE_BAD_REQUEST = 2,   /* malformed or unsupported order requests */
    ARB_SIM_NOTE_TOKEN = 3,         /* Kraken WebSocket tokens issued */
    ARB_SIM_NOTE_DROP = 4,          /* connections dropped by drop-after-orders */
    ARB_SIM_NOTE_EXEC_SUB = 5,      /* Kraken executions subscriptions accepted */
    ARB_SIM_NOTE_CANCEL_AFTER = 6,  /* Kraken cancel_all_orders_after (dead man's switch) */
    ARB_SIM_NNOTES = 7,
};

/* One order as the exchange keeps it. IOC against the top level fills at most once. */
struct arb_sim_order {
    uint64_t id;                 /* exchange order id, from 1 */
    uint64_t trade_id;           /* of its fill, 0 when none */
    uint64_t ts_ms;              /* transaction time, ms since the epoch */
    char clid[ARB_SIM_CLID_MAX]; /* as the client sent it ("" when none) */
    char symbol[ARB_SIM_SYMMAX + 1];
    int8_t side;                   /* +1 buy, -1 sell */
    uint8_t status;                /* enum arb_sim_ord_status: FILLED, PARTIAL or EXPIRED */
    uint8_t px_dec, qty_dec;       /* decimals the client wrote, for answers in its precision */
    int64_t limit_e8, qty_e8;      /* as ordered */
    int64_t filled_e8, fill_px_e8; /* traded quantity and its price (the book's) */
    int64_t quote_e8;              /* filled_e8 * fill_px_e8, the quote amount */
};

/* An order request, already authenticated and parsed. */
struct arb_sim_order_req {
    const char *symbol;
    const char *clid; /* NULL or "": none (the exchange makes one up) */
    int side;         /* +1 buy, -1 sell */
    int64_t limit_e8, qty_e8;
    uint8_t px_dec, qty_dec;
};

/* The outcome of one order request. */
struct arb_sim_place {
    uint8_t status;            /* enum arb_sim_ord_status */
    uint8_t reject;            /* enum arb_sim_reject when REJECTED */
    uint8_t drop;              /* 0, or 1 + enum arb_sim_drop_mode: drop the connection after */
    uint64_t delay_ns;         /* answer no sooner than this after the request */
    uint64_t retry_after_ms;   /* RATE_LIMITED: when a token will be there */
    uint8_t rate_weight;       /* RATE_LIMITED: answer as request weight, not order count */
    uint32_t rate_n;           /* the bucket, for the venue's message: N orders ... */
    uint64_t rate_period_ms;   /* ... per this many ms */
    uint64_t orders_in_window; /* orders counted by the bucket's window, for rate headers */
    struct arb_sim_order ord;  /* the order (for DUPLICATE: the earlier one) */
};

/* The top of book of one symbol as replayed now. */
struct arb_sim_top {
    int64_t bid_e8, bid_qty_e8, ask_e8, ask_qty_e8; /* qty net of what orders already took */
    int64_t taken_bid_e8, taken_ask_e8;             /* taken from this very quote by our orders */
    uint64_t version;                               /* timeline position of the quote */
    uint8_t dec_px, dec_qty;                        /* the source's decimals (scripts) */
    bool have;                                      /* a quote exists yet */
};

struct arb_sim_server;
struct arb_sim_exch;

/* Allocates the exchange for srv's venue and source, owning keys (moved in). NULL on ENOMEM. */
struct arb_sim_exch *arb_sim_exch_create(struct arb_sim_server *srv, struct arb_sim_keys *keys);

void arb_sim_exch_destroy(struct arb_sim_exch *x);

/* The configured test account (read-only once serving). */
const struct arb_sim_keys *arb_sim_exch_keys(const struct arb_sim_exch *x);

/* The venue the exchange speaks. */
enum arb_sim_venue arb_sim_exch_venue(const struct arb_sim_exch *x);

/*
 * Sets one order fault by its flag name, from a flag or a control command:
 * order-latency-us US, partial-ratio R, partial-every N, reject-every
 * N[:funds|filter|busy], rate-limit N:MS[:weight] or off, drop-after-orders
 * N[:rst|mid]. Returns 0, -ENOENT for an unknown name, -EINVAL with err set.
 */
int arb_sim_exch_set(struct arb_sim_exch *x, const char *name, const char *value, char *err,
                     size_t errlen);

/* Runs one order through the faults and the book. Returns 0 (out says what happened). */
int arb_sim_exch_place(struct arb_sim_exch *x, const struct arb_sim_order_req *rq,
                       struct arb_sim_place *out);

/* Finds a stored order by exchange id (id != 0) or client id. Returns 0 or -ENOENT. */
int arb_sim_exch_order(struct arb_sim_exch *x, uint64_t id, const char *clid,
                       struct arb_sim_order *out);

/* The current top of book of symbol. Returns 0, or -ENOENT when the source never names it. */
int arb_sim_exch_top(struct arb_sim_exch *x, const char *symbol, struct arb_sim_top *top);

/* Counts one event outside place (bad signatures, tokens...). */
void arb_sim_exch_note(struct arb_sim_exch *x, enum arb_sim_note what);

/* Kraken: checks and advances the account's nonce. Returns true when nonce is new. */
bool arb_sim_exch_nonce(struct arb_sim_exch *x, uint64_t nonce);

/* Kraken: issues a WebSocket token into out[48]. */
void arb_sim_exch_token_issue(struct arb_sim_exch *x, char *out, size_t len);

/* Kraken: whether token was issued by us. */
bool arb_sim_exch_token_ok(struct arb_sim_exch *x, const char *token);

/* Writes the counters as a JSON object (no newline). Returns the length. */
size_t arb_sim_exch_stats(struct arb_sim_exch *x, char *buf, size_t len);

/* Writes the book of one symbol, or of every symbol when sym is NULL, as one JSON line. */
size_t arb_sim_exch_book(struct arb_sim_exch *x, const char *sym, char *buf, size_t len);

/* Counts the decimals of a decimal string ("1.0001" -> 4), at most 8. */
uint8_t arb_sim_decimals(const char *s);

#endif /* ARB_TOOLS_SIM_MATCH_H */
