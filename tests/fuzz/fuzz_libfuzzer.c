/*
 * fuzz_fail() for the libFuzzer builds: print the broken invariant and
 * abort, which libFuzzer reports as a crash and saves the input for.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
	abort();
}
