/*
 * bzImage and vmlinux ELF parsing and loading (runtime/arch/x86_64/bzimage.c)
 * on synthetic images built here, hostile ones included, and on the Debian
 * kernel of the Linux test bed when tests/linux/fetch.sh has cached it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_vm.h"
#include "arch/x86_64/bzimage.h"

#define MIB (1024ull * 1024)

struct img { uint8_t *b; size_t len; };

/* A bzImage with `setup_sects` setup sectors and `pm` bytes of
 * protected-mode "kernel" (a byte pattern the load test checks). */
static struct img make_bz(unsigned setup_sects, size_t pm, uint16_t version,
			  uint16_t xlf, int reloc, uint64_t pref, uint32_t init)
{
	struct setup_header h;
	unsigned sects = setup_sects ? setup_sects : 4;
	struct img im;

	im.len = (sects + 1) * 512 + pm;
	im.b = calloc(1, im.len);
	assert_non_null(im.b);
	memset(&h, 0, sizeof(h));
	h.setup_sects = (uint8_t)setup_sects;
	h.syssize = (uint32_t)((pm + 15) / 16);
	h.boot_flag = 0xaa55;
	h.jump = 0x66eb; /* jmp to 0x268: the header is 0x77 bytes long */
	h.header = 0x53726448;
	h.version = version;
	h.loadflags = LOADED_HIGH;
	h.relocatable_kernel = (uint8_t)reloc;
	h.kernel_alignment = 0x200000;
	h.xloadflags = xlf;
	h.cmdline_size = 2047;
	h.initrd_addr_max = 0x7fffffff;
	h.pref_address = pref;
	h.init_size = init;
	memcpy(im.b + 0x1f1, &h, sizeof(h));
	for (size_t i = 0; i < pm; i++)
		im.b[(sects + 1) * 512 + i] = (uint8_t)(i * 7 + 1);
	return im;
}

static struct img good_bz(void)
{
	return make_bz(30, 64 * 1024, 0x20f, XLF_KERNEL_64, 1, 16 * MIB, 256 * 1024);
}

static void test_bzimage_valid_loads_at_pref_address(void **state)
{
	struct img im = good_bz();
	struct vibe_kernel k;
	struct vibe_vm vm = {0};
	char err[256] = "";

	assert_int_equal(vibe_kernel_parse(im.b, im.len, &k, err, sizeof(err)), 0);
	assert_int_equal(k.kind, VIBE_KERNEL_BZIMAGE);
	assert_int_equal(k.version, 0x20f);
	assert_true(k.can_64);
	assert_int_equal(k.pm_offset, 31 * 512);
	assert_int_equal(k.cmdline_max, 2047);
	assert_int_equal(k.hdr_len, 0x268 - 0x1f1);
	fake_vm_add(&vm, 0, 64 * MIB);
	assert_int_equal(vibe_kernel_load(&vm, im.b, im.len, &k, err, sizeof(err)), 0);
	assert_int_equal(k.load_addr, 16 * MIB);
	assert_int_equal(k.entry, 16 * MIB + 0x200);
	assert_true(k.load_end >= 16 * MIB + 256 * 1024);
	assert_memory_equal(guest_ptr(&vm, 16 * MIB, k.pm_size), im.b + k.pm_offset, k.pm_size);
	fake_vm_free(&vm);
	free(im.b);
}

static void test_bzimage_without_pref_address_loads_aligned_above_1m(void **state)
{
	struct img im = make_bz(4, 8192, 0x20f, XLF_KERNEL_64, 1, 0, 16384);
	struct vibe_kernel k;
	struct vibe_vm vm = {0};
	char err[256] = "";

	fake_vm_add(&vm, 0, 8 * MIB);
	assert_int_equal(vibe_kernel_parse(im.b, im.len, &k, err, sizeof(err)), 0);
	assert_int_equal(vibe_kernel_load(&vm, im.b, im.len, &k, err, sizeof(err)), 0);
	assert_int_equal(k.load_addr, 2 * MIB); /* 1 MiB rounded up to kernel_alignment */
	fake_vm_free(&vm);
	free(im.b);
}

