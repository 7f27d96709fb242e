// SPDX-License-Identifier: GPL-2.0-only
/*
 * pviommu.ko, the IOMMU side: domains, MAP/UNMAP, endpoints and their
 * reserved regions, and fault reports.
 *
 * Each domain keeps proto/'s mapping table as the shadow of what the device
 * holds (one entry per MAP sent).  The shadow decides every UNMAP, so the
 * driver never sends one that would split a mapping, and it is replayed
 * when a domain gets its first endpoint back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "dma-iommu.h"
#include "viommu.h"

/* Where the MSI doorbell sits when the device reports no MSI region. */
#ifdef CONFIG_X86
#define VIOMMU_MSI_START	VIOMMU_MODEL_X86_MSI_START
#define VIOMMU_MSI_LENGTH	(VIOMMU_MODEL_X86_MSI_END - VIOMMU_MODEL_X86_MSI_START + 1)
#else
/* Software-mapped MSI window, as the in-tree driver uses on Arm */
#define VIOMMU_MSI_START	0x8000000
#define VIOMMU_MSI_LENGTH	0x100000
#endif

#define VIOMMU_MSI_PROT		(IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO)

/* The shadow */

static struct viommu_model_mapping *viommu_mapping_alloc(u64 start, u64 last,
							 phys_addr_t paddr,
							 u32 flags, gfp_t gfp)
{
	struct viommu_model_mapping *m = kzalloc(sizeof(*m), gfp);

	if (!m)
		return NULL;
	viommu_count(VIOMMU_C_MAPPING_ALLOC);
	m->iova.start = start;
	m->iova.last = last;
	m->phys = paddr;
	m->flags = flags;
	return m;
}

static void viommu_mapping_free(struct viommu_model_mapping *m)
{
	kfree(m);
	viommu_count(VIOMMU_C_MAPPING_FREE);
}

/* Insert into the shadow; -EEXIST if it overlaps.  Caller holds the lock. */
static int viommu_shadow_insert(struct viommu_domain *vdomain,
				struct viommu_model_mapping *m)
{
	lockdep_assert_held(&vdomain->mappings_lock);
	if (viommu_model_mappings_check_map(&vdomain->mappings, m->iova.start,
					    m->iova.last) != VIRTIO_IOMMU_S_OK) {
		viommu_count(VIOMMU_C_OVERLAP_REFUSED);
		return -EEXIST;
	}
	viommu_model_mappings_insert(&vdomain->mappings, m);
	viommu_count(VIOMMU_C_MAPPINGS_LIVE);
	return 0;
}

/* Remove every mapping within [start, last]; return the bytes removed. */
static u64 viommu_shadow_take(struct viommu_domain *vdomain, u64 start,
			      u64 last)
{
	struct viommu_model_mapping *m;
	u64 removed = 0;

	lockdep_assert_held(&vdomain->mappings_lock);
	while ((m = viommu_model_mappings_take(&vdomain->mappings, start, last))) {
		removed += viommu_model_mapping_size(m);
		viommu_count_add(VIOMMU_C_MAPPINGS_LIVE, -1);
		viommu_mapping_free(m);
	}
	return removed;
}

static void viommu_fill_map(struct virtio_iommu_req_map *map,
			    struct viommu_domain *vdomain,
			    const struct viommu_model_mapping *m)
{
	*map = (struct virtio_iommu_req_map) {
		.head.type	= VIRTIO_IOMMU_T_MAP,
		.domain		= cpu_to_le32(vdomain->id),
		.virt_start	= cpu_to_le64(m->iova.start),
		.virt_end	= cpu_to_le64(m->iova.last),
		.phys_start	= cpu_to_le64(m->phys),
		.flags		= cpu_to_le32(m->flags),
	};
}

/*
 * Send the domain's mappings again: the device dropped them when the
 * domain lost its last endpoint.  Caller holds the mappings lock.
 */
static int viommu_replay_mappings(struct viommu_domain *vdomain)
{
	struct virtio_iommu_req_map map;
	struct viommu_model_mapping *m;
	int ret;

	lockdep_assert_held(&vdomain->mappings_lock);
	for (m = viommu_model_mappings_first(&vdomain->mappings, 0, U64_MAX); m;
	     m = viommu_model_mappings_next(m, 0, U64_MAX)) {
		viommu_fill_map(&map, vdomain, m);
		ret = viommu_send_req_sync(vdomain->viommu, &map, sizeof(map));
		if (ret)
			return ret;
	}
	return 0;
}

