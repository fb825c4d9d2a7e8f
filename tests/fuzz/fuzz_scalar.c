/*
 * Fuzz target: vibegen's scalar language on its own: the re2c lexer
 * (compiler/lexer.re) and the expression evaluator (compiler/expr.c),
 * fed any bytes as one scalar.
 *
 * Invariants besides ASan/UBSan:
 *  - the lexer always progresses: tokens lie inside the string, in order,
 *    and the walk ends (TOK_END or TOK_ERROR) within strlen + 1 tokens;
 *  - lex_number() agrees with strtoull() on plain decimal and hex strings,
 *    overflow included, and a K suffix multiplies by 1024 or overflows;
 *  - expr_eval() fails exactly when it reported an error, and a value v
 *    is stable under "(s)", "(s)+0" and "(s)*1" (metamorphic checks);
 *  - references resolve through the callback only (NAME.base/.size/.end).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "diag.h"
#include "expr.h"

#define MAX_LEN 4096

static FILE *sink;

static int resolve(void *ctx, const char *name, size_t len, enum ref_field f, struct loc at,
		   uint64_t *out)
{
	(void)ctx;
	FUZZ_CHECK(len > 0 && f <= REF_END);
	if (name[0] == 'x') { /* an unknown name: reported, as resolve.c does */
		diag_error(at, E_REF, "unknown name '%.*s'", (int)len, name);
		return -1;
	}
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 1099511628211ull;
	*out = f == REF_SIZE ? h & 0xffff : h >> 20;
	return 0;
}

static const struct expr_env env = { resolve, NULL };

static int eval(const char *s, uint64_t *v)
{
	diag_begin("<scalar>", s, strlen(s));
	int rc = expr_eval(s, (struct loc){ 1, 1 }, &env, v);
	FUZZ_CHECK((rc != 0) == (diag_errors() > 0));
	diag_flush();
	return rc;
}

static void check_lexer(const char *s, size_t len)
{
	struct lexer lx;
	struct token t;
	size_t last = 0;
	lex_init(&lx, s);
	for (size_t k = 0;; k++) {
		FUZZ_CHECK(k <= len + 1);
		lex_next(&lx, &t);
		FUZZ_CHECK(t.pos <= len && t.len <= len - t.pos && t.pos >= last);
		last = t.pos + t.len;
		if (t.kind == TOK_END || t.kind == TOK_ERROR)
			break;
		FUZZ_CHECK(t.len > 0);
		if (t.kind == TOK_REF)
			FUZZ_CHECK(t.name == s + t.pos && t.name_len > 0 && t.name_len < t.len);
	}
	if (t.kind == TOK_ERROR)
		FUZZ_CHECK(t.msg[0] && memchr(t.msg, 0, sizeof t.msg));
}

/* Differential: plain [0-9]+ or 0x[0-9a-f]+ against the C library. */
static void check_number(const char *s, size_t len)
{
	uint64_t v = 0;
	struct token why;
	int rc = lex_number(s, &v, &why);
	int hex = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	size_t plain = strspn(s + (hex ? 2 : 0), hex ? "0123456789abcdefABCDEF" : "0123456789");
	if (len && plain == len - (hex ? 2 : 0) && len < 64) {
		errno = 0;
		unsigned long long ref = strtoull(s, NULL, hex ? 16 : 10);
		if (errno == ERANGE)
			FUZZ_CHECK(rc != 0 && why.err == TE_OVERFLOW);
		else
			FUZZ_CHECK(rc == 0 && v == ref);
	}
	if (rc == 0 && len < MAX_LEN) {
		char k[MAX_LEN + 2];
		uint64_t vk = 0;
		memcpy(k, s, len);
		memcpy(k + len, "K", 2);
		int rk = lex_number(k, &vk, &why);
		if (v >> 54)
			FUZZ_CHECK(rk != 0);
		/* Not when already suffixed ("1KK") or when the number ends in
		 * blanks, which lex_number skips but which split "1 K". */
		else if (!strpbrk(s, "KMGTiB \t\r\n"))
			FUZZ_CHECK(rk == 0 && vk == v << 10);
	}
}

static int one(const uint8_t *data, size_t size)
{
	static char s[MAX_LEN + 1], w[MAX_LEN + 16];
	if (size > MAX_LEN)
		size = MAX_LEN;
	memcpy(s, data, size);
	s[size] = 0;
	size_t len = strlen(s); /* the scalar ends at a NUL, as YAML's do */

	if (!sink) {
		sink = fopen("/dev/null", "w");
		FUZZ_CHECK(sink != NULL);
		diag_stream(sink);
	}
	check_lexer(s, len);
	check_number(s, len);

	uint64_t v, v2;
	if (eval(s, &v) == 0) {
		static const char *const wrap[] = { "(%s)", "(%s)+0", "(%s)*1", "((%s))/1" };
		for (unsigned i = 0; i < sizeof wrap / sizeof wrap[0]; i++) {
			snprintf(w, sizeof w, wrap[i], s);
			FUZZ_CHECK(eval(w, &v2) == 0 && v2 == v);
		}
	}
	return 0;
}

FUZZ_TARGET(scalar, one)
