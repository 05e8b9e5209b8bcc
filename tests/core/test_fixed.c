/* SPDX-License-Identifier: MIT */
/* core/fixed: exchange decimals, error codes, and a 1M-value property test. */
#include "core/fixed.h"
#include "test.h"

static int64_t parse_ok(const char *s)
{
    int64_t v = 0;
    int rc = arb_fixed_parse_cstr(s, &v);
    if (rc != 0)
        T_FAIL("parse(\"%s\") = %d, want 0", s, rc);
    return v;
}

static void check_err(const char *s, size_t len, int want)
{
    int64_t v = 12345;
    int rc = arb_fixed_parse(s, len, &v);
    if (rc != want)
        T_FAIL("parse(\"%.*s\") = %d, want %d", (int)len, s, rc, want);
    if (v != 12345)
        T_FAIL("parse(\"%.*s\") wrote the output on error", (int)len, s);
}

static void test_exchange_strings(void)
{
    /* Worked by hand: the value times 10^8. */
    CHECK_EQ_I64(parse_ok("0.99987000"), 99987000);
    CHECK_EQ_I64(parse_ok("61837.64"), 6183764000000);
    CHECK_EQ_I64(parse_ok("1"), 100000000);
    CHECK_EQ_I64(parse_ok("0.00000001"), 1);
    CHECK_EQ_I64(parse_ok("-0.00010000"), -10000);
    CHECK_EQ_I64(parse_ok("35.72892241"), 3572892241);
    CHECK_EQ_I64(parse_ok("0"), 0);
    CHECK_EQ_I64(parse_ok("-0"), 0);
    CHECK_EQ_I64(parse_ok("007.5"), 750000000);
    CHECK_EQ_I64(parse_ok("1.0000000000"), 100000000); /* zeros past 8 decimals are exact */
    CHECK_EQ_I64(parse_ok("92233720368.54775807"), INT64_MAX);
    CHECK_EQ_I64(parse_ok("-92233720368.54775808"), INT64_MIN);
    /* Length-bounded: the bytes after len are never read as part of the number. */
    int64_t v;
    CHECK_EQ_I64(arb_fixed_parse("25.3519\",\"B\"", 7, &v), 0);
    CHECK_EQ_I64(v, 2535190000);
    /* The word path's edges: 8 bytes exactly, 7 integer digits with 8 decimals (16 bytes),
     * and the shapes it leaves to the byte loop. */
    CHECK_EQ_I64(parse_ok("1234567.12345678"), 123456712345678);
    CHECK_EQ_I64(parse_ok("-1234567.12345678"), -123456712345678);
    CHECK_EQ_I64(parse_ok("12345678"), 1234567800000000);
    CHECK_EQ_I64(parse_ok("12345678.9"), 1234567890000000);
    CHECK_EQ_I64(parse_ok("1234567"), 123456700000000);
    CHECK_EQ_I64(parse_ok("0.1"), 10000000);
    CHECK_EQ_I64(parse_ok("9.99"), 999000000);
    CHECK_EQ_I64(parse_ok("0000000000000001.5"), 150000000);
    CHECK_EQ_I64(parse_ok("0.000000010"), 1);
    CHECK_EQ_I64(parse_ok("297"), 29700000000);
    CHECK_EQ_I64(parse_ok("7.6110"), 761100000);
    /* A number whose '.' lies past the range must not be seen through it. */
    CHECK_EQ_I64(arb_fixed_parse("12345.678", 5, &v), 0);
    CHECK_EQ_I64(v, 1234500000000);
}

