/* SPDX-License-Identifier: MIT */
/*
 * bars2quotes: turns one-minute OHLC bars into quotes, as a Tardis.dev
 * `quotes` CSV (for `arbiter replay`) or an arbsim script (for the demo's
 * simulated venues), so bar-only history like the March 2023 USDC depeg runs
 * through the same paths as tick data.
 *
 * Each bar becomes four quotes, 15 s apart: open, then the extreme the bar
 * most likely touched first (the low for an up bar, the high for a down
 * bar), then the other extreme, then close. Each quote is centred on its
 * price with a fixed half-spread, and shows a quarter of the bar's volume on
 * each side. Both are assumptions of this tool, stated in its provenance
 * line on stderr, not facts of the data.
 */
#include "core/fixed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INPUTS 8

struct quote {
    int64_t t_us;  /* quote time, µs since the epoch */
    int64_t px_e8; /* mid */
    int64_t qty_e8;
    int input; /* ties keep input order, so the output is deterministic */
};

static struct quote *quotes;
static size_t nquotes, capquotes;

static void usage(FILE *out)
{
    fprintf(out, "usage: bars2quotes --exchange NAME [--format tardis|arbsim] [--half-spread PX]\n"
                 "                   [--from ISO] [--to ISO] FILE:SYMBOL...\n"
                 "       bars2quotes --exchange NAME --symbol SYM [options] [FILE]\n"
                 "  Reads one-minute bars (timestamp + open/high/low/close/volume columns in any\n"
                 "  order; timestamp ISO-8601 UTC like 2023-03-08T00:01:00Z), merges several\n"
                 "  inputs by time, and writes quotes to stdout: a Tardis quotes CSV (default) or\n"
                 "  an arbsim script (t_ms from the first quote). --half-spread defaults to\n"
                 "  0.00005; --from/--to keep bars in [from, to).\n");
}

/* "2023-03-08T00:01:00Z" -> seconds since the epoch. */
static int parse_iso(const char *s, size_t n, int64_t *out)
{
    struct tm tm = {0};
    char buf[32];

    if (n < 19 || n >= sizeof(buf))
        return -EINVAL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return -EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

static int add_quote(int64_t t_us, int64_t px, int64_t qty, int input)
{
    if (nquotes == capquotes) {
        size_t ncap = capquotes ? capquotes * 2 : 65536;
        struct quote *q = realloc(quotes, ncap * sizeof(*q));
        if (!q)
            return -ENOMEM;
        quotes = q;
        capquotes = ncap;
    }
    quotes[nquotes++] = (struct quote){t_us, px, qty, input};
    return 0;
}

enum { C_TS, C_OPEN, C_HIGH, C_LOW, C_CLOSE, C_VOL, C_N };
static const char *const col_names[C_N] = {"timestamp", "open", "high", "low", "close", "volume"};

/* Reads one bar file into quotes. Returns 0 or 1 (an error was printed). */
static int read_bars(const char *path, int input, int64_t from, int64_t to)
{
    char line[4096];
    int col[C_N], ncol = 0;
    FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;

    if (!in) {
        fprintf(stderr, "bars2quotes: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (!fgets(line, sizeof(line), in)) {
        fprintf(stderr, "bars2quotes: %s: empty\n", path);
        return 1;
    }
    for (int c = 0; c < C_N; c++)
        col[c] = -1;
    for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), ncol++)
        for (int c = 0; c < C_N; c++)
            if (strcmp(tok, col_names[c]) == 0)
                col[c] = ncol;
    for (int c = 0; c < C_N; c++)
        if (col[c] < 0) {
            fprintf(stderr, "bars2quotes: %s:1: no '%s' column\n", path, col_names[c]);
            return 1;
        }
    unsigned long lineno = 1, bad = 0;
    while (fgets(line, sizeof(line), in)) {
        const char *f[16];
        size_t fl[16];
        int n = 0;
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
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
                fprintf(stderr, "bars2quotes: %s:%lu: malformed bar, skipped\n", path, lineno);
            continue;
        }
        if (ts < from || ts >= to)
            continue;
        int64_t path4[4] = {v[C_OPEN], v[C_CLOSE] >= v[C_OPEN] ? v[C_LOW] : v[C_HIGH],
                            v[C_CLOSE] >= v[C_OPEN] ? v[C_HIGH] : v[C_LOW], v[C_CLOSE]};
        for (int k = 0; k < 4; k++)
            if (add_quote(ts * 1000000 + k * 15000000LL, path4[k], v[C_VOL] / 4, input) < 0) {
                fprintf(stderr, "bars2quotes: out of memory\n");
                return 1;
            }
    }
    if (bad)
        fprintf(stderr, "bars2quotes: %s: %lu malformed bars skipped\n", path, bad);
    if (in != stdin)
        fclose(in);
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const struct quote *x = a, *y = b;
    if (x->t_us != y->t_us)
        return x->t_us < y->t_us ? -1 : 1;
    return x->input - y->input;
}

