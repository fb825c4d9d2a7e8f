# hostile: raw x86_64 guests that attack vibevmm's virtio devices and UART.
#
# One source, one case per binary: tests/hostile/rules.mk assembles it once
# per case with --defsym CASE=N into build/tests/hostile/case_N.bin (the
# case list and what each stands for: test_hostile.c and
# docs/architecture/security.md). Every case ends with the same final write
# to debug-exit, PASS (0x7e), so an exit status of 0x7e proves the guest
# reached its end; a failed in-guest check exits with its own code:
#   0x10 MagicValue wrong        0x11 FEATURES_OK not accepted on a clean init
#   0x12 DEVICE_NEEDS_RESET (0x40) expected in Status but never set
#   0x13 DEVICE_NEEDS_RESET set where the device must keep working
#   0x14 a valid request was never completed (used idx did not move)
#   0x15 used length wrong       0x16 blk status byte wrong
#   0x17 FEATURES_OK accepted with features that were not offered
#   0x18 QueueNumMax of an absent queue not 0
#   0x19 UART output line lost (the test also checks stdout)
# Machine: tests/hostile/hostile.yaml (devices at fixed addresses).
	.include "guest.inc"

	.set PASS, 0x7e
	.set BLK,  0xd0000000
	.set NET,  0xd0001000
	.set CONS, 0xd0002000
	.set RNG,  0xd0003000
	.set RAM_END, 0x8000000     # 128 MiB
	.set HOLE, 0xc0000000       # nothing mapped here

	# Split ring (§2.7) in guest RAM at 1 MiB; data buffers above it.
	.set DESC,  0x100000
	.set AVAIL, 0x101000
	.set USED,  0x102000
	.set BUF,   0x104000
	.set ITAB,  0x103000        # an indirect table

	# virtio-mmio registers
	.set MAGIC, 0x000
	.set DFSEL, 0x014
	.set DRVF,  0x020
	.set DRVFSEL, 0x024
	.set QSEL,  0x030
	.set QMAX,  0x034
	.set QNUM,  0x038
	.set QREADY, 0x044
	.set QNOTIFY, 0x050
	.set STATUS, 0x070
	.set QDESC, 0x080
	.set QDRV,  0x090
	.set QDEV,  0x0a0

	.set F_NEXT, 1
	.set F_WRITE, 2
	.set F_INDIRECT, 4

# Descriptor i := {addr, len, flags, next}
.macro DESCR i, addr, len, flags, next, table=DESC
	movq $\addr, %rax
	mov %rax, \table+16*\i
	movl $\len, \table+16*\i+8
	movw $\flags, \table+16*\i+12
	movw $\next, \table+16*\i+14
.endm

# Publish head \head in avail slot \slot, set avail idx to \idx, kick \q.
.macro SUBMIT slot, head, idx, q=0
	movw $\head, AVAIL+4+2*\slot
	movw $\idx, AVAIL+2
	movl $\q, QNOTIFY(%rbx)
.endm

.macro REG off, val
	movl $\val, \off(%rbx)
.endm

	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	mov $0x80000, %rsp
	call clear_rings
	call case_body
	EXIT PASS

# ---- helpers (rbx = device base) -------------------------------------------

clear_rings:
	mov $DESC, %edi
	mov $0x2000, %ecx            # 64 KiB
	xor %eax, %eax
	rep stosq
	ret

# Reset, ACKNOWLEDGE, DRIVER, accept VERSION_1 only, FEATURES_OK; checked.
init_dev:
	cmpl $0x74726976, MAGIC(%rbx)
	jne 1f
	REG STATUS, 0
	REG STATUS, 1
	REG STATUS, 3
	REG DRVFSEL, 1
	REG DRVF, 1                  # VERSION_1 (bit 32)
	REG DRVFSEL, 0
	REG DRVF, 0
	REG STATUS, 0xb
	testl $8, STATUS(%rbx)
	jz 2f
	ret
1:	EXIT 0x10
2:	EXIT 0x11

# Queue %esi with %ecx entries at DESC/AVAIL/USED, then QueueReady.
setup_q:
	mov %esi, QSEL(%rbx)
	mov %ecx, QNUM(%rbx)
	REG QDESC, DESC
	REG QDESC+4, 0
	REG QDRV, AVAIL
	REG QDRV+4, 0
	REG QDEV, USED
	REG QDEV+4, 0
	REG QREADY, 1
	ret

driver_ok:
	REG STATUS, 0xf
	ret

