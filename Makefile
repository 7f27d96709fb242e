# SPDX-License-Identifier: GPL-2.0-only
#
# pviommu top-level build.
#   make deps     install what the project needs (Debian 12, idempotent)
#   make          build libpviommu, the kernel modules and the test programs
#   make check    unit tests, fuzz smoke and the emulated-host rig tests
#
SHELL := /bin/bash
BUILD ?= $(CURDIR)/build
export BUILD

# Written by scripts/deps.sh: KABI, KVER, KHEADERS, KIMAGE_ROOT, KSOURCE_TAR.
-include $(BUILD)/kernel.mk

CC := gcc
CLANG := clang
USER_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_DEFAULT_SOURCE
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 30

PROTO_SRCS := proto/itree.c proto/mappings.c proto/device.c
PROTO_HDRS := $(wildcard proto/*.h)
TEST_COMMON := tests/common/pool_backend.c tests/common/unmap_examples.c \
	       tests/common/itree_check.c
TEST_HDRS := $(wildcard tests/common/*.h)

.PHONY: all deps lib modules unit-tests check check-unit check-fuzz \
	checkpatch demo clean

all: lib modules unit-tests

deps:
	bash scripts/deps.sh

$(BUILD)/kernel.mk:
	@echo "build/kernel.mk is missing: run 'make deps' first" >&2; exit 1

# --- userspace: libpviommu and its tests -------------------------------

lib: $(BUILD)/libpviommu.a

$(BUILD)/lib/%.o: proto/%.c $(PROTO_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/libpviommu.a: $(patsubst proto/%.c,$(BUILD)/lib/%.o,$(PROTO_SRCS))
	ar rcs $@ $^

unit-tests: $(BUILD)/tests/test_proto $(BUILD)/tests/fuzz_device

# Unit tests build from the proto sources with ASan and UBSan.
$(BUILD)/tests/test_proto: tests/unit/test_proto.c $(TEST_COMMON) \
			   $(PROTO_SRCS) $(PROTO_HDRS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(USER_CFLAGS) $(SANITIZE) $(filter %.c,$^) -o $@

$(BUILD)/tests/fuzz_device: tests/fuzz/fuzz_device.c $(TEST_COMMON) \
			    $(PROTO_SRCS) $(PROTO_HDRS) $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(USER_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(filter %.c,$^) -o $@

check-unit: $(BUILD)/tests/test_proto
	@echo "== unit: proto/ (ASan+UBSan)"
	$(BUILD)/tests/test_proto

check-fuzz: $(BUILD)/tests/fuzz_device
	@echo "== fuzz: device model, $(FUZZ_SECONDS) s"
	@mkdir -p $(BUILD)/fuzz-corpus
	@$(BUILD)/tests/fuzz_device -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 $(BUILD)/fuzz-corpus 2>&1 | \
		grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' ; \
		status=$${PIPESTATUS[0]}; \
		if [ $$status -eq 0 ]; then echo "ok 1 - fuzz_device ran $(FUZZ_SECONDS) s without a finding"; \
		else echo "not ok 1 - fuzz_device found a crash (see above)"; fi; \
		echo "1..1"; exit $$status

# --- kernel modules -----------------------------------------------------

# Private kernel headers (drivers/vhost/vhost.h, drivers/vfio/vfio.h, ...)
# and checkpatch, unpacked from linux-source at the headers' version.
KPRIV := $(BUILD)/kpriv
KBUILD_ARGS = -C $(KHEADERS) M=$(CURDIR) W=1 KCFLAGS=-Werror PVIOMMU_KPRIV=$(KPRIV)
KERNEL_SRCS = $(shell git ls-files -co --exclude-standard -- proto vhost-iommu guest tests/kmod | grep -E '\.[ch]$$')

MODULES := proto/pviommu_proto.ko vhost-iommu/vhost_iommu.ko \
	   guest/pviommu.ko guest/pviommu_dmabench.ko \
	   tests/kmod/pviommu_proto_test.ko

$(KPRIV)/Makefile: $(BUILD)/kernel.mk scripts/ksrc.sh
	bash scripts/ksrc.sh $(KSOURCE_TAR) $(KHEADERS) $(KPRIV)

modules: $(BUILD)/kernel.mk $(KPRIV)/Makefile
	$(MAKE) $(KBUILD_ARGS) modules
	@mkdir -p $(BUILD)/modules
	cp $(MODULES) $(BUILD)/modules/

checkpatch: $(KPRIV)/Makefile
	perl $(KPRIV)/scripts/checkpatch.pl --no-tree --terse \
			-f $(KERNEL_SRCS)

# --- the emulated-host rig (tests/rig/README.md) -------------------------

# In-VM tests that make check runs, in this order.
RIG_TESTS := l1_proto_kmod l1_edu_type1 l2_nvme_passthrough \
	     l1_vhost_iommu \
	     l1_guest_nvme l1_guest_vfio l1_guest_identity l1_guest_errors

ifneq ($(wildcard $(BUILD)/kernel.mk),)
include tests/rig/rig.mk
endif

# The images carry the modules.
rig: modules

# The main job, for now: boot the emulated host and pass a device to a guest.
demo: modules rig
	tests/rig/run --no-build l2_nvme_passthrough

check: check-unit check-fuzz checkpatch check-rig

clean:
	-[ -d "$(KHEADERS)" ] && $(MAKE) $(KBUILD_ARGS) clean
	rm -rf $(BUILD)/lib $(BUILD)/libpviommu.a $(BUILD)/tests \
		$(BUILD)/modules
