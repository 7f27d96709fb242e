// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: arbitrary request streams into proto/'s device model.
 *
 * Each request in the input is: one byte of writable length, one byte of
 * readable length L, then L bytes of request.  After every request the
 * response must have a legal length, the domain ID map and every mapping
 * table must be valid, and the model's mapping count must match the
 * backend's and the tables'.  A final
 * reset must give every domain and mapping back.
 */
#include <stdlib.h>

#include "../common/rbtree_check.h"
#include "../common/pool_backend.h"

static struct pool_backend pool;

static void check(bool cond)
{
	if (!cond)
		abort();
}

/* Every domain the pool gave out is live, found by its ID, and valid. */
static void check_trees(void)
{
	unsigned long mappings = 0, n;
	unsigned int i;

	check(idmap_valid(&pool.dev.domains));
	for (i = 0; i < POOL_DOMAINS; i++) {
		struct viommu_model_domain *domain = &pool.domains[i];

		if (!pool.domain_used[i])
			continue;
		check(domain->endpoints != NULL);
		check(viommu_model_find_domain(&pool.dev,
					       viommu_model_domain_id(domain)) == domain);
		check(mappings_valid(&domain->mappings, &n));
		mappings += n;
	}
	check(pool.dev.stats.mappings == mappings);
	check(pool.dev.stats.mappings == pool_mappings_in_use(&pool));
	check(viommu_model_domain_count(&pool.dev) == pool_domains_in_use(&pool));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 req[VIOMMU_MODEL_REQ_READABLE_MAX + 16];
	u8 resp[64 + 4];

	pool_init(&pool, 0);
	if (size && (data[0] & 1))
		pool.dev.config.page_size_mask = 1;
	if (size && (data[0] & 2))
		pool.dev.features &= ~(1ULL << VIRTIO_IOMMU_F_BYPASS_CONFIG);
	while (size >= 2) {
		size_t writable = data[0] % (sizeof(resp) + 1);
		size_t len = data[1] % (sizeof(req) + 1);
		size_t used;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		memcpy(req, data, len);
		data += len;
		size -= len;

		used = viommu_model_handle(&pool.dev, req, len, writable,
					     resp);
		check(used <= writable);
		check(used == 0 || used == 4 ||
		      (len && req[0] == VIRTIO_IOMMU_T_PROBE));
		check_trees();
	}
	viommu_model_reset(&pool.dev);
	check(pool_domains_in_use(&pool) == 0);
	check(pool_mappings_in_use(&pool) == 0);
	return 0;
}
