# uart_regs: pokes the 16550A's registers the way a driver's probe does and
# checks the answers. Prints "uart ok" and exits 0, or exits with the code of
# the first check that failed:
#   0x61 scratch register did not keep its value
#   0x62 divisor latch did not read back (DLAB=1; a zero divisor is legal)
#   0x63 LSR after reset is not THRE|TEMT
#   0x64 loopback: LSR.DR not set after writing THR
#   0x65 loopback: RBR did not return the byte written
#   0x66 IIR does not show FIFOs enabled after FCR=0x07
#   0x67 loopback: MSR does not mirror MCR's outputs
	.include "guest.inc"
	.set THR, 0x3f8
	.set IER, 0x3f9
	.set IIR, 0x3fa
	.set LCR, 0x3fb
	.set MCR, 0x3fc
	.set LSR, 0x3fd
	.set MSR, 0x3fe
	.set SCR, 0x3ff
.macro PORT_WR port, val
	mov $\port, %dx
	mov $\val, %al
	outb %al, %dx
.endm
.macro PORT_EXPECT port, mask, val, code
	mov $\port, %dx
	inb %dx, %al
	and $\mask, %al
	cmp $\val, %al
	jne fail_\code
.endm
	.code64
	.globl _start
_start:
	PARK_SECONDARIES %rdi
	PORT_WR SCR, 0x5a
	PORT_EXPECT SCR, 0xff, 0x5a, 0x61
	PORT_WR LCR, 0x83            # DLAB=1, 8N1
	PORT_WR THR, 0x00            # DLL = 0: a zero divisor must not hurt
	PORT_WR IER, 0x00            # DLM = 0
	PORT_EXPECT THR, 0xff, 0x00, 0x62
	PORT_WR THR, 0x01            # 115200 baud
	PORT_EXPECT THR, 0xff, 0x01, 0x62
	PORT_WR LCR, 0x03            # DLAB=0
	PORT_EXPECT LSR, 0x60, 0x60, 0x63
	PORT_WR MCR, 0x1b            # LOOP | OUT2 | RTS | DTR
	PORT_EXPECT MSR, 0xb0, 0xb0, 0x67   # DCD(OUT2) CTS(RTS) DSR(DTR)
	mov $LSR, %dx             # drain console input that came before loopback
1:	inb %dx, %al
	test $0x01, %al
	jz 2f
	mov $THR, %dx
	inb %dx, %al
	mov $LSR, %dx
	jmp 1b
2:
	PORT_WR THR, 'Z'             # looped back, must not reach the console
	PORT_EXPECT LSR, 0x01, 0x01, 0x64
	PORT_EXPECT THR, 0xff, 'Z', 0x65
	PORT_WR MCR, 0x03
	PORT_WR IIR, 0x07            # FCR: enable and clear FIFOs
	PORT_EXPECT IIR, 0xc0, 0xc0, 0x66
	mov $THR, %dx             # odd sizes: must not crash the VMM
	mov $0x0a4b4f, %eax
	outw %ax, %dx
	outl %eax, %dx
	PUTS64 msg
	EXIT 0
fail_0x61: EXIT 0x61
fail_0x62: EXIT 0x62
fail_0x63: EXIT 0x63
fail_0x64: EXIT 0x64
fail_0x65: EXIT 0x65
fail_0x66: EXIT 0x66
fail_0x67: EXIT 0x67
msg:	.asciz "uart ok\n"
