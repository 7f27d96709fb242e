/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * A domain's mapping table with virtio-iommu semantics: a MAP may not
 * overlap an existing mapping, and an UNMAP removes whole mappings only,
 * atomically, while holes in its range are fine.  Used by the device model
 * and, as its shadow of what it sent, by the guest driver.
 */
#ifndef PVIOMMU_MAPPINGS_H
#define PVIOMMU_MAPPINGS_H

#include "itree.h"
#include "pviommu_proto.h"

/* One mapping, exactly as one MAP request created it. */
struct pviommu_mapping {
	struct pviommu_interval iova;	/* [virt_start, virt_end] */
	u64 phys;
	u32 flags;			/* VIRTIO_IOMMU_MAP_F_* */
};

u8 pviommu_mappings_insert(struct pviommu_itree *table,
			   struct pviommu_mapping *mapping);
u8 pviommu_mappings_check_unmap(const struct pviommu_itree *table,
				u64 start, u64 last);
struct pviommu_mapping *pviommu_mappings_take(struct pviommu_itree *table,
					      u64 start, u64 last);
struct pviommu_mapping *pviommu_mappings_find(const struct pviommu_itree *table,
					      u64 iova);

#endif /* PVIOMMU_MAPPINGS_H */
