/*
 * The fixed ACPI tables of an x86_64 machine (RSDP, XSDT, FADT, FACS,
 * MADT), built at run time from the generated machine table and written
 * into guest RAM beside the DSDT, which vibegen generates as ASL at build
 * time and iasl compiles (runtime/arch/x86_64/acpi.mk).
 *
 * The platform is a full (not hardware-reduced) ACPI PC: Linux keeps its
 * PIC/PIT/IOAPIC code paths, exactly as with QEMU -M pc, and powers off by
 * writing SLP_TYP(S5)|SLP_EN to the acpi-pm device's PM1a_CNT; RESET_REG
 * points at the same device for reboot. docs/guides/boot-linux.md explains.
 */
#ifndef VIBE_X86_ACPI_H
#define VIBE_X86_ACPI_H

#include <stdint.h>
#include <stddef.h>

#include "vibe/machine.h"

struct vibe_vm;

/* Where the tables go: the BIOS area Linux scans for "RSD PTR " (ACPI 6.5
 * section 5.2.5.1: 16-byte boundary in 0xe0000-0xfffff), reserved in e820. */
#define VIBE_ACPI_BASE     0xe0000ull
#define VIBE_ACPI_MAX_SIZE 0x20000ull

#define VIBE_ACPI_IOAPIC_ADDR 0xfec00000u /* KVM's in-kernel IOAPIC */
#define VIBE_ACPI_LAPIC_ADDR  0xfee00000u
#define VIBE_ACPI_MAX_CPUS    255u

struct vibe_acpi_config {
	unsigned nvcpus;        /* APIC IDs 0..nvcpus-1, as cpuid.c gives them */
	uint16_t pm_port;       /* acpi-pm device's base port (required) */
	uint8_t sci_irq;        /* its irq */
	/* ISO IRQ0 -> GSI2, the PC wiring. Only when the backend routes the
	 * PIT's GSI 0 to IOAPIC pin 2 as QEMU does; KVM's default routing is
	 * identity (GSI n -> pin n), so the default here is no override. */
	int irq0_to_gsi2;
	/* ISA-range (< 16) IRQs of level-triggered, active-high devices
	 * (virtio-mmio): each gets an override, else Linux assumes ISA
	 * edge/high for them. */
	unsigned nlevel;
	uint8_t level_irqs[16];
};

/* Derive the config from a machine: vCPUs, the acpi-pm device (-1 with
 * `err` set if there is none: without PM1 blocks a full FADT is invalid),
 * virtio IRQs below 16. */
int vibe_acpi_config_from_machine(const struct vibe_machine_desc *m,
				  struct vibe_acpi_config *cfg, char *err, size_t errsz);

/* Lay all tables out in `buf` as they will sit at guest-physical `base`
 * (RSDP first, at `base`), checksums filled; `dsdt` is the iasl-compiled
 * AML. Returns the number of bytes used, or -1 with `err` set. */
long vibe_acpi_build(const struct vibe_acpi_config *cfg, const uint8_t *dsdt,
		     size_t dsdt_len, uint64_t base, uint8_t *buf, size_t bufsz,
		     char *err, size_t errsz);

/* Build for `m` and write at VIBE_ACPI_BASE through guest_write(); sets
 * *rsdp (for boot_params.acpi_rsdp_addr). Returns 0 or -1 with `err`. */
int vibe_acpi_install(struct vibe_vm *vm, const struct vibe_machine_desc *m,
		      const uint8_t *dsdt, size_t dsdt_len, uint64_t *rsdp,
		      char *err, size_t errsz);

/* 8-bit sum of `len` bytes (a valid table sums to 0). */
uint8_t vibe_acpi_sum(const void *p, size_t len);

#endif
