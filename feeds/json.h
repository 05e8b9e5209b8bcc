/* SPDX-License-Identifier: MIT */
/*
 * Zero-copy JSON scanning for the feed parsers: walks one object's members or
 * one array's elements in place, handing out spans of msg, never allocating.
 */
#ifndef ARB_FEEDS_JSON_H
#define ARB_FEEDS_JSON_H

#include "core/fixed.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum arb_json_type {
    ARB_JSON_NONE = 0, /* field absent */
    ARB_JSON_STR = 1,  /* s/len: the raw bytes between the quotes, escapes untouched */
    ARB_JSON_NUM = 2,  /* s/len: the number token */
    ARB_JSON_OBJ = 3,  /* s/len: the whole object, braces included */
    ARB_JSON_ARR = 4,  /* s/len: the whole array, brackets included */
    ARB_JSON_LIT = 5,  /* true, false or null */
};

/* One value: a span of the message plus its type. */
struct arb_json_val {
    const char *s;
    size_t len;
    int type; /* enum arb_json_type */
};

/* A cursor over one object or array; only ever moves forward, never past end. */
struct arb_json_cur {
    const char *p;
    const char *end;
    int err; /* set once a member or element fails to scan; the cursor then stays put */
    int n;   /* members or elements read so far: all but the first need a comma */
};

#define ARB_JSON_DEPTH 64 /* nesting a skipped value may have before it counts as malformed */

static inline const char *arb_json_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/*
 * p points just past an opening quote. Returns the closing quote, or NULL when
 * the string does not end inside the buffer. memchr does the scanning; a quote
 * preceded by an odd run of backslashes is escaped and the search goes on.
 */
static inline const char *arb_json_str_end(const char *p, const char *end)
{
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return NULL;
        const char *b = q;
        while (b > p && b[-1] == '\\')
            b--;
        if (((q - b) & 1) == 0)
            return q;
        p = q + 1;
    }
}

static inline bool arb_json_is_numch(char c)
{
    return (unsigned)(c - '0') < 10 || c == '-' || c == '.' || c == 'e' || c == 'E' || c == '+';
}

/*
 * Skips a nested object or array starting at p ('{' or '['). A 64-bit stack of
 * bracket kinds checks that closers match, without recursion. Returns the
 * byte after the closer, or NULL when malformed or truncated.
 */
static inline const char *arb_json_skip_nested(const char *p, const char *end)
{
    uint64_t kinds = 0; /* bit i set: level i is an array */
    int depth = 0;

    while (p < end) {
        char c = *p++;
        switch (c) {
        case '"':
            p = arb_json_str_end(p, end);
            if (!p)
                return NULL;
            p++;
            break;
        case '{':
        case '[':
            if (depth == ARB_JSON_DEPTH)
                return NULL;
            kinds = (kinds & ~(1ULL << depth)) | ((uint64_t)(c == '[') << depth);
            depth++;
            break;
        case '}':
        case ']':
            if (depth == 0 || ((kinds >> (depth - 1)) & 1) != (uint64_t)(c == ']'))
                return NULL;
            if (--depth == 0)
                return p;
            break;
        default:
            break;
        }
    }
    return NULL;
}

/* Scans one value at p (no leading whitespace). Returns the byte after it, or NULL. */
static inline const char *arb_json_value(const char *p, const char *end, struct arb_json_val *v)
{
    const char *q;

    if (p >= end)
        return NULL;
    switch (*p) {
    case '"':
        q = arb_json_str_end(p + 1, end);
        if (!q)
            return NULL;
        v->s = p + 1;
        v->len = (size_t)(q - p - 1);
        v->type = ARB_JSON_STR;
        return q + 1;
    case '{':
    case '[':
        q = arb_json_skip_nested(p, end);
        if (!q)
            return NULL;
        v->s = p;
        v->len = (size_t)(q - p);
        v->type = *p == '{' ? ARB_JSON_OBJ : ARB_JSON_ARR;
        return q;
    case 't':
    case 'n':
        if (end - p < 4 || (memcmp(p, "true", 4) != 0 && memcmp(p, "null", 4) != 0))
            return NULL;
        v->s = p;
        v->len = 4;
        v->type = ARB_JSON_LIT;
        return p + 4;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5) != 0)
            return NULL;
        v->s = p;
        v->len = 5;
        v->type = ARB_JSON_LIT;
        return p + 5;
    default:
        q = p;
        while (q < end && arb_json_is_numch(*q))
            q++;
        if (q == p)
            return NULL;
        v->s = p;
        v->len = (size_t)(q - p);
        v->type = ARB_JSON_NUM;
        return q;
    }
}

/* Opens the object or array whose span is v (as arb_json_value gives it). */
static inline void arb_json_open(struct arb_json_cur *c, const struct arb_json_val *v)
{
    c->p = v->s + 1;
    c->end = v->s + v->len - 1; /* the closer, already checked by arb_json_skip_nested */
    c->err = 0;
    c->n = 0;
}

/*
 * Opens a whole message that must be one object or array (open = '{' or '[').
 * Only whitespace may follow it. Returns false when it is not.
 */
static inline bool arb_json_open_msg(struct arb_json_cur *c, const char *msg, size_t len,
                                     char open)
{
    const char *end = msg + len;
    const char *p = arb_json_ws(msg, end);

    /* Trailing whitespace is rare (never on the wire), so trim it from the back. */
    while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
        end--;
    if (end - p < 2 || *p != open || end[-1] != (open == '{' ? '}' : ']'))
        return false;
    c->p = p + 1;
    c->end = end - 1;
    c->err = 0;
    c->n = 0;
    return true;
}

