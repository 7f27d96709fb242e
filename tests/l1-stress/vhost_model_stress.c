// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_model_stress BDF [--ops N] [--dma-every K] [--seed S] [--failslab]
 *
 * Model-checked stress of vhost_iommu.ko through its virtqueue: N random
 * MAP / UNMAP / ATTACH / DETACH requests on the edu endpoint, in batches of
 * up to 128 per kick, each status checked against a shadow model built on
 * proto/'s mapping table (viommu_model_mappings_*, compiled in from proto/ .c files:
 * this program links libpviommu.a).  Every K operations (default 10000):
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
 * requests run, so that allocations fail during MAP and ATTACH: MAP and ATTACH may then also
 * answer NOMEM or DEVERR, and DETACH DEVERR (the iommu core could not take
 * the group out of its domain), and the model takes such a request as not done;
 * every other status must still match, and the counters must agree with the
 * model at every check (a failed MAP leaves no mapping and no pin).
 */
#define _GNU_SOURCE
#include <dirent.h>

#include "../l1-programs/vhost_lib.h"
#include "../../proto/mappings.h"

#define OK		VIRTIO_IOMMU_S_OK
#define INVAL		VIRTIO_IOMMU_S_INVAL
#define RANGE		VIRTIO_IOMMU_S_RANGE
#define NOENT		VIRTIO_IOMMU_S_NOENT
#define NOMEM		VIRTIO_IOMMU_S_NOMEM
#define RW		(VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)
#define DEVERR		VIRTIO_IOMMU_S_DEVERR
#define WIN_PAGES	1024u			/* the IOVA window, in pages */
#define WIN_IOVA	0x08000000ull		/* below edu's 28-bit DMA mask */
#define NDOMS		3u			/* domain IDs 1..3 */
#define BATCH		(VQ_NUM / 2)

static uint64_t seed = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

/* ---- the shadow model ------------------------------------------------------ */

static struct viommu_model_itree table = VIOMMU_MODEL_ITREE_INIT;
static uint32_t cur_dom;		/* 0: the endpoint is in no domain */
static uint64_t model_pages, model_maps;
static bool failslab;

static uint64_t iova_of(unsigned int page) { return WIN_IOVA + (uint64_t)page * PAGE; }

static void model_clear(void)
{
	struct viommu_model_mapping *m;

	while ((m = viommu_model_mappings_take(&table, 0, ~0ull))) {
		model_pages -= (m->iova.last - m->iova.start + 1) / PAGE;
		model_maps--;
		free(m);
	}
}

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

static void make_op(struct op *o, uint32_t ep)
{
	unsigned int r = rnd() % 1000, p = rnd() % WIN_PAGES, n = 1 + rnd() % 4;

	if (p + n > WIN_PAGES)
		n = WIN_PAGES - p;
	o->start = iova_of(p);
	o->last = iova_of(p + n) - 1;
	/* Unattached, most requests would be NOENT: attach soon. */
	if (!cur_dom && r < 700)
		r = 0;
	if (r < 4) {
		o->type = OP_ATTACH;
		o->dom = 1 + rnd() % NDOMS;
		mk_attach(&o->body.attach, o->dom, ep, 0);
		o->len = RO_LEN(o->body.attach);
	} else if (r < 5) {
		o->type = OP_DETACH;
		o->dom = rnd() % 4 ? cur_dom : 1 + rnd() % NDOMS;
		o->body.detach = (struct virtio_iommu_req_detach){
			.head.type = VIRTIO_IOMMU_T_DETACH, .domain = htole32(o->dom),
			.endpoint = htole32(ep) };
		o->len = RO_LEN(o->body.detach);
	} else if (r < 550) {
		o->type = OP_MAP;
		o->dom = rnd() % 50 ? cur_dom : 1 + rnd() % NDOMS;
		mk_map(&o->body.map, o->dom, o->start, o->last,
		       DATA_GPA + (o->start - WIN_IOVA), RW);
		o->len = RO_LEN(o->body.map);
	} else {
		o->type = OP_UNMAP;
		o->dom = rnd() % 50 ? cur_dom : 1 + rnd() % NDOMS;
		/* Wider ranges too, so that some split a mapping (RANGE). */
		if (rnd() % 4 == 0) {
			unsigned int q = rnd() % WIN_PAGES, m = 1 + rnd() % 32;

			o->start = iova_of(q);
			o->last = iova_of(q + m > WIN_PAGES ? WIN_PAGES : q + m) - 1;
		}
		if (rnd() % 8 == 0)
			o->start += PAGE / 2;	/* not page-aligned: may split */
		mk_unmap(&o->body.unmap, o->dom, o->start, o->last);
		o->len = RO_LEN(o->body.unmap);
	}
}

