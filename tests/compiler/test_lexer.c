/*
 * Table tests of the re2c scalar lexer (every number form, separator and
 * suffix, overflow at the 64-bit edge) and of the expression evaluator
 * (precedence, references, and every arithmetic error with its code).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "diag.h"
#include "expr.h"
#include "lexer.h"

struct num_case {
	const char *in;
	int ok;
	uint64_t want;       /* when ok */
	enum tok_err err;    /* when !ok */
};

static const struct num_case nums[] = {
	{ "0", 1, 0, 0 },
	{ "4096", 1, 4096, 0 },
	{ "1_000_000", 1, 1000000, 0 },
	{ "0x3f8", 1, 0x3f8, 0 },
	{ "0X3F8", 1, 0x3f8, 0 },
	{ "0xd000_0000", 1, 0xd0000000, 0 },
	{ "0b1010", 1, 10, 0 },
	{ "0B1111_0000", 1, 0xf0, 0 },
	{ "4K", 1, 4096, 0 },
	{ "4KiB", 1, 4096, 0 },
	{ "128M", 1, 128ull << 20, 0 },
	{ "128MiB", 1, 128ull << 20, 0 },
	{ "1G", 1, 1ull << 30, 0 },
	{ "3GiB", 1, 3ull << 30, 0 },
	{ "2T", 1, 2ull << 40, 0 },
	{ "2TiB", 1, 2ull << 40, 0 },
	{ "0x10K", 1, 0x4000, 0 },
	{ "0b1M", 1, 1ull << 20, 0 },
	{ "1_024K", 1, 1ull << 20, 0 },
	{ "  42  ", 1, 42, 0 },
	{ "18446744073709551615", 1, UINT64_MAX, 0 },
	{ "0xffff_ffff_ffff_ffff", 1, UINT64_MAX, 0 },
	{ "0b1111111111111111111111111111111111111111111111111111111111111111", 1, UINT64_MAX, 0 },
	{ "16777215T", 1, 16777215ull << 40, 0 },
	{ "17179869183G", 1, 17179869183ull << 30, 0 },
	/* overflow */
	{ "18446744073709551616", 0, 0, TE_OVERFLOW },
	{ "99999999999999999999999", 0, 0, TE_OVERFLOW },
	{ "0x1_0000_0000_0000_0000", 0, 0, TE_OVERFLOW },
	{ "0b11111111111111111111111111111111111111111111111111111111111111111", 0, 0, TE_OVERFLOW },
	{ "16777216T", 0, 0, TE_OVERFLOW },
	{ "17179869184G", 0, 0, TE_OVERFLOW },
	{ "0x1_0000_0000T", 0, 0, TE_OVERFLOW },
	/* malformed */
	{ "128MB", 0, 0, TE_SUFFIX },
	{ "4KB", 0, 0, TE_SUFFIX },
	{ "4k", 0, 0, TE_SUFFIX },
	{ "1Ki", 0, 0, TE_SUFFIX },
	{ "12abc", 0, 0, TE_SUFFIX },
	{ "0x", 0, 0, TE_NUMBER },
	{ "0b", 0, 0, TE_NUMBER },
	{ "0b102", 0, 0, TE_SUFFIX },
	{ "1__0", 0, 0, TE_NUMBER },
	{ "1_", 0, 0, TE_NUMBER },
	{ "0x_1", 0, 0, TE_NUMBER },
	{ "", 0, 0, TE_NUMBER },
	{ "4K 4K", 0, 0, TE_NUMBER },
	{ "abc", 0, 0, TE_IDENT },
	{ "$1", 0, 0, TE_CHAR },
};

static void numbers(void **state)
{
	for (unsigned i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		const struct num_case *c = &nums[i];
		uint64_t v = 0;
		struct token why;
		memset(&why, 0, sizeof why);
		int rc = lex_number(c->in, &v, &why);
		if (c->ok && (rc != 0 || v != c->want))
			fail_msg("'%s': got rc %d value 0x%llx (%s), want 0x%llx", c->in, rc,
				 (unsigned long long)v, why.msg, (unsigned long long)c->want);
		if (!c->ok && (rc == 0 || why.err != c->err))
			fail_msg("'%s': got rc %d err %d (%s), want error %d", c->in, rc, why.err, why.msg, c->err);
		if (!c->ok && !why.msg[0])
			fail_msg("'%s': error without a message", c->in);
	}
}

