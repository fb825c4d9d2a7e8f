/*
 * i8042: the PC keyboard controller, reduced to what a guest needs from it
 * in a VM: the reset line (0xfe to the command port ends vibevmm with
 * status 0, Linux's "reboot=kbd" and its fallback after ACPI reset), and
 * immediate, well-formed answers to the probes of Linux's i8042 and atkbd
 * drivers, so that a guest which probes it never waits out a timeout
 * (i8042_wait_read gives up after 500 ms). There is no keyboard input.
 *
 * Ports (offsets from the device base, 0x60): +0 data, +4 command/status.
 * No AUX (mouse) port: the AUX loop test answers without the AUXDATA flag
 * and the AUX interface test reports "clock line stuck", so Linux skips it.
 * The kernel's in-kernel PIT owns port 0x61 (+1) when it exists; here it
 * reads 0.
 *
 * Why the DSDT does not list this controller: see compiler/emit_acpi.c.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vibe/device.h"
#include "vibe/log.h"
#include "../vm.h"

#define OFF_DATA 0
#define OFF_CMD  4

#define STR_OBF     0x01
#define STR_SYS     0x04 /* system flag: POST passed */
#define STR_CMD     0x08 /* last write went to the command port */
#define STR_UNLOCK  0x10 /* keyboard not inhibited */
#define STR_AUXDATA 0x20

#define CTR_KBDINT  0x01
#define CTR_KBDDIS  0x10
#define CTR_AUXDIS  0x20

#define QMAX 8

struct i8042 {
	pthread_mutex_t lock;
	uint8_t ctr, status_cmd, pending;
	uint8_t q[QMAX], qaux[QMAX];
	unsigned qh, qn;
	uint8_t last;
};

static void push(struct i8042 *k, uint8_t b, int aux)
{
	if (k->qn == QMAX)
		return; /* a real controller drops it too */
	k->q[(k->qh + k->qn) % QMAX] = b;
	k->qaux[(k->qh + k->qn) % QMAX] = (uint8_t)aux;
	k->qn++;
}

/* Keyboard replies interrupt when the guest enabled that (CTR bit 0). */
static int want_irq(const struct i8042 *k)
{
	return k->qn && !k->qaux[k->qh] && (k->ctr & CTR_KBDINT);
}

static void pulse(struct vibe_dev *dev, int fire)
{
	if (fire && dev->desc->irq >= 0) {
		vibe_vm_irq_line(dev->vm, (unsigned)dev->desc->irq, 1);
		vibe_vm_irq_line(dev->vm, (unsigned)dev->desc->irq, 0);
	}
}

static void reset_requested(struct vibe_dev *dev)
{
	log_info("%s: guest pulsed the reset line (reboot)", dev->desc->name);
	vibe_vm_request_exit(dev->vm, 0);
}

static uint64_t i8042_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	struct i8042 *k = dev->state;
	uint8_t v = 0;
	int fire = 0;

	pthread_mutex_lock(&k->lock);
	if (off == OFF_CMD) {
		v = STR_SYS | STR_UNLOCK | k->status_cmd;
		if (k->qn)
			v |= STR_OBF | (k->qaux[k->qh] ? STR_AUXDATA : 0);
	} else if (off == OFF_DATA) {
		if (k->qn) {
			k->last = k->q[k->qh];
			k->qh = (k->qh + 1) % QMAX;
			k->qn--;
			fire = want_irq(k);
		}
		v = k->last; /* an empty buffer reads its last value */
	}
	pthread_mutex_unlock(&k->lock);
	pulse(dev, fire);
	return v;
}

/* A byte for the keyboard itself (no command pending). */
static void kbd_command(struct i8042 *k, uint8_t b)
{
	switch (b) {
	case 0xee: push(k, 0xee, 0); break;                          /* echo */
	case 0xf2: push(k, 0xfa, 0); push(k, 0xab, 0); push(k, 0x83, 0); break; /* ID: MF2 */
	case 0xff: push(k, 0xfa, 0); push(k, 0xaa, 0); break;        /* reset: ACK, BAT ok */
	default:   push(k, 0xfa, 0); break;                          /* ACK */
	}
}

