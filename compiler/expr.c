/*
 * Recursive descent over the re2c tokens:
 *   expr := term (('+' | '-') term)*
 *   term := atom (('*' | '/') atom)*
 *   atom := NUMBER | NAME.field | '(' expr ')'
 * There is no unary minus: every value in a memory map is unsigned.
 */
#include <string.h>
#include "diag.h"
#include "expr.h"

struct eparser {
	struct lexer lx;
	struct token tok;
	struct loc at;
	const struct expr_env *env;
	int failed;
	unsigned depth; /* open parentheses: bounds the recursion */
};

/* Each '(' recurses through expr/term/atom; without a bound a scalar of a
 * few million '(' overflows the C stack (found by tests/fuzz). No memory
 * map needs more than a handful of levels. */
#define EXPR_MAX_DEPTH 64

static struct loc tok_loc(const struct eparser *p, const struct token *t)
{
	struct loc l = p->at;
	l.col += (int)t->pos;
	return l;
}

static void advance(struct eparser *p) { lex_next(&p->lx, &p->tok); }

static void lex_error(struct eparser *p)
{
	static const enum diag_code codes[] = {
		[TE_NUMBER] = E_NUMBER, [TE_OVERFLOW] = E_OVERFLOW, [TE_SUFFIX] = E_SUFFIX,
		[TE_CHAR] = E_EXPR, [TE_FIELD] = E_REF_FIELD, [TE_IDENT] = E_EXPR,
	};
	diag_error(tok_loc(p, &p->tok), codes[p->tok.err], "%s", p->tok.msg);
	p->failed = 1;
}

static void syntax(struct eparser *p, const char *what)
{
	if (p->tok.kind == TOK_ERROR)
		lex_error(p);
	else if (p->tok.kind == TOK_END)
		diag_error(tok_loc(p, &p->tok), E_EXPR, "%s expected at end of expression", what);
	else
		diag_error(tok_loc(p, &p->tok), E_EXPR, "%s expected, found '%.*s'", what,
			   (int)p->tok.len, p->lx.start + p->tok.pos);
	p->failed = 1;
}

static uint64_t expr(struct eparser *p);

static uint64_t atom(struct eparser *p)
{
	uint64_t v = 0;
	struct token t = p->tok;
	switch (t.kind) {
	case TOK_NUM:
		advance(p);
		return t.num;
	case TOK_REF:
		if (!p->env || !p->env->resolve) {
			diag_error(tok_loc(p, &t), E_REF,
				   "references to other regions or devices are not allowed here");
			p->failed = 1;
		} else if (p->env->resolve(p->env->ctx, t.name, t.name_len, t.field,
					   tok_loc(p, &t), &v)) {
			p->failed = 1;
		}
		advance(p);
		return v;
	case TOK_LPAREN:
		if (p->depth == EXPR_MAX_DEPTH) {
			diag_error(tok_loc(p, &t), E_EXPR,
				   "expression nested deeper than %d parentheses", EXPR_MAX_DEPTH);
			p->failed = 1;
			return 0;
		}
		advance(p);
		p->depth++;
		v = expr(p);
		p->depth--;
		if (p->failed)
			return 0;
		if (p->tok.kind != TOK_RPAREN) {
			syntax(p, "')'");
			return 0;
		}
		advance(p);
		return v;
	default:
		syntax(p, "a number or NAME.base/.size/.end");
		return 0;
	}
}

static uint64_t term(struct eparser *p)
{
	uint64_t v = atom(p);
	while (!p->failed && (p->tok.kind == TOK_STAR || p->tok.kind == TOK_SLASH)) {
		struct token op = p->tok;
		advance(p);
		uint64_t r = atom(p);
		if (p->failed)
			break;
		if (op.kind == TOK_STAR) {
			if (__builtin_mul_overflow(v, r, &v)) {
				diag_error(tok_loc(p, &op), E_ARITH, "multiplication overflows 64 bits");
				p->failed = 1;
			}
		} else if (r == 0) {
			diag_error(tok_loc(p, &op), E_DIVZERO, "division by zero");
			p->failed = 1;
		} else {
			v /= r;
		}
	}
	return v;
}

static uint64_t expr(struct eparser *p)
{
	uint64_t v = term(p);
	while (!p->failed && (p->tok.kind == TOK_PLUS || p->tok.kind == TOK_MINUS)) {
		struct token op = p->tok;
		advance(p);
		uint64_t r = term(p);
		if (p->failed)
			break;
		if (op.kind == TOK_PLUS) {
			if (__builtin_add_overflow(v, r, &v)) {
				diag_error(tok_loc(p, &op), E_ARITH, "addition overflows 64 bits");
				p->failed = 1;
			}
		} else if (r > v) {
			diag_error(tok_loc(p, &op), E_ARITH,
				   "subtraction gives a negative value (0x%llx - 0x%llx)",
				   (unsigned long long)v, (unsigned long long)r);
			p->failed = 1;
		} else {
			v -= r;
		}
	}
	return v;
}

int expr_eval(const char *s, struct loc at, const struct expr_env *env, uint64_t *out)
{
	struct eparser p = { .at = at, .env = env };
	lex_init(&p.lx, s);
	advance(&p);
	uint64_t v = expr(&p);
	if (!p.failed && p.tok.kind != TOK_END)
		syntax(&p, "an operator");
	if (p.failed)
		return -1;
	*out = v;
	return 0;
}
