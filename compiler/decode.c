/*
 * Decode trees (see decode.h). Why a tree of constant compares: the vCPU
 * loop asks "which device holds this address" on every MMIO/PIO exit and
 * "which RAM region" on every guest-memory access; a balanced tree of
 * `cmp imm; jb` answers in log2(segments) predictable steps, with no loop
 * counter, no loads from a device list and no pointer chasing.
 */
#include "decode.h"
#include "emit_util.h"

#include <stdlib.h>
#include <inttypes.h>

static int push(struct dec_tree *t, unsigned *cap, uint64_t lo, int index, const char *comment)
{
	/* Merge with the previous segment when it decodes to the same value:
	 * two gaps in a row, or the first segment starting at 0 in a range. */
	if (t->nsegs && t->segs[t->nsegs - 1].index == index)
		return 0;
	if (t->nsegs && t->segs[t->nsegs - 1].lo == lo) {
		/* Empty previous segment (a range starting where a gap would). */
		t->segs[t->nsegs - 1].index = index;
		t->segs[t->nsegs - 1].comment = comment;
		if (t->nsegs > 1 && t->segs[t->nsegs - 2].index == index)
			t->nsegs--;
		return 0;
	}
	if (t->nsegs == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 8;
		struct dec_seg *s = realloc(t->segs, ncap * sizeof *s);
		if (!s)
			return -1;
		t->segs = s;
		*cap = ncap;
	}
	t->segs[t->nsegs++] = (struct dec_seg){ lo, index, comment };
	return 0;
}

static unsigned levels(unsigned nsegs)
{
	unsigned d = 0;
	while ((1ull << d) < nsegs)
		d++;
	return d;
}

/* Estimated x86-64 instructions on the longest path: a compare-and-branch
 * per level, plus a constant load when a boundary does not fit the
 * sign-extended 32-bit immediate of `cmp`. */
static unsigned cost(const struct dec_tree *t, unsigned first, uint64_t bias)
{
	unsigned per = 2;
	for (unsigned i = first + 1; i < t->nsegs; i++)
		if (t->segs[i].lo - bias > 0x7fffffffu)
			per = 3;
	/* The rebasing subtraction: one instruction, two if bias needs movabs. */
	unsigned rebase = first ? (bias > 0x7fffffffu ? 2 : 1) : 0;
	return levels(t->nsegs - first) * per + rebase;
}

static void choose_rotation(struct dec_tree *t)
{
	t->first = 0;
	t->bias = 0;
	if (t->nsegs < 3 || t->segs[0].index != t->segs[t->nsegs - 1].index)
		return;
	if (cost(t, 1, t->segs[1].lo) < cost(t, 0, 0)) {
		t->first = 1;
		t->bias = t->segs[1].lo;
	}
}

int decode_build(const struct dec_range *r, unsigned n, struct dec_tree *t)
{
	unsigned cap = 0;
	uint64_t pos = 0;   /* first address not yet covered */
	int wrapped = 0;    /* a range ended at 2^64: nothing may follow */

	t->segs = NULL;
	t->nsegs = 0;
	t->first = 0;
	t->bias = 0;
	if (push(t, &cap, 0, -1, NULL))
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		uint64_t end = r[i].base + r[i].size;
		if (r[i].size == 0 || wrapped || r[i].base < pos || (end != 0 && end < r[i].base))
			goto fail;
		if (push(t, &cap, r[i].base, r[i].index, r[i].comment))
			goto fail;
		if (end == 0) {
			wrapped = 1;
		} else if (push(t, &cap, end, -1, NULL)) {
			goto fail;
		}
		pos = end;
	}
	choose_rotation(t);
	return 0;
fail:
	decode_free(t);
	return -1;
}

void decode_free(struct dec_tree *t)
{
	free(t->segs);
	t->segs = NULL;
	t->nsegs = 0;
}

unsigned decode_depth(const struct dec_tree *t)
{
	return levels(t->nsegs - t->first);
}

/* The split of segments [lo, hi): left gets the smaller half, so every
 * path has ceil(log2(hi - lo)) compares. */
static unsigned split(unsigned lo, unsigned hi)
{
	return lo + (hi - lo) / 2;
}

