// SPDX-License-Identifier: GPL-2.0
/*
 * edu_type1 BDF: prove DMA through VFIO type1 with QEMU's "edu" device.
 *
 * The edu device (QEMU docs/specs/edu.rst) has a 4 KiB buffer at device address
 * 0x40000 and a DMA engine that copies between that buffer and bus addresses,
 * which go through the IOMMU.  This program maps two buffers, A and B, at
 * IOVAs, and checks that a copy A -> edu buffer -> B reproduces A's bytes in B.
 * Then it unmaps B and checks that a copy into B's old IOVA leaves B untouched.
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
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* edu registers (BAR0) */
#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2	/* direction: edu buffer -> bus address */
#define EDU_ID_VALUE	0x010000edu
#define EDU_BUF		0x40000	/* device address of edu's own buffer */

/*
 * edu's DMA mask is 28 bits, so IOVAs stay below 0x10000000.  QEMU 7.2 crashes
 * on a 4096-byte transfer; 2048 is safe.
 */
#define IOVA_A		0x100000ull
#define IOVA_B		0x200000ull
#define BUF_SIZE	4096ul
#define DMA_LEN		2048u
#define SENTINEL	0xa5

static unsigned int tests;
static volatile uint8_t *bar0;

static bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

/* A step that the rest depends on failed: report it and stop (no plan). */
static void __attribute__((noreturn)) bail(const char *what)
{
	tap(false, "%s: %s", what, strerror(errno));
	exit(1);
}

static uint32_t rd32(unsigned int off)
{
	return *(volatile uint32_t *)(bar0 + off);
}

static void wr32(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(bar0 + off) = v;
}

static void wr64(unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(bar0 + off) = v;
}

/* Run one edu DMA and wait for it; false if it does not finish within 5 s. */
static bool edu_dma(uint64_t src, uint64_t dst, uint32_t len, uint32_t dir)
{
	const struct timespec tick = { .tv_nsec = 1000000 };
	int ms;

	wr64(EDU_DMA_SRC, src);
	wr64(EDU_DMA_DST, dst);
	wr64(EDU_DMA_COUNT, len);
	wr64(EDU_DMA_CMD, EDU_CMD_START | dir);
	for (ms = 0; ms < 5000; ms++) {
		if (!(rd32(EDU_DMA_CMD) & EDU_CMD_START))
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

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

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	while (len--)
		if (*p++ != v)
			return false;
	return true;
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
	bar0 = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, device, bar.offset);
	if (bar0 == MAP_FAILED)
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

	tap(rd32(EDU_ID) == EDU_ID_VALUE, "edu identification register 0x%08x", rd32(EDU_ID));
	wr32(EDU_LIVENESS, 0x12345678);
	tap(rd32(EDU_LIVENESS) == ~0x12345678u, "edu liveness register inverts");

	/* A holds a pattern, B is zero; both mapped. */
	a = anon_buffer();
	b = anon_buffer();
	for (i = 0; i < BUF_SIZE; i++)
		a[i] = (uint8_t)(i * 7 + 13) ^ (uint8_t)(i >> 8);
	tap(dma_map(container, a, IOVA_A) == 0, "MAP_DMA buffer A at IOVA 0x%llx", IOVA_A);
	tap(dma_map(container, b, IOVA_B) == 0, "MAP_DMA buffer B at IOVA 0x%llx", IOVA_B);

	/* A -> edu -> B */
	tap(edu_dma(IOVA_A, EDU_BUF, DMA_LEN, 0), "DMA of %u bytes A -> edu finished", DMA_LEN);
	tap(edu_dma(EDU_BUF, IOVA_B, DMA_LEN, EDU_CMD_TO_RAM),
	    "DMA of %u bytes edu -> B finished", DMA_LEN);
	tap(memcmp(a, b, DMA_LEN) == 0, "B holds A's %u bytes after A -> edu -> B", DMA_LEN);
	tap(all_bytes(b + DMA_LEN, BUF_SIZE - DMA_LEN, 0), "B is untouched past the DMA length");

	/* B unmapped: a DMA to its old IOVA must not reach it. */
	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		bail("UNMAP_DMA B");
	tap(unmap.size == BUF_SIZE, "UNMAP_DMA B unmapped %llu bytes",
	    (unsigned long long)unmap.size);
	memset(b, SENTINEL, BUF_SIZE);
	tap(edu_dma(EDU_BUF, IOVA_B, DMA_LEN, EDU_CMD_TO_RAM),
	    "DMA edu -> unmapped IOVA 0x%llx finished", IOVA_B);
	tap(all_bytes(b, BUF_SIZE, SENTINEL), "B untouched by DMA to its unmapped IOVA");

	unmap.iova = IOVA_A;
	unmap.size = BUF_SIZE;
	tap(ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) == 0 && unmap.size == BUF_SIZE,
	    "UNMAP_DMA A");

	printf("1..%u\n", tests);
	return 0;
}
