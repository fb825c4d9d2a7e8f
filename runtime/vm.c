/*
 * VM lifecycle: RAM regions from the generated table, memory slots, ROM
 * files, vCPUs, device instances; the stop protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "hv/hv.h"
#include "sandbox.h"
#include "vcpu.h"
#include "vibe/guest_mem.h"
#include "vibe/log.h"
#include "vm.h"

#define PAGE_4K  0x1000ull
#define PAGE_2M  0x200000ull

/* The signals the main thread waits for in vibe_vm_run(). */
static void wait_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

static const char *ram_name(const struct vibe_ram_desc *r)
{
	return r->name ? r->name : "ram";
}

int vibe_vm_init(struct vibe_vm *vm, const struct vibe_vm_opts *opts)
{
	const struct vibe_machine_desc *m = vm->m;
	int resizable = -1;

	vm->ram = calloc(m->nram ? m->nram : 1, sizeof(*vm->ram));
	vm->devs = calloc(m->ndevs ? m->ndevs : 1, sizeof(*vm->devs));
	vm->nvcpus = m->nvcpus ? m->nvcpus : 1;
	vm->vcpus = calloc(vm->nvcpus, sizeof(*vm->vcpus));
	if (!vm->ram || !vm->devs || !vm->vcpus) {
		log_err("out of memory");
		return -1;
	}
	for (unsigned i = 0; i < m->nram; i++) {
		vm->ram[i].size = m->ram[i].size;
		if ((m->ram[i].flags & VIBE_RAM_RESIZABLE) && resizable < 0)
			resizable = (int)i;
	}
	if (opts->mem_size) {
		if (resizable < 0) {
			log_err("--mem: machine '%s' has no resizable RAM region (add `resizable` to a memory entry in %s)",
				m->name, m->source);
			return -1;
		}
		const struct vibe_ram_desc *r = &m->ram[resizable];
		uint64_t align = (r->flags & VIBE_RAM_HUGEPAGES) ? PAGE_2M : PAGE_4K;
		if (opts->mem_size > r->max_size) {
			log_err("--mem 0x%llx is larger than the maximum 0x%llx (%llu MiB) of RAM region '%s' (%s)",
				(unsigned long long)opts->mem_size, (unsigned long long)r->max_size,
				(unsigned long long)(r->max_size >> 20), ram_name(r),
				r->src ? r->src : m->source);
			return -1;
		}
		if (opts->mem_size % align) {
			log_err("--mem 0x%llx is not a multiple of %s", (unsigned long long)opts->mem_size,
				align == PAGE_2M ? "2 MiB (the region uses huge pages)" : "4 KiB");
			return -1;
		}
		vm->ram[resizable].size = opts->mem_size;
	}
	return 0;
}

/* Ordinary RAM as QEMU maps it: the mapping starts on a 2 MiB boundary
 * (like the region's guest-physical base, so KVM can map each 2 MiB of
 * guest memory with one large second-level page) and is advised for
 * transparent huge pages (MADV_HUGEPAGE: where THP is "madvise", the
 * Debian default, nothing else gets them). Each first touch of a guest
 * page is otherwise a second-level page fault; under nested KVM each costs
 * tens of microseconds, and a booting Linux touches most of its RAM: this
 * alone was about a second of a 256 MiB boot in the L1 test bed. */
