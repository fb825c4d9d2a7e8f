/*
 * bzImage and vmlinux ELF64 parsing and loading; see bzimage.h.
 * Section names in comments refer to Documentation/arch/x86/boot.rst.
 * The host is little-endian x86_64 like the image, so header fields are
 * read with memcpy into the uapi struct.
 */
#include "bzimage.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "vibe/guest_mem.h"
#include "errbuf.h"

/* Offsets of the setup header fields checked before it is copied
 * ("THE REAL-MODE KERNEL HEADER"). */
#define HDR_OFF        0x1f1u
#define BOOT_FLAG_OFF  0x1feu
#define JUMP_OFF       0x200u
#define MAGIC_OFF      0x202u
#define VERSION_OFF    0x206u
#define HDRS_MAGIC     0x53726448u /* "HdrS" */
#define BOOT_FLAG      0xaa55u


static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* [off, off+n) inside a buffer of len bytes, without overflow. */
static int in_file(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static int is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

static uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static int parse_bzimage(const uint8_t *img, size_t len, struct vibe_kernel *k,
			 char *err, size_t errsz)
{
	uint64_t hdr_end, setup_sects;

	if (len < VERSION_OFF + 2 || rd32(img + MAGIC_OFF) != HDRS_MAGIC)
		return errbuf(err, errsz, "not a Linux kernel: no ELF magic and no "
			    "bzImage \"HdrS\" signature at 0x202 (%zu bytes)", len);
	if (rd16(img + BOOT_FLAG_OFF) != BOOT_FLAG)
		return errbuf(err, errsz, "bzImage boot_flag at 0x1fe is 0x%04x, not 0xaa55",
			    rd16(img + BOOT_FLAG_OFF));
	k->version = rd16(img + VERSION_OFF);
	/* 2.06 is where cmdline_size appears: below it the limits Linux
	 * accepts are guesses, and every kernel since 2.6.22 has it. */
	if (k->version < 0x206)
		return errbuf(err, errsz, "bzImage boot protocol %u.%02u is too old "
			    "(2.06 or later needed)", k->version >> 8, k->version & 0xff);
	/* "the end of setup header can be calculated as 0x202 + byte value
	 * at offset 0x201": copy only what the image really has. */
	hdr_end = MAGIC_OFF + (uint64_t)img[JUMP_OFF + 1];
	if (hdr_end > len)
		return errbuf(err, errsz, "bzImage truncated inside its setup header "
			    "(header ends at 0x%llx, file is %zu bytes)",
			    (unsigned long long)hdr_end, len);
	memset(&k->hdr, 0, sizeof(k->hdr));
	k->hdr_len = hdr_end - HDR_OFF;
	if (k->hdr_len > sizeof(k->hdr))
		k->hdr_len = sizeof(k->hdr);
	memcpy(&k->hdr, img + HDR_OFF, k->hdr_len);

	/* "If this field is 0, the real value is 4." The setup code is
	 * setup_sects 512-byte sectors after the boot sector. */
	setup_sects = k->hdr.setup_sects ? k->hdr.setup_sects : 4;
	k->pm_offset = (setup_sects + 1) * 512;
	if (k->pm_offset >= len)
		return errbuf(err, errsz, "bzImage truncated: setup_sects=%llu puts the "
			    "kernel at 0x%llx, beyond the file's %zu bytes",
			    (unsigned long long)setup_sects,
			    (unsigned long long)k->pm_offset, len);
	k->pm_size = len - k->pm_offset;
	/* syssize counts 16-byte paragraphs of the protected-mode code. */
	if ((uint64_t)k->hdr.syssize * 16 > k->pm_size)
		return errbuf(err, errsz, "bzImage truncated: kernel is %llu bytes "
			    "(syssize), only %llu present",
			    (unsigned long long)k->hdr.syssize * 16,
			    (unsigned long long)k->pm_size);

	k->relocatable = k->hdr.relocatable_kernel != 0;
	if (k->relocatable && !is_pow2(k->hdr.kernel_alignment))
		return errbuf(err, errsz, "bzImage kernel_alignment 0x%x is not a "
			    "power of two", k->hdr.kernel_alignment);
	/* "64-bit BOOT PROTOCOL": 2.12 added xloadflags; XLF_KERNEL_64 says
	 * the entry at load address + 0x200 exists. */
	k->can_64 = k->version >= 0x20c && (k->hdr.xloadflags & XLF_KERNEL_64);
	k->cmdline_max = k->hdr.cmdline_size;
	/* "If this field is 0 (older kernels), the initrd address max is
	 * 0x37FFFFFF." */
	k->initrd_addr_max = k->hdr.initrd_addr_max ? k->hdr.initrd_addr_max : 0x37ffffff;
	k->kind = VIBE_KERNEL_BZIMAGE;
	return 0;
}

/* Physical address of e_entry: x86_64's vmlinux.lds.S sets ENTRY to
 * phys_startup_64 (already physical), but accept a virtual entry too and
 * translate it through the segment that holds it. */
static int parse_elf(const uint8_t *img, size_t len, struct vibe_kernel *k,
		     char *err, size_t errsz)
{
	Elf64_Ehdr eh;
	uint64_t lo = UINT64_MAX, hi = 0;
	int found_entry = 0, nload = 0;

	if (len < sizeof(eh))
		return errbuf(err, errsz, "ELF kernel truncated: %zu bytes, no full ELF header", len);
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64)
		return errbuf(err, errsz, "ELF kernel is not x86_64 ELF64 little-endian");
	if (eh.e_type != ET_EXEC)
		return errbuf(err, errsz, "ELF kernel is not an executable (e_type %u); "
			    "pass vmlinux, not a module or object", eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
		return errbuf(err, errsz, "ELF kernel has no usable program headers");
	if (!in_file(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len))
		return errbuf(err, errsz, "ELF kernel truncated: program headers at 0x%llx "
			    "lie beyond the file's %zu bytes", (unsigned long long)eh.e_phoff, len);

	k->entry = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (!in_file(ph.p_offset, ph.p_filesz, len))
			return errbuf(err, errsz, "ELF kernel truncated: segment %u needs file "
				    "bytes [0x%llx, +0x%llx), file is %zu bytes", i,
				    (unsigned long long)ph.p_offset,
				    (unsigned long long)ph.p_filesz, len);
		if (ph.p_filesz > ph.p_memsz || ph.p_paddr + ph.p_memsz < ph.p_paddr ||
		    ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			return errbuf(err, errsz, "ELF kernel segment %u has an impossible "
				    "size or address", i);
		nload++;
		if (ph.p_paddr < lo)
			lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > hi)
			hi = ph.p_paddr + ph.p_memsz;
		if (found_entry)
			continue;
		if (eh.e_entry >= ph.p_paddr && eh.e_entry - ph.p_paddr < ph.p_memsz) {
			k->entry = eh.e_entry;
			found_entry = 1;
		} else if (eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
			k->entry = eh.e_entry - ph.p_vaddr + ph.p_paddr;
			found_entry = 1;
		}
	}
	if (!nload)
		return errbuf(err, errsz, "ELF kernel has no PT_LOAD segment");
	if (!found_entry)
		return errbuf(err, errsz, "ELF kernel entry 0x%llx is outside every "
			    "loadable segment", (unsigned long long)eh.e_entry);
	memset(&k->hdr, 0, sizeof(k->hdr));
	k->hdr_len = 0;
	k->version = 0;
	k->can_64 = 1;
	k->relocatable = 0;
	k->cmdline_max = VIBE_KERNEL_ELF_CMDLINE_MAX;
	k->initrd_addr_max = 0x7fffffff; /* what x86_64 bzImages declare */
	k->load_addr = lo;
	k->load_end = hi;
	k->kind = VIBE_KERNEL_ELF;
	return 0;
}

