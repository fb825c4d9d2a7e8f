/*
 * PSCI for backends that do not implement it themselves (HVF: every HVC
 * traps to vibevmm; KVM answers PSCI in the kernel). Arm DEN 0022 "Arm
 * Power State Coordination Interface", version 1.0 subset: PSCI_VERSION,
 * CPU_ON, CPU_OFF, AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF,
 * SYSTEM_RESET, PSCI_FEATURES. Calls follow SMCCC: function ID in w0,
 * arguments in x1..x3, result in x0. Pure decoding: the backend carries
 * out the action (start a vCPU, end the run) and writes x0.
 */
#ifndef VIBE_ARM64_PSCI_H
#define VIBE_ARM64_PSCI_H

#include <stdint.h>

#define PSCI_VERSION_FN        0x84000000u
#define PSCI_CPU_SUSPEND_64    0xc4000001u
#define PSCI_CPU_OFF           0x84000002u
#define PSCI_CPU_ON_32         0x84000003u
#define PSCI_CPU_ON_64         0xc4000003u
#define PSCI_AFFINITY_INFO_32  0x84000004u
#define PSCI_AFFINITY_INFO_64  0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF        0x84000008u
#define PSCI_SYSTEM_RESET      0x84000009u
#define PSCI_FEATURES          0x8400000au

/* Return codes (DEN 0022 table 6), as x0 values. */
#define PSCI_SUCCESS            0
#define PSCI_NOT_SUPPORTED      (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED             (-3)
#define PSCI_ALREADY_ON         (-4)
#define PSCI_ON_PENDING         (-5)
#define PSCI_INTERNAL_FAILURE   (-6)

#define PSCI_VERSION_1_0 0x00010000u  /* major 1 [31:16], minor 0 [15:0] */

enum psci_action {
	PSCI_ACT_RETURN,        /* write x0 = ret and resume */
	PSCI_ACT_CPU_ON,        /* start target_mpidr at entry with x0 = context */
	PSCI_ACT_CPU_OFF,       /* this vCPU stops until a CPU_ON */
	PSCI_ACT_AFFINITY_INFO, /* x0 = 0 if target_mpidr is on, 1 if off */
	PSCI_ACT_SYSTEM_OFF,    /* end the run, status 0 */
	PSCI_ACT_SYSTEM_RESET,  /* end the run, status 0 (vibevmm does not reboot) */
};

struct psci_call {
	uint32_t fn;
	enum psci_action action;
	int64_t ret;            /* x0 for PSCI_ACT_RETURN (and failed CPU_ON) */
	uint64_t target_mpidr;  /* CPU_ON, AFFINITY_INFO */
	uint64_t entry;         /* CPU_ON: physical entry address */
	uint64_t context_id;    /* CPU_ON: the new vCPU's x0 */
	const char *name;       /* for logs */
};

/* Decode the call in x[0..3]. The function ID is w0 (SMCCC: the upper 32
 * bits of x0 are ignored). Unknown IDs return NOT_SUPPORTED. */
void arm64_psci_decode(const uint64_t x[4], struct psci_call *c);

#endif
