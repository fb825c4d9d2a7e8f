# Emitter round trip: hostile strings and colliding names through
# emit_machine_c/h, compiled with -Werror, read back by a cmocka test.
EMIT_DIR := $(BUILD)/tests/emit
EMIT_CC   = $(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -D_GNU_SOURCE
EMIT_COBJS := $(BUILD)/tests/decode/obj/decode.o $(BUILD)/tests/decode/obj/emit_c.o \
	      $(BUILD)/tests/decode/obj/emit_util.o

$(EMIT_DIR)/gen_hostile: tests/emit/gen_hostile.c tests/emit/hostile.h $(EMIT_COBJS)
	@mkdir -p $(@D)
	$(EMIT_CC) -Icompiler -Itests/emit tests/emit/gen_hostile.c $(EMIT_COBJS) -o $@

$(EMIT_DIR)/gen/machine.c: $(EMIT_DIR)/gen_hostile
	@mkdir -p $(@D)
	$< $(@D)

$(EMIT_DIR)/gen/machine.o: $(EMIT_DIR)/gen/machine.c runtime/include/vibe/machine.h
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -Wshadow $(SANFLAGS) -Iruntime/include -c $< -o $@

$(EMIT_DIR)/test_emit_strings: tests/emit/test_emit_strings.c tests/emit/hostile.h $(EMIT_DIR)/gen/machine.o
	$(EMIT_CC) $(CMOCKA_CFLAGS) -I$(EMIT_DIR)/gen -Iruntime/include -Itests/emit \
	  tests/emit/test_emit_strings.c $(EMIT_DIR)/gen/machine.o $(CMOCKA_LIBS) -o $@

TEST_BINS += $(EMIT_DIR)/test_emit_strings