static void *map_thp(uint64_t size, int flags)
{
	if (size < PAGE_2M)
		return mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	uint8_t *p = mmap(NULL, size + PAGE_2M, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return p;
	uint8_t *a = (uint8_t *)(((uintptr_t)p + PAGE_2M - 1) & ~(uintptr_t)(PAGE_2M - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + size, (size_t)(p + PAGE_2M - a));
	/* Advice only: a kernel without THP says EINVAL and the RAM works. */
	(void)madvise(a, size, MADV_HUGEPAGE);
	return a;
}

/* mmap one region. Private anonymous memory: the guest's RAM is ours only;
 * NORESERVE so a large max RAM costs nothing until the guest touches it. */
static int map_ram(struct vibe_vm *vm, unsigned i)
{
	const struct vibe_ram_desc *r = &vm->m->ram[i];
	uint64_t size = vm->ram[i].size;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	if (size == 0 || size % PAGE_4K || r->base % PAGE_4K) {
		log_err("RAM region '%s' (%s): base 0x%llx / size 0x%llx not 4 KiB aligned",
			ram_name(r), r->src ? r->src : "?", (unsigned long long)r->base,
			(unsigned long long)size);
		return 1;
	}
	/* Huge pages are reserved at mmap time (no NORESERVE): with too few
	 * the mmap fails here with a clear message, instead of the guest
	 * faulting on a page that cannot be backed later. */
	if ((r->flags & VIBE_RAM_HUGEPAGES) && (size % PAGE_2M || r->base % PAGE_2M)) {
		log_err("RAM region '%s' (%s): with hugepages, base 0x%llx and size 0x%llx must be multiples of 2 MiB",
			ram_name(r), r->src ? r->src : "?", (unsigned long long)r->base,
			(unsigned long long)size);
		return 1;
	}
	if (r->flags & VIBE_RAM_HUGEPAGES)
		flags = (flags & ~MAP_NORESERVE) | MAP_HUGETLB;
	if (r->flags & VIBE_RAM_PREFAULT)
		flags |= MAP_POPULATE;
	void *p = (r->flags & VIBE_RAM_HUGEPAGES) ? mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0)
						   : map_thp(size, flags);
	if (p == MAP_FAILED) {
		if (r->flags & VIBE_RAM_HUGEPAGES)
			log_err("RAM region '%s': cannot get %llu MiB of huge pages (%s); reserve them with "
				"`echo N > /proc/sys/vm/nr_hugepages` or drop `hugepages` (%s)",
				ram_name(r), (unsigned long long)(size >> 20), strerror(errno),
				r->src ? r->src : vm->m->source);
		else
			log_err("RAM region '%s': mmap of %llu MiB: %s", ram_name(r),
				(unsigned long long)(size >> 20), strerror(errno));
		return 2;
	}
	vm->ram[i].hva = p;
	if (hv_map_memory(vm->hv, i, r->base, size, p,
			  (r->flags & VIBE_RAM_READONLY) ? HV_MEM_READONLY : 0) < 0)
		return 2;
	log_debug("RAM '%s': gpa 0x%llx size 0x%llx%s%s%s", ram_name(r),
		  (unsigned long long)r->base, (unsigned long long)size,
		  (r->flags & VIBE_RAM_HUGEPAGES) ? " hugepages" : "",
		  (r->flags & VIBE_RAM_PREFAULT) ? " prefault" : "",
		  (r->flags & VIBE_RAM_READONLY) ? " readonly" : "");
	return 0;
}

/* A relative ROM path is tried as given, then next to the machine file. */
static int open_rom(const struct vibe_machine_desc *m, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || path[0] == '/' || !m->source)
		return fd;
	const char *slash = strrchr(m->source, '/');
	if (!slash)
		return fd;
	char alt[PATH_MAX];
	int n = snprintf(alt, sizeof(alt), "%.*s/%s", (int)(slash - m->source), m->source, path);
	if (n < 0 || (size_t)n >= sizeof(alt))
		return fd;
	int fd2 = open(alt, O_RDONLY | O_CLOEXEC);
	return fd2 >= 0 ? fd2 : fd;
}

