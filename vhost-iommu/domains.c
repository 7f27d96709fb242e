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

static struct kmem_cache *mapping_cache;

/* ---- pinning ---------------------------------------------------------- */

/*
 * Charge (or refund) @npages to the owner's locked_vm, checked against the
 * owner's RLIMIT_MEMLOCK unless it had CAP_IPC_LOCK, as VFIO type1 does.
 */
static int account(struct vhost_iommu *vi, struct mm_struct *mm,
		   unsigned long npages, bool inc)
{
	int ret;

	mmap_write_lock(mm);
	ret = __account_locked_vm(mm, npages, inc, vi->owner, vi->lock_cap);
	mmap_write_unlock(mm);
	return ret;
}

static void pin_release(struct vhost_iommu *vi, struct vhost_iommu_pin *pin)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!pin->npages)
		return;
	unpin_user_pages_dirty_lock(pin->pages, pin->npages, pin->writable);
	vi->work_pages += pin->npages;
	if (vi->dev.mm)
		account(vi, vi->dev.mm, pin->npages, false);
	if (pin->pages != &pin->one)
		kvfree(pin->pages);
	pin->pages = NULL;
	pin->npages = 0;
}

/*
 * Check that the vhost memory table covers guest physical [gpa, last] with
 * page-aligned host addresses and the right permission.
 */
static bool gpa_covered(struct vhost_iotlb *umem, u64 gpa, u64 last, bool write)
{
	struct vhost_iotlb_map *map;
	u64 cur = gpa;

	for (;;) {
		map = vhost_iotlb_itree_first(umem, cur, cur);
		if (!map || !(map->perm & VHOST_MAP_RO) ||
		    (write && !(map->perm & VHOST_MAP_WO)) ||
		    !PAGE_ALIGNED(map->addr + (cur - map->start)))
			return false;
		if (map->last >= last)
			return true;
		/* The next region must start on a page of its own. */
		if (!PAGE_ALIGNED(map->last + 1))
			return false;
		cur = map->last + 1;
	}
}

/**
 * pin_gpa() - pin the guest pages behind a guest physical range
 * @vi: the device
 * @gpa: page-aligned guest physical address
 * @npages: number of pages, at least one; [gpa, gpa + size) does not wrap
 * @write: whether the device may write (pins with FOLL_WRITE)
 * @pin: filled in on success
 *
 * Translates through the vhost memory table (GPA -> the owner's virtual
 * address), charges the owner's locked_vm against its RLIMIT_MEMLOCK like
 * VFIO type1 does, and pins with FOLL_LONGTERM in the owner's mm.
 *
 * Return: VIRTIO_IOMMU_S_OK; S_FAULT if the range is not all guest RAM;
 * S_NOMEM if the limit is reached or pinning fails.  Nothing is held on
 * failure.
 */
static u8 pin_gpa(struct vhost_iommu *vi, u64 gpa, unsigned long npages,
		  bool write, struct vhost_iommu_pin *pin)
{
	struct vhost_iotlb *umem = vi->vqs[VHOST_IOMMU_VQ_REQ].umem;
	unsigned int flags = FOLL_LONGTERM | (write ? FOLL_WRITE : 0);
	struct mm_struct *mm = vi->dev.mm;
	u64 last = gpa + ((u64)npages << PAGE_SHIFT) - 1;
	unsigned long done = 0;
	u8 status = VIRTIO_IOMMU_S_NOMEM;
	long ret;

	lockdep_assert_held(vhost_iommu_lock(vi));
	memset(pin, 0, sizeof(*pin));
	if (!umem || !mm || !gpa_covered(umem, gpa, last, write))
		return VIRTIO_IOMMU_S_FAULT;
	if (!mmget_not_zero(mm))
		return VIRTIO_IOMMU_S_FAULT;
	if (account(vi, mm, npages, true))
		goto out_mmput;
	if (npages == 1)
		pin->pages = &pin->one;
	else
		pin->pages = kvmalloc_array(npages, sizeof(*pin->pages),
					    GFP_KERNEL_ACCOUNT);
	if (!pin->pages)
		goto out_unaccount;

	mmap_read_lock(mm);
	while (done < npages) {
		u64 cur = gpa + ((u64)done << PAGE_SHIFT);
		struct vhost_iotlb_map *map = vhost_iotlb_itree_first(umem, cur, cur);
		unsigned long n = min_t(u64, npages - done,
					(map->last - cur + 1) >> PAGE_SHIFT);

		ret = pviommu_compat_pin_user_pages_remote(mm,
							   map->addr + (cur - map->start),
							   n, flags, pin->pages + done);
		if (ret <= 0)
			break;
		done += ret;
	}
	mmap_read_unlock(mm);
	/* Pinned, even if undone below: the work the weight limit counts. */
	vi->work_pages += done;
	if (done < npages) {
		unpin_user_pages(pin->pages, done);
		status = VIRTIO_IOMMU_S_FAULT;
		goto out_free;
	}
	pin->npages = npages;
	pin->writable = write;
	mmput(mm);
	return VIRTIO_IOMMU_S_OK;

out_free:
	if (pin->pages != &pin->one)
		kvfree(pin->pages);
	pin->pages = NULL;
out_unaccount:
	account(vi, mm, npages, false);
out_mmput:
	mmput(mm);
	return status;
}

