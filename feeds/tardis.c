/* SPDX-License-Identifier: MIT */
/* Tardis.dev CSV rows into ticks. */
#include "tardis.h"

#include "core/fixed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum role {
    R_EXCHANGE,
    R_SYMBOL,
    R_TIMESTAMP,
    R_LOCAL_TIMESTAMP,
    R_ASK_AMOUNT,
    R_ASK_PRICE,
    R_BID_PRICE,
    R_BID_AMOUNT,
    R_FUNDING_TIMESTAMP,
    R_FUNDING_RATE,
    R_INDEX_PRICE,
    R_MARK_PRICE,
    R_COUNT,
};

static const char *const role_names[R_COUNT] = {
    "exchange",  "symbol",     "timestamp",         "local_timestamp", "ask_amount",  "ask_price",
    "bid_price", "bid_amount", "funding_timestamp", "funding_rate",    "index_price", "mark_price",
};

/* Splits a CSV row (Tardis never quotes fields) into at most max fields. */
static int split(const char *line, size_t len, const char **f, size_t *fl, int max)
{
    int n = 0;
    const char *p = line, *end = line + len;

    while (n < max) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *stop = c ? c : end;
        f[n] = p;
        fl[n] = (size_t)(stop - p);
        n++;
        if (!c)
            return n;
        p = c + 1;
    }
    return -1; /* more columns than any dataset has */
}

int arb_tardis_header(struct arb_tardis_csv *c, const char *line, size_t len, char *err,
                      size_t errlen)
{
    const char *f[ARB_TARDIS_MAXCOLS];
    size_t fl[ARB_TARDIS_MAXCOLS];

    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    int n = split(line, len, f, fl, ARB_TARDIS_MAXCOLS);
    if (n < 0) {
        snprintf(err, errlen, "header has more than %d columns", ARB_TARDIS_MAXCOLS);
        return -EINVAL;
    }
    memset(c, 0, sizeof(*c));
    memset(c->col, -1, sizeof(c->col));
    c->ncols = (uint8_t)n;
    for (int i = 0; i < n; i++)
        for (int r = 0; r < R_COUNT; r++)
            if (fl[i] == strlen(role_names[r]) && memcmp(f[i], role_names[r], fl[i]) == 0)
                c->col[r] = (int8_t)i;
    static const int common[] = {R_EXCHANGE, R_SYMBOL, R_TIMESTAMP, R_LOCAL_TIMESTAMP};
    for (size_t i = 0; i < 4; i++)
        if (c->col[common[i]] < 0) {
            snprintf(err, errlen, "header lacks column '%s'", role_names[common[i]]);
            return -EINVAL;
        }
    if (c->col[R_BID_PRICE] >= 0 && c->col[R_ASK_PRICE] >= 0)
        c->kind = ARB_TARDIS_QUOTES;
    else if (c->col[R_FUNDING_RATE] >= 0 || c->col[R_MARK_PRICE] >= 0)
        c->kind = ARB_TARDIS_DERIVATIVE_TICKER;
    else {
        snprintf(err, errlen, "neither a quotes nor a derivative_ticker header");
        return -EINVAL;
    }
    return 0;
}

/* An unsigned integer field; false when empty or not digits. */
static bool field_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/*
 * A decimal field. Tardis writes JavaScript numbers, so tiny values can come
 * in exponent form ("1.5e-7"); those take a slow exact path and are rounded
 * to 8 decimals. Returns 1 parsed, 0 empty, -1 malformed.
 */
static int field_dec(const char *s, size_t n, int64_t *out)
{
    if (n == 0)
        return 0;
    int rc = arb_fixed_parse(s, n, out);
    if (rc == 0)
        return 1;
    return arb_fixed_parse_sci(s, n, out) == 0 ? 1 : -1;
}

