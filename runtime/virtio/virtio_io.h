/*
 * The virtio fast paths and the per-device I/O thread, generic for every
 * virtio-mmio device (docs/internals/devices.md, "virtio devices").
 *
 *  - Queue notifications: one eventfd per queue, registered with the
 *    hypervisor as an ioeventfd on QueueNotify (base + 0x050, 4 bytes,
 *    datamatch = queue index), so a guest kick wakes the I/O thread with
 *    no VM exit. Without ioeventfd the QueueNotify exit writes the same
 *    eventfd from the vCPU thread: either way the backend's notify runs on
 *    the I/O thread, never on a vCPU.
 *  - Interrupts: a level-triggered irqfd (KVM_IRQFD with a resample fd)
 *    where the in-kernel irqchip offers it, else vibe_vm_irq_line().
 *  - Serialisation with reset: `lock` is held while a request is worked
 *    on; a device reset (vCPU thread, transport lock held) takes it, bumps
 *    `gen` and so waits for the request in progress, which therefore never
 *    writes guest memory after the reset returns.
 *
 * Use (in the device's init, after virtio_mmio_init()):
 *     virtio_io_start(&d->io, &d->t, dev);        // before the sandbox
 * and in its notify:
 *     virtio_io_drain(&d->io, q, iov, IOV_MAX, handle_chain, d);
 * and in destroy: virtio_io_stop(&d->io).
 */
#ifndef VIBE_VIRTIO_IO_H
#define VIBE_VIRTIO_IO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio_mmio.h"

#define VIRTIO_IO_MAX_FDS 4

struct virtio_io;

/* An extra file descriptor the I/O thread polls for the device (a tap,
 * a console input): cb runs on the I/O thread when it is readable. */
typedef void (*virtio_io_fd_fn)(struct virtio_io *io, int fd, void *opaque);

struct virtio_io {
	struct virtio_mmio *t;
	struct vibe_dev *dev;
	pthread_mutex_t lock;  /* held for one request at a time (see above) */
	unsigned gen;          /* bumped by every reset, under lock */
	pthread_t thread;
	bool started;
	bool ioeventfd;        /* kicks arrive without exits */
	bool irqfd;            /* interrupts through the irqfd */
	int stop_fd;
	int kick_fd[VIRTIO_MMIO_MAX_QUEUES];
	int irq_fd, resample_fd;
	struct { int fd; virtio_io_fd_fn cb; void *opaque; } extra[VIRTIO_IO_MAX_FDS];
	unsigned nextra;
};

/* Before virtio_io_start(): poll `fd` on the I/O thread too. 0 or -1. */
int virtio_io_add_fd(struct virtio_io *io, int fd, virtio_io_fd_fn cb, void *opaque);

/* Eventfds, the KVM fast paths where available, the transport hooks and
 * the thread. From init() (ioctls and thread creation happen before the
 * sandbox). 0, or -1 after logging. */
int virtio_io_start(struct virtio_io *io, struct virtio_mmio *t, struct vibe_dev *dev);
/* Stops and joins the thread, closes the fds. Safe on a zeroed or
 * half-started io. No ioctl (the sandbox is on at exit): KVM drops its
 * ioeventfd/irqfd registrations with the VM. */
void virtio_io_stop(struct virtio_io *io);

/* One chain, called on the I/O thread with io->lock held. iov[0..n_out)
 * device-readable, the rest writable. Returns the bytes written into the
 * writable buffers (the used length), or -1 when the chain is malformed
 * beyond an error status (*why says why; the device gets NEEDS_RESET). */
typedef int64_t (*virtio_io_chain_fn)(void *opaque, unsigned q, struct virtq_iov *iov,
				      const struct virtq_chain *ch, const char **why);

/* Pop and handle every available chain of queue q (kicks suppressed while
 * draining, §2.7.10), push each, then interrupt the driver if it asked
 * (§2.7.7.2). Stops quietly if a reset intervenes. For the backend's
 * notify. iov: iov_max entries (the device's worst legal chain). */
void virtio_io_drain(struct virtio_io *io, unsigned q, struct virtq_iov *iov, unsigned iov_max,
		     virtio_io_chain_fn fn, void *opaque);

/* Bytes of the chain's readable part copied out from offset `off` (the
 * §2.6.4 rule: no assumption about how descriptors frame a request).
 * Returns how many were copied (less than len at the end). */
uint32_t virtio_iov_read(const struct virtq_iov *iov, unsigned n, uint32_t off, void *dst,
			 uint32_t len);

/* The system calls of the I/O thread's own loop, for a device's
 * vibe_dev_syscalls.thread list (add the device's own calls). */
#define VIRTIO_IO_THREAD_CALLS "ppoll", "poll", "read", "write"
/* For vibe_dev_syscalls.vcpu: a vCPU writes eventfds (8 bytes, any fd
 * number) when the transport raises an interrupt from a register access
 * (NEEDS_RESET, a config change: the irqfd) and for a QueueNotify exit
 * where KVM has no ioeventfd (the queue's kick eventfd). */
#define VIRTIO_IO_VCPU_CALLS "write"
/* For vibe_dev_syscalls.main: virtio_io_stop() in destroy() writes the
 * stop eventfd, joins the thread (futex) and closes the fds. */
#define VIRTIO_IO_MAIN_CALLS "write", "close"

#endif
