/*
 * Guest boot tests: every guest in tests/guests/ (one .S file each) runs under the testbed
 * vibevmm (tests/guests/testbed.yaml) and is judged from outside by its
 * console output and vibevmm's exit status, which carries the guest's
 * verdict through the debug-exit device (0 = pass, guest-specific codes
 * name the failed check; see each .S file). A hang is a failure: the
 * runner kills vibevmm at a deadline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm_run.h"

#ifndef GUEST_DIR
#error "GUEST_DIR, TESTBED and VIBEVMM come from tests/guests/rules.mk"
#endif

static const char greeting[] = "Hello from a vibevmm guest!\n";

static void need_kvm(void)
{
	if (!have_kvm()) {
		print_message("SKIP: no /dev/kvm\n");
		skip();
	}
	if (access(TESTBED, X_OK) != 0)
		fail_msg("%s is not built (make %s)", TESTBED, TESTBED);
}

/* Run `vmm` with --binary GUEST_DIR/<guest>.bin --entry 0x10000 and the
 * NULL-terminated extra arguments. */
static void run_guest(struct vmm_result *r, const char *vmm, const char *guest,
		      const struct vmm_opts *opts, ...)
{
	const char *argv[32];
	char bin[512];
	unsigned n = 0;
	va_list ap;

	snprintf(bin, sizeof(bin), "%s/%s.bin", GUEST_DIR, guest);
	argv[n++] = vmm;
	argv[n++] = "--binary";
	argv[n++] = bin;
	argv[n++] = "--entry";
	argv[n++] = "0x10000";
	va_start(ap, opts);
	for (const char *a; (a = va_arg(ap, const char *)) && n < 31;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	if (vmm_run(argv, opts, r) < 0)
		fail_msg("cannot start %s", vmm);
}

static void show(const struct vmm_result *r)
{
	const char *err = r->err;
	/* The end of stderr is where vibevmm says why it stopped. */
	if (r->err_len > 3000)
		err += r->err_len - 3000;
	print_message("--- stdout (%zu bytes):\n%.2000s\n--- stderr tail:\n%s\n---\n",
		      r->out_len, r->out, err);
}

static void expect_status(const struct vmm_result *r, int status)
{
	if (r->exited && r->status == status)
		return;
	show(r);
	fail_msg("expected exit status %d (0x%x), vibevmm %s", status, status, vmm_describe(r));
}

static void expect_out(const struct vmm_result *r, const char *text)
{
	if (strstr(r->out, text))
		return;
	show(r);
	fail_msg("expected \"%s\" on the guest console (stdout)", text);
}

static void expect_err(const struct vmm_result *r, const char *text)
{
	if (strcasestr(r->err, text))
		return;
	show(r);
	fail_msg("expected \"%s\" in vibevmm's messages (stderr)", text);
}

static void hello_prints_greeting_and_exits_0(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "hello", NULL, NULL);
	expect_status(&r, 0);
	if (strcmp(r.out, greeting) != 0) {
		show(&r);
		fail_msg("stdout must be exactly the greeting: nothing else is the guest's");
	}
	vmm_result_free(&r);
}

/* The acceptance command, on the default machine (bin/vibevmm). */
static void hello_on_default_machine(void **state)
{
	struct vmm_result r;

	need_kvm();
	if (access(VIBEVMM, X_OK) != 0)
		fail_msg("%s is not built", VIBEVMM);
	run_guest(&r, VIBEVMM, "hello", NULL, "--mem", "128M", NULL);
	expect_status(&r, 0);
	expect_out(&r, greeting);
	vmm_result_free(&r);
}

/* --log 4 traces every exit: one "IO out" line per byte sent to THR. */
static void hello_log4_traces_each_uart_write(void **state)
{
	static const char *const uart_out[] = { "VM exit", "out", "0x3f8", NULL };
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "hello", NULL, "--log", "4", NULL);
	expect_status(&r, 0);
	unsigned n = count_lines_with(r.err, uart_out);
	if (n != strlen(greeting)) {
		show(&r);
		fail_msg("expected %zu 'VM exit ... out ... 0x3f8' lines (one per character), got %u",
			 strlen(greeting), n);
	}
	vmm_result_free(&r);
}

static void pio_loop_exits_once_per_write(void **state)
{
	static const char *const null_port[] = { "VM exit", "0x510", NULL };
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "pio_loop", NULL, "--log", "4", NULL);
	expect_status(&r, 0);
	unsigned n = count_lines_with(r.err, null_port);
	if (n != 1000)
		fail_msg("expected 1000 'VM exit' lines for port 0x510, got %u", n);
	vmm_result_free(&r);
}

static void mmio_loop_reads_zero_from_null_device(void **state)
{
	static const char *const null_mmio[] = { "VM exit", "MMIO", "0xd0000000", NULL };
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "mmio_loop", NULL, "--log", "4", NULL);
	expect_status(&r, 0); /* 0x31: a read did not return 0 */
	unsigned n = count_lines_with(r.err, null_mmio);
	if (n != 1000)
		fail_msg("expected 1000 'VM exit ... MMIO' lines at 0xd0000000, got %u", n);
	vmm_result_free(&r);
}