int arb_tardis_row(const struct arb_tardis_csv *c, struct arb_parser *p, const char *line,
                   size_t len, struct arb_tick *out, const char **exch, size_t *exch_len)
{
    const char *f[ARB_TARDIS_MAXCOLS];
    size_t fl[ARB_TARDIS_MAXCOLS];
    uint64_t ts_us, local_us;

    p->stats.msgs++;
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    int n = split(line, len, f, fl, ARB_TARDIS_MAXCOLS);
    if (n != c->ncols)
        goto malformed;
#define F(r) f[c->col[r]], fl[c->col[r]]
    *exch = f[c->col[R_EXCHANGE]];
    *exch_len = fl[c->col[R_EXCHANGE]];
    if (!field_u64(F(R_TIMESTAMP), &ts_us) || !field_u64(F(R_LOCAL_TIMESTAMP), &local_us))
        goto malformed;
    memset(out, 0, sizeof(*out));
    int inst = arb_symtab_find(p->symtab, F(R_SYMBOL));
    if (inst < 0 && p->resolve)
        inst = p->resolve(p->resolve_ctx, F(R_SYMBOL));
    if (inst < 0) {
        p->stats.unknown_symbol++;
        return ARB_PARSE_UNKNOWN;
    }
    out->venue = p->venue;
    out->instrument = (uint16_t)inst;
    out->exch_ts_ns = ts_us * 1000;
    out->recv_ts_ns = local_us * 1000;
    out->have = ARB_TICK_HAVE_EXCH_TS;
    if (c->kind == ARB_TARDIS_QUOTES) {
        int a = field_dec(F(R_ASK_PRICE), &out->ask_px_e8);
        int b = field_dec(F(R_BID_PRICE), &out->bid_px_e8);
        int aq = c->col[R_ASK_AMOUNT] >= 0 ? field_dec(F(R_ASK_AMOUNT), &out->ask_qty_e8) : 0;
        int bq = c->col[R_BID_AMOUNT] >= 0 ? field_dec(F(R_BID_AMOUNT), &out->bid_qty_e8) : 0;
        if (a < 0 || b < 0 || aq < 0 || bq < 0)
            goto malformed;
        out->kind = ARB_TICK_BBO;
        out->have |=
            (uint16_t)((a ? ARB_TICK_HAVE_ASK : 0) | (b ? ARB_TICK_HAVE_BID : 0) |
                       (aq ? ARB_TICK_HAVE_ASK_QTY : 0) | (bq ? ARB_TICK_HAVE_BID_QTY : 0));
        if (!a && !b) {
            p->stats.skipped++;
            return ARB_PARSE_SKIP;
        }
    } else {
        int fr =
            c->col[R_FUNDING_RATE] >= 0 ? field_dec(F(R_FUNDING_RATE), &out->funding_rate_e8) : 0;
        int mk = c->col[R_MARK_PRICE] >= 0 ? field_dec(F(R_MARK_PRICE), &out->mark_px_e8) : 0;
        int ix = c->col[R_INDEX_PRICE] >= 0 ? field_dec(F(R_INDEX_PRICE), &out->index_px_e8) : 0;
        uint64_t fts = 0;
        bool have_fts = c->col[R_FUNDING_TIMESTAMP] >= 0 && field_u64(F(R_FUNDING_TIMESTAMP), &fts);
        if (fr < 0 || mk < 0 || ix < 0)
            goto malformed;
        out->kind = ARB_TICK_FUNDING;
        out->have |=
            (uint16_t)((fr ? ARB_TICK_HAVE_FUNDING : 0) | (mk ? ARB_TICK_HAVE_MARK : 0) |
                       (ix ? ARB_TICK_HAVE_INDEX : 0) | (have_fts ? ARB_TICK_HAVE_NEXT_FND : 0));
        out->next_funding_ts_ns = fts * 1000;
        if (!fr && !mk && !ix) {
            p->stats.skipped++;
            return ARB_PARSE_SKIP;
        }
    }
#undef F
    p->stats.events++;
    return 1;

malformed:
    p->stats.malformed++;
    return ARB_PARSE_MALFORMED;
}
