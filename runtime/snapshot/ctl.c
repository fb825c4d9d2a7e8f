/*
 * The control channels: --api-socket PATH (a Unix stream socket, one
 * command per line, one reply line each; docs/architecture/snapshots.md)
 * and --snapshot-on-signal FILE (SIGRTMIN+2 writes a snapshot to FILE and
 * the guest runs on). One thread serves both, one client at a time: the
 * commands are rare and each is short, so there is nothing to gain from
 * concurrency and a whole class of races (two snapshots at once) is gone.
 *
 *   pause            -> ok            all vCPUs parked
 *   resume           -> ok
 *   snapshot FILE    -> ok BYTES      written; the guest keeps its state
 *                                     (paused stays paused, running resumes)
 *   quit             -> ok            the run ends, status 0
 *   anything else    -> error <why>
 *
 * Seccomp (runtime/sandbox.c): after set-up this thread still needs
 * vibe_snapshot_ctl_calls below: the snapshot file is created, written and
 * renamed from here, and clients are accepted and served here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "snapshot/snapshot.h"
#include "vibe/log.h"
#include "vm.h"

/* For the seccomp sandbox: what the control thread calls after set-up
 * (plus hv_snapshot_vm_ioctls, hv.h). It never narrows itself, so these
 * must be in the process-wide union. Writing: openat/open(O_CREAT), lseek,
 * write, pwrite64, close, rename*, unlink* (a failed write); mincore over
 * guest RAM; malloc/free of the write buffer (mmap, munmap, brk); serving
 * clients: poll, accept4, read, sendto (send). */
const char *const vibe_snapshot_ctl_calls[] = {
	"poll", "ppoll", "accept", "accept4", "read", "recvfrom", "write", "sendto",
	"close", "openat", "open", "lseek", "pwrite64", "rename", "renameat", "renameat2",
	"unlink", "unlinkat", "mincore", "mmap", "munmap", "madvise", "brk", "futex",
	"clock_gettime", "clock_nanosleep", "tgkill", "getpid", "gettid", "rt_sigprocmask",
	"newfstatat", "fstat", "stat", "statx", "exit", NULL,
};
/* vCPU threads while parked: the condition variable's timed wait. */
const char *const vibe_snapshot_vcpu_calls[] = { "futex", "clock_gettime", NULL };

static struct {
	struct vibe_vm *vm;
	int listen_fd, sig_fd;
	int wake[2];        /* vibe_snapctl_stop() writes to wake[1] */
	pthread_t thread;
	int running;
	const char *signal_file;
	char *sock_path;
} C = { .listen_fd = -1, .sig_fd = -1, .wake = { -1, -1 } };

int vibe_snapctl_init(const struct vibe_snapctl_opts *o)
{
	if (o->signal_file) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, VIBE_SNAPSHOT_SIGNAL);
		/* Blocked before any thread exists, so every thread inherits it
		 * and only the signalfd sees it. */
		pthread_sigmask(SIG_BLOCK, &s, NULL);
		C.sig_fd = signalfd(-1, &s, SFD_CLOEXEC);
		if (C.sig_fd < 0) {
			log_err("--snapshot-on-signal: signalfd: %s", strerror(errno));
			return -1;
		}
		C.signal_file = o->signal_file;
	}
	if (o->api_socket) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		struct stat st;
		if (strlen(o->api_socket) >= sizeof(a.sun_path)) {
			log_err("--api-socket: path longer than %zu bytes: %s", sizeof(a.sun_path) - 1,
				o->api_socket);
			return -1;
		}
		strcpy(a.sun_path, o->api_socket);
		/* A socket left by an earlier run is replaced; anything else at
		 * that path is the user's and is not. */
		if (lstat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(a.sun_path);
		C.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (C.listen_fd < 0 || bind(C.listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    listen(C.listen_fd, 4) < 0) {
			log_err("--api-socket %s: %s", o->api_socket, strerror(errno));
			return -1;
		}
		C.sock_path = strdup(o->api_socket);
	}
	return 0;
}

