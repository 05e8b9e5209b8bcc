/* SPDX-License-Identifier: MIT */
/* Venue and instrument registry, and the venue-symbol splitter. */
#include "registry.h"

#include "symtab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Longest first, so FDUSD wins over USD and USDT over USD. */
static const char *const known_quotes[] = {
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDE", "PYUSD", "USD", "DAI", "EUR", "GBP",
};

void arb_registry_init(struct arb_registry *reg)
{
    memset(reg, 0, sizeof(*reg));
}

int arb_registry_find_venue(const struct arb_registry *reg, const char *name)
{
    for (uint32_t i = 0; i < reg->nvenues; i++)
        if (strcmp(reg->venue[i], name) == 0)
            return (int)i;
    return -ENOENT;
}

int arb_registry_venue(struct arb_registry *reg, const char *name)
{
    int id = arb_registry_find_venue(reg, name);

    if (id >= 0)
        return id;
    if (!name[0] || strlen(name) >= ARB_NAME_MAX)
        return -EINVAL;
    if (reg->nvenues == ARB_MAX_VENUES)
        return -ENOSPC;
    strcpy(reg->venue[reg->nvenues], name);
    return (int)reg->nvenues++;
}

int arb_registry_find_instrument(const struct arb_registry *reg, const char *name)
{
    for (uint32_t i = 0; i < reg->ninstruments; i++)
        if (strcmp(reg->inst[i].name, name) == 0)
            return (int)i;
    return -ENOENT;
}

int arb_registry_asset(struct arb_registry *reg, const char *code)
{
    for (uint32_t i = 0; i < reg->nassets; i++)
        if (strcmp(reg->asset[i], code) == 0)
            return (int)i;
    if (!code[0] || strlen(code) >= ARB_ASSET_MAX)
        return -EINVAL;
    if (reg->nassets == ARB_MAX_ASSETS)
        return -ENOSPC;
    strcpy(reg->asset[reg->nassets], code);
    return (int)reg->nassets++;
}

int arb_registry_instrument(struct arb_registry *reg, const char *base, const char *quote,
                            enum arb_inst_kind kind)
{
    char name[ARB_NAME_MAX];
    int n;

    if (!base[0] || !quote[0] || strlen(base) >= ARB_ASSET_MAX || strlen(quote) >= ARB_ASSET_MAX)
        return -EINVAL;
    n = snprintf(name, sizeof(name), "%s/%s%s", base, quote, kind == ARB_INST_PERP ? "-PERP" : "");
    if (n < 0 || (size_t)n >= sizeof(name))
        return -EINVAL;
    int id = arb_registry_find_instrument(reg, name);
    if (id >= 0)
        return id;
    if (reg->ninstruments == ARB_MAX_INSTRUMENTS)
        return -ENOSPC;
    int b = arb_registry_asset(reg, base), q = arb_registry_asset(reg, quote);
    if (b < 0 || q < 0)
        return b < 0 ? b : q;
    struct arb_instrument *in = &reg->inst[reg->ninstruments];
    strcpy(in->name, name);
    strcpy(in->base, base);
    strcpy(in->quote, quote);
    in->kind = (uint8_t)kind;
    in->base_asset = (uint16_t)b;
    in->quote_asset = (uint16_t)q;
    return (int)reg->ninstruments++;
}

/* Copies an asset code upper-cased, mapping the venues' legacy aliases. */
static int asset_copy(char dst[ARB_ASSET_MAX], const char *src, size_t len)
{
    if (len == 0 || len >= ARB_ASSET_MAX)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return -EINVAL;
        dst[i] = c;
    }
    dst[len] = '\0';
    /* Kraken's ISO-4217-style codes. */
    if (strcmp(dst, "XBT") == 0)
        strcpy(dst, "BTC");
    else if (strcmp(dst, "XDG") == 0)
        strcpy(dst, "DOGE");
    return 0;
}

static bool has_suffix_ci(const char *s, size_t len, const char *suf)
{
    size_t n = strlen(suf);

    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[len - n + i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != suf[i])
            return false;
    }
    return true;
}

int arb_symbol_split(const char *sym, size_t len, char base[ARB_ASSET_MAX],
                     char quote[ARB_ASSET_MAX], bool *perp)
{
    *perp = false;
    if (has_suffix_ci(sym, len, "-PERP") || has_suffix_ci(sym, len, "-SWAP") ||
        has_suffix_ci(sym, len, "_PERP")) {
        *perp = true;
        len -= 5;
    }
    for (size_t i = 0; i < len; i++) {
        if (sym[i] == '/' || sym[i] == '-' || sym[i] == '_' || sym[i] == ':') {
            if (asset_copy(base, sym, i) < 0)
                return -EINVAL;
            /* "BTC-USDT" or "BTC/USDT:USDT": the quote ends at the next separator. */
            size_t j = i + 1;
            while (j < len && sym[j] != '/' && sym[j] != '-' && sym[j] != '_' && sym[j] != ':')
                j++;
            return asset_copy(quote, sym + i + 1, j - i - 1);
        }
    }
    for (size_t q = 0; q < sizeof(known_quotes) / sizeof(known_quotes[0]); q++) {
        size_t ql = strlen(known_quotes[q]);
        if (len > ql && has_suffix_ci(sym, len, known_quotes[q])) {
            if (asset_copy(base, sym, len - ql) < 0)
                return -EINVAL;
            return asset_copy(quote, sym + len - ql, ql);
        }
    }
    /* "BTC-PERP" style: a perpetual quoted in USD by convention. */
    if (*perp && asset_copy(base, sym, len) == 0) {
        strcpy(quote, "USD");
        return 0;
    }
    return -EINVAL;
}

bool arb_venue_is_derivatives(const char *venue)
{
    size_t n = strlen(venue);

    return (n > 8 && strcmp(venue + n - 8, "-futures") == 0) ||
           (n > 5 && strcmp(venue + n - 5, "-swap") == 0);
}

int arb_registry_resolve(struct arb_registry *reg, const char *venue, const char *sym, size_t len)
{
    char base[ARB_ASSET_MAX], quote[ARB_ASSET_MAX];
    bool perp;

    if (arb_symbol_split(sym, len, base, quote, &perp) < 0)
        return -EINVAL;
    if (arb_venue_is_derivatives(venue))
        perp = true;
    return arb_registry_instrument(reg, base, quote, perp ? ARB_INST_PERP : ARB_INST_SPOT);
}

int arb_registry_map(struct arb_registry *reg, struct arb_symtab *t, const char *venue,
                     const char *sym, size_t len)
{
    int id = arb_registry_resolve(reg, venue, sym, len);
    if (id < 0)
        return id;
    int rc = arb_symtab_add(t, sym, len, (uint16_t)id);
    return rc < 0 ? rc : id;
}
