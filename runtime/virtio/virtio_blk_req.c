/*
 * virtio-blk request handling (virtio spec v1.2 §5.2.6), shared by the
 * device (runtime/devices/virtio_blk.c) and its unit tests.
 *
 * A request is a header (16 device-readable bytes), data, and a status
 * byte: the last device-writable byte (§5.2.6). §2.6.4: descriptors may
 * frame these any way, so the header and segments are gathered from the
 * readable bytes by offset, and the data iovec is cut out of the chain.
 * Header and segments are copied into locals once before use: the guest
 * can rewrite its buffers while we work.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vibe/log.h"
#include "virtio_blk.h"
#include "virtio_io.h"

/* Whether the file system can punch holes: probed where it costs nothing,
 * at the end of the file (KEEP_SIZE: the file does not grow). */
static int probe_punch(int fd, uint64_t size)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)size, 4096) == 0;
}

int virtio_blk_open(struct virtio_blk_disk *d, const char *name, const char *path, int readonly,
		    const char *serial)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->name = name;
	d->readonly = readonly;
	/* O_RDONLY for a read-only disk: the host enforces it too. */
	d->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (d->fd < 0) {
		log_err("%s: disk image '%s': %s%s", name, path, strerror(errno),
			errno == EACCES || errno == EROFS ? " (use ,ro / readonly: true for a read-only disk)" : "");
		return -1;
	}
	if (fstat(d->fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		log_err("%s: disk image '%s' is not a regular file or block device", name, path);
		goto fail;
	}
	off_t end = lseek(d->fd, 0, SEEK_END);
	if (end < 0) {
		log_err("%s: disk image '%s': %s", name, path, strerror(errno));
		goto fail;
	}
	/* §5.2.4: capacity in 512-byte sectors, whatever the block size. */
	d->capacity = (uint64_t)end / VIRTIO_BLK_SECTOR;
	if ((uint64_t)end % VIRTIO_BLK_SECTOR)
		log_warn("%s: disk image '%s' is not a multiple of 512 bytes; the last %llu bytes are not visible",
			 name, path, (unsigned long long)((uint64_t)end % VIRTIO_BLK_SECTOR));
	if (!readonly && S_ISREG(st.st_mode))
		d->can_punch = probe_punch(d->fd, (uint64_t)end);
	if (serial) {
		size_t n = strlen(serial);
		if (n > VIRTIO_BLK_ID_BYTES)
			log_warn("%s: serial '%s' is longer than %d bytes; the guest sees the first %d",
				 name, serial, VIRTIO_BLK_ID_BYTES, VIRTIO_BLK_ID_BYTES);
		memcpy(d->serial, serial, n > VIRTIO_BLK_ID_BYTES ? VIRTIO_BLK_ID_BYTES : n);
	}
	log_info("%s: disk '%s', %llu sectors%s%s", name, path, (unsigned long long)d->capacity,
		 readonly ? ", read-only" : "", d->can_punch ? ", discard/write-zeroes" : "");
	return 0;
fail:
	close(d->fd);
	d->fd = -1;
	return -1;
}

void virtio_blk_close(struct virtio_blk_disk *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

uint64_t virtio_blk_features(const struct virtio_blk_disk *d)
{
	uint64_t f = 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
		     1ull << VIRTIO_BLK_F_FLUSH;
	if (d->readonly)
		f |= 1ull << VIRTIO_BLK_F_RO;
	else if (d->can_punch)
		f |= 1ull << VIRTIO_BLK_F_DISCARD | 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
	return f;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Build the data iovec: bytes [skip, skip + len) of iov[0..n). */
static unsigned cut(const struct virtq_iov *iov, unsigned n, uint32_t skip, uint32_t len,
		    struct iovec *out)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n && len; i++) {
		if (skip >= iov[i].len) {
			skip -= iov[i].len;
			continue;
		}
		uint32_t take = iov[i].len - skip;
		if (take > len)
			take = len;
		out[k].iov_base = (uint8_t *)iov[i].base + skip;
		out[k].iov_len = take;
		k++;
		len -= take;
		skip = 0;
	}
	return k;
}

