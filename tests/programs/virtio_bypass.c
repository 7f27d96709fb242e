// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_bypass [--negotiate] BDF 0|1: write config.bypass of the
 * virtio-iommu PCI function BDF, as a driver does.
 *
 * The device-specific config is where a virtio driver finds it: the vendor
 * capability of cfg_type VIRTIO_PCI_CAP_DEVICE_CFG names a BAR and an
 * offset, and bypass is the byte at offsetof(struct virtio_iommu_config,
 * bypass) there.  Every access goes through the capability of cfg_type
 * VIRTIO_PCI_CAP_PCI_CFG, the spec's window on the BARs in config space
 * (sysfs' config file): a BAR that a driver holds cannot be mapped from
 * userspace under CONFIG_IO_STRICT_DEVMEM.
 *
 * Without --negotiate the write goes behind the back of the driver bound to
 * the function, which negotiated the features.  With --negotiate no driver
 * may be bound: the program is the driver, up to but not including
 * DRIVER_OK.  It resets the device, sets ACKNOWLEDGE and DRIVER, accepts
 * VIRTIO_F_VERSION_1 and VIRTIO_IOMMU_F_BYPASS_CONFIG only, and sets
 * FEATURES_OK, which the device must keep; then it writes bypass.  The spec
 * lets a driver write bypass once BYPASS_CONFIG is negotiated; the device
 * applies it to unattached endpoints at once.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_pci.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The function's config space and where its virtio capabilities are. */
struct vb_dev {
	int fd;
	unsigned int win;		/* the VIRTIO_PCI_CAP_PCI_CFG window */
	struct virtio_pci_cap common;	/* VIRTIO_PCI_CAP_COMMON_CFG */
	struct virtio_pci_cap device;	/* VIRTIO_PCI_CAP_DEVICE_CFG */
};

/* The position of @cfg's virtio capability of @type, or 0. */
static unsigned int vb_find_cap(const uint8_t *cfg, size_t len, uint8_t type)
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

static int vb_cfg_write(const struct vb_dev *d, unsigned int pos, const void *val, size_t len)
{
	return pwrite(d->fd, val, len, pos) == (ssize_t)len ? 0 : -1;
}

/* Point the window at @len bytes at @off in the BAR of @cap. */
static int vb_window(const struct vb_dev *d, const struct virtio_pci_cap *cap, uint32_t off,
		     uint32_t len)
{
	uint32_t offset = htole32(le32toh(cap->offset) + off), length = htole32(len);

	return vb_cfg_write(d, d->win + offsetof(struct virtio_pci_cap, bar), &cap->bar, 1) ||
	       vb_cfg_write(d, d->win + offsetof(struct virtio_pci_cap, offset), &offset, 4) ||
	       vb_cfg_write(d, d->win + offsetof(struct virtio_pci_cap, length), &length, 4);
}

/* Write the @len (1 or 4) bytes at @val to @off of @cap's structure. */
static int vb_write(const struct vb_dev *d, const struct virtio_pci_cap *cap, uint32_t off,
		    const void *val, uint32_t len)
{
	return vb_window(d, cap, off, len) ||
	       vb_cfg_write(d, d->win + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), val, len);
}

static int vb_read(const struct vb_dev *d, const struct virtio_pci_cap *cap, uint32_t off,
		   void *val, uint32_t len)
{
	if (vb_window(d, cap, off, len))
		return -1;
	return pread(d->fd, val, len, d->win + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data)) ==
	       (ssize_t)len ? 0 : -1;
}

static int vb_set_status(const struct vb_dev *d, uint8_t status)
{
	return vb_write(d, &d->common, offsetof(struct virtio_pci_common_cfg, device_status),
			&status, 1);
}

static int vb_get_status(const struct vb_dev *d, uint8_t *status)
{
	return vb_read(d, &d->common, offsetof(struct virtio_pci_common_cfg, device_status),
		       status, 1);
}

/* Select feature word @sel (32 bits each) at @sel_off, then access it at @off. */
static int vb_features(const struct vb_dev *d, uint32_t sel_off, uint32_t off, uint32_t sel,
		       uint32_t *val, bool write)
{
	uint32_t s = htole32(sel), v = htole32(*val);

	if (vb_write(d, &d->common, sel_off, &s, 4))
		return -1;
	if (write)
		return vb_write(d, &d->common, off, &v, 4);
	if (vb_read(d, &d->common, off, &v, 4))
		return -1;
	*val = le32toh(v);
	return 0;
}

/*
 * Be the driver up to FEATURES_OK: the device must offer VERSION_1 and
 * BYPASS_CONFIG and accept exactly those two.  Return: 0, or -1 with the
 * reason on stderr.
 */