# Full bring-up of queue %esi with %ecx entries.
bringup:
	call init_dev
	call setup_q
	jmp driver_ok

# The device must end up in DEVICE_NEEDS_RESET (its I/O thread may take a
# moment: poll, bounded).
expect_broken:
	mov $400000, %ecx
1:	testl $0x40, STATUS(%rbx)
	jnz 2f
	pause
	dec %ecx
	jnz 1b
	EXIT 0x12
2:	ret

expect_ok:
	testl $0x40, STATUS(%rbx)
	jnz 1f
	ret
1:	EXIT 0x13

# Wait until used idx reaches %cx.
wait_used:
	mov $400000, %edx
1:	cmpw %cx, USED+2
	je 2f
	pause
	dec %edx
	jnz 1b
	EXIT 0x14
2:	ret

# One valid 16-byte rng request on a fresh rng (bringup done), completed.
rng_valid:
	DESCR 0, BUF, 16, F_WRITE, 0
	movzwl AVAIL+2, %ecx
	movzwl %cx, %eax
	and $7, %eax
	movw $0, AVAIL+4(,%rax,2)
	inc %ecx
	movw %cx, AVAIL+2
	REG QNOTIFY, 0
	call wait_used
	jmp expect_ok

# rng, queue of 8, up and running.
rng_up:
	mov $RNG, %ebx
	xor %esi, %esi
	mov $8, %ecx
	jmp bringup

# Every offset of the window at %rbx (size 0x200, plus 8 past its end so the
# last accesses straddle the boundary) read and written at sizes 1, 2, 4
# and 8, aligned or not, writing all ones; then reset the device and check
# it still comes up and (rng) still works.
sweep:
	xor %r12, %r12
1:	lea (%rbx,%r12), %rdi
	mov $-1, %rax
	movb (%rdi), %al
	movw (%rdi), %ax
	movl (%rdi), %eax
	movq (%rdi), %rax
	mov $-1, %rax
	movb %al, (%rdi)
	movw %ax, (%rdi)
	movl %eax, (%rdi)
	movq %rax, (%rdi)
	inc %r12
	cmp $0x208, %r12
	jb 1b
	REG STATUS, 0
	call init_dev
	ret

# Print the NUL-terminated string at %rsi on COM1.
puts:
1:	movb (%rsi), %al
	test %al, %al
	jz 2f
	PUTC_AL
	inc %rsi
	jmp 1b
2:	ret

uart_sane:                       # 8N1, divisor 1, no loopback, no IRQs
	mov $0x3fb, %dx
	mov $0x80, %al
	outb %al, %dx
	mov $0x3f8, %dx
	mov $1, %al
	outb %al, %dx
	mov $0x3f9, %dx
	xor %al, %al
	outb %al, %dx
	mov $0x3fb, %dx
	mov $3, %al
	outb %al, %dx
	mov $0x3f9, %dx
	xor %al, %al
	outb %al, %dx
	mov $0x3fc, %dx
	outb %al, %dx
	ret

# ---- the case --------------------------------------------------------------

case_body:
.if CASE == 1	# desc_self_loop: descriptor 0 chains to itself
	call rng_up
	DESCR 0, BUF, 16, F_WRITE|F_NEXT, 0
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 2	# chain_longer_than_queue: 0->1->...->7->0 in a table of 8
	call rng_up
	DESCR 0, BUF, 16, F_WRITE|F_NEXT, 1
	DESCR 1, BUF, 16, F_WRITE|F_NEXT, 2
	DESCR 2, BUF, 16, F_WRITE|F_NEXT, 3
	DESCR 3, BUF, 16, F_WRITE|F_NEXT, 4
	DESCR 4, BUF, 16, F_WRITE|F_NEXT, 5
	DESCR 5, BUF, 16, F_WRITE|F_NEXT, 6
	DESCR 6, BUF, 16, F_WRITE|F_NEXT, 7
	DESCR 7, BUF, 16, F_WRITE|F_NEXT, 0
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 3	# buf_outside_ram: 256 MiB, RAM ends at 128 MiB
	call rng_up
	DESCR 0, 0x10000000, 64, F_WRITE, 0
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 4	# buf_straddles_ram_end
	call rng_up
	DESCR 0, RAM_END-0x1000, 0x2000, F_WRITE, 0
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 5	# buf_in_own_mmio: rng fills its own register window
	call rng_up
	DESCR 0, RNG, 0x200, F_WRITE, 0
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 6	# blk_buf_in_own_mmio: blk reads a sector into its own window
	mov $BLK, %ebx
	xor %esi, %esi
	mov $8, %ecx
	call bringup
	movl $0, BUF                 # VIRTIO_BLK_T_IN, sector 0
	movq $0, BUF+8
	DESCR 0, BUF, 16, F_NEXT, 1
	DESCR 1, BLK, 512, F_WRITE|F_NEXT, 2
	DESCR 2, BUF+0x100, 1, F_WRITE, 0
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 7	# len_overflow: 40 x 112 MiB writable buffers > 4 GiB total
	mov $RNG, %ebx
	xor %esi, %esi
	mov $64, %ecx
	call bringup
	mov $DESC, %edi
	xor %ecx, %ecx
