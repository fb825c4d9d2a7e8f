/*
 * vibevmm: command line, then VM set-up, load, run. Every user error is one
 * line on stderr and exit status 1; see usage() for all statuses.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "loader.h"
#include "parse_num.h"
#include "vcpu.h"
#include "vibe/log.h"
#include "vibe/machine.h"
#include "vm.h"

#ifndef VIBE_VERSION
#define VIBE_VERSION "0.1"
#endif

/* runtime/console.c restores the terminal; weak so a vibevmm built without
 * it (a machine with no console device) still links. */
void console_restore(void) __attribute__((weak));

#define DEFAULT_ENTRY 0x10000ull

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_VMM = 2, EXIT_GUEST_CRASH = 3 };

static void usage(FILE *f)
{
	fprintf(f,
"usage: vibevmm [options]\n"
"Runs a guest on the machine '%s' compiled into this vibevmm (%s).\n"
"\n"
"  --binary FILE      raw binary to load and run (default: the machine's\n"
"                     boot.kernel when it has a boot.mode)\n"
"  --entry ADDR       guest-physical start address (default: the machine's\n"
"                     boot.entry, else 0x10000)\n"
"  --load-addr ADDR   where FILE is loaded (default: the entry)\n"
"  --mode MODE        long (default), protected or real: CPU state at entry,\n"
"                     see docs/internals/kvm.md\n"
"  --mem SIZE         size of the machine's resizable RAM region (e.g. 128M, 1G)\n"
"  --log N            0 errors, 1 +warnings (default), 2 +info, 3 +debug,\n"
"                     4 +every VM exit\n"
"  --kernel, --initrd, --cmdline   Linux boot (not supported yet)\n"
"  --help, --version\n"
"\n"
"exit status:\n"
"  0  guest finished: powered off, reset, or every vCPU halted\n"
"  1  bad usage or input (flags, files, sizes, addresses)\n"
"  2  VMM failure (KVM unavailable or refusing an operation)\n"
"  3  guest crash (triple fault, KVM internal error, failed VM entry)\n"
"  V & 0xff  the guest wrote V to the debug-exit device\n"
"  128+N  stopped by signal N\n",
		vibe_machine.name, vibe_machine.source);
}

struct cli {
	const char *binary;
	const char *mode;
	uint64_t entry, load_addr, mem;
	int has_entry, has_load_addr;
};

static int bad(const char *fmt, const char *arg)
{
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg);
	log_err("%s (see --help)", msg);
	return EXIT_USAGE;
}

