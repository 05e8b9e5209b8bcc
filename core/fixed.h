/* SPDX-License-Identifier: MIT */
/*
 * Exact decimal fixed point: int64 with 8 decimals (`_e8`), the unit of every
 * price, quantity and rate in arbiter. Parsing never goes through a double.
 */
#ifndef ARB_CORE_FIXED_H
#define ARB_CORE_FIXED_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ARB_FIXED_DECIMALS 8
#define ARB_FIXED_ONE      100000000LL /* 1.0 in _e8 */
#define ARB_FIXED_STRMAX   22          /* "-92233720368.54775808" plus NUL */

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "arb_fixed_parse's word-at-a-time path assumes a little-endian target"
#endif

#define ARB_FIXED_ZEROS 0x3030303030303030ULL /* '0' in every byte */

/*
 * Word-at-a-time (SWAR) digit helpers. They work on ASCII XOR '0', which maps
 * the digits to 0..9 and every other byte to 10 or more; XOR, not subtraction,
 * so a '.' cannot borrow from the digit after it.
 *
 * The high bit of every byte of d that is not a digit. No carry crosses a byte:
 * (d & 0x7f) + 0x76 is at most 0xf5.
 */
static inline uint64_t arb_fixed_swar_nondigit(uint64_t d)
{
    return (((d & 0x7f7f7f7f7f7f7f7fULL) + 0x7676767676767676ULL) | d) & 0x8080808080808080ULL;
}

/*
 * The eight digits in d (byte 0 the most significant, each 0..9) as a number:
 * pairs, then quads, then the whole, in three multiplies instead of eight
 * dependent multiply-adds (the simdjson/Lemire reduction).
 */
static inline uint64_t arb_fixed_swar_value8(uint64_t d)
{
    d = d * 10 + (d >> 8);
    return (((d & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32))) +
            (((d >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32)))) >>
           32;
}

/*
 * Two words of eight digits at once, each as arb_fixed_swar_value8 takes it:
 * the integer and the fraction half of a decimal. SSE2, part of x86-64 and so
 * needing no target flag, does both in three multiply-adds (pairs, quads,
 * eights) where the word form spends three multiplies on each.
 */
static inline void arb_fixed_value8x2(uint64_t a, uint64_t b, uint64_t *va, uint64_t *vb)
{
#if defined(__SSE2__)
    const __m128i z = _mm_setzero_si128();
    __m128i v = _mm_set_epi64x((long long)b, (long long)a), lo, hi;
    uint64_t r;

    /* 16-bit lanes [10, 1], [100, 1], [10000, 1]: the first, more significant, gets the scale. */
    lo = _mm_madd_epi16(_mm_unpacklo_epi8(v, z), _mm_set1_epi32(0x0001000a));
    hi = _mm_madd_epi16(_mm_unpackhi_epi8(v, z), _mm_set1_epi32(0x0001000a));
    v = _mm_madd_epi16(_mm_packs_epi32(lo, hi), _mm_set1_epi32(0x00010064));
    v = _mm_madd_epi16(_mm_packs_epi32(v, v), _mm_set1_epi32(0x00012710));
    r = (uint64_t)_mm_cvtsi128_si64(v);
    *va = (uint32_t)r;
    *vb = r >> 32;
#else
    *va = arb_fixed_swar_value8(a);
    *vb = arb_fixed_swar_value8(b);
#endif
}

/*
 * Cold: the byte-at-a-time parse behind arb_fixed_parse, for what its word
 * path leaves: eight or more integer digits, more than eight decimals, and
 * every error. Same contract as arb_fixed_parse.
 */
int arb_fixed_parse_slow(const char *s, size_t len, int64_t *out);

/*
 * Parses [-]digits[.digits] of exactly `len` bytes into *out (units of 1e-8).
 * Returns 0 on success; -EINVAL on an empty string or any other character
 * (no '+', no exponent, no spaces); -ERANGE when the value does not fit in
 * int64 _e8; -EDOM when a nonzero digit lies beyond the 8th decimal.
 * Extra decimals that are all zero ("1.0000000000") are exact and accepted.
 *
 * Exchange decimals ("0.35210000", "61837.64", "297") take a word path: at
 * most two 8-byte loads, both inside [s, s+len), and no loop. Anything else,
 * errors included, goes to arb_fixed_parse_slow, which decides the result.
 */
