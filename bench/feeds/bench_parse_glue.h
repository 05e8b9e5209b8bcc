/* SPDX-License-Identifier: MIT */
/*
 * The C side of bench_parse: arbiter's parsers behind a plain C interface the
 * C++ benchmark can call without compiling arbiter's headers as C++.
 */
#ifndef ARB_BENCH_FEEDS_BENCH_PARSE_GLUE_H
#define ARB_BENCH_FEEDS_BENCH_PARSE_GLUE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_arb;

/* A parser for `venue` whose symbol table learns every symbol on first sight. NULL if unknown. */
struct bench_arb *bench_arb_open(const char *venue);

/* Ticks one message yields (< 0 for skip/unknown/malformed), for picking the messages. */
int bench_arb_ticks(struct bench_arb *b, const char *msg, size_t len);

/* Parses msgs[0..n) `passes` times; returns a checksum of the ticks so none is optimized out. */
int64_t bench_arb_loop(struct bench_arb *b, const char *const *msgs, const size_t *lens, size_t n,
                       unsigned passes);

/* The peer's symbol lookup goes through the same table, so both sides do the same work. */
int bench_arb_symbol(const struct bench_arb *b, const char *sym, size_t len);

/* The same hand-written RFC 3339 parser arbiter uses; simdjson has none. 0 when malformed. */
uint64_t bench_rfc3339_ns(const char *s, size_t len);

/* Bytes this thread has allocated so far (jemalloc's thread.allocated); -1 without jemalloc. */
int64_t bench_thread_allocated(void);

#ifdef __cplusplus
}
#endif

#endif /* ARB_BENCH_FEEDS_BENCH_PARSE_GLUE_H */
