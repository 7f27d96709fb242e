// SPDX-License-Identifier: GPL-2.0-only
#include "pool_backend.h"

#define POOL_FEATURES_ALL ((1ULL << VIRTIO_IOMMU_F_INPUT_RANGE) |	\
			   (1ULL << VIRTIO_IOMMU_F_DOMAIN_RANGE) |	\
			   (1ULL << VIRTIO_IOMMU_F_MAP_UNMAP) |		\
			   (1ULL << VIRTIO_IOMMU_F_PROBE) |		\
			   (1ULL << VIRTIO_IOMMU_F_MMIO) |		\
			   (1ULL << VIRTIO_IOMMU_F_BYPASS_CONFIG))

const struct viommu_model_resv_region pool_resv[2] = {
	VIOMMU_MODEL_X86_MSI_REGION,
	{ 0x1000000, 0x1ffffff, VIRTIO_IOMMU_RESV_MEM_T_RESERVED },
};

static struct pool_backend *to_pool(struct viommu_model *dev)
{
	return (struct pool_backend *)dev;
}

static struct viommu_model_endpoint *pool_find_endpoint(struct viommu_model *dev,
						   u32 id)
{
	struct pool_backend *pool = to_pool(dev);
	unsigned int i;

	/* Endpoints 1..3 exist; endpoint 3 has reserved regions. */
	for (i = 1; i < POOL_ENDPOINTS; i++)
		if (pool->endpoints[i].id == id)
			return &pool->endpoints[i];
	return NULL;
}

/* Take the first free one of @n slots: its index, or -1 when all are used. */
static int take_slot(bool *used, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!used[i]) {
			used[i] = true;
			return i;
		}
	}
	return -1;
}

static unsigned int slots_in_use(const bool *used, unsigned int n)
{
	unsigned int i, in_use = 0;

	for (i = 0; i < n; i++)
		in_use += used[i];
	return in_use;
}

static struct viommu_model_domain *pool_alloc_domain(struct viommu_model *dev)
{
	struct pool_backend *pool = to_pool(dev);
	int i = take_slot(pool->domain_used, POOL_DOMAINS);

	return i < 0 ? NULL : &pool->domains[i];
}

static void pool_free_domain(struct viommu_model *dev,
			     struct viommu_model_domain *domain)
{
	to_pool(dev)->domain_used[domain - to_pool(dev)->domains] = false;
}

static u8 pool_attach_ep(struct viommu_model *dev,
			 struct viommu_model_domain *domain,
			 struct viommu_model_endpoint *ep)
{
	struct pool_backend *pool = to_pool(dev);

	if ((long)viommu_model_domain_id(domain) == pool->refuse_attach_domain)
		return VIRTIO_IOMMU_S_UNSUPP;
	if (pool->refuse_attaches) {
		pool->refuse_attaches--;
		return VIRTIO_IOMMU_S_UNSUPP;
	}
	pool->nr_attach++;
	pool->last_domain = domain;
	pool->last_ep = ep;
	return VIRTIO_IOMMU_S_OK;
}

static u8 pool_detach_ep(struct viommu_model *dev,
			 struct viommu_model_domain *domain,
			 struct viommu_model_endpoint *ep)
{
	struct pool_backend *pool = to_pool(dev);

	pool->nr_detach++;
	pool->last_domain = domain;
	pool->last_ep = ep;
	if ((long)viommu_model_domain_id(domain) == pool->refuse_detach_domain)
		return VIRTIO_IOMMU_S_DEVERR;
	return VIRTIO_IOMMU_S_OK;
}

static struct viommu_model_mapping *pool_alloc_mapping(struct viommu_model *dev)
{
	struct pool_backend *pool = to_pool(dev);
	int i = take_slot(pool->mapping_used, POOL_MAPPINGS);

	return i < 0 ? NULL : &pool->mappings[i];
}

static void pool_free_mapping(struct viommu_model *dev,
			      struct viommu_model_mapping *mapping)
{
	to_pool(dev)->mapping_used[mapping - to_pool(dev)->mappings] = false;
}

static u8 pool_map_range(struct viommu_model *dev,
			 struct viommu_model_domain *domain,
			 struct viommu_model_mapping *mapping)
{
	struct pool_backend *pool = to_pool(dev);
	u8 status = pool->map_status;

	pool->map_status = VIRTIO_IOMMU_S_OK;
	if (status == VIRTIO_IOMMU_S_OK)
		pool->nr_map++;
	pool->last_domain = domain;
	pool->last_mapping = mapping;
	return status;
}

static void pool_unmap_range(struct viommu_model *dev,
			     struct viommu_model_domain *domain,
			     struct viommu_model_mapping *mapping)
{
	struct pool_backend *pool = to_pool(dev);

	pool->nr_unmap++;
	pool->last_domain = domain;
	pool->last_mapping = mapping;
}

