/*
 * Linux kernel images for x86_64: a bzImage (Documentation/arch/x86/boot.rst,
 * "THE LINUX/x86 BOOT PROTOCOL") or an uncompressed vmlinux ELF64 (what
 * Firecracker boots: it skips the in-guest decompressor).
 *
 * Both are entered through the 64-bit boot protocol (boot.rst, "64-bit BOOT
 * PROTOCOL"): long mode, identity-mapped, %rsi = zero page. The real-mode
 * setup code of a bzImage is never run, only its setup header is used.
 *
 * Parsing works on a byte buffer and never trusts it: every offset and
 * length is checked against the buffer size with overflow-safe arithmetic,
 * and a bad image yields -1 with a one-line reason in `err`. Loading writes
 * guest RAM only through guest_ptr()/guest_write().
 */
#ifndef VIBE_X86_BZIMAGE_H
#define VIBE_X86_BZIMAGE_H

#include <stdint.h>
#include <stddef.h>
#include <asm/bootparam.h> /* struct setup_header: the uapi definition */

struct vibe_vm;

enum vibe_kernel_kind { VIBE_KERNEL_BZIMAGE = 1, VIBE_KERNEL_ELF = 2 };

/* Addresses the loader falls back to (boot.rst: "load the protected-mode
 * kernel at 0x100000" for non-relocatable kernels). */
#define VIBE_KERNEL_LEGACY_ADDR 0x100000ull
/* x86 COMMAND_LINE_SIZE minus the NUL; what a vmlinux (no header) accepts. */
#define VIBE_KERNEL_ELF_CMDLINE_MAX 2047u

struct vibe_kernel {
	enum vibe_kernel_kind kind;
	/* bzImage: the setup header as found in the image; hdr_len is how many
	 * of its bytes the image really has (boot.rst: the header ends at
	 * 0x202 + the byte at 0x201), the rest is zero. ELF: zero, hdr_len 0;
	 * boot_params.c fabricates the fields Linux reads. */
	struct setup_header hdr;
	size_t hdr_len;
	uint16_t version;          /* boot protocol, 0x20f = 2.15; 0 for ELF */
	int can_64;                /* 64-bit entry allowed (2.12+, XLF_KERNEL_64) */
	int relocatable;
	uint32_t cmdline_max;      /* longest command line, excluding the NUL */
	uint32_t initrd_addr_max;  /* highest byte address an initrd may use */

	/* bzImage: where the protected-mode kernel starts in the file. */
	uint64_t pm_offset, pm_size;

	/* Filled by vibe_kernel_load(): */
	uint64_t load_addr;  /* GPA of the first loaded byte */
	uint64_t load_end;   /* GPA one past the memory the kernel will use,
			      * decompression included (initrd must stay out) */
	uint64_t entry;      /* GPA of the 64-bit entry point */
};

/* Recognise and validate `img`: ELF if it starts with \177ELF, else a
 * bzImage. Returns 0 or -1 with `err` set. No guest memory is touched. */
int vibe_kernel_parse(const uint8_t *img, size_t len, struct vibe_kernel *k,
		      char *err, size_t errsz);

/* Place and copy an image vibe_kernel_parse() accepted into guest RAM.
 * bzImage: at pref_address when relocatable and it fits, else at
 * 0x100000 (rounded up to kernel_alignment if relocatable). ELF: each
 * PT_LOAD at its p_paddr. Returns 0 or -1 with `err` set. */
int vibe_kernel_load(struct vibe_vm *vm, const uint8_t *img, size_t len,
		     struct vibe_kernel *k, char *err, size_t errsz);

#endif
