/* SPDX-License-Identifier: MIT */
/*
 * `arbiter replay`: recorded market data through the real feed parsers, the
 * real detector and the real risk gate, in event time. Deterministic: the
 * same inputs and parameters give byte-identical output.
 */
#include "tools/cmd.h"

#include "core/detect.h"
#include "core/log.h"
#include "core/params.h"
#include "core/registry.h"
#include "core/report.h"
#include "core/symtab.h"
#include "feeds/capture.h"
#include "feeds/parser.h"
#include "feeds/tardis.h"
#include "tools/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define REPLAY_MAX_INPUTS 32
#define REPLAY_MAX_TICKS  64   /* ticks one message may carry */
#define REPLAY_RING       4096 /* records in each of the two output rings */
#define REPLAY_REPORTS    20   /* malformed lines reported per input; the count has the rest */

enum input_kind {
    INPUT_CAPTURE = 1, /* VENUE:FILE, raw frames through the venue's parser */
    INPUT_TARDIS = 2,  /* a Tardis.dev quotes or derivative_ticker CSV */
};

struct resolve_ctx {
    struct arb_registry *reg;
    struct arb_symtab *symtab;
    const char *venue;
    bool grew; /* a new instrument appeared: the detector must re-read the registry */
};

struct input {
    const char *path;
    enum input_kind kind;
    gzFile gz;
    const struct arb_feed_ops *ops;
    struct arb_tardis_csv csv;
    struct arb_parser parser;
    struct arb_symtab symtab;
    struct resolve_ctx rctx;
    char venue[ARB_NAME_MAX];
    char *buf;             /* read buffer; lines are handed out in place */
    size_t cap, rpos, end; /* buffer size, read position, bytes held */
    bool eof_data;
    char *line; /* the current line, inside buf */
    uint64_t lineno;
    uint64_t last_ts; /* bare payload lines inherit the previous line's time */
    uint64_t reported;
    struct arb_tick ticks[REPLAY_MAX_TICKS];
    int nticks, pos;
    bool eof;
};

static int replay_resolve(void *ctx, const char *sym, size_t len)
{
    struct resolve_ctx *r = ctx;
    uint32_t before = r->reg->ninstruments;
    int id = arb_registry_map(r->reg, r->symtab, r->venue, sym, len);

    if (id < 0)
        return -1;
    if (r->reg->ninstruments != before)
        r->grew = true;
    return id;
}

/* Doubles the read buffer (a line longer than it). False when out of memory. */
static bool grow(struct input *in)
{
    size_t ncap = in->cap ? in->cap * 2 : 1 << 22;
    char *b = realloc(in->buf, ncap + 1);
    if (!b)
        return false;
    in->buf = b;
    in->cap = ncap;
    return true;
}

/*
 * Reads the next line in place: in->line points into a large buffer refilled
 * with gzread (which reads plain files as they are), so a line costs one
 * memchr and no copy. Returns its length (without the newline, which becomes a
 * NUL), or -1 at the end.
 */
static long read_line(struct input *in)
{
    if (!in->buf && !grow(in))
        return -1;
    for (;;) {
        char *start = in->buf + in->rpos, *stop = in->buf + in->end;
        char *nl = memchr(start, '\n', (size_t)(stop - start));
        if (nl) {
            size_t n = (size_t)(nl - start);
            *nl = '\0';
            in->rpos += n + 1;
            in->line = start;
            if (n && start[n - 1] == '\r')
                start[--n] = '\0';
            return (long)n;
        }
        if (in->eof_data) {
            if (start == stop)
                return -1;
            /* The last line has no newline: hand it over as it is (buf has a spare byte). */
            size_t n = (size_t)(stop - start);
            in->buf[in->end] = '\0';
            in->rpos = in->end;
            in->line = start;
            return (long)n;
        }
        /* Keep the partial line, make room, read more. */
        if (stop > start)
            memmove(in->buf, start, (size_t)(stop - start));
        in->end -= in->rpos;
        in->rpos = 0;
        if (in->end == in->cap && !grow(in))
            return -1;
        int k = gzread(in->gz, in->buf + in->end, (unsigned)(in->cap - in->end));
        if (k <= 0)
            in->eof_data = true;
        else
            in->end += (size_t)k;
    }
}

