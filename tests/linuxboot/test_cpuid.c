/*
 * Per-vCPU CPUID (runtime/arch/x86_64/cpuid.c): topology for 1, 2 and 4
 * vCPUs, hypervisor signature, what is hidden; the reset MSR list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "arch/x86_64/cpuid.h"

#define SIG HV_CPUID_SIGNIFICANT_INDEX

/* A plausible KVM_GET_SUPPORTED_CPUID answer (Intel, or AMD when `amd`). */
static unsigned supported(struct hv_cpuid_entry *s, int amd)
{
	unsigned n = 0;

	if (amd) /* "AuthenticAMD" */
		s[n++] = (struct hv_cpuid_entry){ 0, 0, 0, 0xd, 0x68747541, 0x444d4163, 0x69746e65 };
	else     /* "GenuineIntel" */
		s[n++] = (struct hv_cpuid_entry){ 0, 0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69 };
	s[n++] = (struct hv_cpuid_entry){ 1, 0, 0, 0x806c1, 0x00000000, 0x76fa3203, 0x078bfbff };
	s[n++] = (struct hv_cpuid_entry){ 4, 0, SIG, 0x1c004121, 0x02c0003f, 0x3f, 0 }; /* L1d */
	s[n++] = (struct hv_cpuid_entry){ 4, 1, SIG, 0x1c004122, 0x01c0003f, 0x3f, 0 }; /* L1i */
	s[n++] = (struct hv_cpuid_entry){ 4, 2, SIG, 0x1c004143, 0x0240003f, 0x3ff, 0 }; /* L2 */
	s[n++] = (struct hv_cpuid_entry){ 4, 3, SIG, 0x1c03c163, 0x02c0003f, 0x2fff, 6 }; /* L3 */
	s[n++] = (struct hv_cpuid_entry){ 4, 4, SIG, 0, 0, 0, 0 };
	s[n++] = (struct hv_cpuid_entry){ 0xa, 0, 0, 0x07300805, 0, 0, 0x603 };
	s[n++] = (struct hv_cpuid_entry){ 0xb, 0, SIG, 1, 2, 0x100, 7 };
	s[n++] = (struct hv_cpuid_entry){ 0xb, 1, SIG, 4, 8, 0x201, 7 };
	s[n++] = (struct hv_cpuid_entry){ 0x1f, 0, SIG, 1, 2, 0x100, 7 };
	s[n++] = (struct hv_cpuid_entry){ 0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d };
	s[n++] = (struct hv_cpuid_entry){ 0x40000001, 0, 0, 0x01007afb, 0, 0, 0 };
	s[n++] = (struct hv_cpuid_entry){ 0x80000000, 0, 0, 0x8000001e, 0, 0, 0 };
	s[n++] = (struct hv_cpuid_entry){ 0x80000001, 0, 0, 0, 0, 0x00000125, 0x2c100800 };
	s[n++] = (struct hv_cpuid_entry){ 0x80000008, 0, 0, 0x3030, 0, 0x7007, 0 };
	s[n++] = (struct hv_cpuid_entry){ 0x8000001e, 0, 0, 0x11, 0x100, 0x300, 0 };
	return n;
}

static const struct hv_cpuid_entry *get(const struct hv_cpuid_entry *t, int n,
					uint32_t fn, uint32_t idx)
{
	const struct hv_cpuid_entry *e = vibe_cpuid_find(t, (unsigned)n, fn, idx);

	if (!e)
		fail_msg("leaf 0x%x.%u missing", fn, idx);
	return e;
}

