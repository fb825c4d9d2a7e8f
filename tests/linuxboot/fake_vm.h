/*
 * A stand-in guest for the Linux-boot unit tests: up to four RAM regions
 * of host memory behind the real guest_mem.h interface, so the loaders are
 * tested through the same guest_ptr()/guest_write() they use in vibevmm.
 */
#ifndef TEST_FAKE_VM_H
#define TEST_FAKE_VM_H

#include <stdint.h>
#include "vibe/guest_mem.h"

struct vibe_vm {
	unsigned n;
	struct { uint64_t base, size; uint8_t *mem; } r[4];
};

/* Adds a zeroed region; aborts the test binary if calloc fails. */
void fake_vm_add(struct vibe_vm *vm, uint64_t base, uint64_t size);
void fake_vm_free(struct vibe_vm *vm);

#endif