/* Reserved regions */

static struct iommu_resv_region *
viommu_resv_alloc(phys_addr_t start, size_t length, int prot,
		  enum iommu_resv_type type)
{
	struct iommu_resv_region *r;

	r = iommu_alloc_resv_region(start, length, prot, type, GFP_KERNEL);
	if (r)
		viommu_count(VIOMMU_C_RESV_ALLOC);
	return r;
}

static void viommu_resv_insert_sorted(struct viommu_endpoint *vep,
				      struct iommu_resv_region *region)
{
	struct iommu_resv_region *next;

	list_for_each_entry(next, &vep->resv_regions, list) {
		if (next->start > region->start)
			break;
	}
	list_add_tail(&region->list, &next->list);
}

static void viommu_resv_put_all(struct viommu_endpoint *vep)
{
	struct iommu_resv_region *r, *tmp;

	list_for_each_entry_safe(r, tmp, &vep->resv_regions, list) {
		list_del(&r->list);
		kfree(r);
		viommu_count(VIOMMU_C_RESV_FREE);
	}
}

/* One RESV_MEM property, @len bytes including its header. */
static void viommu_add_resv_mem(struct viommu_endpoint *vep,
				const struct virtio_iommu_probe_resv_mem *mem,
				size_t len)
{
	struct iommu_resv_region *region;
	u64 start, end;

	/* The length is the property's own, never the type's. */
	if (len < sizeof(*mem)) {
		dev_warn(vep->dev, "RESV_MEM property of %zu bytes ignored\n",
			 len);
		return;
	}
	start = le64_to_cpu(mem->start);
	end = le64_to_cpu(mem->end);
	if (end < start || end - start + 1 == 0 ||
	    (phys_addr_t)start != start || (phys_addr_t)end != end) {
		dev_warn(vep->dev, "RESV_MEM [%#llx-%#llx] ignored\n",
			 start, end);
		return;
	}

	switch (mem->subtype) {
	case VIRTIO_IOMMU_RESV_MEM_T_MSI:
		region = viommu_resv_alloc(start, end - start + 1,
					   VIOMMU_MSI_PROT, IOMMU_RESV_MSI);
		break;
	default:
		dev_info(vep->dev,
			 "RESV_MEM subtype %u treated as reserved\n",
			 mem->subtype);
		fallthrough;
	case VIRTIO_IOMMU_RESV_MEM_T_RESERVED:
		region = viommu_resv_alloc(start, end - start + 1, 0,
					   IOMMU_RESV_RESERVED);
		break;
	}
	if (region)
		viommu_resv_insert_sorted(vep, region);
}

/*
 * PROBE the endpoint and keep what it reports.  -ENODEV when the device does
 * not know the endpoint: the iommu core then leaves that device out instead
 * of failing the whole registration.
 */
static int viommu_probe_endpoint(struct viommu_dev *viommu,
				 struct viommu_endpoint *vep,
				 struct iommu_fwspec *fwspec)
{
	struct virtio_iommu_probe_property *prop;
	struct virtio_iommu_req_probe *probe;
	size_t cur = 0, probe_len;
	u16 raw, len;
	int ret;

	probe_len = sizeof(*probe) + viommu->probe_size +
		    sizeof(struct virtio_iommu_req_tail);
	probe = kzalloc(probe_len, GFP_KERNEL);
	if (!probe)
		return -ENOMEM;

	probe->head.type = VIRTIO_IOMMU_T_PROBE;
	/* The properties of an endpoint with several IDs are its first's. */
	probe->endpoint = cpu_to_le32(fwspec->ids[0]);

	ret = viommu_send_req_sync(viommu, probe, probe_len);
	if (ret == -ENOENT) {
		/* The firmware named it, but the device does not know it. */
		dev_warn(vep->dev,
			 "endpoint %u unknown to the IOMMU: left untranslated\n",
			 fwspec->ids[0]);
		ret = -ENODEV;
		goto out;
	}
	if (ret) {
		dev_err(vep->dev, "PROBE of endpoint %u failed: %d\n",
			fwspec->ids[0], ret);
		goto out;
	}

