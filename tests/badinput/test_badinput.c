/*
 * Bad input everywhere: every case must end the program with a non-zero
 * status, exactly one line on stderr naming the problem, nothing on stdout
 * and no signal death. One table; a case is one line.
 *
 * Kernel and initrd files are read after the VM is built, so those cases
 * run on the testbed vibevmm (TB), whose build links every device it
 * declares: the default machine also names, once at start, the device
 * types a build left out, which is not part of the error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm_run.h"

#define TB TESTBED
#define VM VIBEVMM
#define VG VIBEGEN

/* Placeholders, replaced by files setup() makes in a temporary folder. */
static const char *const names[] = {
	"@dir", "@notdir", "@dangling", "@empty", "@unread", "@garbage", "@kernel",
	"@hdrcut", "@setupcut", "@kernelcut", "@realcut", "@hello", "@yaml", "@rodir",
	"@blkdir", "@blkmissing", "@blknotdir", "@blkro", "@condir", NULL,
};
static char paths[19][512];
static char tmpdir[] = "/tmp/vibevmm-bad-XXXXXX";
static int have_realcut;
static int vm_is_virt; /* the --disk/--console cases name virt.yaml's devices */

/* Root reads mode-000 files and writes anywhere (CAP_DAC_OVERRIDE): drop
 * the DAC capabilities from the bounding set in the child before exec,
 * so the program meets the permissions like any user. */
static void drop_dac_caps(void)
{
	prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
	prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
}

struct bad_case {
	const char *what;
	const char *argv[12];
	const char *must_mention; /* case-insensitive */
	int flags;
};
#define DROP 1 /* run without CAP_DAC_OVERRIDE */
#define VIRT 2 /* needs machines/virt.yaml's blk0 and console0 */

#define K "--kernel"
#define I "--initrd"
static const struct bad_case cases[] = {
	/* kernels */
	{ "missing kernel", { TB, K, "/nonexistent/vmlinuz", NULL }, "No such file", 0 },
	{ "directory as kernel", { TB, K, "@dir", NULL }, "not a regular", 0 },
	{ "kernel path through a file", { TB, K, "@notdir", NULL }, "Not a directory", 0 },
	{ "dangling symlink as kernel", { TB, K, "@dangling", NULL }, "No such file", 0 },
	{ "empty kernel", { TB, K, "@empty", NULL }, "empty", 0 },
	{ "unreadable kernel", { TB, K, "@unread", NULL }, "Permission denied", 1 },
	{ "garbage as kernel", { TB, K, "@garbage", NULL }, "not a Linux kernel", 0 },
	{ "bzImage cut in its header", { TB, K, "@hdrcut", NULL }, "truncated", 0 },
	{ "bzImage cut in its setup", { TB, K, "@setupcut", NULL }, "truncated", 0 },
	{ "bzImage cut in its kernel", { TB, K, "@kernelcut", NULL }, "truncated", 0 },
	{ "real kernel cut at 64 KiB", { TB, K, "@realcut", NULL }, "truncated", 0 },
	/* initrds, with a kernel that parses and loads */
	{ "missing initrd", { TB, K, "@kernel", I, "/nonexistent/initrd", NULL }, "initrd", 0 },
	{ "directory as initrd", { TB, K, "@kernel", I, "@dir", NULL }, "not a regular", 0 },
	{ "empty initrd", { TB, K, "@kernel", I, "@empty", NULL }, "empty", 0 },
	{ "dangling symlink as initrd", { TB, K, "@kernel", I, "@dangling", NULL }, "initrd", 0 },
	{ "unreadable initrd", { TB, K, "@kernel", I, "@unread", NULL }, "Permission denied", 1 },
	{ "initrd without a kernel", { VM, "--binary", "@hello", I, "@empty", NULL }, "kernel", 0 },
	{ "--kernel with --binary", { VM, "--binary", "@hello", K, "@kernel", NULL }, "exclude", 0 },
	{ "--kernel without its file", { VM, K, NULL }, "kernel", 0 },
	/* raw binaries the first table does not cover */
	{ "binary path through a file", { VM, "--binary", "@notdir", NULL }, "Not a directory", 0 },
	{ "dangling symlink as binary", { VM, "--binary", "@dangling", NULL }, "No such file", 0 },
	/* flag values */
	{ "--mem empty", { VM, "--binary", "@hello", "--mem", "", NULL }, "mem", 0 },
	{ "--mem words", { VM, "--binary", "@hello", "--mem", "lots", NULL }, "mem", 0 },
	{ "--mem fraction", { VM, "--binary", "@hello", "--mem", "1.5G", NULL }, "mem", 0 },
	{ "--mem overflows", { VM, "--binary", "@hello", "--mem", "99999999999999999999G", NULL }, "mem", 0 },
	{ "--mem not 4K aligned", { TB, "--binary", "@hello", "--mem", "1000001", NULL }, "mem", 0 },
	{ "--entry empty", { VM, "--binary", "@hello", "--entry", "", NULL }, "entry", 0 },
	{ "--entry negative", { VM, "--binary", "@hello", "--entry", "-1", NULL }, "entry", 0 },
	{ "--entry bare 0x", { VM, "--binary", "@hello", "--entry", "0x", NULL }, "entry", 0 },
	{ "--entry trailing junk", { VM, "--binary", "@hello", "--entry", "0x10000q", NULL }, "entry", 0 },
	{ "--load-addr words", { VM, "--binary", "@hello", "--load-addr", "here", NULL }, "load-addr", 0 },
	{ "--log 9", { VM, "--binary", "@hello", "--log", "9", NULL }, "log", 0 },
	{ "--log -1", { VM, "--binary", "@hello", "--log", "-1", NULL }, "log", 0 },
	{ "--log words", { VM, "--binary", "@hello", "--log", "loud", NULL }, "log", 0 },
	{ "--mode empty", { VM, "--binary", "@hello", "--mode", "", NULL }, "mode", 0 },
	/* vibegen */
	{ "vibegen: directory as input", { VG, "--check", "@dir", NULL }, "directory", 0 },
	{ "vibegen: missing input", { VG, "--check", "/nonexistent/m.yaml", NULL }, "No such file", 0 },
	{ "vibegen: -o through a file", { VG, "-o", "@notdir", "@yaml", NULL }, "Not a directory", 0 },
	{ "vibegen: -o read-only dir", { VG, "-o", "@rodir", "@yaml", NULL }, "Permission denied", 1 },
	/* disks and consoles of the default machine (errors from device init) */
	{ "directory as disk", { VM, "--binary", "@hello", "--disk", "@blkdir", NULL }, "directory", VIRT },
	{ "missing disk", { VM, "--binary", "@hello", "--disk", "@blkmissing", NULL }, "No such file", VIRT },
	{ "disk path through a file", { VM, "--binary", "@hello", "--disk", "@blknotdir", NULL }, "Not a directory", VIRT },
	{ "read-only disk opened rw", { VM, "--binary", "@hello", "--disk", "@blkro", NULL }, "Permission denied", DROP | VIRT },
	{ "--disk without =PATH", { VM, "--binary", "@hello", "--disk", "blk0", NULL }, "disk", VIRT },
	{ "--disk unknown device", { VM, "--binary", "@hello", "--disk", "nosuch=/tmp/x", NULL }, "nosuch", VIRT },
	{ "--console unknown output", { VM, "--binary", "@hello", "--console", "console0=weird", NULL }, "weird", VIRT },
	{ "--console file is a directory", { VM, "--binary", "@hello", "--console", "@condir", NULL }, "directory", VIRT },
};

