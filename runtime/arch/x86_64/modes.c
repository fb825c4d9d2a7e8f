/*
 * x86_64 start state for raw binaries: --mode long (default), protected,
 * real. Layout constants in modes.h; the resulting register state is
 * documented in docs/internals/kvm.md.
 */
#include <string.h>

#include "arch/arch.h"
#include "arch/x86_64/modes.h"
#include "hv/hv.h"
#include "vcpu.h"
#include "vibe/guest_mem.h"
#include "vibe/log.h"
#include "vm.h"

#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_WP 0x10000ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define CR4_OSFXSR 0x200ull
#define CR4_OSXMMEXCPT 0x400ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

#define PTE_P  0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull

#define GiB (1ull << 30)

int arch_parse_mode(const char *s)
{
	if (!strcmp(s, "long"))
		return VIBE_MODE_LONG;
	if (!strcmp(s, "protected"))
		return VIBE_MODE_PROTECTED;
	if (!strcmp(s, "real"))
		return VIBE_MODE_REAL;
	return -1;
}

const char *arch_mode_name(int mode)
{
	return mode == VIBE_MODE_REAL ? "real" : mode == VIBE_MODE_PROTECTED ? "protected" : "long";
}

static uint64_t vcpu_entry(struct vibe_vm *vm, unsigned k, uint64_t entry)
{
	if (k > 0 && k < vm->m->nvcpus && vm->m->vcpus[k].has_entry)
		return vm->m->vcpus[k].entry;
	return entry;
}

int arch_raw_check(struct vibe_vm *vm, int mode, uint64_t entry, uint64_t load_addr, uint64_t size)
{
	const char *name = arch_mode_name(mode);
	if (!guest_ptr(vm, 0, X86_BOOT_AREA_END)) {
		log_err("--mode %s needs guest RAM over 0x0-0x%llx (GDT, page tables, stacks), which machine '%s' (with this --mem) does not have",
			name, (unsigned long long)X86_BOOT_AREA_END - 1, vm->m->name);
		return -1;
	}
	if (vm->nvcpus > X86_BOOT_MAX_VCPUS) {
		log_err("raw binaries start at most %u vCPUs (one %llu-byte stack each below 0x%llx); machine '%s' has %u",
			X86_BOOT_MAX_VCPUS, (unsigned long long)X86_BOOT_STACK_SIZE,
			(unsigned long long)X86_BOOT_STACK_TOP, vm->m->name, vm->nvcpus);
		return -1;
	}
	uint64_t lo = mode == VIBE_MODE_REAL ? 0 : X86_BOOT_GDT;
	uint64_t hi = mode == VIBE_MODE_LONG ? X86_BOOT_TABLES_END
		    : mode == VIBE_MODE_PROTECTED ? X86_BOOT_GDT + 0x30 : 0;
	if (size && load_addr < hi && load_addr + size > lo) {
		log_err("--load-addr 0x%llx: the binary (%llu bytes) would overwrite the --mode %s boot structures at 0x%llx-0x%llx",
			(unsigned long long)load_addr, (unsigned long long)size, name,
			(unsigned long long)lo, (unsigned long long)hi - 1);
		return -1;
	}
	for (unsigned k = 0; k < vm->nvcpus; k++) {
		uint64_t e = vcpu_entry(vm, k, entry);
		if (mode == VIBE_MODE_REAL && e >= 0x100000) {
			log_err("--mode real: entry 0x%llx%s is above 1 MiB, out of reach of CS:IP",
				(unsigned long long)e, k ? " (secondary vCPU)" : "");
			return -1;
		}
		if (mode == VIBE_MODE_PROTECTED && e >= 4 * GiB) {
			log_err("--mode protected: entry 0x%llx is above 4 GiB", (unsigned long long)e);
			return -1;
		}
		if (!guest_ptr(vm, e, 1)) {
			log_err("entry 0x%llx%s is not in guest RAM", (unsigned long long)e,
				k ? " (secondary vCPU, from the machine file)" : "");
			return -1;
		}
	}
	return 0;
}

static int write_gdt(struct vibe_vm *vm)
{
	/* Flat segments; the cached descriptors are what KVM uses at entry,
	 * these are what the guest gets if it reloads a selector. */
	const uint64_t gdt[6] = {
		0,
		0x00af9b000000ffffull, /* 0x08: 64-bit code, DPL 0 */
		0x00cf93000000ffffull, /* 0x10: flat data, 4 GiB */
		0x00cf9b000000ffffull, /* 0x18: 32-bit flat code */
		0x00008b0000000067ull, /* 0x20: busy TSS at 0, limit 0x67 */
		0,                     /* 0x28: upper half of the 64-bit TSS descriptor */
	};
	return guest_write(vm, X86_BOOT_GDT, gdt, sizeof(gdt));
}

static uint64_t ram_top(struct vibe_vm *vm)
{
	uint64_t top = 0;
	for (unsigned i = 0; i < vm->m->nram; i++) {
		uint64_t end = vm->m->ram[i].base + vm->ram[i].size;
		if (end > top)
			top = end;
	}
	return top;
}

