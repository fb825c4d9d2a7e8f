/*
 * Raw binaries on arm64 (--binary FILE --entry ADDR): the register state a
 * vCPU starts in. There is one mode ("long", kept as the name the CLI
 * shares with x86_64): AArch64 EL1h, MMU and caches off.
 *
 * Entry state (documented in docs/internals/arm64.md):
 *   PC = entry (4-byte aligned, in RAM)
 *   PSTATE = EL1h (M = 0b0101) with D, A, I, F masked (0x3c5)
 *   x0..x30 = 0, SP_EL1 = 0: the guest sets its own stack
 *   SCTLR_EL1 as KVM/HVF reset it (MMU off, caches off)
 * The boot vCPU and every secondary with a machine-file entry start this
 * way (a secondary at its own entry); the other secondaries are powered off
 * until the guest calls PSCI CPU_ON (function 0xc4000003) for them.
 */
#include <string.h>

#include "arch/arch.h"
#include "hv/hv.h"
#include "vcpu.h"
#include "vibe/guest_mem.h"
#include "vibe/log.h"
#include "vm.h"

/* SPSR/PSTATE: M[3:0] = 0b0101 (EL1 with SP_EL1), DAIF [9:6] all set. */
#define PSTATE_EL1H_DAIF 0x3c5ull

int arch_parse_mode(const char *s)
{
	return !strcmp(s, "long") ? VIBE_MODE_LONG : -1;
}

const char *arch_mode_name(int mode)
{
	return mode == VIBE_MODE_LONG ? "AArch64 EL1" : "?";
}

static uint64_t vcpu_entry(struct vibe_vm *vm, unsigned k, uint64_t entry)
{
	const struct vibe_machine_desc *m = vm->m;
	return (k < m->nvcpus && m->vcpus[k].has_entry) ? m->vcpus[k].entry : entry;
}

int arch_raw_check(struct vibe_vm *vm, int mode, uint64_t entry, uint64_t load_addr, uint64_t size)
{
	if (mode != VIBE_MODE_LONG) {
		log_err("arm64 raw binaries start in AArch64 EL1 only (--mode long)");
		return -1;
	}
	for (unsigned k = 0; k < vm->nvcpus; k++) {
		uint64_t e = vcpu_entry(vm, k, entry);
		/* A misaligned PC faults at once (PC alignment fault, EC 0x22)
		 * with no vector table yet: reject it here instead. */
		if (e & 3) {
			log_err("entry 0x%llx of vCPU %u is not 4-byte aligned", (unsigned long long)e, k);
			return -1;
		}
		if (!guest_ptr(vm, e, 4)) {
			log_err("entry 0x%llx of vCPU %u is not in guest RAM", (unsigned long long)e, k);
			return -1;
		}
	}
	(void)load_addr;
	(void)size; /* the loader checks the image's extent itself */
	return 0;
}

int arch_raw_setup(struct vibe_vm *vm, int mode, uint64_t entry)
{
	(void)mode;
	for (unsigned k = 0; k < vm->nvcpus; k++) {
		struct hv_regs r;
		memset(&r, 0, sizeof(r));
		r.pc = vcpu_entry(vm, k, entry);
		r.flags = PSTATE_EL1H_DAIF;
		if (hv_vcpu_set_regs(vm->vcpus[k].hv, &r) < 0)
			return -1;
	}
	return 0;
}
