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
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static unsigned int tests;

static bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", ok ? "ok" : "not ok", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int container, group, ret, err;
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF (bound to vfio-pci)\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", argv[1]);
	n = readlink(path, link, sizeof(link) - 1);
	if (!tap(n > 0, "%s has an IOMMU group", argv[1]))
		goto out;
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));

	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(path, O_RDWR);
	if (!tap(container >= 0 && group >= 0, "open /dev/vfio/vfio and %s", path))
		goto out;
	ret = ioctl(group, VFIO_GROUP_GET_STATUS, &status);
	printf("# VFIO calls the group %s\n",
	       !ret && (status.flags & VFIO_GROUP_FLAGS_VIABLE) ? "viable" : "not viable");
	ret = ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
	err = errno;
	if (ret) {
		/* Refused even earlier: as good, if it is EPERM. */
		tap(err == EPERM, "VFIO_GROUP_SET_CONTAINER refused (%s)", strerror(err));
		goto out;
	}
	tap(true, "VFIO_GROUP_SET_CONTAINER");
	ret = ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU);
	err = errno;
	tap(ret && err == EPERM, "VFIO_SET_IOMMU(type1v2) refused with EPERM (%s)",
	    ret ? strerror(err) : "it succeeded");
out:
	printf("1..%u\n", tests);
	return 0;
}