1:	movq $0, (%rdi)
	movl $0x7000000, 8(%rdi)
	movw $F_WRITE|F_NEXT, 12(%rdi)
	lea 1(%ecx), %eax
	movw %ax, 14(%rdi)
	add $16, %edi
	inc %ecx
	cmp $40, %ecx
	jb 1b
	movw $F_WRITE, DESC+16*39+12
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 8	# avail_idx_jump: avail idx 0x8000 ahead on a queue of 8
	call rng_up
	DESCR 0, BUF, 16, F_WRITE, 0
	SUBMIT 0, 0, 0x8000
	jmp expect_broken
.elseif CASE == 9	# head_out_of_range: avail ring names descriptor 200 of 8
	call rng_up
	SUBMIT 0, 200, 1
	jmp expect_broken
.elseif CASE == 10	# next_out_of_range
	call rng_up
	DESCR 0, BUF, 16, F_WRITE|F_NEXT, 100
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 11	# qnum_not_pow2
	mov $RNG, %ebx
	call init_dev
	REG QSEL, 0
	REG QNUM, 3
	jmp expect_broken
.elseif CASE == 12	# qnum_above_max (rng's max is 256)
	mov $RNG, %ebx
	call init_dev
	REG QSEL, 0
	REG QNUM, 0x10000
	jmp expect_broken
.elseif CASE == 13	# qnum_zero
	mov $RNG, %ebx
	call init_dev
	REG QSEL, 0
	REG QNUM, 0
	jmp expect_broken
.elseif CASE == 14	# ring_misaligned: descriptor table at DESC+1
	mov $RNG, %ebx
	call init_dev
	REG QSEL, 0
	REG QNUM, 8
	REG QDESC, DESC+1
	REG QDRV, AVAIL
	REG QDEV, USED
	REG QREADY, 1
	jmp expect_broken
.elseif CASE == 15	# ring_outside_ram: used ring at 4 GiB + 64 KiB (high half set)
	mov $RNG, %ebx
	call init_dev
	REG QSEL, 0
	REG QNUM, 8
	REG QDESC, DESC
	REG QDRV, AVAIL
	REG QDEV, 0x10000
	REG QDEV+4, 1
	REG QREADY, 1
	jmp expect_broken
.elseif CASE == 16	# ring_in_mmio: avail ring inside the rng's own window
	mov $RNG, %ebx
	call init_dev
	REG QSEL, 0
	REG QNUM, 8
	REG QDESC, DESC
	REG QDRV, RNG
	REG QDEV, USED
	REG QREADY, 1
	jmp expect_broken
.elseif CASE == 17	# notify_before_driver_ok: ignored (or, racing DRIVER_OK, honoured); device works
	mov $RNG, %ebx
	call init_dev
	xor %esi, %esi
	mov $8, %ecx
	call setup_q
	DESCR 0, BUF, 16, F_WRITE, 0
	SUBMIT 0, 0, 1
	call expect_ok
	# With an ioeventfd the kick reaches the I/O thread, which checks
	# DRIVER_OK when it runs: by then the write below may have landed and
	# the early kick be honoured. Either way the device must not break.
	call driver_ok
	REG QNOTIFY, 0
	mov $1, %ecx
	call wait_used
	jmp expect_ok
.elseif CASE == 18	# features_not_offered: FEATURES_OK refused, DRIVER_OK breaks
	mov $RNG, %ebx
	REG STATUS, 0
	REG STATUS, 1
	REG STATUS, 3
	REG DRVFSEL, 1
	REG DRVF, 0xffffffff
	REG DRVFSEL, 0
	REG DRVF, 0xffffffff
	REG STATUS, 0xb
	testl $8, STATUS(%rbx)
	jnz 1f
	REG STATUS, 0xf
	jmp expect_broken