static void reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(int fd, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	for (int done = 0; done < n;) {
		ssize_t w = send(fd, line + done, (size_t)(n - done), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		done += (int)w;
	}
}

static void command(int fd, char *line)
{
	struct vibe_vm *vm = C.vm;
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = 0;
	log_debug("api: %s", line);
	if (!strcmp(line, "pause")) {
		if (vibe_paused(vm))
			reply(fd, "ok");
		else if (vibe_pause(vm) < 0)
			reply(fd, "error cannot pause");
		else
			reply(fd, "ok");
	} else if (!strcmp(line, "resume")) {
		if (vibe_paused(vm))
			vibe_resume(vm);
		reply(fd, "ok");
	} else if (!strncmp(line, "snapshot ", 9) && line[9]) {
		struct stat st;
		if (vibe_snapshot_take(vm, line + 9) < 0 || stat(line + 9, &st) < 0)
			reply(fd, "error snapshot failed (see vibevmm's log)");
		else
			reply(fd, "ok %lld", (long long)st.st_size);
	} else if (!strcmp(line, "quit")) {
		reply(fd, "ok");
		vibe_vm_request_exit(vm, 0);
	} else {
		reply(fd, "error unknown command (pause, resume, snapshot FILE, quit)");
	}
}

/* Serves one client until it hangs up, the run ends, or the snapshot
 * signal needs the thread (handled in between lines). */
static void serve(int fd)
{
	char buf[4096];
	size_t have = 0;
	for (;;) {
		struct pollfd p[3] = { { fd, POLLIN, 0 }, { C.sig_fd, POLLIN, 0 },
				       { C.wake[0], POLLIN, 0 } };
		int r = poll(p, 3, -1);
		if (p[2].revents)
			return;
		if (r <= 0)
			continue;
		if (C.sig_fd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(C.sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				vibe_snapshot_take(C.vm, C.signal_file);
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t k = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		have += (size_t)k;
		buf[have] = 0;
		char *nl;
		while ((nl = memchr(buf, '\n', have))) {
			*nl = 0;
			command(fd, buf);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
			buf[have] = 0;
		}
		if (have == sizeof(buf) - 1) {
			reply(fd, "error line too long");
			return;
		}
	}
}

static void *ctl_thread(void *arg)
{
	(void)arg;
	for (;;) {
		/* poll ignores negative fds: no socket or no signal is fine. */
		struct pollfd p[3] = { { C.listen_fd, POLLIN, 0 }, { C.sig_fd, POLLIN, 0 },
				       { C.wake[0], POLLIN, 0 } };
		if (poll(p, 3, -1) <= 0)
			continue;
		if (p[2].revents)
			break;
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(C.sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				vibe_snapshot_take(C.vm, C.signal_file);
		}
		if (p[0].revents & POLLIN) {
			int fd = accept4(C.listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0) {
				serve(fd);
				close(fd);
			}
		}
	}
	return NULL;
}

static void cleanup_socket(void)
{
	if (C.sock_path)
		unlink(C.sock_path);
}

int vibe_snapctl_start(struct vibe_vm *vm)
{
	C.vm = vm;
	if (vibe_pause_init(vm) < 0)
		return -1;
	if (C.listen_fd < 0 && C.sig_fd < 0)
		return 0;
	if (pipe2(C.wake, O_CLOEXEC) < 0) {
		log_err("pipe: %s", strerror(errno));
		return -1;
	}
	int err = pthread_create(&C.thread, NULL, ctl_thread, NULL);
	if (err) {
		log_err("cannot start the control thread: %s", strerror(err));
		return -1;
	}
	C.running = 1;
	atexit(cleanup_socket);
	return 0;
}

void vibe_snapctl_stop(void)
{
	/* Joined before the VM is torn down: a snapshot being written reads
	 * guest RAM, which vibe_vm_destroy() unmaps. */
	if (!C.running)
		return;
	if (write(C.wake[1], "x", 1) < 0)
		log_debug("snapctl: wake: %s", strerror(errno));
	pthread_join(C.thread, NULL);
	C.running = 0;
}
