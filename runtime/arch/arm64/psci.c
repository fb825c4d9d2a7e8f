/*
 * PSCI call decoding (see psci.h; Arm DEN 0022, chapter 5 for each
 * function's arguments).
 */
#include "psci.h"

#include <string.h>

static int supported(uint32_t fn)
{
	switch (fn) {
	case PSCI_VERSION_FN: case PSCI_CPU_OFF: case PSCI_CPU_ON_32: case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64: case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
		return 1;
	default:
		return 0;
	}
}

void arm64_psci_decode(const uint64_t x[4], struct psci_call *c)
{
	uint32_t fn = (uint32_t)x[0];
	/* SMC32/HVC32 calling convention (bit 30 clear): arguments are the
	 * low 32 bits of the registers (SMCCC 2.6). */
	uint64_t mask = (fn & 0x40000000u) ? ~0ull : 0xffffffffull;

	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->action = PSCI_ACT_RETURN;
	switch (fn) {
	case PSCI_VERSION_FN:
		c->name = "PSCI_VERSION";
		c->ret = PSCI_VERSION_1_0;
		break;
	case PSCI_CPU_ON_32: case PSCI_CPU_ON_64:
		c->name = "CPU_ON";
		c->action = PSCI_ACT_CPU_ON;
		c->target_mpidr = x[1] & mask;
		c->entry = x[2] & mask;
		c->context_id = x[3] & mask;
		c->ret = PSCI_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		c->name = "CPU_OFF";
		c->action = PSCI_ACT_CPU_OFF;
		break;
	case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64:
		c->name = "AFFINITY_INFO";
		/* Only level 0 (a single PE) is answered (x2 = lowest level). */
		if ((x[2] & mask) != 0) {
			c->ret = PSCI_INVALID_PARAMETERS;
			break;
		}
		c->action = PSCI_ACT_AFFINITY_INFO;
		c->target_mpidr = x[1] & mask;
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		c->name = "MIGRATE_INFO_TYPE";
		c->ret = 2; /* no Trusted OS: migration not required */
		break;
	case PSCI_SYSTEM_OFF:
		c->name = "SYSTEM_OFF";
		c->action = PSCI_ACT_SYSTEM_OFF;
		break;
	case PSCI_SYSTEM_RESET:
		c->name = "SYSTEM_RESET";
		c->action = PSCI_ACT_SYSTEM_RESET;
		break;
	case PSCI_FEATURES:
		c->name = "PSCI_FEATURES";
		/* 0: supported with no feature flags (DEN 0022 5.1.14). */
		c->ret = supported((uint32_t)x[1]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	default:
		c->name = "unknown function";
		c->ret = PSCI_NOT_SUPPORTED;
		break;
	}
}