static inline int arb_fixed_parse(const char *s, size_t len, int64_t *out)
{
    const uint64_t zeros = ARB_FIXED_ZEROS;
    int neg = len > 0 && *s == '-';
    const char *p = s + neg;
    size_t n = len - (size_t)neg, dot, fn;
    uint64_t w, d, nd, ip, fp = 0;

    if (n >= 8) {
        /* The first word holds the integer digits and the '.' (at most 7 digits here; more
         * go slow, since only past 11 significant digits can the value overflow). */
        memcpy(&w, p, 8);
        d = w ^ zeros;
        nd = arb_fixed_swar_nondigit(d);
        if (!nd)
            goto slow;
        dot = (size_t)__builtin_ctzll(nd) >> 3;
        fn = n - dot - 1;
        if (dot == 0 || p[dot] != '.' || fn - 1 >= ARB_FIXED_DECIMALS)
            goto slow;
        ip = arb_fixed_swar_value8(d << (64 - 8 * dot));
        /* The last word of the range holds every decimal: shift them down to byte 0, so
         * the zero bytes shifted in stand for the missing decimals ("64" is 64000000). */
        memcpy(&w, s + len - 8, 8);
        d = (w ^ zeros) >> (64 - 8 * fn);
        if (arb_fixed_swar_nondigit(d))
            goto slow;
        fp = arb_fixed_swar_value8(d);
    } else {
        /* Fewer than 8 bytes: gather them into one zero-padded word without reading past
         * the range, two overlapping 4-byte loads or three single bytes. */
        if (n >= 4) {
            uint32_t lo, hi;
            memcpy(&lo, p, 4);
            memcpy(&hi, p + n - 4, 4);
            w = lo | (uint64_t)hi << (8 * (n - 4));
        } else if (n > 0) {
            w = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << (8 * (n / 2)) |
                (uint64_t)(unsigned char)p[n - 1] << (8 * (n - 1));
        } else {
            goto slow;
        }
        /* Padding becomes digit 0 after the mask, so only real bytes can be flagged. */
        d = (w ^ zeros) & (~0ULL >> (64 - 8 * n));
        nd = arb_fixed_swar_nondigit(d);
        if (!nd) {
            ip = arb_fixed_swar_value8(d << (64 - 8 * n));
        } else {
            dot = (size_t)__builtin_ctzll(nd) >> 3;
            if (dot == 0 || p[dot] != '.' || dot + 1 == n)
                goto slow;
            ip = arb_fixed_swar_value8(d << (64 - 8 * dot));
            d >>= 8 * (dot + 1);
            if (arb_fixed_swar_nondigit(d))
                goto slow;
            fp = arb_fixed_swar_value8(d);
        }
    }
    {
        /* At most 7 integer digits reach here, so this cannot overflow. */
        uint64_t mag = ip * (uint64_t)ARB_FIXED_ONE + fp;
        *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    }
    return 0;
slow:
    return arb_fixed_parse_slow(s, len, out);
}

/*
 * Writes the shortest exact decimal form of v into buf (no trailing zeros,
 * no exponent, "0" for zero) and NUL-terminates it. buf needs
 * ARB_FIXED_STRMAX bytes. Returns the length, not counting the NUL.
 */
size_t arb_fixed_format(int64_t v, char *buf);

/*
 * Slow path for numbers in exponent form ("1.5e-7", "-2E+3"), as JSON
 * writers emit them. Rounds half away from zero at the 8th decimal. Returns 0, -EINVAL
 * or -ERANGE.
 */
int arb_fixed_parse_sci(const char *s, size_t len, int64_t *out);

/* Parses a NUL-terminated string; same contract as arb_fixed_parse. */
int arb_fixed_parse_cstr(const char *s, int64_t *out);

/* Converts to double, for display and the slow path only. */
static inline double arb_fixed_to_double(int64_t v)
{
    return (double)v / (double)ARB_FIXED_ONE;
}

#endif /* ARB_CORE_FIXED_H */
