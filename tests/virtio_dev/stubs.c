/*
 * TEST DOUBLES, tests/virtio_dev only: the runtime calls virtio_io.c makes
 * (KVM fast paths, the irq line, the sandbox), so the device request code
 * links without a VM: no ioeventfd or irqfd (the fallbacks), and the
 * irq line counts raises.
 */
#include "vibe/device.h"
#include "vibe/machine.h"

struct vibe_vm;

int vibe_vm_ioeventfd(struct vibe_vm *vm, enum vibe_space space, uint64_t addr, unsigned size,
		      int fd, int has_data, uint64_t data);
int vibe_vm_irqfd(struct vibe_vm *vm, unsigned irq, int irq_fd, int resample_fd);
int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level);
void vibe_sandbox_enter_dev(const struct vibe_dev *dev);

int vibe_vm_ioeventfd(struct vibe_vm *vm, enum vibe_space space, uint64_t addr, unsigned size,
		      int fd, int has_data, uint64_t data)
{
	(void)vm; (void)space; (void)addr; (void)size; (void)fd; (void)has_data; (void)data;
	return -1;
}

int vibe_vm_irqfd(struct vibe_vm *vm, unsigned irq, int irq_fd, int resample_fd)
{
	(void)vm; (void)irq; (void)irq_fd; (void)resample_fd;
	return -1;
}

unsigned stub_irq_raises; /* calls with level 1, for test_virtio_io */
int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level)
{
	(void)vm; (void)irq;
	if (level)
		__atomic_add_fetch(&stub_irq_raises, 1, __ATOMIC_RELEASE);
	return 0;
}

void vibe_sandbox_enter_dev(const struct vibe_dev *dev)
{
	(void)dev;
}
