/* SPDX-License-Identifier: MIT */
/*
 * The settings `arbiter run` reads from its config file and `arbiter demo`
 * builds in memory, turned into an engine configuration: one place that
 * knows how a venue's feed and order session are set up.
 */
#ifndef ARB_TOOLS_RUN_H
#define ARB_TOOLS_RUN_H

#include "tools/creds.h"
#include "tools/engine.h"

#include <stdbool.h>

struct arb_run_venue {
    char name[ARB_NAME_MAX];
    char url[512];       /* market data; "" = the plug-in's public endpoint */
    char order_url[512]; /* order entry; "" = the plug-in's public endpoint */
    char ca_file[512];
    char capture[512];
    char symbuf[2048];
    const char *symbols[ARB_FEED_MAX_SYMBOLS];
    size_t nsymbols;
    int cpu;
    bool trade;             /* open an order session (default yes) */
    struct arb_creds creds; /* loaded only for --live, or the demo's generated test keys */
};

struct arb_run_setup {
    struct arb_engine_config cfg;
    struct arb_run_venue venues[ARB_MAX_VENUES];
    size_t nvenues;
    struct arb_gateway_venue gw_venues[ARB_MAX_VENUES];
    char journal[512];
};

void arb_run_setup_init(struct arb_run_setup *r);

/* Finds or adds a venue by name. NULL when all slots are used. */
struct arb_run_venue *arb_run_venue(struct arb_run_setup *r, const char *name);

/*
 * Fills r->cfg from the venues and prepares the engine (registry and default
 * parameters); the caller then adjusts e->params and calls arb_engine_init.
 * Returns 0 or -errno (logged).
 */
int arb_run_build(struct arb_run_setup *r, struct arb_engine *e);

#endif /* ARB_TOOLS_RUN_H */
