# The emulated-host test rig (tests/rig/README.md).  Included by the top-level
# Makefile, or used alone from the repository root:
#   make -f tests/rig/rig.mk check-rig
#
#   rig          build the in-VM programs and the boot images
#   check-rig    run the rig's smoke tests (TAP), fail if any fails
#
# Variables: BUILD (the build directory, default build), CC.

RIG_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
BUILD ?= build
# The scenarios check-rig runs; the top-level Makefile sets its own list.
RIG_SCENARIOS ?= l1_edu_type1 l2_nvme_passthrough

# KERNELS, KDEFAULT, KABI_<series>, ... (the rig's scripts read it too, and
# say so if it is missing).
-include $(BUILD)/kernel.mk

# Static C test programs for the VMs (tests/programs/): program X is
# X.c linked with the objects X_OBJS names (the library pieces it uses),
# static, in $(BUILD)/vm-bin/X.  Each object has its .d file (-MMD), so an
# edit to a .c or .h rebuilds what uses it.  The top-level Makefile links
# vhost_model_stress (it needs libpviommu.a) and the benchmark from the
# same objects.
RIG_PROGS_DIR := $(dir $(RIG_DIR))programs
# Absolute, so that the .d files name the same targets whoever runs make.
RIG_OBJ_DIR := $(abspath $(BUILD))/programs
RIG_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror
RIG_LDFLAGS := -static
rig_objs = $(patsubst %,$(RIG_OBJ_DIR)/%.o,$(1))

# The /dev/vhost-iommu driver side and what it builds on.
RIG_VHOST_OBJS := vhost_lib vfio edu tap
edu_raw_OBJS := edu tap
edu_type1_OBJS := vfio edu tap
guest_vfio_refused_OBJS := vfio tap
vhost_ioctl_fuzz_OBJS := $(RIG_VHOST_OBJS) rnd
vhost_iommu_test_OBJS := suite_conformance suite_dma suite_fast suite_hostile suite_scale \
			 $(RIG_VHOST_OBJS) rnd
RIG_PROG_NAMES := edu_raw edu_type1 guest_vfio_refused vhost_ioctl_fuzz vhost_iommu_test virtio_bypass
RIG_PROGS := $(patsubst %,$(BUILD)/vm-bin/%,$(RIG_PROG_NAMES))

$(RIG_OBJ_DIR)/%.o: $(RIG_PROGS_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(RIG_CFLAGS) -MMD -MP -c -o $@ $<

# The one TAP implementation, shared with the proto/ unit tests.
$(RIG_OBJ_DIR)/tap.o: $(dir $(RIG_DIR))common/tap.c
	@mkdir -p $(@D)
	$(CC) $(RIG_CFLAGS) -MMD -MP -c -o $@ $<

$(foreach p,$(RIG_PROG_NAMES),$(eval $(BUILD)/vm-bin/$(p): $(call rig_objs,$(p) $($(p)_OBJS))))
$(RIG_PROGS):
	@mkdir -p $(@D)
	$(CC) $(RIG_LDFLAGS) -o $@ $^

-include $(wildcard $(RIG_OBJ_DIR)/*.d)

.PHONY: rig rig-vm-bin check-rig
rig-vm-bin: $(RIG_PROGS)

# The default kernel's images; a scenario that declares another kernel (for
# L1 or L2) has its images built when it runs.
rig: rig-vm-bin
	BUILD='$(BUILD)' $(RIG_DIR)/build-images all

# Every run is a line in the ledger; the sum of its retries is printed, after
# the digest of each run that failed or was retried (tests/rig/run).
RIG_LEDGER := $(BUILD)/rig/ledger
check-rig: rig
	@echo "rig: kernels $(foreach k,$(KERNELS),$(k)=$(KABI_$(k)) ($(KVER_$(k))))," \
		"default $(KDEFAULT)"
	@rm -f '$(RIG_LEDGER)' '$(RIG_LEDGER).digest'; rc=0; for t in $(RIG_SCENARIOS); do \
		BUILD='$(BUILD)' RIG_LEDGER='$(RIG_LEDGER)' $(RIG_DIR)/run $$t || rc=1; \
	done; \
	if [ -s '$(RIG_LEDGER).digest' ]; then \
		echo "rig: the runs that failed or were retried:"; cat '$(RIG_LEDGER).digest'; \
	fi; \
	echo "rig: $$($(RIG_DIR)/ledger '$(RIG_LEDGER)')"; \
	exit $$rc

# The soak (tests/rig/soak): N cycles of the scenario l2_soak with retries off.
N ?= 10
.PHONY: soak-rig
soak-rig: rig
	BUILD='$(BUILD)' $(RIG_DIR)/soak $(N)
