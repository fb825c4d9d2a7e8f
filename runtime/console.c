/*
 * The stdio console (see console.h for the contract).
 */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox.h"
#include "vibe/log.h"

/* runtime/sandbox.c narrows the input thread once the sandbox is on;
 * weak so the console links into tests without it. */
extern __typeof__(vibe_sandbox_enter) vibe_sandbox_enter __attribute__((weak));

#define CTRL_A 0x01
#define RING_SIZE 4096 /* a pasted screenful; the guest drains 16 at a time */

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialised;

/* Terminal state. raw_active is read in signal handlers, hence the type. */
static struct termios saved_termios;
static volatile sig_atomic_t raw_active;
static int stdin_is_tty;
static int stdin_background;

static const int restore_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction old_actions[3];

/* Input ring, filled by the input thread, drained by the owner. */
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_space = PTHREAD_COND_INITIALIZER;
static uint8_t ring[RING_SIZE];
static size_t ring_head, ring_count;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static console_notify_fn in_notify;
static console_quit_fn in_quit;
static void *in_opaque;
static int input_attached;

void console_restore(void)
{
	/* tcsetattr is async-signal-safe; the flag makes repeats no-ops. */
	if (raw_active) {
		raw_active = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
	}
}

static void on_fatal_signal(int sig, siginfo_t *info, void *ctx)
{
	console_restore();
	for (unsigned i = 0; i < 3; i++) {
		if (restore_signals[i] != sig)
			continue;
		struct sigaction *old = &old_actions[i];
		/* Someone (the runtime) had a handler first: let it decide. */
		if (old->sa_flags & SA_SIGINFO) {
			old->sa_sigaction(sig, info, ctx);
			return;
		}
		if (old->sa_handler == SIG_IGN)
			return;
		if (old->sa_handler != SIG_DFL) {
			old->sa_handler(sig);
			return;
		}
	}
	/* Die of the same signal so the parent sees what happened. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_raw_mode(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0) {
		log_warn("console: cannot read terminal settings: %s", strerror(errno));
		return;
	}
	raw = saved_termios;
	/* Input raw: the guest echoes and edits lines itself, and Ctrl-C /
	 * Ctrl-Z belong to the guest (Ctrl-a x is the way out). Output flags
	 * stay as they were so vibevmm's own messages keep their newlines. */
	raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;

	/* Handlers and atexit before switching, so no window leaves it raw. */
	atexit(console_restore);
	for (unsigned i = 0; i < 3; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_fatal_signal;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(restore_signals[i], &sa, &old_actions[i]);
	}
	raw_active = 1;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
		raw_active = 0;
		log_warn("console: cannot set raw mode: %s", strerror(errno));
	}
}

int console_init(void)
{
	pthread_mutex_lock(&init_lock);
	if (!initialised) {
		struct sigaction old;
		/* A reader that goes away (vibevmm | head) must not kill the VM
		 * with SIGPIPE; console_write drops the bytes instead. */
		if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			signal(SIGPIPE, SIG_IGN);
		stdin_is_tty = isatty(STDIN_FILENO);
		/* Started in the background (vibevmm &): touching the terminal
		 * would stop us with SIGTTOU/SIGTTIN, so leave stdin alone. */
		if (stdin_is_tty && tcgetpgrp(STDIN_FILENO) != getpgrp()) {
			log_info("console: not in the terminal's foreground: no console input");
			stdin_background = 1;
		} else if (stdin_is_tty) {
			set_raw_mode();
		}
		initialised = 1;
	}
	pthread_mutex_unlock(&init_lock);
	return 0;
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Non-blocking stdout shared with another process. */
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			if (poll(&pfd, 1, 1000) <= 0 || (pfd.revents & (POLLERR | POLLHUP)))
				return;
		} else {
			return; /* EPIPE, EIO...: nobody is listening any more */
		}
	}
}

void console_write(const void *buf, size_t len)
{
	pthread_mutex_lock(&out_lock);
	write_all(STDOUT_FILENO, buf, len);
	pthread_mutex_unlock(&out_lock);
}

size_t console_read(uint8_t *buf, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&ring_lock);
	while (n < max && ring_count > 0) {
		buf[n++] = ring[ring_head];
		ring_head = (ring_head + 1) % RING_SIZE;
		ring_count--;
	}
	if (n > 0)
		pthread_cond_signal(&ring_space);
	pthread_mutex_unlock(&ring_lock);
	return n;
}

static void ring_push(const uint8_t *p, size_t len)
{
	/* The reader only reads what fits, so this never overflows. */
	for (size_t i = 0; i < len && ring_count < RING_SIZE; i++) {
		ring[(ring_head + ring_count) % RING_SIZE] = p[i];
		ring_count++;
	}
}

static void quit(void)
{
	if (in_quit) {
		in_quit(in_opaque);
		return;
	}
	console_restore();
	exit(0);
}

/* Handle the Ctrl-a escapes from `in` into `buf` (room for len + 1: a
 * Ctrl-a carried over from the previous read in `pending` may come out as
 * two bytes); returns the bytes left for the guest. */
