/*
 * Randomized hostile rings for the virtqueue walker. A seeded generator
 * (VIBE_TEST_SEED overrides) fills the descriptor table, indirect tables
 * and avail ring with values biased towards boundaries. Whatever the walker
 * accepts must satisfy its guarantees (docs/internals/virtio.md); under
 * SAN=1 the sanitizers also watch every access it makes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vq_fixture.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13; /* xorshift64 */
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned hostility; /* percent of fields drawn from the hostile pool */

static int hostile(void)
{
	return rnd() % 100 < hostility;
}

static uint64_t pick_addr(void)
{
	static const uint64_t a[] = { BUF, FAKE_HOLE - 8, FAKE_HOLE, FAKE_R1, FAKE_R2 - 8,
		FAKE_R2, FAKE_END - 8, FAKE_END, FAKE_R3, FAKE_R3 + FAKE_R3_SIZE - 8,
		FAKE_R4, ~0ull - 7, ~0ull, ITAB, DESC, USED };
	if (!hostile())
		return rnd() % 8 ? BUF + rnd() % 0x8000 : FAKE_R3;
	return rnd() % 4 ? a[rnd() % (sizeof(a) / sizeof(a[0]))] + rnd() % 16 : rnd();
}

static uint32_t pick_len(uint64_t addr)
{
	static const uint32_t l[] = { 0, 1, 8, 16, 32, 48, 0x7fffffff, 0x80000000u,
		0xfffffff0u, 0xffffffffu };
	if (addr == FAKE_R3) /* large but in RAM: drives the 32-bit sums */
		return 0x40000000u + (uint32_t)(rnd() % 0x40000001u);
	if (!hostile())
		return 1 + rnd() % 64;
	return rnd() % 2 ? l[rnd() % (sizeof(l) / sizeof(l[0]))] : (uint32_t)(rnd() % 64);
}

static void random_table(uint64_t table, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t addr = pick_addr();
		uint16_t flags = (rnd() % 4 ? VIRTQ_DESC_F_NEXT : 0) | (rnd() % 2 ? VIRTQ_DESC_F_WRITE : 0);
		uint16_t next = (i + 1 + rnd() % 3) % n; /* mostly forward: long chains */
		if (rnd() % 16 == 0)
			flags = VIRTQ_DESC_F_INDIRECT, addr = ITAB + 16 * (rnd() % 4);
		uint32_t len = flags & VIRTQ_DESC_F_INDIRECT ? 16 * (1 + rnd() % 12) : pick_len(addr);
		if (hostile())
			flags = rnd() % 8;
		if (hostile())
			next = rnd() % (n + 2);
		if (hostile())
			len = pick_len(addr);
		set_desc(table, i, addr, len, flags, next);
	}
}

static void check_chain(unsigned iov_max)
{
	uint64_t out = 0, in = 0;
	assert_true(ch.n <= iov_max && ch.n_out <= ch.n);
	for (unsigned i = 0; i < ch.n; i++) {
		assert_true(fake_host_range_ok(iov[i].base, iov[i].len));
		assert_true(iov[i].len > 0);
		assert_int_equal(iov[i].writable, i >= ch.n_out);
		*(iov[i].writable ? &in : &out) += iov[i].len;
	}
	assert_int_equal(out, ch.out_len);
	assert_int_equal(in, ch.in_len);
	assert_true(ch.head < QSZ);
}

static void test_random_hostile_rings(void **s)
{
	const char *seed = getenv("VIBE_TEST_SEED");
	unsigned ok = 0, rounds = 50000, seen[VIRTQ_ERR_USED_ID + 1] = { 0 };

	rng_state = seed ? strtoull(seed, NULL, 0) | 1 : 0x9e3779b97f4a7c15ull;
	for (unsigned r = 0; r < rounds; r++) {
		static const unsigned levels[] = { 0, 1, 3, 10, 50 };
		uint64_t features = rnd() % 4 ? F_INDIRECT : 0;
		hostility = levels[rnd() % 5];
		assert_int_equal(virtq_setup(&vq, fake_vm, QSZ, DESC, AVAIL, USED, features), VIRTQ_OK);
		drv_avail_idx = 0;
		random_table(DESC, QSZ);
		random_table(ITAB, 16);
		for (unsigned i = 0; i < QSZ; i++)
			avail()->ring[i] = hostile() ? (uint16_t)rnd() : rnd() % QSZ;
		avail()->idx = hostile() ? (uint16_t)rnd() : 1 + rnd() % QSZ;
		unsigned iov_max = hostile() ? 1 + rnd() % 4 : 64;
		for (unsigned k = 0; k <= QSZ; k++) {
			enum virtq_err e = virtq_pop(&vq, iov, iov_max, &ch);
			if (e == VIRTQ_EMPTY)
				break;
			if (e != VIRTQ_OK) {
				assert_true(e > VIRTQ_EMPTY && e <= VIRTQ_ERR_USED_ID);
				seen[e]++;
				break;
			}
			check_chain(iov_max);
			assert_int_equal(virtq_push(&vq, ch.head, ch.in_len), VIRTQ_OK);
			ok++;
		}
	}
	/* The generator must keep reaching every outcome of the walk, or this
	 * test quietly stops testing: accepted chains and each pop error. */
	assert_true(ok > rounds / 4);
	for (int e = VIRTQ_ERR_AVAIL_IDX; e <= VIRTQ_ERR_INDIRECT_NEXT; e++) {
		if (!seen[e])
			print_error("random rings never produced: %s\n", virtq_strerror(e));
		assert_true(seen[e] > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_hostile_rings, setup, teardown),
	};
	return cmocka_run_group_tests_name("virtqueue_random", tests, NULL, NULL);
}
