# Tests: each area's fragment (tests/<area>/rules.mk) appends cmocka binaries
# to TEST_BINS; `make test` builds them all and scripts/run-tests.sh runs them
# and prints the total, so one failing binary does not hide the others.
TEST_BINS :=
TEST_DEPS :=
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

include $(sort $(wildcard tests/*/rules.mk))

# The Linux test bed writes its images (which hold the vibevmm under test)
# under this build's folder, so make test SAN=1 keeps its sanitized copies
# in build/san and never makes the plain build's images stale.
test: $(TEST_BINS) $(TEST_DEPS)
	VIBE_LINUX_OUT=$(abspath $(BUILD)/tests/linux) scripts/run-tests.sh $(TEST_BINS)
