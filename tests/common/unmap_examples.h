/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PVIOMMU_TEST_UNMAP_EXAMPLES_H
#define PVIOMMU_TEST_UNMAP_EXAMPLES_H

#include "tap.h"

void run_unmap_examples(struct tap *t);

#endif
