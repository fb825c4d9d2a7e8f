/*
 * acpi-pm: the ACPI PM1a event and control blocks and a reset register,
 * in port I/O, which the FADT (runtime/arch/x86_64/acpi.c) points at.
 * Layout in vibe/acpi_pm.h (ACPI 6.5 section 4.8.3.1-2):
 *   +0 PM1_STS  (2)  write 1 to clear; nothing ever sets a bit here
 *   +2 PM1_EN   (2)  stored, read back
 *   +4 PM1_CNT  (2)  SCI_EN reads 1 (ACPI mode, no SMM hand-over);
 *                    SLP_TYP = S5 with SLP_EN: power off
 *   +6 RESET    (1)  writing VIBE_ACPI_RESET_VALUE: reboot
 * Power-off and reboot both end vibevmm with status 0 (a VMM has nothing
 * to reboot into; the caller starts it again if it wants to).
 * The SCI is never raised: there are no fixed events to report.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vibe/acpi_pm.h"
#include "vibe/device.h"
#include "vibe/log.h"
#include "../vm.h"

struct acpi_pm {
	pthread_mutex_t lock;
	uint16_t en, cnt;
};

static uint8_t reg_byte(struct acpi_pm *pm, uint64_t off)
{
	switch (off) {
	case 2: return (uint8_t)pm->en;
	case 3: return (uint8_t)(pm->en >> 8);
	case 4: return (uint8_t)(pm->cnt | VIBE_ACPI_SCI_EN);
	case 5: return (uint8_t)(pm->cnt >> 8);
	default: return 0; /* status: no event pending; reset reads 0 */
	}
}

static uint64_t acpi_pm_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	struct acpi_pm *pm = dev->state;
	uint64_t v = 0;

	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (uint64_t)reg_byte(pm, off + i) << (8 * i);
	pthread_mutex_unlock(&pm->lock);
	return v;
}

static void control_written(struct vibe_dev *dev, uint16_t cnt)
{
	unsigned typ = (cnt & VIBE_ACPI_SLP_TYP_MASK) >> VIBE_ACPI_SLP_TYP_SHIFT;

	if (!(cnt & VIBE_ACPI_SLP_EN))
		return;
	if (typ == VIBE_ACPI_S5_SLP_TYP) {
		log_info("%s: guest powered off (ACPI S5)", dev->desc->name);
		vibe_vm_request_exit(dev->vm, 0);
	} else {
		log_warn_ratelimited("%s: sleep type %u requested; only S5 (%u) is "
				     "supported, ignored", dev->desc->name, typ,
				     VIBE_ACPI_S5_SLP_TYP);
	}
}

static void acpi_pm_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct acpi_pm *pm = dev->state;
	int cnt_written = 0, reset = 0;
	uint16_t cnt;

	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size && i < 8; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));

		switch (off + i) {
		case 2: pm->en = (uint16_t)((pm->en & 0xff00) | b); break;
		case 3: pm->en = (uint16_t)((pm->en & 0x00ff) | b << 8); break;
		case 4: pm->cnt = (uint16_t)((pm->cnt & 0xff00) | b); cnt_written = 1; break;
		case 5: pm->cnt = (uint16_t)((pm->cnt & 0x00ff) | b << 8); cnt_written = 1; break;
		case VIBE_ACPI_RESET_OFF: reset = b == VIBE_ACPI_RESET_VALUE; break;
		default: break; /* status bits are write-1-to-clear: all clear */
		}
	}
	cnt = pm->cnt;
	pthread_mutex_unlock(&pm->lock);
	if (cnt_written)
		control_written(dev, cnt);
	if (reset) {
		log_info("%s: guest requested a reboot (ACPI reset register)", dev->desc->name);
		vibe_vm_request_exit(dev->vm, 0);
	}
}

static int acpi_pm_init(struct vibe_dev *dev)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm) {
		log_err("%s: out of memory", dev->desc->name);
		return -1;
	}
	pthread_mutex_init(&pm->lock, NULL);
	dev->state = pm;
	return 0;
}

static void acpi_pm_reset(struct vibe_dev *dev)
{
	struct acpi_pm *pm = dev->state;

	pthread_mutex_lock(&pm->lock);
	pm->en = pm->cnt = 0;
	pthread_mutex_unlock(&pm->lock);
}

static void acpi_pm_destroy(struct vibe_dev *dev)
{
	struct acpi_pm *pm = dev->state;

	if (!pm)
		return;
	pthread_mutex_destroy(&pm->lock);
	free(pm);
	dev->state = NULL;
}

/* Snapshot state: version, PM1_EN, PM1_CNT. */
static long acpi_pm_save(struct vibe_dev *dev, void *buf, size_t cap)
{
	struct acpi_pm *pm = dev->state;
	uint16_t s[4] = { 1 /* version */, 0, 0, 0 };

	if (cap < sizeof(s))
		return -1;
	pthread_mutex_lock(&pm->lock);
	s[1] = pm->en;
	s[2] = pm->cnt;
	pthread_mutex_unlock(&pm->lock);
	memcpy(buf, s, sizeof(s));
	return (long)sizeof(s);
}

static int acpi_pm_restore(struct vibe_dev *dev, const void *buf, size_t len)
{
	struct acpi_pm *pm = dev->state;
	uint16_t s[4];

	if (len == sizeof(s))
		memcpy(s, buf, sizeof(s));
	if (len != sizeof(s) || s[0] != 1) {
		log_err("%s: snapshot state of another version or size", dev->desc->name);
		return -1;
	}
	pthread_mutex_lock(&pm->lock);
	pm->en = s[1];
	pm->cnt = s[2];
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

const struct vibe_device_ops vibe_dev_acpi_pm_ops = {
	.type = "acpi-pm",
	.init = acpi_pm_init,
	.read = acpi_pm_read,
	.write = acpi_pm_write,
	.reset = acpi_pm_reset,
	.destroy = acpi_pm_destroy,
	.save = acpi_pm_save,
	.restore = acpi_pm_restore,
};
