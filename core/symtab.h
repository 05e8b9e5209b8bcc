/* SPDX-License-Identifier: MIT */
/*
 * A venue's symbol table: the venue's own spelling ("BTCUSDT", "XBT/USD")
 * to a registry instrument id, looked up by the feed parsers on every message.
 * Open addressing over caller-owned memory; filled cold, read hot.
 */
#ifndef ARB_CORE_SYMTAB_H
#define ARB_CORE_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARB_SYMTAB_SLOTS  512 /* power of two; at most half full */
#define ARB_SYMTAB_SYMMAX 31  /* longest venue symbol, in bytes */

struct arb_symtab_entry {
    /* Zero past len (NUL-terminated), so a lookup compares it a word at a time. */
    char sym[ARB_SYMTAB_SYMMAX + 1];
    uint8_t len; /* 0: empty slot */
    uint16_t instrument;
};

struct arb_symtab {
    uint32_t count;
    struct arb_symtab_entry slot[ARB_SYMTAB_SLOTS];
    int16_t by_instrument[256]; /* instrument id -> slot, -1 if absent; for printing */
};

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "arb_symtab_load's byte order assumes a little-endian target"
#endif

/*
 * Bytes [i, i+8) of s as a word, zero-padded past len, never reading at or
 * past s+len: whole words directly, the last part of a word as the tail of an
 * overlapping load shifted down, and strings under 8 bytes from two
 * overlapping 4-byte loads (or single bytes under 4).
 */
static inline uint64_t arb_symtab_load(const char *s, size_t len, size_t i)
{
    uint64_t w;
    size_t n = len - i;

    if (n >= 8) {
        memcpy(&w, s + i, 8);
        return w;
    }
    if (len >= 8) {
        memcpy(&w, s + len - 8, 8);
        return w >> (8 * (8 - n));
    }
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s + i, 4);
        memcpy(&hi, s + i + n - 4, 4);
        return lo | (uint64_t)hi << (8 * (n - 4));
    }
    return (uint64_t)(unsigned char)s[i] | (uint64_t)(unsigned char)s[i + n / 2] << (8 * (n / 2)) |
           (uint64_t)(unsigned char)s[i + n - 1] << (8 * (n - 1));
}

#define ARB_SYMTAB_MIX 0xff51afd7ed558ccdULL /* murmur3's finalizer multiplier */

/*
 * A word at a time, one multiply per 8 bytes, where FNV-1a paid a dependent
 * multiply for every byte. Always two words, the second zero for names up to
 * 8 bytes, so that arb_symtab_find16 hashes any name up to 16 without a branch.
 */
static inline uint32_t arb_symtab_hash(const char *s, size_t len)
{
    uint64_t h = len * 0x9e3779b97f4a7c15ULL;

    for (size_t i = 0; i < 16 || i < len; i += 8)
        h = (h ^ (i < len ? arb_symtab_load(s, len, i) : 0)) * ARB_SYMTAB_MIX;
    return (uint32_t)(h >> 32);
}

/* Whether the len bytes at s equal an entry's name (len already equal). */
static inline bool arb_symtab_eq(const struct arb_symtab_entry *e, const char *s, size_t len)
{
    uint64_t diff = 0;

    /* The entry's name is zero-padded to 32 bytes, as the loads pad s past len. */
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w;
        memcpy(&w, e->sym + i, 8);
        diff |= w ^ arb_symtab_load(s, len, i);
    }
    return diff == 0;
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
        if (e->len == len && arb_symtab_eq(e, s, len))
            return e->instrument;
    }
}

/*
 * arb_symtab_find for a name inside a larger buffer whose 16 bytes at s may
 * all be read (a feed message, where more of the message follows the name).
 * Names up to 16 bytes, nearly all of them, are two masked loads, one hash
 * and two word compares with no branch on the length; longer ones go to
 * arb_symtab_find.
 */
static inline int arb_symtab_find16(const struct arb_symtab *t, const char *s, size_t len)
{
    uint64_t w0, w1, h;
    size_t n0 = len < 8 ? len : 8, n1 = len > 8 ? len - 8 : 0;

    if (len - 1 >= 16)
        return arb_symtab_find(t, s, len);
    memcpy(&w0, s, 8);
    memcpy(&w1, s + 8, 8);
    /* Keep n bytes: two shifts of 4n, since one shift by 64 would be undefined. */
    w0 &= ~(~0ULL << (4 * n0) << (4 * n0));
    w1 &= ~(~0ULL << (4 * n1) << (4 * n1));
    h = ((len * 0x9e3779b97f4a7c15ULL) ^ w0) * ARB_SYMTAB_MIX;
    h = (h ^ w1) * ARB_SYMTAB_MIX;
    for (uint32_t i = (uint32_t)(h >> 32);; i++) {
        const struct arb_symtab_entry *e = &t->slot[i & (ARB_SYMTAB_SLOTS - 1)];
        uint64_t e0, e1;
        if (e->len == 0)
            return -1;
        memcpy(&e0, e->sym, 8);
        memcpy(&e1, e->sym + 8, 8);
        if (e->len == len && ((e0 ^ w0) | (e1 ^ w1)) == 0)
            return e->instrument;
    }
}

void arb_symtab_init(struct arb_symtab *t);

/* Maps sym to instrument. Returns 0, -EEXIST if mapped elsewhere, -ENOSPC, -EINVAL. */
int arb_symtab_add(struct arb_symtab *t, const char *sym, size_t len, uint16_t instrument);

/* The venue spelling of an instrument, or NULL. *len receives its length. */
const char *arb_symtab_name(const struct arb_symtab *t, uint16_t instrument, size_t *len);

#endif /* ARB_CORE_SYMTAB_H */
