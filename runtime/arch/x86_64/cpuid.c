/*
 * Per-vCPU CPUID and the reset MSRs; see cpuid.h. Leaf and bit names are
 * from the Intel SDM vol. 2A "CPUID" and AMD APM vol. 3 appendix E;
 * Firecracker's cpuid normalisation was read for what matters to Linux.
 */
#include "cpuid.h"

#include <string.h>

#define F_HYPERVISOR  (1u << 31) /* leaf 1 ECX: running under a hypervisor */
#define F_VMX         (1u << 5)  /* leaf 1 ECX: no nested VMX offered */
#define F_HTT         (1u << 28) /* leaf 1 EDX: EBX[23:16] is meaningful */
#define F_SVM         (1u << 2)  /* 0x80000001 ECX: no nested SVM offered */
#define CLFLUSH_64B   8u         /* leaf 1 EBX[15:8]: line size in 8-byte units */

#define LEVEL_SMT  1u /* leaf 0xB/0x1F ECX[15:8] level types */
#define LEVEL_CORE 2u

static unsigned ceil_log2(unsigned n)
{
	unsigned s = 0;

	while ((1u << s) < n)
		s++;
	return s;
}

const struct hv_cpuid_entry *vibe_cpuid_find(const struct hv_cpuid_entry *e, unsigned n,
					     uint32_t function, uint32_t index)
{
	for (unsigned i = 0; i < n; i++)
		if (e[i].function == function &&
		    (!(e[i].flags & HV_CPUID_SIGNIFICANT_INDEX) || e[i].index == index))
			return &e[i];
	return NULL;
}

static int is_amd(const struct hv_cpuid_entry *sup, unsigned nsup)
{
	const struct hv_cpuid_entry *l0 = vibe_cpuid_find(sup, nsup, 0, 0);

	/* "AuthenticAMD" / "HygonGenuine": EBX "Auth"/"Hygo" */
	return l0 && (l0->ebx == 0x68747541u || l0->ebx == 0x6f677948u);
}

/* Leaf 1: initial APIC ID in EBX[31:24], addressable logical processors
 * in EBX[23:16] (a power of two covering N), HTT when N > 1. */
static void fix_leaf1(struct hv_cpuid_entry *e, unsigned vcpu, unsigned n)
{
	uint32_t logical = n > 1 ? 1u << ceil_log2(n) : 1;
	uint32_t clflush = (e->ebx >> 8) & 0xff ? (e->ebx >> 8) & 0xff : CLFLUSH_64B;

	e->ebx = (vcpu & 0xffu) << 24 | (logical & 0xffu) << 16 | clflush << 8 | (e->ebx & 0xff);
	e->ecx |= F_HYPERVISOR;
	e->ecx &= ~F_VMX;
	if (n > 1)
		e->edx |= F_HTT;
	else
		e->edx &= ~F_HTT;
}

/* Leaf 4 (deterministic cache parameters): EAX[31:26] = cores per
 * package - 1, EAX[25:14] = logical processors sharing the cache - 1:
 * L1 and L2 are per core (1 thread), the last level is shared by all. */
static void fix_leaf4(struct hv_cpuid_entry *e, unsigned n)
{
	unsigned level = (e->eax >> 5) & 7;
	uint32_t cores = n - 1 > 63 ? 63 : n - 1;
	uint32_t sharing = level >= 3 ? n - 1 : 0;

	if ((e->eax & 0x1f) == 0) /* type 0: no more caches */
		return;
	e->eax &= 0x3fffu;
	e->eax |= cores << 26 | (sharing & 0xfffu) << 14;
}

/* AMD: 0x80000008 ECX[7:0] NC = cores - 1, ECX[15:12] ApicIdCoreIdSize. */
static void fix_amd_8008(struct hv_cpuid_entry *e, unsigned n)
{
	e->ecx &= ~0xf0ffu;
	e->ecx |= (n - 1) & 0xffu;
	e->ecx |= (ceil_log2(n) & 0xfu) << 12;
}

/* AMD TOPOEXT 0x8000001E: extended APIC ID, core (compute unit) ID with
 * one thread per core, node 0. */
static void fix_amd_801e(struct hv_cpuid_entry *e, unsigned vcpu)
{
	e->eax = vcpu;
	e->ebx = vcpu & 0xffu;
	e->ecx = 0;
}

static int push(struct hv_cpuid_entry *out, unsigned *k, unsigned max,
		uint32_t fn, uint32_t idx, uint32_t flags,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	if (*k >= max)
		return -1;
	out[*k] = (struct hv_cpuid_entry){ .function = fn, .index = idx, .flags = flags,
					   .eax = a, .ebx = b, .ecx = c, .edx = d };
	(*k)++;
	return 0;
}

