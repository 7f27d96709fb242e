/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * An intrusive, height-balanced (AVL) tree of disjoint closed intervals
 * [start, last].  Lookups, inserts and removals take O(log n).  The caller
 * embeds struct viommu_model_interval in its own object, allocates it, and
 * provides any locking; the tree never allocates.
 */
#ifndef VIOMMU_MODEL_ITREE_H
#define VIOMMU_MODEL_ITREE_H

#include "compat.h"

struct viommu_model_interval {
	struct viommu_model_interval *parent;
	struct viommu_model_interval *left;
	struct viommu_model_interval *right;
	u64 start;
	u64 last;		/* inclusive */
	int height;
};

struct viommu_model_itree {
	struct viommu_model_interval *root;
	unsigned long count;
};

#define VIOMMU_MODEL_ITREE_INIT	((struct viommu_model_itree){ NULL, 0 })

static inline bool viommu_model_itree_empty(const struct viommu_model_itree *tree)
{
	return !tree->root;
}

bool viommu_model_itree_insert(struct viommu_model_itree *tree,
			  struct viommu_model_interval *node);
void viommu_model_itree_remove(struct viommu_model_itree *tree,
			  struct viommu_model_interval *node);
struct viommu_model_interval *viommu_model_itree_first(const struct viommu_model_itree *tree,
					     u64 start, u64 last);
struct viommu_model_interval *viommu_model_itree_next(const struct viommu_model_interval *node,
					    u64 last);
struct viommu_model_interval *viommu_model_itree_min(const struct viommu_model_itree *tree);

#endif /* VIOMMU_MODEL_ITREE_H */
