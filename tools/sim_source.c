/* SPDX-License-Identifier: MIT */
/* Loading scripts and captures into the simulator's message timeline. */
#include "tools/sim_source.h"

#include "core/fixed.h"
#include "feeds/capture.h"
#include "feeds/wsframe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_PER_MS 1000000ULL

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

int arb_sim_source_find_sym(const struct arb_sim_source *s, const char *name, size_t len)
{
    if (!s || len == 0 || len > ARB_SIM_SYMMAX)
        return -1;
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (strlen(s->sym[i]) == len && strncasecmp(s->sym[i], name, len) == 0)
            return (int)i;
    return -1;
}

/* Finds or adds a symbol. Returns its id, or -1 when the table is full. */
static int sym_intern(struct arb_sim_source *s, const char *name, size_t len)
{
    int id = arb_sim_source_find_sym(s, name, len);

    if (id >= 0 || len == 0 || len > ARB_SIM_SYMMAX || s->nsyms >= ARB_SIM_SYMS)
        return id;
    memcpy(s->sym[s->nsyms], name, len);
    s->sym[s->nsyms][len] = '\0';
    return (int)s->nsyms++;
}

size_t arb_sim_source_seek(const struct arb_sim_source *s, uint64_t t_ns)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->msgs[mid].t_ns < t_ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The gap between passes repeats the last interval, so a loop keeps the rhythm. */
static void set_period(struct arb_sim_source *s)
{
    uint64_t last = s->msgs[s->n - 1].t_ns;
    uint64_t gap = s->n > 1 ? last - s->msgs[s->n - 2].t_ns : 0;

    s->period_ns = last + (gap ? gap : NS_PER_MS);
}

static int grow(struct arb_sim_source *s, size_t *cap)
{
    size_t ncap = *cap ? *cap * 2 : 1024;
    struct arb_sim_msg *m = realloc(s->msgs, ncap * sizeof *m);

    if (!m)
        return -ENOMEM;
    s->msgs = m;
    if (s->kind == ARB_SIM_SRC_SCRIPT) {
        struct arb_sim_quote *q = realloc(s->quotes, ncap * sizeof *q);
        if (!q)
            return -ENOMEM;
        s->quotes = q;
    }
    *cap = ncap;
    return 0;
}

static char *trim(char *p)
{
    char *e;

    while (*p == ' ' || *p == '\t')
        p++;
    e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = '\0';
    return p;
}

static const char *const field_names[] = {"t_ms", "symbol",  "bid",          "bid_qty",
                                          "ask",  "ask_qty", "funding_rate", "mark"};

static int parse_dec(const char *f, int64_t *v, uint8_t *dec)
{
    const char *dot = strchr(f, '.');
    size_t d = dot ? strlen(dot + 1) : 0;
    int rc = arb_fixed_parse_cstr(f, v);

    /* Trailing zeros beyond 8 decimals parse exactly; the precision shown stops at 8. */
    *dec = (uint8_t)(d > ARB_FIXED_DECIMALS ? ARB_FIXED_DECIMALS : d);
    return rc;
}

