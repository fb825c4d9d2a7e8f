/*
 * Raw aarch64 guest for the nested integration test (tests/arm64nested,
 * check isv0_stp): load/store pairs on virtio-mmio registers. A pair access
 * never carries a valid syndrome (ESR ISV = 0), so KVM hands it to vibevmm
 * as KVM_EXIT_ARM_NISV and vibevmm must decode the instruction from guest
 * memory and emulate it (runtime/arch/arm64/emulate.c).
 * Expected: "stp virtio ok", exit status 0 (PSCI SYSTEM_OFF); a failed
 * check writes its number to debug-exit (status 1..5).
 *   1, 2  LDP of MagicValue/Version ("virt", 2): an emulated pair read
 *   3     STP w, w, [x7, #0x70]! : Status = ACKNOWLEDGE (+ 0x74, which
 *         virtio ignores) and the pre-index writeback of x7
 *   4     LDR of Status reads the ACKNOWLEDGE back
 *   5     SYSTEM_OFF returned
 */
	.equ	UART,	0x09000000
	.equ	DBGEXIT, 0x09021000
	.equ	RNG,	0x0a001600	/* rng0 in machines/virt-arm64.yaml */

	.text
	.global	_start
_start:
	ldr	x4, =RNG
	ldp	w5, w6, [x4]
	ldr	w7, =0x74726976
	mov	w0, #1
	cmp	w5, w7
	b.ne	fail
	mov	w0, #2
	cmp	w6, #2
	b.ne	fail

	mov	w2, #1			/* Status = ACKNOWLEDGE */
	mov	w3, #0
	mov	x7, x4
	stp	w2, w3, [x7, #0x70]!
	add	x8, x4, #0x70
	mov	w0, #3
	cmp	x7, x8
	b.ne	fail
	ldr	w5, [x4, #0x70]
	mov	w0, #4
	cmp	w5, #1
	b.ne	fail
	str	wzr, [x4, #0x70]	/* Status = 0: device reset, as found */

	adr	x2, ok
	bl	puts
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	hvc	#0
	mov	w0, #5
	.include "guest.inc"	/* fail:, puts: */

ok:	.asciz	"stp virtio ok\n"
	.balign	8
	.ltorg
