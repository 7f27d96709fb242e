// SPDX-License-Identifier: GPL-2.0-only
/*
 * pviommu_proto.ko: proto/'s pure logic (the ID map, the mapping
 * table and the virtio-iommu device model) as a library module, shared by
 * vhost_iommu.ko and pviommu.ko.  The same sources build libpviommu.a.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pviommu protocol core: virtio-iommu rules and mapping table");
