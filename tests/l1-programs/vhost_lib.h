/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost_lib.h: a guest-less driver for /dev/vhost-iommu, shared by the
 * vhost-iommu test suites (the rig builds each tests/l1-programs/X.c into
 * one static program, so the library is a header of static functions).
 *
 * One process plays VMM and guest at once:
 *   - "guest RAM" is an anonymous mapping of this process, declared to the
 *     device with VHOST_SET_MEM_TABLE at a guest physical address that is
 *     NOT its virtual address (GPA != HVA, so a backend that confuses them
 *     fails);
 *   - the split virtqueues (descriptor table, avail and used rings) live in
 *     that guest RAM, and this file is their driver side;
 *   - kicks are writes to the kick eventfd, interrupts reads of the call
 *     eventfd.
 * The VFIO half (container of type VFIO_PVIOMMU_IOMMU, the edu group, the
 * device's BAR0) is here too, since every endpoint is a VFIO group.
 *
 * Output is TAP: tap() prints a point, the plan comes last (tap_done()).
 */
#ifndef VHOST_LIB_H
#define VHOST_LIB_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* must come before any system header */
#endif
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../../vhost-iommu/uapi/linux/vhost_iommu.h"

/* ---- TAP ------------------------------------------------------------------ */

static unsigned int tap_n, tap_failed;

static inline bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		tap_failed++;
	return ok;
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A step the rest depends on failed: report it and stop without a plan. */
static inline void __attribute__((noreturn)) bail(const char *what)
{
	tap(false, "%s: %s", what, strerror(errno));
	exit(1);
}

static inline int tap_done(void)
{
	printf("1..%u\n", tap_n);
	return tap_failed ? 1 : 0;
}

/*
 * The value of "NAME VALUE" among the arguments after the first (the BDF),
 * or @def.
 */
static inline unsigned long vhost_opt(int argc, char **argv, const char *name,
				      unsigned long def)
{
	int i;

	for (i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return strtoul(argv[i + 1], NULL, 0);
	return def;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The process's locked_vm in KiB (VmLck of /proc/self/status). */
static inline long vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* ---- guest RAM -------------------------------------------------------------- */

#define PAGE		4096ull
/* Below edu's 28-bit DMA mask, so bypassed DMA at IOVA == GPA reaches it. */
#define GUEST_GPA	0x01000000ull
#define GUEST_SIZE	(48ull << 20)
/* Layout of guest RAM: rings, then request scratch, then test pages. */
#define RING_GPA	GUEST_GPA
#define SCRATCH_GPA	(GUEST_GPA + 0x100000)
#define SCRATCH_SIZE	0x300000ull
#define DATA_GPA	(GUEST_GPA + 0x400000)
#define DATA_SIZE	(GUEST_SIZE - 0x400000)

#define VQ_NUM		256

struct vdev {
	int fd, kick[2], call[2];
	uint8_t *ram;			/* HVA of GPA GUEST_GPA */
	struct {
		struct vring_desc *desc;
		struct vring_avail *avail;
		struct vring_used *used;
		uint16_t avail_idx, used_idx;
	} vq[2];
	uint64_t features;
	size_t scratch;			/* bump offset in SCRATCH */
};

static inline void *hva(struct vdev *v, uint64_t gpa)
{
	return v->ram + (gpa - GUEST_GPA);
}

/* ---- VFIO ------------------------------------------------------------------ */

struct vfio {
	int container, group, device;
	unsigned int group_id;		/* N of /dev/vfio/N */
	volatile uint8_t *bar0;
	size_t bar0_size;
	char bdf[32];
	uint32_t rid;			/* PCI requester ID: the endpoint ID */
};

/*
 * Open the container and the group of @bdf (bound to vfio-pci), select the
 * IOMMU type @iommu_type (VFIO_SET_IOMMU), open the device, map BAR0 and
 * enable bus mastering.  Returns 0 or -errno (with errno set).
 */
static inline int vfio_open_type(struct vfio *f, const char *bdf,
				 unsigned long iommu_type)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info bar = { .argsz = sizeof(bar),
					.index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	unsigned int dom, bus, dev, fn;
	uint16_t cmd;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	f->container = f->group = f->device = -1;
	snprintf(f->bdf, sizeof(f->bdf), "%s", bdf);
	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return errno = EINVAL, -EINVAL;
	f->rid = bus << 8 | dev << 3 | fn;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	f->group_id = strtoul(basename(link), NULL, 10);
	snprintf(path, sizeof(path), "/dev/vfio/%u", f->group_id);
	f->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (f->container < 0)
		return -errno;
	f->group = open(path, O_RDWR | O_CLOEXEC);
	if (f->group < 0)
		return -errno;
	if (ioctl(f->group, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return errno = errno ? errno : EBUSY, -errno;
	if (ioctl(f->group, VFIO_GROUP_SET_CONTAINER, &f->container))
		return -errno;
	if (ioctl(f->container, VFIO_SET_IOMMU, iommu_type))
		return -errno;
	f->device = ioctl(f->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (f->device < 0)
		return -errno;
	if (ioctl(f->device, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(f->device, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return -errno;
	f->bar0 = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       f->device, bar.offset);
	if (f->bar0 == MAP_FAILED)
		return -errno;
	f->bar0_size = bar.size;
	if (pread(f->device, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		return -errno;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(f->device, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		return -errno;
	return 0;
}

/* vfio_open_type() with our IOMMU type, VFIO_PVIOMMU_IOMMU. */
static inline int vfio_open(struct vfio *f, const char *bdf)
{
	return vfio_open_type(f, bdf, VFIO_PVIOMMU_IOMMU);
}

static inline void vfio_close(struct vfio *f)
{
	if (f->bar0 && f->bar0 != MAP_FAILED)
		munmap((void *)f->bar0, f->bar0_size);
	if (f->device >= 0)
		close(f->device);
	if (f->group >= 0)
		close(f->group);
	if (f->container >= 0)
		close(f->container);
	f->bar0 = NULL;
	f->device = f->group = f->container = -1;
}

/* ---- edu ------------------------------------------------------------------ */

#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000ull
#define EDU_ID_VALUE	0x010000edu

static inline uint32_t edu_rd32(struct vfio *f, unsigned int off)
{
	return *(volatile uint32_t *)(f->bar0 + off);
}

static inline void edu_wr64(struct vfio *f, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(f->bar0 + off) = v;
}

/* One edu DMA, waited for; false if it does not finish within 5 s. */
static inline bool edu_dma(struct vfio *f, uint64_t src, uint64_t dst,
			   uint32_t len, bool to_ram)
{
	const struct timespec tick = { .tv_nsec = 1000000 };
	int ms;

	edu_wr64(f, EDU_DMA_SRC, src);
	edu_wr64(f, EDU_DMA_DST, dst);
	edu_wr64(f, EDU_DMA_COUNT, len);
	edu_wr64(f, EDU_DMA_CMD, EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (ms = 0; ms < 5000; ms++) {
		if (!(edu_rd32(f, EDU_DMA_CMD) & EDU_CMD_START))
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

/* ---- the vhost device -------------------------------------------------------- */

#define FEAT(x)		(1ull << VIRTIO_IOMMU_F_##x)
#define DEV_FEATURES	(FEAT(INPUT_RANGE) | FEAT(DOMAIN_RANGE) | FEAT(MAP_UNMAP) | \
			 FEAT(PROBE) | FEAT(BYPASS_CONFIG))

/* The configuration the suites use unless they say otherwise. */
static const struct vhost_iommu_config default_cfg = {
	.page_size_mask = ~(PAGE - 1),
	.input_start = 0,
	.input_end = (1ull << 39) - 1,
	.domain_start = 1,
	.domain_end = 1000,
	.probe_size = 512,
	.bypass = 0,
};

/*
 * The driver side of queue @i alone: its rings in guest RAM (at
 * RING_GPA + i * 64 KiB, zeroed) and its kick and call eventfds.  Any
 * device can serve it: vq_setup() hands it to the vhost device, the
 * benchmark's userspace backend (bench/) serves it from a thread.
 */
static inline int vq_init_driver(struct vdev *v, unsigned int i)
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

static inline int vq_setup(struct vdev *v, unsigned int i)
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

/*
 * Open /dev/vhost-iommu and do the VMM's steps up to (not including) the
 * VFIO binding: owner, features, memory table (GPA != HVA), vrings, config.
 * @ram: guest RAM of GUEST_SIZE bytes (kept across devices by the caller).
 */
static inline int vdev_open(struct vdev *v, uint8_t *ram,
			    const struct vhost_iommu_config *cfg)
{
	struct vhost_memory *mem;
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
	mem = calloc(1, sizeof(*mem) + sizeof(mem->regions[0]));
	mem->nregions = 1;
	mem->regions[0].guest_phys_addr = GUEST_GPA;
	mem->regions[0].memory_size = GUEST_SIZE;
	mem->regions[0].userspace_addr = (uintptr_t)ram;
	if (ioctl(v->fd, VHOST_SET_MEM_TABLE, mem)) {
		free(mem);
		return -errno;
	}
	free(mem);
	if (vq_setup(v, 0) || vq_setup(v, 1))
		return -errno;
	if (cfg && ioctl(v->fd, VHOST_IOMMU_SET_CONFIG, cfg))
		return -errno;
	return 0;
}

static inline void vdev_close(struct vdev *v)
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

static inline int vfio_bind(struct vfio *f, struct vdev *v)
{
	struct vfio_pviommu_bind b = { .argsz = sizeof(b), .vhost_fd = v->fd };

	return ioctl(f->container, VFIO_PVIOMMU_BIND, &b) ? -errno : 0;
}

static inline int add_endpoint(struct vdev *v, uint32_t id,
			       unsigned int group_id)
{
	struct vhost_iommu_endpoint_decl e = { .endpoint_id = id,
					       .iommu_group = group_id };

	return ioctl(v->fd, VHOST_IOMMU_ADD_ENDPOINT, &e) ? -errno : 0;
}

/* How many vhost-iommu devices exist (debugfs entries), or -1. */
static inline int vhost_debugfs_devices(void)
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

static inline int vdev_stats(struct vdev *v, struct vhost_iommu_stats *st)
{
	return ioctl(v->fd, VHOST_IOMMU_GET_STATS, st) ? -errno : 0;
}

/* ---- the driver side of a split virtqueue ------------------------------- */

#define MB()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Guest memory for request buffers, reset before each batch. */
static inline uint64_t scratch_alloc(struct vdev *v, size_t len)
{
	uint64_t gpa;

	len = (len + 63) & ~63ul;
	if (v->scratch + len > SCRATCH_SIZE)
		v->scratch = 0;
	gpa = SCRATCH_GPA + v->scratch;
	v->scratch += len;
	return gpa;
}

/* Make descriptor chain @head available (not yet kicked). */
static inline void vq_push(struct vdev *v, unsigned int q, uint16_t head)
{
	struct vring_avail *a = v->vq[q].avail;

	a->ring[v->vq[q].avail_idx % VQ_NUM] = head;
	MB();
	v->vq[q].avail_idx++;
	__atomic_store_n(&a->idx, v->vq[q].avail_idx, __ATOMIC_RELEASE);
}

static inline void vq_kick(struct vdev *v, unsigned int q)
{
	uint64_t one = 1;

	MB();
	if (write(v->kick[q], &one, sizeof(one)) != sizeof(one))
		bail("kick");
}

/*
 * Wait until the device has used @n more buffers of queue @q (or @ms
 * passed).  Returns how many it used.
 */
static inline unsigned int vq_wait(struct vdev *v, unsigned int q,
				   unsigned int n, int ms)
{
	uint16_t target = v->vq[q].used_idx + n;
	struct pollfd p = { .fd = v->call[q], .events = POLLIN };
	double end = now_s() + ms / 1000.0;
	uint64_t cnt;

	while ((uint16_t)(__atomic_load_n(&v->vq[q].used->idx, __ATOMIC_ACQUIRE) -
			  v->vq[q].used_idx) < n) {
		double left = end - now_s();

		if (left <= 0)
			break;
		if (poll(&p, 1, left * 1000 > 100 ? 100 : (int)(left * 1000) + 1) > 0 &&
		    read(v->call[q], &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			bail("read call eventfd");
	}
	n = (uint16_t)(__atomic_load_n(&v->vq[q].used->idx, __ATOMIC_ACQUIRE) -
		       v->vq[q].used_idx);
	(void)target;
	return n;
}

/* The next used element of queue @q (after vq_wait() said there is one). */
static inline struct vring_used_elem vq_pop(struct vdev *v, unsigned int q)
{
	struct vring_used_elem e = v->vq[q].used->ring[v->vq[q].used_idx % VQ_NUM];

	v->vq[q].used_idx++;
	return e;
}

/* The largest response: probe_size (at most 4096) and a tail. */
#define RESP_MAX	(4096 + 64)

/* One request: its device-readable bytes, and room for the device's answer. */
struct req {
	const void *out;
	size_t out_len;
	size_t in_len;		/* writable length offered */
	uint8_t in[RESP_MAX];
	uint32_t used;		/* used length the device reported */
	bool done;
	uint64_t in_gpa;
};

/*
 * Send @n requests (n <= VQ_NUM / 2) in one batch, each as a chain of a
 * readable and a writable descriptor, with one kick, and collect the
 * answers.  Returns the number completed within 10 s.
 */
static inline unsigned int vq_run(struct vdev *v, struct req *r, unsigned int n)
{
	struct vring_desc *d = v->vq[0].desc;
	unsigned int i, got;

	for (i = 0; i < n; i++) {
		uint64_t out = scratch_alloc(v, r[i].out_len ? r[i].out_len : 1);

		r[i].in_gpa = scratch_alloc(v, r[i].in_len ? r[i].in_len : 1);
		memcpy(hva(v, out), r[i].out, r[i].out_len);
		memset(hva(v, r[i].in_gpa), 0xee, r[i].in_len);
		r[i].done = false;
		r[i].used = 0;
		d[2 * i] = (struct vring_desc){ .addr = out, .len = r[i].out_len,
						 .flags = VRING_DESC_F_NEXT,
						 .next = 2 * i + 1 };
		d[2 * i + 1] = (struct vring_desc){ .addr = r[i].in_gpa,
						     .len = r[i].in_len,
						     .flags = VRING_DESC_F_WRITE };
		vq_push(v, 0, 2 * i);
	}
	vq_kick(v, 0);
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

#define S_DROPPED	0xff	/* used_len 0: the device wrote nothing */
#define S_LOST		0xfe	/* no answer at all */

/* Status of an answered request: the last byte of its response's tail. */
static inline uint8_t req_status(const struct req *r)
{
	if (!r->done)
		return S_LOST;
	if (!r->used)
		return S_DROPPED;
	if (r->used < 4 || r->used > r->in_len)
		return 0xfd;
	return r->in[r->used - 4];
}

/* Send one request with a bare tail as its writable part. */
static inline uint8_t send_req(struct vdev *v, const void *body, size_t len)
{
	struct req r = { .out = body, .out_len = len, .in_len = 4 };

	vq_run(v, &r, 1);
	return req_status(&r);
}

#define RO_LEN(s)	(sizeof(s) - sizeof(struct virtio_iommu_req_tail))

static inline void mk_attach(struct virtio_iommu_req_attach *q, uint32_t dom,
			     uint32_t ep, uint32_t flags)
{
	memset(q, 0, sizeof(*q));
	q->head.type = VIRTIO_IOMMU_T_ATTACH;
	q->domain = htole32(dom);
	q->endpoint = htole32(ep);
	q->flags = htole32(flags);
}

static inline void mk_map(struct virtio_iommu_req_map *q, uint32_t dom,
			  uint64_t start, uint64_t last, uint64_t phys,
			  uint32_t flags)
{
	memset(q, 0, sizeof(*q));
	q->head.type = VIRTIO_IOMMU_T_MAP;
	q->domain = htole32(dom);
	q->virt_start = htole64(start);
	q->virt_end = htole64(last);
	q->phys_start = htole64(phys);
	q->flags = htole32(flags);
}

static inline void mk_unmap(struct virtio_iommu_req_unmap *q, uint32_t dom,
			    uint64_t start, uint64_t last)
{
	memset(q, 0, sizeof(*q));
	q->head.type = VIRTIO_IOMMU_T_UNMAP;
	q->domain = htole32(dom);
	q->virt_start = htole64(start);
	q->virt_end = htole64(last);
}

static inline uint8_t v_attach(struct vdev *v, uint32_t dom, uint32_t ep,
			       uint32_t flags)
{
	struct virtio_iommu_req_attach q;

	mk_attach(&q, dom, ep, flags);
	return send_req(v, &q, RO_LEN(q));
}

static inline uint8_t v_detach(struct vdev *v, uint32_t dom, uint32_t ep)
{
	struct virtio_iommu_req_detach q = { .head.type = VIRTIO_IOMMU_T_DETACH,
					     .domain = htole32(dom),
					     .endpoint = htole32(ep) };

	return send_req(v, &q, RO_LEN(q));
}

static inline uint8_t v_map(struct vdev *v, uint32_t dom, uint64_t start,
			    uint64_t last, uint64_t phys, uint32_t flags)
{
	struct virtio_iommu_req_map q;

	mk_map(&q, dom, start, last, phys, flags);
	return send_req(v, &q, RO_LEN(q));
}

static inline uint8_t v_unmap(struct vdev *v, uint32_t dom, uint64_t start,
			      uint64_t last)
{
	struct virtio_iommu_req_unmap q;

	mk_unmap(&q, dom, start, last);
	return send_req(v, &q, RO_LEN(q));
}

/*
 * PROBE @ep with @in_len writable bytes; the response lands in @r (whose
 * in[] holds the properties and the tail).
 */
static inline uint8_t v_probe(struct vdev *v, uint32_t ep, size_t in_len,
			      struct req *r)
{
	static struct virtio_iommu_req_probe q;

	memset(&q, 0, sizeof(q));
	q.head.type = VIRTIO_IOMMU_T_PROBE;
	q.endpoint = htole32(ep);
	memset(r, 0, sizeof(*r));
	r->out = &q;
	r->out_len = sizeof(q);
	r->in_len = in_len;
	vq_run(v, r, 1);
	return req_status(r);
}

/* ---- the whole rig: guest RAM, vhost device, VFIO, one endpoint ------ */

struct rig {
	struct vdev v;
	struct vfio f;
	uint8_t *ram;
	uint32_t ep;
};

static inline uint8_t *guest_ram(void)
{
	uint8_t *ram = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (ram == MAP_FAILED)
		bail("mmap guest RAM");
	return ram;
}

/* Everything up and started; returns 0 or -errno, @step says what failed. */
static inline int rig_open(struct rig *g, uint8_t *ram, const char *bdf,
			   const struct vhost_iommu_config *cfg,
			   const char **step)
{
	int ret;

	g->ram = ram;
	g->v.fd = -1;
	*step = "vhost device setup";
	ret = vdev_open(&g->v, ram, cfg);
	if (ret)
		return ret;
	*step = "VFIO container of type VFIO_PVIOMMU_IOMMU";
	ret = vfio_open(&g->f, bdf);
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

static inline void rig_close(struct rig *g)
{
	vdev_close(&g->v);
	vfio_close(&g->f);
}

#endif /* VHOST_LIB_H */
