# Decode-tree tests: gen_layouts runs vibegen's emitters (linked from the
# compiler sources) on DEC_N random layouts; each generated machine.c is
# compiled with its public symbols renamed so all of them link into one
# test binary next to a brute-force reference.
DEC_DIR   := $(BUILD)/tests/decode
DEC_N     := 40
DEC_SEED  ?= 0x5eed
DEC_IDS   := $(shell seq 0 $$(($(DEC_N) - 1)))
DEC_LOBJS := $(foreach k,$(DEC_IDS),$(DEC_DIR)/gen/l$(k).o)
DEC_COBJS := $(DEC_DIR)/obj/decode.o $(DEC_DIR)/obj/emit_c.o $(DEC_DIR)/obj/emit_util.o
DEC_CC     = $(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -D_GNU_SOURCE

$(DEC_DIR)/obj/%.o: compiler/%.c compiler/decode.h compiler/emit_util.h compiler/model.h
	@mkdir -p $(@D)
	$(DEC_CC) -Icompiler -c $< -o $@

$(DEC_DIR)/gen_layouts: tests/decode/gen_layouts.c $(DEC_COBJS)
	$(DEC_CC) -Icompiler $^ -o $@

$(DEC_DIR)/gen/stamp: $(DEC_DIR)/gen_layouts
	rm -rf $(DEC_DIR)/gen
	$< $(DEC_DIR)/gen $(DEC_N) $(DEC_SEED)
	touch $@

# Generated code must build with the strictest flags we use anywhere
# (-Wextra without -Wno-unused-parameter).
$(DEC_DIR)/gen/l%.o: $(DEC_DIR)/gen/stamp runtime/include/vibe/machine.h
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -Wshadow $(SANFLAGS) -Iruntime/include \
	  -Dvibe_machine=vibe_machine_$* -Dvibe_decode_ram=vibe_decode_ram_$* \
	  -Dvibe_decode_mmio=vibe_decode_mmio_$* -Dvibe_decode_pio=vibe_decode_pio_$* \
	  -c $(DEC_DIR)/gen/l$*/machine.c -o $@

$(DEC_DIR)/test_decode: tests/decode/test_decode.c $(DEC_LOBJS) $(DEC_DIR)/obj/decode.o $(DEC_DIR)/obj/emit_util.o
	$(DEC_CC) $(CMOCKA_CFLAGS) -I$(DEC_DIR)/gen -Iruntime/include -Icompiler \
	  tests/decode/test_decode.c $(DEC_LOBJS) $(DEC_DIR)/obj/decode.o $(DEC_DIR)/obj/emit_util.o \
	  $(CMOCKA_LIBS) -o $@

TEST_BINS += $(DEC_DIR)/test_decode
