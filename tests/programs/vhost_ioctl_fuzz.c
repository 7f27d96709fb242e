// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_ioctl_fuzz BDF [--calls N] [--seed S]
 *
 * An ioctl fuzzer for /dev/vhost-iommu and the VFIO container of type
 * VFIO_PVIOMMU_IOMMU.  BDF is QEMU's edu device bound to vfio-pci (its group
 * is the only real endpoint).  A pool of file descriptors (vhost-iommu files,
 * containers, the group, eventfds, and numbers of fds already closed) gets
 * random calls with random and half-valid arguments, in any order:
 *   - the vhost and VHOST_IOMMU_* ioctls, the VFIO container and group
 *     ioctls, VFIO_PVIOMMU_BIND with any fd, unknown command numbers;
 *   - arguments: plausible structures, random bytes, NULL, unmapped and
 *     kernel addresses, a structure cut by a PROT_NONE page;
 *   - kicks of whatever vring the device thinks it has;
 * and, every few hundred calls, a "live" round: a correctly set-up device
 * with a burst of MAP requests in flight on its virtqueue while a second
 * thread closes one of its fds (vhost, container or group) at a random time.
 * A closer thread also closes random pool fds while the main thread calls.
 *
 * Passes if the process survives every call (no hang: each live round is
 * bounded), and after everything is closed VmLck and the system's FOLL_PIN
 * balance (/proc/vmstat nr_foll_pin_acquired - released) are back to their
 * baselines and no vhost-iommu device is left in debugfs.  Counts go to the
 * TAP diagnostics.  The kernel-side verdict (KASAN, lockdep, ...) is the
 * caller's dmesg check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <linux/virtio_config.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rnd.h"
#include "vhost_lib.h"

#define POOL	24

enum kind { K_NONE, K_VHOST, K_CONTAINER, K_GROUP, K_EVENTFD, K_CLOSED };

static struct { int fd; enum kind kind; } pool[POOL];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *bdf;
static unsigned int group_id;
static uint8_t *ram;		/* guest RAM for the live rounds and mem tables */
static uint8_t *edge;		/* a page followed by a PROT_NONE page */

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static __thread uint64_t tseed;

/* The closer thread draws from its own stream (tseed), main from seed. */
static uint64_t rnd(void)
{
	return rnd_next(tseed ? &tseed : &seed);
}

/* Counters. */
static unsigned long calls, ok_calls, errs[134], opens, closes, kicks;
static unsigned long live_rounds, live_maps_sent, live_closed[3];
static volatile unsigned long async_closes;
static volatile int stop_closer;

static void count(long ret)
{
	calls++;
	if (ret >= 0)
		ok_calls++;
	else if (errno > 0 && errno < 134)
		errs[errno]++;
}

/* ---- the fd pool ---------------------------------------------------------- */

static int pool_pick(void)
{
	return rnd() % POOL;
}

static void pool_put(int fd, enum kind k)
{
	int i, slot = -1;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < POOL; i++)
		if (pool[i].kind == K_NONE || pool[i].kind == K_CLOSED) {
			slot = i;
			break;
		}
	if (slot < 0) {
		close(fd);
		closes++;
	} else {
		pool[slot].fd = fd;
		pool[slot].kind = k;
	}
	pthread_mutex_unlock(&pool_lock);
}

static int open_group(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%u", group_id);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* Count an open() of a kind of file, and keep what it opened. */
static void pool_open(int fd, enum kind k)
{
	count(fd);
	if (fd >= 0) {
		opens++;
		pool_put(fd, k);
	}
}

/* An fd to call: from the pool (maybe closed), or a bad number. */
static int any_fd(void)
{
	switch (rnd() % 16) {
	case 0:
		return -1;
	case 1:
		return 1000 + rnd() % 100;
	case 2:
		return 0x7fffffff;
	default:
		return pool[pool_pick()].fd;
	}
}

static int fd_of(enum kind k)
{
	int i, start = pool_pick();

	for (i = 0; i < POOL; i++)
		if (pool[(start + i) % POOL].kind == k)
			return pool[(start + i) % POOL].fd;
	return any_fd();
}

/* ---- arguments ------------------------------------------------------------ */

static uint8_t argbuf[8192] __attribute__((aligned(64)));

static uint64_t rnd_u64_mostly_small(void)
{
	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return rnd() % 8;
	case 2: return rnd() % 0x10000;
	case 3: return ~0ull - rnd() % 4;
	case 4: return GUEST_GPA + rnd() % GUEST_SIZE;
	default: return rnd();
	}
}

