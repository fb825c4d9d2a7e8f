/*
 * `vibegen --map`: the machine's address map as an aligned table, RAM and
 * MMIO by guest-physical address (they share that space), then port I/O by
 * port, so a person can check the layout
 * (including what layout.c placed automatically) before running anything.
 */
#include "emit_util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { C_RANGE, C_SIZE, C_KIND, C_NAME, C_TYPE, C_IRQ, C_SRC, NCOLS };

struct row {
	char col[NCOLS][160];
	uint64_t base;
	int space; /* sort key: 0 guest-physical (RAM, MMIO), 1 port I/O */
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->space != y->space)
		return x->space - y->space;
	return x->base < y->base ? -1 : x->base > y->base;
}

static void range(char *buf, size_t cap, uint64_t base, uint64_t size, int pio, int auto_base)
{
	uint64_t last = base + size - 1; /* size > 0: validated */
	if (pio)
		snprintf(buf, cap, "0x%04" PRIx64 "-0x%04" PRIx64 "%s", base, last, auto_base ? " *" : "");
	else
		snprintf(buf, cap, "0x%012" PRIx64 "-0x%012" PRIx64 "%s", base, last, auto_base ? " *" : "");
}

int emit_map(const struct machine *m, FILE *out)
{
	static const char *const head[NCOLS] = { "range", "size", "kind", "name", "type", "irq", "source" };
	unsigned n = m->nram + m->ndevs, any_auto = 0;
	size_t w[NCOLS];
	struct row *rows = calloc(n + 1, sizeof *rows);
	if (!rows) {
		fprintf(stderr, "vibegen: out of memory\n");
		return -1;
	}
	for (unsigned i = 0; i < m->nram; i++) {
		const struct m_ram *r = &m->ram[i];
		struct row *x = &rows[i];
		x->base = r->base;
		range(x->col[C_RANGE], sizeof x->col[C_RANGE], r->base, r->size, 0, 0);
		emit_human_size(r->size, x->col[C_SIZE], sizeof x->col[C_SIZE]);
		if (r->max_size != r->size) {
			char mx[32];
			emit_human_size(r->max_size, mx, sizeof mx);
			size_t l = strlen(x->col[C_SIZE]);
			snprintf(x->col[C_SIZE] + l, sizeof x->col[C_SIZE] - l, " (max %s)", mx);
		}
		snprintf(x->col[C_KIND], sizeof x->col[C_KIND], "%s", r->flags & M_RAM_READONLY ? "rom" : "ram");
		snprintf(x->col[C_NAME], sizeof x->col[C_NAME], "%s", r->name);
		snprintf(x->col[C_TYPE], sizeof x->col[C_TYPE], "%s", r->rom_file ? r->rom_file : "-");
		snprintf(x->col[C_IRQ], sizeof x->col[C_IRQ], "-");
		emit_src(m, r->loc, x->col[C_SRC], sizeof x->col[C_SRC]);
	}
	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];
		struct row *x = &rows[m->nram + i];
		int pio = d->space == M_SPACE_PIO;
		x->space = pio;
		x->base = d->base;
		range(x->col[C_RANGE], sizeof x->col[C_RANGE], d->base, d->size, pio, d->auto_base);
		emit_human_size(d->size, x->col[C_SIZE], sizeof x->col[C_SIZE]);
		snprintf(x->col[C_KIND], sizeof x->col[C_KIND], "%s", pio ? "pio" : "mmio");
		snprintf(x->col[C_NAME], sizeof x->col[C_NAME], "%s", d->name);
		snprintf(x->col[C_TYPE], sizeof x->col[C_TYPE], "%s", d->type->name);
		if (d->irq < 0)
			snprintf(x->col[C_IRQ], sizeof x->col[C_IRQ], "-");
		else
			snprintf(x->col[C_IRQ], sizeof x->col[C_IRQ], "%d%s", d->irq, d->auto_irq ? " *" : "");
		emit_src(m, d->loc, x->col[C_SRC], sizeof x->col[C_SRC]);
		any_auto |= d->auto_base || d->auto_irq;
	}
	qsort(rows, n, sizeof *rows, row_cmp);

	for (int c = 0; c < NCOLS; c++) {
		w[c] = strlen(head[c]);
		for (unsigned i = 0; i < n; i++)
			if (strlen(rows[i].col[c]) > w[c])
				w[c] = strlen(rows[i].col[c]);
	}
	fprintf(out, "machine %s (%s, %u vCPU%s, %u-bit guest-physical) from %s\n", m->name,
		m->arch == M_ARCH_ARM64 ? "arm64" : "x86_64", m->nvcpus, m->nvcpus == 1 ? "" : "s",
		m->phys_bits, m->file);
	for (int c = 0; c < NCOLS; c++)
		fprintf(out, "%-*s%s", c == NCOLS - 1 ? 0 : (int)w[c], head[c], c == NCOLS - 1 ? "\n" : "  ");
	for (unsigned i = 0; i < n; i++)
		for (int c = 0; c < NCOLS; c++)
			fprintf(out, "%-*s%s", c == NCOLS - 1 ? 0 : (int)w[c], rows[i].col[c],
				c == NCOLS - 1 ? "\n" : "  ");
	if (m->mmio_size)
		fprintf(out, "MMIO window for auto-placement: 0x%" PRIx64 "-0x%" PRIx64 "\n",
			m->mmio_base, m->mmio_base + m->mmio_size - 1);
	if (any_auto)
		fputs("* placed by vibegen (no base or irq in the machine file)\n", out);
	free(rows);
	return ferror(out) ? -1 : 0;
}