/*
 * Map pinned pages at [iova, iova + npages * PAGE_SIZE), one iommu_map()
 * per physically contiguous run.  Undoes itself on failure.
 */
static int map_pinned(struct iommu_domain *hd, unsigned long iova,
		      const struct vhost_iommu_pin *pin, int prot)
{
	unsigned long i, j, pfn;
	int ret;

	for (i = 0; i < pin->npages; i = j) {
		pfn = page_to_pfn(pin->pages[i]);
		for (j = i + 1; j < pin->npages; j++)
			if (page_to_pfn(pin->pages[j]) != pfn + (j - i))
				break;
		ret = pviommu_compat_iommu_map(hd, iova + (i << PAGE_SHIFT),
					       PFN_PHYS(pfn),
					       (j - i) << PAGE_SHIFT, prot);
		if (ret) {
			if (i)
				iommu_unmap(hd, iova, i << PAGE_SHIFT);
			return ret;
		}
		cond_resched();
	}
	return 0;
}

static bool in_aperture(struct iommu_domain *hd, u64 start, u64 last)
{
	return !hd->geometry.force_aperture ||
	       (start >= hd->geometry.aperture_start &&
		last <= hd->geometry.aperture_end);
}

/* ---- the identity domain --------------------------------------------- */

static void identity_free(struct vhost_iommu *vi, struct vhost_iommu_identity *id)
{
	unsigned int i;

	for (i = 0; i < id->nr; i++) {
		struct vhost_iommu_pin *pin = &id->regions[i].pin;

		iommu_unmap(id->hd, id->regions[i].gpa, pin->npages << PAGE_SHIFT);
		vi->identity_pinned -= pin->npages;
		pin_release(vi, pin);
	}
	/* Empty now: a group stuck in it is blocked, and keeps it. */
	vhost_iommu_free_host_domain(vi->container, id->hd);
	kfree(id);
}

/*
 * Whether the owner maps the memory table region at @hva from device memory
 * (VM_IO or VM_PFNMAP, such as a VFIO BAR that the VMM mapped into guest
 * space): it has no pages to pin, and peer-to-peer DMA is not supported.
 */
static bool region_is_device_memory(struct mm_struct *mm, u64 hva)
{
	struct vm_area_struct *vma;
	bool ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, hva);
	ret = vma && (vma->vm_flags & (VM_IO | VM_PFNMAP));
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Build the identity domain: every guest RAM region of the memory table,
 * pinned and mapped at IOVA == GPA.  Regions that are not page-aligned are
 * shrunk to their whole pages; device memory is left out.
 */
static struct vhost_iommu_identity *identity_build(struct vhost_iommu *vi)
{
	struct vhost_iotlb *umem = vi->vqs[VHOST_IOMMU_VQ_REQ].umem;
	struct vhost_iommu_identity *id;
	struct vhost_iotlb_map *map;
	int prot = IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE;

	if (!umem || !vi->container || !vi->dev.mm)
		return NULL;
	id = kzalloc(struct_size(id, regions, umem->nmaps), GFP_KERNEL_ACCOUNT);
	if (!id)
		return NULL;
	id->hd = vhost_iommu_alloc_host_domain(vi->container);
	if (!id->hd)
		goto err_free;
	list_for_each_entry(map, &umem->list, link) {
		u64 start = PAGE_ALIGN(map->start);
		u64 end = (map->last + 1) & PAGE_MASK;	/* 0: top of space */
		struct vhost_iommu_pin *pin = &id->regions[id->nr].pin;

		if (!end || end <= start ||
		    region_is_device_memory(vi->dev.mm, map->addr + (start - map->start)))
			continue;
		if (!in_aperture(id->hd, start, end - 1) ||
		    pin_gpa(vi, start, (end - start) >> PAGE_SHIFT, true, pin))
			goto err_unwind;
		if (map_pinned(id->hd, start, pin, prot)) {
			pin_release(vi, pin);
			goto err_unwind;
		}
		id->regions[id->nr++].gpa = start;
		vi->identity_pinned += pin->npages;
	}
	return id;

err_unwind:
	identity_free(vi, id);
	return NULL;
err_free:
	kfree(id);
	return NULL;
}