/* Leaf 0xB / 0x1F (x2APIC topology), sub-leaf per level: EAX[4:0] =
 * APIC-ID bits to shift away to reach the next level, EBX = logical
 * processors at this level, ECX = level type << 8 | sub-leaf, EDX =
 * x2APIC ID. SMT (1 thread) then core (N), then the terminating level. */
static int push_topology(struct hv_cpuid_entry *out, unsigned *k, unsigned max,
			 uint32_t fn, unsigned vcpu, unsigned n)
{
	uint32_t f = HV_CPUID_SIGNIFICANT_INDEX;

	if (push(out, k, max, fn, 0, f, 0, 1, LEVEL_SMT << 8 | 0, vcpu) ||
	    push(out, k, max, fn, 1, f, ceil_log2(n), n, LEVEL_CORE << 8 | 1, vcpu) ||
	    push(out, k, max, fn, 2, f, 0, 0, 2, vcpu))
		return -1;
	return 0;
}

int vibe_cpuid_for_vcpu(const struct hv_cpuid_entry *sup, unsigned nsup,
			unsigned vcpu, unsigned nvcpus,
			struct hv_cpuid_entry *out, unsigned max)
{
	int amd = is_amd(sup, nsup);
	int has_b = 0, has_1f = 0;
	uint32_t hv_max = 0x40000001;
	unsigned k = 0;

	if (nvcpus == 0 || vcpu >= nvcpus)
		return -1;
	for (unsigned i = 0; i < nsup; i++) {
		struct hv_cpuid_entry e = sup[i];

		switch (e.function) {
		case 0xb:  has_b = 1;  continue; /* regenerated below */
		case 0x1f: has_1f = 1; continue;
		case 0x40000000:
			if (e.eax > hv_max)
				hv_max = e.eax;
			continue;
		case 0x1:  fix_leaf1(&e, vcpu, nvcpus); break;
		case 0x4:  fix_leaf4(&e, nvcpus); break;
		/* Architectural PMU: vibevmm sets up no PMU, and a guest NMI
		 * watchdog on it would only add exits. */
		case 0xa:  e.eax = e.ebx = e.ecx = e.edx = 0; break;
		case 0x80000001: e.ecx &= ~F_SVM; break;
		case 0x80000008: if (amd) fix_amd_8008(&e, nvcpus); break;
		case 0x8000001e: if (amd) fix_amd_801e(&e, vcpu); break;
		default: break;
		}
		if (push(out, &k, max, e.function, e.index, e.flags, e.eax, e.ebx, e.ecx, e.edx))
			return -1;
	}
	if ((has_b && push_topology(out, &k, max, 0xb, vcpu, nvcpus)) ||
	    (has_1f && push_topology(out, &k, max, 0x1f, vcpu, nvcpus)))
		return -1;
	/* "KVMKVMKVM\0\0\0": Linux's KVM guest support (kvm-clock, PV EOI,
	 * steal time) keys on this signature; 0x40000001 (the features) is
	 * passed through as the hypervisor reports it. */
	if (push(out, &k, max, 0x40000000, 0, 0, hv_max, 0x4b4d564bu, 0x564b4d56u, 0x4du))
		return -1;
	return (int)k;
}

/* Architectural MSR numbers (SDM vol. 4) and the values a BIOS leaves. */
const struct hv_msr vibe_x86_boot_msrs[] = {
	{ 0x00000174, 0 },     /* IA32_SYSENTER_CS */
	{ 0x00000175, 0 },     /* IA32_SYSENTER_ESP */
	{ 0x00000176, 0 },     /* IA32_SYSENTER_EIP */
	{ 0xc0000081, 0 },     /* STAR */
	{ 0xc0000082, 0 },     /* LSTAR */
	{ 0xc0000083, 0 },     /* CSTAR */
	{ 0xc0000084, 0 },     /* SYSCALL_MASK (FMASK) */
	{ 0xc0000102, 0 },     /* KERNEL_GS_BASE */
	{ 0x00000010, 0 },     /* IA32_TSC: all vCPUs start together at 0 */
	{ 0x000001a0, 1 },     /* IA32_MISC_ENABLE: fast strings (bit 0) */
	/* IA32_MTRR_DEF_TYPE: MTRRs enabled (bit 11), default type
	 * write-back (6). Without it Linux sees all memory uncached and
	 * complains ("MTRRs disabled"), or runs slowly. */
	{ 0x000002ff, (1u << 11) | 6 },
};
const unsigned vibe_x86_boot_msrs_count = sizeof(vibe_x86_boot_msrs) / sizeof(vibe_x86_boot_msrs[0]);
