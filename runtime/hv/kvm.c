/*
 * KVM backend, arch-neutral half: /dev/kvm, the VM, memory slots, vCPUs and
 * the run/exit translation. x86 registers, CPUID, MSRs and the irqchip are
 * in kvm_x86.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/kvm_priv.h"
#include "vibe/log.h"

int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	int r;
	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && errno == EINTR);
	return r;
}

static int check_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}

struct hv_vm *hv_vm_create(void)
{
	struct hv_vm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		log_err("out of memory");
		return NULL;
	}
	vm->vm_fd = -1;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		log_err("cannot open /dev/kvm: %s (is KVM loaded and accessible to this user?)",
			strerror(errno));
		goto fail;
	}
	int ver = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		log_err("/dev/kvm: API version %d, vibevmm needs %d", ver, KVM_API_VERSION);
		goto fail;
	}
	/* Without these the exit loop cannot work as designed: user memory
	 * slots are the only way to give RAM, and immediate_exit is what makes
	 * stopping a vCPU race-free (a kick between the stop check and
	 * KVM_RUN would otherwise be lost). */
	static const struct { long cap; const char *name; } required[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!check_cap(vm->kvm_fd, required[i].cap)) {
			log_err("/dev/kvm lacks %s, which vibevmm requires", required[i].name);
			goto fail;
		}
	}
	do {
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	} while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		log_err("KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run)) {
		log_err("KVM_GET_VCPU_MMAP_SIZE: %s", vm->run_size < 0 ? strerror(errno) : "too small");
		goto fail;
	}
	/* Capabilities asked on the VM fd where KVM supports it: answers may
	 * differ per VM type. */
	vm->caps.max_vcpus = check_cap(vm->vm_fd, KVM_CAP_NR_VCPUS);
	if (!vm->caps.max_vcpus)
		vm->caps.max_vcpus = 4; /* the API's documented fallback */
	vm->caps.max_slots = check_cap(vm->vm_fd, KVM_CAP_NR_MEMSLOTS);
	if (!vm->caps.max_slots)
		vm->caps.max_slots = 32;
	vm->caps.readonly_mem = check_cap(vm->vm_fd, KVM_CAP_READONLY_MEM);
	vm->caps.irqchip = check_cap(vm->vm_fd, KVM_CAP_IRQCHIP);
	vm->caps.ioeventfd = check_cap(vm->vm_fd, KVM_CAP_IOEVENTFD);
	vm->caps.irqfd = check_cap(vm->vm_fd, KVM_CAP_IRQFD);
	if (kvm_arch_vm_init(vm) < 0)
		goto fail;
	log_debug("kvm: api %d, max vcpus %u, slots %u, readonly mem %d, irqchip %d, ioeventfd %d, irqfd %d",
		  ver, vm->caps.max_vcpus, vm->caps.max_slots, vm->caps.readonly_mem, vm->caps.irqchip,
		  vm->caps.ioeventfd, vm->caps.irqfd);
	return vm;
fail:
	hv_vm_destroy(vm);
	return NULL;
}

void hv_vm_destroy(struct hv_vm *vm)
{
	if (!vm)
		return;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	free(vm);
}

const struct hv_caps *hv_vm_caps(const struct hv_vm *vm)
{
	return &vm->caps;
}

