/* SPDX-License-Identifier: MIT */
/*
 * The simulated exchange's side of request signing: the test keys it was
 * given (flags or a 0600 key file) and each venue's check, done the plain way
 * with OpenSSL one-shots (HMAC(), EVP_DigestVerify) so it stays independent
 * of the engine's precomputed signing code: Binance HMAC-SHA256 hex and
 * Ed25519, Kraken API-Sign, Coinbase JWT ES256.
 */
#ifndef ARB_TOOLS_SIM_SIGN_H
#define ARB_TOOLS_SIM_SIGN_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_KEY_MAX 256 /* longest API key name or secret, in bytes */

/* The one account the simulator knows. */
struct arb_sim_keys {
    char api_key[ARB_SIM_KEY_MAX];     /* Binance/Kraken API key; Coinbase key name (JWT kid/sub) */
    uint8_t secret[ARB_SIM_KEY_MAX];   /* Binance: the secret's bytes; Kraken: base64-decoded */
    size_t secret_len;                 /* 0: no secret configured */
    char secret_text[ARB_SIM_KEY_MAX]; /* the secret as given, until the venue is known */
    EVP_PKEY *ec_pub;                  /* Coinbase: P-256 public key for ES256 */
    EVP_PKEY *ed_pub;                  /* Binance: Ed25519 public key; NULL = HMAC keys */
};

/*
 * Reads `name=value` lines (api-key, api-secret; '#' comments) from a key
 * file, refusing one that group or others may read. Returns 0 or -errno with
 * "file:line: why" in err.
 */
int arb_sim_keys_load_file(struct arb_sim_keys *k, const char *path, char *err, size_t errlen);

/* Reads a PEM public key (or a private key, whose public half is kept) into *out.
 * Returns 0 or -errno with a message in err. */
int arb_sim_keys_load_pem(EVP_PKEY **out, const char *path, int want_type, char *err,
                          size_t errlen);

/* Turns secret_text into secret bytes for the venue (Kraken's is base64). Returns 0 or
 * -EINVAL. */
int arb_sim_keys_finish(struct arb_sim_keys *k, bool base64_secret, char *err, size_t errlen);

void arb_sim_keys_free(struct arb_sim_keys *k);

/* Decodes standard or URL-safe base64 (padding optional). Returns the length or -EINVAL. */
int arb_sim_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/* Encodes standard base64 with padding into out (NUL-terminated). Returns the length. */
size_t arb_sim_b64_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/*
 * Binance: checks `sig` over payload[0..len): lowercase or uppercase hex
 * HMAC-SHA256 with the secret, or base64 Ed25519 when an Ed25519 key is set.
 * Returns true when it matches.
 */
bool arb_sim_sign_binance_ok(const struct arb_sim_keys *k, const char *payload, size_t len,
                             const char *sig, size_t sig_len);

/*
 * Kraken API-Sign: base64(HMAC-SHA512(secret, path || SHA256(nonce || body))).
 * Returns true when `sig` matches.
 */
bool arb_sim_sign_kraken_ok(const struct arb_sim_keys *k, const char *path, const char *nonce,
                            const char *body, size_t body_len, const char *sig);

/*
 * Coinbase: verifies a JWT bearer token: ES256 header with kid = key name,
 * payload iss "cdp", sub = key name, nbf <= now < exp, and uri equal to one
 * of uris ("POST api.coinbase.com/api/v3/brokerage/orders"), signature r||s
 * under ec_pub. Returns 0, or -EACCES with the reason in why.
 */
int arb_sim_sign_jwt_check(const struct arb_sim_keys *k, const char *jwt, size_t len,
                           const char *const *uris, int nuris, uint64_t now_s, char *why,
                           size_t whylen);

#endif /* ARB_TOOLS_SIM_SIGN_H */
