/* SPDX-License-Identifier: MIT */
/*
 * Test side of tools/simproc: arbsim started, sent commands and stopped, the
 * test failing (exit 1) when any of that does not work. Shared by the feed,
 * gateway and arbsim tests.
 */
#ifndef ARB_TESTS_TOOLS_SIMPROC_TEST_H
#define ARB_TESTS_TOOLS_SIMPROC_TEST_H

#include "test.h"

#include "tools/simproc.h"

#include <signal.h>

/*
 * The tests' old name for a running arbsim; test_gateway_rest.c still spells it
 * so (it is being changed elsewhere). New code writes struct arb_simproc.
 */
#define fs_sim arb_simproc

/* Starts `path` with args (NULL-terminated) and reads its port. */
static inline void fs_sim_start(struct arb_simproc *s, const char *path, const char *const *args)
{
    const char *argv[64];
    int n = 0;

    argv[n++] = path;
    while (args[n - 1] && n < 63) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    if (arb_simproc_start(s, (char *const *)argv, 0) < 0) {
        T_FAIL("arbsim: %s", s->errmsg);
        exit(T_EXIT_FAIL);
    }
    signal(SIGPIPE, SIG_IGN);
}

/* Sends one command line and returns arbsim's one-line answer in reply. */
static inline void fs_sim_cmd(struct arb_simproc *s, const char *cmd, char *reply, size_t len)
{
    if (arb_simproc_cmd(s, cmd, reply, len) < 0) {
        T_FAIL("arbsim: %s", s->errmsg);
        exit(T_EXIT_FAIL);
    }
}

/* Quits arbsim and returns its exit status (-1 if it had to be killed). */
static inline int fs_sim_stop(struct arb_simproc *s)
{
    return arb_simproc_stop(s, 5000);
}

#endif /* ARB_TESTS_TOOLS_SIMPROC_TEST_H */
