// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/*
 * The virtio-iommu device model.  Each check below carries the rule of the
 * virtio specification (device type 23) that it enforces, in the words of
 * the project's digest of it, docs/spec-rules.md.
 */
#include "device.h"

#define TAIL_SIZE	sizeof(struct virtio_iommu_req_tail)

static bool all_zero(const u8 *bytes, size_t len)
{
	while (len--)
		if (*bytes++)
			return false;
	return true;
}

static bool negotiated(const struct viommu_model *dev, unsigned int bit)
{
	return dev->features & (1ULL << bit);
}

/**
 * viommu_model_config_valid() - is a VMM-supplied device configuration sane?
 * @config: the configuration
 *
 * "page_size_mask is always present and MUST have at least one bit set."
 * The ranges must not be empty, bypass is 0 or 1, and probe_size is
 * bounded so that a response fits a small bounce buffer.
 *
 * Return: true when the device may be started with @config.
 */
bool viommu_model_config_valid(const struct viommu_model_config *config)
{
	return config->page_size_mask &&
	       config->input_start <= config->input_end &&
	       config->domain_start <= config->domain_end &&
	       config->probe_size <= VIOMMU_MODEL_PROBE_SIZE_MAX &&
	       config->probe_size % 4 == 0 &&
	       config->bypass <= 1;
}
EXPORT_SYMBOL_GPL(viommu_model_config_valid);

/**
 * viommu_model_init() - set up an empty device
 * @dev: the device
 * @ops: the backend
 * @config: a configuration that viommu_model_config_valid() accepted
 * @offered_features: the VIRTIO_IOMMU_F_* bits the device offers
 *
 * The negotiated features start out equal to the offered ones; the caller
 * narrows them once the driver has acked its set.  The limits start out
 * unbounded and are the caller's to set.
 */
void viommu_model_init(struct viommu_model *dev,
			 const struct viommu_model_ops *ops,
			 const struct viommu_model_config *config,
			 u64 offered_features)
{
	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->config = *config;
	dev->offered_features = offered_features;
	dev->features = offered_features;
	dev->max_domains = ~0UL;
	dev->max_mappings = ~0UL;
	dev->domains = VIOMMU_MODEL_IDMAP_INIT;
}
EXPORT_SYMBOL_GPL(viommu_model_init);

static struct viommu_model_domain *to_domain(struct viommu_model_id *node)
{
	return node ? container_of(node, struct viommu_model_domain, id_node) :
		      NULL;
}

/**
 * viommu_model_find_domain() - the live domain with ID @id
 * @dev: the device
 * @id: the domain ID
 *
 * Return: the domain, or NULL when no endpoint is attached to domain @id.
 */
struct viommu_model_domain *viommu_model_find_domain(const struct viommu_model *dev,
						     u32 id)
{
	return to_domain(viommu_model_idmap_find(&dev->domains, id));
}
EXPORT_SYMBOL_GPL(viommu_model_find_domain);

/* The size of the buffer viommu_model_handle() may write a response to. */
size_t viommu_model_resp_size(const struct viommu_model *dev)
{
	return dev->config.probe_size + TAIL_SIZE;
}
EXPORT_SYMBOL_GPL(viommu_model_resp_size);

/**
 * viommu_model_set_bypass() - the driver writes config.bypass
 * @dev: the device
 * @bypass: the value written
 *
 * "The driver may write only bypass, and only when BYPASS_CONFIG was
 * negotiated.  The value MUST be 0 or 1."
 *
 * Return: true if the write was accepted.
 */
bool viommu_model_set_bypass(struct viommu_model *dev, u8 bypass)
{
	if (!negotiated(dev, VIRTIO_IOMMU_F_BYPASS_CONFIG) || bypass > 1)
		return false;
	dev->config.bypass = bypass;
	return true;
}
EXPORT_SYMBOL_GPL(viommu_model_set_bypass);

/**
 * viommu_model_endpoint_bypassed() - does @ep's DMA bypass translation?
 * @dev: the device
 * @ep: the endpoint
 *
 * An endpoint is in bypass when it is attached to a domain created with
 * ATTACH_F_BYPASS, or when it is unattached and either BYPASS_CONFIG is
 * offered with config.bypass == 1 ("this applies even if the driver did not
 * accept the feature") or the legacy BYPASS feature is negotiated.
 * "The device SHOULD NOT let unattached, non-bypass endpoints reach guest
 * memory": backends block everything else.
 *
 * Return: true if @ep's accesses are translated with the identity.
 */
