/*
 * Run-time patching of the generated device tree (vibe_fdt, from vibegen):
 * only what is known when vibevmm starts. libfdt read-write API; pure, so
 * it is unit-tested on any host.
 */
#ifndef VIBE_ARM64_FDT_PATCH_H
#define VIBE_ARM64_FDT_PATCH_H

#include <stddef.h>
#include <stdint.h>

struct arm64_fdt_patch {
	const char *bootargs;          /* NULL: keep the machine's */
	int has_initrd;                /* else linux,initrd-* are deleted */
	uint64_t initrd_start, initrd_end;
	unsigned nmem;                 /* memory nodes to resize */
	struct { uint64_t base, size; } mem[8];
	unsigned ndrop;                /* device nodes to delete, by reg base: */
	uint64_t drop[32];             /* devices not linked into this vibevmm */
};

/* Copy src into dst (cap bytes), apply p, pack. Returns the new total
 * size, or -1 with *why (libfdt's message, or a missing node). */
long arm64_fdt_patch(void *dst, size_t cap, const void *src, const struct arm64_fdt_patch *p,
		     const char **why);

#endif
