/* SPDX-License-Identifier: MIT */
/*
 * Text forms of hot-path records for the slow path: one JSON object per
 * event or intent, written into a caller buffer (no I/O here). Decimals are
 * strings in the exact fixed-point form, so output is byte-for-byte
 * reproducible.
 */
#ifndef ARB_CORE_REPORT_H
#define ARB_CORE_REPORT_H

#include "core/event.h"
#include "core/intent.h"
#include "core/registry.h"

#include <stddef.h>

/*
 * Formats a signal or refusal event as one JSON line (no newline). An INTENT
 * event needs its intent (the legs) and is formatted with
 * arb_report_intent_json instead. Returns the length, or -ENOSPC when buf is
 * too small.
 */
int arb_report_event_json(const struct arb_event *ev, const struct arb_registry *reg, char *buf,
                          size_t len);

/* Formats an intent that passed the gate, with its event's notional. */
int arb_report_intent_json(const struct arb_event *ev, const struct arb_intent *in,
                           const struct arb_registry *reg, char *buf, size_t len);

const char *arb_report_level_name(unsigned level);
const char *arb_report_signal_name(unsigned kind);

#endif /* ARB_CORE_REPORT_H */
