/*
 * Devices: `devices: [ {name, type, mmio: | pio:, size, irq, <props>} ]`.
 * What a device may say depends on its type's row in devtypes.c: its
 * properties, its address spaces, its size and whether it has an IRQ.
 */
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "front.h"

static const char *const common_keys[] = { "name", "type", "mmio", "pio", "size", "irq" };
#define NCOMMON 6
#define IRQ_MAX_ANY 987 /* the largest IRQ any arch has (arm64 SPIs) */

static const char *arch_name(enum m_arch a) { return a == M_ARCH_ARM64 ? "arm64" : "x86_64"; }

static void unknown_type(const struct ynode *t)
{
	const char *names[64];
	unsigned n = dev_types_count < 64 ? dev_types_count : 64;
	for (unsigned i = 0; i < n; i++)
		names[i] = dev_types[i].name;
	const char *s = diag_suggest(t->str, names, n);
	if (s)
		diag_error(ytext_loc(t), E_DEVTYPE, "unknown device type '%s'; did you mean '%s'?", t->str, s);
	else
		diag_error(ytext_loc(t), E_DEVTYPE, "unknown device type '%s' (see docs/api/machine-files.md)",
			   t->str);
}

/* Keys a device of type dt may have: the common ones plus its properties. */
static void check_keys(const struct ynode *d, const struct dev_type *dt)
{
	const char *keys[NCOMMON + 16];
	unsigned n = 0;
	for (; n < NCOMMON; n++)
		keys[n] = common_keys[n];
	for (const struct prop_def *p = dt->props; p->key && n < NCOMMON + 16; p++)
		keys[n++] = p->key;
	char what[64];
	snprintf(what, sizeof what, "a %s device", dt->name);
	fe_keys(d, what, keys, n);
}

static void read_one(struct fe *fe, const struct ynode *d, unsigned i)
{
	struct machine *m = fe->m;
	struct m_dev *dev = &m->devs[i];
	struct aux *ax = &fe->dev_aux[i];
	const struct ynode *name = fe_need(d, "name", "device");
	const struct ynode *type = fe_need(d, "type", "device");
	const struct ynode *mmio = ymap_get(d, "mmio"), *pio = ymap_get(d, "pio");

	dev->loc = d->loc;
	dev->irq = -1;
	dev->name = name && name->kind == Y_SCALAR ? name->str : "?";
	ax->base_loc = ax->size_loc = ax->irq_loc = d->loc;
	if (type && fe_is(type, Y_SCALAR, "a device type name") && !(dev->type = dev_type_find(type->str)))
		unknown_type(type);
	if (dev->type)
		check_keys(d, dev->type);
	else
		ax->bad = 1;
	struct ent *e = NULL;
	if (name && fe_is(name, Y_SCALAR, "a name") && fe_name_ok(name))
		e = fe_ent_add(fe, name, 1, i);
	if (!e)
		ax->bad = 1;
	else
		fe->dev_ent[i] = (unsigned)(e - fe->ents);

	dev->space = pio ? M_SPACE_PIO : M_SPACE_MMIO;
	const struct ynode *base = pio ? pio : mmio;
	if (mmio && pio) {
		diag_error(pio->loc, E_BOTH_SPACES, "a device has either `mmio:` or `pio:`, not both");
		ax->bad = 1;
	}
	if (base)
		ax->base_loc = ytext_loc(base);
	const struct dev_type *dt = dev->type;
	if (dt && !(dt->arch_mask & (1u << m->arch))) {
		diag_error(ytext_loc(type), E_ARCH, "device type '%s' is not available on %s", dt->name,
			   arch_name(m->arch));
		ax->bad = 1;
	} else if (pio && m->arch == M_ARCH_ARM64) {
		diag_error(pio->loc, E_SPACE, "arm64 has no port I/O; use `mmio:`");
		ax->bad = 1;
	} else if (dt && !(dt->space_mask & (1u << dev->space))) {
		if (!base)
			diag_error(d->loc, E_SPACE, "device type '%s' lives in port I/O: give it `pio: PORT` "
				   "(only MMIO devices are auto-placed)", dt->name);
		else
			diag_error(base->loc, E_SPACE, "device type '%s' cannot use %s; use `%s:`", dt->name,
				   pio ? "port I/O" : "MMIO", pio ? "mmio" : "pio");
		ax->bad = 1;
	}
	if (e) {
		e->expr[F_BASE] = base;
		e->expr[F_SIZE] = ymap_get(d, "size");
	}
	if (e && e->expr[F_SIZE])
		ax->size_loc = ytext_loc(e->expr[F_SIZE]);
	dev->auto_base = !base;
}

void devices_read(struct fe *fe, const struct ynode *list)
{
	struct machine *m = fe->m;
	if (!fe_is(list, Y_SEQ, "a list of devices"))
		return;
	m->devs = calloc(list->n + 1, sizeof *m->devs);
	fe->dev_aux = calloc(list->n + 1, sizeof *fe->dev_aux);
	fe->dev_nodes = calloc(list->n + 1, sizeof *fe->dev_nodes);
	fe->dev_ent = calloc(list->n + 1, sizeof *fe->dev_ent);
	if (!m->devs || !fe->dev_aux || !fe->dev_nodes || !fe->dev_ent)
		abort();
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *d = list->vals[i];
		if (!fe_is(d, Y_MAP, "a device (name:, type:, ...)"))
			continue;
		fe->dev_nodes[m->ndevs] = d;
		fe->dev_ent[m->ndevs] = ~0u;
		read_one(fe, d, m->ndevs++);
	}
}

