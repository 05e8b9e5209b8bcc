/* SPDX-License-Identifier: MIT */
/* core/registry: venue and instrument ids, and symbol splitting. */
#include "core/registry.h"
#include "core/symtab.h"
#include "test.h"

static void check_split(const char *sym, const char *base, const char *quote, bool perp)
{
    char b[ARB_ASSET_MAX], q[ARB_ASSET_MAX];
    bool p;
    int rc = arb_symbol_split(sym, strlen(sym), b, q, &p);
    if (rc != 0) {
        T_FAIL("split(\"%s\") = %d", sym, rc);
        return;
    }
    CHECK_STR(b, base);
    CHECK_STR(q, quote);
    CHECK(p == perp);
}

static void test_split(void)
{
    check_split("USDC/USDT", "USDC", "USDT", false);
    check_split("BTC-USD", "BTC", "USD", false);
    check_split("USDCUSDT", "USDC", "USDT", false);
    check_split("FDUSDUSDT", "FDUSD", "USDT", false);
    check_split("BTCFDUSD", "BTC", "FDUSD", false);
    check_split("USDTDAI", "USDT", "DAI", false);
    check_split("USDCUSD", "USDC", "USD", false);
    check_split("ethbusd", "ETH", "BUSD", false);
    check_split("XBT/USD", "BTC", "USD", false);
    check_split("USDT/USD", "USDT", "USD", false);
    check_split("BTC-USDT-SWAP", "BTC", "USDT", true);
    check_split("BTC-PERP", "BTC", "USD", true);
    check_split("ETHUSD_PERP", "ETH", "USD", true);
    check_split("BTC/USDT:USDT", "BTC", "USDT", false);
    char b[ARB_ASSET_MAX], q[ARB_ASSET_MAX];
    bool p;
    CHECK(arb_symbol_split("BTCXYZ", 6, b, q, &p) < 0);
    CHECK(arb_symbol_split("", 0, b, q, &p) < 0);
    CHECK(arb_symbol_split("/USD", 4, b, q, &p) < 0);
    CHECK(arb_symbol_split("BT C-USD", 8, b, q, &p) < 0);
    CHECK(arb_symbol_split("AVERYLONGCOINNAME/USD", 21, b, q, &p) < 0);
}

static void test_registry(void)
{
    static struct arb_registry reg;
    arb_registry_init(&reg);
    CHECK_EQ_I64(arb_registry_venue(&reg, "binance"), 0);
    CHECK_EQ_I64(arb_registry_venue(&reg, "binance-futures"), 1);
    CHECK_EQ_I64(arb_registry_venue(&reg, "binance"), 0);
    CHECK_EQ_I64(arb_registry_find_venue(&reg, "kraken"), -ENOENT);
    CHECK_EQ_I64(arb_registry_venue(&reg, ""), -EINVAL);
    CHECK(arb_venue_is_derivatives("binance-futures"));
    CHECK(arb_venue_is_derivatives("okex-swap"));
    CHECK(!arb_venue_is_derivatives("binance"));

    int spot = arb_registry_resolve(&reg, "binance", "BTCUSDT", 7);
    int perp = arb_registry_resolve(&reg, "binance-futures", "BTCUSDT", 7);
    int cb = arb_registry_resolve(&reg, "coinbase", "BTC-USDT", 8);
    CHECK(spot >= 0 && perp >= 0 && spot != perp);
    CHECK_EQ_I64(cb, spot); /* one instrument, however the venue spells it */
    CHECK_STR(reg.inst[spot].name, "BTC/USDT");
    CHECK_STR(reg.inst[perp].name, "BTC/USDT-PERP");
    CHECK_EQ_I64(reg.inst[perp].kind, ARB_INST_PERP);
    CHECK_EQ_I64(arb_registry_find_instrument(&reg, "BTC/USDT-PERP"), perp);
    CHECK_EQ_I64(arb_registry_resolve(&reg, "kraken", "???", 3), -EINVAL);

    for (int i = 0; i < ARB_MAX_VENUES + 2; i++) {
        char name[16];
        snprintf(name, sizeof(name), "v%d", i);
        int id = arb_registry_venue(&reg, name);
        if (i + 2 >= ARB_MAX_VENUES)
            CHECK_EQ_I64(id, i + 2 < ARB_MAX_VENUES ? i + 2 : -ENOSPC);
    }
}

static void test_map(void)
{
    static struct arb_registry reg;
    static struct arb_symtab t;

    arb_registry_init(&reg);
    arb_symtab_init(&t);
    arb_registry_venue(&reg, "kraken");
    int id = arb_registry_map(&reg, &t, "kraken", "XBT/USD", 7);
    CHECK(id >= 0);
    CHECK_STR(reg.inst[id].name, "BTC/USD");
    CHECK_EQ_I64(arb_symtab_find(&t, "XBT/USD", 7), id); /* the venue's spelling is the key */
    CHECK_EQ_I64(arb_registry_map(&reg, &t, "kraken", "XBT/USD", 7), id);
    CHECK_EQ_I64(arb_registry_map(&reg, &t, "kraken", "???", 3), -EINVAL);
}

int main(void)
{
    test_map();
    test_split();
    test_registry();
    return T_DONE();
}