static void check_topology(unsigned nvcpus, int amd)
{
	struct hv_cpuid_entry sup[32], out[64];
	unsigned nsup = supported(sup, amd);
	unsigned shift = nvcpus == 1 ? 0 : nvcpus == 2 ? 1 : 2;

	for (unsigned v = 0; v < nvcpus; v++) {
		int n = vibe_cpuid_for_vcpu(sup, nsup, v, nvcpus, out, 64);
		const struct hv_cpuid_entry *e;

		assert_true(n > 0);
		e = get(out, n, 1, 0);
		assert_int_equal(e->ebx >> 24, v);                       /* initial APIC ID */
		assert_int_equal((e->ebx >> 16) & 0xff, nvcpus > 1 ? 1u << shift : 1);
		assert_int_equal((e->ebx >> 8) & 0xff, 8);               /* CLFLUSH 64 B */
		assert_true(e->ecx & (1u << 31));                        /* hypervisor */
		assert_false(e->ecx & (1u << 5));                        /* no VMX */
		assert_int_equal(!!(e->edx & (1u << 28)), nvcpus > 1);   /* HTT */

		e = get(out, n, 0xb, 0);
		assert_int_equal(e->eax & 0x1f, 0);
		assert_int_equal(e->ebx & 0xffff, 1);
		assert_int_equal((e->ecx >> 8) & 0xff, 1);               /* SMT */
		assert_int_equal(e->edx, v);
		e = get(out, n, 0xb, 1);
		assert_int_equal(e->eax & 0x1f, shift);
		assert_int_equal(e->ebx & 0xffff, nvcpus);
		assert_int_equal(e->ecx, 0x201);                         /* core, sub-leaf 1 */
		assert_int_equal(e->edx, v);
		e = get(out, n, 0xb, 2);
		assert_int_equal((e->ecx >> 8) & 0xff, 0);               /* terminator */
		assert_int_equal(get(out, n, 0x1f, 1)->ebx, nvcpus);

		e = get(out, n, 4, 0);                                   /* L1d: per core */
		assert_int_equal(e->eax >> 26, nvcpus - 1);
		assert_int_equal((e->eax >> 14) & 0xfff, 0);
		assert_int_equal(e->eax & 0x3fff, 0x0121);               /* type/level kept */
		e = get(out, n, 4, 3);                                   /* L3: shared */
		assert_int_equal(e->eax >> 26, nvcpus - 1);
		assert_int_equal((e->eax >> 14) & 0xfff, nvcpus - 1);
		assert_int_equal(get(out, n, 4, 4)->eax, 0);

		e = get(out, n, 0x40000000, 0);
		assert_memory_equal(&e->ebx, "KVMK", 4);
		assert_memory_equal(&e->ecx, "VMKV", 4);
		assert_memory_equal(&e->edx, "M\0\0\0", 4);
		assert_true(e->eax >= 0x40000001);
		assert_int_equal(get(out, n, 0x40000001, 0)->eax, 0x01007afb);

		assert_int_equal(get(out, n, 0xa, 0)->eax, 0);           /* no PMU */
		assert_false(get(out, n, 0x80000001, 0)->ecx & (1u << 2)); /* no SVM */
		e = get(out, n, 0x80000008, 0);
		if (amd) {
			assert_int_equal(e->ecx & 0xff, nvcpus - 1);
			assert_int_equal((e->ecx >> 12) & 0xf, shift);
			assert_int_equal(get(out, n, 0x8000001e, 0)->eax, v);
		} else {
			assert_int_equal(e->ecx, 0x7007);                /* untouched */
		}
		/* Exactly one 0x40000000, one 0xB sub-leaf 0 (no duplicates). */
		int c40 = 0, cb0 = 0;
		for (int i = 0; i < n; i++) {
			c40 += out[i].function == 0x40000000;
			cb0 += out[i].function == 0xb && out[i].index == 0;
		}
		assert_int_equal(c40, 1);
		assert_int_equal(cb0, 1);
	}
}

static void test_topology_1_vcpu(void **state) { check_topology(1, 0); }
static void test_topology_2_vcpus(void **state) { check_topology(2, 0); }
static void test_topology_4_vcpus(void **state) { check_topology(4, 0); }
static void test_topology_2_vcpus_amd(void **state) { check_topology(2, 1); }
static void test_topology_4_vcpus_amd(void **state) { check_topology(4, 1); }

static void test_signature_added_when_missing_and_bad_args(void **state)
{
	struct hv_cpuid_entry sup[2] = {
		{ 0, 0, 0, 1, 0x756e6547, 0x6c65746e, 0x49656e69 },
		{ 1, 0, 0, 0x806c1, 0, 0, 0 },
	};
	struct hv_cpuid_entry out[16];
	int n = vibe_cpuid_for_vcpu(sup, 2, 0, 1, out, 16);

	assert_int_equal(n, 3);
	assert_non_null(vibe_cpuid_find(out, 3, 0x40000000, 0));
	assert_null(vibe_cpuid_find(out, 3, 0xb, 0)); /* not invented when unsupported */
	assert_int_equal(vibe_cpuid_for_vcpu(sup, 2, 0, 1, out, 2), -1);
	assert_int_equal(vibe_cpuid_for_vcpu(sup, 2, 1, 1, out, 16), -1);
	assert_int_equal(vibe_cpuid_for_vcpu(sup, 2, 0, 0, out, 16), -1);
}

static void test_boot_msrs(void **state)
{
	int misc = 0, mtrr = 0, lstar = 0;

	for (unsigned i = 0; i < vibe_x86_boot_msrs_count; i++) {
		const struct hv_msr *m = &vibe_x86_boot_msrs[i];

		if (m->index == 0x1a0) { misc = 1; assert_true(m->data & 1); }
		if (m->index == 0x2ff) { mtrr = 1; assert_int_equal(m->data, 0x806); }
		if (m->index == 0xc0000082) { lstar = 1; assert_int_equal(m->data, 0); }
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(vibe_x86_boot_msrs[j].index, m->index);
	}
	assert_true(misc && mtrr && lstar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topology_1_vcpu),
		cmocka_unit_test(test_topology_2_vcpus),
		cmocka_unit_test(test_topology_4_vcpus),
		cmocka_unit_test(test_topology_2_vcpus_amd),
		cmocka_unit_test(test_topology_4_vcpus_amd),
		cmocka_unit_test(test_signature_added_when_missing_and_bad_args),
		cmocka_unit_test(test_boot_msrs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
