/*
 * The 16550A model on its own: runtime/devices/uart8250.c linked against
 * stubs of the console and the VM, so every IRQ level change and every
 * byte on the console is visible. Raw-binary guests run without an
 * interrupt controller, so this is where the interrupt rules Linux's 8250
 * driver depends on are checked.
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
#include "vm.h"
#include "vibe/device.h"
#include "vibe/log.h"

extern const struct vibe_device_ops vibe_dev_uart8250_ops;

/* ---- stubs: what the UART sees of the rest of vibevmm ---- */
int vibe_log_level = 0;
void vibe_log(int level, const char *fmt, ...) { (void)level; (void)fmt; }
int vibe_ratelimit_ok(struct vibe_ratelimit *rl) { (void)rl; return 1; }

static int irq_level = -1, irq_changes, exit_status = -1;
int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level)
{
	assert_int_equal(irq, 4);
	irq_level = level;
	irq_changes++;
	return 0;
}
void vibe_vm_request_exit(struct vibe_vm *vm, int status) { exit_status = status; }

static char tx[256];
static size_t tx_len;
static const char *rx_data = "";
static console_notify_fn rx_notify;
static console_quit_fn rx_quit;
static void *rx_opaque;
int console_init(void) { return 0; }
void console_write(const void *buf, size_t len)
{
	memcpy(tx + tx_len, buf, len);
	tx_len += len;
}
int console_attach_input(console_notify_fn n, console_quit_fn q, void *opaque)
{
	rx_notify = n;
	rx_quit = q;
	rx_opaque = opaque;
	return 0;
}
size_t console_read(uint8_t *buf, size_t max)
{
	size_t n = 0;
	while (n < max && *rx_data)
		buf[n++] = (uint8_t)*rx_data++;
	return n;
}

/* ---- fixture ---- */
static const struct vibe_dev_desc desc = { .name = "com1", .type = "uart8250", .irq = 4 };
static struct vibe_dev dev;

enum { THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static uint8_t rd(unsigned off) { return (uint8_t)vibe_dev_uart8250_ops.read(&dev, off, 1); }
static void wr(unsigned off, uint8_t v) { vibe_dev_uart8250_ops.write(&dev, off, 1, v); }

static int setup(void **state)
{
	memset(&dev, 0, sizeof(dev));
	dev.desc = &desc;
	irq_level = 0;
	irq_changes = 0;
	exit_status = -1;
	tx_len = 0;
	rx_data = "";
	return vibe_dev_uart8250_ops.init(&dev);
}

static void reset_state_is_idle(void **state)
{
	assert_int_equal(rd(LSR), 0x60); /* THRE | TEMT */
	assert_int_equal(rd(IIR), 0x01); /* nothing pending */
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(MSR) & 0xf0, 0xb0); /* DCD DSR CTS: a present console */
}

static void thre_interrupt_follows_the_16550(void **state)
{
	wr(IER, 0x02); /* ETBEI with THR empty: interrupt at once */
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(IIR), 0x02);
	assert_int_equal(irq_level, 0); /* reading IIR acknowledged it */
	assert_int_equal(rd(IIR), 0x01);
	wr(THR, 'A'); /* sent at once: THR empty again, interrupt again */
	assert_int_equal(irq_level, 1);
	assert_int_equal(tx_len, 1);
	assert_int_equal(tx[0], 'A');
	wr(IER, 0x00); /* masking drops the line */
	assert_int_equal(irq_level, 0);
}

/* serial8250_do_startup's UART_BUG_THRE probe: toggling ETBEI must
 * re-assert THRE both times, or Linux falls back to polling. */
static void linux_thre_reassert_probe(void **state)
{
	wr(IER, 0x02);
	uint8_t iir1 = rd(IIR);
	wr(IER, 0x00);
	wr(IER, 0x02);
	uint8_t iir = rd(IIR);
	wr(IER, 0x00);
	assert_false(iir1 & 0x01);
	assert_false(iir & 0x01);
}

static void received_data_raises_and_drains(void **state)
{
	wr(IER, 0x01);
	rx_data = "xy";
	rx_notify(rx_opaque);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(IIR), 0x04);
	assert_int_equal(rd(LSR) & 0x01, 0x01);
	assert_int_equal(rd(THR), 'x'); /* no FIFO: the holding register refills */
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(THR), 'y');
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(LSR) & 0x01, 0);
}

