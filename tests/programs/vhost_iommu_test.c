// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_iommu_test BDF[,BDF2] [SUITE...] [--scale N] [--random N] [--slab-max N]
 *
 * The guest-less harness of vhost_iommu.ko: this process is VMM and guest
 * at once (vhost_lib.h).  BDF is QEMU's edu device (1234:11e8), bound to
 * vfio-pci; its group is the endpoint of every fixture.  BDF2, a second
 * edu, is a second endpoint where a check wants two domains.  Suites (suites.h): conformance,
 * dma, fast, hostile, scale (default: all, in that order).  The fast suite
 * wants 2 MiB hugetlb pages (vm.nr_hugepages) for its hugetlb region.  TAP on stdout; the
 * last point checks that the suites, whichever ran, gave back every
 * locked page.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "suites.h"

static const struct {
	const char *name;
	void (*run)(const struct suite_env *e);
} suites[] = {
	{ "conformance", suite_conformance },
	{ "dma", suite_dma },
	{ "fast", suite_fast },
	{ "hostile", suite_hostile },
	{ "scale", suite_scale },
};

/* @suite is named among the arguments after the BDF, or none is. */
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

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	struct suite_env e = { .t = &t };
	unsigned int i;
	long lck0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF[,BDF2] [conformance|dma|fast|hostile|scale]... "
			"[--scale N] [--random N] [--slab-max N]\n", argv[0]);
		return 2;
	}
	e.bdf = argv[1];
	e.bdf2 = strchr(argv[1], ',');
	if (e.bdf2)
		*(char *)e.bdf2++ = '\0';
	e.scale = vhost_opt(argc, argv, "--scale", 100000);
	e.random = vhost_opt(argc, argv, "--random", 100000);
	/* The model's 64-byte mapping, 8 for noise; KASAN and kmemleak add theirs. */
	e.slab_max = vhost_opt(argc, argv, "--slab-max", 72);
	setvbuf(stdout, NULL, _IOLBF, 0);
	e.ram = guest_ram(&t);
	e.huge = want(argc, argv, "fast") ? huge_ram() : NULL;
	lck0 = vmlck_kb();
	tap_diag("guest RAM: GPA %#llx..%#llx at HVA %p", GUEST_GPA, GUEST_GPA + GUEST_SIZE - 1,
		 (void *)e.ram);
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (want(argc, argv, suites[i].name))
			suites[i].run(&e);
	tap_check(&t, vmlck_kb() == lck0, "VmLck at its baseline %ld kB at the end", lck0);
	return tap_done(&t);
}
