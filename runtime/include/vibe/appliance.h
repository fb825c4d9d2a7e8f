/*
 * Appliances: a vibevmm that carries its own boot payload. `vibegen
 * --appliance` generates build/gen/<machine>/appliance.c, which defines
 * `vibe_appliance` below, and payload.S, which holds the bytes (.incbin).
 * A plain vibevmm has no `vibe_appliance` (runtime/appliance.c declares it
 * weak), so everything here is a no-op there.
 *
 * struct vibe_blob is how the loaders take an image from memory instead of
 * a file (loader.h, linux_boot.h).
 */
#ifndef VIBE_APPLIANCE_H
#define VIBE_APPLIANCE_H

#include <stddef.h>
#include <stdio.h>

/* An image in memory: an embedded payload, standing in for a file. */
struct vibe_blob {
	const void *data;
	size_t size;
	const char *name; /* for messages: the path the machine file gave */
};

enum vibe_payload_kind { VIBE_PAYLOAD_KERNEL = 1, VIBE_PAYLOAD_INITRD = 2, VIBE_PAYLOAD_DISK = 3 };

/* One embedded file: [start, end) in the appliance's read-only data. */
struct vibe_payload {
	enum vibe_payload_kind kind;
	int dev; /* DISK: index into vibe_machine.devs of the virtio-blk it seeds; else -1 */
	const char *name;
	const unsigned char *start, *end;
};

struct vibe_appliance_desc {
	const char *name;
	unsigned npayloads;
	const struct vibe_payload *payloads;
};

/* Defined by the generated appliance.c only. */
extern const struct vibe_appliance_desc vibe_appliance;

/* runtime/appliance.c */

/* 1 and *out filled when this binary embeds a payload of that kind (for
 * DISK, the one seeding device dev); else 0. */
int vibe_appliance_blob(enum vibe_payload_kind kind, int dev, struct vibe_blob *out);

/* Appliances: print `--version`'s line (name, machine file and its sha256,
 * build date, runtime version) and return 1; a plain vibevmm returns 0. */
int vibe_appliance_version(FILE *f, const char *runtime_version);

/* Create each device's `path` from its `image` (embedded, or the file the
 * machine names) when `path` does not exist yet: disks copied on first
 * start. 0, or -1 after one clear line. */
int vibe_disks_seed(void);

#endif
