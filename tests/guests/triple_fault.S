# triple_fault: load an empty IDT and raise an exception. With no handler
# the #UD escalates to a double and then a triple fault, which KVM reports
# as a SHUTDOWN exit: vibevmm must call it a guest crash (exit 3), not hang.
# (ud2, not int3: kvm_pvm turns int3 with an empty IDT into an internal
# error rather than a shutdown.) 0x52 if execution ever gets past ud2.
	.include "guest.inc"
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	lidt idtr(%rip)
	ud2
	EXIT 0x52
idtr:	.word 0
	.quad 0
