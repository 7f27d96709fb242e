// SPDX-License-Identifier: GPL-2.0
/* The guest-less /dev/vhost-iommu driver (vhost_lib.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <linux/virtio_config.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vhost_lib.h"

/* 4 KiB pages, a 39-bit IOVA space, domains 1..1000, bypass off. */
const struct vhost_iommu_config default_cfg = {
	.page_size_mask = ~(PAGE - 1),
	.input_start = 0, .input_end = (1ull << 39) - 1,
	.domain_start = 1, .domain_end = 1000,
	.probe_size = 512,
	.bypass = 0,
};

uint8_t *guest_ram(struct tap *t)
{
	uint8_t *ram = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (ram == MAP_FAILED)
		tap_bail(t, "mmap guest RAM");
	return ram;
}

uint8_t *huge_ram(void)
{
	uint8_t *ram = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);

	return ram == MAP_FAILED ? NULL : ram;
}

void *hva(struct vdev *v, uint64_t gpa)
{
	if (v->huge && gpa >= HUGE_GPA && gpa - HUGE_GPA < HUGE_SIZE)
		return v->huge + (gpa - HUGE_GPA);
	return v->ram + (gpa - GUEST_GPA);
}

/* ---- the vhost device ----------------------------------------------------- */

int vq_init_driver(struct vdev *v, unsigned int i)
{
	uint64_t base = RING_GPA + i * 0x10000;

	v->vq[i].desc = hva(v, base);
	v->vq[i].avail = hva(v, base + 0x4000);
	v->vq[i].used = hva(v, base + 0x8000);
	v->vq[i].avail_idx = v->vq[i].used_idx = 0;
	memset(hva(v, base), 0, 0x10000);
	v->kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return v->kick[i] < 0 || v->call[i] < 0 ? -errno : 0;
}

/* Queue @i's driver side, handed to the vhost device. */
static int vq_setup(struct vdev *v, unsigned int i)
{
	struct vhost_vring_state num = { .index = i, .num = VQ_NUM };
	struct vhost_vring_state vbase = { .index = i, .num = 0 };
	struct vhost_vring_addr addr = { .index = i };
	struct vhost_vring_file kick = { .index = i }, call = { .index = i };

	if (vq_init_driver(v, i))
		return -errno;
	addr.desc_user_addr = (uintptr_t)v->vq[i].desc;
	addr.avail_user_addr = (uintptr_t)v->vq[i].avail;
	addr.used_user_addr = (uintptr_t)v->vq[i].used;
	kick.fd = v->kick[i];
	call.fd = v->call[i];
	if (ioctl(v->fd, VHOST_SET_VRING_NUM, &num) ||
	    ioctl(v->fd, VHOST_SET_VRING_BASE, &vbase) ||
	    ioctl(v->fd, VHOST_SET_VRING_ADDR, &addr) ||
	    ioctl(v->fd, VHOST_SET_VRING_KICK, &kick) ||
	    ioctl(v->fd, VHOST_SET_VRING_CALL, &call))
		return -errno;
	return 0;
}

int vdev_set_mem_table(struct vdev *v, uint8_t *huge)
{
	struct vhost_memory *mem = calloc(1, sizeof(*mem) + 2 * sizeof(mem->regions[0]));
	int ret;

	if (!mem)
		return -errno;
	mem->nregions = 1;
	mem->regions[0].guest_phys_addr = GUEST_GPA;
	mem->regions[0].memory_size = GUEST_SIZE;
	mem->regions[0].userspace_addr = (uintptr_t)v->ram;
	if (huge) {
		mem->nregions = 2;
		mem->regions[1].guest_phys_addr = HUGE_GPA;
		mem->regions[1].memory_size = HUGE_SIZE;
		mem->regions[1].userspace_addr = (uintptr_t)huge;
	}
	ret = ioctl(v->fd, VHOST_SET_MEM_TABLE, mem) ? -errno : 0;
	if (!ret)
		v->huge = huge;
	free(mem);
	return ret;
}

int vdev_set_options(struct vdev *v, uint64_t flags)
{
	struct vhost_iommu_options o = { .flags = flags };

	return ioctl(v->fd, VHOST_IOMMU_SET_OPTIONS, &o) ? -errno : 0;
}

int vdev_set_poll(struct vdev *v, unsigned int us)
{
	struct vhost_vring_state s = { .index = 0, .num = us };

	return ioctl(v->fd, VHOST_SET_VRING_BUSYLOOP_TIMEOUT, &s) ? -errno : 0;
}

