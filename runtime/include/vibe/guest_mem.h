/*
 * The one checked guest-memory accessor. Every device and loader reaches
 * guest RAM through guest_ptr(): it translates with the generated
 * vibe_decode_ram() and checks that the whole [gpa, gpa+len) lies inside
 * one mapped RAM region, with overflow-safe arithmetic. A range that
 * straddles a region end, wraps, or points at MMIO yields NULL.
 * (kvmtool's guest_flat_to_host checks only the start: the bug class this
 * interface exists to rule out.)
 */
#ifndef VIBE_GUEST_MEM_H
#define VIBE_GUEST_MEM_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

struct vibe_vm;

void *guest_ptr(struct vibe_vm *vm, uint64_t gpa, uint64_t len);

/* Copy helpers built on guest_ptr(); return 0, or -1 if out of bounds.
 * Inline so a test double of guest_ptr() (tests/virtio/fake_guest.c,
 * tests/linuxboot/fake_vm.c, tests/fuzz/fuzz_mem.c) gets them as they are. */
static inline int guest_read(struct vibe_vm *vm, uint64_t gpa, void *dst, uint64_t len)
{
	const void *p = guest_ptr(vm, gpa, len);
	if (!p)
		return -1;
	memcpy(dst, p, len);
	return 0;
}

static inline int guest_write(struct vibe_vm *vm, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = guest_ptr(vm, gpa, len);
	if (!p)
		return -1;
	memcpy(p, src, len);
	return 0;
}

#endif
