// SPDX-License-Identifier: GPL-2.0
/*
 * suite dma: DMA truth, what QEMU's edu device can really reach through the
 * host IOMMU as the guest programs it; memory is checked through
 * GPA -> HVA.  It asserts that an unattached endpoint reaches no guest RAM
 * (bypass 0), that a mapped page is reached and only it, that UNMAP,
 * DETACH and VHOST_IOMMU_RESET cut the device off, that a READ-only
 * mapping can be read but not written, that config.bypass and an
 * ATTACH_F_BYPASS domain give the identity, and that the identity domain
 * follows memory table changes in place, that an endpoint follows a
 * change of its ID (a bus numbered late), and that a hot-unplugged endpoint
 * takes its domain, mappings and pins with it.  A fixture for each way of
 * holding guest pages (rig_modes: pinned per MAP, pre-pinned).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "edu.h"
#include "suites.h"

static void t_dma(struct tap *t, struct rig *g)
{
	volatile uint8_t *bar0 = g->f.bar0;
	uint8_t *a = hva(&g->v, GPA_A), *b = hva(&g->v, GPA_B);
	struct vdev *v = &g->v;
	bool ok;

	tap_diag("suite: dma (edu %s, endpoint %#x; GPA_A %#llx at HVA %p)", g->f.bdf, g->ep,
		 (unsigned long long)GPA_A, (void *)a);
	tap_check(t, edu_rd32(bar0, EDU_ID) == EDU_ID_VALUE, "edu identification register 0x%08x",
		  edu_rd32(bar0, EDU_ID));

	/* Unattached, bypass off: nothing reaches guest RAM. */
	fill_pattern(a, PAGE, 13);
	memset(b, EDU_SENTINEL, PAGE);
	ok = edu_dma(bar0, EDU_BUF, GPA_B, EDU_DMA_LEN, true) &&
	     edu_dma(bar0, EDU_BUF, IOVA_B, EDU_DMA_LEN, true);
	tap_check(t, ok && all_bytes(b, PAGE, EDU_SENTINEL),
		  "unattached endpoint (bypass 0): device writes reach no guest RAM");

	/* Attached, both pages mapped: A -> edu -> B. */
	ok = v_attach(v, 1, g->ep, 0) == OK &&
	     v_map(v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
	     v_map(v, 1, IOVA_B, IOVA_B + PAGE - 1, GPA_B, RW) == OK;
	tap_check(t, ok, "ATTACH to domain 1, MAP IOVA %#llx -> GPA %#llx and %#llx -> %#llx",
		  IOVA_A, (unsigned long long)GPA_A, IOVA_B, (unsigned long long)GPA_B);
	memset(b, 0, PAGE);
	ok = edu_copy(bar0, IOVA_A, IOVA_B, EDU_DMA_LEN);
	tap_check(t,
		  ok && !memcmp(a, b, EDU_DMA_LEN) && all_bytes(b + EDU_DMA_LEN, PAGE - EDU_DMA_LEN, 0),
		  "DMA A -> edu -> B lands in B's guest page (through GPA -> HVA), and only there");

	/* UNMAP: the IOVA leads nowhere. */
	ok = v_unmap(v, 1, IOVA_B, IOVA_B + PAGE - 1) == OK;
	memset(b, EDU_SENTINEL, PAGE);
	ok = edu_dma(bar0, EDU_BUF, IOVA_B, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(b, PAGE, EDU_SENTINEL),
		  "after UNMAP a device write to the IOVA does not reach B");

	/* READ-only: the device may read B but not write it. */
	fill_pattern(b, PAGE, 99);
	ok = v_map(v, 1, IOVA_B, IOVA_B + PAGE - 1, GPA_B, R) == OK;
	memset(a, 0, PAGE);
	ok = edu_copy(bar0, IOVA_B, IOVA_A, EDU_DMA_LEN) && ok;
	tap_check(t, ok && !memcmp(a, b, EDU_DMA_LEN), "READ-only mapping: the device reads B");
	fill_pattern(a, PAGE, 55);
	ok = edu_copy(bar0, IOVA_A, IOVA_B, EDU_DMA_LEN);
	{
		uint8_t expect[PAGE];

		fill_pattern(expect, PAGE, 99);
		tap_check(t, ok && !memcmp(b, expect, PAGE),
			  "READ-only mapping: a device write does not reach B");
	}

	/* DETACH: domain 1 is gone for the device. */
	ok = v_detach(v, 1, g->ep) == OK;
	memset(a, EDU_SENTINEL, PAGE);
	ok = edu_dma(bar0, EDU_BUF, IOVA_A, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(a, PAGE, EDU_SENTINEL) && pinned_pages(v) == 0,
		  "after DETACH a device write to a formerly mapped IOVA does not reach A; nothing pinned");

	/* config.bypass = 1: unattached endpoints are translated with the identity. */
	fill_pattern(a, PAGE, 7);
	memset(b, 0, PAGE);
	ok = ioctl(v->fd, VHOST_IOMMU_SET_BYPASS, 1) == 0;
	ok = ok && edu_copy(bar0, GPA_A, GPA_B, EDU_DMA_LEN);
	tap_check(t, ok && !memcmp(a, b, EDU_DMA_LEN),
		  "bypass (config.bypass=1): DMA at IOVA == GPA reaches guest RAM");
	ok = ioctl(v->fd, VHOST_IOMMU_SET_BYPASS, 0) == 0;
	memset(b, EDU_SENTINEL, PAGE);
	ok = edu_dma(bar0, EDU_BUF, GPA_B, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(b, PAGE, EDU_SENTINEL),
		  "bypass off again: the device is blocked");

	/* A domain created with ATTACH_F_BYPASS. */
	fill_pattern(a, PAGE, 21);
	memset(b, 0, PAGE);
	ok = v_attach(v, 9, g->ep, VIRTIO_IOMMU_ATTACH_F_BYPASS) == OK;
	ok = ok && edu_copy(bar0, GPA_A, GPA_B, EDU_DMA_LEN);
	tap_check(t, ok && !memcmp(a, b, EDU_DMA_LEN),
		  "ATTACH_F_BYPASS domain: DMA at IOVA == GPA reaches guest RAM");
	ok = v_detach(v, 9, g->ep) == OK;
	memset(b, EDU_SENTINEL, PAGE);
	ok = edu_dma(bar0, EDU_BUF, GPA_B, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(b, PAGE, EDU_SENTINEL),
		  "after DETACH from the bypass domain: blocked");

	/* RESET with a live mapping: blocked again. */
	ok = v_attach(v, 1, g->ep, 0) == OK &&
	     v_map(v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
	     ioctl(v->fd, VHOST_IOMMU_RESET) == 0;
	memset(a, EDU_SENTINEL, PAGE);
	ok = edu_dma(bar0, EDU_BUF, IOVA_A, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(a, PAGE, EDU_SENTINEL) && pinned_pages(v) == 0,
		  "after VHOST_IOMMU_RESET the old mapping is gone for the device; nothing pinned");
}

/* The iommu core's trace event of a device joining a domain. */
#define ATTACH_EVENT	"/sys/kernel/debug/tracing/events/iommu/attach_device_to_domain/enable"
#define TRACE		"/sys/kernel/debug/tracing/trace"

/* Events in the trace buffer that name device @bdf, or -1. */
static int trace_count(const char *bdf)
{
	FILE *f = fopen(TRACE, "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += line[0] != '#' && strstr(line, bdf) != NULL;
	fclose(f);
	return n;
}

/*
 * The identity domain follows the memory table in place.  A bypassed
 * endpoint's group stays in it while a region comes and goes: the iommu
 * core attaches the device to no domain meanwhile (its
 * attach_device_to_domain event stays silent), so DMA to the RAM that did
 * not change never meets VFIO's blocking domain; a DMA after each change
 * lands; the added region is pinned and charged once, and given back.
 */
static void t_identity_follows(struct tap *t, const struct suite_env *e,
			       const struct rig_opts *o)
{
	enum { CHANGES = 8 };
	uint8_t *a, *b;
	long lck0, lck_added = 0;
	unsigned int k, landed = 0;
	int attaches;
	struct rig g;
	bool ok;

	if (!tap_check(t, e->huge != NULL, "identity: a second region to add (hugetlb)"))
		return;
	rig_open_or_bail(t, &g, e->ram, e->bdf, o);
	a = hva(&g.v, GPA_A);
	b = hva(&g.v, GPA_B);
	ok = v_attach(&g.v, 9, g.ep, VIRTIO_IOMMU_ATTACH_F_BYPASS) == OK;
	lck0 = vmlck_kb();
	ok = write_text(TRACE, "") && write_text(ATTACH_EVENT, "1") && ok;
	for (k = 0; k < CHANGES; k++) {
		ok = vdev_set_mem_table(&g.v, k % 2 ? NULL : e->huge) == 0 && ok;
		if (k == 0)
			lck_added = vmlck_kb() - lck0;
		fill_pattern(a, PAGE, 40 + k);
		memset(b, 0, PAGE);
		landed += edu_copy(g.f.bar0, GPA_A, GPA_B, EDU_DMA_LEN) &&
			  !memcmp(a, b, EDU_DMA_LEN);
	}
	write_text(ATTACH_EVENT, "0");
	attaches = trace_count(g.f.bdf);
	tap_check(t, ok && landed == CHANGES,
		  "identity: the region added and removed %u times: DMA at IOVA == GPA lands after "
		  "each (%u of %u)", CHANGES / 2, landed, CHANGES);
	tap_check(t, attaches == 0,
		  "identity: the group stays in its domain through the changes (%d attaches traced)",
		  attaches);
	tap_check(t, lck_added == (long)(HUGE_SIZE >> 10) && vmlck_kb() == lck0,
		  "identity: the added region is charged once (VmLck +%ld kB of %llu), and given back",
		  lck_added, HUGE_SIZE >> 10);
	rig_close(&g);
}

/*
 * A PCI endpoint's ID holds the number of its bus, which firmware gives a
 * bus behind a bridge after the VMM declared the device: the endpoint first
 * has no ID, then takes the one the guest will see (SET_ENDPOINT_ID).
 * Without an ID no request names it and bypass still reaches it; under its
 * new ID the guest attaches it and DMA lands; an attached endpoint keeps its
 * ID; another endpoint's ID is refused.
 */
static void t_endpoint_id(struct tap *t, const struct suite_env *e)
{
	const uint32_t no_id = VHOST_IOMMU_ENDPOINT_NO_ID;
	uint8_t *a, *b;
	struct vdev *v;
	struct vfio f2;
	struct rig g;
	uint32_t id;
	bool ok;
	int ret;

	rig_open_or_bail(t, &g, e->ram, e->bdf, NULL);
	v = &g.v;
	a = hva(v, GPA_A);
	b = hva(v, GPA_B);
	id = g.ep + 0x100;	/* the same device and function, one bus further */
	ret = set_endpoint_id(v, no_id, g.f.group_id);
	tap_check(t, !ret && v_attach(v, 1, g.ep, 0) == NOENT && v_attach(v, 1, no_id, 0) == NOENT,
		  "endpoint ID: without one, ATTACH by its old ID or by NO_ID -> NOENT (%s)",
		  strerror(-ret));
	fill_pattern(a, PAGE, 31);
	memset(b, 0, PAGE);
	ok = ioctl(v->fd, VHOST_IOMMU_SET_BYPASS, 1) == 0 && edu_copy(g.f.bar0, GPA_A, GPA_B, EDU_DMA_LEN);
	tap_check(t, ok && !memcmp(a, b, EDU_DMA_LEN),
		  "endpoint ID: an endpoint without one is in bypass (config.bypass=1): DMA lands");
	ok = ioctl(v->fd, VHOST_IOMMU_SET_BYPASS, 0) == 0;

	ret = set_endpoint_id(v, id, g.f.group_id);
	ok = ok && !ret && v_attach(v, 1, g.ep, 0) == NOENT && v_attach(v, 1, id, 0) == OK &&
	     v_map(v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
	     v_map(v, 1, IOVA_B, IOVA_B + PAGE - 1, GPA_B, RW) == OK;
	fill_pattern(a, PAGE, 32);
	memset(b, 0, PAGE);
	ok = ok && edu_copy(g.f.bar0, IOVA_A, IOVA_B, EDU_DMA_LEN);
	tap_check(t, ok && !memcmp(a, b, EDU_DMA_LEN),
		  "endpoint ID %#x: the guest attaches it by that ID and DMA lands (%s)", id,
		  strerror(-ret));
	ret = set_endpoint_id(v, g.ep, g.f.group_id);
	tap_check(t, ret == -EBUSY && v_map(v, 1, IOVA_A + PAGE * 2, IOVA_A + PAGE * 3 - 1,
					    GPA_A, RW) == OK,
		  "endpoint ID: refused while attached (-EBUSY), the domain is intact (%s)",
		  strerror(-ret));
	ok = v_detach(v, 1, id) == OK && set_endpoint_id(v, g.ep, g.f.group_id) == 0 &&
	     v_attach(v, 2, g.ep, 0) == OK && v_detach(v, 2, g.ep) == OK;
	tap_check(t, ok, "endpoint ID: detached, it takes its first ID back");

	if (e->bdf2 && !vfio_join(&f2, e->bdf2, g.f.container)) {
		ok = add_endpoint(v, f2.rid, f2.group_id) == 0;
		ret = set_endpoint_id(v, f2.rid, g.f.group_id);
		tap_check(t, ok && ret == -EEXIST && v_attach(v, 1, g.ep, 0) == OK,
			  "endpoint ID: another endpoint's ID is refused (-EEXIST), its own kept (%s)",
			  strerror(-ret));
		vfio_close(&f2);
	}
	ret = set_endpoint_id(v, id, 9999);
	tap_check(t, ret == -ENOENT, "endpoint ID: of a group not in the container -> -ENOENT (%s)",
		  strerror(-ret));
	rig_close(&g);
}

/*
 * Hot-unplug: the group of an attached endpoint leaves the container (as
 * QEMU's device_del closes it) while its domain maps guest RAM, and the
 * guest sends no DETACH.  The kernel detaches the endpoint itself: the
 * domain dies with its mappings and pins, requests naming them get NOENT,
 * and the same device, declared again under the same ID, reaches RAM
 * through a new domain.
 */
static void t_unplug(struct tap *t, const struct suite_env *e)
{
	const uint64_t size = 1 << 20;
	struct vhost_iommu_stats st;
	uint8_t *a, *b;
	struct vdev *v;
	struct vfio f2;
	struct rig g;
	int ret, ms;
	bool ok;

	if (!tap_check(t, e->bdf2 != NULL, "unplug: a second edu"))
		return;
	rig_open_or_bail(t, &g, e->ram, e->bdf, NULL);
	v = &g.v;
	/* Bypass on: an unattached endpoint would hold the identity domain. */
	ok = v_attach(v, 1, g.ep, 0) == OK && ioctl(v->fd, VHOST_IOMMU_SET_BYPASS, 1) == 0;
	ret = vfio_join(&f2, e->bdf2, g.f.container);
	ret = ret ? ret : add_endpoint(v, f2.rid, f2.group_id);
	ok = ok && !ret && v_attach(v, 2, f2.rid, 0) == OK &&
	     v_map(v, 2, IOVA_B, IOVA_B + size - 1, DATA_GPA, RW) == OK &&
	     pinned_pages(v) == size / PAGE;
	vfio_close(&f2);
	for (ms = 0; ms < 2000 && (live_domains(v) > 1 || pinned_pages(v)); ms += 10)
		usleep(10000);
	vdev_stats(v, &st);
	tap_check(t, ok && st.domains == 1 && !st.mappings && !st.pinned_pages &&
		  !st.bypass_pinned_pages && st.endpoints == 1,
		  "unplug: the group of an attached endpoint left: its domain, mappings and %llu pinned pages went with it (%d ms), 1 endpoint left; no identity domain (%llu pages)",
		  (unsigned long long)(size / PAGE), ms, (unsigned long long)st.bypass_pinned_pages);
	tap_check(t, v_map(v, 2, IOVA_B, IOVA_B + PAGE - 1, DATA_GPA, RW) == NOENT &&
		  v_attach(v, 3, f2.rid, 0) == NOENT,
		  "unplug: its domain and the endpoint are unknown to requests (NOENT)");

	ret = vfio_join(&f2, e->bdf2, g.f.container);
	ret = ret ? ret : add_endpoint(v, f2.rid, f2.group_id);
	ok = !ret && v_attach(v, 4, f2.rid, 0) == OK &&
	     v_map(v, 4, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
	     v_map(v, 4, IOVA_B, IOVA_B + PAGE - 1, GPA_B, RW) == OK;
	a = hva(v, GPA_A);
	b = hva(v, GPA_B);
	fill_pattern(a, PAGE, 41);
	memset(b, 0, PAGE);
	ok = ok && edu_copy(f2.bar0, IOVA_A, IOVA_B, EDU_DMA_LEN) && !memcmp(a, b, EDU_DMA_LEN);
	tap_check(t, ok, "replug: the same edu is declared again as endpoint %#x, attached, and DMA lands (%s)",
		  f2.rid, strerror(-ret));
	/* Detached first (as a guest's driver may), it is in the identity domain. */
	ok = v_detach(v, 4, f2.rid) == OK && (vdev_stats(v, &st), st.bypass_pinned_pages);
	vfio_close(&f2);
	for (ms = 0; ms < 2000 && (vdev_stats(v, &st), st.bypass_pinned_pages); ms += 10)
		usleep(10000);
	tap_check(t, ok && !st.bypass_pinned_pages && st.endpoints == 1,
		  "unplug of an unattached endpoint in bypass: the identity domain it was in goes (%d ms)",
		  ms);
	rig_close(&g);
}

/*
 * Every assigned device unplugged: VFIO lets the container go, and the next
 * device comes in a new container, which the device binds in its place.
 */
static void t_rebind(struct tap *t, const struct suite_env *e)
{
	uint8_t *a, *b;
	struct vfio f;
	struct rig g;
	int ret;
	bool ok;

	rig_open_or_bail(t, &g, e->ram, e->bdf, NULL);
	ok = v_attach(&g.v, 1, g.ep, 0) == OK &&
	     v_map(&g.v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK;
	vfio_close(&g.f);
	ret = vfio_open_type(&f, e->bdf, VFIO_PVIOMMU_IOMMU);
	ret = ret ? ret : vfio_bind(&f, &g.v);
	ret = ret ? ret : add_endpoint(&g.v, f.rid, f.group_id);
	ok = ok && !ret && live_domains(&g.v) == 0 && pinned_pages(&g.v) == 0 &&
	     v_attach(&g.v, 2, f.rid, 0) == OK &&
	     v_map(&g.v, 2, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
	     v_map(&g.v, 2, IOVA_B, IOVA_B + PAGE - 1, GPA_B, RW) == OK;
	a = hva(&g.v, GPA_A);
	b = hva(&g.v, GPA_B);
	fill_pattern(a, PAGE, 43);
	memset(b, 0, PAGE);
	ok = ok && edu_copy(f.bar0, IOVA_A, IOVA_B, EDU_DMA_LEN) && !memcmp(a, b, EDU_DMA_LEN);
	tap_check(t, ok, "rebind: after its only group left, a new container binds, its edu attaches and DMA lands (%s)",
		  strerror(-ret));
	vfio_close(&f);
	rig_close(&g);
}

void suite_dma(const struct suite_env *e)
{
	unsigned int i;
	struct rig g;

	for (i = 0; i < RIG_NR_MODES; i++) {
		tap_diag("suite: dma, %s", rig_mode_name(&rig_modes[i]));
		rig_open_or_bail(e->t, &g, e->ram, e->bdf, &rig_modes[i]);
		t_dma(e->t, &g);
		rig_close(&g);
		t_identity_follows(e->t, e, &rig_modes[i]);
	}
	t_endpoint_id(e->t, e);
	t_unplug(e->t, e);
	t_rebind(e->t, e);
}
