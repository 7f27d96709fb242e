// SPDX-License-Identifier: GPL-2.0
/* xorshift64 (Marsaglia 2003, shifts 13, 7, 17): rnd.h. */
#include "rnd.h"

uint64_t rnd_next(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}
