/* SPDX-License-Identifier: MIT */
/* arbiter: the engine binary and its subcommands. */
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

#define ARB_VERSION "0.1.0"

static void usage(FILE *out)
{
    fprintf(out, "usage: arbiter <command> [options]\n"
                 "commands:\n"
                 "  version      print the version\n"
                 "  help         this text\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "version") == 0) {
        printf("arbiter %s\n", ARB_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "arbiter: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
