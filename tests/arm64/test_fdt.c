/*
 * vibegen's device tree (compiler/emit_fdt.c) against the machine model it
 * came from: every node a Linux guest needs, with reg and interrupts equal
 * to the machine's values, read back with libfdt; and dtc accepts the blob
 * without a single warning. Runs on machines/virt-arm64.yaml and on a
 * 4-vCPU machine written here (redistributor size and cpu nodes scale).
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
#include <libfdt.h>

#include "emit_fdt.h"
#include "model.h"

#ifndef SRCDIR
#error SRCDIR must be defined
#endif

struct built {
	struct machine m;
	void *fdt;
	size_t size;
};

static void load(const char *path, struct built *b)
{
	if (chdir(SRCDIR))
		fail_msg("chdir %s", SRCDIR);
	int rc = machine_load(strdup(path), &b->m);
	if (rc)
		fail_msg("%s: machine_load returned %d", path, rc);
	b->fdt = fdt_build(&b->m, &b->size);
	assert_non_null(b->fdt);
	assert_int_equal(fdt_check_header(b->fdt), 0);
	assert_int_equal(fdt_totalsize(b->fdt), b->size);
}

static void unload(struct built *b)
{
	free(b->fdt);
	free((char *)b->m.file);
	machine_free(&b->m);
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);
	if (off < 0)
		fail_msg("node %s missing: %s", path, fdt_strerror(off));
	return off;
}

static const void *prop(const void *fdt, int off, const char *name, int *len)
{
	const void *p = fdt_getprop(fdt, off, name, len);
	if (!p)
		fail_msg("property %s missing in %s", name, fdt_get_name(fdt, off, NULL));
	return p;
}

static uint64_t cell64(const void *p, unsigned i)
{
	fdt64_t v;
	memcpy(&v, (const char *)p + i * 8, 8);
	return fdt64_to_cpu(v);
}

static uint32_t cell32(const void *p, unsigned i)
{
	fdt32_t v;
	memcpy(&v, (const char *)p + i * 4, 4);
	return fdt32_to_cpu(v);
}

static void check_reg(const void *fdt, int off, uint64_t base, uint64_t size)
{
	int len;
	const void *r = prop(fdt, off, "reg", &len);
	assert_true(len >= 16);
	assert_int_equal(cell64(r, 0), base);
	assert_int_equal(cell64(r, 1), size);
}

static void check_spi(const void *fdt, int off, int irq, uint32_t flags)
{
	int len;
	const void *p = prop(fdt, off, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(cell32(p, 0), 0);             /* SPI */
	assert_int_equal(cell32(p, 1), (uint32_t)irq); /* INTID - 32 */
	assert_int_equal(cell32(p, 2), flags);
}

static int has_compat(const void *fdt, int off, const char *c)
{
	return fdt_node_check_compatible(fdt, off, c) == 0;
}

