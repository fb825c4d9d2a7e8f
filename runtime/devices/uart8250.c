/*
 * 8250/16550A UART on the stdio console.
 *
 * The register model is what Linux's 8250 driver and boot loaders probe:
 * scratch register, divisor latch behind LCR.DLAB, FIFO control and the
 * FIFO bits in IIR, loopback through MCR with MSR mirroring the outputs.
 * There is no line timing: a byte written to THR is on stdout at once, so
 * THRE and TEMT are always set and the divisor (even 0) only reads back.
 *
 * Interrupts: the IRQ line's level is "IIR says an interrupt is pending",
 * recomputed after every access and whenever input arrives, and driven
 * through vibe_vm_irq_line() only when it changes (no redundant ioctls).
 * The THRE interrupt follows the 16550: it is raised when THR empties or
 * when IER.ETBEI is switched on with THR empty, and cleared by reading IIR
 * while it is the reported cause or by writing THR (Linux's driver and its
 * "THRE re-assert" probe depend on exactly this).
 *
 * Threads: vCPU threads call read/write, the console's input thread calls
 * uart_rx_notify; one mutex per UART covers the whole state.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vibe/device.h"
#include "vibe/log.h"
#include "../console.h"
#include "../vm.h"

/* Register offsets (DLAB=0 / DLAB=1). */
enum { R_RBR_THR_DLL = 0, R_IER_DLM = 1, R_IIR_FCR = 2, R_LCR = 3,
       R_MCR = 4, R_LSR = 5, R_MSR = 6, R_SCR = 7 };

#define IER_ERBFI 0x01 /* received data available */
#define IER_ETBEI 0x02 /* THR empty */
#define IER_ELSI  0x04 /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */

#define IIR_NONE  0x01
#define IIR_MSI   0x00
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define IIR_RLSI  0x06
#define IIR_CTI   0x0c /* character timeout: data below the trigger level */
#define IIR_FIFO  0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_BI_ERR 0x1e /* OE PE FE BI: cleared by reading LSR */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

#define FIFO_SIZE 16

struct uart {
	pthread_mutex_t lock;
	struct vibe_dev *dev;
	int irq;          /* -1: none */
	int irq_level;    /* what the line was last driven to */
	int owns_input;
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	int thr_ipending;
	uint8_t rx[FIFO_SIZE];
	unsigned rx_head, rx_count;
};

static unsigned rx_capacity(const struct uart *u)
{
	/* Without FIFOs the 16550 is an 8250: one holding register. */
	return (u->fcr & FCR_ENABLE) ? FIFO_SIZE : 1;
}

static unsigned rx_trigger(const struct uart *u)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	return (u->fcr & FCR_ENABLE) ? levels[u->fcr >> 6] : 1;
}

static void rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr |= LSR_OE; /* only loopback can overrun; input waits */
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % FIFO_SIZE] = c;
	u->rx_count++;
}

static void rx_clear(struct uart *u)
{
	u->rx_head = u->rx_count = 0;
}

/* Top up the receive FIFO from the console. */
static void rx_fill(struct uart *u)
{
	uint8_t buf[FIFO_SIZE];
	unsigned room;

	if (!u->owns_input || (u->mcr & MCR_LOOP))
		return;
	room = rx_capacity(u) - u->rx_count;
	if (room == 0)
		return;
	size_t n = console_read(buf, room);
	for (size_t i = 0; i < n; i++)
		rx_push(u, buf[i]);
}

static uint8_t compute_iir(const struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_ELSI) && (u->lsr & LSR_BI_ERR))
		return fifo | IIR_RLSI;
	if ((u->ier & IER_ERBFI) && u->rx_count > 0)
		return fifo | (u->rx_count >= rx_trigger(u) ? IIR_RDI : IIR_CTI);
	if ((u->ier & IER_ETBEI) && u->thr_ipending)
		return fifo | IIR_THRI;
	if ((u->ier & IER_EDSSI) && (u->msr & 0x0f))
		return fifo | IIR_MSI;
	return fifo | IIR_NONE;
}

static void update_irq(struct uart *u)
{
	int level = !(compute_iir(u) & IIR_NONE);

	if (u->irq < 0 || level == u->irq_level)
		return;
	u->irq_level = level;
	vibe_vm_irq_line(u->dev->vm, (unsigned)u->irq, level);
}