static int script_row(struct arb_sim_source *s, char *line, const char *path, unsigned lineno,
                      uint64_t prev_t_ms, uint64_t *t_ms, char *err, size_t errlen)
{
    char *fields[9];
    int nf = 0;
    struct arb_sim_quote *q = &s->quotes[s->n];
    struct arb_sim_msg *m = &s->msgs[s->n];
    int64_t *dst[6] = {&q->bid_e8,     &q->bid_qty_e8, &q->ask_e8,
                       &q->ask_qty_e8, &q->funding_e8, &q->mark_e8};
    char *end;
    size_t slen;
    int sym;

    for (char *p = line;; nf++) {
        char *c = strchr(p, ',');
        if (nf == 9)
            return fail(err, errlen, -EINVAL, "%s:%u: too many fields (at most 8)", path, lineno);
        fields[nf] = p;
        if (!c) {
            nf++;
            break;
        }
        *c = '\0';
        p = c + 1;
    }
    if (nf != 6 && nf != 8)
        return fail(
            err, errlen, -EINVAL,
            "%s:%u: %d fields; want t_ms,symbol,bid,bid_qty,ask,ask_qty[,funding_rate,mark]", path,
            lineno, nf);
    for (int i = 0; i < nf; i++)
        fields[i] = trim(fields[i]);

    errno = 0;
    *t_ms = strtoull(fields[0], &end, 10);
    if (!*fields[0] || *end || errno || fields[0][0] == '-')
        return fail(err, errlen, -EINVAL, "%s:%u: field 't_ms': not a whole number of ms ('%s')",
                    path, lineno, fields[0]);
    if (*t_ms < prev_t_ms)
        return fail(err, errlen, -EINVAL,
                    "%s:%u: field 't_ms': %llu goes back in time (after %llu)", path, lineno,
                    (unsigned long long)*t_ms, (unsigned long long)prev_t_ms);
    if (*t_ms > UINT64_MAX / NS_PER_MS / 4)
        return fail(err, errlen, -ERANGE, "%s:%u: field 't_ms': too large", path, lineno);

    slen = strlen(fields[1]);
    if (slen == 0 || slen > ARB_SIM_SYMMAX)
        return fail(err, errlen, -EINVAL, "%s:%u: field 'symbol': want 1 to %d bytes", path, lineno,
                    ARB_SIM_SYMMAX);
    for (size_t i = 0; i < slen; i++) {
        unsigned char c = (unsigned char)fields[1][i];
        /* The symbol goes into JSON strings verbatim. */
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
            return fail(err, errlen, -EINVAL, "%s:%u: field 'symbol': byte 0x%02x not allowed",
                        path, lineno, c);
    }
    memset(q, 0, sizeof *q);
    memcpy(q->symbol, fields[1], slen + 1);

    for (int i = 2; i < nf; i++) {
        int rc = parse_dec(fields[i], dst[i - 2], &q->dec[i - 2]);
        if (rc < 0)
            return fail(err, errlen, rc, "%s:%u: field '%s': '%s' is not an exact decimal%s", path,
                        lineno, field_names[i], fields[i],
                        rc == -EDOM     ? " (more than 8 decimals)"
                        : rc == -ERANGE ? " (out of range)"
                                        : "");
        if (i != 6 && *dst[i - 2] < 0)
            return fail(err, errlen, -EINVAL, "%s:%u: field '%s': negative", path, lineno,
                        field_names[i]);
    }
    q->has_funding = nf == 8;

    sym = sym_intern(s, q->symbol, slen);
    if (sym < 0)
        return fail(err, errlen, -ENOSPC, "%s:%u: more than %d symbols", path, lineno,
                    ARB_SIM_SYMS);
    m->t_ns = *t_ms * NS_PER_MS;
    m->sym = (int16_t)sym;
    m->ordinal = s->sym_count[sym]++;
    m->quote = (uint32_t)s->n;
    m->frame_len = 0;
    m->frame_off = 0;
    return 0;
}

/* Session statistics that tickers print: open, low, high and traded volume per symbol. */
static void script_stats(struct arb_sim_source *s)
{
    for (uint32_t sym = 0; sym < s->nsyms; sym++) {
        int64_t open = 0, low = 0, high = 0, vol = 0;
        int seen = 0;
        for (size_t i = 0; i < s->n; i++) {
            struct arb_sim_quote *q = &s->quotes[i];
            if (s->msgs[i].sym != (int)sym)
                continue;
            if (!seen) {
                open = low = high = q->bid_e8;
                seen = 1;
            }
            if (q->bid_e8 < low)
                low = q->bid_e8;
            if (q->bid_e8 > high)
                high = q->bid_e8;
            vol += ARB_FIXED_ONE / 100; /* every update stands for a 0.01 print */
            q->open_e8 = open;
            q->low_e8 = low;
            q->high_e8 = high;
            q->volume_e8 = vol;
        }
    }
}

int arb_sim_source_load_script(struct arb_sim_source *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t linecap = 0, cap = 0;
    unsigned lineno = 0;
    uint64_t prev = 0;
    int rc = 0;

    memset(s, 0, sizeof *s);
    s->kind = ARB_SIM_SRC_SCRIPT;
    if (!f)
        return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
    while (getline(&line, &linecap, f) >= 0) {
        char *p = trim(line);
        uint64_t t = 0;
        lineno++;
        if (*p == '\0' || *p == '#')
            continue;
        if (s->n == 0 && strncmp(p, "t_ms", 4) == 0)
            continue;
        if (s->n == cap && (rc = grow(s, &cap)) < 0) {
            fail(err, errlen, rc, "%s: out of memory", path);
            break;
        }
        rc = script_row(s, p, path, lineno, prev, &t, err, errlen);
        if (rc < 0)
            break;
        prev = t;
        s->n++;
    }
    free(line);
    if (rc == 0 && ferror(f))
        rc = fail(err, errlen, -EIO, "%s: read error", path);
    fclose(f);
    if (rc == 0 && s->n == 0)
        rc = fail(err, errlen, -EINVAL, "%s: no rows", path);
    if (rc < 0) {
        arb_sim_source_free(s);
        return rc;
    }
    script_stats(s);
    set_period(s);
    return 0;
}

/* Finds `"key":"` in p[0..len) and returns the string value's span. */
static const char *find_str(const char *p, size_t len, const char *key, size_t *vlen)
{
    size_t klen = strlen(key);
    const char *k = memmem(p, len, key, klen), *v, *e;

    if (!k)
        return NULL;
    v = k + klen;
    e = memchr(v, '"', len - (size_t)(v - p));
    if (!e)
        return NULL;
    *vlen = (size_t)(e - v);
    return v;
}