static void token_stream(void **state)
{
	static const enum tok_kind want[] = { TOK_REF, TOK_PLUS, TOK_NUM, TOK_STAR, TOK_LPAREN, TOK_NUM,
					      TOK_MINUS, TOK_NUM, TOK_RPAREN, TOK_SLASH, TOK_REF, TOK_END };
	struct lexer lx;
	struct token t;
	lex_init(&lx, "ram.end + 0x1000*(2 - 1) / blk_0.size");
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		lex_next(&lx, &t);
		if (t.kind != want[i])
			fail_msg("token %u: kind %d, want %d (%s)", i, t.kind, want[i], t.msg);
		if (i == 0) {
			assert_int_equal(t.name_len, 3);
			assert_memory_equal(t.name, "ram", 3);
			assert_int_equal(t.field, REF_END);
			assert_int_equal(t.pos, 0);
		}
		if (i == 2)
			assert_int_equal(t.pos, 10);
		if (i == 10) {
			assert_int_equal(t.field, REF_SIZE);
			assert_memory_equal(t.name, "blk_0", 5);
		}
	}
	lex_init(&lx, "a.base");
	lex_next(&lx, &t);
	assert_int_equal(t.field, REF_BASE);
	lex_init(&lx, "a.top");
	lex_next(&lx, &t);
	assert_int_equal(t.kind, TOK_ERROR);
	assert_int_equal(t.err, TE_FIELD);
}

/* A fixed environment: ram = [0, 128M), rom = [0xfff00000, +1M). */
static int resolve(void *ctx, const char *name, size_t len, enum ref_field f, struct loc at,
		   uint64_t *out)
{
	uint64_t base, size;
	if (len == 3 && !memcmp(name, "ram", 3)) {
		base = 0;
		size = 128ull << 20;
	} else if (len == 3 && !memcmp(name, "rom", 3)) {
		base = 0xfff00000;
		size = 1ull << 20;
	} else {
		diag_error(at, E_REF, "no RAM region or device named '%.*s'", (int)len, name);
		return -1;
	}
	*out = f == REF_BASE ? base : f == REF_SIZE ? size : base + size;
	return 0;
}

struct expr_case {
	const char *in;
	int code;      /* 0: ok */
	uint64_t want;
	int col;       /* error column (1-based within the string), 0: don't check */
};

static const struct expr_case exprs[] = {
	{ "1 + 2 * 3", 0, 7, 0 },
	{ "(1 + 2) * 3", 0, 9, 0 },
	{ "10 / 3", 0, 3, 0 },
	{ "10 - 3 - 2", 0, 5, 0 },
	{ "64 / 4 / 2", 0, 8, 0 },
	{ "ram.end", 0, 128ull << 20, 0 },
	{ "ram.end - 4K", 0, (128ull << 20) - 4096, 0 },
	{ "rom.base + rom.size", 0, 0x100000000ull, 0 },
	{ "((((1))))", 0, 1, 0 },
	{ "2T / 1M", 0, 2ull << 20, 0 },
	{ "1 / 0", E_DIVZERO, 0, 3 },
	{ "4K / (1 - 1)", E_DIVZERO, 0, 4 },
	{ "0 - 1", E_ARITH, 0, 3 },
	{ "0xffff_ffff_ffff_ffff + 1", E_ARITH, 0, 23 },
	{ "0x8000_0000_0000_0000 * 2", E_ARITH, 0, 23 },
	{ "1 +", E_EXPR, 0, 4 },
	{ "(1", E_EXPR, 0, 3 },
	{ "1 2", E_EXPR, 0, 3 },
	{ ")", E_EXPR, 0, 1 },
	{ "nosuch.base", E_REF, 0, 1 },
	{ "ram.top", E_REF_FIELD, 0, 1 },
	{ "1 + 99999999999999999999", E_OVERFLOW, 0, 5 },
	{ "4MB + 1", E_SUFFIX, 0, 2 },
};

static void expressions(void **state)
{
	struct expr_env env = { resolve, NULL };
	for (unsigned i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
		const struct expr_case *c = &exprs[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		diag_stream(f);
		diag_begin("t.yaml", NULL, 0);
		uint64_t v = 0;
		/* The scalar sits at line 1, column 1, so columns are string offsets + 1. */
		int rc = expr_eval(c->in, (struct loc){ 1, 1 }, &env, &v);
		diag_flush();
		fclose(f);
		diag_stream(NULL);
		if (!c->code && (rc || v != c->want))
			fail_msg("'%s': rc %d value 0x%llx, want 0x%llx; diag: %s", c->in, rc,
				 (unsigned long long)v, (unsigned long long)c->want, buf);
		if (c->code) {
			char want[64];
			snprintf(want, sizeof want, "t.yaml:1:%d: error[E%03d]", c->col, c->code);
			if (rc == 0 || !strstr(buf, want))
				fail_msg("'%s': rc %d, want '%s' in: %s", c->in, rc, want, buf);
		}
		free(buf);
	}
}

static void references_refused_without_env(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	diag_stream(f);
	uint64_t v;
	assert_int_equal(expr_eval("ram.base", (struct loc){ 1, 1 }, NULL, &v), -1);
	diag_flush();
	fclose(f);
	diag_stream(NULL);
	assert_non_null(strstr(buf, "error[E026]"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers),
		cmocka_unit_test(token_stream),
		cmocka_unit_test(expressions),
		cmocka_unit_test(references_refused_without_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
