/*
 * virtio-net (virtio spec v1.2 §5.1) on a Linux tap device: one receive
 * and one transmit queue, no control queue, no offloads (virtio_net.h says
 * why), MAC from the machine file's `mac:` or derived from the device name.
 *
 * The tap: `tap: IFNAME` in the machine file or `--net NAME=tap:IFNAME`.
 * Opened with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a 12-byte vnet header
 * (TUNSETVNETHDRSZ), the size of the VERSION_1 virtio_net_hdr, so each
 * read(2)/write(2) of the tap is one header plus one frame. TUNSETOFFLOAD 0:
 * the host kernel checksums and segments for us, as we offer the guest no
 * offload. Without a tap the device still exists (the default virt machine
 * declares net0 and most runs need no network): its link is down
 * (VIRTIO_NET_S_LINK_UP clear, §5.1.4), transmitted frames are dropped and
 * nothing is received.
 *
 * Threads: everything runs on the device's I/O thread (virtio_io.c): TX
 * kicks, RX kicks, and the tap becoming readable. The tap is watched
 * through an epoll fd of our own (itself polled by the I/O thread), so it
 * can be switched off while the driver has no receive buffers: a readable
 * tap with nowhere to put the frame would otherwise wake the thread in a
 * loop. The driver's next RX kick switches it on again.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vibe/log.h"
#include "virtio/virtio_io.h"
#include "virtio/virtio_snap.h"
#include "virtio/virtio_net.h"
#include "vm.h"

#define NET_QUEUE_MAX 256
#define NET_IOV_MAX   NET_QUEUE_MAX
#define RXQ 0 /* §5.1.2: receiveq1 */
#define TXQ 1 /* transmitq1 */
/* Interrupt the driver at least this often in a burst of frames. */
#define RX_BATCH 16

struct net {
	struct virtio_mmio t;
	struct virtio_io io;
	int tap_fd, ep_fd;  /* -1 without a tap */
	bool tap_watched;   /* EPOLLIN armed on tap_fd */
	uint8_t config[VIRTIO_NET_CFG_SIZE];
	/* RX: a frame read from the tap waits here until a chain takes it
	 * (a chain once popped cannot be given back). I/O thread only. */
	uint32_t pending;
	struct virtq_iov rx_iov[NET_IOV_MAX];
	struct virtq_iov tx_iov[NET_IOV_MAX];
	struct iovec tx_out[NET_IOV_MAX + 1];
	struct virtio_net_hdr tx_hdr;
	uint8_t pkt[VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_FRAME];
};

static uint32_t net_config_read(struct virtio_mmio *t, uint32_t off, unsigned size)
{
	struct net *n = t->opaque;
	uint32_t v = 0;

	memcpy(&v, n->config + off, size); /* little-endian host, as the config */
	return v;
}

/* §5.1.4: nothing in this config is driver-writable (the MAC is
 * read-only without the legacy interface): writes are ignored. */
static void net_config_write(struct virtio_mmio *t, uint32_t off, unsigned size, uint32_t val)
{
	(void)t, (void)off, (void)size, (void)val;
}

static void tap_watch(struct net *n, bool on)
{
	if (n->tap_fd < 0 || n->tap_watched == on)
		return;
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.fd = n->tap_fd };
	if (epoll_ctl(n->ep_fd, EPOLL_CTL_MOD, n->tap_fd, &ev) < 0)
		log_warn_ratelimited("%s: epoll_ctl on the tap: %s", n->t.name, strerror(errno));
	else
		n->tap_watched = on;
}

/* Move frames from the tap into RX chains until either runs out. I/O
 * thread. io.lock serialises with a device reset, as virtio_io_drain. */
