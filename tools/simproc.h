/* SPDX-License-Identifier: MIT */
/*
 * A running arbsim process: started with its stdout on a pipe, its port read
 * from the first line it prints, commands sent on its stdin, and stopped.
 * Shared by `arbiter demo`, the tests and the benchmarks.
 */
#ifndef ARB_TOOLS_SIMPROC_H
#define ARB_TOOLS_SIMPROC_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Flags for arb_simproc_start. */
#define ARB_SIMPROC_NO_STDIN 1u /* stdin is /dev/null; stop asks with SIGTERM, not "quit" */

struct arb_simproc {
    pid_t pid;        /* the simulator; 0 when not running */
    int cmd_fd;       /* its stdin, for commands; -1 with ARB_SIMPROC_NO_STDIN */
    FILE *out;        /* its stdout: the listening line(s), then command replies */
    int port;         /* from "arbsim: listening ws://HOST:PORT/" */
    char errmsg[160]; /* why start or a command failed */
};

/*
 * Starts argv[0] (a path, not searched) with argv and reads its ws:// port.
 * The simulator is killed when the calling thread exits. Returns 0, or -errno
 * with p->errmsg set and nothing left running.
 */
int arb_simproc_start(struct arb_simproc *p, char *const argv[], unsigned flags);

/*
 * Sends one command line and reads the one-line answer into reply, skipping
 * further "arbsim: " lines (a wss:// listening line may still be unread).
 * Returns 0, or -errno with p->errmsg set. The caller ignores SIGPIPE if the
 * simulator may have exited.
 */
int arb_simproc_cmd(struct arb_simproc *p, const char *cmd, char *reply, size_t len);

/*
 * Asks the simulator to quit, waits up to timeout_ms, then kills it. Returns
 * its exit status, or -1 when it had to be killed or died of a signal; 0 when
 * p was not running.
 */
int arb_simproc_stop(struct arb_simproc *p, unsigned timeout_ms);

#endif /* ARB_TOOLS_SIMPROC_H */
