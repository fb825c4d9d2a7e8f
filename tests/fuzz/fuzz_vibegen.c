/*
 * Fuzz target: vibegen's whole front end (libyaml parse, validation,
 * expression resolution, layout) on arbitrary bytes as a machine file, via
 * machine_load_buffer(); for machines it accepts, every emitter into
 * memory streams.
 *
 * Invariants besides ASan/UBSan/LeakSanitizer:
 *  - the result is "n errors" exactly when error[E...] lines were printed;
 *  - an accepted machine keeps the front end's promises: RAM and MMIO
 *    ranges non-empty, not wrapping, sorted, disjoint; ports below 64 KiB;
 *    IRQs unique; vCPU ids unique;
 *  - the decode trees build, and agree with a linear search at every
 *    range boundary;
 *  - arm64: the device tree builds and passes fdt_check_full();
 *  - the emitters succeed, are deterministic, and write C whose comments
 *    and string literals are closed (no user text can end a comment or
 *    string early: the code-injection class) with no raw control bytes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "diag.h"
#include "emit_acpi.h"
#include "emit_fdt.h"
#include <libfdt.h>
#include "emit_util.h"

#define NAME "fuzz.yaml"

static char *emit_to_mem(int (*fn)(const struct machine *, FILE *), const struct machine *m,
			 size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	FUZZ_CHECK(f != NULL);
	int rc = fn(m, f);
	FUZZ_CHECK(fclose(f) == 0);
	FUZZ_CHECK(rc == 0);
	return buf;
}

/* A minimal C lexer: comments and literals closed, no raw control bytes. */
static void check_c_text(const char *s, size_t n)
{
	enum { CODE, COMMENT, LINE, STR, CHR } st = CODE;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i], d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
		FUZZ_CHECK((c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t' || c >= 0x80);
		switch (st) {
		case CODE:
			if (c == '/' && d == '*') { st = COMMENT; i++; }
			else if (c == '/' && d == '/') { st = LINE; i++; }
			else if (c == '"') st = STR;
			else if (c == '\'') st = CHR;
			break;
		case COMMENT:
			if (c == '*' && d == '/') { st = CODE; i++; }
			break;
		case LINE:
			FUZZ_CHECK(c != '\\' || d != '\n'); /* a continued // comment eats code */
			if (c == '\n') st = CODE;
			break;
		case STR: case CHR:
			FUZZ_CHECK(c != '\n');
			if (c == '\\') { FUZZ_CHECK(d != '\n'); i++; }
			else if (c == (st == STR ? '"' : '\'')) st = CODE;
			break;
		}
	}
	FUZZ_CHECK(st == CODE || st == LINE);
}

static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a - b < bs || b - a < as; /* wrap-safe for non-wrapping ranges */
}

static void check_model(const struct machine *m)
{
	FUZZ_CHECK(m->arch == M_ARCH_X86_64 || m->arch == M_ARCH_ARM64);
	FUZZ_CHECK(m->nvcpus >= 1 && m->name && m->name[0]);
	for (unsigned i = 0; i < m->nvcpus; i++)
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(m->vcpus[i].id != m->vcpus[j].id);
	for (unsigned i = 0; i < m->nram; i++) {
		const struct m_ram *r = &m->ram[i];
		FUZZ_CHECK(r->size > 0 && r->max_size >= r->size);
		FUZZ_CHECK(r->base + (r->max_size - 1) >= r->base);
		if (i)
			FUZZ_CHECK(m->ram[i - 1].base < r->base &&
				   !overlap(m->ram[i - 1].base, m->ram[i - 1].max_size, r->base, r->max_size));
	}
	const struct m_dev *prev[3] = { NULL, NULL, NULL };
	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];
		FUZZ_CHECK(d->type && d->size > 0 && d->base + (d->size - 1) >= d->base);
		FUZZ_CHECK(d->space == M_SPACE_MMIO || d->space == M_SPACE_PIO);
		if (d->space == M_SPACE_PIO) {
			FUZZ_CHECK(m->arch == M_ARCH_X86_64 && d->base + d->size <= 0x10000);
		} else {
			for (unsigned r = 0; r < m->nram; r++)
				FUZZ_CHECK(!overlap(d->base, d->size, m->ram[r].base, m->ram[r].max_size));
		}
		const struct m_dev *p = prev[d->space];
		if (p)
			FUZZ_CHECK(p->base < d->base && !overlap(p->base, p->size, d->base, d->size));
		prev[d->space] = d;
		for (unsigned j = 0; j < i && d->irq >= 0; j++)
			FUZZ_CHECK(m->devs[j].irq != d->irq);
	}
}

