/*
 * Guest stage-1 walk: page tables are built in fake guest RAM (fake_ram.c
 * stands in for guest_ptr()), then translated. Covers 4-level pages,
 * 1 GiB and 2 MiB blocks, TTBR1, short VA sizes (start level 1 and 2),
 * TBI/TBID, EPD, 16K and 64K granules, reserved granules and LPA2,
 * address size faults, big-endian
 * walks, and tables pointing outside RAM, which must fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/s1walk.h"
#include "fake_ram.h"

#define RAM_BASE   0x40000000ull
#define RAM_SIZE   0x01000000ull       /* 16 MiB */
#define TABLES     (RAM_BASE + 0x100000)
#define NOT_RAM    0x90000000ull

/* T0SZ = T1SZ = 16 (48-bit VAs), TG0 = 4K (00), TG1 = 4K (10), IPS = 48 bits */
#define TCR_48     (16ull | 16ull << 16 | 2ull << 30 | 5ull << 32)
#define SCTLR_M    1ull
#define SCTLR_EE   (1ull << 25)
#define PAGE_DESC  0x403ull    /* AF | page (bits[1:0] = 11) */
#define BLOCK_DESC 0x401ull    /* AF | block (bits[1:0] = 01) */
#define TABLE_DESC 0x3ull

static uint64_t next_table;
static bool big_endian;

static void put(uint64_t gpa, uint64_t v)
{
	fake_put64(gpa, big_endian ? __builtin_bswap64(v) : v);
}

static uint64_t getd(uint64_t gpa)
{
	uint64_t v = fake_get64(gpa);
	return big_endian ? __builtin_bswap64(v) : v;
}

static uint64_t new_table(void)
{
	uint64_t t = next_table;
	next_table += 0x1000;
	return t;
}

/* Descend from a level-0 root to `level`, creating tables; returns the
 * address of the entry for va at that level. */
static uint64_t entry(uint64_t root, uint64_t va, unsigned level)
{
	uint64_t table = root;
	for (unsigned l = 0; ; l++) {
		uint64_t e = table + ((va >> (39 - 9 * l)) & 511) * 8;
		if (l == level)
			return e;
		if (!(getd(e) & 1))
			put(e, new_table() | TABLE_DESC);
		table = getd(e) & 0x0000fffffffff000ull;
	}
}

static void map_page(uint64_t root, uint64_t va, uint64_t pa)
{
	put(entry(root, va, 3), pa | PAGE_DESC);
}

static void map_block(uint64_t root, uint64_t va, uint64_t pa, unsigned level)
{
	put(entry(root, va, level), pa | BLOCK_DESC);
}

static int setup(void **state)
{
	(void)state;
	fake_ram_reset();
	fake_ram_add(RAM_BASE, RAM_SIZE);
	next_table = TABLES;
	big_endian = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_ram_reset();
	return 0;
}

static struct arm64_s1_regs regs48(uint64_t ttbr0, uint64_t ttbr1)
{
	struct arm64_s1_regs s = { .sctlr = SCTLR_M, .tcr = TCR_48, .ttbr0 = ttbr0, .ttbr1 = ttbr1 };
	return s;
}

static void expect_ok(const struct arm64_s1_regs *s, uint64_t va, bool fetch, uint64_t ipa, int level)
{
	struct arm64_s1_result r;
	int rc = arm64_s1_translate(fake_vm(), s, va, fetch, &r);
	if (rc)
		print_error("va %llx: %s (%s)\n", (unsigned long long)va,
			    arm64_s1_status_name(r.status), r.why);
	assert_int_equal(rc, 0);
	assert_int_equal(r.status, ARM64_S1_OK);
	assert_int_equal(r.ipa, ipa);
	assert_int_equal(r.level, level);
}

static void expect_fail(const struct arm64_s1_regs *s, uint64_t va, bool fetch,
			enum arm64_s1_status st, int level)
{
	struct arm64_s1_result r;
	assert_int_equal(arm64_s1_translate(fake_vm(), s, va, fetch, &r), -1);
	print_message("  va %016llx -> %s, level %d: %s\n", (unsigned long long)va,
		      arm64_s1_status_name(r.status), r.level, r.why);
	assert_int_equal(r.status, st);
	assert_int_equal(r.level, level);
	assert_non_null(r.why);
}

