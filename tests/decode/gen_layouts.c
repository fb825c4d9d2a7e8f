/*
 * Test generator: random machine layouts (1..256 MMIO devices, 0..40 port
 * devices, 1..4 RAM regions) compiled by vibegen's real emitters into
 * OUT/lN/machine.{c,h}, plus OUT/layouts.h naming them all. The Makefile
 * compiles each machine.c with its symbols renamed (vibe_machine ->
 * vibe_machine_N, ...), so test_decode.c can check every generated tree
 * against a linear search over the generated table.
 *
 * usage: gen_layouts OUTDIR COUNT [SEED]
 */
#include "model.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct dev_type null_type = {
	.name = "null", .c_ident = "null",
	.arch_mask = 1u << M_ARCH_X86_64 | 1u << M_ARCH_ARM64,
	.space_mask = 1u << M_SPACE_MMIO | 1u << M_SPACE_PIO,
	.align = 1, .doc = "test placeholder",
};

static uint64_t rng;

static uint64_t next(void) /* splitmix64: deterministic for a seed */
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n) { return n ? next() % n : 0; }

static uint64_t pick_size(void)
{
	switch (below(6)) {
	case 0: return 1;
	case 1: return 0x200;
	case 2: return 0x1000;
	case 3: return 1ull << below(31);
	default: return 1 + below(0x10000);
	}
}

static uint64_t pick_gap(void)
{
	switch (below(5)) {
	case 0: case 1: return 0; /* back to back: exercises segment merging */
	case 2: return 1 + below(0x1000);
	case 3: return 0x1000 * below(16);
	default: return below(1ull << 32);
	}
}

/* n ranges laid out upward from start; `to_top` stretches the last one to
 * end exactly at 2^64. Returns how many fit below `limit` (exclusive, 0 =
 * 2^64). */
static unsigned lay_out(uint64_t *base, uint64_t *size, unsigned n, uint64_t start,
			uint64_t limit, int to_top, uint64_t (*size_fn)(void), uint64_t (*gap_fn)(void))
{
	uint64_t pos = start;
	unsigned i;
	for (i = 0; i < n; i++) {
		uint64_t s = size_fn(), g = i ? gap_fn() : 0;
		/* limit 0 means 2^64: the subtraction wraps to the room left. */
		uint64_t room = limit == 0 && pos == 0 ? UINT64_MAX : limit - pos;
		if (g >= room || s > room - g || (limit == 0 && pos + g + s == 0))
			break;
		base[i] = pos + g;
		size[i] = s;
		pos = base[i] + s;
	}
	if (to_top && i > 0 && limit == 0)
		size[i - 1] = 0 - base[i - 1];
	return i;
}

static uint64_t pio_size(void) { return 1 + below(16); }
static uint64_t pio_gap(void) { return below(3) ? 0 : below(0x200); }
static uint64_t ram_size(void) { return 0x1000 * (1 + below(1u << 18)); }
static uint64_t ram_gap(void) { return below(2) ? 0 : 0x1000 * below(1u << 18); }

