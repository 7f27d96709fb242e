// SPDX-License-Identifier: GPL-2.0
/* The edu driver of the test programs (edu.h). */
#define _GNU_SOURCE
#include <time.h>

#include "edu.h"

uint32_t edu_rd32(volatile uint8_t *bar0, unsigned int off)
{
	return *(volatile uint32_t *)(bar0 + off);
}

static void edu_wr32(volatile uint8_t *bar0, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(bar0 + off) = v;
}

static void edu_wr64(volatile uint8_t *bar0, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(bar0 + off) = v;
}

void edu_check_alive(struct tap *t, volatile uint8_t *bar0)
{
	tap_check(t, edu_rd32(bar0, EDU_ID) == EDU_ID_VALUE,
		  "edu identification register 0x%08x", edu_rd32(bar0, EDU_ID));
	edu_wr32(bar0, EDU_LIVENESS, 0x12345678);
	tap_check(t, edu_rd32(bar0, EDU_LIVENESS) == ~0x12345678u,
		  "edu liveness register inverts");
}

bool edu_dma(volatile uint8_t *bar0, uint64_t src, uint64_t dst, uint32_t len,
	     bool to_ram)
{
	const struct timespec tick = { .tv_nsec = 1000000 };
	int ms;

	edu_wr64(bar0, EDU_DMA_SRC, src);
	edu_wr64(bar0, EDU_DMA_DST, dst);
	edu_wr64(bar0, EDU_DMA_COUNT, len);
	edu_wr64(bar0, EDU_DMA_CMD, EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (ms = 0; ms < 5000; ms++) {
		if (!(edu_rd32(bar0, EDU_DMA_CMD) & EDU_CMD_START))
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

bool edu_copy(volatile uint8_t *bar0, uint64_t src, uint64_t dst, uint32_t len)
{
	return edu_dma(bar0, src, EDU_BUF, len, false) &&
	       edu_dma(bar0, EDU_BUF, dst, len, true);
}

bool all_bytes(const uint8_t *p, size_t len, uint8_t val)
{
	while (len--)
		if (*p++ != val)
			return false;
	return true;
}

void fill_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed) ^ (uint8_t)(i >> 8);
}
