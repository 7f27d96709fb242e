// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_model_stress BDF [--ops N] [--dma-every K] [--seed S] [--failslab]
 *
 * Model-checked stress of vhost_iommu.ko through its virtqueue: N random
 * MAP / UNMAP / ATTACH / DETACH requests on the edu endpoint, in batches of
 * up to 128 per kick, each status checked against a shadow model built on
 * proto/'s mapping table (viommu_model_mappings_*: this program links
 * libpviommu.a).  Every K operations (default 10000):
 * the device's counters (live mappings, pinned pages) against the model,
 * and a DMA sample with edu: a page the model says is mapped is reached by
 * a device write, one it says is unmapped is not (its would-be guest page
 * keeps a sentinel).
 *
 * Each IOVA page i of the window has one fixed guest page (DATA_GPA + i
 * pages), so a stale IOTLB entry or a mapping left behind would land on a
 * known page.
 *
 * --failslab: the caller has set up failslab with its task filter; this
 * program sets make-it-fail on the device's vhost worker thread, where the
 * requests run, so that allocations fail during MAP and ATTACH: MAP and
 * ATTACH may then also answer NOMEM or DEVERR, and DETACH DEVERR (the iommu
 * core could not take the group out of its domain), and the model takes
 * such a request as not done; every other status must still match, and the
 * counters must agree with the model at every check (a failed MAP leaves no
 * mapping and no pin).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../proto/mappings.h"
#include "edu.h"
#include "rnd.h"
#include "vhost_lib.h"

#define WIN_PAGES	1024u			/* the IOVA window, in pages */
#define WIN_IOVA	0x08000000ull		/* below edu's 28-bit DMA mask */
#define NDOMS		3u			/* domain IDs 1..3 */

struct opts {
	const char *bdf;
	unsigned long ops;	/* --ops */
	unsigned long every;	/* --dma-every: check and sample period */
	uint64_t seed;		/* --seed */
	bool failslab;		/* --failslab */
};

/* ---- the shadow model ------------------------------------------------------ */

/* What the device should hold: the endpoint's domain and its mappings. */
struct model {
	struct viommu_model_mappings table;
	uint32_t cur_dom;		/* 0: the endpoint is in no domain */
	uint64_t pages, maps;
	bool failslab;			/* NOMEM and DEVERR are allowed */
};

enum op_type { OP_MAP, OP_UNMAP, OP_ATTACH, OP_DETACH };

struct op {
	enum op_type type;
	uint32_t dom;
	uint64_t start, last;
	union {
		struct virtio_iommu_req_map map;
		struct virtio_iommu_req_unmap unmap;
		struct virtio_iommu_req_attach attach;
		struct virtio_iommu_req_detach detach;
	} body;
	size_t len;
};

/* One run: options, fixture, model, the batch in flight and the tallies. */
struct stress {
	struct tap t;
	struct opts o;
	struct rig g;
	struct model m;
	uint64_t rnd;			/* the random stream, from --seed */
	int worker;			/* failslab: the vhost worker's pid */
	long lck0;			/* VmLck before the device */
	struct op ops[VQ_BATCH];
	struct req r[VQ_BATCH];
	unsigned long done, mismatches, injected, by_status[256], by_type[4];
	unsigned long checks, bad_checks, dma_reached, dma_blocked, dma_bad;
};

static uint64_t rnd(struct stress *s)
{
	return rnd_next(&s->rnd);
}

static uint64_t iova_of(unsigned int page)
{
	return WIN_IOVA + (uint64_t)page * PAGE;
}

/* Drop mappings [start, last] from the model. */
static void model_drop(struct model *md, uint64_t start, uint64_t last)
{
	struct viommu_model_mapping *m;

	while ((m = viommu_model_mappings_take(&md->table, start, last))) {
		md->pages -= viommu_model_mapping_size(m) / PAGE;
		md->maps--;
		free(m);
	}
}

