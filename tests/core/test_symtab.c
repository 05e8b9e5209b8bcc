/* SPDX-License-Identifier: MIT */
/* core/symtab: venue symbol lookups, collisions and capacity. */
#include "core/symtab.h"
#include "test.h"

int main(void)
{
    static struct arb_symtab t;
    char sym[32];

    arb_symtab_init(&t);
    CHECK_EQ_I64(arb_symtab_find(&t, "BTCUSDT", 7), -1);
    CHECK_EQ_I64(arb_symtab_add(&t, "BTCUSDT", 7, 3), 0);
    CHECK_EQ_I64(arb_symtab_add(&t, "BTCUSDT", 7, 3), 0);       /* idempotent */
    CHECK_EQ_I64(arb_symtab_add(&t, "BTCUSDT", 7, 4), -EEXIST); /* never remapped silently */
    CHECK_EQ_I64(arb_symtab_find(&t, "BTCUSDT", 7), 3);
    CHECK_EQ_I64(arb_symtab_find(&t, "BTCUSD", 6), -1);  /* prefix is not a match */
    CHECK_EQ_I64(arb_symtab_find(&t, "BTCUSDTX", 8), -1);
    CHECK_EQ_I64(arb_symtab_add(&t, "", 0, 1), -EINVAL);
    CHECK_EQ_I64(arb_symtab_add(&t, sym, 32, 1), -EINVAL);
    size_t len = 0;
    const char *name = arb_symtab_name(&t, 3, &len);
    CHECK(name && len == 7 && memcmp(name, "BTCUSDT", 7) == 0);
    CHECK(arb_symtab_name(&t, 9, &len) == NULL);

    /* Fill to the half-full limit; every key must still be found. */
    int added = 1;
    for (int i = 0; added < ARB_SYMTAB_SLOTS / 2; i++, added++) {
        int n = snprintf(sym, sizeof(sym), "SYM%dUSDT", i);
        CHECK_EQ_I64(arb_symtab_add(&t, sym, (size_t)n, (uint16_t)(i % 200)), 0);
    }
    CHECK_EQ_I64(arb_symtab_add(&t, "ONEMORE", 7, 1), -ENOSPC);
    for (int i = 0; i < ARB_SYMTAB_SLOTS / 2 - 1; i++) {
        int n = snprintf(sym, sizeof(sym), "SYM%dUSDT", i);
        CHECK_EQ_I64(arb_symtab_find(&t, sym, (size_t)n), i % 200);
    }
    CHECK_EQ_I64(arb_symtab_find(&t, "BTCUSDT", 7), 3);
    return T_DONE();
}