static void test_errors(void)
{
    check_err("", 0, -EINVAL);
    check_err("-", 1, -EINVAL);
    check_err(".5", 2, -EINVAL);
    check_err("1.", 2, -EINVAL);
    check_err("+1", 2, -EINVAL);
    check_err("1e5", 3, -EINVAL);
    check_err("1.5e-3", 6, -EINVAL);
    check_err(" 1", 2, -EINVAL);
    check_err("1 ", 2, -EINVAL);
    check_err("1.2.3", 5, -EINVAL);
    check_err("abc", 3, -EINVAL);
    check_err("0x10", 4, -EINVAL);
    check_err("--1", 3, -EINVAL);
    check_err("1.000000001", 11, -EDOM); /* a ninth decimal would be silently lost */
    check_err("0.123456789", 11, -EDOM);
    check_err("1.00000000x", 11, -EINVAL);
    check_err("92233720368.54775808", 20, -ERANGE);
    check_err("-92233720368.54775809", 21, -ERANGE);
    check_err("100000000000", 12, -ERANGE);
    check_err("99999999999999999999999999", 26, -ERANGE);
    check_err("1234567.", 8, -EINVAL);
    check_err("12.45678.", 9, -EINVAL);
    check_err("1.2345678x", 10, -EINVAL);
    check_err("1.23\"5678", 9, -EINVAL);
    check_err("1\0"
              "2",
              3, -EINVAL);
    check_err("-.5", 3, -EINVAL);
    check_err("1.234567891", 11, -EDOM);
}

/*
 * The word path against the byte loop it replaced (arb_fixed_parse_slow, the
 * original code, kept for the rare shapes): every string of up to 9 bytes over
 * an alphabet of digits, '.', '-' and junk, then long random ones. Each copy
 * is malloc'd to its exact size, so a sanitizer build catches any read past it.
 */
static void test_word_path(void)
{
    static const char alpha[] = "0179.-x";
    const size_t na = sizeof(alpha) - 1;
    uint64_t mismatches = 0, seed = 977;
    char s[32];

    for (size_t len = 0; len <= 9; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= na;
        for (size_t k = 0; k < total; k++) {
            size_t x = k;
            for (size_t i = 0; i < len; i++, x /= na)
                s[i] = alpha[x % na];
            int64_t a = 7, b = 7;
            int ra = arb_fixed_parse(s, len, &a), rb = arb_fixed_parse_slow(s, len, &b);
            if ((ra != rb || a != b) && mismatches++ < 5)
                T_FAIL("\"%.*s\": word path rc=%d v=%lld, byte loop rc=%d v=%lld", (int)len, s, ra,
                       (long long)a, rb, (long long)b);
        }
    }
    for (int i = 0; i < 2000000; i++) {
        uint64_t r = t_rand(&seed);
        size_t len = 8 + (size_t)(r % 17);
        /* Mostly digits with one '.', so most strings are valid and reach the word path. */
        size_t dot = (size_t)(r >> 8) % (len + 1);
        for (size_t j = 0; j < len; j++)
            s[j] = (char)('0' + (t_rand(&seed) % 10));
        if (dot < len)
            s[dot] = '.';
        if ((r >> 16) & 1)
            s[0] = '-';
        if (((r >> 17) & 7) == 0)
            s[(size_t)(r >> 24) % len] = "x.-\"e+ "[(r >> 32) % 7];
        char *copy = malloc(len);
        REQUIRE(copy);
        memcpy(copy, s, len);
        int64_t a = 7, b = 7;
        int ra = arb_fixed_parse(copy, len, &a), rb = arb_fixed_parse_slow(copy, len, &b);
        if ((ra != rb || a != b) && mismatches++ < 5)
            T_FAIL("\"%.*s\": word path rc=%d v=%lld, byte loop rc=%d v=%lld", (int)len, s, ra,
                   (long long)a, rb, (long long)b);
        free(copy);
    }
    CHECK_EQ_U64(mismatches, 0);
}

static void check_format(int64_t v, const char *want)
{
    char buf[ARB_FIXED_STRMAX];
    size_t n = arb_fixed_format(v, buf);
    CHECK_STR(buf, want);
    CHECK_EQ_U64(n, strlen(want));
}

static void test_format(void)
{
    check_format(0, "0");
    check_format(1, "0.00000001");
    check_format(-10000, "-0.0001");
    check_format(99987000, "0.99987");
    check_format(6183764000000, "61837.64");
    check_format(100000000, "1");
    check_format(-100000000, "-1");
    check_format(INT64_MAX, "92233720368.54775807");
    check_format(INT64_MIN, "-92233720368.54775808");
}

/*
 * Reference: the decimal text of v built with printf from its integer and
 * fraction parts, then trimmed by hand. It shares no code with fixed.c.
 */
