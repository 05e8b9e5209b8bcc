/* SPDX-License-Identifier: MIT */
/*
 * `arbiter demo`: the whole engine against simulated venues on loopback,
 * replaying the March 2023 USDC depeg from real Kraken and Coinbase minute
 * bars (data/depeg-2023-03, credited in data/SOURCES.md). Feeds, detector,
 * risk gate and gateway are the production ones; the venues are arbsim
 * processes speaking the real market-data and order protocols. Paper
 * trading: nothing leaves the machine.
 */
#include "tools/cmd.h"

#include "core/clock.h"
#include "core/log.h"
#include "tools/engine.h"
#include "tools/run.h"
#include "tools/simproc.h"
#include "tools/status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

extern char **environ;

#ifndef ARB_DATA_DIR
#define ARB_DATA_DIR "data"
#endif

#define DEMO_MAX_SIMS    4
#define DEMO_SIM_STOP_MS 5000 /* SIGTERM to SIGKILL */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The directory of this executable: arbsim and bars2quotes are built beside it. */
static int self_dir(char *out, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    if (n <= 0)
        return -errno;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (slash)
        *slash = '\0';
    return 0;
}

/* Runs argv with stdout to `out_path`; waits. Returns the exit status or -errno. */
static int run_to_file(char *const argv[], const char *out_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        return -rc;
    if (waitpid(pid, &st, 0) < 0)
        return -errno;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -EINTR;
}

/* Stops the simulators that were started: SIGTERM, then SIGKILL after a grace period. */
static void demo_sims_stop(struct arb_simproc *sims)
{
    for (int i = 0; i < DEMO_MAX_SIMS; i++)
        arb_simproc_stop(&sims[i], DEMO_SIM_STOP_MS);
}

/*
 * A fresh EC P-256 key for the simulated Coinbase: the private key, PEM, into
 * `path` (created 0600, never overwritten) and into pem (cap bytes); arbsim
 * verifies the engine's ES256 JWTs with its public half. Returns 0 or -1.
 */
static int demo_coinbase_key(const char *path, char *pem, size_t cap)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long n = 0;
    int rc = -1;

    if (k && bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1)
        n = BIO_get_mem_data(bio, &data);
    if (n > 0 && (size_t)n < cap) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0 && write(fd, data, (size_t)n) == n) {
            memcpy(pem, data, (size_t)n);
            pem[n] = '\0';
            rc = 0;
        }
        if (fd >= 0)
            close(fd);
    }
    BIO_free(bio);
    EVP_PKEY_free(k);
    return rc;
}

static void demo_usage(FILE *out)
{
    fprintf(out,
            "usage: arbiter demo [--duration S] [--speed X] [--from ISO] [--to ISO]\n"
            "                    [--journal FILE] [--data DIR] [--quiet] [--control PATH]\n"
            "  Replays the March 2023 USDC depeg (Kraken USDC/USD and USDT/USD, Coinbase\n"
            "  USDT-USD minute bars) through simulated venues on loopback and runs the whole\n"
            "  engine against them: feeds, detector, risk gate, order gateway, fills.\n"
            "  --duration defaults to 40 s; --speed defaults to what fits the window in it.\n");
}

