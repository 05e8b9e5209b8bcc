/* SPDX-License-Identifier: MIT */
/* The arbiter subcommands, one tools/cmd_<name>.c each; argv[0] is the command name. */
#ifndef ARB_TOOLS_CMD_H
#define ARB_TOOLS_CMD_H

/* `arbiter parse --venue NAME [FILE]`. Returns the process exit status. */
int arb_cmd_parse(int argc, char **argv);

/* `arbiter replay [--config FILE] [--set KEY=VALUE]... INPUT...`. */
int arb_cmd_replay(int argc, char **argv);

/* `arbiter run --config FILE [--live]`: the engine on real (or simulated) venues. */
int arb_cmd_run(int argc, char **argv);

/* `arbiter demo`: the engine against simulated venues replaying the 2023 USDC depeg. */
int arb_cmd_demo(int argc, char **argv);

#endif /* ARB_TOOLS_CMD_H */