static int has_1g_pages(struct vibe_vm *vm)
{
	static struct hv_cpuid_entry e[512];
	unsigned n = 0;
	if (hv_x86_get_supported_cpuid(vm->hv, e, 512, &n) < 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (e[i].function == 0x80000001)
			return (e[i].edx >> 26) & 1;
	return 0;
}

/* Identity map: 0-4 GiB always (RAM and the MMIO hole below 4 GiB) with
 * 2 MiB pages, which every x86_64 CPU has; RAM above 4 GiB with 1 GiB
 * pages where the CPU has them, up to 512 GiB (one PDPT). */
static int write_page_tables(struct vibe_vm *vm)
{
	uint64_t *pml4 = guest_ptr(vm, X86_BOOT_PML4, 0x1000);
	uint64_t *pdpt = guest_ptr(vm, X86_BOOT_PDPT, 0x1000);
	uint64_t *pd = guest_ptr(vm, X86_BOOT_PD, 4 * 0x1000);
	if (!pml4 || !pdpt || !pd)
		return -1;
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	pml4[0] = X86_BOOT_PDPT | PTE_P | PTE_RW;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (X86_BOOT_PD + i * 0x1000) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	uint64_t top = ram_top(vm);
	if (top > 4 * GiB) {
		if (top > 512 * GiB) {
			log_warn("--mode long: RAM above 512 GiB is not identity-mapped");
			top = 512 * GiB;
		}
		if (!has_1g_pages(vm)) {
			log_warn("--mode long: no 1 GiB pages on this CPU: RAM above 4 GiB is not identity-mapped");
			return 0;
		}
		for (uint64_t g = 4; g * GiB < top; g++)
			pdpt[g] = (g * GiB) | PTE_P | PTE_RW | PTE_PS;
	}
	return 0;
}

static struct hv_x86_segment seg(uint16_t sel, uint8_t type, int code64, int db, int s)
{
	return (struct hv_x86_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
		.dpl = 0, .db = (uint8_t)db, .s = (uint8_t)s, .l = (uint8_t)code64, .g = 1,
	};
}

static int setup_vcpu(struct vibe_vm *vm, struct vibe_vcpu *vc, unsigned k, int mode, uint64_t entry)
{
	struct hv_x86_sregs sr;
	struct hv_regs r;
	if (hv_x86_get_sregs(vc->hv, &sr) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.flags = 0x2; /* bit 1 is reserved-one; IF clear */
	r.gpr[HV_X86_RDI] = k;
	r.gpr[HV_X86_RSI] = vm->nvcpus;
	uint64_t sp = X86_BOOT_STACK_TOP - k * X86_BOOT_STACK_SIZE;

	if (mode == VIBE_MODE_REAL) {
		/* CS base = entry's 64 KiB segment, IP = offset in it. The rest
		 * is KVM's reset state (real mode, CR0 = 0x60000010). */
		uint16_t cs = (uint16_t)((entry >> 4) & 0xf000);
		sr.cs.selector = cs;
		sr.cs.base = (uint64_t)cs << 4;
		sr.cs.limit = 0xffff;
		struct hv_x86_segment *ds[] = { &sr.ds, &sr.es, &sr.fs, &sr.gs, &sr.ss };
		for (unsigned i = 0; i < 5; i++) {
			ds[i]->selector = 0;
			ds[i]->base = 0;
			ds[i]->limit = 0xffff;
		}
		r.pc = entry - sr.cs.base;
		r.gpr[HV_X86_RSP] = sp & 0xffff; /* SS:SP = 0:0 is top 0x10000 */
	} else {
		int lm = mode == VIBE_MODE_LONG;
		sr.cs = lm ? seg(X86_SEL_CODE64, 0xb, 1, 0, 1) : seg(X86_SEL_CODE32, 0xb, 0, 1, 1);
		sr.ds = sr.es = sr.fs = sr.gs = sr.ss = seg(X86_SEL_DATA, 0x3, 0, 1, 1);
		sr.tr = seg(X86_SEL_TSS, 0xb, 0, 0, 0);
		sr.tr.limit = 0x67;
		sr.tr.g = 0;
		sr.gdt.base = X86_BOOT_GDT;
		sr.gdt.limit = 6 * 8 - 1;
		/* No IDT: any exception becomes a triple fault (SHUTDOWN), which
		 * vibevmm reports as a guest crash. */
		sr.idt.base = 0;
		sr.idt.limit = 0;
		sr.cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
		sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
		sr.efer = 0;
		sr.cr3 = 0;
		if (lm) {
			sr.cr0 |= CR0_WP | CR0_PG;
			sr.cr4 |= CR4_PAE;
			sr.cr3 = X86_BOOT_PML4;
			sr.efer = EFER_LME | EFER_LMA;
		}
		r.pc = entry;
		r.gpr[HV_X86_RSP] = sp;
	}
	if (hv_x86_set_sregs(vc->hv, &sr) < 0 || hv_vcpu_set_regs(vc->hv, &r) < 0)
		return -1;
	log_debug("vCPU %u: %s mode, entry 0x%llx, sp 0x%llx", vc->id, arch_mode_name(mode),
		  (unsigned long long)entry, (unsigned long long)r.gpr[HV_X86_RSP]);
	return 0;
}

int arch_raw_setup(struct vibe_vm *vm, int mode, uint64_t entry)
{
	if (mode != VIBE_MODE_REAL && write_gdt(vm) < 0)
		return -1;
	if (mode == VIBE_MODE_LONG && write_page_tables(vm) < 0)
		return -1;
	for (unsigned k = 0; k < vm->nvcpus; k++)
		if (setup_vcpu(vm, &vm->vcpus[k], k, mode, vcpu_entry(vm, k, entry)) < 0)
			return -1;
	return 0;
}
