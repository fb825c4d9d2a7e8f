/* bench-decode: what the generated layouts file and the searches share. */
#ifndef BENCH_DECODE_H
#define BENCH_DECODE_H

#include <stdint.h>

struct bench_range { uint64_t base, size; };

struct bench_layout {
	unsigned n;
	const struct bench_range *ranges; /* sorted by base */
	int (*tree)(uint64_t);            /* vibegen's emitted tree */
};

#define BENCH_NLAYOUTS 4
extern const struct bench_layout bench_layouts[BENCH_NLAYOUTS];

/* The original design's find_device (seed internals.md), verbatim shape:
 * an array of device pointers walked in order. */
struct device { uint64_t base, size; int index; };
struct vm { int num_devices; struct device **devices; };
struct device *find_device(struct vm *vm, uint64_t addr);

/* A good binary search over a sorted array of [base, end). */
struct span { uint64_t base, end; };
int bsearch_span(const struct span *s, unsigned n, uint64_t addr);

#endif
