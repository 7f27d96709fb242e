// SPDX-License-Identifier: GPL-2.0-only
/*
 * vhost-iommu: the backend of the virtio-iommu device model.
 *
 * proto/device.c validates every request and keeps the spec's state; this
 * file only does what the model asks of the hardware.  A guest domain is a
 * host UNMANAGED iommu_domain; attaching an endpoint attaches its VFIO
 * group; a mapping pins the guest pages behind [phys, phys + size) (found
 * through the vhost memory table) and maps them with iommu_map().
 *
 * Every function here runs with the request queue's mutex held (the model's
 * lock), in the vhost worker or in an ioctl of the device's owner.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "vhost_iommu.h"

/*
 * Mappings: struct vhost_iommu_mapping with its own pin; with
 * VHOST_IOMMU_OPT_PREPIN, the model's struct alone (the pinned RAM is the
 * device's), which is what keeps a mapping at 64 bytes.
 */
static struct kmem_cache *mapping_cache;
static struct kmem_cache *prepinned_mapping_cache;

/* ---- mapping pages ------------------------------------------------------ */

/*
 * Count the IOPTEs the IOMMU core makes for [iova, iova + size) -> paddr:
 * each is the largest page size of the domain that fits and that both
 * addresses are aligned to (iommu_pgsize()).
 */
static void count_ioptes(struct vhost_iommu *vi, struct iommu_domain *hd,
			 unsigned long iova, phys_addr_t paddr, size_t size)
{
	while (size) {
		unsigned long sizes = hd->pgsize_bitmap & GENMASK(__fls(size), 0);
		unsigned long align = iova | paddr;
		unsigned long pgsize;

		if (align)
			sizes &= GENMASK(__ffs(align), 0);
		if (!sizes)
			return;
		pgsize = BIT(__fls(sizes));
		vi->ioptes[pgsize >= SZ_1G ? 2 : pgsize >= SZ_2M ? 1 : 0]++;
		iova += pgsize;
		paddr += pgsize;
		size -= pgsize;
	}
}

/*
 * Map @npages pinned @pages at [iova, iova + npages * PAGE_SIZE), one
 * iommu_map() per physically contiguous run, so that the IOMMU core can use
 * its large page sizes.  Undoes itself on failure.
 */
static int map_pages(struct vhost_iommu *vi, struct iommu_domain *hd,
		     unsigned long iova, struct page **pages,
		     unsigned long npages, int prot)
{
	unsigned long i, j, pfn;
	int ret;

	for (i = 0; i < npages; i = j) {
		pfn = page_to_pfn(pages[i]);
		for (j = i + 1; j < npages; j++)
			if (page_to_pfn(pages[j]) != pfn + (j - i))
				break;
		ret = pviommu_compat_iommu_map(hd, iova + (i << PAGE_SHIFT),
					       PFN_PHYS(pfn),
					       (j - i) << PAGE_SHIFT, prot, VHOST_IOMMU_GFP);
		if (ret) {
			if (i)
				iommu_unmap(hd, iova, i << PAGE_SHIFT);
			return ret;
		}
		count_ioptes(vi, hd, iova + (i << PAGE_SHIFT), PFN_PHYS(pfn),
			     (j - i) << PAGE_SHIFT);
		cond_resched();
	}
	return 0;
}

/*
 * Map guest physical [gpa, gpa + npages * PAGE_SIZE) of pinned @ram at
 * @iova.  Return: VIRTIO_IOMMU_S_OK; S_FAULT if part of it is not pinned
 * RAM (device memory); S_NOMEM if iommu_map() failed.  Undoes itself.
 */
static u8 map_ram(struct vhost_iommu *vi, struct iommu_domain *hd,
		  unsigned long iova, const struct vhost_iommu_ram *ram,
		  u64 gpa, unsigned long npages, int prot)
{
	unsigned long done, n;
	struct page **pages;
	u8 status;

	for (done = 0; done < npages; done += n) {
		pages = vhost_iommu_ram_pages(ram, gpa + (done << PAGE_SHIFT), &n);
		status = VIRTIO_IOMMU_S_FAULT;
		if (!pages)
			goto err;
		n = min(n, npages - done);
		status = VIRTIO_IOMMU_S_NOMEM;
		if (map_pages(vi, hd, iova + (done << PAGE_SHIFT), pages, n, prot))
			goto err;
	}
	return VIRTIO_IOMMU_S_OK;

err:
	if (done)
		iommu_unmap(hd, iova, done << PAGE_SHIFT);
	return status;
}

