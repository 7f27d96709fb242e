// SPDX-License-Identifier: GPL-2.0
/*
 * suite fast: the fast path (docs/uapi.md, "The fast path"), each part
 * checked by what QEMU's edu device reaches and by the worker's counters.
 *  - Pre-pinned guest RAM (VHOST_IOMMU_OPT_PREPIN; suites conformance and
 *    dma run in that mode too): locked_vm is charged once for all guest
 *    RAM, not per MAP; a memory-table change while mappings live keeps
 *    their DMA right and charges nothing twice; closing gives everything
 *    back.  Two domains (two edus) that map the same guest RAM charge it
 *    once; pinned per MAP, once per domain, as type1 once per container.
 *  - Batched unmaps, in both modes: UNMAPs sent with one kick cost one IOTLB
 *    flush, and once they complete the device reaches none of their pages,
 *    though it had just used every one of those translations.
 *  - Large IOPTEs, in both modes: a 2 MiB-aligned MAP of hugetlb guest RAM
 *    is one 2 MiB IOPTE, and DMA at its first and last bytes lands.
 *  - Busy polling: with the worker on one CPU and this thread on another,
 *    most of a burst of requests goes without kicks (the device said
 *    NO_NOTIFY), found by polling; DMA follows its MAPs and UNMAPs.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "edu.h"
#include "suites.h"

/* Where the batch and polling checks map their pages. */
#define IOVA_C		0x1000000ull
/* A 2 MiB-aligned IOVA under edu's 28-bit mask for the hugetlb region. */
#define IOVA_H		0x400000ull
#define HUGE_PAGE	(2ull << 20)

/* The device writes edu's buffer, loaded from @src_iova, to @dst_iova. */
static bool dma_from_to(volatile uint8_t *bar0, uint64_t src_iova, uint64_t dst_iova)
{
	return edu_copy(bar0, src_iova, dst_iova, EDU_DMA_LEN);
}

static void t_prepin(struct tap *t, const struct suite_env *e)
{
	struct rig_opts o = { .options = VHOST_IOMMU_OPT_PREPIN };
	long lck0 = vmlck_kb(), ram_kb = GUEST_SIZE / 1024, huge_kb = 0;
	uint8_t *p0, *p1;
	struct vhost_iommu_stats st;
	struct rig g;
	bool ok;

	tap_diag("suite: fast, pre-pinned guest RAM");
	rig_open_or_bail(t, &g, e->ram, e->bdf, &o);
	ok = vdev_stats(&g.v, &st) == 0;
	tap_check(t, ok && st.ram_pinned_pages == GUEST_SIZE / PAGE && vmlck_kb() - lck0 == ram_kb,
		  "prepin: all guest RAM pinned once (%llu pages, VmLck +%ld kB)",
		  (unsigned long long)st.ram_pinned_pages, vmlck_kb() - lck0);

	ok = v_attach(&g.v, 1, g.ep, 0) == OK && !map_pages(&g.v, 1, IOVA_C, 0, 256, 256);
	tap_check(t, ok && pinned_pages(&g.v) == 0 && vmlck_kb() - lck0 == ram_kb,
		  "prepin: 256 MAPs pin and charge nothing more (VmLck +%ld kB)", vmlck_kb() - lck0);

	/* Pages 0 and 1 of the mappings: IOVA_C -> DATA_GPA, +1 page -> +1 page. */
	p0 = hva(&g.v, DATA_GPA);
	p1 = hva(&g.v, DATA_GPA + PAGE);
	ok = vdev_set_mem_table(&g.v, NULL) == 0;
	fill_pattern(p0, PAGE, 31);
	memset(p1, 0, PAGE);
	ok = ok && dma_from_to(g.f.bar0, IOVA_C, IOVA_C + PAGE);
	tap_check(t, ok && !memcmp(p0, p1, EDU_DMA_LEN) && vmlck_kb() - lck0 == ram_kb,
		  "prepin: the same memory table set again: DMA still lands, nothing charged twice (VmLck +%ld kB)",
		  vmlck_kb() - lck0);
	if (e->huge) {
		huge_kb = HUGE_SIZE / 1024;
		ok = vdev_set_mem_table(&g.v, e->huge) == 0;
		fill_pattern(p1, PAGE, 32);
		memset(p0, 0, PAGE);
		ok = ok && dma_from_to(g.f.bar0, IOVA_C + PAGE, IOVA_C);
		tap_check(t, ok && !memcmp(p0, p1, EDU_DMA_LEN) &&
			  vmlck_kb() - lck0 == ram_kb + huge_kb,
			  "prepin: a table with one more region: old mappings still land, only the new region charged (VmLck +%ld kB)",
			  vmlck_kb() - lck0);
	}
	ok = v_unmap(&g.v, 1, 0, ~0ull) == OK;
	memset(p1, EDU_SENTINEL, PAGE);
	ok = edu_dma(g.f.bar0, EDU_BUF, IOVA_C + PAGE, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(p1, PAGE, EDU_SENTINEL) && live_mappings(&g.v) == 0 &&
		  vmlck_kb() - lck0 == ram_kb + huge_kb,
		  "prepin: after UNMAP of all, the device is cut off; the RAM stays pinned (VmLck +%ld kB)",
		  vmlck_kb() - lck0);
	rig_close(&g);
	tap_check(t, vmlck_kb() == lck0, "prepin: VmLck back to %ld kB after close", lck0);
}

