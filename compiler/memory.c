/*
 * RAM regions: `memory: [ {name, base, size, max_size, options, rom} ]`.
 * Read in two passes like devices: names first (so any number may refer to
 * any region), numbers after.
 */
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "front.h"

void memory_read(struct fe *fe, const struct ynode *list)
{
	static const char *const keys[] = { "name", "base", "size", "max_size", "options", "rom" };
	if (!list || !fe_is(list, Y_SEQ, "a list of RAM regions"))
		return;
	if (list->n == 0)
		diag_error(list->loc, E_MISSING, "memory: at least one RAM region is needed");
	struct machine *m = fe->m;
	m->ram = calloc(list->n + 1, sizeof *m->ram);
	fe->ram_aux = calloc(list->n + 1, sizeof *fe->ram_aux);
	if (!m->ram || !fe->ram_aux)
		abort();
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *r = list->vals[i];
		if (!fe_is(r, Y_MAP, "a RAM region (name:, base:, size:)"))
			continue;
		struct m_ram *ram = &m->ram[m->nram];
		struct aux *ax = &fe->ram_aux[m->nram];
		m->nram++;
		ram->loc = r->loc;
		fe_keys(r, "a RAM region", keys, 6); /* extra keys do not spoil the rest */
		const struct ynode *name = fe_need(r, "name", "RAM region");
		const struct ynode *base = fe_need(r, "base", "RAM region");
		const struct ynode *size = fe_need(r, "size", "RAM region");
		struct ent *e = NULL;
		if (name && fe_is(name, Y_SCALAR, "a name") && fe_name_ok(name))
			e = fe_ent_add(fe, name, 0, m->nram - 1);
		ram->name = name && name->kind == Y_SCALAR ? name->str : "?";
		if (!e || !base || !size) {
			ax->bad = 1;
			continue;
		}
		e->expr[F_BASE] = base;
		e->expr[F_SIZE] = size;
		ax->base_loc = ytext_loc(base);
		ax->size_loc = ytext_loc(size);
	}
}

static void eval_ram_options(struct m_ram *ram, const struct ynode *opts)
{
	static const char *const words[] = { "hugepages", "prefault", "readonly" };
	static const unsigned flags[] = { M_RAM_HUGEPAGES, M_RAM_PREFAULT, M_RAM_READONLY };
	if (!fe_is(opts, Y_SEQ, "a list of options ([hugepages, prefault, readonly])"))
		return;
	for (size_t j = 0; j < opts->n; j++) {
		const struct ynode *o = opts->vals[j];
		if (!fe_is(o, Y_SCALAR, "an option name"))
			continue;
		unsigned k;
		for (k = 0; k < 3 && strcmp(o->str, words[k]); k++)
			;
		if (k < 3) {
			ram->flags |= flags[k];
			continue;
		}
		const char *s = diag_suggest(o->str, words, 3);
		diag_error(ytext_loc(o), E_VALUE, "unknown RAM option '%s'%s%s%s", o->str,
			   s ? "; did you mean '" : " (hugepages, prefault, readonly)", s ? s : "",
			   s ? "'?" : "");
	}
}

/* Evaluate the numbers of every RAM region, in file order. */
void memory_eval(struct fe *fe, const struct ynode *list)
{
	struct machine *m = fe->m;
	unsigned r = 0;
	for (size_t i = 0; list && list->kind == Y_SEQ && i < list->n; i++) {
		const struct ynode *node = list->vals[i];
		if (node->kind != Y_MAP)
			continue;
		struct m_ram *ram = &m->ram[r];
		struct aux *ax = &fe->ram_aux[r++];
		unsigned ei;
		for (ei = 0; ei < fe->nents && (fe->ents[ei].is_dev || fe->ents[ei].idx != r - 1); ei++)
			;
		const struct ynode *ms = ymap_get(node, "max_size"), *opts = ymap_get(node, "options");
		const char *rom = fe_str(node, "rom");
		if (opts)
			eval_ram_options(ram, opts);
		if (rom)
			ram->rom_file = rom;
		if (ax->bad || ei == fe->nents)
			continue;
		if (fe_field(fe, ei, F_BASE, ax->base_loc, &ram->base) |
		    fe_field(fe, ei, F_SIZE, ax->size_loc, &ram->size)) {
			ax->bad = 1;
			continue;
		}
		ram->max_size = ram->size;
		if (ms) {
			if (fe_num(fe, ms, &ram->max_size)) {
				ax->bad = 1;
				continue;
			}
			ram->flags |= M_RAM_RESIZABLE;
			if (ram->max_size < ram->size)
				diag_error(ytext_loc(ms), E_MAX_SIZE,
					   "max_size 0x%llx is smaller than size 0x%llx",
					   (unsigned long long)ram->max_size, (unsigned long long)ram->size);
		}
	}
}