static void unmapped_access_reads_all_ones_and_continues(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "unmapped_mmio", NULL, NULL);
	expect_status(&r, 0); /* 0x41..0x44 name the read that was not all ones */
	expect_err(&r, "c0000000"); /* the stray access is logged */
	vmm_result_free(&r);
}

static void outside_ram_is_logged_and_guest_continues(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "outside_ram", NULL, "--mem", "128M", NULL);
	expect_status(&r, 7); /* 0x53: the read past RAM was not all ones */
	expect_err(&r, "ff00000");
	vmm_result_free(&r);
}

static void hlt_with_interrupts_off_stops_the_vm(void **state)
{
	struct vmm_result r;
	struct vmm_opts o = { .timeout_ms = 10000 };

	need_kvm();
	run_guest(&r, TESTBED, "hlt", &o, NULL);
	expect_out(&r, "halting with interrupts off");
	if (r.timed_out || r.signaled) {
		show(&r);
		fail_msg("a vCPU halted for good must end the run; vibevmm %s", vmm_describe(&r));
	}
	if (r.status == 0x51)
		fail_msg("HLT with interrupts off returned to the guest");
	expect_status(&r, 0); /* documented: every vCPU halted is a finished guest */
	expect_err(&r, "halted");
	vmm_result_free(&r);
}

static void triple_fault_is_a_guest_crash(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "triple_fault", NULL, NULL);
	expect_status(&r, 3);
	expect_err(&r, "triple fault");
	vmm_result_free(&r);
}

static void int3_internal_error_is_a_guest_crash(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "crash_int3", NULL, NULL);
	expect_status(&r, 3);
	vmm_result_free(&r);
}

static void smp_both_vcpus_print(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "smp", NULL, NULL);
	expect_status(&r, 0); /* 0x71: vCPU 1 never ran; 0x72: bad index */
	expect_out(&r, "cpu 0\n");
	expect_out(&r, "cpu 1\n");
	vmm_result_free(&r);
}

static void real_mode_hello(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "real_mode", NULL, "--mode", "real", NULL);
	expect_status(&r, 0);
	expect_out(&r, "Hello from real mode!\n");
	vmm_result_free(&r);
}

static void protected_mode_hello(void **state)
{
	struct vmm_result r;

	need_kvm();
	run_guest(&r, TESTBED, "protected_mode", NULL, "--mode", "protected", NULL);
	expect_status(&r, 0);
	expect_out(&r, "Hello from protected mode!\n");
	vmm_result_free(&r);
}

static void uart_registers_behave_like_a_16550(void **state)
{
	struct vmm_result r;

	need_kvm();
	/* Input already in the FIFO must not confuse the loopback check. */
	struct vmm_opts o = { .stdin_data = "early input" };
	run_guest(&r, TESTBED, "uart_regs", &o, NULL);
	expect_status(&r, 0); /* 0x61..0x67: see uart_regs.S */
	expect_out(&r, "uart ok\n");
	if (strchr(r.out, 'Z')) {
		show(&r);
		fail_msg("a byte sent in loopback mode reached the console");
	}
	vmm_result_free(&r);
}

/* Piped stdin reaches the guest byte for byte (no escapes off a tty),
 * including a Ctrl-a. */
static void console_input_reaches_the_guest(void **state)
{
	struct vmm_result r;
	struct vmm_opts o = { .stdin_data = "ping\x01 pong q" };

	need_kvm();
	run_guest(&r, TESTBED, "echo", &o, NULL);
	expect_status(&r, 0);
	if (strcmp(r.out, "ping\x01 pong q") != 0) {
		show(&r);
		fail_msg("the guest should echo its input exactly");
	}
	vmm_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello_prints_greeting_and_exits_0),
		cmocka_unit_test(hello_on_default_machine),
		cmocka_unit_test(hello_log4_traces_each_uart_write),
		cmocka_unit_test(pio_loop_exits_once_per_write),
		cmocka_unit_test(mmio_loop_reads_zero_from_null_device),
		cmocka_unit_test(unmapped_access_reads_all_ones_and_continues),
		cmocka_unit_test(outside_ram_is_logged_and_guest_continues),
		cmocka_unit_test(hlt_with_interrupts_off_stops_the_vm),
		cmocka_unit_test(triple_fault_is_a_guest_crash),
		cmocka_unit_test(int3_internal_error_is_a_guest_crash),
		cmocka_unit_test(smp_both_vcpus_print),
		cmocka_unit_test(real_mode_hello),
		cmocka_unit_test(protected_mode_hello),
		cmocka_unit_test(uart_registers_behave_like_a_16550),
		cmocka_unit_test(console_input_reaches_the_guest),
	};
	return cmocka_run_group_tests_name("guest boot tests", tests, NULL, NULL);
}