	while (cur + sizeof(*prop) <= viommu->probe_size) {
		prop = (void *)probe->properties + cur;
		raw = le16_to_cpu(prop->type);
		len = le16_to_cpu(prop->length);

		if (raw == VIRTIO_IOMMU_PROBE_T_NONE)
			break;
		if (cur + sizeof(*prop) + len > viommu->probe_size) {
			dev_warn(vep->dev,
				 "PROBE property %#x overruns the buffer: ignored\n",
				 raw);
			break;
		}
		if (raw & VIOMMU_MODEL_PROBE_T_RESERVED_MASK) {
			dev_dbg(vep->dev,
				"PROBE property %#x has reserved bits: ignored\n",
				raw);
		} else if ((raw & VIRTIO_IOMMU_PROBE_T_MASK) ==
			   VIRTIO_IOMMU_PROBE_T_RESV_MEM) {
			viommu_add_resv_mem(vep, (void *)prop,
					    sizeof(*prop) + len);
		} else {
			dev_dbg(vep->dev, "unknown PROBE property %#x skipped\n",
				raw);
		}
		cur += sizeof(*prop) + len;
	}
out:
	kfree(probe);
	return ret;
}

static bool viommu_has_msi_region(struct viommu_endpoint *vep)
{
	struct iommu_resv_region *r;

	list_for_each_entry(r, &vep->resv_regions, list)
		if (r->type == IOMMU_RESV_MSI)
			return true;
	return false;
}

/* Domains */

static struct iommu_domain *viommu_domain_alloc(unsigned int type)
{
	struct viommu_domain *vdomain;

	if (type != IOMMU_DOMAIN_UNMANAGED && type != IOMMU_DOMAIN_DMA &&
	    type != IOMMU_DOMAIN_DMA_FQ && type != IOMMU_DOMAIN_IDENTITY)
		return NULL;

	vdomain = kzalloc(sizeof(*vdomain), GFP_KERNEL);
	if (!vdomain)
		return NULL;
	viommu_count(VIOMMU_C_DOMAIN_ALLOC);
	viommu_count(VIOMMU_C_DOMAINS_LIVE);

	mutex_init(&vdomain->mutex);
	spin_lock_init(&vdomain->mappings_lock);
	vdomain->mappings = VIOMMU_MODEL_MAPPINGS_INIT;
	return &vdomain->domain;
}

/* Identity-map the input range, minus the endpoint's reserved regions. */
static int viommu_domain_map_identity(struct viommu_endpoint *vep,
				      struct viommu_domain *vdomain)
{
	u64 granule = 1ULL << __ffs64(vdomain->domain.pgsize_bitmap);
	u64 iova = ALIGN(vdomain->domain.geometry.aperture_start, granule);
	u64 limit = vdomain->domain.geometry.aperture_end;
	u32 flags = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	struct iommu_resv_region *resv;
	struct viommu_model_mapping *m;
	unsigned long irqflags;
	int ret = 0;

	if (limit != U64_MAX)
		limit = ALIGN_DOWN(limit + 1, granule) - 1;
	else
		limit = ALIGN_DOWN(limit, granule) - 1 + granule;

	spin_lock_irqsave(&vdomain->mappings_lock, irqflags);
	list_for_each_entry(resv, &vep->resv_regions, list) {
		u64 resv_start = ALIGN_DOWN(resv->start, granule);
		u64 resv_end = ALIGN(resv->start + resv->length, granule) - 1;

		if (resv_end < iova || resv_start > limit)
			continue;
		if (resv_start > iova) {
			m = viommu_mapping_alloc(iova, resv_start - 1, iova,
						 flags, GFP_ATOMIC);
			ret = m ? viommu_shadow_insert(vdomain, m) : -ENOMEM;
			if (ret) {
				if (m)
					viommu_mapping_free(m);
				goto out;
			}
		}
		if (resv_end >= limit)
			goto out;
		iova = resv_end + 1;
	}
	m = viommu_mapping_alloc(iova, limit, iova, flags, GFP_ATOMIC);
	ret = m ? viommu_shadow_insert(vdomain, m) : -ENOMEM;
	if (ret && m)
		viommu_mapping_free(m);
out:
	if (ret)
		viommu_shadow_take(vdomain, 0, U64_MAX);
	spin_unlock_irqrestore(&vdomain->mappings_lock, irqflags);
	return ret;
}

/* Bind a domain to the device of its first endpoint.  Under its mutex. */
static int viommu_domain_finalise(struct viommu_endpoint *vep,
				  struct viommu_domain *vdomain)
{
	struct viommu_dev *viommu = vep->viommu;
	struct iommu_domain *domain = &vdomain->domain;
	int ret;

