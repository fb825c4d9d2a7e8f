/*
 * The expression language of numeric fields: `+ - * /`, parentheses,
 * numbers as lexer.re reads them, and references NAME.base / NAME.size /
 * NAME.end to other RAM regions and devices. Unsigned 64-bit arithmetic
 * where every overflow, negative result and division by zero is an error.
 */
#ifndef VIBEGEN_EXPR_H
#define VIBEGEN_EXPR_H

#include <stdint.h>
#include "model.h"
#include "lexer.h"

struct expr_env {
	/* Resolve a reference; at is its position (for errors). 0 ok, -1 error
	 * (already reported). NULL resolve: references are not allowed here. */
	int (*resolve)(void *ctx, const char *name, size_t len, enum ref_field f,
		       struct loc at, uint64_t *out);
	void *ctx;
};

/* Evaluate s; at is the position of its first character. 0 or -1 (reported). */
int expr_eval(const char *s, struct loc at, const struct expr_env *env, uint64_t *out);

#endif
