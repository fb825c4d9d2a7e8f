/*
 * Loaders: put a guest image into guest RAM through the checked accessor.
 */
#ifndef VIBE_LOADER_H
#define VIBE_LOADER_H

#include <stdint.h>

struct vibe_vm;
struct vibe_blob;

/* A raw binary (--binary): opened and sized first, so its extent can be
 * checked against the boot structures before anything is written. */
struct vibe_raw_image {
	const char *path;
	int fd;
	uint64_t size;
	const void *data; /* in memory (an appliance's payload) instead of fd */
};

/* Returns -1 after one clear line (missing, unreadable, empty, not a file). */
int vibe_raw_open(struct vibe_raw_image *img, const char *path);
/* Copies the whole file to [load_addr, load_addr+size), which must lie in
 * one RAM region; -1 after one clear line otherwise. Closes the file. */
int vibe_raw_load(struct vibe_vm *vm, struct vibe_raw_image *img, uint64_t load_addr);
void vibe_raw_close(struct vibe_raw_image *img);
/* The same from memory: an appliance's embedded binary (vibe/appliance.h). */
int vibe_raw_open_blob(struct vibe_raw_image *img, const struct vibe_blob *b);

#endif