static void test_mmu_off(void **state)
{
	struct arm64_s1_regs s = { 0 };
	(void)state;
	s.ttbr0 = NOT_RAM;   /* ignored with the MMU off */
	expect_ok(&s, 0x40001234, false, 0x40001234, 0);
	expect_ok(&s, 0xffffffffffffull, true, 0xffffffffffffull, 0);
	expect_fail(&s, 1ull << 48, false, ARM64_S1_ADDR_SIZE, 0);
	assert_int_equal(fake_ram_calls, 0);   /* no walk, no reads */
}

static void test_four_levels_and_blocks(void **state)
{
	uint64_t root = new_table(), root1 = new_table();
	struct arm64_s1_regs s = regs48(root, root1);
	(void)state;

	map_page(root, 0x0000123456789000ull, 0x40abc000);
	map_block(root, 0x0000000040200000ull, 0x40400000, 2);      /* 2 MiB */
	map_block(root, 0x0000000080000000ull, 0x40000000, 1);      /* 1 GiB */
	map_page(root1, 0xffff000000001000ull, 0x40def000);
	map_page(root1, 0xfffffffffffff000ull, 0x40001000);         /* last page */

	expect_ok(&s, 0x0000123456789123ull, false, 0x40abc123, 3);
	expect_ok(&s, 0x0000123456789ffcull, true, 0x40abcffc, 3);
	expect_ok(&s, 0x00000000402fedcbull, false, 0x404fedcb, 2);
	expect_ok(&s, 0x0000000092345678ull, false, 0x52345678, 1);
	expect_ok(&s, 0xffff000000001008ull, false, 0x40def008, 3);
	expect_ok(&s, 0xfffffffffffffff8ull, false, 0x40001ff8, 3);
	/* each level read once: 4 reads for a page */
	fake_ram_calls = 0;
	expect_ok(&s, 0x0000123456789000ull, false, 0x40abc000, 3);
	assert_int_equal(fake_ram_calls, 4);

	/* unmapped neighbours: invalid entry at the level where they part */
	expect_fail(&s, 0x000012345678a000ull, false, ARM64_S1_TRANSLATION, 3);
	expect_fail(&s, 0x0000123456a00000ull, false, ARM64_S1_TRANSLATION, 2);
	expect_fail(&s, 0x0000124000000000ull, false, ARM64_S1_TRANSLATION, 1);
	expect_fail(&s, 0x0000800000000000ull - 0x1000, false, ARM64_S1_TRANSLATION, 0);
}

static void test_va_range_tbi_epd(void **state)
{
	uint64_t root = new_table(), root1 = new_table();
	struct arm64_s1_regs s = regs48(root, root1);
	(void)state;

	map_page(root, 0x12345000, 0x40005000);
	/* bits [63:48] neither all 0 nor all 1: out of range */
	expect_fail(&s, 0x0001000012345000ull, false, ARM64_S1_TRANSLATION, 0);
	expect_fail(&s, 0x5a00000012345000ull, false, ARM64_S1_TRANSLATION, 0);
	expect_fail(&s, 0xfeff000000001000ull, false, ARM64_S1_TRANSLATION, 0);
	/* TBI0: the top byte is ignored for data ... */
	s.tcr |= 1ull << 37;
	expect_ok(&s, 0x5a00000012345678ull, false, 0x40005678, 3);
	expect_ok(&s, 0x5a00000012345678ull, true, 0x40005678, 3);
	/* ... and with TBID0 not for instruction fetches */
	s.tcr |= 1ull << 51;
	expect_ok(&s, 0x5a00000012345678ull, false, 0x40005678, 3);
	expect_fail(&s, 0x5a00000012345678ull, true, ARM64_S1_TRANSLATION, 0);
	/* VA[55] still selects TTBR1 under TBI: 0x00ff... is a TTBR1 address */
	s.tcr |= 1ull << 38;   /* TBI1 */
	map_page(root1, 0xffff000000002000ull, 0x40002000);
	expect_ok(&s, 0x00ff000000002010ull, false, 0x40002010, 3);
	/* EPD0 / EPD1 turn walks from that TTBR into faults */
	s.tcr |= 1ull << 7;
	expect_fail(&s, 0x12345000, false, ARM64_S1_TRANSLATION, 0);
	expect_ok(&s, 0xffff000000002000ull, false, 0x40002000, 3);
	s.tcr |= 1ull << 23;
	expect_fail(&s, 0xffff000000002000ull, false, ARM64_S1_TRANSLATION, 0);
}

