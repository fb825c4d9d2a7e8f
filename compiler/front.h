/*
 * Internal state of the front end (validate.c, devices.c, resolve.c,
 * layout.c, load.c): the machine being built plus, per region and device,
 * the YAML nodes its numbers come from, so every check can point at the
 * exact value that is wrong.
 */
#ifndef VIBEGEN_FRONT_H
#define VIBEGEN_FRONT_H

#include "model.h"
#include "tree.h"
#include "lexer.h"

enum { F_BASE, F_SIZE };
enum { ST_TODO, ST_BUSY, ST_DONE, ST_FAILED };

/* Something NAME.base / NAME.size can refer to: a RAM region or a device. */
struct ent {
	const char *name;
	struct loc loc;            /* its name: value */
	int is_dev;
	unsigned idx;              /* into m->ram or m->devs */
	const struct ynode *expr[2]; /* base, size (NULL: absent) */
	uint64_t val[2];
	int state[2];
	int has_dflt_size;         /* size absent but known from the device type */
	uint64_t dflt_size;
};

/* Where a region's or device's values were written, for diagnostics. */
struct aux {
	struct loc base_loc, size_loc, irq_loc;
	int bad;   /* an earlier error makes its range meaningless: skip range checks */
};

struct fe {
	struct machine *m;
	int hvf;
	struct ent *ents;
	unsigned nents;
	struct aux *ram_aux, *dev_aux;
	const struct ynode **dev_nodes; /* devices[i] mapping, same index as m->devs */
	unsigned *dev_ent;              /* devices[i]'s entity, or ~0u */
	/* Evaluation stack for reference cycles, for naming the chain. */
	struct { unsigned ent; int field; struct loc at; } stack[64]; /* at: the reference */
	unsigned depth;
};

/* validate.c: helpers shared by the checks */
int fe_keys(const struct ynode *map, const char *what, const char *const *allowed, unsigned n);
const char *fe_str(const struct ynode *n, const char *key);
int fe_bool(const struct ynode *n, int *out);
int fe_is(const struct ynode *n, enum ynode_kind k, const char *what);
int fe_name_ok(const struct ynode *n);
char *fe_strdup(const char *s);
const struct ynode *fe_need(const struct ynode *map, const char *key, const char *what);
void validate_machine(struct fe *fe, const struct ynode *root);

/* memory.c */
void memory_read(struct fe *fe, const struct ynode *list);
void memory_eval(struct fe *fe, const struct ynode *list);

/* devices.c */
void devices_read(struct fe *fe, const struct ynode *list);
void devices_sizes(struct fe *fe); /* default sizes; needs the vCPU count */
void devices_eval(struct fe *fe);

/* resolve.c: numbers and expressions, with references */
int fe_num(struct fe *fe, const struct ynode *n, uint64_t *out);
int fe_field(struct fe *fe, unsigned ent, int field, struct loc at, uint64_t *out);
struct ent *fe_ent_add(struct fe *fe, const struct ynode *name, int is_dev, unsigned idx);

/* layout.c: ranges, auto-placement, IRQs, sorting */
void layout_machine(struct fe *fe);

#endif
