/*
 * Zero page, e820 map, command line and initrd placement; see
 * boot_params.h. Section names refer to Documentation/arch/x86/boot.rst
 * and Documentation/arch/x86/zero-page.rst.
 */
#include "boot_params.h"

#include <stdio.h>
#include <string.h>

#include "vibe/guest_mem.h"
#include "errbuf.h"

#define E820_USABLE   1u /* E820_TYPE_RAM */
#define E820_RESERVED 2u /* E820_TYPE_RESERVED */
#define PAGE          0x1000ull
#define FOUR_GIB      0x100000000ull
#define LOADER_UNDEFINED 0xff /* boot.rst type_of_loader: "0xFF undefined" */


static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static int add(struct boot_e820_entry *out, unsigned *n, unsigned max,
	       uint64_t start, uint64_t end, uint32_t type)
{
	if (end <= start)
		return 0;
	if (*n >= max)
		return -1;
	out[*n].addr = start;
	out[*n].size = end - start;
	out[*n].type = type;
	(*n)++;
	return 0;
}

int vibe_e820_build(const struct vibe_ram_range *ram, unsigned nram,
		    struct boot_e820_entry *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nram; i++) {
		uint64_t s = ram[i].base, e = ram[i].base + ram[i].size;

		if (e < s) /* wraps: clamp rather than describe nonsense */
			e = UINT64_MAX;
		if (ram[i].reserved) {
			if (add(out, &n, max, s, e, E820_RESERVED))
				return -1;
			continue;
		}
		/* Usable below the EBDA, reserved EBDA..1 MiB (the BIOS area,
		 * where the ACPI tables are), usable above: the PC layout
		 * Linux expects ("e820" in arch/x86/kernel/e820.c trusts it). */
		if (add(out, &n, max, s, min64(e, VIBE_E820_HOLE_START), E820_USABLE) ||
		    add(out, &n, max, max64(s, VIBE_E820_HOLE_START),
			min64(e, VIBE_E820_HOLE_END), E820_RESERVED) ||
		    add(out, &n, max, max64(s, VIBE_E820_HOLE_END), e, E820_USABLE))
			return -1;
	}
	/* Sorted by address, as a BIOS reports them (insertion sort: n is
	 * tiny and the input is already nearly sorted). */
	for (unsigned i = 1; i < n; i++) {
		struct boot_e820_entry t = out[i];
		unsigned j = i;

		for (; j > 0 && out[j - 1].addr > t.addr; j--)
			out[j] = out[j - 1];
		out[j] = t;
	}
	return (int)n;
}

/* Highest page-aligned spot for `size` bytes in [lo, hi) that avoids
 * [klo, khi); 0 if none (0 is never a valid answer: lo >= 1 MiB). */
static uint64_t fit_below(uint64_t lo, uint64_t hi, uint64_t size,
			  uint64_t klo, uint64_t khi)
{
	uint64_t at;

	if (hi <= lo || hi - lo < size)
		return 0;
	at = (hi - size) & ~(PAGE - 1);
	if (at < lo)
		return 0;
	if (at < khi && at + size > klo) /* overlaps the kernel: go below it */
		return klo > lo ? fit_below(lo, klo, size, 0, 0) : 0;
	return at;
}

/* "initrd ... as high as possible" below initrd_addr_max, under 4 GiB
 * because ramdisk_image is 32 bits for kernels without ext_ramdisk_image
 * handling, above 1 MiB, out of the kernel's decompression range. */
static uint64_t place_initrd(const struct boot_e820_entry *e820, int n,
			     const struct vibe_kernel *k, uint64_t size)
{
	uint64_t limit = min64((uint64_t)k->initrd_addr_max + 1, FOUR_GIB);

	for (int i = n - 1; i >= 0; i--) {
		uint64_t lo = max64(e820[i].addr, VIBE_BOOT_HIGH_START);
		uint64_t hi = min64(e820[i].addr + e820[i].size, limit);
		uint64_t at;

		if (e820[i].type != E820_USABLE)
			continue;
		at = fit_below(lo, hi, size, k->load_addr, k->load_end);
		if (at)
			return at;
	}
	return 0;
}

