/*
 * The arm64 guest device tree, generated from the machine model with
 * libfdt's sequential-write API (fdt_create ... fdt_finish). What the
 * nodes look like follows the bindings Linux uses (Documentation/
 * devicetree/bindings/...: arm/psci.yaml, interrupt-controller/
 * arm,gic-v3.yaml, timer/arm,arch_timer.yaml, serial/pl011.yaml,
 * virtio/mmio.yaml, clock/fixed-clock.yaml) and QEMU's `-M virt` layout,
 * so a stock arm64 kernel finds everything it needs with no ACPI.
 *
 * Only what is known at build time is here. The runtime patches the rest
 * (runtime/arch/arm64/boot.c): /chosen/bootargs (machine cmdline plus
 * --cmdline), the initrd range, and the size of the resizable RAM region.
 */
#include "emit_fdt.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emit_util.h"
#include "model.h"

/* GIC interrupt specifier (arm,gic-v3.yaml, #interrupt-cells = 3):
 * <type number flags>, type 0 = SPI, 1 = PPI; flags IRQ_TYPE_*. */
#define GIC_SPI 0u
#define GIC_PPI 1u
#define IRQ_LEVEL_HIGH  4u

/* Arm's generic timer PPIs (the architecture's recommended INTIDs minus
 * 16): secure physical 13 (INTID 29), non-secure physical 14 (30),
 * virtual 11 (27), hypervisor 10 (26), in the binding's order. */
static const uint32_t timer_ppis[4] = { 13, 14, 11, 10 };

#define GICD_SIZE   0x10000ull  /* distributor: 64 KiB */
#define GICR_STRIDE 0x20000ull  /* one redistributor (RD + SGI frames) per vCPU */

/* The PL011's clock: what the amba-pl011 driver divides for the baud rate
 * (any value works for a virtual UART; 24 MHz is QEMU's). */
#define UART_CLK_HZ 24000000u

/* Fails the whole build on the first libfdt error. */
#define CK(call) do { int e_ = (call); if (e_ < 0) return e_; } while (0)

static int prop_u32s(void *fdt, const char *name, const uint32_t *v, unsigned n)
{
	fdt32_t b[16];
	for (unsigned i = 0; i < n && i < 16; i++)
		b[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, b, (int)(n * sizeof(fdt32_t)));
}

/* reg = <base size> with #address-cells = #size-cells = 2. */
static int prop_reg(void *fdt, const uint64_t *pairs, unsigned npairs)
{
	fdt64_t b[8];
	for (unsigned i = 0; i < npairs * 2 && i < 8; i++)
		b[i] = cpu_to_fdt64(pairs[i]);
	return fdt_property(fdt, "reg", b, (int)(npairs * 2 * sizeof(fdt64_t)));
}

static int prop_spi(void *fdt, int irq, uint32_t flags)
{
	uint32_t v[3] = { GIC_SPI, (uint32_t)irq, flags };
	return prop_u32s(fdt, "interrupts", v, 3);
}

/* "compatible" and other string lists: pass them NUL-separated. */
static int prop_strs(void *fdt, const char *name, const char *list, size_t len)
{
	return fdt_property(fdt, name, list, (int)len);
}

static int begin_at(void *fdt, const char *what, uint64_t addr)
{
	char name[64];
	snprintf(name, sizeof name, "%s@%" PRIx64, what, addr);
	return fdt_begin_node(fdt, name);
}

/* The MPIDR affinity KVM gives vCPU `id` (arch/arm64/kvm/sys_regs.c,
 * reset_mpidr: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12]); the HVF
 * backend sets the same. A cpu node's reg must equal it (arm/cpus.yaml). */
static uint32_t mpidr_of(unsigned id)
{
	return (id & 0xfu) | ((id >> 4) & 0xffu) << 8 | ((id >> 12) & 0xffu) << 16;
}

static const struct m_dev *first_of(const struct machine *m, const char *type)
{
	for (unsigned i = 0; i < m->ndevs; i++)
		if (!strcmp(m->devs[i].type->name, type))
			return &m->devs[i];
	return NULL;
}

