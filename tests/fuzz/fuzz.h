/*
 * Shared by the fuzz targets in tests/fuzz/. Each target is one file with a
 * static `one(data, size)` function and FUZZ_TARGET(name, one) at the end.
 * The same file builds two ways:
 *  - with clang -fsanitize=fuzzer (build/fuzz/fuzz_<name>): FUZZ_TARGET
 *    becomes libFuzzer's LLVMFuzzerTestOneInput;
 *  - with -DFUZZ_REPLAY under the normal build (test_fuzz_replay): it
 *    becomes fuzz_<name>(), which the cmocka replay driver calls on every
 *    committed corpus and regression file, so `make test` re-checks them
 *    with gcc (and with ASan/UBSan under SAN=1) without needing clang.
 * Invariants go through FUZZ_CHECK: libFuzzer builds abort (a finding,
 * saved as a crash file); the replay build fails the cmocka test and names
 * the input file.
 */
#ifndef VIBE_FUZZ_H
#define VIBE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

#define FUZZ_CHECK(cond) do { if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond); } while (0)

#ifdef FUZZ_REPLAY
#define FUZZ_TARGET(name, fn) \
	int fuzz_##name(const uint8_t *d, size_t n); \
	int fuzz_##name(const uint8_t *d, size_t n) { return fn(d, n); }
#else
#define FUZZ_TARGET(name, fn) \
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n); \
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return fn(d, n); }
#endif

/* A cursor over the fuzz input: structured fields are taken from the front,
 * reading zeros once it runs out (so every input is a valid program). */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fuzz_take(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

#endif
