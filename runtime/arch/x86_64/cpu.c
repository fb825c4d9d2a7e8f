/*
 * x86_64 per-vCPU set-up (CPUID, FPU, LAPIC) and the register dump printed
 * when a guest crashes.
 */
#include <string.h>

#include "arch/arch.h"
#include "arch/x86_64/cpuid.h"
#include "hv/hv.h"
#include "vcpu.h"
#include "vibe/log.h"
#include "vm.h"

#define CPUID_MAX 512

/* CPUID: what KVM supports, shaped by cpuid.c into 1 socket x N cores with
 * APIC ID = vCPU index, so raw guests can tell vCPUs apart and Linux sees
 * the machine's topology. */
static int setup_cpuid(struct vibe_vcpu *vc)
{
	static struct hv_cpuid_entry supported[CPUID_MAX];
	static unsigned nsupported;
	static struct hv_cpuid_entry e[CPUID_MAX + VIBE_CPUID_EXTRA];
	struct vibe_vm *vm = vc->vm;

	/* vCPUs are set up one after another on the main thread, so the
	 * static tables are not shared between threads. */
	if (!nsupported && hv_x86_get_supported_cpuid(vm->hv, supported, CPUID_MAX, &nsupported) < 0)
		return -1;
	int n = vibe_cpuid_for_vcpu(supported, nsupported, (unsigned)(vc - vm->vcpus), vm->nvcpus,
				    e, CPUID_MAX + VIBE_CPUID_EXTRA);
	if (n < 0) {
		log_err("vCPU %u: cannot build its CPUID table", vc->id);
		return -1;
	}
	return hv_x86_set_cpuid(vc->hv, e, (unsigned)n);
}

int arch_vcpu_init(struct vibe_vcpu *vc)
{
	if (setup_cpuid(vc) < 0 || hv_x86_init_fpu(vc->hv) < 0)
		return -1;
	if (vc->vm->has_irqchip && hv_x86_setup_lapic_lints(vc->hv) < 0)
		return -1;
	return 0;
}

static void dump_seg(const char *n, const struct hv_x86_segment *s)
{
	log_err("  %-3s sel=0x%04x base=0x%016llx limit=0x%08x type=%u p=%u dpl=%u db=%u s=%u l=%u g=%u",
		n, s->selector, (unsigned long long)s->base, s->limit, s->type, s->present, s->dpl,
		s->db, s->s, s->l, s->g);
}

void arch_vcpu_dump(struct vibe_vcpu *vc)
{
	struct hv_regs r;
	struct hv_x86_sregs s;
	if (hv_vcpu_get_regs(vc->hv, &r) < 0)
		return;
	const uint64_t *g = r.gpr;
	log_err("vCPU %u registers:", vc->id);
	log_err("  rip=0x%016llx rflags=0x%08llx", (unsigned long long)r.pc, (unsigned long long)r.flags);
	log_err("  rax=0x%016llx rbx=0x%016llx rcx=0x%016llx rdx=0x%016llx",
		(unsigned long long)g[HV_X86_RAX], (unsigned long long)g[HV_X86_RBX],
		(unsigned long long)g[HV_X86_RCX], (unsigned long long)g[HV_X86_RDX]);
	log_err("  rsi=0x%016llx rdi=0x%016llx rsp=0x%016llx rbp=0x%016llx",
		(unsigned long long)g[HV_X86_RSI], (unsigned long long)g[HV_X86_RDI],
		(unsigned long long)g[HV_X86_RSP], (unsigned long long)g[HV_X86_RBP]);
	log_err("  r8 =0x%016llx r9 =0x%016llx r10=0x%016llx r11=0x%016llx",
		(unsigned long long)g[HV_X86_R8], (unsigned long long)g[HV_X86_R9],
		(unsigned long long)g[HV_X86_R10], (unsigned long long)g[HV_X86_R11]);
	log_err("  r12=0x%016llx r13=0x%016llx r14=0x%016llx r15=0x%016llx",
		(unsigned long long)g[HV_X86_R12], (unsigned long long)g[HV_X86_R13],
		(unsigned long long)g[HV_X86_R14], (unsigned long long)g[HV_X86_R15]);
	if (hv_x86_get_sregs(vc->hv, &s) < 0)
		return;
	log_err("  cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx",
		(unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		(unsigned long long)s.cr4, (unsigned long long)s.efer);
	dump_seg("cs", &s.cs);
	dump_seg("ss", &s.ss);
	dump_seg("ds", &s.ds);
	log_err("  gdt=0x%llx/0x%x idt=0x%llx/0x%x", (unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
}
