/* SPDX-License-Identifier: MIT */
/* Cold halves of the JSON helpers: exponent decimals, fast-path fallbacks, requests. */
#include "json.h"

#include <errno.h>

#define EXP_DIGITS_MAX 40 /* mantissa digits; an int64 _e8 never needs more than 19 */

int arb_json_decimal_exp(const char *s, size_t len, int64_t *out)
{
    char dig[EXP_DIGITS_MAX], txt[2 * EXP_DIGITS_MAX + 4];
    const char *p = s, *end = s + len;
    int neg = 0, nd = 0, intlen = -1, eneg = 0, e = 0, point;
    size_t n = 0;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    for (; p < end && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            if (intlen >= 0 || nd == 0)
                return -EINVAL;
            intlen = nd;
            continue;
        }
        if ((unsigned)(*p - '0') >= 10)
            return -EINVAL;
        if (nd == EXP_DIGITS_MAX)
            return -ERANGE;
        dig[nd++] = *p;
    }
    if (nd == 0 || intlen == nd || p == end)
        return -EINVAL;
    if (intlen < 0)
        intlen = nd;
    p++;
    if (p < end && (*p == '-' || *p == '+'))
        eneg = *p++ == '-';
    if (p == end)
        return -EINVAL;
    for (; p < end; p++) {
        if ((unsigned)(*p - '0') >= 10)
            return -EINVAL;
        e = e * 10 + (*p - '0');
        if (e > EXP_DIGITS_MAX)
            return -ERANGE; /* far beyond int64 _e8 either way */
    }
    point = intlen + (eneg ? -e : e);
    if (neg)
        txt[n++] = '-';
    if (point <= 0) {
        txt[n++] = '0';
        txt[n++] = '.';
        for (int i = point; i < 0; i++)
            txt[n++] = '0';
        for (int i = 0; i < nd; i++)
            txt[n++] = dig[i];
    } else {
        for (int i = 0; i < point || i < nd; i++) {
            if (i == point)
                txt[n++] = '.';
            txt[n++] = i < nd ? dig[i] : '0';
        }
    }
    return arb_fixed_parse(txt, n, out);
}

const char *arb_json_fixed_str_slow(const char *p, const char *end, int64_t *out)
{
    const char *q = arb_json_str_end16(p, end);

    if (!q || arb_fixed_parse(p, (size_t)(q - p), out) < 0)
        return NULL;
    return q;
}

int arb_json_rfc3339_ns_slow(const char *s, size_t len, uint64_t *ns)
{
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
    return arb_json_civil_ns(f, frac, ns);
}

int arb_json_put_raw(char *buf, size_t cap, size_t *pos, const char *s)
{
    size_t n = strlen(s);

    if (n > cap - *pos)
        return -ENOSPC;
    memcpy(buf + *pos, s, n);
    *pos += n;
    return 0;
}

int arb_json_put_str(char *buf, size_t cap, size_t *pos, const char *s, bool lower)
{
    size_t n = strlen(s);

    if (n + 2 > cap - *pos)
        return -ENOSPC;
    buf[(*pos)++] = '"';
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\\' || (unsigned char)c < 0x20)
            return -EINVAL;
        if (lower && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        buf[(*pos)++] = c;
    }
    buf[(*pos)++] = '"';
    return 0;
}

int arb_json_put_strs(char *buf, size_t cap, size_t *pos, const char *const *s, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0)
            rc = arb_json_put_raw(buf, cap, pos, ",");
        if (rc == 0)
            rc = arb_json_put_str(buf, cap, pos, s[i], false);
    }
    return rc;
}