/* A pointer argument for a structure of @len bytes, filled by @fill. */
static void *arg_ptr(size_t len)
{
	switch (rnd() % 12) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)0xffffffff81000000ull;	/* kernel */
	case 2: return (void *)(uintptr_t)(0x1000 + rnd() % 0x10000);	/* unmapped */
	case 3: return edge + PAGE - (len > 1 ? len / 2 : 1);	/* cut by PROT_NONE */
	default: return argbuf;
	}
}

static void fill_random(void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = rnd();
}

/* ---- one random call ------------------------------------------------------ */

static const unsigned long vhost_cmds[] = {
	VHOST_GET_FEATURES, VHOST_SET_FEATURES, VHOST_SET_OWNER, VHOST_RESET_OWNER,
	VHOST_SET_MEM_TABLE, VHOST_SET_LOG_BASE, VHOST_SET_LOG_FD,
	VHOST_SET_VRING_NUM, VHOST_SET_VRING_ADDR, VHOST_SET_VRING_BASE,
	VHOST_GET_VRING_BASE, VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL,
	VHOST_SET_VRING_ERR, VHOST_GET_BACKEND_FEATURES, VHOST_SET_BACKEND_FEATURES,
	VHOST_SET_VRING_ENDIAN, VHOST_GET_VRING_ENDIAN, VHOST_SET_VRING_BUSYLOOP_TIMEOUT,
	VHOST_IOMMU_SET_CONFIG, VHOST_IOMMU_SET_LIMITS, VHOST_IOMMU_ADD_ENDPOINT,
	VHOST_IOMMU_SET_BYPASS, VHOST_IOMMU_START, VHOST_IOMMU_STOP,
	VHOST_IOMMU_GET_STATS, VHOST_IOMMU_RESET, VHOST_IOMMU_SET_OPTIONS,
	VHOST_IOMMU_SET_ENDPOINT_ID,
};

static const unsigned long vfio_cmds[] = {
	VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU,
	VFIO_GROUP_GET_STATUS, VFIO_GROUP_SET_CONTAINER, VFIO_GROUP_UNSET_CONTAINER,
	VFIO_PVIOMMU_BIND, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA,
	VFIO_IOMMU_GET_INFO,
};

