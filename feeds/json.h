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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/*
 * A cursor over one object or array, streaming: it learns where the container
 * ends by reaching its closer, so a nested object can be walked in place
 * instead of being skipped first and walked again.
 */
struct arb_json_cur {
    const char *p;   /* next byte to read */
    const char *end; /* end of the message: nothing at or past it is read */
    int n;           /* members or elements read so far: all but the first need a comma */
    int state;       /* ARB_JSON_OPEN, then ARB_JSON_DONE at the closer or ARB_JSON_ERR */
};

#define ARB_JSON_OPEN 0
#define ARB_JSON_DONE 1
#define ARB_JSON_ERR  (-1)

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "arb_json_str_end's SWAR scan assumes a little-endian target"
#endif

#define ARB_JSON_DEPTH 64 /* nesting a skipped value may have before it counts as malformed */

static inline const char *arb_json_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/*
 * Bit i set when p[i] is '"' or '\\', for the 16 bytes at p (all inside the
 * message). SSE2 is part of x86-64, so this needs no target flag: two compares
 * and a byte-mask move, where the SWAR form needs a dozen 64-bit constants.
 */
static inline unsigned arb_json_quote_or_backslash16(const char *p)
{
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
#else
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    unsigned m = 0;
    for (int h = 0; h < 2; h++) {
        uint64_t w, q, b, hit;
        memcpy(&w, p + 8 * h, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        hit = (((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
        /* Borrows may flag bytes above a true match: keep only the first. */
        if (hit) {
            m |= 1u << (8 * h + (__builtin_ctzll(hit) >> 3));
            break;
        }
    }
    return m;
#endif
}

/*
 * p points just past an opening quote. Returns the closing quote, or NULL when
 * the string does not end inside the buffer. Sixteen bytes at a time while
 * sixteen remain, then eight (SWAR: a byte equal to '"' or '\\' becomes zero, and the classic
 * has-zero-byte test finds the first one), bytewise for the tail, so nothing
 * past end is ever loaded. Feed strings are short: a libc memchr call costs
 * more in set-up than it saves.
 */
static inline const char *arb_json_str_end(const char *p, const char *end)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;

    for (;;) {
        while (end - p >= 16) {
            unsigned m = arb_json_quote_or_backslash16(p);
            if (m) {
                p += __builtin_ctz(m);
                goto found;
            }
            p += 16;
        }
        while (end - p >= 8) {
            uint64_t w, q, b, hit;
            memcpy(&w, p, 8);
            q = w ^ (ones * '"');
            b = w ^ (ones * '\\');
            hit = (((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
            if (hit) {
                /* Little-endian: the lowest flagged byte is the first in memory, and
                 * borrows only ever flag bytes above a true match. */
                p += __builtin_ctzll(hit) >> 3;
                goto found;
            }
            p += 8;
        }
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (p >= end)
            return NULL;
    found:
        if (*p == '"')
            return p;
        if (end - p < 2) /* a backslash escapes the byte after it */
            return NULL;
        p += 2;
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

/*
 * Starts a cursor on the container opening at p ('{' or '[', as `open` says).
 * Returns false, with the cursor in error, when p holds something else.
 */
static inline bool arb_json_enter(struct arb_json_cur *c, const char *p, const char *end, char open)
{
    c->end = end;
    c->n = 0;
    if (p >= end || *p != open) {
        c->p = p;
        c->state = ARB_JSON_ERR;
        return false;
    }
    c->p = p + 1;
    c->state = ARB_JSON_OPEN;
    return true;
}

/*
 * Starts a cursor on a whole message that must be one object or array.
 * arb_json_finished() later checks that only whitespace follows it.
 */
static inline bool arb_json_enter_msg(struct arb_json_cur *c, const char *msg, size_t len,
                                      char open)
{
    return arb_json_enter(c, arb_json_ws(msg, msg + len), msg + len, open);
}

/* After the loop over a whole message: whether it closed properly and nothing but
 * whitespace follows. */
static inline bool arb_json_finished(const struct arb_json_cur *c)
{
    return c->state == ARB_JSON_DONE && arb_json_ws(c->p, c->end) == c->end;
}

/*
 * Past the separator before the next item. Returns false at the closer
 * (state DONE, cursor past it) or on a syntax error (state ERR).
 */
static inline bool arb_json_next(struct arb_json_cur *c, char close)
{
    const char *p = arb_json_ws(c->p, c->end);

    if (c->state != ARB_JSON_OPEN)
        return false;
    if (p < c->end && *p == close) {
        c->p = p + 1;
        c->state = ARB_JSON_DONE;
        return false;
    }
    if (c->n > 0) {
        if (p >= c->end || *p != ',')
            goto bad;
        p = arb_json_ws(p + 1, c->end);
        if (p < c->end && *p == close)
            goto bad; /* trailing comma */
    }
    if (p >= c->end)
        goto bad;
    c->p = p;
    return true;
bad:
    c->state = ARB_JSON_ERR;
    return false;
}

/*
 * Next key of an object cursor: *key and *klen get the raw key and the cursor is
 * left on the value, for arb_json_take() or a nested arb_json_enter().
 * Returns false at the end of the object or on error (see c->state).
 */
static inline bool arb_json_key(struct arb_json_cur *c, const char **key, size_t *klen)
{
    const char *p, *q;

    if (!arb_json_next(c, '}'))
        return false;
    p = c->p;
    if (*p != '"')
        goto bad;
    q = arb_json_str_end(p + 1, c->end);
    if (!q)
        goto bad;
    *key = p + 1;
    *klen = (size_t)(q - p - 1);
    p = arb_json_ws(q + 1, c->end);
    if (p >= c->end || *p != ':')
        goto bad;
    c->p = arb_json_ws(p + 1, c->end);
    c->n++;
    return true;
bad:
    c->state = ARB_JSON_ERR;
    return false;
}

/* Scans the value under the cursor into *v and moves past it. Returns false on error. */
static inline bool arb_json_take(struct arb_json_cur *c, struct arb_json_val *v)
{
    const char *p = arb_json_value(c->p, c->end, v);

    if (!p) {
        c->state = ARB_JSON_ERR;
        return false;
    }
    c->p = p;
    return true;
}

/* Moves an outer cursor past a nested container that `inner` walked to its closer. */
static inline bool arb_json_resume(struct arb_json_cur *outer, const struct arb_json_cur *inner)
{
    if (inner->state != ARB_JSON_DONE) {
        outer->state = ARB_JSON_ERR;
        return false;
    }
    outer->p = inner->p;
    return true;
}

/* Next member of an object cursor, key and value. Same return contract as arb_json_key. */
static inline bool arb_json_member(struct arb_json_cur *c, const char **key, size_t *klen,
                                   struct arb_json_val *v)
{
    return arb_json_key(c, key, klen) && arb_json_take(c, v);
}

/* Next element of an array cursor, left on the element for a nested arb_json_enter(). */
static inline bool arb_json_elem_at(struct arb_json_cur *c)
{
    if (!arb_json_next(c, ']'))
        return false;
    c->n++;
    return true;
}

/* Next element of an array cursor into *v. Returns false at the end or on error. */
static inline bool arb_json_element(struct arb_json_cur *c, struct arb_json_val *v)
{
    return arb_json_elem_at(c) && arb_json_take(c, v);
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
        /* 19 digits always fit; only a 20th can overflow, and a divide per digit would
         * cost more than the rest of the parse. */
        if (__builtin_expect(i == 19, 0) &&
            (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v)))
            return -1;
        if (i < 19)
            v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/*
 * Byte-exact fast paths: helpers that match a venue's fixed message layout
 * and fuse finding a value with converting it. Each returns NULL (or false)
 * on anything unexpected, so the caller falls back to the general scanner,
 * which then decides the result; none of them ever reads at or past end.
 *
 * Whether the n bytes at p equal lit. n is a compile-time constant at every
 * call, so this folds into one or a few word compares against immediates,
 * where a memcmp call would cost more than the compare. The caller has
 * checked that n bytes remain.
 */
static inline bool arb_json_match(const char *p, const char *lit, size_t n)
{
    uint64_t a, b, diff = 0;

    if (n < 8) {
        uint32_t x, y;
        if (n < 4)
            return memcmp(p, lit, n) == 0;
        /* Two overlapping 4-byte compares cover 4..7 bytes. */
        memcpy(&x, p, 4);
        memcpy(&y, lit, 4);
        diff = x ^ y;
        memcpy(&x, p + n - 4, 4);
        memcpy(&y, lit + n - 4, 4);
        return (diff | (x ^ y)) == 0;
    }
    for (size_t i = 0; i + 8 < n; i += 8) {
        memcpy(&a, p + i, 8);
        memcpy(&b, lit + i, 8);
        diff |= a ^ b;
    }
    /* The last word overlaps the one before it rather than reading past n. */
    memcpy(&a, p + n - 8, 8);
    memcpy(&b, lit + n - 8, 8);
    return (diff | (a ^ b)) == 0;
}

/* Whether the string literal lit starts at p, with all of it inside [p, end). */
#define ARB_JSON_AT(p, end, lit)                                                                   \
    ((size_t)((end) - (p)) >= sizeof(lit) - 1 && arb_json_match((p), (lit), sizeof(lit) - 1))

/*
 * An unsigned integer token at p: at most 19 digits, so it cannot overflow.
 * Returns the byte after the last digit (the caller matches what must follow,
 * which makes the token end where the general scanner's would), or NULL when
 * p holds no digit or more than 19.
 */
static inline const char *arb_json_digits(const char *p, const char *end, uint64_t *out)
{
    static const uint64_t pow10[9] = {1,      10,      100,      1000,     10000,
                                      100000, 1000000, 10000000, 100000000};
    uint64_t w, d0, d1, nd;
    size_t n;

    if (end - p >= 9) {
        /* Two words hold up to 15 digits and the byte after them: sequence numbers and
         * millisecond times (13 digits) never need the loop. */
        memcpy(&w, p, 8);
        d0 = w ^ ARB_FIXED_ZEROS;
        nd = arb_fixed_swar_nondigit(d0);
        if (nd) {
            n = (size_t)__builtin_ctzll(nd) >> 3;
            if (n == 0)
                return NULL;
            *out = arb_fixed_swar_value8(d0 << (64 - 8 * n));
            return p + n;
        }
        /* Near the end ("E":1626992741017}}), the last 8 bytes of the range shifted
         * down instead: the bytes past end arrive as 0x00, which reads as a non-digit. */
        if (end - p >= 16) {
            memcpy(&w, p + 8, 8);
        } else {
            memcpy(&w, end - 8, 8);
            w >>= 8 * (size_t)(16 - (end - p));
        }
        d1 = w ^ ARB_FIXED_ZEROS;
        nd = arb_fixed_swar_nondigit(d1);
        if (nd) {
            n = (size_t)__builtin_ctzll(nd) >> 3;
            *out = arb_fixed_swar_value8(d0) * pow10[n] +
                   (n ? arb_fixed_swar_value8(d1 << (64 - 8 * n)) : 0);
            return p + 8 + n;
        }
    }
    {
        uint64_t v = 0;
        const char *q = p;
        while (q < end && (unsigned)(*q - '0') < 10 && q - p < 20) {
            v = v * 10 + (uint64_t)(*q - '0');
            q++;
        }
        if (q == p || q - p > 19)
            return NULL;
        *out = v;
        return q;
    }
}

/*
 * p just past an opening quote: the closing quote, or NULL, as
 * arb_json_str_end. Strings under 16 bytes without a backslash (every price,
 * quantity and symbol) are found from two independent word loads, so the
 * quote's position waits on one load and a few ALU ops; this position is the
 * critical path of a fast path, since every later field's place depends on
 * it. Longer strings continue in arb_json_str_end.
 */
static inline const char *arb_json_str_end16(const char *p, const char *end)
{
    if (end - p >= 16) {
        unsigned m = arb_json_quote_or_backslash16(p);
        if (m) {
            size_t i = (size_t)__builtin_ctz(m);
            if (p[i] == '"')
                return p + i;
        }
    }
    return arb_json_str_end(p, end);
}

/* Cold half of arb_json_fixed_str: arb_json_str_end16, then arb_fixed_parse. */
const char *arb_json_fixed_str_slow(const char *p, const char *end, int64_t *out);

/*
 * A decimal carried as a JSON string, p just past its opening quote. Returns
 * the closing quote, or NULL when the string does not end or arb_fixed_parse
 * would refuse its bytes; *out gets what arb_fixed_parse would give. Finding
 * the quote and converting share their loads when the value is unsigned, with
 * at most 7 integer digits and 8 decimals (or an integer of up to 8 digits),
 * as exchange prices are: one 16-byte load with SSE2, or two words near the
 * end of a message. Anything else finds the quote, then calls arb_fixed_parse.
 * Forced inline: out of line, the call costs more than the body.
 */
static inline __attribute__((always_inline)) const char *
arb_json_fixed_str(const char *p, const char *end, int64_t *out)
{
#if defined(__SSE2__)
    if (end - p >= 16) {
        /*
         * One 16-byte load classifies every byte: where the quote is, which bytes are
         * digits. Integers of up to 8 digits and decimals of up to 7 + 8 are accepted
         * with a single branch on the whole shape, since a feed mixes shapes from one
         * symbol to the next; both halves then convert together.
         */
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        const __m128i x = _mm_sub_epi8(v, _mm_set1_epi8('0'));
        unsigned digits = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_subs_epu8(x, _mm_set1_epi8(9)), _mm_setzero_si128()));
        unsigned quotes = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
        size_t q = (size_t)__builtin_ctz(quotes | 0x10000);
        size_t dot = (size_t)__builtin_ctz(~digits); /* first non-digit: '.' or the quote */
        size_t fn = q - dot - 1, dd = dot & 7;
        bool is_int = dot == q;
        /* The quote must be inside the 16 bytes (q < 16): 7 digits, '.' and 8 decimals
         * put it just past them, so that one shape goes the slow way. */
        bool ok = is_int ? q - 1 < 8
                         : dot - 1 < 7 && fn - 1 < 8 && q < 16 && p[dot] == '.' &&
                               (~digits & ((1u << q) - 1)) == 1u << dot;
        if (__builtin_expect(ok, 1)) {
            uint64_t lo = (uint64_t)_mm_cvtsi128_si64(x);
            uint64_t hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(x, x));
            uint64_t ipw = lo << (64 - 8 * dot), fpw, ip, fp;
            /* Bytes dot+1 .. dot+fn, first at byte 0; none for an integer. */
            fpw = (lo >> (8 * dd) >> 8) | (hi << (56 - 8 * dd));
            fn = is_int ? 0 : fn;
            fpw &= ~(~0ULL << (4 * fn) << (4 * fn));
            arb_fixed_value8x2(ipw, fpw, &ip, &fp);
            *out = (int64_t)(ip * (uint64_t)ARB_FIXED_ONE + fp);
            return p + q;
        }
        return arb_json_fixed_str_slow(p, end, out);
    }
#endif
    /* Each load is checked against end on its own, not as one 17-byte block, so the last
     * value of a message ("3199.00000000\"}}") still takes this path. */
    if (end - p >= 8) {
        uint64_t w, d, nd, ip;
        size_t dot, fn, room = (size_t)(end - p);
        memcpy(&w, p, 8);
        d = w ^ ARB_FIXED_ZEROS;
        nd = arb_fixed_swar_nondigit(d);
        dot = nd ? (size_t)__builtin_ctzll(nd) >> 3 : 8;
        if (dot - 1 < 7) {
            ip = arb_fixed_swar_value8(d << (64 - 8 * dot));
            if (p[dot] == '"') {
                *out = (int64_t)(ip * (uint64_t)ARB_FIXED_ONE);
                return p + dot;
            }
            if (p[dot] == '.' && room >= dot + 9) {
                memcpy(&w, p + dot + 1, 8);
                d = w ^ ARB_FIXED_ZEROS;
                nd = arb_fixed_swar_nondigit(d);
                /* Exactly 8 decimals, as Binance and Kraken pad them: the end is known from
                 * the '.' alone, so the next field's position does not wait on this word. */
                if (!nd && room > dot + 9 && p[dot + 9] == '"') {
                    *out = (int64_t)(ip * (uint64_t)ARB_FIXED_ONE + arb_fixed_swar_value8(d));
                    return p + dot + 9;
                }
                /* 1..7 decimals; with none flagged, fn is 7 and p[dot + 8] a digit. */
                fn = (size_t)__builtin_ctzll(nd | (1ULL << 63)) >> 3;
                if (fn - 1 < 7 && p[dot + 1 + fn] == '"') {
                    /* Keep the fn decimals; the zeroed bytes above pad them to 8. The mask
                     * is every bit below the first flagged byte. */
                    d &= ((nd & (0 - nd)) >> 7) - 1;
                    *out = (int64_t)(ip * (uint64_t)ARB_FIXED_ONE + arb_fixed_swar_value8(d));
                    return p + dot + 1 + fn;
                }
            }
        }
    }
    return arb_json_fixed_str_slow(p, end, out);
}

/*
 * Fast-path steps: after the literal lit (which ends with a string value's
 * opening quote), the value's closing quote; NULL when lit is not at q or the
 * string does not end. ARB_JSON_SKIP_STR only finds the end, as the general
 * scanner does for a value it does not keep; ARB_JSON_FIXED_STR also converts
 * the value into *out. q is evaluated more than once: pass a plain variable.
 */
#define ARB_JSON_SKIP_STR(q, end, lit)                                                             \
    (ARB_JSON_AT(q, end, lit) ? arb_json_str_end16((q) + sizeof(lit) - 1, end) : NULL)
#define ARB_JSON_FIXED_STR(q, end, lit, out)                                                       \
    (ARB_JSON_AT(q, end, lit) ? arb_json_fixed_str((q) + sizeof(lit) - 1, end, out) : NULL)
/* The same after a literal that ends where an unsigned integer token starts. */
#define ARB_JSON_DIGITS(q, end, lit, out)                                                          \
    (ARB_JSON_AT(q, end, lit) ? arb_json_digits((q) + sizeof(lit) - 1, end, out) : NULL)

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
 * The part of RFC 3339 parsing both paths share: range checks on the fields
 * (year, month, day, hour, minute, second) and the civil-date arithmetic.
 * Returns 0 and ns since the epoch, or -1.
 */
static inline int arb_json_civil_ns(const unsigned f[6], uint64_t frac, uint64_t *ns)
{
    static const uint8_t mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > mdays[f[1] - 1] || f[3] > 23 ||
        f[4] > 59 || f[5] > 60)
        return -1;
    if (f[1] == 2 && f[2] == 29 && !((f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0))
        return -1;
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

/* Cold: the byte-at-a-time arb_json_rfc3339_ns, for the shapes its word path leaves. */
int arb_json_rfc3339_ns_slow(const char *s, size_t len, uint64_t *ns);

/*
 * Parses an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SS[.fraction]Z" by hand
 * (no strptime, no timezone database): at most 9 fraction digits count, more
 * are truncated. Returns 0 and ns since the epoch, or -1 when malformed or
 * before 1970.
 *
 * With 1 to 8 fraction digits (Coinbase and Kraken send 6), four word loads
 * check every digit and separator at once and the fields come out of digit
 * pairs; every other shape, errors included, takes the byte loop.
 */
static inline int arb_json_rfc3339_ns(const char *s, size_t len, uint64_t *ns)
{
    /* "YYYY-MM-DDTHH:MM:SS." read as three words at 0, 8 and 12 (the third overlaps the
     * second to reach byte 19): which bytes are digits, which separators, and what the
     * separators must be. */
    const uint64_t dig0 = 0x00ffff00ffffffffULL, sep0 = 0x2d00002d00000000ULL; /* YYYY-MM- */
    const uint64_t dig1 = 0xffff00ffff00ffffULL, sep1 = 0x00003a0000540000ULL; /* DDTHH:MM */
    const uint64_t dig2 = 0x00ffff0000000000ULL, sep2 = 0x2e00003a00003a00ULL; /* HH:MM:SS. */
    const uint64_t sepm2 = 0xff0000ff0000ff00ULL;
    uint64_t a, b, c, w, d;
    size_t nf = len - 21;

    if (nf - 1 < 8 && s[len - 1] == 'Z') {
        memcpy(&a, s, 8);
        memcpy(&b, s + 8, 8);
        memcpy(&c, s + 12, 8);
        /* The fraction fills the top nf bytes of the word that ends before the 'Z'. */
        memcpy(&w, s + len - 9, 8);
        d = (w ^ ARB_FIXED_ZEROS) >> (64 - 8 * nf);
        if ((a & ~dig0) == sep0 && (b & ~dig1) == sep1 && (c & sepm2) == sep2 &&
            ((arb_fixed_swar_nondigit(a ^ ARB_FIXED_ZEROS) & dig0) |
             (arb_fixed_swar_nondigit(b ^ ARB_FIXED_ZEROS) & dig1) |
             (arb_fixed_swar_nondigit(c ^ ARB_FIXED_ZEROS) & dig2) | arb_fixed_swar_nondigit(d)) ==
                0) {
            unsigned f[6];
            /* Byte i of a pair word is 10 * digit i + digit i+1. Separators are cleared
             * first: times ten, one would carry into the next byte. */
            a = (a ^ ARB_FIXED_ZEROS) & dig0;
            b = (b ^ ARB_FIXED_ZEROS) & dig1;
            c = (c ^ ARB_FIXED_ZEROS) & dig2;
            a = a * 10 + (a >> 8);
            b = b * 10 + (b >> 8);
            c = c * 10 + (c >> 8);
            f[0] = (unsigned)(a & 0xff) * 100 + (unsigned)((a >> 16) & 0xff);
            f[1] = (unsigned)((a >> 40) & 0xff);
            f[2] = (unsigned)(b & 0xff);
            f[3] = (unsigned)((b >> 24) & 0xff);
            f[4] = (unsigned)((b >> 48) & 0xff);
            f[5] = (unsigned)((c >> 40) & 0xff);
            /* value8 pads the nf digits to 8 decimals; ns want 9. */
            return arb_json_civil_ns(f, arb_fixed_swar_value8(d) * 10, ns);
        }
    }
    return arb_json_rfc3339_ns_slow(s, len, ns);
}

/*
 * Cold: appends the JSON string "s" (quoted, lower-cased when `lower`) at
 * buf[*pos]. Returns 0, -ENOSPC when it does not fit, or -EINVAL when s holds
 * a character that would need escaping (no venue symbol does).
 */
int arb_json_put_str(char *buf, size_t cap, size_t *pos, const char *s, bool lower);

/* Cold: appends the raw text s at buf[*pos]. Returns 0 or -ENOSPC. */
int arb_json_put_raw(char *buf, size_t cap, size_t *pos, const char *s);

/*
 * Cold: appends the n strings as JSON strings separated by commas ("a","b"),
 * the inside of a subscription's symbol array. Returns as arb_json_put_str.
 */
int arb_json_put_strs(char *buf, size_t cap, size_t *pos, const char *const *s, size_t n);

#endif /* ARB_FEEDS_JSON_H */