int vibe_kernel_parse(const uint8_t *img, size_t len, struct vibe_kernel *k,
		      char *err, size_t errsz)
{
	memset(k, 0, sizeof(*k));
	if (!img)
		return errbuf(err, errsz, "no kernel image");
	if (len >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0)
		return parse_elf(img, len, k, err, errsz);
	return parse_bzimage(img, len, k, err, errsz);
}

static int load_elf(struct vibe_vm *vm, const uint8_t *img, struct vibe_kernel *k,
		    char *err, size_t errsz)
{
	Elf64_Ehdr eh;

	memcpy(&eh, img, sizeof(eh)); /* bounds checked by parse_elf */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		memcpy(&ph, img + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		/* Below 1 MiB live the zero page, command line, page tables and
		 * ACPI tables (boot_params.h), written after the kernel. */
		if (ph.p_paddr < VIBE_KERNEL_LEGACY_ADDR)
			return errbuf(err, errsz, "ELF kernel segment %u at 0x%llx is below 1 MiB, "
				    "where the boot structures go", i, (unsigned long long)ph.p_paddr);
		dst = guest_ptr(vm, ph.p_paddr, ph.p_memsz);
		if (!dst)
			return errbuf(err, errsz, "ELF kernel segment %u [0x%llx, +0x%llx) is "
				    "outside guest RAM", i, (unsigned long long)ph.p_paddr,
				    (unsigned long long)ph.p_memsz);
		memcpy(dst, img + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	return 0;
}

static int load_bzimage(struct vibe_vm *vm, const uint8_t *img, struct vibe_kernel *k,
			char *err, size_t errsz)
{
	const struct setup_header *h = &k->hdr;
	uint64_t init = k->version >= 0x20a ? h->init_size : 0;
	uint64_t need = init > k->pm_size ? init : k->pm_size;
	uint64_t pref = k->version >= 0x20a ? h->pref_address : 0;
	uint64_t addr, out;

	if (!k->can_64)
		return errbuf(err, errsz, "bzImage (protocol %u.%02u) has no 64-bit entry "
			    "point: 2.12+ with XLF_KERNEL_64 needed", k->version >> 8,
			    k->version & 0xff);
	/* "RELOCATABLE": load at pref_address when possible, which also
	 * spares the decompressor a relocation. */
	if (k->relocatable && pref && !(pref & (h->kernel_alignment - 1)) &&
	    guest_ptr(vm, pref, need))
		addr = pref;
	else if (k->relocatable)
		addr = round_up(VIBE_KERNEL_LEGACY_ADDR, h->kernel_alignment);
	else
		addr = VIBE_KERNEL_LEGACY_ADDR;
	if (guest_write(vm, addr, img + k->pm_offset, k->pm_size) != 0 ||
	    !guest_ptr(vm, addr, need))
		return errbuf(err, errsz, "guest RAM cannot hold the kernel: %llu bytes "
			    "at 0x%llx", (unsigned long long)need, (unsigned long long)addr);
	/* The decompressor writes the kernel at max(load address, the
	 * kernel's LOAD_PHYSICAL_ADDR, which header.S stores as pref_address)
	 * and uses init_size bytes from there. */
	out = addr;
	if (k->relocatable)
		out = round_up(out, h->kernel_alignment);
	if (pref > out)
		out = pref;
	if (init && !guest_ptr(vm, out, init))
		return errbuf(err, errsz, "guest RAM too small for this kernel: it "
			    "decompresses into [0x%llx, 0x%llx)", (unsigned long long)out,
			    (unsigned long long)(out + init));
	k->load_addr = addr;
	k->load_end = addr + need > out + init ? addr + need : out + init;
	/* "64-bit BOOT PROTOCOL": the entry is at load address + 0x200. */
	k->entry = addr + 0x200;
	return 0;
}

int vibe_kernel_load(struct vibe_vm *vm, const uint8_t *img, size_t len,
		     struct vibe_kernel *k, char *err, size_t errsz)
{
	(void)len; /* bounds were checked against it by vibe_kernel_parse */
	if (k->kind == VIBE_KERNEL_ELF)
		return load_elf(vm, img, k, err, errsz);
	if (k->kind == VIBE_KERNEL_BZIMAGE)
		return load_bzimage(vm, img, k, err, errsz);
	return errbuf(err, errsz, "kernel image was not parsed");
}