/* Fill argbuf with a plausible argument for @cmd; returns the ioctl's arg. */
static unsigned long make_arg(unsigned long cmd)
{
	size_t len = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 64;
	int r = rnd() % 4;	/* 0: random bytes; else plausible */

	memset(argbuf, 0, sizeof(argbuf));
	if (r == 0) {
		fill_random(argbuf, sizeof(argbuf));
	} else if (cmd == VHOST_SET_MEM_TABLE) {
		struct vhost_memory *m = (void *)argbuf;
		unsigned int i;

		m->nregions = rnd() % 3 ? 1 + rnd() % 3 : (uint32_t)rnd();
		for (i = 0; i < 3; i++) {
			m->regions[i].guest_phys_addr = rnd() % 2 ? GUEST_GPA : rnd_u64_mostly_small();
			m->regions[i].memory_size = rnd() % 2 ? GUEST_SIZE : rnd_u64_mostly_small();
			m->regions[i].userspace_addr = rnd() % 2 ? (uintptr_t)ram : rnd_u64_mostly_small();
		}
		len = sizeof(*m) + 3 * sizeof(m->regions[0]);
	} else if (cmd == VHOST_SET_VRING_ADDR) {
		struct vhost_vring_addr *a = (void *)argbuf;
		uint64_t base = (uintptr_t)ram + (rnd() % 4) * 0x10000;

		a->index = rnd() % 3;
		a->flags = rnd() % 4 ? 0 : rnd();
		a->desc_user_addr = rnd() % 4 ? base : rnd_u64_mostly_small();
		a->avail_user_addr = rnd() % 4 ? base + 0x4000 : rnd_u64_mostly_small();
		a->used_user_addr = rnd() % 4 ? base + 0x8000 : rnd_u64_mostly_small();
	} else if (cmd == VHOST_SET_VRING_NUM || cmd == VHOST_SET_VRING_BASE ||
		   cmd == VHOST_GET_VRING_BASE || cmd == VHOST_SET_VRING_ENDIAN ||
		   cmd == VHOST_GET_VRING_ENDIAN || cmd == VHOST_SET_VRING_BUSYLOOP_TIMEOUT) {
		struct vhost_vring_state *s = (void *)argbuf;

		s->index = rnd() % 3;
		s->num = rnd() % 3 ? 1u << (rnd() % 12) : (uint32_t)rnd();
	} else if (cmd == VHOST_SET_VRING_KICK || cmd == VHOST_SET_VRING_CALL ||
		   cmd == VHOST_SET_VRING_ERR) {
		struct vhost_vring_file *f = (void *)argbuf;

		f->index = rnd() % 3;
		f->fd = rnd() % 3 ? fd_of(K_EVENTFD) : any_fd();
	} else if (cmd == VHOST_SET_FEATURES || cmd == VHOST_SET_BACKEND_FEATURES) {
		uint64_t f = (1ull << VIRTIO_F_VERSION_1) | DEV_FEATURES;

		f = rnd() % 3 ? f : rnd();
		memcpy(argbuf, &f, 8);
	} else if (cmd == VHOST_SET_LOG_FD) {
		int fd = any_fd();

		memcpy(argbuf, &fd, 4);
	} else if (cmd == VHOST_IOMMU_SET_CONFIG) {
		struct vhost_iommu_config c = default_cfg;

		switch (rnd() % 6) {
		case 0: c.page_size_mask = rnd_u64_mostly_small(); break;
		case 1: c.input_end = rnd_u64_mostly_small(); break;
		case 2: c.domain_end = rnd(); c.domain_start = rnd() % 4; break;
		case 3: c.probe_size = rnd() % 5000; break;
		case 4: c.bypass = rnd(); break;
		default: break;
		}
		memcpy(argbuf, &c, sizeof(c));
	} else if (cmd == VHOST_IOMMU_SET_LIMITS) {
		struct vhost_iommu_limits l = { rnd() % 16, rnd() % 1024 };

		memcpy(argbuf, &l, sizeof(l));
	} else if (cmd == VHOST_IOMMU_SET_OPTIONS) {
		struct vhost_iommu_options o = {
			.flags = rnd() % 3 ? rnd() % 2 * VHOST_IOMMU_OPT_PREPIN : rnd_u64_mostly_small(),
		};

		if (!(rnd() % 8))
			o.reserved[rnd() % 3] = rnd();
		memcpy(argbuf, &o, sizeof(o));
	} else if (cmd == VHOST_IOMMU_ADD_ENDPOINT || cmd == VHOST_IOMMU_SET_ENDPOINT_ID) {
		struct vhost_iommu_endpoint_decl e = {
			rnd() % 8 ? (uint32_t)rnd() % 0x100 : VHOST_IOMMU_ENDPOINT_NO_ID,
			rnd() % 2 ? group_id : (uint32_t)rnd() % 64 };

		memcpy(argbuf, &e, sizeof(e));
	} else if (cmd == VFIO_GROUP_SET_CONTAINER) {
		int fd = rnd() % 3 ? fd_of(K_CONTAINER) : any_fd();

		memcpy(argbuf, &fd, 4);
	} else if (cmd == VFIO_PVIOMMU_BIND) {
		struct vfio_pviommu_bind b = { .argsz = sizeof(b),
					       .vhost_fd = rnd() % 3 ? fd_of(K_VHOST) : any_fd() };

		if (!(rnd() % 5))
			b.argsz = rnd() % 32;
		if (!(rnd() % 8))
			b.flags = rnd();
		if (!(rnd() % 8))
			b.reserved = rnd();
		memcpy(argbuf, &b, sizeof(b));
		len = sizeof(b);
	} else if (cmd == VFIO_IOMMU_MAP_DMA || cmd == VFIO_IOMMU_UNMAP_DMA ||
		   cmd == VFIO_IOMMU_GET_INFO || cmd == VFIO_GROUP_GET_STATUS) {
		uint32_t argsz = rnd() % 2 ? 32 : rnd() % 128;

		fill_random(argbuf, 64);
		memcpy(argbuf, &argsz, 4);
		len = 64;
	} else {
		fill_random(argbuf, len);
	}
	/* Scalar commands (_IO): the value is the argument. */
	if (_IOC_DIR(cmd) == _IOC_NONE) {
		if (cmd == VFIO_SET_IOMMU || cmd == VFIO_CHECK_EXTENSION)
			return rnd() % 3 ? VFIO_PVIOMMU_IOMMU : rnd() % 12;
		if (cmd == VHOST_IOMMU_SET_BYPASS)
			return rnd() % 3 ? rnd() % 2 : rnd();
		if (cmd == VFIO_PVIOMMU_BIND || cmd == VFIO_GROUP_SET_CONTAINER ||
		    cmd == VFIO_GROUP_GET_STATUS || cmd == VFIO_IOMMU_MAP_DMA ||
		    cmd == VFIO_IOMMU_UNMAP_DMA || cmd == VFIO_IOMMU_GET_INFO)
			return (uintptr_t)(rnd() % 6 ? (void *)argbuf : arg_ptr(len));
		return rnd() % 4 ? 0 : rnd();
	}
	if (rnd() % 6)
		return (uintptr_t)argbuf;
	{
		void *p = arg_ptr(len);

		if (p == edge + PAGE - (len > 1 ? len / 2 : 1))
			memcpy(p, argbuf, len > 1 ? len / 2 : 1);
		return (uintptr_t)p;
	}
}

