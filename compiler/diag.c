/*
 * Diagnostics: position, stable code, message, then the offending source
 * line with a caret, so an error reads like a C compiler's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"

static const char *d_path = "<input>";
static const char *d_buf;
static size_t d_len;
static FILE *d_out;

/* Errors are collected, then printed sorted by position (diag_flush), so
 * the output reads top to bottom like the file even though the checks run
 * in passes (syntax, keys, values, layout). Each entry holds the error and
 * its notes, already formatted. */
struct entry {
	struct loc at;
	unsigned seq; /* report order: keeps the sort stable */
	char *text;
	size_t len;
};
static struct entry *d_ents;
static unsigned d_n;      /* entries waiting for diag_flush */
static int d_errors;      /* errors since diag_begin, flushed or not */
static FILE *d_cur; /* memstream of the last entry, open for notes */

static void close_cur(void)
{
	if (d_cur) {
		fclose(d_cur);
		d_cur = NULL;
	}
}

static void drop_all(void)
{
	close_cur();
	for (unsigned i = 0; i < d_n; i++)
		free(d_ents[i].text);
	free(d_ents);
	d_ents = NULL;
	d_n = 0;
}

void diag_begin(const char *path, const char *buf, size_t len)
{
	drop_all();
	d_errors = 0;
	d_path = path;
	d_buf = buf;
	d_len = len;
}

void diag_stream(FILE *f) { d_out = f; }

int diag_errors(void) { return d_errors; }

static FILE *out(void) { return d_out ? d_out : stderr; }

/* Print line `line` of the buffer and a caret under column `col`. Tabs are
 * copied into the caret line so the caret stays aligned in any terminal. */
static void show_line(FILE *o, struct loc at)
{
	if (!d_buf || at.line <= 0)
		return;
	const char *p = d_buf, *end = d_buf + d_len;
	for (int l = 1; l < at.line && p < end; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return;
		p = nl + 1;
	}
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	int n = (int)(eol - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	fprintf(o, "%5d | ", at.line);
	/* Control characters could drive the user's terminal: show them as '?'. */
	for (int i = 0; i < n; i++)
		fputc((unsigned char)p[i] < 0x20 && p[i] != '\t' ? '?' : p[i] == 0x7f ? '?' : p[i], o);
	fputs("\n      | ", o);
	for (int i = 0; i < at.col - 1 && i < n; i++)
		fputc(p[i] == '\t' ? '\t' : ' ', o);
	fputs("^\n", o);
}

static void vreport(FILE *o, struct loc at, const char *kind, const char *fmt, va_list ap)
{
	if (at.line > 0)
		fprintf(o, "%s:%d:%d: %s", d_path, at.line, at.col, kind);
	else
		fprintf(o, "%s: %s", d_path, kind);
	vfprintf(o, fmt, ap);
	fputc('\n', o);
	show_line(o, at);
}

void diag_error(struct loc at, enum diag_code code, const char *fmt, ...)
{
	close_cur();
	struct entry *e = realloc(d_ents, (d_n + 1) * sizeof *d_ents);
	if (!e)
		abort();
	d_ents = e;
	e = &d_ents[d_n];
	*e = (struct entry){ .at = at, .seq = d_n };
	d_n++;
	d_errors++;
	d_cur = open_memstream(&e->text, &e->len);
	if (!d_cur)
		abort();
	char kind[32];
	snprintf(kind, sizeof kind, "error[E%03d]: ", (int)code);
	va_list ap;
	va_start(ap, fmt);
	vreport(d_cur, at, kind, fmt, ap);
	va_end(ap);
}

void diag_note(struct loc at, const char *fmt, ...)
{
	if (!d_cur)
		return;
	va_list ap;
	va_start(ap, fmt);
	vreport(d_cur, at, "note: ", fmt, ap);
	va_end(ap);
}

static int by_pos(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->at.line != y->at.line)
		return x->at.line < y->at.line ? -1 : 1;
	if (x->at.col != y->at.col)
		return x->at.col < y->at.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_flush(void)
{
	close_cur();
	/* The ones that name the earliest lines are the ones shown. */
	if (d_n)
		qsort(d_ents, d_n, sizeof *d_ents, by_pos);
	for (unsigned i = 0; i < d_n && i < DIAG_MAX_ERRORS; i++)
		fwrite(d_ents[i].text, 1, d_ents[i].len, out());
	if (d_n > DIAG_MAX_ERRORS)
		fprintf(out(), "%s: note: %u more errors not shown (limit %d)\n", d_path,
			d_n - DIAG_MAX_ERRORS, DIAG_MAX_ERRORS);
	fflush(out());
	drop_all();
}

unsigned diag_distance(const char *a, const char *b)
{
	/* Optimal string alignment distance: Levenshtein plus adjacent
	 * transpositions, the most common typo ("szie"). Keys are short. */
	size_t la = strlen(a), lb = strlen(b);
	unsigned *d = calloc((la + 1) * (lb + 1), sizeof *d);
	if (!d)
		return ~0u;
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);
			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	unsigned r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *diag_suggest(const char *word, const char *const *cands, unsigned n)
{
	/* Accept up to a third of the word's length in edits (at least 1, at
	 * most 3): close enough to be a typo, not a different word. */
	unsigned limit = ((unsigned)strlen(word) + 1) / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	const char *best = NULL;
	unsigned bestd = limit + 1;
	for (unsigned i = 0; i < n; i++) {
		unsigned d = diag_distance(word, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return best;
}