int vibe_boot_params_build(struct boot_params *bp, const struct vibe_kernel *k,
			   const struct vibe_ram_range *ram, unsigned nram,
			   const char *cmdline, uint64_t initrd_size, uint64_t rsdp,
			   struct vibe_boot_placement *out, char *err, size_t errsz)
{
	size_t clen = cmdline ? strlen(cmdline) : 0;
	int n;

	memset(bp, 0, sizeof(*bp));
	memset(out, 0, sizeof(*out));
	/* cmdline_size: "the maximum size of the command line without the
	 * terminating zero". */
	if (clen > k->cmdline_max || clen + 1 > VIBE_BOOT_CMDLINE_MAX)
		return errbuf(err, errsz, "kernel command line is %zu bytes; this kernel "
			    "accepts at most %u", clen,
			    (unsigned)min64(k->cmdline_max, VIBE_BOOT_CMDLINE_MAX - 1));

	n = vibe_e820_build(ram, nram, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
	if (n < 0)
		return errbuf(err, errsz, "too many RAM ranges for the zero page's %u "
			    "e820 entries", E820_MAX_ENTRIES_ZEROPAGE);
	bp->e820_entries = (uint8_t)n;

	/* "64-bit BOOT PROTOCOL": the setup header is copied from the image
	 * at offset 0x1f1, the rest of boot_params zeroed. A vmlinux has no
	 * header; Linux then only needs the signature fields it checks. */
	if (k->kind == VIBE_KERNEL_BZIMAGE) {
		bp->hdr = k->hdr;
	} else {
		bp->hdr.boot_flag = 0xaa55;
		bp->hdr.header = 0x53726448; /* "HdrS" */
		bp->hdr.loadflags = LOADED_HIGH;
		bp->hdr.kernel_alignment = 0x1000000;
		bp->hdr.cmdline_size = k->cmdline_max;
	}
	bp->hdr.type_of_loader = LOADER_UNDEFINED;
	/* CAN_USE_HEAP/heap_end_ptr and KEEP_SEGMENTS only concern the
	 * real-mode setup code and the 32-bit entry, neither of which runs
	 * on a 64-bit entry: left as the image has them. */
	bp->hdr.loadflags |= LOADED_HIGH;

	out->zero_page = VIBE_BOOT_ZERO_PAGE;
	out->cmdline = VIBE_BOOT_CMDLINE;
	out->cmdline_len = clen + 1;
	bp->hdr.cmd_line_ptr = (uint32_t)VIBE_BOOT_CMDLINE;
	bp->ext_cmd_line_ptr = (uint32_t)(VIBE_BOOT_CMDLINE >> 32);

	if (initrd_size) {
		uint64_t at = place_initrd(bp->e820_table, n, k, initrd_size);

		if (!at)
			return errbuf(err, errsz, "no room for the %llu-byte initrd in guest "
				    "RAM between 1 MiB and 0x%llx outside the kernel "
				    "[0x%llx, 0x%llx)", (unsigned long long)initrd_size,
				    (unsigned long long)min64((uint64_t)k->initrd_addr_max + 1,
							      FOUR_GIB),
				    (unsigned long long)k->load_addr,
				    (unsigned long long)k->load_end);
		out->initrd = at;
		out->initrd_size = initrd_size;
		bp->hdr.ramdisk_image = (uint32_t)at;
		bp->hdr.ramdisk_size = (uint32_t)initrd_size;
		bp->ext_ramdisk_image = (uint32_t)(at >> 32);
		bp->ext_ramdisk_size = (uint32_t)(initrd_size >> 32);
	}
	/* zero-page.rst 0x070: read by kernels with protocol 2.14+; older
	 * ones find the RSDP by scanning 0xe0000-0xfffff instead. */
	bp->acpi_rsdp_addr = rsdp;
	return 0;
}

int vibe_boot_params_write(struct vibe_vm *vm, const struct boot_params *bp,
			   const struct vibe_boot_placement *pl, const char *cmdline,
			   const void *initrd)
{
	static const char empty[1];

	if (guest_write(vm, pl->zero_page, bp, sizeof(*bp)) != 0)
		return -1;
	if (guest_write(vm, pl->cmdline, cmdline ? cmdline : empty, pl->cmdline_len) != 0)
		return -1;
	if (pl->initrd_size && guest_write(vm, pl->initrd, initrd, pl->initrd_size) != 0)
		return -1;
	return 0;
}