static void reference_text(int64_t v, char *out, size_t len)
{
    unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(out, len, "%s%llu.%08llu", v < 0 ? "-" : "", mag / 100000000ULL,
                     mag % 100000000ULL);
    while (out[n - 1] == '0')
        out[--n] = '\0';
    if (out[n - 1] == '.')
        out[--n] = '\0';
}

/*
 * Reference parser: a plain grammar walk with 128-bit arithmetic, written
 * without looking at fixed.h's loop. Returns 0 and the value, or -1.
 */
static int reference_parse(const char *s, int64_t *out)
{
    const char *p = s;
    int neg = 0;
    __int128 ip = 0, fp = 0;
    int idig = 0, fdig = 0;

    if (*p == '-') {
        neg = 1;
        p++;
    }
    for (; *p >= '0' && *p <= '9'; p++, idig++)
        if ((ip = ip * 10 + (*p - '0')) > ((__int128)1 << 100))
            return -1;
    if (idig == 0)
        return -1;
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++, fdig++) {
            if (fdig < 8)
                fp = fp * 10 + (*p - '0');
            else if (*p != '0')
                return -1;
        }
        if (fdig == 0)
            return -1;
    }
    if (*p)
        return -1;
    for (int i = fdig < 8 ? fdig : 8; i < 8; i++)
        fp *= 10;
    __int128 v = ip * 100000000 + fp;
    if (neg)
        v = -v;
    if (v > INT64_MAX || v < INT64_MIN)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static void test_property(void)
{
    uint64_t seed = 20230311;
    char ref[64], mine[ARB_FIXED_STRMAX], padded[80];
    uint64_t mismatches = 0;

    for (int i = 0; i < 1000000; i++) {
        uint64_t r = t_rand(&seed);
        int64_t v;
        /* Mix magnitudes: prices near 1, large notionals, tiny quantities, extremes. */
        switch (i % 4) {
        case 0:
            v = (int64_t)(r % 200000000ULL);
            break;
        case 1:
            v = (int64_t)(r % 10000000000000ULL);
            break;
        case 2:
            v = (int64_t)(r % 1000ULL);
            break;
        default:
            v = (int64_t)r;
            break;
        }
        if (r & (1ULL << 62))
            v = v == INT64_MIN ? v : -v;
        reference_text(v, ref, sizeof(ref));
        arb_fixed_format(v, mine);
        if (strcmp(ref, mine) != 0 && mismatches++ < 5)
            T_FAIL("format(%lld) = \"%s\", reference \"%s\"", (long long)v, mine, ref);
        int64_t back;
        if ((arb_fixed_parse_cstr(ref, &back) != 0 || back != v) && mismatches++ < 5)
            T_FAIL("parse(\"%s\") != %lld", ref, (long long)v);
        /* The same value as an exchange would pad it: exactly 8 decimals. */
        unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        snprintf(padded, sizeof(padded), "%s%llu.%08llu", v < 0 ? "-" : "", mag / 100000000ULL,
                 mag % 100000000ULL);
        if ((arb_fixed_parse_cstr(padded, &back) != 0 || back != v) && mismatches++ < 5)
            T_FAIL("parse(\"%s\") != %lld", padded, (long long)v);
        /* One corrupted byte must never parse to a silently different value. */
        size_t len = strlen(padded);
        size_t pos = (size_t)(r >> 8) % len;
        char saved = padded[pos];
        padded[pos] = "x +e.-/"[(r >> 16) % 7];
        int rc = arb_fixed_parse_cstr(padded, &back);
        int64_t want;
        int ref_rc = reference_parse(padded, &want);
        if ((rc == 0) != (ref_rc == 0) || (rc == 0 && back != want)) {
            if (mismatches++ < 5)
                T_FAIL("corrupted \"%s\": parse rc=%d, reference rc=%d", padded, rc, ref_rc);
        }
        padded[pos] = saved;
    }
    CHECK_EQ_U64(mismatches, 0);
}

int main(void)
{
    test_exchange_strings();
    test_errors();
    test_word_path();
    test_format();
    test_property();
    return T_DONE();
}
