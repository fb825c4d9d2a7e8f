# bench-exit (a benchmark, not a test: nothing here joins TEST_BINS).
# The pio_loop and mmio_loop guests are assembled again with N exits and
# with none, and run under the testbed vibevmm and under floor.c, the bare
# KVM_RUN loop; tests/bench/exit/bench-exit.sh prints the table.
#   make bench-exit BENCH_EXITS=1000000 BENCH_RUNS=5
BENCH_EXITS ?= 1000000
BENCH_RUNS  ?= 5
BENCHEXIT_DIR := $(BUILD)/tests/benchexit
BENCHEXIT_BINS := $(foreach k,pio mmio,$(foreach n,0 $(BENCH_EXITS),$(BENCHEXIT_DIR)/$(k)_loop_$(n).bin))

# NAME_N.bin: tests/guests/NAME.S with --defsym N=N.
$(BENCHEXIT_DIR)/%.bin: tests/guests/guest.inc tests/guests/pio_loop.S tests/guests/mmio_loop.S
	@mkdir -p $(@D)
	$(AS) --64 -I tests/guests --defsym N=$(lastword $(subst _, ,$*)) -o $(@:.bin=.o) \
		tests/guests/$(patsubst %_$(lastword $(subst _, ,$*)),%,$*).S
	$(GUEST_LD) -m elf_x86_64 -nostdlib -Ttext=0x10000 -e _start -o $(@:.bin=.elf) $(@:.bin=.o)
	$(OBJCOPY) -O binary -j .text $(@:.bin=.elf) $@

$(BENCHEXIT_DIR)/floor: tests/bench/exit/floor.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_COMMON) -o $@ $<

bench-exit: $(BENCHEXIT_BINS) $(BENCHEXIT_DIR)/floor $(TESTBED)
	tests/bench/exit/bench-exit.sh $(TESTBED) $(BENCHEXIT_DIR)/floor $(BENCHEXIT_DIR) $(BENCH_EXITS) $(BENCH_RUNS)
