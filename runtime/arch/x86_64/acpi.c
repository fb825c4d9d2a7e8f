/*
 * Run-time ACPI tables; see acpi.h. Section numbers refer to the ACPI 6.5
 * specification; table layouts are in acpi_tables.h.
 *
 * Layout at VIBE_ACPI_BASE (offsets): RSDP 0x0, XSDT 0x40, then FADT,
 * FACS (64-byte aligned), MADT and the DSDT, each 16-byte aligned.
 */
#include "acpi.h"
#include "acpi_tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vibe/acpi_pm.h"
#include "vibe/guest_mem.h"
#include "errbuf.h"

#define OEM_ID       "VIBE  "
#define OEM_TABLE_ID "VIBEVMM "
#define CREATOR_ID   "VIBE"


uint8_t vibe_acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *b++);
	return s;
}

int vibe_acpi_config_from_machine(const struct vibe_machine_desc *m,
				  struct vibe_acpi_config *cfg, char *err, size_t errsz)
{
	int have_pm = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (m->nvcpus == 0 || m->nvcpus > VIBE_ACPI_MAX_CPUS)
		return errbuf(err, errsz, "ACPI: %u vCPUs; the MADT's xAPIC entries "
			    "describe 1..%u", m->nvcpus, VIBE_ACPI_MAX_CPUS);
	cfg->nvcpus = m->nvcpus;
	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct vibe_dev_desc *d = &m->devs[i];

		if (!strcmp(d->type, "acpi-pm")) {
			if (d->space != VIBE_SPACE_PIO || d->base > 0xffff - VIBE_ACPI_PM_SIZE)
				return errbuf(err, errsz, "%s: acpi-pm device '%s' must be in "
					    "port I/O space", d->src, d->name);
			cfg->pm_port = (uint16_t)d->base;
			cfg->sci_irq = (uint8_t)(d->irq >= 0 ? (unsigned)d->irq : VIBE_ACPI_DEFAULT_SCI);
			have_pm = 1;
		} else if (!strncmp(d->type, "virtio-", 7) && d->irq >= 0 && d->irq < 16 &&
			   cfg->nlevel < 16) {
			cfg->level_irqs[cfg->nlevel++] = (uint8_t)d->irq;
		}
	}
	if (!have_pm)
		return errbuf(err, errsz, "ACPI: machine '%s' has no acpi-pm device: Linux "
			    "needs its PM1 registers (add `type: acpi-pm` at pio 0x600)",
			    m->name);
	return 0;
}

static void header(void *at, const char *sig, uint32_t len, uint8_t rev)
{
	struct acpi_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.signature, sig, 4);
	h.length = len;
	h.revision = rev;
	memcpy(h.oem_id, OEM_ID, 6);
	memcpy(h.oem_table_id, OEM_TABLE_ID, 8);
	h.oem_revision = 1;
	memcpy(h.creator_id, CREATOR_ID, 4);
	h.creator_revision = 1;
	memcpy(at, &h, sizeof(h));
}

/* Fill the checksum byte of the table at `t` (offset 9 of the header). */
static void checksum(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - vibe_acpi_sum(t, len));
}

static struct acpi_gas io_gas(uint64_t port, unsigned bytes)
{
	return (struct acpi_gas){ .space_id = 1, .bit_width = (uint8_t)(bytes * 8),
				  .access_size = (uint8_t)(bytes >= 4 ? 3 : bytes), .address = port };
}

