/*
 * PL011 register model (runtime/devices/pl011.c) with the console and the
 * interrupt line replaced by recorders: the ID registers the AMBA bus
 * probes, FR flags, TX to the console, RX FIFO from console input,
 * RIS/MIS/IMSC/ICR and the line level, loopback, odd access sizes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console.h"
#include "vibe/device.h"
#include "vibe/log.h"
#include "vm.h"

extern const struct vibe_device_ops vibe_dev_pl011_ops;

/* ---- stubs of what the device calls --------------------------------- */
int vibe_log_level = 0;
void vibe_log(int level, const char *fmt, ...) { (void)level; (void)fmt; }
int vibe_ratelimit_ok(struct vibe_ratelimit *rl) { (void)rl; return 0; }

static char out[256];
static size_t nout;
static uint8_t in[64];
static size_t nin, in_pos;
static int line = -1, line_changes, exit_req = -1;
static console_notify_fn notify;
static void *notify_arg;

int console_init(void) { return 0; }
void console_write(const void *buf, size_t len)
{
	memcpy(out + nout, buf, len);
	nout += len;
}
int console_attach_input(console_notify_fn n, console_quit_fn q, void *opaque)
{
	(void)q;
	notify = n;
	notify_arg = opaque;
	return 0;
}
size_t console_read(uint8_t *buf, size_t max)
{
	size_t k = 0;
	while (k < max && in_pos < nin)
		buf[k++] = in[in_pos++];
	return k;
}
int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level)
{
	(void)vm;
	assert_int_equal(irq, 1);
	line = level;
	line_changes++;
	return 0;
}
void vibe_vm_request_exit(struct vibe_vm *vm, int status) { (void)vm; exit_req = status; }

/* ---- harness --------------------------------------------------------- */
enum { DR = 0, FR = 0x18, IBRD = 0x24, LCR_H = 0x2c, CR = 0x30, IMSC = 0x38, RIS = 0x3c,
       MIS = 0x40, ICR = 0x44 };
static const struct vibe_dev_desc desc = { .name = "uart0", .type = "pl011", .base = 0x09000000,
					    .size = 0x1000, .irq = 1 };
static struct vibe_vm vm;
static struct vibe_dev dev = { .desc = &desc, .vm = &vm };

static uint64_t rd(uint64_t off) { return vibe_dev_pl011_ops.read(&dev, off, 4); }
static void wr(uint64_t off, uint64_t v) { vibe_dev_pl011_ops.write(&dev, off, 4, v); }

static int setup(void **s)
{
	(void)s;
	nout = nin = in_pos = 0;
	line = -1;
	line_changes = 0;
	exit_req = -1;
	return vibe_dev_pl011_ops.init(&dev);
}

/* destroy() keeps the state for the console thread; the test frees it. */
static int teardown(void **s)
{
	(void)s;
	vibe_dev_pl011_ops.destroy(&dev);
	free(dev.state);
	dev.state = NULL;
	return 0;
}

static void test_ids(void **s)
{
	(void)s;
	/* amba_device reads PeriphID0-3 -> 0x00041011, PCellID0-3 -> 0xb105f00d */
	static const uint32_t want[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	uint32_t pid = 0, cid = 0;
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(0xfe0 + 4 * i), want[i]);
	for (unsigned i = 0; i < 4; i++) {
		pid |= (uint32_t)rd(0xfe0 + 4 * i) << (8 * i);
		cid |= (uint32_t)rd(0xff0 + 4 * i) << (8 * i);
	}
	assert_int_equal(pid & 0xfffff, 0x41011); /* part 0x011, designer 0x41 */
	assert_int_equal(cid, 0xb105f00d);
}

static void test_tx_and_regs(void **s)
{
	(void)s;
	assert_int_equal(rd(CR), 0x300);           /* reset: TXE | RXE */
	assert_int_equal(rd(FR) & 0x90, 0x90);     /* TXFE, RXFE */
	wr(IBRD, 0x1234567);
	assert_int_equal(rd(IBRD), 0x4567);        /* 16-bit divisor */
	wr(LCR_H, 0x70);
	assert_int_equal(rd(LCR_H), 0x70);
	wr(DR, 'h');
	wr(DR, 0x100 | 'i');                       /* only the data byte goes out */
	assert_int_equal(nout, 2);
	assert_memory_equal(out, "hi", 2);
	assert_int_equal(rd(RIS) & 0x20, 0x20);    /* TX raised by the write */
	assert_int_equal(line_changes, 0);         /* but masked */
	wr(IMSC, 0x20);
	assert_int_equal(line, 1);
	assert_int_equal(rd(MIS), 0x20);
	wr(ICR, 0x20);
	assert_int_equal(line, 0);
	assert_int_equal(rd(RIS) & 0x20, 0);
	/* Odd sizes and offsets are ignored, not crashes. */
	vibe_dev_pl011_ops.write(&dev, 1, 1, 'x');
	vibe_dev_pl011_ops.write(&dev, 0, 8, 'x');
	assert_int_equal(nout, 2);
	assert_int_equal(vibe_dev_pl011_ops.read(&dev, 0xfe2, 1), 0);
	assert_int_equal(rd(0x800), 0);
}

static void test_rx(void **s)
{
	(void)s;
	wr(IMSC, 0x50);                            /* RX | RT */
	memcpy(in, "abc", 3);
	nin = 3;
	notify(notify_arg);
	assert_int_equal(line, 1);
	assert_int_equal(rd(FR) & 0x10, 0);        /* RXFE clear */
	assert_int_equal(rd(MIS), 0x50);
	assert_int_equal(rd(DR), 'a');
	assert_int_equal(rd(DR), 'b');
	wr(ICR, 0x7ff);                            /* RX follows the FIFO, not ICR */
	assert_int_equal(line, 1);
	assert_int_equal(rd(DR), 'c');
	assert_int_equal(line, 0);
	assert_int_equal(rd(FR) & 0x10, 0x10);
	assert_int_equal(rd(DR), 0);               /* empty FIFO reads 0 */

	/* 20 bytes arrive: 16 fit, the rest wait in the console until read. */
	for (unsigned i = 0; i < 20; i++)
		in[i] = (uint8_t)('A' + i);
	nin = 20;
	in_pos = 0;
	notify(notify_arg);
	assert_int_equal(rd(FR) & 0x40, 0x40);     /* RXFF */
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(rd(DR), 'A' + i);
}

static void test_loopback(void **s)
{
	(void)s;
	wr(CR, 0x381);                             /* UARTEN | LBE | TXE | RXE */
	wr(DR, 'z');
	assert_int_equal(nout, 0);                 /* not on the console */
	assert_int_equal(rd(DR), 'z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_and_regs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