/*
 * An unmap that unmapped less than asked leaves the device able to reach
 * pages that the caller is about to unpin.  Then this device unpins nothing
 * any more: every page it pinned stays pinned, and charged, for good, as
 * VFIO type1 keeps the pins of a short unmap.
 */
static void unmap_check(struct vhost_iommu *vi, u64 iova, size_t size,
			size_t unmapped)
{
	if (likely(unmapped == size))
		return;
	WARN_ONCE(1, "vhost-iommu: unmapped %zu of %zu bytes at %#llx: guest pages stay pinned\n",
		  unmapped, size, iova);
	vi->keep_pins = true;
}

static bool in_aperture(struct iommu_domain *hd, u64 start, u64 last)
{
	return !hd->geometry.force_aperture ||
	       (start >= hd->geometry.aperture_start &&
		last <= hd->geometry.aperture_end);
}

/* ---- the identity domain --------------------------------------------- */

/* Does @ram have region @r (the same object: shared, not a copy)? */
static bool ram_has(const struct vhost_iommu_ram *ram,
		    const struct vhost_iommu_ram_region *r)
{
	unsigned int i;

	for (i = 0; ram && i < ram->nr; i++)
		if (ram->regions[i] == r)
			return true;
	return false;
}

/* Map region @r of pinned RAM at IOVA == GPA in @hd. */
static int identity_map_region(struct vhost_iommu *vi, struct iommu_domain *hd,
			       const struct vhost_iommu_ram_region *r)
{
	int prot = IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE;

	if (!in_aperture(hd, r->gpa, r->last))
		return -ERANGE;
	return map_pages(vi, hd, r->gpa, r->pin.pages, r->pin.npages,
			 r->pin.writable ? prot : prot & ~IOMMU_WRITE);
}

static void identity_unmap_region(struct vhost_iommu *vi, struct iommu_domain *hd,
				  const struct vhost_iommu_ram_region *r)
{
	size_t size = r->pin.npages << PAGE_SHIFT;

	unmap_check(vi, r->gpa, size, iommu_unmap(hd, r->gpa, size));
}

/*
 * Unmap the first @nr (UINT_MAX: all) regions of @ram that @other has
 * (@in_other) or does not have.
 */
static void identity_unmap_regions(struct vhost_iommu *vi, struct iommu_domain *hd,
				   const struct vhost_iommu_ram *ram,
				   const struct vhost_iommu_ram *other, bool in_other,
				   unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < ram->nr && nr; i++) {
		if (ram_has(other, ram->regions[i]) != in_other)
			continue;
		identity_unmap_region(vi, hd, ram->regions[i]);
		nr--;
	}
}

/*
 * Map the regions of @ram that @have does not have.  Return: 0, or the
 * error of the first that failed, the ones before it unmapped again.
 */
static int identity_map_except(struct vhost_iommu *vi, struct iommu_domain *hd,
			       const struct vhost_iommu_ram *ram,
			       const struct vhost_iommu_ram *have)
{
	unsigned int i, mapped = 0;
	int ret;

	for (i = 0; i < ram->nr; i++) {
		if (ram_has(have, ram->regions[i]))
			continue;
		ret = identity_map_region(vi, hd, ram->regions[i]);
		if (ret) {
			identity_unmap_regions(vi, hd, ram, have, false, mapped);
			return ret;
		}
		mapped++;
	}
	return 0;
}

/* Free an identity domain that maps nothing. */
static void identity_release(struct vhost_iommu *vi, struct vhost_iommu_identity *id)
{
	/* A group stuck in it is blocked, and keeps it. */
	vhost_iommu_free_host_domain(vi->container, id->hd);
	vhost_iommu_ram_put(vi, id->ram);
	kfree(id);
}

static void identity_free(struct vhost_iommu *vi, struct vhost_iommu_identity *id)
{
	identity_unmap_regions(vi, id->hd, id->ram, NULL, false, UINT_MAX);
	identity_release(vi, id);
}

