/*
 * Ranges and interrupts: per-range checks (size, alignment, wrap, address
 * width), overlaps between every pair of ranges in one address space,
 * auto-placement of MMIO devices in the machine's window and of IRQs in the
 * arch's free range, then the final sort the emitters rely on. Everything
 * is done in file order so the result is deterministic.
 */
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "front.h"

#define PAGE 0x1000ull
#define HVF_PAGE 0x4000ull /* Apple silicon maps guest memory in 16 KiB pages */

/* One range in an address space, for overlap checks and placement. */
struct rng {
	uint64_t base, size; /* size > 0, base + size - 1 does not wrap */
	const char *what;    /* "RAM region", "device" */
	const char *name;
	struct loc loc;
	int resizable;       /* RAM reserving max_size beyond its size */
};

static void check_range(const struct machine *m, struct loc at, const char *what,
			const char *name, uint64_t base, uint64_t size, int pio, int *bad)
{
	uint64_t last;
	if (size == 0) {
		diag_error(at, E_ZERO, "%s '%s' has size 0", what, name);
		*bad = 1;
	} else if (__builtin_add_overflow(base, size - 1, &last)) {
		diag_error(at, E_WRAP, "%s '%s' [0x%llx, +0x%llx) wraps past the end of the address space",
			   what, name, (unsigned long long)base, (unsigned long long)size);
		*bad = 1;
	} else if (pio && last > 0xffff) {
		diag_error(at, E_PHYS, "%s '%s' ends at port 0x%llx, beyond the last port 0xffff",
			   what, name, (unsigned long long)last);
		*bad = 1;
	} else if (!pio && (last >> m->phys_bits) != 0) {
		diag_error(at, E_PHYS, "%s '%s' ends at 0x%llx, beyond the %u-bit physical address space"
			   " (phys_bits)", what, name, (unsigned long long)last, m->phys_bits);
		*bad = 1;
	}
}

static void check_ranges(struct fe *fe)
{
	struct machine *m = fe->m;
	uint64_t page = fe->hvf ? HVF_PAGE : PAGE;
	for (unsigned i = 0; i < m->nram; i++) {
		struct m_ram *r = &m->ram[i];
		struct aux *ax = &fe->ram_aux[i];
		if (ax->bad)
			continue;
		if ((r->base | r->size | r->max_size) & (page - 1)) {
			int b = (r->base & (page - 1)) != 0;
			diag_error(b ? ax->base_loc : ax->size_loc, E_RAM_ALIGN,
				   "RAM region '%s': %s 0x%llx is not a multiple of the %s page size (0x%llx)",
				   r->name, b ? "base" : (r->size & (page - 1)) ? "size" : "max_size",
				   (unsigned long long)(b ? r->base : (r->size & (page - 1)) ? r->size : r->max_size),
				   fe->hvf ? "16 KiB HVF" : "4 KiB", (unsigned long long)page);
			ax->bad = 1;
		}
		check_range(m, ax->base_loc, "RAM region", r->name, r->base, r->max_size, 0, &ax->bad);
	}
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct m_dev *d = &m->devs[i];
		struct aux *ax = &fe->dev_aux[i];
		if (ax->bad)
			continue;
		if (d->size == 0) {
			diag_error(ax->size_loc, E_ZERO, "device '%s' has size 0", d->name);
			ax->bad = 1;
			continue;
		}
		if (d->auto_base)
			continue;
		if (d->base % d->type->align) {
			diag_error(ax->base_loc, E_DEV_ALIGN,
				   "device '%s' (%s) at 0x%llx: base must be a multiple of 0x%llx",
				   d->name, d->type->name, (unsigned long long)d->base,
				   (unsigned long long)d->type->align);
			ax->bad = 1;
		}
		check_range(m, ax->base_loc, "device", d->name, d->base, d->size,
			    d->space == M_SPACE_PIO, &ax->bad);
	}
}

/* The fixed ranges of one address space, RAM first then devices, file order. */
static unsigned collect(struct fe *fe, enum m_space sp, struct rng *out)
{
	struct machine *m = fe->m;
	unsigned n = 0;
	/* On x86 KVM's in-kernel irqchip answers these addresses itself: RAM or
	 * a device there would never see an access. */
	if (sp == M_SPACE_MMIO && m->arch == M_ARCH_X86_64) {
		out[n++] = (struct rng){ 0xfec00000, 0x1000, "the x86 range reserved for", "IOAPIC", { 0, 0 }, 0 };
		out[n++] = (struct rng){ 0xfee00000, 0x1000, "the x86 range reserved for", "LAPIC", { 0, 0 }, 0 };
	}
	for (unsigned i = 0; sp == M_SPACE_MMIO && i < m->nram; i++)
		if (!fe->ram_aux[i].bad)
			out[n++] = (struct rng){ m->ram[i].base, m->ram[i].max_size, "RAM region",
						 m->ram[i].name, fe->ram_aux[i].base_loc,
						 m->ram[i].max_size != m->ram[i].size };
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct m_dev *d = &m->devs[i];
		if (!fe->dev_aux[i].bad && !d->auto_base && d->space == sp)
			out[n++] = (struct rng){ d->base, d->size, "device", d->name,
						 fe->dev_aux[i].base_loc, 0 };
	}
	return n;
}

static int overlaps(const struct rng *a, uint64_t base, uint64_t size)
{
	return base <= a->base + (a->size - 1) && a->base <= base + (size - 1);
}

