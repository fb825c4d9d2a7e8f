# mmio_loop: N MMIO exits to the testbed's null device at 0xd0000000,
# alternating a 4-byte write of a non-zero value and a 4-byte read that must
# return 0 (the null device ignores writes). Exits 0, or 0x31 if a read
# returned anything else. N (total exits, even) defaults to 1000;
# bench-exit uses --defsym N=1000000.
	.include "guest.inc"
	.ifndef N
	.set N, 1000
	.endif
	.set NULL_MMIO, 0xd0000000
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	mov $(N / 2), %ecx
	mov $NULL_MMIO, %ebx
	test %ecx, %ecx
	jz 2f
1:	movl $0xdeadbeef, (%rbx)
	movl (%rbx), %eax
	test %eax, %eax
	jnz 3f
	dec %ecx
	jnz 1b
2:	EXIT 0
3:	EXIT 0x31