int main(int argc, char **argv)
{
    const char *exchange = NULL, *symbol = NULL, *format = "tardis";
    const char *paths[MAX_INPUTS], *syms[MAX_INPUTS];
    int ninputs = 0;
    int64_t half = 5000, from = INT64_MIN, to = INT64_MAX; /* half-spread 0.00005 */

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--exchange") == 0 && i + 1 < argc)
            exchange = argv[++i];
        else if (strcmp(argv[i], "--symbol") == 0 && i + 1 < argc)
            symbol = argv[++i];
        else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
            format = argv[++i];
        else if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) && i + 1 < argc) {
            int64_t *dst = argv[i][2] == 'f' ? &from : &to;
            if (parse_iso(argv[i + 1], strlen(argv[i + 1]), dst) < 0) {
                fprintf(stderr, "bars2quotes: %s: '%s' is not an ISO-8601 time\n", argv[i],
                        argv[i + 1]);
                return 2;
            }
            i++;
        } else if (strcmp(argv[i], "--half-spread") == 0 && i + 1 < argc) {
            if (arb_fixed_parse_cstr(argv[++i], &half) != 0 || half < 0) {
                fprintf(stderr, "bars2quotes: bad --half-spread '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage(stderr);
            return 2;
        } else if (ninputs < MAX_INPUTS) {
            char *colon = strrchr(argv[i], ':');
            paths[ninputs] = argv[i];
            syms[ninputs] = NULL;
            if (colon && colon[1]) {
                *colon = '\0';
                syms[ninputs] = colon + 1;
            }
            ninputs++;
        }
    }
    if (ninputs == 0) {
        paths[0] = "-";
        syms[0] = NULL;
        ninputs = 1;
    }
    for (int i = 0; i < ninputs; i++)
        if (!syms[i])
            syms[i] = symbol;
    if (!exchange || (strcmp(format, "tardis") && strcmp(format, "arbsim"))) {
        usage(stderr);
        return 2;
    }
    for (int i = 0; i < ninputs; i++) {
        if (!syms[i]) {
            fprintf(stderr, "bars2quotes: %s: no symbol (FILE:SYMBOL or --symbol)\n", paths[i]);
            return 2;
        }
        if (read_bars(paths[i], i, from, to))
            return 1;
    }
    qsort(quotes, nquotes, sizeof(*quotes), by_time);
    fprintf(stderr,
            "bars2quotes: %d input(s), %zu quotes: 4 per bar (open, first extreme, second "
            "extreme, close) 15 s apart, half-spread %lld e-8, a quarter of the bar volume each "
            "side\n",
            ninputs, nquotes, (long long)half);
    bool tardis = strcmp(format, "tardis") == 0;
    if (tardis)
        printf("exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,"
               "bid_amount\n");
    else
        printf("# made from one-minute bars by bars2quotes; see data/SOURCES.md\n"
               "t_ms,symbol,bid,bid_qty,ask,ask_qty\n");
    int64_t t0 = nquotes ? quotes[0].t_us : 0;
    for (size_t i = 0; i < nquotes; i++) {
        const struct quote *q = &quotes[i];
        char qs[ARB_FIXED_STRMAX], as[ARB_FIXED_STRMAX], bs[ARB_FIXED_STRMAX];
        arb_fixed_format(q->qty_e8, qs);
        arb_fixed_format(q->px_e8 + half, as);
        arb_fixed_format(q->px_e8 - half, bs);
        if (tardis)
            printf("%s,%s,%lld,%lld,%s,%s,%s,%s\n", exchange, syms[q->input], (long long)q->t_us,
                   (long long)q->t_us, qs, as, bs, qs);
        else
            printf("%lld,%s,%s,%s,%s,%s\n", (long long)((q->t_us - t0) / 1000), syms[q->input], bs,
                   qs, as, qs);
    }
    free(quotes);
    return ferror(stdout) ? 1 : 0;
}