	lockdep_assert_held(&vdomain->mutex);
	ret = ida_alloc_range(&viommu->domain_ids, viommu->first_domain,
			      viommu->last_domain, GFP_KERNEL);
	if (ret < 0) {
		dev_err(vep->dev, "no free domain ID in [%u-%u]\n",
			viommu->first_domain, viommu->last_domain);
		return ret;
	}
	vdomain->id = ret;
	domain->pgsize_bitmap = viommu->pgsize_bitmap;
	domain->geometry = viommu->geometry;
	vdomain->map_flags = viommu->map_flags;

	if (domain->type == IOMMU_DOMAIN_IDENTITY) {
		if (viommu->bypass_config) {
			vdomain->bypass = true;
		} else {
			ret = viommu_domain_map_identity(vep, vdomain);
			if (ret) {
				ida_free(&viommu->domain_ids, vdomain->id);
				return ret;
			}
		}
	}

	kref_get(&viommu->kref);
	vdomain->viommu = viommu;
	return 0;
}

static void viommu_domain_free(struct iommu_domain *domain)
{
	struct viommu_domain *vdomain = to_viommu_domain(domain);
	unsigned long flags;

	spin_lock_irqsave(&vdomain->mappings_lock, flags);
	if (vdomain->nr_endpoints)
		pr_err("domain %u freed with %lu endpoints attached\n",
		       vdomain->id, vdomain->nr_endpoints);
	viommu_shadow_take(vdomain, 0, U64_MAX);
	spin_unlock_irqrestore(&vdomain->mappings_lock, flags);

	if (vdomain->viommu) {
		ida_free(&vdomain->viommu->domain_ids, vdomain->id);
		viommu_put(vdomain->viommu);
	}
	kfree(vdomain);
	viommu_count(VIOMMU_C_DOMAIN_FREE);
	viommu_count_add(VIOMMU_C_DOMAINS_LIVE, -1);
}

/*
 * vep->vdomain has two writers, attach_dev() and release_device() (through
 * viommu_detach_dev()), which the iommu core never runs at the same time for
 * one device: attach_dev() under the group's mutex while the device is in
 * the group, release_device() once the device leaves the bus or its IOMMU
 * goes (viommu_remove() unbinds the drivers first).  An attach racing a
 * release would use the endpoint that the release frees, which no lock of
 * ours could prevent.  So the writers read it without a lock.  The other
 * reader is the fault handler, in interrupt context at any time: for it the
 * write is under ep_lock.  map_pages() and unmap_pages() never read it; they
 * go by the domain's nr_endpoints, under its mappings_lock.
 */
static void viommu_set_ep_domain(struct viommu_endpoint *vep,
				 struct viommu_domain *vdomain)
{
	unsigned long flags;

	spin_lock_irqsave(&vep->viommu->ep_lock, flags);
	vep->vdomain = vdomain;
	spin_unlock_irqrestore(&vep->viommu->ep_lock, flags);
}

/*
 * After the DETACH, or the ATTACH that moved the endpoint away, has
 * completed.  A MAP or UNMAP that map_pages() or unmap_pages() queued in
 * between still counted the endpoint, and reaches a domain the device may
 * have dropped: it fails with NOENT, logged but harmless, as the shadow
 * keeps every mapping for a replay.  Counting the endpoint out before the
 * request instead would leave out MAPs that the still-attached endpoint may
 * use.
 */
static void viommu_domain_drop_endpoint(struct viommu_domain *vdomain)
{
	unsigned long flags;

	spin_lock_irqsave(&vdomain->mappings_lock, flags);
	vdomain->nr_endpoints--;
	spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
}

static void viommu_detach_dev(struct viommu_endpoint *vep)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(vep->dev);
	/* No lock: we write it, see viommu_set_ep_domain(). */
	struct viommu_domain *vdomain = vep->vdomain;
	struct virtio_iommu_req_detach req;
	int i, ret;

	if (!vdomain)
		return;

	req = (struct virtio_iommu_req_detach) {
		.head.type	= VIRTIO_IOMMU_T_DETACH,
		.domain		= cpu_to_le32(vdomain->id),
	};
	for (i = 0; i < fwspec->num_ids; i++) {
		req.endpoint = cpu_to_le32(fwspec->ids[i]);
		ret = viommu_send_req_sync(vep->viommu, &req, sizeof(req));
		if (ret)
			dev_err(vep->dev,
				"DETACH of endpoint %u from domain %u failed: %d\n",
				fwspec->ids[i], vdomain->id, ret);
	}
	viommu_domain_drop_endpoint(vdomain);
	viommu_set_ep_domain(vep, NULL);
}

