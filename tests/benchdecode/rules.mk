# make bench-decode: a benchmark, not a test (not in TEST_BINS). Sources are
# in tests/bench/decode/. No sanitizers: they would distort the numbers; the
# lookups are built with the project's normal $(CFLAGS).
BDEC_DIR := $(BUILD)/bench/decode
BDEC_CC   = $(CC) $(CFLAGS) $(WARN) -D_GNU_SOURCE

$(BDEC_DIR)/decode.o: compiler/decode.c compiler/decode.h compiler/emit_util.h
	@mkdir -p $(@D)
	$(BDEC_CC) -Icompiler -c $< -o $@

$(BDEC_DIR)/emit_util.o: compiler/emit_util.c compiler/emit_util.h compiler/model.h
	@mkdir -p $(@D)
	$(BDEC_CC) -Icompiler -c $< -o $@

$(BDEC_DIR)/gen_bench: tests/bench/decode/gen_bench.c $(BDEC_DIR)/decode.o $(BDEC_DIR)/emit_util.o
	$(BDEC_CC) -Icompiler $^ -o $@

$(BDEC_DIR)/layouts.c: $(BDEC_DIR)/gen_bench
	$< $@

$(BDEC_DIR)/bench_decode: tests/bench/decode/bench_decode.c tests/bench/decode/search.c \
		$(BDEC_DIR)/layouts.c tests/bench/decode/bench.h
	$(BDEC_CC) -Itests/bench/decode tests/bench/decode/bench_decode.c \
	  tests/bench/decode/search.c $(BDEC_DIR)/layouts.c -o $@

bench-decode: $(BDEC_DIR)/bench_decode
	$<