static void model_clear(struct model *md)
{
	model_drop(md, 0, ~0ull);
}

static void make_op(struct stress *s, struct op *o)
{
	uint32_t ep = s->g.ep, cur_dom = s->m.cur_dom;
	unsigned int r = rnd(s) % 1000, p = rnd(s) % WIN_PAGES, n = 1 + rnd(s) % 4;

	if (p + n > WIN_PAGES)
		n = WIN_PAGES - p;
	o->start = iova_of(p);
	o->last = iova_of(p + n) - 1;
	/* Unattached, most requests would be NOENT: attach soon. */
	if (!cur_dom && r < 700)
		r = 0;
	if (r < 4) {
		o->type = OP_ATTACH;
		o->dom = 1 + rnd(s) % NDOMS;
		mk_attach(&o->body.attach, o->dom, ep, 0);
		o->len = RO_LEN(o->body.attach);
	} else if (r < 5) {
		o->type = OP_DETACH;
		o->dom = rnd(s) % 4 ? cur_dom : 1 + rnd(s) % NDOMS;
		mk_detach(&o->body.detach, o->dom, ep);
		o->len = RO_LEN(o->body.detach);
	} else if (r < 550) {
		o->type = OP_MAP;
		o->dom = rnd(s) % 50 ? cur_dom : 1 + rnd(s) % NDOMS;
		mk_map(&o->body.map, o->dom, o->start, o->last,
		       DATA_GPA + (o->start - WIN_IOVA), RW);
		o->len = RO_LEN(o->body.map);
	} else {
		o->type = OP_UNMAP;
		o->dom = rnd(s) % 50 ? cur_dom : 1 + rnd(s) % NDOMS;
		/* Wider ranges too, so that some split a mapping (RANGE). */
		if (rnd(s) % 4 == 0) {
			unsigned int q = rnd(s) % WIN_PAGES, m = 1 + rnd(s) % 32;

			o->start = iova_of(q);
			o->last = iova_of(q + m > WIN_PAGES ? WIN_PAGES : q + m) - 1;
		}
		if (rnd(s) % 8 == 0)
			o->start += PAGE / 2;	/* not page-aligned: may split */
		mk_unmap(&o->body.unmap, o->dom, o->start, o->last);
		o->len = RO_LEN(o->body.unmap);
	}
}

/*
 * Apply @o to the model given the device's status @got; returns whether @got
 * is what the model expects.
 */
static bool model_apply(struct model *md, const struct op *o, uint8_t got, uint8_t *want)
{
	struct viommu_model_mapping *m;

	switch (o->type) {
	case OP_ATTACH:
		*want = OK;
		if (md->failslab && (got == NOMEM || got == DEVERR)) {
			/*
			 * A failed move leaves the endpoint in its old domain
			 * or, if even that failed, in none: the device's
			 * counters tell which at the next check; the model
			 * follows the documented rule (old domain kept).
			 */
			return true;
		}
		if (got == OK && o->dom != md->cur_dom) {
			model_clear(md);
			md->cur_dom = o->dom;
		}
		return got == OK;
	case OP_DETACH:
		*want = md->cur_dom && o->dom == md->cur_dom ? OK : INVAL;
		/* The group could not leave the domain: still attached, as before. */
		if (md->failslab && *want == OK && got == DEVERR)
			return true;
		if (got == OK && *want == OK) {
			model_clear(md);
			md->cur_dom = 0;
		}
		return got == *want;
	case OP_MAP:
		if (!md->cur_dom || o->dom != md->cur_dom) {
			*want = NOENT;
			return got == NOENT;
		}
		m = calloc(1, sizeof(*m));
		m->iova.start = o->start;
		m->iova.last = o->last;
		m->phys = DATA_GPA + (o->start - WIN_IOVA);
		m->flags = RW;
		*want = viommu_model_mappings_check_map(&md->table, o->start, o->last);
		if (*want != OK) {
			free(m);
			return got == *want;
		}
		if (md->failslab && (got == NOMEM || got == DEVERR)) {
			free(m);
			return true;
		}
		viommu_model_mappings_insert(&md->table, m);
		md->pages += (o->last - o->start + 1) / PAGE;
		md->maps++;
		return got == OK;
	case OP_UNMAP:
		if (!md->cur_dom || o->dom != md->cur_dom) {
			*want = NOENT;
			return got == NOENT;
		}
		*want = viommu_model_mappings_check_unmap(&md->table, o->start, o->last);
		if (*want == OK && got == OK)
			model_drop(md, o->start, o->last);
		return got == *want;
	}
	return false;
}