static void test_short_va_sizes(void **state)
{
	/* gaps between the tables, so an index of the wrong width cannot
	 * run on from one table into the next and land on a right answer */
	uint64_t l1, l2, l3;
	struct arm64_s1_regs s;
	(void)state;

	l1 = new_table();
	new_table();
	l2 = new_table();
	new_table();
	l3 = new_table();
	s = regs48(l1, 0);

	/* T0SZ 25: 39-bit VA, start at level 1 with 512 entries */
	s.tcr = (s.tcr & ~0x3full) | 25;
	put(l1 + 5 * 8, l2 | TABLE_DESC);
	put(l2 + 7 * 8, l3 | TABLE_DESC);
	put(l3 + 9 * 8, 0x40777000 | PAGE_DESC);
	expect_ok(&s, 5ull << 30 | 7ull << 21 | 9ull << 12 | 0x42, false, 0x40777042, 3);
	expect_fail(&s, 1ull << 39, false, ARM64_S1_TRANSLATION, 0);   /* above 39 bits */

	/* T0SZ 33: 31-bit VA, start at level 1 with just 2 entries */
	s.tcr = (s.tcr & ~0x3full) | 33;
	put(l1 + 1 * 8, l2 | TABLE_DESC);
	expect_ok(&s, 1ull << 30 | 7ull << 21 | 9ull << 12, false, 0x40777000, 3);

	/* T0SZ 34: 30-bit VA, start at level 2 */
	s.tcr = (s.tcr & ~0x3full) | 34;
	s.ttbr0 = l2;
	expect_ok(&s, 7ull << 21 | 9ull << 12 | 0xabc, false, 0x40777abc, 3);

	/* T0SZ 60 is clamped to 39 (25-bit VA, start level 2, 16 entries) */
	s.tcr = (s.tcr & ~0x3full) | 60;
	expect_ok(&s, 7ull << 21 | 9ull << 12, false, 0x40777000, 3);
	expect_fail(&s, 1ull << 25, false, ARM64_S1_TRANSLATION, 0);
}

static void test_unsupported_configs(void **state)
{
	uint64_t root = new_table();
	struct arm64_s1_regs s = regs48(root, root);
	(void)state;

	map_page(root, 0x1000, 0x40001000);
	s.tcr |= 3ull << 14;                      /* TG0 = 11: reserved */
	expect_fail(&s, 0x1000, false, ARM64_S1_UNSUPPORTED, 0);
	s.tcr = TCR_48 & ~(3ull << 30);           /* TG1 = 00: reserved */
	expect_fail(&s, 0xffff000000001000ull, false, ARM64_S1_UNSUPPORTED, 0);
	expect_ok(&s, 0x1000, false, 0x40001000, 3); /* TTBR0's half is still fine */
	s.tcr = TCR_48 | 1ull << 59;              /* DS: LPA2 */
	expect_fail(&s, 0x1000, false, ARM64_S1_UNSUPPORTED, 0);
	s.tcr = TCR_48;
	expect_ok(&s, 0x1000, false, 0x40001000, 3);
}

/* A table of `size` bytes aligned to it, from the same pool. */
static uint64_t new_table_sized(uint64_t size)
{
	uint64_t t = (next_table + size - 1) & ~(size - 1);
	next_table = t + size;
	return t;
}

/* 16 KiB granule, 48-bit VAs: level 0 resolves VA[47] alone, then 11 bits
 * per level; 32 MiB blocks at level 2, no blocks at level 1. Same tables
 * through TTBR1 (TG1 = 01 is 16K there). */
