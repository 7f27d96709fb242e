/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's "edu" device (QEMU docs/specs/edu.rst), the one driver of it the
 * test programs share, and the byte checks of the DMA tests.
 *
 * edu has a 4 KiB buffer at device address EDU_BUF and a DMA engine that
 * copies between that buffer and bus addresses, which go through the IOMMU.
 * The driver works on a mapping of BAR0, however it was had (VFIO, or
 * sysfs's resource0 when no driver owns the device).
 */
#ifndef PVIOMMU_PROGRAMS_EDU_H
#define PVIOMMU_PROGRAMS_EDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/tap.h"

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

uint32_t edu_rd32(volatile uint8_t *bar0, unsigned int off);

/* Two points: edu answers its identification and liveness registers. */
void edu_check_alive(struct tap *t, volatile uint8_t *bar0);

/*
 * One DMA of @len bytes, waited for; @to_ram: edu buffer -> bus address.
 * false if it does not finish within 5 s.
 */
bool edu_dma(volatile uint8_t *bar0, uint64_t src, uint64_t dst, uint32_t len,
	     bool to_ram);

/* Bus address @src -> edu's buffer -> bus address @dst, @len bytes. */
bool edu_copy(volatile uint8_t *bar0, uint64_t src, uint64_t dst, uint32_t len);

/* Every byte of @p is @val. */
bool all_bytes(const uint8_t *p, size_t len, uint8_t val);

/* A pattern that differs from page to page and from @seed to @seed. */
void fill_pattern(uint8_t *p, size_t len, unsigned int seed);

#endif /* PVIOMMU_PROGRAMS_EDU_H */
