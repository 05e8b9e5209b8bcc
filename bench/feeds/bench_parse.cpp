// SPDX-License-Identifier: MIT
// bench_parse: ns per message for arbiter's venue parsers against simdjson On-Demand,
// same recorded messages, same fields, same run; JSON lines on stdout, a table on stderr.
// Wall time on a shared machine is noisy, so instructions are the repeatable figure:
//   ARB_BENCH_VENUE=binance ARB_BENCH_ONLY=arbiter ARB_BENCH_MSGS=20000 ARB_BENCH_REPS=1
//   valgrind --tool=callgrind --toggle-collect=bench_arb_loop bench_parse
// (--toggle-collect='*peer_loop*' with ONLY=peer); divide Ir by the "measured" count on stderr.
#include "bench_parse_glue.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace simdjson;

namespace
{

constexpr int kReps = 9;                   // interleaved repetitions; the median is reported
constexpr size_t kMsgsPerMeasure = 200000; // messages per timed block, so a block is ~ms long

// A count from the environment (ARB_BENCH_REPS, ARB_BENCH_MSGS), or `def` when unset or zero.
size_t env_count(const char *name, size_t def)
{
    const char *s = getenv(name);
    size_t n = s && *s ? strtoull(s, nullptr, 10) : 0;

    return n ? n : def;
}

enum class venue_kind { binance, binance_futures, coinbase, kraken };

struct venue_case {
    const char *bench; // JSON "bench" name
    const char *venue; // arbiter venue id
    const char *file;  // recording under data/
    venue_kind kind;
};

// The payload of each received frame of a cryptofeed capture (`<sec.frac>: <payload>`).
std::vector<std::string> read_frames(const std::string &path)
{
    std::vector<std::string> out;
    std::ifstream in(path);
    std::string line;

    while (std::getline(in, line)) {
        if (line.empty() || line[0] < '0' || line[0] > '9')
            continue;
        size_t colon = line.find(": ");
        if (colon != std::string::npos)
            out.push_back(line.substr(colon + 2));
    }
    return out;
}

inline int64_t e8(double v)
{
    return (int64_t)(v * 1e8);
}

// Binance bookTicker, combined stream: the fields arbiter reads, in document order.
int64_t peer_binance(ondemand::parser &p, const padded_string &msg, const bench_arb *b, bool fut)
{
    ondemand::document doc;
    ondemand::object data;
    std::string_view e, s;
    uint64_t u = 0, ev_ms = 0;
    double bid, bq, ask, aq;

    if (p.iterate(msg).get(doc) || doc["data"].get_object().get(data))
        return 0;
    if (fut && (data["e"].get_string().get(e) || e != "bookTicker"))
        return 0;
    if (data["u"].get_uint64().get(u) || data["s"].get_string().get(s) ||
        data["b"].get_double_in_string().get(bid) || data["B"].get_double_in_string().get(bq) ||
        data["a"].get_double_in_string().get(ask) || data["A"].get_double_in_string().get(aq))
        return 0;
    if (fut && data["E"].get_uint64().get(ev_ms))
        return 0;
    int id = bench_arb_symbol(b, s.data(), s.size());
    return e8(bid) + e8(aq) + id + (int64_t)u + (int64_t)(ev_ms * 1000000);
}

// Coinbase ticker: sizes are optional, so one pass over the fields, as arbiter does.
int64_t peer_coinbase(ondemand::parser &p, const padded_string &msg, const bench_arb *b)
{
    ondemand::document doc;
    ondemand::object obj;
    std::string_view type, product, time;
    uint64_t seq = 0;
    double bid = 0, bq = 0, ask = 0, aq = 0;

    if (p.iterate(msg).get(doc) || doc.get_object().get(obj))
        return 0;
    for (auto field : obj) {
        ondemand::raw_json_string key;
        if (field.key().get(key))
            return 0;
        if (key == "type") {
            if (field.value().get_string().get(type))
                return 0;
        } else if (key == "sequence") {
            if (field.value().get_uint64().get(seq))
                return 0;
        } else if (key == "product_id") {
            if (field.value().get_string().get(product))
                return 0;
        } else if (key == "best_bid") {
            if (field.value().get_double_in_string().get(bid))
                return 0;
        } else if (key == "best_bid_size") {
            if (field.value().get_double_in_string().get(bq))
                return 0;
        } else if (key == "best_ask") {
            if (field.value().get_double_in_string().get(ask))
                return 0;
        } else if (key == "best_ask_size") {
            if (field.value().get_double_in_string().get(aq))
                return 0;
        } else if (key == "time") {
            if (field.value().get_string().get(time))
                return 0;
        }
    }
    if (type != "ticker")
        return 0;
    int id = bench_arb_symbol(b, product.data(), product.size());
    return e8(bid) + e8(aq) + id + (int64_t)seq +
           (int64_t)bench_rfc3339_ns(time.data(), time.size());
}

// One side of a Kraken v1 ticker: [price, wholeLotVolume, lotVolume].
bool kraken_side(ondemand::value v, double &px, double &qty)
{
    ondemand::array arr;
    int i = 0;

    if (v.get_array().get(arr))
        return false;
    for (auto el : arr) {
        if (i == 0 && el.get_double_in_string().get(px))
            return false;
        if (i == 2 && el.get_double_in_string().get(qty))
            return false;
        i++;
    }
    return i >= 3;
}

// Kraken v1 ticker: [channelID, {"a":[..],"b":[..],...}, "ticker", "PAIR"].
int64_t peer_kraken(ondemand::parser &p, const padded_string &msg, const bench_arb *b)
{
    ondemand::document doc;
    ondemand::array arr;
    std::string_view name, pair;
    uint64_t chan = 0;
    double bid = 0, bq = 0, ask = 0, aq = 0;
    int i = 0;

    if (p.iterate(msg).get(doc) || doc.get_array().get(arr))
        return 0;
    for (auto el : arr) {
        if (i == 0) {
            if (el.get_uint64().get(chan))
                return 0;
        } else if (i == 1) {
            ondemand::object o;
            ondemand::value a, bv;
            if (el.get_object().get(o) || o["a"].get(a) || !kraken_side(a, ask, aq) ||
                o["b"].get(bv) || !kraken_side(bv, bid, bq))
                return 0;
        } else if (i == 2) {
            if (el.get_string().get(name))
                return 0;
        } else if (i == 3) {
            if (el.get_string().get(pair))
                return 0;
        }
        i++;
    }
    if (i != 4 || name != "ticker")
        return 0;
    int id = bench_arb_symbol(b, pair.data(), pair.size());
    return e8(bid) + e8(aq) + id + (int64_t)chan;
}

int64_t peer_one(venue_kind k, ondemand::parser &p, const padded_string &m, const bench_arb *b)
{
    switch (k) {
    case venue_kind::binance:
        return peer_binance(p, m, b, false);
    case venue_kind::binance_futures:
        return peer_binance(p, m, b, true);
    case venue_kind::coinbase:
        return peer_coinbase(p, m, b);
    case venue_kind::kraken:
        return peer_kraken(p, m, b);
    }
    return 0;
}

// The peer's measured loop, kept out of line so callgrind can count it alone.
[[gnu::noinline]] int64_t peer_loop(venue_kind k, ondemand::parser &p,
                                    const std::vector<padded_string> &msgs, const bench_arb *b,
                                    unsigned passes)
{
    int64_t s = 0;

    for (unsigned r = 0; r < passes; r++)
        for (const padded_string &m : msgs)
            s += peer_one(k, p, m, b);
    return s;
}

double now_ns()
{
    return (double)std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main()
{
    static const venue_case cases[] = {
        {"parse_binance", "binance", "recorded/BINANCE.ws.1.0", venue_kind::binance},
        {"parse_binance_futures", "binance-futures", "recorded/BINANCE_FUTURES.ws.1.0",
         venue_kind::binance_futures},
        {"parse_coinbase", "coinbase", "recorded/COINBASE.ws.28.0.part1", venue_kind::coinbase},
        {"parse_kraken", "kraken", "recorded/KRAKEN.ws.49.0", venue_kind::kraken},
    };
    const char *root = getenv("ARB_SOURCE_DIR");
    std::string data = std::string(root ? root : ARB_SOURCE_DIR_DEFAULT) + "/data/";
    int64_t alloc_total = 0;
    bool have_alloc = bench_thread_allocated() >= 0;
    volatile int64_t sink = 0;
    // ARB_BENCH_ONLY=arbiter|peer times one side only, for callgrind; ARB_BENCH_VENUE picks one.
    const char *only = getenv("ARB_BENCH_ONLY");
    const char *only_venue = getenv("ARB_BENCH_VENUE");
    bool run_arb = !only || strcmp(only, "peer") != 0;
    bool run_peer = !only || strcmp(only, "arbiter") != 0;
    int reps = (int)env_count("ARB_BENCH_REPS", kReps);
    size_t per_measure = env_count("ARB_BENCH_MSGS", kMsgsPerMeasure);

    fprintf(stderr, "%-24s %6s %12s %12s %8s\n", "bench", "msgs", "arbiter ns", "simdjson ns",
            "ratio");
    for (const venue_case &c : cases) {
        if (only_venue && strcmp(only_venue, c.venue) != 0)
            continue;
        bench_arb *b = bench_arb_open(c.venue);
        std::vector<std::string> frames = read_frames(data + c.file);
        std::vector<std::string> msgs;
        std::vector<padded_string> padded;
        std::vector<const char *> ptrs;
        std::vector<size_t> lens;
        ondemand::parser parser;

        if (!b || frames.empty()) {
            fprintf(stderr, "bench_parse: %s: no data under %s\n", c.venue, data.c_str());
            return 1;
        }
        // The messages each venue's hot path exists for: those that yield ticks.
        for (const std::string &f : frames)
            if (bench_arb_ticks(b, f.data(), f.size()) > 0)
                msgs.push_back(f);
        for (const std::string &m : msgs) {
            padded.emplace_back(m);
            ptrs.push_back(m.data());
            lens.push_back(m.size());
        }
        // Both sides must read the same messages successfully.
        for (const padded_string &m : padded)
            if (peer_one(c.kind, parser, m, b) == 0) {
                fprintf(stderr, "bench_parse: %s: simdjson peer failed on a message\n", c.venue);
                return 1;
            }
        unsigned passes = (unsigned)std::max<size_t>(1, per_measure / msgs.size());
        double per = (double)passes * (double)msgs.size();
        std::vector<double> arb_ns, peer_ns;

        for (int rep = 0; rep < reps; rep++) {
            double arb = 0, peer = 0;
            // Alternate which side runs first, so neither always gets the warmer cache.
            for (int side = 0; side < 2; side++) {
                bool arb_turn = (side == 0) == (rep % 2 == 0);
                if (!(arb_turn ? run_arb : run_peer))
                    continue;
                double t0 = now_ns();
                if (arb_turn) {
                    int64_t a0 = bench_thread_allocated();
                    sink = sink + bench_arb_loop(b, ptrs.data(), lens.data(), ptrs.size(), passes);
                    double t1 = now_ns();
                    alloc_total += bench_thread_allocated() - a0;
                    arb = (t1 - t0) / per;
                } else {
                    sink = sink + peer_loop(c.kind, parser, padded, b, passes);
                    peer = (now_ns() - t0) / per;
                }
            }
            arb_ns.push_back(arb);
            peer_ns.push_back(peer);
        }
        double a = median(arb_ns), p = median(peer_ns);
        printf("{\"bench\":\"%s\",\"metric\":\"ns_per_msg\",\"value\":%.2f,\"unit\":\"ns\","
               "\"peer\":\"simdjson_ondemand\",\"peer_value\":%.2f,\"ratio\":%.2f}\n",
               c.bench, a, p, p / a);
        fprintf(stderr, "%-24s %6zu %12.2f %12.2f %7.2fx\n", c.bench, msgs.size(), a, p, p / a);
        if (only)
            fprintf(stderr, "measured %.0f messages per side\n", per * reps);
        free(b);
    }
    if (have_alloc) {
        printf("{\"bench\":\"parse_allocs\",\"metric\":\"allocated_bytes\",\"value\":%lld,"
               "\"unit\":\"bytes\"}\n",
               (long long)alloc_total);
        fprintf(stderr, "bytes allocated inside arbiter's measured loops: %lld\n",
                (long long)alloc_total);
    } else {
        fprintf(stderr, "bench_parse: built without jemalloc: allocation count not available\n");
    }
    return 0;
}
