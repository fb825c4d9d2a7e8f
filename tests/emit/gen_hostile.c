/*
 * Writes OUT/machine.{c,h,mk} for a machine full of hostile strings
 * (hostile.h) and colliding names, through vibegen's real emitters.
 * usage: gen_hostile OUTDIR
 */
#include "model.h"
#include "hostile.h"

#include <string.h>

static const struct prop_def no_props[] = { { 0 } };
static const struct dev_type t_null = {
	.name = "null", .c_ident = "null", .arch_mask = 6, .space_mask = 6,
	.align = 1, .props = no_props, .doc = "test",
};

static int put(const char *dir, const char *name, int (*fn)(const struct machine *, FILE *),
	       const struct machine *m)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fn(m, f) || fclose(f)) {
		fprintf(stderr, "gen_hostile: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct m_prop props[] = {
		{ .key = "path", .kind = M_PROP_STR, .s = H_PROP, .loc = { 9, 5 } },
		{ .key = "k\"ey", .kind = M_PROP_U64, .u = UINT64_MAX },
		{ .key = "flag", .kind = M_PROP_BOOL, .u = 1 },
	};
	static struct m_dev devs[] = {
		{ .name = H_DEV0, .type = &t_null, .space = M_SPACE_MMIO, .base = 0xd0000000,
		  .size = 0x200, .irq = 5, .auto_base = true, .props = props, .nprops = 3, .loc = { 8, 3 } },
		{ .name = H_DEV1, .type = &t_null, .space = M_SPACE_MMIO, .base = 0xd0000200,
		  .size = 0x200, .irq = -1, .auto_irq = true, .loc = { 11, 3 } },
		{ .name = H_DEV2, .type = &t_null, .space = M_SPACE_PIO, .base = 0x3f8,
		  .size = 8, .irq = 4, .loc = { 14, 3 } },
	};
	static struct m_ram ram[] = {
		{ .name = "rom", .base = 0xfffc0000, .size = 0x40000, .max_size = 0x40000,
		  .flags = M_RAM_READONLY | 0x100, .rom_file = H_ROM, .loc = { 5, 3 } },
	};
	struct machine m = {
		.file = H_FILE, .name = H_NAME, .arch = M_ARCH_X86_64, .phys_bits = 46,
		.nvcpus = 2, .nram = 1, .ram = ram, .ndevs = 3, .devs = devs,
		.boot = { .kernel = H_KERNEL, .cmdline = H_CMDLINE, .has_entry = true,
			  .entry = 0x100000, .loc = { 20, 1 } },
	};
	strcpy(m.sha256, "0123");
	if (argc != 2)
		return 1;
	return put(argv[1], "machine.c", emit_machine_c, &m) ||
	       put(argv[1], "machine.h", emit_machine_h, &m) ||
	       put(argv[1], "machine.mk", emit_machine_mk, &m);
}
