/*
 * THE device type table: the only place a device type is described to the
 * compiler. Validation, layout, the emitters and --emit-schema (hence
 * schema/machine.schema.json and the editor completion) all read it, so a
 * new device type is one row here plus runtime/devices/<c_ident>.c.
 */
#include <string.h>
#include "model.h"

#define X86 (1u << M_ARCH_X86_64)
#define ARM (1u << M_ARCH_ARM64)
#define MMIO (1u << M_SPACE_MMIO)
#define PIO (1u << M_SPACE_PIO)

enum { IRQ_NONE = 0, IRQ_OPTIONAL = 1, IRQ_REQUIRED = 2 };

static const struct prop_def no_props[] = { { 0 } };

static const struct prop_def blk_props[] = {
	{ "path", M_PROP_STR, false, 0, NULL,
	  "host file backing the disk; absent: no medium (the runtime's --disk may supply one)" },
	{ "readonly", M_PROP_BOOL, false, 0, NULL, "reject guest writes (VIRTIO_BLK_F_RO)" },
	{ "serial", M_PROP_STR, false, 0, NULL, "serial number reported to the guest (up to 20 bytes)" },
	{ "image", M_PROP_STR, false, 0, NULL,
	  "initial disk contents: copied to `path` when that file does not exist yet (embedded by vibegen --appliance)" },
	{ 0 }
};

static const struct prop_def net_props[] = {
	{ "mac", M_PROP_STR, false, 0, NULL, "guest MAC address, e.g. 52:54:00:12:34:56; absent: generated" },
	{ "tap", M_PROP_STR, false, 0, NULL, "host tap interface name; absent: the runtime's --net may supply one" },
	{ 0 }
};

static const struct prop_def console_props[] = {
	{ "output", M_PROP_STR, false, 0, "stdio", "where console output goes: stdio, or a file path" },
	{ 0 }
};

static const struct prop_def rng_props[] = {
	{ "max-request", M_PROP_U64, false, 65536, NULL, "largest number of random bytes served per request" },
	{ 0 }
};

const struct dev_type dev_types[] = {
	{ .name = "uart8250", .c_ident = "uart8250", .arch_mask = X86 | ARM,
	  .space_mask = MMIO | PIO, .size = 8, .align = 8, .irq = IRQ_REQUIRED, .props = no_props,
	  .doc = "16550A-compatible UART: x86 port I/O (0x3f8 for COM1), or MMIO on arm64" },
	{ .name = "pl011", .c_ident = "pl011", .arch_mask = ARM, .space_mask = MMIO,
	  .size = 0x1000, .align = 0x1000, .irq = IRQ_REQUIRED, .props = no_props,
	  .doc = "ARM PrimeCell PL011 UART" },
	{ .name = "gicv3", .c_ident = "gicv3", .arch_mask = ARM, .space_mask = MMIO,
	  .size = 0x10000, .size_per_vcpu = 0x20000, .align = 0x10000, .irq = IRQ_NONE,
	  .props = no_props,
	  .doc = "GICv3 interrupt controller: distributor (64 KiB) then one 128 KiB redistributor per vCPU" },
	{ .name = "virtio-blk", .c_ident = "virtio_blk", .arch_mask = X86 | ARM, .space_mask = MMIO,
	  .size = 0x200, .align = 0x200, .irq = IRQ_REQUIRED, .props = blk_props,
	  .doc = "virtio block device on the virtio-mmio transport" },
	{ .name = "virtio-net", .c_ident = "virtio_net", .arch_mask = X86 | ARM, .space_mask = MMIO,
	  .size = 0x200, .align = 0x200, .irq = IRQ_REQUIRED, .props = net_props,
	  .doc = "virtio network device (host tap) on the virtio-mmio transport" },
	{ .name = "virtio-console", .c_ident = "virtio_console", .arch_mask = X86 | ARM,
	  .space_mask = MMIO, .size = 0x200, .align = 0x200, .irq = IRQ_REQUIRED,
	  .props = console_props, .doc = "virtio console on the virtio-mmio transport" },
	{ .name = "virtio-rng", .c_ident = "virtio_rng", .arch_mask = X86 | ARM, .space_mask = MMIO,
	  .size = 0x200, .align = 0x200, .irq = IRQ_REQUIRED, .props = rng_props,
	  .doc = "virtio entropy source (host getrandom) on the virtio-mmio transport" },
	{ .name = "debug-exit", .c_ident = "debug_exit", .arch_mask = X86 | ARM,
	  .space_mask = MMIO | PIO, .size = 4, .align = 1, .irq = IRQ_NONE, .props = no_props,
	  .doc = "a guest write of V ends vibevmm with exit status V & 0xff (tests)" },
	{ .name = "boot-timer", .c_ident = "boot_timer", .arch_mask = X86 | ARM, .space_mask = MMIO,
	  .size = 0x1000, .align = 0x1000, .irq = IRQ_NONE, .props = no_props,
	  .doc = "Firecracker-style boot timer: the guest writes 123 at offset 0 when booted" },
	{ .name = "null", .c_ident = "null", .arch_mask = X86 | ARM, .space_mask = MMIO | PIO,
	  .size = 0, .align = 1, .irq = IRQ_NONE, .props = no_props,
	  .doc = "reads 0, ignores writes: a bring-up placeholder and benchmark target (size required)" },
	{ .name = "i8042", .c_ident = "i8042", .arch_mask = X86, .space_mask = PIO,
	  .size = 5, .align = 1, .irq = IRQ_OPTIONAL, .props = no_props,
	  .doc = "PS/2 controller at port 0x60 (0x60-0x64); writing 0xfe to 0x64 reboots" },
	{ .name = "acpi-pm", .c_ident = "acpi_pm", .arch_mask = X86, .space_mask = PIO,
	  .size = 8, .align = 4, .irq = IRQ_OPTIONAL, .default_irq = 9, .props = no_props,
	  .doc = "ACPI PM1a event/control block: S5 sleep powers off (SCI defaults to IRQ 9)" },
};

const unsigned dev_types_count = sizeof dev_types / sizeof dev_types[0];

const struct dev_type *dev_type_find(const char *name)
{
	for (unsigned i = 0; i < dev_types_count; i++)
		if (!strcmp(dev_types[i].name, name))
			return &dev_types[i];
	return NULL;
}
