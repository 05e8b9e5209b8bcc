/* SPDX-License-Identifier: MIT */
/* Cold side of the symbol table. */
#include "symtab.h"

#include <errno.h>

void arb_symtab_init(struct arb_symtab *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < sizeof(t->by_instrument) / sizeof(t->by_instrument[0]); i++)
        t->by_instrument[i] = -1;
}

int arb_symtab_add(struct arb_symtab *t, const char *sym, size_t len, uint16_t instrument)
{
    if (len == 0 || len > ARB_SYMTAB_SYMMAX || instrument >= 256)
        return -EINVAL;
    int cur = arb_symtab_find(t, sym, len);
    if (cur >= 0)
        return cur == instrument ? 0 : -EEXIST;
    /* Half full at most keeps probe chains short on the hot path. */
    if (t->count >= ARB_SYMTAB_SLOTS / 2)
        return -ENOSPC;
    for (uint32_t i = arb_symtab_hash(sym, len);; i++) {
        struct arb_symtab_entry *e = &t->slot[i & (ARB_SYMTAB_SLOTS - 1)];
        if (e->len != 0)
            continue;
        e->len = (uint8_t)len;
        memcpy(e->sym, sym, len);
        e->instrument = instrument;
        if (t->by_instrument[instrument] < 0)
            t->by_instrument[instrument] = (int16_t)(e - t->slot);
        t->count++;
        return 0;
    }
}

const char *arb_symtab_name(const struct arb_symtab *t, uint16_t instrument, size_t *len)
{
    if (instrument >= 256 || t->by_instrument[instrument] < 0)
        return NULL;
    const struct arb_symtab_entry *e = &t->slot[t->by_instrument[instrument]];
    *len = e->len;
    return e->sym;
}
