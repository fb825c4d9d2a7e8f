/*
 * Numeric fields and the references between them. Every number in a
 * machine file goes through fe_num(), so every field accepts the expression
 * language. References (NAME.base, NAME.size, NAME.end) are evaluated on
 * demand, which is dependency order by construction; a reference met while
 * its own value is being computed is a cycle, reported with the whole chain.
 */
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "expr.h"
#include "front.h"

static const char *const field_names[] = { "base", "size" };

struct ent *fe_ent_add(struct fe *fe, const struct ynode *name, int is_dev, unsigned idx)
{
	for (unsigned i = 0; i < fe->nents; i++) {
		if (!strcmp(fe->ents[i].name, name->str)) {
			diag_error(ytext_loc(name), E_DUPNAME, "duplicate name '%s'", name->str);
			diag_note(fe->ents[i].loc, "'%s' is first defined here", name->str);
			return NULL;
		}
	}
	fe->ents = realloc(fe->ents, (fe->nents + 1) * sizeof *fe->ents);
	if (!fe->ents)
		abort();
	struct ent *e = &fe->ents[fe->nents++];
	memset(e, 0, sizeof *e);
	e->name = name->str;
	e->loc = ytext_loc(name);
	e->is_dev = is_dev;
	e->idx = idx;
	return e;
}

static void report_cycle(struct fe *fe, unsigned ent, int field, struct loc at)
{
	char chain[512] = "";
	size_t used = 0;
	unsigned from = 0;
	for (unsigned i = 0; i < fe->depth; i++)
		if (fe->stack[i].ent == ent && fe->stack[i].field == field)
			from = i;
	for (unsigned i = from; i < fe->depth && used < sizeof chain; i++)
		used += (size_t)snprintf(chain + used, sizeof chain - used, "%s.%s -> ",
					 fe->ents[fe->stack[i].ent].name,
					 field_names[fe->stack[i].field]);
	if (used < sizeof chain)
		snprintf(chain + used, sizeof chain - used, "%s.%s", fe->ents[ent].name,
			 field_names[field]);
	diag_error(at, E_CYCLE, "reference cycle: %s", chain);
	/* Walk the user through the chain, one reference per note. */
	for (unsigned i = from + 1; i < fe->depth; i++)
		diag_note(fe->stack[i].at, "%s.%s uses %s.%s here", fe->ents[fe->stack[i - 1].ent].name,
			  field_names[fe->stack[i - 1].field], fe->ents[fe->stack[i].ent].name,
			  field_names[fe->stack[i].field]);
}

static int resolve_cb(void *ctx, const char *name, size_t len, enum ref_field f,
		      struct loc at, uint64_t *out)
{
	struct fe *fe = ctx;
	for (unsigned i = 0; i < fe->nents; i++) {
		const char *n = fe->ents[i].name;
		if (strlen(n) != len || memcmp(n, name, len))
			continue;
		if (f == REF_BASE)
			return fe_field(fe, i, F_BASE, at, out);
		if (f == REF_SIZE)
			return fe_field(fe, i, F_SIZE, at, out);
		uint64_t b, s;
		if (fe_field(fe, i, F_BASE, at, &b) || fe_field(fe, i, F_SIZE, at, &s))
			return -1;
		if (__builtin_add_overflow(b, s, out)) {
			diag_error(at, E_ARITH, "%s.end overflows 64 bits", n);
			return -1;
		}
		return 0;
	}
	char *word = strndup(name, len);
	const char **cands = calloc(fe->nents + 1, sizeof *cands);
	if (!word || !cands)
		abort();
	for (unsigned i = 0; i < fe->nents; i++)
		cands[i] = fe->ents[i].name;
	const char *s = diag_suggest(word, cands, fe->nents);
	if (s)
		diag_error(at, E_REF, "no RAM region or device named '%s'; did you mean '%s'?", word, s);
	else
		diag_error(at, E_REF, "no RAM region or device named '%s'", word);
	free(word);
	free(cands);
	return -1;
}

int fe_field(struct fe *fe, unsigned ent, int field, struct loc at, uint64_t *out)
{
	struct ent *e = &fe->ents[ent];
	switch (e->state[field]) {
	case ST_DONE:
		*out = e->val[field];
		return 0;
	case ST_FAILED:
		return -1;
	case ST_BUSY:
		report_cycle(fe, ent, field, at);
		return -1;
	}
	const struct ynode *x = e->expr[field];
	if (!x) {
		if (field == F_SIZE && e->has_dflt_size) {
			*out = e->val[field] = e->dflt_size;
			e->state[field] = ST_DONE;
			return 0;
		}
		if (field == F_BASE && e->is_dev)
			diag_error(at, E_REF_AUTO,
				   "'%s' is auto-placed: its base is known only after layout; give it `mmio:` to refer to it",
				   e->name);
		else
			diag_error(at, E_REF, "'%s' has no %s to refer to", e->name, field_names[field]);
		return -1;
	}
	if (fe->depth == sizeof fe->stack / sizeof fe->stack[0]) {
		diag_error(at, E_CYCLE, "references nested too deeply");
		return -1;
	}
	fe->stack[fe->depth].ent = ent;
	fe->stack[fe->depth].field = field;
	fe->stack[fe->depth].at = at;
	fe->depth++;
	e->state[field] = ST_BUSY;
	uint64_t v;
	int rc = fe_num(fe, x, &v);
	fe->depth--;
	/* e stays valid: every entity is added before the first evaluation. */
	e->state[field] = rc ? ST_FAILED : ST_DONE;
	if (!rc)
		*out = e->val[field] = v;
	return rc;
}

int fe_num(struct fe *fe, const struct ynode *n, uint64_t *out)
{
	if (!fe_is(n, Y_SCALAR, "a number or expression"))
		return -1;
	if (!*n->str) {
		diag_error(n->loc, E_NUMBER, "a number is expected here, found nothing");
		return -1;
	}
	struct expr_env env = { resolve_cb, fe };
	return expr_eval(n->str, ytext_loc(n), &env, out);
}
