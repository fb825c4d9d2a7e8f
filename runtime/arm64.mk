# arm64 runtime (included by runtime/runtime.mk).
#
#   make vibevmm-arm64     static aarch64 vibevmm for machines/virt-arm64.yaml
#                          in $(BUILD)/arm64/vibevmm (cross-compiled here)
#   make check-hvf         compile runtime/hv/hvf.c against hvf_decls.h
#                          (-fsyntax-only): the macOS backend cannot run here
#
# For an arm64 machine (VIBE_ARCH = arm64) on a non-aarch64 Linux host the
# runtime is cross-compiled with $(ARM64_CROSS)gcc and linked statically
# with the aarch64 libfdt unpacked by scripts/arm64-sysroot.sh (nothing
# arm64 is installed into /). On macOS (uname -s = Darwin) the backend is
# HVF: clang, -framework Hypervisor, codesigned with the entitlement.

ARM64_CROSS   ?= aarch64-linux-gnu-
ARM64_SYSROOT ?= build/sysroot-arm64
ARM64_LIBDIR  := $(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu
HOST_OS       := $(shell uname -s)
HOST_MACHINE  := $(shell uname -m)

ARM64_CORE := esr insn s1walk emulate inject
RT_ARCH_arm64 := $(ARM64_CORE:%=runtime/arch/arm64/%.c) \
                 $(addprefix runtime/arch/arm64/,cpu.c raw.c boot.c image.c fdt_patch.c psci.c)

ifeq ($(VIBE_ARCH),arm64)
RT_OBJS += $(RT_OBJDIR)/gen/fdt.o

ifeq ($(HOST_OS),Darwin)
# macOS on Apple silicon: Hypervisor.framework. Not runnable here; kept so
# `make` on a Mac builds and signs (docs/internals/hvf.md).
RT_CC        := clang
VMM_LDLIBS   += -framework Hypervisor -lfdt
RT_OBJS := $(filter-out $(RT_OBJDIR)/hv/kvm.o $(RT_OBJDIR)/hv/kvm_arm64.o,$(RT_OBJS)) $(RT_OBJDIR)/hv/hvf_run.o \
           $(RT_OBJDIR)/hv/hvf.o
VMM_POST_LINK := codesign --sign - --force --entitlements runtime/hv/vibevmm.entitlements
else
RT_OBJS += $(RT_OBJDIR)/hv/kvm.o $(RT_OBJDIR)/hv/kvm_arm64.o
ifneq ($(HOST_MACHINE),aarch64)
RT_CC         := $(ARM64_CROSS)gcc
RT_CFLAGS     += -I$(ARM64_SYSROOT)/usr/include
VMM_LDFLAGS   += -static -L$(ARM64_LIBDIR)
RT_ORDER_DEPS += $(ARM64_LIBDIR)/libfdt.a
endif
VMM_LDLIBS += -lfdt
endif
RT_OBJS += $(patsubst runtime/%.c,$(RT_OBJDIR)/%.o,$(RT_ARCH_arm64))

$(RT_OBJDIR)/gen/fdt.o: $(GEN_DIR)/fdt.c
	@mkdir -p $(@D)
	$(RT_CC) $(RT_CFLAGS) -c -o $@ $<

# vibegen writes fdt.c in the same run as machine.c.
$(GEN_DIR)/fdt.c: $(GEN_DIR)/machine.c ;
endif

$(ARM64_LIBDIR)/libfdt.a:
	scripts/arm64-sysroot.sh $(ARM64_SYSROOT)

ARM64_VMM := $(BUILD)/arm64/vibevmm
.PHONY: vibevmm-arm64 check-hvf
vibevmm-arm64: $(ARM64_LIBDIR)/libfdt.a
	+$(MAKE) --no-print-directory MACHINE_FILE=machines/virt-arm64.yaml VMM_OUT=$(ARM64_VMM) $(ARM64_VMM)

# Syntax-only: hvf.c and the arm64 core against the declarations of the
# Hypervisor.framework calls it uses (runtime/hv/hvf_decls.h).
HVF_CC ?= $(shell command -v clang 2>/dev/null || echo $(CC))
check-hvf:
	$(HVF_CC) -fsyntax-only -std=gnu11 $(WARN) -D_GNU_SOURCE -DVIBE_HVF_DECLS \
	  -Iruntime/include -Iruntime runtime/hv/hvf.c runtime/hv/hvf_run.c
