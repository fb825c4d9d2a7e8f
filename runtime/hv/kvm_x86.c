/*
 * KVM backend, x86_64 half: registers, segment state, FPU, CPUID, MSRs and
 * the in-kernel irqchip/PIT. Everything here is set-up time, never on the
 * exit path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm_priv.h"
#include "vibe/log.h"

/* Where KVM may put the real-mode TSS (3 pages) and the EPT identity map
 * page it needs on Intel hosts without unrestricted guest: just below the
 * 4 GiB BIOS area, as QEMU does, so they never collide with guest RAM
 * placed under 3 GiB. */
#define KVM_TSS_ADDR          0xfffbd000ull
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ull

int kvm_arch_vm_init(struct hv_vm *vm)
{
	uint64_t idmap = KVM_IDENTITY_MAP_ADDR;
	/* Both only matter on Intel; AMD and software hypervisors refuse or
	 * ignore them, which is fine. */
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		log_debug("kvm: KVM_SET_IDENTITY_MAP_ADDR: %s (ignored)", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0)
		log_debug("kvm: KVM_SET_TSS_ADDR: %s (ignored)", strerror(errno));
	return 0;
}

int hv_create_irqchip(struct hv_vm *vm, unsigned flags)
{
	if (!vm->caps.irqchip) {
		log_info("kvm: no in-kernel irqchip (KVM_CAP_IRQCHIP absent)");
		return -1;
	}
	if (kvm_ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, NULL) < 0) {
		log_info("kvm: KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	vm->has_irqchip = 1;
	if (flags & HV_IRQCHIP_PIT) {
		/* Dummy speaker port: the guest's port 0x61 pokes stay in-kernel. */
		struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
		if (kvm_ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
			log_err("KVM_CREATE_PIT2: %s", strerror(errno));
			return -1;
		}
		vm->has_pit = 1;
	}
	return 0;
}

int hv_vcpu_get_regs(struct hv_vcpu *v, struct hv_regs *r)
{
	struct kvm_regs k;
	if (kvm_ioctl(v->fd, KVM_GET_REGS, &k) < 0) {
		log_err("vCPU %u: KVM_GET_REGS: %s", v->id, strerror(errno));
		return -1;
	}
	memset(r, 0, sizeof(*r));
	uint64_t *g = r->gpr;
	g[HV_X86_RAX] = k.rax; g[HV_X86_RBX] = k.rbx; g[HV_X86_RCX] = k.rcx; g[HV_X86_RDX] = k.rdx;
	g[HV_X86_RSI] = k.rsi; g[HV_X86_RDI] = k.rdi; g[HV_X86_RSP] = k.rsp; g[HV_X86_RBP] = k.rbp;
	g[HV_X86_R8] = k.r8; g[HV_X86_R9] = k.r9; g[HV_X86_R10] = k.r10; g[HV_X86_R11] = k.r11;
	g[HV_X86_R12] = k.r12; g[HV_X86_R13] = k.r13; g[HV_X86_R14] = k.r14; g[HV_X86_R15] = k.r15;
	r->pc = k.rip;
	r->flags = k.rflags;
	return 0;
}

int hv_vcpu_set_regs(struct hv_vcpu *v, const struct hv_regs *r)
{
	struct kvm_regs k;
	memset(&k, 0, sizeof(k));
	const uint64_t *g = r->gpr;
	k.rax = g[HV_X86_RAX]; k.rbx = g[HV_X86_RBX]; k.rcx = g[HV_X86_RCX]; k.rdx = g[HV_X86_RDX];
	k.rsi = g[HV_X86_RSI]; k.rdi = g[HV_X86_RDI]; k.rsp = g[HV_X86_RSP]; k.rbp = g[HV_X86_RBP];
	k.r8 = g[HV_X86_R8]; k.r9 = g[HV_X86_R9]; k.r10 = g[HV_X86_R10]; k.r11 = g[HV_X86_R11];
	k.r12 = g[HV_X86_R12]; k.r13 = g[HV_X86_R13]; k.r14 = g[HV_X86_R14]; k.r15 = g[HV_X86_R15];
	k.rip = r->pc;
	k.rflags = r->flags;
	if (kvm_ioctl(v->fd, KVM_SET_REGS, &k) < 0) {
		log_err("vCPU %u: KVM_SET_REGS: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

static void seg_from_kvm(struct hv_x86_segment *d, const struct kvm_segment *s)
{
	d->base = s->base; d->limit = s->limit; d->selector = s->selector;
	d->type = s->type; d->present = s->present; d->dpl = s->dpl; d->db = s->db;
	d->s = s->s; d->l = s->l; d->g = s->g; d->avl = s->avl; d->unusable = s->unusable;
}

static void seg_to_kvm(struct kvm_segment *d, const struct hv_x86_segment *s)
{
	d->base = s->base; d->limit = s->limit; d->selector = s->selector;
	d->type = s->type; d->present = s->present; d->dpl = s->dpl; d->db = s->db;
	d->s = s->s; d->l = s->l; d->g = s->g; d->avl = s->avl; d->unusable = s->unusable;
}

int hv_x86_get_sregs(struct hv_vcpu *v, struct hv_x86_sregs *s)
{
	struct kvm_sregs k;
	if (kvm_ioctl(v->fd, KVM_GET_SREGS, &k) < 0) {
		log_err("vCPU %u: KVM_GET_SREGS: %s", v->id, strerror(errno));
		return -1;
	}
	seg_from_kvm(&s->cs, &k.cs); seg_from_kvm(&s->ds, &k.ds); seg_from_kvm(&s->es, &k.es);
	seg_from_kvm(&s->fs, &k.fs); seg_from_kvm(&s->gs, &k.gs); seg_from_kvm(&s->ss, &k.ss);
	seg_from_kvm(&s->tr, &k.tr); seg_from_kvm(&s->ldt, &k.ldt);
	s->gdt.base = k.gdt.base; s->gdt.limit = k.gdt.limit;
	s->idt.base = k.idt.base; s->idt.limit = k.idt.limit;
	s->cr0 = k.cr0; s->cr2 = k.cr2; s->cr3 = k.cr3; s->cr4 = k.cr4; s->cr8 = k.cr8;
	s->efer = k.efer; s->apic_base = k.apic_base;
	return 0;
}

int hv_x86_set_sregs(struct hv_vcpu *v, const struct hv_x86_sregs *s)
{
	struct kvm_sregs k;
	/* Read first so fields this interface does not carry (the pending
	 * interrupt bitmap) keep KVM's values. */
	if (kvm_ioctl(v->fd, KVM_GET_SREGS, &k) < 0) {
		log_err("vCPU %u: KVM_GET_SREGS: %s", v->id, strerror(errno));
		return -1;
	}
	seg_to_kvm(&k.cs, &s->cs); seg_to_kvm(&k.ds, &s->ds); seg_to_kvm(&k.es, &s->es);
	seg_to_kvm(&k.fs, &s->fs); seg_to_kvm(&k.gs, &s->gs); seg_to_kvm(&k.ss, &s->ss);
	seg_to_kvm(&k.tr, &s->tr); seg_to_kvm(&k.ldt, &s->ldt);
	k.gdt.base = s->gdt.base; k.gdt.limit = s->gdt.limit;
	k.idt.base = s->idt.base; k.idt.limit = s->idt.limit;
	k.cr0 = s->cr0; k.cr2 = s->cr2; k.cr3 = s->cr3; k.cr4 = s->cr4; k.cr8 = s->cr8;
	k.efer = s->efer; k.apic_base = s->apic_base;
	if (kvm_ioctl(v->fd, KVM_SET_SREGS, &k) < 0) {
		log_err("vCPU %u: KVM_SET_SREGS: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_x86_init_fpu(struct hv_vcpu *v)
{
	struct kvm_fpu f;
	memset(&f, 0, sizeof(f));
	f.fcw = 0x37f;
	f.mxcsr = 0x1f80;
	if (kvm_ioctl(v->fd, KVM_SET_FPU, &f) < 0) {
		log_err("vCPU %u: KVM_SET_FPU: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_x86_get_supported_cpuid(struct hv_vm *vm, struct hv_cpuid_entry *out, unsigned max,
			       unsigned *n)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + max * sizeof(c->entries[0]));
	if (!c) {
		log_err("out of memory");
		return -1;
	}
	c->nent = max;
	if (kvm_ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		log_err("KVM_GET_SUPPORTED_CPUID (room for %u entries): %s", max, strerror(errno));
		free(c);
		return -1;
	}
	for (unsigned i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *k = &c->entries[i];
		out[i] = (struct hv_cpuid_entry){
			.function = k->function, .index = k->index,
			.flags = (k->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ? HV_CPUID_SIGNIFICANT_INDEX : 0,
			.eax = k->eax, .ebx = k->ebx, .ecx = k->ecx, .edx = k->edx,
		};
	}
	*n = c->nent;
	free(c);
	/* TSC-deadline mode of the LAPIC timer: KVM emulates it but leaves it
	 * out of KVM_GET_SUPPORTED_CPUID (api.rst: check
	 * KVM_CAP_TSC_DEADLINE_TIMER), as QEMU does. Without it Linux
	 * calibrates the LAPIC timer against the PIT at boot (0.1 s and more
	 * of timer exits, and under nested KVM the check often fails: "APIC
	 * timer disabled due to verification failure"). */
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		for (unsigned i = 0; i < *n; i++)
			if (out[i].function == 1)
				out[i].ecx |= 1u << 24; /* CPUID.1:ECX.TSC_Deadline */
	return 0;
}

int hv_x86_set_cpuid(struct hv_vcpu *v, const struct hv_cpuid_entry *e, unsigned n)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	if (!c) {
		log_err("out of memory");
		return -1;
	}
	c->nent = n;
	for (unsigned i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *k = &c->entries[i];
		k->function = e[i].function;
		k->index = e[i].index;
		k->flags = (e[i].flags & HV_CPUID_SIGNIFICANT_INDEX) ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
		k->eax = e[i].eax; k->ebx = e[i].ebx; k->ecx = e[i].ecx; k->edx = e[i].edx;
	}
	int r = kvm_ioctl(v->fd, KVM_SET_CPUID2, c);
	if (r < 0)
		log_err("vCPU %u: KVM_SET_CPUID2 (%u entries): %s", v->id, n, strerror(errno));
	free(c);
	return r < 0 ? -1 : 0;
}

static struct kvm_msrs *msrs_alloc(unsigned n)
{
	struct kvm_msrs *m = calloc(1, sizeof(*m) + n * sizeof(m->entries[0]));
	if (m)
		m->nmsrs = n;
	return m;
}

int hv_x86_set_msrs(struct hv_vcpu *v, const struct hv_msr *msrs, unsigned n)
{
	struct kvm_msrs *m = msrs_alloc(n);
	if (!m) {
		log_err("out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		m->entries[i].index = msrs[i].index;
		m->entries[i].data = msrs[i].data;
	}
	/* KVM_SET_MSRS returns how many it set; it stops at the first refused. */
	int r = kvm_ioctl(v->fd, KVM_SET_MSRS, m);
	free(m);
	if (r < 0 || (unsigned)r != n) {
		if (r < 0)
			log_err("vCPU %u: KVM_SET_MSRS: %s", v->id, strerror(errno));
		else
			log_err("vCPU %u: KVM_SET_MSRS refused MSR 0x%x", v->id, msrs[r].index);
		return -1;
	}
	return 0;
}

int hv_x86_get_msrs(struct hv_vcpu *v, struct hv_msr *msrs, unsigned n)
{
	struct kvm_msrs *m = msrs_alloc(n);
	if (!m) {
		log_err("out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		m->entries[i].index = msrs[i].index;
	int r = kvm_ioctl(v->fd, KVM_GET_MSRS, m);
	if (r >= 0)
		for (int i = 0; i < r; i++)
			msrs[i].data = m->entries[i].data;
	free(m);
	if (r < 0 || (unsigned)r != n) {
		log_err("vCPU %u: KVM_GET_MSRS: %s", v->id,
			r < 0 ? strerror(errno) : "an MSR was refused");
		return -1;
	}
	return 0;
}

#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_MODE_NMI    4u
#define APIC_MODE_EXTINT 7u

static void lvt_set_mode(struct kvm_lapic_state *l, unsigned reg, uint32_t mode)
{
	uint32_t val;
	memcpy(&val, &l->regs[reg], 4);
	val = (val & ~0x700u) | (mode << 8);
	memcpy(&l->regs[reg], &val, 4);
}

int hv_x86_setup_lapic_lints(struct hv_vcpu *v)
{
	struct kvm_lapic_state l;
	if (!v->vm->has_irqchip)
		return 0;
	if (kvm_ioctl(v->fd, KVM_GET_LAPIC, &l) < 0) {
		log_err("vCPU %u: KVM_GET_LAPIC: %s", v->id, strerror(errno));
		return -1;
	}
	lvt_set_mode(&l, APIC_LVT_LINT0, APIC_MODE_EXTINT);
	lvt_set_mode(&l, APIC_LVT_LINT1, APIC_MODE_NMI);
	if (kvm_ioctl(v->fd, KVM_SET_LAPIC, &l) < 0) {
		log_err("vCPU %u: KVM_SET_LAPIC: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}
