/* SPDX-License-Identifier: MIT */
/* RFC 6455 section 4.2: the server's reading of the opening handshake. */
#include "tools/sim_handshake.h"

#include "feeds/wsframe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int arb_sim_handshake_head_len(const char *buf, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
            return i + 1 > ARB_SIM_REQ_MAX ? -EMSGSIZE : (int)(i + 1);
    return len >= ARB_SIM_REQ_MAX ? -EMSGSIZE : 0;
}

/* Whether the comma-separated header value v[0..n) holds `token`, without case. */
static int has_token(const char *v, size_t n, const char *token)
{
    size_t tl = strlen(token);
    const char *end = v + n;

    while (v < end) {
        const char *c = memchr(v, ',', (size_t)(end - v));
        const char *e = c ? c : end;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        const char *te = e;
        while (te > v && (te[-1] == ' ' || te[-1] == '\t'))
            te--;
        if ((size_t)(te - v) == tl && strncasecmp(v, token, tl) == 0)
            return 1;
        v = c ? c + 1 : end;
    }
    return 0;
}

/* A Sec-WebSocket-Key must be the base64 of 16 bytes: 22 symbols and "==". */
static int key_valid(const char *k, size_t n)
{
    if (n != 24 || k[22] != '=' || k[23] != '=')
        return 0;
    for (size_t i = 0; i < 22; i++) {
        char c = k[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return 0;
    }
    /* The last symbol carries 2 bits of data; the other 4 must be zero. */
    return strchr("AQgw", k[21]) != NULL;
}

static size_t reject(struct arb_sim_request *req, int status, const char *why, char *resp,
                     size_t cap)
{
    const char *text = status == 426   ? "Upgrade Required"
                       : status == 405 ? "Method Not Allowed"
                       : status == 505 ? "HTTP Version Not Supported"
                                       : "Bad Request";
    int n;

    req->status = status;
    snprintf(req->reason, sizeof req->reason, "%s", why);
    n = snprintf(resp, cap,
                 "HTTP/1.1 %d %s\r\n%s%sContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n%s\n",
                 status, text, status == 426 ? "Sec-WebSocket-Version: 13\r\n" : "",
                 status == 405 ? "Allow: GET\r\n" : "", strlen(why) + 1, why);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

size_t arb_sim_handshake_answer(const char *head, size_t len, struct arb_sim_request *req,
                                char *resp, size_t resp_cap)
{
    const char *p = head, *end = head + len, *eol, *sp1, *sp2;
    const char *key = NULL, *version = NULL;
    size_t key_len = 0, version_len = 0, tlen;
    int host = 0, upgrade = 0, connection = 0, nkeys = 0;
    char accept[29];
    int n;

    memset(req, 0, sizeof *req);
    eol = memchr(p, '\r', len);
    if (!eol || eol + 1 >= end || eol[1] != '\n')
        return reject(req, 400, "malformed request line", resp, resp_cap);
    sp1 = memchr(p, ' ', (size_t)(eol - p));
    sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2)
        return reject(req, 400, "malformed request line", resp, resp_cap);
    if (sp1 - p != 3 || memcmp(p, "GET", 3) != 0)
        return reject(req, 405, "the opening handshake must be a GET", resp, resp_cap);
    if (eol - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp2[8] < '1' || sp2[8] > '9')
        return reject(req, 505, "the opening handshake needs HTTP/1.1", resp, resp_cap);
    tlen = (size_t)(sp2 - sp1 - 1);
    if (tlen == 0 || tlen >= sizeof req->target || sp1[1] != '/')
        return reject(req, 400, "bad request-target", resp, resp_cap);
    memcpy(req->target, sp1 + 1, tlen);
    req->target[tlen] = '\0';

    for (p = eol + 2; p < end;) {
        const char *colon, *v, *ve;
        eol = memchr(p, '\r', (size_t)(end - p));
        if (!eol || eol + 1 >= end || eol[1] != '\n')
            return reject(req, 400, "malformed header line", resp, resp_cap);
        if (eol == p)
            break; /* the blank line */
        colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p || *p == ' ' || *p == '\t')
            return reject(req, 400, "malformed header line", resp, resp_cap);
        v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t'))
            v++;
        ve = eol;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
#define IS(name)                                                                                   \
    ((size_t)(colon - p) == sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0)
        if (IS("Host"))
            host = 1;
        else if (IS("Upgrade"))
            upgrade |= has_token(v, (size_t)(ve - v), "websocket");
        else if (IS("Connection"))
            connection |= has_token(v, (size_t)(ve - v), "upgrade");
        else if (IS("Sec-WebSocket-Version")) {
            version = v;
            version_len = (size_t)(ve - v);
        } else if (IS("Sec-WebSocket-Key")) {
            key = v;
            key_len = (size_t)(ve - v);
            nkeys++;
        }
#undef IS
        p = eol + 2;
    }
    if (!host)
        return reject(req, 400, "missing Host header", resp, resp_cap);
    if (!upgrade)
        return reject(req, 400, "missing Upgrade: websocket", resp, resp_cap);
    if (!connection)
        return reject(req, 400, "missing Connection: Upgrade", resp, resp_cap);
    if (!version || version_len != 2 || memcmp(version, "13", 2) != 0)
        return reject(req, 426, "Sec-WebSocket-Version must be 13", resp, resp_cap);
    if (nkeys != 1 || !key_valid(key, key_len))
        return reject(req, 400, "Sec-WebSocket-Key must be one base64 nonce of 16 bytes", resp,
                      resp_cap);
    arb_ws_accept(key, key_len, accept);
    req->status = 101;
    n = snprintf(resp, resp_cap,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %.28s\r\n\r\n",
                 accept);
    return n < 0 ? 0 : (size_t)n;
}
