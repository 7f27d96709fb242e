/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal TAP producer that builds in userspace and in a kernel module,
 * so the same proto/ tests run in both.
 */
#ifndef PVIOMMU_TEST_TAP_H
#define PVIOMMU_TEST_TAP_H

#ifdef __KERNEL__
#include <linux/printk.h>
#define tap_print(fmt, ...) pr_info(KBUILD_MODNAME ": " fmt, ##__VA_ARGS__)
#else
#include <stdio.h>
#define tap_print(...)	printf(__VA_ARGS__)
#endif

struct tap {
	unsigned int run;
	unsigned int failed;
};

/* Record one test point; @name says which rule it checks. */
#define tap_ok(t, cond, name)						\
	do {								\
		bool tap_ok_ = (cond);					\
		(t)->run++;						\
		if (!tap_ok_)						\
			(t)->failed++;					\
		tap_print("%sok %u - %s\n", tap_ok_ ? "" : "not ",	\
			  (t)->run, (name));				\
		if (!tap_ok_)						\
			tap_print("#   failed: %s (%s:%d)\n", #cond,	\
				  __FILE__, __LINE__);			\
	} while (0)

#endif /* PVIOMMU_TEST_TAP_H */