static void rx_run(struct net *n)
{
	struct virtq *vq = virtio_mmio_queue(&n->t, RXQ);
	const char *why = NULL;
	unsigned done = 0;
	struct virtq_chain ch;

	if (n->tap_fd < 0)
		return;
	pthread_mutex_lock(&n->io.lock);
	unsigned gen = n->io.gen;
	for (;;) {
		if (!vq->ready) { /* no driver yet, or a reset: kick re-arms */
			tap_watch(n, false);
			break;
		}
		if (!n->pending) {
			ssize_t r = read(n->tap_fd, n->pkt, sizeof(n->pkt));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				if (errno != EAGAIN)
					log_warn_ratelimited("%s: tap read: %s", n->t.name, strerror(errno));
				break;
			}
			if (r <= (ssize_t)VIRTIO_NET_HDR_LEN)
				continue; /* nothing behind the header: not a frame */
			n->pending = (uint32_t)r;
		}
		enum virtq_err err = virtq_pop(vq, n->rx_iov, NET_IOV_MAX, &ch);
		if (err == VIRTQ_EMPTY) {
			/* §2.7.10: ask for a kick (with EVENT_IDX this moves
			 * avail_event), then look once more for a buffer added
			 * in between; none: park the tap until the kick. */
			if (virtq_notify_enable(vq))
				continue;
			tap_watch(n, false);
			break;
		}
		if (err) {
			why = virtq_strerror(err);
			break;
		}
		uint32_t len = virtio_net_rx_fill(n->rx_iov, &ch, n->pkt, n->pending);
		if (!len)
			log_warn_ratelimited("%s: %u-byte frame dropped: receive buffer of %u bytes",
					     n->t.name, n->pending - VIRTIO_NET_HDR_LEN, ch.in_len);
		n->pending = 0;
		virtq_push(vq, ch.head, len);
		if (++done % RX_BATCH == 0) {
			/* queue_done takes the transport lock: not under io.lock
			 * (a resetting vCPU holds it and waits for io.lock). */
			pthread_mutex_unlock(&n->io.lock);
			virtio_mmio_queue_done(&n->t, RXQ);
			pthread_mutex_lock(&n->io.lock);
			if (n->io.gen != gen || !vq->ready) {
				pthread_mutex_unlock(&n->io.lock);
				return;
			}
		}
	}
	pthread_mutex_unlock(&n->io.lock);
	if (why)
		virtio_mmio_needs_reset(&n->t, why);
	else if (done % RX_BATCH)
		virtio_mmio_queue_done(&n->t, RXQ);
}

/* The tap (through the epoll fd) is readable. */
static void on_tap(struct virtio_io *io, int fd, void *opaque)
{
	(void)io, (void)fd;
	rx_run(opaque);
}

/* One TX chain: the frame goes to the tap as it is (one write, one frame)
 * behind our checked copy of its header. Nothing is written back: used
 * length 0 (§5.1.6.2). A frame the tap refuses, or any frame while the link
 * is down, is dropped, as a NIC drops what it cannot send. */
static int64_t tx_chain(void *opaque, unsigned q, struct virtq_iov *iov,
			const struct virtq_chain *ch, const char **why_reset)
{
	struct net *n = opaque;
	const char *why = NULL;

	(void)q, (void)why_reset;
	if (n->tap_fd < 0)
		return 0;
	int cnt = virtio_net_tx_iov(iov, ch, &n->tx_hdr, n->tx_out, NET_IOV_MAX + 1, &why);
	if (cnt < 0) {
		log_warn_ratelimited("%s: transmitted packet dropped: %s", n->t.name, why);
		return 0;
	}
	while (writev(n->tap_fd, n->tx_out, cnt) < 0) {
		if (errno == EINTR)
			continue;
		/* EIO: the tap is down on the host; EAGAIN: its queue is full. */
		log_debug("%s: tap write: %s; frame dropped", n->t.name, strerror(errno));
		break;
	}
	return 0;
}

static void net_notify(struct virtio_mmio *t, unsigned q)
{
	struct net *n = t->opaque;

	if (q == TXQ) {
		virtio_io_drain(&n->io, TXQ, n->tx_iov, NET_IOV_MAX, tx_chain, n);
		return;
	}
	/* RX kick: the driver added receive buffers. */
	tap_watch(n, true);
	rx_run(n);
}

/* DRIVER_OK (vCPU thread, transport lock held). A driver may make
 * receive buffers available and kick before DRIVER_OK (§3.1.1 has it set
 * up the queues first), and the transport ignores such kicks: hand the
 * I/O thread an RX kick so it looks at the ring once the device is live. */
static int net_activate(struct virtio_mmio *t)
{
	if (t->io_kick)
		t->io_kick(t->io_opaque, RXQ);
	return 0;
}

static const struct virtio_mmio_backend net_backend = {
	.device_id = VIRTIO_ID_NET,
	.features = (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS),
	.num_queues = 2,
	.queue_max = NET_QUEUE_MAX,
	.config_size = VIRTIO_NET_CFG_SIZE,
	.config_read = net_config_read,
	.config_write = net_config_write,
	.activate = net_activate,
	.notify = net_notify,
};

