/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PVIOMMU_TEST_ITREE_CHECK_H
#define PVIOMMU_TEST_ITREE_CHECK_H

#include "../../proto/itree.h"

/* Is @tree ordered, disjoint, linked both ways and height-balanced? */
bool itree_valid(const struct viommu_model_itree *tree);

#endif
