# hlt: HLT with interrupts disabled. Nothing can ever wake this vCPU, so the
# VMM must notice and stop instead of hanging. Prints a line first so the
# test knows the guest ran; 0x51 if HLT ever returned.
	.include "guest.inc"
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	PUTS64 msg
	cli
	hlt
	EXIT 0x51
msg:	.asciz "halting with interrupts off\n"
