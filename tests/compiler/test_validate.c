/*
 * Valid machines through the whole front end (machine_load): defaults,
 * expressions with forward references, auto-placement of MMIO devices and
 * IRQs, the final sort order, and determinism.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "diag.h"
#include "model.h"

static char tmpdir[] = "/tmp/vibegen-validate-XXXXXX";

/* Load YAML text as FILE_NAME in the scratch directory; errors captured. */
static int load_text(const char *file_name, const char *yaml, struct machine *m, char **diag)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir, file_name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	size_t len;
	*diag = NULL;
	FILE *d = open_memstream(diag, &len);
	diag_stream(d);
	int rc = machine_load(strdup(path), m); /* m->file keeps the pointer */
	fclose(d);
	diag_stream(NULL);
	return rc;
}

static void load_ok(const char *name, const char *yaml, struct machine *m)
{
	char *diag;
	int rc = load_text(name, yaml, m, &diag);
	if (rc)
		fail_msg("%s: %d errors:\n%s", name, rc, diag);
	free(diag);
}

static void unload(struct machine *m)
{
	free((char *)m->file);
	machine_free(m);
}

static const struct m_dev *dev(const struct machine *m, const char *name)
{
	for (unsigned i = 0; i < m->ndevs; i++)
		if (!strcmp(m->devs[i].name, name))
			return &m->devs[i];
	fail_msg("no device %s", name);
	return NULL;
}

static const struct m_prop *prop(const struct m_dev *d, const char *key)
{
	for (unsigned i = 0; i < d->nprops; i++)
		if (!strcmp(d->props[i].key, key))
			return &d->props[i];
	return NULL;
}

static void defaults_x86(void **state)
{
	struct machine m;
	load_ok("small.yaml", "arch: x86_64\nmemory:\n  - {name: ram, base: 0, size: 64M}\n", &m);
	assert_string_equal(m.name, "small"); /* the file's stem */
	assert_int_equal(m.arch, M_ARCH_X86_64);
	assert_int_equal(m.phys_bits, 46);
	assert_int_equal(m.nvcpus, 1);
	assert_int_equal(m.vcpus[0].id, 0);
	assert_false(m.vcpus[0].has_entry);
	assert_int_equal(m.mmio_base, 0xd0000000);
	assert_int_equal(m.mmio_size, 0x10000000);
	assert_int_equal(m.nram, 1);
	assert_int_equal(m.ram[0].size, 64 << 20);
	assert_int_equal(m.ram[0].max_size, 64 << 20);
	assert_int_equal(m.ram[0].flags, 0);
	assert_int_equal(m.ndevs, 0);
	assert_int_equal(strlen(m.sha256), 64);
	assert_int_equal(strspn(m.sha256, "0123456789abcdef"), 64);
	unload(&m);
}

static void empty_devices_key_means_none(void **state)
{
	struct machine m;
	load_ok("nodev.yaml", "arch: x86_64\nmemory:\n  - {name: ram, base: 0, size: 4K}\ndevices:\n", &m);
	assert_int_equal(m.ndevs, 0);
	unload(&m);
}

static void defaults_arm64_and_gic_size(void **state)
{
	struct machine m;
	load_ok("a.yaml",
		"name: board\narch: arm64\nvcpus: 4\nmemory:\n  - {name: ram, base: 1G, size: 1G}\n"
		"devices:\n  - {name: gic, type: gicv3, mmio: 0x08000000}\n  - {name: v, type: virtio-rng}\n",
		&m);
	assert_string_equal(m.name, "board");
	assert_int_equal(m.phys_bits, 40);
	assert_int_equal(m.mmio_base, 0x0a000000);
	assert_int_equal(m.nvcpus, 4);
	assert_int_equal(dev(&m, "gic")->size, 0x10000 + 4 * 0x20000);
	assert_int_equal(dev(&m, "gic")->irq, -1);
	assert_int_equal(dev(&m, "v")->base, 0x0a000000);
	assert_int_equal(dev(&m, "v")->irq, 16); /* first auto SPI */
	assert_int_equal(prop(dev(&m, "v"), "max-request")->u, 65536);
	unload(&m);
}

