# smp: two vCPUs run the same code (vibevmm starts vCPU n at the entry with
# rdi = n). Each takes a spinlock in guest RAM, prints "cpu N" and counts
# itself in. vCPU 0 waits for both, then exits 0; vCPU 1 spins with pause
# (not hlt, so no halt handling gets involved) until the VMM stops it.
# 0x71: vCPU 1 did not check in within ~2^33 TSC ticks (seconds);
# 0x72: a vCPU got an index other than 0 or 1.
	.include "guest.inc"
	.code64
	.globl _start
_start:
	cli
	mov %rdi, %r8
	cmp $1, %r8
	ja bad_index
	lea lock(%rip), %rbx
1:	mov $1, %al
	xchg %al, (%rbx)          # xchg with memory is locked
	test %al, %al
	jz 2f
	pause
	jmp 1b
2:	PUTS64 msg
	mov %r8b, %al
	add $'0', %al
	PUTC_AL
	mov $'\n', %al
	PUTC_AL
	movb $0, (%rbx)           # unlock (stores are not reordered with stores)
	lock incl count(%rip)
	test %r8, %r8
	jnz park
	rdtsc                     # vCPU 0: wait for vCPU 1, but not forever
	shl $32, %rdx
	or %rax, %rdx
	mov %rdx, %r9
3:	cmpl $2, count(%rip)
	je done
	pause
	rdtsc
	shl $32, %rdx
	or %rax, %rdx
	sub %r9, %rdx
	shr $33, %rdx
	jz 3b
	EXIT 0x71
done:	EXIT 0
park:	pause
	jmp park
bad_index:
	EXIT 0x72
msg:	.asciz "cpu "
	.balign 8
lock:	.byte 0
	.balign 4
count:	.long 0
