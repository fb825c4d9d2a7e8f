/*
 * Register layout of the x86 `acpi-pm` device (runtime/devices/acpi_pm.c)
 * and the sleep-type value of S5: shared by the device, the run-time ACPI
 * tables (runtime/arch/x86_64/acpi.c: FADT PM1a blocks and RESET_REG) and
 * vibegen's DSDT (compiler/emit_acpi.c: the \_S5 package), so the value
 * the guest reads from \_S5 is the one the device acts on.
 * Offsets are from the device's base port (ACPI 6.5 section 4.8.3).
 */
#ifndef VIBE_ACPI_PM_H
#define VIBE_ACPI_PM_H

#define VIBE_ACPI_PM_SIZE       8u
#define VIBE_ACPI_PM1_EVT_OFF   0u /* PM1a_EVT_BLK: STS (2 bytes) then EN (2) */
#define VIBE_ACPI_PM1_EVT_LEN   4u
#define VIBE_ACPI_PM1_CNT_OFF   4u /* PM1a_CNT_BLK */
#define VIBE_ACPI_PM1_CNT_LEN   2u
#define VIBE_ACPI_RESET_OFF     6u /* FADT RESET_REG (1 byte, system I/O) */
#define VIBE_ACPI_RESET_VALUE   0x0eu

/* PM1_CNT bits (ACPI 6.5 table 4.13). */
#define VIBE_ACPI_SCI_EN        0x0001u
#define VIBE_ACPI_SLP_TYP_SHIFT 10
#define VIBE_ACPI_SLP_TYP_MASK  0x1c00u
#define VIBE_ACPI_SLP_EN        0x2000u

/* SLP_TYPa for S5 (soft off): the first element of the DSDT's \_S5. */
#define VIBE_ACPI_S5_SLP_TYP    5u

#define VIBE_ACPI_DEFAULT_SCI   9u /* PC convention; the device's irq overrides */

#endif
