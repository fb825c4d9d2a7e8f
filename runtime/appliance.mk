# Appliances (docs/guides/appliances.md). After `vibegen --appliance
# machines/NAME.yaml`, the generated machine.mk sets VIBE_APPLIANCE := 1,
# VIBE_APPLIANCE_NAME and VIBE_APPLIANCE_FILES, and a plain `make` builds
# $(BIN)/NAME (runtime.mk's VMM_OUT): the runtime plus the generated
# appliance.c and payload.S, linked statically unless sanitized.
# `make VIBE_APPLIANCE=1 MACHINE_FILE=...` does the same without vibegen.

ifeq ($(VIBE_APPLIANCE),1)

# make VIBE_APPLIANCE=1 over a plain generation: machine.mk lacks the
# appliance variables, so remake it (compiler.mk's rule then passes
# --appliance) and let make restart with them.
ifeq ($(VIBE_APPLIANCE_NAME),)
$(GEN_DIR)/machine.mk: appliance-regen-force
.PHONY: appliance-regen-force
appliance-regen-force:
endif

# Written by the same vibegen run as machine.mk: nothing to do unless one
# was deleted by hand.
$(GEN_DIR)/appliance.c $(GEN_DIR)/payload.S: $(GEN_DIR)/machine.mk
	@test -f $@ || $(BIN)/vibegen --appliance -o $(GEN_DIR) $(MACHINE_FILE)

# The payload files are dependencies: a new kernel re-assembles payload.S.
# No -g: the bytes need no debug info, and the object stays reproducible.
$(RT_OBJDIR)/gen/payload.o: $(GEN_DIR)/payload.S $(VIBE_APPLIANCE_FILES)
	@mkdir -p $(@D)
	$(RT_CC) -c -o $@ $<

$(RT_OBJDIR)/gen/appliance.o: $(GEN_DIR)/appliance.c $(GEN_DIR)/machine.h
	@mkdir -p $(@D)
	$(RT_CC) $(RT_CFLAGS) -c -o $@ $<

RT_OBJS += $(RT_OBJDIR)/gen/appliance.o $(RT_OBJDIR)/gen/payload.o

# --version's build date: SOURCE_DATE_EPOCH when set (reproducible builds),
# else now. Remade whenever any other object is, i.e. exactly when the
# appliance is relinked.
APPLIANCE_DATE_O := $(RT_OBJDIR)/gen/build_date.o
$(APPLIANCE_DATE_O): $(RT_OBJS)
	@mkdir -p $(@D)
	d=$$(date -u -d "@$${SOURCE_DATE_EPOCH:-$$(date +%s)}" +%Y-%m-%dT%H:%M:%SZ) && \
	  printf 'const char vibe_build_date[] = "%s";\n' "$$d" | $(RT_CC) $(CFLAGS) -x c -c -o $@ -
RT_OBJS += $(APPLIANCE_DATE_O)

# One file that runs with nothing beside it: static (glibc's static libc,
# libseccomp.a and libz.a are in Debian's -dev packages). The sanitizers
# need the dynamic runtime, so SAN=1 appliances stay dynamic;
# APPLIANCE_STATIC=0 keeps any appliance dynamic (smaller, needs the libs).
APPLIANCE_STATIC ?= 1
ifeq ($(SANFLAGS)$(APPLIANCE_STATIC),1)
VMM_LDFLAGS += -static
endif

# With an appliance selected, bin/vibevmm (make test, make install) is the
# generic virt machine's, built by a sub-make that leaves the selection alone.
ifneq ($(abspath $(VMM_OUT)),$(abspath $(BIN)/vibevmm))
$(BIN)/vibevmm: appliance-vibevmm-force
	+$(MAKE) --no-print-directory MACHINE_FILE=machines/virt.yaml VIBE_APPLIANCE= VMM_OUT=$@ $@
.PHONY: appliance-vibevmm-force
appliance-vibevmm-force:
endif

endif

# The example appliances, built without changing the selected machine (own
# BUILD dir, so its generation never replaces the user's build/gen/<name>):
#   make appliance-hello   Linux: tests/appliance/hello-payload.sh prepares the
#                          payload from the test bed's Debian package cache
#   make appliance-raw     the raw hello guest (tests/guests/hello.S)
APPLIANCE_SUBMAKE = +$(MAKE) --no-print-directory BUILD=$(BUILD)/appliances BIN=$(BUILD)/appliances/bin \
	MACHINE_FILE=machines/$(1).yaml VIBE_APPLIANCE=1 VMM_OUT=$(BIN)/$(1) $(BIN)/$(1)
.PHONY: appliance-hello appliance-raw
appliance-hello:
	tests/appliance/hello-payload.sh
	$(call APPLIANCE_SUBMAKE,appliance-hello)
# The guest is assembled into build/ even under SAN=1: the machine file names
# build/tests/guests/hello.bin.
appliance-raw:
	+$(MAKE) --no-print-directory BUILD=build build/tests/guests/hello.bin
	$(call APPLIANCE_SUBMAKE,appliance-raw)
