/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VFIO half of the test programs: a PCI device's IOMMU group in a
 * container of a chosen IOMMU type, the device opened, its BAR0 mapped and
 * bus mastering on.  vfio_open_type() does it all; edu_type1 and
 * guest_vfio_refused take the steps one by one, to report each.
 * Every int function returns 0 or -errno (with errno set).
 */
#ifndef PVIOMMU_PROGRAMS_VFIO_H
#define PVIOMMU_PROGRAMS_VFIO_H

#include <stddef.h>
#include <stdint.h>

struct vfio {
	int container, group, device;
	unsigned int group_id;		/* N of /dev/vfio/N */
	char group_path[32];		/* /dev/vfio/N */
	volatile uint8_t *bar0;
	size_t bar0_size;
	uint64_t bar0_offset;		/* of BAR0 in the device fd, for mmap() */
	char bdf[32];
	uint32_t rid;			/* PCI requester ID: the endpoint ID */
};

/* No fd open yet; the group of @bdf from sysfs, its requester ID. */
int vfio_find_group(struct vfio *f, const char *bdf);
/* Open /dev/vfio/vfio and the group. */
int vfio_open_group(struct vfio *f);
/* VFIO_GROUP_GET_STATUS says the group is viable (-EBUSY if not). */
int vfio_group_viable(const struct vfio *f);
/* The group into the container, and the container's IOMMU type. */
int vfio_set_iommu(struct vfio *f, unsigned long iommu_type);
/* The device's fd and BAR0 mapped (-ENOTSUP if BAR0 cannot be mmapped). */
int vfio_open_device(struct vfio *f);
/* Memory decoding and bus mastering on; @cmd: PCI_COMMAND read back. */
int vfio_enable_master(const struct vfio *f, uint16_t *cmd);
/* All of the above. */
int vfio_open_type(struct vfio *f, const char *bdf, unsigned long iommu_type);
/*
 * The group of @bdf into @container, already set up (vfio_close() leaves
 * it open), the device opened, bus mastering on.
 */
int vfio_join(struct vfio *f, const char *bdf, int container);
void vfio_close(struct vfio *f);

/* What VFIO_IOMMU_GET_INFO reports: IOMMU page sizes, usable IOVA ranges. */
#define VFIO_INFO_RANGES_MAX	16
struct vfio_info {
	uint64_t pgsizes;
	unsigned int nr_ranges;
	struct {
		uint64_t start, end;
	} ranges[VFIO_INFO_RANGES_MAX];
};

/* VFIO_IOMMU_GET_INFO of the container (-E2BIG: too many ranges). */
int vfio_get_info(const struct vfio *f, struct vfio_info *info);

/* Type1 MAP_DMA of @size bytes at @hva, read and write. */
int vfio_type1_map(const struct vfio *f, uint64_t iova, void *hva, uint64_t size);
/* Type1 UNMAP_DMA; @unmapped: the bytes the kernel says it unmapped. */
int vfio_type1_unmap(const struct vfio *f, uint64_t iova, uint64_t size,
		     uint64_t *unmapped);

#endif /* PVIOMMU_PROGRAMS_VFIO_H */