static void test_granule_16k(void **state)
{
	const uint64_t k16 = 0x4000;
	uint64_t t0 = new_table_sized(k16), t1 = new_table_sized(k16);
	uint64_t t2 = new_table_sized(k16), t3 = new_table_sized(k16);
	uint64_t va = 0x812345678abcull, vb = va + (5ull << 25), vc = va ^ (1ull << 36);
	struct arm64_s1_regs s = regs48(t0, t0);
	(void)state;

	s.tcr = 16ull | 16ull << 16 | 2ull << 14 | 1ull << 30 | 5ull << 32;
	put(t0 + ((va >> 47) & 1) * 8, t1 | TABLE_DESC);
	put(t1 + ((va >> 36) & 0x7ff) * 8, t2 | TABLE_DESC);
	put(t2 + ((va >> 25) & 0x7ff) * 8, t3 | TABLE_DESC);
	put(t3 + ((va >> 14) & 0x7ff) * 8, 0x40ffc000ull | PAGE_DESC);
	expect_ok(&s, va, false, 0x40ffc000ull | (va & 0x3fff), 3);
	expect_ok(&s, 0xffff000000000000ull | va, false, 0x40ffc000ull | (va & 0x3fff), 3);
	put(t2 + ((vb >> 25) & 0x7ff) * 8, 0x42000000ull | BLOCK_DESC);
	expect_ok(&s, vb, false, 0x42000000ull | (vb & 0x1ffffff), 2);
	put(t1 + ((vc >> 36) & 0x7ff) * 8, 0x1000000000ull | BLOCK_DESC);
	expect_fail(&s, vc, false, ARM64_S1_TRANSLATION, 1); /* L1 block needs LPA2 */
	/* With 4K tables the same VA walks something else entirely. */
	s.tcr = TCR_48;
	expect_fail(&s, va, false, ARM64_S1_TRANSLATION, 0);
}

/* 64 KiB granule, 48-bit VAs: the walk starts at level 1 with 6 bits,
 * then 13 bits per level; 512 MiB blocks at level 2. Also a 42-bit VA
 * space that starts at level 2. */
static void test_granule_64k(void **state)
{
	const uint64_t k64 = 0x10000;
	uint64_t t1 = new_table_sized(k64), t2 = new_table_sized(k64), t3 = new_table_sized(k64);
	uint64_t va = 0x7edcba987654ull, vb = va ^ (3ull << 29);
	struct arm64_s1_regs s = regs48(t1, 0);
	(void)state;

	s.tcr = 16ull | 1ull << 14 | 2ull << 30 | 5ull << 32;   /* TG0 = 01: 64K */
	put(t1 + ((va >> 42) & 0x3f) * 8, t2 | TABLE_DESC);
	put(t2 + ((va >> 29) & 0x1fff) * 8, t3 | TABLE_DESC);
	/* Bits [15:12] of a 64K page descriptor are PA[51:48] with FEAT_LPA
	 * only: ignored here, so they must not leak into the IPA. */
	put(t3 + ((va >> 16) & 0x1fff) * 8, 0x40ff0000ull | 0xf000 | PAGE_DESC);
	expect_ok(&s, va, false, 0x40ff0000ull | (va & 0xffff), 3);
	put(t2 + ((vb >> 29) & 0x1fff) * 8, 0x40000000ull | BLOCK_DESC);
	expect_ok(&s, vb, false, 0x40000000ull | (vb & 0x1fffffff), 2);

	/* T0SZ = 22: 42-bit VAs, level 2 resolves VA[41:29] first. */
	s.tcr = (s.tcr & ~0x3full) | 22;
	s.ttbr0 = t2;
	expect_ok(&s, va & ((1ull << 42) - 1), false, 0x40ff0000ull | (va & 0xffff), 3);
	expect_fail(&s, 1ull << 42, false, ARM64_S1_TRANSLATION, 0); /* outside the range */
}

static void test_bad_descriptors(void **state)
{
	uint64_t root = new_table();
	struct arm64_s1_regs s = regs48(root, 0);
	uint64_t e;
	(void)state;

	/* level 3 entry with bits[1:0] = 01 is reserved */
	e = entry(root, 0x2000, 3);
	put(e, 0x40002000 | BLOCK_DESC);
	expect_fail(&s, 0x2000, false, ARM64_S1_TRANSLATION, 3);
	/* a block at level 0 needs LPA2 */
	put(root + 1 * 8, 0x40000000 | BLOCK_DESC);
	expect_fail(&s, 1ull << 39, false, ARM64_S1_TRANSLATION, 0);
	/* output address above IPS (32 bits here) */
	map_page(root, 0x3000, 0x100000000ull);
	s.tcr &= ~(7ull << 32);
	expect_fail(&s, 0x3000, false, ARM64_S1_ADDR_SIZE, 3);
	/* OA bits [51:48] set with a 48-bit PA */
	s.tcr = TCR_48;
	put(entry(root, 0x4000, 3), 0x000f000040004000ull | PAGE_DESC);
	expect_fail(&s, 0x4000, false, ARM64_S1_ADDR_SIZE, 3);
	/* next-level table above the PA size */
	put(entry(root, 0x40000000, 1), 0x000f000000000000ull | TABLE_DESC);
	expect_fail(&s, 0x40000000, false, ARM64_S1_ADDR_SIZE, 1);
	/* TTBR base above a 32-bit IPS */
	s.tcr &= ~(7ull << 32);
	s.ttbr0 = 0x100000000ull;
	expect_fail(&s, 0x1000, false, ARM64_S1_ADDR_SIZE, 0);
}

