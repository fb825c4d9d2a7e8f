/*
 * arm64 per-vCPU glue between the arch-neutral runtime and the backend:
 * vCPU init (PSCI, power state), the data aborts the backend hands back
 * undecoded (HV_EXIT_ARM_ABORT: ISV = 0), and the crash register dump.
 */
#include <string.h>

#include "arch/arch.h"
#include "arch/arm64/emulate.h"
#include "arch/arm64/esr.h"
#include "hv/hv.h"
#include "vcpu.h"
#include "vibe/device.h"
#include "vibe/guest_mem.h"
#include "vibe/log.h"
#include "vm.h"

int arch_vcpu_init(struct vibe_vcpu *vc)
{
	struct vibe_vm *vm = vc->vm;
	unsigned k = (unsigned)(vc - vm->vcpus);
	/* The boot vCPU runs; a secondary runs at once only when the machine
	 * file gives it an entry, else it waits for PSCI CPU_ON, which is
	 * how an arm64 OS starts its CPUs (booting.rst: "secondary CPUs
	 * ... must be brought up with PSCI" when enable-method = "psci"). */
	int off = k != 0 && !(vm->m->nvcpus && vm->m->vcpus[k].has_entry);
	return hv_arm64_vcpu_init(vc->hv, off);
}

/* One access of the emulated instruction: a device, RAM (one element of
 * an LDP may be RAM, the other MMIO), or nothing (reads all ones, writes
 * ignored, as vcpu.c does for unmapped MMIO). */
static int access_cb(void *opaque, uint64_t ipa, unsigned size, bool is_write, uint64_t *val)
{
	struct vibe_vcpu *vc = opaque;
	struct vibe_vm *vm = vc->vm;
	int idx = vibe_decode_mmio(ipa);

	if (is_write && vibe_log_level >= LOG_TRACE)
		vibe_log(LOG_TRACE, "VM exit: MMIO write gpa=0x%llx size=%u data=0x%llx (decoded)",
			 (unsigned long long)ipa, size, (unsigned long long)*val);

	if (idx >= 0) {
		struct vibe_dev *dev = &vm->devs[idx];
		const struct vibe_dev_desc *d = dev->desc;
		if (d->ops && ipa - d->base + size <= d->size) {
			if (is_write)
				d->ops->write(dev, ipa - d->base, size, *val);
			else
				*val = d->ops->read(dev, ipa - d->base, size);
			return 0;
		}
	}
	uint8_t *p = guest_ptr(vm, ipa, size);
	if (p) {
		if (is_write)
			memcpy(p, val, size); /* little-endian host and value */
		else {
			*val = 0;
			memcpy(val, p, size);
		}
		return 0;
	}
	log_warn_ratelimited("guest MMIO %s gpa=0x%llx size=%u (decoded instruction): no device there",
			     is_write ? "write to" : "read from", (unsigned long long)ipa, size);
	if (!is_write)
		*val = ~0ull;
	return 0;
}

static int read_s1(struct hv_vcpu *hv, struct arm64_s1_regs *s1)
{
	return hv_arm64_get_sysreg(hv, HV_ARM64_SCTLR_EL1, &s1->sctlr) |
	       hv_arm64_get_sysreg(hv, HV_ARM64_TCR_EL1, &s1->tcr) |
	       hv_arm64_get_sysreg(hv, HV_ARM64_TTBR0_EL1, &s1->ttbr0) |
	       hv_arm64_get_sysreg(hv, HV_ARM64_TTBR1_EL1, &s1->ttbr1);
}

/* ISV = 0 data abort (runtime/arch/arm64/emulate.c does the work): emulate
 * and write the registers back, or make the guest take an external abort.
 * Never ends the run: a guest cannot crash the VMM with an odd access. */
int arch_handle_exit(struct vibe_vcpu *vc, struct hv_exit *e)
{
	struct hv_regs hr;
	struct arm64_regs r;
	struct arm64_esr esr;
	struct arm64_emu_result res;
	char buf[256];

	if (e->kind != HV_EXIT_ARM_ABORT) {
		log_err("vCPU %u: unexpected exit kind %d", vc->id, (int)e->kind);
		vibe_vm_request_exit(vc->vm, 2);
		return 1;
	}
	arm64_esr_decode(e->arm_abort.esr, &esr);
	if (vibe_log_level >= LOG_TRACE)
		vibe_log(LOG_TRACE, "VM exit: MMIO abort (no syndrome) vcpu=%u ipa=0x%llx %s", vc->id,
			 (unsigned long long)e->arm_abort.ipa, arm64_esr_str(&esr, buf, sizeof buf));
	struct arm64_emu emu = { .regs = &r, .vm = vc->vm, .access = access_cb, .opaque = vc };
	if (hv_vcpu_get_regs(vc->hv, &hr) < 0 || read_s1(vc->hv, &emu.s1) < 0) {
		vibe_vm_request_exit(vc->vm, 2);
		return 1;
	}
	memcpy(r.x, hr.gpr, sizeof r.x);
	r.sp = hr.gpr[31];
	r.pc = hr.pc;
	r.pstate = hr.flags;
	if (arm64_emulate_dabt(&emu, &esr, e->arm_abort.ipa, &res) == ARM64_EMU_DONE) {
		memcpy(hr.gpr, r.x, sizeof r.x);
		hr.gpr[31] = r.sp;
		hr.pc = r.pc;
		if (hv_vcpu_set_regs(vc->hv, &hr) < 0) {
			vibe_vm_request_exit(vc->vm, 2);
			return 1;
		}
		return 0;
	}
	log_warn_ratelimited("vCPU %u: %s at pc=0x%llx ipa=0x%llx: %s; injecting an external abort",
			     vc->id, arm64_esr_str(&esr, buf, sizeof buf), (unsigned long long)hr.pc,
			     (unsigned long long)e->arm_abort.ipa, res.why);
	if (hv_arm64_inject_dabt(vc->hv, e->arm_abort.va, esr.abt.wnr) < 0) {
		vibe_vm_request_exit(vc->vm, 2);
		return 1;
	}
	return 0;
}

void arch_vcpu_dump(struct vibe_vcpu *vc)
{
	struct hv_regs r;
	uint64_t esr = 0, far = 0, elr = 0;
	if (hv_vcpu_get_regs(vc->hv, &r) < 0)
		return;
	log_err("vCPU %u registers: pc=0x%016llx pstate=0x%08llx sp=0x%016llx", vc->id,
		(unsigned long long)r.pc, (unsigned long long)r.flags, (unsigned long long)r.gpr[31]);
	for (unsigned i = 0; i < 31; i += 4)
		log_err("  x%-2u=0x%016llx x%-2u=0x%016llx x%-2u=0x%016llx x%-2u=0x%016llx", i,
			(unsigned long long)r.gpr[i], i + 1, (unsigned long long)r.gpr[i + 1], i + 2,
			(unsigned long long)r.gpr[i + 2], i + 3 < 31 ? i + 3 : 30,
			(unsigned long long)(i + 3 < 31 ? r.gpr[i + 3] : r.gpr[30]));
	if (hv_arm64_get_sysreg(vc->hv, HV_ARM64_ESR_EL1, &esr) == 0 &&
	    hv_arm64_get_sysreg(vc->hv, HV_ARM64_FAR_EL1, &far) == 0)
		log_err("  ESR_EL1=0x%llx FAR_EL1=0x%llx (the guest's last exception)",
			(unsigned long long)esr, (unsigned long long)far);
	(void)elr;
}
