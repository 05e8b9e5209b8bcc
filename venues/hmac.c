/* SPDX-License-Identifier: MIT */
/* HMAC-SHA256/512 over precomputed pad states, on OpenSSL's block functions. */

/* SHA256_Init and friends are deprecated in OpenSSL 3.0 in favour of EVP, but EVP
 * cannot hand out a copyable mid-hash state without a heap context per copy, and
 * the copy is the whole point here. They remain in 3.x and are stable. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hmac.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

_Static_assert(sizeof(SHA256_CTX) <= ARB_HMAC_CTX_BYTES, "SHA256_CTX fits the state");
_Static_assert(sizeof(SHA512_CTX) <= ARB_HMAC_CTX_BYTES, "SHA512_CTX fits the state");
_Static_assert(_Alignof(SHA512_CTX) <= 16, "the state is 16-byte aligned");

int arb_hmac_init(struct arb_hmac *h, int alg, const void *key, size_t len)
{
    unsigned char k[SHA512_CBLOCK], ipad[SHA512_CBLOCK], opad[SHA512_CBLOCK];
    size_t block;

    if (alg != ARB_HMAC_SHA256 && alg != ARB_HMAC_SHA512)
        return -EINVAL;
    memset(h, 0, sizeof(*h));
    h->alg = alg;
    block = alg == ARB_HMAC_SHA256 ? SHA256_CBLOCK : SHA512_CBLOCK;
    memset(k, 0, sizeof(k));
    if (len > block) {
        if (alg == ARB_HMAC_SHA256)
            SHA256(key, len, k);
        else
            SHA512(key, len, k);
    } else if (len) {
        memcpy(k, key, len);
    }
    for (size_t i = 0; i < block; i++) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    if (alg == ARB_HMAC_SHA256) {
        SHA256_CTX *in = (SHA256_CTX *)(void *)h->inner, *out = (SHA256_CTX *)(void *)h->outer;
        SHA256_Init(in);
        SHA256_Update(in, ipad, block);
        SHA256_Init(out);
        SHA256_Update(out, opad, block);
    } else {
        SHA512_CTX *in = (SHA512_CTX *)(void *)h->inner, *out = (SHA512_CTX *)(void *)h->outer;
        SHA512_Init(in);
        SHA512_Update(in, ipad, block);
        SHA512_Init(out);
        SHA512_Update(out, opad, block);
    }
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(ipad, sizeof(ipad));
    OPENSSL_cleanse(opad, sizeof(opad));
    return 0;
}

void arb_hmac_absorb(struct arb_hmac *h, const void *prefix, size_t len)
{
    if (h->alg == ARB_HMAC_SHA256)
        SHA256_Update((SHA256_CTX *)(void *)h->inner, prefix, len);
    else
        SHA512_Update((SHA512_CTX *)(void *)h->inner, prefix, len);
}

size_t arb_hmac_sign(const struct arb_hmac *h, const void *msg, size_t len, unsigned char *mac)
{
    /* The states are copied, not re-derived: a 112-byte copy replaces a block
     * compression for each pad. */
    if (h->alg == ARB_HMAC_SHA256) {
        SHA256_CTX c;
        unsigned char d[SHA256_DIGEST_LENGTH];
        memcpy(&c, h->inner, sizeof(c));
        SHA256_Update(&c, msg, len);
        SHA256_Final(d, &c);
        memcpy(&c, h->outer, sizeof(c));
        SHA256_Update(&c, d, sizeof(d));
        SHA256_Final(mac, &c);
        return SHA256_DIGEST_LENGTH;
    } else {
        SHA512_CTX c;
        unsigned char d[SHA512_DIGEST_LENGTH];
        memcpy(&c, h->inner, sizeof(c));
        SHA512_Update(&c, msg, len);
        SHA512_Final(d, &c);
        memcpy(&c, h->outer, sizeof(c));
        SHA512_Update(&c, d, sizeof(d));
        SHA512_Final(mac, &c);
        return SHA512_DIGEST_LENGTH;
    }
}

void arb_hmac_wipe(struct arb_hmac *h)
{
    OPENSSL_cleanse(h, sizeof(*h));
}