/* The symbol a recorded message is about, by the venue's conventions; NULL if none. */
static const char *capture_symbol(enum arb_sim_venue venue, const char *p, size_t len, size_t *slen)
{
    const char *v;

    switch (venue) {
    case ARB_SIM_BINANCE:
    case ARB_SIM_BINANCE_FUTURES:
        v = find_str(p, len, "\"stream\":\"", slen);
        if (v) {
            const char *at = memchr(v, '@', *slen);
            if (at)
                *slen = (size_t)(at - v);
            return v;
        }
        return find_str(p, len, "\"s\":\"", slen);
    case ARB_SIM_COINBASE:
        return find_str(p, len, "\"product_id\":\"", slen);
    case ARB_SIM_KRAKEN:
        if (len > 2 && p[0] == '[' && p[len - 1] == ']' && p[len - 2] == '"') {
            /* v1 arrays end with the pair: [id, {...}, "ticker", "XBT/USD"] */
            const char *e = p + len - 2, *b = e;
            while (b > p && b[-1] != '"')
                b--;
            *slen = (size_t)(e - b);
            return b;
        }
        return find_str(p, len, "\"symbol\":\"", slen);
    default:
        return NULL;
    }
}

static int read_all(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    char *b;

    if (!f)
        return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
    b = malloc(cap);
    while (b) {
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(b, cap);
        if (!nb) {
            free(b);
            b = NULL;
        } else {
            b = nb;
        }
    }
    if (!b || ferror(f)) {
        fclose(f);
        free(b);
        return fail(err, errlen, -EIO, "%s: %s", path, b ? "read error" : "out of memory");
    }
    fclose(f);
    *buf = b;
    *len = n;
    return 0;
}

int arb_sim_source_load_capture(struct arb_sim_source *s, const char *path,
                                enum arb_sim_venue venue, uint64_t bare_gap_ns, char *err,
                                size_t errlen)
{
    char *text = NULL;
    size_t len = 0, cap = 0, fcap;
    uint64_t t0 = 0, prev = 0;
    int rc, have_t0 = 0;

    memset(s, 0, sizeof *s);
    s->kind = ARB_SIM_SRC_CAPTURE;
    rc = read_all(path, &text, &len, err, errlen);
    if (rc < 0)
        return rc;
    /* Frames are at most 10 bytes of header longer than their lines. */
    fcap = len + len / 8 + 64;
    s->frames = malloc(fcap);
    if (!s->frames) {
        free(text);
        return fail(err, errlen, -ENOMEM, "%s: out of memory", path);
    }
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *payload;
        size_t plen, slen;
        uint64_t ts;
        const char *sym;
        struct arb_sim_msg *m;

        if (ll && p[ll - 1] == '\r')
            ll--;
        if (arb_capture_line(p, ll, &ts, &payload, &plen) != ARB_CAPTURE_FRAME || plen == 0)
            goto next;
        if (s->n == cap && (rc = grow(s, &cap)) < 0)
            break;
        if (s->frames_len + plen + ARB_WS_HEADER_MAX > fcap) {
            size_t ncap = fcap * 2 + plen + ARB_WS_HEADER_MAX;
            uint8_t *nf = realloc(s->frames, ncap);
            if (!nf) {
                rc = -ENOMEM;
                break;
            }
            s->frames = nf;
            fcap = ncap;
        }
        m = &s->msgs[s->n];
        memset(m, 0, sizeof *m);
        if (ts == 0) {
            ts = s->n ? prev + bare_gap_ns : 0;
        } else if (!have_t0) {
            t0 = ts;
            have_t0 = 1;
        }
        /* Relative time, never going back even if the recorder's clock did. */
        ts = ts >= t0 ? ts - t0 : 0;
        if (s->n && ts < prev)
            ts = prev;
        m->t_ns = ts;
        prev = ts;
        sym = capture_symbol(venue, payload, plen, &slen);
        m->sym = (int16_t)(sym ? sym_intern(s, sym, slen) : -1);
        if (m->sym >= 0)
            m->ordinal = s->sym_count[m->sym]++;
        m->frame_off = s->frames_len;
        m->frame_len =
            (uint32_t)arb_ws_frame_encode(s->frames + s->frames_len, 1, ARB_WS_TEXT, plen, NULL);
        memcpy(s->frames + s->frames_len + m->frame_len, payload, plen);
        m->frame_len += (uint32_t)plen;
        s->frames_len += m->frame_len;
        s->n++;
    next:
        p += (nl ? (size_t)(nl - p) + 1 : ll);
        if (!nl)
            break;
    }
    free(text);
    if (rc < 0) {
        arb_sim_source_free(s);
        return fail(err, errlen, rc, "%s: out of memory", path);
    }
    if (s->n == 0) {
        arb_sim_source_free(s);
        return fail(err, errlen, -EINVAL, "%s: no frames (empty, or only META lines)", path);
    }
    set_period(s);
    return 0;
}

void arb_sim_source_free(struct arb_sim_source *s)
{
    free(s->msgs);
    free(s->quotes);
    free(s->frames);
    s->msgs = NULL;
    s->quotes = NULL;
    s->frames = NULL;
    s->n = 0;
}
