/* SPDX-License-Identifier: MIT */
/* core/log: one line per message, and the per-site rate limiter. */
#include "core/log.h"
#include "test.h"

static char lines[16][1100];
static int nlines;

static void capture(enum arb_log_level level, const char *line, int len)
{
    (void)level;
    if (nlines < 16)
        snprintf(lines[nlines++], sizeof(lines[0]), "%.*s", len, line);
}

int main(void)
{
    arb_log_set_sink(capture);
    arb_log(ARB_LOG_WARN, "feed %s: %d malformed", "binance", 3);
    CHECK_EQ_I64(nlines, 1);
    CHECK_STR(lines[0], "arbiter: warn: feed binance: 3 malformed\n");

    arb_log_set_level(ARB_LOG_WARN);
    arb_log(ARB_LOG_INFO, "hidden");
    CHECK_EQ_I64(nlines, 1);
    arb_log_set_level(ARB_LOG_INFO);

    /* Burst of 3, then one per second: 10 calls at t=0 give 3 lines. */
    struct arb_log_limit lim = ARB_LOG_LIMIT_INIT(3, 1000000000ULL);
    nlines = 0;
    for (int i = 0; i < 10; i++)
        arb_log_limited(&lim, 5000000000ULL, ARB_LOG_WARN, "malformed %d", i);
    CHECK_EQ_I64(nlines, 3);
    CHECK_EQ_U64(lim.suppressed, 7);
    /* Half a second later: still nothing. */
    arb_log_limited(&lim, 5500000000ULL, ARB_LOG_WARN, "malformed x");
    CHECK_EQ_I64(nlines, 3);
    /* A second later one passes and reports what was held back. */
    arb_log_limited(&lim, 6000000001ULL, ARB_LOG_WARN, "malformed y");
    CHECK_EQ_I64(nlines, 4);
    CHECK_STR(lines[3], "arbiter: warn: malformed y (8 similar suppressed)\n");
    CHECK_EQ_U64(lim.suppressed, 0);

    /* A long line is cut, but still ends in exactly one newline. */
    char big[2000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    nlines = 0;
    arb_log(ARB_LOG_ERROR, "%s", big);
    size_t n = strlen(lines[0]);
    CHECK(n > 0 && lines[0][n - 1] == '\n');
    return T_DONE();
}