static size_t filter_escapes(const uint8_t *in, size_t len, uint8_t *buf, int *pending,
			     int *want_quit)
{
	static const char help[] =
		"\r\nvibevmm console escapes:\r\n"
		"  Ctrl-a x       quit vibevmm (exit status 0)\r\n"
		"  Ctrl-a Ctrl-a  send Ctrl-a to the guest\r\n"
		"  Ctrl-a h       this help\r\n";
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];
		if (!*pending) {
			if (c == CTRL_A)
				*pending = 1;
			else
				buf[out++] = c;
			continue;
		}
		*pending = 0;
		if (c == 'x' || c == 'X') {
			*want_quit = 1;
			return out;
		} else if (c == 'h' || c == 'H' || c == '?') {
			write_all(STDERR_FILENO, (const uint8_t *)help, sizeof(help) - 1);
		} else if (c == CTRL_A) {
			buf[out++] = CTRL_A;
		} else {
			/* Not an escape after all: the guest gets both bytes. */
			buf[out++] = CTRL_A;
			buf[out++] = c;
		}
	}
	return out;
}

static void *input_thread(void *arg)
{
	uint8_t buf[256], filtered[sizeof(buf) + 1];
	int pending = 0;

	(void)arg;
	for (;;) {
		size_t room;

		if (vibe_sandbox_enter)
			vibe_sandbox_enter(VIBE_SB_CONSOLE);

		pthread_mutex_lock(&ring_lock);
		while (ring_count == RING_SIZE)
			pthread_cond_wait(&ring_space, &ring_lock);
		room = RING_SIZE - ring_count;
		pthread_mutex_unlock(&ring_lock);
		if (room > sizeof(buf))
			room = sizeof(buf);
		/* One byte less when an escape is half done: "Ctrl-a c" may
		 * expand into two bytes. */
		if (room > 1)
			room--;

		ssize_t n = read(STDIN_FILENO, buf, room);
		if (n == 0)
			break; /* EOF: the guest simply gets no more input */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
				poll(&pfd, 1, -1);
				continue;
			}
			log_debug("console: stdin: %s; no more input", strerror(errno));
			break;
		}
		size_t len = (size_t)n;
		const uint8_t *data = buf;
		int want_quit = 0;
		if (stdin_is_tty) {
			len = filter_escapes(buf, len, filtered, &pending, &want_quit);
			data = filtered;
		}
		if (len > 0) {
			pthread_mutex_lock(&ring_lock);
			ring_push(data, len);
			pthread_mutex_unlock(&ring_lock);
			in_notify(in_opaque);
		}
		if (want_quit) {
			quit();
			break;
		}
	}
	return NULL;
}

/* The tty the kernel command line gives /dev/console, if a console that
 * attaches by name has it; "" lets the first caller have stdin. */
static char input_tty[16];

static void last_console(const char *s, char *out, size_t cap)
{
	for (const char *p = s; p && (p = strstr(p, "console=")); p += 8) {
		if (p != s && p[-1] != ' ' && p[-1] != '\t')
			continue; /* e.g. earlyconsole=: not ours */
		size_t n = strcspn(p + 8, " \t,");
		if (n >= cap)
			n = cap - 1;
		memcpy(out, p + 8, n);
		out[n] = 0;
	}
}

void console_input_hint(const char *a, const char *b)
{
	char tty[sizeof(input_tty)] = "";

	last_console(a, tty, sizeof(tty));
	last_console(b, tty, sizeof(tty));
	/* Only the consoles that attach by name can be chosen: today virtio
	 * consoles (hvcN). ttyS0 & co. keep the first-caller rule, which is
	 * the UART, the first device of the machine. */
	pthread_mutex_lock(&init_lock);
	snprintf(input_tty, sizeof(input_tty), "%s", strncmp(tty, "hvc", 3) ? "" : tty);
	pthread_mutex_unlock(&init_lock);
}

static int attach(const char *tty, console_notify_fn notify, console_quit_fn quit_fn, void *opaque);

int console_attach_input(console_notify_fn notify, console_quit_fn quit_fn, void *opaque)
{
	return attach(NULL, notify, quit_fn, opaque);
}

int console_attach_input_as(const char *tty, console_notify_fn notify, console_quit_fn quit_fn,
			    void *opaque)
{
	return attach(tty, notify, quit_fn, opaque);
}

static int attach(const char *tty, console_notify_fn notify, console_quit_fn quit_fn, void *opaque)
{
	pthread_t tid;
	pthread_attr_t attr;
	int err;

	console_init();
	pthread_mutex_lock(&init_lock);
	/* A console that attaches by name (hvcN) gets stdin only when it is
	 * the kernel's console: devices initialise in the machine's order,
	 * and virt's virtio console comes before COM1, so "first caller"
	 * would have handed stdin to hvc0 under console=ttyS0. */
	if (input_attached || stdin_background ||
	    (tty ? strcmp(tty, input_tty) != 0 : input_tty[0] != 0)) {
		pthread_mutex_unlock(&init_lock);
		return -1;
	}
	input_attached = 1;
	in_notify = notify;
	in_quit = quit_fn;
	in_opaque = opaque;
	pthread_mutex_unlock(&init_lock);

	/* Detached: it sits in read(2) until vibevmm exits. Signals meant for
	 * vCPU threads must not land here, so it blocks them all. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, input_thread, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_err("console: cannot start the input thread: %s", strerror(err));
		return -1;
	}
	return 0;
}