static int load_rom(struct vibe_vm *vm, unsigned i)
{
	const struct vibe_ram_desc *r = &vm->m->ram[i];
	struct stat st;
	int fd = open_rom(vm->m, r->rom_file);
	if (fd < 0) {
		log_err("ROM file '%s' for region '%s' (%s): %s", r->rom_file, ram_name(r),
			r->src ? r->src : "?", strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size > vm->ram[i].size) {
		log_err("ROM file '%s' (%lld bytes) does not fit region '%s' (0x%llx bytes)",
			r->rom_file, (long long)st.st_size, ram_name(r),
			(unsigned long long)vm->ram[i].size);
		close(fd);
		return 1;
	}
	/* Straight into the mapping: a read-only slot is read-only for the
	 * guest only. */
	uint8_t *dst = vm->ram[i].hva;
	size_t done = 0;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, dst + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_err("reading ROM file '%s': %s", r->rom_file, n < 0 ? strerror(errno) : "short read");
			close(fd);
			return 1;
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
}

static int init_devices(struct vibe_vm *vm)
{
	const struct vibe_machine_desc *m = vm->m;
	char missing[256] = "";
	size_t len = 0;
	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct vibe_dev_desc *d = &m->devs[i];
		struct vibe_dev *dev = &vm->devs[i];
		dev->desc = d;
		dev->vm = vm;
		dev->index = i;
		if (!d->ops) {
			/* Weak ops symbol resolved to NULL: the type's file was not
			 * linked. The exit loop treats it as unmapped. Collected into
			 * one line: a list per device buries the line that matters. */
			if (len < sizeof(missing)) {
				int n = snprintf(missing + len, sizeof(missing) - len, "%s%s (%s)",
						 len ? ", " : "", d->name, d->type);
				len += n > 0 ? (size_t)n : 0;
			}
			continue;
		}
		if (d->ops->init && d->ops->init(dev) < 0) {
			/* init() has said why in one error line (device.h); a
			 * second would bury it, so this one is for --log 2. */
			log_info("%s: device %s failed to initialise (%s)", d->name, d->type,
				 d->src ? d->src : m->source);
			return 1;
		}
		vm->devs_inited = (int)i + 1;
	}
	if (len)
		log_warn("not built into this vibevmm, so unmapped: %s", missing);
	return 0;
}

int vibe_vm_setup(struct vibe_vm *vm, const struct vibe_vm_opts *opts)
{
	const struct vibe_machine_desc *m = vm->m;
	int rc;

	/* Blocked before any device or vCPU thread exists, so all of them
	 * inherit it and only the main thread takes these signals, in
	 * vibe_vm_run()'s sigwaitinfo(). A device may request the exit (and
	 * so send SIGUSR2) before the run starts: it stays pending. */
	sigset_t wait;
	wait_signals(&wait);
	pthread_sigmask(SIG_BLOCK, &wait, NULL);
	vm->main_thread = pthread_self();
	/* Every thread vibevmm starts (vCPUs, device I/O, console input) gets
	 * a 1 MiB stack instead of RLIMIT_STACK's 8 MiB: where THP is
	 * "always", an 8 MiB stack whose top 2 MiB is aligned, e.g. one placed
	 * right below the 2 MiB-aligned guest RAM, is backed by a huge page at
	 * the first touch: 2 MiB of RSS for a few KiB of stack (seen in L1).
	 * Nothing here uses deep stacks (the largest frame is 64 KiB). */
	pthread_attr_t attr;
	if (pthread_getattr_default_np(&attr) == 0) {
		pthread_attr_setstacksize(&attr, 1u << 20);
		pthread_setattr_default_np(&attr);
		pthread_attr_destroy(&attr);
	}
	vm->hv = hv_vm_create();
	if (!vm->hv)
		return 2;
	if (opts->want_irqchip) {
		/* Before any vCPU: KVM attaches each vCPU's LAPIC at creation. */
		if (hv_create_irqchip(vm->hv, HV_IRQCHIP_PIT) == 0)
			vm->has_irqchip = 1;
		else
			log_info("running without an in-kernel irqchip: device interrupts are not delivered");
	}
	for (unsigned i = 0; i < m->nram; i++)
		if ((rc = map_ram(vm, i)))
			return rc;
	for (unsigned i = 0; i < m->nram; i++)
		if (m->ram[i].rom_file && (rc = load_rom(vm, i)))
			return rc;
	if (vm->nvcpus > hv_vm_caps(vm->hv)->max_vcpus)
		log_warn("machine has %u vCPUs; KVM recommends at most %u", vm->nvcpus,
			 hv_vm_caps(vm->hv)->max_vcpus);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vibe_vcpu *vc = &vm->vcpus[i];
		vc->vm = vm;
		vc->id = m->nvcpus ? m->vcpus[i].id : 0;
		vc->hv = hv_vcpu_create(vm->hv, vc->id);
		if (!vc->hv || arch_vcpu_init(vc) < 0)
			return 2;
	}
	return init_devices(vm);
}