bool viommu_model_endpoint_bypassed(const struct viommu_model *dev,
			       const struct viommu_model_endpoint *ep)
{
	if (ep->domain)
		return ep->domain->bypass;
	if (dev->offered_features & (1ULL << VIRTIO_IOMMU_F_BYPASS_CONFIG))
		return dev->config.bypass == 1;
	return negotiated(dev, VIRTIO_IOMMU_F_BYPASS);
}
EXPORT_SYMBOL_GPL(viommu_model_endpoint_bypassed);

static bool resv_overlaps(const struct viommu_model_endpoint *ep,
			  u64 start, u64 last)
{
	unsigned int i;

	for (i = 0; i < ep->nr_resv; i++)
		if (viommu_model_ranges_overlap(ep->resv[i].start,
						ep->resv[i].last, start, last))
			return true;
	return false;
}

/* Does [start, last] touch a reserved region of any endpoint of @domain? */
static bool domain_resv_overlaps(const struct viommu_model_domain *domain,
				 u64 start, u64 last)
{
	const struct viommu_model_endpoint *ep;

	for (ep = domain->endpoints; ep; ep = ep->next)
		if (resv_overlaps(ep, start, last))
			return true;
	return false;
}

/* Does any mapping of @domain fall in a reserved region of @ep? */
static bool resv_conflicts(const struct viommu_model_domain *domain,
			   const struct viommu_model_endpoint *ep)
{
	unsigned int i;

	for (i = 0; i < ep->nr_resv; i++)
		if (viommu_model_mappings_first(&domain->mappings,
						ep->resv[i].start,
						ep->resv[i].last))
			return true;
	return false;
}

static void unlink_endpoint(struct viommu_model_endpoint *ep)
{
	struct viommu_model_endpoint **link = &ep->domain->endpoints;

	while (*link != ep)
		link = &(*link)->next;
	*link = ep->next;
	ep->next = NULL;
	ep->domain = NULL;
}

static void link_endpoint(struct viommu_model_domain *domain,
			  struct viommu_model_endpoint *ep)
{
	ep->domain = domain;
	ep->next = domain->endpoints;
	domain->endpoints = ep;
}

static void remove_mapping(struct viommu_model *dev,
			   struct viommu_model_domain *domain,
			   struct viommu_model_mapping *mapping)
{
	dev->ops->unmap(dev, domain, mapping);
	dev->ops->free_mapping(dev, mapping);
	dev->stats.mappings--;
}

/*
 * "Once its last endpoint is detached, the domain ceases to exist and its
 * mappings die with it; the ID may be reused."
 */
static void put_domain_if_empty(struct viommu_model *dev,
				struct viommu_model_domain *domain)
{
	struct viommu_model_mapping *mapping;

	if (domain->endpoints)
		return;
	while ((mapping = viommu_model_mappings_take(&domain->mappings, 0, U64_MAX)))
		remove_mapping(dev, domain, mapping);
	viommu_model_idmap_remove(&dev->domains, &domain->id_node);
	dev->ops->free_domain(dev, domain);
}

/*
 * Detach @ep from its domain, which dies if @ep was its last endpoint.  If
 * the backend cannot detach @ep, it stays attached, unless @force: a reset
 * forgets the attachment anyway (the backend copes, see struct
 * viommu_model_ops).  Returns the backend's status.
 */
static u8 detach_endpoint(struct viommu_model *dev,
			  struct viommu_model_endpoint *ep, bool force)
{
	struct viommu_model_domain *domain = ep->domain;
	u8 status;

	status = dev->ops->detach(dev, domain, ep);
	if (status != VIRTIO_IOMMU_S_OK && !force)
		return status;
	unlink_endpoint(ep);
	put_domain_if_empty(dev, domain);
	return status;
}

static struct viommu_model_domain *create_domain(struct viommu_model *dev,
					    u32 id, bool bypass)
{
	struct viommu_model_domain *domain;

	if (dev->domains.count >= dev->max_domains)
		return NULL;
	domain = dev->ops->alloc_domain(dev);
	if (!domain)
		return NULL;
	domain->id_node.id = id;
	domain->mappings = VIOMMU_MODEL_MAPPINGS_INIT;
	domain->endpoints = NULL;
	domain->bypass = bypass;
	viommu_model_idmap_insert(&dev->domains, &domain->id_node);
	return domain;
}