static int write_file(const char *path, int (*fn)(const struct machine *, FILE *),
		      const struct machine *m)
{
	FILE *f = fopen(path, "w");
	if (!f || fn(m, f) || fclose(f)) {
		fprintf(stderr, "gen_layouts: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* Device counts that must be covered: the ends and around powers of two. */
static const unsigned fixed_n[] = { 1, 256, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33,
				    63, 64, 65, 127, 128, 129, 255 };

static int gen_one(const char *dir, unsigned k)
{
	static uint64_t b[512], s[512];
	static struct m_dev devs[512];
	static struct m_ram ram[4];
	static char names[512][16], rnames[4][16], file[64];
	struct machine m = { 0 };
	char path[4096];
	unsigned nf = sizeof fixed_n / sizeof fixed_n[0];
	unsigned want = k < nf ? fixed_n[k] : 1 + (unsigned)below(256);
	int x86 = k % 3 != 2;

	snprintf(file, sizeof file, "tests/decode/layout-%u.yaml", k);
	m.file = file;
	m.name = file + 13;
	strcpy(m.sha256, "0");
	m.arch = x86 ? M_ARCH_X86_64 : M_ARCH_ARM64;
	m.phys_bits = 64;
	m.nvcpus = 1;

	/* MMIO: anywhere in 64 bits; some layouts start at 0 or end at 2^64. */
	uint64_t start = k % 5 == 1 ? 0 : below(1ull << 63);
	unsigned nm = lay_out(b, s, want, start, 0, k % 5 == 2, pick_size, pick_gap);
	for (unsigned i = 0; i < nm; i++)
		devs[m.ndevs++] = (struct m_dev){ .type = &null_type, .space = M_SPACE_MMIO,
			.base = b[i], .size = s[i], .irq = -1, .loc = { (int)i + 1, 3 } };
	if (x86) {
		unsigned np = lay_out(b, s, (unsigned)below(41), below(0x100), 0x10000, 0,
				      pio_size, pio_gap);
		for (unsigned i = 0; i < np; i++)
			devs[m.ndevs++] = (struct m_dev){ .type = &null_type, .space = M_SPACE_PIO,
				.base = b[i], .size = s[i], .irq = -1, .loc = { 300 + (int)i, 3 } };
	}
	for (unsigned i = 0; i < m.ndevs; i++) {
		snprintf(names[i], sizeof names[i], "%s%u", devs[i].space == M_SPACE_PIO ? "p" : "d", i);
		devs[i].name = names[i];
	}
	m.devs = devs;

	unsigned nr = lay_out(b, s, 1 + (unsigned)below(4), k % 2 ? 0 : 0x1000 * below(1u << 20),
			      0, 0, ram_size, ram_gap);
	for (unsigned i = 0; i < nr; i++) {
		snprintf(rnames[i], sizeof rnames[i], "r%u", i);
		uint64_t grow = below(2) ? 0 : 0x1000 * below(1u << 10);
		if (i + 1 < nr && b[i] + s[i] + grow > b[i + 1])
			grow = b[i + 1] - b[i] - s[i];
		ram[i] = (struct m_ram){ .name = rnames[i], .base = b[i], .size = s[i],
			.max_size = s[i] + grow, .flags = grow ? M_RAM_RESIZABLE : 0,
			.loc = { 200 + (int)i, 3 } };
	}
	m.nram = nr;
	m.ram = ram;

	snprintf(path, sizeof path, "%s/l%u", dir, k);
	if (mkdir(path, 0777) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof path, "%s/l%u/machine.c", dir, k);
	if (write_file(path, emit_machine_c, &m))
		return -1;
	snprintf(path, sizeof path, "%s/l%u/machine.h", dir, k);
	return write_file(path, emit_machine_h, &m);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: gen_layouts OUTDIR COUNT [SEED]\n");
		return 1;
	}
	unsigned n = (unsigned)strtoul(argv[2], NULL, 0);
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 0x5eed;
	char path[4096];
	if (mkdir(argv[1], 0777) && errno != EEXIST)
		return 1;
	for (unsigned k = 0; k < n; k++) {
		rng = seed * 1000003u + k;
		if (gen_one(argv[1], k))
			return 1;
	}
	snprintf(path, sizeof path, "%s/layouts.h", argv[1]);
	FILE *f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "/* Generated by gen_layouts: the random layouts under test. */\n"
		   "#include \"vibe/machine.h\"\n#define N_LAYOUTS %u\n", n);
	for (unsigned k = 0; k < n; k++)
		fprintf(f, "extern const struct vibe_machine_desc vibe_machine_%u;\n"
			   "int vibe_decode_ram_%u(uint64_t);\nint vibe_decode_mmio_%u(uint64_t);\n"
			   "int vibe_decode_pio_%u(uint64_t);\n", k, k, k, k);
	fputs("static const struct layout {\n\tconst struct vibe_machine_desc *m;\n"
	      "\tint (*ram)(uint64_t), (*mmio)(uint64_t), (*pio)(uint64_t);\n} layouts[] = {\n", f);
	for (unsigned k = 0; k < n; k++)
		fprintf(f, "\t{ &vibe_machine_%u, vibe_decode_ram_%u, vibe_decode_mmio_%u, vibe_decode_pio_%u },\n",
			k, k, k, k);
	fputs("};\n", f);
	return fclose(f) ? 1 : 0;
}
