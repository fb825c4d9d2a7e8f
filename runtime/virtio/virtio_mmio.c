/*
 * virtio-mmio transport, version 2 only (virtio spec v1.2 §4.2.2), with the
 * device status state machine of §2.1 and §3.1.1 enforced on the device
 * side. A guest that breaks the protocol gets DEVICE_NEEDS_RESET and one
 * log line; nothing it writes here can crash the VMM. The legacy (version 1)
 * layout with QueuePFN is deliberately absent: Linux's virtio_mmio driver
 * speaks version 2, and the legacy layout would be a second attack surface.
 */
#include "virtio_mmio.h"

#include <inttypes.h>

#include "vibe/log.h"

#define DRIVER_BITS (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FAILED)
/* What the queue code implements, offered on top of the backend's bits. */
#define TRANSPORT_FEATURES ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX) | \
			    (1ull << VIRTIO_F_INDIRECT_DESC))

static uint64_t offered(const struct virtio_mmio *t)
{
	return t->be->features | TRANSPORT_FEATURES;
}

/* Lock held. The line is level-triggered: high while InterruptStatus is
 * nonzero. Driven only on a change (each call is an ioctl), and under the
 * lock so an InterruptACK racing with a raise cannot leave it low while a
 * bit is set. */
static void update_line_locked(struct virtio_mmio *t)
{
	int level = t->interrupt_status != 0;

	if (level == t->irq_level || !t->irq_set)
		return;
	t->irq_level = level;
	t->irq_set(t->irq_opaque, level);
}

static void raise_locked(struct virtio_mmio *t, uint32_t bits)
{
	t->interrupt_status |= bits;
	update_line_locked(t);
}

static void needs_reset_locked(struct virtio_mmio *t, const char *reason)
{
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return; /* already broken: the first reason was logged */
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	log_warn_ratelimited("%s: virtio: %s; device needs reset", t->name, reason);
	/* §2.1.2: after DRIVER_OK the device must also send a configuration
	 * change notification; before it the driver has no handler yet. */
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		raise_locked(t, VIRTIO_MMIO_INT_CONFIG);
}

/* Lock held. §4.2.2.1: reset clears InterruptStatus and every QueueReady;
 * we return all other driver-written state to its initial value too. */
static void reset_locked(struct virtio_mmio *t)
{
	/* The I/O thread's request in progress ends first, then the backend
	 * stops its own work, before the queues vanish. */
	if (t->io_reset)
		t->io_reset(t->io_opaque);
	if (t->be->reset)
		t->be->reset(t);
	t->status = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->driver_features = 0;
	t->driver_features_high = false;
	for (unsigned i = 0; i < t->be->num_queues; i++) {
		struct virtio_mmio_queue *q = &t->q[i];
		virtq_reset(&q->vq);
		q->num = t->be->queue_max;
		q->desc = q->driver = q->device = 0;
	}
	t->interrupt_status = 0;
	update_line_locked(t);
}

int virtio_mmio_init(struct virtio_mmio *t, struct vibe_dev *dev,
		     const struct virtio_mmio_backend *be, void *opaque)
{
	const char *name = dev->desc && dev->desc->name ? dev->desc->name : "virtio";
	uint16_t m = be->queue_max;
	pthread_mutexattr_t a;

	if (be->num_queues == 0 || be->num_queues > VIRTIO_MMIO_MAX_QUEUES ||
	    m == 0 || (m & (m - 1)) || m > VIRTQ_MAX_SIZE || be->config_size > 0x100 ||
	    (be->config_size && (!be->config_read || !be->config_write)) || !be->notify) {
		log_err("%s: virtio backend description invalid (queues %u, max %u, config %u)",
			name, be->num_queues, m, be->config_size);
		return -1;
	}
	*t = (struct virtio_mmio){ .be = be, .opaque = opaque, .vm = dev->vm, .name = name };
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&t->lock, &a);
	pthread_mutexattr_destroy(&a);
	for (unsigned i = 0; i < be->num_queues; i++)
		t->q[i].num = m;
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	pthread_mutex_destroy(&t->lock);
}

void virtio_mmio_set_irq(struct virtio_mmio *t, void (*irq_set)(void *, int), void *irq_opaque)
{
	pthread_mutex_lock(&t->lock);
	t->irq_set = irq_set;
	t->irq_opaque = irq_opaque;
	t->irq_level = 0;
	update_line_locked(t);
	pthread_mutex_unlock(&t->lock);
}

