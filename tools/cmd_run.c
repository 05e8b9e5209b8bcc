/* SPDX-License-Identifier: MIT */
/*
 * `arbiter run --config FILE [--live] [--keys FILE]`: the production engine.
 * Paper trading is the default: without --live every order endpoint must be
 * on loopback (a simulated exchange); with it, credentials come from the
 * environment or a 0600 key file and are never logged or written anywhere.
 */
#include "tools/cmd.h"

#include "core/clock.h"
#include "core/log.h"
#include "tools/config.h"
#include "tools/creds.h"
#include "tools/engine.h"
#include "tools/run.h"
#include "tools/status.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Splits "a,b,c" in place into at most max items. */
static size_t split_list(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(s, ", "); tok && n < max; tok = strtok(NULL, ", "))
        out[n++] = tok;
    return n;
}

static int parse_int(const char *key, const char *v, long lo, long hi, long *out, char *err,
                     size_t errlen)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi) {
        snprintf(err, errlen, "%s: '%s' is not an integer in [%ld, %ld]", key, v, lo, hi);
        return -EINVAL;
    }
    *out = x;
    return 0;
}

/* venue.<name>.<field> and engine.<field> keys of the config file. */
static int on_other(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
    struct arb_run_setup *r = ctx;
    long x;

    if (strncmp(key, "engine.", 7) == 0) {
        const char *f = key + 7;
        if (strcmp(f, "detector_cpu") == 0) {
            if (parse_int(key, value, -1, 1023, &x, err, errlen) < 0)
                return -EINVAL;
            r->cfg.detector_cpu = (int)x;
        } else if (strcmp(f, "fuse_gateway") == 0) {
            r->cfg.fuse_gateway = strcmp(value, "auto") == 0  ? -1
                                  : strcmp(value, "yes") == 0 ? 1
                                                              : 0;
        } else if (strcmp(f, "gateway_cpu") == 0) {
            if (parse_int(key, value, -1, 1023, &x, err, errlen) < 0)
                return -EINVAL;
            r->cfg.gateway.cpu = (int)x;
        } else if (strcmp(f, "journal") == 0) {
            snprintf(r->journal, sizeof(r->journal), "%s", value);
            r->cfg.journal = r->journal;
        } else if (strcmp(f, "hedge") == 0) {
            if (strcmp(value, "unwind") && strcmp(value, "chase")) {
                snprintf(err, errlen, "%s: 'unwind' or 'chase', not '%s'", key, value);
                return -EINVAL;
            }
            r->cfg.gateway.hedge_mode = value[0] == 'u' ? ARB_HEDGE_UNWIND : ARB_HEDGE_CHASE;
        } else if (strcmp(f, "leg_timeout_ms") == 0) {
            if (parse_int(key, value, 1, 600000, &x, err, errlen) < 0)
                return -EINVAL;
            r->cfg.gateway.leg_timeout_ms = (uint32_t)x;
        } else if (strcmp(f, "live") == 0) {
            snprintf(err, errlen, "%s: live trading is enabled only by the --live flag", key);
            return -EPERM;
        } else {
            snprintf(err, errlen, "%s: unknown engine setting", key);
            return -ENOENT;
        }
        return 0;
    }
    /* venue.<name>.<field> */
    const char *name = key + 6, *dot = strrchr(key, '.');
    if (strncmp(key, "venue.", 6) != 0 || dot <= name) {
        snprintf(err, errlen, "%s: unknown setting", key);
        return -ENOENT;
    }
    char venue[ARB_NAME_MAX];
    snprintf(venue, sizeof(venue), "%.*s", (int)(dot - name), name);
    struct arb_run_venue *v = arb_run_venue(r, venue);
    if (!v) {
        snprintf(err, errlen, "%s: too many venues", key);
        return -ENOSPC;
    }
    const char *f = dot + 1;
    if (strcmp(f, "url") == 0)
        snprintf(v->url, sizeof(v->url), "%s", value);
    else if (strcmp(f, "order_url") == 0)
        snprintf(v->order_url, sizeof(v->order_url), "%s", value);
    else if (strcmp(f, "ca_file") == 0)
        snprintf(v->ca_file, sizeof(v->ca_file), "%s", value);
    else if (strcmp(f, "capture") == 0)
        snprintf(v->capture, sizeof(v->capture), "%s", value);
    else if (strcmp(f, "symbols") == 0) {
        snprintf(v->symbuf, sizeof(v->symbuf), "%s", value);
        v->nsymbols = split_list(v->symbuf, v->symbols, ARB_FEED_MAX_SYMBOLS);
    } else if (strcmp(f, "cpu") == 0) {
        if (parse_int(key, value, -1, 1023, &x, err, errlen) < 0)
            return -EINVAL;
        v->cpu = (int)x;
    } else if (strcmp(f, "trade") == 0) {
        v->trade = strcmp(value, "no") != 0 && strcmp(value, "false") != 0 && strcmp(value, "0");
    } else {
        snprintf(err, errlen,
                 "%s: unknown venue setting (url, order_url, ca_file, capture, "
                 "symbols, cpu, trade)",
                 key);
        return -ENOENT;
    }
    return 0;
}

