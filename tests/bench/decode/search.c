/*
 * The two baselines for bench-decode, in their own translation unit so the
 * compiler cannot specialise them for the benchmark's tables (they get the
 * tables through pointers at run time, as a real VMM would).
 */
#include "bench.h"

#include <stddef.h>

/* Copied from the original design (seed internals.md). */
__attribute__((noinline)) struct device *find_device(struct vm *vm, uint64_t addr)
{
	for (int i = 0; i < vm->num_devices; i++) {
		struct device *dev = vm->devices[i];
		if (addr >= dev->base && addr < dev->base + dev->size) {
			return dev;
		}
	}
	return NULL;
}

/* Last span whose base <= addr, then one bounds check: the usual way to
 * search sorted, disjoint ranges. */
__attribute__((noinline)) int bsearch_span(const struct span *s, unsigned n, uint64_t addr)
{
	unsigned lo = 0, hi = n;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (addr < s[mid].base)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo == 0 || addr >= s[lo - 1].end)
		return -1;
	return (int)(lo - 1);
}
