#!/usr/bin/env python3
"""Regenerate the binary seed inputs in tests/fuzz/corpus/ (the text seeds
for vibegen and scalar are plain files, edited by hand). Each seed is a
small, valid-looking example of its target's input format (see the comment
at the top of tests/fuzz/fuzz_<target>.c), so the fuzzer starts from the
interesting paths instead of having to guess magic numbers.
    tests/fuzz/seeds.py        (run from anywhere; rewrites the files)"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def image(size, writes):
    b = bytearray(size)
    for off, data in writes:
        b[off:off + len(data)] = data
    # trim trailing zeros: the harness zero-fills the rest of RAM
    return bytes(b).rstrip(b'\0')


def desc(addr, length, flags=0, nxt=0):
    return struct.pack('<QIHH', addr, length, flags, nxt)


NEXT, WRITE, INDIRECT = 1, 2, 4

# ---- virtqueue: header (u16 size, u8 feat, u16 desc/avail/used, u8 iov_max,
# u8 nops), ops (6 bytes), RAM image at GPA 0.
def vq(size_log2, feat, ops, writes, iov_max=8, raw_size=None):
    size = raw_size if raw_size is not None else size_log2
    hdr = struct.pack('<HBHHHBB', size, feat, 0x0, 0x800, 0x1000, iov_max, len(ops))
    return hdr + b''.join(ops) + image(0x4000, writes)


def avail(*heads):
    return struct.pack('<HH', 0, len(heads)) + b''.join(struct.pack('<H', h) for h in heads)


def op(kind, a=0, b=0, c=0):
    return struct.pack('<BHHB', kind, a, b, c)


put('virtqueue', 'two_chains', vq(4, 0, [], [
    (0x0, desc(0x2000, 64, NEXT, 1) + desc(0x2100, 128, WRITE) + desc(0x3000, 16)),
    (0x800, avail(0, 2))]))
put('virtqueue', 'indirect', vq(4, 1, [], [
    (0x0, desc(0x2800, 48, INDIRECT)),
    (0x2800, desc(0x2000, 8, NEXT, 1) + desc(0x2100, 8, NEXT, 2) + desc(0x2200, 32, WRITE)),
    (0x800, avail(0))]))
put('virtqueue', 'loop', vq(2, 0, [], [
    (0x0, desc(0x2000, 8, NEXT, 1) + desc(0x2100, 8, NEXT, 0)), (0x800, avail(0))]))
put('virtqueue', 'bad_buffers', vq(3, 0, [], [
    (0x0, desc(0x5ff0, 0x20) + desc(0x4000, 1) + desc(0xfffffffffffff000, 0x1000)
     + desc(0xfffffffffffff800, 0x1000) + desc(0x6000, 0xffffffff, WRITE)),
    (0x800, avail(0, 1, 2, 3, 4))]))
put('virtqueue', 'event_idx_ops', vq(3, 3, [
    op(0), op(2, 0x802, 3), op(0), op(1, 0, 100), op(3, 1), op(0), op(1, 0, 4),
    op(4, 5, 0), op(3, 0), op(5), op(0)], [
    (0x0, desc(0x2000, 64, NEXT, 1) + desc(0x2100, 128, WRITE) + desc(0x3000, 16, WRITE)),
    (0x800, avail(0, 2))]))
put('virtqueue', 'racing_indirect', vq(4, 5, [op(0), op(1), op(0), op(1), op(0)], [
    (0x0, desc(0x2800, 48, INDIRECT) + desc(0x2000, 64, NEXT, 2) + desc(0x2100, 128, WRITE)),
    (0x2800, desc(0x2000, 8, NEXT, 1) + desc(0x2100, 8, NEXT, 2) + desc(0x2200, 32, WRITE)),
    (0x800, avail(0, 1, 0))]))
put('virtqueue', 'not_pow2', vq(0, 0, [], [(0x800, avail(0))], raw_size=0x8000 | 12))
put('virtqueue', 'avail_jump', vq(2, 0, [], [(0x800, struct.pack('<HH', 0, 0x9000))]))

# ---- virtio_mmio: ops (u8 kind, u16 off, u8 size sel, u32 val), 0xff, RAM.
def mop(kind, off=0, sizesel=0, val=0):
    return struct.pack('<BHBI', kind, off, sizesel, val)


ring = [(0x0, desc(0x2000, 64, NEXT, 1) + desc(0x2100, 128, WRITE)), (0x800, avail(0))]
put('virtio_mmio', 'handshake_notify', b''.join([
    mop(5, val=0x40), mop(0, 0x50, 0, 0), mop(3, 0x60), mop(0, 0x64, 0, 1),
    mop(3, 0x70), mop(0, 0x70, 0, 0)]) + b'\xff' + image(0x4000, ring))
put('virtio_mmio', 'config_sizes', b''.join(
    mop(3, 0x100 + off, sel) for off in range(8) for sel in (3, 4, 0, 5)) + b'\xff')
put('virtio_mmio', 'state_violations', b''.join([
    mop(0, 0x70, 0, 4), mop(0, 0x50, 0, 0), mop(0, 0x70, 0, 3), mop(0, 0x24, 0, 1),
    mop(0, 0x20, 0, 0xffffffff), mop(0, 0x70, 0, 0xb), mop(0, 0x38, 0, 3),
    mop(0, 0x44, 0, 1), mop(5, val=0x26), mop(0, 0x38, 0, 8), mop(0, 0x80, 0, 0x4000),
    mop(0, 0x50, 0, 1), mop(0, 0x50, 0, 7), mop(0, 0x52, 1, 0), mop(3, 0x0, 5),
    mop(0, 0x70, 0, 0), mop(6)]) + b'\xff' + image(0x4000, ring))
put('virtio_mmio', 'broken_ring', b''.join([mop(5, val=0x10), mop(0, 0x50, 0, 0), mop(3, 0x70),
    mop(0, 0x44, 0, 0), mop(0, 0x70, 0, 0)]) + b'\xff' + image(0x4000, [
    (0x0, desc(0x2000, 8, NEXT, 0)), (0x800, avail(0))]))

# ---- arm64: u32 insn, u64 esr, fault_ipa, sctlr, tcr, ttbr0, ttbr1,
# pstate, pc, sp, u8 flags, u8 bufsz, 31 x u64, RAM image at 0x4000_0000.
def esr_dabt(isv=0, sas=0, srt=0, sf=0, wnr=0, dfsc=0x07, sse=0):
    return (0x24 << 26 | 1 << 25 | isv << 24 | sas << 22 | sse << 21 | srt << 16
            | sf << 15 | wnr << 6 | dfsc)


def a64(insn, esr, ipa=0x09000000, flags=3, sctlr=0, tcr=0, ttbr0=0, pc=0x40000000,
        pstate=0x3c5, regs=None, mem=b'', bufsz=40):
    regs = regs or [0x1111 * (i + 1) for i in range(31)]
    return (struct.pack('<IQQQQQQQQQBB', insn, esr, ipa, sctlr, tcr, ttbr0, 0, pstate, pc,
                        0x40008000, flags, bufsz)
            + struct.pack('<31Q', *regs) + mem)


put('arm64', 'isv_str_w1', a64(0, esr_dabt(isv=1, sas=2, srt=1, wnr=1), flags=0))
put('arm64', 'isv_ldrsh_x3', a64(0, esr_dabt(isv=1, sas=1, srt=3, sf=1, sse=1), flags=0))
put('arm64', 'str_x1_pre_index', a64(0xF8008C41, esr_dabt(wnr=1)))
put('arm64', 'ldp_x3_x4', a64(0xA94010A3, esr_dabt()))
put('arm64', 'ldrsh_w0', a64(0x79C00020, esr_dabt()))
put('arm64', 'stp_w_post', a64(0x28810C22, esr_dabt(wnr=1)))
put('arm64', 'ldr_reg_sxtw', a64(0xB8A2C820, esr_dabt()))
put('arm64', 'simd_ldr_refused', a64(0x3DC00020, esr_dabt()))
# MMU on: T0SZ 25 (walk starts at level 1), 4K granule, IPS 48 bits; level-1
# table at IPA 0x4000_1000 maps VA 0 -> IPA 0x4000_0000 and VA 1 GiB -> 0.
tbl = struct.pack('<QQ', 0x40000000 | 0x401, 0x0 | 0x401)
mem = bytearray(0x1010)
mem[0x100:0x104] = struct.pack('<I', 0xF8008C41)
mem[0x1000:0x1010] = tbl
regs = [0] * 31
regs[2] = 0x49000000 - 8
put('arm64', 'mmu_on_str_pre', a64(0xF8008C41, esr_dabt(wnr=1), flags=0, sctlr=1,
                                   tcr=25 | 5 << 32, ttbr0=0x40001000, pc=0x100,
                                   regs=regs, mem=bytes(mem)))
for name, e in (('esr_sysreg', 0x62000000 | 0x3 << 20 | 1), ('esr_hvc', 0x5a000000 | 0x1234),
                ('esr_wfi', 0x04000000), ('esr_brk', 0xf2000000 | 0x800),
                ('esr_iabt', 0x82000007), ('esr_nisv_cm', esr_dabt() | 1 << 8)):
    put('arm64', name, a64(0, e, flags=0, bufsz=17))

# ---- kernel: u8 error-buffer size, then the image.
def bzimage(version=0x20f, reloc=1, xlf=1, pref=0x1000000, init=0x2000, setup_sects=1,
            pm=512, hdr_len=0x6a):
    img = bytearray((setup_sects + 1) * 512 + pm)
    struct.pack_into('<B', img, 0x1f1, setup_sects)
    struct.pack_into('<I', img, 0x1f4, pm // 16)           # syssize
    struct.pack_into('<H', img, 0x1fe, 0xaa55)             # boot_flag
    img[0x200] = 0xeb
    img[0x201] = hdr_len                                   # header ends at 0x202 + this
    img[0x202:0x206] = b'HdrS'
    struct.pack_into('<H', img, 0x206, version)
    struct.pack_into('<I', img, 0x22c, 0x37ffffff)         # initrd_addr_max
    struct.pack_into('<I', img, 0x230, 0x200000)           # kernel_alignment
    img[0x234] = reloc
    struct.pack_into('<H', img, 0x236, xlf)                # xloadflags
    struct.pack_into('<I', img, 0x238, 2047)               # cmdline_size
    struct.pack_into('<Q', img, 0x258, pref)
    struct.pack_into('<I', img, 0x260, init)
    return bytes(img)


def elf(paddr=0x100000, filesz=0x40, memsz=0x1000, entry=None, nph=1):
    eh = bytearray(64)
    eh[0:4] = b'\x7fELF'
    eh[4], eh[5], eh[6] = 2, 1, 1
    struct.pack_into('<HHIQQQIHHHHHH', eh, 16, 2, 62, 1, entry or paddr, 64, 0, 0, 64, 56,
                     nph, 0, 0, 0)
    ph = struct.pack('<IIQQQQQQ', 1, 5, 0x100, paddr | 0xffffffff80000000, paddr,
                     filesz, memsz, 0x1000) * nph
    body = bytearray(0x100 + filesz)
    body[:64] = eh
    body[64:64 + len(ph)] = ph
    return bytes(body)


put('kernel', 'bzimage_reloc', b'\x80' + bzimage())
put('kernel', 'bzimage_legacy', b'\x80' + bzimage(reloc=0, pref=0))
put('kernel', 'bzimage_old_proto', b'\x20' + bzimage(version=0x20b, xlf=0))
put('kernel', 'bzimage_too_big', b'\x10' + bzimage(init=0x100000))
put('kernel', 'bzimage_truncated', b'\x01' + bzimage()[:0x300])
put('kernel', 'elf_vmlinux', b'\x80' + elf())
put('kernel', 'elf_virtual_entry', b'\x80' + elf(entry=0xffffffff81000000 + 0x100000))
put('kernel', 'elf_outside_ram', b'\x08' + elf(paddr=0x4000000))

# ---- uart: u8 flags (bit 0: u8 n + n restore bytes), then 4-byte ops:
# u8 kind (0/1 write, 2 read, 3 console input, 4 snapshot/reset),
# u8 offset, u8 size selector (0-3: 1 byte), u8 value.
def u(kind, off=0, val=0, sizesel=0):
    return bytes([kind, off, sizesel, val])


linux_init = [u(0, 3, 0x80), u(0, 0, 1), u(0, 1, 0), u(0, 3, 3), u(0, 2, 0xc7), u(0, 4, 0x0b),
              u(0, 1, 0x0f), u(2, 2), u(2, 5), u(0, 0, 0x41), u(2, 2), u(2, 2)]
put('uart', 'linux_init_tx', b'\0' + b''.join(linux_init))
put('uart', 'rx_fifo', b'\0' + b''.join(linux_init) + u(3, 0, 20) + b'hello, world, again!'
    + b''.join([u(2, 2), u(2, 0), u(2, 5)] * 6) + u(4, 0, 0) + u(2, 2))
put('uart', 'loopback_msr', b'\0' + b''.join([u(0, 4, 0x1f), u(2, 6), u(0, 0, 0x55), u(2, 0),
    u(2, 5), u(0, 4, 0x00), u(2, 6), u(4, 0, 1), u(2, 2)]))
put('uart', 'odd_sizes', b'\0' + b''.join([u(0x80, 8, 1, 5), u(2, 7, 0, 4), u(0, 1, 0xff, 6),
    u(0x82, 0xff, 0, 7), u(0, 3, 0x80), u(0, 0, 0), u(0, 1, 0), u(0, 3, 3), u(2, 2)]))
put('uart', 'restore_garbage', b'\1\x20' + bytes(range(0x20)) + b''.join(linux_init))
