/*
 * ARM PrimeCell PL011 UART on the stdio console (Arm DDI 0183, "PrimeCell
 * UART (PL011) Technical Reference Manual", chapter 3 for the registers).
 *
 * What Linux's amba-pl011 driver needs: the AMBA bus probes the peripheral
 * and PrimeCell ID registers at 0xfe0-0xffc (part 0x011, designer 0x41
 * 'A', PrimeCell 0xb105f00d) before binding; then DR, FR, the baud
 * divisors, LCR_H, CR and the interrupt registers. There is no line
 * timing: a byte written to DR is on stdout at once, so the TX FIFO is
 * always empty (FR.TXFE) and TX "FIFO below trigger" is raised by every
 * write, as QEMU's model does; it stays until ICR clears it.
 * RX: a 16-byte FIFO fed from the console; RX and RX-timeout are raised
 * while it holds data (Linux enables both and drains until FR.RXFE).
 * CR.LBE (loopback) sends written bytes to the RX FIFO instead.
 *
 * The IRQ line is "RIS & IMSC != 0", driven through vibe_vm_irq_line()
 * only when it changes. Threads: vCPU threads call read/write, the console
 * input thread calls rx_notify; one mutex covers the state.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vibe/device.h"
#include "vibe/log.h"
#include "../console.h"
#include "../vm.h"

enum {
	R_DR = 0x000, R_RSR = 0x004, R_FR = 0x018, R_ILPR = 0x020, R_IBRD = 0x024,
	R_FBRD = 0x028, R_LCR_H = 0x02c, R_CR = 0x030, R_IFLS = 0x034, R_IMSC = 0x038,
	R_RIS = 0x03c, R_MIS = 0x040, R_ICR = 0x044, R_DMACR = 0x048, R_ID = 0xfe0,
};

#define FR_BUSY 0x008u
#define FR_RXFE 0x010u
#define FR_TXFF 0x020u
#define FR_RXFF 0x040u
#define FR_TXFE 0x080u

#define INT_RX  0x010u
#define INT_TX  0x020u
#define INT_RT  0x040u
#define INT_ALL 0x7ffu

#define CR_UARTEN 0x001u
#define CR_LBE    0x080u
#define CR_TXE    0x100u
#define CR_RXE    0x200u

#define RX_FIFO 16u

/* PeriphID0-3 then PCellID0-3 (TRM 3.3.14-3.3.15): r1p5 PL011. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011 {
	pthread_mutex_t lock;
	struct vibe_dev *dev;
	int irq, irq_level, owns_input;
	uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr;
	uint32_t tx_ris;            /* latched TX interrupt (cleared by ICR) */
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
};

static uint32_t ris(const struct pl011 *u)
{
	return u->tx_ris | (u->rx_count ? INT_RX | INT_RT : 0);
}

static void update_irq(struct pl011 *u)
{
	int level = (ris(u) & u->imsc) != 0;
	if (level == u->irq_level || u->irq < 0)
		return;
	u->irq_level = level;
	vibe_vm_irq_line(u->dev->vm, (unsigned)u->irq, level);
}

static void rx_push(struct pl011 *u, uint8_t c)
{
	if (u->rx_count < RX_FIFO) /* full: the byte is lost (overrun) */
		u->rx[(u->rx_head + u->rx_count++) % RX_FIFO] = c;
}

/* Pull console input while the FIFO has room (lock held). */
static void rx_fill(struct pl011 *u)
{
	uint8_t buf[RX_FIFO];
	if (!u->owns_input || u->rx_count >= RX_FIFO)
		return;
	size_t n = console_read(buf, RX_FIFO - u->rx_count);
	for (size_t i = 0; i < n; i++)
		rx_push(u, buf[i]);
}

