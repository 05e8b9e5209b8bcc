/* SPDX-License-Identifier: MIT */
/* The table of venue market-data plug-ins, and parser state set-up. */
#include "parser.h"

#include <string.h>

/* Adding a venue: one file in feeds/ and one line here. */
const struct arb_feed_ops *const arb_feed_ops_all[] = {
    &arb_feed_binance, &arb_feed_binance_futures, &arb_feed_coinbase, &arb_feed_kraken, NULL,
};

const struct arb_feed_ops *arb_feed_ops_find(const char *name)
{
    for (size_t i = 0; arb_feed_ops_all[i]; i++)
        if (strcmp(arb_feed_ops_all[i]->name, name) == 0)
            return arb_feed_ops_all[i];
    return NULL;
}

void arb_parser_init(struct arb_parser *p, uint16_t venue, struct arb_symtab *symtab)
{
    memset(p, 0, sizeof(*p));
    p->venue = venue;
    p->symtab = symtab;
}