/*
 * The pinned RAM the identity domain maps: the device's own with
 * VHOST_IOMMU_OPT_PREPIN; otherwise pinned for it, sharing the unchanged
 * regions of @old (the RAM it maps now, or NULL).  Return: NULL if there
 * is none (no table, memlock limit, memory).
 */
static struct vhost_iommu_ram *identity_ram(struct vhost_iommu *vi,
					    const struct vhost_iommu_ram *old)
{
	if (vi->prepin)
		return vi->ram ? vhost_iommu_ram_get(vi, vi->ram) : NULL;
	return vhost_iommu_ram_build(vi, old);
}

/* Build the identity domain: all of pinned guest RAM at IOVA == GPA. */
static struct vhost_iommu_identity *identity_build(struct vhost_iommu *vi)
{
	struct vhost_iommu_identity *id;
	struct vhost_iommu_ram *ram;

	if (!vi->container)
		return NULL;
	ram = identity_ram(vi, NULL);
	if (!ram)
		return NULL;
	id = kzalloc(sizeof(*id), VHOST_IOMMU_GFP);
	if (!id)
		goto err_ram;
	id->ram = ram;
	id->hd = vhost_iommu_alloc_host_domain(vi->container);
	if (!id->hd)
		goto err_free;
	if (identity_map_except(vi, id->hd, ram, NULL))
		goto err_domain;
	return id;

err_domain:
	vhost_iommu_free_host_domain(vi->container, id->hd);
err_free:
	kfree(id);
err_ram:
	vhost_iommu_ram_put(vi, ram);
	return NULL;
}

/**
 * vhost_iommu_identity_put_unused() - free the identity domain once no group
 * is in it
 * @vi: the device
 *
 * It pins all of guest RAM.  Placing endpoints builds it again when needed.
 */
void vhost_iommu_identity_put_unused(struct vhost_iommu *vi)
{
	struct vhost_iommu_endpoint *vep;
	unsigned long id;
	bool used = false;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!vi->identity)
		return;
	mutex_lock(&vi->container->lock);
	xa_for_each(&vi->endpoints, id, vep)
		used |= vep->g->domain == vi->identity->hd;
	mutex_unlock(&vi->container->lock);
	if (!used)
		vhost_iommu_identity_put(vi);
}

static struct iommu_domain *identity_get(struct vhost_iommu *vi)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!vi->identity)
		vi->identity = identity_build(vi);
	return vi->identity ? vi->identity->hd : NULL;
}

/**
 * vhost_iommu_identity_put() - drop the identity domain
 * @vi: the device
 *
 * Every group must have left it: the caller detached them all.
 */
void vhost_iommu_identity_put(struct vhost_iommu *vi)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	if (vi->identity)
		identity_free(vi, vi->identity);
	vi->identity = NULL;
}

/*
 * The identity domain could not follow the memory table: its groups go to
 * VFIO's blocking domain, the safe side, and it goes, unmapped first unless
 * it maps nothing any more (!@mapped).  Return: -ENOMEM.
 */
static int identity_drop(struct vhost_iommu *vi, bool mapped)
{
	struct vhost_iommu_identity *id = vi->identity;
	struct vhost_iommu_endpoint *vep;
	unsigned long idx;

	lockdep_assert_held(vhost_iommu_lock(vi));
	mutex_lock(&vi->container->lock);
	xa_for_each(&vi->endpoints, idx, vep)
		if (vep->g->domain == id->hd)
			vhost_iommu_group_set_domain(vep->g, NULL);
	mutex_unlock(&vi->container->lock);
	vi->identity = NULL;
	if (mapped)
		identity_free(vi, id);
	else
		identity_release(vi, id);
	return -ENOMEM;
}

/**
 * vhost_iommu_identity_refresh() - the identity domain follows the memory
 * table
 * @vi: the device
 *
 * In place: the regions that went are unmapped, the new ones mapped, and
 * the unchanged ones (shared by the old and the new pinned RAM) stay as
 * they are, pinned and charged once, so DMA of a bypassed device to them
 * goes on while the table changes.  If the new RAM cannot be pinned or
 * mapped, the groups in the identity domain are blocked instead, and it
 * goes.
 *
 * Return: 0, or -ENOMEM.
 */
