/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's "edu" device (QEMU docs/specs/edu.rst), as the DMA tests drive it,
 * and the TAP helpers of the one-file test programs.
 *
 * edu has a 4 KiB buffer at device address 0x40000 and a DMA engine that
 * copies between that buffer and bus addresses, which go through the IOMMU.
 * The including program sets edu_bar0 to its mapping of BAR0.
 */
#ifndef PVIOMMU_TESTS_EDU_H
#define PVIOMMU_TESTS_EDU_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* edu registers (BAR0) */
#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2	/* direction: edu buffer -> bus address */
#define EDU_ID_VALUE	0x010000edu
#define EDU_BUF		0x40000	/* device address of edu's own buffer */

/*
 * edu's DMA mask is 28 bits, so bus addresses stay below 0x10000000.
 * QEMU 7.2 crashes on a 4096-byte transfer; 2048 is safe.
 */
#define EDU_DMA_MASK	0x0fffffffull
#define EDU_DMA_LEN	2048u
#define EDU_SENTINEL	0xa5

static volatile uint8_t *edu_bar0;
static unsigned int tap_tests;

static inline bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok;
}

/* A step that the rest depends on failed: report it and stop (no plan). */
static inline void __attribute__((noreturn)) bail(const char *what)
{
	tap(false, "%s: %s", what, strerror(errno));
	exit(1);
}

static inline uint32_t edu_rd32(unsigned int off)
{
	return *(volatile uint32_t *)(edu_bar0 + off);
}

static inline void edu_wr32(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(edu_bar0 + off) = v;
}

static inline void edu_wr64(unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(edu_bar0 + off) = v;
}

/* edu answers its identification and liveness registers. */
static inline void edu_check_alive(void)
{
	tap(edu_rd32(EDU_ID) == EDU_ID_VALUE, "edu identification register 0x%08x",
	    edu_rd32(EDU_ID));
	edu_wr32(EDU_LIVENESS, 0x12345678);
	tap(edu_rd32(EDU_LIVENESS) == ~0x12345678u, "edu liveness register inverts");
}

/* Run one edu DMA and wait for it; false if it does not finish within 5 s. */
static inline bool edu_dma(uint64_t src, uint64_t dst, uint32_t len, uint32_t dir)
{
	const struct timespec tick = { .tv_nsec = 1000000 };
	int ms;

	edu_wr64(EDU_DMA_SRC, src);
	edu_wr64(EDU_DMA_DST, dst);
	edu_wr64(EDU_DMA_COUNT, len);
	edu_wr64(EDU_DMA_CMD, EDU_CMD_START | dir);
	for (ms = 0; ms < 5000; ms++) {
		if (!(edu_rd32(EDU_DMA_CMD) & EDU_CMD_START))
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

static inline bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	while (len--)
		if (*p++ != v)
			return false;
	return true;
}

#endif /* PVIOMMU_TESTS_EDU_H */
