# vibegen front-end tests (cmocka).
#   test_lexer     the re2c scalar lexer and the expression evaluator
#   test_validate  valid machines: defaults, auto-placement, sorting
#   test_corpus    every tests/corpus/*.yaml fails with its stated position
#                  and message (runs this BUILD's $(BIN)/vibegen, so under
#                  SAN=1 the sanitized binary is the one checked)
#   test_schema    schema/machine.schema.json == vibegen --emit-schema

COMPILER_TEST_DIR := $(BUILD)/tests/compiler
COMPILER_TEST_CFLAGS = $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) \
	-Icompiler -DVIBEGEN='"$(abspath $(BIN)/vibegen)"' -DSRCDIR='"$(abspath .)"'

# Unit tests link the compiler's objects (everything but main.o).
$(COMPILER_TEST_DIR)/test_lexer $(COMPILER_TEST_DIR)/test_validate: \
		$(COMPILER_TEST_DIR)/%: tests/compiler/%.c $(VIBEGEN_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(COMPILER_TEST_CFLAGS) -o $@ $(filter %.c %.o,$^) $(VIBEGEN_LIBS) $(CMOCKA_LIBS)

# These run the vibegen binary itself.
$(COMPILER_TEST_DIR)/test_corpus $(COMPILER_TEST_DIR)/test_schema: \
		$(COMPILER_TEST_DIR)/%: tests/compiler/%.c tests/compiler/run.h $(BIN)/vibegen
	@mkdir -p $(@D)
	$(CC) $(COMPILER_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(addprefix $(COMPILER_TEST_DIR)/,test_lexer test_validate test_corpus test_schema)
TEST_DEPS += $(BIN)/vibegen