/* UNMAPs of @n one-page mappings, sent at once. */
static unsigned int unmap_burst(struct vdev *v, unsigned int n, uint8_t *status)
{
	static struct virtio_iommu_req_unmap u[VQ_BATCH];
	static struct req r[VQ_BATCH];
	unsigned int k, got;

	for (k = 0; k < n; k++) {
		mk_unmap(&u[k], 1, IOVA_C + k * PAGE, IOVA_C + (k + 1) * PAGE - 1);
		r[k] = (struct req){ .out = &u[k], .out_len = RO_LEN(u[k]), .in_len = 4 };
	}
	got = vq_run(v, r, n);
	for (k = 0; k < n; k++)
		status[k] = req_status(&r[k]);
	return got;
}

static void t_batch(struct tap *t, const struct suite_env *e, const struct rig_opts *o)
{
	enum { N = 16 };
	struct vhost_iommu_stats st0, st1;
	uint8_t status[N];
	unsigned int k, landed = 0, ok_n = 0;
	struct rig g;
	bool ok;

	rig_open_or_bail(t, &g, e->ram, e->bdf, o);
	ok = v_attach(&g.v, 1, g.ep, 0) == OK && !map_pages(&g.v, 1, IOVA_C, 0, N, N);
	/* The device uses every translation, so the IOTLB holds them all. */
	fill_pattern(hva(&g.v, DATA_GPA), PAGE, 41);
	ok = ok && edu_dma(g.f.bar0, IOVA_C, EDU_BUF, EDU_DMA_LEN, false);
	for (k = 1; k < N; k++) {
		memset(hva(&g.v, DATA_GPA + k * PAGE), 0, PAGE);
		ok = ok && edu_dma(g.f.bar0, EDU_BUF, IOVA_C + k * PAGE, EDU_DMA_LEN, true);
		landed += !memcmp(hva(&g.v, DATA_GPA + k * PAGE), hva(&g.v, DATA_GPA), EDU_DMA_LEN);
	}
	tap_check(t, ok && landed == N - 1, "batch (%s): %u pages mapped, DMA lands in each",
		  rig_mode_name(o), N);

	vdev_stats(&g.v, &st0);
	unmap_burst(&g.v, N, status);
	vdev_stats(&g.v, &st1);
	for (k = 0; k < N; k++)
		ok_n += status[k] == OK;
	tap_check(t, ok_n == N && st1.iotlb_syncs - st0.iotlb_syncs == 1,
		  "batch (%s): %u UNMAPs with one kick: all OK, %llu IOTLB flush(es)", rig_mode_name(o),
		  N, (unsigned long long)(st1.iotlb_syncs - st0.iotlb_syncs));
	landed = 0;
	for (k = 0; k < N; k++) {
		memset(hva(&g.v, DATA_GPA + k * PAGE), EDU_SENTINEL, PAGE);
		edu_dma(g.f.bar0, EDU_BUF, IOVA_C + k * PAGE, EDU_DMA_LEN, true);
		landed += !all_bytes(hva(&g.v, DATA_GPA + k * PAGE), PAGE, EDU_SENTINEL);
	}
	tap_check(t, landed == 0 && pinned_pages(&g.v) == 0,
		  "batch (%s): once the UNMAPs completed, DMA to their IOVAs reaches none of the pages (%u did)",
		  rig_mode_name(o), landed);
	rig_close(&g);
}