static void build_fadt(uint8_t *at, const struct vibe_acpi_config *c,
		       uint64_t facs, uint64_t dsdt)
{
	struct acpi_fadt f;
	uint32_t evt = c->pm_port + VIBE_ACPI_PM1_EVT_OFF;
	uint32_t cnt = c->pm_port + VIBE_ACPI_PM1_CNT_OFF;

	memset(&f, 0, sizeof(f));
	header(&f.h, "FACP", sizeof(f), 6);
	f.minor_version = 5;
	/* 5.2.9: with X_FIRMWARE_CTRL set, FIRMWARE_CTRL must be zero; DSDT
	 * and X_DSDT may agree (all below 4 GiB). */
	f.x_firmware_ctrl = facs;
	f.dsdt = (uint32_t)dsdt;
	f.x_dsdt = dsdt;
	f.sci_int = c->sci_irq;
	/* SMI_CMD 0: "ACPI mode" is always on, no SMM hand-over (5.2.9). */
	f.pm1a_evt_blk = evt;
	f.pm1a_cnt_blk = cnt;
	f.pm1_evt_len = VIBE_ACPI_PM1_EVT_LEN;
	f.pm1_cnt_len = VIBE_ACPI_PM1_CNT_LEN;
	f.x_pm1a_evt_blk = io_gas(evt, VIBE_ACPI_PM1_EVT_LEN);
	f.x_pm1a_cnt_blk = io_gas(cnt, VIBE_ACPI_PM1_CNT_LEN);
	/* No PM timer, no GPE block: both optional (lengths 0). C2/C3 are
	 * declared unsupported by latencies above 100/1000 us. */
	f.p_lvl2_lat = 101;
	f.p_lvl3_lat = 1001;
	/* ISA-style devices exist (the UART), no VGA, no RTC. No 8042 flag
	 * even with an i8042: Linux then skips the PS/2 probe (see
	 * compiler/emit_acpi.c); reboot still reaches the i8042's reset. */
	f.iapc_boot_arch = ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_NO_VGA | ACPI_BOOT_NO_CMOS_RTC;
	f.flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
		  ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC | ACPI_FADT_RESET_REG_SUP |
		  ACPI_FADT_HEADLESS;
	/* Reboot: Linux's default reboot=acpi writes RESET_VALUE here first
	 * (then falls back to the i8042's 0xfe). */
	f.reset_reg = io_gas(c->pm_port + VIBE_ACPI_RESET_OFF, 1);
	f.reset_value = VIBE_ACPI_RESET_VALUE;
	memcpy(&f.hypervisor_vendor_id, "VIBEVMM", 8);
	memcpy(at, &f, sizeof(f));
	checksum(at, sizeof(f));
}

static uint32_t build_madt(uint8_t *at, const struct vibe_acpi_config *c)
{
	struct acpi_madt m;
	uint32_t off = sizeof(m);
	struct acpi_madt_ioapic io = { ACPI_MADT_IOAPIC, 12, 0, 0, VIBE_ACPI_IOAPIC_ADDR, 0 };
	struct acpi_madt_lapic_nmi nmi = { ACPI_MADT_LAPIC_NMI, 6, 0xff, 0, 1 };
	uint8_t done[24] = {0};

	for (unsigned i = 0; i < c->nvcpus; i++) {
		struct acpi_madt_lapic l = { ACPI_MADT_LAPIC, 8, (uint8_t)i, (uint8_t)i, 1 };

		memcpy(at + off, &l, sizeof(l));
		off += sizeof(l);
	}
	/* IOAPIC ID 0: KVM's in-kernel IOAPIC resets its ID register to 0. */
	memcpy(at + off, &io, sizeof(io));
	off += sizeof(io);
	if (c->irq0_to_gsi2) {
		struct acpi_madt_iso iso = { ACPI_MADT_ISO, 10, 0, 0, 2, 0 };

		memcpy(at + off, &iso, sizeof(iso));
		off += sizeof(iso);
	}
	/* The SCI and the virtio lines are level-triggered, active high.
	 * Without an override Linux programs an ISA IRQ as edge/high, and the
	 * SCI as level/low, which KVM's IOAPIC would see as always asserted. */
	for (unsigned i = 0; i <= c->nlevel; i++) {
		uint8_t irq = i < c->nlevel ? c->level_irqs[i] : c->sci_irq;
		struct acpi_madt_iso iso = { ACPI_MADT_ISO, 10, 0, irq, irq,
					     ACPI_ISO_LEVEL | ACPI_ISO_ACTIVE_HIGH };

		if (irq >= 24 || done[irq])
			continue;
		done[irq] = 1;
		memcpy(at + off, &iso, sizeof(iso));
		off += sizeof(iso);
	}
	/* LINT1 of every CPU is the NMI input (hv_x86_setup_lapic_lints). */
	memcpy(at + off, &nmi, sizeof(nmi));
	off += sizeof(nmi);

	memset(&m, 0, sizeof(m));
	header(&m.h, "APIC", off, 5);
	m.lapic_address = VIBE_ACPI_LAPIC_ADDR;
	m.flags = ACPI_MADT_PCAT_COMPAT; /* KVM's irqchip has the 8259 pair */
	memcpy(at, &m, sizeof(m));
	checksum(at, off);
	return off;
}

