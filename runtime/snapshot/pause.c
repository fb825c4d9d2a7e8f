/*
 * Pausing: every vCPU out of the guest, at an instruction boundary, with
 * no I/O exit half done.
 *
 * The pauser sets vm->pause_req, then kicks each vCPU (immediate_exit and
 * the kick signal, vcpu.c): a vCPU inside KVM_RUN comes out with EINTR, one
 * about to enter does not enter (KVM API: immediate_exit). Back at the top
 * of its loop the vCPU thread calls park(), which
 *  1. re-enters KVM_RUN once with immediate_exit=1 (hv_vcpu_complete_io):
 *     when the last exit was port I/O or MMIO, KVM finishes it then (an IN's
 *     value lands in RAX, RIP moves past the instruction) without running
 *     any guest code. The KVM API document: the pending part of an exit is
 *     not visible to userspace, so state saved before this would re-run or
 *     lose the access;
 *  2. captures its own registers (hv_x86_save_vcpu) on its own thread, the
 *     thread KVM expects vCPU ioctls from;
 *  3. waits on a condition variable until resumed or the run ends.
 * A vCPU that halted for good (no irqchip: HLT ends its thread) counts as
 * parked; its state is read from the pauser's thread, as it never runs
 * again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/hv.h"
#include "snapshot/snapshot.h"
#include "vcpu.h"
#include "vibe/log.h"
#include "vm.h"

enum { V_RUNNING = 0, V_PARKED, V_FAILED };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned depth;     /* nested pauses */
	unsigned parked;
	int *st;            /* per vCPU: V_* */
	uint8_t **blob;     /* per vCPU: HV_STATE_MAX bytes */
	size_t *len;
} P = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static int capture(struct vibe_vcpu *vc, unsigned i)
{
	return hv_x86_save_vcpu(vc->hv, P.blob[i], HV_STATE_MAX, &P.len[i]);
}

static void timed_wait(unsigned ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += (long)ms * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&P.cv, &P.mu, &t);
}

/* On the vCPU's thread. */
static void park(struct vibe_vcpu *vc)
{
	struct vibe_vm *vm = vc->vm;
	unsigned i = (unsigned)(vc - vm->vcpus);
	int ok = hv_vcpu_complete_io(vc->hv) == 0 && capture(vc, i) == 0;

	pthread_mutex_lock(&P.mu);
	P.st[i] = ok ? V_PARKED : V_FAILED;
	P.parked++;
	pthread_cond_broadcast(&P.cv);
	/* Timed: an exit request (a device, SIGTERM) does not know about
	 * this condition variable, and must still end a paused run. */
	while (__atomic_load_n(&vm->pause_req, __ATOMIC_ACQUIRE) && !vibe_vm_stopping(vm))
		timed_wait(50);
	P.parked--;
	P.st[i] = V_RUNNING;
	pthread_mutex_unlock(&P.mu);
}

int vibe_pause_init(struct vibe_vm *vm)
{
	unsigned n = vm->nvcpus;
	P.st = calloc(n, sizeof(*P.st));
	P.blob = calloc(n, sizeof(*P.blob));
	P.len = calloc(n, sizeof(*P.len));
	if (!P.st || !P.blob || !P.len)
		goto oom;
	for (unsigned i = 0; i < n; i++)
		if (!(P.blob[i] = malloc(HV_STATE_MAX)))
			goto oom;
	/* One capture now, on the main thread before the sandbox and before
	 * any vCPU runs: the backend works out its MSR list here (it
	 * allocates and asks /dev/kvm), not later on a vCPU thread. */
	if (capture(&vm->vcpus[0], 0) < 0)
		return -1;
	vm->park = park;
	return 0;
oom:
	log_err("out of memory");
	return -1;
}

int vibe_paused(const struct vibe_vm *vm)
{
	(void)vm;
	pthread_mutex_lock(&P.mu);
	int d = P.depth > 0;
	pthread_mutex_unlock(&P.mu);
	return d;
}

int vibe_pause(struct vibe_vm *vm)
{
	if (!vm->park) {
		log_err("pause: this vibevmm cannot pause its vCPUs");
		return -1;
	}
	pthread_mutex_lock(&P.mu);
	if (P.depth++ > 0) {
		pthread_mutex_unlock(&P.mu);
		return 0;
	}
	__atomic_store_n(&vm->pause_req, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&P.mu);
	/* Kick after pause_req is visible: a vCPU that misses the flag at
	 * the top of its loop enters KVM_RUN with immediate_exit set, or is
	 * already inside and gets the signal. */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vibe_vcpu_kick(&vm->vcpus[i]);

	pthread_mutex_lock(&P.mu);
	int rc = 0;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (vibe_vm_stopping(vm)) {
			log_err("pause: the guest is stopping");
			rc = -1;
			break;
		}
		unsigned halted = __atomic_load_n(&vm->halted, __ATOMIC_SEQ_CST);
		if (P.parked + halted >= vm->nvcpus)
			break;
		/* A vCPU stuck in a device callback (a blocked console write)
		 * must not hang the api socket forever. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= 10) {
			log_err("pause: %u of %u vCPUs did not stop within 10 s", vm->nvcpus - P.parked - halted,
				vm->nvcpus);
			rc = -1;
			break;
		}
		timed_wait(20);
	}
	for (unsigned i = 0; rc == 0 && i < vm->nvcpus; i++) {
		if (P.st[i] == V_FAILED) {
			log_err("pause: vCPU %u could not save its state", vm->vcpus[i].id);
			rc = -1;
		} else if (P.st[i] == V_RUNNING && capture(&vm->vcpus[i], i) < 0) {
			rc = -1; /* halted for good: nobody else touches it */
		}
	}
	pthread_mutex_unlock(&P.mu);
	if (rc < 0)
		vibe_resume(vm);
	return rc;
}

void vibe_resume(struct vibe_vm *vm)
{
	pthread_mutex_lock(&P.mu);
	if (P.depth && --P.depth == 0) {
		__atomic_store_n(&vm->pause_req, 0, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&P.cv);
	}
	pthread_mutex_unlock(&P.mu);
}

const void *vibe_pause_vcpu_state(struct vibe_vm *vm, unsigned i, size_t *len)
{
	if (i >= vm->nvcpus || !P.blob)
		return NULL;
	*len = P.len[i];
	return P.blob[i];
}