1:	EXIT 0x17
.elseif CASE == 19	# queue_setup_after_driver_ok
	call rng_up
	REG QNUM, 4
	jmp expect_broken
.elseif CASE == 20	# status_bits_cleared: DRIVER_OK, then 0x3
	call rng_up
	REG STATUS, 3
	jmp expect_broken
.elseif CASE == 21	# features_ok_skipped: ACK, DRIVER, DRIVER_OK
	mov $RNG, %ebx
	REG STATUS, 0
	REG STATUS, 1
	REG STATUS, 3
	REG STATUS, 7
	jmp expect_broken
.elseif CASE == 22	# sweep_blk
	mov $BLK, %ebx
	jmp sweep
.elseif CASE == 23	# sweep_net
	mov $NET, %ebx
	jmp sweep
.elseif CASE == 24	# sweep_console
	mov $CONS, %ebx
	jmp sweep
.elseif CASE == 25	# sweep_rng, then a valid request must still complete
	mov $RNG, %ebx
	call sweep
	xor %esi, %esi
	mov $8, %ecx
	call setup_q
	call driver_ok
	jmp rng_valid
.elseif CASE == 26	# uart_sweep: ports 0x3f8-0x3ff, sizes 1/2/4, DLAB both ways
	xor %r12d, %r12d
1:	lea 0x3f8(%r12d), %edx
	inb %dx, %al
	inw %dx, %ax
	inl %dx, %eax
	mov $0xffffffff, %eax
	outb %al, %dx
	outw %ax, %dx
	outl %eax, %dx
	xor %eax, %eax
	outb %al, %dx
	outw %ax, %dx
	outl %eax, %dx
	inc %r12d
	cmp $8, %r12d
	jb 1b
	call uart_sane
	lea msg(%rip), %rsi
	jmp puts
.elseif CASE == 27	# uart_divisor_zero: DLL = DLM = 0, then print
	mov $0x3fb, %dx
	mov $0x80, %al
	outb %al, %dx
	xor %al, %al
	mov $0x3f8, %dx
	outb %al, %dx
	mov $0x3f9, %dx
	outb %al, %dx
	mov $0x3fb, %dx
	mov $3, %al
	outb %al, %dx
	lea msg(%rip), %rsi
	jmp puts
.elseif CASE == 28	# unmapped_flood: 100k MMIO and 100k port accesses to nothing
	mov $HOLE, %ebx
	mov $50000, %ecx
1:	movl %ecx, (%rbx)
	movl (%rbx), %eax
	mov $0x2a0, %dx
	outb %al, %dx
	inb %dx, %al
	dec %ecx
	jnz 1b
	ret
.elseif CASE == 29	# used_never_consumed: 200k requests, used ring never read
	mov $RNG, %ebx
	xor %esi, %esi
	mov $256, %ecx
	call bringup
	xor %ecx, %ecx
1:	mov %ecx, %eax
	and $255, %eax
	mov %rax, %rdi
	shl $4, %rdi
	movq $BUF, DESC(%rdi)
	movl $4096, DESC+8(%rdi)
	movw $F_WRITE, DESC+12(%rdi)
	movw %ax, AVAIL+4(,%rax,2)
	lea 1(%ecx), %eax
	movw %ax, AVAIL+2
	REG QNOTIFY, 0
	inc %ecx
	# Stay within the ring (§2.7.13: no more than the queue size in
	# flight) by watching only the used *index*: no used element is ever
	# read and no interrupt acknowledged, so InterruptStatus stays set.
2:	mov %ecx, %eax
	sub USED+2, %ax
	cmp $128, %ax
	jb 3f
	testl $0x40, STATUS(%rbx)    # broken: the index would never move
	jnz 4f
	pause
	jmp 2b
3:	cmp $200000, %ecx
	jb 1b
	jmp expect_ok
4:	EXIT 0x13
.elseif CASE == 30	# rng_huge: one 1 GiB buffer (needs --mem 1536M): bounded fill
	call rng_up
	DESCR 0, 0x10000000, 0x40000000, F_WRITE, 0
	SUBMIT 0, 0, 1
	mov $1, %ecx
	call wait_used
	call expect_ok
	mov USED+8, %eax             # used elem 0 len
	test %eax, %eax
	jz 1f
	cmp $0x100000, %eax          # at most 1 MiB (max-request is 64 KiB)
	ja 1f
	ret
