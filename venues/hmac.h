/* SPDX-License-Identifier: MIT */
/*
 * HMAC with the key's pads hashed once: keys_init absorbs key^ipad and
 * key^opad into two hash states, so a signature costs only its message
 * blocks plus one outer block. The block functions are OpenSSL's (SHA-NI or
 * AVX2 where the CPU has them), reached through the low-level SHA API.
 */
#ifndef ARB_VENUES_HMAC_H
#define ARB_VENUES_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define ARB_HMAC_SHA256     1
#define ARB_HMAC_SHA512     2
#define ARB_HMAC_SHA256_LEN 32
#define ARB_HMAC_SHA512_LEN 64
#define ARB_HMAC_MAX_LEN    64
#define ARB_HMAC_CTX_BYTES  224 /* room for OpenSSL's SHA512_CTX (216 bytes) */

/* Precomputed HMAC state for one key. Copyable; wipe it with arb_hmac_wipe. */
struct arb_hmac {
    _Alignas(16) unsigned char inner[ARB_HMAC_CTX_BYTES]; /* hash state after key^ipad (+prefix) */
    _Alignas(16) unsigned char outer[ARB_HMAC_CTX_BYTES]; /* hash state after key^opad */
    int alg;                                              /* ARB_HMAC_SHA256 or ARB_HMAC_SHA512 */
};

/*
 * Hashes the key's pads (keys longer than a block are hashed first, as RFC
 * 2104 says). Returns 0, or -EINVAL for an unknown algorithm.
 */
int arb_hmac_init(struct arb_hmac *h, int alg, const void *key, size_t len);

/*
 * Extends the inner state by a prefix every later message starts with, so
 * signatures skip its blocks: sign(h, m) then equals HMAC(key, prefix || m).
 */
void arb_hmac_absorb(struct arb_hmac *h, const void *prefix, size_t len);

/*
 * Any thread, no allocation: writes HMAC(key, msg) into mac (32 or 64 bytes)
 * and returns its length. h is read only.
 */
size_t arb_hmac_sign(const struct arb_hmac *h, const void *msg, size_t len, unsigned char *mac);

/* Overwrites the state so no key material stays in memory. */
void arb_hmac_wipe(struct arb_hmac *h);

#endif /* ARB_VENUES_HMAC_H */
