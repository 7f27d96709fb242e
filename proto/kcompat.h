/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel API differences between the kernels the modules build against,
 * Debian 12's Linux 6.1 and bookworm-backports' 6.12, in one place: every
 * test of LINUX_VERSION_CODE in the tree is in this file (make checkpatch
 * enforces it), and the modules call these wrappers instead.  Each wrapper
 * is keyed on the mainline release that changed the API.
 *
 * Kernel modules only (vhost-iommu/, guest/); proto/'s own sources, which
 * also build in userspace, do not include it.
 */
#ifndef PVIOMMU_KCOMPAT_H
#define PVIOMMU_KCOMPAT_H

#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/version.h>
#include <linux/virtio_config.h>

/* Is the kernel built against at least mainline release @major.@minor? */
#define PVIOMMU_COMPAT_SINCE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

/* ---- host side: vhost-iommu ------------------------------------------ */

/*
 * iommu_map() takes a gfp_t since 6.3, for its page-table allocations,
 * which @gfp charges to the VMM as VFIO type1 does; before, the IOMMU
 * driver allocates them as it likes (VT-d: GFP_ATOMIC, charged nowhere).
 */
static inline int pviommu_compat_iommu_map(struct iommu_domain *domain,
					   unsigned long iova,
					   phys_addr_t paddr, size_t size,
					   int prot, gfp_t gfp)
{
#if PVIOMMU_COMPAT_SINCE(6, 3)
	return iommu_map(domain, iova, paddr, size, prot, gfp);
#else
	return iommu_map(domain, iova, paddr, size, prot);
#endif
}

/* pin_user_pages_remote() lost its (always NULL here) vmas argument in 6.5. */
static inline long pviommu_compat_pin_user_pages_remote(struct mm_struct *mm,
							 unsigned long start,
							 unsigned long nr_pages,
							 unsigned int gup_flags,
							 struct page **pages)
{
#if PVIOMMU_COMPAT_SINCE(6, 5)
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL);
#else
	return pin_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL, NULL);
#endif
}

/*
 * Whether work is queued behind the running one: per worker since 6.5
 * (vhost_vq_has_work()), per device before.  A macro: struct
 * vhost_virtqueue is drivers/vhost's private type.
 */
#if PVIOMMU_COMPAT_SINCE(6, 5)
#define pviommu_compat_vq_has_work(vq)	vhost_vq_has_work(vq)
#else
#define pviommu_compat_vq_has_work(vq)	vhost_has_work((vq)->dev)
#endif

/* Queue @work on @vq's worker: per queue since 6.5, per device before. */
#if PVIOMMU_COMPAT_SINCE(6, 5)
#define pviommu_compat_vq_work_queue(vq, work)	vhost_vq_work_queue(vq, work)
#else
#define pviommu_compat_vq_work_queue(vq, work)	vhost_work_queue((vq)->dev, work)
#endif

/**
 * pviommu_compat_paging_domain_alloc() - a new UNMANAGED domain for a device
 * @dev: a device of the IOMMU the domain is for
 *
 * 6.11 has iommu_paging_domain_alloc(@dev), and deprecates the bus-wide
 * iommu_domain_alloc() of older kernels.
 *
 * Return: the domain, or an ERR_PTR().
 */
static inline struct iommu_domain *
pviommu_compat_paging_domain_alloc(struct device *dev)
{
#if PVIOMMU_COMPAT_SINCE(6, 11)
	return iommu_paging_domain_alloc(dev);
#else
	struct iommu_domain *domain = iommu_domain_alloc(dev->bus);

	return domain ?: ERR_PTR(-ENOMEM);
#endif
}

/**
 * pviommu_compat_dev_coherent() - can @dev's IOMMU enforce cache coherency?
 * @dev: a device of a VFIO group
 *
 * Since 6.2 the iommu core says (IOMMU_CAP_ENFORCE_CACHE_COHERENCY), and
 * KVM takes the DMA of such a device to be coherent
 * (vfio_file_enforced_coherent()), whatever domain it is in.  6.1 cannot
 * tell, and KVM asks the container's IOMMU driver instead
 * (VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU)).
 *
 * Return: 1 or 0; -EOPNOTSUPP if the core cannot tell.
 */
static inline int pviommu_compat_dev_coherent(struct device *dev)
{
#if PVIOMMU_COMPAT_SINCE(6, 2)
	return device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY);
#else
	return -EOPNOTSUPP;
#endif
}

/* ---- guest side: pviommu.ko ----------------------------------------- */

/*
 * iommu_fwspec_init() finds the ops from the fwnode since 6.11, which only
 * works once the IOMMU is registered; before, the caller passed them.
 */
static inline int pviommu_compat_fwspec_init(struct device *dev,
					     struct fwnode_handle *fwnode,
					     const struct iommu_ops *ops)
{
#if PVIOMMU_COMPAT_SINCE(6, 11)
	return iommu_fwspec_init(dev, fwnode);
#else
	return iommu_fwspec_init(dev, fwnode, ops);
#endif
}

