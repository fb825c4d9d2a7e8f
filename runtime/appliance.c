/*
 * Appliance support (see vibe/appliance.h): the embedded payload, the
 * appliance's --version line, and disks seeded on first start. Linked into
 * every vibevmm: in a plain one `vibe_appliance` is absent (weak, so its
 * address is NULL) and only disk seeding from files remains.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vibe/appliance.h"
#include "vibe/log.h"
#include "vibe/machine.h"

/* Weak: only an appliance build links the generated appliance.c. */
extern const struct vibe_appliance_desc vibe_appliance __attribute__((weak));
/* Weak: written by runtime/appliance.mk at link time (build date). */
extern const char vibe_build_date[] __attribute__((weak));

int vibe_appliance_blob(enum vibe_payload_kind kind, int dev, struct vibe_blob *out)
{
	if (!&vibe_appliance)
		return 0;
	for (unsigned i = 0; i < vibe_appliance.npayloads; i++) {
		const struct vibe_payload *p = &vibe_appliance.payloads[i];
		if (p->kind == kind && (kind != VIBE_PAYLOAD_DISK || p->dev == dev)) {
			*out = (struct vibe_blob){ .data = p->start, .size = (size_t)(p->end - p->start),
						   .name = p->name };
			return 1;
		}
	}
	return 0;
}

int vibe_appliance_version(FILE *f, const char *runtime_version)
{
	if (!&vibe_appliance)
		return 0;
	fprintf(f, "%s: vibevmm appliance of machine %s (%s, sha256 %s), built %s, vibevmm %s\n",
		vibe_appliance.name, vibe_machine.name, vibe_machine.source, vibe_machine.source_hash,
		&vibe_build_date ? vibe_build_date : "unknown", runtime_version);
	for (unsigned i = 0; i < vibe_appliance.npayloads; i++) {
		const struct vibe_payload *p = &vibe_appliance.payloads[i];
		fprintf(f, "  embedded %s: %s (%zu bytes)\n",
			p->kind == VIBE_PAYLOAD_KERNEL ? "kernel" : p->kind == VIBE_PAYLOAD_INITRD ? "initrd" : "disk",
			p->name, (size_t)(p->end - p->start));
	}
	return 1;
}

static const char *prop_str(const struct vibe_dev_desc *d, const char *key)
{
	for (unsigned i = 0; i < d->nprops; i++)
		if (d->props[i].kind == VIBE_PROP_STR && !strcmp(d->props[i].key, key))
			return d->props[i].s;
	return NULL;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copy src (a blob, or the file image) to a temporary beside path, then
 * link it into place: an interrupted first start leaves no half-written
 * disk, and link() (unlike rename) never replaces a disk that appeared
 * meanwhile. */
static int seed(const char *dev, const char *path, const struct vibe_blob *b, const char *image)
{
	char tmp[4096];
	unsigned char buf[65536];
	int in = -1, rc = -1;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.seed.XXXXXX", path) >= sizeof tmp) {
		log_err("%s: disk path '%s' is too long", dev, path);
		return -1;
	}
	if (!b && (in = open(image, O_RDONLY | O_CLOEXEC)) < 0) {
		log_err("%s: disk image '%s' (to create '%s'): %s", dev, image, path, strerror(errno));
		return -1;
	}
	int out = mkstemp(tmp);
	if (out < 0) {
		log_err("%s: cannot create disk '%s': %s", dev, path, strerror(errno));
		goto done;
	}
	if (b) {
		rc = write_all(out, b->data, b->size);
	} else {
		ssize_t n = 0;
		rc = 0;
		while (!rc && ((n = read(in, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				rc = write_all(out, buf, (size_t)n);
		if (n < 0)
			rc = -1;
	}
	fchmod(out, 0644);
	if (close(out) || rc || link(tmp, path)) {
		log_err("%s: writing disk '%s': %s", dev, path, strerror(errno));
		rc = -1;
	}
	unlink(tmp);
	if (!rc)
		log_info("%s: created disk '%s' from %s image '%s'", dev, path, b ? "the embedded" : "the",
			 b ? b->name : image);
done:
	if (in >= 0)
		close(in);
	return rc;
}

int vibe_disks_seed(void)
{
	for (unsigned i = 0; i < vibe_machine.ndevs; i++) {
		const struct vibe_dev_desc *d = &vibe_machine.devs[i];
		const char *image = prop_str(d, "image"), *path = prop_str(d, "path");
		struct vibe_blob b;
		struct stat st;

		if (!image || !path || stat(path, &st) == 0)
			continue;
		int have = vibe_appliance_blob(VIBE_PAYLOAD_DISK, (int)i, &b);
		if (seed(d->name, path, have ? &b : NULL, image) < 0)
			return -1;
	}
	return 0;
}
