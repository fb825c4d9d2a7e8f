# unmapped_mmio: accesses with no device behind them. Reads must return all
# ones (what a bus with nothing on it returns) and the guest must keep
# running. Exits 0, or:
#   0x41 a 1-byte MMIO read was not 0xff
#   0x42 a 4-byte MMIO read was not 0xffffffff
#   0x43 an 8-byte MMIO read was not all ones
#   0x44 a port read from a port with no device was not 0xff
	.include "guest.inc"
	.set HOLE, 0xc0000000     # below the testbed's devices, above RAM
	.set NO_PORT, 0x2a0
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	mov $HOLE, %ebx
	movl $0x12345678, (%rbx)  # a write to nothing: ignored, guest goes on
	movzbl (%rbx), %eax
	cmp $0xff, %eax
	jne 1f
	movl 0x10(%rbx), %eax
	cmp $0xffffffff, %eax
	jne 2f
	mov 0x20(%rbx), %rax
	cmp $-1, %rax
	jne 3f
	mov $NO_PORT, %dx
	inb %dx, %al
	cmp $0xff, %al
	jne 4f
	EXIT 0
1:	EXIT 0x41
2:	EXIT 0x42
3:	EXIT 0x43
4:	EXIT 0x44
