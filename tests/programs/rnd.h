/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test programs' pseudo-random numbers: xorshift64, reproducible from
 * a seed (printed by the programs that take --seed), one state per stream.
 */
#ifndef PVIOMMU_PROGRAMS_RND_H
#define PVIOMMU_PROGRAMS_RND_H

#include <stdint.h>

/* The next number of the stream @state (seed it non-zero: 0 stays 0). */
uint64_t rnd_next(uint64_t *state);

#endif /* PVIOMMU_PROGRAMS_RND_H */
