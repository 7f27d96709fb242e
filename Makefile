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

# Written by scripts/deps.sh: KERNELS (the kernel series the modules build
# for, such as 6.12 and 6.1), KDEFAULT (one of them), and for each series S:
# KABI_S, KVER_S, KHEADERS_S, KIMAGE_ROOT_S, KSOURCE_TAR_S.
-include $(BUILD)/kernel.mk

CC := gcc
CLANG := clang
USER_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_DEFAULT_SOURCE
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 30

PROTO_SRCS := proto/idmap.c proto/mappings.c proto/device.c proto/names.c
PROTO_HDRS := $(wildcard proto/*.h)
TEST_COMMON := tests/common/pool_backend.c tests/common/unmap_examples.c \
	       tests/common/rbtree_check.c
TEST_HDRS := $(wildcard tests/common/*.h)
# The one TAP producer of the C tests (tests/common/tap.h).
TEST_COMMON += tests/common/tap.c

# Private kernel files (drivers/vhost/vhost.h, drivers/vfio/vfio.h, ...),
# checkpatch and the kernel's userspace rbtree (tools/lib/rbtree.c and its
# tools/include headers), unpacked from each kernel's linux-source at its
# headers' version into $(BUILD)/kpriv/<series>.  Userspace (libpviommu, the
# tests) and checkpatch use the default kernel's.
kpriv = $(BUILD)/kpriv/$(1)
KPRIV := $(call kpriv,$(KDEFAULT))
# proto/ builds on the kernel's rbtree and interval tree in userspace too:
# every program that includes proto/'s headers needs PROTO_CFLAGS.
KTOOLS := $(KPRIV)/tools
PROTO_CFLAGS := -I$(KTOOLS)/include
# tools/lib/rbtree.c is the kernel's GNU C; its no-op augment callbacks
# leave parameters unused.
KTOOLS_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror \
		 -O2 -g $(PROTO_CFLAGS)

.PHONY: all deps lib modules unit-tests check check-unit check-fuzz \
	checkpatch demo clean

all: lib modules unit-tests

deps:
	bash scripts/deps.sh

$(BUILD)/kernel.mk:
	@echo "build/kernel.mk is missing: run 'make deps' first" >&2; exit 1

# --- userspace: libpviommu and its tests -------------------------------

lib: $(BUILD)/libpviommu.a

$(BUILD)/lib/%.o: proto/%.c $(PROTO_HDRS) $(KPRIV)/Makefile
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(PROTO_CFLAGS) -c $< -o $@

$(BUILD)/lib/rbtree.o: $(KPRIV)/Makefile
	@mkdir -p $(@D)
	$(CC) $(KTOOLS_CFLAGS) -c $(KTOOLS)/lib/rbtree.c -o $@

$(BUILD)/libpviommu.a: $(patsubst proto/%.c,$(BUILD)/lib/%.o,$(PROTO_SRCS)) \
		       $(BUILD)/lib/rbtree.o
	ar rcs $@ $^

unit-tests: $(BUILD)/tests/test_proto $(BUILD)/tests/fuzz_device

# Unit tests build from the proto sources with ASan and UBSan, and so does
# the kernel's rbtree under them.
$(BUILD)/tests/rbtree.o: $(KPRIV)/Makefile
	@mkdir -p $(@D)
	$(CLANG) $(KTOOLS_CFLAGS) $(SANITIZE) -c $(KTOOLS)/lib/rbtree.c -o $@

$(BUILD)/tests/test_proto: tests/unit/test_proto.c $(TEST_COMMON) \
			   $(PROTO_SRCS) $(PROTO_HDRS) $(TEST_HDRS) \
			   $(BUILD)/tests/rbtree.o
	@mkdir -p $(@D)
	$(CLANG) $(USER_CFLAGS) $(PROTO_CFLAGS) $(SANITIZE) \
		$(filter %.c %.o,$^) -o $@

$(BUILD)/tests/fuzz_device: tests/fuzz/fuzz_device.c $(TEST_COMMON) \
			    $(PROTO_SRCS) $(PROTO_HDRS) $(TEST_HDRS) \
			    $(BUILD)/tests/rbtree.o
	@mkdir -p $(@D)
	$(CLANG) $(USER_CFLAGS) $(PROTO_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(filter %.c %.o,$^) -o $@

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
#   make modules         the modules for every kernel of build/kernel.mk, in
#                        build/modules/<series>/
#   make modules-<S>     for the kernel series S only (modules-6.12, ...)
# kbuild builds in M=, so each kernel builds in a copy of the sources of its
# own, $(BUILD)/kbuild/<series>/ (the debug flavour's too, see below).

KERNEL_SRCS = $(shell git ls-files -co --exclude-standard -- proto vhost-iommu guest tests/kmod | grep -E '\.[ch]$$')
KBUILD_SRCS = $(shell git ls-files -co --exclude-standard -- Kbuild proto \
	vhost-iommu guest tests/kmod tests/common | grep -E '(Kbuild|\.[ch])$$')

MODULES := proto/pviommu_proto.ko vhost-iommu/vhost_iommu.ko \
	   guest/pviommu.ko guest/pviommu_dmabench.ko \
	   tests/kmod/pviommu_proto_test.ko

# kbuild_modules KDIR,KPRIV,SRC,OUT: build the modules against the kernel
# tree KDIR (a headers package, or a built kernel) with its private files in
# KPRIV, W=1 and warnings as errors, in the copy of the sources SRC (cp -u:
# kbuild sees only what changed), and put them in OUT.
define kbuild_modules
	@mkdir -p $(3) $(4)
	cp -u --parents $(KBUILD_SRCS) $(3)/
	nice -n 10 $(MAKE) -C $(1) M=$(3) W=1 KCFLAGS=-Werror PVIOMMU_KPRIV=$(2) modules
	cp $(addprefix $(3)/,$(MODULES)) $(4)/
endef

$(BUILD)/kpriv/%/Makefile: $(BUILD)/kernel.mk scripts/ksrc.sh scripts/kversion.sh
	bash scripts/ksrc.sh $(KSOURCE_TAR_$*) $(KHEADERS_$*) $(@D)

.PHONY: $(addprefix modules-,$(KERNELS))
modules: $(BUILD)/kernel.mk $(addprefix modules-,$(KERNELS))
$(addprefix modules-,$(KERNELS)): modules-%: $(BUILD)/kernel.mk $(BUILD)/kpriv/%/Makefile
	$(call kbuild_modules,$(KHEADERS_$*),$(call kpriv,$*),$(BUILD)/kbuild/$*,$(BUILD)/modules/$*)

# Every test of LINUX_VERSION_CODE is in proto/kcompat.h, the compat layer.
KCOMPAT_H := proto/kcompat.h
CHECKPATCH = perl $(KPRIV)/scripts/checkpatch.pl --no-tree --terse
checkpatch: $(BUILD)/kernel.mk $(KPRIV)/Makefile
	$(CHECKPATCH) -f $(filter-out $(KCOMPAT_H),$(KERNEL_SRCS))
	$(CHECKPATCH) --ignore LINUX_VERSION_CODE -f $(KCOMPAT_H)

# --- DKMS (docs/design.md and docs/guest.md, "DKMS") ----------------------
#   make dkms-src     the recipes' source trees, for /usr/src:
#                     build/dkms/vhost-iommu-<v>/ (host), build/dkms/pviommu-<v>/
#                     (guest)
#   make check-dkms   both recipes built by dkms for every kernel of
#                     build/kernel.mk, in a temporary DKMS tree (TAP); a kernel
#                     that a recipe excludes is a skip
.PHONY: dkms-src check-dkms
dkms-src:
	bash scripts/dkms.sh src $(BUILD)/dkms

check-dkms: $(BUILD)/kernel.mk
	@echo "== dkms: the host and guest recipes, kernels $(KERNELS)"
	nice -n 10 bash scripts/dkms.sh check \
		$(foreach k,$(KERNELS),$(KABI_$(k))=$(KHEADERS_$(k)))

# --- the emulated-host rig (tests/rig/README.md) -------------------------

# The scenarios (tests/scenarios, SCENARIO[:VARIANT]) that make check runs,
# in this order.
# L1 is the default host kernel (6.12) unless a scenario or its variant
# declares another: the :6.1 variants keep the older host kernel tested, and
# pviommu.ko's scenarios run on 6.1, the frontend's kernel.
RIG_SCENARIOS := l1_proto_kmod l1_edu_type1 l2_nvme_passthrough \
	     l1_vhost_iommu l1_vhost_iommu:6.1 \
	     l1_guest_nvme l1_guest_vfio l1_guest_identity l1_guest_errors \
	     l1_adversarial:quick

ifneq ($(wildcard $(BUILD)/kernel.mk),)
include tests/rig/rig.mk
endif

# The images carry the modules.
rig: modules

# The main job: boot the emulated host, run the full chain (L2's pviommu.ko
# -> virtio-iommu-pci,vhost=on in the patched QEMU -> vhost_iommu.ko in L1)
# and print what happened.
demo: modules qemu rig
	vmm/demo.sh

check: check-unit check-fuzz checkpatch check-dkms check-rig

clean:
	rm -rf $(BUILD)/lib $(BUILD)/libpviommu.a $(BUILD)/tests \
		$(BUILD)/kbuild $(BUILD)/modules

# --- bench: the L1 map/unmap microbenchmark (bench/README.md) -------------
#   make bench-programs   build/vm-bin/pviommu-mapbench (static, for the rig)
#   make bench-l1         run it on the emulated host: bench/results/<ts>-l1/
# make check runs its tiny mode, the scenario l1_mapbench:quick.

BENCH_CFLAGS := -std=c11 -Wall -Wextra -Werror -static -O2
BENCH_SRCS := bench/mapbench.c bench/userspace_backend.c
BENCH_TIMEOUT ?= 900

.PHONY: bench-programs bench-l1
bench-programs: $(BUILD)/vm-bin/pviommu-mapbench $(BUILD)/vm-bin/pviommu-iogen

# The O_DIRECT io_uring load generator that L2 runs (make bench).
$(BUILD)/vm-bin/pviommu-iogen: bench/iogen.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -D_GNU_SOURCE -o $@ $< -luring

# It drives /dev/vhost-iommu with the test programs' library (tests/rig/rig.mk).
MAPBENCH_OBJS := $(call rig_objs,$(RIG_VHOST_OBJS))
$(BUILD)/vm-bin/pviommu-mapbench: $(BENCH_SRCS) $(wildcard bench/*.h) \
		$(wildcard tests/programs/*.h) tests/common/tap.h $(PROTO_HDRS) \
		vhost-iommu/uapi/linux/vhost_iommu.h $(MAPBENCH_OBJS) $(BUILD)/libpviommu.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(PROTO_CFLAGS) -o $@ $(BENCH_SRCS) \
		$(MAPBENCH_OBJS) $(BUILD)/libpviommu.a -lpthread

# The images carry the benchmark; make check runs its quick mode.
rig: bench-programs
RIG_SCENARIOS += l1_mapbench:quick

bench-l1: bench-programs modules
	tests/rig/run --timeout $(BENCH_TIMEOUT) l1_mapbench
	bash bench/l1-report.sh $(BUILD)/rig/runs/l1_mapbench

# --- the debug flavour: KASAN, lockdep, kmemleak, failslab (issue 7) ------
#   make debug-kernel    the default kernel's linux-source (KDEFAULT), x86_64
#                        defconfig + tests/rig/debug.config, in
#                        build/debug-kernel/root (cached: rebuilt when the
#                        version or fragment changes)
#   make modules-debug   our modules built against it (kbuild_modules, in
#                        build/kbuild/debug/), in build/modules-debug/
#   make check-debug     the vhost-iommu suites, the adversarial tests and the
#                        pviommu.ko suites on it, failing on any KASAN, lockdep,
#                        sleeping-in-atomic, list or kmemleak report; and
#                        l2_chain_linux_driver:debug: an L2 on it with Linux's
#                        own virtio_iommu, served by vhost=on in a stock L1
#   make stress-full     the model-checked stress at its full 1e6 operations
# Adversarial programs: tests/programs/vhost_ioctl_fuzz.c (built by rig.mk) and
# tests/programs/vhost_model_stress.c (built here: it links proto/ as libpviommu.a).

DEBUG_KDIR := $(BUILD)/debug-kernel
DEBUG_MODS := $(BUILD)/modules-debug
# The knobs of the debug runs (kernel command line of L1, see the scripts).
DEBUG_SCALE ?= 20000
DEBUG_FUZZ_CALLS ?= 100000
DEBUG_STRESS_OPS ?= 200000
# The scenarios' debug variants boot it (tests/rig/run: "kernel debug").
DEBUG_RIG_SCENARIOS := l1_vhost_iommu:debug l1_adversarial:debug \
	l1_guest_nvme:debug l1_guest_vfio:debug l2_chain_linux_driver:debug

.PHONY: debug-kernel modules-debug check-debug stress-programs stress-full
debug-kernel: $(BUILD)/kernel.mk
	KSOURCE_TAR='$(KSOURCE_TAR_$(KDEFAULT))' KHEADERS='$(KHEADERS_$(KDEFAULT))' \
		JOBS=2 bash scripts/debug-kernel.sh $(DEBUG_KDIR)

# The built tree is its own PVIOMMU_KPRIV: it has the private headers.
modules-debug: debug-kernel
	$(call kbuild_modules,$(DEBUG_KDIR)/src,$(DEBUG_KDIR)/src,$(BUILD)/kbuild/debug,$(DEBUG_MODS))

stress-programs: $(BUILD)/vm-bin/vhost_model_stress

$(BUILD)/vm-bin/vhost_model_stress: tests/programs/vhost_model_stress.c \
		$(wildcard tests/programs/*.h) tests/common/tap.h $(PROTO_HDRS) \
		vhost-iommu/uapi/linux/vhost_iommu.h $(call rig_objs,$(RIG_VHOST_OBJS) rnd) \
		$(BUILD)/libpviommu.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(PROTO_CFLAGS) -o $@ $(filter %.c %.o %.a,$^)

rig: stress-programs

check-debug: modules-debug rig stress-programs
	@rc=0; for t in $(DEBUG_RIG_SCENARIOS); do \
		tests/rig/run --append "rig_vhost_scale=$(DEBUG_SCALE) \
			rig_fuzz_calls=$(DEBUG_FUZZ_CALLS) rig_stress_ops=$(DEBUG_STRESS_OPS)" \
			$$t || rc=1; \
	done; \
	exit $$rc

stress-full: modules stress-programs
	tests/rig/run --timeout 1500 --append "rig_stress_ops=1000000 rig_parts=stress" \
		l1_adversarial

# --- QEMU: Debian's 10.0 with the vhost-iommu series (docs/qemu.md) --------
#   make qemu     build/qemu/current/qemu-system-x86_64 (cached per series)
# The nested rig images carry it as L1's one QEMU (/usr/bin/qemu-pviommu and
# /usr/bin/qemu-system-x86_64); every level-2 scenario runs it in L1.

.PHONY: qemu
qemu:
	vmm/qemu/build.sh

rig: qemu
RIG_SCENARIOS += l2_chain l2_chain:userspace l2_chain:6.1 l2_chain:root-ports l2_chain:pci-bridge l2_chain_edu \
	l2_chain_kill l2_chain_linux_driver l2_chain_linux_driver:root-ports l2_reboot \
	l2_boot_disk l2_hotplug

# --- bench: the comparison (docs/bench.md) --------------------------------
#   make bench   no vIOMMU / intel-iommu caching-mode=on / virtio-iommu
#                vhost=off / vhost=on on the emulated host's NVMe, strict and
#                lazy, the L1 floor: bench/results/<ts>/ (table, JSON, PNGs).
#                BENCH_ARGS go to bench/run.sh (--rounds, --seconds, ...).
# make check runs its tiny mode (l2_bench_compare:tiny), the dry run of the
# --l1 native path (tests/bench/dry_run.sh) and the report's refusals of
# unverified or partial runs (tests/bench/report_refuses.sh).
.PHONY: bench check-bench
bench: modules qemu rig
	bench/run.sh $(BENCH_ARGS)

check-bench:
	@echo "== bench: the --l1 native path, dry"
	bash tests/bench/dry_run.sh
	@echo "== bench: report.py refuses what was not verified"
	bash tests/bench/report_refuses.sh

check: check-bench
RIG_SCENARIOS += l2_bench_compare:tiny