/* MSR in loopback mirrors MCR's outputs; deltas record the changes. */
static void update_msr(struct uart *u)
{
	uint8_t old = u->msr, lines;

	if (u->mcr & MCR_LOOP) {
		lines = 0;
		if (u->mcr & MCR_RTS)  lines |= MSR_CTS;
		if (u->mcr & MCR_DTR)  lines |= MSR_DSR;
		if (u->mcr & MCR_OUT1) lines |= MSR_RI;
		if (u->mcr & MCR_OUT2) lines |= MSR_DCD;
	} else {
		/* A console that is always there: carrier, DSR and CTS up. */
		lines = MSR_DCD | MSR_DSR | MSR_CTS;
	}
	uint8_t delta = old & 0x0f;
	uint8_t changed = (uint8_t)(old ^ lines);
	if (changed & MSR_CTS) delta |= MSR_DCTS;
	if (changed & MSR_DSR) delta |= MSR_DDSR;
	if (changed & MSR_DCD) delta |= MSR_DDCD;
	if ((old & MSR_RI) && !(lines & MSR_RI)) delta |= MSR_TERI;
	u->msr = (uint8_t)(lines | delta);
}

static uint8_t reg_read(struct uart *u, unsigned off)
{
	uint8_t v;

	switch (off) {
	case R_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_count == 0)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
		u->rx_count--;
		rx_fill(u);
		return v;
	case R_IER_DLM:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case R_IIR_FCR:
		v = compute_iir(u);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if ((v & 0x0f) == IIR_THRI)
			u->thr_ipending = 0;
		return v;
	case R_LCR:
		return u->lcr;
	case R_MCR:
		return u->mcr;
	case R_LSR:
		v = (uint8_t)(u->lsr | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0));
		u->lsr &= (uint8_t)~LSR_BI_ERR;
		return v;
	case R_MSR:
		v = u->msr;
		u->msr &= 0xf0; /* reading clears the deltas */
		return v;
	default:
		return u->scr;
	}
}

static void reg_write(struct uart *u, unsigned off, uint8_t v)
{
	switch (off) {
	case R_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else if (u->mcr & MCR_LOOP) {
			rx_push(u, v);
			u->thr_ipending = 1;
		} else {
			/* Transmitted at once: THR is empty again immediately. */
			u->thr_ipending = 0;
			console_write(&v, 1);
			u->thr_ipending = 1;
		}
		break;
	case R_IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
		} else {
			uint8_t old = u->ier;
			u->ier = v & 0x0f;
			if (!(old & IER_ETBEI) && (u->ier & IER_ETBEI))
				u->thr_ipending = 1; /* THR is always empty here */
		}
		break;
	case R_IIR_FCR:
		if ((v ^ u->fcr) & FCR_ENABLE)
			rx_clear(u); /* switching FIFO mode empties both FIFOs */
		if (v & FCR_CLEAR_RX)
			rx_clear(u);
		u->fcr = v & (FCR_ENABLE | 0xc0);
		rx_fill(u);
		break;
	case R_LCR:
		u->lcr = v;
		break;
	case R_MCR: {
		int was_loop = u->mcr & MCR_LOOP;
		u->mcr = v & 0x1f;
		if (was_loop && !(u->mcr & MCR_LOOP))
			rx_fill(u);
		update_msr(u);
		break;
	}
	case R_LSR:
	case R_MSR:
		break; /* read-only (factory test writes are ignored) */
	default:
		u->scr = v;
		break;
	}
}

static int check_access(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	if (off >= 8) {
		log_warn_ratelimited("%s: access at offset 0x%llx past the UART's 8 registers",
				     dev->desc->name, (unsigned long long)off);
		return -1;
	}
	if (size != 1)
		log_warn_ratelimited("%s: %u-byte access at offset %llu: the UART's registers are bytes, using the low byte",
				     dev->desc->name, size, (unsigned long long)off);
	return 0;
}

static uint64_t uart_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	struct uart *u = dev->state;
	uint64_t v;

	if (check_access(dev, off, size) < 0)
		return ~0ull;
	pthread_mutex_lock(&u->lock);
	v = reg_read(u, (unsigned)off);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	/* A wide read sees the register in the low byte, 0 above it. */
	return v;
}

static void uart_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct uart *u = dev->state;

	if (check_access(dev, off, size) < 0)
		return;
	pthread_mutex_lock(&u->lock);
	reg_write(u, (unsigned)off, (uint8_t)val);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/* Console input thread: new bytes are waiting. */
