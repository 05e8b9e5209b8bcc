/* SPDX-License-Identifier: MIT */
/* venues/venues.c: the registry finds each plug-in by its Tardis id, and only those. */
#include "test.h"
#include "venues/venue.h"

int main(void)
{
    const char *names[] = {"binance", "binance-futures", "coinbase", "kraken"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const struct arb_venue_ops *ops = arb_venue_ops_find(names[i]);
        REQUIRE(ops);
        CHECK_STR(ops->name, names[i]);
        CHECK(ops->order_url && ops->keys_init && ops->keys_free && ops->encode_order &&
              ops->parse_exec);
    }
    CHECK(arb_venue_ops_find("bitmex") == NULL);
    CHECK(arb_venue_ops_find("") == NULL);
    CHECK(arb_venue_ops_find(NULL) == NULL);
    return T_DONE();
}
