/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA truth: what QEMU's edu device can really reach through the host
 * IOMMU as the guest programs it.  Memory is checked through GPA -> HVA.
 */
#ifndef VHOST_T_DMA_H
#define VHOST_T_DMA_H

#include "vhost_t_conformance.h"

#define IOVA_A		0x100000ull
#define IOVA_B		0x200000ull
#define GPA_A		(DATA_GPA + 0x10000)
#define GPA_B		(DATA_GPA + 0x20000)
#define DMA_LEN		2048u
#define SENTINEL	0xa5

static bool all_bytes(const uint8_t *p, size_t len, uint8_t val)
{
	while (len--)
		if (*p++ != val)
			return false;
	return true;
}

static void fill_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed) ^ (uint8_t)(i >> 8);
}

/* edu: device buffer <- @src, then @dst <- device buffer. */
static bool dma_copy(struct rig *g, uint64_t src, uint64_t dst)
{
	return edu_dma(&g->f, src, EDU_BUF, DMA_LEN, false) &&
	       edu_dma(&g->f, EDU_BUF, dst, DMA_LEN, true);
}

/* Write a known pattern into edu's buffer (from a page it can read). */
static bool edu_load(struct rig *g, uint64_t src)
{
	return edu_dma(&g->f, src, EDU_BUF, DMA_LEN, false);
}

static void suite_dma(struct rig *g)
{
	uint8_t *a = hva(&g->v, GPA_A), *b = hva(&g->v, GPA_B);
	struct vdev *v = &g->v;
	bool ok;

	diag("suite: dma (edu %s, endpoint %#x; GPA_A %#llx at HVA %p)", g->f.bdf, g->ep,
	     (unsigned long long)GPA_A, (void *)a);
	tap(edu_rd32(&g->f, EDU_ID) == EDU_ID_VALUE, "edu identification register 0x%08x",
	    edu_rd32(&g->f, EDU_ID));

	/* Unattached, bypass off: nothing reaches guest RAM. */
	fill_pattern(a, PAGE, 13);
	memset(b, SENTINEL, PAGE);
	ok = edu_dma(&g->f, EDU_BUF, GPA_B, DMA_LEN, true) &&
	     edu_dma(&g->f, EDU_BUF, IOVA_B, DMA_LEN, true);
	tap(ok && all_bytes(b, PAGE, SENTINEL),
	    "unattached endpoint (bypass 0): device writes reach no guest RAM");

	/* Attached, both pages mapped: A -> edu -> B. */
	ok = v_attach(v, 1, g->ep, 0) == OK &&
	     v_map(v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
	     v_map(v, 1, IOVA_B, IOVA_B + PAGE - 1, GPA_B, RW) == OK;
	tap(ok, "ATTACH to domain 1, MAP IOVA %#llx -> GPA %#llx and %#llx -> %#llx",
	    IOVA_A, (unsigned long long)GPA_A, IOVA_B, (unsigned long long)GPA_B);
	memset(b, 0, PAGE);
	ok = dma_copy(g, IOVA_A, IOVA_B);
	tap(ok && !memcmp(a, b, DMA_LEN) && all_bytes(b + DMA_LEN, PAGE - DMA_LEN, 0),
	    "DMA A -> edu -> B lands in B's guest page (through GPA -> HVA), and only there");

	/* UNMAP: the IOVA leads nowhere. */
	ok = v_unmap(v, 1, IOVA_B, IOVA_B + PAGE - 1) == OK;
	memset(b, SENTINEL, PAGE);
	ok = edu_dma(&g->f, EDU_BUF, IOVA_B, DMA_LEN, true) && ok;
	tap(ok && all_bytes(b, PAGE, SENTINEL), "after UNMAP a device write to the IOVA does not reach B");

	/* READ-only: the device may read B but not write it. */
	fill_pattern(b, PAGE, 99);
	ok = v_map(v, 1, IOVA_B, IOVA_B + PAGE - 1, GPA_B, R) == OK;
	memset(a, 0, PAGE);
	ok = edu_load(g, IOVA_B) && edu_dma(&g->f, EDU_BUF, IOVA_A, DMA_LEN, true) && ok;
	tap(ok && !memcmp(a, b, DMA_LEN), "READ-only mapping: the device reads B");
	fill_pattern(a, PAGE, 55);
	ok = edu_load(g, IOVA_A) && edu_dma(&g->f, EDU_BUF, IOVA_B, DMA_LEN, true);
	{
		uint8_t expect[PAGE];

		fill_pattern(expect, PAGE, 99);
		tap(ok && !memcmp(b, expect, PAGE), "READ-only mapping: a device write does not reach B");
	}

	/* DETACH: domain 1 is gone for the device. */
	ok = v_detach(v, 1, g->ep) == OK;
	memset(a, SENTINEL, PAGE);
	ok = edu_dma(&g->f, EDU_BUF, IOVA_A, DMA_LEN, true) && ok;
	tap(ok && all_bytes(a, PAGE, SENTINEL) && pinned_pages(v) == 0,
	    "after DETACH a device write to a formerly mapped IOVA does not reach A; nothing pinned");

	/* config.bypass = 1: unattached endpoints are translated with the identity. */
	fill_pattern(a, PAGE, 7);
	memset(b, 0, PAGE);
	ok = ioctl(v->fd, VHOST_IOMMU_SET_BYPASS, 1) == 0;
	ok = ok && dma_copy(g, GPA_A, GPA_B);
	tap(ok && !memcmp(a, b, DMA_LEN), "bypass (config.bypass=1): DMA at IOVA == GPA reaches guest RAM");
	ok = ioctl(v->fd, VHOST_IOMMU_SET_BYPASS, 0) == 0;
	memset(b, SENTINEL, PAGE);
	ok = edu_dma(&g->f, EDU_BUF, GPA_B, DMA_LEN, true) && ok;
	tap(ok && all_bytes(b, PAGE, SENTINEL), "bypass off again: the device is blocked");

	/* A domain created with ATTACH_F_BYPASS. */
	fill_pattern(a, PAGE, 21);
	memset(b, 0, PAGE);
	ok = v_attach(v, 9, g->ep, VIRTIO_IOMMU_ATTACH_F_BYPASS) == OK;
	ok = ok && dma_copy(g, GPA_A, GPA_B);
	tap(ok && !memcmp(a, b, DMA_LEN), "ATTACH_F_BYPASS domain: DMA at IOVA == GPA reaches guest RAM");
	ok = v_detach(v, 9, g->ep) == OK;
	memset(b, SENTINEL, PAGE);
	ok = edu_dma(&g->f, EDU_BUF, GPA_B, DMA_LEN, true) && ok;
	tap(ok && all_bytes(b, PAGE, SENTINEL), "after DETACH from the bypass domain: blocked");

	/* RESET with a live mapping: blocked again. */
	ok = v_attach(v, 1, g->ep, 0) == OK &&
	     v_map(v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
	     ioctl(v->fd, VHOST_IOMMU_RESET) == 0;
	memset(a, SENTINEL, PAGE);
	ok = edu_dma(&g->f, EDU_BUF, IOVA_A, DMA_LEN, true) && ok;
	tap(ok && all_bytes(a, PAGE, SENTINEL) && pinned_pages(v) == 0,
	    "after VHOST_IOMMU_RESET the old mapping is gone for the device; nothing pinned");
}

#endif /* VHOST_T_DMA_H */
