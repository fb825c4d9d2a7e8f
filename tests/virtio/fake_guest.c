/*
 * TEST DOUBLE for guest_ptr() and vibe_log(): see fake_guest.h. Not linked
 * into vibevmm; the real guest_ptr lives in runtime/guest_mem.c.
 */
#include "fake_guest.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vibe/guest_mem.h"
#include "vibe/log.h"

struct fake_region {
	uint64_t base, size;
	unsigned char *host;
};

static struct fake_region regions[] = {
	{ FAKE_R0, 0x10000, NULL },
	{ FAKE_R1, 0x10000, NULL },
	{ FAKE_R2, 0x10000, NULL },
	{ FAKE_R3, FAKE_R3_SIZE, NULL },
	{ FAKE_R4, 0x10000, NULL },
};
#define NREG (sizeof(regions) / sizeof(regions[0]))

static int vm_token;
struct vibe_vm *const fake_vm = (struct vibe_vm *)&vm_token;

void fake_guest_fini(void)
{
	for (unsigned i = 0; i < NREG; i++) {
		if (regions[i].host)
			munmap(regions[i].host, regions[i].size);
		regions[i].host = NULL;
	}
}

void fake_guest_init(void)
{
	fake_guest_fini();
	for (unsigned i = 0; i < NREG; i++) {
		/* Separate mappings: adjacent GPAs are not adjacent host memory,
		 * exactly the case a start-only check gets wrong. */
		void *p = mmap(NULL, regions[i].size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		assert_true(p != MAP_FAILED);
		regions[i].host = p;
	}
	fake_log_clear();
}

/* Same contract as the runtime's: one region holds all of [gpa, gpa+len). */
void *guest_ptr(struct vibe_vm *vm, uint64_t gpa, uint64_t len)
{
	if (vm != fake_vm)
		return NULL;
	for (unsigned i = 0; i < NREG; i++) {
		const struct fake_region *r = &regions[i];
		if (gpa < r->base || gpa - r->base >= r->size)
			continue;
		/* base+size may be 2^64 (R4): compare lengths, never ends. */
		if (len > r->size - (gpa - r->base))
			return NULL;
		return r->host + (gpa - r->base);
	}
	return NULL;
}


void *fake_host(uint64_t gpa)
{
	void *p = guest_ptr(fake_vm, gpa, 1);
	assert_non_null(p);
	return p;
}

int fake_host_range_ok(const void *p, uint64_t len)
{
	for (unsigned i = 0; i < NREG; i++) {
		const struct fake_region *r = &regions[i];
		uintptr_t a = (uintptr_t)p, b = (uintptr_t)r->host;
		if (r->host && a >= b && a - b < r->size)
			return len <= r->size - (a - b);
	}
	return 0;
}

int vibe_log_level = LOG_TRACE;
unsigned fake_log_warns;
char fake_log_last[256];

void fake_log_clear(void)
{
	fake_log_warns = 0;
	fake_log_last[0] = 0;
}

void vibe_log(int level, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (level <= LOG_WARN) {
		fake_log_warns++;
		memcpy(fake_log_last, buf, sizeof(buf));
	}
	if (getenv("VIBE_TEST_VERBOSE"))
		fprintf(stderr, "log%d: %s\n", level, buf);
}

/* No rate limit in tests: every line is counted, so "logged once" is checked
 * by the code under test, not hidden by the limiter. */
int vibe_ratelimit_ok(struct vibe_ratelimit *rl)
{
	(void)rl;
	return 1;
}
