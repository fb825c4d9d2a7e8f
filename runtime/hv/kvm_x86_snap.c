/*
 * KVM backend, x86_64 snapshots: a vCPU's and the VM's in-kernel state as
 * tagged records (u32 tag, u32 length, payload padded to 8 bytes). The
 * payloads are KVM's own structs, unchanged: a blob is only read back by
 * this file, on the same kernel ABI (the structs are fixed by the KVM
 * API), and the snapshot file's version covers the record layout.
 *
 * Save and restore orders follow what the KVM API document and the mature
 * VMMs (QEMU's kvm_arch_put_registers, Firecracker's vcpu restore) require:
 * - CPUID is set before anything else (arch_vcpu_init did it): MSR and
 *   XSAVE acceptance depends on the guest's CPUID.
 * - SREGS before the LAPIC: KVM_SET_SREGS writes apic_base, which decides
 *   whether the LAPIC (and x2APIC) is enabled when KVM_SET_LAPIC lands.
 * - LAPIC before MSRs: IA32_TSC_DEADLINE is only accepted once the LAPIC
 *   timer is in TSC-deadline mode.
 * - VCPU_EVENTS is read last and written late: the other GET ioctls may
 *   not change it, but the API document notes pending exceptions and NMIs
 *   are only consistent once the vCPU is out of KVM_RUN for good.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/kvm_priv.h"
#include "vibe/log.h"

enum {
	R_REGS = 1, R_SREGS, R_FPU, R_XSAVE, R_XCRS, R_MSRS, R_LAPIC, R_EVENTS, R_MPSTATE,
	R_DEBUGREGS, R_IRQCHIP, R_PIT2, R_CLOCK,
};

struct rec_hdr { uint32_t tag, len; };

struct writer { uint8_t *p; size_t cap, len; int err; };

static void *rec_add(struct writer *w, uint32_t tag, uint32_t len)
{
	size_t need = sizeof(struct rec_hdr) + ((len + 7u) & ~7u);
	if (w->err || w->len + need > w->cap) {
		w->err = 1;
		return NULL;
	}
	struct rec_hdr h = { tag, len };
	memcpy(w->p + w->len, &h, sizeof(h));
	void *payload = w->p + w->len + sizeof(h);
	memset(payload, 0, need - sizeof(h));
	w->len += need;
	return payload;
}

/* Next record, or NULL at the end; a malformed blob (impossible unless the
 * file's checksum was forged) ends the walk with *bad set. */
static const uint8_t *rec_next(const uint8_t *buf, size_t len, size_t *off, struct rec_hdr *h,
			       int *bad)
{
	if (*off == len)
		return NULL;
	if (len - *off < sizeof(*h)) {
		*bad = 1;
		return NULL;
	}
	memcpy(h, buf + *off, sizeof(*h));
	size_t need = sizeof(*h) + ((h->len + 7ull) & ~7ull);
	if (need > len - *off) {
		*bad = 1;
		return NULL;
	}
	const uint8_t *p = buf + *off + sizeof(*h);
	*off += need;
	return p;
}

static int get(int fd, unsigned long req, void *arg, const char *name, unsigned id)
{
	if (kvm_ioctl(fd, req, arg) < 0) {
		log_err("vCPU %u: %s: %s", id, name, strerror(errno));
		return -1;
	}
	return 0;
}
#define GET(v, req, arg) get((v)->fd, req, arg, #req, (v)->id)
#define SET(v, req, arg) get((v)->fd, req, (void *)(arg), #req, (v)->id)

/* The MSRs to save: KVM_GET_MSR_INDEX_LIST ("the list of MSRs supported
 * by KVM_GET_MSRS/KVM_SET_MSRS"), filtered to those this vCPU can read:
 * some depend on CPUID features the guest does not have. Computed once,
 * on the first vCPU saved (all vCPUs share one CPUID shape). */
static uint32_t *msr_list;
static unsigned msr_count;