/* Returns 1 when the guest asked for a reset. */
static int controller_command(struct i8042 *k, uint8_t c)
{
	switch (c) {
	case 0x20: push(k, k->ctr, 0); break;                  /* read CTR */
	case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4:
		k->pending = c; break;                          /* data byte follows */
	case 0xa7: k->ctr |= CTR_AUXDIS; break;
	case 0xa8: k->ctr &= (uint8_t)~CTR_AUXDIS; break;
	case 0xa9: push(k, 0x01, 0); break;                    /* AUX test: no AUX */
	case 0xaa: push(k, 0x55, 0); break;                    /* self-test passed */
	case 0xab: push(k, 0x00, 0); break;                    /* keyboard port ok */
	case 0xad: k->ctr |= CTR_KBDDIS; break;
	case 0xae: k->ctr &= (uint8_t)~CTR_KBDDIS; break;
	case 0xc0: push(k, 0x00, 0); break;                    /* input port */
	case 0xd0: push(k, 0x03, 0); break;                    /* output port: A20, !reset */
	default:
		/* 0xf0-0xff pulse output port bits for 6 us; bit 0 is the
		 * CPU reset line (active low): 0xfe is the classic reboot. */
		if (c >= 0xf0 && !(c & 1))
			return 1;
		break;
	}
	return 0;
}

static void i8042_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct i8042 *k = dev->state;
	uint8_t b = (uint8_t)val;
	int reset = 0, fire;

	pthread_mutex_lock(&k->lock);
	if (off == OFF_CMD) {
		k->status_cmd = STR_CMD;
		k->pending = 0;
		reset = controller_command(k, b);
	} else if (off == OFF_DATA) {
		k->status_cmd = 0;
		switch (k->pending) {
		case 0x60: k->ctr = b; break;
		case 0xd1: reset = !(b & 1); break;        /* output port write */
		case 0xd2: push(k, b, 0); break;           /* as if from the keyboard */
		case 0xd3: push(k, b, 0); break;           /* AUX loop: not flagged AUX */
		case 0xd4: break;                          /* to a mouse that isn't there */
		default:   kbd_command(k, b); break;
		}
		k->pending = 0;
	}
	fire = want_irq(k);
	pthread_mutex_unlock(&k->lock);
	pulse(dev, fire);
	if (reset)
		reset_requested(dev);
}

static int i8042_init(struct vibe_dev *dev)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k) {
		log_err("%s: out of memory", dev->desc->name);
		return -1;
	}
	pthread_mutex_init(&k->lock, NULL);
	k->ctr = CTR_KBDINT | 0x04 /* SYS */ | 0x40 /* translate */;
	dev->state = k;
	return 0;
}

static void i8042_destroy(struct vibe_dev *dev)
{
	struct i8042 *k = dev->state;

	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
	dev->state = NULL;
}

/* Snapshot state: the whole controller (a version word, then the fields). */
struct i8042_snap {
	uint32_t version;
	uint8_t ctr, status_cmd, pending, last;
	uint8_t q[QMAX], qaux[QMAX];
	uint32_t qh, qn;
};
#define I8042_SNAP_VERSION 1u

static long i8042_save(struct vibe_dev *dev, void *buf, size_t cap)
{
	struct i8042 *k = dev->state;
	struct i8042_snap s;

	if (cap < sizeof(s))
		return -1;
	memset(&s, 0, sizeof(s));
	s.version = I8042_SNAP_VERSION;
	pthread_mutex_lock(&k->lock);
	s.ctr = k->ctr; s.status_cmd = k->status_cmd; s.pending = k->pending; s.last = k->last;
	memcpy(s.q, k->q, QMAX);
	memcpy(s.qaux, k->qaux, QMAX);
	s.qh = k->qh;
	s.qn = k->qn;
	pthread_mutex_unlock(&k->lock);
	memcpy(buf, &s, sizeof(s));
	return (long)sizeof(s);
}

static int i8042_restore(struct vibe_dev *dev, const void *buf, size_t len)
{
	struct i8042 *k = dev->state;
	struct i8042_snap s;

	if (len == sizeof(s))
		memcpy(&s, buf, sizeof(s));
	if (len != sizeof(s) || s.version != I8042_SNAP_VERSION || s.qh >= QMAX || s.qn > QMAX) {
		log_err("%s: snapshot state of another version or size", dev->desc->name);
		return -1;
	}
	pthread_mutex_lock(&k->lock);
	k->ctr = s.ctr; k->status_cmd = s.status_cmd; k->pending = s.pending; k->last = s.last;
	memcpy(k->q, s.q, QMAX);
	memcpy(k->qaux, s.qaux, QMAX);
	k->qh = s.qh;
	k->qn = s.qn;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

const struct vibe_device_ops vibe_dev_i8042_ops = {
	.type = "i8042",
	.init = i8042_init,
	.read = i8042_read,
	.write = i8042_write,
	.destroy = i8042_destroy,
	.save = i8042_save,
	.restore = i8042_restore,
};
