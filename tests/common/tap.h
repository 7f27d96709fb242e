/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TAP producer of every C test: the proto/ tests, which build in
 * userspace and in a kernel module, and the programs that run in the VMs
 * (tests/programs/).  A struct tap counts the points of one stream; the
 * plan comes last (tap_done()), so a run cut short shows.
 *
 * In the kernel tap_ok() prints through pr_info; in userspace the points
 * go to stdout through tap.c.
 */
#ifndef PVIOMMU_TEST_TAP_H
#define PVIOMMU_TEST_TAP_H

#ifdef __KERNEL__
#include <linux/printk.h>
#define tap_print(fmt, ...) pr_info(KBUILD_MODNAME ": " fmt, ##__VA_ARGS__)
#else
#include <stdbool.h>
#include <stdio.h>
#define tap_print(...)	printf(__VA_ARGS__)
#endif

struct tap {
	unsigned int run;
	unsigned int failed;
};

#ifdef __KERNEL__
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
#else
/* Record one test point; @name says which rule it checks. */
#define tap_ok(t, cond, name)						\
	do {								\
		if (!tap_check((t), (cond), "%s", (name)))		\
			tap_diag("  failed: %s (%s:%d)", #cond,		\
				 __FILE__, __LINE__);			\
	} while (0)

/* Print point "[not ]ok N - DESCRIPTION"; returns @ok. */
bool tap_check(struct tap *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A "# ..." diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A step the rest depends on failed: a failed point "WHAT: strerror(errno)",
 * then exit(1) without a plan, so that the run counts as cut short.
 */
void tap_bail(struct tap *t, const char *what) __attribute__((noreturn));

/* Print the plan "1..N"; the exit status: 1 if a point failed, else 0. */
int tap_done(const struct tap *t);
#endif

#endif /* PVIOMMU_TEST_TAP_H */
