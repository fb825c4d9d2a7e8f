/*
 * The Hypervisor.framework (arm64) declarations runtime/hv/hvf.c uses, so
 * `make check-hvf` can compile it on Linux (-fsyntax-only) where the
 * macOS SDK is absent. On macOS hvf.c includes <Hypervisor/Hypervisor.h>
 * instead. Names, types and values follow Apple's headers
 * (Hypervisor/hv_vcpu.h, hv_vm.h, hv_vcpu_types.h, hv_gic.h); only what
 * hvf.c calls is here. The GIC calls (macOS 15+) are not declared:
 * hvf.c looks them up with dlsym (its own pointer types) so one binary
 * runs on older systems too.
 */
#ifndef VIBE_HV_HVF_DECLS_H
#define VIBE_HV_HVF_DECLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t hv_return_t;
#define HV_SUCCESS     0
#define HV_ERROR       ((hv_return_t)0xfae94001)
#define HV_BUSY        ((hv_return_t)0xfae94002)
#define HV_BAD_ARGUMENT ((hv_return_t)0xfae94003)
#define HV_NO_RESOURCES ((hv_return_t)0xfae94005)
#define HV_DENIED      ((hv_return_t)0xfae94007)
#define HV_UNSUPPORTED ((hv_return_t)0xfae9400f)

typedef void *hv_vm_config_t;
typedef void *hv_vcpu_config_t;
typedef uint64_t hv_vcpu_t;
typedef uint64_t hv_ipa_t;
typedef uint64_t hv_exception_syndrome_t;
typedef uint64_t hv_exception_address_t;

typedef uint64_t hv_memory_flags_t;
#define HV_MEMORY_READ  (1ull << 0)
#define HV_MEMORY_WRITE (1ull << 1)
#define HV_MEMORY_EXEC  (1ull << 2)

typedef uint32_t hv_exit_reason_t;
#define HV_EXIT_REASON_CANCELED         0
#define HV_EXIT_REASON_EXCEPTION        1
#define HV_EXIT_REASON_VTIMER_ACTIVATED 2
#define HV_EXIT_REASON_UNKNOWN          3

typedef struct {
	hv_exception_syndrome_t syndrome;
	hv_exception_address_t virtual_address;
	hv_ipa_t physical_address;
} hv_vcpu_exit_exception_t;

typedef struct {
	hv_exit_reason_t reason;
	hv_vcpu_exit_exception_t exception;
} hv_vcpu_exit_t;

typedef uint32_t hv_reg_t;  /* HV_REG_X0..X30 = 0..30, then: */
#define HV_REG_X0   0u
#define HV_REG_PC   31u
#define HV_REG_FPCR 32u
#define HV_REG_FPSR 33u
#define HV_REG_CPSR 34u

typedef uint16_t hv_sys_reg_t; /* op0:op1:CRn:CRm:op2, as HV_ARM64_SYSREG */
#define HV_SYS_REG_SP_EL0       ((hv_sys_reg_t)0xc208)
#define HV_SYS_REG_SP_EL1       ((hv_sys_reg_t)0xe208)
#define HV_SYS_REG_ELR_EL1      ((hv_sys_reg_t)0xc201)
#define HV_SYS_REG_SPSR_EL1     ((hv_sys_reg_t)0xc200)
#define HV_SYS_REG_ESR_EL1      ((hv_sys_reg_t)0xc290)
#define HV_SYS_REG_FAR_EL1      ((hv_sys_reg_t)0xc300)
#define HV_SYS_REG_VBAR_EL1     ((hv_sys_reg_t)0xc600)
#define HV_SYS_REG_SCTLR_EL1    ((hv_sys_reg_t)0xc080)
#define HV_SYS_REG_MPIDR_EL1    ((hv_sys_reg_t)0xc005)
#define HV_SYS_REG_CNTV_CTL_EL0 ((hv_sys_reg_t)0xdf19)

typedef uint32_t hv_interrupt_type_t;
#define HV_INTERRUPT_TYPE_IRQ 0u
#define HV_INTERRUPT_TYPE_FIQ 1u

hv_return_t hv_vm_create(hv_vm_config_t config);
hv_return_t hv_vm_destroy(void);
hv_return_t hv_vm_map(void *addr, hv_ipa_t ipa, size_t size, hv_memory_flags_t flags);
hv_return_t hv_vm_get_max_vcpu_count(uint32_t *max);

hv_return_t hv_vcpu_create(hv_vcpu_t *vcpu, hv_vcpu_exit_t **exit, hv_vcpu_config_t config);
hv_return_t hv_vcpu_destroy(hv_vcpu_t vcpu);
hv_return_t hv_vcpu_run(hv_vcpu_t vcpu);
hv_return_t hv_vcpus_exit(hv_vcpu_t *vcpus, uint32_t vcpu_count);
hv_return_t hv_vcpu_get_reg(hv_vcpu_t vcpu, hv_reg_t reg, uint64_t *value);
hv_return_t hv_vcpu_set_reg(hv_vcpu_t vcpu, hv_reg_t reg, uint64_t value);
hv_return_t hv_vcpu_get_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg, uint64_t *value);
hv_return_t hv_vcpu_set_sys_reg(hv_vcpu_t vcpu, hv_sys_reg_t reg, uint64_t value);
hv_return_t hv_vcpu_set_vtimer_mask(hv_vcpu_t vcpu, bool vtimer_is_masked);
hv_return_t hv_vcpu_set_pending_interrupt(hv_vcpu_t vcpu, hv_interrupt_type_t type, bool pending);

#endif
