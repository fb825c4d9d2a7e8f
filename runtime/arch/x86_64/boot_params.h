/*
 * The zero page (struct boot_params, <asm/bootparam.h>) for the 64-bit
 * Linux boot protocol, and the fixed guest-physical layout of a Linux boot.
 * docs/guides/boot-linux.md draws the same map; keep them in step.
 *
 * vibe_boot_params_build() is a pure function: from the RAM layout, the
 * parsed kernel, the command line and the initrd size it fills the zero
 * page and decides where the command line and initrd go. Nothing touches
 * guest memory until vibe_boot_params_write().
 */
#ifndef VIBE_X86_BOOT_PARAMS_H
#define VIBE_X86_BOOT_PARAMS_H

#include <stdint.h>
#include <stddef.h>
#include <asm/bootparam.h>

#include "bzimage.h"

struct vibe_vm;

/* Guest-physical layout below 1 MiB (all inside the first usable e820
 * range, [0, 0x9fc00), which Linux treats as ordinary RAM after boot:
 * nothing here must survive past early start-up except the zero page and
 * command line, which Linux copies first thing). */
#define VIBE_BOOT_GDT        0x0500ull  /* 4 descriptors: null, null, code64, data */
#define VIBE_BOOT_IDT        0x0520ull  /* empty IDT (limit 0): Linux loads its own */
#define VIBE_BOOT_ZERO_PAGE  0x7000ull  /* struct boot_params, 4 KiB; %rsi at entry */
#define VIBE_BOOT_STACK      0x8ff0ull  /* initial %rsp, grows down below the PML4 */
#define VIBE_BOOT_PML4       0x9000ull  /* identity map for the 64-bit entry ... */
#define VIBE_BOOT_PDPT       0xa000ull
#define VIBE_BOOT_PD         0xb000ull  /* ... 4 PDs of 2 MiB pages: [0, 4 GiB) */
#define VIBE_BOOT_PD_COUNT   4u
#define VIBE_BOOT_CMDLINE    0x20000ull /* command line, NUL-terminated */
#define VIBE_BOOT_CMDLINE_MAX 0x10000ull /* bytes reserved for it, NUL included */
/* Reserved by the e820 map: EBDA .. end of the BIOS area. The ACPI tables
 * live at VIBE_ACPI_BASE (acpi.h) inside it, where Linux scans for RSDP. */
#define VIBE_E820_HOLE_START 0x9fc00ull
#define VIBE_E820_HOLE_END   0x100000ull
/* initrd and kernel placement never go below 1 MiB. */
#define VIBE_BOOT_HIGH_START 0x100000ull

/* One guest RAM range as the runtime maps it. `reserved` ranges (a ROM,
 * firmware) are listed to Linux as E820 type 2 rather than usable. */
struct vibe_ram_range {
	uint64_t base, size;
	int reserved;
};

struct vibe_boot_placement {
	uint64_t zero_page;     /* VIBE_BOOT_ZERO_PAGE */
	uint64_t cmdline;       /* GPA of the command line */
	uint64_t cmdline_len;   /* bytes to write, NUL included */
	uint64_t initrd;        /* GPA, 0 when there is no initrd */
	uint64_t initrd_size;
};

/* Build the e820 table from `ram` (any order, non-overlapping) into
 * `out` (at most `max` entries). Usable RAM is split around the
 * [0x9fc00, 0x100000) EBDA/BIOS hole, which is listed as reserved.
 * Returns the entry count, or -1 if `max` is too small. */
int vibe_e820_build(const struct vibe_ram_range *ram, unsigned nram,
		    struct boot_e820_entry *out, unsigned max);

/* Fill `bp` (zeroed first) for kernel `k` (already loaded: k->load_addr
 * and k->load_end are used to keep the initrd away from it). `cmdline`
 * may be NULL (empty). initrd_size 0 means no initrd. rsdp is the ACPI
 * RSDP's GPA or 0. Returns 0, or -1 with `err` set: command line longer
 * than the kernel's cmdline_size, no room for the initrd, too many RAM
 * ranges. */
int vibe_boot_params_build(struct boot_params *bp, const struct vibe_kernel *k,
			   const struct vibe_ram_range *ram, unsigned nram,
			   const char *cmdline, uint64_t initrd_size, uint64_t rsdp,
			   struct vibe_boot_placement *out, char *err, size_t errsz);

/* Copy the zero page, the command line and (if any) the initrd bytes to
 * the places `pl` names, through guest_write(). Returns 0 or -1. */
int vibe_boot_params_write(struct vibe_vm *vm, const struct boot_params *bp,
			   const struct vibe_boot_placement *pl, const char *cmdline,
			   const void *initrd);

#endif
