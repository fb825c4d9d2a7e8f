/*
 * make bench-decode: device lookup through vibegen's generated decode tree
 * vs the original design's linear find_device vs a binary search, at 4, 16,
 * 64 and 256 MMIO devices, on one fixed pseudo-random address sequence (3/4
 * hits, 1/4 misses). Prints ns per lookup (best of several runs: timings
 * here are noisy) and instructions per lookup counted by callgrind, which
 * this program runs on itself with --toggle-collect on one loop at a time.
 *
 * usage: bench_decode               full table
 *        bench_decode --count M N   one pass of method M at N devices (for callgrind)
 */
#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NADDR 4096
#define RUNS 9

enum { M_TREE, M_LINEAR, M_BSEARCH, M_NOP, NMETHODS };
static const char *const mname[NMETHODS] = { "tree", "linear", "bsearch", "nop" };

static uint64_t addrs[NADDR];
static struct device devs[256], *devp[256];
static struct vm vm;
static struct span spans[256];

/* The loops read their table through volatile pointers, so nothing about
 * the layout is known at compile time; each is its own symbol for
 * callgrind's --toggle-collect. */
static int (*volatile tree_fn)(uint64_t);
static struct vm *volatile vm_p = &vm;
static const struct span *volatile spans_p = spans;
static volatile unsigned nspans;

__attribute__((noinline)) static int nop_lookup(uint64_t a) { return (int)(a & 1) - 1; }
static int (*volatile nop_fn)(uint64_t) = nop_lookup;

__attribute__((noinline, noclone)) long bench_loop_tree(const uint64_t *a, unsigned n)
{
	int (*fn)(uint64_t) = tree_fn;
	long sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += fn(a[i]);
	return sum;
}

__attribute__((noinline, noclone)) long bench_loop_linear(const uint64_t *a, unsigned n)
{
	struct vm *v = vm_p;
	long sum = 0;
	for (unsigned i = 0; i < n; i++) {
		struct device *d = find_device(v, a[i]);
		sum += d ? d->index : -1;
	}
	return sum;
}

__attribute__((noinline, noclone)) long bench_loop_bsearch(const uint64_t *a, unsigned n)
{
	const struct span *s = spans_p;
	unsigned ns = nspans;
	long sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += bsearch_span(s, ns, a[i]);
	return sum;
}

/* Loop + indirect call + return with no search: the floor under all three. */
__attribute__((noinline, noclone)) long bench_loop_nop(const uint64_t *a, unsigned n)
{
	int (*fn)(uint64_t) = nop_fn;
	long sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += fn(a[i]);
	return sum;
}

static long run(int m, const uint64_t *a, unsigned n)
{
	switch (m) {
	case M_TREE: return bench_loop_tree(a, n);
	case M_LINEAR: return bench_loop_linear(a, n);
	case M_BSEARCH: return bench_loop_bsearch(a, n);
	default: return bench_loop_nop(a, n);
	}
}

static uint64_t rng = 0x12345678;
static uint64_t rnd(void)
{
	rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
	return rng;
}

static const struct bench_layout *setup(unsigned n)
{
	const struct bench_layout *L = NULL;
	for (unsigned i = 0; i < BENCH_NLAYOUTS; i++)
		if (bench_layouts[i].n == n)
			L = &bench_layouts[i];
	if (!L)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		devs[i] = (struct device){ L->ranges[i].base, L->ranges[i].size, (int)i };
		devp[i] = &devs[i];
		spans[i] = (struct span){ L->ranges[i].base, L->ranges[i].base + L->ranges[i].size };
	}
	vm = (struct vm){ (int)n, devp };
	nspans = n;
	tree_fn = L->tree;
	rng = 0x12345678 + n; /* same sequence for every method at this size */
	for (unsigned i = 0; i < NADDR; i++) {
		const struct bench_range *r = &L->ranges[rnd() % n];
		if (i % 4 != 3) /* hit: anywhere inside a device */
			addrs[i] = r->base + rnd() % r->size;
		else if (i % 16 == 15) /* far miss: below or above everything */
			addrs[i] = rnd() & 1 ? rnd() % L->ranges[0].base : UINT64_MAX - rnd() % 0x100000;
		else /* near miss: just past a device, in its slot's gap or the next slot */
			addrs[i] = r->base + r->size + rnd() % 0x200;
	}
	return L;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double time_ns(int m)
{
	double best = 1e300;
	const unsigned reps = 64;
	for (int r = 0; r < RUNS; r++) {
		double t0 = now_ns();
		for (unsigned k = 0; k < reps; k++)
			run(m, addrs, NADDR);
		double dt = (now_ns() - t0) / ((double)reps * NADDR);
		best = dt < best ? dt : best;
	}
	return best;
}

