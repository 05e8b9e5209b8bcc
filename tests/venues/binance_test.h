/* SPDX-License-Identifier: MIT */
/*
 * Shared by the Binance spot and USD-M futures order tests: the docs' HMAC
 * example keys and the expected signature recomputed with OpenSSL.
 */
#ifndef ARB_TESTS_VENUES_BINANCE_TEST_H
#define ARB_TESTS_VENUES_BINANCE_TEST_H

#include "venue_test.h"

#include <openssl/hmac.h>

/* The Binance docs' HMAC example keys: public test vectors, not credentials. */
#define APIKEY "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
#define SECRET "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

/* HMAC-SHA256 of msg with SECRET as 64 lower-case hex digits and a NUL, into hex. */
static inline void hmac_hex(const char *msg, char *hex)
{
    unsigned char mac[32];
    unsigned int ml = 0;

    HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)msg, strlen(msg), mac,
         &ml);
    for (unsigned i = 0; i < ml; i++)
        sprintf(hex + 2 * i, "%02x", mac[i]);
}

#endif /* ARB_TESTS_VENUES_BINANCE_TEST_H */