/*
 * Next member of an object cursor: *key/*klen get the raw key, *v the value.
 * Returns true for a member; false at the end of the object or on a syntax
 * error, which sets c->err. Members are scanned, not validated beyond their
 * structure: a number token is only checked by whoever converts it.
 */
static inline bool arb_json_member(struct arb_json_cur *c, const char **key, size_t *klen,
                                   struct arb_json_val *v)
{
    const char *p = arb_json_ws(c->p, c->end), *end = c->end, *q;

    if (c->err || p >= end)
        return false;
    if (c->n > 0) {
        if (*p != ',')
            goto bad;
        p = arb_json_ws(p + 1, end);
    }
    if (p >= end || *p != '"')
        goto bad;
    q = arb_json_str_end(p + 1, end);
    if (!q)
        goto bad;
    *key = p + 1;
    *klen = (size_t)(q - p - 1);
    p = arb_json_ws(q + 1, end);
    if (p >= end || *p != ':')
        goto bad;
    p = arb_json_value(arb_json_ws(p + 1, end), end, v);
    if (!p)
        goto bad;
    c->p = p;
    c->n++;
    return true;
bad:
    c->err = 1;
    return false;
}

/* Next element of an array cursor into *v. Same return contract as arb_json_member. */
static inline bool arb_json_element(struct arb_json_cur *c, struct arb_json_val *v)
{
    const char *p = arb_json_ws(c->p, c->end), *end = c->end;

    if (c->err || p >= end)
        return false;
    if (c->n > 0) {
        if (*p != ',')
            goto bad;
        p = arb_json_ws(p + 1, end);
    }
    p = arb_json_value(p, end, v);
    if (!p)
        goto bad;
    c->p = p;
    c->n++;
    return true;
bad:
    c->err = 1;
    return false;
}

/* Whether a raw key or string span equals the literal lit (sizeof includes the NUL). */
#define ARB_JSON_EQ(s, len, lit) ((len) == sizeof(lit) - 1 && memcmp((s), (lit), (len)) == 0)

/* Parses an unsigned decimal integer token. Returns 0, or -1 when empty, signed or too big. */
static inline int arb_json_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 20)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d >= 10)
            return -1;
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Milliseconds since the epoch, as an integer number token, to ns. Returns 0 or -1. */
static inline int arb_json_ms_to_ns(const struct arb_json_val *v, uint64_t *ns)
{
    uint64_t ms;

    if (v->type != ARB_JSON_NUM || arb_json_u64(v->s, v->len, &ms) < 0 ||
        ms > UINT64_MAX / 1000000u)
        return -1;
    *ns = ms * 1000000u;
    return 0;
}

/*
 * A decimal in a JSON number token, which may carry an exponent ("1e-05": some
 * venues serialize doubles that way). The exponent is applied by moving the
 * decimal point in a small stack buffer, so the result stays exact.
 * Returns 0 or a negative errno as arb_fixed_parse does.
 */
int arb_json_decimal_exp(const char *s, size_t len, int64_t *out);

static inline int arb_json_decimal(const char *s, size_t len, int64_t *out)
{
    /* Exponents are rare: look for one only if the plain parse refuses the token. */
    int rc = arb_fixed_parse(s, len, out);
    if (rc == -EINVAL && len > 0 && (memchr(s, 'e', len) || memchr(s, 'E', len)))
        return arb_json_decimal_exp(s, len, out);
    return rc;
}

/*
 * Parses an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SS[.fraction]Z" by hand
 * (no strptime, no timezone database): at most 9 fraction digits count, more
 * are truncated. Returns 0 and ns since the epoch, or -1 when malformed or
 * before 1970.
 */
static inline int arb_json_rfc3339_ns(const char *s, size_t len, uint64_t *ns)
{
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned f[6];
    static const uint8_t at[6] = {0, 5, 8, 11, 14, 17}, wid[6] = {4, 2, 2, 2, 2, 2};
    static const char sep[6] = {'-', '-', 'T', ':', ':', 0};
    uint64_t frac = 0;
    size_t i = 19, nd = 0;

    if (len < 20 || s[len - 1] != 'Z')
        return -1;
    for (int k = 0; k < 6; k++) {
        unsigned x = 0;
        for (unsigned j = 0; j < wid[k]; j++) {
            unsigned d = (unsigned)(s[at[k] + j] - '0');
            if (d >= 10)
                return -1;
            x = x * 10 + d;
        }
        if (sep[k] && s[at[k] + wid[k]] != sep[k])
            return -1;
        f[k] = x;
    }
    if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > mdays[f[1] - 1] ||
        f[3] > 23 || f[4] > 59 || f[5] > 60)
        return -1;
    if (f[1] == 2 && f[2] == 29 && !((f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0))
        return -1;
    if (s[i] == '.') {
        for (i++; i < len - 1; i++, nd++) {
            unsigned d = (unsigned)(s[i] - '0');
            if (d >= 10)
                return -1;
            if (nd < 9)
                frac = frac * 10 + d;
        }
        if (nd == 0)
            return -1;
        for (; nd < 9; nd++)
            frac *= 10;
    } else if (i != len - 1) {
        return -1;
    }
    /* Days from the civil date: March-based years put the leap day last (H. Hinnant). */
    {
        unsigned y = f[0] - (f[1] <= 2);
        unsigned era = y / 400, yoe = y - era * 400;
        unsigned mp = (f[1] + 9) % 12;
        unsigned doy = (153 * mp + 2) / 5 + f[2] - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        uint64_t days = (uint64_t)era * 146097 + doe - 719468;
        uint64_t secs = days * 86400 + f[3] * 3600u + f[4] * 60u + f[5];
        *ns = secs * 1000000000ULL + frac;
    }
    return 0;
}

#endif /* ARB_FEEDS_JSON_H */
