/*
 * vibegen: compile a machine file into build/gen/<name>/{machine.c,
 * machine.h, machine.mk}. Exit status: 0 ok, 1 errors in the machine file,
 * 2 usage or I/O errors. Output is all-or-nothing: every file is written to
 * a temporary name in the output directory and renamed only when all of
 * them are complete, so make never sees a half-generated machine.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "model.h"
#include "emit_acpi.h"
#include "emit_fdt.h"

#define VIBEGEN_VERSION "0.1.0"
#define GEN_ROOT "build/gen"

static void usage(FILE *f)
{
	fputs("usage: vibegen [options] FILE\n"
	      "Compile a vibevmm machine file (YAML) into C tables and decode trees.\n\n"
	      "  -o, --output DIR  write machine.c, machine.h, machine.mk into DIR\n"
	      "                    (default: " GEN_ROOT "/<name>/, and record FILE in " GEN_ROOT "/selected)\n"
	      "  -a, --appliance   build an appliance: embed boot.kernel, boot.initrd and disk\n"
	      "                    images (payload.S, appliance.c); make then builds bin/<name>\n"
	      "  -c, --check       validate only; write nothing\n"
	      "  -m, --map         print the memory map (range, size, kind, name, source line)\n"
	      "  -d, --dot         print the decode trees as Graphviz\n"
	      "      --emit-schema print the JSON Schema of machine files (no FILE)\n"
	      "      --acpi        print the DSDT as ASL for iasl (x86_64)\n"
	      "      --dts         print the guest device tree as DTS (arm64; needs dtc)\n"
	      "  -h, --help        this text\n"
	      "  -V, --version     print the version\n\n"
	      "Exit status: 0 ok, 1 errors in the machine file, 2 usage or I/O error.\n", f);
}

static int mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		return -1;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == 0) {
			char c = *s;
			*s = 0;
			if (mkdir(p, 0777) && errno != EEXIST) {
				free(p);
				return -1;
			}
			if (!c)
				break;
			*s = c;
		}
	}
	free(p);
	return 0;
}

struct out_file {
	const char *name;
	int (*emit)(const struct machine *, FILE *);
	char tmp[4096], final[4096];
};

/* Write each file under a temporary name; on success rename them all. */
static int write_outputs(const struct machine *m, const char *dir, int appliance)
{
	struct out_file files[6] = {
		{ "machine.c", emit_machine_c, "", "" },
		{ "machine.h", emit_machine_h, "", "" },
		{ "machine.mk", appliance ? emit_appliance_mk : emit_machine_mk, "", "" },
	};
	unsigned n = 3, made = 0;
	if (m->arch == M_ARCH_ARM64) /* the guest device tree */
		files[n++] = (struct out_file){ "fdt.c", emit_fdt_c, "", "" };
	if (appliance) { /* compiler/appliance.c */
		files[n++] = (struct out_file){ "payload.S", emit_payload_s, "", "" };
		files[n++] = (struct out_file){ "appliance.c", emit_appliance_c, "", "" };
	}
	int rc = 0;

	if (mkdir_p(dir)) {
		fprintf(stderr, "vibegen: cannot create %s: %s\n", dir, strerror(errno));
		return 2;
	}
	for (; made < n; made++) {
		struct out_file *f = &files[made];
		snprintf(f->final, sizeof f->final, "%s/%s", dir, f->name);
		snprintf(f->tmp, sizeof f->tmp, "%s/.%s.XXXXXX", dir, f->name);
		int fd = mkstemp(f->tmp);
		FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!fp) {
			fprintf(stderr, "vibegen: cannot write in %s: %s\n", dir, strerror(errno));
			if (fd >= 0) {
				close(fd);
				made++; /* its temp exists: unlink it below */
			}
			rc = 2;
			break;
		}
		fchmod(fd, 0644);
		int erc = f->emit(m, fp);
		erc |= ferror(fp);
		if (fclose(fp) || erc) {
			fprintf(stderr, "vibegen: writing %s failed%s%s\n", f->final,
				erc ? "" : ": ", erc ? "" : strerror(errno));
			made++;
			rc = 2;
			break;
		}
	}
	for (unsigned i = 0; i < made; i++) {
		if (rc)
			unlink(files[i].tmp);
		else if (rename(files[i].tmp, files[i].final)) {
			fprintf(stderr, "vibegen: cannot rename to %s: %s\n", files[i].final, strerror(errno));
			rc = 2;
		}
	}
	return rc;
}

/* build/gen/selected names the machine `make` builds next. */
static int write_selected(const char *file)
{
	char tmp[] = GEN_ROOT "/.selected.XXXXXX";
	int fd = mkstemp(tmp);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!fp || fprintf(fp, "%s\n", file) < 0 || fclose(fp) || rename(tmp, GEN_ROOT "/selected")) {
		fprintf(stderr, "vibegen: cannot write " GEN_ROOT "/selected: %s\n", strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_SCHEMA = 256, OPT_ACPI, OPT_DTS };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "appliance", no_argument, NULL, 'a' },
		{ "check", no_argument, NULL, 'c' },
		{ "map", no_argument, NULL, 'm' },
		{ "dot", no_argument, NULL, 'd' },
		{ "emit-schema", no_argument, NULL, OPT_SCHEMA },
		{ "acpi", no_argument, NULL, OPT_ACPI },
		{ "dts", no_argument, NULL, OPT_DTS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *outdir = NULL;
	int check = 0, map = 0, dot = 0, schema = 0, acpi = 0, dts = 0, appliance = 0, c;

	while ((c = getopt_long(argc, argv, "o:acmdhV", opts, NULL)) != -1) {
		switch (c) {
		case 'o': outdir = optarg; break;
		case 'a': appliance = 1; break;
		case 'c': check = 1; break;
		case 'm': map = 1; break;
		case 'd': dot = 1; break;
		case OPT_SCHEMA: schema = 1; break;
		case OPT_ACPI: acpi = 1; break;
		case OPT_DTS: dts = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("vibegen " VIBEGEN_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (schema) {
		if (optind != argc) {
			fputs("vibegen: --emit-schema takes no FILE\n", stderr);
			return 2;
		}
		return emit_schema(stdout) || fflush(stdout) ? 2 : 0;
	}
	if (optind != argc - 1) {
		fputs(optind == argc ? "vibegen: no machine file given\n" : "vibegen: one machine file at a time\n",
		      stderr);
		usage(stderr);
		return 2;
	}
	const char *file = argv[optind];
	struct machine m;
	int errs = machine_load(file, &m);
	if (!errs && appliance)
		errs = appliance_resolve(&m);
	int rc = errs < 0 ? 2 : errs > 0 ? 1 : 0;
	if (errs > 0)
		fprintf(stderr, "%s: %d error%s; nothing written\n", file, errs, errs == 1 ? "" : "s");
	if (!rc && (map || dot || acpi || dts)) {
		if ((map && emit_map(&m, stdout)) || (dot && emit_dot(&m, stdout)) ||
		    (acpi && emit_acpi_asl(&m, stdout)) || (dts && emit_dts(&m, stdout)) || fflush(stdout))
			rc = 2;
	} else if (!rc && !check) {
		char dir[4096];
		if (!outdir) {
			snprintf(dir, sizeof dir, GEN_ROOT "/%s", m.name);
			outdir = dir;
			rc = write_outputs(&m, outdir, appliance);
			if (!rc)
				rc = write_selected(file);
		} else {
			rc = write_outputs(&m, outdir, appliance);
		}
	}
	appliance_free(&m);
	machine_free(&m);
	return rc;
}
