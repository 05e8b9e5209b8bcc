/* SPDX-License-Identifier: MIT */
/*
 * arbiter's configuration file: INI (read with inih), where a section name
 * prefixes its keys, so `[spread] min_edge_bps = 12` is the parameter
 * `spread.min_edge_bps`. The same dotted keys work in `--set KEY=VALUE`, the
 * control socket and the LLM strategist's answers.
 */
#ifndef ARB_TOOLS_CONFIG_H
#define ARB_TOOLS_CONFIG_H

#include "core/params.h"
#include "core/registry.h"

#include <stddef.h>

/*
 * Called for each key = value. Returns 0 to accept; a negative errno with a
 * message in err to reject (the loader adds file and line).
 */
typedef int (*arb_config_fn)(void *ctx, const char *key, const char *value, char *err,
                             size_t errlen);

/*
 * Reads `path`, calling fn for every key. Returns 0, or -errno with err
 * holding "FILE:LINE: message" for the first bad line (unreadable file,
 * syntax error or a key fn refused).
 */
int arb_config_load(const char *path, arb_config_fn fn, void *ctx, char *err, size_t errlen);

/*
 * The common case: every key is a strategy parameter. Keys under `venue.`
 * and `symbol.` are left to fn2 when it is not NULL, and refused otherwise.
 */
int arb_config_load_params(const char *path, struct arb_params *p, const struct arb_registry *reg,
                           arb_config_fn other, void *other_ctx, char *err, size_t errlen);

/* Applies one "KEY=VALUE" (as given to --set). Returns 0 or -errno with err set. */
int arb_config_set_arg(struct arb_params *p, const struct arb_registry *reg, const char *arg,
                       char *err, size_t errlen);

#endif /* ARB_TOOLS_CONFIG_H */
