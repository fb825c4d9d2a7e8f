# vibegen: the machine-file compiler.
#   $(BIN)/vibegen from compiler/*.c plus the re2c scalar lexer (lexer.re).
#   The generation rule the runtime build depends on.
#   install-vibegen: $(DESTDIR)$(PREFIX)/bin/vibegen

YAML_CFLAGS   := $(shell $(PKG_CONFIG) --cflags yaml-0.1)
YAML_LIBS     := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
CRYPTO_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcrypto)
CRYPTO_LIBS   := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)

VIBEGEN_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(YAML_CFLAGS) $(CRYPTO_CFLAGS) \
                  -Icompiler
# libfdt: the arm64 guest device tree (emit_fdt.c).
VIBEGEN_LIBS   := $(YAML_LIBS) $(CRYPTO_LIBS) -lfdt

VIBEGEN_OBJS := $(patsubst compiler/%.c,$(BUILD)/compiler/%.o,$(wildcard compiler/*.c)) \
                $(BUILD)/compiler/lexer.o
# Everything but main(): what the unit tests link against.
VIBEGEN_LIB_OBJS := $(filter-out $(BUILD)/compiler/main.o,$(VIBEGEN_OBJS))

all: $(BIN)/vibegen

$(BIN)/vibegen: $(VIBEGEN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(VIBEGEN_LIBS)

$(BUILD)/compiler/%.o: compiler/%.c
	@mkdir -p $(@D)
	$(CC) $(VIBEGEN_CFLAGS) -c -o $@ $<

# re2c keeps #line directives, so compiler errors point at lexer.re.
$(BUILD)/compiler/lexer.c: compiler/lexer.re
	@mkdir -p $(@D)
	$(RE2C) -W --no-generation-date -o $@ $<

$(BUILD)/compiler/lexer.o: $(BUILD)/compiler/lexer.c
	$(CC) $(VIBEGEN_CFLAGS) -c -o $@ $<

# The selected machine's generated code (runtime/runtime.mk builds on it).
# Grouped target: one vibegen run makes all three files (and, with
# --appliance while the machine.mk being replaced says VIBE_APPLIANCE, the
# payload files: runtime/appliance.mk).
$(BUILD)/gen/$(MACHINE)/machine.c $(BUILD)/gen/$(MACHINE)/machine.h $(BUILD)/gen/$(MACHINE)/machine.mk &: \
		$(MACHINE_FILE) $(BIN)/vibegen
	$(BIN)/vibegen $(if $(filter 1,$(VIBE_APPLIANCE)),--appliance )-o $(BUILD)/gen/$(MACHINE) $(MACHINE_FILE)

.PHONY: install-vibegen
install: install-vibegen
install-vibegen: $(BIN)/vibegen
	install -D -m 0755 $(BIN)/vibegen $(DESTDIR)$(PREFIX)/bin/vibegen

# Refresh the committed schema after changing compiler/devtypes.c
# (tests/compiler/test_schema fails until you do).
.PHONY: schema
schema: $(BIN)/vibegen
	$(BIN)/vibegen --emit-schema > schema/machine.schema.json.tmp
	mv schema/machine.schema.json.tmp schema/machine.schema.json