/* §2.2.2 / §3.1.1 step 5: the device refuses FEATURES_OK unless the driver
 * accepted a subset of what was offered, including VERSION_1 (§6.2: a
 * device may refuse to work without it; a modern-only one has to). */
static bool features_acceptable(const struct virtio_mmio *t)
{
	return !t->driver_features_high && !(t->driver_features & ~offered(t)) &&
	       (t->driver_features >> VIRTIO_F_VERSION_1) & 1;
}

/* Lock held. The driver writes the whole status byte each time (§3.1.1);
 * bits may only be added, each after its predecessor, until a reset.
 * Returns NULL, or why the write breaks the protocol. */
static const char *status_transition(struct virtio_mmio *t, uint32_t val)
{
	uint32_t cur = t->status & DRIVER_BITS, want = val & ~VIRTIO_STATUS_NEEDS_RESET;

	if (val == 0) {
		reset_locked(t);
		return NULL;
	}
	if (t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
		/* Broken or given up: only a reset (or FAILED) means anything. */
		t->status |= want & VIRTIO_STATUS_FAILED;
		return NULL;
	}
	if (want & ~DRIVER_BITS)
		return "status write with unknown bits";
	if (cur & ~want)
		return "status bits cleared without a reset";
	if (want & VIRTIO_STATUS_FAILED) { /* §2.1: the driver gave up */
		t->status |= VIRTIO_STATUS_FAILED;
		log_info("%s: virtio: driver set FAILED", t->name);
		return NULL;
	}
	uint32_t added = want & ~cur;
	if ((want & VIRTIO_STATUS_DRIVER) && !(want & VIRTIO_STATUS_ACKNOWLEDGE))
		return "DRIVER without ACKNOWLEDGE";
	if ((want & VIRTIO_STATUS_FEATURES_OK) && !(want & VIRTIO_STATUS_DRIVER))
		return "FEATURES_OK without DRIVER";
	if ((added & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(t)) {
		/* §3.1.1 step 6: the driver re-reads status, sees FEATURES_OK
		 * clear and fails; refusing is the spec's answer, not an error. */
		log_warn_ratelimited("%s: virtio: driver features %#" PRIx64 " not a subset of "
				     "%#" PRIx64 " with VERSION_1; FEATURES_OK refused",
				     t->name, t->driver_features, offered(t));
		want &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((want & VIRTIO_STATUS_DRIVER_OK) && !(want & VIRTIO_STATUS_FEATURES_OK))
		return "DRIVER_OK without FEATURES_OK";
	t->status = want;
	if ((added & VIRTIO_STATUS_DRIVER_OK) && t->be->activate && t->be->activate(t) < 0)
		return "device failed to start";
	return NULL;
}

static void write_status(struct virtio_mmio *t, uint32_t val)
{
	const char *why = status_transition(t, val);

	if (why)
		needs_reset_locked(t, why);
}

/* Lock held. The queue register being written, or NULL if the write must
 * be dropped. §3.1.1: queues are set up before DRIVER_OK, and §4.2.3.2
 * only while QueueReady is 0; doing otherwise breaks the device. */
static struct virtio_mmio_queue *queue_for_setup(struct virtio_mmio *t)
{
	if (t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
		return NULL;
	if (t->queue_sel >= t->be->num_queues) {
		log_warn_ratelimited("%s: virtio: setup of absent queue %u ignored",
				     t->name, t->queue_sel);
		return NULL;
	}
	if (t->status & VIRTIO_STATUS_DRIVER_OK) {
		needs_reset_locked(t, "queue setup after DRIVER_OK");
		return NULL;
	}
	if (t->q[t->queue_sel].vq.ready) {
		needs_reset_locked(t, "queue changed while ready");
		return NULL;
	}
	return &t->q[t->queue_sel];
}

static void set_half(uint64_t *reg, bool high, uint32_t v)
{
	*reg = high ? (*reg & 0xffffffffull) | (uint64_t)v << 32 : (*reg & ~0xffffffffull) | v;
}

static void write_queue_ready(struct virtio_mmio *t, uint32_t v)
{
	if (t->queue_sel >= t->be->num_queues) {
		log_warn_ratelimited("%s: virtio: QueueReady of absent queue %u ignored",
				     t->name, t->queue_sel);
		return;
	}
	struct virtio_mmio_queue *q = &t->q[t->queue_sel];
	if ((t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) ||
	    !(v & 1) == !q->vq.ready)
		return; /* broken, or no change (§4.2.3.2: drivers write 0 to check) */
	if (t->status & VIRTIO_STATUS_DRIVER_OK) {
		/* Without VIRTIO_F_RING_RESET (not offered) queues are fixed
		 * from DRIVER_OK until reset. */
		needs_reset_locked(t, v & 1 ? "queue setup after DRIVER_OK"
					    : "queue disabled after DRIVER_OK");
		return;
	}
	if (!(v & 1)) { /* teardown before DRIVER_OK (Linux find_vqs error path) */
		virtq_reset(&q->vq);
		return;
	}
	if (!(t->status & VIRTIO_STATUS_FEATURES_OK)) {
		/* The ring layout depends on the negotiated features. */
		needs_reset_locked(t, "QueueReady before FEATURES_OK");
		return;
	}
	enum virtq_err err = virtq_setup(&q->vq, t->vm, q->num, q->desc, q->driver, q->device,
					 t->driver_features);
	if (err)
		needs_reset_locked(t, virtq_strerror(err));
}

/* Lock held. Register writes other than QueueNotify. */
static void write_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	struct virtio_mmio_queue *q;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL: t->dev_features_sel = v; return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL: t->drv_features_sel = v; return;
	case VIRTIO_MMIO_QUEUE_SEL: t->queue_sel = v; return;
	case VIRTIO_MMIO_STATUS: write_status(t, v); return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* §2.2.2: features are fixed once FEATURES_OK is set. */
		if (t->status & (VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_NEEDS_RESET)) {
			log_warn_ratelimited("%s: virtio: DriverFeatures write after FEATURES_OK "
					     "or on a broken device ignored", t->name);
			return;
		}
		if (t->drv_features_sel < 2)
			set_half(&t->driver_features, t->drv_features_sel, v);
		else if (v)
			t->driver_features_high = true;
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->interrupt_status &= ~v;
		update_line_locked(t);
		return;
	case VIRTIO_MMIO_QUEUE_READY: write_queue_ready(t, v); return;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (!(q = queue_for_setup(t)))
			return;
		/* Split rings need a power of two (§2.7), 1..QueueNumMax. */
		if (v == 0 || v > t->be->queue_max || (v & (v - 1))) {
			needs_reset_locked(t, "QueueNum zero, above QueueNumMax or not a power of two");
			return;
		}
		q->num = (uint16_t)v;
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if ((q = queue_for_setup(t)))
			set_half(&q->desc, off & 4, v);
		return;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if ((q = queue_for_setup(t)))
			set_half(&q->driver, off & 4, v);
		return;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if ((q = queue_for_setup(t)))
			set_half(&q->device, off & 4, v);
		return;
	default:
		log_warn_ratelimited("%s: virtio: write to read-only or unknown register %#" PRIx64
				     " ignored", t->name, off);
	}
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t off)
{
	bool qok = t->queue_sel < t->be->num_queues;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION: return 2;
	case VIRTIO_MMIO_DEVICE_ID: return t->be->device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return t->dev_features_sel < 2 ? (uint32_t)(offered(t) >> (32 * t->dev_features_sel)) : 0;
	/* §4.2.2: 0 means "queue not available". */
	case VIRTIO_MMIO_QUEUE_NUM_MAX: return qok ? t->be->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY: return qok ? t->q[t->queue_sel].vq.ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return t->interrupt_status;
	case VIRTIO_MMIO_STATUS: return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION: return t->config_generation;
	default:
		/* Write-only and unknown registers read as 0 (§4.2.2.2 forbids the
		 * driver to read them; a hostile one gets nothing). */
		log_debug("%s: virtio: read of write-only or unknown register %#" PRIx64,
			  t->name, off);
		return 0;
	}
}

