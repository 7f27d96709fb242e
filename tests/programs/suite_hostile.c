// SPDX-License-Identifier: GPL-2.0
/*
 * suite hostile: a guest that breaks the rules, and a VMM that dies.  It
 * asserts that the module drops every malformed descriptor chain (and
 * counts it) and still works after them, refuses MAPs of GPAs outside the
 * memory table and of wrapping or huge ranges without pinning anything,
 * returns every one of --random random requests and is clean after a
 * reset, bounds the time one pass of the worker takes however long the
 * guest's descriptor chains are, refuses rings larger than it bounds,
 * stops MAPs at the default limit (65535, as type1) and at the VMM's
 * memcg limit (NOMEM, the host's memcg stays under its limit), refuses a
 * memory table with overlapping regions, leaves out of pinned RAM a region
 * that maps device memory past its start, refuses to pin a 2 TiB region,
 * answers NOMEM past RLIMIT_MEMLOCK, and that a VMM SIGKILLed mid-stream gives back its
 * device and its pins, the group being usable again at once.  A fixture
 * for the guest's abuse, one per child VMM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edu.h"
#include "rnd.h"
#include "suites.h"

/*
 * Push a hand-made chain whose head is descriptor @head (already written
 * to the table), kick, and return its used length, or -1 if it was not
 * returned within a second.
 */
static long raw_chain(struct vdev *v, uint16_t head)
{
	struct vring_used_elem e;

	vq_push(v, 0, head);
	vq_kick(v, 0);
	if (vq_wait(v, 0, 1, 1000) < 1)
		return -1;
	e = vq_pop(v, 0);
	return e.id == head ? (long)e.len : -2;
}

static void t_malformed(struct tap *t, struct rig *g)
{
	struct vdev *v = &g->v;
	struct vring_desc *d = v->vq[0].desc;
	struct virtio_iommu_req_map m;
	uint64_t body = scratch_alloc(v, 64), tail = scratch_alloc(v, 64);
	uint64_t ind = scratch_alloc(v, 64);
	struct vhost_iommu_stats st0, st1;

	mk_map(&m, 1, 0, PAGE - 1, DATA_GPA, RW);
	memcpy(hva(v, body), &m, RO_LEN(m));
	vdev_stats(v, &st0);

	/* Device-writable first, readable after it. */
	d[10] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 11 };
	d[11] = (struct vring_desc){ body, RO_LEN(m), 0, 0 };
	tap_check(t, raw_chain(v, 10) == 0,
		  "chain with a readable descriptor after a writable one: used_len 0");

	/* A buffer outside the memory table. */
	d[12] = (struct vring_desc){ GUEST_GPA + GUEST_SIZE + PAGE, RO_LEN(m), VRING_DESC_F_NEXT, 13 };
	d[13] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE, 0 };
	tap_check(t, raw_chain(v, 12) == 0, "descriptor outside guest RAM: used_len 0");

	/* A loop. */
	d[14] = (struct vring_desc){ body, RO_LEN(m), VRING_DESC_F_NEXT, 15 };
	d[15] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 14 };
	tap_check(t, raw_chain(v, 14) == 0, "descriptor loop: used_len 0");

	/* No readable byte, no writable byte. */
	d[16] = (struct vring_desc){ body, 0, 0, 0 };
	tap_check(t, raw_chain(v, 16) == 0, "a lone empty descriptor: used_len 0");

	/* next beyond the table. */
	d[17] = (struct vring_desc){ body, RO_LEN(m), VRING_DESC_F_NEXT, VQ_NUM + 5 };
	tap_check(t, raw_chain(v, 17) == 0, "next index beyond the table: used_len 0");

	/* An indirect table of bad length. */
	d[18] = (struct vring_desc){ ind, 5, VRING_DESC_F_INDIRECT, 0 };
	tap_check(t, raw_chain(v, 18) == 0, "indirect table of a bad length: used_len 0");

	/* A good indirect chain works. */
	((struct vring_desc *)hva(v, ind))[0] =
		(struct vring_desc){ body, RO_LEN(m), VRING_DESC_F_NEXT, 1 };
	((struct vring_desc *)hva(v, ind))[1] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE, 0 };
	d[19] = (struct vring_desc){ ind, 2 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0 };
	memset(hva(v, tail), 0xee, 4);
	tap_check(t, raw_chain(v, 19) == 4 && *(uint8_t *)hva(v, tail) == NOENT,
		  "a valid indirect chain is handled (MAP on no domain -> NOENT)");

	vdev_stats(v, &st1);
	tap_check(t, st1.bad_chains >= st0.bad_chains + 5, "bad chains are counted (%llu)",
		  (unsigned long long)(st1.bad_chains - st0.bad_chains));
	tap_check(t, v_attach(v, 1, g->ep, 0) == OK && v_detach(v, 1, g->ep) == OK,
		  "the queue still works after the malformed chains");
}

