// SPDX-License-Identifier: GPL-2.0
/*
 * suite scale: many live mappings in one domain, and their teardown.  It
 * asserts that --scale one-page MAPs all succeed and are counted live and
 * pinned by the module, that one UNMAP removes the first half of them,
 * that DETACH tears down the domain with the rest, and that VmLck is back
 * where it was.  One fixture.
 */
#define _GNU_SOURCE
#include "suites.h"

/* IOVAs from 4 GiB up: far from the MSI window. */
#define SCALE_IOVA	0x100000000ull

static void t_scale(struct tap *t, struct rig *g, unsigned long count)
{
	struct vhost_iommu_stats st;
	struct vdev *v = &g->v;
	long lck0 = vmlck_kb();
	unsigned long failed;
	double t0, s;
	bool ok;

	tap_diag("suite: scale (%lu mappings)", count);
	if (!tap_check(t, v_attach(v, 1, g->ep, 0) == OK, "ATTACH endpoint to domain 1"))
		return;
	t0 = now_s();
	failed = map_pages(v, 1, SCALE_IOVA, 0, count, DATA_SIZE / PAGE);
	s = now_s() - t0;
	vdev_stats(v, &st);
	tap_check(t, !failed && st.mappings == count && st.pinned_pages == count,
		  "%lu live one-page mappings in one domain (%lu failed; %.1f s, %.0f MAP/s)",
		  count, failed, s, count / s);
	tap_diag("VmLck with %lu mappings: %ld kB (baseline %ld kB)", count, vmlck_kb(), lck0);
	t0 = now_s();
	ok = v_unmap(v, 1, SCALE_IOVA, SCALE_IOVA + (count / 2) * PAGE - 1) == OK;
	s = now_s() - t0;
	tap_check(t, ok && live_mappings(v) == count - count / 2,
		  "one UNMAP removes the first half (%.2f s)", s);
	t0 = now_s();
	ok = v_detach(v, 1, g->ep) == OK;
	s = now_s() - t0;
	tap_check(t, ok && vdev_stats(v, &st) == 0 && !st.mappings && !st.domains &&
		  !st.pinned_pages, "DETACH tears down the domain with the rest (%.2f s)", s);
	tap_check(t, vmlck_kb() == lck0, "VmLck back to %ld kB", lck0);
}

void suite_scale(const struct suite_env *e)
{
	struct rig g;

	rig_open_or_bail(e->t, &g, e->ram, e->bdf);
	t_scale(e->t, &g, e->scale);
	rig_close(&g);
}
