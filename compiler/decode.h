/*
 * Decode trees: turn a set of sorted, disjoint address ranges into a
 * balanced binary decision tree over the range boundaries, and print it as
 * C (nested `if (a < CONST)` tests, no loops, no table loads) or Graphviz.
 *
 * The address space [0, 2^64) is cut into segments at every range start and
 * end; each segment maps to one range index or -1 (no range). Adjacent
 * segments with the same value are merged, so back-to-back ranges and gaps
 * cost nothing extra. A lookup then walks ceil(log2(segments)) levels, one
 * compare-and-branch per level, and returns a constant.
 */
#ifndef VIBEGEN_DECODE_H
#define VIBEGEN_DECODE_H

#include <stdint.h>
#include <stdio.h>

struct dec_range {
	uint64_t base;
	uint64_t size;       /* > 0; base + size may equal 2^64 (wraps to 0) */
	int index;           /* what the lookup returns for this range */
	const char *comment; /* leaf comment, e.g. "machines/virt.yaml:14: com1 (uart8250)" */
};

/* One segment [lo, next segment's lo) of the address space. */
struct dec_seg {
	uint64_t lo;
	int index;           /* -1: no range */
	const char *comment; /* NULL for gaps */
};

struct dec_tree {
	struct dec_seg *segs; /* segs[0].lo == 0; ascending lo */
	unsigned nsegs;       /* >= 1 */
	/* Rotation: when the first and last segments decode alike (typically
	 * both unmapped), the lookup first computes `off = addr - bias`
	 * (wrapping) and searches segs[first..] with boundaries lo - bias.
	 * Addresses below bias wrap into the last segment, so segs[0] needs no
	 * test of its own, and the rebased boundaries of a device window at,
	 * say, 0xd0000000 fit a 32-bit immediate: one instruction less per
	 * level on x86-64. decode_build chooses it only when it is cheaper. */
	unsigned first;       /* 0 (no rotation) or 1 */
	uint64_t bias;        /* segs[first].lo */
};

/* Build from ranges sorted by base and disjoint (the front end checks).
 * Returns 0, or -1 if the ranges are unsorted, overlapping, empty or out of
 * memory. */
int decode_build(const struct dec_range *r, unsigned n, struct dec_tree *t);
void decode_free(struct dec_tree *t);

/* Levels (compares) on the longest path from the root to a leaf. */
unsigned decode_depth(const struct dec_tree *t);

/* Write the body of `int fn(uint64_t var)` (the statements only, indented
 * by one tab), ending in a return on every path. */
int decode_emit_c(const struct dec_tree *t, const char *var, FILE *out);

/* Write Graphviz nodes and edges for the tree as a subgraph whose node
 * names start with `prefix`; the caller writes the enclosing digraph. */
int decode_emit_dot(const struct dec_tree *t, const char *prefix, const char *label, FILE *out);

#endif
