// SPDX-License-Identifier: GPL-2.0
/* The VFIO half of the test programs (vfio.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio.h"

int vfio_find_group(struct vfio *f, const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	unsigned int dom, bus, dev, fn;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	f->container = f->group = f->device = -1;
	snprintf(f->bdf, sizeof(f->bdf), "%s", bdf);
	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return errno = EINVAL, -EINVAL;
	f->rid = bus << 8 | dev << 3 | fn;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	f->group_id = strtoul(basename(link), NULL, 10);
	snprintf(f->group_path, sizeof(f->group_path), "/dev/vfio/%u", f->group_id);
	return 0;
}

int vfio_open_group(struct vfio *f)
{
	f->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (f->container < 0)
		return -errno;
	f->group = open(f->group_path, O_RDWR | O_CLOEXEC);
	return f->group < 0 ? -errno : 0;
}

int vfio_group_viable(const struct vfio *f)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	if (ioctl(f->group, VFIO_GROUP_GET_STATUS, &st))
		return -errno;
	return st.flags & VFIO_GROUP_FLAGS_VIABLE ? 0 : (errno = EBUSY, -EBUSY);
}

int vfio_set_iommu(struct vfio *f, unsigned long iommu_type)
{
	if (ioctl(f->group, VFIO_GROUP_SET_CONTAINER, &f->container) ||
	    ioctl(f->container, VFIO_SET_IOMMU, iommu_type))
		return -errno;
	return 0;
}

int vfio_open_device(struct vfio *f)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };

	f->device = ioctl(f->group, VFIO_GROUP_GET_DEVICE_FD, f->bdf);
	if (f->device < 0 || ioctl(f->device, VFIO_DEVICE_GET_REGION_INFO, &bar))
		return -errno;
	f->bar0_size = bar.size;
	f->bar0_offset = bar.offset;
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return errno = ENOTSUP, -ENOTSUP;
	f->bar0 = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       f->device, bar.offset);
	if (f->bar0 == MAP_FAILED) {
		f->bar0 = NULL;
		return -errno;
	}
	return 0;
}

int vfio_enable_master(const struct vfio *f, uint16_t *cmd)
{
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint16_t c;

	if (ioctl(f->device, VFIO_DEVICE_GET_REGION_INFO, &cfg) ||
	    pread(f->device, &c, sizeof(c), cfg.offset + PCI_COMMAND) != sizeof(c))
		return -errno;
	c |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(f->device, &c, sizeof(c), cfg.offset + PCI_COMMAND) != sizeof(c) ||
	    pread(f->device, cmd, sizeof(*cmd), cfg.offset + PCI_COMMAND) != sizeof(*cmd))
		return -errno;
	return 0;
}

int vfio_open_type(struct vfio *f, const char *bdf, unsigned long iommu_type)
{
	uint16_t cmd;
	int ret;

	ret = vfio_find_group(f, bdf);
	if (!ret)
		ret = vfio_open_group(f);
	if (!ret)
		ret = vfio_group_viable(f);
	if (!ret)
		ret = vfio_set_iommu(f, iommu_type);
	if (!ret)
		ret = vfio_open_device(f);
	if (!ret)
		ret = vfio_enable_master(f, &cmd);
	return ret;
}

int vfio_join(struct vfio *f, const char *bdf, int container)
{
	uint16_t cmd;
	int ret;

	ret = vfio_find_group(f, bdf);
	if (ret)
		return ret;
	f->group = open(f->group_path, O_RDWR | O_CLOEXEC);
	if (f->group < 0 || ioctl(f->group, VFIO_GROUP_SET_CONTAINER, &container))
		return -errno;
	ret = vfio_open_device(f);
	return ret ? ret : vfio_enable_master(f, &cmd);
}

void vfio_close(struct vfio *f)
{
	if (f->bar0)
		munmap((void *)f->bar0, f->bar0_size);
	if (f->device >= 0)
		close(f->device);
	if (f->group >= 0)
		close(f->group);
	if (f->container >= 0)
		close(f->container);
	f->bar0 = NULL;
	f->device = f->group = f->container = -1;
}

int vfio_get_info(const struct vfio *f, struct vfio_info *out)
{
	static union {
		struct vfio_iommu_type1_info info;
		uint8_t bytes[4096];
	} buf;
	struct vfio_info_cap_header *h;
	struct vfio_iommu_type1_info_cap_iova_range *r;
	uint32_t off, i;

	memset(&buf, 0, sizeof(buf));
	buf.info.argsz = sizeof(buf);
	if (ioctl(f->container, VFIO_IOMMU_GET_INFO, &buf.info))
		return -errno;
	memset(out, 0, sizeof(*out));
	out->pgsizes = buf.info.iova_pgsizes;
	if (!(buf.info.flags & VFIO_IOMMU_INFO_CAPS))
		return 0;
	for (off = buf.info.cap_offset; off && off + sizeof(*h) <= sizeof(buf); off = h->next) {
		h = (struct vfio_info_cap_header *)(buf.bytes + off);
		if (h->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			continue;
		r = (struct vfio_iommu_type1_info_cap_iova_range *)h;
		if (r->nr_iovas > VFIO_INFO_RANGES_MAX ||
		    off + sizeof(*r) + r->nr_iovas * sizeof(r->iova_ranges[0]) > sizeof(buf))
			return errno = E2BIG, -E2BIG;
		out->nr_ranges = r->nr_iovas;
		for (i = 0; i < r->nr_iovas; i++) {
			out->ranges[i].start = r->iova_ranges[i].start;
			out->ranges[i].end = r->iova_ranges[i].end;
		}
	}
	return 0;
}

int vfio_type1_map(const struct vfio *f, uint64_t iova, void *hva, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)hva, .iova = iova, .size = size,
	};

	return ioctl(f->container, VFIO_IOMMU_MAP_DMA, &m) ? -errno : 0;
}

int vfio_type1_unmap(const struct vfio *f, uint64_t iova, uint64_t size,
		     uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	if (ioctl(f->container, VFIO_IOMMU_UNMAP_DMA, &u))
		return -errno;
	*unmapped = u.size;
	return 0;
}