static int vb_negotiate(const struct vb_dev *d)
{
	const uint32_t dsel = offsetof(struct virtio_pci_common_cfg, device_feature_select);
	const uint32_t dfeat = offsetof(struct virtio_pci_common_cfg, device_feature);
	const uint32_t gsel = offsetof(struct virtio_pci_common_cfg, guest_feature_select);
	const uint32_t gfeat = offsetof(struct virtio_pci_common_cfg, guest_feature);
	uint32_t lo = 0, hi = 0, want_lo = 1u << VIRTIO_IOMMU_F_BYPASS_CONFIG;
	uint32_t want_hi = 1u << (VIRTIO_F_VERSION_1 - 32);
	uint8_t status = 0xff;
	int i;

	/* "The driver MUST ... reset the device" first, and wait for 0 to read back. */
	if (vb_set_status(d, 0))
		return -1;
	for (i = 0; i < 1000 && status; i++)
		if (vb_get_status(d, &status))
			return -1;
	if (status) {
		fprintf(stderr, "virtio_bypass: the device does not reset (status %#x)\n", status);
		return -1;
	}
	if (vb_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE) ||
	    vb_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER) ||
	    vb_features(d, dsel, dfeat, 0, &lo, false) || vb_features(d, dsel, dfeat, 1, &hi, false))
		return -1;
	if ((lo & want_lo) != want_lo || (hi & want_hi) != want_hi) {
		fprintf(stderr, "virtio_bypass: the device offers %#x:%#x, without VERSION_1 or BYPASS_CONFIG\n",
			hi, lo);
		return -1;
	}
	status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
	if (vb_features(d, gsel, gfeat, 0, &want_lo, true) ||
	    vb_features(d, gsel, gfeat, 1, &want_hi, true) || vb_set_status(d, status) ||
	    vb_get_status(d, &status))
		return -1;
	/* "... re-read device status to ensure the FEATURES_OK bit is still set" */
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		fprintf(stderr, "virtio_bypass: the device refused the features (status %#x)\n", status);
		return -1;
	}
	printf("virtio_bypass: negotiated VERSION_1 and BYPASS_CONFIG (status %#x, no DRIVER_OK)\n",
	       status);
	return 0;
}

/* Open @bdf's config space and find its capabilities.  Return: 0 or -1. */
static int vb_open(struct vb_dev *d, const char *bdf, bool negotiate)
{
	unsigned int common, device;
	uint8_t cfg[256];
	char path[128];
	struct stat st;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	if (negotiate && !lstat(path, &st)) {
		fprintf(stderr, "virtio_bypass: %s has a driver: --negotiate needs none\n", bdf);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	d->fd = open(path, O_RDWR);
	if (d->fd < 0) {
		fprintf(stderr, "virtio_bypass: %s: %s\n", path, strerror(errno));
		return -1;
	}
	len = pread(d->fd, cfg, sizeof(cfg), 0);
	common = len < 64 ? 0 : vb_find_cap(cfg, (size_t)len, VIRTIO_PCI_CAP_COMMON_CFG);
	device = len < 64 ? 0 : vb_find_cap(cfg, (size_t)len, VIRTIO_PCI_CAP_DEVICE_CFG);
	d->win = len < 64 ? 0 : vb_find_cap(cfg, (size_t)len, VIRTIO_PCI_CAP_PCI_CFG);
	if (!common || !device || !d->win) {
		fprintf(stderr, "virtio_bypass: %s: no virtio common, device or PCI config capability\n",
			bdf);
		close(d->fd);
		return -1;
	}
	memcpy(&d->common, cfg + common, sizeof(d->common));
	memcpy(&d->device, cfg + device, sizeof(d->device));
	return 0;
}

int main(int argc, char **argv)
{
	const uint32_t at = offsetof(struct virtio_iommu_config, bypass);
	bool negotiate = argc > 1 && !strcmp(argv[1], "--negotiate");
	struct vb_dev d;
	uint8_t val;
	int ret = 1;

	argv += negotiate;
	argc -= negotiate;
	if (argc != 3 || (strcmp(argv[2], "0") && strcmp(argv[2], "1"))) {
		fprintf(stderr, "usage: virtio_bypass [--negotiate] BDF 0|1\n");
		return 2;
	}
	val = (uint8_t)(argv[2][0] - '0');
	if (vb_open(&d, argv[1], negotiate))
		return 1;
	if (negotiate && vb_negotiate(&d))
		goto out;
	if (vb_write(&d, &d.device, at, &val, 1)) {
		fprintf(stderr, "virtio_bypass: %s: write: %s\n", argv[1], strerror(errno));
		goto out;
	}
	printf("virtio_bypass: %s: config.bypass = %u (BAR %u, offset %#x)\n", argv[1], val,
	       d.device.bar, le32toh(d.device.offset) + at);
	ret = 0;
out:
	close(d.fd);
	return ret;
}