static void report_bad(struct input *in, const char *what)
{
    if (in->reported++ < REPLAY_REPORTS)
        fprintf(stderr, "arbiter replay: %s:%llu: %s\n", in->path, (unsigned long long)in->lineno,
                what);
}

/* Fills in->ticks from the next lines that carry any. Returns false at the end. */
static bool input_fill(struct input *in)
{
    in->nticks = in->pos = 0;
    while (!in->eof) {
        long len = read_line(in);
        if (len < 0) {
            in->eof = true;
            break;
        }
        in->lineno++;
        int n;
        if (in->kind == INPUT_TARDIS) {
            const char *exch;
            size_t exch_len;
            n = arb_tardis_row(&in->csv, &in->parser, in->line, (size_t)len, &in->ticks[0], &exch,
                               &exch_len);
            if (n > 0 && (exch_len != strlen(in->venue) || memcmp(exch, in->venue, exch_len))) {
                report_bad(in, "row of another exchange (one exchange per file)");
                in->parser.stats.malformed++;
                continue;
            }
        } else {
            uint64_t ts;
            const char *payload;
            size_t plen;
            enum arb_capture_kind k = arb_capture_line(in->line, (size_t)len, &ts, &payload, &plen);
            if (k != ARB_CAPTURE_FRAME)
                continue;
            if (ts)
                in->last_ts = ts;
            n = in->ops->parse(&in->parser, payload, plen, in->last_ts, in->ticks,
                               REPLAY_MAX_TICKS);
        }
        if (n == ARB_PARSE_MALFORMED)
            report_bad(in, "malformed message, skipped");
        if (n > 0) {
            in->nticks = n;
            return true;
        }
    }
    return false;
}

static int input_open(struct input *in, const char *arg, struct arb_registry *reg, char *err,
                      size_t errlen)
{
    const char *colon = strchr(arg, ':');

    memset(in, 0, sizeof(*in));
    if (colon && (size_t)(colon - arg) < sizeof(in->venue)) {
        memcpy(in->venue, arg, (size_t)(colon - arg));
        in->venue[colon - arg] = '\0';
        in->ops = arb_feed_ops_find(in->venue);
    }
    if (in->ops) {
        in->kind = INPUT_CAPTURE;
        in->path = colon + 1;
    } else {
        in->kind = INPUT_TARDIS;
        in->path = arg;
    }
    in->gz = gzopen(in->path, "rb");
    if (!in->gz) {
        snprintf(err, errlen, "%s: %s", in->path, strerror(errno ? errno : ENOENT));
        return -ENOENT;
    }
    gzbuffer(in->gz, 1 << 20);
    if (in->kind == INPUT_TARDIS) {
        /* The header says which dataset; the first row says which exchange. */
        long len = read_line(in);
        in->lineno++;
        if (len < 0 || arb_tardis_header(&in->csv, in->line, (size_t)len, err, errlen) < 0) {
            if (len < 0)
                snprintf(err, errlen, "%s: empty file", in->path);
            else
                fprintf(stderr,
                        "arbiter replay: %s:1: not a Tardis CSV, nor VENUE:FILE with a "
                        "known venue\n",
                        in->path);
            return -EINVAL;
        }
        /* Peek at row 2 and put it back: only its exchange column is needed now. */
        size_t row2;
        len = read_line(in);
        const char *comma = len > 0 ? memchr(in->line, ',', (size_t)len) : NULL;
        if (!comma || (size_t)(comma - in->line) >= sizeof(in->venue)) {
            snprintf(err, errlen, "%s:2: no data row with an exchange", in->path);
            return -EINVAL;
        }
        memcpy(in->venue, in->line, (size_t)(comma - in->line));
        in->venue[comma - in->line] = '\0';
        row2 = (size_t)(in->line - in->buf); /* the buffer may have moved under the read */
        in->buf[row2 + (size_t)len] = '\n';  /* CR, if any, is simply dropped */
        in->rpos = row2;
    }
    int vid = arb_registry_venue(reg, in->venue);
    if (vid < 0) {
        snprintf(err, errlen, "%s: cannot register venue '%s'", in->path, in->venue);
        return vid;
    }
    arb_symtab_init(&in->symtab);
    arb_parser_init(&in->parser, (uint16_t)vid, &in->symtab);
    in->rctx = (struct resolve_ctx){.reg = reg, .symtab = &in->symtab, .venue = in->venue};
    in->parser.resolve = replay_resolve;
    in->parser.resolve_ctx = &in->rctx;
    return 0;
}