static void t_bad_ranges(struct tap *t, struct rig *g)
{
	struct vdev *v = &g->v;
	long lck0 = vmlck_kb();
	bool ok;

	ok = v_attach(v, 1, g->ep, 0) == OK;
	ok = v_map(v, 1, 0, PAGE - 1, 0, RW) == FAULT && ok;
	ok = v_map(v, 1, 0, PAGE - 1, GUEST_GPA - PAGE, RW) == FAULT && ok;
	ok = v_map(v, 1, 0, 4 * PAGE - 1, GUEST_GPA + GUEST_SIZE - 2 * PAGE, RW) == FAULT && ok;
	tap_check(t, ok, "MAPs of GPAs outside the memory table -> FAULT");
	tap_check(t, v_map(v, 1, 0, ~0ull, 0, RW) != OK, "MAP [0, 2^64-1] is refused");
	tap_check(t, v_map(v, 1, 0, 2 * PAGE - 1, ~0ull - PAGE + 1, RW) == RANGE,
		  "MAP whose phys range wraps -> RANGE");
	tap_check(t, v_map(v, 1, 1ull << 38, (1ull << 39) - 1, GUEST_GPA, RW) == FAULT,
		  "MAP of 256 GiB starting in guest RAM -> FAULT");
	tap_check(t, v_unmap(v, 1, 0, ~0ull) == OK, "UNMAP [0, 2^64-1] -> OK");
	tap_check(t, pinned_pages(v) == 0 && vmlck_kb() == lck0,
		  "nothing pinned or locked by the refused MAPs (VmLck %ld kB)", vmlck_kb());
	v_detach(v, 1, g->ep);
}

/* The random stream of t_random(), the same in every run. */
#define RANDOM_SEED	88172645463325252ull

/* A random request, plausible enough to reach the handlers. */
static size_t random_req(struct rig *g, uint8_t *buf, uint64_t *rs)
{
	static const uint32_t doms[] = { 1, 2, 3, 0, 1001, 0xffffffff };
	size_t len = 4 + rnd_next(rs) % 80;
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = rnd_next(rs);
	buf[0] = rnd_next(rs) % 8;
	if (rnd_next(rs) % 4) {
		/* Mostly-valid fields: domain, endpoint, small IOVAs, guest RAM. */
		uint32_t dom = doms[rnd_next(rs) % 6];
		uint64_t iova = (rnd_next(rs) % 64) * PAGE, size = (1 + rnd_next(rs) % 4) * PAGE;
		uint64_t phys = DATA_GPA + (rnd_next(rs) % 256) * PAGE;

		switch (buf[0]) {
		case VIRTIO_IOMMU_T_ATTACH:
			/* No ATTACH_F_BYPASS: each would pin all guest RAM. */
			mk_attach((void *)buf, dom,
				  rnd_next(rs) % 8 ? g->ep : (uint32_t)rnd_next(rs),
				  rnd_next(rs) % 8 ? 0 : rnd_next(rs) % 4 & ~1u);
			return RO_LEN(struct virtio_iommu_req_attach);
		case VIRTIO_IOMMU_T_MAP:
			mk_map((void *)buf, dom, iova, iova + size - 1,
			       rnd_next(rs) % 8 ? phys : rnd_next(rs),
			       rnd_next(rs) % 8 ? RW : rnd_next(rs) % 8);
			return RO_LEN(struct virtio_iommu_req_map);
		case VIRTIO_IOMMU_T_UNMAP:
			mk_unmap((void *)buf, dom, iova, iova + size * (rnd_next(rs) % 3) - 1);
			return RO_LEN(struct virtio_iommu_req_unmap);
		default:
			break;
		}
	}
	return len;
}