/* Instructions per lookup: callgrind on ourselves, collecting only inside
 * bench_loop_<m>. Returns -1 when valgrind is unavailable. */
static double count_instr(int m, unsigned n)
{
	char out[] = "/tmp/bench-decode-XXXXXX", cmd[1024], self[512], line[256];
	double ir = -1;
	int fd = mkstemp(out);
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (fd < 0 || sl <= 0)
		return -1;
	close(fd);
	self[sl] = '\0';
	snprintf(cmd, sizeof cmd, "valgrind --tool=callgrind --callgrind-out-file=%s "
		 "--toggle-collect=bench_loop_%s '%s' --count %s %u >/dev/null 2>&1",
		 out, mname[m], self, mname[m], n);
	if (system(cmd) == 0) {
		FILE *f = fopen(out, "r");
		while (f && fgets(line, sizeof line, f))
			if (!strncmp(line, "totals:", 7))
				ir = strtod(line + 7, NULL) / NADDR;
		if (f)
			fclose(f);
	}
	unlink(out);
	return ir;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--count")) {
		int m = 0;
		while (m < NMETHODS && strcmp(argv[2], mname[m]))
			m++;
		if (m == NMETHODS || !setup((unsigned)atoi(argv[3])))
			return 1;
		return run(m, addrs, NADDR) == 42 ? 0 : 0; /* keep the result live */
	}

	double ns[BENCH_NLAYOUTS][NMETHODS], ir[BENCH_NLAYOUTS][NMETHODS];
	int ok = 1;
	for (unsigned l = 0; l < BENCH_NLAYOUTS; l++) {
		unsigned n = bench_layouts[l].n;
		setup(n);
		/* The three must agree on every address, or the numbers mean nothing. */
		for (unsigned i = 0; i < NADDR; i++) {
			struct device *d = find_device(&vm, addrs[i]);
			int lin = d ? d->index : -1, t = bench_layouts[l].tree(addrs[i]);
			if (t != lin || bsearch_span(spans, n, addrs[i]) != lin) {
				fprintf(stderr, "bench-decode: methods disagree at 0x%" PRIx64 " (%u devices)\n",
					addrs[i], n);
				ok = 0;
				break;
			}
		}
		for (int m = 0; m < NMETHODS; m++)
			ns[l][m] = time_ns(m);
	}
	fprintf(stderr, "bench-decode: counting instructions under callgrind...\n");
	for (unsigned l = 0; l < BENCH_NLAYOUTS; l++)
		for (int m = 0; m < NMETHODS; m++)
			ir[l][m] = count_instr(m, bench_layouts[l].n);

	printf("%u lookups per run (3/4 hits, 1/4 misses), best of %d runs; instructions by callgrind,\n"
	       "including loop and call overhead (the 'nop' column is that overhead alone).\n\n",
	       NADDR, RUNS);
	printf("devices | ns/lookup: tree  linear  bsearch    nop | instr/lookup: tree  linear  bsearch   nop | tree/linear  tree/bsearch\n");
	for (unsigned l = 0; l < BENCH_NLAYOUTS; l++)
		printf("%7u |          %5.2f  %6.2f  %7.2f  %5.2f |               %5.1f  %6.1f  %7.1f  %4.1f |  %11.3f  %12.3f\n",
		       bench_layouts[l].n, ns[l][M_TREE], ns[l][M_LINEAR], ns[l][M_BSEARCH], ns[l][M_NOP],
		       ir[l][M_TREE], ir[l][M_LINEAR], ir[l][M_BSEARCH], ir[l][M_NOP],
		       ir[l][M_TREE] / ir[l][M_LINEAR], ir[l][M_TREE] / ir[l][M_BSEARCH]);
	if (ir[0][M_TREE] < 0) {
		printf("\n(valgrind not found: instruction counts unavailable)\n");
		return ok ? 0 : 1;
	}
	/* The targets, by instruction count (stable, unlike time). */
	for (unsigned l = 0; l < BENCH_NLAYOUTS; l++) {
		if (bench_layouts[l].n == 16)
			printf("\ntarget: 16 devices, tree <= 1/4 of linear:   %.3f  %s", ir[l][M_TREE] / ir[l][M_LINEAR],
			       ir[l][M_TREE] * 4 <= ir[l][M_LINEAR] ? "met" : "MISSED");
		if (bench_layouts[l].n == 64)
			printf("\ntarget: 64 devices, tree <= 0.6x bsearch:     %.3f  %s\n", ir[l][M_TREE] / ir[l][M_BSEARCH],
			       ir[l][M_TREE] <= 0.6 * ir[l][M_BSEARCH] ? "met" : "MISSED");
	}
	return ok ? 0 : 1;
}