static const struct viommu_model_ops pool_ops = {
	.find_endpoint = pool_find_endpoint,
	.alloc_domain = pool_alloc_domain,
	.free_domain = pool_free_domain,
	.attach = pool_attach_ep,
	.detach = pool_detach_ep,
	.alloc_mapping = pool_alloc_mapping,
	.free_mapping = pool_free_mapping,
	.map = pool_map_range,
	.unmap = pool_unmap_range,
};

/**
 * pool_init() - a device with endpoints 1, 2 and 3, a 4 KiB granule, input
 * range [0, 2^48 - 1], domains 1..1000 and a 64-byte probe size
 * @pool: the backend to set up
 * @features: the negotiated features, or 0 for all that the pool offers
 */
void pool_init(struct pool_backend *pool, u64 features)
{
	const struct viommu_model_config config = {
		.page_size_mask = 0xfffffffffffff000ULL,
		.input_start = 0,
		.input_end = (1ULL << 48) - 1,
		.domain_start = 1,
		.domain_end = 1000,
		.probe_size = 64,
		.bypass = 0,
	};
	unsigned int i;

	memset(pool, 0, sizeof(*pool));
	viommu_model_init(&pool->dev, &pool_ops, &config, POOL_FEATURES_ALL);
	if (features)
		pool->dev.features = features;
	for (i = 1; i < POOL_ENDPOINTS; i++)
		pool->endpoints[i].id = i;
	pool->endpoints[3].resv = pool_resv;
	pool->endpoints[3].nr_resv = ARRAY_SIZE(pool_resv);
	pool->refuse_attach_domain = -1;
	pool->refuse_detach_domain = -1;
}

unsigned int pool_domains_in_use(const struct pool_backend *pool)
{
	return slots_in_use(pool->domain_used, POOL_DOMAINS);
}

unsigned int pool_mappings_in_use(const struct pool_backend *pool)
{
	return slots_in_use(pool->mapping_used, POOL_MAPPINGS);
}

/*
 * Send one request whose device-readable part is @len bytes of @req and
 * whose writable part is a bare tail.  Returns the status written, or
 * 0xff when the device returned the buffer with used_len 0.
 */
u8 pool_req(struct pool_backend *pool, const void *req, size_t len,
	    size_t *used)
{
	u8 resp[sizeof(struct virtio_iommu_req_tail)];
	size_t n = viommu_model_handle(&pool->dev, req, len, sizeof(resp),
					 resp);

	if (used)
		*used = n;
	return n ? resp[n - sizeof(struct virtio_iommu_req_tail)] : 0xff;
}

u8 pool_attach(struct pool_backend *pool, u32 domain, u32 ep, u32 flags)
{
	struct virtio_iommu_req_attach req = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = cpu_to_le32(domain),
		.endpoint = cpu_to_le32(ep),
		.flags = cpu_to_le32(flags),
	};

	return pool_req(pool, &req, VIOMMU_MODEL_READABLE(req), NULL);
}

u8 pool_detach(struct pool_backend *pool, u32 domain, u32 ep)
{
	struct virtio_iommu_req_detach req = {
		.head.type = VIRTIO_IOMMU_T_DETACH,
		.domain = cpu_to_le32(domain),
		.endpoint = cpu_to_le32(ep),
	};

	return pool_req(pool, &req, VIOMMU_MODEL_READABLE(req), NULL);
}

u8 pool_map(struct pool_backend *pool, u32 domain, u64 start, u64 last,
	    u64 phys, u32 flags)
{
	struct virtio_iommu_req_map req = {
		.head.type = VIRTIO_IOMMU_T_MAP,
		.domain = cpu_to_le32(domain),
		.virt_start = cpu_to_le64(start),
		.virt_end = cpu_to_le64(last),
		.phys_start = cpu_to_le64(phys),
		.flags = cpu_to_le32(flags),
	};

	return pool_req(pool, &req, VIOMMU_MODEL_READABLE(req), NULL);
}

u8 pool_unmap(struct pool_backend *pool, u32 domain, u64 start, u64 last)
{
	struct virtio_iommu_req_unmap req = {
		.head.type = VIRTIO_IOMMU_T_UNMAP,
		.domain = cpu_to_le32(domain),
		.virt_start = cpu_to_le64(start),
		.virt_end = cpu_to_le64(last),
	};

	return pool_req(pool, &req, VIOMMU_MODEL_READABLE(req), NULL);
}

/* Is there a mapping of exactly [start, last] in @domain? */
bool pool_mapped(struct pool_backend *pool, u32 domain, u64 start, u64 last)
{
	struct viommu_model_domain *d = viommu_model_find_domain(&pool->dev, domain);
	struct viommu_model_mapping *m;

	if (!d)
		return false;
	m = viommu_model_mappings_find(&d->mappings, start);
	return m && m->iova.start == start && m->iova.last == last;
}