static void fifo_trigger_level_and_timeout(void **state)
{
	wr(FCR, 0xc7); /* FIFOs on, cleared, trigger 14 */
	wr(IER, 0x01);
	rx_data = "abc";
	rx_notify(rx_opaque);
	assert_int_equal(rd(IIR), 0xcc); /* below trigger: character timeout */
	rx_data = "defghijklmnopqrstu";
	rx_notify(rx_opaque);
	assert_int_equal(rd(IIR), 0xc4); /* 16 in the FIFO >= 14 */
	char got[20] = { 0 };
	for (unsigned i = 0; i < 19 && (rd(LSR) & 0x01); i++)
		got[i] = (char)rd(THR);
	assert_string_equal(got, "abcdefghijklmnopqrs"); /* refilled as it drained */
	assert_string_equal(rx_data, ""); /* the console gave everything... */
	assert_int_equal(rd(THR), 't');    /* ...and nothing was lost */
	assert_int_equal(rd(THR), 'u');
	assert_int_equal(rd(LSR) & 0x01, 0);
	assert_int_equal(irq_level, 0);
}

static void loopback_stays_off_the_console(void **state)
{
	wr(MCR, 0x1b); /* LOOP OUT2 RTS DTR */
	assert_int_equal(rd(MSR) & 0xf0, 0xb0);
	wr(THR, 'Z');
	assert_int_equal(tx_len, 0);
	assert_int_equal(rd(LSR) & 0x01, 0x01);
	assert_int_equal(rd(THR), 'Z');
	/* a second byte with no FIFO and no read overruns: line status */
	wr(IER, 0x04);
	wr(THR, '1');
	wr(THR, '2');
	assert_int_equal(rd(IIR) & 0x0f, 0x06);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(LSR) & 0x02, 0x02);
	assert_int_equal(rd(LSR) & 0x02, 0); /* OE clears on read */
}

static void divisor_latch_and_zero_divisor(void **state)
{
	wr(LCR, 0x83);
	wr(THR, 0);
	wr(IER, 0);
	assert_int_equal(rd(THR), 0);
	assert_int_equal(rd(IER), 0);
	wr(LCR, 0x03);
	wr(THR, 'k'); /* still transmits */
	assert_int_equal(tx_len, 1);
	wr(SCR, 0xa5);
	assert_int_equal(rd(SCR), 0xa5);
}

static void odd_sizes_and_offsets_are_harmless(void **state)
{
	vibe_dev_uart8250_ops.write(&dev, THR, 4, 0x11223344);
	assert_int_equal(tx_len, 1);
	assert_int_equal((uint8_t)tx[0], 0x44);
	vibe_dev_uart8250_ops.write(&dev, 8, 1, 0xff); /* past the registers */
	assert_int_equal(vibe_dev_uart8250_ops.read(&dev, 100, 8), ~0ull);
	assert_int_equal(vibe_dev_uart8250_ops.read(&dev, LSR, 2), 0x60);
}

static void ctrl_a_x_ends_the_run_with_0(void **state)
{
	rx_quit(rx_opaque);
	assert_int_equal(exit_status, 0);
}

/* uart_destroy() leaves the state allocated (in vibevmm an input thread may
 * still use it until exit); with the stubbed console no thread exists, so
 * free it here: each test's setup allocates a new one (LeakSanitizer). */
static int teardown(void **state)
{
	vibe_dev_uart8250_ops.destroy(&dev);
	free(dev.state);
	dev.state = NULL;
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
	const struct CMUnitTest tests[] = {
		T(reset_state_is_idle),
		T(thre_interrupt_follows_the_16550),
		T(linux_thre_reassert_probe),
		T(received_data_raises_and_drains),
		T(fifo_trigger_level_and_timeout),
		T(loopback_stays_off_the_console),
		T(divisor_latch_and_zero_divisor),
		T(odd_sizes_and_offsets_are_harmless),
		T(ctrl_a_x_ends_the_run_with_0),
	};
	return cmocka_run_group_tests_name("uart8250 model", tests, NULL, NULL);
}