static int probe_msrs(struct hv_vcpu *v)
{
	struct kvm_msr_list probe = { .nmsrs = 0 };
	if (ioctl(v->vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) {
		log_err("KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
		return -1;
	}
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + probe.nmsrs * sizeof(uint32_t));
	uint32_t *keep = calloc(probe.nmsrs + 1, sizeof(uint32_t));
	if (!l || !keep) {
		free(l);
		free(keep);
		log_err("out of memory");
		return -1;
	}
	l->nmsrs = probe.nmsrs;
	if (kvm_ioctl(v->vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
		log_err("KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
		free(l);
		free(keep);
		return -1;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < l->nmsrs; i++) {
		struct { struct kvm_msrs h; struct kvm_msr_entry e; } one;
		memset(&one, 0, sizeof(one));
		one.h.nmsrs = 1;
		one.e.index = l->indices[i];
		if (ioctl(v->fd, KVM_GET_MSRS, &one) == 1)
			keep[n++] = l->indices[i];
		else
			log_debug("snapshot: MSR 0x%x listed by KVM but not readable here: not saved",
				  l->indices[i]);
	}
	free(l);
	msr_list = keep;
	msr_count = n;
	log_debug("snapshot: %u MSRs saved per vCPU", n);
	return 0;
}

static int save_msrs(struct hv_vcpu *v, struct writer *w)
{
	if (!msr_list && probe_msrs(v) < 0)
		return -1;
	struct kvm_msrs *m = rec_add(w, R_MSRS, sizeof(*m) + msr_count * sizeof(m->entries[0]));
	if (!m)
		return 0; /* reported by the caller as "too large" */
	m->nmsrs = msr_count;
	for (unsigned i = 0; i < msr_count; i++)
		m->entries[i].index = msr_list[i];
	int r = kvm_ioctl(v->fd, KVM_GET_MSRS, m);
	if (r < 0 || (unsigned)r != msr_count) {
		log_err("vCPU %u: KVM_GET_MSRS: %s", v->id, r < 0 ? strerror(errno) : "an MSR was refused");
		return -1;
	}
	return 0;
}

/* KVM_CAP_XSAVE2 returns the buffer size KVM_GET_XSAVE2 needs (larger
 * than struct kvm_xsave once dynamic features such as AMX are on); 0 or
 * less: plain KVM_GET_XSAVE; no KVM_CAP_XSAVE at all: KVM_GET_FPU. */
static int save_fpu(struct hv_vcpu *v, struct writer *w)
{
	int xsave2 = ioctl(v->vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	if (xsave2 > (int)sizeof(struct kvm_xsave)) {
		void *x = rec_add(w, R_XSAVE, (uint32_t)xsave2);
		return x ? GET(v, KVM_GET_XSAVE2, x) : 0;
	}
	if (ioctl(v->vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0) {
		void *x = rec_add(w, R_XSAVE, sizeof(struct kvm_xsave));
		return x ? GET(v, KVM_GET_XSAVE, x) : 0;
	}
	void *f = rec_add(w, R_FPU, sizeof(struct kvm_fpu));
	return f ? GET(v, KVM_GET_FPU, f) : 0;
}

int hv_x86_save_vcpu(struct hv_vcpu *v, void *buf, size_t cap, size_t *len)
{
	struct writer w = { buf, cap, 0, 0 };
	int ext_xcrs = ioctl(v->vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
	int ext_dbg = ioctl(v->vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS) > 0;
	void *p;

	if ((p = rec_add(&w, R_MPSTATE, sizeof(struct kvm_mp_state))) && GET(v, KVM_GET_MP_STATE, p))
		return -1;
	if ((p = rec_add(&w, R_REGS, sizeof(struct kvm_regs))) && GET(v, KVM_GET_REGS, p))
		return -1;
	if ((p = rec_add(&w, R_SREGS, sizeof(struct kvm_sregs))) && GET(v, KVM_GET_SREGS, p))
		return -1;
	if (save_fpu(v, &w) < 0)
		return -1;
	if (ext_xcrs && (p = rec_add(&w, R_XCRS, sizeof(struct kvm_xcrs))) && GET(v, KVM_GET_XCRS, p))
		return -1;
	if (ext_dbg && (p = rec_add(&w, R_DEBUGREGS, sizeof(struct kvm_debugregs))) &&
	    GET(v, KVM_GET_DEBUGREGS, p))
		return -1;
	if (v->vm->has_irqchip && (p = rec_add(&w, R_LAPIC, sizeof(struct kvm_lapic_state))) &&
	    GET(v, KVM_GET_LAPIC, p))
		return -1;
	if (save_msrs(v, &w) < 0)
		return -1;
	if ((p = rec_add(&w, R_EVENTS, sizeof(struct kvm_vcpu_events))) &&
	    GET(v, KVM_GET_VCPU_EVENTS, p))
		return -1;
	if (w.err) {
		log_err("vCPU %u: state larger than %zu bytes", v->id, cap);
		return -1;
	}
	*len = w.len;
	return 0;
}

/* KVM_SET_MSRS stops at the first MSR it refuses and returns how many it
 * set: skip that one (logged) and go on, so one MSR this kernel no longer
 * accepts does not lose the rest. */
static int restore_msrs(struct hv_vcpu *v, const struct kvm_msrs *saved, uint32_t len)
{
	if (len < sizeof(*saved) || (len - sizeof(*saved)) / sizeof(saved->entries[0]) < saved->nmsrs)
		return -1;
	struct kvm_msrs *m = calloc(1, len);
	if (!m)
		return -1;
	unsigned done = 0, n = saved->nmsrs;
	while (done < n) {
		m->nmsrs = n - done;
		memcpy(m->entries, &saved->entries[done], m->nmsrs * sizeof(m->entries[0]));
		int r = kvm_ioctl(v->fd, KVM_SET_MSRS, m);
		if (r < 0) {
			log_err("vCPU %u: KVM_SET_MSRS: %s", v->id, strerror(errno));
			free(m);
			return -1;
		}
		done += (unsigned)r;
		if (done < n) {
			/* Refused but already holding the saved value (e.g. a PV
			 * MSR whose CPUID bit the guest lacks): nothing is lost. */
			struct { struct kvm_msrs h; struct kvm_msr_entry e; } cur;
			memset(&cur, 0, sizeof(cur));
			cur.h.nmsrs = 1;
			cur.e.index = saved->entries[done].index;
			if (ioctl(v->fd, KVM_GET_MSRS, &cur) == 1 && cur.e.data == saved->entries[done].data)
				log_debug("vCPU %u: MSR 0x%x not writable, already 0x%llx", v->id,
					  cur.e.index, (unsigned long long)cur.e.data);
			else
				log_warn("vCPU %u: KVM refused MSR 0x%x = 0x%llx on restore: left at its reset value",
					 v->id, cur.e.index, (unsigned long long)saved->entries[done].data);
			done++;
		}
	}
	free(m);
	return 0;
}

int hv_x86_restore_vcpu(struct hv_vcpu *v, const void *buf, size_t len)
{
	const void *rec[R_CLOCK + 1] = { 0 };
	uint32_t rlen[R_CLOCK + 1] = { 0 };
	struct rec_hdr h;
	size_t off = 0;
	int bad = 0;
	const uint8_t *p;

	while ((p = rec_next(buf, len, &off, &h, &bad))) {
		if (h.tag > R_CLOCK) {
			bad = 1;
			break;
		}
		rec[h.tag] = p;
		rlen[h.tag] = h.len;
	}
	if (bad || !rec[R_REGS] || !rec[R_SREGS] || !rec[R_MPSTATE] || !rec[R_EVENTS]) {
		log_err("vCPU %u: snapshot state is malformed", v->id);
		return -1;
	}
	if (SET(v, KVM_SET_SREGS, rec[R_SREGS]) || SET(v, KVM_SET_REGS, rec[R_REGS]))
		return -1;
	if (rec[R_XSAVE] && SET(v, KVM_SET_XSAVE, rec[R_XSAVE]))
		return -1;
	if (rec[R_FPU] && SET(v, KVM_SET_FPU, rec[R_FPU]))
		return -1;
	if (rec[R_XCRS] && SET(v, KVM_SET_XCRS, rec[R_XCRS]))
		return -1;
	if (rec[R_LAPIC] && SET(v, KVM_SET_LAPIC, rec[R_LAPIC]))
		return -1;
	if (rec[R_MSRS] && restore_msrs(v, rec[R_MSRS], rlen[R_MSRS]) < 0)
		return -1;
	if (SET(v, KVM_SET_MP_STATE, rec[R_MPSTATE]) || SET(v, KVM_SET_VCPU_EVENTS, rec[R_EVENTS]))
		return -1;
	if (rec[R_DEBUGREGS] && SET(v, KVM_SET_DEBUGREGS, rec[R_DEBUGREGS]))
		return -1;
	return 0;
}

#define REQ(r) { r, #r }
#define VCPU_GETS REQ(KVM_GET_MP_STATE), REQ(KVM_GET_REGS), REQ(KVM_GET_SREGS), \
	REQ(KVM_GET_XSAVE), REQ(KVM_GET_XSAVE2), REQ(KVM_GET_FPU), REQ(KVM_GET_XCRS), \
	REQ(KVM_GET_DEBUGREGS), REQ(KVM_GET_LAPIC), REQ(KVM_GET_MSRS), \
	REQ(KVM_GET_VCPU_EVENTS), REQ(KVM_CHECK_EXTENSION)
const struct hv_ioctl_name hv_snapshot_vcpu_ioctls[] = { REQ(KVM_RUN), VCPU_GETS, { 0, NULL } };
const struct hv_ioctl_name hv_snapshot_vm_ioctls[] = {
	VCPU_GETS, REQ(KVM_GET_IRQCHIP), REQ(KVM_GET_PIT2), REQ(KVM_GET_CLOCK), { 0, NULL },
};

static int vm_ioctl(struct hv_vm *vm, unsigned long req, void *arg, const char *name)
{
	if (kvm_ioctl(vm->vm_fd, req, arg) < 0) {
		log_err("%s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

int hv_vm_save(struct hv_vm *vm, void *buf, size_t cap, size_t *len)
{
	struct writer w = { buf, cap, 0, 0 };
	if (vm->has_irqchip) {
		/* chip_id 0 = PIC master, 1 = PIC slave, 2 = IOAPIC (KVM API,
		 * KVM_GET_IRQCHIP). */
		for (uint32_t id = 0; id < 3; id++) {
			struct kvm_irqchip *c = rec_add(&w, R_IRQCHIP, sizeof(*c));
			if (!c)
				break;
			c->chip_id = id;
			if (vm_ioctl(vm, KVM_GET_IRQCHIP, c, "KVM_GET_IRQCHIP") < 0)
				return -1;
		}
	}
	if (vm->has_pit) {
		void *p = rec_add(&w, R_PIT2, sizeof(struct kvm_pit_state2));
		if (p && vm_ioctl(vm, KVM_GET_PIT2, p, "KVM_GET_PIT2") < 0)
			return -1;
	}
	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ADJUST_CLOCK) > 0) {
		void *p = rec_add(&w, R_CLOCK, sizeof(struct kvm_clock_data));
		if (p && vm_ioctl(vm, KVM_GET_CLOCK, p, "KVM_GET_CLOCK") < 0)
			return -1;
	}
	if (w.err) {
		log_err("VM state larger than %zu bytes", cap);
		return -1;
	}
	*len = w.len;
	return 0;
}

int hv_vm_restore(struct hv_vm *vm, const void *buf, size_t len)
{
	struct rec_hdr h;
	size_t off = 0;
	int bad = 0;
	const uint8_t *p;

	while ((p = rec_next(buf, len, &off, &h, &bad))) {
		switch (h.tag) {
		case R_IRQCHIP:
			if (!vm->has_irqchip || h.len != sizeof(struct kvm_irqchip))
				goto malformed;
			if (vm_ioctl(vm, KVM_SET_IRQCHIP, (void *)p, "KVM_SET_IRQCHIP") < 0)
				return -1;
			break;
		case R_PIT2:
			if (!vm->has_pit || h.len != sizeof(struct kvm_pit_state2))
				goto malformed;
			if (vm_ioctl(vm, KVM_SET_PIT2, (void *)p, "KVM_SET_PIT2") < 0)
				return -1;
			break;
		case R_CLOCK: {
			if (h.len != sizeof(struct kvm_clock_data))
				goto malformed;
			/* Flags cleared: with KVM_CLOCK_REALTIME set, KVM would
			 * advance the clock by the wall time since the save;
			 * vibevmm resumes the guest where it stopped. */
			struct kvm_clock_data c;
			memcpy(&c, p, sizeof(c));
			c.flags = 0;
			if (vm_ioctl(vm, KVM_SET_CLOCK, &c, "KVM_SET_CLOCK") < 0)
				return -1;
			break;
		}
		default:
			goto malformed;
		}
	}
	if (!bad)
		return 0;
malformed:
	log_err("snapshot: VM state is malformed");
	return -1;
}
