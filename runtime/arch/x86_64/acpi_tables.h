/*
 * ACPI table layouts (ACPI 6.5 specification, section numbers below).
 * Debian's acpica-tools ships no headers and the kernel's uapi has none,
 * so they are defined here, packed, with the spec's sizes asserted.
 * All fields little-endian, like the x86 host.
 */
#ifndef VIBE_X86_ACPI_TABLES_H
#define VIBE_X86_ACPI_TABLES_H

#include <stdint.h>

#define ACPI_PACKED __attribute__((packed))

/* 5.2.5.3 Root System Description Pointer, revision 2. */
struct acpi_rsdp {
	char signature[8];      /* "RSD PTR " */
	uint8_t checksum;       /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;       /* 2: XSDT present */
	uint32_t rsdt_address;
	uint32_t length;        /* 36 */
	uint64_t xsdt_address;
	uint8_t ext_checksum;   /* over all 36 bytes */
	uint8_t reserved[3];
} ACPI_PACKED;

/* 5.2.6 System Description Table Header. */
struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} ACPI_PACKED;

/* 5.2.3.2 Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;       /* 0 system memory, 1 system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;    /* 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} ACPI_PACKED;

/* 5.2.9 Fixed ACPI Description Table, revision 6 (276 bytes). */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} ACPI_PACKED;

/* FADT flags (table 5.10) and IA-PC boot architecture flags (5.2.9.3). */
#define ACPI_FADT_WBINVD        (1u << 0)
#define ACPI_FADT_PROC_C1       (1u << 2)
#define ACPI_FADT_PWR_BUTTON    (1u << 4)  /* power button not a fixed feature */
#define ACPI_FADT_SLP_BUTTON    (1u << 5)
#define ACPI_FADT_FIX_RTC       (1u << 6)
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HEADLESS      (1u << 12)
#define ACPI_FADT_HW_REDUCED    (1u << 20)
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042          (1u << 1)
#define ACPI_BOOT_NO_VGA        (1u << 2)
#define ACPI_BOOT_NO_CMOS_RTC   (1u << 5)

/* 5.2.10 Firmware ACPI Control Structure (no checksum; 64-byte aligned). */
struct acpi_facs {
	char signature[4];      /* "FACS" */
	uint32_t length;        /* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;        /* 2 */
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} ACPI_PACKED;

/* 5.2.12 Multiple APIC Description Table and its entries. */
struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags;         /* PCAT_COMPAT: 8259 pair present */
} ACPI_PACKED;
#define ACPI_MADT_PCAT_COMPAT 1u

enum { ACPI_MADT_LAPIC = 0, ACPI_MADT_IOAPIC = 1, ACPI_MADT_ISO = 2, ACPI_MADT_LAPIC_NMI = 4 };

struct acpi_madt_lapic {      /* 5.2.12.2 */
	uint8_t type, length;   /* 0, 8 */
	uint8_t processor_uid, apic_id;
	uint32_t flags;         /* bit 0: enabled */
} ACPI_PACKED;

struct acpi_madt_ioapic {     /* 5.2.12.3 */
	uint8_t type, length;   /* 1, 12 */
	uint8_t ioapic_id, reserved;
	uint32_t address;
	uint32_t gsi_base;
} ACPI_PACKED;

struct acpi_madt_iso {        /* 5.2.12.5 Interrupt Source Override */
	uint8_t type, length;   /* 2, 10 */
	uint8_t bus, source;    /* bus 0 = ISA */
	uint32_t gsi;
	uint16_t flags;         /* MPS INTI flags, table 5.26 */
} ACPI_PACKED;
#define ACPI_ISO_ACTIVE_HIGH 0x1u
#define ACPI_ISO_LEVEL       0xcu

struct acpi_madt_lapic_nmi {  /* 5.2.12.7 */
	uint8_t type, length;   /* 4, 6 */
	uint8_t processor_uid;  /* 0xff: all */
	uint16_t flags;
	uint8_t lint;
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header is 36 bytes");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT rev 6 is 276 bytes");
_Static_assert(__builtin_offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG at 116");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT at 140");
_Static_assert(__builtin_offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT SLEEP_CONTROL at 244");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS is 64 bytes");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header is 44 bytes");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "");

#endif