static void test_tables_outside_ram(void **state)
{
	uint64_t root = new_table();
	struct arm64_s1_regs s = regs48(root, NOT_RAM);
	struct arm64_s1_result r;
	(void)state;

	/* a table descriptor pointing at MMIO: fails at the next level */
	put(entry(root, 0x5000, 2), NOT_RAM | TABLE_DESC);
	fake_ram_misses = 0;
	expect_fail(&s, 0x5000, false, ARM64_S1_NOT_RAM, 3);
	assert_int_equal(fake_ram_misses, 1);
	arm64_s1_translate(fake_vm(), &s, 0x5000, false, &r);
	assert_int_equal(r.desc_addr, NOT_RAM + 5 * 8);
	/* TTBR1 itself outside RAM */
	expect_fail(&s, 0xffff000000000000ull, false, ARM64_S1_NOT_RAM, 0);
	/* a 4-byte region: an 8-byte descriptor read must not half-fit */
	fake_ram_add(0x70000000, 4);
	put(entry(root, 0x6000, 2), 0x70000000 | TABLE_DESC);
	expect_fail(&s, 0x6000 & ~0x1fffffull, false, ARM64_S1_NOT_RAM, 3);
	/* a table descriptor pointing back at its own table ends after level 3
	 * (the walk is bounded), treating the entry as a page */
	uint64_t l2 = getd(entry(root, 0x5000, 1)) & 0xfffffffff000ull;
	put(l2 + 3 * 8, l2 | TABLE_DESC);
	expect_ok(&s, 3ull << 21 | 3ull << 12 | 0x10, false, l2 + 0x10, 3);
}

static void test_big_endian_walk(void **state)
{
	uint64_t root;
	struct arm64_s1_regs s;
	(void)state;

	big_endian = true;
	root = new_table();
	s = regs48(root, 0);
	map_page(root, 0x7000, 0x40345000);
	expect_fail(&s, 0x7000, false, ARM64_S1_TRANSLATION, 0);  /* read as LE: garbage */
	s.sctlr |= SCTLR_EE;
	expect_ok(&s, 0x7abc, false, 0x40345abc, 3);
}

static void test_fetch(void **state)
{
	uint64_t root = new_table();
	struct arm64_s1_regs s = { 0 };
	struct arm64_s1_result r;
	uint32_t insn = 0;
	(void)state;

	fake_put32(0x40001000, 0xf9400020);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, 0x40001000, &insn, &r), 0);
	assert_int_equal(insn, 0xf9400020);
	assert_true(r.mmu_off);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, 0x40001002, &insn, &r), -1);
	assert_int_equal(r.status, ARM64_S1_MISALIGNED);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, NOT_RAM, &insn, &r), -1);
	assert_int_equal(r.status, ARM64_S1_NOT_RAM);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, RAM_BASE + RAM_SIZE - 4, &insn, &r), 0);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, RAM_BASE + RAM_SIZE, &insn, &r), -1);

	/* MMU on, big-endian tables and data (EE): instructions stay
	 * little-endian */
	big_endian = true;
	s = regs48(root, 0);
	s.sctlr |= SCTLR_EE;
	map_page(root, 0xffff0000ull, 0x40001000);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, 0xffff0000ull, &insn, &r), 0);
	assert_int_equal(insn, 0xf9400020);
	assert_int_equal(r.ipa, 0x40001000);
	/* mapped VA whose page is not RAM */
	map_page(root, 0xfffe0000ull, NOT_RAM);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, 0xfffe0000ull, &insn, &r), -1);
	assert_int_equal(r.status, ARM64_S1_NOT_RAM);
	assert_int_equal(arm64_fetch_insn(fake_vm(), &s, 0xfffd0000ull, &insn, &r), -1);
	assert_int_equal(r.status, ARM64_S1_TRANSLATION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mmu_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_four_levels_and_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_va_range_tbi_epd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_va_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_configs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_granule_16k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_granule_64k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_endian_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch, setup, teardown),
	};
	return cmocka_run_group_tests_name("arm64 stage-1 walk", tests, NULL, NULL);
}
