/*
 * Raw aarch64 guest for the nested integration test (tests/arm64nested,
 * check abort_inject): an MMIO access vibevmm cannot decode must come back
 * to the guest as a synchronous external abort, never end or crash the VMM.
 * A post-indexed SIMD load from the PL011 has no syndrome (ISV = 0) and no
 * emulation (runtime/arch/arm64/insn.c refuses SIMD/FP registers), so
 * vibevmm injects the abort (KVM_SET_VCPU_EVENTS); the vector at
 * VBAR_EL1 + 0x200 (current EL, SP_ELx, synchronous) reads ESR_EL1.EC and
 * returns past the load.
 * Expected: "abort injected ok", exit status 0 (PSCI SYSTEM_OFF); else
 * debug-exit with 0x80 | the EC seen (0x80: no exception at all), 0x7f if
 * the refused load still wrote its base register back, 0x7e if
 * SYSTEM_OFF returned.
 */
	.equ	UART,	0x09000000
	.equ	DBGEXIT, 0x09021000

	.text
	.global	_start
_start:
	adr	x9, vectors
	msr	vbar_el1, x9
	mov	x9, #(3 << 20)		/* CPACR_EL1.FPEN: SIMD allowed at EL1 */
	msr	cpacr_el1, x9
	isb
	ldr	x4, =UART
	mov	x11, x4
	mov	w10, #0			/* the vector sets it to the EC */
	ldr	q0, [x4], #16
	orr	w0, w10, #0x80
	cmp	w10, #0x25		/* data abort, same EL */
	b.ne	fail
	mov	w0, #0x7f
	cmp	x4, x11
	b.ne	fail

	adr	x2, ok
	bl	puts
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	hvc	#0
	mov	w0, #0x7e
	.include "guest.inc"	/* fail:, puts: */

ok:	.asciz	"abort injected ok\n"
	.balign	8
	.ltorg

/* Exception vectors: 16 entries of 0x80, the table 2 KiB aligned. */
	.balign	2048
vectors:
	.skip	0x200
	mrs	x9, esr_el1
	ubfx	x10, x9, #26, #6	/* EC */
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret
