/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the order plug-in tests: keys generated at test time (nothing
 * committed), base64 decoding through OpenSSL (independent of venues/codec.c),
 * malformed-input sweeps and allocation counting.
 */
#ifndef ARB_TESTS_VENUES_VENUE_TEST_H
#define ARB_TESTS_VENUES_VENUE_TEST_H

#include "bench/alloc.h"
#include "test.h"
#include "venues/venue.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

/* A fresh private key ("EC" on P-256 or "ED25519") as PEM in a malloc'd string. */
static inline char *vt_gen_pem(const char *type, EVP_PKEY **pkey_out)
{
    EVP_PKEY *pkey = strcmp(type, "EC") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                                             : EVP_PKEY_Q_keygen(NULL, NULL, type);
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *pem;
    long n;

    REQUIRE(pkey && bio);
    REQUIRE(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1);
    n = BIO_get_mem_data(bio, &data);
    pem = malloc((size_t)n + 1);
    REQUIRE(pem);
    memcpy(pem, data, (size_t)n);
    pem[n] = '\0';
    BIO_free(bio);
    *pkey_out = pkey;
    return pem;
}

/* Decodes base64 or base64url (padding optional) with OpenSSL. Returns the length or -1. */
static inline int vt_b64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    char tmp[1024];
    size_t m = 0, pad;
    int len;

    if (n + 4 > sizeof(tmp))
        return -1;
    for (size_t i = 0; i < n; i++)
        tmp[m++] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    while (m % 4)
        tmp[m++] = '=';
    pad = (m >= 1 && tmp[m - 1] == '=') + (m >= 2 && tmp[m - 2] == '=');
    if ((size_t)(m / 4 * 3) > cap + 2)
        return -1;
    {
        unsigned char big[1024];
        len = EVP_DecodeBlock(big, (const unsigned char *)tmp, (int)m);
        if (len < 0)
            return -1;
        len -= (int)pad; /* EVP_DecodeBlock counts padding as zero bytes */
        if ((size_t)len > cap)
            return -1;
        memcpy(out, big, (size_t)len);
    }
    return len;
}

/* Verifies sig over msg with pkey (SHA-256 for EC, none for Ed25519). */
static inline int vt_verify(EVP_PKEY *pkey, const unsigned char *sig, size_t sl, const char *msg,
                            size_t n)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const EVP_MD *h = EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
    int ok = md && EVP_DigestVerifyInit(md, NULL, h, NULL, pkey) == 1 &&
             EVP_DigestVerify(md, sig, sl, (const unsigned char *)msg, n) == 1;

    EVP_MD_CTX_free(md);
    return ok;
}

typedef int (*vt_parse_fn)(const char *msg, size_t len, struct arb_exec *out, int max);

/*
 * Every strict prefix of a valid message is malformed and must say so, and
 * byte flips must never crash (ASan runs check the "never").
 */
static inline void vt_malformed_sweep(vt_parse_fn parse, const char *msg)
{
    size_t n = strlen(msg);
    struct arb_exec out[8];
    char *buf = malloc(n + 1);
    uint64_t seed = 42;

    REQUIRE(buf);
    for (size_t i = 0; i < n; i++) {
        int rc;
        memcpy(buf, msg, i); /* heap copy of exactly i bytes: ASan sees any overread */
        rc = parse(buf, i, out, 8);
        if (rc != -EINVAL)
            T_FAIL("prefix %zu of %.40s... gave %d, want -EINVAL", i, msg, rc);
    }
    for (int r = 0; r < 2000; r++) {
        int rc;
        memcpy(buf, msg, n);
        for (int f = 0; f < 3; f++)
            buf[t_rand(&seed) % n] = (char)(t_rand(&seed) & 0xff);
        rc = parse(buf, n, out, 8);
        if (rc < -EINVAL - 100 || rc > 8)
            T_FAIL("mutation gave %d", rc);
    }
    free(buf);
}

/* Bytes allocated by fn(arg) run reps times after one warm-up call, or -1 when not countable. */
static inline int64_t vt_allocated(void (*fn)(void *), void *arg, int reps)
{
    int64_t before;

    fn(arg);
    before = arb_bench_allocated();
    if (before < 0)
        return -1;
    for (int i = 0; i < reps; i++)
        fn(arg);
    return arb_bench_allocated() - before;
}

#endif /* ARB_TESTS_VENUES_VENUE_TEST_H */