static void t_random(struct tap *t, struct rig *g, unsigned long count)
{
	static struct req r[VQ_BATCH];
	/* Aligned: random_req() builds structures in them. */
	uint8_t bodies[VQ_BATCH][96] __attribute__((aligned(8)));
	uint64_t rs = RANDOM_SEED;
	struct vdev *v = &g->v;
	unsigned long sent = 0, lost = 0, answered = 0;
	struct vhost_iommu_stats st;
	double t0 = now_s();
	long lck0 = vmlck_kb();
	unsigned int i, n;

	while (sent < count) {
		n = count - sent < VQ_BATCH ? count - sent : VQ_BATCH;
		for (i = 0; i < n; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			r[i].out = bodies[i];
			r[i].out_len = random_req(g, bodies[i], &rs);
			r[i].in_len = rnd_next(&rs) % 8 ? 4 : rnd_next(&rs) % 600;
			/* Every 10th: a well-formed MAP or UNMAP of domain 1. */
			if (i % 10 == 0) {
				uint64_t iova = 0x10000000ull + (rnd_next(&rs) % 32) * PAGE;

				if (rnd_next(&rs) % 2)
					mk_map((void *)bodies[i], 1, iova, iova + PAGE - 1,
					       DATA_GPA + (rnd_next(&rs) % 512) * PAGE, RW);
				else
					mk_unmap((void *)bodies[i], 1, iova, iova + PAGE - 1);
				r[i].out_len = 36;
				r[i].in_len = 4;
			}
		}
		if (vq_run(v, r, n) != n) {
			lost += n;
			break;
		}
		for (i = 0; i < n; i++)
			answered += r[i].done;
		sent += n;
	}
	tap_check(t, !lost && answered == count,
		  "%lu random requests, mixed with valid ones: all returned (%.1f s)",
		  count, now_s() - t0);
	/* Make sure the endpoint is in domain 1, then make everything go. */
	v_attach(v, 1, g->ep, 0);
	tap_check(t, v_map(v, 1, 0x20000000, 0x20000fff, DATA_GPA, RW) == OK,
		  "the device still answers a valid MAP");
	tap_check(t, ioctl(v->fd, VHOST_IOMMU_RESET) == 0 && vdev_stats(v, &st) == 0 &&
		  !st.mappings && !st.domains && !st.pinned_pages,
		  "after the random stream and a reset: no mapping, domain or pin left");
	tap_check(t, vmlck_kb() == lck0, "VmLck back to %ld kB", lck0);
}

/*
 * A flood of large MAPs yields the worker: one kick of 64 MAPs of 1024
 * pages each (the same guest pages, pinned again for each) holds the
 * model's lock for only a few of them at a time (VHOST_IOMMU_WORK_WEIGHT),
 * so a GET_STATS issued once the first is done gets in before the last.
 * Without a page weight the kick holds the lock to its end, and GET_STATS
 * sees all 64.
 */
static void t_weight(struct tap *t, struct rig *g)
{
	enum { N = 64, PAGES = 1024 };
	static struct virtio_iommu_req_map m[N];
	struct vdev *v = &g->v;
	struct vring_desc *d = v->vq[0].desc;
	struct vhost_iommu_stats st0, st, st1;
	unsigned int k, got, good = 0;
	double t0;

	if (!tap_check(t, v_attach(v, 1, g->ep, 0) == OK, "weight: ATTACH endpoint to domain 1"))
		return;
	for (k = 0; k < N; k++) {
		uint64_t iova = 0x200000000ull + (uint64_t)k * PAGES * PAGE;
		uint64_t out = scratch_alloc(v, 64), in = scratch_alloc(v, 64);

		mk_map(&m[k], 1, iova, iova + PAGES * PAGE - 1, DATA_GPA, RW);
		memcpy(hva(v, out), &m[k], RO_LEN(m[k]));
		memset(hva(v, in), 0xee, 4);
		d[2 * k] = (struct vring_desc){ out, RO_LEN(m[k]), VRING_DESC_F_NEXT, 2 * k + 1 };
		d[2 * k + 1] = (struct vring_desc){ in, 4, VRING_DESC_F_WRITE, 0 };
		vq_push(v, 0, 2 * k);
	}
	vdev_stats(v, &st0);
	t0 = now_s();
	vq_kick(v, 0);
	got = vq_wait(v, 0, N, 60000);
	for (k = 0; k < got; k++) {
		struct vring_used_elem e = vq_pop(v, 0);

		good += e.len == 4 && *(uint8_t *)hva(v, d[e.id + 1].addr) == OK;
	}
	tap_check(t, got == N && good == N, "weight: %u MAPs of %u pages, all OK (%.2f s)",
		  N, PAGES, now_s() - t0);
	/*
	 * 64 requests are under the request limit: only the page limit can cut
	 * this kick short.  Whether another thread then gets in depends on the
	 * scheduler; that the worker gave the queue up does not.
	 */
	vdev_stats(v, &st);
	tap_check(t, st.weight_yields > st0.weight_yields,
		  "weight: a flood of large MAPs yields the worker (%llu requeued kicks)",
		  (unsigned long long)(st.weight_yields - st0.weight_yields));
	tap_check(t, ioctl(v->fd, VHOST_IOMMU_RESET) == 0 && vdev_stats(v, &st1) == 0 &&
		  !st1.pinned_pages, "weight: a reset unpins everything");
}

