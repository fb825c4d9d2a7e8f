/*
 * Per-device I/O thread and the KVM fast paths for virtio-mmio devices.
 * See virtio_io.h for the model and docs/internals/devices.md for why
 * the interrupt is a *level* irqfd with resampling.
 *
 * Interrupt semantics. vibegen describes each virtio-mmio device in the
 * DSDT as a level-triggered, active-high interrupt (as QEMU's microvm
 * does), and the transport keeps the line high while InterruptStatus is
 * nonzero (virtio spec v1.2 §4.2.2: the driver reads InterruptStatus and
 * acknowledges with InterruptACK, which is what Linux's vm_interrupt()
 * does). A plain irqfd would pulse the line (an edge); Firecracker and
 * kvmtool do that and declare the line edge-triggered instead. Keeping
 * level semantics, KVM_IRQFD_FLAG_RESAMPLE asserts the line on each irqfd
 * write and holds it until the guest's EOI; KVM then lowers it and signals
 * the resample fd, and this thread re-asserts it if InterruptStatus is
 * still nonzero (virtio_mmio_irq_resample()). The InterruptStatus bits are
 * always set, under the transport lock, before the irqfd is written, so
 * the handler that runs for it finds them.
 */
#include "virtio_io.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sandbox.h"
#include "vibe/log.h"
#include "vm.h"

static void signal_fd(int fd)
{
	uint64_t one = 1;
	/* An eventfd write only fails when the counter would overflow, which
	 * needs 2^64-2 unread kicks: nothing to do then but carry on. */
	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void drain_fd(int fd)
{
	uint64_t v;
	while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

/* Transport hook: a QueueNotify exit on a vCPU (no ioeventfd, or a value
 * the datamatch does not cover). */
static void io_kick(void *opaque, uint32_t q)
{
	struct virtio_io *io = opaque;

	if (q < io->t->be->num_queues)
		signal_fd(io->kick_fd[q]);
	else
		virtio_mmio_kick(io->t, q); /* logs and ignores it */
}

/* Transport hook, transport lock held, on the vCPU that resets: wait for
 * the request in progress; gen tells the drain loop to stop. */
static void io_reset(void *opaque)
{
	struct virtio_io *io = opaque;

	pthread_mutex_lock(&io->lock);
	io->gen++;
	pthread_mutex_unlock(&io->lock);
}

/* Transport interrupt hook (transport lock held): the irqfd on a rising
 * level (the kernel lowers it at EOI, see above), else the line. */
static void io_irq(void *opaque, int level)
{
	struct virtio_io *io = opaque;

	if (io->irqfd) {
		if (level)
			signal_fd(io->irq_fd);
		return;
	}
	vibe_vm_irq_line(io->dev->vm, (unsigned)io->dev->desc->irq, level);
}

static void *io_thread(void *arg)
{
	struct virtio_io *io = arg;
	struct pollfd pfd[1 + VIRTIO_MMIO_MAX_QUEUES + 1 + VIRTIO_IO_MAX_FDS];
	unsigned nq = io->t->be->num_queues, n = 0;

	pfd[n++] = (struct pollfd){ .fd = io->stop_fd, .events = POLLIN };
	for (unsigned q = 0; q < nq; q++)
		pfd[n++] = (struct pollfd){ .fd = io->kick_fd[q], .events = POLLIN };
	/* fd -1 is skipped by poll(2): no resample fd without the irqfd. */
	pfd[n++] = (struct pollfd){ .fd = io->irqfd ? io->resample_fd : -1, .events = POLLIN };
	for (unsigned i = 0; i < io->nextra; i++)
		pfd[n++] = (struct pollfd){ .fd = io->extra[i].fd, .events = POLLIN };

	for (;;) {
		/* Narrows this thread to the device's list once the sandbox is
		 * on (runtime/sandbox.h); a no-op afterwards. */
		vibe_sandbox_enter_dev(io->dev);
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("%s: virtio I/O thread: poll: %s", io->t->name, strerror(errno));
			break;
		}
		if (pfd[0].revents)
			break;
		for (unsigned q = 0; q < nq; q++) {
			if (!pfd[1 + q].revents)
				continue;
			drain_fd(io->kick_fd[q]);
			virtio_mmio_kick(io->t, q);
		}
		if (pfd[1 + nq].revents) {
			drain_fd(io->resample_fd);
			virtio_mmio_irq_resample(io->t);
		}
		for (unsigned i = 0; i < io->nextra; i++)
			if (pfd[2 + nq + i].revents)
				io->extra[i].cb(io, io->extra[i].fd, io->extra[i].opaque);
	}
	return NULL;
}

int virtio_io_add_fd(struct virtio_io *io, int fd, virtio_io_fd_fn cb, void *opaque)
{
	if (io->nextra >= VIRTIO_IO_MAX_FDS || io->started)
		return -1;
	io->extra[io->nextra].fd = fd;
	io->extra[io->nextra].cb = cb;
	io->extra[io->nextra].opaque = opaque;
	io->nextra++;
	return 0;
}

static int new_eventfd(const char *name)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		log_err("%s: eventfd: %s", name, strerror(errno));
	return fd;
}

