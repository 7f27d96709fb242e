/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pviommu.ko: the guest frontend of a virtio-iommu device (virtio device 23)
 * for kernels that lack CONFIG_VIRTIO_IOMMU, Debian 12's 6.1 among them.
 *
 * Three parts share this header:
 *   viommu_req.c   the virtio driver: features, config, the request queue,
 *                  the event queue, debugfs counters, device removal;
 *   viommu_ops.c   the iommu_ops: domains, MAP/UNMAP with proto/'s mapping
 *                  table as the shadow of what the device holds, PROBE and
 *                  reserved regions, fault reporting;
 *   viommu_topo.c  topology: ACPI VIOT (parsed here when the kernel has no
 *                  CONFIG_ACPI_VIOT), fwspecs, IOMMU group checks.
 *
 * Locks
 * -----
 * Beside each field: the lock that protects it, or why it needs none.
 * "probe" fields are set before the device is registered or the object
 * published, and only read afterwards.
 *   viommu_list_lock         (mutex) viommu_list and each device's ->list;
 *   viommu_domain.mutex      a domain's binding to a device (first attach);
 *   viommu_domain.mappings_lock  (spinlock, irqsave: map_pages() may be
 *                            atomic) the domain's shadow mappings and
 *                            endpoint count;
 *   viommu_dev.request_lock  (spinlock, irqsave) the request queue;
 *   viommu_dev.ep_lock       (spinlock, irqsave: the fault handler runs in
 *                            the event queue's interrupt) the device's
 *                            endpoint list, and each endpoint's ->vdomain
 *                            for the fault handler.
 * Nesting, outermost first:
 *   viommu_domain.mutex -> mappings_lock -> request_lock
 * (map_pages() and the replay of a domain's mappings queue requests under
 * mappings_lock, so that the device sees MAPs and UNMAPs in shadow order).
 * ep_lock nests with none of them: it is held only around the endpoint
 * list and the fault handler's report.
 */
#ifndef PVIOMMU_GUEST_VIOMMU_H
#define PVIOMMU_GUEST_VIOMMU_H

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>

#include "../proto/kcompat.h"
#include "../proto/mappings.h"

/* Debugfs counters, module-wide. */
enum viommu_counter {
	/* Objects: allocations and frees come in pairs. */
	VIOMMU_C_REQ_ALLOC,
	VIOMMU_C_REQ_FREE,
	VIOMMU_C_MAPPING_ALLOC,
	VIOMMU_C_MAPPING_FREE,
	VIOMMU_C_DOMAIN_ALLOC,
	VIOMMU_C_DOMAIN_FREE,
	VIOMMU_C_ENDPOINT_ALLOC,
	VIOMMU_C_ENDPOINT_FREE,
	VIOMMU_C_RESV_ALLOC,
	VIOMMU_C_RESV_FREE,
	/* Live state */
	VIOMMU_C_MAPPINGS_LIVE,
	VIOMMU_C_DOMAINS_LIVE,
	VIOMMU_C_ENDPOINTS_LIVE,
	/* Errors */
	VIOMMU_C_REQ_ERRORS,		/* any request that did not return OK */
	VIOMMU_C_USED_LEN_ZERO,		/* ... of which the device wrote nothing */
	VIOMMU_C_QUEUE_ERRORS,		/* a request could not be queued */
	VIOMMU_C_SPLIT_REFUSED,		/* unmap_pages would split a mapping */
	VIOMMU_C_RANGE_REFUSED,		/* map_pages outside the input range */
	VIOMMU_C_OVERLAP_REFUSED,	/* map_pages over an existing mapping */
	/* Events */
	VIOMMU_C_FAULTS,
	VIOMMU_C_FAULTS_IGNORED,	/* reserved bits set, or malformed */
	VIOMMU_C_FAULTS_REPORTED,	/* a domain handler took it */
	/* Syncs: one kick and wait each */
	VIOMMU_C_SYNCS,
	VIOMMU_NR_COUNTERS
};

struct viommu_stats {
	atomic64_t sent[VIRTIO_IOMMU_T_PROBE + 1];	/* by request type */
	atomic64_t status[VIRTIO_IOMMU_S_NOMEM + 1];	/* by status code */
	atomic64_t c[VIOMMU_NR_COUNTERS];
};

extern struct viommu_stats viommu_stats;

static inline void viommu_count(enum viommu_counter c)
{
	atomic64_inc(&viommu_stats.c[c]);
}

static inline void viommu_count_add(enum viommu_counter c, s64 n)
{
	atomic64_add(n, &viommu_stats.c[c]);
}

/* One virtio-iommu device. */
struct viommu_dev {
	struct iommu_device		iommu;		/* the core's */
	struct device			*dev;		/* probe: &vdev->dev */
	struct virtio_device		*vdev;		/* probe */
	struct kref			kref;		/* + one per live domain */
	struct list_head		list;		/* viommu_list_lock */

	struct ida			domain_ids;	/* the ida's own lock */

	struct virtqueue		*vqs[2];	/* probe */
	spinlock_t			request_lock;	/* requests, vq 0 */
	/* request_lock: queued, not yet used */
	struct list_head		requests;
	bool				dead;		/* request_lock: queues gone */
	void				*evts;		/* probe: event buffers */

	/* Configuration: probe */
	struct iommu_domain_geometry	geometry;
	u64				pgsize_bitmap;
	u32				first_domain;
	u32				last_domain;
	u32				map_flags;	/* MAP flags allowed */
	u32				probe_size;
	bool				bypass_config;

	/* Probed endpoints, for fault lookup and removal */
	spinlock_t			ep_lock;	/* endpoints, ->vdomain */
	struct list_head		endpoints;	/* ep_lock */

	/* Topology, see viommu_topo.c: probe, fixed while on viommu_list */
	bool				private_viot;	/* we gave the fwspecs */
	struct list_head		topo;		/* struct viommu_topo_ep */
};

struct viommu_domain {
	struct iommu_domain		domain;		/* the core's */
	/*
	 * mutex: set by the first attach.  map, unmap and flush read it
	 * without the mutex: the core's users (the DMA API, VFIO) attach a
	 * domain before they map it, ordered by their own locks, and a NULL
	 * refuses the call.
	 */
	struct viommu_dev		*viommu;
	struct mutex			mutex;		/* viommu, and with it: */
	unsigned int			id;		/* mutex, fixed once set */
	u32				map_flags;	/* mutex, fixed once set */

	spinlock_t			mappings_lock;	/* mappings, nr_endpoints */
	struct viommu_model_mappings	mappings;	/* mappings_lock: the device's shadow */
	unsigned long			nr_endpoints;	/* mappings_lock */
	bool				bypass;		/* mutex, fixed once set */
};

static inline struct viommu_domain *to_viommu_domain(struct iommu_domain *d)
{
	return container_of(d, struct viommu_domain, domain);
}

struct viommu_endpoint {
	struct device			*dev;		/* probe */
	struct viommu_dev		*viommu;	/* probe */
	/*
	 * Written by attach_dev() and release_device() under viommu->ep_lock,
	 * which the fault handler reads it under; the writers, which the core
	 * serialises, read it unlocked (viommu_set_ep_domain()).
	 */
	struct viommu_domain		*vdomain;
	struct list_head		resv_regions;	/* probe */
	struct list_head		list;		/* viommu->ep_lock */
	/* Set once, by viommu_topo_check_groups(): WRITE_ONCE/READ_ONCE */
	bool				group_incomplete;
};

/* viommu_req.c: the request queue */
int viommu_add_req(struct viommu_dev *viommu, void *buf, size_t len);
int viommu_send_req_sync(struct viommu_dev *viommu, void *buf, size_t len);
int viommu_sync_req(struct viommu_dev *viommu);
void viommu_put(struct viommu_dev *viommu);
int viommu_status_to_errno(u8 status);

/* viommu_ops.c */
extern struct iommu_ops viommu_ops;
void viommu_handle_fault(struct viommu_dev *viommu,
			 const struct virtio_iommu_fault *fault);

/* viommu_topo.c */
struct viommu_dev *viommu_lookup(struct device *dev);
int viommu_topo_init(struct viommu_dev *viommu);
void viommu_topo_check_groups(struct viommu_dev *viommu);
void viommu_topo_release(struct viommu_dev *viommu);
void viommu_topo_exit(void);
extern struct mutex viommu_list_lock;
extern struct list_head viommu_list;

#endif /* PVIOMMU_GUEST_VIOMMU_H */
