/* SPDX-License-Identifier: MIT */
/*
 * bars2quotes: turns one-minute OHLC bars into a Tardis.dev `quotes` CSV, so
 * bar-only history (like the March 2023 USDC depeg) replays through the same
 * path as tick data.
 *
 * Each bar becomes four quotes, 15 s apart: open, then the extreme the bar
 * most likely touched first (the low for an up bar, the high for a down
 * bar), then the other extreme, then close. Each quote is centred on its
 * price with a fixed half-spread, and shows a quarter of the bar's volume on
 * each side. Both are assumptions of this tool, stated in its output's
 * provenance line on stderr, not facts of the data.
 */
#include "core/fixed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bars2quotes --exchange NAME --symbol SYM [--half-spread PX] [FILE]\n"
            "  Reads one-minute bars (timestamp + open/high/low/close/volume columns in any\n"
            "  order, timestamp as ISO-8601 UTC like 2023-03-08T00:01:00Z), writes a Tardis\n"
            "  quotes CSV to stdout. --half-spread defaults to 0.00005.\n");
}

/* "2023-03-08T00:01:00Z" -> seconds since the epoch. */
static int parse_iso(const char *s, size_t n, int64_t *out)
{
    struct tm tm = {0};
    if (n < 19 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                         &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

enum { C_TS, C_OPEN, C_HIGH, C_LOW, C_CLOSE, C_VOL, C_N };
static const char *const col_names[C_N] = {"timestamp", "open", "high", "low", "close", "volume"};

int main(int argc, char **argv)
{
    const char *exchange = NULL, *symbol = NULL, *path = NULL;
    int64_t half = 5000; /* 0.00005 */
    int col[C_N];
    char line[4096];
    FILE *in = stdin;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--exchange") == 0 && i + 1 < argc)
            exchange = argv[++i];
        else if (strcmp(argv[i], "--symbol") == 0 && i + 1 < argc)
            symbol = argv[++i];
        else if (strcmp(argv[i], "--half-spread") == 0 && i + 1 < argc) {
            if (arb_fixed_parse_cstr(argv[++i], &half) != 0 || half < 0) {
                fprintf(stderr, "bars2quotes: bad --half-spread '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            usage(stderr);
            return 2;
        } else
            path = argv[i];
    }
    if (!exchange || !symbol) {
        usage(stderr);
        return 2;
    }
    if (path && !(in = fopen(path, "r"))) {
        fprintf(stderr, "bars2quotes: %s: %s\n", path, strerror(errno));
        return 1;
    }
    const char *name = path ? path : "<stdin>";
    if (!fgets(line, sizeof(line), in)) {
        fprintf(stderr, "bars2quotes: %s: empty\n", name);
        return 1;
    }
    for (int c = 0; c < C_N; c++)
        col[c] = -1;
    int ncol = 0;
    for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), ncol++)
        for (int c = 0; c < C_N; c++)
            if (strcmp(tok, col_names[c]) == 0)
                col[c] = ncol;
    for (int c = 0; c < C_N; c++)
        if (col[c] < 0) {
            fprintf(stderr, "bars2quotes: %s:1: no '%s' column\n", name, col_names[c]);
            return 1;
        }
    fprintf(stderr,
            "bars2quotes: %s: 4 quotes per bar (open, first extreme, second extreme, close) "
            "15 s apart, half-spread %lld e-8, a quarter of the bar volume each side\n",
            name, (long long)half);
    printf("exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n");
    unsigned long lineno = 1, bad = 0;
    while (fgets(line, sizeof(line), in)) {
        const char *f[16];
        size_t fl[16];
        int n = 0;
        lineno++;
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        for (char *p = line; n < 16;) {
            char *c = strchr(p, ',');
            f[n] = p;
            fl[n] = c ? (size_t)(c - p) : strlen(p);
            n++;
            if (!c)
                break;
            p = c + 1;
        }
        int64_t ts, v[C_N];
        int ok = n == ncol && parse_iso(f[col[C_TS]], fl[col[C_TS]], &ts) == 0;
        for (int c = C_OPEN; ok && c < C_N; c++) {
            size_t n_c = fl[col[c]];
            /* Volumes carry float noise ("19867.754235829998"): a size hint, so cut to 8 places. */
            const char *dot = c == C_VOL ? memchr(f[col[c]], '.', n_c) : NULL;
            if (dot && (size_t)(dot - f[col[c]]) + 9 < n_c)
                n_c = (size_t)(dot - f[col[c]]) + 9;
            ok = arb_fixed_parse(f[col[c]], n_c, &v[c]) == 0;
        }
        if (!ok) {
            if (bad++ < 10)
                fprintf(stderr, "bars2quotes: %s:%lu: malformed bar, skipped\n", name, lineno);
            continue;
        }
        int64_t path4[4] = {v[C_OPEN], v[C_CLOSE] >= v[C_OPEN] ? v[C_LOW] : v[C_HIGH],
                            v[C_CLOSE] >= v[C_OPEN] ? v[C_HIGH] : v[C_LOW], v[C_CLOSE]};
        int64_t qty = v[C_VOL] / 4;
        char qs[ARB_FIXED_STRMAX], as[ARB_FIXED_STRMAX], bs[ARB_FIXED_STRMAX];
        arb_fixed_format(qty, qs);
        for (int k = 0; k < 4; k++) {
            long long us = (long long)(ts * 1000000 + k * 15000000LL);
            arb_fixed_format(path4[k] + half, as);
            arb_fixed_format(path4[k] - half, bs);
            printf("%s,%s,%lld,%lld,%s,%s,%s,%s\n", exchange, symbol, us, us, qs, as, bs, qs);
        }
    }
    if (bad)
        fprintf(stderr, "bars2quotes: %s: %lu malformed bars skipped\n", name, bad);
    return ferror(in) ? 1 : 0;
}
