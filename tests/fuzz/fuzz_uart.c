/*
 * Fuzz target: the 8250/16550A UART model (runtime/devices/uart8250.c),
 * the one device every x86 machine has, through its vibe_device_ops:
 * register reads and writes at any offset and size (a hostile guest),
 * console input arriving between them, resets, and snapshot restore from
 * fuzzed bytes (a snapshot file is input too).
 *
 * Input: u8 flags, then (flags bit 0) u8 n and n bytes handed to restore,
 * then 4-byte ops: u8 kind, u8 offset, u8 size selector, u8 value.
 *
 * Invariants besides ASan/UBSan: the IRQ line is high exactly while IIR
 * reports an interrupt (checked on every IIR read, before its
 * acknowledge side effect); the line is driven only on a change; at most
 * one byte reaches the console per write at offset 0 (THR); save then restore then save
 * gives the same bytes; restore refuses without changing the state or
 * accepts what save wrote.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"
#include "console.h"
#include "vm.h"
#include "vibe/device.h"

extern const struct vibe_device_ops vibe_dev_uart8250_ops;

/* ---- stubs: what the UART sees of vibevmm (console and VM) ---- */
static int line, line_calls;
/* After a restore from fuzzed bytes the UART believes the line is at the
 * restored level (in vibevmm the irqchip was restored to it first), which
 * this stub cannot know: the next call may repeat a level. */
static bool line_known;
static size_t tx_bytes;
static const uint8_t *rx_p;
static size_t rx_n;
static console_notify_fn rx_notify;
static void *rx_opaque;

int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level)
{
	FUZZ_CHECK(irq == 4 && (level == 0 || level == 1));
	FUZZ_CHECK(!line_known || level != line); /* only on a change: each is an ioctl */
	line = level;
	line_known = true;
	line_calls++;
	return 0;
}
void vibe_vm_request_exit(struct vibe_vm *vm, int status) { (void)vm; (void)status; }
int console_init(void) { return 0; }
void console_write(const void *buf, size_t len) { (void)buf; tx_bytes += len; }
int console_attach_input(console_notify_fn n, console_quit_fn q, void *opaque)
{
	(void)q;
	rx_notify = n;
	rx_opaque = opaque;
	return 0;
}
size_t console_read(uint8_t *buf, size_t max)
{
	size_t k = rx_n < max ? rx_n : max;
	if (!k)
		return 0;
	memcpy(buf, rx_p, k);
	rx_p += k;
	rx_n -= k;
	return k;
}

static const struct vibe_dev_desc desc = { .name = "com1", .type = "uart8250", .irq = 4 };

static int one(const uint8_t *data, size_t size)
{
	static const unsigned sizes[8] = { 1, 1, 1, 1, 2, 4, 8, 3 };
	const struct vibe_device_ops *ops = &vibe_dev_uart8250_ops;
	struct fuzz_in in = { data, size };
	struct vibe_dev dev = { .desc = &desc };
	uint8_t snap[512], snap2[512];
	size_t thr_writes = 0;

	line = 0;
	line_known = true;
	line_calls = 0;
	tx_bytes = 0;
	rx_n = 0;
	FUZZ_CHECK(ops->init(&dev) == 0);
	unsigned flags = (unsigned)fuzz_take(&in, 1);
	if ((flags & 1) && ops->restore) {
		size_t n = (size_t)fuzz_take(&in, 1);
		n = n < in.n ? n : in.n;
		long before = ops->save(&dev, snap, sizeof snap);
		if (ops->restore(&dev, in.p, n) != 0) { /* refused: unchanged */
			FUZZ_CHECK(ops->save(&dev, snap2, sizeof snap2) == before);
			FUZZ_CHECK(before < 0 || memcmp(snap, snap2, (size_t)before) == 0);
		} else {
			line_known = false;
		}
		in.p += n;
		in.n -= n;
	}
	while (in.n >= 4) {
		unsigned kind = (unsigned)fuzz_take(&in, 1);
		uint64_t off = fuzz_take(&in, 1);
		unsigned sz = sizes[fuzz_take(&in, 1) % 8];
		uint8_t val = (uint8_t)fuzz_take(&in, 1);
		off = kind & 0x80 ? off : off % 8; /* mostly in range */
		switch (kind % 5) {
		case 0: case 1:
			ops->write(&dev, off, sz, val);
			/* any write at 0 may be THR (DLAB may come from a restore) */
			thr_writes += off == 0;
			break;
		case 2: {
			int was = line;
			bool known = line_known;
			uint64_t v = ops->read(&dev, off, sz);
			if (off == 2 && sz == 1 && known) /* IIR bit 0: 1 = none pending */
				FUZZ_CHECK((v & 1) == (uint64_t)!was);
			break;
		}
		case 3: { /* console input arrives: up to 32 bytes of the input */
			size_t n = val % 33 < in.n ? val % 33 : in.n;
			rx_p = in.p;
			rx_n = n;
			if (rx_notify)
				rx_notify(rx_opaque);
			in.p += n;
			in.n -= n;
			rx_n = 0; /* what the UART did not take is dropped */
			break;
		}
		case 4: /* snapshot round trip, or a reset */
			if (val & 1) {
				if (ops->reset)
					ops->reset(&dev);
			} else if (ops->save) {
				long a = ops->save(&dev, snap, sizeof snap);
				FUZZ_CHECK(a > 0 && (size_t)a <= sizeof snap);
				FUZZ_CHECK(ops->restore(&dev, snap, (size_t)a) == 0);
				FUZZ_CHECK(ops->save(&dev, snap2, sizeof snap2) == a);
				FUZZ_CHECK(memcmp(snap, snap2, (size_t)a) == 0);
			}
			break;
		}
		FUZZ_CHECK(tx_bytes <= thr_writes);
	}
	if (ops->destroy)
		ops->destroy(&dev);
	free(dev.state); /* the input UART's state outlives destroy on purpose */
	rx_notify = NULL;
	return 0;
}

FUZZ_TARGET(uart, one)
