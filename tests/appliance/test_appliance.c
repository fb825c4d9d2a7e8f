/*
 * Appliances (docs/guides/appliances.md), judged from the outside:
 *  - bin/appliance-raw (machines/appliance-raw.yaml, built by rules.mk's
 *    sub-make) copied ALONE into an empty folder runs with no arguments:
 *    the embedded hello guest greets and the appliance exits 0;
 *  - --version names the appliance and the sha256 of its machine file;
 *  - --binary replaces the embedded guest;
 *  - a disk with `image:` is created on first start and never overwritten;
 *  - vibegen --appliance: every tests/appliance/corpus/NAME.yaml fails with
 *    the `# expect: LINE:COL: error[ENNN]: text` of its first line, and a
 *    good machine gets payload.S (.incbin), appliance.c and the machine.mk
 *    variables that make builds the appliance from.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "vmm_run.h"

#define RAW_MACHINE SRCDIR "/machines/appliance-raw.yaml"
#define SEED_APPLIANCE APPLIANCE_DIR "/appliance-seed"
#define GREETING "Hello from a vibevmm guest!"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
		n += got;
		if (cap - n < 2) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Shell command's stdout+stderr; returns its exit status. */
static int run_capture(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	assert_non_null(p);
	assert_non_null(buf);
	for (size_t got; (got = fread(buf + n, 1, cap - n - 1, p)) > 0;) {
		n += got;
		if (cap - n < 2) {
			buf = realloc(buf, cap *= 2);
			assert_non_null(buf);
		}
	}
	buf[n] = 0;
	*out = buf;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* An empty scratch folder holding only a copy of the binary `src`. */
static char scratch[256];
static void copy_alone(const char *src, const char *name)
{
	char dst[512];
	size_t len;
	char *bytes = slurp(src, &len);
	if (!bytes)
		fail_msg("%s: %s (rules.mk builds it)", src, strerror(errno));
	snprintf(scratch, sizeof scratch, "/tmp/vibe-appliance-XXXXXX");
	assert_non_null(mkdtemp(scratch));
	snprintf(dst, sizeof dst, "%s/%s", scratch, name);
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	free(bytes);
}

static void in_scratch(void)
{
	if (chdir(scratch))
		_exit(126);
}

static void rm_scratch(void)
{
	char cmd[512], *out;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	run_capture(cmd, &out);
	free(out);
}

static unsigned entries(const char *dir)
{
	DIR *d = opendir(dir);
	unsigned n = 0;
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static int need_kvm(void)
{
	if (have_kvm())
		return 1;
	print_message("SKIP: /dev/kvm not usable here\n");
	return 0;
}

static void runs_alone_with_no_arguments(void **state)
{
	if (!need_kvm())
		skip();
	copy_alone(APPLIANCE, "appliance-raw");
	assert_int_equal(entries(scratch), 1);
	const char *argv[] = { "./appliance-raw", NULL };
	struct vmm_opts o = { .child_setup = in_scratch };
	struct vmm_result r;
	assert_int_equal(vmm_run(argv, &o, &r), 0);
	if (!r.exited || r.status != 0 || !strstr(r.out, GREETING))
		fail_msg("expected '" GREETING "' and exit 0 from the appliance alone in %s; got %s\n"
			 "stdout: %s\nstderr: %s", scratch, vmm_describe(&r), r.out, r.err);
	vmm_result_free(&r);
	rm_scratch();
}

static void version_names_machine_and_hash(void **state)
{
	char *sum, *out, want[256];
	assert_int_equal(run_capture("sha256sum '" RAW_MACHINE "'", &sum), 0);
	sum[64] = 0;
	assert_int_equal(run_capture("'" APPLIANCE "' --version", &out), 0);
	snprintf(want, sizeof want, "sha256 %s", sum);
	if (strncmp(out, "appliance-raw: ", 15) || !strstr(out, want) || !strstr(out, " built 20") ||
	    !strstr(out, "embedded kernel: build/tests/guests/hello.bin"))
		fail_msg("--version should name appliance-raw, '%s', the build date and the embedded "
			 "kernel; says:\n%s", want, out);
	free(sum);
	free(out);
}

/* The guest crashes on purpose (exit 3): proof the file replaced the
 * embedded hello guest. */
static void binary_option_replaces_the_payload(void **state)
{
	if (!need_kvm())
		skip();
	const char *argv[] = { APPLIANCE, "--binary", GUEST_DIR "/triple_fault.bin", NULL };
	struct vmm_result r;
	assert_int_equal(vmm_run(argv, NULL, &r), 0);
	if (!r.exited || r.status != 3 || strstr(r.out, GREETING))
		fail_msg("--binary triple_fault.bin: expected exit 3 and no greeting; got %s\nstdout: %s",
			 vmm_describe(&r), r.out);
	vmm_result_free(&r);
}

static void disk_image_seeded_once(void **state)
{
	if (!need_kvm())
		skip();
	char disk[512];
	size_t want_len, got_len;
	char *want = slurp(SRCDIR "/tests/appliance/seed.yaml", &want_len);
	assert_non_null(want);
	copy_alone(SEED_APPLIANCE, "appliance-seed");
	snprintf(disk, sizeof disk, "%s/disk.img", scratch);
	const char *argv[] = { "./appliance-seed", NULL };
	struct vmm_opts o = { .child_setup = in_scratch };
	struct vmm_result r;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(vmm_run(argv, &o, &r), 0);
		if (!r.exited || r.status != 0)
			fail_msg("run %d: %s\nstderr: %s", round + 1, vmm_describe(&r), r.err);
		vmm_result_free(&r);
		char *got = slurp(disk, &got_len);
		if (!got)
			fail_msg("run %d: no %s after the first start", round + 1, disk);
		if (round == 0 && (got_len != want_len || memcmp(got, want, want_len)))
			fail_msg("disk.img (%zu bytes) differs from its image seed.yaml (%zu bytes)", got_len,
				 want_len);
		if (round == 1 && strcmp(got, "changed by the guest\n"))
			fail_msg("the second start overwrote an existing disk.img");
		free(got);
		if (round == 0) { /* what a guest would have written: must survive */
			FILE *f = fopen(disk, "w");
			assert_non_null(f);
			fputs("changed by the guest\n", f);
			fclose(f);
		}
	}
	assert_int_equal(entries(scratch), 2); /* the appliance and its disk, no temporaries */
	free(want);
	rm_scratch();
}

static void corpus_file(void **state)
{
	const char *name = *state;
	char path[512], cmd[1024], want[1024], *out;
	snprintf(path, sizeof path, "tests/appliance/corpus/%s", name);
	snprintf(cmd, sizeof cmd, SRCDIR "/%s", path);
	char *text = slurp(cmd, NULL);
	assert_non_null(text);
	if (strncmp(text, "# expect: ", 10))
		fail_msg("%s: first line must be '# expect: LINE:COL: error[ENNN]: text'", path);
	text[strcspn(text, "\n")] = 0;
	snprintf(want, sizeof want, "%s:%s", path, text + 10);
	snprintf(cmd, sizeof cmd, "cd '" SRCDIR "' && '" VIBEGEN "' --appliance --check '%s' 2>&1", path);
	int rc = run_capture(cmd, &out);
	if (rc != 1 || !strstr(out, want))
		fail_msg("%s: expected exit 1 and\n  %s\ngot exit %d:\n%s", path, want, rc, out);
	free(out);
	free(text);
}

static void generates_payload_and_make_variables(void **state)
{
	char dir[] = "/tmp/vibe-appliance-gen-XXXXXX", cmd[1024], p[512], *out;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cd '" SRCDIR "' && '" VIBEGEN "' --appliance -o '%s' machines/appliance-raw.yaml 2>&1",
		 dir);
	if (run_capture(cmd, &out) != 0)
		fail_msg("vibegen --appliance failed:\n%s", out);
	free(out);
	snprintf(p, sizeof p, "%s/payload.S", dir);
	char *s = slurp(p, NULL);
	assert_non_null(s);
	if (!strstr(s, ".incbin \"/") || !strstr(s, "/build/tests/guests/hello.bin\""))
		fail_msg("payload.S should .incbin the absolute path of hello.bin:\n%s", s);
	free(s);
	snprintf(p, sizeof p, "%s/machine.mk", dir);
	s = slurp(p, NULL);
	assert_non_null(s);
	if (!strstr(s, "\nVIBE_APPLIANCE := 1\n") || !strstr(s, "\nVIBE_APPLIANCE_NAME := appliance-raw\n") ||
	    !strstr(s, "\nVIBE_APPLIANCE_FILES := /"))
		fail_msg("machine.mk lacks the appliance variables:\n%s", s);
	free(s);
	snprintf(p, sizeof p, "%s/appliance.c", dir);
	s = slurp(p, NULL);
	assert_non_null(s);
	assert_non_null(strstr(s, "const struct vibe_appliance_desc vibe_appliance"));
	free(s);
	/* Without --appliance: a plain vibevmm, no payload. */
	snprintf(cmd, sizeof cmd, "cd '" SRCDIR "' && '" VIBEGEN "' -o '%s/plain' machines/appliance-raw.yaml 2>&1 && "
		 "! test -e '%s/plain/payload.S' && ! grep -q VIBE_APPLIANCE '%s/plain/machine.mk'", dir, dir, dir);
	if (run_capture(cmd, &out) != 0)
		fail_msg("plain vibegen wrote appliance output:\n%s", out);
	free(out);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	run_capture(cmd, &out);
	free(out);
}

int main(void)
{
	struct CMUnitTest tests[64] = {
		cmocka_unit_test(runs_alone_with_no_arguments),
		cmocka_unit_test(version_names_machine_and_hash),
		cmocka_unit_test(binary_option_replaces_the_payload),
		cmocka_unit_test(disk_image_seeded_once),
		cmocka_unit_test(generates_payload_and_make_variables),
	};
	static char names[48][128];
	unsigned n = 5, k = 0;
	DIR *d = opendir(SRCDIR "/tests/appliance/corpus");
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) && k < 48;) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") || l >= sizeof names[0])
			continue;
		strcpy(names[k], e->d_name);
		tests[n++] = (struct CMUnitTest){ .name = names[k], .test_func = corpus_file,
						  .initial_state = names[k] };
		k++;
	}
	closedir(d);
	if (k < 5) {
		fprintf(stderr, "only %u files in tests/appliance/corpus\n", k);
		return 1;
	}
	return _cmocka_run_group_tests("appliance", tests, n, NULL, NULL);
}