static int viommu_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	struct viommu_endpoint *vep = dev_iommu_priv_get(dev);
	struct viommu_domain *vdomain = to_viommu_domain(domain);
	/* No lock: we write it, see viommu_set_ep_domain(). */
	struct viommu_domain *old = vep->vdomain;
	struct virtio_iommu_req_attach req;
	unsigned long flags;
	int i, ret = 0;

	if (domain->type == IOMMU_DOMAIN_UNMANAGED &&
	    READ_ONCE(vep->group_incomplete)) {
		dev_err(dev,
			"its IOMMU group holds a device that pviommu does not translate: refusing to hand the group over\n");
		return -EPERM;
	}

	mutex_lock(&vdomain->mutex);
	if (!vdomain->viommu)
		ret = viommu_domain_finalise(vep, vdomain);
	else if (vdomain->viommu != vep->viommu)
		ret = -EXDEV;
	mutex_unlock(&vdomain->mutex);
	if (ret)
		return ret;

	req = (struct virtio_iommu_req_attach) {
		.head.type	= VIRTIO_IOMMU_T_ATTACH,
		.domain		= cpu_to_le32(vdomain->id),
	};
	if (vdomain->bypass)
		req.flags |= cpu_to_le32(VIRTIO_IOMMU_ATTACH_F_BYPASS);

	for (i = 0; i < fwspec->num_ids; i++) {
		req.endpoint = cpu_to_le32(fwspec->ids[i]);
		ret = viommu_send_req_sync(vep->viommu, &req, sizeof(req));
		if (ret) {
			dev_err(dev, "ATTACH of endpoint %u to domain %u failed: %d\n",
				fwspec->ids[i], vdomain->id, ret);
			return ret;
		}
	}
	if (old == vdomain)
		return 0;

	/*
	 * The device moved the endpoint out of its old domain, and dropped
	 * that domain's mappings if it has no endpoint left.  The driver
	 * keeps them in the shadow for a later reattachment.
	 */
	if (old)
		viommu_domain_drop_endpoint(old);

	spin_lock_irqsave(&vdomain->mappings_lock, flags);
	if (!vdomain->nr_endpoints && !vdomain->bypass)
		ret = viommu_replay_mappings(vdomain);
	vdomain->nr_endpoints++;
	spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
	viommu_set_ep_domain(vep, vdomain);
	if (ret) {
		dev_err(dev, "replaying the mappings of domain %u failed: %d\n",
			vdomain->id, ret);
		/*
		 * The IOMMU core takes the attach as failed: the endpoint must
		 * not stay in a domain that has only part of its mappings.
		 */
		viommu_detach_dev(vep);
	}
	return ret;
}

static int viommu_map_pages(struct iommu_domain *domain, unsigned long iova,
			    phys_addr_t paddr, size_t pgsize, size_t pgcount,
			    int prot, gfp_t gfp, size_t *mapped)
{
	struct viommu_domain *vdomain = to_viommu_domain(domain);
	size_t size = pgsize * pgcount;
	u64 last = (u64)iova + size - 1;
	struct virtio_iommu_req_map map;
	struct viommu_model_mapping *m;
	unsigned long flags;
	u32 map_flags;
	int ret;

	if (!vdomain->viommu || vdomain->bypass)
		return -ENODEV;

	map_flags = (prot & IOMMU_READ ? VIRTIO_IOMMU_MAP_F_READ : 0) |
		    (prot & IOMMU_WRITE ? VIRTIO_IOMMU_MAP_F_WRITE : 0) |
		    (prot & IOMMU_MMIO ? VIRTIO_IOMMU_MAP_F_MMIO : 0);
	if (map_flags & ~vdomain->map_flags)
		return -EINVAL;

	if (!size || last < iova || iova < domain->geometry.aperture_start ||
	    last > domain->geometry.aperture_end) {
		viommu_count(VIOMMU_C_RANGE_REFUSED);
		return -EINVAL;
	}

	m = viommu_mapping_alloc(iova, last, paddr, map_flags, gfp);
	if (!m)
		return -ENOMEM;

	spin_lock_irqsave(&vdomain->mappings_lock, flags);
	ret = viommu_shadow_insert(vdomain, m);
	if (ret) {
		spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
		viommu_mapping_free(m);
		return ret;
	}
	/* Queued, not kicked: iotlb_sync_map() completes the batch. */
	if (vdomain->nr_endpoints) {
		viommu_fill_map(&map, vdomain, m);
		ret = viommu_add_req(vdomain->viommu, &map, sizeof(map));
		if (ret) {
			viommu_model_mappings_remove(&vdomain->mappings, m);
			viommu_count_add(VIOMMU_C_MAPPINGS_LIVE, -1);
			spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
			viommu_mapping_free(m);
			return ret;
		}
	}
	spin_unlock_irqrestore(&vdomain->mappings_lock, flags);

	if (mapped)
		*mapped = size;
	return 0;
}

