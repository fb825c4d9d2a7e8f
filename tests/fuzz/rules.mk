# tests/fuzz: libFuzzer targets (clang) and their plain-C replay test (gcc).
#
#   make fuzz-smoke                 build every target, run each FUZZ_SECONDS
#                                   (default 30) on its corpus, print a table
#                                   of executions; fails on any finding
#   make fuzz TARGET=x SECONDS=n    one longer run of target x
#   make fuzz-build                 just build build/fuzz/fuzz_<target>
# test_fuzz_replay (in TEST_BINS) replays every committed corpus and
# regression file through the same target code with the normal compiler,
# so `make test` needs no clang. See docs/architecture/security.md.

FUZZ_TARGETS := vibegen scalar virtqueue virtio_mmio arm64 kernel uart
FUZZ_CC      ?= clang
FUZZ_OUT     := build/fuzz
FUZZ_SECONDS ?= 30
FUZZ_INC     := -Icompiler -Iruntime/include -Iruntime -Iruntime/virtio -Itests/fuzz \
                $(YAML_CFLAGS) $(CRYPTO_CFLAGS)

# Code under test, per target (paths of .c files).
FUZZ_VIBEGEN_SRCS := $(filter-out compiler/main.c,$(wildcard compiler/*.c)) $(BUILD)/compiler/lexer.c
FUZZ_SRCS_vibegen     := $(FUZZ_VIBEGEN_SRCS)
FUZZ_SRCS_scalar      := compiler/diag.c compiler/expr.c $(BUILD)/compiler/lexer.c
FUZZ_SRCS_virtqueue   := runtime/virtio/virtqueue.c tests/fuzz/fuzz_mem.c
FUZZ_SRCS_virtio_mmio := runtime/virtio/virtqueue.c runtime/virtio/virtio_mmio.c tests/fuzz/fuzz_mem.c
FUZZ_SRCS_arm64       := $(addprefix runtime/arch/arm64/,esr.c insn.c s1walk.c emulate.c) tests/fuzz/fuzz_mem.c
FUZZ_SRCS_kernel      := runtime/arch/x86_64/bzimage.c runtime/arch/x86_64/boot_params.c tests/fuzz/fuzz_mem.c
FUZZ_SRCS_uart        := runtime/devices/uart8250.c tests/fuzz/fuzz_mem.c
FUZZ_LIBS := $(VIBEGEN_LIBS) -lpthread

# ---- libFuzzer builds: everything instrumented for coverage + ASan/UBSan;
# UBSan findings abort (no recover) so libFuzzer records them as crashes.
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=undefined $(WARN) $(CPPFLAGS_COMMON) $(FUZZ_INC)
FUZZ_LINK   := -fsanitize=fuzzer,address,undefined
FUZZ_BINS   := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

define FUZZ_BIN_RULE
$(FUZZ_OUT)/fuzz_$(1): $(FUZZ_OUT)/obj/tests/fuzz/fuzz_$(1).o $(FUZZ_OUT)/obj/tests/fuzz/fuzz_libfuzzer.o \
		$(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_SRCS_$(1)))
	$(FUZZ_CC) $(FUZZ_LINK) $$^ -o $$@ $(FUZZ_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_BIN_RULE,$(t))))

.PHONY: fuzz-build fuzz-smoke fuzz
fuzz-build: $(FUZZ_BINS)

fuzz-smoke: fuzz-build
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz: fuzz-build
	@test -n "$(TARGET)" || { echo "make fuzz TARGET=<$(FUZZ_TARGETS)> [SECONDS=n]" >&2; exit 2; }
	tests/fuzz/run.sh $(or $(SECONDS),600) $(TARGET)

# ---- replay test: the same target files with -DFUZZ_REPLAY, normal flags.
FUZZ_RP_OUT    := $(BUILD)/tests/fuzz
FUZZ_RP_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(FUZZ_INC) $(CMOCKA_CFLAGS) \
                  -DFUZZ_REPLAY -DFUZZ_SRCDIR='"$(CURDIR)/tests/fuzz"'
FUZZ_RP_SRCS   := $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c) tests/fuzz/test_fuzz_replay.c \
                  tests/fuzz/fuzz_mem.c runtime/virtio/virtqueue.c runtime/virtio/virtio_mmio.c \
                  $(FUZZ_SRCS_arm64) $(FUZZ_SRCS_kernel) runtime/devices/uart8250.c
FUZZ_RP_OBJS   := $(patsubst %.c,$(FUZZ_RP_OUT)/obj/%.o,$(sort $(FUZZ_RP_SRCS)))

$(FUZZ_RP_OUT)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(FUZZ_RP_CFLAGS) -c $< -o $@

# The compiler half links vibegen's own objects (VIBEGEN_LIB_OBJS).
$(FUZZ_RP_OUT)/test_fuzz_replay: $(FUZZ_RP_OBJS) $(VIBEGEN_LIB_OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS) $(FUZZ_LIBS)

TEST_BINS += $(FUZZ_RP_OUT)/test_fuzz_replay
