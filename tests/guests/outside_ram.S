# outside_ram: a write and a read past the end of RAM (the boot test runs it
# with --mem 128M; 0x0ff00000 is at 255 MiB). There is no memory slot there,
# so KVM reports an MMIO exit; vibevmm finds no device, logs it and lets the
# guest go on, reads returning all ones. Exits 0x07 when the read returned
# all ones (the test expects exactly that code, proving the guest continued
# past the stray write), 0x53 otherwise.
	.include "guest.inc"
	.set PAST_RAM, 0x0ff00000
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	mov $PAST_RAM, %ebx
	movl $0xcafe, (%rbx)
	movl (%rbx), %eax
	cmp $0xffffffff, %eax
	jne 1f
	EXIT 0x07
1:	EXIT 0x53