static size_t viommu_unmap_pages(struct iommu_domain *domain,
				 unsigned long iova, size_t pgsize,
				 size_t pgcount,
				 struct iommu_iotlb_gather *gather)
{
	struct viommu_domain *vdomain = to_viommu_domain(domain);
	u64 last = (u64)iova + pgsize * pgcount - 1;
	struct virtio_iommu_req_unmap unmap;
	struct viommu_model_mapping *m;
	unsigned long flags;
	u64 removed;

	if (!vdomain->viommu || vdomain->bypass)
		return 0;

	spin_lock_irqsave(&vdomain->mappings_lock, flags);
	/* A mapping that starts before @iova would be split: refuse. */
	m = viommu_model_mappings_find(&vdomain->mappings, iova);
	if (m && m->iova.start < iova) {
		spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
		viommu_count(VIOMMU_C_SPLIT_REFUSED);
		pr_err_ratelimited("domain %u: unmap at %#lx would split mapping [%#llx-%#llx]\n",
				   vdomain->id, iova, m->iova.start,
				   m->iova.last);
		return 0;
	}
	/* One that ends after @last goes whole, as the in-tree driver does. */
	m = viommu_model_mappings_find(&vdomain->mappings, last);
	if (m && m->iova.last > last)
		last = m->iova.last;

	removed = viommu_shadow_take(vdomain, iova, last);
	if (!removed) {
		spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
		return 0;
	}

	/* Without an endpoint the device already dropped the domain. */
	if (vdomain->nr_endpoints) {
		unmap = (struct virtio_iommu_req_unmap) {
			.head.type	= VIRTIO_IOMMU_T_UNMAP,
			.domain		= cpu_to_le32(vdomain->id),
			.virt_start	= cpu_to_le64(iova),
			.virt_end	= cpu_to_le64(last),
		};
		/* Queued; iotlb_sync() or flush_iotlb_all() completes it. */
		viommu_add_req(vdomain->viommu, &unmap, sizeof(unmap));
	}
	spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
	return last - iova + 1;
}

static phys_addr_t viommu_iova_to_phys(struct iommu_domain *domain,
				       dma_addr_t iova)
{
	struct viommu_domain *vdomain = to_viommu_domain(domain);
	struct viommu_model_mapping *m;
	unsigned long flags;
	phys_addr_t paddr = 0;

	spin_lock_irqsave(&vdomain->mappings_lock, flags);
	m = viommu_model_mappings_find(&vdomain->mappings, iova);
	if (m)
		paddr = m->phys + (iova - m->iova.start);
	spin_unlock_irqrestore(&vdomain->mappings_lock, flags);
	return paddr;
}

/* Kick once and wait for everything queued. */
static void viommu_flush_iotlb_all(struct iommu_domain *domain)
{
	struct viommu_domain *vdomain = to_viommu_domain(domain);

	if (vdomain->viommu)
		viommu_sync_req(vdomain->viommu);
}

static void viommu_iotlb_sync(struct iommu_domain *domain,
			      struct iommu_iotlb_gather *gather)
{
	viommu_flush_iotlb_all(domain);
}

/*
 * Complete the MAPs queued so far.  A queued MAP that the device failed is
 * only logged and counted (viommu_report_async_error()): the caller's
 * iommu_map() has nothing left to undo, so this never fails.
 */
static int viommu_iotlb_sync_map(struct iommu_domain *domain,
				 unsigned long iova, size_t size)
{
	viommu_flush_iotlb_all(domain);
	return 0;
}

PVIOMMU_COMPAT_DEFINE_SYNC_MAP(viommu_iotlb_sync_map)

/* Endpoints */