static const char *subst(const char *a)
{
	for (unsigned i = 0; a && names[i]; i++)
		if (!strcmp(a, names[i]))
			return paths[i];
	return a;
}

static void run_bad_case(void **state)
{
	const struct bad_case *c = *state;
	const char *argv[12];
	struct vmm_result r;
	struct vmm_opts o = { .timeout_ms = 10000 };

	if (access(c->argv[0], X_OK) != 0)
		fail_msg("%s is not built", c->argv[0]);
	for (unsigned i = 0; i < 12; i++)
		if (!(argv[i] = subst(c->argv[i])))
			break;
	for (unsigned i = 0; argv[i]; i++)
		if (!strcmp(c->argv[i], "@realcut") && !have_realcut) {
			print_message("SKIP: no kernel in build/linux-cache to cut\n");
			skip();
		}
	if ((c->flags & VIRT) && !vm_is_virt) {
		print_message("SKIP: bin/vibevmm is not built for machines/virt.yaml\n");
		skip();
	}
	if (c->flags & DROP)
		o.child_setup = drop_dac_caps;
	if (vmm_run(argv, &o, &r) < 0)
		fail_msg("cannot start %s", argv[0]);

	print_message("%-30s -> %s: %s", c->what, vmm_describe(&r), r.err);
	if (r.timed_out || r.signaled)
		fail_msg("%s: %s %s", c->what, argv[0], vmm_describe(&r));
	if (r.status == 0)
		fail_msg("%s: expected a non-zero exit status", c->what);
	char *nl = strchr(r.err, '\n');
	if (r.err_len == 0 || !nl || nl[1] != 0)
		fail_msg("%s: expected exactly one line on stderr, got:\n%s", c->what, r.err);
	if (!strcasestr(r.err, c->must_mention))
		fail_msg("%s: the message should mention \"%s\"", c->what, c->must_mention);
	if (r.out_len != 0)
		fail_msg("%s: nothing belongs on stdout, got: %s", c->what, r.out);
	vmm_result_free(&r);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* A bzImage that vibevmm parses and loads (boot protocol 2.15, 64-bit
 * entry, relocatable): 4 setup sectors after the boot sector, then 4 KiB
 * of "kernel". Only the fields the loader checks are set. */
enum { SETUP_SECTS = 4, PM_OFF = (SETUP_SECTS + 1) * 512, PM_SIZE = 4096 };
static void make_bzimage(uint8_t *img)
{
	memset(img, 0, PM_OFF + PM_SIZE);
	img[0x1f1] = SETUP_SECTS;
	put32(img + 0x1f4, PM_SIZE / 16);     /* syssize */
	put16(img + 0x1fe, 0xaa55);           /* boot_flag */
	img[0x200] = 0xeb;                    /* jmp: header ends at 0x202 + 0x66 */
	img[0x201] = 0x66;
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, 0x020f);           /* version 2.15 */
	img[0x211] = 0x01;                    /* loadflags: LOADED_HIGH */
	put32(img + 0x230, 0x200000);         /* kernel_alignment */
	img[0x234] = 1;                       /* relocatable_kernel */
	put16(img + 0x236, 0x1);              /* xloadflags: XLF_KERNEL_64 */
	put32(img + 0x238, 2048);             /* cmdline_size */
	put32(img + 0x258, 0x1000000);        /* pref_address (low half) */
	put32(img + 0x260, 0x100000);         /* init_size */
}