/*
 * Attach @ep, possibly attached elsewhere, to @domain.  "Endpoint already
 * attached elsewhere: SHOULD behave like DETACH followed by ATTACH; if
 * impossible, MUST return UNSUPP."  The backend's attach fails without side
 * effects, so on failure the endpoint goes back to where it was, if the
 * backend can attach it there again.  If it cannot, the endpoint is left as
 * the DETACH left it, unattached, and the old domain goes if that emptied
 * it, as after a DETACH.  A detach that fails (a device error, not a move
 * the device cannot do) fails the ATTACH with its status, as the DETACH it
 * stands for would.
 */
static u8 move_endpoint(struct viommu_model *dev,
			struct viommu_model_domain *domain,
			struct viommu_model_endpoint *ep)
{
	struct viommu_model_domain *old = ep->domain;
	u8 status;

	if (old) {
		/* The backend could not detach: @ep stays where it was. */
		status = dev->ops->detach(dev, old, ep);
		if (status != VIRTIO_IOMMU_S_OK) {
			put_domain_if_empty(dev, domain);
			return status;
		}
		unlink_endpoint(ep);
	}
	status = dev->ops->attach(dev, domain, ep);
	if (status == VIRTIO_IOMMU_S_OK) {
		link_endpoint(domain, ep);
		if (old)
			put_domain_if_empty(dev, old);
		return status;
	}
	if (old) {
		if (dev->ops->attach(dev, old, ep) == VIRTIO_IOMMU_S_OK)
			link_endpoint(old, ep);
		else
			put_domain_if_empty(dev, old);
	}
	put_domain_if_empty(dev, domain);
	return status;
}

