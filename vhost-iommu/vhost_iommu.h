/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vhost-iommu internals, shared by its four parts:
 *   vhost.c      the vhost char device: ioctls, vrings, the kick handler;
 *   domains.c    the device model's backend: domains, mappings, unmaps;
 *   ram.c        guest pages pinned: per mapping, or all guest RAM;
 *   container.c  the VFIO IOMMU driver: containers and groups.
 *
 * Objects and their locks
 * -----------------------
 * Beside each field: the lock that protects it, or [const] for a field set
 * before the object is published and never changed.
 *
 * struct vhost_iommu (one per open /dev/vhost-iommu) embeds the vhost
 * device and the protocol device model (proto/device.h).  The model is not
 * locked inside; every call into it, and every field marked [vq], is under
 * the request virtqueue's mutex, vqs[VHOST_IOMMU_VQ_REQ].mutex
 * (vhost_iommu_lock()).  [dev] is vhost_dev.mutex.
 *
 * struct vhost_iommu_container (one per VFIO container of our type) holds
 * the container's groups.  Its mutex, c->lock, protects the fields marked
 * [c] of the container and of its groups: which host domain a group is
 * attached to, whether it left the container, which endpoint uses it.
 *
 * Lock order (outermost first):
 *   vhost_dev.mutex -> vqs[REQ].mutex -> c->lock -> iommu_group->mutex
 *   VFIO's group_lock -> VFIO's container->group_lock -> c->lock
 * VFIO calls our attach_group/detach_group/release with its locks held; we
 * never call into VFIO while holding any of ours.
 *
 * Lifetimes: the container is refcounted (c->kref): VFIO's iommu_data holds
 * one reference and a bound vhost device another.  Groups are refcounted
 * (g->kref): the container's list (c->groups, or c->stuck) holds one and a
 * declared endpoint one.  vhost_iommu is freed by the release of its file,
 * after it has reset the model (which unmaps and unpins everything) and
 * unbound itself.
 *
 * Host domains: a guest domain's (vhost_iommu_domain.hd) and the identity
 * domain belong to the vhost device, and are freed through
 * vhost_iommu_free_host_domain().  The iommu core may fail to take a group
 * out of a domain (iommu_detach_group() only WARNs), so a group can be stuck
 * in a domain whose owner is done with it: that domain, emptied, then
 * belongs to the groups stuck in it (g->owns_domain), and the last of them
 * to leave it frees it.  A group with a domain is on c->groups or c->stuck.
 */
#ifndef VHOST_IOMMU_H
#define VHOST_IOMMU_H

#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "vhost.h"		/* drivers/vhost/vhost.h, see Kbuild */
#include "../proto/device.h"
#include "../proto/kcompat.h"
#include "uapi/linux/vhost_iommu.h"

/*
 * What the guest's requests allocate: charged to the VMM's memcg (the
 * worker charges it, vhost_iommu.memcg), and failed with NOMEM when that
 * is full, rather than by OOM-killing a task of the VMM.
 */
#define VHOST_IOMMU_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

enum {
	VHOST_IOMMU_VQ_REQ = VIOMMU_MODEL_VQ_REQUEST,
	VHOST_IOMMU_VQ_EVT = VIOMMU_MODEL_VQ_EVENT,
	VHOST_IOMMU_NR_VQS = VIOMMU_MODEL_NR_VQS,
};

/*
 * Guest pages pinned (and accounted to the owner's locked_vm) by us.  [vq],
 * as the mapping or identity domain that holds it.
 */
struct vhost_iommu_pin {
	struct page **pages;
	unsigned long npages;
	bool writable;
	struct page *one;	/* storage for pages when npages == 1 */
};

/*
 * One region of a pinned guest RAM, shared by the pinned RAMs of
 * successive memory tables that have it unchanged.  [vq], as all of it.
 */
struct vhost_iommu_ram_region {
	unsigned long users;		/* pinned RAMs that have it */
	u64 gpa;			/* page-aligned */
	u64 last;			/* inclusive, last byte of a page */
	u64 hva;			/* the owner's address of gpa */
	struct vhost_iommu_pin pin;
};

/* All guest RAM of one memory table, pinned (ram.c).  [vq], as all of it. */
struct vhost_iommu_ram {
	unsigned long users;		/* vi->ram, vi->retired, identity */
	unsigned long npages;		/* of all regions */
	/* The table it was pinned for: only compared, it may be gone */
	const struct vhost_iotlb *umem;
	struct vhost_iommu_ram *next_retired;	/* on vi->retired */
	unsigned int nr;
	struct vhost_iommu_ram_region *regions[];
};

