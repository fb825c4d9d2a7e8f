/*
 * The seccomp sandbox (docs/architecture/security.md, "Sandbox"): once the
 * VM is set up, vibevmm may make only the system calls its machine needs,
 * per kind of thread. The lists are built from the device set linked into
 * this vibevmm (each type's vibe_device_ops.syscalls) plus a fixed core.
 *
 * Order, and why:
 *  1. vibe_sandbox_install() (main thread, after setup, before any vCPU
 *     thread runs) builds every thread's filter program up front, then
 *     installs the union of all of them on every thread of the process at
 *     once (TSYNC): threads that already exist (the console's input thread,
 *     device threads) are covered from that moment, and so is every thread
 *     created later, which inherits it.
 *  2. Each thread then narrows itself to its own list with
 *     vibe_sandbox_enter*(): vCPU threads before their first KVM_RUN, the
 *     main thread once the vCPU threads are started, the console and
 *     device threads on their next loop iteration. Filters only ever stack
 *     (a call must pass all of them), so narrowing cannot widen anything.
 * A call outside the list kills the whole process with SIGSYS.
 */
#ifndef VIBE_SANDBOX_H
#define VIBE_SANDBOX_H

#include <stdio.h>

#include "vibe/device.h"

struct vibe_vm;
struct vibe_machine_desc;

struct vibe_sandbox_opts {
	int disabled;        /* --no-seccomp */
	int debug_forbidden; /* hidden --debug-forbidden-syscall: a vCPU thread
				calls socket(2) right after narrowing */
};

enum vibe_sb_kind { VIBE_SB_MAIN, VIBE_SB_VCPU, VIBE_SB_CONSOLE, VIBE_SB_NKINDS };

/* Returns 0, or an exit status (2) after logging why. Built with ASan
 * (make SAN=1) it installs nothing and says so at --log 2: the sanitizer
 * runtime needs mmap, clone, ptrace... at will (see the doc). */
int vibe_sandbox_install(struct vibe_vm *vm, const struct vibe_sandbox_opts *o);

/* Narrow the calling thread to its kind's list. Once per thread; a no-op
 * until vibe_sandbox_install() has run, or when the sandbox is off. */
void vibe_sandbox_enter(enum vibe_sb_kind kind);
void vibe_sandbox_enter_dev(const struct vibe_dev *dev);

/* Hidden --print-seccomp: every thread kind's list for machine `m`, one
 * line each, as install would build it (needs no KVM). */
void vibe_sandbox_print(const struct vibe_machine_desc *m, FILE *f);

#endif
