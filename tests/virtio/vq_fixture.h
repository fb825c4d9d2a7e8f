/*
 * Shared set-up for the virtqueue tests (test_virtqueue.c,
 * test_virtqueue_random.c): one queue of QSZ entries with its rings in
 * fake guest memory (fake_guest.h), and helpers that play the driver.
 */
#ifndef TEST_VQ_FIXTURE_H
#define TEST_VQ_FIXTURE_H

#include <stdint.h>

#include "fake_guest.h"
#include "virtqueue.h"

#define QSZ   8
#define DESC  0x1000ull  /* in R0 */
#define AVAIL 0x2000ull
#define USED  0x3000ull
#define BUF   0x4000ull
#define ITAB  0x21000ull /* indirect tables live in R1 */

#define F_INDIRECT (1ull << VIRTIO_F_INDIRECT_DESC)
#define F_EVENT    (1ull << VIRTIO_F_EVENT_IDX)

extern struct virtq vq;
extern struct virtq_iov iov[64];
extern struct virtq_chain ch;
extern uint16_t drv_avail_idx; /* the "driver's" next avail idx */

void set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len,
	      uint16_t flags, uint16_t next);
struct virtq_avail *avail(void);
struct virtq_used *used(void);
uint16_t *avail_event(void); /* le16 just past the used ring (§2.7.8) */
void offer(uint16_t head);   /* driver: make `head` available */
void setup_features(uint64_t features); /* fresh memory, queue set up */
int setup(void **s);         /* setup_features(F_INDIRECT) */
int teardown(void **s);
enum virtq_err pop_head(uint16_t head); /* offer, then pop into iov/ch */

#endif
