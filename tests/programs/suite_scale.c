// SPDX-License-Identifier: GPL-2.0
/*
 * suite scale: many live mappings in one domain, and their teardown, with
 * pages pinned per MAP and with pre-pinned guest RAM (a fixture each).  It
 * asserts that --scale one-page MAPs all succeed and are counted live (and
 * pinned by the module, per MAP, or not at all), that one UNMAP removes the
 * first half of them, that DETACH tears down the domain with the rest, and
 * that VmLck is back where it was.  It reports the kernel's slab memory per
 * live mapping, and asserts the pre-pinned mode's: the model's 64-byte
 * mapping and nothing more (--slab-max; more on a debug kernel).
 */
#define _GNU_SOURCE
#include "suites.h"

/* IOVAs from 4 GiB up: far from the MSI window. */
#define SCALE_IOVA	0x100000000ull

/* The kernel's slab memory in KiB (Slab: of /proc/meminfo), or -1. */
static long slab_kb(void)
{
	return proc_kb("/proc/meminfo", "Slab");
}

static void t_scale(struct tap *t, struct rig *g, unsigned long count,
		    unsigned long slab_max, const struct rig_opts *o)
{
	bool prepin = o->options & VHOST_IOMMU_OPT_PREPIN;
	const char *mode = rig_mode_name(o);
	struct vhost_iommu_stats st;
	struct vdev *v = &g->v;
	long lck0 = vmlck_kb(), slab0;
	unsigned long failed;
	double t0, s, per;
	bool ok;

	tap_diag("suite: scale (%lu mappings, %s)", count, mode);
	if (!tap_check(t, v_attach(v, 1, g->ep, 0) == OK, "ATTACH endpoint to domain 1"))
		return;
	slab0 = slab_kb();
	t0 = now_s();
	failed = map_pages(v, 1, SCALE_IOVA, 0, count, DATA_SIZE / PAGE);
	s = now_s() - t0;
	vdev_stats(v, &st);
	per = (slab_kb() - slab0) * 1024.0 / count;
	tap_check(t, !failed && st.mappings == count && st.pinned_pages == (prepin ? 0 : count),
		  "%s: %lu live one-page mappings in one domain (%lu failed; %.1f s, %.0f MAP/s)",
		  mode, count, failed, s, count / s);
	tap_diag("%s: VmLck with %lu mappings: %ld kB (baseline %ld kB); slab %.1f bytes a mapping",
		 mode, count, vmlck_kb(), lck0, per);
	/* The model's struct viommu_model_mapping is 64 bytes: --slab-max. */
	if (prepin)
		tap_check(t, per <= slab_max, "prepin: kernel slab per live mapping %.1f bytes (at most %lu)",
			  per, slab_max);
	t0 = now_s();
	ok = v_unmap(v, 1, SCALE_IOVA, SCALE_IOVA + (count / 2) * PAGE - 1) == OK;
	s = now_s() - t0;
	tap_check(t, ok && live_mappings(v) == count - count / 2,
		  "%s: one UNMAP removes the first half (%.2f s)", mode, s);
	t0 = now_s();
	ok = v_detach(v, 1, g->ep) == OK;
	s = now_s() - t0;
	tap_check(t, ok && vdev_stats(v, &st) == 0 && !st.mappings && !st.domains &&
		  !st.pinned_pages, "%s: DETACH tears down the domain with the rest (%.2f s)", mode, s);
	tap_check(t, vmlck_kb() == lck0, "%s: VmLck back to %ld kB", mode, lck0);
}

void suite_scale(const struct suite_env *e)
{
	unsigned int i;
	struct rig g;

	for (i = 0; i < RIG_NR_MODES; i++) {
		/* --scale may go past the default limit (65535, as type1's). */
		struct rig_opts o = rig_modes[i];

		o.max_mappings = e->scale;
		rig_open_or_bail(e->t, &g, e->ram, e->bdf, &o);
		t_scale(e->t, &g, e->scale, e->slab_max, &o);
		rig_close(&g);
	}
}
