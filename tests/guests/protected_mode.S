# protected_mode: hello in 32-bit protected mode, paging off
# (vibevmm --mode protected). Position-independent via call/pop; data read
# through CS so only the code segment's setup matters.
	.include "guest.inc"
	.code32
	.globl _start
_start:
	PARK_SECONDARIES %edi
	call 1f
1:	pop %esi
	add $(msg - 1b), %esi
2:	movb %cs:(%esi), %al
	test %al, %al
	jz 3f
	PUTC_AL
	inc %esi
	jmp 2b
3:	EXIT 0
msg:	.asciz "Hello from protected mode!\n"
