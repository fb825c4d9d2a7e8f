/*
 * The hypervisor backend interface: the only way the VM, the vCPU loop, the
 * loaders and the devices talk to the hypervisor. runtime/hv/kvm.c (and
 * kvm_x86.c for x86 specifics) implement it on Linux KVM; an HVF backend
 * implements the same functions on macOS. Nothing outside runtime/hv/
 * includes <linux/kvm.h>.
 *
 * Conventions: functions returning int give 0 on success and -1 after
 * logging what failed (with the ioctl name and strerror), so callers only
 * decide the exit status. Exit information is translated into the
 * arch-neutral struct hv_exit without copying payloads: IO/MMIO data
 * pointers point into the backend's shared run area and stay valid until
 * the next hv_vcpu_run() on that vCPU, which also completes the access
 * (a read's result is written through the pointer before re-entering).
 */
#ifndef VIBE_HV_H
#define VIBE_HV_H

#include <stdint.h>
#include <stddef.h>

struct hv_vm;
struct hv_vcpu;

/* Hypervisor.framework exports five functions with the names below. On
 * macOS (and in `make check-hvf`) ours are renamed so the two never meet
 * at link time; runtime/hv/hvf_priv.h wraps Apple's before including this
 * header. Callers are unaffected. */
#if defined(__APPLE__) || defined(VIBE_HVF_DECLS)
#define hv_vm_create    vibe_hv_vm_create
#define hv_vm_destroy   vibe_hv_vm_destroy
#define hv_vcpu_create  vibe_hv_vcpu_create
#define hv_vcpu_destroy vibe_hv_vcpu_destroy
#define hv_vcpu_run     vibe_hv_vcpu_run
#endif

/* ---- VM ---------------------------------------------------------------- */

struct hv_caps {
	unsigned max_vcpus;     /* recommended maximum */
	unsigned max_slots;     /* memory slots */
	int readonly_mem;       /* read-only slots (guest writes exit as MMIO) */
	int irqchip;            /* in-kernel interrupt controller available */
	int ioeventfd;          /* hv_ioeventfd() works */
	int irqfd;              /* hv_irqfd() works (with the irqchip) */
};

/* Opens the hypervisor (e.g. /dev/kvm), checks the API version and the
 * capabilities vibevmm cannot run without, creates an empty VM. */
struct hv_vm *hv_vm_create(void);
void hv_vm_destroy(struct hv_vm *vm);
const struct hv_caps *hv_vm_caps(const struct hv_vm *vm);

#define HV_MEM_READONLY 0x1u

/* Map host memory [hva, hva+size) at guest-physical gpa as slot `slot`.
 * Page-aligned gpa/size/hva. */
int hv_map_memory(struct hv_vm *vm, unsigned slot, uint64_t gpa, uint64_t size,
		  void *hva, unsigned flags);

/* In-kernel interrupt controller. x86: PIC + IOAPIC + per-vCPU LAPIC
 * (KVM_CREATE_IRQCHIP) and, with HV_IRQCHIP_PIT, the i8254 PIT. Must be
 * called before any vCPU is created. Returns -1 when unavailable. */
#define HV_IRQCHIP_PIT 0x1u
int hv_create_irqchip(struct hv_vm *vm, unsigned flags);
/* Drive interrupt line `irq` (x86: IOAPIC/PIC pin 0..23; arm64: SPI) to
 * `level`. Edge-triggered devices pulse 1 then 0. Needs the irqchip. */
int hv_irq_line(struct hv_vm *vm, unsigned irq, int level);

/* Guest writes of `size` bytes at `addr` (MMIO, or x86 port I/O with
 * HV_IOEVENT_PIO) signal eventfd `fd` inside the kernel, with no exit to
 * vibevmm; with HV_IOEVENT_DATAMATCH only writes of value `data`.
 * HV_IOEVENT_DEASSIGN removes a registration made with the same values.
 * For virtio queue notifications. -1 if unsupported (the write then exits
 * as usual). */
#define HV_IOEVENT_PIO       0x1u
#define HV_IOEVENT_DATAMATCH 0x2u
#define HV_IOEVENT_DEASSIGN  0x4u
int hv_ioeventfd(struct hv_vm *vm, uint64_t addr, unsigned size, int fd, unsigned flags,
		 uint64_t data);
