/*
 * Device property lookups. A device has a handful of properties and reads
 * them once in init(), so a linear scan is right here (this is not on any
 * exit path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev_props.h"
#include "parse_num.h"
#include "vibe/device.h"
#include "vibe/log.h"

/* Command-line overrides: a few per run, set before any device starts and
 * only read afterwards, so a small fixed table needs no lock. */
#define MAX_OVERRIDES 32
static struct override {
	const char *dev, *key;
	char *val;
} overrides[MAX_OVERRIDES];
static unsigned noverrides;

static const char *find_override(const struct vibe_dev *dev, const char *key)
{
	for (unsigned i = noverrides; i-- > 0;) /* the last one given wins */
		if (!strcmp(overrides[i].dev, dev->desc->name) && !strcmp(overrides[i].key, key))
			return overrides[i].val;
	return NULL;
}

int vibe_dev_override(const struct vibe_machine_desc *m, const char *opt, const char *name,
		      const char *type, const char *key, const char *val)
{
	const struct vibe_dev_desc *d = NULL;
	for (unsigned i = 0; i < m->ndevs && !d; i++)
		if (!strcmp(m->devs[i].name, name))
			d = &m->devs[i];
	if (!d || strcmp(d->type, type)) {
		char list[256] = "";
		size_t n = 0;
		for (unsigned i = 0; i < m->ndevs; i++)
			if (!strcmp(m->devs[i].type, type) && n < sizeof(list))
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
						      m->devs[i].name);
		log_err("%s: machine '%s' has no %s device named '%s' (%s: %s)", opt, m->name, type, name,
			n ? "it has" : "it has none", n ? list : m->source);
		return -1;
	}
	if (noverrides >= MAX_OVERRIDES) {
		log_err("%s: too many device options", opt);
		return -1;
	}
	char *v = strdup(val);
	if (!v) {
		log_err("out of memory");
		return -1;
	}
	overrides[noverrides++] = (struct override){ .dev = d->name, .key = key, .val = v };
	return 0;
}

int vibe_cli_disk(const struct vibe_machine_desc *m, const char *arg)
{
	char name[128], path[4096];
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name) || !eq[1]) {
		log_err("--disk: '%s' is not NAME=PATH[,ro] (see --help)", arg);
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	const char *p = eq + 1, *comma = strrchr(p, ',');
	int ro = 0;
	/* ",ro" only as the last word, so a path may contain commas. */
	if (comma && !strcmp(comma, ",ro")) {
		ro = 1;
	} else {
		comma = NULL;
	}
	size_t plen = comma ? (size_t)(comma - p) : strlen(p);
	if (plen == 0 || plen >= sizeof(path)) {
		log_err("--disk: '%s' is not NAME=PATH[,ro] (see --help)", arg);
		return -1;
	}
	memcpy(path, p, plen);
	path[plen] = 0;
	if (vibe_dev_override(m, "--disk", name, "virtio-blk", "path", path) < 0)
		return -1;
	return ro ? vibe_dev_override(m, "--disk", name, "virtio-blk", "readonly", "1") : 0;
}

/* NAME=VALUE with VALUE after `prefix` (if any): `name` gets NAME. */
static const char *split_arg(const char *opt, const char *syntax, const char *arg,
			     const char *prefix, char *name, size_t cap)
{
	const char *eq = strchr(arg, '=');
	size_t pl = prefix ? strlen(prefix) : 0;
	if (!eq || eq == arg || (size_t)(eq - arg) >= cap || !eq[1] ||
	    (prefix && (strncmp(eq + 1, prefix, pl) || !eq[1 + pl]))) {
		log_err("%s: '%s' is not %s (see --help)", opt, arg, syntax);
		return NULL;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	return eq + 1 + pl;
}

int vibe_cli_net(const struct vibe_machine_desc *m, const char *arg)
{
	char name[128];
	const char *tap = split_arg("--net", "NAME=tap:IFNAME", arg, "tap:", name, sizeof(name));
	return tap ? vibe_dev_override(m, "--net", name, "virtio-net", "tap", tap) : -1;
}

int vibe_cli_console(const struct vibe_machine_desc *m, const char *arg)
{
	char name[128];
	const char *v = split_arg("--console", "NAME=stdio|none|file:PATH", arg, NULL, name,
				  sizeof(name));
	return v ? vibe_dev_override(m, "--console", name, "virtio-console", "output", v) : -1;
}

static const struct vibe_prop *find_prop(const struct vibe_dev *dev, const char *key)
{
	const struct vibe_dev_desc *d = dev->desc;
	for (unsigned i = 0; i < d->nprops; i++)
		if (d->props[i].key && strcmp(d->props[i].key, key) == 0)
			return &d->props[i];
	return NULL;
}

uint64_t vibe_dev_prop_u64(const struct vibe_dev *dev, const char *key, uint64_t dflt)
{
	const char *o = find_override(dev, key);
	uint64_t v;
	if (o && vibe_parse_u64(o, &v) == 0)
		return v;
	const struct vibe_prop *p = find_prop(dev, key);
	if (!p)
		return dflt;
	if (p->kind != VIBE_PROP_U64 && p->kind != VIBE_PROP_BOOL) {
		/* vibegen type-checks properties, so this is a device asking for
		 * the wrong kind: a bug worth a line, not a crash. */
		log_warn("%s: property '%s' is not a number; using the default", dev->desc->name, key);
		return dflt;
	}
	return p->u;
}

const char *vibe_dev_prop_str(const struct vibe_dev *dev, const char *key, const char *dflt)
{
	const char *o = find_override(dev, key);
	if (o)
		return o;
	const struct vibe_prop *p = find_prop(dev, key);
	if (!p)
		return dflt;
	if (p->kind != VIBE_PROP_STR) {
		log_warn("%s: property '%s' is not a string; using the default", dev->desc->name, key);
		return dflt;
	}
	return p->s ? p->s : dflt;
}