static void random_call(void)
{
	unsigned long cmd, arg;
	int fd, ret;

	switch (rnd() % 20) {
	case 0: /* open a vhost-iommu file */
		pool_open(open("/dev/vhost-iommu", O_RDWR | O_CLOEXEC), K_VHOST);
		return;
	case 1: /* a container */
		pool_open(open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC), K_CONTAINER);
		return;
	case 2: /* the group (one opener at a time: EBUSY otherwise) */
		pool_open(open_group(), K_GROUP);
		return;
	case 3: /* an eventfd for kick/call/err */
		ret = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (ret >= 0)
			pool_put(ret, K_EVENTFD);
		return;
	case 4: { /* close one, keeping its number as a "closed fd" */
		int i = pool_pick();

		pthread_mutex_lock(&pool_lock);
		if (pool[i].kind != K_NONE && pool[i].kind != K_CLOSED) {
			ret = close(pool[i].fd);
			count(ret);
			closes++;
			pool[i].kind = K_CLOSED;
		}
		pthread_mutex_unlock(&pool_lock);
		return;
	}
	case 5: /* kick: write to every eventfd (one of them is a kick fd) */
		fd = fd_of(K_EVENTFD);
		{
			uint64_t one = 1;

			ret = write(fd, &one, sizeof(one));
			count(ret);
			kicks++;
		}
		return;
	case 6: /* an unknown command in either magic */
		cmd = rnd() % 2 ? _IOC(rnd() % 4, VHOST_VIRTIO, rnd() % 256, rnd() % 256)
				: _IO(VFIO_TYPE, VFIO_BASE + rnd() % 128);
		fd = rnd() % 2 ? fd_of(K_VHOST) : fd_of(K_CONTAINER);
		arg = make_arg(cmd);
		break;
	default:
		if (rnd() % 5 < 3) {
			cmd = vhost_cmds[rnd() % (sizeof(vhost_cmds) / sizeof(vhost_cmds[0]))];
			fd = rnd() % 8 ? fd_of(K_VHOST) : any_fd();
		} else {
			cmd = vfio_cmds[rnd() % (sizeof(vfio_cmds) / sizeof(vfio_cmds[0]))];
			fd = rnd() % 8 ? (rnd() % 3 ? fd_of(K_CONTAINER) : fd_of(K_GROUP)) : any_fd();
		}
		arg = make_arg(cmd);
		break;
	}
	ret = ioctl(fd, cmd, arg);
	count(ret);
}

/* ---- the closer thread ---------------------------------------------------- */

static void *closer(void *unused)
{
	(void)unused;
	tseed = seed ^ 0x5555;
	while (!stop_closer) {
		int i = rnd() % POOL;

		usleep(200 + rnd() % 3000);
		pthread_mutex_lock(&pool_lock);
		if (pool[i].kind == K_VHOST || pool[i].kind == K_CONTAINER ||
		    pool[i].kind == K_GROUP) {
			close(pool[i].fd);
			pool[i].kind = K_CLOSED;
			async_closes++;
		}
		pthread_mutex_unlock(&pool_lock);
	}
	return NULL;
}

