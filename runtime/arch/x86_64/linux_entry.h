/*
 * CPU state for the 64-bit Linux boot protocol (Documentation/arch/x86/
 * boot.rst, "64-bit BOOT PROTOCOL"): long mode with paging, an identity
 * map covering the kernel, zero page and command line, a GDT with flat
 * __BOOT_CS (0x10, execute/read) and __BOOT_DS (0x18, read/write), CS =
 * __BOOT_CS, DS = ES = SS = __BOOT_DS, interrupts off, %rsi = zero page.
 *
 * The GDT and page tables go at the addresses boot_params.h fixes
 * (VIBE_BOOT_GDT, VIBE_BOOT_PML4...), away from the raw-binary start
 * structures of modes.h, whose selectors differ (0x08/0x10).
 */
#ifndef VIBE_X86_LINUX_ENTRY_H
#define VIBE_X86_LINUX_ENTRY_H

#include <stdint.h>

#include "hv/hv.h"

struct vibe_vm;

#define VIBE_LINUX_BOOT_CS  0x10
#define VIBE_LINUX_BOOT_DS  0x18
#define VIBE_LINUX_BOOT_TSS 0x20

/* Writes the GDT and the 4 GiB identity map (2 MiB pages) through
 * guest_write(). Returns 0, or -1 if guest RAM does not cover them. */
int vibe_linux_entry_tables(struct vibe_vm *vm);

/* Sets segments, descriptor tables, CR0/CR3/CR4 and EFER in `s` (get it
 * from the vCPU first: apic_base and cr8 are left as they are). */
void vibe_linux_entry_sregs(struct hv_x86_sregs *s);

/* rip = entry, rsi = zero page, a small stack, RFLAGS with IF clear. */
void vibe_linux_entry_regs(struct hv_regs *r, uint64_t entry, uint64_t zero_page);

#endif
