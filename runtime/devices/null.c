/*
 * null: a device that does nothing, any size, any offset: reads return 0,
 * writes are dropped. A placeholder during bring-up, and the target of
 * bench-exit, where it makes the measured cost the exit path's alone.
 */
#include "vibe/device.h"

static uint64_t null_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	return 0;
}

static void null_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
}

const struct vibe_device_ops vibe_dev_null_ops = {
	.type = "null",
	.read = null_read,
	.write = null_write,
};
