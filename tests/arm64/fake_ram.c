/* Test double for guest_ptr(): see fake_ram.h. */
#include "fake_ram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vibe/guest_mem.h"

struct vibe_vm { int unused; };

#define MAX_REGIONS 8
static struct { uint64_t base, size; uint8_t *mem; } regions[MAX_REGIONS];
static unsigned nregions;
static struct vibe_vm the_vm;
unsigned fake_ram_calls, fake_ram_misses;

struct vibe_vm *fake_vm(void)
{
	return &the_vm;
}

void fake_ram_reset(void)
{
	for (unsigned i = 0; i < nregions; i++)
		free(regions[i].mem);
	nregions = 0;
	fake_ram_calls = fake_ram_misses = 0;
}

uint8_t *fake_ram_add(uint64_t base, uint64_t size)
{
	if (nregions == MAX_REGIONS)
		abort();
	regions[nregions].base = base;
	regions[nregions].size = size;
	regions[nregions].mem = calloc(1, size);
	if (!regions[nregions].mem)
		abort();
	return regions[nregions++].mem;
}

void *guest_ptr(struct vibe_vm *vm, uint64_t gpa, uint64_t len)
{
	fake_ram_calls++;
	if (vm == &the_vm) {
		for (unsigned i = 0; i < nregions; i++) {
			uint64_t off = gpa - regions[i].base;
			/* gpa >= base, and len fits in what is left: no overflow */
			if (gpa >= regions[i].base && off < regions[i].size &&
			    len <= regions[i].size - off)
				return regions[i].mem + off;
		}
	}
	fake_ram_misses++;
	return NULL;
}

static uint8_t *must(uint64_t gpa, uint64_t len)
{
	unsigned calls = fake_ram_calls, misses = fake_ram_misses;
	uint8_t *p = guest_ptr(&the_vm, gpa, len);

	fake_ram_calls = calls;   /* the test's own set-up does not count */
	fake_ram_misses = misses;
	if (!p) {
		fprintf(stderr, "fake_ram: test bug: 0x%llx not in fake RAM\n", (unsigned long long)gpa);
		abort();
	}
	return p;
}

void fake_put32(uint64_t gpa, uint32_t v)
{
	uint8_t *p = must(gpa, 4);
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void fake_put64(uint64_t gpa, uint64_t v)
{
	uint8_t *p = must(gpa, 8);
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t fake_get64(uint64_t gpa)
{
	uint8_t *p = must(gpa, 8);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