/* ---- live rounds: requests in flight while an fd goes ------------------- */

struct live_close { int fd; unsigned int delay_us; };

static void *close_later(void *p)
{
	struct live_close *c = p;

	usleep(c->delay_us);
	close(c->fd);
	return NULL;
}

static void live_round(void)
{
	struct virtio_iommu_req_map m[VQ_BATCH];
	struct vring_desc *d;
	struct live_close lc;
	const char *step;
	pthread_t t;
	struct rig g;
	unsigned int k, which = rnd() % 3;

	/* The group opens once at a time: the pool gives it back first. */
	pthread_mutex_lock(&pool_lock);
	for (k = 0; k < POOL; k++)
		if (pool[k].kind == K_GROUP) {
			close(pool[k].fd);
			closes++;
			pool[k].kind = K_CLOSED;
		}
	pthread_mutex_unlock(&pool_lock);
	if (rig_open(&g, ram, bdf, &default_cfg, NULL, &step)) {
		rig_close(&g);
		return;
	}
	live_rounds++;
	v_attach(&g.v, 1, g.ep, 0);
	/* A burst of MAPs, kicked, not waited for. */
	d = g.v.vq[0].desc;
	for (k = 0; k < VQ_BATCH; k++) {
		uint64_t iova = 0x40000000ull + (rnd() % 1024) * PAGE;
		uint64_t out = scratch_alloc(&g.v, 64), in = scratch_alloc(&g.v, 64);

		mk_map(&m[k], 1, iova, iova + PAGE - 1, DATA_GPA + (rnd() % 1024) * PAGE, RW);
		memcpy(hva(&g.v, out), &m[k], RO_LEN(m[k]));
		d[2 * k] = (struct vring_desc){ out, RO_LEN(m[k]), VRING_DESC_F_NEXT, 2 * k + 1 };
		d[2 * k + 1] = (struct vring_desc){ in, 4, VRING_DESC_F_WRITE, 0 };
		vq_push(&g.v, 0, 2 * k);
	}
	live_maps_sent += VQ_BATCH;
	lc.fd = which == 0 ? g.v.fd : which == 1 ? g.f.container : g.f.group;
	lc.delay_us = rnd() % 20000;
	live_closed[which]++;
	if (pthread_create(&t, NULL, close_later, &lc)) {
		rig_close(&g);
		return;
	}
	vq_kick(&g.v, 0);
	/* And more calls on the same fds while the close races with them. */
	for (k = 0; k < 8; k++) {
		struct vhost_iommu_stats st;

		count(ioctl(g.v.fd, VHOST_IOMMU_GET_STATS, &st));
		count(ioctl(g.f.container, VFIO_CHECK_EXTENSION, VFIO_PVIOMMU_IOMMU));
		if (rnd() % 4 == 0)
			count(ioctl(g.v.fd, VHOST_IOMMU_RESET));
	}
	pthread_join(t, NULL);
	if (which == 0)
		g.v.fd = -1;
	else if (which == 1)
		g.f.container = -1;
	else
		g.f.group = -1;
	rig_close(&g);
}

/* ---- baselines ------------------------------------------------------------ */

