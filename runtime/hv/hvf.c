/*
 * Hypervisor.framework backend (macOS on Apple silicon) behind hv.h.
 * docs/internals/hvf.md describes it; the rules that shape it:
 *  - One VM per process (hv_vm_create takes no handle).
 *  - A vCPU is created, run and accessed only on its own thread. vm.c
 *    creates vCPUs and sets their start registers on the main thread, so
 *    hv_vcpu_create() here only allocates; registers set before the first
 *    hv_vcpu_run() are cached and applied when that run creates the HVF
 *    vCPU on the vCPU thread.
 *  - Every exit is an exception syndrome (ESR_EL2), decoded with
 *    runtime/arch/arm64/esr.c: data aborts with ISV = 1 become HV_EXIT_MMIO
 *    (completed, register written and PC advanced, on the next run), ISV = 0
 *    ones HV_EXIT_ARM_ABORT for the emulator; HVC is PSCI (psci.c); WFI/WFE
 *    wait; trapped sysregs read 0; instruction aborts are injected back.
 *  - The vtimer is masked by HVF when it fires (VTIMER_ACTIVATED) and stays
 *    masked until we unmask it, once the guest has dealt with it.
 *  - hv_gic_* exists from macOS 15 only: looked up with dlsym.
 * `make check-hvf` compiles this file on Linux against hvf_decls.h.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hvf_priv.h"
#include "arch/arm64/inject.h"
#include "vibe/log.h"

static struct hv_vm the_vm; /* HVF: one VM per process */

int hvf_ck(hv_return_t r, const char *what, unsigned id)
{
	if (r == HV_SUCCESS)
		return 0;
	log_err("vCPU %u: %s: Hypervisor.framework error 0x%x", id, what, (unsigned)r);
	return -1;
}

struct hv_vm *hv_vm_create(void)
{
	struct hv_vm *vm = &the_vm;
	hv_return_t r = apple_vm_create();
	if (r == HV_DENIED) {
		log_err("hv_vm_create: denied: vibevmm must be signed with the com.apple.security.hypervisor entitlement (make signs it)");
		return NULL;
	}
	if (hvf_ck(r, "hv_vm_create", 0) < 0)
		return NULL;
	memset(vm, 0, sizeof(*vm));
	pthread_mutex_init(&vm->lock, NULL);
	uint32_t max = 0;
	vm->caps.max_vcpus = hv_vm_get_max_vcpu_count(&max) == HV_SUCCESS && max ? max : 8;
	if (vm->caps.max_vcpus > HVF_MAX_VCPUS)
		vm->caps.max_vcpus = HVF_MAX_VCPUS;
	vm->caps.max_slots = 1024;
	vm->caps.readonly_mem = 1;
	return vm;
}

void hv_vm_destroy(struct hv_vm *vm)
{
	if (vm)
		apple_vm_destroy();
}

const struct hv_caps *hv_vm_caps(const struct hv_vm *vm)
{
	return &vm->caps;
}

int hv_map_memory(struct hv_vm *vm, unsigned slot, uint64_t gpa, uint64_t size, void *hva,
		  unsigned flags)
{
	(void)vm;
	(void)slot;
	/* vibegen checks this for `hvf: true` machines; say it clearly for
	 * any other machine run here. */
	if ((gpa | size | (uint64_t)(uintptr_t)hva) & (HVF_PAGE - 1)) {
		log_err("RAM at 0x%llx size 0x%llx is not 16 KiB aligned, as HVF needs (set `hvf: true` in the machine file to have vibegen check it)",
			(unsigned long long)gpa, (unsigned long long)size);
		return -1;
	}
	hv_memory_flags_t f = HV_MEMORY_READ | HV_MEMORY_EXEC;
	if (!(flags & HV_MEM_READONLY))
		f |= HV_MEMORY_WRITE;
	return hvf_ck(hv_vm_map(hva, gpa, size, f), "hv_vm_map", 0);
}

int hv_create_irqchip(struct hv_vm *vm, unsigned flags)
{
	(void)vm;
	(void)flags;
	return 0; /* the gicv3 device creates the GIC (hv_arm64_create_gic) */
}

int hv_arm64_create_gic(struct hv_vm *vm, uint64_t dist, uint64_t redist, unsigned nvcpus,
			unsigned nspis)
{
	(void)nvcpus;
	(void)nspis;
	gic_config_create_fn cfg_create = (gic_config_create_fn)dlsym(RTLD_DEFAULT, "hv_gic_config_create");
	gic_config_set_base_fn set_dist = (gic_config_set_base_fn)dlsym(RTLD_DEFAULT, "hv_gic_config_set_distributor_base");
	gic_config_set_base_fn set_redist = (gic_config_set_base_fn)dlsym(RTLD_DEFAULT, "hv_gic_config_set_redistributor_base");
	gic_create_fn create = (gic_create_fn)dlsym(RTLD_DEFAULT, "hv_gic_create");
	vm->gic_set_spi = (gic_set_spi_fn)dlsym(RTLD_DEFAULT, "hv_gic_set_spi");
	if (!cfg_create || !set_dist || !set_redist || !create || !vm->gic_set_spi) {
		log_err("this macOS has no hv_gic_create (Hypervisor.framework GIC needs macOS 15 or later): the machine's gicv3 cannot be provided");
		return -1;
	}
	void *cfg = cfg_create();
	if (!cfg || hvf_ck(set_dist(cfg, dist), "hv_gic_config_set_distributor_base", 0) ||
	    hvf_ck(set_redist(cfg, redist), "hv_gic_config_set_redistributor_base", 0) ||
	    hvf_ck(create(cfg), "hv_gic_create", 0))
		return -1;
	vm->has_gic = 1;
	vm->caps.irqchip = 1;
	return 0;
}

int hv_irq_line(struct hv_vm *vm, unsigned irq, int level)
{
	if (!vm->has_gic)
		return -1;
	return hvf_ck(vm->gic_set_spi(32 + irq, level != 0), "hv_gic_set_spi", 0);
}

/* No in-kernel eventfd paths on macOS: devices keep their exit paths. */
int hv_ioeventfd(struct hv_vm *vm, uint64_t addr, unsigned size, int fd, unsigned flags,
		 uint64_t data)
{
	(void)vm; (void)addr; (void)size; (void)fd; (void)flags; (void)data;
	return -1;
}

int hv_irqfd(struct hv_vm *vm, unsigned irq, int fd, int deassign)
{
	(void)vm; (void)irq; (void)fd; (void)deassign;
	return -1;
}

int hv_irqfd_resample(struct hv_vm *vm, unsigned irq, int fd, int resample_fd)
{
	(void)vm; (void)irq; (void)fd; (void)resample_fd;
	return -1;
}

struct hv_vcpu *hv_vcpu_create(struct hv_vm *vm, unsigned id)
{
	struct hv_vcpu *v = calloc(1, sizeof(*v));
	if (!v || id >= HVF_MAX_VCPUS) {
		log_err("vCPU %u: %s", id, v ? "too many vCPUs for HVF" : "out of memory");
		free(v);
		return NULL;
	}
	v->vm = vm;
	v->id = id;
	/* Same affinity as KVM gives and as the FDT's cpu@ reg says. */
	v->mpidr = (id & 0xfu) | ((id >> 4) & 0xffu) << 8 | ((id >> 12) & 0xffu) << 16;
	pthread_cond_init(&v->cond, NULL);
	pthread_mutex_lock(&vm->lock);
	vm->vcpus[id] = v;
	pthread_mutex_unlock(&vm->lock);
	return v;
}

void hv_vcpu_destroy(struct hv_vcpu *v)
{
	if (!v)
		return;
	/* hv_vcpu_destroy must run on the vCPU's thread, which has ended;
	 * the VM's destruction reclaims it. */
	pthread_mutex_lock(&v->vm->lock);
	v->vm->vcpus[v->id] = NULL;
	pthread_mutex_unlock(&v->vm->lock);
	free(v);
}

int hv_arm64_vcpu_init(struct hv_vcpu *v, int powered_off)
{
	v->off = powered_off;
	return 0;
}

void hv_vcpu_kick(struct hv_vcpu *v)
{
	pthread_mutex_lock(&v->vm->lock);
	v->kicked = 1;
	pthread_cond_broadcast(&v->cond);
	if (v->created)
		hv_vcpus_exit(&v->vcpu, 1);
	pthread_mutex_unlock(&v->vm->lock);
}

/* ---- registers ---------------------------------------------------------- */

static int sp_sysreg(uint64_t cpsr)
{
	return ((cpsr & 0xc) && (cpsr & 1)) ? HV_SYS_REG_SP_EL1 : HV_SYS_REG_SP_EL0;
}

int hv_vcpu_get_regs(struct hv_vcpu *v, struct hv_regs *r)
{
	if (!v->created) {
		*r = v->regs;
		return 0;
	}
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < 31; i++)
		if (hvf_ck(hv_vcpu_get_reg(v->vcpu, HV_REG_X0 + i, &r->gpr[i]), "hv_vcpu_get_reg", v->id))
			return -1;
	if (hvf_ck(hv_vcpu_get_reg(v->vcpu, HV_REG_PC, &r->pc), "get PC", v->id) ||
	    hvf_ck(hv_vcpu_get_reg(v->vcpu, HV_REG_CPSR, &r->flags), "get CPSR", v->id) ||
	    hvf_ck(hv_vcpu_get_sys_reg(v->vcpu, (hv_sys_reg_t)sp_sysreg(r->flags), &r->gpr[31]), "get SP", v->id))
		return -1;
	return 0;
}

int hv_vcpu_set_regs(struct hv_vcpu *v, const struct hv_regs *r)
{
	if (!v->created) {
		v->regs = *r;
		v->regs_set = 1;
		return 0;
	}
	for (unsigned i = 0; i < 31; i++)
		if (hvf_ck(hv_vcpu_set_reg(v->vcpu, HV_REG_X0 + i, r->gpr[i]), "hv_vcpu_set_reg", v->id))
			return -1;
	if (hvf_ck(hv_vcpu_set_reg(v->vcpu, HV_REG_CPSR, r->flags), "set CPSR", v->id) ||
	    hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, (hv_sys_reg_t)sp_sysreg(r->flags), r->gpr[31]), "set SP", v->id) ||
	    hvf_ck(hv_vcpu_set_reg(v->vcpu, HV_REG_PC, r->pc), "set PC", v->id))
		return -1;
	return 0;
}

int hv_arm64_get_sysreg(struct hv_vcpu *v, uint16_t id, uint64_t *val)
{
	if (!v->created) {
		*val = 0;
		for (unsigned i = 0; i < v->nsys; i++)
			if (v->sys[i].id == id)
				*val = v->sys[i].val;
		return 0;
	}
	return hvf_ck(hv_vcpu_get_sys_reg(v->vcpu, (hv_sys_reg_t)id, val), "hv_vcpu_get_sys_reg", v->id);
}

int hv_arm64_set_sysreg(struct hv_vcpu *v, uint16_t id, uint64_t val)
{
	if (!v->created) {
		if (v->nsys >= MAX_CACHED) {
			log_err("vCPU %u: too many system registers set before it ran", v->id);
			return -1;
		}
		v->sys[v->nsys].id = id;
		v->sys[v->nsys++].val = val;
		return 0;
	}
	return hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, (hv_sys_reg_t)id, val), "hv_vcpu_set_sys_reg", v->id);
}

/* Take a synchronous external abort (inject.c computes the entry): HVF
 * does not do it for us. */
int hvf_inject_sea(struct hv_vcpu *v, uint64_t far, int is_write, int is_fetch)
{
	struct hv_regs hr;
	struct arm64_regs r;
	struct arm64_exc_entry x;
	uint64_t vbar, sctlr;
	if (hv_vcpu_get_regs(v, &hr) || hv_arm64_get_sysreg(v, HV_ARM64_VBAR_EL1, &vbar) ||
	    hv_arm64_get_sysreg(v, HV_ARM64_SCTLR_EL1, &sctlr))
		return -1;
	memset(&r, 0, sizeof(r));
	r.pc = hr.pc;
	r.pstate = hr.flags;
	struct arm64_sea sea = { .far = far, .is_fetch = is_fetch, .is_write = is_write, .il32 = true };
	if (arm64_sea_entry(&r, vbar, sctlr, &sea, &x) < 0) {
		log_err("vCPU %u: cannot inject an abort from PSTATE 0x%llx", v->id, (unsigned long long)hr.flags);
		return -1;
	}
	/* The interrupted context's SP stays in its own register; the new
	 * PSTATE (EL1h) selects SP_EL1. */
	if (hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, HV_SYS_REG_ELR_EL1, x.elr_el1), "ELR_EL1", v->id) ||
	    hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, HV_SYS_REG_SPSR_EL1, x.spsr_el1), "SPSR_EL1", v->id) ||
	    hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, HV_SYS_REG_ESR_EL1, x.esr_el1), "ESR_EL1", v->id) ||
	    hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, HV_SYS_REG_FAR_EL1, x.far_el1), "FAR_EL1", v->id) ||
	    hvf_ck(hv_vcpu_set_reg(v->vcpu, HV_REG_CPSR, x.pstate), "CPSR", v->id) ||
	    hvf_ck(hv_vcpu_set_reg(v->vcpu, HV_REG_PC, x.pc), "PC", v->id))
		return -1;
	return 0;
}

int hv_arm64_inject_dabt(struct hv_vcpu *v, uint64_t far, int is_write)
{
	return hvf_inject_sea(v, far, is_write, 0);
}

