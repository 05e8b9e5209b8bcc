/* SPDX-License-Identifier: MIT */
/*
 * Names <-> small integer ids for venues and instruments, built at start-up
 * (cold) and read-only while the hot threads run. Instruments know their base,
 * quote and whether they are spot or perpetual.
 */
#ifndef ARB_CORE_REGISTRY_H
#define ARB_CORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_MAX_VENUES      16
#define ARB_MAX_INSTRUMENTS 256
#define ARB_NAME_MAX        32 /* bytes, including the NUL */
#define ARB_ASSET_MAX       12
#define ARB_MAX_ASSETS      128

enum arb_inst_kind {
    ARB_INST_SPOT = 0,
    ARB_INST_PERP = 1,
};

struct arb_instrument {
    char name[ARB_NAME_MAX];   /* canonical: "USDC/USDT", "BTC/USDT-PERP" */
    char base[ARB_ASSET_MAX];  /* "USDC"; XBT is spelled BTC */
    char quote[ARB_ASSET_MAX]; /* "USDT" */
    uint8_t kind;              /* enum arb_inst_kind */
    uint16_t base_asset;       /* asset id of base */
    uint16_t quote_asset;      /* asset id of quote */
};

struct arb_registry {
    uint32_t nvenues;
    uint32_t ninstruments;
    uint32_t nassets;
    char asset[ARB_MAX_ASSETS][ARB_ASSET_MAX]; /* "USDC", "BTC": ids for position keeping */
    char venue[ARB_MAX_VENUES][ARB_NAME_MAX];  /* Tardis.dev exchange ids: "binance-futures" */
    struct arb_instrument inst[ARB_MAX_INSTRUMENTS];
};

void arb_registry_init(struct arb_registry *reg);

/* Finds or adds a venue. Returns its id, -EINVAL for a bad name, -ENOSPC when full. */
int arb_registry_venue(struct arb_registry *reg, const char *name);

/* Finds a venue. Returns its id or -ENOENT. */
int arb_registry_find_venue(const struct arb_registry *reg, const char *name);

/* Finds or adds the instrument base/quote of `kind`. Returns its id or -errno. */
int arb_registry_instrument(struct arb_registry *reg, const char *base, const char *quote,
                            enum arb_inst_kind kind);

/* Finds or adds an asset code. Returns its id or -errno. */
int arb_registry_asset(struct arb_registry *reg, const char *code);

/* Finds an instrument by canonical name. Returns its id or -ENOENT. */
int arb_registry_find_instrument(const struct arb_registry *reg, const char *name);

/*
 * Splits a venue symbol into base and quote: "USDC/USDT", "BTC-USD",
 * "USDCUSDT", "XBT/USD", "BTC-USDT-SWAP", "BTC-PERP", "ETHUSD_PERP".
 * The separator-free form splits on a known quote currency, longest first.
 * *perp is set when the symbol itself says perpetual (-PERP, -SWAP, _PERP).
 * Returns 0, or -EINVAL when no split is found.
 */
int arb_symbol_split(const char *sym, size_t len, char base[ARB_ASSET_MAX],
                     char quote[ARB_ASSET_MAX], bool *perp);

/* True for venues whose instruments are perpetual by default ("-futures", "-swap"). */
bool arb_venue_is_derivatives(const char *venue);

/*
 * Resolves a venue's symbol to an instrument, adding it when new: the split
 * above, perpetual when the symbol or the venue says so.
 * Returns the instrument id or -errno.
 */
int arb_registry_resolve(struct arb_registry *reg, const char *venue, const char *sym, size_t len);

struct arb_symtab;

/*
 * Resolves a venue's symbol (as arb_registry_resolve) and maps that spelling
 * to the instrument in the venue's symbol table t. Cold. Returns the
 * instrument id or -errno.
 */
int arb_registry_map(struct arb_registry *reg, struct arb_symtab *t, const char *venue,
                     const char *sym, size_t len);

#endif /* ARB_CORE_REGISTRY_H */