/* Writing to eventfd `fd` raises interrupt line `irq` (edge) inside the
 * kernel. `deassign` removes it. Needs the irqchip; -1 otherwise. */
int hv_irqfd(struct hv_vm *vm, unsigned irq, int fd, int deassign);
/* Level-triggered irqfd (KVM_IRQFD_FLAG_RESAMPLE): writing to `fd`
 * asserts line `irq` and keeps it asserted until the guest acknowledges
 * the interrupt (EOI); the kernel then lowers the line and signals
 * `resample_fd`, and the device re-asserts if its interrupt is still
 * pending. -1 (quietly) when unavailable: the caller falls back. */
int hv_irqfd_resample(struct hv_vm *vm, unsigned irq, int fd, int resample_fd);

/* ---- vCPUs ------------------------------------------------------------- */

struct hv_vcpu *hv_vcpu_create(struct hv_vm *vm, unsigned id);
void hv_vcpu_destroy(struct hv_vcpu *vcpu);

enum hv_exit_kind {
	HV_EXIT_NONE = 0,
	HV_EXIT_IO,             /* x86 port I/O: exit.io */
	HV_EXIT_MMIO,           /* access to unmapped GPA or RO slot: exit.mmio */
	HV_EXIT_HLT,            /* only without an in-kernel irqchip */
	HV_EXIT_SHUTDOWN,       /* x86 triple fault */
	HV_EXIT_FAIL_ENTRY,     /* hardware refused to enter: exit.fail_entry */
	HV_EXIT_INTERNAL_ERROR, /* hypervisor gave up (e.g. emulation): exit.internal */
	HV_EXIT_SYSTEM_EVENT,   /* PSCI / hypervisor-signalled power event */
	HV_EXIT_INTR,           /* interrupted by a kick or a signal: check why */
	HV_EXIT_DEBUG,
	HV_EXIT_UNKNOWN,        /* exit.unknown.reason holds the raw code */
	HV_EXIT_ARM_ABORT,      /* arm64 data abort the backend did not decode: exit.arm_abort */
};

enum hv_system_event { HV_SYSEV_SHUTDOWN = 1, HV_SYSEV_RESET = 2, HV_SYSEV_CRASH = 3, HV_SYSEV_OTHER = 4 };
enum hv_internal_suberror {
	HV_INTERNAL_EMULATION = 1, HV_INTERNAL_SIMUL_EX = 2,
	HV_INTERNAL_DELIVERY_EV = 3, HV_INTERNAL_UNEXPECTED_EXIT = 4,
};

struct hv_exit {
	enum hv_exit_kind kind;
	union {
		struct {
			uint16_t port;
			uint8_t size;      /* 1, 2, 4 */
			uint8_t is_write;
			uint32_t count;    /* >1 for rep ins/outs: count*size bytes */
			uint8_t *data;
		} io;
		struct {
			uint64_t gpa;
			uint8_t *data;     /* up to 8 bytes */
			uint8_t size;
			uint8_t is_write;
		} mmio;
		struct { uint64_t reason; uint32_t cpu; } fail_entry;
		struct { uint32_t suberror; uint32_t ndata; uint64_t data[16]; } internal;
		struct { uint32_t type; uint32_t raw_type; uint64_t data0; } system_event;
		struct { uint32_t reason; } unknown;
		/* arm64: a stage-2 data abort the VMM must emulate from the
		 * instruction (ISV = 0: KVM_EXIT_ARM_NISV, or any HVF abort
		 * without a valid syndrome). esr is the full ESR_EL2 (KVM's
		 * sanitized ISS rebuilt by arm64_esr_from_kvm_nisv()). */
		struct { uint64_t esr; uint64_t ipa; uint64_t va; } arm_abort;
	};
};

/* Run until the next exit the VMM must see. EAGAIN is retried inside;
 * EINTR (signal or kick) yields HV_EXIT_INTR. Returns -1 on failure. */
int hv_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit);

/* Make the vCPU leave (or not enter) the guest: sets the backend's
 * immediate-exit flag, safe from any thread. The caller also signals the
 * vCPU thread so a vCPU already inside the guest is pulled out. */
