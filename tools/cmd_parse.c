/* SPDX-License-Identifier: MIT */
/*
 * `arbiter parse`: runs one venue's parser over a capture or a file of raw
 * messages and prints every tick as a JSON line, to check parsers by eye or diff.
 */
#include "tools/cmd.h"

#include "core/fixed.h"
#include "core/registry.h"
#include "core/symtab.h"
#include "feeds/capture.h"
#include "feeds/parser.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARSE_MAX_TICKS    64   /* ticks one message may carry (Kraken v2 batches symbols) */
#define PARSE_MAX_REPORTS  1000 /* malformed lines reported one by one; the count has the rest */
#define PARSE_LINE_OUT_MAX 512

/* What the resolve fallback needs to register a symbol on first sight. */
struct parse_ctx {
    struct arb_registry *reg;
    struct arb_symtab *symtab;
    const char *venue;
};

static int parse_resolve(void *ctx, const char *sym, size_t len)
{
    struct parse_ctx *x = ctx;
    int id = arb_registry_map(x->reg, x->symtab, x->venue, sym, len);

    return id < 0 ? -1 : id;
}

/* A small append-only line buffer; sized so that no tick can overflow it. */
struct parse_out {
    char buf[PARSE_LINE_OUT_MAX];
    size_t len;
};

static void out_raw(struct parse_out *o, const char *s, size_t n)
{
    if (n > sizeof(o->buf) - o->len)
        n = sizeof(o->buf) - o->len;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_str(struct parse_out *o, const char *s)
{
    out_raw(o, s, strlen(s));
}

/* A JSON string, escaping what a venue symbol should never hold anyway. */
static void out_jstr(struct parse_out *o, const char *s, size_t n)
{
    out_raw(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            out_raw(o, esc, 2);
        } else if (c < 0x20) {
            char esc[8];
            int k = snprintf(esc, sizeof(esc), "\\u%04x", c);
            out_raw(o, esc, (size_t)k);
        } else {
            out_raw(o, (const char *)&s[i], 1);
        }
    }
    out_raw(o, "\"", 1);
}

static void out_fixed(struct parse_out *o, const char *key, int64_t v)
{
    char num[ARB_FIXED_STRMAX];

    out_str(o, ",\"");
    out_str(o, key);
    out_str(o, "\":\"");
    out_raw(o, num, arb_fixed_format(v, num));
    out_str(o, "\"");
}

static void out_u64(struct parse_out *o, const char *key, uint64_t v)
{
    char num[64]; /* the longest key, 18 bytes, plus 20 digits and punctuation */
    int k = snprintf(num, sizeof(num), ",\"%s\":%" PRIu64, key, v);

    if (k > 0)
        out_raw(o, num, (size_t)k < sizeof(num) ? (size_t)k : sizeof(num) - 1);
}

static void print_tick(FILE *out, const char *venue, const struct arb_symtab *symtab,
                       const struct arb_tick *t)
{
    static const char *const kinds[] = {"?", "bbo", "funding", "trade", "status"};
    struct parse_out o = {.len = 0};
    size_t slen = 0;
    const char *sym = arb_symtab_name(symtab, t->instrument, &slen);

    out_str(&o, "{\"venue\":");
    out_jstr(&o, venue, strlen(venue));
    out_str(&o, ",\"symbol\":");
    out_jstr(&o, sym ? sym : "?", sym ? slen : 1);
    out_str(&o, ",\"kind\":\"");
    out_str(&o, kinds[t->kind < 5 ? t->kind : 0]);
    out_str(&o, "\"");
    if (t->kind == ARB_TICK_BBO) {
        if (t->have & ARB_TICK_HAVE_BID)
            out_fixed(&o, "bid_px", t->bid_px_e8);
        if (t->have & ARB_TICK_HAVE_BID_QTY)
            out_fixed(&o, "bid_qty", t->bid_qty_e8);
        if (t->have & ARB_TICK_HAVE_ASK)
            out_fixed(&o, "ask_px", t->ask_px_e8);
        if (t->have & ARB_TICK_HAVE_ASK_QTY)
            out_fixed(&o, "ask_qty", t->ask_qty_e8);
    } else if (t->kind == ARB_TICK_FUNDING) {
        if (t->have & ARB_TICK_HAVE_MARK)
            out_fixed(&o, "mark_px", t->mark_px_e8);
        if (t->have & ARB_TICK_HAVE_INDEX)
            out_fixed(&o, "index_px", t->index_px_e8);
        if (t->have & ARB_TICK_HAVE_FUNDING)
            out_fixed(&o, "funding_rate", t->funding_rate_e8);
        if (t->have & ARB_TICK_HAVE_NEXT_FND)
            out_u64(&o, "next_funding_ts_ns", t->next_funding_ts_ns);
    }
    if (t->have & ARB_TICK_HAVE_EXCH_TS)
        out_u64(&o, "exch_ts_ns", t->exch_ts_ns);
    if (t->recv_ts_ns)
        out_u64(&o, "recv_ts_ns", t->recv_ts_ns);
    if (t->have & ARB_TICK_HAVE_SEQ)
        out_u64(&o, "seq", t->seq);
    out_str(&o, "}\n");
    fwrite(o.buf, 1, o.len, out);
}