/*
 * A memory table whose second region overlaps the first: vhost would take
 * it, and guest RAM pinned from it would map IOVAs twice in the identity
 * domain, which makes the IOMMU driver WARN for every page (the scenario
 * fails on a WARN in the kernel log).  It is refused, and the table in
 * place stays.
 */
static void t_overlap(struct tap *t, const struct suite_env *e)
{
	static const struct rig_opts prepin = { .options = VHOST_IOMMU_OPT_PREPIN };
	struct vhost_memory *mem = calloc(1, sizeof(*mem) + 2 * sizeof(mem->regions[0]));
	struct vhost_iommu_stats st;
	uint8_t *a, *b;
	struct rig g;
	int err;
	bool ok;

	if (!tap_check(t, mem != NULL, "overlap: a memory table"))
		return;
	rig_open_or_bail(t, &g, e->ram, e->bdf, &prepin);
	mem->nregions = 2;
	mem->regions[0] = (struct vhost_memory_region){ .guest_phys_addr = GUEST_GPA,
		.memory_size = GUEST_SIZE, .userspace_addr = (uintptr_t)e->ram };
	mem->regions[1] = (struct vhost_memory_region){ .guest_phys_addr = DATA_GPA,
		.memory_size = 4 << 20, .userspace_addr = (uintptr_t)e->ram + (8 << 20) };
	err = ioctl(g.v.fd, VHOST_SET_MEM_TABLE, mem) ? errno : 0;
	ok = err == EINVAL && vdev_stats(&g.v, &st) == 0;
	tap_check(t, ok && st.ram_pinned_pages == GUEST_SIZE / PAGE,
		  "overlap: a table with overlapping regions is refused (%s), the old one stays pinned",
		  strerror(err));
	a = hva(&g.v, GPA_A);
	b = hva(&g.v, GPA_B);
	fill_pattern(a, PAGE, 71);
	memset(b, 0, PAGE);
	ok = v_attach(&g.v, 9, g.ep, VIRTIO_IOMMU_ATTACH_F_BYPASS) == OK &&
	     edu_copy(g.f.bar0, GPA_A, GPA_B, EDU_DMA_LEN);
	tap_check(t, ok && !memcmp(a, b, EDU_DMA_LEN),
		  "overlap: the identity domain maps the table in place: DMA at IOVA == GPA lands");
	rig_close(&g);
	free(mem);
}

/*
 * Chains that cost vhost core much and us nothing: each chains HEADS
 * descriptors marked INDIRECT and NEXT (vhost follows NEXT on them), each
 * pointing at one table of ENTRIES empty descriptors, which use no iovec.
 * One kick of CHAINS of them: every chain is returned (used_len 0, no
 * readable part), and no pass of the worker takes much more than one
 * chain, where without a time limit one pass took them all.  The longest
 * pass is reported (debugfs pass_max_us); the kernel log must show no soft
 * lockup (the scenario fails on any BUG).
 */
static void t_chain_flood(const struct suite_env *e)
{
	enum { CHAINS = 16, HEADS = VQ_NUM / CHAINS, ENTRIES = 16384 };
	struct tap *t = e->t;
	struct vhost_iommu_stats st0, st1;
	unsigned int c, k, got, empty = 0;
	struct vring_desc *d, *table;
	long long pass_us;
	uint64_t table_gpa;
	struct vdev *v;
	struct rig g;
	double s;

	rig_open_or_bail(t, &g, e->ram, e->bdf, NULL);
	v = &g.v;
	d = v->vq[0].desc;
	/* Before the first push: the pass START queued may run at any time. */
	vdev_stats(v, &st0);
	table_gpa = scratch_alloc(v, ENTRIES * sizeof(*table));
	table = hva(v, table_gpa);
	for (k = 0; k < ENTRIES; k++)
		table[k] = (struct vring_desc){ DATA_GPA, 0,
			k + 1 < ENTRIES ? VRING_DESC_F_NEXT : 0, k + 1 };
	for (c = 0; c < CHAINS; c++) {
		for (k = 0; k < HEADS; k++) {
			unsigned int i = c * HEADS + k;

			d[i] = (struct vring_desc){ table_gpa, ENTRIES * sizeof(*table),
				VRING_DESC_F_INDIRECT | (k + 1 < HEADS ? VRING_DESC_F_NEXT : 0),
				i + 1 };
		}
		vq_push(v, 0, c * HEADS);
	}
	s = now_s();
	vq_kick(v, 0);
	got = vq_wait(v, 0, CHAINS, 300000);
	s = now_s() - s;
	for (k = 0; k < got; k++)
		empty += vq_pop(v, 0).len == 0;
	vdev_stats(v, &st1);
	pass_us = vhost_debugfs_stat("pass_max_us");
	tap_check(t, got == CHAINS && empty == CHAINS &&
		  st1.bad_chains - st0.bad_chains == CHAINS,
		  "chain flood: %u chains of %u INDIRECT|NEXT heads x %u empty descriptors: all "
		  "returned with used_len 0, counted bad (%u, %u, %llu; %.2f s)", CHAINS, HEADS,
		  ENTRIES, got, empty, (unsigned long long)(st1.bad_chains - st0.bad_chains), s);
	tap_check(t, pass_us >= 0 && pass_us < s * 1e6 / 4 && st1.weight_yields > st0.weight_yields,
		  "chain flood: the worker yields; its longest pass %lld us of %.0f us in all "
		  "(%llu requeued kicks)", pass_us, s * 1e6,
		  (unsigned long long)(st1.weight_yields - st0.weight_yields));
	tap_check(t, v_attach(v, 1, g.ep, 0) == OK, "chain flood: the queue still works");
	rig_close(&g);
}

