/*
 * Raw aarch64 guest for the nested integration test (tests/arm64nested,
 * check raw_guest): the smallest guest that exercises vibevmm's exit paths
 * with a valid syndrome (ISV = 1) and PSCI.
 *   vibevmm --binary nested_raw.bin --entry 0x40080000
 * Expected: "raw guest: uart ok" on stdout, vibevmm's boot-timer line, exit
 * status 0 through PSCI SYSTEM_OFF. A failed check writes its number to
 * debug-exit (status 1..2), so the status says which one.
 *   PL011 output   STRB/STR to DR
 *   MMIO write     STR of 123 to boot-timer (vibevmm prints the time)
 *   MMIO read      LDR of virtio-rng's MagicValue ("virt"; rng0's address
 *                  is the one vibegen --map gives for machines/virt-arm64.yaml)
 *   PSCI           SYSTEM_OFF through HVC #0
 */
	.equ	UART,	0x09000000
	.equ	DBGEXIT, 0x09021000
	.equ	TIMER,	0x0a000000
	.equ	RNG,	0x0a001600

	.text
	.global	_start
_start:
	ldr	x4, =TIMER
	mov	w5, #123
	str	w5, [x4]

	ldr	x4, =RNG
	ldr	w5, [x4]
	ldr	w7, =0x74726976
	mov	w0, #1
	cmp	w5, w7
	b.ne	fail

	adr	x2, ok
	bl	puts
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	hvc	#0
	mov	w0, #2			/* SYSTEM_OFF returned */
	.include "guest.inc"	/* fail:, puts: */

ok:	.asciz	"raw guest: uart ok\n"
	.balign	8
	.ltorg
