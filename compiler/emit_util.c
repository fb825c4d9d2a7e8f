/* Helpers shared by the emitters (see emit_util.h). */
#include "emit_util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void emit_c_string(const char *s, FILE *out)
{
	if (!s) {
		fputs("NULL", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '?':
			/* `??x` could be a trigraph (and -Wall warns): escape the
			 * second of two question marks. */
			fputs(p > (const unsigned char *)s && p[-1] == '?' ? "\\?" : "?", out);
			break;
		default:
			/* Octal escapes are always 3 digits, so a following digit
			 * cannot extend them (unlike \x). Bytes >= 0x80 pass through:
			 * UTF-8 in a string literal is fine. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\%03o", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void emit_c_comment_text(const char *s, FILE *out)
{
	for (; s && *s; s++) {
		if (s[0] == '*' && s[1] == '/')
			fputs("* ", out);
		else if (s[0] == '/' && s[1] == '*')
			fputs("/ ", out); /* -Wcomment: "/" "*" within a comment */
		else if ((unsigned char)*s < 0x20)
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

void emit_ident(const char *s, int upper, char *buf, size_t cap)
{
	size_t n = 0;
	for (; s && *s && n + 1 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) && c < 0x80)
			buf[n++] = (char)(upper ? toupper(c) : tolower(c));
		else
			buf[n++] = '_';
	}
	if (cap)
		buf[n] = '\0';
}

void emit_human_size(uint64_t n, char *buf, size_t cap)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	while (u < 6 && n >= (1ull << (10 * (u + 1))))
		u++;
	uint64_t scale = 1ull << (10 * u);
	if (n % scale == 0)
		snprintf(buf, cap, "%" PRIu64 " %s", n / scale, unit[u]);
	else
		snprintf(buf, cap, "%.1f %s", (double)n / (double)scale, unit[u]);
}

void emit_src(const struct machine *m, struct loc loc, char *buf, size_t cap)
{
	if (loc.line > 0)
		snprintf(buf, cap, "%s:%d", m->file, loc.line);
	else
		snprintf(buf, cap, "%s", m->file);
}

static char *note(const struct machine *m, struct loc loc, const char *name, const char *type)
{
	char src[1024];
	emit_src(m, loc, src, sizeof src);
	size_t n = strlen(src) + strlen(name) + (type ? strlen(type) : 0) + 8;
	char *s = malloc(n);
	if (s) {
		if (type)
			snprintf(s, n, "%s: %s (%s)", src, name, type);
		else
			snprintf(s, n, "%s: %s", src, name);
	}
	return s;
}

static int range_cmp(const void *a, const void *b)
{
	const struct dec_range *x = a, *y = b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->index - y->index;
}

/* Sort a copy rather than trust the model's order: the tree needs it and
 * the cost is nothing at compile time. */
static int build_one(struct dec_range *r, unsigned n, struct dec_tree *t, const char *what,
		     const struct machine *m)
{
	qsort(r, n, sizeof *r, range_cmp);
	if (decode_build(r, n, t) == 0)
		return 0;
	fprintf(stderr, "%s: internal error: %s ranges overlap or wrap; cannot build decode tree\n",
		m->file, what);
	return -1;
}

int machine_trees_build(const struct machine *m, struct m_trees *t)
{
	unsigned n = m->nram + m->ndevs, nm = 0, np = 0;
	struct dec_range *rr = calloc(m->nram + 1, sizeof *rr);
	struct dec_range *rm = calloc(m->ndevs + 1, sizeof *rm);
	struct dec_range *rp = calloc(m->ndevs + 1, sizeof *rp);
	int rc = -1;

	memset(t, 0, sizeof *t);
	t->notes = calloc(n + 1, sizeof *t->notes);
	if (!rr || !rm || !rp || !t->notes)
		goto out;
	t->nnotes = n;
	for (unsigned i = 0; i < m->nram; i++) {
		const struct m_ram *r = &m->ram[i];
		if (!(t->notes[i] = note(m, r->loc, r->name, NULL)))
			goto out;
		rr[i] = (struct dec_range){ r->base, r->max_size, (int)i, t->notes[i] };
	}
	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];
		char **s = &t->notes[m->nram + i];
		if (!(*s = note(m, d->loc, d->name, d->type->name)))
			goto out;
		struct dec_range x = { d->base, d->size, (int)i, *s };
		if (d->space == M_SPACE_PIO)
			rp[np++] = x;
		else
			rm[nm++] = x;
	}
	if (build_one(rr, m->nram, &t->ram, "RAM", m) ||
	    build_one(rm, nm, &t->mmio, "MMIO", m))
		goto out;
	/* arm64 has no port I/O: an empty tree makes vibe_decode_pio return -1. */
	if (build_one(rp, m->arch == M_ARCH_X86_64 ? np : 0, &t->pio, "port I/O", m))
		goto out;
	rc = 0;
out:
	if (rc && !t->notes)
		fprintf(stderr, "vibegen: out of memory\n");
	free(rr);
	free(rm);
	free(rp);
	if (rc)
		machine_trees_free(t);
	return rc;
}

void machine_trees_free(struct m_trees *t)
{
	decode_free(&t->ram);
	decode_free(&t->mmio);
	decode_free(&t->pio);
	for (unsigned i = 0; t->notes && i < t->nnotes; i++)
		free(t->notes[i]);
	free(t->notes);
	memset(t, 0, sizeof *t);
}
