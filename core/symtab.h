/* SPDX-License-Identifier: MIT */
/*
 * A venue's symbol table: the venue's own spelling ("BTCUSDT", "XBT/USD")
 * to a registry instrument id, looked up by the feed parsers on every message.
 * Open addressing over caller-owned memory; filled cold, read hot.
 */
#ifndef ARB_CORE_SYMTAB_H
#define ARB_CORE_SYMTAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARB_SYMTAB_SLOTS  512 /* power of two; at most half full */
#define ARB_SYMTAB_SYMMAX 31  /* longest venue symbol, in bytes */

struct arb_symtab_entry {
    uint8_t len;                     /* 0: empty slot */
    char sym[ARB_SYMTAB_SYMMAX];     /* not NUL-terminated when 31 long */
    uint16_t instrument;
};

struct arb_symtab {
    uint32_t count;
    struct arb_symtab_entry slot[ARB_SYMTAB_SLOTS];
    int16_t by_instrument[256]; /* instrument id -> slot, -1 if absent; for printing */
};

static inline uint32_t arb_symtab_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a: symbols are short, so this beats anything wider */

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Any thread, once filled. Returns the instrument id, or -1 when unknown. */
static inline int arb_symtab_find(const struct arb_symtab *t, const char *s, size_t len)
{
    if (len == 0 || len > ARB_SYMTAB_SYMMAX)
        return -1;
    for (uint32_t i = arb_symtab_hash(s, len);; i++) {
        const struct arb_symtab_entry *e = &t->slot[i & (ARB_SYMTAB_SLOTS - 1)];
        if (e->len == 0)
            return -1;
        if (e->len == len && memcmp(e->sym, s, len) == 0)
            return e->instrument;
    }
}

void arb_symtab_init(struct arb_symtab *t);

/* Maps sym to instrument. Returns 0, -EEXIST if mapped elsewhere, -ENOSPC, -EINVAL. */
int arb_symtab_add(struct arb_symtab *t, const char *sym, size_t len, uint16_t instrument);

/* The venue spelling of an instrument, or NULL. *len receives its length. */
const char *arb_symtab_name(const struct arb_symtab *t, uint16_t instrument, size_t *len);

#endif /* ARB_CORE_SYMTAB_H */
