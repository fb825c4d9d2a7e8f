/*
 * Helpers shared by the snapshot tests and bench-snapshot: start vibevmm in
 * the background with its output in files, talk to its --api-socket, wait
 * for its output to reach a point.
 */
#ifndef SNAP_UTIL_H
#define SNAP_UTIL_H

#include <stddef.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	char out[512], err[512]; /* files holding its stdout and stderr */
};

/* Starts argv (NULL-terminated) with stdin /dev/null, stdout/stderr into
 * files in `dir` named by `tag`. Returns 0 or -1. */
int child_start(struct child *c, const char *dir, const char *tag, const char *const argv[]);
/* Waits up to timeout_ms; returns the exit status, 128+signal, or -1 on
 * time-out (the child is then killed). */
int child_wait(struct child *c, int timeout_ms);
void child_kill(struct child *c); /* SIGKILL and reap */

/* Connects to a unix socket, retrying up to timeout_ms; fd or -1. */
int api_connect(const char *path, int timeout_ms);
/* Sends `cmd` + newline, reads one reply line into reply (NUL-terminated,
 * newline stripped). Returns 0, or -1 on I/O error / time-out. */
int api_cmd(int fd, const char *cmd, char *reply, size_t len, int timeout_ms);

/* Whole file into a malloc'd NUL-terminated string (*len set); NULL if
 * unreadable. */
char *read_file(const char *path, size_t *len);
/* Waits until the file holds at least `lines` newlines; 0 or -1 (time-out
 * or the child died first, if pid > 0). */
int wait_lines(const char *path, unsigned lines, int timeout_ms, pid_t pid);
/* Waits until the file has at least `bytes` bytes; returns ms waited or -1. */
double wait_bytes(const char *path, size_t bytes, int timeout_ms);

double mono_ms(void);

#endif
