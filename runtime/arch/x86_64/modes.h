/*
 * x86_64 start state for raw binaries (--binary): where vibevmm puts its
 * boot structures in guest RAM. docs/internals/kvm.md documents the
 * register state; keep the two in step.
 */
#ifndef VIBE_X86_MODES_H
#define VIBE_X86_MODES_H

/* All boot structures live in the first 64 KiB, below the default load
 * address 0x10000, so a guest linked at 0x10000 never meets them. */
#define X86_BOOT_GDT        0x0500ull /* 6 entries, see modes.c */
#define X86_BOOT_PML4       0x1000ull
#define X86_BOOT_PDPT       0x2000ull
#define X86_BOOT_PD         0x3000ull /* 4 pages: 0-4 GiB in 2 MiB pages */
#define X86_BOOT_TABLES_END 0x7000ull
#define X86_BOOT_AREA_END   0x10000ull /* RAM must cover [0, this) */

/* vCPU k starts with its stack pointer at STACK_TOP - k * STACK_SIZE. */
#define X86_BOOT_STACK_TOP  0x10000ull
#define X86_BOOT_STACK_SIZE 0x400ull
#define X86_BOOT_MAX_VCPUS  32u /* stacks stay within 0x8000..0x10000 */

/* GDT selectors. */
#define X86_SEL_CODE64 0x08
#define X86_SEL_DATA   0x10
#define X86_SEL_CODE32 0x18
#define X86_SEL_TSS    0x20

#endif
