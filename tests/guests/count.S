# count: prints 1, 2, 3, ... one number per line on COM1, forever, with a
# short spin between lines. The snapshot tests (tests/snapshot/) pause it
# mid-count, snapshot, kill vibevmm and restore: the restored run must go
# on with the next number, no gap and no repeat. The counter lives in a
# register (r12) and the digits in guest RAM, so both the vCPU's registers
# and memory have to survive; each LSR read is checked (see putc), so an
# I/O exit a pause did not complete shows too. bench-snapshot builds it with TOUCH_MB=64 and SPIN=1.
	.include "guest.inc"
	.ifndef TOUCH_MB
	.set TOUCH_MB, 0
	.endif
	.ifndef SPIN
	.set SPIN, 20000           # ~60 ms a line on this host's kvm_pvm
	.endif
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	lea stack_top(%rip), %rsp  # our own stack (guest.inc: none is given)
	mov $'S', %al              # first sign of life (bench: first instruction)
	call putc
	mov $'\n', %al
	call putc
	# Dirty `touch_mb` MiB from 16 MiB up, one nonzero byte per page,
	# so a snapshot has that much memory to store (bench-snapshot).
	mov touch_mb(%rip), %rcx
	shl $8, %rcx               # MiB -> 4 KiB pages
	mov $0x1000000, %rbx
1:	test %rcx, %rcx
	jz 2f
	movb $1, (%rbx)
	add $0x1000, %rbx
	dec %rcx
	jmp 1b
2:	xor %r12, %r12
next:
	inc %r12
	# digits of r12, right to left, into buf's end
	lea bufend(%rip), %rdi
	movb $'\n', -1(%rdi)
	dec %rdi
	mov %r12, %rax
	mov $10, %rbx
3:	xor %edx, %edx
	div %rbx
	add $'0', %dl
	dec %rdi
	movb %dl, (%rdi)
	test %rax, %rax
	jnz 3b
	mov %rdi, %rsi
4:	movb (%rsi), %al
	call putc
	cmpb $'\n', (%rsi)
	je 5f
	inc %rsi
	jmp 4b
5:	mov spin(%rip), %rcx
6:	dec %rcx
	jnz 6b
	jmp next

# Send %al to COM1 like PUTC_AL, but check what LSR reads: the UART here
# always answers THRE|TEMT (0x60). %al is zeroed before each `in`, so an
# IN whose value the VMM lost (a pause that saved the vCPU before KVM
# completed the access) reads as 0 and ends the run with status 0x21.
putc:
	mov %al, %ah
	mov $COM1_LSR, %dx
	xor %al, %al
	inb %dx, %al
	cmp $0x60, %al
	jne 7f
	mov $COM1, %dx
	mov %ah, %al
	outb %al, %dx
	ret
7:	EXIT 0x21

	.balign 8
touch_mb: .quad TOUCH_MB
spin:	.quad SPIN
buf:	.space 24
bufend:
	.balign 16
	.space 256
stack_top:
