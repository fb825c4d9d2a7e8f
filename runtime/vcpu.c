/*
 * The vCPU exit loop: one host thread per vCPU. Device lookup is the
 * generated decode tree (vibe_decode_pio / vibe_decode_mmio), never a
 * search. The IO/MMIO path allocates nothing, takes no lock, and checks
 * the trace level once per thread, so its cost is the decode compares and
 * the device callback (bench-exit measures it against a bare KVM_RUN loop).
 */
#include <signal.h>
#include <string.h>

#include "arch/arch.h"
#include "hv/hv.h"
#include "sandbox.h"
#include "vcpu.h"
#include "vibe/log.h"
#include "vm.h"

static void kick_handler(int sig)
{
	(void)sig; /* Only here so the signal interrupts KVM_RUN (EINTR). */
}

int vibe_vcpu_signals_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: KVM_RUN must return EINTR. */
	if (sigaction(VIBE_KICK_SIGNAL, &sa, NULL) < 0) {
		log_err("sigaction: cannot install the vCPU kick handler");
		return -1;
	}
	return 0;
}

void vibe_vcpu_kick(struct vibe_vcpu *vc)
{
	if (vc->hv)
		hv_vcpu_kick(vc->hv);
	if (__atomic_load_n(&vc->started, __ATOMIC_SEQ_CST))
		pthread_kill(vc->self, VIBE_KICK_SIGNAL);
}

static inline uint64_t load_le(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return p[0];
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	case 8: { uint64_t v; memcpy(&v, p, 8); return v; }
	default: { uint64_t v = 0; memcpy(&v, p, size < 8 ? size : 8); return v; }
	}
}

static inline void store_le(uint8_t *p, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: p[0] = (uint8_t)v; break;
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	case 8: memcpy(p, &v, 8); break;
	default: memcpy(p, &v, size < 8 ? size : 8); break;
	}
}

/* The device at decode index idx if it is linked and [addr, addr+size)
 * lies inside it; NULL otherwise (the access is then unmapped). */
static inline struct vibe_dev *dev_for(struct vibe_vm *vm, int idx, uint64_t addr, unsigned size)
{
	if (idx < 0)
		return NULL;
	struct vibe_dev *dev = &vm->devs[idx];
	const struct vibe_dev_desc *d = dev->desc;
	if (!d->ops || addr - d->base + size > d->size)
		return NULL;
	return dev;
}

static void __attribute__((noinline, cold))
unmapped_access(struct vibe_vm *vm, int is_mmio, int is_write, uint64_t addr, unsigned size)
{
	if (is_mmio && is_write && vibe_decode_ram(addr) >= 0) {
		int r = vibe_decode_ram(addr);
		log_warn_ratelimited("guest write to read-only or unbacked RAM '%s' at gpa=0x%llx size=%u ignored",
				     vm->m->ram[r].name ? vm->m->ram[r].name : "?", (unsigned long long)addr, size);
		return;
	}
	log_warn_ratelimited("guest %s %s %s=0x%llx size=%u: no device there%s",
			     is_mmio ? "MMIO" : "IO", is_write ? "write to" : "read from",
			     is_mmio ? "gpa" : "port", (unsigned long long)addr, size,
			     is_write ? " (ignored)" : " (reads all ones)");
}

static void handle_io(struct vibe_vcpu *vc, struct hv_exit *e, int trace)
{
	struct vibe_vm *vm = vc->vm;
	unsigned size = e->io.size;
	uint8_t *p = e->io.data;
	struct vibe_dev *dev = dev_for(vm, vibe_decode_pio(e->io.port), e->io.port, size);

	/* count > 1 only for rep ins/outs: each element is one access. */
	for (uint32_t i = 0; i < e->io.count; i++, p += size) {
		if (e->io.is_write) {
			uint64_t v = load_le(p, size);
			if (trace)
				vibe_log(LOG_TRACE, "VM exit: IO out port=0x%x size=%u data=0x%llx",
					 e->io.port, size, (unsigned long long)v);
			if (dev)
				dev->desc->ops->write(dev, e->io.port - dev->desc->base, size, v);
			else
				unmapped_access(vm, 0, 1, e->io.port, size);
		} else {
			uint64_t v;
			if (dev) {
				v = dev->desc->ops->read(dev, e->io.port - dev->desc->base, size);
			} else {
				v = ~0ull;
				unmapped_access(vm, 0, 0, e->io.port, size);
			}
			store_le(p, size, v);
			if (trace)
				vibe_log(LOG_TRACE, "VM exit: IO in port=0x%x size=%u data=0x%llx",
					 e->io.port, size, (unsigned long long)load_le(p, size));
		}
	}
}