int vhost_iommu_identity_refresh(struct vhost_iommu *vi)
{
	struct vhost_iommu_identity *id = vi->identity;
	struct vhost_iommu_ram *ram;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!id)
		return 0;
	ram = identity_ram(vi, id->ram);
	if (!ram)
		return identity_drop(vi, true);
	if (ram == id->ram) {
		vhost_iommu_ram_put(vi, ram);
		return 0;
	}
	/* First the regions that went: a new one may take their IOVAs. */
	identity_unmap_regions(vi, id->hd, id->ram, ram, false, UINT_MAX);
	if (identity_map_except(vi, id->hd, ram, id->ram)) {
		/* What is left mapped: the regions of both. */
		identity_unmap_regions(vi, id->hd, id->ram, ram, true, UINT_MAX);
		vhost_iommu_ram_put(vi, ram);
		return identity_drop(vi, false);
	}
	vhost_iommu_ram_put(vi, id->ram);
	id->ram = ram;
	return 0;
}

/**
 * vhost_iommu_place_unattached() - put an unattached endpoint's group where
 * the spec wants it
 * @vi: the device
 * @vep: an endpoint the model considers unattached, or about to be
 *
 * The model decides whether an unattached endpoint bypasses translation
 * (config.bypass and the features).  Bypassed: the identity domain;
 * otherwise VFIO's blocking domain, so the device reaches no guest memory.
 * If the identity domain cannot be built, or the group cannot join it, the
 * group is blocked.
 *
 * Return: 0, or -EIO if the group could not leave the domain it was in,
 * where it stays (vep->g->domain).
 */
int vhost_iommu_place_unattached(struct vhost_iommu *vi,
				 struct vhost_iommu_endpoint *vep)
{
	struct viommu_model_endpoint unattached = { .id = vep->ep.id };
	struct vhost_iommu_group *g = vep->g;
	struct iommu_domain *hd = NULL;
	bool stuck;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!vi->closing && viommu_model_endpoint_bypassed(&vi->pv, &unattached)) {
		hd = identity_get(vi);
		if (!hd)
			pr_warn_ratelimited("vhost-iommu: no identity domain, endpoint %u blocked\n",
					    vep->ep.id);
	}
	mutex_lock(&vi->container->lock);
	stuck = vhost_iommu_group_set_domain(g, hd) && g->domain;
	mutex_unlock(&vi->container->lock);
	vhost_iommu_identity_put_unused(vi);
	return stuck ? -EIO : 0;
}

/**
 * vhost_iommu_place_all_unattached() - re-place every unattached endpoint
 * @vi: the device
 *
 * After a change of config.bypass.  Every endpoint is tried.
 *
 * Return: 0, or -EIO if a group could not leave its domain.
 */
int vhost_iommu_place_all_unattached(struct vhost_iommu *vi)
{
	struct vhost_iommu_endpoint *vep;
	unsigned long id;
	int ret = 0;

	lockdep_assert_held(vhost_iommu_lock(vi));
	xa_for_each(&vi->endpoints, id, vep)
		if (!vep->ep.domain && vhost_iommu_place_unattached(vi, vep))
			ret = -EIO;
	return ret;
}

/* ---- struct viommu_model_ops --------------------------------------- */

static struct vhost_iommu_domain *to_vdomain(struct viommu_model_domain *domain)
{
	return container_of(domain, struct vhost_iommu_domain, d);
}

static struct vhost_iommu_endpoint *to_vep(struct viommu_model_endpoint *ep)
{
	return container_of(ep, struct vhost_iommu_endpoint, ep);
}

static struct vhost_iommu_mapping *to_vmapping(struct viommu_model_mapping *mapping)
{
	return container_of(mapping, struct vhost_iommu_mapping, m);
}

static struct viommu_model_endpoint *vhost_iommu_find_endpoint(struct viommu_model *pv,
							       u32 id)
{
	struct vhost_iommu_endpoint *vep;

	vep = xa_load(&to_vhost_iommu(pv)->endpoints, id);
	/* A group that left the container is an unplugged endpoint. */
	if (!vep || READ_ONCE(vep->g->gone))
		return NULL;
	return &vep->ep;
}

static struct viommu_model_domain *vhost_iommu_alloc_domain(struct viommu_model *pv)
{
	struct vhost_iommu_domain *vd;

	vd = kzalloc(sizeof(*vd), VHOST_IOMMU_GFP);
	return vd ? &vd->d : NULL;
}

