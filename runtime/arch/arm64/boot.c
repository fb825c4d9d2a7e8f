/*
 * Booting an arm64 Linux Image (Documentation/arch/arm64/booting.rst):
 * the arm64 implementation of linux_boot.h, linked instead of the x86_64
 * one for arm64 machines.
 *
 * Guest-physical layout in the first writable RAM region [base, end):
 *   kernel  at ALIGN_UP(base, 2 MiB) + text_offset, image_size bytes
 *           ("placed text_offset bytes from a 2MB aligned base address")
 *   FDT     at end - 2 MiB: 8-byte aligned, under 2 MiB, alone in its
 *           2 MiB block ("must not exceed 2 megabytes ... must be placed on
 *           an 8-byte boundary")
 *   initrd  just below the FDT, 4 KiB aligned, above the kernel's image_size
 * Entry state of the boot vCPU (booting.rst "CPU mode"): x0 = FDT address,
 * x1 = x2 = x3 = 0, PC = kernel, PSTATE = EL1h with D, A, I, F masked, MMU
 * and D-cache off (the reset state KVM and HVF give). Secondaries are
 * powered off (arch_vcpu_init) and started by the kernel with PSCI CPU_ON.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arm64/fdt_patch.h"
#include "arch/arm64/image.h"
#include "hv/hv.h"
#include "linux_boot.h"
#include "vcpu.h"
#include "vibe/guest_mem.h"
#include "vibe/log.h"
#include "vm.h"

#define SZ_2M   0x200000ull
#define FDT_CAP 0x10000u  /* generated tree + bootargs + initrd props */
#define PSTATE_EL1H_DAIF 0x3c5ull

char *vibe_linux_cmdline(const char *machine, const char *extra)
{
	size_t a = machine ? strlen(machine) : 0, b = extra ? strlen(extra) : 0;
	char *s = malloc(a + b + 2);
	if (!s)
		return NULL;
	s[0] = 0;
	if (a)
		memcpy(s, machine, a + 1);
	if (a && b)
		strcat(s, " ");
	if (b)
		strcat(s, extra);
	return s;
}

/* Read a whole file into guest RAM at gpa (checked as one range). */
static int load_file(struct vibe_vm *vm, const char *what, const char *path, int fd, uint64_t size,
		     uint64_t gpa)
{
	uint8_t *dst = guest_ptr(vm, gpa, size);
	if (!dst) {
		log_err("%s %s (%llu bytes) does not fit in guest RAM at 0x%llx", what, path,
			(unsigned long long)size, (unsigned long long)gpa);
		return 1;
	}
	for (uint64_t done = 0; done < size;) {
		ssize_t n = pread(fd, dst + done, size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_err("%s %s: %s", what, path, n < 0 ? strerror(errno) : "file shrank while reading");
			return 1;
		}
		done += (uint64_t)n;
	}
	return 0;
}