static struct iommu_device *viommu_probe_device(struct device *dev)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	struct viommu_endpoint *vep;
	struct viommu_dev *viommu;
	unsigned long flags;
	int ret;

	viommu = viommu_lookup(dev);
	/* Ours: its fwspec names our IOMMU (the core may ask of any device). */
	if (!viommu || !fwspec || fwspec->iommu_fwnode != viommu->iommu.fwnode)
		return ERR_PTR(-ENODEV);
	if (!fwspec->num_ids)
		return ERR_PTR(-EINVAL);
	/* Never switch the DMA ops of a device under its bound driver. */
	if (dev->links.status == DL_DEV_DRIVER_BOUND) {
		dev_err(dev,
			"already bound to %s: not translating it (load pviommu before its driver)\n",
			dev->driver ? dev->driver->name : "a driver");
		return ERR_PTR(-EBUSY);
	}

	vep = kzalloc(sizeof(*vep), GFP_KERNEL);
	if (!vep)
		return ERR_PTR(-ENOMEM);
	viommu_count(VIOMMU_C_ENDPOINT_ALLOC);
	vep->dev = dev;
	vep->viommu = viommu;
	INIT_LIST_HEAD(&vep->resv_regions);
	INIT_LIST_HEAD(&vep->list);
	dev_iommu_priv_set(dev, vep);

	if (viommu->probe_size) {
		ret = viommu_probe_endpoint(viommu, vep, fwspec);
		if (ret)
			goto err_free;
	}
	if (IS_ENABLED(CONFIG_X86) && !viommu_has_msi_region(vep)) {
		struct iommu_resv_region *msi;

		msi = viommu_resv_alloc(VIOMMU_MSI_START, VIOMMU_MSI_LENGTH,
					VIOMMU_MSI_PROT, IOMMU_RESV_MSI);
		if (!msi) {
			ret = -ENOMEM;
			goto err_free;
		}
		viommu_resv_insert_sorted(vep, msi);
	}

	/*
	 * The endpoint goes after the IOMMU in the device list, so that it
	 * shuts down first: a reset IOMMU falls back to bypass, and the
	 * endpoint's last DMA would then hit physical addresses.
	 */
	if (!device_link_add(dev, viommu->dev, DL_FLAG_STATELESS))
		dev_warn(dev, "no device link to %s: shutdown order not enforced\n",
			 dev_name(viommu->dev));

	spin_lock_irqsave(&viommu->ep_lock, flags);
	list_add_tail(&vep->list, &viommu->endpoints);
	spin_unlock_irqrestore(&viommu->ep_lock, flags);
	viommu_count(VIOMMU_C_ENDPOINTS_LIVE);
	return &viommu->iommu;

err_free:
	viommu_resv_put_all(vep);
	dev_iommu_priv_set(dev, NULL);
	kfree(vep);
	viommu_count(VIOMMU_C_ENDPOINT_FREE);
	return ERR_PTR(ret);
}

static void viommu_probe_finalize(struct device *dev)
{
	pviommu_compat_setup_dma_ops(dev);
}

static void viommu_release_device(struct device *dev)
{
	struct viommu_endpoint *vep = dev_iommu_priv_get(dev);
	struct viommu_dev *viommu = vep->viommu;
	unsigned long flags;

	viommu_detach_dev(vep);

	spin_lock_irqsave(&viommu->ep_lock, flags);
	list_del(&vep->list);
	spin_unlock_irqrestore(&viommu->ep_lock, flags);

	/* Gone already if the endpoint itself is being deleted. */
	device_link_remove(dev, viommu->dev);
	/* Its DMA domain is going away: back to direct DMA. */
	pviommu_compat_clear_dma_ops(dev);
	viommu_resv_put_all(vep);
	kfree(vep);
	viommu_count(VIOMMU_C_ENDPOINT_FREE);
	viommu_count_add(VIOMMU_C_ENDPOINTS_LIVE, -1);
}

static struct iommu_group *viommu_device_group(struct device *dev)
{
	if (dev_is_pci(dev))
		return pci_device_group(dev);
	return generic_device_group(dev);
}

static void viommu_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct viommu_endpoint *vep = dev_iommu_priv_get(dev);
	struct iommu_resv_region *entry, *copy;
	bool msi = false;

	list_for_each_entry(entry, &vep->resv_regions, list) {
		if (entry->type == IOMMU_RESV_MSI)
			msi = true;
		copy = iommu_alloc_resv_region(entry->start, entry->length,
					       entry->prot, entry->type,
					       GFP_KERNEL);
		if (!copy)
			return;
		list_add_tail(&copy->list, head);
	}

	/* No MSI doorbell reported (not x86): a software-mapped window. */
	if (!msi) {
		copy = iommu_alloc_resv_region(VIOMMU_MSI_START,
					       VIOMMU_MSI_LENGTH,
					       VIOMMU_MSI_PROT,
					       IOMMU_RESV_SW_MSI, GFP_KERNEL);
		if (!copy)
			return;
		list_add_tail(&copy->list, head);
	}

	iommu_dma_get_resv_regions(dev, head);
}