/* Every device of the model has its node with its own values. */
static void check_devices(const struct built *b)
{
	const struct machine *m = &b->m;
	char path[128];
	unsigned virtio = 0, found = 0;

	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];
		const char *t = d->type->name;
		if (!strcmp(t, "pl011")) {
			snprintf(path, sizeof path, "/pl011@%llx", (unsigned long long)d->base);
			int off = node(b->fdt, path);
			assert_true(has_compat(b->fdt, off, "arm,pl011"));
			assert_true(has_compat(b->fdt, off, "arm,primecell"));
			check_reg(b->fdt, off, d->base, 0x1000);
			check_spi(b->fdt, off, d->irq, 4);
			int len;
			const void *clk = prop(b->fdt, off, "clocks", &len);
			assert_int_equal(len, 8);
			int c = fdt_node_offset_by_phandle(b->fdt, cell32(clk, 0));
			assert_true(c >= 0 && has_compat(b->fdt, c, "fixed-clock"));
			found++;
		} else if (!strncmp(t, "virtio-", 7)) {
			snprintf(path, sizeof path, "/virtio_mmio@%llx", (unsigned long long)d->base);
			int off = node(b->fdt, path);
			assert_true(has_compat(b->fdt, off, "virtio,mmio"));
			check_reg(b->fdt, off, d->base, d->size);
			check_spi(b->fdt, off, d->irq, 4); /* level: see emit_fdt.c */
			virtio++;
			found++;
		} else if (!strcmp(t, "gicv3")) {
			snprintf(path, sizeof path, "/intc@%llx", (unsigned long long)d->base);
			int off = node(b->fdt, path), len;
			assert_true(has_compat(b->fdt, off, "arm,gic-v3"));
			assert_non_null(prop(b->fdt, off, "interrupt-controller", &len));
			assert_int_equal(cell32(prop(b->fdt, off, "#interrupt-cells", &len), 0), 3);
			const void *r = prop(b->fdt, off, "reg", &len);
			assert_int_equal(len, 32);
			assert_int_equal(cell64(r, 0), d->base);
			assert_int_equal(cell64(r, 1), 0x10000);
			assert_int_equal(cell64(r, 2), d->base + 0x10000);
			assert_int_equal(cell64(r, 3), 0x20000ull * m->nvcpus);
			/* Distributor + redistributors fill the device's range. */
			assert_int_equal(cell64(r, 1) + cell64(r, 3), d->size);
			assert_int_equal(fdt_get_phandle(b->fdt, off), FDT_PHANDLE_GIC);
			found++;
		}
	}
	/* No node without a device: count the virtio nodes in the blob. */
	unsigned in_blob = 0;
	for (int off = fdt_node_offset_by_compatible(b->fdt, -1, "virtio,mmio"); off >= 0;
	     off = fdt_node_offset_by_compatible(b->fdt, off, "virtio,mmio"))
		in_blob++;
	assert_int_equal(in_blob, virtio);
	assert_true(found >= 3);
}

static void check_common(const struct built *b)
{
	const void *fdt = b->fdt;
	const struct machine *m = &b->m;
	int len, off;

	off = node(fdt, "/");
	assert_int_equal(cell32(prop(fdt, off, "#address-cells", &len), 0), 2);
	assert_int_equal(cell32(prop(fdt, off, "#size-cells", &len), 0), 2);
	assert_int_equal(cell32(prop(fdt, off, "interrupt-parent", &len), 0), FDT_PHANDLE_GIC);

	/* memory: one node per writable RAM region, with its base and size */
	for (unsigned i = 0; i < m->nram; i++) {
		char path[64];
		snprintf(path, sizeof path, "/memory@%llx", (unsigned long long)m->ram[i].base);
		off = node(fdt, path);
		assert_string_equal(prop(fdt, off, "device_type", &len), "memory");
		check_reg(fdt, off, m->ram[i].base, m->ram[i].size);
	}

	/* cpus: one per vCPU, reg = the MPIDR KVM gives it, PSCI to start */
	unsigned ncpu = 0;
	off = node(fdt, "/cpus");
	int cpu;
	fdt_for_each_subnode(cpu, fdt, off) {
		assert_string_equal(prop(fdt, cpu, "enable-method", &len), "psci");
		assert_string_equal(prop(fdt, cpu, "device_type", &len), "cpu");
		assert_int_equal(cell32(prop(fdt, cpu, "reg", &len), 0), ncpu); /* ids < 16 */
		ncpu++;
	}
	assert_int_equal(ncpu, m->nvcpus);

	off = node(fdt, "/psci");
	assert_true(has_compat(fdt, off, "arm,psci-0.2"));
	assert_true(has_compat(fdt, off, "arm,psci-1.0"));
	assert_string_equal(prop(fdt, off, "method", &len), "hvc");

	off = node(fdt, "/timer");
	assert_true(has_compat(fdt, off, "arm,armv8-timer"));
	const void *ti = prop(fdt, off, "interrupts", &len);
	assert_int_equal(len, 48);
	static const uint32_t ppi[4] = { 13, 14, 11, 10 };
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(cell32(ti, i * 3), 1); /* PPI */
		assert_int_equal(cell32(ti, i * 3 + 1), ppi[i]);
	}

	off = node(fdt, "/chosen");
	assert_non_null(prop(fdt, off, "bootargs", &len));
	const char *so = prop(fdt, off, "stdout-path", &len);
	assert_true(fdt_path_offset(fdt, so) >= 0); /* points at a real node */
	assert_int_equal(len, (int)strlen(so) + 1);
	prop(fdt, off, "linux,initrd-start", &len);
	assert_int_equal(len, 8); /* 64-bit: patched in place at run time */
	prop(fdt, off, "linux,initrd-end", &len);
	assert_int_equal(len, 8);
}