static int cpus(void *fdt, const struct machine *m)
{
	CK(fdt_begin_node(fdt, "cpus"));
	CK(fdt_property_u32(fdt, "#address-cells", 1));
	CK(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < m->nvcpus; i++) {
		unsigned id = m->vcpus ? m->vcpus[i].id : i;
		uint32_t mpidr = mpidr_of(id);
		CK(begin_at(fdt, "cpu", mpidr));
		CK(fdt_property_string(fdt, "device_type", "cpu"));
		CK(fdt_property_string(fdt, "compatible", "arm,armv8"));
		CK(fdt_property_u32(fdt, "reg", mpidr));
		/* PSCI CPU_ON brings secondaries up (KVM's in-kernel PSCI, or
		 * runtime/arch/arm64/psci.c under HVF); no spin tables. */
		CK(fdt_property_string(fdt, "enable-method", "psci"));
		CK(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int memory(void *fdt, const struct machine *m)
{
	for (unsigned i = 0; i < m->nram; i++) {
		const struct m_ram *r = &m->ram[i];
		/* Read-only regions are flash/ROM, not memory the kernel may
		 * allocate from. The resizable region gets its default size;
		 * the runtime rewrites it for --mem. */
		if (r->flags & M_RAM_READONLY)
			continue;
		uint64_t reg[2] = { r->base, r->size };
		CK(begin_at(fdt, "memory", r->base));
		CK(fdt_property_string(fdt, "device_type", "memory"));
		CK(prop_reg(fdt, reg, 1));
		CK(fdt_end_node(fdt));
	}
	return 0;
}

static int gic(void *fdt, const struct m_dev *d, unsigned nvcpus)
{
	/* The gicv3 device's range is the distributor followed by the
	 * redistributor region (devtypes.c: size 0x10000 + 0x20000 per vCPU). */
	uint64_t reg[4] = { d->base, GICD_SIZE, d->base + GICD_SIZE, GICR_STRIDE * nvcpus };
	CK(begin_at(fdt, "intc", d->base));
	CK(prop_strs(fdt, "compatible", "arm,gic-v3", sizeof "arm,gic-v3"));
	CK(fdt_property_u32(fdt, "#interrupt-cells", 3));
	CK(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CK(fdt_property_u32(fdt, "#address-cells", 2));
	CK(fdt_property_u32(fdt, "#size-cells", 2));
	CK(fdt_property(fdt, "ranges", NULL, 0));
	CK(prop_reg(fdt, reg, 2));
	CK(fdt_property_u32(fdt, "phandle", FDT_PHANDLE_GIC));
	return fdt_end_node(fdt);
}

static int timer(void *fdt)
{
	uint32_t v[12];
	for (unsigned i = 0; i < 4; i++) {
		v[i * 3] = GIC_PPI;
		v[i * 3 + 1] = timer_ppis[i];
		/* GICv3: no CPU mask in the flags (that is GICv2 only). */
		v[i * 3 + 2] = IRQ_LEVEL_HIGH;
	}
	CK(fdt_begin_node(fdt, "timer"));
	CK(prop_strs(fdt, "compatible", "arm,armv8-timer", sizeof "arm,armv8-timer"));
	CK(prop_u32s(fdt, "interrupts", v, 12));
	/* The timer keeps running in WFI (it is virtual). */
	CK(fdt_property(fdt, "always-on", NULL, 0));
	return fdt_end_node(fdt);
}

static int psci(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";
	CK(fdt_begin_node(fdt, "psci"));
	CK(prop_strs(fdt, "compatible", compat, sizeof compat));
	/* HVC: calls trap to EL2 (KVM / vibevmm); SMC would need EL3. */
	CK(fdt_property_string(fdt, "method", "hvc"));
	return fdt_end_node(fdt);
}

static int clock(void *fdt)
{
	CK(fdt_begin_node(fdt, "apb-pclk"));
	CK(fdt_property_string(fdt, "compatible", "fixed-clock"));
	CK(fdt_property_u32(fdt, "#clock-cells", 0));
	CK(fdt_property_u32(fdt, "clock-frequency", UART_CLK_HZ));
	CK(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	CK(fdt_property_u32(fdt, "phandle", FDT_PHANDLE_CLK));
	return fdt_end_node(fdt);
}

static int pl011(void *fdt, const struct m_dev *d)
{
	/* amba-pl011 binds through the AMBA bus, which needs "arm,primecell"
	 * and reads the peripheral ID registers; both clocks are required by
	 * the binding (uartclk for the baud divisor, apb_pclk for the bus). */
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char names[] = "uartclk\0apb_pclk";
	uint64_t reg[2] = { d->base, d->size };
	uint32_t clocks[2] = { FDT_PHANDLE_CLK, FDT_PHANDLE_CLK };
	CK(begin_at(fdt, "pl011", d->base));
	CK(prop_strs(fdt, "compatible", compat, sizeof compat));
	CK(prop_reg(fdt, reg, 1));
	CK(prop_spi(fdt, d->irq, IRQ_LEVEL_HIGH));
	CK(prop_u32s(fdt, "clocks", clocks, 2));
	CK(prop_strs(fdt, "clock-names", names, sizeof names));
	return fdt_end_node(fdt);
}

static int uart8250(void *fdt, const struct m_dev *d)
{
	uint64_t reg[2] = { d->base, d->size };
	CK(begin_at(fdt, "serial", d->base));
	CK(fdt_property_string(fdt, "compatible", "ns16550a"));
	CK(prop_reg(fdt, reg, 1));
	CK(prop_spi(fdt, d->irq, IRQ_LEVEL_HIGH));
	CK(fdt_property_u32(fdt, "clock-frequency", 1843200));
	return fdt_end_node(fdt);
}

static int virtio(void *fdt, const struct m_dev *d)
{
	uint64_t reg[2] = { d->base, d->size };
	CK(begin_at(fdt, "virtio_mmio", d->base));
	CK(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	CK(prop_reg(fdt, reg, 1));
	/* Level: the transport holds its line high while InterruptStatus is
	 * nonzero, through KVM_IRQ_LINE or a resampling irqfd
	 * (runtime/virtio/virtio_io.c). The vGIC signals the resample fd
	 * only on the EOI of a level-configured SPI, so an edge declaration
	 * (QEMU's choice, which pulses) would leave the line stuck high and
	 * lose every later interrupt. */
	CK(prop_spi(fdt, d->irq, IRQ_LEVEL_HIGH));
	/* Guest RAM is cache-coherent with the device model (it is host RAM). */
	CK(fdt_property(fdt, "dma-coherent", NULL, 0));
	return fdt_end_node(fdt);
}

static int chosen(void *fdt, const struct machine *m, const struct m_dev *con)
{
	char path[64];
	CK(fdt_begin_node(fdt, "chosen"));
	CK(fdt_property_string(fdt, "bootargs", m->boot.cmdline ? m->boot.cmdline : ""));
	if (con) {
		snprintf(path, sizeof path, "/%s@%" PRIx64,
			 !strcmp(con->type->name, "pl011") ? "pl011" : "serial", con->base);
		CK(fdt_property_string(fdt, "stdout-path", path));
	}
	/* 64-bit placeholders, patched in place or deleted at run time. */
	CK(fdt_property_u64(fdt, "linux,initrd-start", FDT_INITRD_PLACEHOLDER));
	CK(fdt_property_u64(fdt, "linux,initrd-end", FDT_INITRD_PLACEHOLDER));
	return fdt_end_node(fdt);
}

static int build(void *fdt, size_t cap, const struct machine *m)
{
	const struct m_dev *gicd = first_of(m, "gicv3");
	const struct m_dev *con = first_of(m, "pl011");
	char model[256];

	if (!con)
		con = first_of(m, "uart8250");
	CK(fdt_create(fdt, (int)cap));
	CK(fdt_finish_reservemap(fdt));
	CK(fdt_begin_node(fdt, ""));
	snprintf(model, sizeof model, "vibevmm %s", m->name);
	CK(fdt_property_string(fdt, "model", model));
	/* linux,dummy-virt: "no board file, everything is in the tree". */
	CK(prop_strs(fdt, "compatible", "linux,dummy-virt", sizeof "linux,dummy-virt"));
	CK(fdt_property_u32(fdt, "#address-cells", 2));
	CK(fdt_property_u32(fdt, "#size-cells", 2));
	if (gicd)
		CK(fdt_property_u32(fdt, "interrupt-parent", FDT_PHANDLE_GIC));
	CK(chosen(fdt, m, con));
	CK(memory(fdt, m));
	CK(cpus(fdt, m));
	CK(psci(fdt));
	CK(timer(fdt));
	if (gicd)
		CK(gic(fdt, gicd, m->nvcpus));
	CK(clock(fdt));
	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];
		const char *t = d->type->name;
		if (d->space != M_SPACE_MMIO)
			continue;
		if (!strcmp(t, "pl011"))
			CK(pl011(fdt, d));
		else if (!strcmp(t, "uart8250"))
			CK(uart8250(fdt, d));
		else if (!strncmp(t, "virtio-", 7))
			CK(virtio(fdt, d));
		/* gicv3 is above; debug-exit, boot-timer and null are test
		 * devices a guest finds by address, not by a binding. */
	}
	CK(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

void *fdt_build(const struct machine *m, size_t *size)
{
	if (m->arch != M_ARCH_ARM64) {
		fprintf(stderr, "vibegen: %s: a device tree is generated for arm64 machines only\n", m->file);
		return NULL;
	}
	for (size_t cap = 16384; cap <= (16u << 20); cap *= 2) {
		void *buf = calloc(1, cap);
		if (!buf)
			break;
		int r = build(buf, cap, m);
		if (r == 0) {
			*size = fdt_totalsize(buf);
			return buf;
		}
		free(buf);
		if (r != -FDT_ERR_NOSPACE) {
			fprintf(stderr, "vibegen: %s: building the device tree: %s\n", m->file, fdt_strerror(r));
			return NULL;
		}
	}
	fprintf(stderr, "vibegen: %s: device tree too large or out of memory\n", m->file);
	return NULL;
}

int emit_fdt_c(const struct machine *m, FILE *out)
{
	size_t n;
	unsigned char *b = fdt_build(m, &n);
	if (!b)
		return -1;
	fputs("/* Generated by vibegen from ", out);
	emit_c_comment_text(m->file, out);
	fprintf(out, " (fdt.c): do not edit.\n * Source sha256 %s\n"
		" * The guest's flattened device tree (DTB, %zu bytes). Read it with\n"
		" * `vibegen --dts ", m->sha256, n);
	emit_c_comment_text(m->file, out);
	fputs("`; the runtime patches /chosen and the\n"
	      " * resizable memory node at start (runtime/arch/arm64/boot.c). */\n"
	      "#include <stddef.h>\n\n"
	      "extern const unsigned char vibe_fdt[];\nextern const size_t vibe_fdt_size;\n\n"
	      "const unsigned char vibe_fdt[] __attribute__((aligned(8))) = {", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s0x%02x,", i % 12 ? " " : "\n\t", b[i]);
	fprintf(out, "\n};\nconst size_t vibe_fdt_size = %zu;\n", n);
	free(b);
	return ferror(out) ? -1 : 0;
}

int emit_dts(const struct machine *m, FILE *out)
{
	size_t n;
	char tmp[] = "/tmp/vibegen-dtb-XXXXXX", cmd[128], line[4096];
	void *b = fdt_build(m, &n);
	int fd, rc = -1;

	if (!b)
		return -1;
	fd = mkstemp(tmp);
	if (fd < 0 || write(fd, b, n) != (ssize_t)n) {
		fprintf(stderr, "vibegen: --dts: cannot write a temporary file: %s\n", strerror(errno));
		goto out;
	}
	snprintf(cmd, sizeof cmd, "dtc -q -I dtb -O dts '%s'", tmp);
	FILE *p = popen(cmd, "r");
	if (!p)
		goto nodtc;
	size_t got;
	while ((got = fread(line, 1, sizeof line, p)) > 0)
		fwrite(line, 1, got, out);
	int st = pclose(p);
	if (st == 0) {
		rc = 0;
		goto out;
	}
nodtc:
	fprintf(stderr, "vibegen: --dts needs dtc (Debian package device-tree-compiler), which %s\n",
		access("/usr/bin/dtc", X_OK) ? "is not installed" : "failed on the blob");
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(b);
	return rc;
}
