/* SPDX-License-Identifier: MIT */
/*
 * Helpers the plug-ins share to turn a venue's JSON answer into a struct
 * arb_exec: bounded copies of ids and messages, decimals from string or
 * number tokens, and the average price from cumulative quote and quantity.
 */
#ifndef ARB_VENUES_EXEC_H
#define ARB_VENUES_EXEC_H

#include "feeds/json.h"
#include "venue.h"

#include <string.h>

/* Copies at most cap-1 bytes of s and NUL-terminates: a longer id is not one of ours. */
static inline void arb_exec_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* A decimal from a JSON string or number token. Returns 0 or -EINVAL. */
static inline int arb_exec_decimal(const struct arb_json_val *v, int64_t *out)
{
    if (v->type != ARB_JSON_STR && v->type != ARB_JSON_NUM)
        return -EINVAL;
    return arb_json_decimal(v->s, v->len, out) == 0 ? 0 : -EINVAL;
}

/* An unsigned integer from a JSON number token (or a string of digits). Returns 0 or -EINVAL. */
static inline int arb_exec_u64(const struct arb_json_val *v, uint64_t *out)
{
    if (v->type != ARB_JSON_STR && v->type != ARB_JSON_NUM)
        return -EINVAL;
    return arb_json_u64(v->s, v->len, out) == 0 ? 0 : -EINVAL;
}

/* A signed integer from a JSON number token (error codes are negative). Returns 0 or -EINVAL. */
static inline int arb_exec_i32(const struct arb_json_val *v, int32_t *out)
{
    uint64_t m;
    int neg = v->len > 0 && v->s[0] == '-';

    if (v->type != ARB_JSON_NUM || arb_json_u64(v->s + neg, v->len - (size_t)neg, &m) < 0 ||
        m > INT32_MAX)
        return -EINVAL;
    *out = neg ? -(int32_t)m : (int32_t)m;
    return 0;
}

/* quote/qty in _e8, rounded half up, exact through a 128-bit product. 0 when qty is 0. */
static inline int64_t arb_exec_avg_e8(int64_t quote_e8, int64_t qty_e8)
{
    if (qty_e8 <= 0 || quote_e8 <= 0)
        return 0;
    return (int64_t)(((__int128)quote_e8 * ARB_FIXED_ONE + qty_e8 / 2) / qty_e8);
}

/* Zeroes an exec, so fields a message lacks read as 0 and empty strings. */
static inline void arb_exec_clear(struct arb_exec *e)
{
    memset(e, 0, sizeof(*e));
}

#endif /* ARB_VENUES_EXEC_H */
