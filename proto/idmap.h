/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * An ID map: a u32 ID to the object that embeds its struct viommu_model_id.
 * The device model keeps its domains in one, by domain ID.
 *
 * Why an rbtree keyed by ID, not the kernel's natural ID map, an xarray:
 * proto/ is one source for pviommu_proto.ko and libpviommu.a, and the
 * rbtree is the kernel's own code on both sides (lib/rbtree.c, and its
 * userspace copy tools/lib/rbtree.c), where an xarray would need a
 * userspace stand-in of its own.  It also suits hostile IDs better: the
 * guest picks any ID in the domain range, however sparse, and an rbtree
 * node lives inside the domain, so a domain costs exactly what the backend
 * allocates and accounts for it, and a lookup O(log n); an xarray would
 * allocate interior nodes per sparse ID besides.  The map never allocates.
 * No locking inside: the caller serialises all calls on one map.
 */
#ifndef VIOMMU_MODEL_IDMAP_H
#define VIOMMU_MODEL_IDMAP_H

#include "compat.h"
#include <linux/rbtree.h>

struct viommu_model_id {
	struct rb_node rb;
	u32 id;
};

struct viommu_model_idmap {
	struct rb_root root;		/* of struct viommu_model_id, by id */
	unsigned long count;
};

/* RB_ROOT spelt out, as in VIOMMU_MODEL_MAPPINGS_INIT: static maps too. */
#define VIOMMU_MODEL_IDMAP_INIT \
	((struct viommu_model_idmap){ .root = { NULL }, .count = 0 })

struct viommu_model_id *viommu_model_idmap_find(const struct viommu_model_idmap *map,
						u32 id);
void viommu_model_idmap_insert(struct viommu_model_idmap *map,
			       struct viommu_model_id *node);
void viommu_model_idmap_remove(struct viommu_model_idmap *map,
			       struct viommu_model_id *node);
struct viommu_model_id *viommu_model_idmap_first(const struct viommu_model_idmap *map);

#endif /* VIOMMU_MODEL_IDMAP_H */