/*
 * Apply @o to the model given the device's status @got; returns whether @got
 * is what the model expects.
 */
static bool model_apply(const struct op *o, uint8_t got, uint8_t *want)
{
	struct viommu_model_mapping *m;

	switch (o->type) {
	case OP_ATTACH:
		*want = OK;
		if (failslab && (got == NOMEM || got == DEVERR)) {
			/*
			 * A failed move leaves the endpoint in its old domain
			 * or, if even that failed, in none: the device's
			 * counters tell which at the next check; the model
			 * follows the documented rule (old domain kept).
			 */
			return true;
		}
		if (got == OK && o->dom != cur_dom) {
			model_clear();
			cur_dom = o->dom;
		}
		return got == OK;
	case OP_DETACH:
		*want = cur_dom && o->dom == cur_dom ? OK : INVAL;
		/* The group could not leave the domain: still attached, as before. */
		if (failslab && *want == OK && got == DEVERR)
			return true;
		if (got == OK && *want == OK) {
			model_clear();
			cur_dom = 0;
		}
		return got == *want;
	case OP_MAP:
		if (!cur_dom || o->dom != cur_dom) {
			*want = NOENT;
			return got == NOENT;
		}
		m = calloc(1, sizeof(*m));
		m->iova.start = o->start;
		m->iova.last = o->last;
		m->phys = DATA_GPA + (o->start - WIN_IOVA);
		m->flags = RW;
		*want = viommu_model_mappings_insert(&table, m);
		if (*want != OK) {
			free(m);
			return got == *want;
		}
		if (failslab && (got == NOMEM || got == DEVERR)) {
			viommu_model_itree_remove(&table, &m->iova);
			free(m);
			return true;
		}
		model_pages += (o->last - o->start + 1) / PAGE;
		model_maps++;
		return got == OK;
	case OP_UNMAP:
		if (!cur_dom || o->dom != cur_dom) {
			*want = NOENT;
			return got == NOENT;
		}
		*want = viommu_model_mappings_check_unmap(&table, o->start, o->last);
		if (*want == OK && got == OK) {
			while ((m = viommu_model_mappings_take(&table, o->start, o->last))) {
				model_pages -= (m->iova.last - m->iova.start + 1) / PAGE;
				model_maps--;
				free(m);
			}
		}
		return got == *want;
	}
	return false;
}

static const char *op_name(enum op_type t)
{
	static const char *n[] = { "MAP", "UNMAP", "ATTACH", "DETACH" };

	return n[t];
}

/* ---- DMA samples ------------------------------------------------------------ */

static unsigned long dma_reached, dma_blocked, dma_bad;

/* A page of the window the model has mapped, or -1. */
static int mapped_page(void)
{
	unsigned int i, p = rnd() % WIN_PAGES;

	for (i = 0; i < WIN_PAGES; i++, p = (p + 1) % WIN_PAGES)
		if (viommu_model_mappings_find(&table, iova_of(p)))
			return p;
	return -1;
}

static int unmapped_page(void)
{
	unsigned int i, p = rnd() % WIN_PAGES;

	for (i = 0; i < WIN_PAGES; i++, p = (p + 1) % WIN_PAGES)
		if (!viommu_model_mappings_find(&table, iova_of(p)))
			return p;
	return -1;
}