/* §4.2.2.2: config fields are accessed at their own width (1, 2 or 4
 * bytes, naturally aligned; 64-bit fields as two 32-bit halves). */
static bool config_access_ok(const struct virtio_mmio *t, uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(off & (size - 1)) &&
	       off < t->be->config_size && size <= t->be->config_size - off;
}

uint64_t virtio_mmio_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	struct virtio_mmio *t = dev->state;
	uint64_t v = 0;

	pthread_mutex_lock(&t->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (config_access_ok(t, off - VIRTIO_MMIO_CONFIG, size))
			v = t->be->config_read(t, (uint32_t)(off - VIRTIO_MMIO_CONFIG), size);
		else
			log_warn_ratelimited("%s: virtio: config read at %#" PRIx64 " size %u ignored",
					     t->name, off, size);
	} else if (size == 4 && !(off & 3)) { /* §4.2.2.2: 32-bit registers only */
		v = read_reg(t, off);
	} else {
		log_warn_ratelimited("%s: virtio: %u-byte read at %#" PRIx64 " ignored",
				     t->name, size, off);
	}
	pthread_mutex_unlock(&t->lock);
	return v;
}

/* Check a queue notification and run the backend's handler, unlocked.
 * With an I/O thread (virtio_io.c) this runs there for every kick, from an
 * ioeventfd or a QueueNotify exit alike, so the checks stay in one place. */