int virtio_io_start(struct virtio_io *io, struct virtio_mmio *t, struct vibe_dev *dev)
{
	unsigned nq = t->be->num_queues, nkick = 0;
	const char *name = t->name;

	io->t = t;
	io->dev = dev;
	io->stop_fd = io->irq_fd = io->resample_fd = -1;
	for (unsigned q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		io->kick_fd[q] = -1;
	pthread_mutex_init(&io->lock, NULL);
	if ((io->stop_fd = new_eventfd(name)) < 0)
		return -1;
	for (unsigned q = 0; q < nq; q++) {
		if ((io->kick_fd[q] = new_eventfd(name)) < 0)
			return -1;
		/* §4.2.3.3: the driver writes the queue index to QueueNotify.
		 * Registered once, for the device's lifetime: the thread's kick
		 * path checks DRIVER_OK and readiness as an exit would. */
		if (vibe_vm_ioeventfd(dev->vm, VIBE_SPACE_MMIO, dev->desc->base + VIRTIO_MMIO_QUEUE_NOTIFY,
				      4, io->kick_fd[q], 1, q) == 0)
			nkick++;
	}
	io->ioeventfd = nkick == nq;
	if (dev->desc->irq >= 0 && dev->vm->has_irqchip) {
		if ((io->irq_fd = new_eventfd(name)) < 0 || (io->resample_fd = new_eventfd(name)) < 0)
			return -1;
		io->irqfd = vibe_vm_irqfd(dev->vm, (unsigned)dev->desc->irq, io->irq_fd,
					  io->resample_fd) == 0;
	}
	log_debug("%s: virtio fast paths: notify %s, interrupt %s", name,
		  io->ioeventfd ? "ioeventfd" : nkick ? "ioeventfd (some queues)" : "MMIO exit",
		  io->irqfd ? "irqfd (level, resample)" : "irq line");
	pthread_mutex_lock(&t->lock);
	t->io_kick = io_kick;
	t->io_reset = io_reset;
	t->io_opaque = io;
	pthread_mutex_unlock(&t->lock);
	virtio_mmio_set_irq(t, io_irq, io);
	int rc = pthread_create(&io->thread, NULL, io_thread, io);
	if (rc) {
		log_err("%s: cannot start the virtio I/O thread: %s", name, strerror(rc));
		return -1;
	}
	io->started = true;
	return 0;
}

void virtio_io_stop(struct virtio_io *io)
{
	if (!io->t)
		return;
	if (io->started) {
		signal_fd(io->stop_fd);
		pthread_join(io->thread, NULL);
		io->started = false;
	}
	int *fds[] = { &io->stop_fd, &io->irq_fd, &io->resample_fd };
	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	for (unsigned q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		if (io->kick_fd[q] >= 0) {
			close(io->kick_fd[q]);
			io->kick_fd[q] = -1;
		}
	pthread_mutex_destroy(&io->lock);
	io->t = NULL;
}

/* Interrupt the driver every this many completions in a long drain, so it
 * can start on the first results while the device works on the rest. */
#define DRAIN_BATCH 16

void virtio_io_drain(struct virtio_io *io, unsigned q, struct virtq_iov *iov, unsigned iov_max,
		     virtio_io_chain_fn fn, void *opaque)
{
	struct virtq *vq = virtio_mmio_queue(io->t, q);
	const char *why = NULL;
	unsigned done = 0;
	struct virtq_chain ch;

	if (!vq)
		return;
	/* Transport lock, then io->lock: the order a reset takes them in.
	 * Queues change only before DRIVER_OK and in a reset, and a reset
	 * needs io->lock, so with DRIVER_OK seen here the queue stays as it
	 * is until gen moves. */
	pthread_mutex_lock(&io->t->lock);
	bool live = (io->t->status & VIRTIO_STATUS_DRIVER_OK) && !virtio_mmio_broken(io->t) &&
		    vq->ready;
	pthread_mutex_lock(&io->lock);
	pthread_mutex_unlock(&io->t->lock);
	unsigned gen = io->gen;
	if (!live) { /* reset between the kick check and here */
		pthread_mutex_unlock(&io->lock);
		return;
	}
	virtq_notify_disable(vq);
	for (;;) {
		enum virtq_err err = virtq_pop(vq, iov, iov_max, &ch);
		if (err == VIRTQ_EMPTY) {
			/* §2.7.10: re-enable kicks, then look again, or a buffer
			 * added in between would wait for a kick never sent. */
			if (!virtq_notify_enable(vq))
				break;
			virtq_notify_disable(vq);
			continue;
		}
		if (err) {
			why = virtq_strerror(err);
			break;
		}
		int64_t len = fn(opaque, q, iov, &ch, &why);
		if (len < 0) {
			if (!why)
				why = "malformed request";
			break;
		}
		virtq_push(vq, ch.head, (uint32_t)len);
		if (++done % DRAIN_BATCH == 0) {
			/* Interrupt outside io->lock: queue_done takes the
			 * transport lock, which a resetting vCPU holds while it
			 * waits for io->lock. */
			pthread_mutex_unlock(&io->lock);
			virtio_mmio_queue_done(io->t, q);
			pthread_mutex_lock(&io->lock);
		} else {
			/* Let a waiting reset in between requests. */
			pthread_mutex_unlock(&io->lock);
			pthread_mutex_lock(&io->lock);
		}
		if (io->gen != gen || !vq->ready) {
			pthread_mutex_unlock(&io->lock);
			return; /* reset: the queue is gone, nothing to signal */
		}
	}
	pthread_mutex_unlock(&io->lock);
	if (why)
		virtio_mmio_needs_reset(io->t, why);
	else
		virtio_mmio_queue_done(io->t, q);
}

uint32_t virtio_iov_read(const struct virtq_iov *iov, unsigned n, uint32_t off, void *dst,
			 uint32_t len)
{
	uint32_t got = 0;

	for (unsigned i = 0; i < n && got < len; i++) {
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		uint32_t take = iov[i].len - off;
		if (take > len - got)
			take = len - got;
		memcpy((unsigned char *)dst + got, (const unsigned char *)iov[i].base + off, take);
		got += take;
		off = 0;
	}
	return got;
}
