/* SPDX-License-Identifier: MIT */
/* Credentials from the environment or a private key file. */
#include "creds.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_ctx {
    struct arb_creds *c;
    const char *venue;
    int too_long;
};

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct file_ctx *x = user;

    if (strcmp(section, x->venue) != 0)
        return 1;
    if (strcmp(name, "api_key") == 0) {
        if (strlen(value) >= sizeof(x->c->key))
            x->too_long = 1;
        else
            snprintf(x->c->key, sizeof(x->c->key), "%s", value);
    } else if (strcmp(name, "api_secret") == 0) {
        if (strlen(value) >= sizeof(x->c->secret))
            x->too_long = 1;
        else
            snprintf(x->c->secret, sizeof(x->c->secret), "%s", value);
    }
    return 1;
}

int arb_creds_load(struct arb_creds *c, const char *venue, const char *file, char *err,
                   size_t errlen)
{
    memset(c, 0, sizeof(*c));
    if (file) {
        struct stat st;
        FILE *f = fopen(file, "r");
        if (!f) {
            int e = errno;
            snprintf(err, errlen, "%s: %s", file, strerror(e));
            return -e;
        }
        /* Checked on the open descriptor, so the file cannot be swapped in between. */
        if (fstat(fileno(f), &st) != 0 || (st.st_mode & 077) != 0 || st.st_uid != geteuid()) {
            fclose(f);
            snprintf(err, errlen,
                     "%s: key file must be owned by you and not readable by others (chmod 600)",
                     file);
            return -EPERM;
        }
        struct file_ctx x = {.c = c, .venue = venue};
        int line = ini_parse_file(f, on_key, &x);
        fclose(f);
        if (line != 0 || x.too_long) {
            arb_creds_wipe(c);
            snprintf(err, errlen, "%s:%d: cannot read the key file", file, line > 0 ? line : 0);
            return -EINVAL;
        }
    } else {
        char name[96], *k, *s;
        size_t n = (size_t)snprintf(name, sizeof(name), "ARB_");
        for (const char *p = venue; *p && n < sizeof(name) - 16; p++)
            name[n++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        snprintf(name + n, sizeof(name) - n, "_API_KEY");
        k = getenv(name);
        snprintf(name + n, sizeof(name) - n, "_API_SECRET");
        s = getenv(name);
        if (k && s && strlen(k) < sizeof(c->key) && strlen(s) < sizeof(c->secret)) {
            snprintf(c->key, sizeof(c->key), "%s", k);
            snprintf(c->secret, sizeof(c->secret), "%s", s);
        }
    }
    if (!c->key[0] || !c->secret[0]) {
        arb_creds_wipe(c);
        snprintf(err, errlen, "no credentials for %s (%s)", venue,
                 file ? "not in the key file" : "environment variables not set");
        return -ENOENT;
    }
    c->have = 1;
    return 0;
}

void arb_creds_wipe(struct arb_creds *c)
{
    /* explicit_bzero: the compiler may not drop it as a dead store. */
    explicit_bzero(c, sizeof(*c));
}
