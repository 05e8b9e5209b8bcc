/* SPDX-License-Identifier: MIT */
/* core/symtab: venue symbol lookups, collisions and capacity. */
#include "core/symtab.h"
#include "test.h"

/*
 * The word-at-a-time lookups at every length: a name of each length 1..31 is
 * found, a name differing in any one byte (or one byte shorter) is not, and
 * arb_symtab_find16, reading the name out of a larger buffer, agrees with
 * arb_symtab_find. Each name is copied to an exact-size heap buffer, so a
 * sanitizer build catches a read past it.
 */
static void test_lengths(void)
{
    static struct arb_symtab t;
    char name[32], buf[64];

    arb_symtab_init(&t);
    for (size_t len = 1; len <= ARB_SYMTAB_SYMMAX; len++) {
        for (size_t i = 0; i < len; i++)
            name[i] = (char)('A' + (len * 7 + i) % 26);
        CHECK_EQ_I64(arb_symtab_add(&t, name, len, (uint16_t)len), 0);
    }
    for (size_t len = 1; len <= ARB_SYMTAB_SYMMAX; len++) {
        char *exact = malloc(len);
        REQUIRE(exact);
        for (size_t i = 0; i < len; i++)
            name[i] = (char)('A' + (len * 7 + i) % 26);
        memcpy(exact, name, len);
        CHECK_EQ_I64(arb_symtab_find(&t, exact, len), (int64_t)len);
        /* In a message the name is followed by more bytes: they must not count. */
        memset(buf, '"', sizeof(buf));
        memcpy(buf, name, len);
        CHECK_EQ_I64(arb_symtab_find16(&t, buf, len), (int64_t)len);
        for (size_t i = 0; i < len; i++) {
            exact[i] ^= 0x20;
            buf[i] ^= 0x20;
            CHECK_EQ_I64(arb_symtab_find(&t, exact, len), -1);
            CHECK_EQ_I64(arb_symtab_find16(&t, buf, len), -1);
            exact[i] ^= 0x20;
            buf[i] ^= 0x20;
        }
        /* The same bytes one shorter: both lookups must agree (found or not). */
        CHECK_EQ_I64(arb_symtab_find16(&t, buf, len - 1), arb_symtab_find(&t, exact, len - 1));
        free(exact);
    }
}

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
    CHECK_EQ_I64(arb_symtab_find(&t, "BTCUSD", 6), -1); /* prefix is not a match */
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
    test_lengths();
    return T_DONE();
}