void hv_vcpu_kick(struct hv_vcpu *vcpu);

/* Arch-neutral general registers. x86_64: gpr[] in the order of HV_X86_*
 * below, pc = rip, flags = rflags. arm64: gpr[0..30] = x0..x30,
 * gpr[31] = sp, pc, flags = pstate. */
struct hv_regs {
	uint64_t gpr[32];
	uint64_t pc;
	uint64_t flags;
};
enum {
	HV_X86_RAX, HV_X86_RBX, HV_X86_RCX, HV_X86_RDX, HV_X86_RSI, HV_X86_RDI,
	HV_X86_RSP, HV_X86_RBP, HV_X86_R8, HV_X86_R9, HV_X86_R10, HV_X86_R11,
	HV_X86_R12, HV_X86_R13, HV_X86_R14, HV_X86_R15,
};
int hv_vcpu_get_regs(struct hv_vcpu *vcpu, struct hv_regs *regs);
int hv_vcpu_set_regs(struct hv_vcpu *vcpu, const struct hv_regs *regs);

/* ---- x86_64 specifics (runtime/hv/kvm_x86.c) ---------------------------- */

struct hv_x86_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable;
};
struct hv_x86_dtable { uint64_t base; uint16_t limit; };
struct hv_x86_sregs {
	struct hv_x86_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct hv_x86_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer, apic_base;
};
int hv_x86_get_sregs(struct hv_vcpu *vcpu, struct hv_x86_sregs *sregs);
int hv_x86_set_sregs(struct hv_vcpu *vcpu, const struct hv_x86_sregs *sregs);

/* FPU/SSE reset state a 64-bit guest expects (FCW 0x37f, MXCSR 0x1f80). */
int hv_x86_init_fpu(struct hv_vcpu *vcpu);

#define HV_CPUID_SIGNIFICANT_INDEX 0x1u /* `index` selects a sub-leaf */
struct hv_cpuid_entry {
	uint32_t function, index, flags;
	uint32_t eax, ebx, ecx, edx;
};
/* What the hypervisor can offer: up to `max` entries into `out`; *n is set
 * to the number written. */
int hv_x86_get_supported_cpuid(struct hv_vm *vm, struct hv_cpuid_entry *out,
			       unsigned max, unsigned *n);
int hv_x86_set_cpuid(struct hv_vcpu *vcpu, const struct hv_cpuid_entry *e, unsigned n);

struct hv_msr { uint32_t index; uint64_t data; };
int hv_x86_set_msrs(struct hv_vcpu *vcpu, const struct hv_msr *msrs, unsigned n);
int hv_x86_get_msrs(struct hv_vcpu *vcpu, struct hv_msr *msrs, unsigned n);

/* LAPIC LINT0 = ExtINT (PIC), LINT1 = NMI, as a BIOS would leave them for
 * Linux. Only with the in-kernel irqchip. */
int hv_x86_setup_lapic_lints(struct hv_vcpu *vcpu);

/* ---- arm64 specifics (runtime/hv/kvm_arm64.c, runtime/hv/hvf.c) -------- */

/* Once per vCPU, right after hv_vcpu_create() and before any register
 * access: KVM_ARM_VCPU_INIT with the preferred target and PSCI 0.2 (KVM
 * then answers PSCI calls itself). powered_off: the vCPU waits for a PSCI
 * CPU_ON from another vCPU (Linux secondaries). */
int hv_arm64_vcpu_init(struct hv_vcpu *vcpu, int powered_off);

/* System registers by their op0:op1:CRn:CRm:op2 number, packed as
 * arm64_sysreg_id() does (the numbering of KVM's ARM64_SYS_REG() and of
 * HVF's hv_sys_reg_t). */
#define HV_ARM64_SYSREG(op0, op1, crn, crm, op2) \
	((uint16_t)((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2)))
