/*
 * Decode trees against a brute-force reference.
 *
 * The trees under test are *generated C*: gen_layouts ran vibegen's
 * emitters on random layouts (1..256 MMIO devices, port devices on x86,
 * RAM regions with max_size) and each machine.c was compiled in with its
 * symbols renamed. For every layout we probe 0, UINT64_MAX, every range
 * boundary and its neighbours, and random addresses, and compare the tree's
 * answer with a linear search over the same generated table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

#include "layouts.h"
#include "decode.h"

/* The reference: the obvious loop, overflow-safe (a range may end at 2^64). */
static int ref_dev(const struct vibe_machine_desc *m, enum vibe_space sp, uint64_t a)
{
	for (unsigned i = 0; i < m->ndevs; i++)
		if (m->devs[i].space == sp && a >= m->devs[i].base && a - m->devs[i].base < m->devs[i].size)
			return (int)i;
	return -1;
}

static int ref_ram(const struct vibe_machine_desc *m, uint64_t a)
{
	for (unsigned i = 0; i < m->nram; i++)
		if (a >= m->ram[i].base && a - m->ram[i].base < m->ram[i].max_size)
			return (int)i;
	return -1;
}

static uint64_t rng = 42;
static uint64_t rnd(void)
{
	rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
	return rng;
}

enum which { W_RAM, W_MMIO, W_PIO };

/* Probe one layout; returns the number of mismatches (each printed). */
static unsigned check_layout(unsigned k, enum which w, unsigned long *probes)
{
	const struct layout *L = &layouts[k];
	const struct vibe_machine_desc *m = L->m;
	unsigned bad = 0;
	uint64_t pts[16];

#define PROBE(addr) do { \
		uint64_t a_ = (addr); \
		int got = w == W_RAM ? L->ram(a_) : w == W_MMIO ? L->mmio(a_) : L->pio(a_); \
		int want = w == W_RAM ? ref_ram(m, a_) \
			: w == W_PIO && m->arch != VIBE_ARCH_X86_64 ? -1 \
			: ref_dev(m, w == W_MMIO ? VIBE_SPACE_MMIO : VIBE_SPACE_PIO, a_); \
		(*probes)++; \
		if (got != want && bad++ < 5) \
			print_error("layout %u (%s): %s(0x%llx) returned %d, reference says %d\n", k, \
				    m->source, w == W_RAM ? "ram" : w == W_MMIO ? "mmio" : "pio", \
				    (unsigned long long)a_, got, want); \
	} while (0)

	PROBE(0);
	PROBE(UINT64_MAX);
	/* Every boundary of every range of every kind, +-1: a tree that is off
	 * by one anywhere, or confuses spaces, fails here. */
	for (unsigned i = 0; i < m->nram + m->ndevs; i++) {
		uint64_t b = i < m->nram ? m->ram[i].base : m->devs[i - m->nram].base;
		uint64_t e = i < m->nram ? b + m->ram[i].max_size : b + m->devs[i - m->nram].size;
		unsigned n = 0;
		for (int d = -1; d <= 1; d++) {
			pts[n++] = b + (uint64_t)(int64_t)d;
			pts[n++] = e + (uint64_t)(int64_t)d;
		}
		for (unsigned j = 0; j < n; j++)
			PROBE(pts[j]);
		/* and somewhere inside */
		PROBE(b + (e - b) / 2);
	}
	for (unsigned j = 0; j < 2000; j++) {
		uint64_t r = rnd();
		PROBE(w == W_PIO ? r & 0xffff : r);
		if (m->ndevs)
			PROBE(m->devs[r % m->ndevs].base + (rnd() & 0x1fff) - 0x1000);
	}
#undef PROBE
	return bad;
}

static void check_all(enum which w)
{
	unsigned long probes = 0;
	unsigned bad = 0;
	for (unsigned k = 0; k < N_LAYOUTS; k++)
		bad += check_layout(k, w, &probes);
	print_message("%u layouts, %lu probes, %u mismatches\n", N_LAYOUTS, probes, bad);
	assert_int_equal(bad, 0);
}

static void mmio_tree_matches_linear_search(void **state) { (void)state; check_all(W_MMIO); }
static void pio_tree_matches_linear_search(void **state) { (void)state; check_all(W_PIO); }
static void ram_tree_matches_linear_search(void **state) { (void)state; check_all(W_RAM); }

/* The random layouts must actually span what the issue asks: 1 to 256
 * devices, port devices, a range at 0 and one ending at 2^64. */
static void layouts_cover_1_to_256_devices(void **state)
{
	(void)state;
	unsigned lo = ~0u, hi = 0, pio = 0, at0 = 0, attop = 0, arm = 0;
	for (unsigned k = 0; k < N_LAYOUTS; k++) {
		const struct vibe_machine_desc *m = layouts[k].m;
		unsigned n = 0;
		for (unsigned i = 0; i < m->ndevs; i++) {
			const struct vibe_dev_desc *d = &m->devs[i];
			if (d->space == VIBE_SPACE_PIO) {
				pio++;
				continue;
			}
			n++;
			at0 += d->base == 0;
			attop += d->base + d->size == 0;
		}
		lo = n < lo ? n : lo;
		hi = n > hi ? n : hi;
		arm += m->arch == VIBE_ARCH_ARM64;
	}
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 256);
	assert_true(pio > 0 && at0 > 0 && attop > 0 && arm > 0);
}

/* decode_build itself: merging and rejecting bad input. */
static void build_merges_adjacent_and_rejects_overlap(void **state)
{
	(void)state;
	struct dec_tree t;
	struct dec_range adj[] = { { 0x1000, 0x1000, 0, NULL }, { 0x2000, 0x1000, 1, NULL } };
	assert_int_equal(decode_build(adj, 2, &t), 0);
	assert_int_equal(t.nsegs, 4); /* gap, 0, 1, gap: no empty gap between */
	assert_int_equal(decode_depth(&t), 2);
	decode_free(&t);

	struct dec_range full[] = { { 0, 0x1000, 0, NULL }, { 0x1000, 0 - 0x1000ull, 1, NULL } };
	assert_int_equal(decode_build(full, 2, &t), 0);
	assert_int_equal(t.nsegs, 2); /* whole space covered: one compare */
	decode_free(&t);

	struct dec_range overlap[] = { { 0x1000, 0x1001, 0, NULL }, { 0x2000, 0x10, 1, NULL } };
	assert_int_equal(decode_build(overlap, 2, &t), -1);
	struct dec_range unsorted[] = { { 0x2000, 0x10, 0, NULL }, { 0x1000, 0x10, 1, NULL } };
	assert_int_equal(decode_build(unsorted, 2, &t), -1);
	struct dec_range empty[] = { { 0x2000, 0, 0, NULL } };
	assert_int_equal(decode_build(empty, 1, &t), -1);
	struct dec_range wraps[] = { { 0xfffffffffffff000ull, 0x2000, 0, NULL } };
	assert_int_equal(decode_build(wraps, 1, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mmio_tree_matches_linear_search),
		cmocka_unit_test(pio_tree_matches_linear_search),
		cmocka_unit_test(ram_tree_matches_linear_search),
		cmocka_unit_test(layouts_cover_1_to_256_devices),
		cmocka_unit_test(build_merges_adjacent_and_rejects_overlap),
	};
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
