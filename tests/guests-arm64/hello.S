/*
 * Raw aarch64 test guest for machines/virt-arm64.yaml (build/arm64/vibevmm):
 *   vibevmm --binary build/tests/guests-arm64/hello.bin --entry 0x40080000
 * Entry state (docs/internals/arm64.md): EL1h, DAIF masked, MMU off, all
 * x registers 0. Expected: stdout "hello from arm64\nISV=0 ok\n", exit
 * status 0 through PSCI SYSTEM_OFF; a failed check writes its number to
 * debug-exit (status 1..4).
 *   1. PL011 output: STR to DR (data abort with a valid syndrome, ISV=1)
 *   2. boot-timer: STR of 123 (an MMIO write)
 *   3. virtio-rng (0x0a001600): LDP of MagicValue/Version  (ISV=0 read)
 *   4. STP to Status/0x74, then LDR Status back             (ISV=0 write)
 *   5. LDR q0 (SIMD) from the PL011: ISV=0 and not decodable, so vibevmm
 *      injects a synchronous external abort; the guest's vector at
 *      VBAR_EL1 + 0x200 sees ESR_EL1.EC = 0x25 and skips the load
 *      (prints "abort injected ok", else status 0x80 | the EC it saw)
 *   6. PSCI SYSTEM_OFF through HVC #0
 */
	.equ	UART,	0x09000000
	.equ	DBGEXIT, 0x09021000
	.equ	TIMER,	0x0a000000
	.equ	RNG,	0x0a001600

	.text
	.global	_start
_start:
	adr	x2, hello
	bl	puts

	ldr	x4, =TIMER
	mov	w5, #123
	str	w5, [x4]

	ldr	x4, =UART
	mov	w2, #0x1234		/* IBRD keeps 16 bits */
	mov	w3, #0x2a		/* FBRD keeps 6 bits */
	stp	w2, w3, [x4, #0x24]
	ldp	w5, w6, [x4, #0x24]
	mov	w0, #1
	cmp	w5, w2
	b.ne	fail
	mov	w0, #2
	cmp	w6, w3
	b.ne	fail
	adr	x2, isv0
	bl	puts

	adr	x9, vectors
	msr	vbar_el1, x9
	mov	x9, #(3 << 20)		/* CPACR_EL1.FPEN: SIMD allowed at EL1 */
	msr	cpacr_el1, x9
	isb
	mov	w10, #0			/* the abort handler sets it */
	ldr	q0, [x4]
	orr	w0, w10, #0x80		/* status 0x80 | EC seen (0x80: none) */
	cmp	w10, #0x25
	b.ne	fail
	adr	x2, sea_ok
	bl	puts

	ldr	x4, =RNG
	ldp	w5, w6, [x4]		/* MagicValue "virt", Version 2 */
	ldr	w7, =0x74726976
	cmp	w5, w7
	b.ne	no_virtio
	mov	w0, #5
	cmp	w6, #2
	b.ne	fail

	mov	w2, #1			/* Status = ACKNOWLEDGE */
	mov	w3, #0
	stp	w2, w3, [x4, #0x70]
	ldr	w5, [x4, #0x70]
	mov	w0, #6
	cmp	w5, #1
	b.ne	fail
	adr	x2, virtio_ok
	b	off
no_virtio:
	adr	x2, virtio_absent
off:
	bl	puts
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	hvc	#0
	mov	w0, #4			/* SYSTEM_OFF returned: fail */
fail:
	ldr	x1, =DBGEXIT
	str	w0, [x1]
	b	.

/* puts(x2): bytes to the PL011 data register until NUL. */
puts:
	ldr	x1, =UART
1:	ldrb	w3, [x2], #1
	cbz	w3, 2f
	str	w3, [x1]
	b	1b
2:	ret

hello:	.asciz	"hello from arm64\n"
isv0:	.asciz	"ISV=0 ok\n"
virtio_ok:	.asciz	"virtio ISV=0 ok\n"
virtio_absent:	.asciz	"virtio-rng absent\n"
sea_ok:	.asciz	"abort injected ok\n"
	.balign	8
	.ltorg

/* Exception vectors (Arm ARM "Exception vectors": 16 entries of 0x80,
 * table 2 KiB aligned). Only "current EL with SP_ELx, synchronous" is
 * used: note a data abort from EL1 (EC 0x25) and return past the load. */
	.balign	2048
vectors:
	.skip	0x200
	mrs	x9, esr_el1
	ubfx	x10, x9, #26, #6	/* EC */
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret
