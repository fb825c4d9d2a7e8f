/*
 * HVF backend, running a vCPU: lazy creation on the vCPU thread, PSCI
 * power state, the vtimer, and turning exception syndromes into hv_exit.
 * Arm ARM DDI 0487 (ESR_EL2 classes) and DEN 0022 (PSCI) are the
 * references; docs/internals/hvf.md the overview.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "hv/hvf_priv.h"

#define PSTATE_EL1H_DAIF 0x3c5ull
#define WFI_MAX_NS 1000000L /* a WFI parks the thread at most 1 ms */

static int set_x(struct hv_vcpu *v, unsigned n, uint64_t val)
{
	if (n >= 31)
		return 0; /* XZR */
	return hvf_ck(hv_vcpu_set_reg(v->vcpu, HV_REG_X0 + n, val), "set X", v->id);
}

static uint64_t get_x(struct hv_vcpu *v, unsigned n)
{
	uint64_t val = 0;
	if (n < 31)
		hv_vcpu_get_reg(v->vcpu, HV_REG_X0 + n, &val);
	return val;
}

static int advance_pc(struct hv_vcpu *v, unsigned step)
{
	uint64_t pc;
	if (hvf_ck(hv_vcpu_get_reg(v->vcpu, HV_REG_PC, &pc), "get PC", v->id))
		return -1;
	return hvf_ck(hv_vcpu_set_reg(v->vcpu, HV_REG_PC, pc + step), "set PC", v->id);
}

/* First run, on the vCPU's own thread: create it, then apply what the
 * main thread set while it did not exist. */
static int create_here(struct hv_vcpu *v)
{
	if (hvf_ck(apple_vcpu_create(&v->vcpu, &v->exit), "hv_vcpu_create", v->id))
		return -1;
	pthread_mutex_lock(&v->vm->lock);
	v->created = 1;
	pthread_mutex_unlock(&v->vm->lock);
	if (hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, HV_SYS_REG_MPIDR_EL1, v->mpidr), "MPIDR_EL1", v->id))
		return -1;
	for (unsigned i = 0; i < v->nsys; i++)
		if (hvf_ck(hv_vcpu_set_sys_reg(v->vcpu, (hv_sys_reg_t)v->sys[i].id, v->sys[i].val),
			   "cached sysreg", v->id))
			return -1;
	if (v->regs_set && hv_vcpu_set_regs(v, &v->regs) < 0)
		return -1;
	return 0;
}

/* The ISV = 1 access handed out last time: write a load's value to Rt
 * (extended per SSE/SF, XZR discarded) and step over the instruction. */
static int complete_mmio(struct hv_vcpu *v)
{
	if (!v->pend.active)
		return 0;
	v->pend.active = 0;
	if (v->pend.is_read) {
		uint64_t raw = 0;
		memcpy(&raw, v->mmio, v->pend.size);
		if (set_x(v, v->pend.srt, arm64_extend_load(raw, v->pend.size, v->pend.sse, v->pend.sf)))
			return -1;
	}
	return advance_pc(v, v->pend.pc_step);
}

/* Parked while powered off (PSCI): until CPU_ON or a kick. Returns 1 on a
 * kick (the caller reports HV_EXIT_INTR), 0 once powered on. */
static int wait_power(struct hv_vcpu *v)
{
	struct hv_vm *vm = v->vm;
	pthread_mutex_lock(&vm->lock);
	while (v->off && !v->on_pending && !v->kicked)
		pthread_cond_wait(&v->cond, &vm->lock);
	if (v->kicked) {
		v->kicked = 0;
		pthread_mutex_unlock(&vm->lock);
		return 1;
	}
	uint64_t entry = v->on_entry, ctx = v->on_ctx;
	int on = v->on_pending;
	v->off = 0;
	v->on_pending = 0;
	pthread_mutex_unlock(&vm->lock);
	if (on) {
		/* DEN 0022 5.6: the new core starts at entry, EL1, MMU off,
		 * x0 = context_id. */
		struct hv_regs r;
		memset(&r, 0, sizeof(r));
		r.gpr[0] = ctx;
		r.pc = entry;
		r.flags = PSTATE_EL1H_DAIF;
		if (hv_vcpu_set_regs(v, &r) < 0)
			return -1;
	}
	return 0;
}

/* WFI: sleep until a kick or at most WFI_MAX_NS; any interrupt the GIC or
 * the vtimer raises meanwhile is seen on re-entry. */
static void wait_wfi(struct hv_vcpu *v)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += WFI_MAX_NS;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&v->vm->lock);
	if (!v->kicked)
		pthread_cond_timedwait(&v->cond, &v->vm->lock, &ts);
	pthread_mutex_unlock(&v->vm->lock);
}