static void t_huge(struct tap *t, const struct suite_env *e, const struct rig_opts *opts)
{
	struct rig_opts o = *opts;
	struct vhost_iommu_stats st0, st1;
	uint8_t *h = e->huge, *a;
	struct rig g;
	bool ok;

	if (!tap_check(t, h != NULL, "huge (%s): %llu MiB of hugetlb guest RAM (vm.nr_hugepages)",
		       rig_mode_name(opts), HUGE_SIZE >> 20))
		return;
	o.huge = h;
	rig_open_or_bail(t, &g, e->ram, e->bdf, &o);
	a = hva(&g.v, GPA_A);
	ok = v_attach(&g.v, 1, g.ep, 0) == OK && vdev_stats(&g.v, &st0) == 0 &&
	     v_map(&g.v, 1, IOVA_H, IOVA_H + HUGE_PAGE - 1, HUGE_GPA, RW) == OK &&
	     vdev_stats(&g.v, &st1) == 0;
	tap_check(t, ok && st1.ioptes[1] - st0.ioptes[1] == 1 && st1.ioptes[0] == st0.ioptes[0],
		  "huge (%s): a 2 MiB MAP of hugetlb RAM is one 2 MiB IOPTE (%llu of 2 MiB, %llu of 4 KiB)",
		  rig_mode_name(opts), (unsigned long long)(st1.ioptes[1] - st0.ioptes[1]),
		  (unsigned long long)(st1.ioptes[0] - st0.ioptes[0]));
	ok = v_map(&g.v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK;
	fill_pattern(a, PAGE, 51);
	memset(h, 0, HUGE_PAGE);
	ok = ok && dma_from_to(g.f.bar0, IOVA_A, IOVA_H) &&
	     dma_from_to(g.f.bar0, IOVA_A, IOVA_H + HUGE_PAGE - EDU_DMA_LEN);
	tap_check(t, ok && !memcmp(h, a, EDU_DMA_LEN) &&
		  !memcmp(h + HUGE_PAGE - EDU_DMA_LEN, a, EDU_DMA_LEN) &&
		  all_bytes(h + EDU_DMA_LEN, HUGE_PAGE - 2 * EDU_DMA_LEN, 0),
		  "huge (%s): DMA at the first and the last bytes of the 2 MiB lands there, and only there",
		  rig_mode_name(opts));
	ok = v_unmap(&g.v, 1, IOVA_H, IOVA_H + HUGE_PAGE - 1) == OK;
	memset(h, EDU_SENTINEL, HUGE_PAGE);
	ok = edu_dma(g.f.bar0, EDU_BUF, IOVA_H + HUGE_PAGE - EDU_DMA_LEN, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(h, HUGE_PAGE, EDU_SENTINEL),
		  "huge (%s): after its UNMAP the device reaches none of it", rig_mode_name(opts));
	rig_close(&g);
}

/* Run @tid on CPU @cpu alone; -1: on every CPU.  Returns 0 or -1. */
static int pin_to_cpu(int tid, int cpu)
{
	cpu_set_t set;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (i = 0; i < n; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

static void t_poll(struct tap *t, const struct suite_env *e)
{
	enum { N = 64 };
	struct rig_opts o = { .options = VHOST_IOMMU_OPT_PREPIN };
	struct vhost_iommu_stats st0, st1;
	unsigned int k, failed = 0;
	uint8_t *p0, *p1;
	struct rig g;
	int worker;
	double t0;
	bool ok;

	tap_diag("suite: fast, busy polling");
	if (!tap_check(t, sysconf(_SC_NPROCESSORS_ONLN) >= 2, "poll: two CPUs, one for the worker"))
		return;
	rig_open_or_bail(t, &g, e->ram, e->bdf, &o);
	/* CPU 0 takes more of the kernel's own work (timers, the console). */
	worker = vhost_worker();
	ok = worker > 0 && pin_to_cpu(worker, 1) == 0 && pin_to_cpu(0, 0) == 0 &&
	     vdev_set_poll(&g.v, 10000) == 0 && v_attach(&g.v, 1, g.ep, 0) == OK;
	tap_check(t, ok, "poll: worker %d on CPU 1, this thread on CPU 0, 10 ms of polling", worker);

	g.v.kick_if_asked = true;
	vdev_stats(&g.v, &st0);
	t0 = now_s();
	for (k = 0; k < N; k++)
		failed += v_map(&g.v, 1, IOVA_C + k * PAGE, IOVA_C + (k + 1) * PAGE - 1,
				DATA_GPA + k * PAGE, RW) != OK;
	t0 = now_s() - t0;
	vdev_stats(&g.v, &st1);
	/*
	 * Without polling every MAP needs its kick.  A poll ends as soon as
	 * anything else is runnable on the worker's CPU (a kworker, here), and
	 * the next request then needs a kick: most, not all, go without.
	 */
	tap_check(t, !failed && g.v.kicks_saved >= N / 2 && st1.polled - st0.polled >= N / 2,
		  "poll: %u MAPs one after the other in %.0f ms: %u sent without a kick, %llu found by polling, %llu kicks",
		  N, t0 * 1000, g.v.kicks_saved, (unsigned long long)(st1.polled - st0.polled),
		  (unsigned long long)(st1.kicks - st0.kicks));

	p0 = hva(&g.v, DATA_GPA);
	p1 = hva(&g.v, DATA_GPA + PAGE);
	fill_pattern(p0, PAGE, 61);
	memset(p1, 0, PAGE);
	ok = dma_from_to(g.f.bar0, IOVA_C, IOVA_C + PAGE);
	tap_check(t, ok && !memcmp(p0, p1, EDU_DMA_LEN), "poll: DMA lands through the polled MAPs");
	ok = v_unmap(&g.v, 1, IOVA_C + PAGE, IOVA_C + 2 * PAGE - 1) == OK;
	memset(p1, EDU_SENTINEL, PAGE);
	ok = edu_dma(g.f.bar0, EDU_BUF, IOVA_C + PAGE, EDU_DMA_LEN, true) && ok;
	tap_check(t, ok && all_bytes(p1, PAGE, EDU_SENTINEL),
		  "poll: after a polled UNMAP the device is cut off");
	rig_close(&g);
	pin_to_cpu(0, -1);
}

/*
 * Two endpoints in two domains that map the same 1 MiB of guest RAM (a
 * guest with nested VFIO has a domain per device): DMA lands through each,
 * and the locked_vm it costs is nothing more with pre-pinned RAM, and the
 * range once per domain pinned per MAP.
 */
static void t_domains(struct tap *t, const struct suite_env *e, const struct rig_opts *o)
{
	const uint64_t size = 1 << 20;
	bool prepin = o->options & VHOST_IOMMU_OPT_PREPIN;
	long lck0, extra, want = prepin ? 0 : 2 * size / 1024;
	uint8_t *a, *b;
	struct vfio f2;
	struct rig g;
	bool ok;
	int ret;

	if (!tap_check(t, e->bdf2 != NULL, "two domains: a second edu"))
		return;
	rig_open_or_bail(t, &g, e->ram, e->bdf, o);
	ret = vfio_join(&f2, e->bdf2, g.f.container);
	ret = ret ? ret : add_endpoint(&g.v, f2.rid, f2.group_id);
	lck0 = vmlck_kb();
	ok = !ret && v_attach(&g.v, 1, g.ep, 0) == OK && v_attach(&g.v, 2, f2.rid, 0) == OK &&
	     v_map(&g.v, 1, IOVA_C, IOVA_C + size - 1, DATA_GPA, RW) == OK &&
	     v_map(&g.v, 2, IOVA_C, IOVA_C + size - 1, DATA_GPA, RW) == OK;
	extra = vmlck_kb() - lck0;
	a = hva(&g.v, DATA_GPA);
	b = hva(&g.v, DATA_GPA + PAGE);
	fill_pattern(a, PAGE, 9);
	memset(b, 0, PAGE);
	ok = ok && dma_from_to(g.f.bar0, IOVA_C, IOVA_C + PAGE) && !memcmp(a, b, EDU_DMA_LEN);
	fill_pattern(a, PAGE, 10);
	memset(b, 0, PAGE);
	ok = ok && dma_from_to(f2.bar0, IOVA_C, IOVA_C + PAGE) && !memcmp(a, b, EDU_DMA_LEN);
	tap_check(t, ok, "two domains, %s: edus %s and %s map the same 1 MiB, DMA lands through each",
		  rig_mode_name(o), e->bdf, e->bdf2);
	tap_check(t, extra == want, "two domains, %s: VmLck +%ld kB for both (%s)", rig_mode_name(o),
		  extra, prepin ? "guest RAM is charged once, whatever the domains" :
		  "once per domain, as type1 charges once per container");
	rig_close(&g);
	vfio_close(&f2);
}

void suite_fast(const struct suite_env *e)
{
	unsigned int i;

	t_prepin(e->t, e);
	for (i = 0; i < RIG_NR_MODES; i++) {
		t_domains(e->t, e, &rig_modes[i]);
		t_batch(e->t, e, &rig_modes[i]);
		t_huge(e->t, e, &rig_modes[i]);
	}
	t_poll(e->t, e);
}
