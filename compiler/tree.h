/*
 * The raw YAML tree: what libyaml read, with the line and column of every
 * key and value, before any meaning is given to it. Kept separate from the
 * machine model so every later error can point at the user's text.
 */
#ifndef VIBEGEN_TREE_H
#define VIBEGEN_TREE_H

#include <stddef.h>
#include "model.h"

enum ynode_kind { Y_SCALAR = 1, Y_MAP, Y_SEQ };

struct ynode {
	enum ynode_kind kind;
	struct loc loc;     /* first character (the quote, for quoted scalars) */
	int quoted;         /* scalar written in quotes or as a block */
	char *str;          /* Y_SCALAR: the value */
	size_t n;           /* Y_MAP: pairs; Y_SEQ: items */
	struct ynode **keys; /* Y_MAP: scalar keys */
	struct ynode **vals; /* Y_MAP: values; Y_SEQ: items */
};

/* Parse buf (len bytes) into a tree. NULL after reporting errors. */
struct ynode *ytree_parse(const char *buf, size_t len);
void ytree_free(struct ynode *n);

/* Y_MAP lookup by key; NULL when absent. */
struct ynode *ymap_get(const struct ynode *map, const char *key);
/* Position where a scalar's text starts (after an opening quote). */
struct loc ytext_loc(const struct ynode *n);

#endif
