/*
 * Device property lookups. A device has a handful of properties and reads
 * them once in init(), so a linear scan is right here (this is not on any
 * exit path).
 */
#include <string.h>

#include "vibe/device.h"
#include "vibe/log.h"

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
	const struct vibe_prop *p = find_prop(dev, key);
	if (!p)
		return dflt;
	if (p->kind != VIBE_PROP_STR) {
		log_warn("%s: property '%s' is not a string; using the default", dev->desc->name, key);
		return dflt;
	}
	return p->s ? p->s : dflt;
}
