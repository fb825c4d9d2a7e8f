/*
 * TEST DOUBLE: guest_ptr() over fuzzer-owned buffers, and no-op logging.
 * See fuzz_mem.h. Not linked into vibevmm (runtime/guest_mem.c is real).
 */
#include "fuzz_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vibe/guest_mem.h"
#include "vibe/log.h"

struct region {
	uint64_t gpa, size;
	uint8_t *host;
};

static struct region regions[FUZZ_MEM_MAX_REGIONS];
static unsigned nregions;
static int vm_token;
struct vibe_vm *const fuzz_vm = (struct vibe_vm *)&vm_token;
unsigned long fuzz_mem_calls, fuzz_mem_misses;
void (*fuzz_mem_race)(void);

void fuzz_mem_reset(void)
{
	for (unsigned i = 0; i < nregions; i++)
		free(regions[i].host);
	nregions = 0;
	fuzz_mem_calls = fuzz_mem_misses = 0;
	fuzz_mem_race = NULL;
}

uint8_t *fuzz_mem_add(uint64_t gpa, uint64_t size, const void *init, size_t initlen)
{
	if (nregions == FUZZ_MEM_MAX_REGIONS || size == 0)
		abort(); /* a harness bug, not a finding in the code under test */
	uint8_t *h = calloc(1, size);
	if (!h)
		abort();
	if (init && initlen)
		memcpy(h, init, initlen < size ? initlen : size);
	regions[nregions++] = (struct region){ gpa, size, h };
	return h;
}

void *guest_ptr(struct vibe_vm *vm, uint64_t gpa, uint64_t len)
{
	fuzz_mem_calls++;
	if (fuzz_mem_race)
		fuzz_mem_race();
	if (vm != fuzz_vm) {
		fuzz_mem_misses++;
		return NULL;
	}
	for (unsigned i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];
		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		/* gpa + len may wrap: compare lengths, never ends. */
		if (len > r->size - (gpa - r->gpa))
			break;
		return r->host + (gpa - r->gpa);
	}
	fuzz_mem_misses++;
	return NULL;
}


int fuzz_mem_host_ok(const void *p, uint64_t len)
{
	uintptr_t a = (uintptr_t)p;
	for (unsigned i = 0; i < nregions; i++) {
		uintptr_t b = (uintptr_t)regions[i].host;
		if (a >= b && a - b < regions[i].size)
			return len <= regions[i].size - (a - b);
	}
	return 0;
}

/* Logging: formatted (so format bugs still run) but discarded, unless
 * VIBE_FUZZ_VERBOSE is set. Level TRACE so every log_* call site runs. */
int vibe_log_level = LOG_TRACE;

void vibe_log(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	static int verbose = -1;
	if (verbose < 0)
		verbose = getenv("VIBE_FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "log%d: %s\n", level, buf);
}

int vibe_ratelimit_ok(struct vibe_ratelimit *rl)
{
	(void)rl;
	return 1;
}
