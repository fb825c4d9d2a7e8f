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
static int d_errors;
static int d_shown; /* whether the last error was printed (its notes follow it) */
static FILE *d_out;

void diag_begin(const char *path, const char *buf, size_t len)
{
	d_path = path;
	d_buf = buf;
	d_len = len;
	d_errors = 0;
	d_shown = 0;
}

void diag_stream(FILE *f) { d_out = f; }

int diag_errors(void) { return d_errors; }

static FILE *out(void) { return d_out ? d_out : stderr; }

/* Print line `line` of the buffer and a caret under column `col`. Tabs are
 * copied into the caret line so the caret stays aligned in any terminal. */
static void show_line(struct loc at)
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
	fprintf(out(), "%5d | %.*s\n      | ", at.line, n, p);
	for (int i = 0; i < at.col - 1 && i < n; i++)
		fputc(p[i] == '\t' ? '\t' : ' ', out());
	fputs("^\n", out());
}

static void vreport(struct loc at, const char *kind, const char *fmt, va_list ap)
{
	if (at.line > 0)
		fprintf(out(), "%s:%d:%d: %s", d_path, at.line, at.col, kind);
	else
		fprintf(out(), "%s: %s", d_path, kind);
	vfprintf(out(), fmt, ap);
	fputc('\n', out());
	show_line(at);
}

void diag_error(struct loc at, enum diag_code code, const char *fmt, ...)
{
	d_errors++;
	d_shown = d_errors <= DIAG_MAX_ERRORS;
	if (!d_shown) {
		if (d_errors == DIAG_MAX_ERRORS + 1)
			fprintf(out(), "%s: note: too many errors (limit %d); stopping here\n",
				d_path, DIAG_MAX_ERRORS);
		return;
	}
	char kind[32];
	snprintf(kind, sizeof kind, "error[E%03d]: ", (int)code);
	va_list ap;
	va_start(ap, fmt);
	vreport(at, kind, fmt, ap);
	va_end(ap);
}

void diag_note(struct loc at, const char *fmt, ...)
{
	if (!d_shown)
		return;
	va_list ap;
	va_start(ap, fmt);
	vreport(at, "note: ", fmt, ap);
	va_end(ap);
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