/* Deferred UNMAP work: one IOTLB flush for a run of UNMAPs.  [vq] */
#define VHOST_IOMMU_BATCH_PINS	32
struct vhost_iommu_batch {
	bool open;			/* in a pass of the kick handler */
	struct iommu_domain *hd;	/* gather is for it; NULL: nothing to flush */
	struct iommu_iotlb_gather gather;
	unsigned int nr_pins;
	/* Unpinned after the flush: the IOTLB may hold them until then. */
	struct vhost_iommu_pin pins[VHOST_IOMMU_BATCH_PINS];
};

struct vhost_iommu_container;
struct vhost_iommu_endpoint;

/* A VFIO group in one of our containers. */
struct vhost_iommu_group {
	struct kref kref;
	struct vhost_iommu_container *c;	/* [const] no reference */
	struct list_head node;			/* [c] in c->groups */
	struct iommu_group *group;		/* [const] reference held */
	/* [const] Its IOMMU enforces cache coherency: our domains must, for it */
	bool coherent;
	/* [c] Our host domain the group is attached to; NULL: VFIO's blocking domain. */
	struct iommu_domain *domain;
	bool owns_domain;			/* [c] stuck in it, its last user */
	struct vhost_iommu_endpoint *ep;	/* [c] declared on it, or NULL */
	/* [c] left the container; [vq] readers use READ_ONCE, without c->lock */
	bool gone;
};

struct vhost_iommu_container {
	struct kref kref;
	struct mutex lock;			/* c->lock: the [c] fields */
	struct list_head groups;		/* [c] */
	/* [c] Groups that left the container while stuck in one of our domains */
	struct list_head stuck;
	const struct bus_type *bus;		/* [c] of the first group */
	struct vhost_iommu *vi;			/* [c] bound device, or NULL */
};

struct vhost_iommu_endpoint {
	struct viommu_model_endpoint ep;		/* [vq] */
	/* Set under [vq] and [c] when declared, then fixed; reference held */
	struct vhost_iommu_group *g;
	struct viommu_model_resv_region *resv;	/* [const] ep.resv */
	u64 attaches;				/* [vq] ATTACHes that put it in a domain */
};

struct vhost_iommu_domain {
	struct viommu_model_domain d;		/* [vq] */
	struct iommu_domain *hd;		/* [vq] NULL until first attach */
};

/*
 * [vq] A mapping that pins its own pages; empty if it has no access rights.
 * With VHOST_IOMMU_OPT_PREPIN a mapping is the model's struct alone.
 */
struct vhost_iommu_mapping {
	struct viommu_model_mapping m;
	struct vhost_iommu_pin pin;
};

/* The identity domain for bypassed endpoints: all guest RAM, GPA -> page. */
struct vhost_iommu_identity {
	struct iommu_domain *hd;		/* [vq], as all of it */
	struct vhost_iommu_ram *ram;		/* a user of it */
};

struct vhost_iommu {
	struct vhost_dev dev;			/* vhost's own locking */
	struct vhost_virtqueue vqs[VHOST_IOMMU_NR_VQS];	/* vhost's own locking */
	struct viommu_model pv;			/* [vq] */
	/* [vq] of vhost_iommu_endpoint, at endpoint_index() (vhost.c) */
	struct xarray endpoints;
	/* Queued when an endpoint's group leaves the container (hot-unplug) */
	struct vhost_work reap_work;
	/* Bound container; set once, under dev.mutex and [vq]. */
	struct vhost_iommu_container *container;
	struct vhost_iommu_identity *identity;	/* [vq] built when needed */
	/* The owner, whose RLIMIT_MEMLOCK applies; [dev], set with the owner. */
	struct task_struct *owner;
	bool lock_cap;				/* [dev], with owner */
	struct mem_cgroup *memcg;		/* [dev], with owner; charged by the worker */
	unsigned long pinned;			/* [vq] pages, for MAPs */
	/* [vq] VHOST_IOMMU_OPT_PREPIN: MAPs use ram, set while no mapping lives */
	bool prepin;
	struct vhost_iommu_ram *ram;		/* [vq] prepin: a user of it */
	/* [vq] prepin: RAMs of older tables that live mappings may still map */
	struct vhost_iommu_ram *retired;
	struct vhost_iommu_batch batch;		/* [vq] */
	bool requeued;				/* [vq] the next pass is our own */
	unsigned int nr_done;			/* [vq] completions in vq->heads */
	/* [vq] Units of work done so far: what the weight limit counts */
	unsigned long work;
	unsigned long nr_endpoints;		/* [vq] */
	bool closing;				/* [vq] release: no more bypass */
	bool keep_pins;				/* [vq] a short unmap: never unpin */
	u64 bad_chains;				/* [vq] */
	u64 weight_yields;			/* [vq] */
	u64 kicks;				/* [vq] */
	u64 polled;				/* [vq] */
	u64 iotlb_syncs;			/* [vq] */
	u64 ioptes[3];				/* [vq] 4K, 2M, 1G */
	u64 pass_max_ns;			/* [vq] the longest pass of the kick handler */
	int id;					/* [const] */
	struct dentry *debugfs;			/* [const] */
	/* [vq] bounce buffers of the request handler */
	u8 req[VIOMMU_MODEL_REQ_READABLE_MAX];
	u8 resp[VIOMMU_MODEL_PROBE_SIZE_MAX + sizeof(struct virtio_iommu_req_tail)];
};

