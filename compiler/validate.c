/*
 * Meaning for the raw tree: the top-level keys, vCPUs, RAM regions and boot
 * settings (devices are in devices.c). Every key is checked against the
 * list of keys its mapping allows, so a typo is an error with a suggestion,
 * never a silently ignored setting.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "front.h"

static const char *kind_name(enum ynode_kind k)
{
	return k == Y_MAP ? "a mapping" : k == Y_SEQ ? "a list" : "a single value";
}

char *fe_strdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

int fe_is(const struct ynode *n, enum ynode_kind k, const char *what)
{
	if (n->kind == k)
		return 1;
	diag_error(n->loc, E_TYPE, "expected %s, found %s", what, kind_name(n->kind));
	return 0;
}

int fe_keys(const struct ynode *map, const char *what, const char *const *allowed, unsigned n)
{
	int bad = 0;
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i]->str;
		unsigned j;
		if (map->keys[i]->kind != Y_SCALAR)
			continue; /* reported by parse.c */
		for (j = 0; j < n && strcmp(k, allowed[j]); j++)
			;
		if (j < n)
			continue;
		bad++;
		const char *s = diag_suggest(k, allowed, n);
		if (s) {
			diag_error(map->keys[i]->loc, E_UNKNOWN_KEY, "unknown key '%s'; did you mean '%s'?", k, s);
		} else {
			char list[256] = "";
			size_t used = 0;
			for (j = 0; j < n && used < sizeof list; j++)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
							 j ? ", " : "", allowed[j]);
			diag_error(map->keys[i]->loc, E_UNKNOWN_KEY, "unknown key '%s' in %s (allowed: %s)",
				   k, what, list);
		}
	}
	return bad;
}

const char *fe_str(const struct ynode *map, const char *key)
{
	const struct ynode *n = ymap_get(map, key);
	if (!n || !fe_is(n, Y_SCALAR, "a string"))
		return NULL;
	return n->str;
}

int fe_bool(const struct ynode *n, int *out)
{
	if (!fe_is(n, Y_SCALAR, "true or false"))
		return -1;
	if (!strcmp(n->str, "true")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(n->str, "false")) {
		*out = 0;
		return 0;
	}
	diag_error(ytext_loc(n), E_TYPE, "expected true or false, found '%s'", n->str);
	return -1;
}

