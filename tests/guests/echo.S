# echo: console input end to end. Polls LSR.DR, reads RBR and writes each
# byte back to THR until it reads 'q', then exits 0. The boot test pipes
# text into vibevmm's stdin (and drives it through a pty for the Ctrl-a
# escapes) and expects it back on stdout.
	.include "guest.inc"
	.set RBR, 0x3f8
	.set LSR_DR, 0x01
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	mov $COM1_LSR, %dx
1:	inb %dx, %al
	test $LSR_DR, %al
	jz 1b
	mov $RBR, %dx
	inb %dx, %al
	mov %al, %bl
	PUTC_AL
	cmp $'q', %bl
	je 2f
	mov $COM1_LSR, %dx
	jmp 1b
2:	EXIT 0