static inline struct vhost_iommu *to_vhost_iommu(struct viommu_model *pv)
{
	return container_of(pv, struct vhost_iommu, pv);
}

static inline struct mutex *vhost_iommu_lock(struct vhost_iommu *vi)
{
	return &vi->vqs[VHOST_IOMMU_VQ_REQ].mutex;
}

/* vhost.c */
struct vhost_iommu *vhost_iommu_from_file(struct file *file);
int vhost_iommu_bind(struct vhost_iommu *vi, struct vhost_iommu_container *c);

/* domains.c */
extern const struct viommu_model_ops vhost_iommu_ops;
int vhost_iommu_domains_init(void);
void vhost_iommu_domains_exit(void);
void vhost_iommu_endpoint_gone(struct vhost_iommu *vi);
void vhost_iommu_identity_put_unused(struct vhost_iommu *vi);
int vhost_iommu_place_unattached(struct vhost_iommu *vi,
				 struct vhost_iommu_endpoint *vep);
int vhost_iommu_place_all_unattached(struct vhost_iommu *vi);
int vhost_iommu_identity_refresh(struct vhost_iommu *vi);
void vhost_iommu_identity_put(struct vhost_iommu *vi);
void vhost_iommu_unmap_flush(struct vhost_iommu *vi);

/* ram.c */
void vhost_iommu_pin_release(struct vhost_iommu *vi, struct vhost_iommu_pin *pin);
void vhost_iommu_pin_move(struct vhost_iommu_pin *to, struct vhost_iommu_pin *from);
bool vhost_iommu_gpa_covered(struct vhost_iotlb *umem, u64 gpa, u64 last, bool write);
u8 vhost_iommu_pin_gpa(struct vhost_iommu *vi, u64 gpa, unsigned long npages,
		       bool write, struct vhost_iommu_pin *pin);
struct vhost_iommu_ram *vhost_iommu_ram_build(struct vhost_iommu *vi,
					      const struct vhost_iommu_ram *old);
struct vhost_iommu_ram *vhost_iommu_ram_get(struct vhost_iommu *vi,
					    struct vhost_iommu_ram *ram);
void vhost_iommu_ram_put(struct vhost_iommu *vi, struct vhost_iommu_ram *ram);
struct page **vhost_iommu_ram_pages(const struct vhost_iommu_ram *ram, u64 gpa,
				    unsigned long *n);
int vhost_iommu_ram_refresh(struct vhost_iommu *vi);
void vhost_iommu_ram_retire(struct vhost_iommu *vi);

/* container.c */
int vhost_iommu_container_init(void);
void vhost_iommu_container_exit(void);
void vhost_iommu_container_put(struct vhost_iommu_container *c);
bool vhost_iommu_container_unbind_empty(struct vhost_iommu_container *c);
void vhost_iommu_put_resv_list(struct list_head *list);
void vhost_iommu_group_put(struct vhost_iommu_group *g);
int vhost_iommu_group_set_domain(struct vhost_iommu_group *g,
				 struct iommu_domain *hd);
struct iommu_domain *vhost_iommu_alloc_host_domain(struct vhost_iommu_container *c);
void vhost_iommu_free_host_domain(struct vhost_iommu_container *c,
				  struct iommu_domain *hd);

#endif /* VHOST_IOMMU_H */
