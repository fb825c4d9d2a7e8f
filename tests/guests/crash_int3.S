# crash_int3: int3 with an empty IDT. On kvm_pvm this comes back as
# KVM_EXIT_INTERNAL_ERROR (emulation failure) rather than a shutdown; either
# way vibevmm must report a guest crash (exit 3) with a clear message.
	.include "guest.inc"
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	lidt idtr(%rip)
	int3
	EXIT 0x54
idtr:	.word 0
	.quad 0