static const char *op_name(enum op_type t)
{
	static const char *const n[] = { "MAP", "UNMAP", "ATTACH", "DETACH" };

	return n[t];
}

/* ---- DMA samples ------------------------------------------------------------ */

/* A page of the window that the model has (@mapped) or has not mapped, or -1. */
static int window_page(struct stress *s, bool mapped)
{
	unsigned int i, p = rnd(s) % WIN_PAGES;

	for (i = 0; i < WIN_PAGES; i++, p = (p + 1) % WIN_PAGES)
		if ((viommu_model_mappings_find(&s->m.table, iova_of(p)) != NULL) == mapped)
			return p;
	return -1;
}

static uint8_t *window_hva(struct stress *s, unsigned int page)
{
	return hva(&s->g.v, DATA_GPA + (uint64_t)page * PAGE);
}

/*
 * Count a sample's outcome in @right or, wrong, in dma_bad with a diagnostic
 * @fmt that names @page's IOVA and guest page.
 */
static bool tally(struct stress *s, bool ok, unsigned long *right, const char *fmt,
		  unsigned int page)
{
	if (ok) {
		(*right)++;
		return true;
	}
	s->dma_bad++;
	tap_diag(fmt, (unsigned long long)iova_of(page),
		 (unsigned long long)(DATA_GPA + (uint64_t)page * PAGE));
	return false;
}

/*
 * A fresh pattern in mapped page @a's guest page, read into edu, the page
 * cleared, written back by edu: the bytes must come back.
 */
static bool sample_mapped(struct stress *s, unsigned int a)
{
	uint8_t pattern[EDU_DMA_LEN], *pa = window_hva(s, a);
	unsigned int i;
	bool ok;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = rnd(s);
	memcpy(pa, pattern, sizeof(pattern));
	ok = edu_dma(s->g.f.bar0, iova_of(a), EDU_BUF, sizeof(pattern), false);
	memset(pa, 0x5a, PAGE);
	ok = ok && edu_dma(s->g.f.bar0, EDU_BUF, iova_of(a), sizeof(pattern), true) &&
	     !memcmp(pa, pattern, sizeof(pattern));
	return tally(s, ok, &s->dma_reached,
		     "DMA sample: mapped IOVA %#llx (GPA %#llx) not reached", a);
}

/* A device write to unmapped page @u must leave its would-be guest page. */
static bool sample_unmapped(struct stress *s, unsigned int u)
{
	uint8_t *pu = window_hva(s, u);
	bool ok;

	memset(pu, EDU_SENTINEL, PAGE);
	ok = edu_dma(s->g.f.bar0, EDU_BUF, iova_of(u), EDU_DMA_LEN, true) &&
	     all_bytes(pu, PAGE, EDU_SENTINEL);
	return tally(s, ok, &s->dma_blocked,
		     "DMA sample: unmapped IOVA %#llx reached its old GPA %#llx", u);
}

static bool dma_sample(struct stress *s)
{
	int a = window_page(s, true), u = window_page(s, false);
	bool ok = true;

	if (a >= 0)
		ok = sample_mapped(s, a);
	if (u >= 0)
		ok = sample_unmapped(s, u) && ok;
	return ok;
}

/* ---- failslab ----------------------------------------------------------------- */