static void check_overlaps(const struct rng *r, unsigned n, enum diag_code code)
{
	for (unsigned j = 1; j < n; j++)
		for (unsigned i = 0; i < j; i++) {
			if (!overlaps(&r[i], r[j].base, r[j].size))
				continue;
			diag_error(r[j].loc, code, "%s '%s' [0x%llx, 0x%llx] overlaps %s '%s' [0x%llx, 0x%llx]",
				   r[j].what, r[j].name, (unsigned long long)r[j].base,
				   (unsigned long long)(r[j].base + r[j].size - 1), r[i].what, r[i].name,
				   (unsigned long long)r[i].base, (unsigned long long)(r[i].base + r[i].size - 1));
			if (r[i].loc.line)
				diag_note(r[i].loc, "%s '%s' is defined here%s", r[i].what, r[i].name,
					  r[i].resizable ? " (resizable: it reserves up to its max_size)" : "");
			if (r[j].resizable)
				diag_note(r[j].loc, "'%s' is resizable: it reserves up to its max_size",
					  r[j].name);
		}
}

/* First aligned free place in the window, or -1. */
static int place(const struct machine *m, const struct rng *r, unsigned n, uint64_t size,
		 uint64_t align, uint64_t *out)
{
	uint64_t end = m->mmio_base + m->mmio_size; /* window checked not to wrap */
	uint64_t cand = (m->mmio_base + align - 1) / align * align;
	for (;;) {
		if (cand < m->mmio_base || cand > end || end - cand < size)
			return -1;
		unsigned i;
		for (i = 0; i < n && !overlaps(&r[i], cand, size); i++)
			;
		if (i == n) {
			*out = cand;
			return 0;
		}
		uint64_t next = r[i].base + r[i].size; /* past the blocking range */
		if (next < cand || next == 0 || next > UINT64_MAX - align)
			return -1;
		cand = (next + align - 1) / align * align;
	}
}

static void auto_place(struct fe *fe, struct rng *r, unsigned n)
{
	struct machine *m = fe->m;
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct m_dev *d = &m->devs[i];
		if (fe->dev_aux[i].bad || !d->auto_base)
			continue;
		if (place(m, r, n, d->size, d->type->align, &d->base)) {
			diag_error(d->loc, E_NOSPACE,
				   "no room for device '%s' (0x%llx bytes) in the MMIO window [0x%llx, +0x%llx); "
				   "give it `mmio:` or enlarge `mmio_window:`", d->name,
				   (unsigned long long)d->size, (unsigned long long)m->mmio_base,
				   (unsigned long long)m->mmio_size);
			fe->dev_aux[i].bad = 1;
			continue;
		}
		r[n++] = (struct rng){ d->base, d->size, "device", d->name, d->loc, 0 };
	}
}

static void assign_irqs(struct fe *fe)
{
	struct machine *m = fe->m;
	int arm = m->arch == M_ARCH_ARM64;
	int max = arm ? 987 : 23, first_auto = arm ? 16 : 5;
	unsigned owner[988];
	for (int i = 0; i <= max; i++)
		owner[i] = ~0u;
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct m_dev *d = &m->devs[i];
		struct aux *ax = &fe->dev_aux[i];
		if (d->irq < 0 || d->auto_irq)
			continue;
		if (d->irq > max) {
			diag_error(ax->irq_loc, E_IRQ_RANGE, "irq %d is out of range: %s has %s 0..%d",
				   d->irq, arm ? "arm64" : "x86_64", arm ? "SPIs" : "IOAPIC pins", max);
			continue;
		}
		if (owner[d->irq] != ~0u) {
			unsigned o = owner[d->irq];
			diag_error(ax->irq_loc, E_IRQ_CONFLICT, "irq %d of device '%s' is already used by '%s'",
				   d->irq, d->name, m->devs[o].name);
			diag_note(fe->dev_aux[o].irq_loc, "'%s' takes irq %d here", m->devs[o].name, d->irq);
			continue;
		}
		owner[d->irq] = i;
	}
	int next = first_auto;
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct m_dev *d = &m->devs[i];
		if (!d->auto_irq)
			continue;
		while (next <= max && owner[next] != ~0u)
			next++;
		if (next > max) {
			diag_error(d->loc, E_IRQ_NONE, "no free irq left for device '%s' (auto range %d..%d)",
				   d->name, first_auto, max);
			continue;
		}
		d->irq = next;
		owner[next] = i;
	}
}

static int cmp_ram(const void *a, const void *b)
{
	const struct m_ram *x = a, *y = b;
	return x->base < y->base ? -1 : x->base > y->base;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct m_dev *x = a, *y = b;
	if (x->space != y->space)
		return x->space < y->space ? -1 : 1; /* M_SPACE_MMIO first */
	return x->base < y->base ? -1 : x->base > y->base;
}

void layout_machine(struct fe *fe)
{
	struct machine *m = fe->m;
	struct rng *r = calloc(m->nram + m->ndevs + 3, sizeof *r); /* + x86 reserved */
	if (!r)
		abort();
	check_ranges(fe);
	unsigned n = collect(fe, M_SPACE_PIO, r);
	check_overlaps(r, n, E_PIO_OVERLAP);
	n = collect(fe, M_SPACE_MMIO, r);
	check_overlaps(r, n, E_OVERLAP);
	auto_place(fe, r, n);
	assign_irqs(fe);
	free(r);
	/* The emitters and the runtime's decode trees want address order. */
	if (m->nram)
		qsort(m->ram, m->nram, sizeof *m->ram, cmp_ram);
	if (m->ndevs)
		qsort(m->devs, m->ndevs, sizeof *m->devs, cmp_dev);
}
