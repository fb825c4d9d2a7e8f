/*
 * The device framework: a device type is a struct of callbacks plus its own
 * state. The generated machine table points each device at its type's ops
 * (vibe_dev_<type>_ops), and the vCPU loop reaches a device through the
 * generated decode functions, never by searching.
 */
#ifndef VIBE_DEVICE_H
#define VIBE_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "vibe/machine.h"

struct vibe_vm;

/* One instance per entry of vibe_machine.devs, same index. */
struct vibe_dev {
	const struct vibe_dev_desc *desc;
	struct vibe_vm *vm;
	unsigned index;
	void *state; /* owned by the device type */
};

struct vibe_device_ops {
	const char *type;
	/* Called once after guest RAM is mapped and before any vCPU runs.
	 * Returns 0, or -1 after logging why (vibevmm then exits 1). */
	int (*init)(struct vibe_dev *dev);
	/* off is relative to desc->base; size is 1, 2, 4 or 8 (any size may
	 * arrive from a hostile guest: ignore what the device does not support).
	 * Called from vCPU threads; the device does its own locking. */
	uint64_t (*read)(struct vibe_dev *dev, uint64_t off, unsigned size);
	void (*write)(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val);
	void (*reset)(struct vibe_dev *dev); /* optional */
	void (*destroy)(struct vibe_dev *dev); /* optional */
	/* Snapshots (optional; appended, so ops tables written before them
	 * keep working: NULL means "no state beyond what init() makes").
	 * save: called with every vCPU parked (docs/architecture/snapshots.md);
	 * the device quiesces its own threads (takes its lock), writes at most
	 * `cap` bytes (VIBE_DEV_STATE_MAX) and returns the count, or -1 after
	 * logging. restore: after init(), before any vCPU runs, with exactly
	 * what save wrote; -1 after logging refuses the snapshot. Check a
	 * version or the size first: the blob comes from a file. */
	long (*save)(struct vibe_dev *dev, void *buf, size_t cap);
	int (*restore)(struct vibe_dev *dev, const void *buf, size_t len);
	/* Optional, appended (older ops that leave it out keep working): the
	 * system calls this type makes once the seccomp sandbox is on
	 * (runtime/sandbox.c, docs/architecture/security.md). NULL: none
	 * beyond what every thread of that kind may already do. */
	const struct vibe_dev_syscalls *syscalls;
};

#define VIBE_DEV_STATE_MAX (64u * 1024u)

/* NULL-terminated lists of system call names (as in syscalls(2); a name
 * this architecture lacks is skipped). init() runs before the sandbox and
 * may do anything; everything after must be listed here or the process
 * is killed with SIGSYS. */
struct vibe_dev_syscalls {
	const char *const *vcpu;   /* from read/write/reset, on vCPU threads */
	/* On the device's own threads. Create them in init() (a thread made
	 * later inherits its creator's filter, a vCPU thread's) and have each
	 * call vibe_sandbox_enter_dev(dev) (runtime/sandbox.h) at the top of
	 * its loop: once the sandbox is on it narrows the thread to this list
	 * (once); before, or with --no-seccomp, it does nothing. */
	const char *const *thread;
	const char *const *main;   /* from destroy(), on the main thread at exit */
	/* Appended: from the console_notify_fn the device gave
	 * runtime/console.h, on the console's input thread (a virtio
	 * console signalling its eventfd). */
	const char *const *console;
};

/* Typed property lookups with the machine file's values (defaults applied by
 * vibegen); `dflt` is returned only when the key is absent. */
uint64_t vibe_dev_prop_u64(const struct vibe_dev *dev, const char *key, uint64_t dflt);
const char *vibe_dev_prop_str(const struct vibe_dev *dev, const char *key, const char *dflt);

#endif
