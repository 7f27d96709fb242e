/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The suites of vhost_iommu_test, one per suite_NAME.c, each runnable alone
 * or with the others: a suite takes a fresh fixture (struct rig: a started
 * device, the edu's group bound to it) for itself, or several, and leaves
 * nothing open.  What they share is the run's struct suite_env.
 */
#ifndef PVIOMMU_PROGRAMS_SUITES_H
#define PVIOMMU_PROGRAMS_SUITES_H

#include "vhost_lib.h"

struct suite_env {
	struct tap *t;
	const char *bdf;	/* the edu, bound to vfio-pci */
	const char *bdf2;	/* a second edu, bound to vfio-pci, or NULL */
	uint8_t *ram;		/* guest RAM, reused by fixture after fixture */
	unsigned long scale;	/* --scale: live mappings of suite_scale */
	/* --slab-max: most slab bytes a pre-pinned mapping may cost */
	unsigned long slab_max;
	unsigned long random;	/* --random: random requests of suite_hostile */
	uint8_t *huge;		/* hugetlb guest RAM (HUGE_SIZE), or NULL */
};

void suite_conformance(const struct suite_env *e);
void suite_dma(const struct suite_env *e);
void suite_hostile(const struct suite_env *e);
void suite_scale(const struct suite_env *e);
void suite_fast(const struct suite_env *e);

/* Two pages the DMA checks copy between, and where the domain maps them. */
#define IOVA_A		0x100000ull
#define IOVA_B		0x200000ull
#define GPA_A		(DATA_GPA + 0x10000)
#define GPA_B		(DATA_GPA + 0x20000)

#endif /* PVIOMMU_PROGRAMS_SUITES_H */
