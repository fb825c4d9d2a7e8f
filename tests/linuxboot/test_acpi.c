/*
 * ACPI tables (runtime/arch/x86_64/acpi.c): built, then parsed back the way
 * an OS does (RSDP -> XSDT -> FADT -> FACS/DSDT, MADT), every checksum
 * checked; the FADT and MADT are also disassembled by iasl as an
 * independent validator, and vibegen's DSDT for machines/virt.yaml (compiled
 * by the rule in rules.mk) is used when it was built.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_vm.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/acpi_tables.h"
#include "vibe/acpi_pm.h"

#define BASE VIBE_ACPI_BASE
#define VIRT_DSDT LB_OUT "/virt_dsdt.aml"

/* A minimal valid DSDT: a bare header with its checksum. */
static void tiny_dsdt(uint8_t *d)
{
	memset(d, 0, 36);
	memcpy(d, "DSDT", 4);
	d[4] = 36;
	d[8] = 2;
	d[9] = (uint8_t)(0x100 - vibe_acpi_sum(d, 36));
}

static const uint8_t *at(const uint8_t *buf, long len, uint64_t gpa, uint32_t need)
{
	if (gpa < BASE || gpa - BASE + need > (uint64_t)len)
		fail_msg("pointer 0x%llx (+%u) outside the %ld-byte table area",
			 (unsigned long long)gpa, need, len);
	return buf + (gpa - BASE);
}

/* A table's header, length in bounds and checksum zero. */
static const uint8_t *table(const uint8_t *buf, long len, uint64_t gpa, const char *sig)
{
	const uint8_t *t = at(buf, len, gpa, 36);
	struct acpi_header h;

	memcpy(&h, t, sizeof(h));
	if (memcmp(h.signature, sig, 4))
		fail_msg("expected %s at 0x%llx, found %.4s", sig, (unsigned long long)gpa,
			 h.signature);
	at(buf, len, gpa, h.length);
	assert_int_equal(vibe_acpi_sum(t, h.length), 0);
	return t;
}

static struct vibe_acpi_config config(unsigned nvcpus)
{
	struct vibe_acpi_config c;