void devices_sizes(struct fe *fe)
{
	for (unsigned i = 0; i < fe->m->ndevs; i++) {
		const struct dev_type *dt = fe->m->devs[i].type;
		if (!dt || fe->dev_ent[i] == ~0u || !dt->size)
			continue;
		struct ent *e = &fe->ents[fe->dev_ent[i]];
		e->has_dflt_size = 1;
		e->dflt_size = dt->size + dt->size_per_vcpu * fe->m->nvcpus;
	}
}

static void eval_props(struct fe *fe, struct m_dev *dev, const struct ynode *d)
{
	const struct prop_def *p;
	unsigned n = 0;
	for (p = dev->type->props; p->key; p++)
		n++;
	dev->props = calloc(n + 1, sizeof *dev->props);
	if (!dev->props)
		abort();
	for (p = dev->type->props; p->key; p++) {
		const struct ynode *v = ymap_get(d, p->key);
		struct m_prop *mp = &dev->props[dev->nprops];
		mp->key = p->key;
		mp->kind = p->kind;
		mp->loc = v ? ytext_loc(v) : d->loc;
		if (!v) {
			if (p->required)
				diag_error(d->loc, E_MISSING, "%s device: missing required key '%s'",
					   dev->type->name, p->key);
			else if (p->kind != M_PROP_STR || p->dflt_s) {
				mp->u = p->dflt_u;
				mp->s = p->dflt_s;
				dev->nprops++;
			}
			continue;
		}
		int b = 0;
		if (p->kind == M_PROP_U64 && fe_num(fe, v, &mp->u) == 0)
			dev->nprops++;
		else if (p->kind == M_PROP_BOOL && fe_bool(v, &b) == 0) {
			mp->u = (uint64_t)b;
			dev->nprops++;
		} else if (p->kind == M_PROP_STR && fe_is(v, Y_SCALAR, "a string")) {
			mp->s = v->str;
			dev->nprops++;
		}
	}
	/* `image:` seeds `path:` on first start; without a path there is no
	 * file to create. */
	const struct ynode *img = ymap_get(d, "image");
	if (img && !ymap_get(d, "path"))
		diag_error(ytext_loc(img), E_MISSING,
			   "%s device: `image:` needs `path:`, the disk file it creates on first start",
			   dev->type->name);
}

void devices_eval(struct fe *fe)
{
	struct machine *m = fe->m;
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct m_dev *dev = &m->devs[i];
		struct aux *ax = &fe->dev_aux[i];
		const struct ynode *d = fe->dev_nodes[i], *irq = ymap_get(d, "irq");
		const struct dev_type *dt = dev->type;
		if (!dt || fe->dev_ent[i] == ~0u)
			continue;
		unsigned ei = fe->dev_ent[i];
		if (!dev->auto_base && fe_field(fe, ei, F_BASE, ax->base_loc, &dev->base))
			ax->bad = 1;
		if (!dt->size && !fe->ents[ei].expr[F_SIZE]) {
			diag_error(d->loc, E_MISSING, "device type '%s' has no fixed size: `size:` is required",
				   dt->name);
			ax->bad = 1;
		} else if (fe_field(fe, ei, F_SIZE, ax->size_loc, &dev->size)) {
			ax->bad = 1;
		} else if (fe->ents[ei].has_dflt_size && dev->size != fe->ents[ei].dflt_size) {
			diag_error(ax->size_loc, E_SIZE, "device type '%s' has size 0x%llx, not 0x%llx", dt->name,
				   (unsigned long long)fe->ents[ei].dflt_size, (unsigned long long)dev->size);
			ax->bad = 1;
		}
		if (irq) {
			uint64_t v = ~0ull;
			ax->irq_loc = ytext_loc(irq);
			if (!dt->irq)
				diag_error(irq->loc, E_IRQ_UNUSED, "device type '%s' has no interrupt; remove `irq:`",
					   dt->name);
			else if (fe_num(fe, irq, &v) == 0 && v > IRQ_MAX_ANY)
				/* Report the value as written, not a clamped int. */
				diag_error(ax->irq_loc, E_IRQ_RANGE, "irq %llu is out of range: %s has %s 0..%d",
					   (unsigned long long)v, arch_name(m->arch),
					   m->arch == M_ARCH_ARM64 ? "SPIs" : "IOAPIC pins",
					   m->arch == M_ARCH_ARM64 ? 987 : 23);
			else if (v <= IRQ_MAX_ANY)
				dev->irq = (int)v; /* the arch's own range is checked in layout.c */
		} else if (dt->irq == 2) {
			dev->auto_irq = true;
		} else if (dt->irq == 1 && dt->default_irq) {
			dev->irq = dt->default_irq;
		}
		eval_props(fe, dev, d);
	}
}