static void test_bzimage_ram_too_small_for_decompression_is_an_error(void **state)
{
	struct img im = good_bz();
	struct vibe_kernel k;
	struct vibe_vm vm = {0};
	char err[256] = "";

	fake_vm_add(&vm, 0, 8 * MIB); /* pref_address 16 MiB is beyond RAM */
	assert_int_equal(vibe_kernel_parse(im.b, im.len, &k, err, sizeof(err)), 0);
	assert_int_equal(vibe_kernel_load(&vm, im.b, im.len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too small"));
	fake_vm_free(&vm);
	free(im.b);
}

static void expect_parse_error(struct img im, const char *needle)
{
	struct vibe_kernel k;
	char err[256] = "";

	assert_int_equal(vibe_kernel_parse(im.b, im.len, &k, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_bzimage_truncated_is_an_error(void **state)
{
	struct img im = good_bz();
	size_t full = im.len;

	im.len = full - 100; /* syssize says more than the file has */
	expect_parse_error(im, "truncated");
	im.len = 31 * 512; /* setup code only, no kernel */
	expect_parse_error(im, "truncated");
	im.len = 0x230; /* inside the setup header */
	expect_parse_error(im, "truncated");
	im.len = 0x100;
	expect_parse_error(im, "not a Linux kernel");
	im.len = 0;
	expect_parse_error(im, "not a Linux kernel");
	free(im.b);
}

static void test_bzimage_wrong_magic_is_an_error(void **state)
{
	struct img im = good_bz();

	im.b[0x202] = 'X';
	expect_parse_error(im, "HdrS");
	im.b[0x202] = 'H';
	im.b[0x1fe] = 0;
	expect_parse_error(im, "boot_flag");
	free(im.b);
}

static void test_bzimage_old_protocol_is_refused(void **state)
{
	struct img im = make_bz(4, 4096, 0x205, 0, 1, 0, 0);
	struct img im2 = make_bz(4, 4096, 0x20b, 0, 1, 0, 4096);
	struct img im3 = make_bz(4, 4096, 0x20f, 0 /* no XLF_KERNEL_64 */, 1, 0, 4096);
	struct vibe_kernel k;
	struct vibe_vm vm = {0};
	char err[256] = "";

	expect_parse_error(im, "too old");
	fake_vm_add(&vm, 0, 8 * MIB);
	assert_int_equal(vibe_kernel_parse(im2.b, im2.len, &k, err, sizeof(err)), 0);
	assert_false(k.can_64);
	assert_int_equal(vibe_kernel_load(&vm, im2.b, im2.len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "64-bit"));
	assert_int_equal(vibe_kernel_parse(im3.b, im3.len, &k, err, sizeof(err)), 0);
	assert_int_equal(vibe_kernel_load(&vm, im3.b, im3.len, &k, err, sizeof(err)), -1);
	fake_vm_free(&vm);
	free(im.b); free(im2.b); free(im3.b);
}

static void test_bzimage_huge_setup_sects_is_an_error(void **state)
{
	struct img im = make_bz(4, 4096, 0x20f, XLF_KERNEL_64, 1, 0, 0);

	im.b[0x1f1] = 0xff; /* 255 sectors = 128 KiB of setup in a 7 KiB file */
	expect_parse_error(im, "setup_sects");
	free(im.b);
}

static void test_bzimage_bad_alignment_is_an_error(void **state)
{
	struct img im = good_bz();
	struct setup_header *h = (struct setup_header *)(im.b + 0x1f1);

	h->kernel_alignment = 0x300000;
	expect_parse_error(im, "kernel_alignment");
	free(im.b);
}

/* ---- vmlinux ELF ---------------------------------------------------- */

struct elf_img {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t text[256];
	uint8_t data[64];
};

static struct elf_img make_elf(void)
{
	struct elf_img e;

	memset(&e, 0, sizeof(e));
	memcpy(e.eh.e_ident, ELFMAG, SELFMAG);
	e.eh.e_ident[EI_CLASS] = ELFCLASS64;
	e.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e.eh.e_ident[EI_VERSION] = EV_CURRENT;
	e.eh.e_type = ET_EXEC;
	e.eh.e_machine = EM_X86_64;
	e.eh.e_version = EV_CURRENT;
	e.eh.e_entry = 0x1000000; /* phys_startup_64, as vmlinux.lds.S sets it */
	e.eh.e_phoff = offsetof(struct elf_img, ph);
	e.eh.e_ehsize = sizeof(Elf64_Ehdr);
	e.eh.e_phentsize = sizeof(Elf64_Phdr);
	e.eh.e_phnum = 2;
	e.ph[0].p_type = PT_LOAD;
	e.ph[0].p_offset = offsetof(struct elf_img, text);
	e.ph[0].p_vaddr = 0xffffffff81000000ull;
	e.ph[0].p_paddr = 0x1000000;
	e.ph[0].p_filesz = e.ph[0].p_memsz = sizeof(e.text);
	e.ph[1].p_type = PT_LOAD;
	e.ph[1].p_offset = offsetof(struct elf_img, data);
	e.ph[1].p_vaddr = 0xffffffff81200000ull;
	e.ph[1].p_paddr = 0x1200000;
	e.ph[1].p_filesz = sizeof(e.data);
	e.ph[1].p_memsz = 0x1000; /* .bss beyond the file bytes */
	memset(e.text, 0x90, sizeof(e.text));
	memset(e.data, 0xab, sizeof(e.data));
	return e;
}

static void test_elf_valid_loads_segments_at_physical_addresses(void **state)
{
	struct elf_img e = make_elf();
	struct vibe_kernel k;
	struct vibe_vm vm = {0};
	char err[256] = "";
	uint8_t *bss;

	fake_vm_add(&vm, 0, 32 * MIB);
	memset(guest_ptr(&vm, 0x1200000, 0x1000), 0xee, 0x1000); /* must be zeroed */
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), 0);
	assert_int_equal(k.kind, VIBE_KERNEL_ELF);
	assert_int_equal(vibe_kernel_load(&vm, (uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), 0);
	assert_int_equal(k.entry, 0x1000000);
	assert_int_equal(k.load_addr, 0x1000000);
	assert_int_equal(k.load_end, 0x1201000);
	assert_memory_equal(guest_ptr(&vm, 0x1000000, 256), e.text, 256);
	assert_memory_equal(guest_ptr(&vm, 0x1200000, 64), e.data, 64);
	bss = guest_ptr(&vm, 0x1200000 + 64, 0x1000 - 64);
	for (unsigned i = 0; i < 0x1000 - 64; i++)
		assert_int_equal(bss[i], 0);
	fake_vm_free(&vm);
}

static void test_elf_virtual_entry_is_translated(void **state)
{
	struct elf_img e = make_elf();
	struct vibe_kernel k;
	char err[256] = "";

	e.eh.e_entry = 0xffffffff81000040ull;
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), 0);
	assert_int_equal(k.entry, 0x1000040);
	e.eh.e_entry = 0x5000000;
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entry"));
}

static void test_elf_truncated_is_an_error(void **state)
{
	struct elf_img e = make_elf();
	struct vibe_kernel k;
	char err[256] = "";

	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, offsetof(struct elf_img, data) + 10,
					   &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(Elf64_Ehdr) + 8,
					   &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, 20, &k, err, sizeof(err)), -1);
	e.ph[1].p_offset = UINT64_MAX - 8; /* offset + size wraps */
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), -1);
	e = make_elf();
	e.eh.e_machine = EM_AARCH64;
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), -1);
}