static void vhost_iommu_free_domain(struct viommu_model *pv,
				    struct viommu_model_domain *domain)
{
	struct vhost_iommu_domain *vd = to_vdomain(domain);
	struct vhost_iommu *vi = to_vhost_iommu(pv);

	/* Its last mappings may have gone in a batch that is not flushed yet. */
	if (vd->hd && vi->batch.hd == vd->hd)
		vhost_iommu_unmap_flush(vi);
	/*
	 * The model removed every endpoint and mapping first; a group still in
	 * vd->hd (its detach failed during a reset) keeps it.
	 */
	if (vd->hd)
		vhost_iommu_free_host_domain(vi->container, vd->hd);
	kfree(vd);
}

static u8 vhost_iommu_attach(struct viommu_model *pv, struct viommu_model_domain *domain,
			     struct viommu_model_endpoint *ep)
{
	struct vhost_iommu_domain *vd = to_vdomain(domain);
	struct vhost_iommu_endpoint *vep = to_vep(ep);
	struct vhost_iommu *vi = to_vhost_iommu(pv);
	struct iommu_domain *hd;
	bool stuck = false;
	int ret;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (domain->bypass) {
		hd = identity_get(vi);
	} else {
		if (!vd->hd)
			vd->hd = vhost_iommu_alloc_host_domain(vi->container);
		hd = vd->hd;
	}
	if (!hd) {
		ret = -ENOMEM;
	} else {
		mutex_lock(&vi->container->lock);
		ret = vhost_iommu_group_set_domain(vep->g, hd);
		stuck = ret && vep->g->domain;
		mutex_unlock(&vi->container->lock);
	}
	if (!ret) {
		vhost_iommu_identity_put_unused(vi);
		vep->attaches++;
		return VIRTIO_IOMMU_S_OK;
	}
	/* The model keeps @ep unattached (or re-attaches its old domain). */
	vhost_iommu_place_unattached(vi, vep);
	/* The group could not leave the domain it was in: see vhost_iommu_detach(). */
	if (stuck)
		return VIRTIO_IOMMU_S_DEVERR;
	switch (ret) {
	case -ENOMEM:
		return VIRTIO_IOMMU_S_NOMEM;
	case -ENODEV:
		return VIRTIO_IOMMU_S_NOENT;
	default:
		/* e.g. the host IOMMU cannot put this device in that domain */
		return VIRTIO_IOMMU_S_UNSUPP;
	}
}

/*
 * A group that cannot leave @domain keeps the endpoint attached: DEVERR,
 * and the model leaves everything as it was (but for a reset, see
 * vhost_iommu_free_domain()).  The cause is not known (iommu_detach_group() returns
 * nothing), so not NOMEM, though a failed allocation is the likely one.
 */
static u8 vhost_iommu_detach(struct viommu_model *pv, struct viommu_model_domain *domain,
			     struct viommu_model_endpoint *ep)
{
	if (vhost_iommu_place_unattached(to_vhost_iommu(pv), to_vep(ep)))
		return VIRTIO_IOMMU_S_DEVERR;
	return VIRTIO_IOMMU_S_OK;
}

static struct viommu_model_mapping *vhost_iommu_alloc_mapping(struct viommu_model *pv)
{
	struct vhost_iommu_mapping *vmapping;

	if (to_vhost_iommu(pv)->prepin)
		return kmem_cache_zalloc(prepinned_mapping_cache, VHOST_IOMMU_GFP);
	vmapping = kmem_cache_zalloc(mapping_cache, VHOST_IOMMU_GFP);
	return vmapping ? &vmapping->m : NULL;
}

/* vi->prepin cannot change while a mapping lives (VHOST_IOMMU_SET_OPTIONS). */
static void vhost_iommu_free_mapping(struct viommu_model *pv,
				     struct viommu_model_mapping *mapping)
{
	if (to_vhost_iommu(pv)->prepin)
		kmem_cache_free(prepinned_mapping_cache, mapping);
	else
		kmem_cache_free(mapping_cache, to_vmapping(mapping));
}

/* MAP with pages of its own: pin them, then map them. */
static u8 map_own_pages(struct vhost_iommu *vi, struct vhost_iommu_domain *vd,
			struct vhost_iommu_mapping *vmapping, int prot)
{
	struct viommu_model_mapping *mapping = &vmapping->m;
	unsigned long npages = viommu_model_mapping_size(mapping) >> PAGE_SHIFT;
	u8 status;

