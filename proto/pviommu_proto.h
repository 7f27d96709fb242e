/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * pviommu wire protocol: the virtio-iommu format (device type 23) as
 * defined by <linux/virtio_iommu.h>, plus what that header lacks.
 *
 * The standard header stays the single definition of every wire struct;
 * this header pins their sizes at compile time and names the constants the
 * spec describes in prose.  It builds for the kernel and for userspace.
 */
#ifndef VIOMMU_MODEL_PROTO_H
#define VIOMMU_MODEL_PROTO_H

#include "compat.h"
#include <linux/virtio_iommu.h>

/* virtio device ID of the IOMMU device */
#define VIOMMU_MODEL_VIRTIO_ID		23

/* Virtqueue indices */
#define VIOMMU_MODEL_VQ_REQUEST		0
#define VIOMMU_MODEL_VQ_EVENT		1
#define VIOMMU_MODEL_NR_VQS			2

/* Wire sizes, in bytes, as the spec lays them out. */
static_assert(sizeof(struct virtio_iommu_config) == 40, "config layout");
static_assert(sizeof(struct virtio_iommu_req_head) == 4, "head");
static_assert(sizeof(struct virtio_iommu_req_tail) == 4, "tail");
static_assert(sizeof(struct virtio_iommu_req_attach) == 24, "attach");
static_assert(sizeof(struct virtio_iommu_req_detach) == 24, "detach");
static_assert(sizeof(struct virtio_iommu_req_map) == 40, "map");
static_assert(sizeof(struct virtio_iommu_req_unmap) == 32, "unmap");
static_assert(sizeof(struct virtio_iommu_req_probe) == 72, "probe");
static_assert(sizeof(struct virtio_iommu_probe_property) == 4, "property");
static_assert(sizeof(struct virtio_iommu_probe_resv_mem) == 24, "resv_mem");
static_assert(sizeof(struct virtio_iommu_fault) == 24, "fault");

/* Config field offsets, which QEMU's qtest and drivers read directly. */
static_assert(offsetof(struct virtio_iommu_config, input_range) == 8, "");
static_assert(offsetof(struct virtio_iommu_config, domain_range) == 24, "");
static_assert(offsetof(struct virtio_iommu_config, probe_size) == 32, "");
static_assert(offsetof(struct virtio_iommu_config, bypass) == 36, "");

/* Property header: le16 {type:12, reserved:4}; le16 length */
#define VIOMMU_MODEL_PROBE_T_RESERVED_MASK	0xf000

/* The x86 MSI doorbell window, reported as a RESV_MEM MSI region. */
#define VIOMMU_MODEL_X86_MSI_START		0xfee00000ULL
#define VIOMMU_MODEL_X86_MSI_END		0xfeefffffULL

/*
 * The device-readable size of a request whose wire struct (a type, or a
 * variable of it) @req ends with its tail: all of it but the tail.
 */
#define VIOMMU_MODEL_READABLE(req) \
	(sizeof(req) - sizeof(struct virtio_iommu_req_tail))

/* The device-readable size (head and body) of a request of type @type. */
static inline size_t viommu_model_req_readable_size(u8 type)
{
	switch (type) {
	case VIRTIO_IOMMU_T_ATTACH:
		return VIOMMU_MODEL_READABLE(struct virtio_iommu_req_attach);
	case VIRTIO_IOMMU_T_DETACH:
		return VIOMMU_MODEL_READABLE(struct virtio_iommu_req_detach);
	case VIRTIO_IOMMU_T_MAP:
		return VIOMMU_MODEL_READABLE(struct virtio_iommu_req_map);
	case VIRTIO_IOMMU_T_UNMAP:
		return VIOMMU_MODEL_READABLE(struct virtio_iommu_req_unmap);
	case VIRTIO_IOMMU_T_PROBE:
		return sizeof(struct virtio_iommu_req_probe);
	default:
		return 0;
	}
}

/* The largest device-readable part of any request. */
#define VIOMMU_MODEL_REQ_READABLE_MAX	sizeof(struct virtio_iommu_req_probe)

/* Do the closed ranges [a_start, a_last] and [b_start, b_last] overlap? */
static inline bool viommu_model_ranges_overlap(u64 a_start, u64 a_last,
					       u64 b_start, u64 b_last)
{
	return a_start <= b_last && b_start <= a_last;
}

/* names.c: the spec's names of request types and status codes */
const char *viommu_model_req_name(u8 type);
const char *viommu_model_status_name(u8 status);

#endif /* VIOMMU_MODEL_PROTO_H */