/*
 * The DMA ops of an endpoint.  Since 6.10 the iommu core sets them up for
 * every probed device and every change of its default domain, and no longer
 * exports iommu_setup_dma_ops().  Before, where the architecture does not
 * (!CONFIG_ARCH_HAS_SETUP_DMA_OPS: x86), the driver does it in
 * probe_finalize, and puts the direct ops back when the device is released.
 */
static inline void pviommu_compat_setup_dma_ops(struct device *dev)
{
#if !PVIOMMU_COMPAT_SINCE(6, 10) && \
	!IS_ENABLED(CONFIG_ARCH_HAS_SETUP_DMA_OPS)
	/* Direct DMA first, in case the domain is no longer a DMA one. */
	set_dma_ops(dev, NULL);
	iommu_setup_dma_ops(dev, 0, U64_MAX);
#endif
}

static inline void pviommu_compat_clear_dma_ops(struct device *dev)
{
#if !PVIOMMU_COMPAT_SINCE(6, 10) && \
	!IS_ENABLED(CONFIG_ARCH_HAS_SETUP_DMA_OPS)
	set_dma_ops(dev, NULL);
#endif
}

/*
 * Until 6.8 the first IOMMU to register on a bus becomes the bus's
 * iommu_ops, and nothing clears it when the IOMMU goes away: its driver
 * must, or the bus keeps pointing into an unloaded module.  Since then
 * there is no such pointer.  (6.1's buses are not const yet.)
 */
#if PVIOMMU_COMPAT_SINCE(6, 8)
static inline void pviommu_compat_bus_forget_ops(const struct bus_type *bus,
						 const struct iommu_ops *ops)
{
}
#else
static inline void pviommu_compat_bus_forget_ops(struct bus_type *bus, const struct iommu_ops *ops)
{
	if (bus->iommu_ops == ops)
		bus->iommu_ops = NULL;
}
#endif

/*
 * IOMMU_CAP_DEFERRED_FLUSH (6.5): an IOMMU that does not report it gets
 * strict (DMA) default domains where lazy (DMA-FQ) ones were asked for.
 * Before, every IOMMU with flush_iotlb_all got lazy ones.
 */
static inline bool pviommu_compat_cap_is_deferred_flush(enum iommu_cap cap)
{
#if PVIOMMU_COMPAT_SINCE(6, 5)
	return cap == IOMMU_CAP_DEFERRED_FLUSH;
#else
	return false;
#endif
}

/**
 * PVIOMMU_COMPAT_DEFINE_SYNC_MAP() - define @fn_op, an iotlb_sync_map
 * callback that calls @fn
 * @fn: int fn(struct iommu_domain *domain, unsigned long iova, size_t size)
 *
 * The callback returns int since 6.7 (an error undoes the iommu_map()), and
 * returned void before, when @fn's error can only be dropped.
 */
#if PVIOMMU_COMPAT_SINCE(6, 7)
#define PVIOMMU_COMPAT_DEFINE_SYNC_MAP(fn)				\
static int fn##_op(struct iommu_domain *domain, unsigned long iova,	\
		   size_t size)						\
{									\
	return fn(domain, iova, size);					\
}
#else
#define PVIOMMU_COMPAT_DEFINE_SYNC_MAP(fn)				\
static void fn##_op(struct iommu_domain *domain, unsigned long iova,	\
		    size_t size)					\
{									\
	fn(domain, iova, size);						\
}
#endif

/*
 * virtio_find_vqs() takes an array of struct virtqueue_info since 6.11;
 * before, arrays of callbacks, names and context flags.
 */
#if !PVIOMMU_COMPAT_SINCE(6, 11)
struct virtqueue_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};

/* The most queues pviommu_compat_find_vqs() converts, on the stack. */
#define PVIOMMU_COMPAT_MAX_VQS	4
#endif

/**
 * pviommu_compat_find_vqs() - find a virtio device's queues
 * @vdev: the device
 * @nvqs: the number of queues, at most PVIOMMU_COMPAT_MAX_VQS before 6.11
 * @vqs: filled in with the queues
 * @vqs_info: each queue's name, callback and context flag
 *
 * Return: 0 or an errno, as virtio_find_vqs().
 */
static inline int pviommu_compat_find_vqs(struct virtio_device *vdev,
					  unsigned int nvqs,
					  struct virtqueue *vqs[],
					  struct virtqueue_info vqs_info[])
{
#if PVIOMMU_COMPAT_SINCE(6, 11)
	return virtio_find_vqs(vdev, nvqs, vqs, vqs_info, NULL);
#else
	vq_callback_t *callbacks[PVIOMMU_COMPAT_MAX_VQS];
	const char *names[PVIOMMU_COMPAT_MAX_VQS];
	bool ctx[PVIOMMU_COMPAT_MAX_VQS];
	unsigned int i;

	if (nvqs > PVIOMMU_COMPAT_MAX_VQS)
		return -EINVAL;
	for (i = 0; i < nvqs; i++) {
		callbacks[i] = vqs_info[i].callback;
		names[i] = vqs_info[i].name;
		ctx[i] = vqs_info[i].ctx;
	}
	return virtio_find_vqs_ctx(vdev, nvqs, vqs, callbacks, names, ctx,
				   NULL);
#endif
}

#endif /* PVIOMMU_KCOMPAT_H */