/* After a VTIMER_ACTIVATED exit HVF keeps the vtimer masked: unmask it
 * once the guest has handled the tick (timer disabled, masked, or its
 * condition no longer met), as QEMU's hvf_sync_vtimer does. */
static void sync_vtimer(struct hv_vcpu *v)
{
	uint64_t ctl;
	if (!v->vtimer_masked || hv_vcpu_get_sys_reg(v->vcpu, HV_SYS_REG_CNTV_CTL_EL0, &ctl))
		return;
	int firing = (ctl & (CNTV_ENABLE | CNTV_IMASK | CNTV_ISTATUS)) == (CNTV_ENABLE | CNTV_ISTATUS);
	if (!v->vm->has_gic)
		hv_vcpu_set_pending_interrupt(v->vcpu, HV_INTERRUPT_TYPE_IRQ, firing);
	if (!firing) {
		hv_vcpu_set_vtimer_mask(v->vcpu, false);
		v->vtimer_masked = 0;
	}
}

static struct hv_vcpu *by_mpidr(struct hv_vm *vm, uint64_t mpidr)
{
	for (unsigned i = 0; i < HVF_MAX_VCPUS; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->mpidr == (mpidr & 0xff00ffffffull))
			return vm->vcpus[i];
	return NULL;
}

/* HVC #0 is a PSCI call (the FDT's psci node says method = "hvc"). HVF
 * reports HVC with PC already past it (its preferred return address).
 * Returns 1 when *e is filled for the caller, 0 to keep running. */
static int psci(struct hv_vcpu *v, struct hv_exit *e)
{
	uint64_t x[4];
	struct psci_call c;
	struct hv_vcpu *t;
	for (unsigned i = 0; i < 4; i++)
		x[i] = get_x(v, i);
	arm64_psci_decode(x, &c);
	log_trace("VM exit: PSCI %s (0x%x) vcpu=%u", c.name, c.fn, v->id);
	switch (c.action) {
	case PSCI_ACT_RETURN:
		break;
	case PSCI_ACT_CPU_ON:
		pthread_mutex_lock(&v->vm->lock);
		t = by_mpidr(v->vm, c.target_mpidr);
		if (!t)
			c.ret = PSCI_INVALID_PARAMETERS;
		else if (!t->off)
			c.ret = PSCI_ALREADY_ON;
		else if (t->on_pending)
			c.ret = PSCI_ON_PENDING;
		else {
			t->on_pending = 1;
			t->on_entry = c.entry;
			t->on_ctx = c.context_id;
			pthread_cond_broadcast(&t->cond);
		}
		pthread_mutex_unlock(&v->vm->lock);
		break;
	case PSCI_ACT_CPU_OFF:
		pthread_mutex_lock(&v->vm->lock);
		v->off = 1;
		pthread_mutex_unlock(&v->vm->lock);
		return 0;
	case PSCI_ACT_AFFINITY_INFO:
		pthread_mutex_lock(&v->vm->lock);
		t = by_mpidr(v->vm, c.target_mpidr);
		c.ret = !t ? PSCI_INVALID_PARAMETERS : t->off ? 1 : 0;
		pthread_mutex_unlock(&v->vm->lock);
		break;
	case PSCI_ACT_SYSTEM_OFF:
	case PSCI_ACT_SYSTEM_RESET:
		e->kind = HV_EXIT_SYSTEM_EVENT;
		e->system_event.type = c.action == PSCI_ACT_SYSTEM_OFF ? HV_SYSEV_SHUTDOWN : HV_SYSEV_RESET;
		e->system_event.raw_type = e->system_event.type;
		e->system_event.data0 = 0;
		return 1;
	}
	return set_x(v, 0, (uint64_t)c.ret) < 0 ? -1 : 0;
}

/* One exception exit. Returns 1 with *e filled, 0 to re-enter, -1 on a
 * backend failure. */
