/* SPDX-License-Identifier: MIT */
/* A small, bounded JSON scanner for the simulators' client-message handling. */
#include "tools/sim_json.h"

#include <errno.h>
#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int scan_string(const char **pp, const char *end)
{
    const char *p = *pp + 1; /* past the opening quote */

    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') {
            *pp = p + 1;
            return 0;
        }
        if (c < 0x20)
            return -EINVAL;
        if (c == '\\') {
            if (p + 1 >= end)
                return -EINVAL;
            if (p[1] == 'u') {
                if (end - p < 6)
                    return -EINVAL;
                for (int i = 2; i < 6; i++) {
                    char h = p[i];
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        return -EINVAL;
                }
                p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", p[1]) || p[1] == '\0')
                return -EINVAL;
            p += 2;
            continue;
        }
        p++;
    }
    return -EINVAL;
}

static int scan_number(const char **pp, const char *end)
{
    const char *p = *pp;
    int digits = 0;

    if (p < end && *p == '-')
        p++;
    while (p < end && *p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (digits == 0)
        return -EINVAL;
    if (p < end && *p == '.') {
        p++;
        digits = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
        if (digits == 0)
            return -EINVAL;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        digits = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
        if (digits == 0)
            return -EINVAL;
    }
    *pp = p;
    return 0;
}

static int scan_value(const char **pp, const char *end, int depth, struct arb_sim_json_tok *tok);

static int scan_container(const char **pp, const char *end, int depth, char close)
{
    const char *p = skip_ws(*pp + 1, end);
    struct arb_sim_json_tok t;

    if (p < end && *p == close) {
        *pp = p + 1;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            if (p >= end || *p != '"' || scan_string(&p, end) < 0)
                return -EINVAL;
            p = skip_ws(p, end);
            if (p >= end || *p != ':')
                return -EINVAL;
            p++;
        }
        if (scan_value(&p, end, depth + 1, &t) < 0)
            return -EINVAL;
        p = skip_ws(p, end);
        if (p >= end)
            return -EINVAL;
        if (*p == close) {
            *pp = p + 1;
            return 0;
        }
        if (*p != ',')
            return -EINVAL;
        p = skip_ws(p + 1, end);
    }
}

static int scan_literal(const char **pp, const char *end, const char *lit)
{
    size_t n = strlen(lit);

    if ((size_t)(end - *pp) < n || memcmp(*pp, lit, n) != 0)
        return -EINVAL;
    *pp += n;
    return 0;
}

static int scan_value(const char **pp, const char *end, int depth, struct arb_sim_json_tok *tok)
{
    const char *p = skip_ws(*pp, end);
    const char *start = p;
    int rc;

    if (p >= end || depth > ARB_SIM_JSON_DEPTH)
        return -EINVAL;
    switch (*p) {
    case '"':
        rc = scan_string(&p, end);
        tok->type = ARB_SIM_JSON_STRING;
        if (rc == 0) {
            tok->p = start + 1;
            tok->len = (size_t)(p - start - 2);
            *pp = p;
        }
        return rc;
    case '{':
        rc = scan_container(&p, end, depth, '}');
        tok->type = ARB_SIM_JSON_OBJECT;
        break;
    case '[':
        rc = scan_container(&p, end, depth, ']');
        tok->type = ARB_SIM_JSON_ARRAY;
        break;
    case 't':
        rc = scan_literal(&p, end, "true");
        tok->type = ARB_SIM_JSON_TRUE;
        break;
    case 'f':
        rc = scan_literal(&p, end, "false");
        tok->type = ARB_SIM_JSON_FALSE;
        break;
    case 'n':
        rc = scan_literal(&p, end, "null");
        tok->type = ARB_SIM_JSON_NULL;
        break;
    default:
        rc = scan_number(&p, end);
        tok->type = ARB_SIM_JSON_NUMBER;
        break;
    }
    if (rc < 0)
        return rc;
    tok->p = start;
    tok->len = (size_t)(p - start);
    *pp = p;
    return 0;
}

int arb_sim_json_value(const char **pp, const char *end, struct arb_sim_json_tok *tok)
{
    return scan_value(pp, end, 0, tok);
}

int arb_sim_json_check(const char *msg, size_t len, struct arb_sim_json_tok *tok)
{
    const char *p = msg, *end = msg + len;

    if (scan_value(&p, end, 0, tok) < 0)
        return -EINVAL;
    return skip_ws(p, end) == end ? 0 : -EINVAL;
}

int arb_sim_json_get(const struct arb_sim_json_tok *obj, const char *key,
                     struct arb_sim_json_tok *val)
{
    const char *end, *p;
    size_t klen = strlen(key);

    if (obj->type != ARB_SIM_JSON_OBJECT)
        return -EINVAL;
    end = obj->p + obj->len - 1; /* the closing brace */
    p = skip_ws(obj->p + 1, end);
    while (p < end) {
        struct arb_sim_json_tok k;
        if (scan_value(&p, end, 1, &k) < 0 || k.type != ARB_SIM_JSON_STRING)
            return -EINVAL;
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return -EINVAL;
        p++;
        if (scan_value(&p, end, 1, val) < 0)
            return -EINVAL;
        if (k.len == klen && memcmp(k.p, key, klen) == 0)
            return 0;
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p = skip_ws(p + 1, end);
    }
    return -ENOENT;
}

int arb_sim_json_next(const struct arb_sim_json_tok *arr, const char **pos,
                      struct arb_sim_json_tok *el)
{
    const char *end = arr->p + arr->len - 1; /* the closing bracket */
    const char *p;

    if (arr->type != ARB_SIM_JSON_ARRAY)
        return -EINVAL;
    p = skip_ws(*pos ? *pos : arr->p + 1, end);
    if (p < end && *p == ',' && *pos)
        p = skip_ws(p + 1, end);
    if (p >= end)
        return 0;
    if (scan_value(&p, end, 1, el) < 0)
        return -EINVAL;
    *pos = p;
    return 1;
}

bool arb_sim_json_eq(const struct arb_sim_json_tok *tok, const char *s)
{
    size_t n = strlen(s);

    return tok->type == ARB_SIM_JSON_STRING && tok->len == n && memcmp(tok->p, s, n) == 0;
}

int arb_sim_json_u64(const struct arb_sim_json_tok *tok, uint64_t *out)
{
    uint64_t v = 0;

    if (tok->type != ARB_SIM_JSON_NUMBER || tok->len == 0 || tok->len > 19)
        return -EINVAL;
    for (size_t i = 0; i < tok->len; i++) {
        unsigned d = (unsigned)(tok->p[i] - '0');
        if (d > 9)
            return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
