/*
 * virtio-blk requests (virtio spec v1.2 §5.2): the device-independent
 * half of runtime/devices/virtio_blk.c, kept apart so the unit tests
 * (tests/virtio_dev/) can drive it on fake guest memory and a temp file.
 */
#ifndef VIBE_VIRTIO_BLK_H
#define VIBE_VIRTIO_BLK_H

#include <stdint.h>

#include "virtqueue.h"

#define VIRTIO_ID_BLOCK 2

/* §5.2.3 feature bits */
#define VIRTIO_BLK_F_SIZE_MAX     1
#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* §5.2.6 request types and status values */
#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_WZ_F_UNMAP 1u /* discard/write-zeroes segment flag */

#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_HDR_SIZE 16  /* le32 type, le32 reserved, le64 sector */
#define VIRTIO_BLK_SEG_SIZE 16  /* le64 sector, le32 num_sectors, le32 flags */
/* §5.2.4: config through write_zeroes_may_unmap and its padding. */
#define VIRTIO_BLK_CONFIG_SIZE 60
/* Most discard / write-zeroes segments one request may carry. */
#define VIRTIO_BLK_MAX_SEGS 1

struct virtio_blk_disk {
	const char *name;   /* device name, for log lines */
	int fd;
	int readonly;
	int can_punch;      /* fallocate(PUNCH_HOLE) works: discard, write-zeroes */
	uint64_t capacity;  /* sectors */
	char serial[VIRTIO_BLK_ID_BYTES]; /* NUL-padded, not terminated at 20 */
};

/* Opens `path` (O_RDONLY when readonly) and probes it. 0, or -1 after one
 * clear line. */
int virtio_blk_open(struct virtio_blk_disk *d, const char *name, const char *path, int readonly,
		    const char *serial);
void virtio_blk_close(struct virtio_blk_disk *d);
/* The device feature bits this disk offers (§5.2.3). */
uint64_t virtio_blk_features(const struct virtio_blk_disk *d);

/* One request chain, as popped by the walker: does the I/O and writes the
 * status byte. Returns the used length (bytes written to the guest), or
 * -1 with *why when the chain has no status byte to answer in (the
 * device then needs a reset). Never reads a guest field twice. */
int64_t virtio_blk_handle(struct virtio_blk_disk *d, struct virtq_iov *iov,
			  const struct virtq_chain *ch, const char **why);

#endif
