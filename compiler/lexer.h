/*
 * The scalar lexer (lexer.re, compiled by re2c): numbers with `_`
 * separators and binary size suffixes, and the tokens of the expression
 * language (`+ - * / ( )` and NAME.base / NAME.size / NAME.end).
 */
#ifndef VIBEGEN_LEXER_H
#define VIBEGEN_LEXER_H

#include <stddef.h>
#include <stdint.h>

enum tok_kind {
	TOK_END, TOK_NUM, TOK_REF, TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH,
	TOK_LPAREN, TOK_RPAREN, TOK_ERROR,
};

enum ref_field { REF_BASE, REF_SIZE, REF_END };

/* Why a TOK_ERROR token is bad (selects the diagnostic code). */
enum tok_err { TE_NUMBER = 1, TE_OVERFLOW, TE_SUFFIX, TE_CHAR, TE_FIELD, TE_IDENT };

struct token {
	enum tok_kind kind;
	size_t pos, len;      /* byte offset and length in the scalar */
	uint64_t num;         /* TOK_NUM */
	const char *name;     /* TOK_REF: the NAME part, name_len bytes */
	size_t name_len;
	enum ref_field field; /* TOK_REF */
	enum tok_err err;     /* TOK_ERROR */
	char msg[96];         /* TOK_ERROR: what is wrong, for the user */
};

struct lexer {
	const char *start; /* NUL-terminated scalar */
	const char *cur;
};

void lex_init(struct lexer *lx, const char *s);
/* Next token; TOK_END at the NUL, TOK_ERROR with msg on bad input. */
void lex_next(struct lexer *lx, struct token *t);

/* Convenience: the whole string is one number (no expression). Returns 0,
 * or -1 with *err/msg set as for TOK_ERROR. */
int lex_number(const char *s, uint64_t *out, struct token *why);

#endif
