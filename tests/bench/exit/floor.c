/*
 * The floor for bench-exit: the cheapest possible KVM exit loop, so the
 * benchmark can say how much vibevmm adds per exit. It is deliberately not
 * vibevmm: no decode, no devices, no logging. It builds the same guest the
 * same way as vibevmm's long-mode raw-binary loader (RAM at 0, identity
 * paging with 2 MiB pages over the low 4 GiB, flat GDT, entry 0x10000) and
 * on every exit only re-enters KVM_RUN. The one exception is the guest's
 * final write to the debug-exit port (0x501), which ends the run so the
 * floor and vibevmm time exactly the same guest work, and MMIO reads, which
 * read 0 like vibevmm's null device (the MMIO guest checks that).
 *
 *   floor GUEST.bin          prints "exits N ns M" on stdout
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM_SIZE   (128ull << 20)
#define ENTRY      0x10000ull
#define PML4_GPA   0x1000ull
#define PDPT_GPA   0x2000ull
#define PD_GPA     0x3000ull /* 4 pages: 4 GiB of 2 MiB pages */
#define GDT_GPA    0x500ull
#define DEBUG_EXIT 0x501

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void setup_long_mode(uint8_t *ram, int vcpu)
{
	uint64_t *pml4 = (uint64_t *)(ram + PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(ram + PDPT_GPA);
	uint64_t *pd = (uint64_t *)(ram + PD_GPA);
	uint64_t *gdt = (uint64_t *)(ram + GDT_GPA);
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	/* Low 4 GiB identity-mapped, so MMIO holes above RAM are reachable. */
	pml4[0] = PDPT_GPA | 0x3;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + 0x1000ull * i) | 0x3;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83; /* present, writable, 2 MiB */

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull; /* 0x08: 64-bit code */
	gdt[2] = 0x00cf92000000ffffull; /* 0x10: data */

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11,
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = code;
	data.selector = 0x10;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = 0x20;        /* PAE */
	sregs.cr0 = 0x80050033;  /* PG, AM, WP, NE, ET, MP, PE */
	sregs.efer = 0x500;      /* LME, LMA */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");

	memset(&regs, 0, sizeof(regs));
	regs.rip = ENTRY;
	regs.rflags = 2;
	regs.rsp = ENTRY;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static void set_cpuid(int kvm, int vcpu)
{
	size_t n = 128;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

	if (!c)
		die("calloc");
	c->nent = n;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2");
	free(c);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: floor GUEST.bin\n");
		return 1;
	}
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE,
		.userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	FILE *f = fopen(argv[1], "rb");
	if (!f)
		die(argv[1]);
	size_t len = fread(ram + ENTRY, 1, RAM_SIZE - ENTRY, f);
	fclose(f);
	if (len == 0) {
		fprintf(stderr, "floor: %s is empty\n", argv[1]);
		return 1;
	}

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	set_cpuid(kvm, vcpu);
	setup_long_mode(ram, vcpu);

	struct timespec t0, t1;
	unsigned long long exits = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		exits++;
		if (run->exit_reason == KVM_EXIT_MMIO) {
			/* What vibevmm's null device answers; the MMIO guest checks. */
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0, sizeof(run->mmio.data));
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == DEBUG_EXIT)
			break;
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "floor: unexpected exit reason %u\n", run->exit_reason);
			return 3;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec);
	printf("exits %llu ns %lld\n", exits, ns);
	return 0;
}