static bool set_make_it_fail(int pid, int on)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/make-it-fail", pid);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%d", on);
	return fclose(f) == 0;
}

/*
 * Requests run in the device's vhost worker thread ("vhost-<owner pid>"):
 * failures for that task only.
 */
static bool arm_failslab(struct stress *s)
{
	s->worker = vhost_worker();
	return tap_check(&s->t, s->worker > 0 && set_make_it_fail(s->worker, 1),
			 "failslab armed for the vhost worker (pid %d)", s->worker);
}

/* ---- the run ------------------------------------------------------------------ */

static bool parse_args(struct opts *o, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [--ops N] [--dma-every K] [--seed S] [--failslab]\n",
			argv[0]);
		return false;
	}
	o->bdf = argv[1];
	o->ops = vhost_opt(argc, argv, "--ops", 1000000);
	o->every = vhost_opt(argc, argv, "--dma-every", 10000);
	o->seed = vhost_opt(argc, argv, "--seed", 0x2545f4914f6cdd1dull) | 1;
	o->failslab = vhost_flag(argc, argv, "--failslab");
	return true;
}

/* The device up, the model empty; false if failslab could not be armed. */
static bool set_up(struct stress *s)
{
	uint8_t *ram = guest_ram(&s->t);

	s->m = (struct model){ .table = VIOMMU_MODEL_MAPPINGS_INIT, .failslab = s->o.failslab };
	s->rnd = s->o.seed;
	s->lck0 = vmlck_kb();
	rig_open_or_bail(&s->t, &s->g, ram, s->o.bdf, NULL);
	if (s->o.failslab && !arm_failslab(s))
		return false;
	tap_diag("%lu operations, DMA sample and counter check every %lu, seed %#llx%s",
		 s->o.ops, s->o.every, (unsigned long long)s->o.seed,
		 s->o.failslab ? ", failslab" : "");
	return true;
}

/*
 * The next batch: up to VQ_BATCH operations, never past the next check.
 * Under failslab an ATTACH ends its batch, so that its outcome can be read
 * from the counters before anything else runs.
 */
static unsigned int make_batch(struct stress *s)
{
	unsigned long next_check = (s->done / s->o.every + 1) * s->o.every;
	unsigned int k, b = s->o.ops - s->done < VQ_BATCH ? s->o.ops - s->done : VQ_BATCH;

	if (s->done + b > next_check)
		b = next_check - s->done;
	for (k = 0; k < b; k++) {
		make_op(s, &s->ops[k]);
		s->r[k] = (struct req){ .out = &s->ops[k].body, .out_len = s->ops[k].len,
					.in_len = 4 };
		if (s->o.failslab && s->ops[k].type == OP_ATTACH)
			return k + 1;
	}
	return b;
}

/*
 * A failed ATTACH moves the endpoint back to its old domain, or, if even
 * that fails, leaves it in none (the old domain dies): the device's
 * counters say which.
 */
static void follow_failed_attach(struct stress *s, unsigned int last)
{
	struct vhost_iommu_stats st;
	uint8_t got = req_status(&s->r[last]);

	if (s->ops[last].type == OP_ATTACH && (got == NOMEM || got == DEVERR) &&
	    vdev_stats(&s->g.v, &st) == 0 && !st.domains && s->m.cur_dom) {
		model_clear(&s->m);
		s->m.cur_dom = 0;
	}
}

/* One batch sent, answered and checked against the model; false if cut short. */
static bool run_batch(struct stress *s)
{
	unsigned int k, b = make_batch(s);

	if (vq_run(&s->g.v, s->r, b) != b) {
		tap_check(&s->t, false, "batch at op %lu: only some requests answered", s->done);
		return false;
	}
	for (k = 0; k < b; k++) {
		const struct op *o = &s->ops[k];
		uint8_t got = req_status(&s->r[k]), want = 0;

		s->by_status[got]++;
		s->by_type[o->type]++;
		if (got == NOMEM || got == DEVERR)
			s->injected++;
		if (!model_apply(&s->m, o, got, &want) && s->mismatches++ < 10)
			tap_diag("op %lu: %s dom %u [%#llx, %#llx]: status %u, model says %u",
				 s->done + k, op_name(o->type), o->dom,
				 (unsigned long long)o->start, (unsigned long long)o->last,
				 got, want);
	}
	s->done += b;
	if (s->o.failslab)
		follow_failed_attach(s, b - 1);
	return true;
}