static void handle_mmio(struct vibe_vcpu *vc, struct hv_exit *e, int trace)
{
	struct vibe_vm *vm = vc->vm;
	uint64_t gpa = e->mmio.gpa;
	unsigned size = e->mmio.size;
	struct vibe_dev *dev = dev_for(vm, vibe_decode_mmio(gpa), gpa, size);

	if (e->mmio.is_write) {
		uint64_t v = load_le(e->mmio.data, size);
		if (trace)
			vibe_log(LOG_TRACE, "VM exit: MMIO write gpa=0x%llx size=%u data=0x%llx",
				 (unsigned long long)gpa, size, (unsigned long long)v);
		if (dev)
			dev->desc->ops->write(dev, gpa - dev->desc->base, size, v);
		else
			unmapped_access(vm, 1, 1, gpa, size);
	} else {
		uint64_t v;
		if (dev) {
			v = dev->desc->ops->read(dev, gpa - dev->desc->base, size);
		} else {
			v = ~0ull;
			unmapped_access(vm, 1, 0, gpa, size);
		}
		store_le(e->mmio.data, size, v);
		if (trace)
			vibe_log(LOG_TRACE, "VM exit: MMIO read gpa=0x%llx size=%u data=0x%llx",
				 (unsigned long long)gpa, size, (unsigned long long)load_le(e->mmio.data, size));
	}
}

static const char *internal_name(uint32_t sub)
{
	switch (sub) {
	case HV_INTERNAL_EMULATION: return "instruction emulation failed";
	case HV_INTERNAL_SIMUL_EX: return "exception while delivering an exception";
	case HV_INTERNAL_DELIVERY_EV: return "event delivery failed";
	case HV_INTERNAL_UNEXPECTED_EXIT: return "unexpected exit reason";
	default: return "unknown suberror";
	}
}

/* Overridden by an arch that has exits of its own (runtime/arch/arm64). */
int __attribute__((weak)) arch_handle_exit(struct vibe_vcpu *vc, struct hv_exit *e)
{
	log_err("vCPU %u: unexpected exit kind %d", vc->id, (int)e->kind);
	vibe_vcpu_dump(vc);
	vibe_vm_request_exit(vc->vm, 2);
	return 1;
}