static void test_elf_segment_outside_ram_is_an_error(void **state)
{
	struct elf_img e = make_elf();
	struct vibe_kernel k;
	struct vibe_vm vm = {0};
	char err[256] = "";

	fake_vm_add(&vm, 0, 0x1200000 + 0x800); /* .bss runs past the end */
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), 0);
	assert_int_equal(vibe_kernel_load(&vm, (uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "outside guest RAM"));
	fake_vm_free(&vm);

	/* A segment over the low boot structures is refused too. */
	e.ph[0].p_paddr = 0x7000;
	e.eh.e_entry = 0x7000;
	fake_vm_add(&vm, 0, 32 * MIB);
	assert_int_equal(vibe_kernel_parse((uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), 0);
	assert_int_equal(vibe_kernel_load(&vm, (uint8_t *)&e, sizeof(e), &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "below 1 MiB"));
	fake_vm_free(&vm);
}

/* Random corruption of valid images: parse and load may refuse, never crash
 * (run under `make SAN=1` for the proof that nothing reads out of bounds). */
static void test_corrupted_images_never_crash(void **state)
{
	struct img bz = good_bz();
	struct elf_img e = make_elf();
	struct vibe_vm vm = {0};
	unsigned seed = 12345;

	fake_vm_add(&vm, 0, 32 * MIB);
	for (int round = 0; round < 2000; round++) {
		int use_elf = round & 1;
		size_t len = use_elf ? sizeof(e) : bz.len;
		uint8_t *copy = malloc(len);
		struct vibe_kernel k;
		char err[256];

		assert_non_null(copy);
		memcpy(copy, use_elf ? (uint8_t *)&e : bz.b, len);
		for (int j = 0; j < 8; j++) {
			seed = seed * 1103515245 + 12345;
			size_t at = use_elf ? (seed >> 8) % sizeof(Elf64_Ehdr) + (seed & 1) * 64
					    : 0x1f1 + (seed >> 8) % 0x77;
			copy[at % len] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		len -= (seed >> 8) % 64;
		if (vibe_kernel_parse(copy, len, &k, err, sizeof(err)) == 0)
			(void)vibe_kernel_load(&vm, copy, len, &k, err, sizeof(err));
		free(copy);
	}
	fake_vm_free(&vm);
	free(bz.b);
}

/* The real thing: the Debian kernel the Linux test bed boots (the cloud
 * flavour if fetched, else any). Returns a malloc'd image or NULL. */
static uint8_t *debian_kernel(size_t *len, char *path, size_t pathsz)
{
	const char *pats[] = { "build/linux-cache/l2-kernel/boot/vmlinuz-*",
			       "build/linux-cache/*/boot/vmlinuz-*" };
	uint8_t *buf = NULL;
	glob_t g;
	FILE *f;
	long n;

	for (unsigned i = 0; i < 2 && !buf; i++) {
		if (glob(pats[i], 0, NULL, &g) != 0)
			continue;
		snprintf(path, pathsz, "%s", g.gl_pathv[0]);
		globfree(&g);
		f = fopen(path, "rb");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		buf = malloc((size_t)n);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		*len = (size_t)n;
	}
	return buf;
}

static void test_debian_kernel_parses(void **state)
{
	char path[512];
	size_t len;
	uint8_t *buf = debian_kernel(&len, path, sizeof(path));
	struct vibe_kernel k;
	char err[256] = "";

	if (!buf) {
		printf("SKIP: no Debian kernel in build/linux-cache (tests/linux/fetch.sh "
		       "downloads it)\n");
		skip();
	}
	if (vibe_kernel_parse(buf, len, &k, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	print_message("%s: protocol %u.%02u, pref 0x%llx, init_size %u, setup_sects %u\n",
		      path, k.version >> 8, k.version & 0xff,
		      (unsigned long long)k.hdr.pref_address, k.hdr.init_size,
		      k.hdr.setup_sects);
	assert_int_equal(k.kind, VIBE_KERNEL_BZIMAGE);
	assert_true(k.can_64);
	assert_true(k.relocatable);
	assert_true(k.cmdline_max >= 255);
	free(buf);
}

/* The vmlinux inside the Debian bzImage (payload_offset/payload_length,
 * protocol 2.08+), decompressed with the host's tool for its format:
 * the ELF path on a real kernel, as Firecracker boots it. */
static void test_debian_vmlinux_loads(void **state)
{
	/* The kernel's build appends the uncompressed size (4 bytes) to every
	 * format except gzip, whose own trailer has it ("size_append" in
	 * arch/x86/boot/compressed/Makefile); the tools reject the extra bytes. */
	static const struct { const char *magic; size_t n; const char *tool; unsigned trailer; } fmt[] = {
		{ "\x02\x21\x4c\x18", 4, "lz4", 4 }, { "\xfd\x37\x7a\x58\x5a\x00", 6, "xz", 4 },
		{ "\x28\xb5\x2f\xfd", 4, "zstd", 4 }, { "\x1f\x8b", 2, "gzip", 0 },
	};
	char path[512], cmd[1024], tmp[] = LB_OUT "/payload.bin", elf[] = LB_OUT "/vmlinux";
	size_t len, elen;
	uint8_t *buf = debian_kernel(&len, path, sizeof(path)), *payload, *e;
	const char *tool = NULL;
	unsigned trailer = 0;
	struct vibe_kernel k;
	struct vibe_vm vm = {0};
	char err[256] = "";
	FILE *f;
	long n;

	if (!buf) {
		printf("SKIP: no Debian kernel in build/linux-cache\n");
		skip();
	}
	assert_int_equal(vibe_kernel_parse(buf, len, &k, err, sizeof(err)), 0);
	assert_true(k.hdr.payload_offset + (uint64_t)k.hdr.payload_length <= k.pm_size);
	payload = buf + k.pm_offset + k.hdr.payload_offset;
	for (unsigned i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++)
		if (!memcmp(payload, fmt[i].magic, fmt[i].n)) {
			tool = fmt[i].tool;
			trailer = fmt[i].trailer;
		}
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null", tool ? tool : "none");
	if (!tool || system(cmd) != 0) {
		printf("SKIP: payload compressed with %s, no decompressor installed\n",
		       tool ? tool : "an unknown format");
		free(buf);
		skip();
	}
	f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_true(k.hdr.payload_length > trailer);
	assert_int_equal(fwrite(payload, 1, k.hdr.payload_length - trailer, f),
			 k.hdr.payload_length - trailer);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -dc %s > %s 2>/dev/null", tool, tmp, elf);
	assert_int_equal(system(cmd), 0);
	free(buf);
	f = fopen(elf, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	elen = (size_t)n;
	e = malloc(elen);
	assert_non_null(e);
	assert_int_equal(fread(e, 1, elen, f), elen);
	fclose(f);
	remove(tmp);
	remove(elf);

	if (vibe_kernel_parse(e, elen, &k, err, sizeof(err)) != 0)
		fail_msg("vmlinux from %s: %s", path, err);
	assert_int_equal(k.kind, VIBE_KERNEL_ELF);
	assert_int_equal(k.entry, 0x1000000); /* phys_startup_64 = LOAD_PHYSICAL_ADDR */
	assert_int_equal(k.load_addr, 0x1000000);
	fake_vm_add(&vm, 0, 256 * MIB);
	if (vibe_kernel_load(&vm, e, elen, &k, err, sizeof(err)) != 0)
		fail_msg("vmlinux from %s: %s", path, err);
	/* The first segment's first bytes are startup_64's code. */
	Elf64_Phdr ph;
	memcpy(&ph, e + ((Elf64_Ehdr *)(void *)e)->e_phoff, sizeof(ph));
	assert_memory_equal(guest_ptr(&vm, ph.p_paddr, 64), e + ph.p_offset, 64);
	print_message("vmlinux: %zu bytes, entry 0x%llx, loaded [0x%llx, 0x%llx)\n", elen,
		      (unsigned long long)k.entry, (unsigned long long)k.load_addr,
		      (unsigned long long)k.load_end);
	fake_vm_free(&vm);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bzimage_valid_loads_at_pref_address),
		cmocka_unit_test(test_bzimage_without_pref_address_loads_aligned_above_1m),
		cmocka_unit_test(test_bzimage_ram_too_small_for_decompression_is_an_error),
		cmocka_unit_test(test_bzimage_truncated_is_an_error),
		cmocka_unit_test(test_bzimage_wrong_magic_is_an_error),
		cmocka_unit_test(test_bzimage_old_protocol_is_refused),
		cmocka_unit_test(test_bzimage_huge_setup_sects_is_an_error),
		cmocka_unit_test(test_bzimage_bad_alignment_is_an_error),
		cmocka_unit_test(test_elf_valid_loads_segments_at_physical_addresses),
		cmocka_unit_test(test_elf_virtual_entry_is_translated),
		cmocka_unit_test(test_elf_truncated_is_an_error),
		cmocka_unit_test(test_elf_segment_outside_ram_is_an_error),
		cmocka_unit_test(test_corrupted_images_never_crash),
		cmocka_unit_test(test_debian_kernel_parses),
		cmocka_unit_test(test_debian_vmlinux_loads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
