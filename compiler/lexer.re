/*
 * The scalar lexer, compiled by re2c (build/compiler/lexer.c keeps #line
 * directives back to this file, so compiler errors point here).
 *
 * Numbers: decimal `4096`, hex `0x3f8`, binary `0b1010`, with `_` between
 * digits (`0xd000_0000`). A number may carry one binary size suffix:
 * K M G T (x 2^10 .. 2^40) or KiB MiB GiB TiB (same values). Decimal-looking
 * suffixes such as KB or MB are rejected on purpose: all sizes are binary,
 * and an ambiguous unit in a memory map is a bug waiting to happen.
 * Any value that does not fit in 64 bits is an error, never a wrap.
 */
#include <stdio.h>
#include <string.h>
#include "lexer.h"

/*!re2c
	re2c:define:YYCTYPE = "unsigned char";
	re2c:yyfill:enable = 0;
	re2c:define:YYCURSOR = cur;
	re2c:define:YYMARKER = mar;

	dec   = [0-9] ("_"? [0-9])*;
	hex   = "0" [xX] [0-9a-fA-F] ("_"? [0-9a-fA-F])*;
	bin   = "0" [bB] [01] ("_"? [01])*;
	ident = [a-zA-Z_] [a-zA-Z0-9_]*;
*/

void lex_init(struct lexer *lx, const char *s)
{
	lx->start = s;
	lx->cur = s;
}

static void fail(struct token *t, enum tok_err e, const char *fmt, const char *a, int alen)
{
	t->kind = TOK_ERROR;
	t->err = e;
	snprintf(t->msg, sizeof t->msg, fmt, alen, a);
}

/* Accumulate digits of base `radix`, skipping separators; 0 or -1 on overflow. */
static int digits(const char *p, const char *end, unsigned radix, uint64_t *out)
{
	uint64_t v = 0;
	for (; p < end; p++) {
		unsigned d;
		if (*p == '_')
			continue;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			d = (unsigned)(*p - 'A' + 10);
		if (__builtin_mul_overflow(v, radix, &v) || __builtin_add_overflow(v, d, &v))
			return -1;
	}
	*out = v;
	return 0;
}

/* After the digits: an optional size suffix. Sets t (num or error), advances. */
static void suffix(struct lexer *lx, struct token *t, const char *numstart, uint64_t v)
{
	const char *cur = lx->cur, *mar, *s = cur;
	unsigned shift;
	(void)mar;
	/*!re2c
		"K" | "KiB" { shift = 10; goto scaled; }
		"M" | "MiB" { shift = 20; goto scaled; }
		"G" | "GiB" { shift = 30; goto scaled; }
		"T" | "TiB" { shift = 40; goto scaled; }
		"_" [a-zA-Z0-9_]* {
			lx->cur = cur;
			t->pos = (size_t)(s - lx->start); /* point at the bad '_' */
			fail(t, TE_NUMBER, "misplaced '_' in '%.*s': '_' goes only between digits",
			     numstart, (int)(cur - numstart));
			return;
		}
		[a-zA-Z0-9_]+ {
			lx->cur = cur;
			t->pos = (size_t)(s - lx->start); /* point at the suffix */
			fail(t, TE_SUFFIX, "unknown size suffix '%.*s' (use K, M, G, T or KiB, MiB, GiB, TiB)",
			     s, (int)(cur - s));
			return;
		}
		"" { shift = 0; goto scaled; }
	*/
scaled:
	lx->cur = cur;
	if (shift && (v >> (64 - shift)) != 0) {
		fail(t, TE_OVERFLOW, "'%.*s' does not fit in 64 bits", numstart, (int)(cur - numstart));
		return;
	}
	t->kind = TOK_NUM;
	t->num = v << shift;
}