static void rx_notify(void *opaque)
{
	struct pl011 *u = opaque;
	pthread_mutex_lock(&u->lock);
	rx_fill(u);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void quit(void *opaque)
{
	struct pl011 *u = opaque;
	vibe_vm_request_exit(u->dev->vm, 0);
}

static uint32_t fr(const struct pl011 *u)
{
	uint32_t f = FR_TXFE;
	if (!u->rx_count)
		f |= FR_RXFE;
	if (u->rx_count == RX_FIFO)
		f |= FR_RXFF;
	return f;
}

static uint64_t pl011_read(struct vibe_dev *dev, uint64_t off, unsigned size)
{
	struct pl011 *u = dev->state;
	uint32_t v = 0;

	if (off & 3 || size > 4)
		return 0; /* registers are 32-bit words; odd accesses read 0 */
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case R_DR:
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % RX_FIFO;
			u->rx_count--;
			rx_fill(u);
		}
		break;
	case R_RSR: v = 0; break;
	case R_FR: v = fr(u); break;
	case R_ILPR: v = 0; break;
	case R_IBRD: v = u->ibrd; break;
	case R_FBRD: v = u->fbrd; break;
	case R_LCR_H: v = u->lcr_h; break;
	case R_CR: v = u->cr; break;
	case R_IFLS: v = u->ifls; break;
	case R_IMSC: v = u->imsc; break;
	case R_RIS: v = ris(u); break;
	case R_MIS: v = ris(u) & u->imsc; break;
	case R_DMACR: v = u->dmacr; break;
	default:
		if (off >= R_ID && off < R_ID + 0x20)
			v = pl011_id[(off - R_ID) / 4];
		break;
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return v;
}

static void pl011_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct pl011 *u = dev->state;
	uint32_t v = (uint32_t)val;

	if (off & 3 || size > 4)
		return;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case R_DR: {
		uint8_t c = (uint8_t)v;
		if (u->cr & CR_LBE)
			rx_push(u, c);
		else
			console_write(&c, 1);
		u->tx_ris = INT_TX;
		break;
	}
	case R_RSR: break; /* write clears errors: there are none */
	case R_IBRD: u->ibrd = v & 0xffff; break;
	case R_FBRD: u->fbrd = v & 0x3f; break;
	case R_LCR_H: u->lcr_h = v & 0xff; break;
	case R_CR: u->cr = v & 0xffff; break;
	case R_IFLS: u->ifls = v & 0x3f; break;
	case R_IMSC: u->imsc = v & INT_ALL; break;
	case R_ICR: u->tx_ris &= ~v; break; /* RX/RT follow the FIFO */
	case R_DMACR: u->dmacr = v & 7; break;
	default: break; /* FR, RIS, MIS, IDs are read-only */
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/* TRM 3.2 reset values: CR has TXE and RXE set, IFLS is 1/2 (0x12). */
static void pl011_reset(struct vibe_dev *dev)
{
	struct pl011 *u = dev->state;
	pthread_mutex_lock(&u->lock);
	u->ibrd = u->fbrd = u->lcr_h = u->imsc = u->dmacr = u->tx_ris = 0;
	u->cr = CR_TXE | CR_RXE;
	u->ifls = 0x12;
	u->rx_head = u->rx_count = 0;
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static int pl011_init(struct vibe_dev *dev)
{
	struct pl011 *u = calloc(1, sizeof(*u));
	if (!u) {
		log_err("%s: out of memory", dev->desc->name);
		return -1;
	}
	pthread_mutex_init(&u->lock, NULL);
	u->dev = dev;
	u->irq = dev->desc->irq;
	dev->state = u;
	pl011_reset(dev);
	if (console_init() < 0)
		return -1;
	/* The first UART gets the keyboard; the others only print. */
	u->owns_input = console_attach_input(rx_notify, quit, u) == 0;
	return 0;
}

static void pl011_destroy(struct vibe_dev *dev)
{
	/* The console input thread may still hold the state: keep it. */
	struct pl011 *u = dev->state;
	if (u && u->irq >= 0 && u->irq_level)
		vibe_vm_irq_line(dev->vm, (unsigned)u->irq, 0);
}

const struct vibe_device_ops vibe_dev_pl011_ops = {
	.type = "pl011",
	.init = pl011_init,
	.read = pl011_read,
	.write = pl011_write,
	.reset = pl011_reset,
	.destroy = pl011_destroy,
};
