// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_iommu_test BDF [SUITE...] [--scale N] [--random N]
 *
 * The guest-less harness of vhost_iommu.ko: this process is VMM and guest
 * at once (see vhost_lib.h).  BDF is QEMU's edu device (1234:11e8), bound
 * to vfio-pci; its group is the one endpoint.  Suites: conformance, dma,
 * hostile, scale (default: all, in that order).  TAP on stdout.
 */
#define _GNU_SOURCE
#include "vhost_t_scale.h"

static bool want(int argc, char **argv, const char *suite)
{
	bool any = false;
	int i;

	for (i = 2; i < argc; i++) {
		if (argv[i][0] == '-') {
			i++;
			continue;
		}
		any = true;
		if (!strcmp(argv[i], suite))
			return true;
	}
	return !any;
}

/* A fresh device and container for a suite; bails if it cannot be had. */
static void open_or_bail(struct rig *g, uint8_t *ram, const char *bdf)
{
	const char *step;
	int ret = rig_open(g, ram, bdf, &default_cfg, &step);

	if (!tap(!ret, "set up: %s", step)) {
		errno = -ret;
		bail(step);
	}
}

int main(int argc, char **argv)
{
	uint8_t *ram;
	struct rig g;
	const char *bdf;
	long lck0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [conformance|dma|hostile|scale]... "
			"[--scale N] [--random N]\n", argv[0]);
		return 2;
	}
	bdf = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	ram = guest_ram();
	lck0 = vmlck_kb();
	diag("guest RAM: GPA %#llx..%#llx at HVA %p", GUEST_GPA, GUEST_GPA + GUEST_SIZE - 1,
	     (void *)ram);

	if (want(argc, argv, "conformance")) {
		open_or_bail(&g, ram, bdf);
		suite_conformance(&g);
		rig_close(&g);
	}
	if (want(argc, argv, "dma")) {
		open_or_bail(&g, ram, bdf);
		suite_dma(&g);
		rig_close(&g);
	}
	if (want(argc, argv, "hostile")) {
		diag("suite: hostile");
		open_or_bail(&g, ram, bdf);
		t_malformed(&g);
		t_bad_ranges(&g);
		t_random(&g, vhost_opt(argc, argv, "--random", 100000));
		rig_close(&g);
		tap(vmlck_kb() == lck0, "VmLck back to its baseline %ld kB after close", lck0);
		t_memlock(bdf, ram);
		t_sigkill(bdf, ram);
	}
	if (want(argc, argv, "scale")) {
		open_or_bail(&g, ram, bdf);
		suite_scale(&g, vhost_opt(argc, argv, "--scale", 100000));
		rig_close(&g);
	}
	tap(vmlck_kb() == lck0, "VmLck at its baseline %ld kB at the end", lck0);
	return tap_done();
}
