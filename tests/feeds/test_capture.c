/* SPDX-License-Identifier: MIT */
/* feeds/capture.c: the three capture line forms, meta lines, and whole recordings. */
#include "feed_test.h"

static enum arb_capture_kind classify(const char *line, uint64_t *ts, const char **pl, size_t *n)
{
    *ts = 12345; /* must be overwritten for every frame */
    *pl = NULL;
    *n = 0;
    return arb_capture_line(line, strlen(line), ts, pl, n);
}

static void check_frame(const char *line, uint64_t want_ts, const char *want_payload)
{
    uint64_t ts;
    const char *pl;
    size_t n;

    if (classify(line, &ts, &pl, &n) != ARB_CAPTURE_FRAME) {
        T_FAIL("'%s': not a frame", line);
        return;
    }
    if (ts != want_ts)
        T_FAIL("'%s': ts %llu, want %llu", line, (unsigned long long)ts,
               (unsigned long long)want_ts);
    if (n != strlen(want_payload) || memcmp(pl, want_payload, n) != 0)
        T_FAIL("'%s': payload '%.*s', want '%s'", line, (int)n, pl, want_payload);
}

static void test_forms(void)
{
    uint64_t ts;
    const char *pl;
    size_t n;

    /* cryptofeed: BINANCE.ws.1.0 line 2's prefix; 7 fraction digits pad to 9. */
    check_frame("1633998512.0633569: {\"stream\":\"x\"}", 1633998512063356900ULL,
                "{\"stream\":\"x\"}");
    check_frame("1626992741.06217: {}", 1626992741062170000ULL, "{}");
    check_frame("1618678132.9496498: [1668]", 1618678132949649800ULL, "[1668]");
    check_frame("1618678132: {}", 1618678132000000000ULL, "{}");
    /* Digits past the ninth are below a nanosecond: truncated, never rounded. */
    check_frame("1.1234567899: x", 1123456789ULL, "x");
    check_frame("1618678132.9496498:{}", 1618678132949649800ULL, "{}");
    /* arbiter / hftbacktest: integer ns and one space. */
    check_frame("1723161254087891268 {\"u\":1}", 1723161254087891268ULL, "{\"u\":1}");
    check_frame("18446744073709551615 x", 18446744073709551615ULL, "x");
    /* bare payloads */
    check_frame("{\"type\":\"ticker\"}", 0, "{\"type\":\"ticker\"}");
    check_frame("[1668,{}]", 0, "[1668,{}]");
    check_frame("  {\"a\":1}\r", 0, "{\"a\":1}");
    /* Numbers that are not timestamps stay payloads: too big, no separator, bad fraction. */
    check_frame("18446744073709551616 x", 0, "18446744073709551616 x");
    check_frame("18446744074: x", 0, "18446744074: x");
    check_frame("123", 0, "123");
    check_frame("12.x: y", 0, "12.x: y");
    check_frame("1.5 x", 0, "1.5 x");
    check_frame("-5: x", 0, "-5: x");

    CHECK_EQ_I64(classify("wss://ws.kraken.com <-> 1618678132.3771882", &ts, &pl, &n),
                 ARB_CAPTURE_META);
    CHECK_EQ_I64(classify("wss://ws-feed.pro.coinbase.com <- 1618677817.020616: {\"type\":"
                          "\"subscribe\"}",
                          &ts, &pl, &n),
                 ARB_CAPTURE_META);
    CHECK_EQ_I64(classify("ws://127.0.0.1:9001 <-> 1", &ts, &pl, &n), ARB_CAPTURE_META);
    CHECK_EQ_I64(classify("", &ts, &pl, &n), ARB_CAPTURE_EMPTY);
    CHECK_EQ_I64(classify(" \t\r", &ts, &pl, &n), ARB_CAPTURE_EMPTY);
}

/* Classifies every line of data/<rel>; counts frames, meta and empty lines. */
static void count_file(const char *rel, uint64_t *frames, uint64_t *meta, uint64_t *empty,
                       uint64_t *first_ts, uint64_t *last_ts)
{
    size_t len;
    char *buf = ft_load(rel, &len), *line = buf, *end = buf + len;

    *frames = *meta = *empty = *first_ts = *last_ts = 0;
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        uint64_t ts;
        const char *pl;
        size_t n;

        switch (arb_capture_line(line, ll, &ts, &pl, &n)) {
        case ARB_CAPTURE_FRAME:
            (*frames)++;
            if (!*first_ts)
                *first_ts = ts;
            *last_ts = ts;
            if (n == 0 || (pl[0] != '{' && pl[0] != '['))
                T_FAIL("%s: payload does not start a JSON value", rel);
            break;
        case ARB_CAPTURE_META:
            (*meta)++;
            break;
        case ARB_CAPTURE_EMPTY:
            (*empty)++;
            break;
        }
        line = nl ? nl + 1 : end;
    }
    free(buf);
}

static void test_recordings(void)
{
    uint64_t frames, meta, empty, first, last;

    /* Line counts from `grep -c`: '^[0-9]' for frames, '^wss' for meta, -x '' for empty.
     * First and last receive times read off the files' first and last frame lines. */
    count_file("recorded/BINANCE.ws.1.0", &frames, &meta, &empty, &first, &last);
    CHECK_EQ_U64(frames, 265);
    CHECK_EQ_U64(meta, 1);
    CHECK_EQ_U64(first, 1633998512063356900ULL);
    count_file("recorded/COINBASE.ws.28.0.part1", &frames, &meta, &empty, &first, &last);
    CHECK_EQ_U64(frames, 3209);
    CHECK_EQ_U64(meta, 4);
    CHECK_EQ_U64(first, 1618677817061845000ULL);
    CHECK_EQ_U64(last, 1618677827532535000ULL);
    count_file("recorded/KRAKEN.ws.49.0", &frames, &meta, &empty, &first, &last);
    CHECK_EQ_U64(frames, 60);
    CHECK_EQ_U64(meta, 2);
    CHECK_EQ_U64(empty, 2);
    CHECK_EQ_U64(first, 1618678132845558000ULL);
}

int main(void)
{
    test_forms();
    test_recordings();
    return T_DONE();
}
