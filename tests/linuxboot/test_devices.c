/*
 * The boot-time devices: acpi-pm (S5 power-off, reset register), i8042
 * (reset line, probe answers) and boot-timer (the stderr line), driven
 * through their ops tables exactly as the vCPU loop calls them, with the
 * VM's exit and IRQ calls recorded by the stubs below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vibe/acpi_pm.h"
#include "vibe/device.h"
#include "vibe/log.h"
#include "vm.h"

extern const struct vibe_device_ops vibe_dev_acpi_pm_ops, vibe_dev_i8042_ops,
	vibe_dev_boot_timer_ops;

/* ---- stubs for what the runtime core provides ------------------------ */
static int exit_requests, exit_status, irq_pulses;

void vibe_vm_request_exit(struct vibe_vm *vm, int status)
{
	if (!exit_requests++)
		exit_status = status;
}
int vibe_vm_irq_line(struct vibe_vm *vm, unsigned irq, int level)
{
	irq_pulses += level;
	return 0;
}
int vibe_log_level = 0;
void vibe_log(int level, const char *fmt, ...) { }
int vibe_ratelimit_ok(struct vibe_ratelimit *rl) { return 1; }

/* ---- helpers ----------------------------------------------------------- */
static struct vibe_vm vm;

static void dev_open(struct vibe_dev *d, struct vibe_dev_desc *desc,
		     const struct vibe_device_ops *ops, const char *type, int irq)
{
	memset(desc, 0, sizeof(*desc));
	desc->name = "t";
	desc->type = type;
	desc->ops = ops;
	desc->irq = irq;
	memset(d, 0, sizeof(*d));
	d->desc = desc;
	d->vm = &vm;
	if (ops->init)
		assert_int_equal(ops->init(d), 0);
	exit_requests = exit_status = irq_pulses = 0;
}

static void dev_close(struct vibe_dev *d)
{
	if (d->desc->ops->destroy)
		d->desc->ops->destroy(d);
}

/* ---- acpi-pm ------------------------------------------------------------ */
static void test_acpi_pm_s5_powers_off(void **state)
{
	struct vibe_dev d;
	struct vibe_dev_desc desc;
	const struct vibe_device_ops *o = &vibe_dev_acpi_pm_ops;
	uint16_t typ = VIBE_ACPI_S5_SLP_TYP << VIBE_ACPI_SLP_TYP_SHIFT;

	dev_open(&d, &desc, o, "acpi-pm", 9);
	/* ACPI mode is on from the start (no SMI_CMD hand-over). */
	assert_true(o->read(&d, VIBE_ACPI_PM1_CNT_OFF, 2) & VIBE_ACPI_SCI_EN);
	/* PM1_EN reads back, PM1_STS stays clear. */
	o->write(&d, 2, 2, 0x0120);
	assert_int_equal(o->read(&d, 2, 2), 0x0120);
	o->write(&d, 0, 2, 0xffff);
	assert_int_equal(o->read(&d, 0, 2), 0);
	/* ACPICA writes SLP_TYP first, then SLP_TYP | SLP_EN. */
	o->write(&d, VIBE_ACPI_PM1_CNT_OFF, 2, typ);
	assert_int_equal(exit_requests, 0);
	o->write(&d, VIBE_ACPI_PM1_CNT_OFF, 2, typ | VIBE_ACPI_SLP_EN);
	assert_int_equal(exit_requests, 1);
	assert_int_equal(exit_status, 0);
	dev_close(&d);
}

static void test_acpi_pm_other_sleep_states_and_bytes(void **state)
{
	struct vibe_dev d;
	struct vibe_dev_desc desc;
	const struct vibe_device_ops *o = &vibe_dev_acpi_pm_ops;

	dev_open(&d, &desc, o, "acpi-pm", 9);
	/* S3-like type with SLP_EN: ignored, not a power-off. */
	o->write(&d, VIBE_ACPI_PM1_CNT_OFF, 2, (1u << VIBE_ACPI_SLP_TYP_SHIFT) | VIBE_ACPI_SLP_EN);
	assert_int_equal(exit_requests, 0);
	/* Byte-wise write of the high byte with S5 | SLP_EN also counts. */
	o->write(&d, VIBE_ACPI_PM1_CNT_OFF + 1, 1,
		 ((VIBE_ACPI_S5_SLP_TYP << VIBE_ACPI_SLP_TYP_SHIFT) | VIBE_ACPI_SLP_EN) >> 8);
	assert_int_equal(exit_requests, 1);
	dev_close(&d);
}

static void test_acpi_pm_reset_register_reboots(void **state)
{
	struct vibe_dev d;
	struct vibe_dev_desc desc;
	const struct vibe_device_ops *o = &vibe_dev_acpi_pm_ops;

	dev_open(&d, &desc, o, "acpi-pm", 9);
	o->write(&d, VIBE_ACPI_RESET_OFF, 1, 0x01);
	assert_int_equal(exit_requests, 0);
	o->write(&d, VIBE_ACPI_RESET_OFF, 1, VIBE_ACPI_RESET_VALUE);
	assert_int_equal(exit_requests, 1);
	assert_int_equal(exit_status, 0);
	dev_close(&d);
}