/*
 * The ring size bounds what one chain costs (see t_chain_flood): a request
 * queue of more than 1024 descriptors is refused at VHOST_IOMMU_START.
 */
static void t_ring_size(const struct suite_env *e)
{
	struct vhost_vring_state big = { .index = 0, .num = 2048 };
	struct vhost_vring_state num = { .index = 0, .num = VQ_NUM };
	struct vdev v;
	int err = 0;
	bool ok;

	ok = vdev_open(&v, e->ram, &default_cfg) == 0 &&
	     ioctl(v.fd, VHOST_SET_VRING_NUM, &big) == 0;
	if (ok && ioctl(v.fd, VHOST_IOMMU_START))
		err = errno;
	ok = ok && err == EINVAL && ioctl(v.fd, VHOST_SET_VRING_NUM, &num) == 0 &&
	     ioctl(v.fd, VHOST_IOMMU_START) == 0;
	tap_check(e->t, ok, "ring size: a request queue of %u descriptors is refused at START "
		  "(%s), one of %u starts", big.num, strerror(err), num.num);
	vdev_close(&v);
}

/*
 * MAP @n one-page mappings with no access flag (nothing pinned) in domain
 * @dom from @iova up, in batches of @batch (at most VQ_BATCH); stop at the
 * first that is not OK.  Return: how many were OK; *@status: the first
 * other status (OK if none).
 */
static unsigned long map_flagless(struct vdev *v, uint32_t dom, uint64_t iova,
				  unsigned long n, unsigned int batch, uint8_t *status)
{
	static struct virtio_iommu_req_map m[VQ_BATCH];
	static struct req r[VQ_BATCH];
	unsigned long done = 0;
	unsigned int i, k;

	*status = OK;
	while (done < n) {
		k = n - done < batch ? n - done : batch;
		for (i = 0; i < k; i++) {
			uint64_t a = iova + (done + i) * PAGE;

			mk_map(&m[i], dom, a, a + PAGE - 1, DATA_GPA, 0);
			memset(&r[i], 0, sizeof(r[i]));
			r[i].out = &m[i];
			r[i].out_len = RO_LEN(m[i]);
			r[i].in_len = sizeof(struct virtio_iommu_req_tail);
		}
		if (vq_run(v, r, k) != k) {
			*status = S_LOST;
			return done;
		}
		for (i = 0; i < k; i++) {
			if (req_status(&r[i]) != OK) {
				*status = req_status(&r[i]);
				return done + i;
			}
		}
		done += k;
	}
	return done;
}

#define LIMIT_IOVA	0x100000000ull

/* The default limit of live mappings is type1's dma_entry_limit, 65535. */
static void t_default_limit(const struct suite_env *e)
{
	unsigned long n;
	struct rig g;
	uint8_t st;

	rig_open_or_bail(e->t, &g, e->ram, e->bdf, NULL);
	n = v_attach(&g.v, 1, g.ep, 0) == OK ?
	    map_flagless(&g.v, 1, LIMIT_IOVA, 70000, VQ_BATCH, &st) : 0;
	tap_check(e->t, n == 65535 && st == NOMEM && live_mappings(&g.v) == 65535,
		  "default limit: 65535 live mappings, then NOMEM (%lu, then status %u)", n, st);
	rig_close(&g);
}

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP		CGROUP_ROOT "/pviommu-memcg"

/* The cgroup files the child reads and writes, opened before the limit. */
enum { CG_CURRENT, CG_EVENTS, CG_MAX, CG_NR };
static const char *const cg_files[CG_NR] = {
	CGROUP "/memory.current", CGROUP "/memory.events", CGROUP "/memory.max",
};