static void parse_usage(FILE *out)
{
    fprintf(out, "usage: arbiter parse --venue NAME [FILE]\n"
                 "  Parses a capture (arbiter's `<ns> <payload>`, cryptofeed's\n"
                 "  `<sec.frac>: <payload>`, or one raw message per line; stdin without\n"
                 "  FILE) and prints one JSON line per tick. Counts go to stderr.\n"
                 "  venues:");
    for (size_t i = 0; arb_feed_ops_all[i]; i++)
        fprintf(out, " %s", arb_feed_ops_all[i]->name);
    fputc('\n', out);
}

int arb_cmd_parse(int argc, char **argv)
{
    const char *venue = NULL, *path = NULL;
    const struct arb_feed_ops *ops;
    static struct arb_registry reg;
    static struct arb_symtab symtab;
    static struct arb_tick ticks[PARSE_MAX_TICKS];
    struct arb_parser parser;
    struct parse_ctx ctx;
    uint64_t lineno = 0, meta = 0, reported = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    FILE *in = stdin;
    int vid, status = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            parse_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--venue") == 0 && i + 1 < argc) {
            venue = argv[++i];
        } else if (strncmp(argv[i], "--venue=", 8) == 0) {
            venue = argv[i] + 8;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "arbiter parse: unknown option '%s'\n", argv[i]);
            parse_usage(stderr);
            return 2;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "arbiter parse: more than one FILE ('%s')\n", argv[i]);
            return 2;
        }
    }
    if (!venue) {
        fprintf(stderr, "arbiter parse: --venue is required\n");
        parse_usage(stderr);
        return 2;
    }
    ops = arb_feed_ops_find(venue);
    if (!ops) {
        fprintf(stderr, "arbiter parse: unknown venue '%s'; known venues:", venue);
        for (size_t i = 0; arb_feed_ops_all[i]; i++)
            fprintf(stderr, " %s", arb_feed_ops_all[i]->name);
        fputc('\n', stderr);
        return 2;
    }
    if (path && strcmp(path, "-") != 0) {
        in = fopen(path, "r");
        if (!in) {
            fprintf(stderr, "arbiter parse: %s: %s\n", path, strerror(errno));
            return 1;
        }
    }

    arb_registry_init(&reg);
    arb_symtab_init(&symtab);
    vid = arb_registry_venue(&reg, venue);
    arb_parser_init(&parser, (uint16_t)vid, &symtab);
    ctx = (struct parse_ctx){.reg = &reg, .symtab = &symtab, .venue = ops->name};
    parser.resolve = parse_resolve;
    parser.resolve_ctx = &ctx;

    while ((n = getline(&line, &cap, in)) >= 0) {
        size_t len = (size_t)n;
        uint64_t ts = 0;
        const char *payload;
        size_t plen;
        int rc;

        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        switch (arb_capture_line(line, len, &ts, &payload, &plen)) {
        case ARB_CAPTURE_EMPTY:
            continue;
        case ARB_CAPTURE_META:
            meta++;
            continue;
        case ARB_CAPTURE_FRAME:
            break;
        }
        rc = ops->parse(&parser, payload, plen, ts, ticks, PARSE_MAX_TICKS);
        for (int i = 0; i < rc; i++)
            print_tick(stdout, ops->name, &symtab, &ticks[i]);
        if (rc == ARB_PARSE_MALFORMED && reported++ < PARSE_MAX_REPORTS)
            fprintf(stderr, "arbiter parse: line %" PRIu64 ": malformed %s message\n", lineno,
                    ops->name);
    }
    if (ferror(in)) {
        fprintf(stderr, "arbiter parse: %s: read error: %s\n", path ? path : "stdin",
                strerror(errno));
        status = 1;
    }
    free(line);
    if (in != stdin)
        fclose(in);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "arbiter parse: write error: %s\n", strerror(errno));
        status = 1;
    }
    fprintf(stderr,
            "arbiter parse: lines=%" PRIu64 " events=%" PRIu64 " skipped=%" PRIu64
            " malformed=%" PRIu64 " unknown=%" PRIu64 " heartbeats=%" PRIu64 " meta=%" PRIu64 "\n",
            lineno, parser.stats.events, parser.stats.skipped, parser.stats.malformed,
            parser.stats.unknown_symbol, parser.stats.heartbeats, meta);
    return status;
}
