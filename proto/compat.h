/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * The few definitions proto/ needs from its environment, so that the same
 * sources build into the kernel modules and into userspace's libpviommu.
 * Userspace builds on the kernel's own userspace headers (tools/include of
 * the matching linux-source, unpacked by scripts/ksrc.sh): they give u8..u64,
 * the byte-order helpers, EXPORT_SYMBOL_GPL (to nothing) and the rbtree.
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
/* tools/include is GNU C; libpviommu is C11, which spells it __typeof__. */
#ifndef typeof
#define typeof __typeof__
#endif
#include <string.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/types.h>

#ifndef U64_MAX
#define U64_MAX		UINT64_MAX
#endif
#ifndef U32_MAX
#define U32_MAX		UINT32_MAX
#endif
#endif /* __KERNEL__ */

#endif /* VIOMMU_MODEL_COMPAT_H */
