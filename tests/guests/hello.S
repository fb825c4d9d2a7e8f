# hello: the smallest useful guest. Prints a greeting on COM1 and exits 0.
# The acceptance test runs it on the default machine as well as the testbed.
	.include "guest.inc"
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	PUTS64 msg
	EXIT 0
msg:	.asciz "Hello from a vibevmm guest!\n"
