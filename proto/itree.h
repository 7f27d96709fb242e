/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * An intrusive, height-balanced (AVL) tree of disjoint closed intervals
 * [start, last].  Lookups, inserts and removals take O(log n).  The caller
 * embeds struct pviommu_interval in its own object, allocates it, and
 * provides any locking; the tree never allocates.
 */
#ifndef PVIOMMU_ITREE_H
#define PVIOMMU_ITREE_H

#include "compat.h"

struct pviommu_interval {
	struct pviommu_interval *parent;
	struct pviommu_interval *left;
	struct pviommu_interval *right;
	u64 start;
	u64 last;		/* inclusive */
	int height;
};

struct pviommu_itree {
	struct pviommu_interval *root;
	unsigned long count;
};

#define PVIOMMU_ITREE_INIT	((struct pviommu_itree){ NULL, 0 })

static inline bool pviommu_itree_empty(const struct pviommu_itree *tree)
{
	return !tree->root;
}

bool pviommu_itree_insert(struct pviommu_itree *tree,
			  struct pviommu_interval *node);
void pviommu_itree_remove(struct pviommu_itree *tree,
			  struct pviommu_interval *node);
struct pviommu_interval *pviommu_itree_first(const struct pviommu_itree *tree,
					     u64 start, u64 last);
struct pviommu_interval *pviommu_itree_next(const struct pviommu_interval *node,
					    u64 last);
struct pviommu_interval *pviommu_itree_min(const struct pviommu_itree *tree);

#endif /* PVIOMMU_ITREE_H */
