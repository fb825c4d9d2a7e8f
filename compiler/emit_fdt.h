/*
 * vibegen's device-tree emitter (emit_fdt.c): the arm64 guest's flattened
 * device tree, built from the machine model with libfdt's sequential-write
 * API. The machine file is the superset; the FDT is one of its outputs.
 */
#ifndef VIBEGEN_EMIT_FDT_H
#define VIBEGEN_EMIT_FDT_H

#include <stddef.h>
#include <stdio.h>

struct machine;

/* Phandles the blob uses (fixed, so tests and the runtime can rely on them). */
#define FDT_PHANDLE_GIC 1u
#define FDT_PHANDLE_CLK 2u

/* Placeholder value of /chosen's linux,initrd-start and -end: 64-bit cells,
 * so the runtime can patch them in place; it deletes both when there is no
 * initrd (Linux would otherwise take 0..0 as an empty initrd). */
#define FDT_INITRD_PLACEHOLDER 0ull

/* Build the blob for an arm64 machine. Returns a malloc'd blob and its size
 * in *size, or NULL after printing why to stderr (x86_64 machine, libfdt
 * error). */
void *fdt_build(const struct machine *m, size_t *size);

/* fdt.c: `const unsigned char vibe_fdt[]` and `const size_t vibe_fdt_size`. */
int emit_fdt_c(const struct machine *m, FILE *out);

/* --dts: the blob decompiled by dtc (`dtc -I dtb -O dts`) onto out.
 * -1 with a message when dtc is missing or fails. */
int emit_dts(const struct machine *m, FILE *out);

#endif