int arb_cmd_demo(int argc, char **argv)
{
    const char *data = getenv("ARB_DATA_DIR") ? getenv("ARB_DATA_DIR") : ARB_DATA_DIR;
    arb_clock_init(0); /* the hot path reads the TSC; calibrate it before any thread starts */
    const char *from = "2023-03-10T12:00:00Z", *to = "2023-03-13T12:00:00Z";
    const char *journal = NULL;
    double duration = 40, speed = 0;
    bool quiet = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
            duration = atof(argv[++i]);
        else if (strcmp(argv[i], "--speed") == 0 && i + 1 < argc)
            speed = atof(argv[++i]);
        else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
            from = argv[++i];
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
            to = argv[++i];
        else if (strcmp(argv[i], "--journal") == 0 && i + 1 < argc)
            journal = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
            fprintf(stderr,
                    "arbiter demo: --control: the control socket is not built yet; "
                    "ignoring %s\n",
                    argv[++i]);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            demo_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "arbiter demo: unknown argument '%s'\n", argv[i]);
            demo_usage(stderr);
            return 2;
        }
    }
    if (duration <= 0 || duration > 86400) {
        fprintf(stderr, "arbiter demo: --duration must be in (0, 86400] seconds\n");
        return 2;
    }
    char bin[PATH_MAX], tmp[] = "/tmp/arbiter-demo-XXXXXX";
    if (self_dir(bin, sizeof(bin)) < 0 || !mkdtemp(tmp)) {
        fprintf(stderr, "arbiter demo: cannot set up: %s\n", strerror(errno));
        return 1;
    }

    /* Scripts for the simulated venues, from the real minute bars. */
    char b2q[PATH_MAX + 16], sim_bin[PATH_MAX + 16];
    char kin1[PATH_MAX + 64], kin2[PATH_MAX + 64], cin[PATH_MAX + 64];
    char kscript[64], cscript[64];
    snprintf(b2q, sizeof(b2q), "%s/bars2quotes", bin);
    snprintf(sim_bin, sizeof(sim_bin), "%s/arbsim", bin);
    snprintf(kin1, sizeof(kin1),
             "%s/depeg-2023-03/kraken_usdcusd_1m_20230308-20230316.csv:USDC/USD", data);
    snprintf(kin2, sizeof(kin2),
             "%s/depeg-2023-03/kraken_usdtusd_1m_20230308-20230316.csv:USDT/USD", data);
    snprintf(cin, sizeof(cin),
             "%s/depeg-2023-03/coinbase_usdtusd_1m_20230308-20230316.csv:USDT-USD", data);
    snprintf(kscript, sizeof(kscript), "%s/kraken.csv", tmp);
    snprintf(cscript, sizeof(cscript), "%s/coinbase.csv", tmp);
    char *k_argv[] = {b2q,          "--exchange", "kraken",   "--format", "arbsim", "--from",
                      (char *)from, "--to",       (char *)to, kin1,       kin2,     NULL};
    char *c_argv[] = {b2q,          "--exchange", "coinbase", "--format", "arbsim", "--from",
                      (char *)from, "--to",       (char *)to, cin,        NULL};
    if (run_to_file(k_argv, kscript) != 0 || run_to_file(c_argv, cscript) != 0) {
        fprintf(stderr,
                "arbiter demo: could not turn %s/depeg-2023-03 into scripts (is the "
                "data there? --data DIR)\n",
                data);
        return 1;
    }
    struct tm tf = {0}, tt = {0};
    strptime(from, "%Y-%m-%dT%H:%M:%SZ", &tf);
    strptime(to, "%Y-%m-%dT%H:%M:%SZ", &tt);
    double window = difftime(timegm(&tt), timegm(&tf));
    if (speed <= 0)
        speed = window > 0 ? window / (duration * 0.95) : 1;
    char speed_s[32];
    snprintf(speed_s, sizeof(speed_s), "%.3f", speed);

    /* Test keys for the simulated exchange, made now, kept in a 0600 file in the temp dir. */
    unsigned char raw[32];
    char secret[96], key[40], keyfile[80];
    if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
        fprintf(stderr, "arbiter demo: getrandom failed\n");
        return 1;
    }
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < 30; i += 3) {
        uint32_t w = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        for (int k = 3; k >= 0; k--)
            secret[o++] = b64[(w >> (6 * k)) & 63];
    }
    secret[o] = '\0';
    snprintf(key, sizeof(key), "demo-%02x%02x%02x%02x", raw[30], raw[31], raw[0], raw[1]);
    snprintf(keyfile, sizeof(keyfile), "%s/keys", tmp);
    int kf = open(keyfile, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (kf < 0 || dprintf(kf, "api-key=%s\napi-secret=%s\n", key, secret) < 0) {
        fprintf(stderr, "arbiter demo: cannot write the test key file\n");
        return 1;
    }
    close(kf);
    /* Coinbase signs with a CDP key: a key name, and an EC private key that stays in memory. */
    static char cb_pem[1024];
    char cb_keyfile[80], cb_key[64];
    snprintf(cb_keyfile, sizeof(cb_keyfile), "%s/coinbase.pem", tmp);
    snprintf(cb_key, sizeof(cb_key), "organizations/demo/apiKeys/%s", key + 5);
    if (demo_coinbase_key(cb_keyfile, cb_pem, sizeof(cb_pem)) < 0) {
        fprintf(stderr, "arbiter demo: cannot make the Coinbase test key\n");
        return 1;
    }

    struct arb_simproc sims[DEMO_MAX_SIMS] = {0};
    char *ks_argv[] = {sim_bin, "--venue",    "kraken", "--script",   kscript, "--speed",
                       speed_s, "--key-file", keyfile,  "--no-stdin", NULL};
    char *cs_argv[] = {sim_bin,    "--venue",    "coinbase",  "--script", cscript,
                       "--speed",  speed_s,      "--api-key", cb_key,     "--coinbase-pubkey",
                       cb_keyfile, "--no-stdin", NULL};
    if (arb_simproc_start(&sims[0], ks_argv, ARB_SIMPROC_NO_STDIN) < 0 ||
        arb_simproc_start(&sims[1], cs_argv, ARB_SIMPROC_NO_STDIN) < 0) {
        fprintf(stderr, "arbiter demo: the venue simulators did not start (%s: %s)\n", sim_bin,
                sims[0].pid ? sims[1].errmsg : sims[0].errmsg);
        demo_sims_stop(sims);
        return 1;
    }

    static struct arb_run_setup r;
    arb_run_setup_init(&r);
    struct arb_run_venue *kv = arb_run_venue(&r, "kraken"), *cv = arb_run_venue(&r, "coinbase");
    snprintf(kv->url, sizeof(kv->url), "ws://127.0.0.1:%d/v2", sims[0].port);
    snprintf(kv->order_url, sizeof(kv->order_url), "ws://127.0.0.1:%d/v2", sims[0].port);
    snprintf(kv->symbuf, sizeof(kv->symbuf), "USDC/USD");
    kv->symbols[0] = "USDC/USD";
    kv->symbols[1] = "USDT/USD";
    kv->nsymbols = 2;
    kv->cpu = 0;
    snprintf(kv->creds.key, sizeof(kv->creds.key), "%s", key);
    snprintf(kv->creds.secret, sizeof(kv->creds.secret), "%s", secret);
    kv->creds.have = 1;
    snprintf(cv->url, sizeof(cv->url), "ws://127.0.0.1:%d/", sims[1].port);
    cv->symbols[0] = "USDT-USD";
    cv->nsymbols = 1;
    cv->cpu = 1;
    /* Coinbase orders are REST: HTTP/1.1 keep-alive to the simulator's port. */
    snprintf(cv->order_url, sizeof(cv->order_url), "http://127.0.0.1:%d", sims[1].port);
    snprintf(cv->creds.key, sizeof(cv->creds.key), "%s", cb_key);
    snprintf(cv->creds.secret, sizeof(cv->creds.secret), "%s", cb_pem);
    cv->creds.have = 1;
    r.cfg.journal = journal;

    static struct arb_engine e;
    int rc = arb_run_build(&r, &e);
    if (rc == 0) {
        /* Bars arrive every 15 s of market time; at demo speed that is milliseconds, so the
         * production staleness limits apply unchanged. */
        rc = arb_engine_init(&e);
    }
    if (rc == 0)
        rc = arb_engine_start(&e);
    if (rc < 0) {
        fprintf(stderr, "arbiter demo: the engine did not start (see above)\n");
        demo_sims_stop(sims);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    char title[160];
    snprintf(title, sizeof(title),
             "arbiter demo: USDC depeg %s .. %s at %.0fx (kraken, coinbase on loopback)", from, to,
             speed);
    bool tty = isatty(STDOUT_FILENO) && !quiet;
    uint64_t t0 = arb_clock_mono_ns(), last = 0;
    while (!interrupted) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        arb_engine_poll(&e);
        uint64_t now = arb_clock_mono_ns();
        double el = (double)(now - t0) / 1e9;
        if (el >= duration)
            break;
        if (!quiet && now - last >= (tty ? 250 : 5000) * 1000000ULL) {
            last = now;
            arb_status_draw(&e, stdout, title, el, tty);
        }
    }
    arb_engine_stop(&e);
    demo_sims_stop(sims);
    double el = (double)(arb_clock_mono_ns() - t0) / 1e9;
    arb_status_summary(&e, stdout, el);
    arb_status_json(&e, stdout, el);
    arb_engine_destroy(&e);
    unlink(kscript);
    unlink(cscript);
    unlink(keyfile);
    unlink(cb_keyfile);
    rmdir(tmp);
    OPENSSL_cleanse(cb_pem, sizeof(cb_pem)); /* test material, but no key outlives its run */
    arb_creds_wipe(&cv->creds);
    return 0;
}
