# vibevmm: the runtime, linked with one machine's generated tables.
#
# Objects are compiled per machine under $(BUILD)/runtime/$(MACHINE)/ (they
# see build/gen/$(MACHINE)/machine.h), so vibevmms for several machines can
# coexist:
#   make MACHINE_FILE=tests/guests/testbed.yaml \
#        VMM_OUT=build/tests/vibevmm-testbed build/tests/vibevmm-testbed
# Only the device files named by the machine's VIBE_DEVICE_TYPES are linked.
# Later issues add libraries to VMM_LDLIBS (libfdt, libseccomp, liburing).

GEN_DIR   := $(BUILD)/gen/$(MACHINE)

# VIBE_MACHINE_NAME, VIBE_ARCH, VIBE_DEVICE_TYPES (and VIBE_APPLIANCE* after
# vibegen --appliance); make remakes it with vibegen (compiler/compiler.mk's
# rule) and restarts.
-include $(GEN_DIR)/machine.mk
VIBE_ARCH ?= x86_64
# An appliance (runtime/appliance.mk) is $(BIN)/<its name>.
VMM_OUT   ?= $(BIN)/$(if $(filter 1,$(VIBE_APPLIANCE)),$(VIBE_APPLIANCE_NAME),vibevmm)

# The runtime's compiler: $(CC) unless an arm64 machine is built on another
# host (runtime/arm64.mk sets a cross compiler); vibegen stays native.
RT_CC     ?= $(CC)
RT_OBJDIR := $(BUILD)/runtime/$(MACHINE)

VIBE_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
RT_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) \
             -I$(GEN_DIR) -Iruntime/include -Iruntime
VMM_LDFLAGS ?=
VMM_LDLIBS  += -lpthread $(VMM_LDLIBS_$(VIBE_ARCH))

RT_CORE        := main vm vcpu guest_mem dev_props log loader_raw parse_num appliance sandbox
RT_HV_x86_64   := runtime/hv/kvm.c runtime/hv/kvm_x86.c
RT_ARCH_x86_64 := runtime/arch/x86_64/modes.c runtime/arch/x86_64/cpu.c runtime/arch/x86_64/cpuid.c \
                  runtime/linux_boot.c runtime/arch/x86_64/bzimage.c runtime/arch/x86_64/boot_params.c \
                  runtime/arch/x86_64/acpi.c runtime/arch/x86_64/linux_entry.c \
                  runtime/hv/kvm_x86_snap.c $(wildcard runtime/snapshot/*.c)
# Snapshots (runtime/snapshot/, x86_64): zlib's crc32 checks the file.
VMM_LDLIBS_x86_64 := -lz

RT_SRCS := $(RT_CORE:%=runtime/%.c) $(wildcard runtime/console.c) \
           $(RT_HV_$(VIBE_ARCH)) $(RT_ARCH_$(VIBE_ARCH)) \
           $(foreach t,$(VIBE_DEVICE_TYPES),$(wildcard runtime/devices/$(t).c))
# The virtio-mmio transport and virtqueues, when a virtio device is linked.
RT_VIRTIO_DEVS := $(foreach t,$(filter virtio_%,$(VIBE_DEVICE_TYPES)),$(wildcard runtime/devices/$(t).c))
RT_SRCS += $(if $(RT_VIRTIO_DEVS),$(wildcard runtime/virtio/*.c))
RT_OBJS := $(patsubst runtime/%.c,$(RT_OBJDIR)/%.o,$(RT_SRCS)) $(RT_OBJDIR)/gen/machine.o
# x86_64: the DSDT (vibegen --acpi | iasl), linked as vibe_dsdt_aml[].
ifeq ($(VIBE_ARCH),x86_64)
include runtime/arch/x86_64/acpi.mk
RT_OBJS += $(ACPI_OBJS)
endif

# Appliances: the embedded payload, static link, build date.
include runtime/appliance.mk

# arm64: its sources, the generated device tree, cross compiler and libfdt
# (for arm64 machines), and the vibevmm-arm64 / check-hvf targets.
include runtime/arm64.mk

# The seccomp sandbox (runtime/sandbox.c) links libseccomp in native Linux
# builds; a cross-compiled (arm64 static) or macOS vibevmm gets its
# no-filter stub (docs/architecture/security.md).
ifeq ($(RT_CC)$(shell uname -s),$(CC)Linux)
$(RT_OBJDIR)/sandbox.o: RT_CFLAGS += -DVIBE_HAVE_SECCOMP $(shell $(PKG_CONFIG) --cflags libseccomp)
VMM_LDLIBS += $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
# Static PIE (glibc's libc.a, libseccomp.a and libz.a come with Debian's
# -dev packages): the VMM's own resident memory falls by ~1 MiB, mostly
# pages of the shared libc.so and ld.so that fault-around maps 64 KiB at a
# time, where a static binary maps only the libc code it links; PIE keeps
# ASLR. docs/guides/boot-linux.md (bench-boot's VMM memory). Sanitized
# builds need the dynamic runtime; appliances have their own static link
# (appliance.mk); VMM_STATIC=0 links dynamically.
VMM_STATIC ?= 1
ifeq ($(SANFLAGS)$(VMM_STATIC)$(VIBE_APPLIANCE),1)
VMM_LDFLAGS += -static-pie
endif
endif

all: $(VMM_OUT)

# --version: only main.o carries it, through version.h, which is rewritten
# only when the version changes, so main.o is rebuilt exactly then.
$(RT_OBJDIR)/version.h: rt-version-force
	@mkdir -p $(@D); v='#define VIBE_VERSION "$(VIBE_VERSION)"'; \
	  [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@
.PHONY: rt-version-force
rt-version-force:
$(RT_OBJDIR)/main.o: $(RT_OBJDIR)/version.h
$(RT_OBJDIR)/main.o: RT_CFLAGS += -I$(RT_OBJDIR)

$(VMM_OUT): $(RT_OBJS)
	@mkdir -p $(@D)
	$(RT_CC) $(CFLAGS) $(SANFLAGS) $(VMM_LDFLAGS) -o $@ $(RT_OBJS) $(VMM_LDLIBS)
	$(if $(VMM_POST_LINK),$(VMM_POST_LINK) $@)

# Order-only on the generated header: it must exist before the first
# compile; the .d files track real use after that.
$(RT_OBJDIR)/%.o: runtime/%.c | $(GEN_DIR)/machine.h $(RT_ORDER_DEPS)
	@mkdir -p $(@D)
	$(RT_CC) $(RT_CFLAGS) -c -o $@ $<

$(RT_OBJDIR)/gen/machine.o: $(GEN_DIR)/machine.c $(GEN_DIR)/machine.h
	@mkdir -p $(@D)
	$(RT_CC) $(RT_CFLAGS) -c -o $@ $<

.PHONY: install-vibevmm
install: install-vibevmm
install-vibevmm: $(BIN)/vibevmm
	install -D -m 0755 $(BIN)/vibevmm $(DESTDIR)$(PREFIX)/bin/vibevmm
