/* SPDX-License-Identifier: MIT */
/*
 * arbsim as a child process: fork and exec with pipes on stdin and stdout,
 * the listening line parsed, and an orderly stop with a kill as the backstop.
 */
#include "tools/simproc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIMPROC_LISTENING "arbsim: listening ws://"

static void simproc_child(char *const argv[], unsigned flags, int in[2], int out[2], pid_t parent)
{
    /* Dies with us, however we end; the check covers dying before the prctl. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    if (flags & ARB_SIMPROC_NO_STDIN) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
            _exit(127);
    } else if (dup2(in[0], STDIN_FILENO) < 0) {
        _exit(127);
    }
    if (dup2(out[1], STDOUT_FILENO) < 0)
        _exit(127);
    /* The pipes' own ends are close-on-exec. */
    execv(argv[0], argv);
    _exit(127);
}

/* Kills and reaps a child that did not start properly. */
static void simproc_abort(struct arb_simproc *p)
{
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
    if (p->cmd_fd >= 0)
        close(p->cmd_fd);
    p->cmd_fd = -1;
    if (p->out)
        fclose(p->out);
    p->out = NULL;
}

int arb_simproc_start(struct arb_simproc *p, char *const argv[], unsigned flags)
{
    int in[2] = {-1, -1}, out[2], err;
    pid_t parent = getpid();
    char line[256];

    memset(p, 0, sizeof *p);
    p->cmd_fd = -1;
    if ((!(flags & ARB_SIMPROC_NO_STDIN) && pipe2(in, O_CLOEXEC) < 0) ||
        pipe2(out, O_CLOEXEC) < 0) {
        err = errno;
        if (in[0] >= 0) {
            close(in[0]);
            close(in[1]);
        }
        snprintf(p->errmsg, sizeof p->errmsg, "pipe: %s", strerror(err));
        return -err;
    }
    p->pid = fork();
    if (p->pid == 0)
        simproc_child(argv, flags, in, out, parent);
    err = errno;
    if (in[0] >= 0)
        close(in[0]);
    close(out[1]);
    if (p->pid < 0) {
        p->pid = 0;
        if (in[1] >= 0)
            close(in[1]);
        close(out[0]);
        snprintf(p->errmsg, sizeof p->errmsg, "fork: %s", strerror(err));
        return -err;
    }
    p->cmd_fd = in[1];
    p->out = fdopen(out[0], "r");
    if (!p->out) {
        err = errno;
        close(out[0]);
        simproc_abort(p);
        snprintf(p->errmsg, sizeof p->errmsg, "fdopen: %s", strerror(err));
        return -err;
    }
    if (!fgets(line, sizeof line, p->out)) {
        simproc_abort(p);
        snprintf(p->errmsg, sizeof p->errmsg, "%s printed nothing (see its stderr)", argv[0]);
        return -EPROTO;
    }
    const char *colon = strrchr(line, ':');
    p->port = colon ? atoi(colon + 1) : 0;
    if (strncmp(line, SIMPROC_LISTENING, strlen(SIMPROC_LISTENING)) != 0 || p->port <= 0) {
        line[strcspn(line, "\n")] = '\0';
        simproc_abort(p);
        snprintf(p->errmsg, sizeof p->errmsg, "%s: not a listening line: '%.80s'", argv[0], line);
        return -EPROTO;
    }
    return 0;
}

int arb_simproc_cmd(struct arb_simproc *p, const char *cmd, char *reply, size_t len)
{
    if (p->cmd_fd < 0) {
        snprintf(p->errmsg, sizeof p->errmsg, "'%s': started without a command pipe", cmd);
        return -EBADF;
    }
    if (dprintf(p->cmd_fd, "%s\n", cmd) < 0) {
        int err = errno;
        snprintf(p->errmsg, sizeof p->errmsg, "'%s': %s", cmd, strerror(err));
        return -err;
    }
    for (;;) {
        if (!fgets(reply, (int)len, p->out)) {
            snprintf(p->errmsg, sizeof p->errmsg, "'%s': no answer", cmd);
            return -EPIPE;
        }
        if (strncmp(reply, "arbsim: ", 8) != 0)
            return 0;
    }
}

int arb_simproc_stop(struct arb_simproc *p, unsigned timeout_ms)
{
    struct timespec nap = {0, 10 * 1000 * 1000};
    int status = 0, rc = -1;

    if (p->pid <= 0)
        return 0;
    if (p->cmd_fd >= 0) {
        dprintf(p->cmd_fd, "quit\n");
        close(p->cmd_fd);
        p->cmd_fd = -1;
    } else {
        kill(p->pid, SIGTERM);
    }
    for (unsigned waited = 0;; waited += 10) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        if (waited >= timeout_ms) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &status, 0);
            break;
        }
        nanosleep(&nap, NULL);
    }
    p->pid = 0;
    if (p->out)
        fclose(p->out);
    p->out = NULL;
    return rc;
}
