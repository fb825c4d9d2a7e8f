/*
 * 64-bit entry state for Linux; see linux_entry.h. Descriptor encodings:
 * Intel SDM vol. 3A section 3.4.5 (segment descriptors) and 7.2.3 (TSS
 * descriptor in IA-32e mode); paging: section 4.5 (4-level).
 */
#include "linux_entry.h"
#include "boot_params.h"

#include <string.h>

#include "vibe/guest_mem.h"

#define PTE_P   0x1ull
#define PTE_RW  0x2ull
#define PTE_PS  0x80ull /* 2 MiB page in a PD entry */

#define CR0_PE 0x1ull
#define CR0_MP 0x2ull
#define CR0_ET 0x10ull
#define CR0_NE 0x20ull
#define CR0_PG 0x80000000ull
#define CR4_PAE 0x20ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

/* null, unused, __BOOT_CS, __BOOT_DS, TSS (16 bytes): 6 quadwords. */
static const uint64_t gdt[6] = {
	0,
	0,
	0x00af9b000000ffffull, /* 0x10: code, L=1, P, DPL0, exec/read, G */
	0x00cf93000000ffffull, /* 0x18: data, D/B=1, P, DPL0, read/write, G */
	0x00008b0000000067ull, /* 0x20: 64-bit busy TSS, base 0, limit 0x67 */
	0,
};

int vibe_linux_entry_tables(struct vibe_vm *vm)
{
	uint64_t pml4[512] = {0}, pdpt[512] = {0}, pd[512];

	if (guest_write(vm, VIBE_BOOT_GDT, gdt, sizeof(gdt)))
		return -1;
	pml4[0] = VIBE_BOOT_PDPT | PTE_P | PTE_RW;
	for (unsigned i = 0; i < VIBE_BOOT_PD_COUNT; i++) {
		uint64_t pd_gpa = VIBE_BOOT_PD + i * 0x1000ull;

		pdpt[i] = pd_gpa | PTE_P | PTE_RW;
		for (unsigned j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | PTE_P | PTE_RW | PTE_PS;
		if (guest_write(vm, pd_gpa, pd, sizeof(pd)))
			return -1;
	}
	if (guest_write(vm, VIBE_BOOT_PML4, pml4, sizeof(pml4)) ||
	    guest_write(vm, VIBE_BOOT_PDPT, pdpt, sizeof(pdpt)))
		return -1;
	return 0;
}

static struct hv_x86_segment flat(uint16_t sel, uint8_t type, int code)
{
	return (struct hv_x86_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = code ? 0 : 1, .s = 1, .l = code ? 1 : 0,
		.g = 1, .avl = 0, .unusable = 0,
	};
}

void vibe_linux_entry_sregs(struct hv_x86_sregs *s)
{
	s->cs = flat(VIBE_LINUX_BOOT_CS, 0xb, 1);
	s->ds = s->es = s->fs = s->gs = s->ss = flat(VIBE_LINUX_BOOT_DS, 0x3, 0);
	s->tr = (struct hv_x86_segment){ .base = 0, .limit = 0x67,
		.selector = VIBE_LINUX_BOOT_TSS, .type = 0xb, .present = 1 };
	s->ldt = (struct hv_x86_segment){ .type = 0x2, .unusable = 1 };
	s->gdt.base = VIBE_BOOT_GDT;
	s->gdt.limit = sizeof(gdt) - 1;
	/* An empty IDT: interrupts stay off until Linux loads its own. */
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	s->cr2 = 0;
	s->cr3 = VIBE_BOOT_PML4;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

void vibe_linux_entry_regs(struct hv_regs *r, uint64_t entry, uint64_t zero_page)
{
	memset(r, 0, sizeof(*r));
	r->pc = entry;
	r->gpr[HV_X86_RSI] = zero_page;
	r->gpr[HV_X86_RSP] = VIBE_BOOT_STACK;
	r->gpr[HV_X86_RBP] = VIBE_BOOT_STACK;
	r->flags = 0x2; /* bit 1 is reserved-one; IF clear */
}