/* Returns -1 to go on, else the exit status. */
static int parse_cli(int argc, char **argv, struct cli *c)
{
	enum { O_BINARY = 256, O_ENTRY, O_LOAD, O_MODE, O_MEM, O_LOG, O_KERNEL, O_INITRD, O_CMDLINE,
	       O_HELP, O_VERSION };
	static const struct option opts[] = {
		{ "binary", required_argument, NULL, O_BINARY },
		{ "entry", required_argument, NULL, O_ENTRY },
		{ "load-addr", required_argument, NULL, O_LOAD },
		{ "mode", required_argument, NULL, O_MODE },
		{ "mem", required_argument, NULL, O_MEM },
		{ "log", required_argument, NULL, O_LOG },
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "initrd", required_argument, NULL, O_INITRD },
		{ "cmdline", required_argument, NULL, O_CMDLINE },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int o;

	opterr = 0; /* our own one-line messages instead of getopt's */
	while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (o) {
		case O_BINARY: c->binary = optarg; break;
		case O_ENTRY:
			if (vibe_parse_u64(optarg, &c->entry) < 0)
				return bad("--entry: '%s' is not an address", optarg);
			c->has_entry = 1;
			break;
		case O_LOAD:
			if (vibe_parse_u64(optarg, &c->load_addr) < 0)
				return bad("--load-addr: '%s' is not an address", optarg);
			c->has_load_addr = 1;
			break;
		case O_MODE:
			if (arch_parse_mode(optarg) < 0)
				return bad("--mode: '%s' is not one of long, protected, real", optarg);
			c->mode = optarg;
			break;
		case O_MEM:
			if (vibe_parse_size(optarg, &c->mem) < 0 || c->mem == 0)
				return bad("--mem: '%s' is not a size like 128M or 1G", optarg);
			break;
		case O_LOG:
			if (vibe_parse_u64(optarg, &v) < 0 || v > 4)
				return bad("--log: '%s' is not a level 0..4", optarg);
			vibe_log_level = (int)v;
			break;
		case O_KERNEL:
			return bad("%s: Linux boot is not supported by this vibevmm yet", "--kernel");
		case O_INITRD:
			return bad("%s: Linux boot is not supported by this vibevmm yet", "--initrd");
		case O_CMDLINE:
			return bad("%s: Linux boot is not supported by this vibevmm yet", "--cmdline");
		case O_HELP:
			usage(stdout);
			return EXIT_OK;
		case O_VERSION:
			printf("vibevmm %s, machine %s (%s, sha256 %s)\n", VIBE_VERSION, vibe_machine.name,
			       vibe_machine.source, vibe_machine.source_hash);
			return EXIT_OK;
		case ':':
			return bad("%s needs an argument", argv[optind - 1]);
		default:
			return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	return -1;
}

static int run(struct vibe_vm *vm, const struct cli *c)
{
	const struct vibe_machine_desc *m = vm->m;
	struct vibe_vm_opts vo = { .mem_size = c->mem, .want_irqchip = 0 };
	struct vibe_raw_image img = { .fd = -1 };
	int rc;

	/* An appliance machine names its raw binary as boot.kernel with a
	 * boot.mode (docs/api/machine-files.md); --binary overrides it. */
	const char *binary = c->binary;
	if (!binary && m->boot.kernel && m->boot.mode)
		binary = m->boot.kernel;
	if (!binary) {
		if (m->boot.kernel)
			log_err("machine '%s' boots a Linux kernel, which this vibevmm does not support yet", m->name);
		else
			log_err("nothing to run: give --binary FILE (see --help)");
		return EXIT_USAGE;
	}
	const char *mode_s = c->mode ? c->mode : m->boot.mode ? m->boot.mode : "long";
	int mode = arch_parse_mode(mode_s);
	if (mode < 0) {
		log_err("machine file %s: boot.mode '%s' is not one of long, protected, real", m->source, mode_s);
		return EXIT_USAGE;
	}
	uint64_t entry = c->has_entry ? c->entry : m->boot.has_entry ? m->boot.entry : DEFAULT_ENTRY;
	uint64_t load = c->has_load_addr ? c->load_addr : m->boot.has_load_addr ? m->boot.load_addr : entry;

	if (vibe_vm_init(vm, &vo) < 0 || vibe_raw_open(&img, binary) < 0)
		return EXIT_USAGE;
	if (vibe_vcpu_signals_init() < 0) {
		vibe_raw_close(&img);
		return EXIT_VMM;
	}
	/* Raw binaries run without an in-kernel irqchip: HLT then reaches
	 * vibevmm and ends the run (docs/internals/vm-exits.md). */
	if ((rc = vibe_vm_setup(vm, &vo)) != 0) {
		vibe_raw_close(&img);
		return rc;
	}
	if (arch_raw_check(vm, mode, entry, load, img.size) < 0 ||
	    vibe_raw_load(vm, &img, load) < 0) {
		vibe_raw_close(&img);
		return EXIT_USAGE;
	}
	if (arch_raw_setup(vm, mode, entry) < 0)
		return EXIT_VMM;
	log_info("machine %s: %u vCPU(s), %s mode, entry 0x%llx, %s loaded at 0x%llx", m->name,
		 vm->nvcpus, arch_mode_name(mode), (unsigned long long)entry, binary,
		 (unsigned long long)load);
	return vibe_vm_run(vm);
}

int main(int argc, char **argv)
{
	struct cli c;
	memset(&c, 0, sizeof(c));
	int rc = parse_cli(argc, argv, &c);
	if (rc >= 0)
		return rc;
	if (vibe_machine.abi != VIBE_GEN_ABI) {
		log_err("machine '%s' was generated for ABI %u, this runtime has %u: regenerate it",
			vibe_machine.name, vibe_machine.abi, VIBE_GEN_ABI);
		return EXIT_VMM;
	}
#if defined(__x86_64__)
	if (vibe_machine.arch != VIBE_ARCH_X86_64) {
		log_err("machine '%s' is not an x86_64 machine; this vibevmm runs x86_64 guests", vibe_machine.name);
		return EXIT_USAGE;
	}
#endif
	struct vibe_vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.m = &vibe_machine;
	rc = run(&vm, &c);
	vibe_vm_destroy(&vm);
	if (console_restore)
		console_restore();
	return rc;
}
