/*
 * vCPUs: one host thread each, running the exit loop in vcpu.c.
 */
#ifndef VIBE_VCPU_H
#define VIBE_VCPU_H

#include <pthread.h>

struct vibe_vm;
struct hv_vcpu;

struct vibe_vcpu {
	struct vibe_vm *vm;
	struct hv_vcpu *hv;
	unsigned id;
	pthread_t thread;   /* valid when created: main joins it */
	int created;
	pthread_t self;     /* written by the thread itself, valid when started */
	int started;        /* atomic: the thread runs and may be signalled */
};

/* The signal used to pull a vCPU thread out of KVM_RUN. Its handler does
 * nothing; the interrupted KVM_RUN returning EINTR is the point. */
#define VIBE_KICK_SIGNAL SIGUSR1

/* Install the kick handler (process-wide, once, before threads start). */
int vibe_vcpu_signals_init(void);

int vibe_vcpu_start(struct vibe_vcpu *vc);
void vibe_vcpu_kick(struct vibe_vcpu *vc);

/* Register dump at error level, for guest crashes. */
void vibe_vcpu_dump(struct vibe_vcpu *vc);

#endif