/* Returns 1 when this vCPU's loop must end. */
static int __attribute__((noinline, cold)) handle_other(struct vibe_vcpu *vc, struct hv_exit *e)
{
	struct vibe_vm *vm = vc->vm;
	switch (e->kind) {
	case HV_EXIT_HLT:
		/* Only reached without an in-kernel irqchip, where nothing can
		 * wake the vCPU again: it has halted for good (QEMU would sit
		 * there forever). The run ends, status 0, when the last vCPU
		 * halts; until then the others keep running. */
		log_trace("VM exit: HLT vcpu=%u", vc->id);
		log_info("vCPU %u halted", vc->id);
		if (__atomic_add_fetch(&vm->halted, 1, __ATOMIC_SEQ_CST) == vm->nvcpus) {
			/* Shown by default: the run ended without an explicit
			 * power-off, which the user should be able to tell. */
			log_warn("all vCPUs halted with nothing to wake them: stopping (status 0)");
			vibe_vm_request_exit(vm, 0);
		}
		return 1;
	case HV_EXIT_SHUTDOWN:
		log_trace("VM exit: SHUTDOWN vcpu=%u", vc->id);
		log_err("vCPU %u: guest crashed: triple fault (shutdown)", vc->id);
		vibe_vcpu_dump(vc);
		vibe_vm_request_exit(vm, 3);
		return 1;
	case HV_EXIT_FAIL_ENTRY:
		log_trace("VM exit: FAIL_ENTRY vcpu=%u", vc->id);
		log_err("vCPU %u: guest crashed: the CPU refused to enter it (hardware reason 0x%llx)",
			vc->id, (unsigned long long)e->fail_entry.reason);
		vibe_vcpu_dump(vc);
		vibe_vm_request_exit(vm, 3);
		return 1;
	case HV_EXIT_INTERNAL_ERROR:
		log_trace("VM exit: INTERNAL_ERROR vcpu=%u suberror=%u", vc->id, e->internal.suberror);
		log_err("vCPU %u: guest crashed: KVM internal error %u (%s)%s", vc->id,
			e->internal.suberror, internal_name(e->internal.suberror),
			e->internal.suberror == HV_INTERNAL_EMULATION
				? "; e.g. an exception with no IDT on this hypervisor" : "");
		for (uint32_t i = 0; i < e->internal.ndata; i++)
			log_err("  data[%u] = 0x%llx", i, (unsigned long long)e->internal.data[i]);
		vibe_vcpu_dump(vc);
		vibe_vm_request_exit(vm, 3);
		return 1;
	case HV_EXIT_SYSTEM_EVENT:
		log_trace("VM exit: SYSTEM_EVENT vcpu=%u type=%u", vc->id, e->system_event.raw_type);
		switch (e->system_event.type) {
		case HV_SYSEV_SHUTDOWN:
			log_info("guest powered off");
			vibe_vm_request_exit(vm, 0);
			break;
		case HV_SYSEV_RESET:
			/* vibevmm does not reboot guests: a reset ends the run
			 * cleanly, like Firecracker. */
			log_info("guest requested a reset: stopping");
			vibe_vm_request_exit(vm, 0);
			break;
		case HV_SYSEV_CRASH:
			log_err("vCPU %u: guest reported a crash", vc->id);
			vibe_vcpu_dump(vc);
			vibe_vm_request_exit(vm, 3);
			break;
		default:
			log_warn("vCPU %u: ignoring system event %u", vc->id, e->system_event.raw_type);
			return 0;
		}
		return 1;
	case HV_EXIT_INTR:
		return vibe_vm_stopping(vm);
	case HV_EXIT_DEBUG:
		log_trace("VM exit: DEBUG vcpu=%u", vc->id);
		return 0;
	case HV_EXIT_ARM_ABORT:
		return arch_handle_exit(vc, e);
	default:
		log_err("vCPU %u: unexpected exit reason %u", vc->id, e->unknown.reason);
		vibe_vcpu_dump(vc);
		vibe_vm_request_exit(vm, 2);
		return 1;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vibe_vcpu *vc = arg;
	struct vibe_vm *vm = vc->vm;
	const int trace = vibe_log_level >= LOG_TRACE;
	struct hv_exit e;
	sigset_t kick;

	vibe_sandbox_enter(VIBE_SB_VCPU); /* before the guest runs a single instruction */
	sigemptyset(&kick);
	sigaddset(&kick, VIBE_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	/* Published by the thread itself, before its first stop check: a
	 * kicker sets `stopping` first and then reads `started`, so either we
	 * see the stop or it sees us and signals (both seq_cst). */
	vc->self = pthread_self();
	__atomic_store_n(&vc->started, 1, __ATOMIC_SEQ_CST);

	while (!vibe_vm_stopping(vm)) {
		/* A pause kick lands as HV_EXIT_INTR and comes back here; the
		 * stop check above wins over it. */
		if (__builtin_expect(__atomic_load_n(&vm->pause_req, __ATOMIC_ACQUIRE), 0) && vm->park) {
			vm->park(vc);
			continue;
		}
		if (hv_vcpu_run(vc->hv, &e) < 0) {
			vibe_vm_request_exit(vm, 2);
			break;
		}
		if (e.kind == HV_EXIT_IO)
			handle_io(vc, &e, trace);
		else if (e.kind == HV_EXIT_MMIO)
			handle_mmio(vc, &e, trace);
		else if (handle_other(vc, &e))
			break;
	}
	return NULL;
}

int vibe_vcpu_start(struct vibe_vcpu *vc)
{
	int err = pthread_create(&vc->thread, NULL, vcpu_thread, vc);
	if (err) {
		log_err("vCPU %u: cannot start its thread: %s", vc->id, strerror(err));
		return -1;
	}
	vc->created = 1;
	return 0;
}

void vibe_vcpu_dump(struct vibe_vcpu *vc)
{
	arch_vcpu_dump(vc);
}