static int tap_open(struct net *n, const char *dev, const char *ifname)
{
	struct ifreq ifr;
	int hdr = VIRTIO_NET_HDR_LEN;

	if (strlen(ifname) == 0 || strlen(ifname) >= IFNAMSIZ) {
		log_err("%s: tap name '%s' must be 1..%d characters", dev, ifname, IFNAMSIZ - 1);
		return -1;
	}
	n->tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->tap_fd < 0) {
		log_err("%s: /dev/net/tun: %s (is the tun module loaded?)", dev, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(n->tap_fd, TUNSETIFF, &ifr) < 0) {
		log_err("%s: cannot attach to tap '%s': %s%s", dev, ifname, strerror(errno),
			errno == EPERM ? " (create it first: ip tuntap add dev IFNAME mode tap user USER)"
				       : errno == EBUSY ? " (in use by another process?)" : "");
		return -1;
	}
	if (ioctl(n->tap_fd, TUNSETVNETHDRSZ, &hdr) < 0 || ioctl(n->tap_fd, TUNSETOFFLOAD, 0) < 0) {
		log_err("%s: tap '%s': vnet header set-up: %s", dev, ifname, strerror(errno));
		return -1;
	}
	n->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = 0, .data.fd = n->tap_fd };
	if (n->ep_fd < 0 || epoll_ctl(n->ep_fd, EPOLL_CTL_ADD, n->tap_fd, &ev) < 0) {
		log_err("%s: epoll: %s", dev, strerror(errno));
		return -1;
	}
	return 0;
}

static void net_free(struct net *n)
{
	virtio_io_stop(&n->io);
	if (n->t.be)
		virtio_mmio_destroy(&n->t);
	if (n->tap_fd >= 0)
		close(n->tap_fd);
	if (n->ep_fd >= 0)
		close(n->ep_fd);
	free(n);
}

static int net_init(struct vibe_dev *dev)
{
	const char *name = dev->desc->name, *src = dev->desc->src ? dev->desc->src : "?";
	const char *mac_s = vibe_dev_prop_str(dev, "mac", NULL);
	const char *tap = vibe_dev_prop_str(dev, "tap", NULL);
	struct net *n = calloc(1, sizeof(*n));

	if (!n) {
		log_err("out of memory");
		return -1;
	}
	n->tap_fd = n->ep_fd = -1;
	if (mac_s && virtio_net_mac_parse(mac_s, n->config) < 0) {
		log_err("%s: mac '%s' is not a unicast MAC like 52:54:00:12:34:56 (%s)", name, mac_s, src);
		goto fail;
	}
	if (!mac_s)
		virtio_net_mac_derive(name, n->config);
	if (tap && *tap && tap_open(n, name, tap) < 0)
		goto fail;
	n->config[6] = n->tap_fd >= 0 ? VIRTIO_NET_S_LINK_UP : 0; /* le16 status */
	if (n->tap_fd >= 0)
		log_info("%s: tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", name, tap, n->config[0],
			 n->config[1], n->config[2], n->config[3], n->config[4], n->config[5]);
	else
		log_info("%s: no tap (--net %s=tap:IFNAME): link down", name, name);
	if (virtio_mmio_init(&n->t, dev, &net_backend, n) < 0)
		goto fail;
	dev->state = &n->t;
	if (n->ep_fd >= 0 && virtio_io_add_fd(&n->io, n->ep_fd, on_tap, n) < 0)
		goto fail;
	if (virtio_io_start(&n->io, &n->t, dev) < 0)
		goto fail;
	return 0;
fail:
	dev->state = NULL;
	net_free(n);
	return -1;
}

static void net_destroy(struct vibe_dev *dev)
{
	struct virtio_mmio *t = dev->state;

	if (!t)
		return;
	net_free(t->opaque);
	dev->state = NULL;
}

/* Snapshot restore: the transport's state (virtio_snap.c). A frame that
 * waited in `pending` is not saved (a NIC may drop it); the restored
 * driver's receive buffers are looked at through an RX kick, which also
 * switches the tap on again. Before any vCPU runs. */
static int net_restore(struct vibe_dev *dev, const void *buf, size_t len)
{
	struct virtio_mmio *t = dev->state;

	if (virtio_mmio_restore(dev, buf, len) < 0)
		return -1;
	if (t->io_kick && (t->status & VIRTIO_STATUS_DRIVER_OK))
		t->io_kick(t->io_opaque, RXQ);
	return 0;
}

/* The I/O thread: its loop, the tap (read, writev), its epoll switch. */
static const char *const net_thread_calls[] = { VIRTIO_IO_THREAD_CALLS, "writev", "epoll_ctl", NULL };
/* vCPU thread, in net_activate(): the RX kick's eventfd write. */
static const char *const net_vcpu_calls[] = { "write", NULL };
static const struct vibe_dev_syscalls net_syscalls = { .vcpu = net_vcpu_calls,
	.thread = net_thread_calls };

const struct vibe_device_ops vibe_dev_virtio_net_ops = {
	.type = "virtio-net",
	.init = net_init,
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
	.reset = virtio_mmio_reset,
	.destroy = net_destroy,
	.syscalls = &net_syscalls,
	.save = virtio_mmio_save, /* runtime/virtio/virtio_snap.c */
	.restore = net_restore,
};
