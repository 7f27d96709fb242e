/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * A domain's mapping table with virtio-iommu semantics: a MAP may not
 * overlap an existing mapping, and an UNMAP removes whole mappings only,
 * atomically, while holes in its range are fine.  Used by the device model
 * and, as its shadow of what it sent, by the guest driver.  This API is the
 * only way to reach the mappings.
 *
 * The table is the kernel's interval tree (INTERVAL_TREE_DEFINE over an
 * augmented rbtree, as drivers/iommu/virtio-iommu.c and vhost_iotlb use):
 * lookups, inserts and removals are O(log n), and the table never
 * allocates, so a caller in atomic context (the guest's map_pages)
 * allocates its mappings as it may.  No locking inside: the caller
 * serialises all calls on one table.
 */
#ifndef VIOMMU_MODEL_MAPPINGS_H
#define VIOMMU_MODEL_MAPPINGS_H

#include "pviommu_proto.h"
#include <linux/rbtree.h>

/* One mapping, exactly as one MAP request created it. */
struct viommu_model_mapping {
	struct {
		u64 start;
		u64 last;		/* inclusive */
	} iova;				/* [virt_start, virt_end] */
	u64 phys;
	u32 flags;			/* VIRTIO_IOMMU_MAP_F_* */
	/* The table's: the tree node and the largest iova.last below it */
	struct rb_node rb;
	u64 subtree_last;
};

/* Its size in bytes; 0 for [0, 2^64 - 1], whose size does not fit. */
static inline u64 viommu_model_mapping_size(const struct viommu_model_mapping *mapping)
{
	return mapping->iova.last - mapping->iova.start + 1;
}

struct viommu_model_mappings {
	struct rb_root_cached tree;	/* of struct viommu_model_mapping */
};

/*
 * RB_ROOT_CACHED spelt out: it is a compound literal itself, which could
 * not initialise a static table.
 */
#define VIOMMU_MODEL_MAPPINGS_INIT ((struct viommu_model_mappings){ \
	.tree = { .rb_root = { NULL }, .rb_leftmost = NULL } })

u8 viommu_model_mappings_check_map(const struct viommu_model_mappings *table,
				   u64 start, u64 last);
void viommu_model_mappings_insert(struct viommu_model_mappings *table,
				  struct viommu_model_mapping *mapping);
u8 viommu_model_mappings_check_unmap(const struct viommu_model_mappings *table,
				     u64 start, u64 last);
struct viommu_model_mapping *
viommu_model_mappings_take(struct viommu_model_mappings *table,
			   u64 start, u64 last);
void viommu_model_mappings_remove(struct viommu_model_mappings *table,
				  struct viommu_model_mapping *mapping);
struct viommu_model_mapping *
viommu_model_mappings_first(const struct viommu_model_mappings *table,
			    u64 start, u64 last);
struct viommu_model_mapping *
viommu_model_mappings_next(const struct viommu_model_mapping *mapping,
			   u64 start, u64 last);
struct viommu_model_mapping *
viommu_model_mappings_find(const struct viommu_model_mappings *table,
			   u64 iova);

#endif /* VIOMMU_MODEL_MAPPINGS_H */
