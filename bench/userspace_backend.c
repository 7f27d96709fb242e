// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace (QEMU-style) virtio-iommu backend of the L1 benchmark:
 * see userspace_backend.h.  The device model is proto/'s, linked from
 * libpviommu.a; this file is only the vring device side, the thread and
 * the struct viommu_model_ops that turn MAP/UNMAP into type1 ioctls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "../proto/device.h"
#include "userspace_backend.h"

struct ubackend {
	struct viommu_model dev;	/* first: the ops get &ub->dev */
	struct viommu_model_endpoint ep;
	struct ub_params p;
	uint16_t last_avail, used_idx;
	pthread_t thread;
	pthread_mutex_t lock;		/* the model and the counters */
	int stop;			/* atomic */
	u8 req[VIOMMU_MODEL_REQ_READABLE_MAX];
	u8 *resp;
	struct ub_stats st;
};

static struct ubackend *to_ub(struct viommu_model *dev)
{
	return (struct ubackend *)dev;
}

/* GPA range -> HVA through the memory table, or NULL (one region only). */
static void *gpa_to_hva(struct ubackend *ub, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < ub->p.nr_mem; i++) {
		const struct ub_region *r = &ub->p.mem[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size &&
		    len <= r->size - (gpa - r->gpa))
			return (uint8_t *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

/* ---- struct viommu_model_ops: type1 ------------------------------------- */

static struct viommu_model_endpoint *ub_find_endpoint(struct viommu_model *dev, u32 id)
{
	struct ubackend *ub = to_ub(dev);

	return id == ub->ep.id ? &ub->ep : NULL;
}

static struct viommu_model_domain *ub_alloc_domain(struct viommu_model *dev)
{
	(void)dev;
	return calloc(1, sizeof(struct viommu_model_domain));
}

static void ub_free_domain(struct viommu_model *dev, struct viommu_model_domain *domain)
{
	(void)dev;
	free(domain);
}

/*
 * The endpoint's group already sits in the type1 container, which is one
 * host domain: attach and detach have nothing to program.  (QEMU would
 * replay or drop the domain's mappings here; the benchmark attaches once,
 * before it measures anything.)
 */
static u8 ub_attach(struct viommu_model *dev, struct viommu_model_domain *domain,
		    struct viommu_model_endpoint *ep)
{
	(void)dev, (void)domain, (void)ep;
	return VIRTIO_IOMMU_S_OK;
}

static u8 ub_detach(struct viommu_model *dev, struct viommu_model_domain *domain,
		    struct viommu_model_endpoint *ep)
{
	(void)dev, (void)domain, (void)ep;
	return VIRTIO_IOMMU_S_OK;
}

static struct viommu_model_mapping *ub_alloc_mapping(struct viommu_model *dev)
{
	(void)dev;
	return malloc(sizeof(struct viommu_model_mapping));
}

static void ub_free_mapping(struct viommu_model *dev, struct viommu_model_mapping *m)
{
	(void)dev;
	free(m);
}

static u8 ub_map(struct viommu_model *dev, struct viommu_model_domain *domain,
		 struct viommu_model_mapping *m)
{
	struct ubackend *ub = to_ub(dev);
	uint64_t size = viommu_model_mapping_size(m);
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.iova = m->iova.start,
		.size = size,
	};
	void *hva;

	(void)domain;
	/* A MAP with neither READ nor WRITE is recorded only, as in the kernel. */
	if (!(m->flags & (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)))
		return VIRTIO_IOMMU_S_OK;
	hva = gpa_to_hva(ub, m->phys, size);
	if (!hva)
		return VIRTIO_IOMMU_S_FAULT;
	map.vaddr = (uintptr_t)hva;
	if (m->flags & VIRTIO_IOMMU_MAP_F_READ)
		map.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (m->flags & VIRTIO_IOMMU_MAP_F_WRITE)
		map.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	if (ioctl(ub->p.container, VFIO_IOMMU_MAP_DMA, &map)) {
		ub->st.dma_errors++;
		switch (errno) {
		case ENOMEM:
		case ENOSPC:	/* type1's dma_entry_limit */
			return VIRTIO_IOMMU_S_NOMEM;
		case EINVAL:
		case EPERM:
			return VIRTIO_IOMMU_S_RANGE;
		case EFAULT:
			return VIRTIO_IOMMU_S_FAULT;
		default:
			return VIRTIO_IOMMU_S_DEVERR;
		}
	}
	ub->st.map_dma++;
	return VIRTIO_IOMMU_S_OK;
}

static void ub_unmap(struct viommu_model *dev, struct viommu_model_domain *domain,
		     struct viommu_model_mapping *m)
{
	struct ubackend *ub = to_ub(dev);
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = m->iova.start,
		.size = viommu_model_mapping_size(m),
	};

	(void)domain;
	if (!(m->flags & (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)))
		return;
	if (ioctl(ub->p.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ||
	    unmap.size != viommu_model_mapping_size(m))
		ub->st.dma_errors++;
	else
		ub->st.unmap_dma++;
}

/* The endpoint's one reserved region, as vhost_iommu.ko reports on x86. */
static const struct viommu_model_resv_region ub_resv[] = {
	VIOMMU_MODEL_X86_MSI_REGION,
};

static const struct viommu_model_ops ub_ops = {
	.find_endpoint = ub_find_endpoint,
	.alloc_domain = ub_alloc_domain,
	.free_domain = ub_free_domain,
	.attach = ub_attach,
	.detach = ub_detach,
	.alloc_mapping = ub_alloc_mapping,
	.free_mapping = ub_free_mapping,
	.map = ub_map,
	.unmap = ub_unmap,
};

/* ---- the vring's device side ------------------------------------------------ */

#define MAX_IN	16

/*
 * Run the chain at @head through the model; returns the used length (0:
 * nothing written, a malformed chain).  Like vhost_iommu.ko: at most
 * VIOMMU_MODEL_REQ_READABLE_MAX readable bytes are copied, the model gets the
 * full lengths, and the response goes to the start of the writable part.
 */
static uint32_t handle_chain(struct ubackend *ub, uint16_t head)
{
	struct { uint8_t *p; uint32_t len; } in[MAX_IN];
	size_t readable = 0, writable = 0, copied = 0, used, done;
	unsigned int nin = 0, n = 0;
	uint16_t i = head;

	for (;;) {
		const struct vring_desc *d = &ub->p.desc[i];
		uint32_t len = le32toh(d->len);
		uint16_t flags = le16toh(d->flags);
		uint8_t *p;

		if (++n > ub->p.num || (flags & VRING_DESC_F_INDIRECT))
			goto bad;
		p = gpa_to_hva(ub, le64toh(d->addr), len);
		if (!p)
			goto bad;
		if (flags & VRING_DESC_F_WRITE) {
			if (nin == MAX_IN)
				goto bad;
			in[nin].p = p;
			in[nin++].len = len;
			writable += len;
		} else {
			size_t k = len;

			if (nin)	/* readable after writable */
				goto bad;
			if (k > sizeof(ub->req) - copied)
				k = sizeof(ub->req) - copied;
			memcpy(ub->req + copied, p, k);
			copied += k;
			readable += len;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = le16toh(d->next);
		if (i >= ub->p.num)
			goto bad;
	}
	used = viommu_model_handle(&ub->dev, ub->req, readable, writable, ub->resp);
	for (i = 0, done = 0; done < used && i < nin; i++) {
		size_t k = used - done < in[i].len ? used - done : in[i].len;

		memcpy(in[i].p, ub->resp + done, k);
		done += k;
	}
	return used;
bad:
	ub->st.bad_chains++;
	return 0;
}

static void *ub_thread(void *arg)
{
	struct ubackend *ub = arg;
	struct pollfd pfd = { .fd = ub->p.kick, .events = POLLIN };
	uint64_t cnt;

	if (ub->p.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(ub->p.cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	for (;;) {
		bool added = false;

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		if (read(ub->p.kick, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			break;
		if (__atomic_load_n(&ub->stop, __ATOMIC_ACQUIRE))
			break;
		pthread_mutex_lock(&ub->lock);
		ub->st.wakeups++;
		while (ub->last_avail != __atomic_load_n(&ub->p.avail->idx, __ATOMIC_ACQUIRE)) {
			uint16_t head = ub->p.avail->ring[ub->last_avail % ub->p.num];
			struct vring_used_elem *e = &ub->p.used->ring[ub->used_idx % ub->p.num];

			ub->last_avail++;
			e->id = head;
			e->len = head < ub->p.num ? handle_chain(ub, head) : 0;
			ub->used_idx++;
			__atomic_store_n(&ub->p.used->idx, ub->used_idx, __ATOMIC_RELEASE);
			added = true;
		}
		pthread_mutex_unlock(&ub->lock);
		if (added) {
			cnt = 1;
			if (write(ub->p.call, &cnt, sizeof(cnt)) != sizeof(cnt))
				break;
		}
	}
	return NULL;
}

struct ubackend *ub_start(const struct ub_params *p)
{
	struct viommu_model_config cfg = {
		.page_size_mask = p->page_size_mask,
		.input_start = p->input_start,
		.input_end = p->input_end,
		.domain_start = p->domain_start,
		.domain_end = p->domain_end,
		.probe_size = p->probe_size,
	};
	struct ubackend *ub;
	int ret;

	if (!viommu_model_config_valid(&cfg) || p->nr_mem > UB_MAX_REGIONS ||
	    !p->num || (p->num & (p->num - 1))) {
		errno = EINVAL;
		return NULL;
	}
	ub = calloc(1, sizeof(*ub));
	if (!ub)
		return NULL;
	ub->p = *p;
	viommu_model_init(&ub->dev, &ub_ops, &cfg,
			    (1ull << VIRTIO_IOMMU_F_INPUT_RANGE) |
			    (1ull << VIRTIO_IOMMU_F_DOMAIN_RANGE) |
			    (1ull << VIRTIO_IOMMU_F_MAP_UNMAP) |
			    (1ull << VIRTIO_IOMMU_F_PROBE));
	ub->ep.id = p->endpoint_id;
	ub->ep.resv = ub_resv;
	ub->ep.nr_resv = ARRAY_SIZE(ub_resv);
	ub->resp = calloc(1, viommu_model_resp_size(&ub->dev));
	if (!ub->resp) {
		free(ub);
		return NULL;
	}
	pthread_mutex_init(&ub->lock, NULL);
	ret = pthread_create(&ub->thread, NULL, ub_thread, ub);
	if (ret) {
		free(ub->resp);
		free(ub);
		errno = ret;
		return NULL;
	}
	return ub;
}

void ub_stop(struct ubackend *ub)
{
	uint64_t one = 1;

	__atomic_store_n(&ub->stop, 1, __ATOMIC_RELEASE);
	if (write(ub->p.kick, &one, sizeof(one)) != sizeof(one))
		pthread_cancel(ub->thread);
	pthread_join(ub->thread, NULL);
	viommu_model_reset(&ub->dev);	/* unmaps what is left */
	pthread_mutex_destroy(&ub->lock);
	free(ub->resp);
	free(ub);
}

void ub_get_stats(struct ubackend *ub, struct ub_stats *st)
{
	static_assert(sizeof(st->requests) == sizeof(ub->dev.stats.requests) &&
		      sizeof(st->status) == sizeof(ub->dev.stats.status),
		      "struct ub_stats carries struct viommu_model_stats");

	pthread_mutex_lock(&ub->lock);
	*st = ub->st;
	memcpy(st->requests, ub->dev.stats.requests, sizeof(st->requests));
	memcpy(st->status, ub->dev.stats.status, sizeof(st->status));
	st->mappings = ub->dev.stats.mappings;
	pthread_mutex_unlock(&ub->lock);
}
