/* SPDX-License-Identifier: MIT */
/*
 * API credentials for live trading: from the environment
 * (ARB_<VENUE>_API_KEY / ARB_<VENUE>_API_SECRET, venue upper-cased with '-'
 * as '_') or from a key file that only its owner may read (mode 0600 or
 * stricter). Secrets are held in memory only: never logged, journaled or
 * written anywhere by arbiter.
 */
#ifndef ARB_TOOLS_CREDS_H
#define ARB_TOOLS_CREDS_H

#include <stddef.h>

#define ARB_CREDS_MAX 8192

struct arb_creds {
    char key[512];
    char secret[ARB_CREDS_MAX]; /* PEM keys run to a few hundred bytes */
    int have;
};

/*
 * Loads `venue`'s credentials: from `file` when not NULL (an INI file with
 * [venue] api_key/api_secret; refused unless mode is 0600 or stricter and
 * owned by us), else from the environment. Returns 0 when found, -ENOENT
 * when absent, -EPERM for a file others can read, -errno otherwise, with
 * err naming the problem (never the secret).
 */
int arb_creds_load(struct arb_creds *c, const char *venue, const char *file, char *err,
                   size_t errlen);

/* Overwrites the secret in memory. */
void arb_creds_wipe(struct arb_creds *c);

#endif /* ARB_TOOLS_CREDS_H */
