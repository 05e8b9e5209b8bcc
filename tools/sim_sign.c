/* SPDX-License-Identifier: MIT */
/* Request signature checks for the simulated exchange, over OpenSSL one-shots. */
#include "tools/sim_sign.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int set_field(struct arb_sim_keys *k, const char *name, const char *value)
{
    char *dst;

    if (strcmp(name, "api-key") == 0)
        dst = k->api_key;
    else if (strcmp(name, "api-secret") == 0)
        dst = k->secret_text;
    else
        return -ENOENT;
    if (strlen(value) >= ARB_SIM_KEY_MAX)
        return -E2BIG;
    strcpy(dst, value);
    return 0;
}

int arb_sim_keys_load_file(struct arb_sim_keys *k, const char *path, char *err, size_t errlen)
{
    struct stat st;
    char line[1024];
    int fd = open(path, O_RDONLY | O_CLOEXEC), lineno = 0;
    FILE *f;

    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    /* Checked on the open file, so a swap between check and read cannot slip past. */
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
        snprintf(err, errlen,
                 "%s: key file must be a regular file that only its owner can read "
                 "(chmod 600)",
                 path);
        close(fd);
        return -EPERM;
    }
    f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return -ENOMEM;
    }
    while (fgets(line, sizeof line, f)) {
        char *eq, *end = line + strlen(line), *name = line;
        int rc;
        lineno++;
        while (end > line && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
            *--end = '\0';
        while (*name == ' ' || *name == '\t')
            name++;
        if (*name == '\0' || *name == '#')
            continue;
        eq = strchr(name, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: want name=value", path, lineno);
            fclose(f);
            return -EINVAL;
        }
        *eq = '\0';
        rc = set_field(k, name, eq + 1);
        if (rc < 0) {
            snprintf(err, errlen, "%s:%d: field '%s': %s", path, lineno, name,
                     rc == -E2BIG ? "value too long" : "unknown (api-key, api-secret)");
            fclose(f);
            return -EINVAL;
        }
    }
    fclose(f);
    OPENSSL_cleanse(line, sizeof line);
    return 0;
}

int arb_sim_keys_load_pem(EVP_PKEY **out, const char *path, int want_type, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *pk;

    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    if (!pk) {
        /* A private key file holds the public half too. */
        rewind(f);
        ERR_clear_error();
        pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    }
    fclose(f);
    if (!pk || EVP_PKEY_get_base_id(pk) != want_type) {
        snprintf(err, errlen, "%s: not a PEM %s key", path,
                 want_type == EVP_PKEY_ED25519 ? "Ed25519" : "EC P-256");
        EVP_PKEY_free(pk);
        ERR_clear_error();
        return -EINVAL;
    }
    *out = pk;
    return 0;
}

int arb_sim_keys_finish(struct arb_sim_keys *k, bool base64_secret, char *err, size_t errlen)
{
    size_t n = strlen(k->secret_text);

    if (n == 0)
        return 0;
    if (base64_secret) {
        int d = arb_sim_b64_decode(k->secret_text, n, k->secret, sizeof k->secret);
        if (d <= 0) {
            snprintf(err, errlen, "--api-secret: Kraken secrets are base64");
            return -EINVAL;
        }
        k->secret_len = (size_t)d;
    } else {
        memcpy(k->secret, k->secret_text, n);
        k->secret_len = n;
    }
    OPENSSL_cleanse(k->secret_text, sizeof k->secret_text);
    return 0;
}

void arb_sim_keys_free(struct arb_sim_keys *k)
{
    EVP_PKEY_free(k->ec_pub);
    EVP_PKEY_free(k->ed_pub);
    OPENSSL_cleanse(k, sizeof *k);
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

int arb_sim_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;

    while (len > 0 && in[len - 1] == '=')
        len--;
    for (size_t i = 0; i < len; i++) {
        int v = b64_val(in[i]);
        if (v < 0)
            return -EINVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap)
                return -EINVAL;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return bits >= 6 ? -EINVAL : (int)n;
}

size_t arb_sim_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    int n = 0;

    if (cap < 4 * ((len + 2) / 3) + 1)
        return 0;
    n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return n < 0 ? 0 : (size_t)n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool arb_sim_sign_binance_ok(const struct arb_sim_keys *k, const char *payload, size_t len,
                             const char *sig, size_t sig_len)
{
    if (k->ed_pub) {
        uint8_t raw[128];
        int n = arb_sim_b64_decode(sig, sig_len, raw, sizeof raw);
        EVP_MD_CTX *ctx;
        bool ok;
        if (n != 64 || !(ctx = EVP_MD_CTX_new()))
            return false;
        ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->ed_pub) == 1 &&
             EVP_DigestVerify(ctx, raw, 64, (const unsigned char *)payload, len) == 1;
        EVP_MD_CTX_free(ctx);
        ERR_clear_error();
        return ok;
    }
    {
        unsigned char mac[EVP_MAX_MD_SIZE], want[32];
        unsigned int ml = 0;
        if (k->secret_len == 0 || sig_len != 64)
            return false;
        for (int i = 0; i < 32; i++) {
            int hi = hexval(sig[2 * i]), lo = hexval(sig[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return false;
            want[i] = (unsigned char)(hi << 4 | lo);
        }
        if (!HMAC(EVP_sha256(), k->secret, (int)k->secret_len, (const unsigned char *)payload, len,
                  mac, &ml) ||
            ml != 32)
            return false;
        return CRYPTO_memcmp(mac, want, 32) == 0;
    }
}

bool arb_sim_sign_kraken_ok(const struct arb_sim_keys *k, const char *path, const char *nonce,
                            const char *body, size_t body_len, const char *sig)
{
    unsigned char inner[SHA256_DIGEST_LENGTH], mac[EVP_MAX_MD_SIZE], want[96];
    unsigned int ml = 0;
    size_t pl = strlen(path), nl = strlen(nonce);
    unsigned char *msg;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int wl = arb_sim_b64_decode(sig, strlen(sig), want, sizeof want);
    bool ok = false;

    if (!ctx || k->secret_len == 0 || wl != 64)
        goto out;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, nonce, nl) != 1 ||
        EVP_DigestUpdate(ctx, body, body_len) != 1 || EVP_DigestFinal_ex(ctx, inner, NULL) != 1)
        goto out;
    msg = malloc(pl + sizeof inner);
    if (!msg)
        goto out;
    memcpy(msg, path, pl);
    memcpy(msg + pl, inner, sizeof inner);
    if (HMAC(EVP_sha512(), k->secret, (int)k->secret_len, msg, pl + sizeof inner, mac, &ml) &&
        ml == 64)
        ok = CRYPTO_memcmp(mac, want, 64) == 0;
    free(msg);
