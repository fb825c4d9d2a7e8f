/*
 * The VM: guest RAM regions, device instances and vCPUs built from the
 * generated machine table (vibe_machine), plus the stop protocol every
 * part of vibevmm uses to end the run.
 *
 * Devices use only the three calls in the first block below, guest_mem.h
 * and the device.h property helpers.
 */
#ifndef VIBE_VM_H
#define VIBE_VM_H

#include <pthread.h>
#include <stdint.h>

#include "vibe/device.h"
#include "vibe/machine.h"

/* ---- for devices -------------------------------------------------------- */

/* End the run with exit status `status` (vibevmm exits with status & 0xff).
 * The first request wins; later ones are ignored. Safe from any thread,
 * including vCPU threads inside a device callback and the console's input
 * thread; returns at once, the vCPUs are kicked and joined by the main
 * thread. debug-exit calls it with the guest's value; the UART's Ctrl-a x
 * with 0. */
void vibe_vm_request_exit(struct vibe_vm *vm, int status);

/* Drive interrupt line `irq` (x86: IOAPIC/PIC pin) to `level`. Without an
 * in-kernel irqchip (raw binaries run without one, see
 * docs/internals/kvm.md) this does nothing and returns 0: a polling guest
 * works the same, and devices need no special case. */
int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level);

/* In-kernel fast paths for virtio (eventfd(2) file descriptors): a guest
 * write of `size` bytes at `addr` in `space` signals `fd` without an exit
 * (has_data: only when the value is `data`); a write to `irq_fd` raises
 * line `irq`: with resample_fd >= 0 as a level (KVM_IRQFD_FLAG_RESAMPLE:
 * the line stays up until the guest's EOI, which then signals resample_fd
 * so the device re-asserts while its interrupt is still pending), with -1
 * as an edge. Call from init() (before the sandbox: these are ioctls).
 * Each returns -1 when unavailable (no irqchip, or the hypervisor lacks
 * it): the device then keeps its exit path and vibe_vm_irq_line().
 * runtime/virtio/virtio_io.c uses them for every virtio device. */
int vibe_vm_ioeventfd(struct vibe_vm *vm, enum vibe_space space, uint64_t addr, unsigned size,
		      int fd, int has_data, uint64_t data);
int vibe_vm_irqfd(struct vibe_vm *vm, unsigned irq, int irq_fd, int resample_fd);

/* Non-zero once the run is ending (device threads may poll it). */
int vibe_vm_stopping(const struct vibe_vm *vm);

/* ---- for the runtime ---------------------------------------------------- */

struct hv_vm;
struct vibe_vcpu;

/* A RAM region as mapped: size is the *actual* size (--mem may make the
 * resizable region smaller than the max_size the decode tree covers), so
 * guest_ptr() checks against it, not against the decode boundaries. */
struct vibe_ram {
	uint8_t *hva;
	uint64_t size;
};

struct vibe_vm_opts {
	uint64_t mem_size;  /* --mem: size of the RESIZABLE region; 0 = default */
	int want_irqchip;   /* create the in-kernel irqchip + PIT if possible */
};

struct vibe_vm {
	const struct vibe_machine_desc *m;
	struct hv_vm *hv;
	struct vibe_ram *ram;     /* m->nram entries, same index as m->ram */
	struct vibe_dev *devs;    /* m->ndevs entries, same index as m->devs */
	struct vibe_vcpu *vcpus;  /* m->nvcpus entries */
	unsigned nvcpus;
	int has_irqchip;
	int devs_inited;          /* how many devs[] had init() called */
	pthread_t main_thread;    /* woken by vibe_vm_request_exit() */
	int stopping;             /* atomic: set once by the first exit request */
	int exit_status;
	unsigned halted;          /* atomic: vCPUs that halted for good */
	/* Pausing (runtime/snapshot/pause.c): while pause_req (atomic) is set, each
	 * vCPU thread calls park() at the top of its loop; NULL when this
	 * vibevmm cannot pause. */
	int pause_req;
	void (*park)(struct vibe_vcpu *vc);
};

/* Checks the options against the machine (--mem within the resizable
 * region's maximum, ...) and fills vm->ram[].size. Errors are the user's:
 * returns -1 after one clear line, and vibevmm exits 1. */
int vibe_vm_init(struct vibe_vm *vm, const struct vibe_vm_opts *opts);

/* Creates the hypervisor VM, maps RAM, loads ROM files, creates vCPUs and
 * initialises devices. Returns 0 or an exit status (1 bad input, such as a
 * missing ROM file or a device refusing its properties; 2 VMM failure). */
int vibe_vm_setup(struct vibe_vm *vm, const struct vibe_vm_opts *opts);

/* Runs all vCPUs until an exit request and returns the exit status. */
int vibe_vm_run(struct vibe_vm *vm);

void vibe_vm_destroy(struct vibe_vm *vm);

#endif
