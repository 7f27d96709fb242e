/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * vhost-iommu: an in-kernel backend for the virtio-iommu device (virtio
 * device type 23), and the VFIO IOMMU driver type its passthrough devices
 * live in.  docs/uapi.md describes the VMM's sequence of calls.
 *
 * Two file descriptors cooperate:
 *  - /dev/vhost-iommu, a vhost device with the request queue (0) and the
 *    event queue (1), driven with the standard <linux/vhost.h> ioctls plus
 *    the VHOST_IOMMU_* ioctls below;
 *  - a VFIO container set to VFIO_PVIOMMU_IOMMU, which holds the groups of
 *    the devices the guest's virtio-iommu translates, and is bound to the
 *    vhost-iommu file with VFIO_PVIOMMU_BIND.
 */
#ifndef _UAPI_LINUX_VHOST_IOMMU_H
#define _UAPI_LINUX_VHOST_IOMMU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* ---- the VFIO side -------------------------------------------------- */

/*
 * The VFIO IOMMU type (VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU).  The types of
 * <linux/vfio.h> are small integers; this one spells "pv".
 */
#define VFIO_PVIOMMU_IOMMU		0x7076

/*
 * VFIO_PVIOMMU_BIND - bind a container of type VFIO_PVIOMMU_IOMMU to a
 * /dev/vhost-iommu file.  Ioctl on the container fd; the caller must own
 * the vhost-iommu device (VHOST_SET_OWNER from the same process).  A
 * container binds to at most one device and a device to one container.
 * Return: 0, or -EBADF (vhost_fd is not a vhost-iommu file), -EBUSY
 * (either side is already bound), -EINVAL (argsz, flags, reserved).
 */
struct vfio_pviommu_bind {
	__u32 argsz;
	__u32 flags;		/* none defined: must be 0 */
	__s32 vhost_fd;
	__u32 reserved;		/* must be 0 */
};

/* _IO(VFIO_TYPE, VFIO_BASE + 90), with the VFIO convention of argsz. */
#define VFIO_PVIOMMU_BIND		_IO(';', 100 + 90)

/* ---- the vhost side ------------------------------------------------- */

/* The same magic as <linux/vhost.h>; 0xa0 and up are unused there. */
#define VHOST_IOMMU_VIRTIO		0xAF

/*
 * The virtio-iommu config space (struct virtio_iommu_config), in host byte
 * order.  The VMM owns config space; the kernel needs it to validate
 * requests.  page_size_mask must be non-zero and its granule (lowest set
 * bit) at least the host page size; input_start <= input_end;
 * domain_start <= domain_end; probe_size a multiple of 4, at most 4096 and
 * large enough for every declared endpoint's reserved regions (24 bytes
 * each); bypass 0 or 1.  Which ranges the driver sees is the VMM's choice
 * of feature bits; the kernel enforces these values regardless.
 */
struct vhost_iommu_config {
	__u64 page_size_mask;
	__u64 input_start;
	__u64 input_end;		/* inclusive */
	__u32 domain_start;
	__u32 domain_end;		/* inclusive */
	__u32 probe_size;
	__u8 bypass;
	__u8 padding[3];		/* must be 0 */
};

/* Bounds on what one guest can make the host hold. */
struct vhost_iommu_limits {
	__u64 max_domains;		/* live domains; 0: keep current */
	__u64 max_mappings;		/* live mappings, all domains; 0: keep */
};

/*
 * Declare a guest endpoint: the endpoint ID the guest uses in requests (for
 * PCI, the requester ID it sees) and the VFIO group of the device behind it.
 * The group must be in the bound container.  One endpoint per group: VFIO
 * moves whole groups between domains.
 *
 * VHOST_IOMMU_SET_ENDPOINT_ID gives the endpoint of a group another ID, with
 * the same struct.  VHOST_IOMMU_ENDPOINT_NO_ID (in either ioctl) is no ID: no
 * request can name the endpoint, which is unattached (bypassed or blocked).
 * That is a PCI device behind a bridge the firmware has not numbered yet.
 */
struct vhost_iommu_endpoint_decl {
	__u32 endpoint_id;
	__u32 iommu_group;	/* N of /dev/vfio/N */
};