1:	EXIT 0x15
.elseif CASE == 31	# blk_sector_beyond_disk: IOERR in the status byte, device fine
	mov $BLK, %ebx
	xor %esi, %esi
	mov $8, %ecx
	call bringup
	movl $0, BUF
	movq $0x7fffffffffffff00, %rax
	mov %rax, BUF+8
	movb $0xee, BUF+0x300
	DESCR 0, BUF, 16, F_NEXT, 1
	DESCR 1, BUF+0x1000, 512, F_WRITE|F_NEXT, 2
	DESCR 2, BUF+0x300, 1, F_WRITE, 0
	SUBMIT 0, 0, 1
	mov $1, %ecx
	call wait_used
	call expect_ok
	cmpb $1, BUF+0x300           # VIRTIO_BLK_S_IOERR
	jne 1f
	ret
1:	EXIT 0x16
.elseif CASE == 32	# net_tx_loop: transmit chain that loops (link down)
	mov $NET, %ebx
	mov $1, %esi
	mov $8, %ecx
	call bringup
	DESCR 0, BUF, 64, F_NEXT, 0
	SUBMIT 0, 0, 1, 1
	jmp expect_broken
.elseif CASE == 33	# console_tx_outside_ram
	mov $CONS, %ebx
	mov $1, %esi
	mov $8, %ecx
	call bringup
	DESCR 0, 0x7ffff000, 64, 0, 0
	SUBMIT 0, 0, 1, 1
	jmp expect_broken
.elseif CASE == 34	# indirect_bad: zero-length indirect table, nested indirect
	mov $RNG, %ebx
	xor %esi, %esi
	mov $8, %ecx
	REG STATUS, 0
	REG STATUS, 1
	REG STATUS, 3
	REG DRVFSEL, 1
	REG DRVF, 1
	REG DRVFSEL, 0
	REG DRVF, 0x10000000         # INDIRECT_DESC (bit 28)
	REG STATUS, 0xb
	call setup_q
	call driver_ok
	DESCR 0, ITAB, 0, F_INDIRECT, 0
	SUBMIT 0, 0, 1
	call expect_broken
	# reset and try a nested one: indirect table whose entry is INDIRECT
	REG STATUS, 0
	call clear_rings
	REG STATUS, 1
	REG STATUS, 3
	REG DRVFSEL, 1
	REG DRVF, 1
	REG DRVFSEL, 0
	REG DRVF, 0x10000000
	REG STATUS, 0xb
	xor %esi, %esi
	mov $8, %ecx
	call setup_q
	call driver_ok
	DESCR 0, ITAB, 32, F_INDIRECT, 0
	DESCR 0, ITAB, 16, F_INDIRECT, 0, ITAB
	DESCR 1, BUF, 16, F_WRITE, 0, ITAB
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 35	# absent_queue: QueueSel 99 set up and kicked: ignored, logged
	mov $RNG, %ebx
	call init_dev
	REG QSEL, 99
	cmpl $0, QMAX(%rbx)
	jne 1f
	REG QNUM, 8
	REG QREADY, 1
	xor %esi, %esi
	mov $8, %ecx
	call setup_q
	call driver_ok
	REG QNOTIFY, 99
	call expect_ok
	jmp rng_valid
1:	EXIT 0x18
.elseif CASE == 36	# reset_recovers: break with a loop, Status=0, re-init, works
	call rng_up
	DESCR 0, BUF, 16, F_WRITE|F_NEXT, 0
	SUBMIT 0, 0, 1
	call expect_broken
	REG STATUS, 0
	call clear_rings
	call rng_up
	jmp rng_valid
.elseif CASE == 37	# buf_in_other_device: rng fills blk's register window
	call rng_up
	DESCR 0, BLK, 0x100, F_WRITE, 0
	SUBMIT 0, 0, 1
	jmp expect_broken
.elseif CASE == 38	# interrupt_ack_and_config_garbage: odd config accesses on blk
	mov $BLK, %ebx
	xor %esi, %esi
	mov $8, %ecx
	call bringup
	movl $0xffffffff, 0x64(%rbx)  # InterruptACK of every bit
	movq $-1, %rax
	movq %rax, 0x100(%rbx)        # 8-byte config write: not allowed
	movq 0x100(%rbx), %rax
	movl %eax, 0x1fe(%rbx)        # past config_size, straddling the end
	movw 0x103(%rbx), %ax         # misaligned config read
	call expect_ok
	jmp 2f
2:	ret
.else
	.error "unknown CASE"
.endif

msg:	.asciz "hostile: uart still talks\n"
