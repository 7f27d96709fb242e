/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * A domain's mapping table with virtio-iommu semantics: a MAP may not
 * overlap an existing mapping, and an UNMAP removes whole mappings only,
 * atomically, while holes in its range are fine.  Used by the device model
 * and, as its shadow of what it sent, by the guest driver.
 */
#ifndef VIOMMU_MODEL_MAPPINGS_H
#define VIOMMU_MODEL_MAPPINGS_H

#include "itree.h"
#include "pviommu_proto.h"

/* One mapping, exactly as one MAP request created it. */
struct viommu_model_mapping {
	struct viommu_model_interval iova;	/* [virt_start, virt_end] */
	u64 phys;
	u32 flags;			/* VIRTIO_IOMMU_MAP_F_* */
};

u8 viommu_model_mappings_insert(struct viommu_model_itree *table,
			   struct viommu_model_mapping *mapping);
u8 viommu_model_mappings_check_unmap(const struct viommu_model_itree *table,
				u64 start, u64 last);
struct viommu_model_mapping *viommu_model_mappings_take(struct viommu_model_itree *table,
					      u64 start, u64 last);
struct viommu_model_mapping *viommu_model_mappings_find(const struct viommu_model_itree *table,
					      u64 iova);

#endif /* VIOMMU_MODEL_MAPPINGS_H */