/* Names become C identifiers and reference targets (NAME.base). */
int fe_name_ok(const struct ynode *n)
{
	const char *s = n->str;
	int ok = (isalpha((unsigned char)*s) || *s == '_');
	for (const char *p = s; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || *p == '_';
	if (!ok)
		diag_error(ytext_loc(n), E_NAME,
			   "invalid name '%s': use letters, digits and '_', not starting with a digit", s);
	return ok;
}

/* A required key; reports it missing against the mapping. */
const struct ynode *fe_need(const struct ynode *map, const char *key, const char *what)
{
	const struct ynode *n = ymap_get(map, key);
	if (!n)
		diag_error(map->loc, E_MISSING, "%s: missing required key '%s'", what, key);
	return n;
}

/* A value that is not one of the allowed words; suggest the closest. */
static void bad_word(const struct ynode *n, const char *what, const char *const *words, unsigned nw)
{
	const char *s = diag_suggest(n->str, words, nw);
	if (s) {
		diag_error(ytext_loc(n), E_VALUE, "unknown %s '%s'; did you mean '%s'?", what, n->str, s);
		return;
	}
	char list[128] = "";
	size_t used = 0;
	for (unsigned i = 0; i < nw && used < sizeof list; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", words[i]);
	diag_error(ytext_loc(n), E_VALUE, "unknown %s '%s' (%s)", what, n->str, list);
}

static const char *const arches[] = { "x86_64", "arm64" };

static void read_arch(struct fe *fe, const struct ynode *root)
{
	const struct ynode *n = fe_need(root, "arch", "machine");
	fe->m->arch = M_ARCH_X86_64; /* keeps later checks meaningful after an error */
	if (!n || !fe_is(n, Y_SCALAR, "x86_64 or arm64"))
		return;
	if (!strcmp(n->str, "arm64"))
		fe->m->arch = M_ARCH_ARM64;
	else if (strcmp(n->str, "x86_64"))
		bad_word(n, "arch", arches, 2);
}


#define MAX_VCPUS 256

static void read_vcpus(struct fe *fe, const struct ynode *n)
{
	static const char *const keys[] = { "count", "cpus" };
	static const char *const cpu_keys[] = { "id", "entry" };
	struct machine *m = fe->m;
	const struct ynode *count = n, *cpus = NULL;
	uint64_t c = 1;

	if (n && n->kind == Y_MAP) {
		fe_keys(n, "vcpus", keys, 2);
		count = fe_need(n, "count", "vcpus");
		cpus = ymap_get(n, "cpus");
	}
	if (count && fe_num(fe, count, &c) == 0 && (c < 1 || c > MAX_VCPUS)) {
		diag_error(ytext_loc(count), E_VCPU, "vcpus: %llu is out of range 1..%d",
			   (unsigned long long)c, MAX_VCPUS);
		c = 1;
	}
	if (c < 1 || c > MAX_VCPUS)
		c = 1;
	m->nvcpus = (unsigned)c;
	m->vcpus = calloc(c, sizeof *m->vcpus);
	if (!m->vcpus)
		abort();
	for (unsigned i = 0; i < c; i++) {
		m->vcpus[i].id = i;
		m->vcpus[i].loc = n ? n->loc : (struct loc){ 0, 0 };
	}
	if (!cpus || !fe_is(cpus, Y_SEQ, "a list of {id:, entry:}"))
		return;
	const struct ynode **seen = calloc(c, sizeof *seen);
	if (!seen)
		abort();
	for (size_t i = 0; i < cpus->n; i++) {
		const struct ynode *cpu = cpus->vals[i], *idn;
		uint64_t id;
		if (!fe_is(cpu, Y_MAP, "a vCPU ({id:, entry:})"))
			continue;
		fe_keys(cpu, "a vCPU", cpu_keys, 2);
		if (!(idn = fe_need(cpu, "id", "vCPU")) || fe_num(fe, idn, &id))
			continue;
		if (id >= c) {
			diag_error(ytext_loc(idn), E_VCPU, "vCPU id %llu: the machine has %llu vCPUs (ids 0..%llu)",
				   (unsigned long long)id, (unsigned long long)c, (unsigned long long)c - 1);
			continue;
		}
		if (seen[id]) {
			diag_error(ytext_loc(idn), E_VCPU, "vCPU id %llu is described twice", (unsigned long long)id);
			diag_note(ytext_loc(seen[id]), "first described here");
			continue;
		}
		seen[id] = idn;
		struct m_vcpu *v = &m->vcpus[id];
		v->loc = cpu->loc;
		const struct ynode *e = ymap_get(cpu, "entry");
		if (e && fe_num(fe, e, &v->entry) == 0)
			v->has_entry = true;
	}
	free(seen);
}

static void read_window(struct fe *fe, const struct ynode *n)
{
	static const char *const keys[] = { "base", "size" };
	struct machine *m = fe->m;
	if (!fe_is(n, Y_MAP, "a mapping {base:, size:}"))
		return;
	fe_keys(n, "mmio_window", keys, 2);
	const struct ynode *b = fe_need(n, "base", "mmio_window"), *s = fe_need(n, "size", "mmio_window");
	uint64_t base, size, end;
	if (!b || !s || fe_num(fe, b, &base) || fe_num(fe, s, &size))
		return;
	if (size == 0 || __builtin_add_overflow(base, size - 1, &end) || end >> m->phys_bits)
		diag_error(ytext_loc(s), E_WINDOW,
			   "mmio_window [0x%llx, +0x%llx) is empty or beyond the %u-bit physical address space",
			   (unsigned long long)base, (unsigned long long)size, m->phys_bits);
	else if ((base | size) & 0xfff)
		diag_error(ytext_loc(b), E_WINDOW, "mmio_window base and size must be 4 KiB aligned");
	m->mmio_base = base;
	m->mmio_size = size;
}

static void read_boot(struct fe *fe, const struct ynode *n)
{
	static const char *const keys[] = { "kernel", "initrd", "cmdline", "entry", "load_addr", "mode" };
	static const char *const modes[] = { "long", "protected", "real" };
	struct m_boot *b = &fe->m->boot;
	if (!fe_is(n, Y_MAP, "a mapping (kernel:, initrd:, cmdline:, entry:, load_addr:, mode:)"))
		return;
	fe_keys(n, "boot", keys, 6);
	b->loc = n->loc;
	b->kernel = fe_str(n, "kernel");
	b->initrd = fe_str(n, "initrd");
	if (b->kernel)
		b->kernel_loc = ytext_loc(ymap_get(n, "kernel"));
	if (b->initrd)
		b->initrd_loc = ytext_loc(ymap_get(n, "initrd"));
	b->cmdline = fe_str(n, "cmdline");
	const struct ynode *x;
	if ((x = ymap_get(n, "entry")) && fe_num(fe, x, &b->entry) == 0)
		b->has_entry = true;
	if ((x = ymap_get(n, "load_addr")) && fe_num(fe, x, &b->load_addr) == 0)
		b->has_load_addr = true;
	if ((b->mode = fe_str(n, "mode"))) {
		unsigned k;
		for (k = 0; k < 3 && strcmp(b->mode, modes[k]); k++)
			;
		if (k == 3)
			bad_word(ymap_get(n, "mode"), "boot mode", modes, 3);
	}
}

/* The name names build/gen/<name>/ and make variables: keep it simple. */
static int valid_machine_name(const char *s)
{
	int ok = *s != 0;
	for (; ok && *s; s++)
		ok = isalnum((unsigned char)*s) || *s == '_' || *s == '-';
	return ok;
}

void validate_machine(struct fe *fe, const struct ynode *root)
{
	static const char *const keys[] = { "name", "arch", "hvf", "vcpus", "phys_bits",
					    "mmio_window", "memory", "devices", "boot" };
	struct machine *m = fe->m;
	const struct ynode *n;

	fe_keys(root, "a machine", keys, sizeof keys / sizeof keys[0]);
	read_arch(fe, root);
	if ((n = ymap_get(root, "name")) && fe_is(n, Y_SCALAR, "a name")) {
		if (valid_machine_name(n->str))
			m->name = n->str;
		else
			diag_error(ytext_loc(n), E_NAME,
				   "invalid machine name '%s': use letters, digits, '_' and '-'", n->str);
	} else if (!n && !valid_machine_name(m->name)) {
		diag_error((struct loc){ 1, 1 }, E_NAME,
			   "the file name gives the machine name '%s', which is not valid "
			   "(letters, digits, '_', '-'); add `name:`", m->name);
	}
	if ((n = ymap_get(root, "hvf")))
		fe_bool(n, &fe->hvf);

	/* Names first: any number below may refer to any region or device. */
	memory_read(fe, fe_need(root, "memory", "machine"));
	const struct ynode *devs = ymap_get(root, "devices");
	/* `devices:` with nothing after it (YAML null) means no devices. */
	if (devs && !(devs->kind == Y_SCALAR && !devs->quoted && !*devs->str))
		devices_read(fe, devs);

	int arm = m->arch == M_ARCH_ARM64;
	m->phys_bits = arm ? 40 : 46;
	uint64_t v;
	if ((n = ymap_get(root, "phys_bits")) && fe_num(fe, n, &v) == 0) {
		if (v < 32 || v > 52)
			diag_error(ytext_loc(n), E_PHYS_BITS, "phys_bits %llu is out of range 32..52",
				   (unsigned long long)v);
		else
			m->phys_bits = (unsigned)v;
	}
	m->mmio_base = arm ? 0x0a000000 : 0xd0000000;
	m->mmio_size = arm ? 0x01000000 : 0x10000000;
	if ((n = ymap_get(root, "mmio_window")))
		read_window(fe, n);
	read_vcpus(fe, ymap_get(root, "vcpus"));
	devices_sizes(fe);

	memory_eval(fe, ymap_get(root, "memory"));
	devices_eval(fe);
	if ((n = ymap_get(root, "boot")))
		read_boot(fe, n);
}
