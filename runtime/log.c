/*
 * vibe_log: one line per call on stderr, written with a single write(2) so
 * lines from several vCPU threads never interleave mid-line. At --log 3 and
 * above each line carries the time since start, which is what one wants
 * when reading an exit trace.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vibe/log.h"

int vibe_log_level = LOG_WARN;

static const char *const level_names[] = { "error", "warning", "info", "debug", "trace" };

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static long long start_ns;

__attribute__((constructor)) static void log_start_clock(void)
{
	start_ns = now_ns();
}

void vibe_log(int level, const char *fmt, ...)
{
	char buf[1024];
	int n;
	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_TRACE)
		level = LOG_TRACE;
	if (vibe_log_level >= LOG_DEBUG) {
		long long t = now_ns() - start_ns;
		n = snprintf(buf, sizeof(buf), "[%4lld.%06lld] vibevmm: %s: ", t / 1000000000ll,
			     (t / 1000) % 1000000, level_names[level]);
	} else {
		n = snprintf(buf, sizeof(buf), "vibevmm: %s: ", level_names[level]);
	}
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2; /* truncated: still end the line */
	buf[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
	(void)w; /* nowhere left to report a failed log write */
}

/* burst lines per call site per second; then one "suppressed" line when
 * the next window opens. Races between vCPU threads on one call site can
 * only let a line or two more through, which is harmless, so no lock. */
#define RATELIMIT_BURST 10
#define RATELIMIT_WINDOW_NS 1000000000ll

int vibe_ratelimit_ok(struct vibe_ratelimit *rl)
{
	long long t = now_ns();
	if (t - rl->window_start_ns >= RATELIMIT_WINDOW_NS) {
		if (rl->suppressed)
			vibe_log(LOG_WARN, "(%u similar messages suppressed)", rl->suppressed);
		rl->window_start_ns = t;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count < RATELIMIT_BURST) {
		rl->count++;
		return 1;
	}
	rl->suppressed++;
	return 0;
}
