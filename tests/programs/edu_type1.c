// SPDX-License-Identifier: GPL-2.0
/*
 * edu_type1 BDF: prove DMA through VFIO type1 with QEMU's "edu" device.
 *
 * This program maps two buffers, A and B, at IOVAs (edu.h describes the
 * device), and checks that a copy A -> edu buffer -> B reproduces A's bytes in
 * B.  Then it unmaps B and checks that a copy into B's old IOVA leaves B
 * untouched.  Each VFIO step on the way is a point of its own.
 *
 * The device must already be bound to vfio-pci.  Output is TAP on stdout; the
 * plan comes last, so an early exit shows up as an incomplete run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "edu.h"
#include "vfio.h"

#define IOVA_A		0x100000ull
#define IOVA_B		0x200000ull
#define BUF_SIZE	4096ul

static void *anon_buffer(struct tap *t)
{
	void *p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail(t, "mmap buffer");
	return p;
}

/* A step that sets errno as a negative return: bail with @what if it fails. */
static void must(struct tap *t, int ret, const char *what)
{
	if (ret) {
		errno = -ret;
		tap_bail(t, what);
	}
}

/*
 * The group in a type1v2 container, the device opened with BAR0 mapped and
 * bus mastering on; false if a point says why not.
 */
static bool open_type1(struct tap *t, struct vfio *f, const char *bdf)
{
	uint16_t cmd = 0;

	must(t, vfio_find_group(f, bdf), "iommu_group link");
	must(t, vfio_open_group(f), "open /dev/vfio/vfio and the group");
	tap_check(t, ioctl(f->container, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
		  "VFIO API version %d", VFIO_API_VERSION);
	if (!tap_check(t, ioctl(f->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0,
		       "container supports type1v2"))
		return false;
	if (!tap_check(t, vfio_group_viable(f) == 0, "group %s is viable", f->group_path))
		return false;
	if (!tap_check(t, vfio_set_iommu(f, VFIO_TYPE1v2_IOMMU) == 0,
		       "group in a container with the type1v2 IOMMU"))
		return false;
	if (!tap_check(t, vfio_open_device(f) == 0, "BAR0 can be mmapped (%zu bytes)",
		       f->bar0_size))
		return false;
	must(t, vfio_enable_master(f, &cmd), "PCI_COMMAND");
	tap_check(t, cmd & PCI_COMMAND_MASTER, "bus mastering enabled (PCI_COMMAND 0x%04x)", cmd);
	return true;
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	uint64_t unmapped;
	struct vfio f;
	uint8_t *a, *b;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF (bound to vfio-pci)\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!open_type1(&t, &f, argv[1]))
		return 1;
	edu_check_alive(&t, f.bar0);

	/* A holds a pattern, B is zero; both mapped. */
	a = anon_buffer(&t);
	b = anon_buffer(&t);
	fill_pattern(a, BUF_SIZE, 13);
	tap_check(&t, vfio_type1_map(&f, IOVA_A, a, BUF_SIZE) == 0,
		  "MAP_DMA buffer A at IOVA 0x%llx", IOVA_A);
	tap_check(&t, vfio_type1_map(&f, IOVA_B, b, BUF_SIZE) == 0,
		  "MAP_DMA buffer B at IOVA 0x%llx", IOVA_B);

	/* A -> edu -> B */
	tap_check(&t, edu_dma(f.bar0, IOVA_A, EDU_BUF, EDU_DMA_LEN, false),
		  "DMA of %u bytes A -> edu finished", EDU_DMA_LEN);
	tap_check(&t, edu_dma(f.bar0, EDU_BUF, IOVA_B, EDU_DMA_LEN, true),
		  "DMA of %u bytes edu -> B finished", EDU_DMA_LEN);
	tap_check(&t, memcmp(a, b, EDU_DMA_LEN) == 0, "B holds A's %u bytes after A -> edu -> B",
		  EDU_DMA_LEN);
	tap_check(&t, all_bytes(b + EDU_DMA_LEN, BUF_SIZE - EDU_DMA_LEN, 0),
		  "B is untouched past the DMA length");

	/* B unmapped: a DMA to its old IOVA must not reach it. */
	must(&t, vfio_type1_unmap(&f, IOVA_B, BUF_SIZE, &unmapped), "UNMAP_DMA B");
	tap_check(&t, unmapped == BUF_SIZE, "UNMAP_DMA B unmapped %llu bytes",
		  (unsigned long long)unmapped);
	memset(b, EDU_SENTINEL, BUF_SIZE);
	tap_check(&t, edu_dma(f.bar0, EDU_BUF, IOVA_B, EDU_DMA_LEN, true),
		  "DMA edu -> unmapped IOVA 0x%llx finished", IOVA_B);
	tap_check(&t, all_bytes(b, BUF_SIZE, EDU_SENTINEL),
		  "B untouched by DMA to its unmapped IOVA");

	tap_check(&t, vfio_type1_unmap(&f, IOVA_A, BUF_SIZE, &unmapped) == 0 &&
		  unmapped == BUF_SIZE, "UNMAP_DMA A");
	vfio_close(&f);
	return tap_done(&t);
}
