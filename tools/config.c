/* SPDX-License-Identifier: MIT */
/* Configuration files through inih, and --set arguments. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

struct load_ctx {
    arb_config_fn fn;
    void *ctx;
    int rc;
    char msg[256];
};

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct load_ctx *l = user;
    char key[160];

    if (section[0])
        snprintf(key, sizeof(key), "%s.%s", section, name);
    else
        snprintf(key, sizeof(key), "%s", name);
    int rc = l->fn(l->ctx, key, value, l->msg, sizeof(l->msg));
    if (rc < 0) {
        l->rc = rc;
        return 0; /* inih stops at this line and reports its number */
    }
    return 1;
}

int arb_config_load(const char *path, arb_config_fn fn, void *ctx, char *err, size_t errlen)
{
    struct load_ctx l = {.fn = fn, .ctx = ctx, .rc = 0};
    FILE *f = fopen(path, "r");

    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    int line = ini_parse_file(f, on_key, &l);
    fclose(f);
    if (line == 0)
        return 0;
    if (line < 0) {
        snprintf(err, errlen, "%s: cannot read", path);
        return -EIO;
    }
    if (l.rc < 0)
        snprintf(err, errlen, "%s:%d: %s", path, line, l.msg);
    else
        snprintf(err, errlen, "%s:%d: syntax error (expected `key = value` or `[section]`)", path,
                 line);
    return l.rc < 0 ? l.rc : -EINVAL;
}

struct params_ctx {
    struct arb_params *p;
    const struct arb_registry *reg;
    arb_config_fn other;
    void *other_ctx;
};

static int on_param(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
    struct params_ctx *c = ctx;

    if (strncmp(key, "venue.", 6) == 0 || strncmp(key, "symbol.", 7) == 0 ||
        strncmp(key, "engine.", 7) == 0) {
        /* venue.<name>.halt is a parameter; the rest of venue.* configures feeds. */
        size_t n = strlen(key);
        if (!(n > 5 && strcmp(key + n - 5, ".halt") == 0)) {
            if (c->other)
                return c->other(c->other_ctx, key, value, err, errlen);
            snprintf(err, errlen, "%s: not used by this command", key);
            return -ENOENT;
        }
    }
    return arb_params_set(c->p, c->reg, key, value, err, errlen);
}

int arb_config_load_params(const char *path, struct arb_params *p, const struct arb_registry *reg,
                           arb_config_fn other, void *other_ctx, char *err, size_t errlen)
{
    struct params_ctx c = {.p = p, .reg = reg, .other = other, .other_ctx = other_ctx};

    return arb_config_load(path, on_param, &c, err, errlen);
}

int arb_config_set_arg(struct arb_params *p, const struct arb_registry *reg, const char *arg,
                       char *err, size_t errlen)
{
    char key[160];
    const char *eq = strchr(arg, '=');

    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(key)) {
        snprintf(err, errlen, "--set %s: expected KEY=VALUE", arg);
        return -EINVAL;
    }
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    return arb_params_set(p, reg, key, eq + 1, err, errlen);
}