/*
 * The number in cgroup file @fd (after "KEY " if @key), or -1; read into
 * a buffer on the stack, so that it allocates nothing in the cgroup.
 */
static long long cg_read(int fd, const char *key)
{
	char buf[512], *p = buf;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (key) {
		p = strstr(buf, key);
		if (!p)
			return -1;
		p += strlen(key);
	}
	return strtoll(p, NULL, 10);
}

static bool cg_write(int fd, const char *s)
{
	return pwrite(fd, s, strlen(s), 0) == (ssize_t)strlen(s);
}

/* cgroup v2 with the memory controller for CGROUP's children. */
static bool cgroup_ready(void)
{
	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL))
		return false;
	if (!write_text(CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		return false;
	return (mkdir(CGROUP, 0755) == 0 || errno == EEXIST) &&
	       access(CGROUP "/memory.max", F_OK) == 0;
}

/*
 * The child VMM of t_memcg(), in CGROUP: MAPs with no access flag (they
 * pin nothing: only kernel memory pays for them) until one fails, with
 * memory.max 2 MiB above what the VMM uses.  Until the limit is lifted
 * again it does nothing that allocates in the cgroup but the MAPs: the
 * rest would be OOM-killed.  Exit status: bit per failed check.
 */
static int memcg_child(const struct suite_env *e)
{
	long long base, cur, events, max;
	int fd[CG_NR], i, bad = 0;
	char pid[16], lim[32];
	unsigned long n;
	const char *step;
	struct rig g;
	uint8_t st;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (!write_text(CGROUP "/cgroup.procs", pid) || mlockall(MCL_CURRENT | MCL_FUTURE))
		return 64;
	for (i = 0; i < CG_NR; i++)
		if ((fd[i] = open(cg_files[i], i == CG_MAX ? O_WRONLY : O_RDONLY)) < 0)
			return 65;
	if (rig_open(&g, e->ram, e->bdf, &default_cfg,
		     &(struct rig_opts){ .max_mappings = 1 << 20 }, &step) ||
	    v_attach(&g.v, 1, g.ep, 0) != OK)
		return 66;
	/* Warm up the request path, so that the VMM itself needs no new page. */
	if (map_flagless(&g.v, 1, LIMIT_IOVA, VQ_BATCH, VQ_BATCH, &st) != VQ_BATCH)
		bad |= 1;
	base = cg_read(fd[CG_CURRENT], NULL);
	max = base + (2 << 20);
	snprintf(lim, sizeof(lim), "%lld", max);
	if (base < 0 || !cg_write(fd[CG_MAX], lim))
		return 67;
	/*
	 * Small batches: each MAP past the limit is a failed charge after
	 * reclaim, which takes long on a debug kernel.
	 */
	n = map_flagless(&g.v, 1, LIMIT_IOVA + VQ_BATCH * PAGE, 200000, 8, &st);
	/* Even reading a cgroup file allocates (a seq_file buffer): lift the limit first. */
	if (!cg_write(fd[CG_MAX], "max"))
		return 68;
	/* Nothing was freed since: what the flood left charged. */
	cur = cg_read(fd[CG_CURRENT], NULL);
	events = cg_read(fd[CG_EVENTS], "max ");
	tap_diag("memcg: %lu MAPs, then status %u; memory.current +%lld bytes (%.0f a mapping), "
		 "%lld of max %lld, %lld max events", n, st, cur - base,
		 n ? (double)(cur - base) / n : 0.0, cur, max, events);
	if (st != NOMEM || n >= 200000)
		bad |= 2;
	/* The read of memory.current charges its own buffer, a page. */
	if (cur > max + (long long)PAGE)
		bad |= 4;
	if (events <= 0)
		bad |= 8;
	rig_close(&g);
	return bad;
}

/*
 * A VMM in a cgroup with a small memory.max: the worker's allocations for
 * the guest's MAPs are charged to it (on 6.1 the worker is a kthread, whose
 * allocations are charged nowhere by default), the guest gets NOMEM when
 * it is full, the cgroup stays within its limit, and nobody is OOM-killed.
 */
static void t_memcg(const struct suite_env *e)
{
	int status = -1;
	pid_t pid;

	if (!tap_check(e->t, cgroup_ready(), "memcg: a cgroup v2 with the memory controller"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(memcg_child(e));
	if (pid > 0)
		waitpid(pid, &status, 0);
	rmdir(CGROUP);
	tap_check(e->t, pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "memcg: MAPs charged to the VMM's memcg: NOMEM at its limit, which holds, "
		  "and nobody OOM-killed (child status %#x)", status);
}

/*
 * A memory-table region that starts in RAM and goes on into device memory
 * (edu's BAR0, mapped right after 16 pages of RAM): pinned RAM leaves it
 * out, whatever VMA it starts in, and the rest of the table is pinned.
 */
static void t_device_memory(const struct suite_env *e)
{
	static const struct rig_opts prepin = { .options = VHOST_IOMMU_OPT_PREPIN };
	struct vhost_memory *mem = calloc(1, sizeof(*mem) + 2 * sizeof(mem->regions[0]));
	const size_t ram_part = 16 * PAGE;
	struct vhost_iommu_stats st;
	struct tap *t = e->t;
	uint8_t *area = MAP_FAILED;
	struct rig g;
	int err = -1;

	if (!tap_check(t, mem != NULL, "device memory: a memory table"))
		return;
	rig_open_or_bail(t, &g, e->ram, e->bdf, &prepin);
	area = mmap(NULL, ram_part + g.f.bar0_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (area != MAP_FAILED &&
	    mmap(area + ram_part, g.f.bar0_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 g.f.device, g.f.bar0_offset) == area + ram_part) {
		mem->nregions = 2;
		mem->regions[0] = (struct vhost_memory_region){ .guest_phys_addr = GUEST_GPA,
			.memory_size = GUEST_SIZE, .userspace_addr = (uintptr_t)e->ram };
		mem->regions[1] = (struct vhost_memory_region){ .guest_phys_addr = 1ull << 32,
			.memory_size = ram_part + g.f.bar0_size, .userspace_addr = (uintptr_t)area };
		err = ioctl(g.v.fd, VHOST_SET_MEM_TABLE, mem) ? errno : 0;
	}
	tap_check(t, err == 0 && vdev_stats(&g.v, &st) == 0 &&
		  st.ram_pinned_pages == GUEST_SIZE / PAGE,
		  "device memory: a region of RAM then a BAR is left out of pinned RAM, the rest "
		  "pinned (%s)", err < 0 ? "no mapping" : strerror(err));
	rig_close(&g);
	if (area != MAP_FAILED)
		munmap(area, ram_part + g.f.bar0_size);
	free(mem);
}

/*
 * A memory-table region of 2 TiB (a reservation of address space, nothing
 * behind it) with pre-pinned RAM: its page array would be past what
 * kvmalloc() takes, with a WARN (the scenario fails on one).  The table is
 * refused with -ENOMEM, and the next table is pinned as usual.  (A MAP that
 * large gets RANGE: the host domain's aperture is 39 bits here.)
 */
static void t_huge_region(const struct suite_env *e)
{
	static const struct rig_opts prepin = { .options = VHOST_IOMMU_OPT_PREPIN };
	const uint64_t size = 2ull << 40;
	struct vhost_memory *mem = calloc(1, sizeof(*mem) + 2 * sizeof(mem->regions[0]));
	struct tap *t = e->t;
	void *area = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	struct vhost_iommu_stats st;
	struct rig g;
	int err;

	if (!tap_check(t, mem && area != MAP_FAILED, "2 TiB region: 2 TiB of address space"))
		goto out;
	rig_open_or_bail(t, &g, e->ram, e->bdf, &prepin);
	mem->nregions = 2;
	mem->regions[0] = (struct vhost_memory_region){ .guest_phys_addr = GUEST_GPA,
		.memory_size = GUEST_SIZE, .userspace_addr = (uintptr_t)e->ram };
	mem->regions[1] = (struct vhost_memory_region){ .guest_phys_addr = 1ull << 42,
		.memory_size = size, .userspace_addr = (uintptr_t)area };
	err = ioctl(g.v.fd, VHOST_SET_MEM_TABLE, mem) ? errno : 0;
	tap_check(t, err == ENOMEM && vdev_set_mem_table(&g.v, NULL) == 0 &&
		  vdev_stats(&g.v, &st) == 0 && st.ram_pinned_pages == GUEST_SIZE / PAGE,
		  "2 TiB region: refused for pinned RAM (%s), the next table pinned", strerror(err));
	rig_close(&g);
out:
	if (area != MAP_FAILED)
		munmap(area, size);
	free(mem);
}

/* Drop CAP_IPC_LOCK from the effective set, so RLIMIT_MEMLOCK applies. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d);
}

/*
 * In a child without CAP_IPC_LOCK and with RLIMIT_MEMLOCK of 1 MiB: a MAP
 * over the limit gets NOMEM, one under it works.  Exit status: bit per
 * failed check.
 */
static void t_memlock(const struct suite_env *e)
{
	struct rlimit lim = { 1 << 20, 1 << 20 };
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rig g;
		const char *step;
		int bad = 0;

		if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &lim))
			_exit(64);
		if (rig_open(&g, e->ram, e->bdf, &default_cfg, NULL, &step))
			_exit(65);
		if (v_attach(&g.v, 1, g.ep, 0) != OK)
			bad |= 1;
		if (v_map(&g.v, 1, 0, (2ull << 20) - 1, DATA_GPA, RW) != NOMEM)
			bad |= 2;
		if (v_map(&g.v, 1, 0, (512ull << 10) - 1, DATA_GPA, RW) != OK)
			bad |= 4;
		if (v_map(&g.v, 1, 1ull << 20, (1ull << 20) + (768ull << 10) - 1,
			  DATA_GPA, RW) != NOMEM)
			bad |= 8;
		if (pinned_pages(&g.v) != 128)
			bad |= 16;
		rig_close(&g);
		_exit(bad);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	tap_check(e->t, pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "RLIMIT_MEMLOCK 1 MiB without CAP_IPC_LOCK: 2 MiB MAP -> NOMEM, 512 KiB -> OK, "
		  "+768 KiB -> NOMEM (child status %#x)", status);
}

#define SIGKILL_IOVA	0x1000000ull

/*
 * A VMM SIGKILLed in the middle of a stream of MAPs: every pin must be
 * given back (the device's debugfs directory goes), and the group must be
 * usable again at once.
 */
static void t_sigkill(const struct suite_env *e)
{
	struct tap *t = e->t;
	int pipefd[2], status, before = vhost_debugfs_devices();
	const char *step = "";
	struct rig g;
	pid_t pid;
	char c = 0;
	int ret;

	if (pipe(pipefd))
		tap_bail(t, "pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		unsigned long i;

		close(pipefd[0]);
		if (rig_open(&g, e->ram, e->bdf, &default_cfg, NULL, &step) ||
		    v_attach(&g.v, 1, g.ep, 0) != OK)
			_exit(1);
		/* 512 pages live, then batches over 8192 pages until killed. */
		map_pages(&g.v, 1, SIGKILL_IOVA, 0, 512, 512);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(2);
		for (i = 512;; i++) {
			unsigned long from = i * VQ_BATCH % 8192;

			map_pages(&g.v, 1, SIGKILL_IOVA, from, from + VQ_BATCH, VQ_BATCH);
		}
	}
	close(pipefd[1]);
	ret = read(pipefd[0], &c, 1);
	close(pipefd[0]);
	usleep(300000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tap_check(t, ret == 1 && c == 'r' && WIFSIGNALED(status),
		  "a child VMM mapping in a loop was SIGKILLed mid-stream");
	/* The release may run a little after the exit. */
	for (ret = 0; ret < 50 && vhost_debugfs_devices() > before; ret++)
		usleep(100000);
	tap_check(t, vhost_debugfs_devices() == before,
		  "the killed child's vhost-iommu device is gone (debugfs: %d before, %d after)",
		  before, vhost_debugfs_devices());
	ret = rig_open(&g, e->ram, e->bdf, &default_cfg, NULL, &step);
	tap_check(t, !ret, "the group is usable again at once (%s: %s)", ret ? step : "ok",
		  ret ? strerror(-ret) : "");
	if (!ret) {
		uint8_t *a = hva(&g.v, GPA_A), *b = hva(&g.v, GPA_B);
		bool ok = v_attach(&g.v, 1, g.ep, 0) == OK &&
			  v_map(&g.v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
			  v_map(&g.v, 1, IOVA_B, IOVA_B + PAGE - 1, GPA_B, RW) == OK;

		fill_pattern(a, PAGE, 3);
		memset(b, 0, PAGE);
		ok = ok && edu_copy(g.f.bar0, IOVA_A, IOVA_B, EDU_DMA_LEN);
		tap_check(t, ok && !memcmp(a, b, EDU_DMA_LEN),
			  "and DMA through a new device works");
	}
	rig_close(&g);
}

void suite_hostile(const struct suite_env *e)
{
	struct tap *t = e->t;
	long lck0 = vmlck_kb();
	struct rig g;

	tap_diag("suite: hostile");
	rig_open_or_bail(t, &g, e->ram, e->bdf, NULL);
	t_malformed(t, &g);
	t_bad_ranges(t, &g);
	t_random(t, &g, e->random);
	t_weight(t, &g);
	rig_close(&g);
	tap_check(t, vmlck_kb() == lck0, "VmLck back to its baseline %ld kB after close", lck0);
	t_chain_flood(e);
	t_ring_size(e);
	t_default_limit(e);
	t_memcg(e);
	t_overlap(t, e);
	t_device_memory(e);
	t_huge_region(e);
	t_memlock(e);
	t_sigkill(e);
}
