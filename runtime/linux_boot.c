/*
 * Linux boot on x86_64; see linux_boot.h. Order matters only in one place:
 * the kernel is loaded first, because where it lands (and how much it
 * decompresses into) decides where the initrd may go.
 *
 * Image files are mapped, copied into guest RAM and unmapped, so they do
 * not stay in vibevmm's own memory.
 */
#include "linux_boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/boot_params.h"
#include "arch/x86_64/bzimage.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/linux_entry.h"
#include "hv/hv.h"
#include "vibe/appliance.h"
#include "vcpu.h"
#include "vibe/log.h"
#include "vm.h"

/* The DSDT, compiled from `vibegen --acpi` by runtime/arch/x86_64/acpi.mk.
 * Weak: a vibevmm built without it boots Linux without ACPI. */
extern const unsigned char vibe_dsdt_aml[] __attribute__((weak));
extern const size_t vibe_dsdt_aml_len __attribute__((weak));

struct mapped { const uint8_t *p; size_t len; int borrowed; };

/* An embedded image is used in place: nothing to map or unmap. */
static int map_blob(const char *what, const struct vibe_blob *b, struct mapped *m)
{
	m->p = b->data;
	m->len = b->size;
	m->borrowed = 1;
	if (!b->size) {
		log_err("embedded %s %s is empty", what, b->name);
		return -1;
	}
	return 0;
}

static int map_file(const char *what, const char *path, struct mapped *m)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	m->p = NULL;
	m->len = 0;
	m->borrowed = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_err("%s %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		log_err("%s %s: not a regular, non-empty file", what, path);
		close(fd);
		return -1;
	}
	m->len = (size_t)st.st_size;
	m->p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->p == MAP_FAILED) {
		log_err("%s %s: mmap: %s", what, path, strerror(errno));
		m->p = NULL;
		return -1;
	}
	return 0;
}

static void unmap_file(struct mapped *m)
{
	if (m->p && !m->borrowed)
		munmap((void *)m->p, m->len);
	m->p = NULL;
}

char *vibe_linux_cmdline(const char *machine, const char *extra)
{
	size_t a = machine ? strlen(machine) : 0, b = extra ? strlen(extra) : 0;
	char *s = malloc(a + b + 2);

	if (!s)
		return NULL;
	memcpy(s, machine ? machine : "", a);
	s[a] = 0;
	if (a && b)
		s[a++] = ' ';
	memcpy(s + a, extra ? extra : "", b + 1);
	return s;
}

/* Reset MSRs for every vCPU and the 64-bit entry state for the boot vCPU.
 * CPUID is already set: arch_vcpu_init() (arch/x86_64/cpu.c) applies
 * cpuid.c's per-vCPU table when the vCPU is created, with APIC ID = index,
 * which the MADT lists. The other vCPUs wait for INIT/SIPI in the
 * in-kernel LAPIC, which resets their registers. */
static int setup_vcpus(struct vibe_vm *vm, uint64_t entry)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vibe_vcpu *vc = &vm->vcpus[i];

		if (hv_x86_set_msrs(vc->hv, vibe_x86_boot_msrs, vibe_x86_boot_msrs_count) < 0)
			return -1;
		if (i == 0) {
			struct hv_x86_sregs s;
			struct hv_regs r;

			if (hv_x86_get_sregs(vc->hv, &s) < 0)
				return -1;
			vibe_linux_entry_sregs(&s);
			vibe_linux_entry_regs(&r, entry, VIBE_BOOT_ZERO_PAGE);
			if (hv_x86_set_sregs(vc->hv, &s) < 0 || hv_vcpu_set_regs(vc->hv, &r) < 0)
				return -1;
		}
	}
	return 0;
}

static uint64_t install_acpi(struct vibe_vm *vm)
{
	char err[256];
	uint64_t rsdp = 0;

	if (!&vibe_dsdt_aml_len || !vibe_dsdt_aml) {
		log_warn("this vibevmm has no ACPI tables built in: Linux will see one CPU "
			 "and no IOAPIC (build with runtime/arch/x86_64/acpi.mk)");
		return 0;
	}
	if (vibe_acpi_install(vm, vm->m, vibe_dsdt_aml, vibe_dsdt_aml_len, &rsdp,
			      err, sizeof(err)) < 0) {
		log_warn("%s; booting without ACPI", err);
		return 0;
	}
	return rsdp;
}

int vibe_linux_boot(struct vibe_vm *vm, const struct vibe_linux_opts *o)
{
	const struct vibe_machine_desc *m = vm->m;
	struct vibe_ram_range ranges[64];
	struct mapped kimg = {0}, rd = {0};
	struct vibe_boot_placement pl;
	static struct boot_params bp;
	struct vibe_kernel k;
	char err[256];
	uint64_t rsdp;
	int rc = 1;

	if (!vm->has_irqchip) {
		log_err("Linux needs KVM's in-kernel irqchip, which could not be created");
		return 2;
	}
	if (m->nram > sizeof(ranges) / sizeof(ranges[0])) {
		log_err("machine has %u RAM regions; Linux boot handles at most 64", m->nram);
		return 1;
	}
	if (o->kernel_blob ? map_blob("kernel", o->kernel_blob, &kimg) < 0
			   : map_file("kernel", o->kernel, &kimg) < 0)
		return 1;
	if (vibe_kernel_parse(kimg.p, kimg.len, &k, err, sizeof(err)) < 0 ||
	    vibe_kernel_load(vm, kimg.p, kimg.len, &k, err, sizeof(err)) < 0) {
		log_err("kernel %s: %s", o->kernel, err);
		goto out;
	}
	if (o->initrd_blob ? map_blob("initrd", o->initrd_blob, &rd) < 0
			   : o->initrd && map_file("initrd", o->initrd, &rd) < 0)
		goto out;
	rsdp = install_acpi(vm);
	for (unsigned i = 0; i < m->nram; i++)
		ranges[i] = (struct vibe_ram_range){ .base = m->ram[i].base, .size = vm->ram[i].size,
			.reserved = (m->ram[i].flags & VIBE_RAM_READONLY) != 0 };
	if (vibe_boot_params_build(&bp, &k, ranges, m->nram, o->cmdline, rd.len, rsdp, &pl,
				   err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	if (vibe_boot_params_write(vm, &bp, &pl, o->cmdline, rd.p) < 0 ||
	    vibe_linux_entry_tables(vm) < 0) {
		log_err("guest RAM does not cover the boot area below 1 MiB "
			"(zero page, command line, page tables)");
		goto out;
	}
	if (setup_vcpus(vm, k.entry) < 0) {
		rc = 2;
		goto out;
	}
	log_info("linux: %s %s at 0x%llx, entry 0x%llx; initrd %zu bytes at 0x%llx; "
		 "cmdline %llu bytes; ACPI RSDP 0x%llx", k.kind == VIBE_KERNEL_ELF ? "vmlinux" : "bzImage",
		 o->kernel, (unsigned long long)k.load_addr, (unsigned long long)k.entry, rd.len,
		 (unsigned long long)pl.initrd, (unsigned long long)pl.cmdline_len - 1,
		 (unsigned long long)rsdp);
	rc = 0;
out:
	unmap_file(&kimg);
	unmap_file(&rd);
	return rc;
}
