/* SPDX-License-Identifier: MIT */
/*
 * A small, strict JSON scanner for the simulators: validates a whole client
 * message (feeds/json.h skips nested values by bracket matching, which suits
 * trusted venue data but not a server's hostile input), then finds keys and
 * walks arrays over the caller's bytes, without allocating, nesting bounded.
 */
#ifndef ARB_TOOLS_SIM_JSON_H
#define ARB_TOOLS_SIM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_JSON_DEPTH 32 /* deeper nesting is rejected as malformed */

enum arb_sim_json_type {
    ARB_SIM_JSON_STRING = 's', /* p/len: the bytes between the quotes, escapes left as sent */
    ARB_SIM_JSON_NUMBER = 'n',
    ARB_SIM_JSON_OBJECT = 'o', /* p/len: the whole value, braces included */
    ARB_SIM_JSON_ARRAY = 'a',
    ARB_SIM_JSON_TRUE = 't',
    ARB_SIM_JSON_FALSE = 'f',
    ARB_SIM_JSON_NULL = 'z',
};

/* One value inside a JSON text. */
struct arb_sim_json_tok {
    const char *p; /* first byte (inside the quotes for strings) */
    size_t len;    /* bytes */
    char type;     /* enum arb_sim_json_type */
};

/* Parses one value at *pp (leading whitespace allowed) and moves *pp past it.
 * Returns 0, or -EINVAL when the text is not JSON. */
int arb_sim_json_value(const char **pp, const char *end, struct arb_sim_json_tok *tok);

/* Checks that msg[0..len) is exactly one JSON value. Returns 0 or -EINVAL. */
int arb_sim_json_check(const char *msg, size_t len, struct arb_sim_json_tok *tok);

/* Finds `key` among the members of object `obj`. Returns 0, -ENOENT, or -EINVAL. */
int arb_sim_json_get(const struct arb_sim_json_tok *obj, const char *key,
                     struct arb_sim_json_tok *val);

/* Steps through an array: *pos starts NULL. Returns 1 with the next element, 0 at the end,
 * -EINVAL on a malformed array. */
int arb_sim_json_next(const struct arb_sim_json_tok *arr, const char **pos,
                      struct arb_sim_json_tok *el);

/* True when tok is a string equal to s (escapes compared as sent). */
bool arb_sim_json_eq(const struct arb_sim_json_tok *tok, const char *s);

/* Reads a non-negative integer token. Returns 0 or -EINVAL. */
int arb_sim_json_u64(const struct arb_sim_json_tok *tok, uint64_t *out);

#endif /* ARB_TOOLS_SIM_JSON_H */
