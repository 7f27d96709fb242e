/* SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause */
/*
 * The virtio-iommu device model: request validation and the spec's rules
 * for domains, endpoints and mappings, independent of how a backend
 * programs the IOMMU.  The vhost-iommu kernel backend and the userspace
 * reference backend both run requests through viommu_model_handle() and
 * only supply the struct viommu_model_ops that touch hardware.
 *
 * Locking: none inside.  The caller serialises every call on one device
 * (the vhost backend holds the request virtqueue's mutex).
 */
#ifndef VIOMMU_MODEL_DEVICE_H
#define VIOMMU_MODEL_DEVICE_H

#include "idmap.h"
#include "mappings.h"

/* A reserved region of an endpoint, as PROBE reports it (RESV_MEM). */
struct viommu_model_resv_region {
	u64 start;
	u64 last;		/* inclusive */
	u8 subtype;		/* VIRTIO_IOMMU_RESV_MEM_T_* */
};

/* An initialiser: the x86 MSI doorbell window, the MSI region of x86. */
#define VIOMMU_MODEL_X86_MSI_REGION \
	{ VIOMMU_MODEL_X86_MSI_START, VIOMMU_MODEL_X86_MSI_END, \
	  VIRTIO_IOMMU_RESV_MEM_T_MSI }

struct viommu_model_domain;

/* An endpoint, embedded in the backend's own endpoint object. */
struct viommu_model_endpoint {
	u32 id;
	/* Reserved regions, owned by the backend, fixed once declared. */
	const struct viommu_model_resv_region *resv;
	unsigned int nr_resv;
	/* The domain this endpoint is attached to, or NULL. */
	struct viommu_model_domain *domain;
	/* Next endpoint attached to the same domain. */
	struct viommu_model_endpoint *next;
};

/* A domain, embedded in the backend's own domain object. */
struct viommu_model_domain {
	struct viommu_model_id id_node;		/* in device->domains */
	struct viommu_model_mappings mappings;
	struct viommu_model_endpoint *endpoints;
	bool bypass;				/* created with ATTACH_F_BYPASS */
};

static inline u32 viommu_model_domain_id(const struct viommu_model_domain *domain)
{
	return domain->id_node.id;
}

struct viommu_model;

/*
 * What a backend provides.  Calls that return u8 return a
 * VIRTIO_IOMMU_S_* status; anything but OK leaves the backend's state as
 * it was before the call.
 */
struct viommu_model_ops {
	struct viommu_model_endpoint *(*find_endpoint)(struct viommu_model *dev,
						  u32 id);
	struct viommu_model_domain *(*alloc_domain)(struct viommu_model *dev);
	void (*free_domain)(struct viommu_model *dev,
			    struct viommu_model_domain *domain);
	u8 (*attach)(struct viommu_model *dev, struct viommu_model_domain *domain,
		     struct viommu_model_endpoint *ep);
	/*
	 * Anything but OK: @ep could not leave @domain and is still attached
	 * to it.  DETACH, and an ATTACH that moves @ep, answer that status.  A
	 * device reset detaches @ep regardless and destroys @domain: until
	 * free_domain, the backend must keep @ep off the mappings, which the
	 * model removes first.
	 */
	u8 (*detach)(struct viommu_model *dev, struct viommu_model_domain *domain,
		     struct viommu_model_endpoint *ep);
	struct viommu_model_mapping *(*alloc_mapping)(struct viommu_model *dev);
	void (*free_mapping)(struct viommu_model *dev,
			     struct viommu_model_mapping *mapping);
	u8 (*map)(struct viommu_model *dev, struct viommu_model_domain *domain,
		  struct viommu_model_mapping *mapping);
	void (*unmap)(struct viommu_model *dev,
		      struct viommu_model_domain *domain,
		      struct viommu_model_mapping *mapping);
};

/* The device configuration, in CPU byte order. */
struct viommu_model_config {
	u64 page_size_mask;
	u64 input_start;
	u64 input_end;
	u32 domain_start;
	u32 domain_end;
	u32 probe_size;
	u8 bypass;
};

/* The largest probe_size a device may declare. */
#define VIOMMU_MODEL_PROBE_SIZE_MAX		4096

/* Index 0 of requests[] counts requests returned with used_len 0. */
struct viommu_model_stats {
	u64 requests[VIRTIO_IOMMU_T_PROBE + 1];
	u64 status[VIRTIO_IOMMU_S_NOMEM + 1];
	unsigned long mappings;
};

struct viommu_model {
	const struct viommu_model_ops *ops;
	struct viommu_model_config config;
	u64 offered_features;		/* VIRTIO_IOMMU_F_* bits offered */
	u64 features;			/* ... and negotiated */
	unsigned long max_domains;
	unsigned long max_mappings;	/* over all domains */
	struct viommu_model_idmap domains;	/* of struct viommu_model_domain */
	struct viommu_model_stats stats;
};

bool viommu_model_config_valid(const struct viommu_model_config *config);
void viommu_model_init(struct viommu_model *dev,
			 const struct viommu_model_ops *ops,
			 const struct viommu_model_config *config,
			 u64 offered_features);
size_t viommu_model_resp_size(const struct viommu_model *dev);
struct viommu_model_domain *viommu_model_find_domain(const struct viommu_model *dev,
						     u32 id);

/* How many domains the device has: the ID map's count. */
static inline unsigned long viommu_model_domain_count(const struct viommu_model *dev)
{
	return dev->domains.count;
}

size_t viommu_model_handle(struct viommu_model *dev,
			     const void *req, size_t req_len,
			     size_t writable_len, void *resp);
bool viommu_model_set_bypass(struct viommu_model *dev, u8 bypass);
bool viommu_model_endpoint_bypassed(const struct viommu_model *dev,
			       const struct viommu_model_endpoint *ep);
void viommu_model_reset(struct viommu_model *dev);
void viommu_model_unplug(struct viommu_model *dev, struct viommu_model_endpoint *ep);
void viommu_model_fault_encode(struct virtio_iommu_fault *fault, u8 reason,
			  u32 flags, u32 endpoint, u64 address);

#endif /* VIOMMU_MODEL_DEVICE_H */
