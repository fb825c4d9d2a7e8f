/*
 * Numbers on the command line: addresses (0x10000, 65536) and sizes with
 * a binary suffix (128M, 1G, 512K, 2GiB). No sign, no overflow, no junk.
 */
#ifndef VIBE_PARSE_NUM_H
#define VIBE_PARSE_NUM_H

#include <stdint.h>

/* Plain number, base 0 (decimal, 0x hex, 0 octal). 0 or -1. */
int vibe_parse_u64(const char *s, uint64_t *out);
/* Number with an optional K/M/G/T suffix (powers of 1024), optionally
 * followed by "iB" or "B". 0 or -1. */
int vibe_parse_size(const char *s, uint64_t *out);

#endif
