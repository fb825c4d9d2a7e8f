/*
 * virtio-console (virtio spec v1.2 §5.3), port 0 only (no MULTIPORT):
 * the guest's /dev/hvc0. One receive and one transmit queue.
 *
 * Where output goes (`output:` in the machine file, `--console NAME=...`):
 *   stdio       vibevmm's stdout (console.c, shared with the UART)
 *   file:PATH   PATH (created, truncated)
 *   none        discarded
 * A bare PATH (with a '/') is taken as file:PATH.
 *
 * Input comes from stdin when this console owns it, whatever `output:`
 * says. One reader only: console.c gives stdin to the console the kernel
 * command line's last console= names (console=hvc0 -> this device, as
 * Linux then makes hvc0 /dev/console), else to the UART
 * (console_input_hint(), console_attach_input_as()).
 *
 * Threads: the transmit and receive work runs on the device's I/O thread
 * (virtio_io.c). Input arrives on console.c's input thread, which only
 * signals an eventfd the I/O thread polls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "console.h"
#include "vibe/log.h"
#include "virtio/virtio_console.h"
#include "virtio/virtio_io.h"
#include "virtio/virtio_snap.h"
#include "vm.h"

#define CONS_QUEUE_MAX 64
#define CONS_IOV_MAX   CONS_QUEUE_MAX
#define CONS_IN_BUF    256

struct cons {
	struct virtio_mmio t;
	struct virtio_io io;
	enum { OUT_STDIO, OUT_FILE, OUT_NONE } out;
	int out_fd;        /* OUT_FILE */
	int in_fd;         /* eventfd: input waiting (stdio owner only), else -1 */
	bool owns_input;
	/* Input may flow to the guest (see rx_armed_now()). I/O thread and
	 * reset, under io.lock. */
	enum { RX_WAIT, RX_GRACE, RX_ARMED } rx_state;
	int timer_fd;      /* the grace period (stdio owner only), else -1 */
	/* Input taken from console.c but not yet in a chain (I/O thread). */
	uint8_t in_buf[CONS_IN_BUF];
	uint32_t in_len, in_off;
	struct virtq_iov rx_iov[CONS_IOV_MAX];
	struct virtq_iov tx_iov[CONS_IOV_MAX];
};

static uint32_t cons_config_read(struct virtio_mmio *t, uint32_t off, unsigned size)
{
	(void)t, (void)off, (void)size;
	return 0; /* no SIZE or MULTIPORT: nothing to report */
}

static void cons_config_write(struct virtio_mmio *t, uint32_t off, unsigned size, uint32_t val)
{
	(void)t, (void)off, (void)size, (void)val; /* emerg_wr not offered */
}

