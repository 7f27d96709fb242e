// SPDX-License-Identifier: GPL-2.0
/*
 * edu_raw BDF blocked|lands: DMA from an edu that no driver owns, to the
 * physical addresses of this process's pages.
 *
 * No VFIO and no DMA API are involved: BAR0 is mapped through sysfs
 * (resource0), bus mastering is switched on in config space, and the bus
 * address is a page's physical address from /proc/self/pagemap.  Whatever
 * IOMMU sits in front of the device decides alone whether the DMA lands:
 *
 *   lands    the device is in a bypass (identity) domain: a copy
 *            page A -> edu -> page B must reproduce A's bytes in B.  This is
 *            the control that proves the program reaches RAM at all.
 *   blocked  the device is not attached to any domain: copies edu -> B1 and
 *            edu -> B2, filled with two different sentinels beforehand, must
 *            leave both untouched (the edu buffer cannot equal both).
 *
 * The program prints the target pages' physical addresses ("pa 0x..."), so
 * that the host can find its IOMMU's fault records for them.  Output is TAP
 * on stdout; the plan comes last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu.h"

#define PAGE_SIZE	4096ul
#define PAGEMAP_PRESENT	(1ull << 63)
#define PAGEMAP_PFN	((1ull << 55) - 1)

/* A locked, touched page of this process and its physical address. */
static uint8_t *locked_page(struct tap *t, uint64_t *pa)
{
	uint64_t entry;
	uint8_t *p;
	int fd;

	p = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		tap_bail(t, "mmap a locked page");
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		tap_bail(t, "open /proc/self/pagemap");
	if (pread(fd, &entry, sizeof(entry), (uintptr_t)p / PAGE_SIZE * sizeof(entry)) !=
	    sizeof(entry))
		tap_bail(t, "read /proc/self/pagemap");
	close(fd);
	if (!(entry & PAGEMAP_PRESENT) || !(entry & PAGEMAP_PFN)) {
		errno = EPERM;
		tap_bail(t, "pagemap has no PFN (not root?)");
	}
	*pa = (entry & PAGEMAP_PFN) * PAGE_SIZE;
	if (*pa > EDU_DMA_MASK) {
		errno = ERANGE;
		tap_bail(t, "page above edu's 28-bit DMA mask (give the VM at most 256 MiB)");
	}
	return p;
}

/* Map BAR0 through sysfs and switch on memory decoding and bus mastering. */
static volatile uint8_t *edu_open(struct tap *t, const char *bdf)
{
	char dev_path[256];
	volatile uint8_t *bar0;
	uint16_t cmd;
	int fd;

	snprintf(dev_path, sizeof(dev_path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(dev_path, O_RDWR);
	if (fd < 0)
		tap_bail(t, dev_path);
	if (pread(fd, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd))
		tap_bail(t, "read PCI_COMMAND");
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(fd, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd))
		tap_bail(t, "write PCI_COMMAND");
	close(fd);

	snprintf(dev_path, sizeof(dev_path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(dev_path, O_RDWR | O_SYNC);
	if (fd < 0)
		tap_bail(t, dev_path);
	bar0 = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar0 == MAP_FAILED)
		tap_bail(t, "mmap resource0");
	close(fd);
	edu_check_alive(t, bar0);
	return bar0;
}

static void expect_lands(struct tap *t, volatile uint8_t *bar0)
{
	uint64_t pa_a, pa_b;
	uint8_t *a = locked_page(t, &pa_a), *b = locked_page(t, &pa_b);

	fill_pattern(a, PAGE_SIZE, 7);
	memset(b, 0, PAGE_SIZE);
	tap_check(t, edu_dma(bar0, pa_a, EDU_BUF, EDU_DMA_LEN, false),
		  "DMA A (pa 0x%llx) -> edu finished", (unsigned long long)pa_a);
	tap_check(t, edu_dma(bar0, EDU_BUF, pa_b, EDU_DMA_LEN, true),
		  "DMA edu -> B (pa 0x%llx) finished", (unsigned long long)pa_b);
	tap_check(t, memcmp(a, b, EDU_DMA_LEN) == 0, "B holds A's %u bytes: the DMA landed",
		  EDU_DMA_LEN);
}

static void expect_blocked(struct tap *t, volatile uint8_t *bar0)
{
	static const uint8_t sentinel[2] = { EDU_SENTINEL, (uint8_t)~EDU_SENTINEL };
	uint64_t pa;
	uint8_t *b;
	int i;

	for (i = 0; i < 2; i++) {
		b = locked_page(t, &pa);
		memset(b, sentinel[i], PAGE_SIZE);
		tap_check(t, edu_dma(bar0, EDU_BUF, pa, EDU_DMA_LEN, true),
			  "DMA edu -> B%d (pa 0x%llx) finished", i + 1, (unsigned long long)pa);
		tap_check(t, all_bytes(b, PAGE_SIZE, sentinel[i]),
			  "B%d untouched (still 0x%02x): the DMA was blocked", i + 1, sentinel[i]);
	}
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	volatile uint8_t *bar0;

	if (argc != 3 || (strcmp(argv[2], "blocked") && strcmp(argv[2], "lands"))) {
		fprintf(stderr, "usage: %s BDF blocked|lands (BDF bound to no driver)\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	bar0 = edu_open(&t, argv[1]);
	if (!strcmp(argv[2], "lands"))
		expect_lands(&t, bar0);
	else
		expect_blocked(&t, bar0);
	return tap_done(&t);
}