static int write_file(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || (len && write(fd, p, len) != (ssize_t)len))
		return -1;
	return close(fd);
}

static int setup(void **state)
{
	static uint8_t img[PM_OFF + PM_SIZE];
	static const char yaml[] = "arch: x86_64\nmemory:\n  - name: ram\n    base: 0\n    size: 1M\n";
	if (!mkdtemp(tmpdir))
		return -1;
	for (unsigned i = 0; names[i]; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", tmpdir, names[i] + 1);
	/* @dir is the folder itself; @notdir goes through a regular file. */
	snprintf(paths[0], sizeof(paths[0]), "%s", tmpdir);
	snprintf(paths[1], sizeof(paths[1]), "%s/empty/x", tmpdir);
	snprintf(paths[11], sizeof(paths[11]), "%s/hello.bin", GUEST_DIR);
	make_bzimage(img);
	if (symlink("/nonexistent/target", paths[2]) < 0 ||
	    write_file(paths[3], "", 0) < 0 ||
	    write_file(paths[4], img, sizeof(img)) < 0 || chmod(paths[4], 0) < 0 ||
	    write_file(paths[5], "this is not a kernel\n", 21) < 0 ||
	    write_file(paths[6], img, sizeof(img)) < 0 ||
	    write_file(paths[7], img, 0x210) < 0 ||
	    write_file(paths[8], img, 1024) < 0 ||
	    write_file(paths[9], img, PM_OFF + 1000) < 0 ||
	    write_file(paths[12], yaml, sizeof(yaml) - 1) < 0 ||
	    mkdir(paths[13], 0555) < 0)
		return -1;
	/* NAME=PATH arguments for --disk and --console (virt.yaml's devices). */
	snprintf(paths[14], sizeof(paths[14]), "blk0=%s", tmpdir);
	snprintf(paths[15], sizeof(paths[15]), "blk0=%s/nonexistent.img", tmpdir);
	snprintf(paths[16], sizeof(paths[16]), "blk0=%s/empty/x.img", tmpdir);
	snprintf(paths[17], sizeof(paths[17]), "blk0=%s/ro.img", tmpdir);
	snprintf(paths[18], sizeof(paths[18]), "console0=file:%s", tmpdir);
	if (write_file(paths[17] + 5, img, 4096) < 0 || chmod(paths[17] + 5, 0444) < 0)
		return -1;
	const char *vargv[] = { VM, "--version", NULL };
	struct vmm_result vr;
	if (vmm_run(vargv, NULL, &vr) == 0) {
		vm_is_virt = strstr(vr.out, "machine virt ") != NULL;
		vmm_result_free(&vr);
	}
	/* A distribution kernel cut short, when the Linux test bed fetched one. */
	FILE *f = popen("ls build/linux-cache/l2-kernel/boot/vmlinuz-* 2>/dev/null | head -1", "r");
	char real[512] = "";
	if (f) {
		if (!fgets(real, sizeof(real), f))
			real[0] = 0;
		pclose(f);
	}
	real[strcspn(real, "\n")] = 0;
	int fd = real[0] ? open(real, O_RDONLY) : -1;
	if (fd >= 0) {
		static uint8_t head[65536];
		if (read(fd, head, sizeof(head)) == (ssize_t)sizeof(head))
			have_realcut = write_file(paths[10], head, sizeof(head)) == 0;
		close(fd);
	}
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 2; i < 13; i++)
		if (i != 11)
			unlink(paths[i]);
	unlink(paths[17] + 5);
	rmdir(paths[13]);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N];

	for (unsigned i = 0; i < N; i++) {
		tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(run_bad_case, (void *)&cases[i]);
		tests[i].name = cases[i].what;
	}
	return cmocka_run_group_tests_name("bad input", tests, setup, teardown);
}