static void out_bytes(void *opaque, const void *buf, size_t len)
{
	struct cons *c = opaque;
	const uint8_t *p = buf;

	if (c->out == OUT_STDIO) {
		console_write(buf, len);
		return;
	}
	while (c->out == OUT_FILE && len > 0) {
		ssize_t n = write(c->out_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn_ratelimited("%s: console output: %s", c->t.name,
					     n < 0 ? strerror(errno) : "short write");
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void rx_grace(struct cons *c);

static int64_t tx_chain(void *opaque, unsigned q, struct virtq_iov *iov,
			const struct virtq_chain *ch, const char **why)
{
	struct cons *c = opaque;

	(void)q, (void)why;
	rx_grace(c); /* the driver is up (rx_armed_now()); io.lock held */
	virtio_console_tx(iov, ch, out_bytes, opaque);
	return 0; /* nothing written into the driver's buffers */
}

/* When input may start to flow. Linux's driver (no MULTIPORT) fills the
 * receive queue in probe, kicking for every buffer, and only afterwards
 * adds port 0 to its port list; input delivered in between finds no port
 * and is thrown away (in_intr() -> flush_bufs()), and a line piped in at
 * start-up was lost that way. Without MULTIPORT nothing tells the device
 * when the port is registered, so: input waits until the driver has
 * offered a full ring once (fill_queue() stops when it is full) or has
 * transmitted, and then a grace period more (the guest's next few
 * instructions, but its vCPU may be preempted by this very thread). */
#define RX_GRACE_MS 250

/* Lock held. Start the grace period once. */
static void rx_grace(struct cons *c)
{
	struct itimerspec its = { .it_value = { .tv_nsec = RX_GRACE_MS * 1000000L } };

	if (c->rx_state != RX_WAIT || c->timer_fd < 0)
		return;
	if (timerfd_settime(c->timer_fd, 0, &its, NULL) < 0) {
		log_warn("%s: timerfd: %s; console input starts now", c->t.name, strerror(errno));
		c->rx_state = RX_ARMED;
		return;
	}
	c->rx_state = RX_GRACE;
}

static bool rx_armed_now(struct cons *c, const struct virtq *vq)
{
	uint16_t idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE), seen;

	while (c->rx_state == RX_WAIT) {
		if ((uint16_t)(idx - vq->last_avail) >= vq->size) {
			rx_grace(c);
			break;
		}
		if (!vq->event_idx)
			break;
		/* With EVENT_IDX the driver kicks only when its idx passes
		 * avail_event (le16 after the used ring, §2.7.8), which the
		 * queue code leaves at the last buffer taken: ask for a kick
		 * on the next buffer, then look again for one added before
		 * the driver could see the request (§2.7.10). */
		__atomic_store_n((uint16_t *)&vq->used->ring[vq->size], idx, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		seen = idx;
		idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
		if (idx == seen)
			break;
	}
	return c->rx_state == RX_ARMED;
}

/* Move pending input into RX chains. I/O thread; io.lock serialises with
 * a device reset as in virtio_io_drain(). */
static void rx_run(struct cons *c)
{
	struct virtq *vq = virtio_mmio_queue(&c->t, VIRTIO_CONSOLE_RXQ);
	const char *why = NULL;
	unsigned done = 0;
	struct virtq_chain ch;

	if (!c->owns_input)
		return;
	pthread_mutex_lock(&c->io.lock);
	/* Input stays in console.c's ring (which then stops reading stdin)
	 * until the driver has buffers: nothing is dropped. */
	while (vq->ready && rx_armed_now(c, vq)) {
		if (c->in_off == c->in_len) {
			c->in_off = 0;
			c->in_len = (uint32_t)console_read(c->in_buf, sizeof(c->in_buf));
			if (!c->in_len)
				break;
		}
		enum virtq_err err = virtq_pop(vq, c->rx_iov, CONS_IOV_MAX, &ch);
		if (err == VIRTQ_EMPTY) {
			/* §2.7.10: ask for the kick that adds buffers, then
			 * look once more for one added in between. */
			if (virtq_notify_enable(vq))
				continue;
			break;
		}
		if (err) {
			why = virtq_strerror(err);
			break;
		}
		uint32_t n = virtio_console_rx_fill(c->rx_iov, &ch, c->in_buf + c->in_off,
						    c->in_len - c->in_off);
		c->in_off += n;
		virtq_push(vq, ch.head, n);
		done++;
	}
	pthread_mutex_unlock(&c->io.lock);
	if (why)
		virtio_mmio_needs_reset(&c->t, why);
	else if (done)
		virtio_mmio_queue_done(&c->t, VIRTIO_CONSOLE_RXQ);
	if (done)
		log_trace("%s: input to the guest in %u buffer(s)", c->t.name, done);
}

static void cons_notify(struct virtio_mmio *t, unsigned q)
{
	struct cons *c = t->opaque;

	if (q == VIRTIO_CONSOLE_TXQ) {
		virtio_io_drain(&c->io, q, c->tx_iov, CONS_IOV_MAX, tx_chain, c);
		if (!c->owns_input)
			return;
	}
	rx_run(c); /* the driver added receive buffers, or just came up */
}

/* Device reset (vCPU thread, transport lock held, after the I/O thread's
 * request in progress ended): the next driver starts unarmed. */
static void cons_reset(struct virtio_mmio *t)
{
	struct cons *c = t->opaque;

	pthread_mutex_lock(&c->io.lock);
	c->rx_state = RX_WAIT; /* a grace timer still running is then ignored */
	pthread_mutex_unlock(&c->io.lock);
}

/* console.c's input thread: bytes are in its ring. Wake the I/O thread. */
static void input_ready(void *opaque)
{
	struct cons *c = opaque;
	uint64_t one = 1;

	while (write(c->in_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void on_input(struct virtio_io *io, int fd, void *opaque)
{
	uint64_t v;

	(void)io;
	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	rx_run(opaque);
}

/* The grace period is over: input may flow. */
static void on_timer(struct virtio_io *io, int fd, void *opaque)
{
	struct cons *c = opaque;
	uint64_t n;

	(void)io;
	while (read(fd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&c->io.lock);
	if (c->rx_state == RX_GRACE)
		c->rx_state = RX_ARMED;
	pthread_mutex_unlock(&c->io.lock);
	rx_run(c);
}

/* Ctrl-a x on a terminal (console.h): end the run cleanly. */
static void input_quit(void *opaque)
{
	struct cons *c = opaque;
	vibe_vm_request_exit(c->t.vm, 0);
}

/* DRIVER_OK (vCPU thread, transport lock held). A driver may make
 * receive buffers available and kick before DRIVER_OK (§3.1.1 has it set
 * up the queues first), and the transport ignores such kicks: hand the
 * I/O thread an RX kick so it looks at the ring once the device is live. */
static int cons_activate(struct virtio_mmio *t)
{
	if (t->io_kick)
		t->io_kick(t->io_opaque, VIRTIO_CONSOLE_RXQ);
	return 0;
}

static const struct virtio_mmio_backend cons_backend = {
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2,
	.queue_max = CONS_QUEUE_MAX,
	.config_size = VIRTIO_CONSOLE_CFG_SIZE,
	.config_read = cons_config_read,
	.config_write = cons_config_write,
	.activate = cons_activate,
	.notify = cons_notify,
	.reset = cons_reset,
};

static int parse_output(struct cons *c, struct vibe_dev *dev, const char *o)
{
	const char *path = NULL;

	if (!strcmp(o, "stdio"))
		c->out = OUT_STDIO;
	else if (!strcmp(o, "none"))
		c->out = OUT_NONE;
	else if (!strncmp(o, "file:", 5) && o[5])
		path = o + 5;
	else if (strchr(o, '/'))
		path = o;
	else {
		log_err("%s: output '%s' is not stdio, none or file:PATH (%s)", dev->desc->name, o,
			dev->desc->src ? dev->desc->src : "?");
		return -1;
	}
	if (path) {
		c->out = OUT_FILE;
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out_fd < 0) {
			log_err("%s: console output file '%s': %s", dev->desc->name, path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The console that owns stdin outlives destroy(): console.c's input thread
 * may still call input_ready() with it until the process exits. Kept
 * reachable here, so leak checkers (make test SAN=1) see it as in use. */
static struct cons *input_owner;

static void cons_free(struct cons *c)
{
	virtio_io_stop(&c->io);
	if (c->t.be)
		virtio_mmio_destroy(&c->t);
	/* in_fd stays open if console.c's input thread may still write it:
	 * that thread runs until exit and owns no way to be told. */
	if (c->in_fd >= 0 && !c->owns_input)
		close(c->in_fd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->timer_fd >= 0)
		close(c->timer_fd);
	if (!c->owns_input)
		free(c);
}

static int cons_init(struct vibe_dev *dev)
{
	struct cons *c = calloc(1, sizeof(*c));

	if (!c) {
		log_err("out of memory");
		return -1;
	}
	c->out_fd = c->in_fd = c->timer_fd = -1;
	if (parse_output(c, dev, vibe_dev_prop_str(dev, "output", "stdio")) < 0)
		goto fail;
	if (virtio_mmio_init(&c->t, dev, &cons_backend, c) < 0)
		goto fail;
	dev->state = &c->t;
	if (console_init() < 0)
		goto fail;
	c->in_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->in_fd < 0 || c->timer_fd < 0 || virtio_io_add_fd(&c->io, c->in_fd, on_input, c) < 0 ||
	    virtio_io_add_fd(&c->io, c->timer_fd, on_timer, c) < 0) {
		log_err("%s: eventfd/timerfd: %s", dev->desc->name, strerror(errno));
		goto fail;
	}
	if (virtio_io_start(&c->io, &c->t, dev) < 0)
		goto fail;
	/* Last: from here console.c's thread may call input_ready(). */
	c->owns_input = console_attach_input_as("hvc0", input_ready, input_quit, c) == 0;
	if (c->owns_input)
		input_owner = c;
	log_debug("%s: virtio console, output %s%s", dev->desc->name,
		  c->out == OUT_STDIO ? "stdio" : c->out == OUT_FILE ? "file" : "none",
		  c->owns_input ? ", input from stdin" : "");
	return 0;
fail:
	dev->state = NULL;
	cons_free(c);
	return -1;
}

static void cons_destroy(struct vibe_dev *dev)
{
	struct virtio_mmio *t = dev->state;

	if (!t)
		return;
	cons_free(t->opaque);
	dev->state = NULL;
}

/* Snapshot restore: the transport's state (virtio_snap.c). A driver that
 * was live when the snapshot was taken has its port registered, so input
 * may flow at once; an RX kick makes the I/O thread look. Input held in
 * in_buf is not saved. Before any vCPU runs. */
static int cons_restore(struct vibe_dev *dev, const void *buf, size_t len)
{
	struct virtio_mmio *t = dev->state;
	struct cons *c = t->opaque;

	if (virtio_mmio_restore(dev, buf, len) < 0)
		return -1;
	pthread_mutex_lock(&c->io.lock);
	c->rx_state = (t->status & VIRTIO_STATUS_DRIVER_OK) ? RX_ARMED : RX_WAIT;
	pthread_mutex_unlock(&c->io.lock);
	if (t->io_kick && (t->status & VIRTIO_STATUS_DRIVER_OK))
		t->io_kick(t->io_opaque, VIRTIO_CONSOLE_RXQ);
	return 0;
}

/* The I/O thread: its loop (read and write on eventfds, poll), the
 * output file (write), the grace timer (timerfd_settime, read),
 * console.c's ring (futex, core). Console output on
 * stdout is write@stdio, which every thread has. */
static const char *const cons_thread_calls[] = { VIRTIO_IO_THREAD_CALLS, "timerfd_settime", NULL };
/* console.c's input thread, in input_ready(): the eventfd write. */
static const char *const cons_console_calls[] = { "write", NULL };
/* vCPU thread, in cons_activate(): the RX kick's eventfd write. */
static const char *const cons_vcpu_calls[] = { "write", NULL };
static const struct vibe_dev_syscalls cons_syscalls = { .vcpu = cons_vcpu_calls,
	.thread = cons_thread_calls,
	.console = cons_console_calls };

const struct vibe_device_ops vibe_dev_virtio_console_ops = {
	.type = "virtio-console",
	.init = cons_init,
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
	.reset = virtio_mmio_reset,
	.destroy = cons_destroy,
	.syscalls = &cons_syscalls,
	.save = virtio_mmio_save, /* runtime/virtio/virtio_snap.c */
	.restore = cons_restore,
};
