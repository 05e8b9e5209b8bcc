/* SPDX-License-Identifier: MIT */
/*
 * Binance USDⓈ-M futures order entry: the spot protocol (binance.c) in the
 * futures dialect, asking for RESULT so an IOC answer carries its final state.
 */
#include "binance.h"

static int futures_keys_init(struct arb_venue_keys *k, const char *api_key, const char *secret)
{
    return arb_binance_keys_init(k, api_key, secret, &arb_binance_futures);
}

const struct arb_venue_ops arb_venue_binance_futures = {
    .name = "binance-futures",
    .order_url = "wss://ws-fapi.binance.com/ws-fapi/v1",
    .keys_init = futures_keys_init,
    .keys_free = arb_binance_keys_free,
    .encode_order = arb_binance_encode_order,
    .parse_exec = arb_binance_parse_exec,
    /* USD-M's WebSocket API has order.status with the spot parameters: after a drop the
     * gateway asks before it re-sends. */
    .encode_query = arb_binance_encode_query,
    /* From the futures order.place docs' response: 300 orders per 10 s, 1200 per
     * minute, 2400 weight per minute; a new order weighs 0 on the IP limit. */
    .orders_per_10s = 300,
    .weight_per_min = 2400,
    .order_weight = 0,
};