/* A number token: digits in tok..lx->cur (value digits start at digs). */
static void number(struct lexer *lx, struct token *t, const char *tok, const char *digs,
		   unsigned radix)
{
	uint64_t v = 0;
	int ovf = digits(digs, lx->cur, radix, &v);
	suffix(lx, t, tok, v);
	if (ovf && t->kind == TOK_NUM)
		fail(t, TE_OVERFLOW, "'%.*s' does not fit in 64 bits", tok, (int)(lx->cur - tok));
	t->len = (size_t)(lx->cur - (lx->start + t->pos));
}

void lex_next(struct lexer *lx, struct token *t)
{
	const char *cur, *mar, *tok;
	memset(t, 0, sizeof *t);
	(void)mar;
again:
	cur = lx->cur;
	tok = cur;
	t->pos = (size_t)(tok - lx->start);
	/*!re2c
		[ \t\r\n]+ { lx->cur = cur; goto again; }
		"\x00" { t->kind = TOK_END; return; }
		"+" { lx->cur = cur; t->kind = TOK_PLUS; goto done; }
		"-" { lx->cur = cur; t->kind = TOK_MINUS; goto done; }
		"*" { lx->cur = cur; t->kind = TOK_STAR; goto done; }
		"/" { lx->cur = cur; t->kind = TOK_SLASH; goto done; }
		"(" { lx->cur = cur; t->kind = TOK_LPAREN; goto done; }
		")" { lx->cur = cur; t->kind = TOK_RPAREN; goto done; }
		dec { lx->cur = cur; number(lx, t, tok, tok, 10); return; }
		hex { lx->cur = cur; number(lx, t, tok, tok + 2, 16); return; }
		bin { lx->cur = cur; number(lx, t, tok, tok + 2, 2); return; }
		"0" [xXbB] {
			lx->cur = cur;
			fail(t, TE_NUMBER, "malformed number '%.*s': digits expected after the prefix", tok, 2);
			goto done;
		}
		ident "." ident {
			lx->cur = cur;
			const char *dot = memchr(tok, '.', (size_t)(cur - tok));
			t->kind = TOK_REF;
			t->name = tok;
			t->name_len = (size_t)(dot - tok);
			size_t fl = (size_t)(cur - dot - 1);
			if (fl == 4 && !memcmp(dot + 1, "base", 4))
				t->field = REF_BASE;
			else if (fl == 4 && !memcmp(dot + 1, "size", 4))
				t->field = REF_SIZE;
			else if (fl == 3 && !memcmp(dot + 1, "end", 3))
				t->field = REF_END;
			else
				fail(t, TE_FIELD, "unknown field '%.*s' (use .base, .size or .end)",
				     dot + 1, (int)fl);
			goto done;
		}
		ident {
			lx->cur = cur;
			fail(t, TE_IDENT, "'%.*s' is not a number or a reference (NAME.base, NAME.size, NAME.end)",
			     tok, (int)(cur - tok));
			goto done;
		}
		* {
			lx->cur = cur;
			fail(t, TE_CHAR, "unexpected character '%.*s'", tok, 1);
			goto done;
		}
	*/
done:
	t->len = (size_t)(lx->cur - tok);
}

int lex_number(const char *s, uint64_t *out, struct token *why)
{
	struct lexer lx;
	struct token t;
	lex_init(&lx, s);
	lex_next(&lx, &t);
	if (t.kind == TOK_NUM) {
		struct token e;
		lex_next(&lx, &e);
		if (e.kind == TOK_END) {
			*out = t.num;
			return 0;
		}
		t = e;
		if (t.kind != TOK_ERROR) {
			t.kind = TOK_ERROR;
			t.err = TE_NUMBER;
			snprintf(t.msg, sizeof t.msg, "a single number is expected here");
		}
	} else if (t.kind != TOK_ERROR) {
		t.kind = TOK_ERROR;
		t.err = TE_NUMBER;
		snprintf(t.msg, sizeof t.msg, "a number is expected here");
	}
	if (why)
		*why = t;
	return -1;
}
