// SPDX-License-Identifier: GPL-2.0
/*
 * edu_type1 BDF: prove DMA through VFIO type1 with QEMU's "edu" device.
 *
 * This program maps two buffers, A and B, at IOVAs (edu.h describes the
 * device), and checks that a copy A -> edu buffer -> B reproduces A's bytes in
 * B.  Then it unmaps B and checks that a copy into B's old IOVA leaves B
 * untouched.
 *
 * The device must already be bound to vfio-pci.  Output is TAP on stdout; the
 * plan comes last, so an early exit shows up as an incomplete run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu.h"

#define IOVA_A		0x100000ull
#define IOVA_B		0x200000ull
#define BUF_SIZE	4096ul

static int dma_map(int container, void *vaddr, uint64_t iova)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = BUF_SIZE,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map);
}

static void *anon_buffer(void)
{
	void *p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bail("mmap buffer");
	return p;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status gstatus = { .argsz = sizeof(gstatus) };
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap),
						    .iova = IOVA_B,
						    .size = BUF_SIZE };
	int container, group, device;
	uint16_t cmd;
	uint8_t *a, *b;
	ssize_t n;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF (bound to vfio-pci)\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* The device's IOMMU group, its container, type1v2. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", argv[1]);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		bail("iommu_group link");
	link[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		bail("open /dev/vfio/vfio");
	tap(ioctl(container, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
	    "VFIO API version %d", VFIO_API_VERSION);
	if (!tap(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0,
		 "container supports type1v2"))
		return 1;

	group = open(path, O_RDWR);
	if (group < 0)
		bail(path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &gstatus))
		bail("VFIO_GROUP_GET_STATUS");
	if (!tap(gstatus.flags & VFIO_GROUP_FLAGS_VIABLE, "group %s is viable", path))
		return 1;
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		bail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		bail("VFIO_SET_IOMMU type1v2");
	tap(true, "group in a container with the type1v2 IOMMU");

	/* BAR0 mapped, memory decoding and bus mastering on. */
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (device < 0)
		bail("VFIO_GROUP_GET_DEVICE_FD");
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &bar))
		bail("BAR0 region info");
	if (!tap(bar.flags & VFIO_REGION_INFO_FLAG_MMAP, "BAR0 can be mmapped (%llu bytes)",
		 (unsigned long long)bar.size))
		return 1;
	edu_bar0 = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, device, bar.offset);
	if (edu_bar0 == MAP_FAILED)
		bail("mmap BAR0");
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		bail("config region info");
	if (pread(device, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		bail("read PCI_COMMAND");
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(device, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		bail("write PCI_COMMAND");
	cmd = 0;
	if (pread(device, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		bail("read PCI_COMMAND");
	tap(cmd & PCI_COMMAND_MASTER, "bus mastering enabled (PCI_COMMAND 0x%04x)", cmd);

	edu_check_alive();

	/* A holds a pattern, B is zero; both mapped. */
	a = anon_buffer();
	b = anon_buffer();
	for (i = 0; i < BUF_SIZE; i++)
		a[i] = (uint8_t)(i * 7 + 13) ^ (uint8_t)(i >> 8);
	tap(dma_map(container, a, IOVA_A) == 0, "MAP_DMA buffer A at IOVA 0x%llx", IOVA_A);
	tap(dma_map(container, b, IOVA_B) == 0, "MAP_DMA buffer B at IOVA 0x%llx", IOVA_B);

	/* A -> edu -> B */
	tap(edu_dma(IOVA_A, EDU_BUF, EDU_DMA_LEN, 0), "DMA of %u bytes A -> edu finished", EDU_DMA_LEN);
	tap(edu_dma(EDU_BUF, IOVA_B, EDU_DMA_LEN, EDU_CMD_TO_RAM),
	    "DMA of %u bytes edu -> B finished", EDU_DMA_LEN);
	tap(memcmp(a, b, EDU_DMA_LEN) == 0, "B holds A's %u bytes after A -> edu -> B", EDU_DMA_LEN);
	tap(all_bytes(b + EDU_DMA_LEN, BUF_SIZE - EDU_DMA_LEN, 0), "B is untouched past the DMA length");

	/* B unmapped: a DMA to its old IOVA must not reach it. */
	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		bail("UNMAP_DMA B");
	tap(unmap.size == BUF_SIZE, "UNMAP_DMA B unmapped %llu bytes",
	    (unsigned long long)unmap.size);
	memset(b, EDU_SENTINEL, BUF_SIZE);
	tap(edu_dma(EDU_BUF, IOVA_B, EDU_DMA_LEN, EDU_CMD_TO_RAM),
	    "DMA edu -> unmapped IOVA 0x%llx finished", IOVA_B);
	tap(all_bytes(b, BUF_SIZE, EDU_SENTINEL), "B untouched by DMA to its unmapped IOVA");

	unmap.iova = IOVA_A;
	unmap.size = BUF_SIZE;
	tap(ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) == 0 && unmap.size == BUF_SIZE,
	    "UNMAP_DMA A");

	printf("1..%u\n", tap_tests);
	return 0;
}