/* dtc re-reads the blob and runs its checks: no output means no warning. */
static void check_dtc(const struct built *b)
{
	if (access("/usr/bin/dtc", X_OK)) {
		print_message("SKIP: dtc not installed (Debian package device-tree-compiler)\n");
		return;
	}
	char tmp[] = "/tmp/vibe-fdt-XXXXXX", cmd[256], out[4096] = "";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->fdt, b->size), (ssize_t)b->size);
	close(fd);
	snprintf(cmd, sizeof cmd, "dtc -I dtb -O dts -o /dev/null %s 2>&1", tmp);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	int st = pclose(p);
	unlink(tmp);
	out[n] = 0;
	if (st != 0 || n)
		fail_msg("dtc complained (status %d):\n%s", st, out);
}

static void test_virt_arm64(void **state)
{
	(void)state;
	struct built b;
	load("machines/virt-arm64.yaml", &b);
	check_common(&b);
	check_devices(&b);
	check_dtc(&b);
	unload(&b);
}

static void test_four_vcpus_and_bootargs(void **state)
{
	(void)state;
	char path[] = "/tmp/vibe-fdt-yaml-XXXXXX";
	int fd = mkstemp(path);
	static const char yaml[] =
		"arch: arm64\nvcpus: 4\nmemory:\n  - name: ram\n    base: 0x80000000\n    size: 256M\n"
		"  - name: flash\n    base: 0\n    size: 64M\n    options: [readonly]\n"
		"boot:\n  cmdline: console=ttyAMA0 quiet\n"
		"devices:\n  - name: gic\n    type: gicv3\n    mmio: 0x08000000\n"
		"  - name: uart\n    type: pl011\n    mmio: 0x09000000\n    irq: 5\n"
		"  - name: rng\n    type: virtio-rng\n    mmio: 0x0a000000\n    irq: 40\n";
	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, sizeof yaml - 1), (ssize_t)(sizeof yaml - 1));
	close(fd);
	struct built b;
	load(path, &b);
	unlink(path);
	check_devices(&b);
	check_dtc(&b);
	int len, off = node(b.fdt, "/cpus");
	unsigned n = 0;
	int cpu;
	fdt_for_each_subnode(cpu, b.fdt, off)
		n++;
	assert_int_equal(n, 4);
	off = node(b.fdt, "/chosen");
	assert_string_equal(prop(b.fdt, off, "bootargs", &len), "console=ttyAMA0 quiet");
	/* The read-only region is flash, not memory Linux may use. */
	assert_true(fdt_path_offset(b.fdt, "/memory@0") < 0);
	check_reg(b.fdt, node(b.fdt, "/memory@80000000"), 0x80000000, 256u << 20);
	unload(&b);
}

static void test_x86_refused(void **state)
{
	(void)state;
	struct machine m;
	size_t n;
	assert_int_equal(chdir(SRCDIR), 0);
	assert_int_equal(machine_load(strdup("machines/virt.yaml"), &m), 0);
	assert_null(fdt_build(&m, &n));
	free((char *)m.file);
	machine_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virt_arm64),
		cmocka_unit_test(test_four_vcpus_and_bootargs),
		cmocka_unit_test(test_x86_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
