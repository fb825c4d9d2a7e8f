# vibevmm: one entry point.
#   make            build bin/vibegen, generate the selected machine, build bin/vibevmm
#   make run        the main job: build, generate the machine, boot the hello guest
#   make test       unit, corpus, golden and guest boot tests (cmocka)
#   make linux-shell  boot the Debian kernel to a shell (in the nested test bed here)
#   make test-arm64 the nested arm64 integration test alone (also in make test)
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench-decode / bench-exit   benchmarks (not tests)
#   make fuzz-smoke  every libFuzzer target for FUZZ_SECONDS (30) each (clang)
#   make fuzz TARGET=x SECONDS=n     one longer fuzzing run (tests/fuzz/)
#
# The selected machine is the one vibegen generated last (build/gen/selected),
# so `vibegen machines/x.yaml && make` builds x; MACHINE_FILE=... overrides.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS_COMMON := -D_GNU_SOURCE -MMD -MP

# make SAN=1: AddressSanitizer + UndefinedBehaviorSanitizer for everything.
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
BUILD ?= build/san
# Sanitized binaries live apart too, so a SAN run never leaves bin/ with
# instrumented tools that a plain `make` then considers up to date.
BIN ?= build/san/bin
else
SANFLAGS :=
BUILD ?= build
endif
BIN ?= bin

PKG_CONFIG ?= pkg-config
RE2C       ?= re2c

MACHINE_FILE ?= $(shell cat build/gen/selected 2>/dev/null || echo machines/virt.yaml)
MACHINE      := $(basename $(notdir $(MACHINE_FILE)))

.PHONY: all run test install clean bench-decode bench-exit deps
all:

include $(wildcard compiler/compiler.mk runtime/runtime.mk)
include tests/tests.mk

deps:
	scripts/deps.sh

# The main job: a raw 64-bit guest (tests/guests/hello.S) greets on the
# UART and ends vibevmm through debug-exit with status 0. It runs on any
# /dev/kvm, including this project's software one; `make linux-shell`
# boots Linux.
run: all $(BUILD)/tests/guests/hello.bin
	$(BIN)/vibevmm --binary $(BUILD)/tests/guests/hello.bin --entry 0x10000 --mem 128M

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' -type f -not -path '*/linux-cache/*' 2>/dev/null)
