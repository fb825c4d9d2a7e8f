# Snapshot and restore (docs/architecture/snapshots.md): the cmocka test
# runs the count guest (tests/guests/count.S) under the testbed vibevmm,
# and restores onto bin/vibevmm for the other-machine refusal.
# bench-snapshot (not a test): the same guest with 64 MiB dirtied, on a
# 256 MiB testbed guest; see tests/snapshot/bench_snapshot.c.

SNAP_UTIL := tests/snapshot/snap_util.c tests/snapshot/snap_util.h
SNAP_CFLAGS = -Itests/snapshot -DGUEST_DIR='"$(abspath $(GUEST_DIR))"' \
	-DTESTBED='"$(abspath $(TESTBED))"' -DVIBEVMM='"$(abspath $(BIN)/vibevmm)"'

$(BUILD)/tests/snapshot/test_snapshot: tests/snapshot/test_snapshot.c $(SNAP_UTIL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) $(SNAP_CFLAGS) \
		-o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(BUILD)/tests/snapshot/test_snapshot
TEST_DEPS += $(GUEST_DIR)/count.bin $(GUEST_DIR)/count_fast.bin $(TESTBED) $(BIN)/vibevmm

# count without the spin: it is nearly always in or next to a port I/O
# exit, where a pause must first complete the pending access.
$(GUEST_DIR)/count_fast.o: tests/guests/count.S tests/guests/guest.inc
	@mkdir -p $(@D)
	$(AS) --64 -I tests/guests --defsym SPIN=1 -o $@ $<

# The bench guest: count.S dirtying 64 MiB before it counts, no spin.
$(GUEST_DIR)/count_touch64.o: tests/guests/count.S tests/guests/guest.inc
	@mkdir -p $(@D)
	$(AS) --64 -I tests/guests --defsym TOUCH_MB=64 --defsym SPIN=1 -o $@ $<

$(BUILD)/tests/snapshot/bench_snapshot: tests/snapshot/bench_snapshot.c $(SNAP_UTIL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_COMMON) $(SNAP_CFLAGS) -o $@ $(filter %.c,$^)

bench-snapshot: $(BUILD)/tests/snapshot/bench_snapshot $(GUEST_DIR)/count_touch64.bin $(GUEST_DIR)/count.bin $(TESTBED)
	$(BUILD)/tests/snapshot/bench_snapshot
.PHONY: bench-snapshot

# vibe-api: a static Unix-socket client for the Linux test bed's
# snapshot_linux case (L1 has busybox only).
VIBE_API_L1 := $(BUILD)/tests/linux/l1-bin/vibe-api
$(VIBE_API_L1): tests/snapshot/vibe_api.c $(SNAP_UTIL)
	@mkdir -p $(@D)
	$(CC) -static -O2 $(WARN) -D_GNU_SOURCE -Itests/snapshot -o $@ $(filter %.c,$^)
TEST_DEPS += $(VIBE_API_L1)