int vdev_open(struct vdev *v, uint8_t *ram, const struct vhost_iommu_config *cfg)
{
	uint64_t features;

	memset(v, 0, sizeof(*v));
	v->ram = ram;
	v->kick[0] = v->kick[1] = v->call[0] = v->call[1] = -1;
	v->fd = open("/dev/vhost-iommu", O_RDWR | O_CLOEXEC);
	if (v->fd < 0)
		return -errno;
	if (ioctl(v->fd, VHOST_SET_OWNER) ||
	    ioctl(v->fd, VHOST_GET_FEATURES, &features))
		return -errno;
	/* No EVENT_IDX: every used buffer interrupts, which keeps this simple. */
	v->features = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
		      DEV_FEATURES;
	if ((features & v->features) != v->features)
		return errno = ENOTSUP, -ENOTSUP;
	if (ioctl(v->fd, VHOST_SET_FEATURES, &v->features))
		return -errno;
	if (vdev_set_mem_table(v, NULL) || vq_setup(v, 0) || vq_setup(v, 1))
		return -errno;
	if (cfg && ioctl(v->fd, VHOST_IOMMU_SET_CONFIG, cfg))
		return -errno;
	return 0;
}

void vdev_close(struct vdev *v)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (v->kick[i] >= 0)
			close(v->kick[i]);
		if (v->call[i] >= 0)
			close(v->call[i]);
	}
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

int vdev_stats(struct vdev *v, struct vhost_iommu_stats *st)
{
	return ioctl(v->fd, VHOST_IOMMU_GET_STATS, st) ? -errno : 0;
}

uint64_t live_mappings(struct vdev *v)
{
	struct vhost_iommu_stats st;

	return vdev_stats(v, &st) ? ~0ull : st.mappings;
}

uint64_t live_domains(struct vdev *v)
{
	struct vhost_iommu_stats st;

	return vdev_stats(v, &st) ? ~0ull : st.domains;
}

uint64_t pinned_pages(struct vdev *v)
{
	struct vhost_iommu_stats st;

	return vdev_stats(v, &st) ? ~0ull : st.pinned_pages;
}

int vfio_bind(struct vfio *f, struct vdev *v)
{
	struct vfio_pviommu_bind b = { .argsz = sizeof(b), .vhost_fd = v->fd };

	return ioctl(f->container, VFIO_PVIOMMU_BIND, &b) ? -errno : 0;
}

int add_endpoint(struct vdev *v, uint32_t id, unsigned int group_id)
{
	struct vhost_iommu_endpoint_decl e = { .endpoint_id = id,
					       .iommu_group = group_id };

	return ioctl(v->fd, VHOST_IOMMU_ADD_ENDPOINT, &e) ? -errno : 0;
}

int set_endpoint_id(struct vdev *v, uint32_t id, unsigned int group_id)
{
	struct vhost_iommu_endpoint_decl e = { .endpoint_id = id,
					       .iommu_group = group_id };

	return ioctl(v->fd, VHOST_IOMMU_SET_ENDPOINT_ID, &e) ? -errno : 0;
}

int vhost_debugfs_devices(void)
{
	DIR *d = opendir("/sys/kernel/debug/vhost-iommu");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

bool write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	bool ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok;
}

long long vhost_debugfs_stat(const char *name)
{
	DIR *d = opendir("/sys/kernel/debug/vhost-iommu");
	char path[PATH_MAX], key[64];
	long long value, ret = -1;
	struct dirent *e;
	int found = 0;
	FILE *f;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		found++;
		snprintf(path, sizeof(path), "/sys/kernel/debug/vhost-iommu/%s/stats", e->d_name);
	}
	closedir(d);
	if (found != 1 || !(f = fopen(path, "r")))
		return -1;
	while (fscanf(f, "%63s %lld", key, &value) == 2)
		if (!strcmp(key, name))
			ret = value;
	fclose(f);
	return ret;
}

/* ---- the driver side of a split virtqueue --------------------------------- */

#define MB()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

uint64_t scratch_alloc(struct vdev *v, size_t len)
{
	uint64_t gpa;

	len = (len + 63) & ~63ul;
	if (v->scratch + len > SCRATCH_SIZE)
		v->scratch = 0;
	gpa = SCRATCH_GPA + v->scratch;
	v->scratch += len;
	return gpa;
}