static void auto_placement_skips_fixed_ranges_and_aligns(void **state)
{
	struct machine m;
	load_ok("p.yaml",
		"arch: x86_64\nmemory:\n  - {name: ram, base: 0, size: 128M}\n"
		"devices:\n"
		"  - {name: r0, type: virtio-rng}\n"               /* 0xd0000000 */
		"  - {name: t, type: boot-timer}\n"                /* 4K-aligned: 0xd0001000 */
		"  - {name: hole, type: \"null\", mmio: 0xd0002000, size: 0x300}\n"
		"  - {name: r1, type: virtio-rng}\n"               /* 0xd0000200 */
		"  - {name: r2, type: virtio-rng}\n"               /* 0xd0000400 */
		"  - {name: com1, type: uart8250, pio: 0x3f8, irq: 5}\n"
		"  - {name: pm, type: acpi-pm, pio: 0x600}\n",     /* irq 9 by default */
		&m);
	assert_int_equal(dev(&m, "r0")->base, 0xd0000000);
	assert_true(dev(&m, "r0")->auto_base);
	assert_int_equal(dev(&m, "t")->base, 0xd0001000);
	assert_int_equal(dev(&m, "r1")->base, 0xd0000200);
	assert_int_equal(dev(&m, "r2")->base, 0xd0000400);
	assert_false(dev(&m, "hole")->auto_base);
	/* IRQs: com1 holds 5, pm 9; autos take 6, 7, 8 in file order. */
	assert_int_equal(dev(&m, "pm")->irq, 9);
	assert_int_equal(dev(&m, "r0")->irq, 6);
	assert_true(dev(&m, "r0")->auto_irq);
	assert_int_equal(dev(&m, "r1")->irq, 7);
	assert_int_equal(dev(&m, "r2")->irq, 8);
	assert_int_equal(dev(&m, "t")->irq, -1);
	assert_false(dev(&m, "com1")->auto_irq);
	/* Sorted: MMIO by base, then PIO by base. */
	for (unsigned i = 1; i < m.ndevs; i++) {
		const struct m_dev *a = &m.devs[i - 1], *b = &m.devs[i];
		assert_true(a->space < b->space || (a->space == b->space && a->base < b->base));
	}
	assert_string_equal(m.devs[0].name, "r0");
	assert_string_equal(m.devs[m.ndevs - 1].name, "pm");
	unload(&m);
}

static void auto_irq_skips_later_fixed_irq(void **state)
{
	struct machine m;
	/* The fixed irq is declared after the auto device: still never shared. */
	load_ok("i.yaml",
		"arch: x86_64\nmemory:\n  - {name: ram, base: 0, size: 4K}\n"
		"devices:\n  - {name: a, type: virtio-blk}\n  - {name: b, type: virtio-net, irq: 5}\n", &m);
	assert_int_equal(dev(&m, "a")->irq, 6);
	assert_int_equal(dev(&m, "b")->irq, 5);
	unload(&m);
}

static void expressions_and_forward_references(void **state)
{
	struct machine m;
	load_ok("e.yaml",
		"arch: x86_64\nmemory:\n"
		"  - {name: high, base: low.end + 1M, size: low.size * 2}\n"
		"  - {name: low, base: 0, size: 0x10_0000}\n"
		"devices:\n  - {name: n, type: \"null\", mmio: high.end, size: (4K + 4K) / 2}\n", &m);
	/* Sorted by base: low first. */
	assert_string_equal(m.ram[0].name, "low");
	assert_string_equal(m.ram[1].name, "high");
	assert_int_equal(m.ram[1].base, 0x200000);
	assert_int_equal(m.ram[1].size, 0x200000);
	assert_int_equal(dev(&m, "n")->base, 0x400000);
	assert_int_equal(dev(&m, "n")->size, 0x1000);
	unload(&m);
}

