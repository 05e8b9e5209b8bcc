/* SPDX-License-Identifier: MIT */
/*
 * Tardis.dev CSV datasets as tick sources: `quotes` (top of book) and
 * `derivative_ticker` (funding, mark and index). One row in, one tick out.
 * Timestamps in the files are microseconds since the epoch.
 */
#ifndef ARB_FEEDS_TARDIS_H
#define ARB_FEEDS_TARDIS_H

#include "feeds/parser.h"

#include <stddef.h>
#include <stdint.h>

enum arb_tardis_kind {
    ARB_TARDIS_QUOTES = 1,
    ARB_TARDIS_DERIVATIVE_TICKER = 2,
};

#define ARB_TARDIS_MAXCOLS 16

/* Column layout, learned from the header row. */
struct arb_tardis_csv {
    uint8_t kind; /* enum arb_tardis_kind */
    uint8_t ncols;
    int8_t col[ARB_TARDIS_MAXCOLS]; /* field role -> column index, -1 absent */
};

/*
 * Reads a header row. Returns 0 and the layout, or -EINVAL when the columns
 * are not one of the two datasets (err names what is missing).
 */
int arb_tardis_header(struct arb_tardis_csv *c, const char *line, size_t len, char *err,
                      size_t errlen);

/*
 * Parses one data row into *out through p (venue, symbol table, resolve).
 * The exchange column is returned through exch/exch_len so a caller can
 * route rows of several exchanges. Returns 1 for a tick, ARB_PARSE_SKIP for a
 * row with nothing usable, ARB_PARSE_MALFORMED or ARB_PARSE_UNKNOWN.
 */
int arb_tardis_row(const struct arb_tardis_csv *c, struct arb_parser *p, const char *line,
                   size_t len, struct arb_tick *out, const char **exch, size_t *exch_len);

#endif /* ARB_FEEDS_TARDIS_H */
