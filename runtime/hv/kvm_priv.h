/*
 * Private to the KVM backend (kvm.c + kvm_<arch>.c): the handles behind the
 * opaque hv_vm / hv_vcpu, and the arch hooks kvm.c calls.
 */
#ifndef VIBE_HV_KVM_PRIV_H
#define VIBE_HV_KVM_PRIV_H

#include <linux/kvm.h>
#include "hv/hv.h"

struct hv_vm {
	int kvm_fd;       /* /dev/kvm: system ioctls (caps, supported CPUID) */
	int vm_fd;
	int run_size;     /* KVM_GET_VCPU_MMAP_SIZE */
	int has_irqchip;
	int has_pit;      /* KVM_CREATE_PIT2 done (snapshots save it) */
	struct hv_caps caps;
};

struct hv_vcpu {
	struct hv_vm *vm;
	int fd;
	unsigned id;
	struct kvm_run *run; /* mmap'd shared run area */
};

/* ioctl that retries EINTR (a kick signal may land in a setup ioctl). */
int kvm_ioctl(int fd, unsigned long req, void *arg);

/* Arch hooks (kvm_x86.c). */
int kvm_arch_vm_init(struct hv_vm *vm);

#endif
