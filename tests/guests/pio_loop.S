# pio_loop: N port writes to the testbed's null I/O device (port 0x510),
# each one a VM exit, then exit 0. N defaults to 1000 (boot test);
# bench-exit assembles it with --defsym N=1000000.
	.include "guest.inc"
	.ifndef N
	.set N, 1000
	.endif
	.set NULL_PORT, 0x510
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	mov $N, %ecx
	mov $NULL_PORT, %dx
	test %ecx, %ecx
	jz 2f
1:	outb %al, %dx
	dec %ecx
	jnz 1b
2:	EXIT 0
