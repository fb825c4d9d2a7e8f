/*
 * What the arch-neutral runtime asks of the architecture code
 * (runtime/arch/<arch>/): per-vCPU set-up, start state for raw binaries,
 * register dumps. One implementation is linked, chosen by VIBE_ARCH.
 */
#ifndef VIBE_ARCH_H
#define VIBE_ARCH_H

#include <stdint.h>

struct vibe_vm;
struct vibe_vcpu;

/* Raw-binary start modes (--mode). x86_64 has all three; arm64 only "long"
 * meaning AArch64 EL1. */
enum vibe_boot_mode { VIBE_MODE_LONG = 0, VIBE_MODE_PROTECTED = 1, VIBE_MODE_REAL = 2 };

/* "long", "protected", "real" -> mode; -1 if unknown. */
int arch_parse_mode(const char *s);
const char *arch_mode_name(int mode);

/* After the vCPU exists, before any register is set: CPUID, FPU, LAPIC. */
int arch_vcpu_init(struct vibe_vcpu *vc);

/* Checks that a raw binary at [load_addr, load_addr+size) with `entry`
 * fits the start state of `mode` (RAM where the page tables go, no overlap
 * with them, entry reachable in that mode). One clear line and -1 if not. */
int arch_raw_check(struct vibe_vm *vm, int mode, uint64_t entry, uint64_t load_addr,
		   uint64_t size);

/* Writes the boot structures (page tables, GDT) into guest RAM and sets
 * every vCPU's registers for `mode`. Secondary vCPUs start at their
 * machine-file entry if they have one, else at `entry`. */
int arch_raw_setup(struct vibe_vm *vm, int mode, uint64_t entry);

void arch_vcpu_dump(struct vibe_vcpu *vc);

struct hv_exit;
/* Exits only one architecture has (arm64: HV_EXIT_ARM_ABORT, a data abort
 * to emulate from the instruction). Returns 1 when this vCPU's loop must
 * end. vcpu.c has a weak default that treats the exit as unexpected. */
int arch_handle_exit(struct vibe_vcpu *vc, struct hv_exit *e);

#endif
