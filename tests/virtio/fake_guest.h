/*
 * TEST DOUBLE, tests/virtio only: a stand-in for the runtime's guest_ptr()
 * (runtime/guest_mem.c, built on the generated vibe_decode_ram) and for the
 * log functions, so the virtio code can be tested on synthetic guest memory
 * without a VM. It applies the same checks the contract in
 * runtime/include/vibe/guest_mem.h promises: the whole [gpa, gpa+len) inside
 * one region, overflow-safe; holes (MMIO) and anything outside RAM -> NULL.
 *
 * Guest-physical layout:
 *   R0   0x00000 - 0x10000   64 KiB   (rings go here)
 *   hole 0x10000 - 0x20000            "MMIO": no RAM
 *   R1   0x20000 - 0x30000   64 KiB   adjacent to R2 in GPA, but a
 *   R2   0x30000 - 0x40000   64 KiB   separate host allocation
 *   R3   0x1_0000_0000 + 2 GiB        reserved, never touched (length sums)
 *   R4   0xffff_ffff_ffff_0000 - 2^64 top of the address space (wrap)
 */
#ifndef TEST_FAKE_GUEST_H
#define TEST_FAKE_GUEST_H

#include <stdint.h>

struct vibe_vm;

#define FAKE_R0   0x0ull
#define FAKE_HOLE 0x10000ull
#define FAKE_R1   0x20000ull
#define FAKE_R2   0x30000ull
#define FAKE_END  0x40000ull /* first byte past R2 */
#define FAKE_R3   0x100000000ull
#define FAKE_R3_SIZE 0x80000000ull
#define FAKE_R4   0xffffffffffff0000ull

/* The only vm guest_ptr() accepts; proves callers pass theirs through. */
extern struct vibe_vm *const fake_vm;

void fake_guest_init(void); /* (re)map and zero all regions */
void fake_guest_fini(void);
/* Host address of gpa for test set-up; fails the test if not RAM. */
void *fake_host(uint64_t gpa);

/* True if host [p, p+len) lies inside one region's mapping: the property
 * every pointer the walker hands out must have. */
int fake_host_range_ok(const void *p, uint64_t len);

/* Log capture: lines at LOG_WARN or LOG_ERR since fake_log_clear(). */
extern unsigned fake_log_warns;
extern char fake_log_last[256];
void fake_log_clear(void);

#endif
