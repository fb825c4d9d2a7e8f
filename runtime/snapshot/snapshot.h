/*
 * Snapshot and restore (docs/architecture/snapshots.md): pausing every
 * vCPU at a consistent point, the snapshot file, and the control channels
 * that trigger them (--api-socket, --snapshot-on-signal). x86_64 KVM only
 * for now: runtime.mk links these files for x86_64 machines.
 */
#ifndef VIBE_SNAPSHOT_H
#define VIBE_SNAPSHOT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct vibe_vm;

/* ---- pause.c ------------------------------------------------------------ */

/* Installs vm->park; before the vCPU threads start. */
int vibe_pause_init(struct vibe_vm *vm);
/* Stops every vCPU: each completes its pending I/O exit, captures its own
 * state and parks. Returns 0 when all are parked (or halted for good),
 * -1 after logging (the run is ending, or a vCPU failed to save). Nests:
 * only the outermost resume lets the vCPUs go. */
int vibe_pause(struct vibe_vm *vm);
void vibe_resume(struct vibe_vm *vm);
int vibe_paused(const struct vibe_vm *vm);
/* The state vCPU i captured when it parked (valid while paused). */
const void *vibe_pause_vcpu_state(struct vibe_vm *vm, unsigned i, size_t *len);

/* ---- snapshot.c --------------------------------------------------------- */

/* Writes the paused VM to `path` (atomically: a temporary file renamed).
 * The VM must be paused. Returns 0 or -1 after logging; *bytes gets the
 * file size. */
int vibe_snapshot_write(struct vibe_vm *vm, const char *path, uint64_t *bytes);
/* main.c, for a Linux guest: its --cmdline (NULL: none), saved so that a
 * restore routes console input as this run did (console_input_hint). */
void vibe_snapshot_note_cmdline(const char *cmdline);
/* Pause (if running), write, resume (if it paused). */
int vibe_snapshot_take(struct vibe_vm *vm, const char *path);

/* --restore: checks the file (one clear line and status 1 if it is not a
 * snapshot of this machine, truncated, corrupted or of another version),
 * sets the VM up as the snapshot's run did and loads every state. Returns
 * 0 (then vibe_vm_run() resumes it) or an exit status. */
int vibe_snapshot_restore(struct vibe_vm *vm, const char *path);

/* ---- ctl.c -------------------------------------------------------------- */

struct vibe_snapctl_opts {
	const char *api_socket;  /* --api-socket PATH, or NULL */
	const char *signal_file; /* --snapshot-on-signal FILE, or NULL */
};
/* The signal --snapshot-on-signal listens for: SIGRTMIN+2 (SIGUSR1 is the
 * vCPU kick, SIGUSR2 the exit request). */
#define VIBE_SNAPSHOT_SIGNAL (SIGRTMIN + 2)

/* Early in main, before any thread exists: binds the socket (errors are
 * the user's: one line, -1) and blocks the snapshot signal. */
int vibe_snapctl_init(const struct vibe_snapctl_opts *o);
/* Right before vibe_vm_run(): installs pausing and starts the control
 * thread if a socket or a signal was asked for. -1 after logging. */
int vibe_snapctl_start(struct vibe_vm *vm);
/* After vibe_vm_run() returns, before vibe_vm_destroy(). */
void vibe_snapctl_stop(void);

/* For runtime/sandbox.c (NULL-terminated syscall names): the control
 * thread's calls (it keeps the process-wide filter: they must be in the
 * union) and a parked vCPU thread's. Their ioctls: hv.h. */
extern const char *const vibe_snapshot_ctl_calls[];
extern const char *const vibe_snapshot_vcpu_calls[];

#endif
