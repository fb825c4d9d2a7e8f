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
 * bzImage sits in guest RAM at load_addr, with its entry 0x200 in.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "fuzz_mem.h"
#include "vibe/guest_mem.h"
#include "arch/x86_64/bzimage.h"

static void check_err(const char *err, size_t errsz)
{
	if (errsz)
		FUZZ_CHECK(memchr(err, 0, errsz) != NULL && (errsz == 1 || err[0] != 0));
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
	if (vibe_kernel_load(fuzz_vm, in.p, in.n, &k, errsz ? err : NULL, errsz)) {
		check_err(err, errsz);
	} else if (k.kind == VIBE_KERNEL_BZIMAGE) {
		FUZZ_CHECK(k.load_end > k.load_addr);
		/* The image itself went where guest_ptr() approved. (load_end
		 * may reach into another region: the decompressor's output.) */
		FUZZ_CHECK(guest_ptr(fuzz_vm, k.load_addr, k.pm_size) != NULL);
		FUZZ_CHECK(k.entry == k.load_addr + 0x200);
	}
	fuzz_mem_reset();
	return 0;
}

FUZZ_TARGET(kernel, one)
