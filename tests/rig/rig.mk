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

# KABI, KVER, ... (the rig's scripts read it too, and say so if it is missing).
-include $(BUILD)/kernel.mk

# Static C test programs for the VMs: tests/l1-programs/X.c -> $(BUILD)/vm-bin/X
RIG_PROGS_DIR := $(dir $(RIG_DIR))l1-programs
RIG_PROGS_SRC := $(wildcard $(RIG_PROGS_DIR)/*.c)
RIG_PROGS := $(patsubst $(RIG_PROGS_DIR)/%.c,$(BUILD)/vm-bin/%,$(RIG_PROGS_SRC))
RIG_CFLAGS := -std=c11 -O2 -Wall -Wextra -Werror -static

$(RIG_PROGS): $(BUILD)/vm-bin/%: $(RIG_PROGS_DIR)/%.c $(wildcard $(RIG_PROGS_DIR)/*.h)
	@mkdir -p $(@D)
	$(CC) $(RIG_CFLAGS) -o $@ $<

.PHONY: rig rig-vm-bin check-rig
rig-vm-bin: $(RIG_PROGS)

rig: rig-vm-bin
	BUILD='$(BUILD)' $(RIG_DIR)/build-images all

# Every run is a line in the ledger; the sum of its retries is printed.
RIG_LEDGER := $(BUILD)/rig/ledger
check-rig: rig
	@echo "rig: kernel $(KABI) ($(KVER))"
	@rm -f '$(RIG_LEDGER)'; rc=0; for t in $(RIG_SCENARIOS); do \
		BUILD='$(BUILD)' RIG_LEDGER='$(RIG_LEDGER)' $(RIG_DIR)/run --no-build $$t || rc=1; \
	done; \
	echo "rig: $$($(RIG_DIR)/ledger '$(RIG_LEDGER)')"; \
	exit $$rc

# The soak (tests/rig/soak): N cycles of the scenario l2_soak with retries off.
N ?= 10
.PHONY: soak-rig
soak-rig: rig
	BUILD='$(BUILD)' $(RIG_DIR)/soak $(N)