out:
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* Decodes one base64url JWT segment as a JSON object. NULL when it is not one. */
static cJSON *jwt_json(const char *p, size_t len)
{
    char buf[2048];
    int n;

    if (len > 2000)
        return NULL;
    n = arb_sim_b64_decode(p, len, (uint8_t *)buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return cJSON_ParseWithLength(buf, (size_t)n);
}

static bool ecdsa_ok(EVP_PKEY *pub, const uint8_t *rs, const char *msg, size_t len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, 32, NULL), *sv = BN_bin2bn(rs + 32, 32, NULL);
    unsigned char *der = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int dl;
    bool ok = false;

    if (!s || !r || !sv || !ctx || ECDSA_SIG_set0(s, r, sv) != 1) {
        BN_free(r);
        BN_free(sv);
        goto out;
    }
    /* JWS carries r||s (RFC 7518 3.4); OpenSSL verifies the DER form. */
    dl = i2d_ECDSA_SIG(s, &der);
    if (dl > 0 && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) == 1)
        ok = EVP_DigestVerify(ctx, der, (size_t)dl, (const unsigned char *)msg, len) == 1;
out:
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

static bool json_str_is(const cJSON *o, const char *key, const char *want)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) && strcmp(v->valuestring, want) == 0;
}

int arb_sim_sign_jwt_check(const struct arb_sim_keys *k, const char *jwt, size_t len,
                           const char *const *uris, int nuris, uint64_t now_s, char *why,
                           size_t whylen)
{
    const char *d1 = memchr(jwt, '.', len), *d2;
    cJSON *hdr = NULL, *pl = NULL;
    const cJSON *nbf, *exp, *uri;
    uint8_t rs[80];
    int rc = -EACCES, ok_uri = 0;

    d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt)) : NULL;
    if (!d1 || !d2) {
        snprintf(why, whylen, "bearer token is not a JWT");
        return rc;
    }
    hdr = jwt_json(jwt, (size_t)(d1 - jwt));
    pl = jwt_json(d1 + 1, (size_t)(d2 - d1 - 1));
    if (!hdr || !pl) {
        snprintf(why, whylen, "JWT header or payload is not base64url JSON");
        goto out;
    }
    if (!json_str_is(hdr, "alg", "ES256")) {
        snprintf(why, whylen, "JWT alg is not ES256");
        goto out;
    }
    if (!json_str_is(hdr, "kid", k->api_key) || !json_str_is(pl, "sub", k->api_key)) {
        snprintf(why, whylen, "JWT kid/sub is not the configured key name");
        goto out;
    }
    if (!json_str_is(pl, "iss", "cdp") && !json_str_is(pl, "iss", "coinbase-cloud")) {
        snprintf(why, whylen, "JWT iss is not cdp");
        goto out;
    }
    nbf = cJSON_GetObjectItemCaseSensitive(pl, "nbf");
    exp = cJSON_GetObjectItemCaseSensitive(pl, "exp");
    if (!cJSON_IsNumber(nbf) || !cJSON_IsNumber(exp) || nbf->valuedouble > (double)now_s + 1 ||
        exp->valuedouble <= (double)now_s) {
        snprintf(why, whylen, "JWT outside its nbf/exp window");
        goto out;
    }
    uri = cJSON_GetObjectItemCaseSensitive(pl, "uri");
    for (int i = 0; cJSON_IsString(uri) && i < nuris; i++)
        ok_uri |= strcmp(uri->valuestring, uris[i]) == 0;
    if (!ok_uri) {
        snprintf(why, whylen, "JWT uri claim does not name this request");
        goto out;
    }
    if (!k->ec_pub ||
        arb_sim_b64_decode(d2 + 1, len - (size_t)(d2 + 1 - jwt), rs, sizeof rs) != 64 ||
        !ecdsa_ok(k->ec_pub, rs, jwt, (size_t)(d2 - jwt))) {
        snprintf(why, whylen, "JWT signature does not verify");
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(hdr);
    cJSON_Delete(pl);
    return rc;
}