/* The periodic check: the device's counters against the model, a DMA sample. */
static void check(struct stress *s)
{
	struct vhost_iommu_stats st;

	s->checks++;
	if ((vdev_stats(&s->g.v, &st) || st.mappings != s->m.maps ||
	     st.pinned_pages != s->m.pages) && s->bad_checks++ < 10)
		tap_diag("after %lu ops: device has %llu mappings / %llu pinned pages, "
			 "model %lu / %lu", s->done, (unsigned long long)st.mappings,
			 (unsigned long long)st.pinned_pages, (unsigned long)s->m.maps,
			 (unsigned long)s->m.pages);
	if (!s->o.failslab && !dma_sample(s))
		s->bad_checks++;
}

static void report(struct stress *s, double t)
{
	const unsigned long *st = s->by_status;

	tap_check(&s->t, s->done == s->o.ops && !s->mismatches,
		  "%lu operations (%lu MAP, %lu UNMAP, %lu ATTACH, %lu DETACH) matched the model: "
		  "%lu mismatches (%.1f s, %.0f op/s)", s->done, s->by_type[OP_MAP],
		  s->by_type[OP_UNMAP], s->by_type[OP_ATTACH], s->by_type[OP_DETACH],
		  s->mismatches, t, s->done / (t > 0 ? t : 1));
	tap_diag("statuses: OK %lu, INVAL %lu, RANGE %lu, NOENT %lu, NOMEM %lu, DEVERR %lu, "
		 "other %lu", st[OK], st[INVAL], st[RANGE], st[NOENT], st[NOMEM], st[DEVERR],
		 s->done - st[OK] - st[INVAL] - st[RANGE] - st[NOENT] - st[NOMEM] - st[DEVERR]);
	tap_check(&s->t, s->checks && !s->bad_checks,
		  "%lu counter checks%s agreed with the model (%lu failed; DMA samples: "
		  "%lu mapped pages reached, %lu unmapped pages not reached, %lu wrong)",
		  s->checks, s->o.failslab ? "" : " and DMA samples", s->bad_checks,
		  s->dma_reached, s->dma_blocked, s->dma_bad);
	if (s->o.failslab) {
		set_make_it_fail(s->worker, 0);
		tap_check(&s->t, s->injected > 0,
			  "injected failures answered NOMEM/DEVERR: %lu requests", s->injected);
	}
}

/* A reset leaves nothing; after the close VmLck is back. */
static void tear_down(struct stress *s)
{
	struct vhost_iommu_stats st;

	tap_check(&s->t, ioctl(s->g.v.fd, VHOST_IOMMU_RESET) == 0 &&
		  vdev_stats(&s->g.v, &st) == 0 && !st.mappings && !st.domains &&
		  !st.pinned_pages, "after a reset: no mapping, domain or pin left");
	rig_close(&s->g);
	model_clear(&s->m);
	tap_check(&s->t, vmlck_kb() == s->lck0, "VmLck back to %ld kB after close", s->lck0);
}

int main(int argc, char **argv)
{
	static struct stress s;
	double t0;

	if (!parse_args(&s.o, argc, argv))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!set_up(&s))
		return tap_done(&s.t);
	t0 = now_s();
	while (s.done < s.o.ops && run_batch(&s))
		if (s.done % s.o.every == 0 || s.done == s.o.ops)
			check(&s);
	report(&s, now_s() - t0);
	tear_down(&s);
	return tap_done(&s.t);
}
