/*
 * Private to the HVF backend (hvf.c: VM, memory, GIC, registers; hvf_run.c:
 * running a vCPU and decoding its exits). See hvf.c for the rules.
 */
#ifndef VIBE_HV_HVF_PRIV_H
#define VIBE_HV_HVF_PRIV_H

#include <pthread.h>

#ifdef VIBE_HVF_DECLS
#include "hv/hvf_decls.h"
#else
#include <Hypervisor/Hypervisor.h>
#endif

/* Apple's functions whose names hv.h takes over (it renames ours on
 * macOS): called through these, defined before hv.h is included. */
static inline hv_return_t apple_vm_create(void) { return hv_vm_create(NULL); }
static inline hv_return_t apple_vm_destroy(void) { return hv_vm_destroy(); }
static inline hv_return_t apple_vcpu_create(hv_vcpu_t *v, hv_vcpu_exit_t **e)
{
	return hv_vcpu_create(v, e, NULL);
}
static inline hv_return_t apple_vcpu_run(hv_vcpu_t v) { return hv_vcpu_run(v); }

#include "arch/arm64/esr.h"
#include "arch/arm64/inject.h"
#include "arch/arm64/insn.h"
#include "arch/arm64/psci.h"
#include "hv/hv.h"
#include "vibe/log.h"

#define HVF_MAX_VCPUS 64
#define HVF_PAGE      0x4000ull  /* 16 KiB: Apple silicon's stage-2 granule */
#define MAX_CACHED    16
#define CNTV_ENABLE   0x1ull
#define CNTV_IMASK    0x2ull
#define CNTV_ISTATUS  0x4ull

typedef void *(*gic_config_create_fn)(void);
typedef hv_return_t (*gic_config_set_base_fn)(void *config, hv_ipa_t base);
typedef hv_return_t (*gic_create_fn)(void *config);
typedef hv_return_t (*gic_set_spi_fn)(uint32_t intid, bool level);

struct hv_vm {
	struct hv_caps caps;
	int has_gic;
	gic_set_spi_fn gic_set_spi;
	pthread_mutex_t lock;           /* vcpus[] and power state */
	struct hv_vcpu *vcpus[HVF_MAX_VCPUS];
};

struct hv_vcpu {
	struct hv_vm *vm;
	unsigned id;
	uint64_t mpidr;
	hv_vcpu_t vcpu;
	hv_vcpu_exit_t *exit;
	int created;
	/* Before creation: the registers to apply (main thread writes them,
	 * the vCPU thread applies them at creation: no overlap in time). */
	struct hv_regs regs;
	int regs_set;
	struct { uint16_t id; uint64_t val; } sys[MAX_CACHED];
	unsigned nsys;
	/* Power state (PSCI), under vm->lock; cond wakes a parked vCPU. */
	pthread_cond_t cond;
	int off, kicked, on_pending;
	uint64_t on_entry, on_ctx;
	/* ISV = 1 access handed out as HV_EXIT_MMIO, finished next run. */
	struct { int active, is_read, sse, sf; unsigned srt, size, pc_step; } pend;
	uint8_t mmio[8];
	int vtimer_masked;
};

/* Log a failed call with its name; 0 on HV_SUCCESS, else -1. */
int hvf_ck(hv_return_t r, const char *what, unsigned id);
/* Make the guest take a synchronous external abort (data or fetch). */
int hvf_inject_sea(struct hv_vcpu *v, uint64_t far, int is_write, int is_fetch);

#endif
