/*
 * KVM backend, arm64 half: vCPU init (target, PSCI), registers through
 * KVM_{GET,SET}_ONE_REG, the in-kernel vGICv3, the ISV = 0 exit and abort
 * injection. The KVM API document (Documentation/virt/kvm/api.rst) and
 * devices/arm-vgic-v3.rst are the references for every call here.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm_priv.h"
#include "vibe/log.h"

/* KVM_REG_ARM_CORE_REG(): a struct kvm_regs field as a ONE_REG id. */
#define CORE_REG(field) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))
/* ARM64_SYS_REG(): same op0:op1:CRn:CRm:op2 packing as HV_ARM64_SYSREG. */
#define SYS_REG(id) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | (uint64_t)(id))

#define PSTATE_SP  0x1ull   /* M[0]: SP_ELx rather than SP_EL0 */
#define PSTATE_EL  0xcull   /* M[3:2] */

int kvm_arch_vm_init(struct hv_vm *vm)
{
	/* Without it KVM answers an ISV = 0 data abort (LDP/STP, writeback
	 * forms on MMIO) with -ENOSYS from KVM_RUN; with it we get
	 * KVM_EXIT_ARM_NISV and emulate (runtime/arch/arm64/emulate.c). */
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_NISV_TO_USER) > 0 &&
	    kvm_ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) == 0)
		log_debug("kvm: KVM_CAP_ARM_NISV_TO_USER enabled");
	else
		log_warn("kvm: no KVM_CAP_ARM_NISV_TO_USER: MMIO accesses without a syndrome (LDP/STP, writeback) will fail");
	return 0;
}

/* The GIC is created by the gicv3 device (it knows the addresses), after
 * the vCPUs: nothing to do here, and no reason to report a failure. */
int hv_create_irqchip(struct hv_vm *vm, unsigned flags)
{
	(void)vm;
	(void)flags;
	return 0;
}

static int get_one(struct hv_vcpu *v, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)val };
	if (kvm_ioctl(v->fd, KVM_GET_ONE_REG, &r) < 0) {
		log_err("vCPU %u: KVM_GET_ONE_REG 0x%llx: %s", v->id, (unsigned long long)id, strerror(errno));
		return -1;
	}
	return 0;
}

static int set_one(struct hv_vcpu *v, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };
	if (kvm_ioctl(v->fd, KVM_SET_ONE_REG, &r) < 0) {
		log_err("vCPU %u: KVM_SET_ONE_REG 0x%llx: %s", v->id, (unsigned long long)id, strerror(errno));
		return -1;
	}
	return 0;
}

/* SP of the context PSTATE selects: SP_EL0 at EL0 or with M[0] = 0
 * (EL1t), else SP_EL1 (kvm_regs.sp is SP_EL0, kvm_regs.sp_el1 SP_EL1). */
static uint64_t sp_id(uint64_t pstate)
{
	return ((pstate & PSTATE_EL) && (pstate & PSTATE_SP)) ? CORE_REG(sp_el1) : CORE_REG(regs.sp);
}

int hv_vcpu_get_regs(struct hv_vcpu *v, struct hv_regs *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < 31; i++)
		if (get_one(v, CORE_REG(regs.regs[i]), &r->gpr[i]) < 0)
			return -1;
	if (get_one(v, CORE_REG(regs.pc), &r->pc) < 0 ||
	    get_one(v, CORE_REG(regs.pstate), &r->flags) < 0 ||
	    get_one(v, sp_id(r->flags), &r->gpr[31]) < 0)
		return -1;
	return 0;
}

int hv_vcpu_set_regs(struct hv_vcpu *v, const struct hv_regs *r)
{
	for (unsigned i = 0; i < 31; i++)
		if (set_one(v, CORE_REG(regs.regs[i]), r->gpr[i]) < 0)
			return -1;
	if (set_one(v, CORE_REG(regs.pstate), r->flags) < 0 ||
	    set_one(v, sp_id(r->flags), r->gpr[31]) < 0 ||
	    set_one(v, CORE_REG(regs.pc), r->pc) < 0)
		return -1;
	return 0;
}

int hv_arm64_vcpu_init(struct hv_vcpu *v, int powered_off)
{
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof(init));
	/* The host CPU's own target: KVM refuses anything else on most
	 * hosts (api.rst, KVM_ARM_PREFERRED_TARGET). */
	if (kvm_ioctl(v->vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		log_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -1;
	}
	/* PSCI 0.2+: KVM implements CPU_ON/OFF, SYSTEM_OFF/RESET in the
	 * kernel; off and reset come back as KVM_EXIT_SYSTEM_EVENT. */
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (powered_off)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (kvm_ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		log_err("vCPU %u: KVM_ARM_VCPU_INIT (target %u): %s", v->id, init.target, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_arm64_get_sysreg(struct hv_vcpu *v, uint16_t id, uint64_t *val)
{
	return get_one(v, SYS_REG(id), val);
}

int hv_arm64_set_sysreg(struct hv_vcpu *v, uint16_t id, uint64_t val)
{
	return set_one(v, SYS_REG(id), val);
}

static int gic_attr(struct hv_vm *vm, int fd, uint32_t group, uint64_t attr, void *addr,
		    const char *what)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)addr };
	if (kvm_ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		log_err("vGICv3: KVM_SET_DEVICE_ATTR %s: %s", what, strerror(errno));
		return -1;
	}
	(void)vm;
	return 0;
}

int hv_arm64_create_gic(struct hv_vm *vm, uint64_t dist, uint64_t redist, unsigned nvcpus,
			unsigned nspis)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	/* NR_IRQS counts the 32 private INTIDs too and must be a multiple
	 * of 32 (arm-vgic-v3.rst, KVM_DEV_ARM_VGIC_GRP_NR_IRQS), at least 64. */
	uint32_t nirqs = (32 + nspis + 31) & ~31u;
	if (nirqs < 64)
		nirqs = 64;
	(void)nvcpus; /* KVM sizes the redistributor region by its vCPUs */
	if (kvm_ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		log_err("KVM_CREATE_DEVICE vGICv3: %s (host without GICv3 support in KVM?)", strerror(errno));
		return -1;
	}
	int fd = (int)cd.fd;
	if (gic_attr(vm, fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist, "distributor address") ||
	    gic_attr(vm, fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
		     "redistributor address") ||
	    gic_attr(vm, fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nirqs, "number of IRQs") ||
	    /* After every vCPU exists, before the first KVM_RUN. */
	    gic_attr(vm, fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "CTRL_INIT"))
		return -1;
	vm->has_irqchip = 1;
	log_debug("vGICv3: distributor 0x%llx, redistributors 0x%llx, %u IRQs",
		  (unsigned long long)dist, (unsigned long long)redist, nirqs);
	return 0;
}

int hv_arm64_inject_dabt(struct hv_vcpu *v, uint64_t far, int is_write)
{
	/* KVM builds the ESR_EL1/FAR_EL1 itself from the faulting access
	 * (api.rst, KVM_SET_VCPU_EVENTS: ext_dabt_pending). */
	struct kvm_vcpu_events ev;
	(void)far;
	(void)is_write;
	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	if (kvm_ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0) {
		log_err("vCPU %u: KVM_SET_VCPU_EVENTS (external data abort): %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}