	status = vhost_iommu_pin_gpa(vi, mapping->phys, npages, prot & IOMMU_WRITE,
				     &vmapping->pin);
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	if (map_pages(vi, vd->hd, mapping->iova.start, vmapping->pin.pages,
		      npages, prot)) {
		vhost_iommu_pin_release(vi, &vmapping->pin);
		return VIRTIO_IOMMU_S_NOMEM;
	}
	vi->pinned += npages;
	return VIRTIO_IOMMU_S_OK;
}

/* MAP through the device's pinned RAM (VHOST_IOMMU_OPT_PREPIN): no pin. */
static u8 map_prepinned(struct vhost_iommu *vi, struct vhost_iommu_domain *vd,
			struct viommu_model_mapping *mapping, int prot)
{
	u64 size = viommu_model_mapping_size(mapping);
	u8 status;

	struct vhost_iotlb *umem = vi->vqs[VHOST_IOMMU_VQ_REQ].umem;

	if (!vhost_iommu_gpa_covered(umem, mapping->phys, mapping->phys + size - 1,
				     prot & IOMMU_WRITE))
		return VIRTIO_IOMMU_S_FAULT;
	/*
	 * vhost installs a new table before the ioctl returns to us to pin it:
	 * map with the RAM of the table the request was checked against.
	 */
	if (!vi->ram || vi->ram->umem != umem)
		vhost_iommu_ram_refresh(vi);
	/* The memory table could not be pinned (memlock limit, memory). */
	if (!vi->ram)
		return VIRTIO_IOMMU_S_NOMEM;
	status = map_ram(vi, vd->hd, mapping->iova.start, vi->ram, mapping->phys,
			 size >> PAGE_SHIFT, prot);
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	/* Mapped, not pinned: iommu_map() is where the time goes. */
	vi->work += size >> PAGE_SHIFT;
	return VIRTIO_IOMMU_S_OK;
}

static u8 vhost_iommu_map(struct viommu_model *pv, struct viommu_model_domain *domain,
			  struct viommu_model_mapping *mapping)
{
	struct vhost_iommu_domain *vd = to_vdomain(domain);
	struct vhost_iommu *vi = to_vhost_iommu(pv);
	u64 start = mapping->iova.start, last = mapping->iova.last;
	u64 size = viommu_model_mapping_size(mapping);
	int prot = IOMMU_CACHE;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!vd->hd)
		return VIRTIO_IOMMU_S_DEVERR;
	/*
	 * The host maps whole pages: a granule below PAGE_SIZE is refused by
	 * SET_CONFIG, so this only catches a size of 2^64.
	 */
	if (!size || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(size) ||
	    !PAGE_ALIGNED(mapping->phys))
		return VIRTIO_IOMMU_S_RANGE;
	if (!in_aperture(vd->hd, start, last))
		return VIRTIO_IOMMU_S_RANGE;
	if (mapping->flags & VIRTIO_IOMMU_MAP_F_READ)
		prot |= IOMMU_READ;
	if (mapping->flags & VIRTIO_IOMMU_MAP_F_WRITE)
		prot |= IOMMU_WRITE;
	/* No access at all: a valid mapping that needs nothing pinned. */
	if (!(prot & (IOMMU_READ | IOMMU_WRITE)))
		return VIRTIO_IOMMU_S_OK;
	if (vi->prepin)
		return map_prepinned(vi, vd, mapping, prot);
	return map_own_pages(vi, vd, to_vmapping(mapping), prot);
}

/* Does @mapping hold anything (pages, or a user of a pinned RAM)? */
static bool mapping_holds(const struct viommu_model_mapping *mapping)
{
	return mapping->flags & (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE);
}

/**
 * vhost_iommu_unmap_flush() - flush the IOTLB for the UNMAPs batched so far
 * @vi: the device
 *
 * One iommu_iotlb_sync() for all of them, then the pages they held are
 * unpinned: until the flush the device may still reach them.  The kick
 * handler calls it before it publishes any completion, before any request
 * but an UNMAP, and at the end of each pass.
 */