void vibe_vm_request_exit(struct vibe_vm *vm, int status)
{
	int expected = 0;
	if (!__atomic_compare_exchange_n(&vm->stopping, &expected, 1, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return;
	vm->exit_status = status;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vibe_vcpu_kick(&vm->vcpus[i]);
	/* The main thread sleeps in sigwaitinfo() for this. */
	pthread_kill(vm->main_thread, SIGUSR2);
}

int vibe_vm_stopping(const struct vibe_vm *vm)
{
	return __atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE);
}

int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level)
{
	if (!vm->has_irqchip)
		return 0;
	return hv_irq_line(vm->hv, irq, level);
}

int vibe_vm_ioeventfd(struct vibe_vm *vm, enum vibe_space space, uint64_t addr, unsigned size,
		      int fd, int has_data, uint64_t data)
{
	unsigned flags = (space == VIBE_SPACE_PIO ? HV_IOEVENT_PIO : 0) |
			 (has_data ? HV_IOEVENT_DATAMATCH : 0);
	return hv_ioeventfd(vm->hv, addr, size, fd, flags, data);
}

int vibe_vm_irqfd(struct vibe_vm *vm, unsigned irq, int irq_fd, int resample_fd)
{
	if (!vm->has_irqchip)
		return -1;
	if (resample_fd >= 0)
		return hv_irqfd_resample(vm->hv, irq, irq_fd, resample_fd);
	return hv_irqfd(vm->hv, irq, irq_fd, 0);
}

int vibe_vm_run(struct vibe_vm *vm)
{
	sigset_t wait;
	wait_signals(&wait);

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (vibe_vcpu_start(&vm->vcpus[i]) < 0) {
			vibe_vm_request_exit(vm, 2);
			break;
		}
	}
	/* From here on the main thread creates nothing (runtime/sandbox.h). */
	vibe_sandbox_enter(VIBE_SB_MAIN);
	while (!vibe_vm_stopping(vm)) {
		siginfo_t si;
		int sig = sigwaitinfo(&wait, &si);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			log_info("signal %d: stopping the guest", sig);
			vibe_vm_request_exit(vm, 128 + sig);
		}
	}
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].created)
			pthread_join(vm->vcpus[i].thread, NULL);
	return vm->exit_status & 0xff;
}

void vibe_vm_destroy(struct vibe_vm *vm)
{
	const struct vibe_machine_desc *m = vm->m;
	for (int i = vm->devs_inited - 1; i >= 0; i--) {
		const struct vibe_dev_desc *d = &m->devs[i];
		if (d->ops && d->ops->destroy)
			d->ops->destroy(&vm->devs[i]);
	}
	if (vm->vcpus)
		for (unsigned i = 0; i < vm->nvcpus; i++)
			hv_vcpu_destroy(vm->vcpus[i].hv);
	if (vm->ram)
		for (unsigned i = 0; i < m->nram; i++)
			if (vm->ram[i].hva)
				munmap(vm->ram[i].hva, vm->ram[i].size);
	hv_vm_destroy(vm->hv);
	free(vm->ram);
	free(vm->devs);
	free(vm->vcpus);
	vm->ram = NULL;
	vm->devs = NULL;
	vm->vcpus = NULL;
	vm->hv = NULL;
}
