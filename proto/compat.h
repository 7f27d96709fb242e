/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * The few definitions proto/ needs from its environment, so that the same
 * sources build into the kernel modules and into userspace's libpviommu.
 */
#ifndef VIOMMU_MODEL_COMPAT_H
#define VIOMMU_MODEL_COMPAT_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/byteorder.h>
#else
#include <assert.h>
#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define le64_to_cpu(x)	le64toh(x)
#define cpu_to_le16(x)	htole16(x)
#define cpu_to_le32(x)	htole32(x)
#define cpu_to_le64(x)	htole64(x)

#ifndef U64_MAX
#define U64_MAX		UINT64_MAX
#endif
#ifndef U32_MAX
#define U32_MAX		UINT32_MAX
#endif

/* Userspace links statically; there is nothing to export. */
#define EXPORT_SYMBOL_GPL(sym)
#endif /* __KERNEL__ */

#endif /* VIOMMU_MODEL_COMPAT_H */
