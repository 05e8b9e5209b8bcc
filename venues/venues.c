/* SPDX-License-Identifier: MIT */
/* The registry of order plug-ins: adding a venue adds one line here. */
#include "binance.h"
#include "coinbase.h"
#include "kraken.h"
#include "venue.h"

#include <string.h>

static const struct arb_venue_ops *const venues[] = {
    &arb_venue_binance,
    &arb_venue_binance_futures,
    &arb_venue_coinbase,
    &arb_venue_kraken,
};

const struct arb_venue_ops *arb_venue_ops_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof(venues) / sizeof(venues[0]); i++)
        if (strcmp(venues[i]->name, name) == 0)
            return venues[i];
    return NULL;
}
