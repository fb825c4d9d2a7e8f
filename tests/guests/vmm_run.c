/*
 * Child-process runner for the boot and CLI tests (see vmm_run.h).
 */
#include "vmm_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAPTURE_MAX (64u << 20) /* --log 4 of a long run stays well under */

struct buf { char *p; size_t len, cap; };

static void buf_add(struct buf *b, const char *d, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			abort();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

int vmm_run(const char *const argv[], const struct vmm_opts *opts, struct vmm_result *r)
{
	static const struct vmm_opts dflt;
	int out[2], err[2], in[2] = { -1, -1 };
	pid_t pid;

	if (!opts)
		opts = &dflt;
	memset(r, 0, sizeof(*r));
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -1;
	if (opts->stdin_data && pipe2(in, O_CLOEXEC) < 0)
		return -1;
	/* Writing stdin to a child that already exited must not kill us. */
	signal(SIGPIPE, SIG_IGN);

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(opts->stdin_data ? in[0] : devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (opts->child_setup)
			opts->child_setup();
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (opts->stdin_data) {
		close(in[0]);
		/* Small inputs fit in the pipe; EOF follows so the guest sees the
		 * end of input like a closed terminal. */
		ssize_t n = write(in[1], opts->stdin_data, strlen(opts->stdin_data));
		(void)n;
		close(in[1]);
	}

	struct buf bo = { 0 }, be = { 0 };
	buf_add(&bo, "", 0);
	buf_add(&be, "", 0);
	long long deadline = now_ms() + (opts->timeout_ms ? opts->timeout_ms : 20000);
	int open_fds = 2;
	struct pollfd pfd[2] = { { .fd = out[0], .events = POLLIN }, { .fd = err[0], .events = POLLIN } };
	while (open_fds > 0) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			kill(pid, SIGKILL);
			r->timed_out = 1;
			break;
		}
		int n = poll(pfd, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char tmp[65536];
			ssize_t got = read(pfd[i].fd, tmp, sizeof(tmp));
			if (got <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			struct buf *b = i == 0 ? &bo : &be;
			if (b->len < CAPTURE_MAX)
				buf_add(b, tmp, (size_t)got);
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);

	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(ws)) {
		r->exited = 1;
		r->status = WEXITSTATUS(ws);
	} else if (WIFSIGNALED(ws)) {
		r->signaled = 1;
		r->sig = WTERMSIG(ws);
	}
	r->out = bo.p;
	r->out_len = bo.len;
	r->err = be.p;
	r->err_len = be.len;
	return 0;
}

void vmm_result_free(struct vmm_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

unsigned count_lines_with(const char *text, const char *const needles[])
{
	unsigned count = 0;
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		int all = 1;
		for (unsigned i = 0; needles[i] && all; i++) {
			size_t nl = strlen(needles[i]);
			all = 0;
			for (size_t k = 0; k + nl <= len; k++) {
				if (!memcmp(line + k, needles[i], nl)) {
					all = 1;
					break;
				}
			}
		}
		count += all;
		line = end ? end + 1 : NULL;
	}
	return count;
}

const char *vmm_describe(const struct vmm_result *r)
{
	static char msg[128];

	if (r->timed_out)
		snprintf(msg, sizeof(msg), "hung: killed at the deadline");
	else if (r->signaled)
		snprintf(msg, sizeof(msg), "died of signal %d (%s)", r->sig, strsignal(r->sig));
	else
		snprintf(msg, sizeof(msg), "exited with status %d", r->status);
	return msg;
}

int have_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}
