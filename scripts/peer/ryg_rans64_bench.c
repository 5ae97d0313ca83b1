/* Peer harness for `dcvc-bench entropy --ryg-rans BINARY` (spec/entropy-coding.md §10).
 *
 * Times ryg_rans's own rans64.h (https://github.com/rygorous/ryg_rans, public domain; copied
 * beside this file by scripts/build-ryg-rans.sh, never committed) on the symbols, frequency table
 * and stream that dcvc-bench wrote, with the interleaved two-state loops of ryg_rans's main64.cpp
 * (Rans64EncPutSymbol / Rans64DecAdvanceSymbolStep + Rans64DecRenorm, a cum2sym slot table).
 *
 * Input file, little-endian u32 unless stated:
 *   magic 0x42475952 ("RYGB"), bits, K, N, repeats, stream_words,
 *   cum[K + 1], symbols[N] (u16), stream[stream_words] (dcvc's encoder output)
 * Output: one JSON line on stdout. Times are thread CPU time, best of `repeats`.
 * Exit status 1 if the input is malformed or a round trip fails.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rans64.h"

#define PEER_NAME "ryg_rans64_bench"
#include "peer_io.h"

int main(int argc, char **argv) {
    if (argc != 2) fail("usage: ryg_rans64_bench INPUT");
    FILE *f = fopen(argv[1], "rb");
    if (!f) fail("cannot open input");
    if (get_u32(f) != 0x42475952u) fail("bad magic");
    const uint32_t bits = get_u32(f), k = get_u32(f), n = get_u32(f), repeats = get_u32(f);
    const uint32_t stream_words = get_u32(f);
    if (bits < 1 || bits > 16 || k < 1 || k > 256 || n > (1u << 28) || stream_words > (1u << 28))
        fail("unsupported sizes (needs bits <= 16, K <= 256: a uint8 cum2sym table as in main64.cpp)");
    uint32_t *cum = malloc(sizeof(uint32_t) * (k + 1));
    uint16_t *syms = malloc(sizeof(uint16_t) * (n + 1));
    uint32_t *ours = malloc(sizeof(uint32_t) * (stream_words + 1));
    for (uint32_t i = 0; i <= k; i++) cum[i] = get_u32(f);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b[2];
        if (fread(b, 1, 2, f) != 2) fail("input truncated");
        syms[i] = (uint16_t)(b[0] | b[1] << 8);
        if (syms[i] >= k) fail("symbol out of range");
    }
    for (uint32_t i = 0; i < stream_words; i++) ours[i] = get_u32(f);
    fclose(f);
    if (cum[0] != 0 || cum[k] != (1u << bits)) fail("cumulative table does not span 2^bits");

    const uint32_t prob_bits = bits, prob_scale = 1u << bits;
    uint8_t *cum2sym = malloc(prob_scale);
    Rans64EncSymbol *esyms = malloc(sizeof(Rans64EncSymbol) * k);
    Rans64DecSymbol *dsyms = malloc(sizeof(Rans64DecSymbol) * k);
    for (uint32_t s = 0; s < k; s++) {
        if (cum[s + 1] <= cum[s]) fail("zero or negative frequency");
        for (uint32_t i = cum[s]; i < cum[s + 1]; i++) cum2sym[i] = (uint8_t)s;
        Rans64EncSymbolInit(&esyms[s], cum[s], cum[s + 1] - cum[s], prob_bits);
        Rans64DecSymbolInit(&dsyms[s], cum[s], cum[s + 1] - cum[s]);
    }
    uint8_t *in_bytes = malloc(n + 1);
    for (uint32_t i = 0; i < n; i++) in_bytes[i] = (uint8_t)syms[i];
    uint8_t *dec_bytes = malloc(n + 1);
    const size_t in_size = n;
    const size_t out_max_elems = (size_t)n + 64;
    uint32_t *out_buf = malloc(sizeof(uint32_t) * out_max_elems);
    uint32_t *out_end = out_buf + out_max_elems;
    uint32_t *rans_begin = out_end;

    double best_enc = 1e30, best_dec = 1e30, best_dec_ours = 1e30;
    int decoded_ok = 1, ours_ok = 1;
    for (uint32_t run = 0; run < (repeats ? repeats : 1); run++) {
        /* ---- interleaved rANS encode, as in main64.cpp */
        double t0 = thread_seconds();
        Rans64State rans0, rans1;
        Rans64EncInit(&rans0);
        Rans64EncInit(&rans1);
        uint32_t *ptr = out_end;
        if (in_size & 1) {
            int s = in_bytes[in_size - 1];
            Rans64EncPutSymbol(&rans0, &ptr, &esyms[s], prob_bits);
        }
        for (size_t i = (in_size & ~(size_t)1); i > 0; i -= 2) {
            int s1 = in_bytes[i - 1];
            int s0 = in_bytes[i - 2];
            Rans64EncPutSymbol(&rans1, &ptr, &esyms[s1], prob_bits);
            Rans64EncPutSymbol(&rans0, &ptr, &esyms[s0], prob_bits);
        }
        Rans64EncFlush(&rans1, &ptr);
        Rans64EncFlush(&rans0, &ptr);
        rans_begin = ptr;
        double t1 = thread_seconds();
        if (t1 - t0 < best_enc) best_enc = t1 - t0;

        /* ---- interleaved rANS decode, as in main64.cpp; run on its own stream and on ours */
        for (int which = 0; which < 2; which++) {
            memset(dec_bytes, 0xcc, in_size);
            double t2 = thread_seconds();
            ptr = which == 0 ? rans_begin : ours;
            Rans64DecInit(&rans0, &ptr);
            Rans64DecInit(&rans1, &ptr);
            for (size_t i = 0; i < (in_size & ~(size_t)1); i += 2) {
                uint32_t s0 = cum2sym[Rans64DecGet(&rans0, prob_bits)];
                uint32_t s1 = cum2sym[Rans64DecGet(&rans1, prob_bits)];
                dec_bytes[i + 0] = (uint8_t)s0;
                dec_bytes[i + 1] = (uint8_t)s1;
                Rans64DecAdvanceSymbolStep(&rans0, &dsyms[s0], prob_bits);
                Rans64DecAdvanceSymbolStep(&rans1, &dsyms[s1], prob_bits);
                Rans64DecRenorm(&rans0, &ptr);
                Rans64DecRenorm(&rans1, &ptr);
            }
            if (in_size & 1) {
                uint32_t s0 = cum2sym[Rans64DecGet(&rans0, prob_bits)];
                dec_bytes[in_size - 1] = (uint8_t)s0;
                Rans64DecAdvanceSymbol(&rans0, &ptr, &dsyms[s0], prob_bits);
            }
            double t3 = thread_seconds();
            int ok = memcmp(in_bytes, dec_bytes, in_size) == 0;
            if (which == 0) { decoded_ok &= ok; if (t3 - t2 < best_dec) best_dec = t3 - t2; }
            else { ours_ok &= ok && ptr == ours + stream_words; if (t3 - t2 < best_dec_ours) best_dec_ours = t3 - t2; }
        }
    }
    const size_t words = (size_t)(out_end - rans_begin);
    const int identical = words == stream_words && memcmp(rans_begin, ours, 4 * words) == 0;
    printf("{\"encode_msym_s\": %.3f, \"decode_msym_s\": %.3f, \"decode_ours_msym_s\": %.3f, "
           "\"bytes\": %zu, \"stream_identical\": %s, \"decoded_ok\": %s, \"decoded_ours_ok\": %s}\n",
           n / best_enc / 1e6, n / best_dec / 1e6, n / best_dec_ours / 1e6, 4 * words,
           identical ? "true" : "false", decoded_ok ? "true" : "false", ours_ok ? "true" : "false");
    return decoded_ok && ours_ok ? 0 : 1;
}