int hv_map_memory(struct hv_vm *vm, unsigned slot, uint64_t gpa, uint64_t size,
		  void *hva, unsigned flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};
	if (flags & HV_MEM_READONLY) {
		if (!vm->caps.readonly_mem) {
			log_err("read-only memory at 0x%llx: KVM here has no KVM_CAP_READONLY_MEM",
				(unsigned long long)gpa);
			return -1;
		}
		r.flags |= KVM_MEM_READONLY;
	}
	if (slot >= vm->caps.max_slots) {
		log_err("memory slot %u: KVM here has only %u slots", slot, vm->caps.max_slots);
		return -1;
	}
	if (kvm_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		log_err("KVM_SET_USER_MEMORY_REGION slot %u gpa 0x%llx size 0x%llx: %s", slot,
			(unsigned long long)gpa, (unsigned long long)size, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_irq_line(struct hv_vm *vm, unsigned irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level ? 1 : 0 };
	if (!vm->has_irqchip)
		return -1;
#if defined(__aarch64__)
	/* arm64 (KVM API, KVM_IRQ_LINE): irq_type in [27:24], INTID in
	 * [15:0]; a machine file's irq is the SPI number, INTID 32 + irq. */
	l.irq = (uint32_t)KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | (32u + irq);
#endif
	if (kvm_ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0) {
		log_err("KVM_IRQ_LINE %u=%d: %s", irq, level, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_ioeventfd(struct hv_vm *vm, uint64_t addr, unsigned size, int fd, unsigned flags,
		 uint64_t data)
{
	struct kvm_ioeventfd io = {
		.datamatch = data, .addr = addr, .len = size, .fd = fd,
	};
	if (!vm->caps.ioeventfd)
		return -1;
	if (flags & HV_IOEVENT_PIO)
		io.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (flags & HV_IOEVENT_DATAMATCH)
		io.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (flags & HV_IOEVENT_DEASSIGN)
		io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	if (kvm_ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0) {
		log_err("KVM_IOEVENTFD %s 0x%llx size %u: %s", (flags & HV_IOEVENT_PIO) ? "port" : "gpa",
			(unsigned long long)addr, size, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_irqfd(struct hv_vm *vm, unsigned irq, int fd, int deassign)
{
	struct kvm_irqfd f = { .fd = (uint32_t)fd, .gsi = irq };
	if (!vm->caps.irqfd || !vm->has_irqchip)
		return -1;
	if (deassign)
		f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	if (kvm_ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0) {
		log_err("KVM_IRQFD irq %u: %s", irq, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_irqfd_resample(struct hv_vm *vm, unsigned irq, int fd, int resample_fd)
{
	struct kvm_irqfd f = { .fd = (uint32_t)fd, .gsi = irq, .flags = KVM_IRQFD_FLAG_RESAMPLE,
			       .resamplefd = (uint32_t)resample_fd };
	if (!vm->caps.irqfd || !vm->has_irqchip || !check_cap(vm->vm_fd, KVM_CAP_IRQFD_RESAMPLE))
		return -1;
	if (kvm_ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0) {
		log_debug("KVM_IRQFD (resample) irq %u: %s", irq, strerror(errno));
		return -1;
	}
	return 0;
}

struct hv_vcpu *hv_vcpu_create(struct hv_vm *vm, unsigned id)
{
	struct hv_vcpu *v = calloc(1, sizeof(*v));
	if (!v) {
		log_err("out of memory");
		return NULL;
	}
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		log_err("KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		free(v);
		return NULL;
	}
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		log_err("mmap of vCPU %u run area: %s", id, strerror(errno));
		close(v->fd);
		free(v);
		return NULL;
	}
	return v;
}

void hv_vcpu_destroy(struct hv_vcpu *v)
{
	if (!v)
		return;
	munmap(v->run, v->vm->run_size);
	close(v->fd);
	free(v);
}

void hv_vcpu_kick(struct hv_vcpu *v)
{
	/* Seen by KVM_RUN on entry; a vCPU already in the guest is pulled
	 * out by the caller's signal. */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

int hv_vcpu_complete_io(struct hv_vcpu *v)
{
	/* KVM API, KVM_RUN: "userspace can re-enter the guest with ... the
	 * immediate_exit field set to complete pending operations without
	 * allowing any further instructions to be executed". With nothing
	 * pending it is a no-op that returns EINTR as well. */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	int r = ioctl(v->fd, KVM_RUN, 0);
	int err = errno;
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if (r == 0 || err == EINTR || err == EAGAIN)
		return 0;
	log_err("vCPU %u: KVM_RUN (completing I/O): %s", v->id, strerror(err));
	return -1;
}

static void translate_cold(struct kvm_run *run, struct hv_exit *e)
{
	switch (run->exit_reason) {
	case KVM_EXIT_HLT:
		e->kind = HV_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		e->kind = HV_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		e->kind = HV_EXIT_FAIL_ENTRY;
		e->fail_entry.reason = run->fail_entry.hardware_entry_failure_reason;
		e->fail_entry.cpu = run->fail_entry.cpu;
		break;
	case KVM_EXIT_INTERNAL_ERROR: {
		e->kind = HV_EXIT_INTERNAL_ERROR;
		e->internal.suberror = run->internal.suberror;
		uint32_t n = run->internal.ndata;
		if (n > 16)
			n = 16;
		e->internal.ndata = n;
		memcpy(e->internal.data, run->internal.data, n * sizeof(uint64_t));
		break;
	}
	case KVM_EXIT_SYSTEM_EVENT:
		e->kind = HV_EXIT_SYSTEM_EVENT;
		e->system_event.raw_type = run->system_event.type;
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN: e->system_event.type = HV_SYSEV_SHUTDOWN; break;
		case KVM_SYSTEM_EVENT_RESET: e->system_event.type = HV_SYSEV_RESET; break;
		case KVM_SYSTEM_EVENT_CRASH: e->system_event.type = HV_SYSEV_CRASH; break;
		default: e->system_event.type = HV_SYSEV_OTHER; break;
		}
		e->system_event.data0 = run->system_event.ndata ? run->system_event.data[0] : 0;
		break;
	case KVM_EXIT_INTR:
		e->kind = HV_EXIT_INTR;
		break;
	case KVM_EXIT_DEBUG:
		e->kind = HV_EXIT_DEBUG;
		break;
	case KVM_EXIT_ARM_NISV:
		/* arm64 data abort without a valid syndrome (enabled by
		 * KVM_CAP_ARM_NISV_TO_USER in kvm_arm64.c): only a sanitized
		 * ISS; rebuild the ESR_EL2 the emulator takes (EC 0x24, IL). */
		e->kind = HV_EXIT_ARM_ABORT;
		e->arm_abort.esr = 0x24ull << 26 | 1ull << 25 | (run->arm_nisv.esr_iss & 0x1ffffff);
		e->arm_abort.ipa = run->arm_nisv.fault_ipa;
		e->arm_abort.va = 0; /* not reported; KVM injects aborts itself */
		break;
	default:
		e->kind = HV_EXIT_UNKNOWN;
		e->unknown.reason = run->exit_reason;
		break;
	}
}

int hv_vcpu_run(struct hv_vcpu *v, struct hv_exit *e)
{
	struct kvm_run *run = v->run;
	while (ioctl(v->fd, KVM_RUN, 0) < 0) {
		if (errno == EINTR) {
			/* Clear the kick so a spurious signal does not make every
			 * later KVM_RUN bounce; the caller re-checks its stop flag,
			 * which a kicker sets before setting immediate_exit. */
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			e->kind = HV_EXIT_INTR;
			return 0;
		}
		if (errno != EAGAIN) {
			log_err("vCPU %u: KVM_RUN: %s", v->id, strerror(errno));
			return -1;
		}
	}
	/* The two hot exits first; everything else is off the fast path. */
	if (run->exit_reason == KVM_EXIT_IO) {
		e->kind = HV_EXIT_IO;
		e->io.port = run->io.port;
		e->io.size = run->io.size;
		e->io.is_write = run->io.direction == KVM_EXIT_IO_OUT;
		e->io.count = run->io.count;
		e->io.data = (uint8_t *)run + run->io.data_offset;
	} else if (run->exit_reason == KVM_EXIT_MMIO) {
		e->kind = HV_EXIT_MMIO;
		e->mmio.gpa = run->mmio.phys_addr;
		e->mmio.data = run->mmio.data;
		e->mmio.size = run->mmio.len;
		e->mmio.is_write = run->mmio.is_write;
	} else {
		translate_cold(run, e);
	}
	return 0;
}
