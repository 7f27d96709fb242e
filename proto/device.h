/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * The virtio-iommu device model: request validation and the spec's rules
 * for domains, endpoints and mappings, independent of how a backend
 * programs the IOMMU.  The vhost-iommu kernel backend and the userspace
 * reference backend both run requests through pviommu_device_handle() and
 * only supply the struct pviommu_device_ops that touch hardware.
 *
 * Locking: none inside.  The caller serialises every call on one device
 * (the vhost backend holds the request virtqueue's mutex).
 */
#ifndef PVIOMMU_DEVICE_H
#define PVIOMMU_DEVICE_H

#include "mappings.h"

/* A reserved region of an endpoint, as PROBE reports it (RESV_MEM). */
struct pviommu_resv_region {
	u64 start;
	u64 last;		/* inclusive */
	u8 subtype;		/* VIRTIO_IOMMU_RESV_MEM_T_* */
};

struct pviommu_domain;

/* An endpoint, embedded in the backend's own endpoint object. */
struct pviommu_endpoint {
	u32 id;
	/* Reserved regions, owned by the backend, fixed once declared. */
	const struct pviommu_resv_region *resv;
	unsigned int nr_resv;
	/* The domain this endpoint is attached to, or NULL. */
	struct pviommu_domain *domain;
	/* Next endpoint attached to the same domain. */
	struct pviommu_endpoint *next;
};

/* A domain, embedded in the backend's own domain object. */
struct pviommu_domain {
	struct pviommu_interval id_node;	/* [id, id] in device->domains */
	struct pviommu_itree mappings;		/* of struct pviommu_mapping */
	struct pviommu_endpoint *endpoints;
	bool bypass;				/* created with ATTACH_F_BYPASS */
};

static inline u32 pviommu_domain_id(const struct pviommu_domain *domain)
{
	return (u32)domain->id_node.start;
}

struct pviommu_device;

/*
 * What a backend provides.  Calls that return u8 return a
 * VIRTIO_IOMMU_S_* status; anything but OK leaves the backend's state as
 * it was before the call.
 */
struct pviommu_device_ops {
	struct pviommu_endpoint *(*find_endpoint)(struct pviommu_device *dev,
						  u32 id);
	struct pviommu_domain *(*alloc_domain)(struct pviommu_device *dev);
	void (*free_domain)(struct pviommu_device *dev,
			    struct pviommu_domain *domain);
	u8 (*attach)(struct pviommu_device *dev, struct pviommu_domain *domain,
		     struct pviommu_endpoint *ep);
	/*
	 * Anything but OK: @ep could not leave @domain and is still attached
	 * to it.  DETACH, and an ATTACH that moves @ep, answer that status.  A
	 * device reset detaches @ep regardless and destroys @domain: until
	 * free_domain, the backend must keep @ep off the mappings, which the
	 * model removes first.
	 */
	u8 (*detach)(struct pviommu_device *dev, struct pviommu_domain *domain,
		     struct pviommu_endpoint *ep);
	struct pviommu_mapping *(*alloc_mapping)(struct pviommu_device *dev);
	void (*free_mapping)(struct pviommu_device *dev,
			     struct pviommu_mapping *mapping);
	u8 (*map)(struct pviommu_device *dev, struct pviommu_domain *domain,
		  struct pviommu_mapping *mapping);
	void (*unmap)(struct pviommu_device *dev,
		      struct pviommu_domain *domain,
		      struct pviommu_mapping *mapping);
};

/* The device configuration, in CPU byte order. */
struct pviommu_device_config {
	u64 page_size_mask;
	u64 input_start;
	u64 input_end;
	u32 domain_start;
	u32 domain_end;
	u32 probe_size;
	u8 bypass;
};

/* The largest probe_size a device may declare. */
#define PVIOMMU_PROBE_SIZE_MAX		4096

/* Index 0 of requests[] counts requests returned with used_len 0. */
struct pviommu_device_stats {
	u64 requests[VIRTIO_IOMMU_T_PROBE + 1];
	u64 status[VIRTIO_IOMMU_S_NOMEM + 1];
	unsigned long mappings;
};

struct pviommu_device {
	const struct pviommu_device_ops *ops;
	struct pviommu_device_config config;
	u64 offered_features;		/* VIRTIO_IOMMU_F_* bits offered */
	u64 features;			/* ... and negotiated */
	unsigned long max_domains;
	unsigned long max_mappings;	/* over all domains */
	struct pviommu_itree domains;	/* of struct pviommu_domain */
	struct pviommu_device_stats stats;
};

bool pviommu_config_valid(const struct pviommu_device_config *config);
void pviommu_device_init(struct pviommu_device *dev,
			 const struct pviommu_device_ops *ops,
			 const struct pviommu_device_config *config,
			 u64 offered_features);
size_t pviommu_device_resp_size(const struct pviommu_device *dev);
size_t pviommu_device_handle(struct pviommu_device *dev,
			     const void *req, size_t req_len,
			     size_t writable_len, void *resp);
bool pviommu_device_set_bypass(struct pviommu_device *dev, u8 bypass);
bool pviommu_endpoint_bypassed(const struct pviommu_device *dev,
			       const struct pviommu_endpoint *ep);
void pviommu_device_reset(struct pviommu_device *dev);
void pviommu_fault_encode(struct virtio_iommu_fault *fault, u8 reason,
			  u32 flags, u32 endpoint, u64 address);

#endif /* PVIOMMU_DEVICE_H */