	memset(&c, 0, sizeof(c));
	c.nvcpus = nvcpus;
	c.pm_port = 0x600;
	c.sci_irq = 9;
	c.nlevel = 2;
	c.level_irqs[0] = 5;
	c.level_irqs[1] = 6;
	return c;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* iasl -d on one table: it checks length and checksum and decodes every
 * field; returns its output (caller frees) or NULL if iasl is missing. */
static char *iasl_disassemble(const void *t, size_t n, const char *name)
{
	char bin[128], cmd[512], dsl[128];
	FILE *f;
	char *out;
	long sz;

	snprintf(bin, sizeof bin, LB_OUT "/%s.dat", name);
	snprintf(dsl, sizeof dsl, LB_OUT "/%s.dsl", name);
	write_file(bin, t, n);
	remove(dsl);
	snprintf(cmd, sizeof cmd, "iasl -vs -d -p " LB_OUT "/%s %s >/dev/null 2>&1",
		 name, bin);
	if (system("command -v iasl >/dev/null") != 0)
		return NULL;
	assert_int_equal(system(cmd), 0);
	f = fopen(dsl, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)sz + 1);
	assert_non_null(out);
	assert_int_equal(fread(out, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	return out;
}

static void check_tables(unsigned nvcpus, const uint8_t *dsdt, size_t dsdt_len)
{
	struct vibe_acpi_config c = config(nvcpus);
	static uint8_t buf[VIBE_ACPI_MAX_SIZE];
	char err[256] = "";
	long len = vibe_acpi_build(&c, dsdt, dsdt_len, BASE, buf, sizeof(buf), err, sizeof(err));
	struct acpi_rsdp r;
	struct acpi_fadt f;
	struct acpi_madt m;
	uint64_t ents[2];
	unsigned nlapic = 0, nioapic = 0, nnmi = 0, iso_irqs = 0;

	if (len < 0)
		fail_msg("build failed: %s", err);
	/* RSDP at the base, both checksums. */
	memcpy(&r, buf, sizeof(r));
	assert_memory_equal(r.signature, "RSD PTR ", 8);
	assert_int_equal(r.revision, 2);
	assert_int_equal(vibe_acpi_sum(buf, 20), 0);
	assert_int_equal(vibe_acpi_sum(buf, 36), 0);
	/* XSDT -> FADT, MADT. */
	const uint8_t *x = table(buf, len, r.xsdt_address, "XSDT");
	assert_int_equal(((const struct acpi_header *)(const void *)x)->length, 36 + 16);
	memcpy(ents, x + 36, sizeof(ents));
	const uint8_t *ft = table(buf, len, ents[0], "FACP");
	const uint8_t *mt = table(buf, len, ents[1], "APIC");

	memcpy(&f, ft, sizeof(f));
	assert_int_equal(f.h.length, 276);
	assert_int_equal(f.h.revision, 6);
	assert_int_equal(f.sci_int, 9);
	assert_int_equal(f.smi_cmd, 0);
	assert_int_equal(f.pm1a_evt_blk, 0x600);
	assert_int_equal(f.pm1a_cnt_blk, 0x604);
	assert_int_equal(f.pm1_evt_len, 4);
	assert_int_equal(f.pm1_cnt_len, 2);
	assert_int_equal(f.x_pm1a_cnt_blk.space_id, 1);
	assert_int_equal(f.x_pm1a_cnt_blk.address, 0x604);
	assert_int_equal(f.reset_reg.address, 0x600 + VIBE_ACPI_RESET_OFF);
	assert_int_equal(f.reset_value, VIBE_ACPI_RESET_VALUE);
	assert_true(f.flags & ACPI_FADT_RESET_REG_SUP);
	assert_false(f.flags & ACPI_FADT_HW_REDUCED);
	assert_false(f.iapc_boot_arch & ACPI_BOOT_8042); /* no PS/2 probe */
	assert_true(f.iapc_boot_arch & ACPI_BOOT_LEGACY_DEVICES);
	assert_int_equal(f.firmware_ctrl, 0);
	assert_int_equal(f.dsdt, f.x_dsdt);
	assert_memory_equal(at(buf, len, f.x_dsdt, (uint32_t)dsdt_len), dsdt, dsdt_len);
	table(buf, len, f.x_dsdt, "DSDT");
	assert_int_equal(f.x_firmware_ctrl % 64, 0);
	assert_memory_equal(at(buf, len, f.x_firmware_ctrl, 64), "FACS", 4);

	/* MADT entries walked by their length bytes, as Linux does. */
	memcpy(&m, mt, sizeof(m));
	assert_int_equal(m.lapic_address, 0xfee00000);
	assert_true(m.flags & ACPI_MADT_PCAT_COMPAT);
	for (uint32_t off = sizeof(m); off < m.h.length; ) {
		const uint8_t *e = mt + off;

		assert_true(e[1] >= 2 && off + e[1] <= m.h.length);
		if (e[0] == ACPI_MADT_LAPIC) {
			struct acpi_madt_lapic l;
			memcpy(&l, e, sizeof(l));
			assert_int_equal(l.apic_id, nlapic);
			assert_int_equal(l.flags & 1, 1);
			nlapic++;
		} else if (e[0] == ACPI_MADT_IOAPIC) {
			struct acpi_madt_ioapic io;
			memcpy(&io, e, sizeof(io));
			assert_int_equal(io.address, 0xfec00000);
			assert_int_equal(io.gsi_base, 0);
			nioapic++;
		} else if (e[0] == ACPI_MADT_ISO) {
			struct acpi_madt_iso iso;
			memcpy(&iso, e, sizeof(iso));
			assert_int_equal(iso.gsi, iso.source);
			assert_int_equal(iso.flags, 0xd); /* level, active high */
			iso_irqs |= 1u << iso.source;
		} else if (e[0] == ACPI_MADT_LAPIC_NMI) {
			assert_int_equal(e[5], 1); /* LINT1 */
			nnmi++;
		} else {
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	assert_int_equal(nlapic, nvcpus);
	assert_int_equal(nioapic, 1);
	assert_int_equal(nnmi, 1);
	assert_int_equal(iso_irqs, (1u << 5) | (1u << 6) | (1u << 9));

	char *dis = iasl_disassemble(mt, m.h.length, "madt");
	if (dis) {
		unsigned found = 0;
		for (const char *p = dis; (p = strstr(p, "Local Apic ID")); p++)
			found++;
		assert_int_equal(found, nvcpus);
		assert_null(strstr(dis, "Invalid"));
		assert_null(strstr(dis, "Incorrect"));
		free(dis);
		dis = iasl_disassemble(ft, f.h.length, "fadt");
		assert_non_null(strstr(dis, "PM1A Control Block Address : 00000604"));
		assert_null(strstr(dis, "Invalid"));
		assert_null(strstr(dis, "Incorrect"));
		free(dis);
	} else {
		print_message("iasl not installed: tables checked by parsing only\n");
	}
}

static void test_tables_1_vcpu(void **state)
{
	uint8_t d[36];

	tiny_dsdt(d);
	check_tables(1, d, sizeof(d));
}

static void test_tables_4_vcpus(void **state)
{
	uint8_t d[36];

	tiny_dsdt(d);
	check_tables(4, d, sizeof(d));
}

static void test_tables_with_vibegen_dsdt(void **state)
{
	FILE *f = fopen(VIRT_DSDT, "rb");
	uint8_t d[65536];
	size_t n;

	if (!f) {
		printf("SKIP: %s not built (needs bin/vibegen and iasl)\n", VIRT_DSDT);
		skip();
	}
	n = fread(d, 1, sizeof(d), f);
	fclose(f);
	assert_true(n > 36);
	check_tables(2, d, n);
}

static void test_bad_inputs_are_errors(void **state)
{
	struct vibe_acpi_config c = config(1);
	static uint8_t buf[VIBE_ACPI_MAX_SIZE];
	uint8_t d[36];
	char err[256] = "";

	tiny_dsdt(d);
	d[20] ^= 1; /* checksum now wrong */
	assert_int_equal(vibe_acpi_build(&c, d, sizeof(d), BASE, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DSDT"));
	tiny_dsdt(d);
	assert_int_equal(vibe_acpi_build(&c, d, 20, BASE, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_int_equal(vibe_acpi_build(&c, d, sizeof(d), BASE, buf, 100, err, sizeof(err)), -1);
	c.nvcpus = 0;
	assert_int_equal(vibe_acpi_build(&c, d, sizeof(d), BASE, buf, sizeof(buf), err, sizeof(err)), -1);
	c.nvcpus = 256;
	assert_int_equal(vibe_acpi_build(&c, d, sizeof(d), BASE, buf, sizeof(buf), err, sizeof(err)), -1);
}

static const struct vibe_dev_desc devs_full[] = {
	{ .name = "blk0", .type = "virtio-blk", .space = VIBE_SPACE_MMIO, .base = 0xd0000000, .size = 0x200, .irq = 5 },
	{ .name = "hi", .type = "virtio-net", .space = VIBE_SPACE_MMIO, .base = 0xd0000200, .size = 0x200, .irq = 17 },
	{ .name = "kbd", .type = "i8042", .space = VIBE_SPACE_PIO, .base = 0x60, .size = 5, .irq = -1 },
	{ .name = "pm", .type = "acpi-pm", .space = VIBE_SPACE_PIO, .base = 0x600, .size = 8, .irq = 10 },
};
static const struct vibe_dev_desc devs_no_pm[] = {
	{ .name = "com1", .type = "uart8250", .space = VIBE_SPACE_PIO, .base = 0x3f8, .size = 8, .irq = 4 },
};

static void test_config_from_machine(void **state)
{
	struct vibe_machine_desc m = { .name = "t", .nvcpus = 2, .ndevs = 4, .devs = devs_full };
	struct vibe_acpi_config c;
	char err[256] = "";

	assert_int_equal(vibe_acpi_config_from_machine(&m, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nvcpus, 2);
	assert_int_equal(c.pm_port, 0x600);
	assert_int_equal(c.sci_irq, 10);
	assert_int_equal(c.nlevel, 1); /* irq 17 needs no ISA override */
	assert_int_equal(c.level_irqs[0], 5);
	assert_false(c.irq0_to_gsi2);

	m.devs = devs_no_pm;
	m.ndevs = 1;
	assert_int_equal(vibe_acpi_config_from_machine(&m, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "acpi-pm"));
}

static void test_install_writes_guest_ram(void **state)
{
	struct vibe_machine_desc m = { .name = "t", .nvcpus = 1, .ndevs = 4, .devs = devs_full };
	struct vibe_vm vm = {0};
	uint8_t d[36];
	uint64_t rsdp = 0;
	char err[256] = "";

	tiny_dsdt(d);
	fake_vm_add(&vm, 0, 0x100000);
	assert_int_equal(vibe_acpi_install(&vm, &m, d, sizeof(d), &rsdp, err, sizeof(err)), 0);
	assert_int_equal(rsdp, 0xe0000);
	assert_memory_equal(guest_ptr(&vm, rsdp, 8), "RSD PTR ", 8);
	fake_vm_free(&vm);
	fake_vm_add(&vm, 0, 0x80000); /* RAM ends below the BIOS area */
	assert_int_equal(vibe_acpi_install(&vm, &m, d, sizeof(d), &rsdp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "guest RAM"));
	fake_vm_free(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_1_vcpu),
		cmocka_unit_test(test_tables_4_vcpus),
		cmocka_unit_test(test_tables_with_vibegen_dsdt),
		cmocka_unit_test(test_bad_inputs_are_errors),
		cmocka_unit_test(test_config_from_machine),
		cmocka_unit_test(test_install_writes_guest_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