/* ---- i8042 -------------------------------------------------------------- */
static void test_i8042_reset_line_ends_the_vm(void **state)
{
	struct vibe_dev d;
	struct vibe_dev_desc desc;
	const struct vibe_device_ops *o = &vibe_dev_i8042_ops;

	dev_open(&d, &desc, o, "i8042", 1);
	/* Linux's kb_wait: input buffer empty at once. */
	assert_int_equal(o->read(&d, 4, 1) & 0x02, 0);
	o->write(&d, 4, 1, 0xff); /* pulse nothing */
	assert_int_equal(exit_requests, 0);
	o->write(&d, 4, 1, 0xfe);
	assert_int_equal(exit_requests, 1);
	assert_int_equal(exit_status, 0);
	dev_close(&d);

	/* The other classic way: write the output port with bit 0 clear. */
	dev_open(&d, &desc, o, "i8042", -1);
	o->write(&d, 4, 1, 0xd1);
	o->write(&d, 0, 1, 0x02);
	assert_int_equal(exit_requests, 1);
	dev_close(&d);
}

static uint8_t cmd_reply(struct vibe_dev *d, uint8_t cmd)
{
	const struct vibe_device_ops *o = d->desc->ops;

	o->write(d, 4, 1, cmd);
	assert_true(o->read(d, 4, 1) & 0x01); /* answered at once: OBF */
	return (uint8_t)o->read(d, 0, 1);
}

static void test_i8042_answers_probes_at_once(void **state)
{
	struct vibe_dev d;
	struct vibe_dev_desc desc;
	const struct vibe_device_ops *o = &vibe_dev_i8042_ops;

	dev_open(&d, &desc, o, "i8042", 1);
	assert_int_equal(cmd_reply(&d, 0xaa), 0x55);      /* self test */
	assert_int_equal(cmd_reply(&d, 0xab), 0x00);      /* kbd port test */
	assert_int_not_equal(cmd_reply(&d, 0xa9), 0x00);  /* no AUX port */
	o->write(&d, 4, 1, 0x60);                         /* write CTR */
	o->write(&d, 0, 1, 0x65);
	assert_int_equal(cmd_reply(&d, 0x20), 0x65);
	assert_false(o->read(&d, 4, 1) & 0x01);           /* buffer empty again */
	/* AUX loop echoes without the AUX flag: Linux concludes "no AUX". */
	o->write(&d, 4, 1, 0xd3);
	o->write(&d, 0, 1, 0x5a);
	assert_int_equal(o->read(&d, 4, 1) & 0x21, 0x01);
	assert_int_equal(o->read(&d, 0, 1), 0x5a);
	/* Keyboard commands are ACKed, with an IRQ when enabled in the CTR. */
	irq_pulses = 0;
	o->write(&d, 0, 1, 0xf2);
	assert_int_equal(o->read(&d, 0, 1), 0xfa);
	assert_int_equal(o->read(&d, 0, 1), 0xab);
	assert_int_equal(o->read(&d, 0, 1), 0x83);
	assert_true(irq_pulses >= 1);
	assert_int_equal(exit_requests, 0);
	dev_close(&d);
}

/* ---- boot-timer --------------------------------------------------------- */
static void test_boot_timer_prints_one_line_on_magic(void **state)
{
	struct vibe_dev d;
	struct vibe_dev_desc desc;
	const struct vibe_device_ops *o = &vibe_dev_boot_timer_ops;
	char path[] = "/tmp/vibe-boot-timer-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char out[512] = "";
	regex_t re;
	FILE *f;

	assert_true(fd >= 0 && saved >= 0);
	dev_open(&d, &desc, o, "boot-timer", -1);
	fflush(stderr);
	dup2(fd, 2);
	o->write(&d, 0, 1, 122);  /* wrong magic: nothing */
	o->write(&d, 8, 1, 123);  /* wrong offset: nothing */
	o->write(&d, 0, 1, 123);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	assert_true(fread(out, 1, sizeof(out) - 1, f) > 0);
	fclose(f);
	unlink(path);
	assert_int_equal(regcomp(&re, "^boot-timer: guest init reached after [0-9]+\\.[0-9]{3} ms\n$",
				 REG_EXTENDED), 0);
	if (regexec(&re, out, 0, NULL, 0) != 0)
		fail_msg("unexpected boot-timer output: \"%s\"", out);
	regfree(&re);
	assert_int_equal(o->read(&d, 0, 4), 0);
	dev_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acpi_pm_s5_powers_off),
		cmocka_unit_test(test_acpi_pm_other_sleep_states_and_bytes),
		cmocka_unit_test(test_acpi_pm_reset_register_reboots),
		cmocka_unit_test(test_i8042_reset_line_ends_the_vm),
		cmocka_unit_test(test_i8042_answers_probes_at_once),
		cmocka_unit_test(test_boot_timer_prints_one_line_on_magic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
