/*
 * Test double for the one checked guest-memory accessor (vibe/guest_mem.h):
 * a few host buffers standing in for guest RAM regions. guest_ptr() here
 * applies the same contract as the runtime's (the whole [gpa, gpa+len)
 * inside one region, overflow-safe) and counts its calls, so the arm64
 * tests can build guest page tables and instructions without a VM.
 */
#ifndef VIBE_TEST_FAKE_RAM_H
#define VIBE_TEST_FAKE_RAM_H

#include <stdint.h>

struct vibe_vm;

struct vibe_vm *fake_vm(void);
void fake_ram_reset(void);                                /* drop all regions */
uint8_t *fake_ram_add(uint64_t base, uint64_t size);      /* zeroed */
void fake_put32(uint64_t gpa, uint32_t v);                /* little-endian; gpa must be RAM */
void fake_put64(uint64_t gpa, uint64_t v);
uint64_t fake_get64(uint64_t gpa);

extern unsigned fake_ram_calls;      /* guest_ptr() calls since reset */
extern unsigned fake_ram_misses;     /* ... that returned NULL */

#endif
