/* SPDX-License-Identifier: MIT */
/* arbiter: the engine binary and its subcommands. */
#include "core/clock.h"
#include "tools/cmd.h"

#include <stdio.h>
#include <string.h>

#define ARB_VERSION "0.1.0"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arbiter <command> [options]\n"
            "commands:\n"
            "  demo         the engine against simulated venues replaying the 2023 USDC depeg\n"
            "  parse        print a venue capture's ticks as JSON lines\n"
            "  replay       run recorded data through the detector and risk gate\n"
            "  run          the engine on the venues of a config file (paper by default)\n"
            "  version      print the version\n"
            "  help         this text\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "parse") == 0)
        return arb_cmd_parse(argc - 1, argv + 1);
    if (strcmp(argv[1], "demo") == 0)
        return arb_cmd_demo(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return arb_cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "replay") == 0)
        return arb_cmd_replay(argc - 1, argv + 1);
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
