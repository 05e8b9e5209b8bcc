/* SPDX-License-Identifier: MIT */
/*
 * The engine's one-screen status and its closing summary, for `arbiter run`
 * and `arbiter demo`: feeds, quotes, signals, orders, fills, positions, P&L
 * and latency percentiles. Slow path only.
 */
#ifndef ARB_TOOLS_STATUS_H
#define ARB_TOOLS_STATUS_H

#include "tools/engine.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * Draws the status screen. `ansi` clears and redraws in place (a terminal);
 * otherwise the screen is printed as a block. `title` heads it.
 */
void arb_status_draw(struct arb_engine *e, FILE *out, const char *title, double elapsed_s,
                     bool ansi);

/* The closing summary: counts, positions, P&L, and every latency histogram. */
void arb_status_summary(struct arb_engine *e, FILE *out, double elapsed_s);

/* The same summary as one JSON object on one line. */
void arb_status_json(struct arb_engine *e, FILE *out, double elapsed_s);

#endif /* ARB_TOOLS_STATUS_H */
