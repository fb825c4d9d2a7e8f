/*
 * virtio-blk (virtio spec v1.2 §5.2) on the virtio-mmio transport, backed
 * by a raw image file: the machine file's `path:` or `--disk NAME=PATH[,ro]`.
 *
 * Requests run on the device's I/O thread (virtio_io.c), one at a time,
 * with preadv/pwritev straight between the file and the guest buffers the
 * virtqueue walker checked: no bounce buffer. A request completes only
 * after the host call has returned, so every completed write is in the
 * host's page cache (it survives the VMM being killed) and every FLUSH is
 * an fdatasync(2) (it survives the host losing power). Any host error
 * becomes VIRTIO_BLK_S_IOERR for the guest, never a silent success.
 *
 * The parsing half (header, data, status byte, segments) is
 * virtio_blk_handle(), which the unit tests drive on fake guest memory.
 */
#include <stdlib.h>
#include <string.h>

#include "vibe/log.h"
#include "virtio/virtio_blk.h"
#include "virtio/virtio_snap.h"
#include "virtio/virtio_io.h"
#include "vm.h"

#define BLK_QUEUE_MAX 256
/* §5.2.4 seg_max: data segments per request. With the header and the
 * status byte a chain is at most seg_max + 2 descriptors; our iovec holds
 * a whole queue's worth, so any legal chain fits. */
#define BLK_SEG_MAX (BLK_QUEUE_MAX - 2)
#define BLK_IOV_MAX BLK_QUEUE_MAX
#define BLK_SIZE_MAX (1u << 20) /* §5.2.4 size_max: bytes per segment */
/* Discard / write-zeroes: one segment per request, up to 1 GiB each. */
#define BLK_MAX_DISCARD_SECTORS (1u << 21)

struct blk {
	struct virtio_mmio t;
	struct virtio_io io;
	struct virtio_blk_disk disk;
	struct virtq_iov iov[BLK_IOV_MAX];
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* §5.2.4: the config layout, little-endian, filled once at init. */
static void fill_config(uint8_t *c, const struct virtio_blk_disk *d)
{
	memset(c, 0, VIRTIO_BLK_CONFIG_SIZE);
	put_le(c + 0, d->capacity, 8);
	put_le(c + 8, BLK_SIZE_MAX, 4);
	put_le(c + 12, BLK_SEG_MAX, 4);
	put_le(c + 36, BLK_MAX_DISCARD_SECTORS, 4); /* max_discard_sectors */
	put_le(c + 40, 1, 4);                       /* max_discard_seg */
	put_le(c + 44, 1, 4);                       /* discard_sector_alignment */
	put_le(c + 48, BLK_MAX_DISCARD_SECTORS, 4); /* max_write_zeroes_sectors */
	put_le(c + 52, 1, 4);                       /* max_write_zeroes_seg */
	c[56] = 1;                                  /* write_zeroes_may_unmap */
}

static uint32_t blk_config_read(struct virtio_mmio *t, uint32_t off, unsigned size)
{
	struct blk *b = t->opaque;
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)b->config[off + i] << (8 * i);
	return v;
}

static void blk_config_write(struct virtio_mmio *t, uint32_t off, unsigned size, uint32_t val)
{
	/* Only `writeback` is writable, with VIRTIO_BLK_F_CONFIG_WCE, which
	 * we do not offer: the cache is always write-back with FLUSH. */
	(void)val;
	log_warn_ratelimited("%s: virtio-blk: config write at %#x size %u ignored", t->name, off, size);
}

static int64_t blk_chain(void *opaque, unsigned q, struct virtq_iov *iov,
			 const struct virtq_chain *ch, const char **why)
{
	struct blk *b = opaque;
	(void)q;
	return virtio_blk_handle(&b->disk, iov, ch, why);
}

static void blk_notify(struct virtio_mmio *t, unsigned q)
{
	struct blk *b = t->opaque;
	virtio_io_drain(&b->io, q, b->iov, BLK_IOV_MAX, blk_chain, b);
}

static struct virtio_mmio_backend blk_backend_tmpl = {
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.queue_max = BLK_QUEUE_MAX,
	.config_size = VIRTIO_BLK_CONFIG_SIZE,
	.config_read = blk_config_read,
	.config_write = blk_config_write,
	.notify = blk_notify,
};

static int blk_init(struct vibe_dev *dev)
{
	const char *name = dev->desc->name;
	const char *path = vibe_dev_prop_str(dev, "path", NULL);
	struct blk *b;

	b = calloc(1, sizeof(*b));
	if (!b) {
		log_err("out of memory");
		return -1;
	}
	if (!path) {
		/* No medium (devtypes.c: `path` absent): an empty, read-only
		 * disk of 0 sectors, like a drive with no disc in it; every
		 * I/O request fails. */
		log_info("%s: virtio-blk without a disk image (give --disk %s=PATH): no medium",
			 name, name);
		b->disk = (struct virtio_blk_disk){ .name = name, .fd = -1, .readonly = 1 };
	} else if (virtio_blk_open(&b->disk, name, path, vibe_dev_prop_u64(dev, "readonly", 0) != 0,
				   vibe_dev_prop_str(dev, "serial", NULL)) < 0) {
		free(b);
		return -1;
	}
	fill_config(b->config, &b->disk);
	/* The feature set depends on the file (read-only, hole punching):
	 * a per-device copy of the backend description. */
	struct virtio_mmio_backend *be = malloc(sizeof(*be));
	if (!be) {
		log_err("out of memory");
		goto fail;
	}
	*be = blk_backend_tmpl;
	be->features = virtio_blk_features(&b->disk);
	if (virtio_mmio_init(&b->t, dev, be, b) < 0) {
		free(be);
		goto fail;
	}
	dev->state = &b->t;
	if (virtio_io_start(&b->io, &b->t, dev) < 0) {
		virtio_io_stop(&b->io);
		dev->state = NULL;
		free(be);
		goto fail;
	}
	return 0;
fail:
	virtio_blk_close(&b->disk);
	free(b);
	return -1;
}

static void blk_destroy(struct vibe_dev *dev)
{
	struct virtio_mmio *t = dev->state;
	if (!t)
		return;
	struct blk *b = t->opaque;
	virtio_io_stop(&b->io);
	virtio_mmio_destroy(&b->t);
	virtio_blk_close(&b->disk);
	free((void *)b->t.be);
	free(b);
	dev->state = NULL;
}

/* The I/O thread: its loop, then the file calls of virtio_blk_handle()
 * (preadv/pwritev and their 64-bit-offset variants glibc may pick,
 * fdatasync, fallocate). */
static const char *const blk_thread_calls[] = {
	VIRTIO_IO_THREAD_CALLS, "preadv", "pwritev", "preadv2", "pwritev2", "pread64", "pwrite64",
	"fdatasync", "fallocate", NULL,
};
static const char *const blk_vcpu_calls[] = { VIRTIO_IO_VCPU_CALLS, NULL };
static const char *const blk_main_calls[] = { VIRTIO_IO_MAIN_CALLS, NULL };
static const struct vibe_dev_syscalls blk_syscalls = { .vcpu = blk_vcpu_calls,
						     .thread = blk_thread_calls,
						     .main = blk_main_calls };

const struct vibe_device_ops vibe_dev_virtio_blk_ops = {
	.type = "virtio-blk",
	.init = blk_init,
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
	.reset = virtio_mmio_reset,
	.destroy = blk_destroy,
	.syscalls = &blk_syscalls,
	.save = virtio_mmio_save, /* runtime/virtio/virtio_snap.c */
	.restore = virtio_mmio_restore,
};
