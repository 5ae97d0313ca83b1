/* Input and timing helpers shared by the peer harnesses in scripts/peer/ (copied beside them by
 * scripts/build-ryg-rans.sh). Each harness defines PEER_NAME, the prefix of its error messages,
 * before including this file. */
#ifndef PEER_IO_H
#define PEER_IO_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void fail(const char *why) { fprintf(stderr, PEER_NAME ": %s\n", why); exit(1); }

/* Thread CPU time: the peers are timed as our single-threaded decoder is. */
static double thread_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One little-endian u32 of the input file. */
static uint32_t get_u32(FILE *f) {
    uint8_t b[4];
    if (fread(b, 1, 4, f) != 4) fail("input truncated");
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

#endif