/* Whole transfer or an error: partial results are retried from where they
 * stopped; end of file (the image shrank under us) is EIO. Returns 0 or
 * an errno value. */
static int transfer(int fd, int write, struct iovec *v, unsigned n, uint64_t off)
{
	while (n) {
		ssize_t r = write ? pwritev(fd, v, (int)n, (off_t)off) : preadv(fd, v, (int)n, (off_t)off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (r == 0)
			return EIO;
		off += (uint64_t)r;
		while (n && (size_t)r >= v->iov_len) {
			r -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n) {
			v->iov_base = (uint8_t *)v->iov_base + r;
			v->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/* [sector, sector + bytes/512) inside the disk, bytes a whole number of
 * sectors (§5.2.6.2: the driver sends multiples of 512; anything else is
 * an error, not a partial sector). */
static int in_range(const struct virtio_blk_disk *d, uint64_t sector, uint64_t bytes)
{
	return bytes % VIRTIO_BLK_SECTOR == 0 && sector <= d->capacity &&
	       bytes / VIRTIO_BLK_SECTOR <= d->capacity - sector;
}

static uint8_t host_error(const struct virtio_blk_disk *d, const char *what, uint64_t sector,
			  int err)
{
	/* A full host disk can make every write fail: rate-limited. The
	 * guest always hears of it (IOERR); the log says why. */
	log_warn_ratelimited("%s: virtio-blk: %s at sector %llu: %s (guest gets an I/O error)",
			     d->name, what, (unsigned long long)sector, strerror(err));
	return VIRTIO_BLK_S_IOERR;
}

static uint8_t do_rw(struct virtio_blk_disk *d, int write, const struct virtq_iov *iov,
		     unsigned n, uint32_t skip, uint32_t len, uint64_t sector)
{
	struct iovec v[VIRTQ_MAX_SIZE < 1024 ? VIRTQ_MAX_SIZE : 1024];
	if (!in_range(d, sector, len) || n > sizeof(v) / sizeof(v[0]))
		return VIRTIO_BLK_S_IOERR;
	unsigned k = cut(iov, n, skip, len, v);
	int err = transfer(d->fd, write, v, k, sector * VIRTIO_BLK_SECTOR);
	return err ? host_error(d, write ? "write" : "read", sector, err) : VIRTIO_BLK_S_OK;
}

/* §5.2.6.1 discard / write zeroes, one segment at a time. */
static uint8_t do_segments(struct virtio_blk_disk *d, uint32_t type, const struct virtq_iov *iov,
			   unsigned n_out, uint32_t len)
{
	if (!d->can_punch)
		return VIRTIO_BLK_S_UNSUPP; /* feature not offered */
	if (d->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (len == 0 || len % VIRTIO_BLK_SEG_SIZE || len / VIRTIO_BLK_SEG_SIZE > VIRTIO_BLK_MAX_SEGS)
		return VIRTIO_BLK_S_IOERR;
	for (uint32_t off = 0; off < len; off += VIRTIO_BLK_SEG_SIZE) {
		uint8_t seg[VIRTIO_BLK_SEG_SIZE];
		virtio_iov_read(iov, n_out, VIRTIO_BLK_HDR_SIZE + off, seg, sizeof(seg));
		uint64_t sector = le64(seg);
		uint32_t num = le32(seg + 8), flags = le32(seg + 12);
		/* §5.2.6.2: reserved flags, or unmap on a discard: UNSUPP. */
		if ((flags & ~VIRTIO_BLK_WZ_F_UNMAP) ||
		    (type == VIRTIO_BLK_T_DISCARD && (flags & VIRTIO_BLK_WZ_F_UNMAP)))
			return VIRTIO_BLK_S_UNSUPP;
		if (!in_range(d, sector, (uint64_t)num * VIRTIO_BLK_SECTOR))
			return VIRTIO_BLK_S_IOERR;
		if (num == 0)
			continue;
		off_t o = (off_t)(sector * VIRTIO_BLK_SECTOR), l = (off_t)num * VIRTIO_BLK_SECTOR;
		int rc;
		if (type == VIRTIO_BLK_T_WRITE_ZEROES && !(flags & VIRTIO_BLK_WZ_F_UNMAP)) {
			/* Zeroes that stay allocated; a hole reads as zeroes
			 * too where ZERO_RANGE is missing (tmpfs). */
			rc = fallocate(d->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, o, l);
			if (rc < 0 && errno == EOPNOTSUPP)
				rc = fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, o, l);
		} else {
			rc = fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, o, l);
		}
		if (rc < 0)
			return host_error(d, type == VIRTIO_BLK_T_DISCARD ? "discard" : "write zeroes",
					  sector, errno);
	}
	return VIRTIO_BLK_S_OK;
}

int64_t virtio_blk_handle(struct virtio_blk_disk *d, struct virtq_iov *iov,
			  const struct virtq_chain *ch, const char **why)
{
	/* §5.2.6: the status is the last device-writable byte. Without one
	 * there is no way to answer: the driver broke the device. */
	if (ch->in_len == 0) {
		*why = "virtio-blk request without a writable status byte";
		return -1;
	}
	const struct virtq_iov *last = &iov[ch->n - 1];
	uint8_t *status = (uint8_t *)last->base + last->len - 1;
	const struct virtq_iov *win = iov + ch->n_out;
	unsigned n_in = ch->n - ch->n_out;
	uint32_t in_data = ch->in_len - 1, used = 1;
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE], st;

	if (virtio_iov_read(iov, ch->n_out, 0, hdr, sizeof(hdr)) < sizeof(hdr)) {
		/* Too short for a header: an error the driver can be told. */
		log_warn_ratelimited("%s: virtio-blk: request shorter than its 16-byte header", d->name);
		*status = VIRTIO_BLK_S_IOERR;
		return 1;
	}
	uint32_t type = le32(hdr), out_data = ch->out_len - VIRTIO_BLK_HDR_SIZE;
	uint64_t sector = le64(hdr + 8);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		st = do_rw(d, 0, win, n_in, 0, in_data, sector);
		if (st == VIRTIO_BLK_S_OK)
			used += in_data;
		break;
	case VIRTIO_BLK_T_OUT:
		/* §5.2.6.2: a write to a read-only device is IOERR, and no
		 * data is written (the fd is O_RDONLY as well). */
		st = d->readonly ? VIRTIO_BLK_S_IOERR
				 : do_rw(d, 1, iov, ch->n_out, VIRTIO_BLK_HDR_SIZE, out_data, sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		/* Completed writes are in the host page cache; this puts them
		 * on stable storage before the guest hears OK. */
		if (d->fd < 0)
			st = VIRTIO_BLK_S_OK; /* no medium: nothing to flush */
		else
			st = fdatasync(d->fd) == 0 ? VIRTIO_BLK_S_OK : host_error(d, "flush", 0, errno);
		break;
	case VIRTIO_BLK_T_GET_ID: {
		/* §5.2.6: up to 20 bytes, NUL-padded, not NUL-terminated at 20. */
		struct iovec v[VIRTQ_MAX_SIZE < 1024 ? VIRTQ_MAX_SIZE : 1024];
		uint32_t n = in_data < VIRTIO_BLK_ID_BYTES ? in_data : VIRTIO_BLK_ID_BYTES, done = 0;
		unsigned k = n_in <= sizeof(v) / sizeof(v[0]) ? cut(win, n_in, 0, n, v) : 0;
		for (unsigned i = 0; i < k; i++) {
			memcpy(v[i].iov_base, d->serial + done, v[i].iov_len);
			done += (uint32_t)v[i].iov_len;
		}
		used += done;
		st = VIRTIO_BLK_S_OK;
		break;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		st = do_segments(d, type, iov, ch->n_out, out_data);
		break;
	default:
		st = VIRTIO_BLK_S_UNSUPP;
	}
	*status = st;
	return used;
}
