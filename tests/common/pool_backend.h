/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A backend for testing proto/'s device model without hardware: domains
 * and mappings come from fixed pools (so it builds unchanged in a kernel
 * module), and every map and unmap is recorded so that tests can check
 * what the model asked a real backend to do.
 */
#ifndef PVIOMMU_TEST_POOL_BACKEND_H
#define PVIOMMU_TEST_POOL_BACKEND_H

#include "../../proto/device.h"

#define POOL_ENDPOINTS	4
#define POOL_DOMAINS	8
#define POOL_MAPPINGS	64

struct pool_backend {
	struct viommu_model dev;
	struct viommu_model_endpoint endpoints[POOL_ENDPOINTS];
	struct viommu_model_domain domains[POOL_DOMAINS];
	bool domain_used[POOL_DOMAINS];
	struct viommu_model_mapping mappings[POOL_MAPPINGS];
	bool mapping_used[POOL_MAPPINGS];
	/* Backend calls made so far. */
	unsigned int nr_attach, nr_detach, nr_map, nr_unmap;
	/* The arguments of the latest backend call. */
	const struct viommu_model_domain *last_domain;
	const struct viommu_model_endpoint *last_ep;
	const struct viommu_model_mapping *last_mapping;
	/* Make attaching to this domain ID fail with UNSUPP (or -1: none). */
	long refuse_attach_domain;
	/* Make the next this many attaches, to any domain, fail with UNSUPP. */
	unsigned int refuse_attaches;
	/* Make detaching from this domain ID fail with DEVERR (or -1: none). */
	long refuse_detach_domain;
	/* Make the next map fail with this status (OK: don't). */
	u8 map_status;
};

/* A resv region set every endpoint of the pool reports. */
extern const struct viommu_model_resv_region pool_resv[2];

void pool_init(struct pool_backend *pool, u64 features);
unsigned int pool_domains_in_use(const struct pool_backend *pool);
unsigned int pool_mappings_in_use(const struct pool_backend *pool);
u8 pool_req(struct pool_backend *pool, const void *req, size_t len,
	    size_t *used);
u8 pool_attach(struct pool_backend *pool, u32 domain, u32 ep, u32 flags);
u8 pool_detach(struct pool_backend *pool, u32 domain, u32 ep);
u8 pool_map(struct pool_backend *pool, u32 domain, u64 start, u64 last,
	    u64 phys, u32 flags);
u8 pool_unmap(struct pool_backend *pool, u32 domain, u64 start, u64 last);
bool pool_mapped(struct pool_backend *pool, u32 domain, u64 start, u64 last);

#endif /* PVIOMMU_TEST_POOL_BACKEND_H */
