/*
 * Shared set-up for the virtqueue tests: see vq_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vq_fixture.h"

struct virtq vq;
struct virtq_iov iov[64];
struct virtq_chain ch;
uint16_t drv_avail_idx;

void set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len,
	      uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next }; /* host is little-endian */
	memcpy(fake_host(table + 16ull * i), &d, sizeof(d));
}

struct virtq_avail *avail(void) { return fake_host(AVAIL); }
struct virtq_used *used(void) { return fake_host(USED); }
/* le16 avail_event just past the used ring (§2.7.8) */
uint16_t *avail_event(void) { return fake_host(USED + 4 + 8 * QSZ); }

void offer(uint16_t head)
{
	avail()->ring[drv_avail_idx % QSZ] = head;
	avail()->idx = ++drv_avail_idx;
}

void setup_features(uint64_t features)
{
	fake_guest_init();
	drv_avail_idx = 0;
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(virtq_setup(&vq, fake_vm, QSZ, DESC, AVAIL, USED, features), VIRTQ_OK);
}

int setup(void **s) { (void)s; setup_features(F_INDIRECT); return 0; }
int teardown(void **s) { (void)s; fake_guest_fini(); return 0; }

enum virtq_err pop_head(uint16_t head)
{
	offer(head);
	return virtq_pop(&vq, iov, 64, &ch);
}
