# spin: every vCPU loops forever without a single VM exit, so only a
# signal can pull it out of KVM_RUN: the case vibevmm's stop protocol
# (immediate_exit + SIGUSR1 kick) exists for.
	.code64
	.globl _start
_start:
	jmp _start
