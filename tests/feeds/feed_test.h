/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the parser tests: load recorded data from ARB_SOURCE_DIR,
 * pick one line of a recording, and run a parser over a whole file.
 */
#ifndef ARB_TESTS_FEEDS_FEED_TEST_H
#define ARB_TESTS_FEEDS_FEED_TEST_H

#include "test.h"

#include "feeds/capture.h"
#include "feeds/parser.h"

#include <stdbool.h>

/* Reads data/<rel> from the source tree; exits with skip when it is missing. */
static inline char *ft_load(const char *rel, size_t *len)
{
    const char *root = getenv("ARB_SOURCE_DIR");
    char path[4096];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/data/%s", root ? root : ".", rel);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "skip: %s not found (set ARB_SOURCE_DIR)\n", path);
        exit(T_EXIT_SKIP);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    REQUIRE(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/*
 * The payload and receive time of line `lineno` (1-based) of a recording, as
 * a malloc'd exact-size copy so that AddressSanitizer catches any read past it.
 */
static inline char *ft_line(const char *rel, int lineno, size_t *plen, uint64_t *ts_ns)
{
    size_t len;
    char *buf = ft_load(rel, &len), *line = buf, *copy;
    const char *payload;

    for (int i = 1; i < lineno; i++) {
        line = memchr(line, '\n', len - (size_t)(line - buf));
        REQUIRE(line);
        line++;
    }
    char *nl = memchr(line, '\n', len - (size_t)(line - buf));
    size_t ll = nl ? (size_t)(nl - line) : len - (size_t)(line - buf);
    REQUIRE(arb_capture_line(line, ll, ts_ns, &payload, plen) == ARB_CAPTURE_FRAME);
    copy = malloc(*plen ? *plen : 1);
    memcpy(copy, payload, *plen);
    free(buf);
    return copy;
}

/* Parses an exact-size heap copy of the NUL-terminated msg (for ASan). */
static inline int ft_parse(const struct arb_feed_ops *ops, struct arb_parser *p, const char *msg,
                           uint64_t recv_ts_ns, struct arb_tick *out, int max)
{
    size_t n = strlen(msg);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, msg, n);
    int rc = ops->parse(p, copy, n, recv_ts_ns, out, max);
    free(copy);
    return rc;
}

/* Sets up p over t, with syms[i] mapped to instrument i. */
static inline void ft_parser(struct arb_parser *p, struct arb_symtab *t, const char *const *syms,
                             size_t n)
{
    arb_symtab_init(t);
    for (size_t i = 0; i < n; i++)
        REQUIRE(arb_symtab_add(t, syms[i], strlen(syms[i]), (uint16_t)i) == 0);
    arb_parser_init(p, 7, t);
}

struct ft_counts {
    uint64_t frames; /* received frames offered to the parser */
    uint64_t meta;   /* connection and sent-frame lines */
    uint64_t events; /* ticks */
    bool seq_ok;     /* per instrument, seq only ever increased */
};

/* Runs ops over every frame of data/<rel>; the parser's own stats hold the rest. */
static inline void ft_run_file(const struct arb_feed_ops *ops, struct arb_parser *p,
                               const char *rel, struct ft_counts *c)
{
    size_t len;
    char *buf = ft_load(rel, &len), *line = buf, *end = buf + len;
    static uint64_t last_seq[256];
    struct arb_tick ticks[16];

    memset(c, 0, sizeof(*c));
    memset(last_seq, 0, sizeof(last_seq));
    c->seq_ok = true;
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        uint64_t ts;
        const char *payload;
        size_t plen;

        switch (arb_capture_line(line, ll, &ts, &payload, &plen)) {
        case ARB_CAPTURE_META:
            c->meta++;
            break;
        case ARB_CAPTURE_FRAME: {
            int rc = ops->parse(p, payload, plen, ts, ticks, 16);
            c->frames++;
            for (int i = 0; i < rc; i++) {
                c->events++;
                if (ticks[i].recv_ts_ns != ts || ticks[i].venue != p->venue)
                    c->seq_ok = false;
                if (ticks[i].have & ARB_TICK_HAVE_SEQ) {
                    if (ticks[i].seq <= last_seq[ticks[i].instrument])
                        c->seq_ok = false;
                    last_seq[ticks[i].instrument] = ticks[i].seq;
                }
            }
            break;
        }
        case ARB_CAPTURE_EMPTY:
            break;
        }
        line = nl ? nl + 1 : end;
    }
    free(buf);
}

/* Every strict prefix of a valid message is malformed, and parsing it stays in bounds. */
static inline void ft_check_prefixes(const struct arb_feed_ops *ops, struct arb_parser *p,
                                     const char *msg)
{
    size_t n = strlen(msg);
    struct arb_tick t[4];

    for (size_t i = 0; i < n; i++) {
        char *copy = malloc(i ? i : 1);
        memcpy(copy, msg, i);
        int rc = ops->parse(p, copy, i, 1, t, 4);
        free(copy);
        if (rc != ARB_PARSE_MALFORMED)
            T_FAIL("prefix of %zu bytes: rc %d, want malformed", i, rc);
    }
}

#endif /* ARB_TESTS_FEEDS_FEED_TEST_H */