void vq_push(struct vdev *v, unsigned int q, uint16_t head)
{
	struct vring_avail *a = v->vq[q].avail;

	a->ring[v->vq[q].avail_idx % VQ_NUM] = head;
	if (v->spin_wait)
		a->flags |= VRING_AVAIL_F_NO_INTERRUPT;
	MB();
	v->vq[q].avail_idx++;
	__atomic_store_n(&a->idx, v->vq[q].avail_idx, __ATOMIC_RELEASE);
}

bool vq_kick(struct vdev *v, unsigned int q)
{
	uint64_t one = 1;

	MB();
	return write(v->kick[q], &one, sizeof(one)) == sizeof(one);
}

bool vq_kick_wanted(struct vdev *v, unsigned int q)
{
	MB();
	return !(__atomic_load_n(&v->vq[q].used->flags, __ATOMIC_ACQUIRE) &
		 VRING_USED_F_NO_NOTIFY);
}

/* Buffers of queue @q the device has used and we have not popped. */
static uint16_t vq_pending(struct vdev *v, unsigned int q)
{
	return __atomic_load_n(&v->vq[q].used->idx, __ATOMIC_ACQUIRE) - v->vq[q].used_idx;
}

unsigned int vq_wait(struct vdev *v, unsigned int q, unsigned int n, int ms)
{
	struct pollfd p = { .fd = v->call[q], .events = POLLIN };
	double end = now_s() + ms / 1000.0;
	unsigned int spins = 0;
	uint64_t cnt;

	/*
	 * As viommu_sync_req(): look at the used index until it moves, no
	 * sleep.  sched_yield() lets a device side on this CPU run, as the
	 * host's scheduler preempts a spinning vCPU; alone on its CPU it
	 * returns at once.  The clock is read every 64 looks.
	 */
	if (v->spin_wait) {
		while (vq_pending(v, q) < n && (++spins % 64 || now_s() < end))
			sched_yield();
		return vq_pending(v, q);
	}
	while (vq_pending(v, q) < n) {
		double left = end - now_s();

		if (left <= 0)
			break;
		/* The call eventfd is only a wake-up: the used index decides. */
		if (poll(&p, 1, left * 1000 > 100 ? 100 : (int)(left * 1000) + 1) > 0 &&
		    read(v->call[q], &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			break;
	}
	return vq_pending(v, q);
}

struct vring_used_elem vq_pop(struct vdev *v, unsigned int q)
{
	struct vring_used_elem e = v->vq[q].used->ring[v->vq[q].used_idx % VQ_NUM];

	v->vq[q].used_idx++;
	return e;
}

/* Request @i as descriptors 2i (readable) and 2i + 1 (writable), pushed. */
static void vq_add_req(struct vdev *v, struct req *r, unsigned int i)
{
	struct vring_desc *d = v->vq[0].desc;
	uint64_t out = scratch_alloc(v, r->out_len ? r->out_len : 1);

	r->in_gpa = scratch_alloc(v, r->in_len ? r->in_len : 1);
	memcpy(hva(v, out), r->out, r->out_len);
	memset(hva(v, r->in_gpa), 0xee, r->in_len);
	r->done = false;
	r->used = 0;
	d[2 * i] = (struct vring_desc){ .addr = out, .len = r->out_len,
					 .flags = VRING_DESC_F_NEXT, .next = 2 * i + 1 };
	d[2 * i + 1] = (struct vring_desc){ .addr = r->in_gpa, .len = r->in_len,
					     .flags = VRING_DESC_F_WRITE };
	vq_push(v, 0, 2 * i);
}

unsigned int vq_run(struct vdev *v, struct req *r, unsigned int n)
{
	unsigned int i, got;

	for (i = 0; i < n; i++)
		vq_add_req(v, &r[i], i);
	if (v->kick_if_asked && !vq_kick_wanted(v, 0))
		v->kicks_saved++;
	else if (!vq_kick(v, 0))
		return 0;
	got = vq_wait(v, 0, n, 10000);
	for (i = 0; i < got; i++) {
		struct vring_used_elem e = vq_pop(v, 0);
		struct req *q = &r[e.id / 2];

		if (e.id >= 2 * n || e.id % 2)
			continue;
		q->used = e.len;
		q->done = true;
		memcpy(q->in, hva(v, q->in_gpa),
		       q->in_len < sizeof(q->in) ? q->in_len : sizeof(q->in));
	}
	return got;
}

uint8_t req_status(const struct req *r)
{
	if (!r->done)
		return S_LOST;
	if (!r->used)
		return S_DROPPED;
	if (r->used < 4 || r->used > r->in_len)
		return 0xfd;
	return r->in[r->used - 4];
}

uint8_t send_req(struct vdev *v, const void *body, size_t len)
{
	struct req r = { .out = body, .out_len = len, .in_len = 4 };

	vq_run(v, &r, 1);
	return req_status(&r);
}

void mk_attach(struct virtio_iommu_req_attach *q, uint32_t dom, uint32_t ep, uint32_t flags)
{
	*q = (struct virtio_iommu_req_attach){ .head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = htole32(dom), .endpoint = htole32(ep), .flags = htole32(flags) };
}

void mk_detach(struct virtio_iommu_req_detach *q, uint32_t dom, uint32_t ep)
{
	*q = (struct virtio_iommu_req_detach){ .head.type = VIRTIO_IOMMU_T_DETACH,
		.domain = htole32(dom), .endpoint = htole32(ep) };
}

void mk_map(struct virtio_iommu_req_map *q, uint32_t dom, uint64_t start,
	    uint64_t last, uint64_t phys, uint32_t flags)
{
	*q = (struct virtio_iommu_req_map){ .head.type = VIRTIO_IOMMU_T_MAP,
		.domain = htole32(dom), .virt_start = htole64(start), .virt_end = htole64(last),
		.phys_start = htole64(phys), .flags = htole32(flags) };
}

void mk_unmap(struct virtio_iommu_req_unmap *q, uint32_t dom, uint64_t start, uint64_t last)
{
	*q = (struct virtio_iommu_req_unmap){ .head.type = VIRTIO_IOMMU_T_UNMAP,
		.domain = htole32(dom), .virt_start = htole64(start), .virt_end = htole64(last) };
}

/* Each request built on the stack: vq_run() copies it into guest RAM. */
uint8_t v_attach(struct vdev *v, uint32_t dom, uint32_t ep, uint32_t flags)
{
	struct virtio_iommu_req_attach q;

	mk_attach(&q, dom, ep, flags);
	return send_req(v, &q, RO_LEN(q));
}

uint8_t v_detach(struct vdev *v, uint32_t dom, uint32_t ep)
{
	struct virtio_iommu_req_detach q;

	mk_detach(&q, dom, ep);
	return send_req(v, &q, RO_LEN(q));
}

uint8_t v_map(struct vdev *v, uint32_t dom, uint64_t start, uint64_t last,
	      uint64_t phys, uint32_t flags)
{
	struct virtio_iommu_req_map q;

	mk_map(&q, dom, start, last, phys, flags);
	return send_req(v, &q, RO_LEN(q));
}

uint8_t v_unmap(struct vdev *v, uint32_t dom, uint64_t start, uint64_t last)
{
	struct virtio_iommu_req_unmap q;

	mk_unmap(&q, dom, start, last);
	return send_req(v, &q, RO_LEN(q));
}

uint8_t v_probe(struct vdev *v, uint32_t ep, size_t in_len, struct req *r)
{
	struct virtio_iommu_req_probe q = { .head.type = VIRTIO_IOMMU_T_PROBE,
					    .endpoint = htole32(ep) };

	memset(r, 0, sizeof(*r));
	r->out = &q;
	r->out_len = sizeof(q);
	r->in_len = in_len;
	vq_run(v, r, 1);
	return req_status(r);
}

unsigned long map_pages(struct vdev *v, uint32_t dom, uint64_t iova,
			unsigned long from, unsigned long to, unsigned long pages)
{
	struct req *r = calloc(VQ_BATCH, sizeof(*r));
	struct virtio_iommu_req_map m[VQ_BATCH];
	unsigned long failed = 0, i;
	unsigned int k, n;

	for (i = from; r && i < to; i += n) {
		n = to - i < VQ_BATCH ? to - i : VQ_BATCH;
		for (k = 0; k < n; k++) {
			uint64_t va = iova + (i + k) * PAGE;

			mk_map(&m[k], dom, va, va + PAGE - 1,
			       DATA_GPA + ((i + k) % pages) * PAGE, RW);
			r[k] = (struct req){ .out = &m[k], .out_len = RO_LEN(m[k]), .in_len = 4 };
		}
		if (vq_run(v, r, n) != n)
			break;
		for (k = 0; k < n; k++)
			failed += req_status(&r[k]) != OK;
	}
	free(r);
	/* What was not sent or not answered counts as failed. */
	return failed + (i < to ? to - i : 0);
}

/* ---- the fixture ----------------------------------------------------------- */

const struct rig_opts rig_modes[RIG_NR_MODES] = {
	{ .options = 0 },
	{ .options = VHOST_IOMMU_OPT_PREPIN },
};

const char *rig_mode_name(const struct rig_opts *o)
{
	return o && (o->options & VHOST_IOMMU_OPT_PREPIN) ? "prepin" : "pin per MAP";
}

int rig_open(struct rig *g, uint8_t *ram, const char *bdf,
	     const struct vhost_iommu_config *cfg, const struct rig_opts *o,
	     const char **step)
{
	int ret;

	/* Nothing open, so that rig_close() is right after any failure. */
	memset(g, 0, sizeof(*g));
	g->ram = ram;
	g->v.fd = g->f.container = g->f.group = g->f.device = -1;
	g->v.kick[0] = g->v.kick[1] = g->v.call[0] = g->v.call[1] = -1;
	*step = "vhost device setup";
	ret = vdev_open(&g->v, ram, cfg);
	if (ret)
		return ret;
	*step = "VHOST_SET_MEM_TABLE with the hugetlb region";
	if (o && o->huge && (ret = vdev_set_mem_table(&g->v, o->huge)))
		return ret;
	*step = "VHOST_IOMMU_SET_OPTIONS";
	if (o && o->options && (ret = vdev_set_options(&g->v, o->options)))
		return ret;
	*step = "VHOST_IOMMU_SET_LIMITS";
	if (o && o->max_mappings) {
		struct vhost_iommu_limits lim = { .max_mappings = o->max_mappings };

		if (ioctl(g->v.fd, VHOST_IOMMU_SET_LIMITS, &lim))
			return -errno;
	}
	*step = "VFIO container of type VFIO_PVIOMMU_IOMMU";
	ret = vfio_open_type(&g->f, bdf, VFIO_PVIOMMU_IOMMU);
	if (ret)
		return ret;
	*step = "VFIO_PVIOMMU_BIND";
	ret = vfio_bind(&g->f, &g->v);
	if (ret)
		return ret;
	*step = "VHOST_IOMMU_ADD_ENDPOINT";
	g->ep = g->f.rid;
	ret = add_endpoint(&g->v, g->ep, g->f.group_id);
	if (ret)
		return ret;
	*step = "VHOST_IOMMU_START";
	return ioctl(g->v.fd, VHOST_IOMMU_START) ? -errno : 0;
}

void rig_open_or_bail(struct tap *t, struct rig *g, uint8_t *ram, const char *bdf,
		      const struct rig_opts *o)
{
	const char *step;
	int ret = rig_open(g, ram, bdf, &default_cfg, o, &step);

	if (!tap_check(t, !ret, "set up: %s", step)) {
		errno = -ret;
		tap_bail(t, step);
	}
}

void rig_close(struct rig *g)
{
	vdev_close(&g->v);
	vfio_close(&g->f);
}

/* ---- what the programs measure and take ------------------------------------ */

unsigned long vhost_opt(int argc, char **argv, const char *name, unsigned long def)
{
	int i;

	for (i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return strtoul(argv[i + 1], NULL, 0);
	return def;
}

bool vhost_flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

long proc_kb(const char *file, const char *key)
{
	size_t n = strlen(key);
	char line[256];
	long kb = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

long vmlck_kb(void)
{
	return proc_kb("/proc/self/status", "VmLck");
}

/* The first task under DIR (a /proc or a /proc/PID/task) whose comm is WANT. */
static int task_named(const char *dir, const char *want)
{
	char path[300], comm[64];
	struct dirent *e;
	int pid = -1;
	DIR *d = opendir(dir);

	while (d && pid < 0 && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
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

int vhost_worker(void)
{
	char want[32];
	int pid;

	snprintf(want, sizeof(want), "vhost-%d\n", getpid());
	/* A vhost_task, one of our own threads (6.4 and later)... */
	pid = task_named("/proc/self/task", want);
	/* ... or a kthread of its own. */
	return pid > 0 ? pid : task_named("/proc", want);
}
