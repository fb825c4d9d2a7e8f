/*
 * debug-exit: the guest's way to end vibevmm with a verdict. A write of
 * value V, of any size at any offset, ends the run with exit status
 * V & 0xff (QEMU's isa-debug-exit computes (V << 1) | 1 instead; a plain
 * V lets a test guest say "0 = pass" and keeps the codes readable). Reads
 * return 0. The request stops every vCPU; the first request wins.
 */
#include "vibe/device.h"
#include "vibe/log.h"
#include "../vm.h"

static uint64_t debug_exit_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	return 0;
}

static void debug_exit_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
	int status = (int)(val & 0xff);

	log_info("%s: guest requested exit with status %d (wrote 0x%llx)",
		 dev->desc->name, status, (unsigned long long)val);
	vibe_vm_request_exit(dev->vm, status);
}

const struct vibe_device_ops vibe_dev_debug_exit_ops = {
	.type = "debug-exit",
	.read = debug_exit_read,
	.write = debug_exit_write,
};
