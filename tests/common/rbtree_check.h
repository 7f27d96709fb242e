/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * White-box checks of the kernel rbtrees that proto/ keeps (the mapping
 * table's interval tree and the domain ID map), for the unit and fuzz
 * tests: proto/ builds on the kernel's tree code, so what is checked here
 * is that proto/ uses it right (order, augmentation, counts) and that the
 * tree stays a red-black tree.
 */
#ifndef PVIOMMU_TEST_RBTREE_CHECK_H
#define PVIOMMU_TEST_RBTREE_CHECK_H

#include "../../proto/idmap.h"
#include "../../proto/mappings.h"

bool mappings_valid(const struct viommu_model_mappings *table,
		    unsigned long *count);
bool idmap_valid(const struct viommu_model_idmap *map);
unsigned int rbtree_height(const struct rb_node *node);

#endif /* PVIOMMU_TEST_RBTREE_CHECK_H */
