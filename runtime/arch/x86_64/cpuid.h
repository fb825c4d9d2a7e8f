/*
 * What each vCPU's CPUID says, and which MSRs a Linux boot expects set at
 * reset. Pure data transformations: the backend fetches the hypervisor's
 * supported CPUID (hv_x86_get_supported_cpuid) and applies the result
 * (hv_x86_set_cpuid, hv_x86_set_msrs).
 *
 * The entries are runtime/hv/hv.h's struct hv_cpuid_entry, the backend's
 * own mirror of kvm_cpuid_entry2 (function, index, flags, eax..edx): using
 * it keeps this file free of <linux/kvm.h> (DESIGN.md: only the backend
 * includes it) while needing no second copy of the same struct.
 *
 * Topology: N vCPUs are 1 socket x N cores x 1 thread, APIC ID = vCPU index
 * (the MADT in acpi.c lists the same IDs).
 */
#ifndef VIBE_X86_CPUID_H
#define VIBE_X86_CPUID_H

#include "hv/hv.h"

/* Upper bound of entries vibe_cpuid_for_vcpu() adds to the supported set
 * (0x40000000 if missing, 3 sub-leaves each of 0xB and 0x1F). */
#define VIBE_CPUID_EXTRA 8u

/* Writes vCPU `vcpu`'s table (of `nvcpus`) into out[0..max) from the
 * `nsup` supported entries; returns the count, or -1 if `max` is too small
 * or vcpu >= nvcpus. */
int vibe_cpuid_for_vcpu(const struct hv_cpuid_entry *sup, unsigned nsup,
			unsigned vcpu, unsigned nvcpus,
			struct hv_cpuid_entry *out, unsigned max);

/* Looks up (function, index) in a table; NULL if absent. `index` is
 * ignored for entries without HV_CPUID_SIGNIFICANT_INDEX. */
const struct hv_cpuid_entry *vibe_cpuid_find(const struct hv_cpuid_entry *e, unsigned n,
					     uint32_t function, uint32_t index);

/* MSR values every vCPU gets at reset before a Linux boot (the values a
 * BIOS would leave). */
extern const struct hv_msr vibe_x86_boot_msrs[];
extern const unsigned vibe_x86_boot_msrs_count;

#endif