void vhost_iommu_unmap_flush(struct vhost_iommu *vi)
{
	struct vhost_iommu_batch *b = &vi->batch;
	unsigned int i;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (b->hd) {
		iommu_iotlb_sync(b->hd, &b->gather);
		vi->iotlb_syncs++;
		b->hd = NULL;
	}
	for (i = 0; i < b->nr_pins; i++)
		vhost_iommu_pin_release(vi, &b->pins[i]);
	b->nr_pins = 0;
	vhost_iommu_ram_retire(vi);
}

/*
 * Unmap [iova, iova + size) of @hd: batched in a pass of the kick handler
 * (the IOTLB flush waits for vhost_iommu_unmap_flush()), at once otherwise
 * (a reset, a release).  Return: the bytes unmapped.
 */
static size_t unmap_range(struct vhost_iommu *vi, struct iommu_domain *hd,
			  unsigned long iova, size_t size)
{
	struct vhost_iommu_batch *b = &vi->batch;

	if (!b->open) {
		vi->iotlb_syncs++;
		return iommu_unmap(hd, iova, size);
	}
	/*
	 * The driver syncs a gather by itself before it takes a range disjoint
	 * from it or of another size, and frees the page tables this unmap
	 * gathers with the old range's: flush first, and nothing of this
	 * range is freed before its own flush.
	 */
	if (b->hd == hd && b->gather.pgsize &&
	    (b->gather.pgsize != size ||
	     iommu_iotlb_gather_is_disjoint(&b->gather, iova, size)))
		vhost_iommu_unmap_flush(vi);
	/* A gather is for one domain. */
	if (b->hd != hd) {
		vhost_iommu_unmap_flush(vi);
		iommu_iotlb_gather_init(&b->gather);
		b->hd = hd;
	}
	return iommu_unmap_fast(hd, iova, size, &b->gather);
}

static void vhost_iommu_unmap(struct viommu_model *pv, struct viommu_model_domain *domain,
			      struct viommu_model_mapping *mapping)
{
	struct vhost_iommu_domain *vd = to_vdomain(domain);
	struct vhost_iommu *vi = to_vhost_iommu(pv);
	struct vhost_iommu_batch *b = &vi->batch;
	struct vhost_iommu_mapping *vmapping;
	size_t size, unmapped;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!mapping_holds(mapping))
		return;
	size = viommu_model_mapping_size(mapping);
	if (!vi->prepin && b->nr_pins == ARRAY_SIZE(b->pins))
		vhost_iommu_unmap_flush(vi);
	unmapped = unmap_range(vi, vd->hd, mapping->iova.start, size);
	unmap_check(vi, mapping->iova.start, size, unmapped);
	if (vi->prepin) {
		/* The pages stay pinned for the device (vhost_iommu_ram_retire()). */
		vi->work += size >> PAGE_SHIFT;
		return;
	}
	vmapping = to_vmapping(mapping);
	vi->pinned -= vmapping->pin.npages;
	if (b->hd)
		vhost_iommu_pin_move(&b->pins[b->nr_pins++], &vmapping->pin);
	else
		vhost_iommu_pin_release(vi, &vmapping->pin);
}

const struct viommu_model_ops vhost_iommu_ops = {
	.find_endpoint = vhost_iommu_find_endpoint,
	.alloc_domain = vhost_iommu_alloc_domain,
	.free_domain = vhost_iommu_free_domain,
	.attach = vhost_iommu_attach,
	.detach = vhost_iommu_detach,
	.alloc_mapping = vhost_iommu_alloc_mapping,
	.free_mapping = vhost_iommu_free_mapping,
	.map = vhost_iommu_map,
	.unmap = vhost_iommu_unmap,
};

int vhost_iommu_domains_init(void)
{
	mapping_cache = KMEM_CACHE(vhost_iommu_mapping, SLAB_ACCOUNT);
	prepinned_mapping_cache = KMEM_CACHE(viommu_model_mapping, SLAB_ACCOUNT);
	if (mapping_cache && prepinned_mapping_cache)
		return 0;
	kmem_cache_destroy(mapping_cache);
	kmem_cache_destroy(prepinned_mapping_cache);
	return -ENOMEM;
}

void vhost_iommu_domains_exit(void)
{
	kmem_cache_destroy(mapping_cache);
	kmem_cache_destroy(prepinned_mapping_cache);
}
