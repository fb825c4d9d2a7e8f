/*
 * libyaml's event API -> the raw tree (tree.h). Events rather than the
 * document API because we want our own node type with positions, and we
 * want aliases and duplicate keys reported, not silently resolved.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "diag.h"
#include "tree.h"

#define MAX_DEPTH 64 /* machine files are shallow; deeper is hostile input */

static struct loc mark_loc(yaml_mark_t m) { return (struct loc){ (int)m.line + 1, (int)m.column + 1 }; }

static struct ynode *node_new(enum ynode_kind k, yaml_mark_t m)
{
	struct ynode *n = calloc(1, sizeof *n);
	if (!n)
		abort();
	n->kind = k;
	n->loc = mark_loc(m);
	return n;
}

static void push(struct ynode *parent, struct ynode *child)
{
	parent->vals = realloc(parent->vals, (parent->n + 1) * sizeof *parent->vals);
	if (!parent->vals)
		abort();
	parent->vals[parent->n++] = child;
}

void ytree_free(struct ynode *n)
{
	if (!n)
		return;
	free(n->str);
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			ytree_free(n->keys[i]);
		if (n->vals)
			ytree_free(n->vals[i]);
	}
	free(n->keys);
	free(n->vals);
	free(n);
}

struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->kind == Y_SCALAR && !strcmp(map->keys[i]->str, key))
			return map->vals[i];
	return NULL;
}

struct loc ytext_loc(const struct ynode *n)
{
	struct loc l = n->loc;
	if (n->quoted)
		l.col++;
	return l;
}

struct pstate {
	yaml_parser_t p;
	int failed;
};

static struct ynode *parse_node(struct pstate *ps, yaml_event_t *ev, int depth);

/* Parse the children of a mapping/sequence whose start event was consumed. */
static int parse_children(struct pstate *ps, struct ynode *n, int depth)
{
	yaml_event_t ev;
	struct ynode *key = NULL;
	for (;;) {
		if (!yaml_parser_parse(&ps->p, &ev)) {
			ytree_free(key);
			return -1;
		}
		if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		struct ynode *c = parse_node(ps, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!c) {
			ytree_free(key);
			return -1;
		}
		if (n->kind == Y_SEQ) {
			push(n, c);
		} else if (!key) {
			key = c;
		} else {
			n->keys = realloc(n->keys, (n->n + 1) * sizeof *n->keys);
			n->vals = realloc(n->vals, (n->n + 1) * sizeof *n->vals);
			if (!n->keys || !n->vals)
				abort();
			if (key->kind != Y_SCALAR) {
				diag_error(key->loc, E_TYPE, "mapping keys must be plain words");
				ps->failed = 1;
			} else {
				for (size_t i = 0; i < n->n; i++) {
					if (n->keys[i]->kind == Y_SCALAR && !strcmp(n->keys[i]->str, key->str)) {
						diag_error(key->loc, E_DUPKEY, "duplicate key '%s'", key->str);
						diag_note(n->keys[i]->loc, "first '%s' is here", key->str);
						ps->failed = 1;
						break;
					}
				}
			}
			n->keys[n->n] = key;
			n->vals[n->n++] = c;
			key = NULL;
		}
	}
}

static struct ynode *parse_node(struct pstate *ps, yaml_event_t *ev, int depth)
{
	struct ynode *n;
	if (depth > MAX_DEPTH) {
		diag_error(mark_loc(ev->start_mark), E_YAML, "nesting deeper than %d levels", MAX_DEPTH);
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(Y_SCALAR, ev->start_mark);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		n->str = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (!n->str)
			abort();
		if (strlen(n->str) != ev->data.scalar.length) {
			diag_error(n->loc, E_YAML, "NUL character inside a value");
			ps->failed = 1;
		}
		return n;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP, ev->start_mark);
		if (parse_children(ps, n, depth)) {
			ytree_free(n);
			return NULL;
		}
		return n;
	case YAML_ALIAS_EVENT:
		diag_error(mark_loc(ev->start_mark), E_ALIAS,
			   "YAML aliases (*name) are not supported in machine files; use NAME.base/.size/.end references");
		ps->failed = 1;
		/* An empty placeholder scalar keeps parsing, so later errors still show. */
		n = node_new(Y_SCALAR, ev->start_mark);
		n->str = strdup("");
		if (!n->str)
			abort();
		return n;
	default:
		diag_error(mark_loc(ev->start_mark), E_YAML, "unexpected YAML event");
		return NULL;
	}
}

/* libyaml rejects tabs with a generic message; say what is wrong instead. */
static int check_tabs(const char *buf, size_t len)
{
	int line = 1, col = 1, indent = 1, bad = 0;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\n') {
			line++;
			col = 1;
			indent = 1;
			continue;
		}
		if (c == '\t' && indent) {
			diag_error((struct loc){ line, col }, E_TAB,
				   "tab character in indentation; YAML indents with spaces only");
			bad = 1;
			indent = 0;
		} else if (c != ' ' && c != '-') {
			indent = 0;
		}
		col++;
	}
	return bad;
}

struct ynode *ytree_parse(const char *buf, size_t len)
{
	struct pstate ps = { .failed = 0 };
	struct ynode *root = NULL;
	yaml_event_t ev;
	int docs = 0;

	if (check_tabs(buf, len))
		return NULL;
	if (!yaml_parser_initialize(&ps.p))
		abort();
	yaml_parser_set_input_string(&ps.p, (const unsigned char *)buf, len);
	for (;;) {
		if (!yaml_parser_parse(&ps.p, &ev))
			goto yaml_err;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			diag_error(mark_loc(ev.start_mark), E_ALIAS,
				   "a machine file holds one YAML document; found a second one");
			ps.failed = 1;
		}
		if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT) {
			struct ynode *n = parse_node(&ps, &ev, 0);
			yaml_event_delete(&ev);
			if (!n) {
				if (ps.p.error != YAML_NO_ERROR)
					goto yaml_err;
				goto fail;
			}
			if (root)
				ytree_free(n);
			else
				root = n;
			continue;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps.p);
	if (ps.failed) {
		ytree_free(root);
		return NULL;
	}
	if (!root || (root->kind == Y_SCALAR && !root->quoted && !*root->str)) {
		diag_error((struct loc){ 1, 1 }, E_EMPTY,
			   "the machine file is empty; it must at least say `arch:` and `memory:`");
		ytree_free(root);
		return NULL;
	}
	if (root->kind != Y_MAP) {
		diag_error(root->loc, E_ROOT,
			   "the top level of a machine file must be a mapping (key: value lines)");
		ytree_free(root);
		return NULL;
	}
	return root;

yaml_err:
	if (ps.p.error == YAML_READER_ERROR) {
		/* Encoding errors carry a byte offset, not a mark. */
		struct loc at = { 1, 1 };
		for (size_t i = 0; i < ps.p.problem_offset && i < len; i++) {
			if (buf[i] == '\n') {
				at.line++;
				at.col = 1;
			} else {
				at.col++;
			}
		}
		diag_error(at, E_YAML, "YAML: %s", ps.p.problem ? ps.p.problem : "cannot read the input");
		goto fail;
	}
	diag_error(mark_loc(ps.p.problem_mark), E_YAML, "YAML: %s%s%s",
		   ps.p.problem ? ps.p.problem : "syntax error",
		   ps.p.context ? " " : "", ps.p.context ? ps.p.context : "");
	if (ps.p.context)
		diag_note(mark_loc(ps.p.context_mark), "the construct starts here");
fail:
	yaml_parser_delete(&ps.p);
	ytree_free(root);
	return NULL;
}
