/* SPDX-License-Identifier: MIT */
/* Venue settings into an engine configuration. */
#include "run.h"

#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

void arb_run_setup_init(struct arb_run_setup *r)
{
    memset(r, 0, sizeof(*r));
    r->cfg.detector_cpu = 1;
    r->cfg.fuse_gateway = -1;
    r->cfg.gateway.cpu = 1;
}

struct arb_run_venue *arb_run_venue(struct arb_run_setup *r, const char *name)
{
    for (size_t i = 0; i < r->nvenues; i++)
        if (strcmp(r->venues[i].name, name) == 0)
            return &r->venues[i];
    if (r->nvenues == ARB_MAX_VENUES)
        return NULL;
    struct arb_run_venue *v = &r->venues[r->nvenues++];
    memset(v, 0, sizeof(*v));
    snprintf(v->name, sizeof(v->name), "%s", name);
    v->cpu = 0;
    v->trade = true;
    return v;
}

int arb_run_build(struct arb_run_setup *r, struct arb_engine *e)
{
    struct arb_engine_config *c = &r->cfg;
    size_t ngw = 0;

    c->nfeeds = 0;
    for (size_t i = 0; i < r->nvenues; i++) {
        struct arb_run_venue *v = &r->venues[i];
        if (!v->nsymbols) {
            arb_log(ARB_LOG_ERROR, "venue %s: no symbols", v->name);
            return -EINVAL;
        }
        struct arb_engine_feed *f = &c->feeds[c->nfeeds++];
        f->venue = v->name;
        memset(&f->cfg, 0, sizeof(f->cfg));
        f->cfg.url = v->url[0] ? v->url : NULL;
        f->cfg.ca_file = v->ca_file[0] ? v->ca_file : NULL;
        f->cfg.capture_path = v->capture[0] ? v->capture : NULL;
        f->cfg.symbols = v->symbols;
        f->cfg.nsymbols = v->nsymbols;
        f->cfg.cpu = v->cpu;
        f->cfg.seq_contiguous = -1;
        if (!v->trade)
            continue;
        struct arb_gateway_venue *g = &r->gw_venues[ngw++];
        memset(g, 0, sizeof(*g));
        g->venue = v->name;
        g->url = v->order_url[0] ? v->order_url : NULL;
        g->ca_file = v->ca_file[0] ? v->ca_file : NULL;
        g->api_key = v->creds.have ? v->creds.key : NULL;
        g->api_secret = v->creds.have ? v->creds.secret : NULL;
        g->symbols = v->symbols;
        g->nsymbols = v->nsymbols;
    }
    c->gateway.venues = r->gw_venues;
    c->gateway.nvenues = ngw;
    if (!c->gateway.run_id) {
        uint32_t id;
        if (getrandom(&id, sizeof(id), 0) != sizeof(id))
            id = (uint32_t)arb_clock_ticks();
        c->gateway.run_id = id;
    }
    return arb_engine_prepare(e, c);
}