static void ram_options_vcpus_and_boot(void **state)
{
	struct machine m;
	load_ok("o.yaml",
		"arch: x86_64\nphys_bits: 39\nmmio_window: {base: 0xe0000000, size: 16M}\n"
		"vcpus:\n  count: 3\n  cpus:\n    - {id: 2, entry: 0x20000}\n"
		"memory:\n  - name: ram\n    base: 0\n    size: 128M\n    max_size: 1G\n"
		"    options: [hugepages, prefault]\n"
		"  - {name: rom, base: 0xfff0_0000, size: 1M, options: [readonly], rom: fw.bin}\n"
		"boot: {kernel: k.bin, cmdline: console=ttyS0, entry: 0x10000, mode: long}\n", &m);
	assert_int_equal(m.phys_bits, 39);
	assert_int_equal(m.mmio_base, 0xe0000000);
	assert_int_equal(m.nvcpus, 3);
	assert_false(m.vcpus[1].has_entry);
	assert_true(m.vcpus[2].has_entry);
	assert_int_equal(m.vcpus[2].entry, 0x20000);
	assert_int_equal(m.ram[0].flags, M_RAM_HUGEPAGES | M_RAM_PREFAULT | M_RAM_RESIZABLE);
	assert_int_equal(m.ram[0].max_size, 1 << 30);
	assert_int_equal(m.ram[1].flags, M_RAM_READONLY);
	assert_string_equal(m.ram[1].rom_file, "fw.bin");
	assert_string_equal(m.boot.kernel, "k.bin");
	assert_null(m.boot.initrd);
	assert_string_equal(m.boot.cmdline, "console=ttyS0");
	assert_true(m.boot.has_entry);
	assert_false(m.boot.has_load_addr);
	assert_string_equal(m.boot.mode, "long");
	unload(&m);
}

static void device_props_and_locations(void **state)
{
	struct machine m;
	load_ok("d.yaml",
		"arch: x86_64\nmemory:\n  - {name: ram, base: 0, size: 4K}\ndevices:\n"
		"  - name: blk0\n    type: virtio-blk\n    path: disk.img\n    readonly: true\n"
		"  - name: con\n    type: virtio-console\n", &m);
	const struct m_dev *b = dev(&m, "blk0");
	assert_int_equal(b->loc.line, 5);
	assert_int_equal(b->loc.col, 5);
	assert_string_equal(prop(b, "path")->s, "disk.img");
	assert_int_equal(prop(b, "readonly")->u, 1);
	assert_null(prop(b, "serial")); /* optional string without default: absent */
	assert_string_equal(prop(dev(&m, "con"), "output")->s, "stdio");
	unload(&m);
}

static void deterministic(void **state)
{
	static const char yaml[] =
		"arch: x86_64\nmemory:\n  - {name: ram, base: 0, size: 4K}\ndevices:\n"
		"  - {name: a, type: virtio-net}\n  - {name: b, type: boot-timer}\n  - {name: c, type: virtio-blk}\n";
	struct machine m1, m2;
	load_ok("x.yaml", yaml, &m1);
	load_ok("x.yaml", yaml, &m2);
	assert_string_equal(m1.sha256, m2.sha256);
	assert_int_equal(m1.ndevs, m2.ndevs);
	for (unsigned i = 0; i < m1.ndevs; i++) {
		assert_string_equal(m1.devs[i].name, m2.devs[i].name);
		assert_int_equal(m1.devs[i].base, m2.devs[i].base);
		assert_int_equal(m1.devs[i].irq, m2.devs[i].irq);
	}
	unload(&m1);
	unload(&m2);
}

static void all_errors_reported_up_to_the_limit(void **state)
{
	char yaml[4096] = "arch: x86_64\nmemory:\n  - {name: ram, base: 0, size: 4K}\ndevices:\n";
	for (int i = 0; i < 25; i++)
		snprintf(yaml + strlen(yaml), sizeof yaml - strlen(yaml),
			 "  - {name: d%d, type: boot-timer, colour: red}\n", i);
	struct machine m;
	char *diag;
	int rc = load_text("many.yaml", yaml, &m, &diag);
	assert_int_equal(rc, 25);
	assert_non_null(strstr(diag, "many.yaml:5:"));
	assert_non_null(strstr(diag, "many.yaml:24:")); /* the 20th */
	assert_null(strstr(diag, "many.yaml:25:"));
	assert_non_null(strstr(diag, "5 more errors not shown"));
	free(diag);
	unload(&m);
}