static int exception(struct hv_vcpu *v, struct hv_exit *e)
{
	const hv_vcpu_exit_exception_t *x = &v->exit->exception;
	struct arm64_esr esr;
	arm64_esr_decode(x->syndrome, &esr);

	switch (esr.ec) {
	case ARM64_EC_DABT_LOW: {
		const struct arm64_abort_iss *a = &esr.abt;
		int mmio_fault = a->fsc_kind == ARM64_FSC_K_TRANSLATION ||
				 a->fsc_kind == ARM64_FSC_K_ACCESS_FLAG ||
				 a->fsc_kind == ARM64_FSC_K_PERMISSION;
		if (a->isv && mmio_fault && !a->s1ptw && !a->ea && !a->cm) {
			/* The common case: the syndrome says it all. */
			e->kind = HV_EXIT_MMIO;
			e->mmio.gpa = x->physical_address;
			e->mmio.data = v->mmio;
			e->mmio.size = (uint8_t)a->size;
			e->mmio.is_write = a->wnr;
			if (a->wnr) {
				uint64_t val = get_x(v, a->srt); /* SRT 31: XZR stores 0 */
				memcpy(v->mmio, &val, 8);
			}
			v->pend.active = 1;
			v->pend.is_read = !a->wnr;
			v->pend.srt = a->srt;
			v->pend.size = a->size;
			v->pend.sse = a->sse;
			v->pend.sf = a->sf;
			v->pend.pc_step = esr.il ? 4 : 2;
			return 1;
		}
		/* ISV = 0 or an odd fault: the arch code decodes or injects. */
		e->kind = HV_EXIT_ARM_ABORT;
		e->arm_abort.esr = x->syndrome;
		e->arm_abort.ipa = x->physical_address;
		e->arm_abort.va = x->virtual_address;
		return 1;
	}
	case ARM64_EC_IABT_LOW:
		/* Fetch from an IPA with no RAM: the guest takes a prefetch
		 * abort, as KVM would make it. */
		log_warn_ratelimited("vCPU %u: instruction fetch from unmapped 0x%llx: injecting an abort",
				     v->id, (unsigned long long)x->physical_address);
		return hvf_inject_sea(v, x->virtual_address, 0, 1) < 0 ? -1 : 0;
	case ARM64_EC_HVC64:
		return psci(v, e);
	case ARM64_EC_SMC64:
		/* No EL3 here: SMCCC's unknown-function answer; SMC traps with
		 * PC at the instruction, so step over it. */
		if (set_x(v, 0, (uint64_t)(int64_t)PSCI_NOT_SUPPORTED) < 0)
			return -1;
		return advance_pc(v, 4) < 0 ? -1 : 0;
	case ARM64_EC_WFX:
		if (advance_pc(v, esr.il ? 4 : 2) < 0)
			return -1;
		if (esr.wfx.ti == 0 || esr.wfx.ti == 2) /* WFI / WFIT */
			wait_wfi(v);
		return 0;
	case ARM64_EC_SYS64:
		/* Registers HVF traps (debug, OS lock, ...): RAZ/WI. */
		log_debug("vCPU %u: trapped %s S%u_%u_C%u_C%u_%u: read as 0 / ignored", v->id,
			  esr.sys.is_read ? "MRS" : "MSR", esr.sys.op0, esr.sys.op1, esr.sys.crn,
			  esr.sys.crm, esr.sys.op2);
		if (esr.sys.is_read && set_x(v, esr.sys.rt, 0) < 0)
			return -1;
		return advance_pc(v, 4) < 0 ? -1 : 0;
	default: {
		/* BRK (only with debug traps on) and everything unexpected:
		 * report it as a crash with the syndrome. */
		char buf[200];
		log_err("vCPU %u: %s", v->id, arm64_esr_str(&esr, buf, sizeof buf));
		e->kind = HV_EXIT_INTERNAL_ERROR;
		e->internal.suberror = HV_INTERNAL_UNEXPECTED_EXIT;
		e->internal.ndata = 2;
		e->internal.data[0] = x->syndrome;
		e->internal.data[1] = x->virtual_address;
		return 1;
	}
	}
}

int hv_vcpu_run(struct hv_vcpu *v, struct hv_exit *e)
{
	if (!v->created && create_here(v) < 0)
		return -1;
	if (complete_mmio(v) < 0)
		return -1;
	for (;;) {
		if (v->off) {
			int r = wait_power(v);
			if (r < 0)
				return -1;
			if (r) {
				e->kind = HV_EXIT_INTR;
				return 0;
			}
		}
		pthread_mutex_lock(&v->vm->lock);
		int kicked = v->kicked;
		v->kicked = 0;
		pthread_mutex_unlock(&v->vm->lock);
		if (kicked) {
			e->kind = HV_EXIT_INTR;
			return 0;
		}
		sync_vtimer(v);
		if (hvf_ck(apple_vcpu_run(v->vcpu), "hv_vcpu_run", v->id))
			return -1;
		switch (v->exit->reason) {
		case HV_EXIT_REASON_CANCELED:
			e->kind = HV_EXIT_INTR;
			return 0;
		case HV_EXIT_REASON_VTIMER_ACTIVATED:
			/* HVF masked the vtimer; without the HVF GIC nobody else
			 * raises the guest's IRQ for it. */
			v->vtimer_masked = 1;
			if (!v->vm->has_gic)
				hv_vcpu_set_pending_interrupt(v->vcpu, HV_INTERRUPT_TYPE_IRQ, true);
			continue;
		case HV_EXIT_REASON_EXCEPTION: {
			int r = exception(v, e);
			if (r)
				return r < 0 ? -1 : 0;
			continue;
		}
		default:
			e->kind = HV_EXIT_UNKNOWN;
			e->unknown.reason = v->exit->reason;
			return 0;
		}
	}
}
