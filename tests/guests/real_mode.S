# real_mode: hello in 16-bit real mode (vibevmm --mode real). The loader
# picks CS:IP for the entry; the guest finds its own data with call/pop and
# reads it through CS, so it works whatever the CS base / IP split is.
	.include "guest.inc"
	.code16
	.globl _start
_start:
	PARK_SECONDARIES %di
	cli
	call 1f
1:	pop %si
	add $(msg - 1b), %si
2:	movb %cs:(%si), %al
	test %al, %al
	jz 3f
	PUTC_AL
	inc %si
	jmp 2b
3:	EXIT 0
msg:	.asciz "Hello from real mode!\n"