/* Random machines: fixed `null` devices scattered in and around the MMIO
 * window, auto-placed virtio/boot-timer devices between them. Whatever
 * vibegen accepts must be a valid layout; whatever it refuses must be
 * refused for a layout reason. */
static void random_layouts_are_valid_or_refused_for_a_reason(void **state)
{
	srand(12345);
	unsigned accepted = 0, refused = 0;
	for (int round = 0; round < 150; round++) {
		char *yaml = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&yaml, &len);
		uint64_t wsize = (uint64_t)(1 + rand() % 64) << 12;
		fprintf(f, "arch: %s\nmmio_window: {base: 0x4000_0000, size: 0x%llx}\n"
			"memory:\n  - {name: ram, base: 0, size: 16M}\ndevices:\n",
			rand() % 2 ? "x86_64" : "arm64", (unsigned long long)wsize);
		int ndev = 1 + rand() % 40;
		for (int i = 0; i < ndev; i++) {
			int kind = rand() % 4;
			if (kind == 0)
				fprintf(f, "  - {name: n%d, type: \"null\", mmio: 0x%llx, size: 0x%x}\n", i,
					0x40000000ull + (uint64_t)(rand() % (int)(wsize + 0x2000)) - 0x1000,
					1 + rand() % 0x800);
			else
				fprintf(f, "  - {name: a%d, type: %s}\n", i,
					kind == 1 ? "boot-timer" : kind == 2 ? "virtio-net" : "virtio-rng");
		}
		fclose(f);
		struct machine m;
		char *diag;
		int rc = load_text("rand.yaml", yaml, &m, &diag);
		if (rc) {
			refused++;
			/* Only layout reasons: overlap, full window, no IRQ left. */
			for (const char *p = diag; (p = strstr(p, "error[E")); p += 7)
				if (strncmp(p, "error[E045]", 11) && strncmp(p, "error[E047]", 11) &&
				    strncmp(p, "error[E052]", 11))
					fail_msg("unexpected error for:\n%s\n%s", yaml, diag);
		} else {
			accepted++;
			for (unsigned i = 0; i < m.ndevs; i++) {
				const struct m_dev *a = &m.devs[i];
				assert_int_equal(a->base % a->type->align, 0);
				if (a->auto_base) {
					assert_true(a->base >= m.mmio_base);
					assert_true(a->base + a->size <= m.mmio_base + m.mmio_size);
				}
				assert_true(a->base >= m.ram[0].base + m.ram[0].max_size);
				for (unsigned j = i + 1; j < m.ndevs; j++) {
					const struct m_dev *b = &m.devs[j];
					if (a->base + a->size > b->base && b->base + b->size > a->base)
						fail_msg("%s and %s overlap in:\n%s", a->name, b->name, yaml);
					if (a->irq >= 0 && a->irq == b->irq)
						fail_msg("%s and %s share irq %d", a->name, b->name, a->irq);
				}
				if (i)
					assert_true(m.devs[i - 1].base < a->base);
			}
		}
		free(diag);
		free(yaml);
		unload(&m);
	}
	printf("random layouts: %u accepted, %u refused\n", accepted, refused);
	/* The generator must exercise both outcomes to prove anything. */
	assert_true(accepted > 10);
	assert_true(refused > 10);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_x86),
		cmocka_unit_test(empty_devices_key_means_none),
		cmocka_unit_test(defaults_arm64_and_gic_size),
		cmocka_unit_test(auto_placement_skips_fixed_ranges_and_aligns),
		cmocka_unit_test(auto_irq_skips_later_fixed_irq),
		cmocka_unit_test(expressions_and_forward_references),
		cmocka_unit_test(ram_options_vcpus_and_boot),
		cmocka_unit_test(device_props_and_locations),
		cmocka_unit_test(deterministic),
		cmocka_unit_test(all_errors_reported_up_to_the_limit),
		cmocka_unit_test(random_layouts_are_valid_or_refused_for_a_reason),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
