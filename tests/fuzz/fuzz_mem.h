/*
 * TEST DOUBLE for the fuzz targets: guest RAM as a few separately
 * malloc'd host buffers, behind the real guest_mem.h interface
 * (guest_ptr; guest_read/guest_write are the header's own inlines over it),
 * plus silent vibe_log stubs.
 *
 * Each region is its own heap block of exactly its size, so ASan puts a
 * redzone right after it: code that reads one byte past what guest_ptr()
 * approved is a finding, which a flat mmap'd image would hide. guest_ptr()
 * applies the same contract as runtime/guest_mem.c: the whole
 * [gpa, gpa + len) inside one region, overflow-safe; gaps between regions
 * ("MMIO") and everything outside RAM give NULL.
 */
#ifndef VIBE_FUZZ_MEM_H
#define VIBE_FUZZ_MEM_H

#include <stddef.h>
#include <stdint.h>

struct vibe_vm;

#define FUZZ_MEM_MAX_REGIONS 4

/* The only vm guest_ptr() accepts: proves callers pass theirs through. */
extern struct vibe_vm *const fuzz_vm;

/* Drop every region (frees them). */
void fuzz_mem_reset(void);
/* Add a zeroed region, then copy init[0..initlen) (clipped) into it.
 * Returns its host base. Regions must not overlap; size > 0. */
uint8_t *fuzz_mem_add(uint64_t gpa, uint64_t size, const void *init, size_t initlen);

/* True if host [p, p + len) lies wholly inside one region: the property
 * every pointer handed out from guest memory must have. */
int fuzz_mem_host_ok(const void *p, uint64_t len);

/* Called at the start of every guest_ptr() when set: a target uses it to
 * play a guest vCPU that rewrites memory while the device walks it. */
extern void (*fuzz_mem_race)(void);

/* guest_ptr() calls and misses since the last reset (cost bounds). */
extern unsigned long fuzz_mem_calls, fuzz_mem_misses;

#endif
