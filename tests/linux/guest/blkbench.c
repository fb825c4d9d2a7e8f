/*
 * blkbench: the guest side of `make bench-blk` (tests/linux/bench-blk.sh),
 * built statically into the L2 initramfs by mkinitramfs-l2.sh.
 *
 *   blkbench seq  DEV         read the whole device once, 1 MiB at a time
 *   blkbench rand DEV SECONDS 4 KiB reads at pseudo-random 4 KiB-aligned
 *                             offsets for SECONDS, one at a time
 *
 * O_DIRECT so every read reaches the device (no guest page cache); pread
 * with one request in flight, so random reads measure each VMM's round
 * trip (kick, host read, interrupt). Prints one line:
 *   VIBE-BLKBENCH seq MBps=X bytes=N secs=S
 *   VIBE-BLKBENCH rand IOPS=X reads=N secs=S
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "seq") && strcmp(argv[1], "rand"))) {
		fprintf(stderr, "usage: blkbench seq DEV | rand DEV SECONDS\n");
		return 2;
	}
	int fd = open(argv[2], O_RDONLY | O_DIRECT);
	off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	void *buf;
	if (size <= 0 || posix_memalign(&buf, 4096, 1 << 20)) {
		perror(argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "seq")) {
		uint64_t done = 0;
		double t0 = now();
		while ((off_t)done < size) {
			ssize_t r = pread(fd, buf, 1 << 20, (off_t)done);
			if (r <= 0) {
				perror("pread");
				return 1;
			}
			done += (uint64_t)r;
		}
		double s = now() - t0;
		printf("VIBE-BLKBENCH seq MBps=%.1f bytes=%llu secs=%.3f\n", done / s / 1e6,
		       (unsigned long long)done, s);
		return 0;
	}
	double secs = argc > 3 ? atof(argv[3]) : 5;
	uint64_t blocks = (uint64_t)size / 4096, x = 0x9e3779b97f4a7c15ull, n = 0;
	double t0 = now(), t;
	do {
		for (int k = 0; k < 64; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17; /* xorshift64 */
			if (pread(fd, buf, 4096, (off_t)((x % blocks) * 4096)) != 4096) {
				perror("pread");
				return 1;
			}
			n++;
		}
		t = now() - t0;
	} while (t < secs);
	printf("VIBE-BLKBENCH rand IOPS=%.0f reads=%llu secs=%.3f\n", n / t, (unsigned long long)n, t);
	return 0;
}