/* Binary search over the segments (what the generated C does) against a
 * linear search over the ranges, at each range's edges. */
static int seg_find(const struct dec_tree *t, uint64_t a)
{
	unsigned lo = 0, hi = t->nsegs;
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;
		if (t->segs[mid].lo <= a)
			lo = mid;
		else
			hi = mid;
	}
	return t->segs[lo].index;
}

static int lin_find(const struct machine *m, int ram, enum m_space sp, uint64_t a)
{
	if (ram) {
		for (unsigned i = 0; i < m->nram; i++)
			if (a - m->ram[i].base < m->ram[i].max_size)
				return (int)i;
		return -1;
	}
	for (unsigned i = 0; i < m->ndevs; i++)
		if (m->devs[i].space == sp && a - m->devs[i].base < m->devs[i].size)
			return (int)i;
	return -1;
}

static void check_tree(const struct machine *m, const struct dec_tree *t, int ram, enum m_space sp)
{
	FUZZ_CHECK(t->nsegs >= 1 && t->segs[0].lo == 0);
	for (unsigned i = 1; i < t->nsegs; i++)
		FUZZ_CHECK(t->segs[i - 1].lo < t->segs[i].lo);
	unsigned n = ram ? m->nram : m->ndevs;
	for (unsigned i = 0; i < n; i++) {
		uint64_t b = ram ? m->ram[i].base : m->devs[i].base;
		uint64_t s = ram ? m->ram[i].max_size : m->devs[i].size;
		if (!ram && m->devs[i].space != sp)
			continue;
		const uint64_t probe[4] = { b - 1, b, b + s - 1, b + s };
		for (unsigned k = 0; k < 4; k++)
			FUZZ_CHECK(seg_find(t, probe[k]) == lin_find(m, ram, sp, probe[k]));
	}
}

static int one(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char *diag = NULL;
	size_t dlen = 0;
	struct machine m;

	FILE *d = open_memstream(&diag, &dlen);
	FUZZ_CHECK(d != NULL);
	diag_stream(d);
	int errs = machine_load_buffer(NAME, (const char *)data, size, &m);
	diag_stream(NULL);
	FUZZ_CHECK(fclose(d) == 0);
	FUZZ_CHECK(errs >= 0); /* -1 is for unreadable files only */
	FUZZ_CHECK((errs > 0) == (dlen > 0 && strstr(diag, "error[E") != NULL));
	free(diag);

	if (errs == 0) {
		check_model(&m);
		struct m_trees t;
		FUZZ_CHECK(machine_trees_build(&m, &t) == 0);
		check_tree(&m, &t.ram, 1, 0);
		check_tree(&m, &t.mmio, 0, M_SPACE_MMIO);
		if (m.arch == M_ARCH_X86_64)
			check_tree(&m, &t.pio, 0, M_SPACE_PIO);
		machine_trees_free(&t);

		size_t n1, n2, n;
		char *c1 = emit_to_mem(emit_machine_c, &m, &n1);
		char *c2 = emit_to_mem(emit_machine_c, &m, &n2);
		FUZZ_CHECK(n1 == n2 && memcmp(c1, c2, n1) == 0);
		check_c_text(c1, n1);
		free(c1);
		free(c2);
		char *h = emit_to_mem(emit_machine_h, &m, &n);
		check_c_text(h, n);
		free(h);
		free(emit_to_mem(emit_machine_mk, &m, &n));
		if (!sink)
			sink = fopen("/dev/null", "w");
		FUZZ_CHECK(sink != NULL);
		FUZZ_CHECK(emit_map(&m, sink) == 0 && emit_dot(&m, sink) == 0);
		if (m.arch == M_ARCH_X86_64) {
			FUZZ_CHECK(emit_acpi_asl(&m, sink) == 0);
		} else {
			/* arm64: the device tree must build and pass libfdt's
			 * own structural check; its C form must lex. */
			size_t fsz = 0;
			void *blob = fdt_build(&m, &fsz);
			FUZZ_CHECK(blob != NULL && fdt_check_full(blob, fsz) == 0);
			free(blob);
			char *fc = emit_to_mem(emit_fdt_c, &m, &n);
			check_c_text(fc, n);
			free(fc);
		}
	}
	machine_free(&m);
	return 0;
}

FUZZ_TARGET(vibegen, one)
