/*
 * Small helpers shared by the emitters: writing user-supplied text safely
 * into C string literals and comments, turning names into identifiers, and
 * formatting sizes for people.
 */
#ifndef VIBEGEN_EMIT_UTIL_H
#define VIBEGEN_EMIT_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

/* `"text"` with C escapes (quotes, backslashes, control bytes, `??`), or
 * `NULL` when s is NULL. */
void emit_c_string(const char *s, FILE *out);

/* Text for inside a C comment: `*` followed by `/` is split and newlines
 * become spaces, so a name or path can never end the comment early. */
void emit_c_comment_text(const char *s, FILE *out);

/* Identifier fragment: letters and digits kept (lower- or upper-cased),
 * everything else '_'. Writes at most cap-1 bytes plus NUL. */
void emit_ident(const char *s, int upper, char *buf, size_t cap);

/* "128 MiB", "4 KiB", "512 B", "1.5 KiB"; exact unit when it divides. */
void emit_human_size(uint64_t n, char *buf, size_t cap);



#include "model.h"
#include "decode.h"

/* The three decode trees of a machine, with the leaf comments they point
 * at ("machines/virt.yaml:14: com1 (uart8250)"). */
struct m_trees {
	struct dec_tree ram, mmio, pio;
	char **notes; /* one per RAM region, then one per device */
	unsigned nnotes;
};

/* Returns 0, or -1 after printing why to stderr (ranges overlapping or
 * wrapping: the front end should have rejected them). */
int machine_trees_build(const struct machine *m, struct m_trees *t);
void machine_trees_free(struct m_trees *t);

/* "FILE:LINE" of an entry, for src fields and comments. */
void emit_src(const struct machine *m, struct loc loc, char *buf, size_t cap);
#endif