static int open_sized(const char *what, const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		log_err("%s %s: %s", what, path, fd < 0 ? strerror(errno) : "not a non-empty regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

static int boot_ram(struct vibe_vm *vm)
{
	for (unsigned i = 0; i < vm->m->nram; i++)
		if (!(vm->m->ram[i].flags & VIBE_RAM_READONLY))
			return (int)i;
	return -1;
}

int vibe_linux_boot(struct vibe_vm *vm, const struct vibe_linux_opts *o)
{
	uint8_t hdr[ARM64_IMAGE_HDR_SIZE];
	struct arm64_image img;
	const char *why;
	uint64_t ksize, isize = 0;
	int rc = 1, ifd = -1;
	int ri = boot_ram(vm);

	if (ri < 0) {
		log_err("machine '%s' has no writable RAM to boot Linux in", vm->m->name);
		return 1;
	}
	uint64_t base = vm->m->ram[ri].base, end = base + vm->ram[ri].size;
	int kfd = open_sized("--kernel", o->kernel, &ksize);
	if (kfd < 0)
		return 1;
	ssize_t n = pread(kfd, hdr, sizeof hdr, 0);
	if (arm64_image_parse(hdr, n < 0 ? 0 : (size_t)n, ksize, &img, &why) < 0) {
		log_err("--kernel %s: %s", o->kernel, why);
		goto out;
	}
	uint64_t kaddr = ((base + SZ_2M - 1) & ~(SZ_2M - 1)) + img.text_offset;
	uint64_t kend = kaddr + img.image_size;
	uint64_t fdt_addr = (end & ~(SZ_2M - 1)) - SZ_2M;
	if (end - base < 3 * SZ_2M || kend > fdt_addr) {
		log_err("--kernel %s needs 0x%llx bytes at 0x%llx plus 2 MiB for the device tree: RAM '%s' ends at 0x%llx (raise --mem)",
			o->kernel, (unsigned long long)img.image_size, (unsigned long long)kaddr,
			vm->m->ram[ri].name, (unsigned long long)end);
		goto out;
	}
	if (load_file(vm, "--kernel", o->kernel, kfd, ksize, kaddr))
		goto out;

	/* o->cmdline is complete (machine's + --cmdline, linux_boot.h). */
	struct arm64_fdt_patch p = { .bootargs = o->cmdline ? o->cmdline : "" };
	if (o->initrd) {
		if ((ifd = open_sized("--initrd", o->initrd, &isize)) < 0)
			goto out;
		uint64_t iaddr = (fdt_addr - isize) & ~0xfffull;
		if (isize > fdt_addr - kend || iaddr < kend) {
			log_err("--initrd %s (%llu bytes) does not fit between the kernel (ends 0x%llx) and the device tree at 0x%llx (raise --mem)",
				o->initrd, (unsigned long long)isize, (unsigned long long)kend,
				(unsigned long long)fdt_addr);
			goto out;
		}
		if (load_file(vm, "--initrd", o->initrd, ifd, isize, iaddr))
			goto out;
		p.has_initrd = 1;
		p.initrd_start = iaddr;
		p.initrd_end = iaddr + isize;
	}
	/* --mem resized a region: its memory node says so. */
	for (unsigned i = 0; i < vm->m->nram && p.nmem < 8; i++)
		if (!(vm->m->ram[i].flags & VIBE_RAM_READONLY)) {
			p.mem[p.nmem].base = vm->m->ram[i].base;
			p.mem[p.nmem++].size = vm->ram[i].size;
		}
	for (unsigned i = 0; i < vm->m->ndevs && p.ndrop < 32; i++)
		if (!vm->m->devs[i].ops && vm->m->devs[i].space == VIBE_SPACE_MMIO)
			p.drop[p.ndrop++] = vm->m->devs[i].base;
	void *fdt = guest_ptr(vm, fdt_addr, FDT_CAP);
	long fsize = fdt ? arm64_fdt_patch(fdt, FDT_CAP, vibe_fdt, &p, &why) : -1;
	if (fsize < 0) {
		log_err("device tree: %s", fdt ? why : "no room in RAM");
		rc = 2;
		goto out;
	}

	struct hv_regs r;
	memset(&r, 0, sizeof(r));
	r.gpr[0] = fdt_addr;
	r.pc = kaddr;
	r.flags = PSTATE_EL1H_DAIF;
	if (hv_vcpu_set_regs(vm->vcpus[0].hv, &r) < 0) {
		rc = 2;
		goto out;
	}
	log_info("arm64 Linux: kernel at 0x%llx (0x%llx bytes), FDT at 0x%llx (%ld bytes), initrd %s, cmdline \"%s\"",
		 (unsigned long long)kaddr, (unsigned long long)img.image_size,
		 (unsigned long long)fdt_addr, fsize, o->initrd ? o->initrd : "none", p.bootargs);
	rc = 0;
out:
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return rc;
}
