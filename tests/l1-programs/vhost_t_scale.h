/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scale: many live mappings in one domain, and their teardown.
 */
#ifndef VHOST_T_SCALE_H
#define VHOST_T_SCALE_H

#include "vhost_t_hostile.h"

/* IOVAs from 4 GiB up: far from the MSI window. */
#define SCALE_IOVA	0x100000000ull

static void suite_scale(struct rig *g, unsigned long count)
{
	static struct req r[VQ_NUM / 2];
	static struct virtio_iommu_req_map m[VQ_NUM / 2];
	unsigned long pages = DATA_SIZE / PAGE, done = 0, failed = 0, i;
	struct vhost_iommu_stats st;
	struct vdev *v = &g->v;
	long lck0 = vmlck_kb();
	double t0, t;
	unsigned int k, n;
	bool ok;

	diag("suite: scale (%lu mappings)", count);
	if (!tap(v_attach(v, 1, g->ep, 0) == OK, "ATTACH endpoint to domain 1"))
		return;
	t0 = now_s();
	for (i = 0; i < count; i += n) {
		n = count - i < VQ_NUM / 2 ? count - i : VQ_NUM / 2;
		for (k = 0; k < n; k++) {
			uint64_t iova = SCALE_IOVA + (i + k) * PAGE;

			mk_map(&m[k], 1, iova, iova + PAGE - 1,
			       DATA_GPA + ((i + k) % pages) * PAGE, RW);
			r[k] = (struct req){ .out = &m[k], .out_len = RO_LEN(m[k]), .in_len = 4 };
		}
		if (vq_run(v, r, n) != n)
			break;
		for (k = 0; k < n; k++)
			failed += req_status(&r[k]) != OK;
		done += n;
	}
	vdev_stats(v, &st);
	tap(done == count && !failed && st.mappings == count && st.pinned_pages == count,
	    "%lu live one-page mappings in one domain (%lu failed; %.1f s, %.0f MAP/s)",
	    count, failed, now_s() - t0, done / (now_s() - t0));
	diag("VmLck with %lu mappings: %ld kB (baseline %ld kB)", count, vmlck_kb(), lck0);
	t0 = now_s();
	ok = v_unmap(v, 1, SCALE_IOVA, SCALE_IOVA + (count / 2) * PAGE - 1) == OK;
	t = now_s() - t0;
	tap(ok && live_mappings(v) == count - count / 2,
	    "one UNMAP removes the first half (%.2f s)", t);
	t0 = now_s();
	ok = v_detach(v, 1, g->ep) == OK;
	t = now_s() - t0;
	tap(ok && vdev_stats(v, &st) == 0 && !st.mappings && !st.domains && !st.pinned_pages,
	    "DETACH tears down the domain with the rest (%.2f s)", t);
	tap(vmlck_kb() == lck0, "VmLck back to %ld kB", lck0);
}

#endif /* VHOST_T_SCALE_H */