/*
 * Free the identity domain once no group is in it: it pins all of guest RAM.
 * Placing endpoints builds it again when needed.
 */
static void identity_put_unused(struct vhost_iommu *vi)
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

/**
 * vhost_iommu_identity_refresh() - rebuild the identity domain after the
 * memory table changed
 * @vi: the device
 *
 * Groups in the old identity domain move to the new one (or, if it cannot
 * be built, to VFIO's blocking domain, the safe side).  A group that cannot
 * leave the old one stays in it, emptied, so blocked too.
 *
 * Return: 0; -ENOMEM if the new domain could not be built; or -EIO if a
 * group could not leave the old one.
 */
int vhost_iommu_identity_refresh(struct vhost_iommu *vi)
{
	struct vhost_iommu_identity *old = vi->identity;
	struct vhost_iommu_endpoint *vep;
	struct iommu_domain *hd;
	unsigned long id;
	bool stuck = false;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!old)
		return 0;
	vi->identity = NULL;
	hd = identity_get(vi);
	mutex_lock(&vi->container->lock);
	xa_for_each(&vi->endpoints, id, vep) {
		if (vep->g->domain != old->hd)
			continue;
		vhost_iommu_group_set_domain(vep->g, hd);
		stuck |= vep->g->domain == old->hd;
	}
	mutex_unlock(&vi->container->lock);
	identity_free(vi, old);
	if (!hd)
		return -ENOMEM;
	return stuck ? -EIO : 0;
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
	identity_put_unused(vi);
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

	vd = kzalloc(sizeof(*vd), GFP_KERNEL_ACCOUNT);
	return vd ? &vd->d : NULL;
}

static void vhost_iommu_free_domain(struct viommu_model *pv,
				    struct viommu_model_domain *domain)
{
	struct vhost_iommu_domain *vd = to_vdomain(domain);

	/*
	 * The model removed every endpoint and mapping first; a group still in
	 * vd->hd (its detach failed during a reset) keeps it.
	 */
	if (vd->hd)
		vhost_iommu_free_host_domain(to_vhost_iommu(pv)->container, vd->hd);
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
		identity_put_unused(vi);
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

	vmapping = kmem_cache_zalloc(mapping_cache, GFP_KERNEL_ACCOUNT);
	return vmapping ? &vmapping->m : NULL;
}

static void vhost_iommu_free_mapping(struct viommu_model *pv,
				     struct viommu_model_mapping *mapping)
{
	kmem_cache_free(mapping_cache, to_vmapping(mapping));
}

static u8 vhost_iommu_map(struct viommu_model *pv, struct viommu_model_domain *domain,
			  struct viommu_model_mapping *mapping)
{
	struct vhost_iommu_domain *vd = to_vdomain(domain);
	struct vhost_iommu_mapping *vmapping = to_vmapping(mapping);
	struct vhost_iommu *vi = to_vhost_iommu(pv);
	u64 start = mapping->iova.start, last = mapping->iova.last;
	u64 size = viommu_model_mapping_size(mapping);
	int prot = IOMMU_CACHE;
	u8 status;

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

	status = pin_gpa(vi, mapping->phys, size >> PAGE_SHIFT,
			 prot & IOMMU_WRITE, &vmapping->pin);
	if (status != VIRTIO_IOMMU_S_OK)
		return status;
	if (map_pinned(vd->hd, start, &vmapping->pin, prot)) {
		pin_release(vi, &vmapping->pin);
		return VIRTIO_IOMMU_S_NOMEM;
	}
	vi->pinned += vmapping->pin.npages;
	return VIRTIO_IOMMU_S_OK;
}

static void vhost_iommu_unmap(struct viommu_model *pv, struct viommu_model_domain *domain,
			      struct viommu_model_mapping *mapping)
{
	struct vhost_iommu_domain *vd = to_vdomain(domain);
	struct vhost_iommu_mapping *vmapping = to_vmapping(mapping);
	struct vhost_iommu *vi = to_vhost_iommu(pv);
	size_t size, unmapped;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!vmapping->pin.npages)
		return;
	size = vmapping->pin.npages << PAGE_SHIFT;
	unmapped = iommu_unmap(vd->hd, mapping->iova.start, size);
	if (unmapped != size)
		pr_err_ratelimited("vhost-iommu: unmapped %zu of %zu bytes at %#llx\n",
				   unmapped, size, mapping->iova.start);
	vi->pinned -= vmapping->pin.npages;
	pin_release(vi, &vmapping->pin);
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
	return mapping_cache ? 0 : -ENOMEM;
}

void vhost_iommu_domains_exit(void)
{
	kmem_cache_destroy(mapping_cache);
}