static void uart_rx_notify(void *opaque)
{
	struct uart *u = opaque;

	pthread_mutex_lock(&u->lock);
	rx_fill(u);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_quit(void *opaque)
{
	struct uart *u = opaque;

	vibe_vm_request_exit(u->dev->vm, 0);
}

static void uart_reset(struct vibe_dev *dev)
{
	struct uart *u = dev->state;

	pthread_mutex_lock(&u->lock);
	u->ier = u->fcr = u->lcr = u->mcr = u->lsr = u->scr = 0;
	u->dll = 0x0c; /* 9600 baud, the PC default */
	u->dlm = 0;
	u->msr = 0;
	u->thr_ipending = 0;
	rx_clear(u);
	update_msr(u);
	u->msr &= 0xf0;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/* The UART that owns console input: the input thread holds it as its
 * opaque until exit, so its state is never freed. Kept here so it stays
 * reachable (LeakSanitizer, make test SAN=1) once the VM frees its devices. */
static struct uart *input_uart;

static int uart_init(struct vibe_dev *dev)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u) {
		log_err("%s: out of memory", dev->desc->name);
		return -1;
	}
	pthread_mutex_init(&u->lock, NULL);
	u->dev = dev;
	u->irq = dev->desc->irq;
	dev->state = u;
	uart_reset(dev);
	if (console_init() < 0)
		return -1;
	/* The first UART gets the keyboard; the others only print. */
	u->owns_input = console_attach_input(uart_rx_notify, uart_quit, u) == 0;
	if (u->owns_input) {
		input_uart = u;
		log_debug("%s: console input attached", dev->desc->name);
	}
	return 0;
}

static void uart_destroy(struct vibe_dev *dev)
{
	/* The input thread may still hold a pointer to the input UART's
	 * state: that one lives until exit, like the thread (input_uart).
	 * Only drop the line; free the others. */
	struct uart *u = dev->state;

	if (u && u->irq >= 0 && u->irq_level)
		vibe_vm_irq_line(dev->vm, (unsigned)u->irq, 0);
	if (u && !u->owns_input) {
		pthread_mutex_destroy(&u->lock);
		free(u);
		dev->state = NULL;
	}
}

/* Snapshot state: the registers, the receive FIFO and the IRQ line level
 * as last driven (the in-kernel irqchip's own state is restored with it,
 * so the line is not driven again here). Version first: the blob comes
 * from a file. */
struct uart_snap {
	uint32_t version;
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	uint8_t thr_ipending, irq_level, rx_head, rx_count;
	uint8_t rx[FIFO_SIZE];
};
#define UART_SNAP_VERSION 1u

static long uart_save(struct vibe_dev *dev, void *buf, size_t cap)
{
	struct uart *u = dev->state;
	struct uart_snap s;

	if (cap < sizeof(s))
		return -1;
	memset(&s, 0, sizeof(s));
	pthread_mutex_lock(&u->lock);
	s.version = UART_SNAP_VERSION;
	s.ier = u->ier; s.fcr = u->fcr; s.lcr = u->lcr; s.mcr = u->mcr; s.lsr = u->lsr;
	s.msr = u->msr; s.scr = u->scr; s.dll = u->dll; s.dlm = u->dlm;
	s.thr_ipending = (uint8_t)u->thr_ipending;
	s.irq_level = (uint8_t)u->irq_level;
	s.rx_head = (uint8_t)u->rx_head;
	s.rx_count = (uint8_t)u->rx_count;
	memcpy(s.rx, u->rx, FIFO_SIZE);
	pthread_mutex_unlock(&u->lock);
	memcpy(buf, &s, sizeof(s));
	return (long)sizeof(s);
}

static int uart_restore(struct vibe_dev *dev, const void *buf, size_t len)
{
	struct uart *u = dev->state;
	struct uart_snap s;

	if (len != sizeof(s))
		goto bad;
	memcpy(&s, buf, sizeof(s));
	if (s.version != UART_SNAP_VERSION || s.rx_head >= FIFO_SIZE || s.rx_count > FIFO_SIZE)
		goto bad;
	pthread_mutex_lock(&u->lock);
	u->ier = s.ier; u->fcr = s.fcr; u->lcr = s.lcr; u->mcr = s.mcr; u->lsr = s.lsr;
	u->msr = s.msr; u->scr = s.scr; u->dll = s.dll; u->dlm = s.dlm;
	u->thr_ipending = s.thr_ipending;
	u->irq_level = s.irq_level;
	u->rx_head = s.rx_head;
	u->rx_count = s.rx_count;
	memcpy(u->rx, s.rx, FIFO_SIZE);
	pthread_mutex_unlock(&u->lock);
	return 0;
bad:
	log_err("%s: snapshot state of another version or size", dev->desc->name);
	return -1;
}

const struct vibe_device_ops vibe_dev_uart8250_ops = {
	.type = "uart8250",
	.init = uart_init,
	.read = uart_read,
	.write = uart_write,
	.reset = uart_reset,
	.destroy = uart_destroy,
	.save = uart_save,
	.restore = uart_restore,
};
