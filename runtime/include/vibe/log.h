/*
 * The one logging macro family. --log N shows levels <= N:
 * 0 errors, 1 warnings, 2 info, 3 debug, 4 trace (every VM exit).
 * All output goes to stderr so the guest's console on stdout stays clean.
 */
#ifndef VIBE_LOG_H
#define VIBE_LOG_H

enum vibe_log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3, LOG_TRACE = 4 };

extern int vibe_log_level;

void vibe_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   vibe_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  do { if (vibe_log_level >= LOG_WARN) vibe_log(LOG_WARN, __VA_ARGS__); } while (0)
#define log_info(...)  do { if (vibe_log_level >= LOG_INFO) vibe_log(LOG_INFO, __VA_ARGS__); } while (0)
#define log_debug(...) do { if (vibe_log_level >= LOG_DEBUG) vibe_log(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_trace(...) do { if (vibe_log_level >= LOG_TRACE) vibe_log(LOG_TRACE, __VA_ARGS__); } while (0)

/* Rate-limited warning: at most `burst` lines per call site per second, then
 * one "suppressed N" line. For anything a guest can trigger in a loop. */
#define log_warn_ratelimited(...) do { \
	static struct vibe_ratelimit rl__; \
	if (vibe_log_level >= LOG_WARN && vibe_ratelimit_ok(&rl__)) vibe_log(LOG_WARN, __VA_ARGS__); \
} while (0)

struct vibe_ratelimit { long long window_start_ns; unsigned count; unsigned suppressed; };
int vibe_ratelimit_ok(struct vibe_ratelimit *rl);

#endif