static long foll_pin_balance(void)
{
	char name[64];
	long v, acq = -1, rel = -1;
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	/* Fold the per-cpu deltas first: /proc/vmstat lags otherwise. */
	if (f) {
		fputs("1", f);
		fclose(f);
	}
	f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

/* What the run must give back: VmLck, the FOLL_PIN balance, the devices. */
struct baseline {
	long lck, pin;
	int dbg;
};

static struct baseline baseline_now(void)
{
	return (struct baseline){ vmlck_kb(), foll_pin_balance(), vhost_debugfs_devices() };
}

/* Guest RAM, the edge page, the group's number and an empty pool. */
static void set_up(struct tap *t)
{
	struct vfio probe;
	int i;

	ram = guest_ram(t);
	edge = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (edge == MAP_FAILED || mprotect(edge + PAGE, PAGE, PROT_NONE))
		tap_bail(t, "mmap edge page");
	/* The group number, from a first correct open. */
	if (vfio_open_type(&probe, bdf, VFIO_PVIOMMU_IOMMU))
		tap_bail(t, "open edu's group and container");
	group_id = probe.group_id;
	vfio_close(&probe);
	for (i = 0; i < POOL; i++)
		pool[i].kind = K_NONE, pool[i].fd = -1;
}

/* @n random calls, a live round every @live_every, the closer thread beside. */
static void fuzz(struct tap *t, unsigned long n, unsigned long live_every)
{
	unsigned long i, next_report = 10000;
	double t0 = now_s();
	pthread_t ct;

	if (pthread_create(&ct, NULL, closer, NULL))
		tap_bail(t, "closer thread");
	for (i = 0; calls < n; i++) {
		if (calls >= next_report) {
			tap_diag("%lu calls, %lu live rounds (%.1f s)", calls, live_rounds,
				 now_s() - t0);
			next_report += 10000;
		}
		random_call();
		if (live_every && i % live_every == live_every - 1)
			live_round();
	}
	stop_closer = 1;
	pthread_join(ct, NULL);
	for (i = 0; i < POOL; i++)
		if (pool[i].kind != K_NONE && pool[i].kind != K_CLOSED)
			close(pool[i].fd);
	/* Reaching this point is the verdict: the process survived every call. */
	tap_check(t, true, "%lu calls in %.1f s (%lu returned >= 0), %lu opens, %lu closes, "
		  "%lu closes by the closer thread, %lu kicks", calls, now_s() - t0, ok_calls,
		  opens, closes, async_closes, kicks);
}

static void report_counts(struct tap *t)
{
	int e;

	tap_check(t, live_rounds > 0, "%lu live rounds (%lu MAPs in flight; closed mid-flight: "
		  "%lu vhost fds, %lu containers, %lu groups)", live_rounds, live_maps_sent,
		  live_closed[0], live_closed[1], live_closed[2]);
	for (e = 1; e < 134; e++)
		if (errs[e])
			tap_diag("  errno %-3d %-16s %lu", e, strerrorname_np(e), errs[e]);
}

/* Everything given back (releases may run a little after the last close). */
static void check_baselines(struct tap *t, const struct baseline *b0)
{
	struct baseline b;
	int i;

	for (i = 0; i < 50; i++) {
		b = baseline_now();
		if (b.pin == b0->pin && b.dbg == b0->dbg && b.lck == b0->lck)
			break;
		usleep(100000);
	}
	tap_check(t, b.lck == b0->lck, "VmLck back to its baseline (%ld kB, was %ld kB)", b.lck,
		  b0->lck);
	tap_check(t, b.pin == b0->pin, "FOLL_PIN balance back to its baseline (%ld, was %ld)",
		  b.pin, b0->pin);
	tap_check(t, b.dbg == b0->dbg, "no vhost-iommu device left in debugfs (%d, was %d)",
		  b.dbg, b0->dbg);
}

/* And the group still works: a fresh device, an ATTACH and a MAP. */
static void check_fresh_device(struct tap *t)
{
	struct rig g;
	const char *step;
	int ret = rig_open(&g, ram, bdf, &default_cfg, NULL, &step);

	tap_check(t, !ret && v_attach(&g.v, 1, g.ep, 0) == OK &&
		  v_map(&g.v, 1, 0x100000, 0x100fff, DATA_GPA, RW) == OK,
		  "afterwards a fresh device attaches and maps (%s)", ret ? step : "ok");
	rig_close(&g);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };
	unsigned long n, live_every;
	struct baseline b0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s BDF [--calls N] [--seed S] [--live-every K]\n", argv[0]);
		return 2;
	}
	bdf = argv[1];
	n = vhost_opt(argc, argv, "--calls", 100000);
	seed = vhost_opt(argc, argv, "--seed", seed) | 1;
	live_every = vhost_opt(argc, argv, "--live-every", 500);
	setvbuf(stdout, NULL, _IOLBF, 0);
	set_up(&t);
	b0 = baseline_now();
	tap_diag("seed %#llx, %lu calls, a live round every %lu; baselines: VmLck %ld kB, "
		 "FOLL_PIN balance %ld, debugfs devices %d", (unsigned long long)seed, n,
		 live_every, b0.lck, b0.pin, b0.dbg);
	fuzz(&t, n, live_every);
	report_counts(&t);
	check_baselines(&t, &b0);
	check_fresh_device(&t);
	return tap_done(&t);
}