static bool dma_sample(struct rig *g)
{
	static uint8_t pattern[2048];
	int a = mapped_page(), u = unmapped_page();
	uint8_t *pa, *pu;
	bool ok = true;
	unsigned int i;

	if (a >= 0) {
		/* A fresh pattern in a's guest page, read into edu, a cleared,
		 * written back by edu: the bytes must come back. */
		pa = hva(&g->v, DATA_GPA + (uint64_t)a * PAGE);
		for (i = 0; i < sizeof(pattern); i++)
			pattern[i] = rnd();
		memcpy(pa, pattern, sizeof(pattern));
		ok = edu_dma(&g->f, iova_of(a), EDU_BUF, sizeof(pattern), false);
		memset(pa, 0x5a, PAGE);
		ok = ok && edu_dma(&g->f, EDU_BUF, iova_of(a), sizeof(pattern), true);
		if (ok && !memcmp(pa, pattern, sizeof(pattern)))
			dma_reached++;
		else {
			dma_bad++;
			diag("DMA sample: mapped IOVA %#llx (GPA %#llx) not reached",
			     (unsigned long long)iova_of(a),
			     (unsigned long long)(DATA_GPA + (uint64_t)a * PAGE));
			ok = false;
		}
	}
	if (u >= 0) {
		bool done;

		pu = hva(&g->v, DATA_GPA + (uint64_t)u * PAGE);
		memset(pu, 0xa5, PAGE);
		done = edu_dma(&g->f, EDU_BUF, iova_of(u), 2048, true);
		for (i = 0; i < PAGE && pu[i] == 0xa5; i++)
			;
		if (done && i == PAGE) {
			dma_blocked++;
		} else {
			dma_bad++;
			diag("DMA sample: unmapped IOVA %#llx reached its old GPA %#llx",
			     (unsigned long long)iova_of(u),
			     (unsigned long long)(DATA_GPA + (uint64_t)u * PAGE));
			ok = false;
		}
	}
	return ok;
}

/* ---- failslab ----------------------------------------------------------------- */

static int failslab_worker;

/* The pid of the kthread "vhost-<our pid>", or -1. */
static int find_worker(void)
{
	char want[32], path[300], comm[64];
	struct dirent *e;
	int pid = -1;
	DIR *d = opendir("/proc");

	snprintf(want, sizeof(want), "vhost-%d\n", getpid());
	while (d && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want))
			pid = atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return pid;
}

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

