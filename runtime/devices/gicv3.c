/*
 * GICv3 interrupt controller. The hypervisor's GIC does all the work (KVM's
 * in-kernel vGICv3, or HVF's hv_gic on macOS 15+): this device only creates
 * it at the machine file's addresses, distributor at base (64 KiB) then one
 * 128 KiB redistributor per vCPU, and sizes it for the SPIs the machine's
 * devices use. Init runs after every vCPU exists and before any runs,
 * which is when KVM wants KVM_DEV_ARM_VGIC_CTRL_INIT (arm-vgic-v3.rst).
 *
 * Guest accesses to the range are handled by the hypervisor and never exit;
 * if one reaches vibevmm the GIC was not created: log it, read 0.
 */
#include "vibe/device.h"
#include "vibe/log.h"
#include "../hv/hv.h"
#include "../vm.h"

#define GICD_SIZE 0x10000ull

static int gicv3_init(struct vibe_dev *dev)
{
	struct vibe_vm *vm = dev->vm;
	const struct vibe_machine_desc *m = vm->m;
	unsigned nspis = 0;

	for (unsigned i = 0; i < m->ndevs; i++)
		if (m->devs[i].irq >= 0 && (unsigned)m->devs[i].irq + 1 > nspis)
			nspis = (unsigned)m->devs[i].irq + 1;
	if (hv_arm64_create_gic(vm->hv, dev->desc->base, dev->desc->base + GICD_SIZE, vm->nvcpus,
				nspis) < 0)
		return -1;
	/* From now on vibe_vm_irq_line() reaches the GIC's SPIs. */
	vm->has_irqchip = 1;
	return 0;
}

static uint64_t gicv3_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	log_warn_ratelimited("%s: guest read at +0x%llx (size %u) reached vibevmm: the hypervisor's GIC should handle it",
			     dev->desc->name, (unsigned long long)off, size);
	return 0;
}

static void gicv3_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)val;
	log_warn_ratelimited("%s: guest write at +0x%llx (size %u) reached vibevmm: the hypervisor's GIC should handle it",
			     dev->desc->name, (unsigned long long)off, size);
}

const struct vibe_device_ops vibe_dev_gicv3_ops = {
	.type = "gicv3",
	.init = gicv3_init,
	.read = gicv3_read,
	.write = gicv3_write,
};
