/* SPDX-License-Identifier: MIT */
/*
 * What a simulator plays: a scripted price path (CSV of quotes) or a capture
 * of recorded frames, loaded whole at start-up into one timeline of messages
 * with offsets in ns, symbols resolved to small ids. Read-only once loaded,
 * so every connection thread walks it without locks.
 */
#ifndef ARB_TOOLS_SIM_SOURCE_H
#define ARB_TOOLS_SIM_SOURCE_H

#include "tools/sim_encode.h"

#include <stddef.h>
#include <stdint.h>

#define ARB_SIM_SYMS 256 /* distinct symbols a source may name; more play unfiltered */

enum arb_sim_src_kind {
    ARB_SIM_SRC_SCRIPT = 1,
    ARB_SIM_SRC_CAPTURE = 2,
};

/* One message of the timeline. */
struct arb_sim_msg {
    uint64_t t_ns;    /* offset from the start of a pass */
    uint32_t ordinal; /* script: this symbol's message number within a pass */
    int16_t sym;      /* symbol id, -1 when the message names no symbol we track */
    uint16_t pad;
    uint32_t quote;     /* script: index into quotes */
    uint32_t frame_len; /* capture: bytes of the prebuilt frame (header and payload) */
    uint64_t frame_off; /* capture: where that frame starts in frames */
};

struct arb_sim_source {
    int kind; /* enum arb_sim_src_kind */
    size_t n; /* messages per pass */
    struct arb_sim_msg *msgs;
    struct arb_sim_quote *quotes; /* script rows, one per message */
    uint8_t *frames;              /* capture: every message as a ready unmasked text frame */
    size_t frames_len;
    uint64_t period_ns; /* start of pass k is k * period_ns */
    uint32_t nsyms;
    char sym[ARB_SIM_SYMS][ARB_SIM_SYMMAX + 1]; /* as the source spells them */
    uint32_t sym_count[ARB_SIM_SYMS];           /* messages per pass, per symbol */
};

/*
 * Loads a script: lines `t_ms,symbol,bid,bid_qty,ask,ask_qty[,funding_rate,mark]`,
 * '#' comments, blank lines and one optional header line starting with "t_ms".
 * t_ms must not decrease. On failure returns -errno and leaves "file:line: why"
 * in err.
 */
int arb_sim_source_load_script(struct arb_sim_source *s, const char *path, char *err,
                               size_t errlen);

/*
 * Loads a capture (any format of feeds/capture.h; META lines skipped). Bare
 * payloads carry no time and are spaced bare_gap_ns apart. Symbols are read
 * with the conventions of `venue`. Returns 0 or -errno with a message in err.
 */
int arb_sim_source_load_capture(struct arb_sim_source *s, const char *path,
                                enum arb_sim_venue venue, uint64_t bare_gap_ns, char *err,
                                size_t errlen);

void arb_sim_source_free(struct arb_sim_source *s);

/* Symbol id of a venue spelling, compared without case. Returns the id or -1. */
int arb_sim_source_find_sym(const struct arb_sim_source *s, const char *name, size_t len);

/* First message index of a pass due at or after offset t_ns (binary search). */
size_t arb_sim_source_seek(const struct arb_sim_source *s, uint64_t t_ns);

#endif /* ARB_TOOLS_SIM_SOURCE_H */
