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
	struct iommu_device		iommu;
	struct device			*dev;		/* &vdev->dev */
	struct virtio_device		*vdev;
	struct kref			kref;		/* + one per live domain */
	struct list_head		list;		/* in viommu_list */

	struct ida			domain_ids;

	struct virtqueue		*vqs[2];
	spinlock_t			request_lock;	/* requests, vq 0 */
	struct list_head		requests;	/* queued, not yet used */
	bool				dead;		/* queues are gone */
	void				*evts;

	/* Configuration */
	struct iommu_domain_geometry	geometry;
	u64				pgsize_bitmap;
	u32				first_domain;
	u32				last_domain;
	u32				map_flags;	/* MAP flags allowed */
	u32				probe_size;
	bool				bypass_config;

	/* Probed endpoints, for fault lookup and removal */
	spinlock_t			ep_lock;	/* endpoints, ->vdomain */
	struct list_head		endpoints;

	/* Topology, see viommu_topo.c */
	bool				private_viot;	/* we gave the fwspecs */
	struct list_head		topo;		/* struct viommu_topo_ep */
	bool				registered;
};

struct viommu_domain {
	struct iommu_domain		domain;
	struct viommu_dev		*viommu;	/* set at first attach */
	struct mutex			mutex;		/* protects viommu */
	unsigned int			id;
	u32				map_flags;

	spinlock_t			mappings_lock;	/* mappings, nr_endpoints */
	struct viommu_model_mappings	mappings;	/* shadow of the device */
	unsigned long			nr_endpoints;
	bool				bypass;
};

static inline struct viommu_domain *to_viommu_domain(struct iommu_domain *d)
{
	return container_of(d, struct viommu_domain, domain);
}

struct viommu_endpoint {
	struct device			*dev;
	struct viommu_dev		*viommu;
	struct viommu_domain		*vdomain;	/* under viommu->ep_lock */
	struct list_head		resv_regions;
	struct list_head		list;		/* in viommu->endpoints */
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