static void put_range(const struct dec_tree *t, unsigned i, FILE *out)
{
	if (i + 1 == t->nsegs && t->first) /* the last segment also holds the wrapped first */
		fprintf(out, "0x%" PRIx64 "-0x%" PRIx64 ", 0x0-0x%" PRIx64, t->segs[i].lo, UINT64_MAX,
			t->bias - 1);
	else if (i + 1 < t->nsegs)
		fprintf(out, "0x%" PRIx64 "-0x%" PRIx64, t->segs[i].lo, t->segs[i + 1].lo - 1);
	else
		fprintf(out, "0x%" PRIx64 "-0x%" PRIx64, t->segs[i].lo, UINT64_MAX);
}

static void indent(unsigned depth, FILE *out)
{
	for (unsigned i = 0; i < depth; i++)
		fputc('\t', out);
}

static void emit_c_rec(const struct dec_tree *t, unsigned lo, unsigned hi, unsigned depth,
		       const char *var, FILE *out)
{
	if (hi - lo == 1) {
		const struct dec_seg *s = &t->segs[lo];
		indent(depth, out);
		fprintf(out, "return %d; /* ", s->index);
		put_range(t, lo, out);
		fputc(' ', out);
		if (s->comment)
			emit_c_comment_text(s->comment, out);
		else
			fputs(s->index < 0 ? "unmapped" : "mapped", out);
		fputs(" */\n", out);
		return;
	}
	unsigned mid = split(lo, hi);
	indent(depth, out);
	fprintf(out, "if (%s < 0x%" PRIx64 "ULL) {\n", var, t->segs[mid].lo - t->bias);
	emit_c_rec(t, lo, mid, depth + 1, var, out);
	indent(depth, out);
	fputs("}\n", out);
	emit_c_rec(t, mid, hi, depth, var, out);
}

int decode_emit_c(const struct dec_tree *t, const char *var, FILE *out)
{
	if (t->nsegs == 1) {
		indent(1, out);
		fprintf(out, "(void)%s;\n", var);
	}
	if (t->first) {
		indent(1, out);
		fprintf(out, "const uint64_t off = %s - 0x%" PRIx64 "ULL; /* below this wraps to the top */\n",
			var, t->bias);
		var = "off";
	}
	emit_c_rec(t, t->first, t->nsegs, 1, var, out);
	return ferror(out) ? -1 : 0;
}

/* Graphviz string: escape what would end or break a quoted ID. */
static void put_dot_text(const char *s, FILE *out)
{
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s == '\n' ? ' ' : *s, out);
	}
}

/* Returns the node number used for [lo, hi); numbers are the pre-order
 * position, so node names are stable for a given tree. */
static unsigned emit_dot_rec(const struct dec_tree *t, unsigned lo, unsigned hi,
			     const char *prefix, unsigned *next, FILE *out)
{
	unsigned me = (*next)++;
	if (hi - lo == 1) {
		const struct dec_seg *s = &t->segs[lo];
		fprintf(out, "\t\t%s%u [shape=box%s, label=\"", prefix, me,
			s->index < 0 ? ", style=dashed" : "");
		put_range(t, lo, out);
		if (s->index < 0)
			fputs("\\n-1 (unmapped)", out);
		else {
			fprintf(out, "\\n%d: ", s->index);
			put_dot_text(s->comment, out);
		}
		fputs("\"];\n", out);
		return me;
	}
	unsigned mid = split(lo, hi);
	fprintf(out, "\t\t%s%u [label=\"%s < 0x%" PRIx64 "\"];\n", prefix, me,
		t->first ? "off" : "a", t->segs[mid].lo - t->bias);
	unsigned l = emit_dot_rec(t, lo, mid, prefix, next, out);
	unsigned r = emit_dot_rec(t, mid, hi, prefix, next, out);
	fprintf(out, "\t\t%s%u -> %s%u [label=\"yes\"];\n", prefix, me, prefix, l);
	fprintf(out, "\t\t%s%u -> %s%u [label=\"no\"];\n", prefix, me, prefix, r);
	return me;
}

int decode_emit_dot(const struct dec_tree *t, const char *prefix, const char *label, FILE *out)
{
	unsigned next = 0;
	fprintf(out, "\tsubgraph cluster_%s {\n\t\tlabel=\"", prefix);
	put_dot_text(label, out);
	fputs("\";\n", out);
	if (t->first)
		fprintf(out, "\t\t%s_rot [shape=plaintext, label=\"off = a - 0x%" PRIx64 "\"];\n"
			"\t\t%s_rot -> %s0;\n", prefix, t->bias, prefix, prefix);
	emit_dot_rec(t, t->first, t->nsegs, prefix, &next, out);
	fputs("\t}\n", out);
	return ferror(out) ? -1 : 0;
}
