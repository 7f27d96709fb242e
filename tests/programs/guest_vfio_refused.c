// SPDX-License-Identifier: GPL-2.0
/*
 * guest_vfio_refused BDF: the IOMMU group of BDF (bound to vfio-pci) must not
 * be usable by VFIO type1, because pviommu marked it incomplete: a device of
 * the same group was bound to its driver before pviommu loaded and is not
 * translated.  VFIO still calls the group viable (that device has no group
 * at all); pviommu's attach_dev refuses the UNMANAGED domain instead, so
 * VFIO_SET_IOMMU fails with EPERM.
 *
 * Output is TAP on stdout; the plan comes last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../common/tap.h"
#include "vfio.h"

/* The points of the refusal, up to the first step that cannot be taken. */
static void expect_refused(struct tap *t, const char *bdf)
{
	struct vfio f;
	int ret, err;

	if (!tap_check(t, vfio_find_group(&f, bdf) == 0, "%s has an IOMMU group", bdf))
		return;
	ret = vfio_open_group(&f);
	if (!tap_check(t, ret == 0, "open /dev/vfio/vfio and %s", f.group_path))
		goto out;
	tap_diag("VFIO calls the group %s", vfio_group_viable(&f) ? "not viable" : "viable");
	ret = ioctl(f.group, VFIO_GROUP_SET_CONTAINER, &f.container);
	err = errno;
	if (ret) {
		/* Refused even earlier: as good, if it is EPERM. */
		tap_check(t, err == EPERM, "VFIO_GROUP_SET_CONTAINER refused (%s)", strerror(err));
		goto out;
	}
	tap_check(t, true, "VFIO_GROUP_SET_CONTAINER");
	ret = ioctl(f.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
	err = errno;
	tap_check(t, ret && err == EPERM, "VFIO_SET_IOMMU(type1v2) refused with EPERM (%s)",
		  ret ? strerror(err) : "it succeeded");
out:
	vfio_close(&f);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF (bound to vfio-pci)\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	expect_refused(&t, argv[1]);
	return tap_done(&t);
}