/*
 * IOMMU_CACHE is honoured, and unmaps may be completed later by
 * flush_iotlb_all (lazy, DMA-FQ domains).
 */
static bool viommu_capable(struct device *dev, enum iommu_cap cap)
{
	return cap == IOMMU_CAP_CACHE_COHERENCY ||
	       pviommu_compat_cap_is_deferred_flush(cap);
}

/* Faults */

static const char *viommu_fault_reason(u8 reason)
{
	switch (reason) {
	case VIRTIO_IOMMU_FAULT_R_DOMAIN:
		return "domain";
	case VIRTIO_IOMMU_FAULT_R_MAPPING:
		return "mapping";
	default:
		return "unknown";
	}
}

/* Called from the event queue's interrupt. */
void viommu_handle_fault(struct viommu_dev *viommu,
			 const struct virtio_iommu_fault *fault)
{
	u32 flags = le32_to_cpu(fault->flags);
	u32 endpoint = le32_to_cpu(fault->endpoint);
	u64 address = le64_to_cpu(fault->address);
	struct viommu_endpoint *vep;
	struct iommu_fwspec *fwspec;
	struct device *dev = NULL;
	unsigned long irqflags;
	int ret = -ENODEV;
	int i;

	viommu_count(VIOMMU_C_FAULTS);
	if (fault->reserved[0] || fault->reserved[1] || fault->reserved[2] ||
	    memchr_inv(fault->reserved2, 0, sizeof(fault->reserved2))) {
		viommu_count(VIOMMU_C_FAULTS_IGNORED);
		return;
	}

	spin_lock_irqsave(&viommu->ep_lock, irqflags);
	list_for_each_entry(vep, &viommu->endpoints, list) {
		fwspec = dev_iommu_fwspec_get(vep->dev);
		for (i = 0; fwspec && i < fwspec->num_ids; i++)
			if (fwspec->ids[i] == endpoint)
				break;
		if (!fwspec || i == fwspec->num_ids)
			continue;
		dev = vep->dev;
		if (vep->vdomain && (flags & VIRTIO_IOMMU_FAULT_F_ADDRESS))
			ret = report_iommu_fault(&vep->vdomain->domain, dev,
						 address,
						 flags & VIRTIO_IOMMU_FAULT_F_WRITE ?
						 IOMMU_FAULT_WRITE :
						 IOMMU_FAULT_READ);
		break;
	}
	spin_unlock_irqrestore(&viommu->ep_lock, irqflags);

	if (!ret) {
		viommu_count(VIOMMU_C_FAULTS_REPORTED);
		return;
	}
	if (flags & VIRTIO_IOMMU_FAULT_F_ADDRESS)
		dev_err_ratelimited(viommu->dev,
				    "%s fault from endpoint %u (%s) at %#llx [%s%s%s]\n",
				    viommu_fault_reason(fault->reason), endpoint,
				    dev ? dev_name(dev) : "unknown", address,
				    flags & VIRTIO_IOMMU_FAULT_F_READ ? "R" : "",
				    flags & VIRTIO_IOMMU_FAULT_F_WRITE ? "W" : "",
				    flags & VIRTIO_IOMMU_FAULT_F_EXEC ? "X" : "");
	else
		dev_err_ratelimited(viommu->dev,
				    "%s fault from endpoint %u (%s)\n",
				    viommu_fault_reason(fault->reason), endpoint,
				    dev ? dev_name(dev) : "unknown");
}

struct iommu_ops viommu_ops = {
	.capable		= viommu_capable,
	.domain_alloc		= viommu_domain_alloc,
	.probe_device		= viommu_probe_device,
	.probe_finalize		= viommu_probe_finalize,
	.release_device		= viommu_release_device,
	.device_group		= viommu_device_group,
	.get_resv_regions	= viommu_get_resv_regions,
	.owner			= THIS_MODULE,
	.default_domain_ops = &(const struct iommu_domain_ops) {
		.attach_dev		= viommu_attach_dev,
		.map_pages		= viommu_map_pages,
		.unmap_pages		= viommu_unmap_pages,
		.iova_to_phys		= viommu_iova_to_phys,
		.flush_iotlb_all	= viommu_flush_iotlb_all,
		.iotlb_sync		= viommu_iotlb_sync,
		.iotlb_sync_map		= viommu_iotlb_sync_map_op,
		.free			= viommu_domain_free,
	}
};
