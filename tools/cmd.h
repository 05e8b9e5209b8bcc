/* SPDX-License-Identifier: MIT */
/* The arbiter subcommands, one tools/cmd_<name>.c each; argv[0] is the command name. */
#ifndef ARB_TOOLS_CMD_H
#define ARB_TOOLS_CMD_H

/* `arbiter parse --venue NAME [FILE]`. Returns the process exit status. */
int arb_cmd_parse(int argc, char **argv);

/* `arbiter replay [--config FILE] [--set KEY=VALUE]... INPUT...`. */
int arb_cmd_replay(int argc, char **argv);

#endif /* ARB_TOOLS_CMD_H */