#define VHOST_IOMMU_ENDPOINT_NO_ID	0xffffffffU

/*
 * Options of the fast path (VHOST_IOMMU_SET_OPTIONS); only while stopped,
 * with no mapping alive.
 *
 * VHOST_IOMMU_OPT_PREPIN: pin all guest RAM of the memory table once, when
 * the table is set (and when the option is set on a device that has one),
 * charged once to the owner's locked_vm like VFIO type1 without a vIOMMU.
 * A MAP is then a translation and an iommu_map(), an UNMAP an unmap
 * and a share of a batched IOTLB flush, with no pin or unpin per request.  Mappings keep the pages
 * they were made with across memory-table changes, until they are unmapped.
 *
 * Busy polling of the request queue is the standard
 * VHOST_SET_VRING_BUSYLOOP_TIMEOUT (microseconds) on queue 0.
 */
struct vhost_iommu_options {
	__u64 flags;			/* VHOST_IOMMU_OPT_* */
	__u64 reserved[3];		/* must be 0 */
};

#define VHOST_IOMMU_OPT_PREPIN		(1ULL << 0)

/* Counters, a snapshot. */
struct vhost_iommu_stats {
	__u64 requests[6];	/* [0]: returned with used_len 0; [type] */
	__u64 status[9];	/* by VIRTIO_IOMMU_S_* written */
	__u64 mappings;		/* live mappings */
	__u64 domains;		/* live domains */
	__u64 endpoints;	/* declared endpoints */
	__u64 pinned_pages;	/* pinned for MAP requests */
	__u64 bypass_pinned_pages; /* pinned for the identity domain */
	__u64 bad_chains;	/* malformed descriptor chains (vq_err) */
	__u64 weight_yields;	/* kicks cut short by the work limit, requeued */
	__u64 ram_pinned_pages;	/* all guest RAM, pinned once (OPT_PREPIN) */
	__u64 kicks;		/* passes over the request queue the guest kicked */
	__u64 polled;		/* requests found by busy polling, without a kick */
	__u64 iotlb_syncs;	/* IOTLB flushes after UNMAPs: one per batch */
	__u64 ioptes[3];	/* IOPTEs MAPs created: 4 KiB, 2 MiB, 1 GiB */
};

/* Set the config; only while stopped and with no domain alive. */
#define VHOST_IOMMU_SET_CONFIG	_IOW(VHOST_IOMMU_VIRTIO, 0xa0, struct vhost_iommu_config)
/* Set the limits; they apply to new domains and mappings. */
#define VHOST_IOMMU_SET_LIMITS	_IOW(VHOST_IOMMU_VIRTIO, 0xa1, struct vhost_iommu_limits)
/* Declare an endpoint. */
#define VHOST_IOMMU_ADD_ENDPOINT _IOW(VHOST_IOMMU_VIRTIO, 0xa2, struct vhost_iommu_endpoint_decl)
/* The driver wrote config.bypass (a __u8 passed as an int, 0 or 1). */
#define VHOST_IOMMU_SET_BYPASS	_IO(VHOST_IOMMU_VIRTIO, 0xa3)
/* Start and stop request processing. */
#define VHOST_IOMMU_START	_IO(VHOST_IOMMU_VIRTIO, 0xa4)
#define VHOST_IOMMU_STOP	_IO(VHOST_IOMMU_VIRTIO, 0xa5)
/* Read the counters. */
#define VHOST_IOMMU_GET_STATS	_IOR(VHOST_IOMMU_VIRTIO, 0xa6, struct vhost_iommu_stats)
/* Virtio device reset: detach every endpoint, destroy every domain. */
#define VHOST_IOMMU_RESET	_IO(VHOST_IOMMU_VIRTIO, 0xa7)
/* Set the options. */
#define VHOST_IOMMU_SET_OPTIONS	_IOW(VHOST_IOMMU_VIRTIO, 0xa8, struct vhost_iommu_options)
/* Renumber an endpoint; only while it is attached to no domain. */
#define VHOST_IOMMU_SET_ENDPOINT_ID _IOW(VHOST_IOMMU_VIRTIO, 0xa9, struct vhost_iommu_endpoint_decl)

#endif /* _UAPI_LINUX_VHOST_IOMMU_H */