static u8 handle_attach(struct viommu_model *dev,
			const struct virtio_iommu_req_attach *req)
{
	u32 domain_id = le32_to_cpu(req->domain);
	u32 flags = le32_to_cpu(req->flags);
	u32 known_flags = 0;
	struct viommu_model_endpoint *ep;
	struct viommu_model_domain *domain;
	bool bypass;

	if (negotiated(dev, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		known_flags |= VIRTIO_IOMMU_ATTACH_F_BYPASS;
	/* "MUST return INVAL: reserved != 0, or an unknown flags bit." */
	if (!all_zero(req->reserved, sizeof(req->reserved)) ||
	    (flags & ~known_flags))
		return VIRTIO_IOMMU_S_INVAL;
	/* "The driver MUST NOT exceed domain_range." */
	if (domain_id < dev->config.domain_start ||
	    domain_id > dev->config.domain_end)
		return VIRTIO_IOMMU_S_RANGE;
	/* "Unknown endpoint: MUST return NOENT." */
	ep = dev->ops->find_endpoint(dev, le32_to_cpu(req->endpoint));
	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;

	bypass = flags & VIRTIO_IOMMU_ATTACH_F_BYPASS;
	domain = viommu_model_find_domain(dev, domain_id);
	if (domain) {
		/* "Bypass flag inconsistent with the domain: SHOULD INVAL." */
		if (domain->bypass != bypass)
			return VIRTIO_IOMMU_S_INVAL;
		if (ep->domain == domain)
			return VIRTIO_IOMMU_S_OK;
		/* "PROBE properties incompatible with the domain: SHOULD UNSUPP." */
		if (resv_conflicts(domain, ep))
			return VIRTIO_IOMMU_S_UNSUPP;
	} else {
		/* "A missing domain is created." */
		domain = create_domain(dev, domain_id, bypass);
		if (!domain)
			return VIRTIO_IOMMU_S_NOMEM;
	}
	return move_endpoint(dev, domain, ep);
}

static u8 handle_detach(struct viommu_model *dev,
			const struct virtio_iommu_req_detach *req)
{
	struct viommu_model_endpoint *ep;

	/* "The device MUST ignore reserved." */
	ep = dev->ops->find_endpoint(dev, le32_to_cpu(req->endpoint));
	/* "Unknown endpoint: MUST return NOENT." */
	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;
	/* "Unknown domain, or endpoint not in that domain: MAY INVAL." */
	if (!ep->domain ||
	    viommu_model_domain_id(ep->domain) != le32_to_cpu(req->domain))
		return VIRTIO_IOMMU_S_INVAL;
	return detach_endpoint(dev, ep, false);
}

/* The domain that a MAP or UNMAP names, in @domain. */
static u8 find_translating_domain(const struct viommu_model *dev, __le32 id,
				  struct viommu_model_domain **domain)
{
	/* "No such domain: SHOULD NOENT.  Bypass domain: SHOULD INVAL." */
	*domain = viommu_model_find_domain(dev, le32_to_cpu(id));
	if (!*domain)
		return VIRTIO_IOMMU_S_NOENT;
	if ((*domain)->bypass)
		return VIRTIO_IOMMU_S_INVAL;
	return VIRTIO_IOMMU_S_OK;
}

/*
 * The checks of a MAP's addresses, which need neither the domain nor the
 * mapping table.
 */
static u8 check_map_range(const struct viommu_model *dev, u64 start,
			  u64 last, u64 phys)
{
	u64 granule_mask = (dev->config.page_size_mask &
			    -dev->config.page_size_mask) - 1;

	/* "virt_end MUST be greater than virt_start." */
	if (last < start)
		return VIRTIO_IOMMU_S_INVAL;
	/*
	 * "virt_start, phys_start or virt_end+1 not aligned to the granule:
	 * SHOULD return RANGE."  virt_end+1 wraps to 0 at the top of the
	 * address space, which is aligned.
	 */
	if ((start | phys | (last + 1)) & granule_mask)
		return VIRTIO_IOMMU_S_RANGE;
	/* "The driver MUST NOT exceed input_range." */
	if (start < dev->config.input_start || last > dev->config.input_end)
		return VIRTIO_IOMMU_S_RANGE;
	/* phys_start + size must not wrap around the address space. */
	if (phys + (last - start) < phys)
		return VIRTIO_IOMMU_S_RANGE;
	return VIRTIO_IOMMU_S_OK;
}

/*
 * Allocate, program and record the mapping of a MAP that passed every
 * check.  Any failure leaves the backend and the table as they were.
 */
static u8 add_mapping(struct viommu_model *dev,
		      struct viommu_model_domain *domain,
		      const struct virtio_iommu_req_map *req)
{
	struct viommu_model_mapping *mapping;
	u8 status;

	if (dev->stats.mappings >= dev->max_mappings)
		return VIRTIO_IOMMU_S_NOMEM;
	mapping = dev->ops->alloc_mapping(dev);
	if (!mapping)
		return VIRTIO_IOMMU_S_NOMEM;
	mapping->iova.start = le64_to_cpu(req->virt_start);
	mapping->iova.last = le64_to_cpu(req->virt_end);
	mapping->phys = le64_to_cpu(req->phys_start);
	mapping->flags = le32_to_cpu(req->flags);
	status = dev->ops->map(dev, domain, mapping);
	if (status != VIRTIO_IOMMU_S_OK) {
		dev->ops->free_mapping(dev, mapping);
		return status;
	}
	viommu_model_mappings_insert(&domain->mappings, mapping);
	dev->stats.mappings++;
	return VIRTIO_IOMMU_S_OK;
}

static u8 handle_map(struct viommu_model *dev,
		     const struct virtio_iommu_req_map *req)
{
	u64 start = le64_to_cpu(req->virt_start);
	u64 last = le64_to_cpu(req->virt_end);
	u32 flags = le32_to_cpu(req->flags);
	u32 known_flags = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	struct viommu_model_domain *domain;
	u8 status;

	if (!negotiated(dev, VIRTIO_IOMMU_F_MAP_UNMAP))
		return VIRTIO_IOMMU_S_UNSUPP;
	if (negotiated(dev, VIRTIO_IOMMU_F_MMIO))
		known_flags |= VIRTIO_IOMMU_MAP_F_MMIO;
	/* "Unknown flag: MUST return INVAL." */
	if (flags & ~known_flags)
		return VIRTIO_IOMMU_S_INVAL;
	status = check_map_range(dev, start, last,
				 le64_to_cpu(req->phys_start));
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	status = find_translating_domain(dev, req->domain, &domain);
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	/* "SHOULD reject a MAP that overlaps a RESV_MEM region." */
	if (domain_resv_overlaps(domain, start, last))
		return VIRTIO_IOMMU_S_INVAL;
	/* "Any existing mapping in the range (overlap): SHOULD INVAL." */
	status = viommu_model_mappings_check_map(&domain->mappings, start, last);
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	return add_mapping(dev, domain, req);
}

static u8 handle_unmap(struct viommu_model *dev,
		       const struct virtio_iommu_req_unmap *req)
{
	u64 start = le64_to_cpu(req->virt_start);
	u64 last = le64_to_cpu(req->virt_end);
	struct viommu_model_domain *domain;
	struct viommu_model_mapping *mapping;
	u8 status;

	if (!negotiated(dev, VIRTIO_IOMMU_F_MAP_UNMAP))
		return VIRTIO_IOMMU_S_UNSUPP;
	/* "reserved != 0: MAY INVAL."  We do, and unmap nothing. */
	if (!all_zero(req->reserved, sizeof(req->reserved)))
		return VIRTIO_IOMMU_S_INVAL;
	if (last < start)
		return VIRTIO_IOMMU_S_INVAL;
	status = find_translating_domain(dev, req->domain, &domain);
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	/* "Would split a mapping: SHOULD RANGE, and remove nothing." */
	status = viommu_model_mappings_check_unmap(&domain->mappings, start, last);
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	/* "Holes in the range: remove what is covered and return OK." */
	while ((mapping = viommu_model_mappings_take(&domain->mappings, start, last)))
		remove_mapping(dev, domain, mapping);
	return VIRTIO_IOMMU_S_OK;
}

/* Write @ep's reserved regions as RESV_MEM properties into @props. */
static u8 encode_probe(const struct viommu_model_endpoint *ep, u8 *props,
		       size_t size)
{
	struct virtio_iommu_probe_resv_mem prop;
	unsigned int i;

	if (ep->nr_resv * sizeof(prop) > size)
		return VIRTIO_IOMMU_S_DEVERR;
	for (i = 0; i < ep->nr_resv; i++) {
		memset(&prop, 0, sizeof(prop));
		prop.head.type = cpu_to_le16(VIRTIO_IOMMU_PROBE_T_RESV_MEM);
		prop.head.length = cpu_to_le16(sizeof(prop) - sizeof(prop.head));
		prop.subtype = ep->resv[i].subtype;
		prop.start = cpu_to_le64(ep->resv[i].start);
		prop.end = cpu_to_le64(ep->resv[i].last);
		memcpy(props + i * sizeof(prop), &prop, sizeof(prop));
	}
	/* The rest stays zero: "a type-0 entry ends the list". */
	return VIRTIO_IOMMU_S_OK;
}

static u8 handle_probe(struct viommu_model *dev,
		       const struct virtio_iommu_req_probe *req,
		       size_t writable_len, u8 *props)
{
	struct viommu_model_endpoint *ep;

	/* "Buffer smaller than probe_size: write no property, SHOULD INVAL." */
	if (writable_len < dev->config.probe_size + TAIL_SIZE)
		return VIRTIO_IOMMU_S_INVAL;
	/* "Unknown endpoint: SHOULD NOENT." */
	ep = dev->ops->find_endpoint(dev, le32_to_cpu(req->endpoint));
	if (!ep)
		return VIRTIO_IOMMU_S_NOENT;
	return encode_probe(ep, props, dev->config.probe_size);
}

/*
 * The bytes of the device-writable part that a request of @type gets back.
 * The properties of a PROBE come first and its tail after them; every
 * other request's writable part is its tail alone.  A PROBE buffer that is
 * too small gets its tail at its very end, where the driver looks for it.
 */
static size_t response_len(const struct viommu_model *dev, u8 type,
			   size_t writable_len)
{
	size_t full = dev->config.probe_size + TAIL_SIZE;

	if (type != VIRTIO_IOMMU_T_PROBE)
		return TAIL_SIZE;
	return writable_len < full ? writable_len : full;
}

/**
 * viommu_model_handle() - process one request from the request queue
 * @dev: the device
 * @req: the device-readable part of the request, copied out of the queue
 * @req_len: the length of the device-readable part
 * @writable_len: the length of the device-writable part
 * @resp: a buffer of viommu_model_resp_size() bytes for the response
 *
 * The caller copies the returned number of bytes from @resp to the start
 * of the device-writable part and reports that number as the used length.
 *
 * "Unparseable request (too short to find the tail): return the buffer
 * unwritten with used_len 0.  Unknown type: the device SHOULD NOT write and
 * SHOULD set used_len 0.  PROBE without the feature: SHOULD NOT write,
 * used_len 0."  A request whose body is shorter than its type's gets INVAL.
 *
 * Return: the used length, 0 when nothing is to be written.
 */
size_t viommu_model_handle(struct viommu_model *dev,
			     const void *req, size_t req_len,
			     size_t writable_len, void *resp)
{
	const struct virtio_iommu_req_head *head = req;
	struct virtio_iommu_req_tail *tail;
	size_t len;
	u8 type, status;

	if (req_len < sizeof(*head) || writable_len < TAIL_SIZE)
		goto drop;
	type = head->type;
	if (!viommu_model_req_readable_size(type))
		goto drop;
	if (type == VIRTIO_IOMMU_T_PROBE &&
	    !negotiated(dev, VIRTIO_IOMMU_F_PROBE))
		goto drop;

	len = response_len(dev, type, writable_len);
	memset(resp, 0, len);
	/* "The device MUST ignore head.reserved." */
	if (req_len < viommu_model_req_readable_size(type)) {
		status = VIRTIO_IOMMU_S_INVAL;
	} else {
		switch (type) {
		case VIRTIO_IOMMU_T_ATTACH:
			status = handle_attach(dev, req);
			break;
		case VIRTIO_IOMMU_T_DETACH:
			status = handle_detach(dev, req);
			break;
		case VIRTIO_IOMMU_T_MAP:
			status = handle_map(dev, req);
			break;
		case VIRTIO_IOMMU_T_UNMAP:
			status = handle_unmap(dev, req);
			break;
		default:
			status = handle_probe(dev, req, writable_len, resp);
			break;
		}
	}
	/* Backends return spec statuses; anything else is a device error. */
	if (status > VIRTIO_IOMMU_S_NOMEM)
		status = VIRTIO_IOMMU_S_DEVERR;
	/* "The device SHOULD zero tail.reserved." */
	tail = (struct virtio_iommu_req_tail *)((u8 *)resp + len - TAIL_SIZE);
	tail->status = status;
	dev->stats.requests[type]++;
	dev->stats.status[status]++;
	return len;

drop:
	dev->stats.requests[0]++;
	return 0;
}
EXPORT_SYMBOL_GPL(viommu_model_handle);

/**
 * viommu_model_reset() - detach every endpoint and destroy every domain
 * @dev: the device
 *
 * "After a device reset, no endpoint is attached to any domain."  The
 * configuration, bypass included, persists.
 */
void viommu_model_reset(struct viommu_model *dev)
{
	struct viommu_model_id *node;

	/*
	 * Every domain has an endpoint; its last detach destroys it.  Forced:
	 * the reset must end with no domain, whatever the backend says.
	 */
	while ((node = viommu_model_idmap_first(&dev->domains)))
		detach_endpoint(dev, to_domain(node)->endpoints, true);
}
EXPORT_SYMBOL_GPL(viommu_model_reset);

/**
 * viommu_model_unplug() - an endpoint is going away: detach it
 * @dev: the device
 * @ep: the endpoint, attached or not
 *
 * For hot-unplug: the guest's driver need not DETACH a device that is gone,
 * but nothing of it may stay in the host.  Its domain dies if it was the
 * last endpoint, with its mappings.  Forced, as a reset: the endpoint is
 * unattached afterwards, whatever the backend says.
 */
void viommu_model_unplug(struct viommu_model *dev, struct viommu_model_endpoint *ep)
{
	if (ep->domain)
		detach_endpoint(dev, ep, true);
}
EXPORT_SYMBOL_GPL(viommu_model_unplug);

/**
 * viommu_model_fault_encode() - fill in a fault report for the event queue
 * @fault: the report
 * @reason: VIRTIO_IOMMU_FAULT_R_*
 * @flags: VIRTIO_IOMMU_FAULT_F_*
 * @endpoint: the faulting endpoint
 * @address: the faulting address, valid when @flags has F_ADDRESS
 */
void viommu_model_fault_encode(struct virtio_iommu_fault *fault, u8 reason,
			  u32 flags, u32 endpoint, u64 address)
{
	memset(fault, 0, sizeof(*fault));
	fault->reason = reason;
	fault->flags = cpu_to_le32(flags);
	fault->endpoint = cpu_to_le32(endpoint);
	fault->address = cpu_to_le64(address);
}
EXPORT_SYMBOL_GPL(viommu_model_fault_encode);