struct counts {
    uint64_t type[6];
};

static void drain(struct arb_detector *d, struct arb_ring *events, struct arb_ring *intents,
                  const struct arb_registry *reg, struct counts *c)
{
    struct arb_event ev;
    struct arb_intent in;
    char line[1024];

    while (arb_ring_spsc_pop(events, &ev)) {
        int n;
        if (ev.type == ARB_EV_INTENT) {
            /* Intents and their events are queued in the same order. */
            if (!arb_ring_spsc_pop(intents, &in))
                continue;
            n = arb_report_intent_json(&ev, &in, reg, line, sizeof(line));
        } else {
            n = arb_report_event_json(&ev, reg, line, sizeof(line));
        }
        if (ev.type < 6)
            c->type[ev.type]++;
        if (n > 0) {
            line[n] = '\n';
            fwrite(line, 1, (size_t)n + 1, stdout);
        }
    }
    (void)d;
}

static void replay_usage(FILE *out)
{
    fprintf(out,
            "usage: arbiter replay [--config FILE] [--set KEY=VALUE]... [--no-timing] INPUT...\n"
            "  INPUT is VENUE:FILE for a raw capture (`<ns> <payload>`, cryptofeed's\n"
            "  `<sec.frac>: <payload>` or bare payloads), or a Tardis.dev quotes or\n"
            "  derivative_ticker CSV; .gz files are read too. Inputs merge by receive time.\n"
            "  Prints each signal, intent and refusal as a JSON line, then a summary.\n"
            "  --no-timing leaves events_per_s out, so the whole output is reproducible.\n");
}

