/*
 * Fuzz target: the x86_64 kernel image parsers and loader
 * (runtime/arch/x86_64/bzimage.c): bzImage setup headers and vmlinux ELF64
 * program headers from an untrusted file, then loading into guest RAM.
 *
 * Input: u8 error-buffer size, then the image bytes. Guest RAM (fuzz_mem.c):
 * 64 KiB at 1 MiB (the legacy load address) and 64 KiB at 16 MiB (the
 * usual pref_address), so both load paths and "RAM too small" are reached.
 *
 * Invariants besides ASan/UBSan: a refused image has a NUL-terminated,
 * non-empty reason inside the caller's buffer (any buffer size); an
 * accepted bzImage's protected-mode part lies inside the file; a loaded
 * bzImage sits in guest RAM at load_addr, with its entry 0x200 in; the
 * zero page built for it (vibe_boot_params_build) keeps the command line
 * within the kernel's limit and puts the initrd inside usable RAM, below
 * initrd_addr_max, above 1 MiB and clear of the kernel.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "fuzz_mem.h"
#include "vibe/guest_mem.h"
#include "arch/x86_64/boot_params.h"
#include "arch/x86_64/bzimage.h"

static void check_err(const char *err, size_t errsz)
{
	if (errsz)
		FUZZ_CHECK(memchr(err, 0, errsz) != NULL && (errsz == 1 || err[0] != 0));
}

/* The zero page for a kernel the loader accepted: a command line around
 * the kernel's own limit and an initrd whose size comes from the input,
 * in 256 MiB of RAM with a ROM range, then the promises of the placement. */
static void check_boot_params(const struct vibe_kernel *k, size_t errsz, uint64_t initrd_size)
{
	static const struct vibe_ram_range ram[] = {
		{ 0x0, 0x8000000, 0 }, { 0xfff00000, 0x100000, 1 }, { 0x8000000, 0x8000000, 0 },
	};
	static char cmdline[4200];
	static struct boot_params bp;
	struct vibe_boot_placement pl;
	char err[160];
	size_t clen = (k->cmdline_max + errsz % 3) % sizeof cmdline; /* max - 0 .. + 2 */

	memset(cmdline, 'c', clen);
	cmdline[clen] = 0;
	if (vibe_boot_params_build(&bp, k, ram, 3, cmdline, initrd_size, 0xe0000, &pl,
				   err, sizeof err)) {
		check_err(err, sizeof err);
		return;
	}
	FUZZ_CHECK(clen <= k->cmdline_max && pl.cmdline_len == clen + 1);
	FUZZ_CHECK(pl.cmdline_len <= VIBE_BOOT_CMDLINE_MAX);
	FUZZ_CHECK(bp.hdr.cmd_line_ptr == pl.cmdline);
	FUZZ_CHECK(bp.e820_entries > 0 && bp.e820_entries <= E820_MAX_ENTRIES_ZEROPAGE);
	if (initrd_size) {
		uint64_t a = pl.initrd, e = pl.initrd + pl.initrd_size;
		FUZZ_CHECK(pl.initrd_size == initrd_size && e > a);
		FUZZ_CHECK(a >= VIBE_BOOT_HIGH_START && e - 1 <= k->initrd_addr_max);
		/* inside one usable range of RAM, out of the kernel's way */
		FUZZ_CHECK((e <= 0x8000000) || (a >= 0x8000000 && e <= 0x10000000));
		FUZZ_CHECK(e <= k->load_addr || a >= k->load_end);
	}
}

static int one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	size_t errsz = (size_t)fuzz_take(&in, 1) % 161;
	char err[160];
	struct vibe_kernel k;

	memset(err, 'X', sizeof err);
	if (vibe_kernel_parse(in.p, in.n, &k, errsz ? err : NULL, errsz)) {
		check_err(err, errsz);
		return 0;
	}
	FUZZ_CHECK(k.kind == VIBE_KERNEL_BZIMAGE || k.kind == VIBE_KERNEL_ELF);
	if (k.kind == VIBE_KERNEL_BZIMAGE) {
		FUZZ_CHECK(k.hdr_len <= sizeof k.hdr);
		FUZZ_CHECK(k.pm_offset < in.n && k.pm_size == in.n - k.pm_offset);
	}

	fuzz_mem_reset();
	fuzz_mem_add(0x100000, 0x10000, NULL, 0);
	fuzz_mem_add(0x1000000, 0x10000, NULL, 0);
	memset(err, 'X', sizeof err);
	int loaded = vibe_kernel_load(fuzz_vm, in.p, in.n, &k, errsz ? err : NULL, errsz) == 0;
	if (!loaded) {
		check_err(err, errsz);
	} else if (k.kind == VIBE_KERNEL_BZIMAGE) {
		FUZZ_CHECK(k.load_end > k.load_addr);
		/* The image itself went where guest_ptr() approved. (load_end
		 * may reach into another region: the decompressor's output.) */
		FUZZ_CHECK(guest_ptr(fuzz_vm, k.load_addr, k.pm_size) != NULL);
		FUZZ_CHECK(k.entry == k.load_addr + 0x200);
	}
	if (loaded)
		check_boot_params(&k, errsz, (uint64_t)in.n * 40503u % (300u << 20));
	fuzz_mem_reset();
	return 0;
}

FUZZ_TARGET(kernel, one)
