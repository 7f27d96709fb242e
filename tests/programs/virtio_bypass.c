// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_bypass BDF 0|1: write config.bypass of the virtio-iommu PCI
 * function BDF, as a driver does, behind the back of the driver bound to it.
 *
 * The device-specific config is where a virtio driver finds it: the vendor
 * capability of cfg_type VIRTIO_PCI_CAP_DEVICE_CFG names a BAR and an
 * offset, and bypass is the byte at offsetof(struct virtio_iommu_config,
 * bypass) there.  The write goes through the capability of cfg_type
 * VIRTIO_PCI_CAP_PCI_CFG, the spec's window on the BARs in config space
 * (sysfs' config file): a BAR that its driver holds cannot be mapped from
 * userspace under CONFIG_IO_STRICT_DEVMEM.  The spec lets a driver write
 * bypass once BYPASS_CONFIG is negotiated; the device applies it to
 * unattached endpoints at once.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_pci.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The position of @cfg's virtio capability of @type, or 0. */
static unsigned int find_cap(const uint8_t *cfg, size_t len, uint8_t type)
{
	unsigned int pos = cfg[PCI_CAPABILITY_LIST] & ~3u, hops = 0;
	struct virtio_pci_cap cap;

	while (pos && pos + sizeof(cap) <= len && hops++ < 48) {
		memcpy(&cap, cfg + pos, sizeof(cap));
		if (cap.cap_vndr == PCI_CAP_ID_VNDR && cap.cfg_type == type)
			return pos;
		pos = cap.cap_next & ~3u;
	}
	return 0;
}

static int write_cfg(int fd, unsigned int pos, const void *val, size_t len)
{
	return pwrite(fd, val, len, pos) == (ssize_t)len ? 0 : -1;
}

int main(int argc, char **argv)
{
	const size_t at = offsetof(struct virtio_iommu_config, bypass);
	unsigned int dev_pos, win_pos;
	struct virtio_pci_cap dev;
	uint32_t offset, length;
	uint8_t cfg[256], val;
	char path[128];
	ssize_t len;
	int fd;

	if (argc != 3 || (strcmp(argv[2], "0") && strcmp(argv[2], "1"))) {
		fprintf(stderr, "usage: virtio_bypass BDF 0|1\n");
		return 2;
	}
	val = (uint8_t)(argv[2][0] - '0');
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", argv[1]);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "virtio_bypass: %s: %s\n", path, strerror(errno));
		return 1;
	}
	len = pread(fd, cfg, sizeof(cfg), 0);
	dev_pos = len < 64 ? 0 : find_cap(cfg, (size_t)len, VIRTIO_PCI_CAP_DEVICE_CFG);
	win_pos = len < 64 ? 0 : find_cap(cfg, (size_t)len, VIRTIO_PCI_CAP_PCI_CFG);
	if (!dev_pos || !win_pos) {
		fprintf(stderr, "virtio_bypass: %s: no virtio device config or PCI config capability\n",
			argv[1]);
		close(fd);
		return 1;
	}
	memcpy(&dev, cfg + dev_pos, sizeof(dev));
	offset = htole32(le32toh(dev.offset) + (uint32_t)at);
	length = htole32(1);
	/* struct virtio_pci_cfg_cap: the window's BAR, offset and length, then the data. */
	if (write_cfg(fd, win_pos + offsetof(struct virtio_pci_cap, bar), &dev.bar, 1) ||
	    write_cfg(fd, win_pos + offsetof(struct virtio_pci_cap, offset), &offset, 4) ||
	    write_cfg(fd, win_pos + offsetof(struct virtio_pci_cap, length), &length, 4) ||
	    write_cfg(fd, win_pos + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), &val, 1)) {
		fprintf(stderr, "virtio_bypass: %s: write: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	printf("virtio_bypass: %s: config.bypass = %u (BAR %u, offset %#x)\n", argv[1], val,
	       dev.bar, le32toh(dev.offset) + (unsigned int)at);
	close(fd);
	return 0;
}