void virtio_mmio_kick(struct virtio_mmio *t, uint32_t q)
{
	bool ok = false;

	pthread_mutex_lock(&t->lock);
	if (!(t->status & VIRTIO_STATUS_DRIVER_OK))
		log_warn_ratelimited("%s: virtio: notify before DRIVER_OK ignored", t->name);
	else if (t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
		; /* broken: the reason was logged when it broke */
	else if (q >= t->be->num_queues || !t->q[q].vq.ready)
		log_warn_ratelimited("%s: virtio: notify of absent queue %u ignored", t->name, q);
	else
		ok = true;
	pthread_mutex_unlock(&t->lock);
	if (ok)
		t->be->notify(t, q);
}

void virtio_mmio_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_mmio *t = dev->state;

	if (off < VIRTIO_MMIO_CONFIG && (size != 4 || (off & 3))) {
		log_warn_ratelimited("%s: virtio: %u-byte write at %#" PRIx64 " ignored",
				     t->name, size, off);
		return;
	}
	if (off == VIRTIO_MMIO_QUEUE_NOTIFY) {
		/* Blocking work stays off the vCPU: hand it to the I/O thread. */
		if (t->io_kick)
			t->io_kick(t->io_opaque, (uint32_t)val);
		else
			virtio_mmio_kick(t, (uint32_t)val);
		return;
	}
	pthread_mutex_lock(&t->lock);
	if (off < VIRTIO_MMIO_CONFIG)
		write_reg(t, off, (uint32_t)val);
	else if (config_access_ok(t, off - VIRTIO_MMIO_CONFIG, size))
		t->be->config_write(t, (uint32_t)(off - VIRTIO_MMIO_CONFIG), size, (uint32_t)val);
	else
		log_warn_ratelimited("%s: virtio: config write at %#" PRIx64 " size %u ignored",
				     t->name, off, size);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_reset(struct vibe_dev *dev)
{
	struct virtio_mmio *t = dev->state;

	pthread_mutex_lock(&t->lock);
	reset_locked(t);
	pthread_mutex_unlock(&t->lock);
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *t, unsigned q)
{
	return q < t->be->num_queues ? &t->q[q].vq : NULL;
}

uint64_t virtio_mmio_features(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	uint64_t f = t->driver_features;
	pthread_mutex_unlock(&t->lock);
	return f;
}

void virtio_mmio_queue_done(struct virtio_mmio *t, unsigned q)
{
	struct virtq *vq = virtio_mmio_queue(t, q);

	if (!vq)
		return;
	/* virtq_should_notify() updates the queue's event state: call from the
	 * thread that owns the queue, as for pop and push. Under the lock, so
	 * a reset on a vCPU cannot clear the queue in the middle of it. */
	pthread_mutex_lock(&t->lock);
	if (virtq_should_notify(vq) && (t->status & VIRTIO_STATUS_DRIVER_OK) &&
	    !(t->status & VIRTIO_STATUS_NEEDS_RESET))
		raise_locked(t, VIRTIO_MMIO_INT_VRING);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_irq_resample(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	/* The transport still thinks the line is high (irq_level 1): the
	 * kernel lowered it at the EOI; raise it again for what is pending. */
	if (t->interrupt_status && t->irq_set)
		t->irq_set(t->irq_opaque, 1);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	t->config_generation++; /* §4.2.2: lets the driver detect torn reads */
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		raise_locked(t, VIRTIO_MMIO_INT_CONFIG);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_needs_reset(struct virtio_mmio *t, const char *reason)
{
	pthread_mutex_lock(&t->lock);
	needs_reset_locked(t, reason);
	pthread_mutex_unlock(&t->lock);
}

bool virtio_mmio_broken(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	bool b = t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED);
	pthread_mutex_unlock(&t->lock);
	return b;
}