int arb_cmd_replay(int argc, char **argv)
{
    static struct input inputs[REPLAY_MAX_INPUTS];
    static struct arb_registry reg;
    static struct arb_params params;
    static struct arb_params_pub pub;
    const char *config = NULL;
    const char *sets[64];
    int nsets = 0, ninputs = 0, status = 0;
    bool timing = true;
    char err[512];

    arb_registry_init(&reg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            replay_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (nsets == 64) {
                fprintf(stderr, "arbiter replay: too many --set\n");
                return 2;
            }
            sets[nsets++] = argv[++i];
        } else if (strcmp(argv[i], "--no-timing") == 0) {
            timing = false;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "arbiter replay: unknown option '%s'\n", argv[i]);
            replay_usage(stderr);
            return 2;
        } else {
            if (ninputs == REPLAY_MAX_INPUTS) {
                fprintf(stderr, "arbiter replay: at most %d inputs\n", REPLAY_MAX_INPUTS);
                return 2;
            }
            if (input_open(&inputs[ninputs], argv[i], &reg, err, sizeof(err)) < 0) {
                fprintf(stderr, "arbiter replay: %s\n", err);
                return 1;
            }
            ninputs++;
        }
    }
    if (ninputs == 0) {
        fprintf(stderr, "arbiter replay: no INPUT\n");
        replay_usage(stderr);
        return 2;
    }
    /* Venues are known now, so per-venue keys resolve. */
    arb_params_defaults(&params);
    arb_params_venue_defaults(&params, &reg);
    if (config && arb_config_load_params(config, &params, &reg, NULL, NULL, err, sizeof(err)) < 0) {
        fprintf(stderr, "arbiter replay: %s\n", err);
        return 1;
    }
    for (int i = 0; i < nsets; i++)
        if (arb_config_set_arg(&params, &reg, sets[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "arbiter replay: %s\n", err);
            return 1;
        }
    /* The same wait-free publication the live engine uses. */
    arb_params_pub_init(&pub, &params);
    struct arb_ring *events = arb_ring_create(REPLAY_RING);
    struct arb_ring *intents = arb_ring_create(REPLAY_RING);
    struct arb_detector *d =
        events && intents ? arb_detector_create(&reg, &pub, NULL, events, intents) : NULL;
    if (!d) {
        fprintf(stderr, "arbiter replay: out of memory\n");
        return 1;
    }
    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

    struct counts counts = {{0}};
    uint64_t nevents = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < ninputs; i++)
        input_fill(&inputs[i]);
    for (;;) {
        /* k-way merge by receive time; ties go to the earlier input, for determinism. */
        struct input *next = NULL;
        for (int i = 0; i < ninputs; i++) {
            struct input *in = &inputs[i];
            if (in->pos >= in->nticks)
                continue;
            if (!next || in->ticks[in->pos].recv_ts_ns < next->ticks[next->pos].recv_ts_ns)
                next = in;
        }
        if (!next)
            break;
        if (next->rctx.grew) {
            arb_detector_refresh_shape(d);
            next->rctx.grew = false;
        }
        arb_detector_on_tick(d, &next->ticks[next->pos++]);
        nevents++;
        drain(d, events, intents, &reg, &counts);
        if (next->pos >= next->nticks)
            input_fill(next);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    uint64_t malformed = 0, unknown = 0, skipped = 0;
    for (int i = 0; i < ninputs; i++) {
        malformed += inputs[i].parser.stats.malformed;
        unknown += inputs[i].parser.stats.unknown_symbol;
        skipped += inputs[i].parser.stats.skipped;
        if (inputs[i].reported > REPLAY_REPORTS)
            fprintf(stderr, "arbiter replay: %s: %llu more malformed lines not shown\n",
                    inputs[i].path, (unsigned long long)(inputs[i].reported - REPLAY_REPORTS));
        if (gzclose(inputs[i].gz) != Z_OK) {
            fprintf(stderr, "arbiter replay: %s: read error\n", inputs[i].path);
            status = 1;
        }
        free(inputs[i].buf);
    }
    printf("{\"summary\":{\"events\":%llu,\"spread\":%llu,\"basis\":%llu,\"depeg\":%llu,"
           "\"intent\":%llu,\"refusal\":%llu,\"refusals\":{",
           (unsigned long long)nevents, (unsigned long long)counts.type[ARB_EV_SPREAD],
           (unsigned long long)counts.type[ARB_EV_BASIS],
           (unsigned long long)counts.type[ARB_EV_DEPEG],
           (unsigned long long)counts.type[ARB_EV_INTENT],
           (unsigned long long)counts.type[ARB_EV_REFUSAL]);
    int first = 1;
    for (int r = 1; r < ARB_REFUSE_COUNT; r++) {
        if (!d->risk.refused[r])
            continue;
        printf("%s\"%s\":%llu", first ? "" : ",", arb_refusal_name((enum arb_refusal)r),
               (unsigned long long)d->risk.refused[r]);
        first = 0;
    }
    printf("},\"skipped\":%llu,\"unknown_symbol\":%llu,\"malformed\":%llu,"
           "\"events_dropped\":%llu,\"stale_skips\":%llu",
           (unsigned long long)skipped, (unsigned long long)unknown, (unsigned long long)malformed,
           (unsigned long long)d->stats.events_dropped, (unsigned long long)d->stats.stale_skips);
    if (timing) {
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf(",\"events_per_s\":%.0f", secs > 0 ? (double)nevents / secs : 0.0);
    }
    printf("}}\n");
    fflush(stdout);
    arb_detector_destroy(d);
    arb_ring_destroy(events);
    arb_ring_destroy(intents);
    return status;
}