static uint64_t align(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

long vibe_acpi_build(const struct vibe_acpi_config *c, const uint8_t *dsdt,
		     size_t dsdt_len, uint64_t base, uint8_t *buf, size_t bufsz,
		     char *err, size_t errsz)
{
	const uint64_t xsdt_off = 0x40, xsdt_len = sizeof(struct acpi_header) + 2 * 8;
	uint64_t fadt_off, facs_off, madt_off, dsdt_off, end;
	uint64_t madt_max;
	struct acpi_rsdp r;
	struct acpi_facs fs;
	uint64_t ents[2];
	uint32_t madt_len;

	if (c->nvcpus == 0 || c->nvcpus > VIBE_ACPI_MAX_CPUS || c->nlevel > 16)
		return errbuf(err, errsz, "ACPI: bad configuration (%u vCPUs)", c->nvcpus);
	if (!dsdt || dsdt_len < sizeof(struct acpi_header) || memcmp(dsdt, "DSDT", 4) ||
	    ((const struct acpi_header *)(const void *)dsdt)->length != dsdt_len ||
	    vibe_acpi_sum(dsdt, dsdt_len) != 0)
		return errbuf(err, errsz, "ACPI: the compiled DSDT is not a valid table "
			    "(%zu bytes)", dsdt_len);
	fadt_off = align(xsdt_off + xsdt_len, 16);
	facs_off = align(fadt_off + sizeof(struct acpi_fadt), 64); /* 5.2.10 */
	madt_off = align(facs_off + sizeof(struct acpi_facs), 16);
	madt_max = sizeof(struct acpi_madt) + 8ull * c->nvcpus + 12 + 10 * (2 + c->nlevel) + 6;
	dsdt_off = align(madt_off + madt_max, 16);
	end = dsdt_off + dsdt_len;
	if (end > bufsz || end > VIBE_ACPI_MAX_SIZE)
		return errbuf(err, errsz, "ACPI: tables need %llu bytes, room for %zu",
			    (unsigned long long)end, bufsz);
	memset(buf, 0, end);

	memcpy(buf + dsdt_off, dsdt, dsdt_len);
	memset(&fs, 0, sizeof(fs));
	memcpy(fs.signature, "FACS", 4);
	fs.length = sizeof(fs);
	fs.version = 2;
	memcpy(buf + facs_off, &fs, sizeof(fs));
	build_fadt(buf + fadt_off, c, base + facs_off, base + dsdt_off);
	madt_len = build_madt(buf + madt_off, c);
	if (madt_len > madt_max) /* cannot happen: madt_max counts every entry */
		return errbuf(err, errsz, "ACPI: MADT overflow");

	/* 5.2.8 XSDT: 64-bit pointers to the FADT and the MADT. */
	header(buf + xsdt_off, "XSDT", (uint32_t)xsdt_len, 1);
	ents[0] = base + fadt_off;
	ents[1] = base + madt_off;
	memcpy(buf + xsdt_off + sizeof(struct acpi_header), ents, sizeof(ents));
	checksum(buf + xsdt_off, (uint32_t)xsdt_len);

	/* 5.2.5.3 RSDP revision 2; no RSDT (RsdtAddress 0): the XSDT is
	 * used by every OS that understands revision 2. */
	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, OEM_ID, 6);
	r.revision = 2;
	r.length = sizeof(r);
	r.xsdt_address = base + xsdt_off;
	r.checksum = (uint8_t)(0x100 - vibe_acpi_sum(&r, 20));
	r.ext_checksum = (uint8_t)(0x100 - vibe_acpi_sum(&r, sizeof(r)));
	memcpy(buf, &r, sizeof(r));
	return (long)end;
}

int vibe_acpi_install(struct vibe_vm *vm, const struct vibe_machine_desc *m,
		      const uint8_t *dsdt, size_t dsdt_len, uint64_t *rsdp,
		      char *err, size_t errsz)
{
	struct vibe_acpi_config cfg;
	uint8_t *buf;
	long len;
	int rc = 0;

	if (vibe_acpi_config_from_machine(m, &cfg, err, errsz))
		return -1;
	buf = malloc(VIBE_ACPI_MAX_SIZE);
	if (!buf)
		return errbuf(err, errsz, "ACPI: out of memory");
	len = vibe_acpi_build(&cfg, dsdt, dsdt_len, VIBE_ACPI_BASE, buf,
			      VIBE_ACPI_MAX_SIZE, err, errsz);
	if (len < 0)
		rc = -1;
	else if (guest_write(vm, VIBE_ACPI_BASE, buf, (uint64_t)len) != 0)
		rc = errbuf(err, errsz, "ACPI: guest RAM does not cover [0x%llx, 0x%llx) "
			  "for the ACPI tables", (unsigned long long)VIBE_ACPI_BASE,
			  (unsigned long long)(VIBE_ACPI_BASE + (uint64_t)len));
	else
		*rsdp = VIBE_ACPI_BASE;
	free(buf);
	return rc;
}
