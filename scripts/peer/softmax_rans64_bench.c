/* Peer harness for the categorical-from-logits case of `dcvc-bench entropy` (spec/entropy-coding.md
 * §6, §10): the §6 integer softmax written straight from the spec in scalar C (fixed-point logits,
 * the 1024-entry exp2 table, the §3.1 rule, the full cumulative table, a binary search), decoding
 * our stream with ryg_rans's rans64.h (copied beside this file by scripts/build-ryg-rans.sh,
 * never committed). A yardstick for what a C compiler makes of the formula, measured in the same
 * run on the same logits and stream.
 *
 * Input file, little-endian u32 unless stated:
 *   magic 0x42584D53 ("SMXB"), bits, K, rows, N, repeats, stream_words,
 *   logits[rows * K] (f32), which[N] (u16: the row of each symbol), symbols[N] (u16),
 *   stream[stream_words]
 * Output: one JSON line {"decode_msym_s", "decoded_ok"}; thread CPU time, best of `repeats`.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rans64.h"

#define PEER_NAME "softmax_rans64_bench"
#include "peer_io.h"

static uint32_t table[1024];

/* §6 step 3: P(r) ~ 2^24 * 2^(-r / 2^16), Horner in signed 64-bit arithmetic. */
static int64_t exp2_fraction(int64_t r) {
    int64_t p = 1419;
    p = -16377 + ((p * r) >> 16);
    p = 165394 + ((p * r) >> 16);
    p = -1431680 + ((p * r) >> 16);
    p = 10327387 + ((p * r) >> 16);
    p = -59597083 + ((p * r) >> 16);
    p = 257941248 + ((p * r) >> 16);
    p = -744261118 + ((p * r) >> 16);
    p = 1073741824 + ((p * r) >> 16);
    return (p + 32) >> 6;
}

/* §6 step 1. */
static int32_t quantize(float l) {
    float v = l * 1024.0f;
    if (!(v > -1048576.0f)) return -1048576;
    if (!(v < 1048576.0f)) return 1048576;
    return (int32_t)nearbyintf(v); /* default rounding mode: nearest, ties to even */
}

/* §6 and §3.1: the cumulative table cum[0..K] of one row of logits. */
static void softmax_cdf(const float *l, uint32_t k, uint32_t bits, int32_t *q, uint64_t *w, uint32_t *cum) {
    int32_t qmax = INT32_MIN;
    uint32_t best = 0;
    for (uint32_t i = 0; i < k; i++) {
        q[i] = quantize(l[i]);
        if (q[i] > qmax) { qmax = q[i]; best = i; }
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < k; i++) {
        int64_t e = ((int64_t)(qmax - q[i]) * 94548) >> 16;
        w[i] = (e >> 10) >= 32 ? 0 : (uint64_t)(table[e & 1023] >> (e >> 10));
        total += w[i];
    }
    const uint64_t m = 1ull << bits;
    const uint64_t r = ((m - k) << 40) / total;
    uint64_t sum = 0;
    cum[0] = 0;
    for (uint32_t i = 0; i < k; i++) {
        sum += 1 + ((w[i] * r) >> 40);
        cum[i + 1] = (uint32_t)sum;
    }
    const uint32_t remainder = (uint32_t)(m - sum);
    for (uint32_t i = best + 1; i <= k; i++) cum[i] += remainder;
}

int main(int argc, char **argv) {
    if (argc != 2) fail("usage: softmax_rans64_bench INPUT");
    FILE *f = fopen(argv[1], "rb");
    if (!f) fail("cannot open input");
    if (get_u32(f) != 0x42584D53u) fail("bad magic");
    const uint32_t bits = get_u32(f), k = get_u32(f), rows = get_u32(f), n = get_u32(f);
    const uint32_t repeats = get_u32(f), stream_words = get_u32(f);
    if (bits < 1 || bits > 24 || k < 1 || k > 65536 || k > (1u << bits) || rows < 1 || rows > 65536 ||
        n > (1u << 28) || stream_words > (1u << 28))
        fail("unsupported sizes");
    float *logits = malloc(sizeof(float) * (size_t)rows * k);
    uint16_t *which = malloc(sizeof(uint16_t) * (n + 1)), *syms = malloc(sizeof(uint16_t) * (n + 1));
    uint32_t *stream = malloc(sizeof(uint32_t) * (stream_words + 1));
    for (size_t i = 0; i < (size_t)rows * k; i++) { uint32_t b = get_u32(f); memcpy(&logits[i], &b, 4); }
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < n; i++) {
            uint8_t b[2];
            if (fread(b, 1, 2, f) != 2) fail("input truncated");
            (pass ? syms : which)[i] = (uint16_t)(b[0] | b[1] << 8);
        }
    for (uint32_t i = 0; i < stream_words; i++) stream[i] = get_u32(f);
    fclose(f);
    for (uint32_t i = 0; i < n; i++) if (which[i] >= rows || syms[i] >= k) fail("index out of range");
    for (int j = 0; j < 1024; j++) table[j] = (uint32_t)exp2_fraction((int64_t)j << 6);

    int32_t *q = malloc(sizeof(int32_t) * k);
    uint64_t *w = malloc(sizeof(uint64_t) * k);
    uint32_t *cum = malloc(sizeof(uint32_t) * (k + 1));
    uint16_t *out = malloc(sizeof(uint16_t) * (n + 1));
    double best_dec = 1e30;
    int ok = 1;
    for (uint32_t run = 0; run < (repeats ? repeats : 1); run++) {
        double t0 = thread_seconds();
        uint32_t *ptr = stream;
        Rans64State a, b;
        Rans64DecInit(&a, &ptr);
        Rans64DecInit(&b, &ptr);
        for (uint32_t i = 0; i < n; i++) {
            Rans64State *x = (i & 1) ? &b : &a;
            softmax_cdf(logits + (size_t)which[i] * k, k, bits, q, w, cum);
            uint32_t slot = Rans64DecGet(x, bits);
            uint32_t lo = 0, hi = k; /* largest s with cum[s] <= slot */
            while (hi - lo > 1) { uint32_t mid = (lo + hi) / 2; if (cum[mid] <= slot) lo = mid; else hi = mid; }
            out[i] = (uint16_t)lo;
            Rans64DecAdvance(x, &ptr, cum[lo], cum[lo + 1] - cum[lo], bits);
        }
        double t1 = thread_seconds();
        if (t1 - t0 < best_dec) best_dec = t1 - t0;
        ok &= memcmp(out, syms, sizeof(uint16_t) * n) == 0 && ptr == stream + stream_words;
    }
    printf("{\"decode_msym_s\": %.3f, \"decoded_ok\": %s}\n", n / best_dec / 1e6, ok ? "true" : "false");
    return ok ? 0 : 1;
}