#define HV_ARM64_SCTLR_EL1 HV_ARM64_SYSREG(3, 0, 1, 0, 0)
#define HV_ARM64_TTBR0_EL1 HV_ARM64_SYSREG(3, 0, 2, 0, 0)
#define HV_ARM64_TTBR1_EL1 HV_ARM64_SYSREG(3, 0, 2, 0, 1)
#define HV_ARM64_TCR_EL1   HV_ARM64_SYSREG(3, 0, 2, 0, 2)
#define HV_ARM64_ESR_EL1   HV_ARM64_SYSREG(3, 0, 5, 2, 0)
#define HV_ARM64_FAR_EL1   HV_ARM64_SYSREG(3, 0, 6, 0, 0)
#define HV_ARM64_VBAR_EL1  HV_ARM64_SYSREG(3, 0, 12, 0, 0)
#define HV_ARM64_MPIDR_EL1 HV_ARM64_SYSREG(3, 0, 0, 0, 5)
int hv_arm64_get_sysreg(struct hv_vcpu *vcpu, uint16_t id, uint64_t *val);
int hv_arm64_set_sysreg(struct hv_vcpu *vcpu, uint16_t id, uint64_t val);

/* The in-kernel (or HVF) GICv3: distributor at `dist` (64 KiB), the
 * redistributors from `redist` (128 KiB per vCPU), `nspis` SPIs. Called
 * by the gicv3 device after every vCPU exists and before any runs; after
 * it, hv_irq_line() drives SPIs (irq = SPI number, INTID 32 + irq). */
int hv_arm64_create_gic(struct hv_vm *vm, uint64_t dist, uint64_t redist, unsigned nvcpus,
			unsigned nspis);

/* Make the guest take a synchronous external data abort at `far` on its
 * next entry (an access the emulator refused). */
int hv_arm64_inject_dabt(struct hv_vcpu *vcpu, uint64_t far, int is_write);

/* ---- snapshots (runtime/snapshot.c; x86_64 KVM: runtime/hv/kvm_x86_snap.c)
 * The backend's state as opaque blobs: only the backend that wrote one reads
 * it back (same arch, same backend; the snapshot header carries a format
 * version). Each returns 0, or -1 after logging. */

/* Finish a pending IO/MMIO exit without running guest code. The KVM API
 * (KVM_RUN, immediate_exit): re-entering with immediate_exit=1 completes
 * userspace I/O, then KVM_RUN returns EINTR; the pending part of an
 * exit is not in any state userspace can read, so it must be completed
 * before the vCPU's state is saved. Call on the vCPU's own thread. */
int hv_vcpu_complete_io(struct hv_vcpu *vcpu);

/* Upper bound of a blob below, so callers can size buffers once. */
#define HV_STATE_MAX (256u * 1024u)

/* Every register KVM keeps for the vCPU: regs, sregs, XSAVE (or FPU),
 * XCRs, MSRs, LAPIC, events, MP state, debug registers. `*len` is set to
 * the bytes used in buf (at most cap). */
int hv_x86_save_vcpu(struct hv_vcpu *vcpu, void *buf, size_t cap, size_t *len);
/* After arch_vcpu_init() (CPUID set), before the vCPU first runs. */
int hv_x86_restore_vcpu(struct hv_vcpu *vcpu, const void *buf, size_t len);

/* VM-wide: the in-kernel irqchip (PIC master/slave, IOAPIC), the PIT and
 * the guest clock, whichever exist. hv_vm_restore() goes after every
 * vCPU's restore (the clock last, so the guest sees no time pass). */
int hv_vm_save(struct hv_vm *vm, void *buf, size_t cap, size_t *len);
int hv_vm_restore(struct hv_vm *vm, const void *buf, size_t len);

/* For the seccomp sandbox (runtime/sandbox.c): the ioctls the calls above
 * make after set-up, {0, NULL}-terminated. vcpu: on a vCPU thread parking
 * (hv_vcpu_complete_io, hv_x86_save_vcpu); vm: on the thread writing a
 * snapshot (hv_vm_save, and hv_x86_save_vcpu for a vCPU that halted for
 * good). Restore runs before the sandbox and needs none. */
struct hv_ioctl_name { unsigned long req; const char *name; };
extern const struct hv_ioctl_name hv_snapshot_vcpu_ioctls[];
extern const struct hv_ioctl_name hv_snapshot_vm_ioctls[];

#endif