/* Pass one reads only the venue and engine sections. */
static int on_setup(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
    size_t n = strlen(key);

    if ((strncmp(key, "venue.", 6) == 0 && !(n > 5 && strcmp(key + n - 5, ".halt") == 0)) ||
        strncmp(key, "engine.", 7) == 0)
        return on_other(ctx, key, value, err, errlen);
    return 0;
}

/* Pass two has them already. */
static int ignore_setup(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
    (void)ctx;
    (void)key;
    (void)value;
    (void)err;
    (void)errlen;
    return 0;
}

static void run_usage(FILE *out)
{
    fprintf(out, "usage: arbiter run --config FILE [--set KEY=VALUE]... [--live] [--keys FILE]\n"
                 "                   [--duration S] [--status-ms MS]\n"
                 "  Runs the engine on the venues of the config file. Paper trading by default:\n"
                 "  order endpoints must be loopback unless --live. With --live, credentials come\n"
                 "  from ARB_<VENUE>_API_KEY/_API_SECRET or a key file of mode 0600.\n");
}

int arb_cmd_run(int argc, char **argv)
{
    static struct arb_run_setup r;
    const char *config = NULL, *keys = NULL, *sets[64];
    int nsets = 0;
    double duration = 0;
    long status_ms = 1000;
    char err[512];

    arb_run_setup_init(&r);
    arb_clock_init(0); /* the hot path reads the TSC; calibrate it before any thread starts */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc && nsets < 64)
            sets[nsets++] = argv[++i];
        else if (strcmp(argv[i], "--live") == 0)
            r.cfg.gateway.live = true;
        else if (strcmp(argv[i], "--keys") == 0 && i + 1 < argc)
            keys = argv[++i];
        else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
            duration = atof(argv[++i]);
        else if (strcmp(argv[i], "--status-ms") == 0 && i + 1 < argc)
            status_ms = atol(argv[++i]);
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            run_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "arbiter run: unknown argument '%s'\n", argv[i]);
            run_usage(stderr);
            return 2;
        }
    }
    if (!config) {
        fprintf(stderr, "arbiter run: --config FILE is required\n");
        return 2;
    }
    /* First pass: venues and engine settings, so per-venue parameters resolve in the second. */
    if (arb_config_load(config, on_setup, &r, err, sizeof(err)) < 0) {
        fprintf(stderr, "arbiter run: %s\n", err);
        return 1;
    }
    if (r.cfg.gateway.live) {
        for (size_t i = 0; i < r.nvenues; i++) {
            struct arb_run_venue *v = &r.venues[i];
            if (!v->trade)
                continue;
            if (arb_creds_load(&v->creds, v->name, keys, err, sizeof(err)) < 0) {
                fprintf(stderr, "arbiter run: --live: %s\n", err);
                return 1;
            }
        }
    }
    static struct arb_engine e;
    if (arb_run_build(&r, &e) < 0)
        return 1;
    if (arb_config_load_params(config, &e.params, &e.reg, ignore_setup, NULL, err, sizeof(err)) <
        0) {
        fprintf(stderr, "arbiter run: %s\n", err);
        return 1;
    }
    for (int i = 0; i < nsets; i++)
        if (arb_config_set_arg(&e.params, &e.reg, sets[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "arbiter run: %s\n", err);
            return 1;
        }
    if (arb_engine_init(&e) < 0 || arb_engine_start(&e) < 0) {
        fprintf(stderr, "arbiter run: the engine did not start (see above)\n");
        return 1;
    }
    /* Credentials live in the gateway's sessions now; drop our copies. */
    for (size_t i = 0; i < r.nvenues; i++)
        arb_creds_wipe(&r.venues[i].creds);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    uint64_t t0 = arb_clock_mono_ns(), last = 0;
    bool tty = isatty(STDOUT_FILENO);
    while (!interrupted) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        arb_engine_poll(&e);
        double el = (double)(arb_clock_mono_ns() - t0) / 1e9;
        if (duration > 0 && el >= duration)
            break;
        if (status_ms > 0 && (arb_clock_mono_ns() - last) / 1000000 >= (uint64_t)status_ms) {
            last = arb_clock_mono_ns();
            arb_status_draw(&e, stdout,
                            r.cfg.gateway.live ? "arbiter run (LIVE)" : "arbiter run (paper)", el,
                            tty);
        }
    }
    arb_engine_stop(&e);
    double el = (double)(arb_clock_mono_ns() - t0) / 1e9;
    arb_status_summary(&e, stdout, el);
    arb_status_json(&e, stdout, el);
    arb_engine_destroy(&e);
    return 0;
}