static bool flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static struct op ops[BATCH];
	static struct req r[BATCH];
	unsigned long n, every, done = 0, mismatches = 0, checks = 0, bad_checks = 0;
	unsigned long by_status[256] = { 0 }, by_type[4] = { 0 }, injected = 0;
	struct vhost_iommu_stats st;
	const char *step;
	struct rig g;
	uint8_t *ram;
	long lck0;
	double t0, t;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [--ops N] [--dma-every K] [--seed S] [--failslab]\n",
			argv[0]);
		return 2;
	}
	n = vhost_opt(argc, argv, "--ops", 1000000);
	every = vhost_opt(argc, argv, "--dma-every", 10000);
	seed = vhost_opt(argc, argv, "--seed", seed) | 1;
	failslab = flag(argc, argv, "--failslab");
	setvbuf(stdout, NULL, _IOLBF, 0);
	ram = guest_ram();
	lck0 = vmlck_kb();
	memset(&g, 0, sizeof(g));
	g.f.container = g.f.group = g.f.device = -1;
	ret = rig_open(&g, ram, argv[1], &default_cfg, &step);
	if (!tap(!ret, "set up: %s", step)) {
		errno = -ret;
		bail(step);
	}
	if (failslab) {
		/*
		 * Requests run in the device's vhost worker thread
		 * ("vhost-<owner pid>"): failures for that task only.
		 */
		int worker = find_worker();

		if (!tap(worker > 0 && set_make_it_fail(worker, 1),
			 "failslab armed for the vhost worker (pid %d)", worker))
			return tap_done();
		failslab_worker = worker;
	}
	diag("%lu operations, DMA sample and counter check every %lu, seed %#llx%s", n, every,
	     (unsigned long long)seed, failslab ? ", failslab" : "");
	t0 = now_s();
	while (done < n) {
		unsigned int k, b = n - done < BATCH ? n - done : BATCH;
		unsigned long next_check = (done / every + 1) * every;

		if (done + b > next_check)
			b = next_check - done;
		for (k = 0; k < b; k++) {
			make_op(&ops[k], g.ep);
			r[k] = (struct req){ .out = &ops[k].body, .out_len = ops[k].len, .in_len = 4 };
			/* Under failslab an ATTACH ends its batch: see below. */
			if (failslab && ops[k].type == OP_ATTACH) {
				b = k + 1;
				break;
			}
		}
		if (vq_run(&g.v, r, b) != b) {
			tap(false, "batch at op %lu: only some requests answered", done);
			break;
		}
		for (k = 0; k < b; k++) {
			uint8_t got = req_status(&r[k]), want = 0;

			by_status[got]++;
			by_type[ops[k].type]++;
			if (got == NOMEM || got == DEVERR)
				injected++;
			if (!model_apply(&ops[k], got, &want) && mismatches++ < 10)
				diag("op %lu: %s dom %u [%#llx, %#llx]: status %u, model says %u",
				     done + k, op_name(ops[k].type), ops[k].dom,
				     (unsigned long long)ops[k].start,
				     (unsigned long long)ops[k].last, got, want);
		}
		done += b;
		/*
		 * A failed ATTACH moves the endpoint back to its old domain, or,
		 * if even that fails, leaves it in none (the old domain dies):
		 * the device's counters say which.
		 */
		if (failslab && ops[b - 1].type == OP_ATTACH &&
		    (req_status(&r[b - 1]) == NOMEM || req_status(&r[b - 1]) == DEVERR) &&
		    vdev_stats(&g.v, &st) == 0 && !st.domains && cur_dom) {
			model_clear();
			cur_dom = 0;
		}
		if (done % every == 0 || done == n) {
			checks++;
			if (vdev_stats(&g.v, &st) || st.mappings != model_maps ||
			    st.pinned_pages != model_pages) {
				if (bad_checks++ < 10)
					diag("after %lu ops: device has %llu mappings / %llu pinned pages, "
					     "model %lu / %lu", done, (unsigned long long)st.mappings,
					     (unsigned long long)st.pinned_pages, model_maps,
					     model_pages);
			}
			if (!failslab && !dma_sample(&g))
				bad_checks++;
		}
	}
	t = now_s() - t0;
	tap(done == n && !mismatches, "%lu operations (%lu MAP, %lu UNMAP, %lu ATTACH, %lu DETACH) "
	    "matched the model: %lu mismatches (%.1f s, %.0f op/s)", done, by_type[OP_MAP],
	    by_type[OP_UNMAP], by_type[OP_ATTACH], by_type[OP_DETACH], mismatches, t,
	    done / (t > 0 ? t : 1));
	diag("statuses: OK %lu, INVAL %lu, RANGE %lu, NOENT %lu, NOMEM %lu, DEVERR %lu, other %lu",
	     by_status[OK], by_status[INVAL], by_status[RANGE], by_status[NOENT],
	     by_status[NOMEM], by_status[DEVERR],
	     done - by_status[OK] - by_status[INVAL] - by_status[RANGE] - by_status[NOENT] -
	     by_status[NOMEM] - by_status[DEVERR]);
	tap(checks && !bad_checks, "%lu counter checks%s agreed with the model (%lu failed; "
	    "DMA samples: %lu mapped pages reached, %lu unmapped pages not reached, %lu wrong)",
	    checks, failslab ? "" : " and DMA samples", bad_checks, dma_reached, dma_blocked,
	    dma_bad);
	if (failslab) {
		set_make_it_fail(failslab_worker, 0);
		tap(injected > 0, "injected failures answered NOMEM/DEVERR: %lu requests", injected);
	}
	tap(ioctl(g.v.fd, VHOST_IOMMU_RESET) == 0 && vdev_stats(&g.v, &st) == 0 &&
	    !st.mappings && !st.domains && !st.pinned_pages,
	    "after a reset: no mapping, domain or pin left");
	rig_close(&g);
	model_clear();
	tap(vmlck_kb() == lck0, "VmLck back to %ld kB after close", lck0);
	return tap_done();
}
