// SPDX-License-Identifier: GPL-2.0-only
/*
 * vhost-iommu: guest RAM, pinned.
 *
 * Two ways to hold guest pages for the host IOMMU:
 *  - a pin (struct vhost_iommu_pin) of one guest physical range, made for
 *    one MAP and released by its UNMAP;
 *  - a pinned guest RAM (struct vhost_iommu_ram): every RAM region of the
 *    vhost memory table, pinned once.  The identity domain maps one; with
 *    VHOST_IOMMU_OPT_PREPIN the device keeps one for its memory table
 *    (vi->ram) and MAPs translate through it instead of pinning.
 *
 * A new memory table gets a new pinned RAM, which takes over the regions of
 * the old one that did not change (same guest physical range, same host
 * address): nothing is pinned or charged twice for them.  Users of the old
 * RAM (the mappings made with it, an identity domain) keep it, and the
 * pages of the regions that went away, until they are done.
 *
 * Pages are charged to the owner's locked_vm and checked against its
 * RLIMIT_MEMLOCK, as VFIO type1 does.  Everything here runs under the
 * request queue's mutex.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "vhost_iommu.h"

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

/**
 * vhost_iommu_pin_release() - unpin and refund what a pin holds
 * @vi: the device
 * @pin: a pin made by vhost_iommu_pin_gpa(), or an empty one
 */
void vhost_iommu_pin_release(struct vhost_iommu *vi, struct vhost_iommu_pin *pin)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!pin->npages)
		return;
	/* After a short unmap the pages stay pinned, and charged: unmap_check(). */
	if (!vi->keep_pins) {
		unpin_user_pages_dirty_lock(pin->pages, pin->npages, pin->writable);
		vi->work += pin->npages;
		if (vi->dev.mm)
			account(vi, vi->dev.mm, pin->npages, false);
	}
	if (pin->pages != &pin->one)
		kvfree(pin->pages);
	pin->pages = NULL;
	pin->npages = 0;
}

/**
 * vhost_iommu_pin_move() - move a pin to new storage
 * @to: where the pin goes
 * @from: a pin, left empty
 */
void vhost_iommu_pin_move(struct vhost_iommu_pin *to, struct vhost_iommu_pin *from)
{
	*to = *from;
	if (from->pages == &from->one)
		to->pages = &to->one;
	from->pages = NULL;
	from->npages = 0;
}

/**
 * vhost_iommu_gpa_covered() - is a guest physical range all in the table?
 * @umem: the vhost memory table
 * @gpa: the first byte
 * @last: the last byte
 * @write: whether the device may write
 *
 * Return: whether [gpa, last] is covered with page-aligned host addresses
 * and the right permission; false if there is no table.
 */
bool vhost_iommu_gpa_covered(struct vhost_iotlb *umem, u64 gpa, u64 last, bool write)
{
	struct vhost_iotlb_map *map;
	u64 cur = gpa;

	if (!umem)
		return false;
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
 * vhost_iommu_pin_gpa() - pin the guest pages behind a guest physical range
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
 * S_NOMEM if the limit is reached, pinning fails, or the range is too large
 * for one page array (1 TiB with 4 KiB pages).  Nothing is held on failure.
 */
u8 vhost_iommu_pin_gpa(struct vhost_iommu *vi, u64 gpa, unsigned long npages,
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
	if (!umem || !mm || !vhost_iommu_gpa_covered(umem, gpa, last, write))
		return VIRTIO_IOMMU_S_FAULT;
	/* kvmalloc() refuses, with a WARN, an array of INT_MAX bytes or more. */
	if (npages > INT_MAX / sizeof(*pin->pages))
		return VIRTIO_IOMMU_S_NOMEM;
	if (!mmget_not_zero(mm))
		return VIRTIO_IOMMU_S_FAULT;
	if (account(vi, mm, npages, true))
		goto out_mmput;
	if (npages == 1)
		pin->pages = &pin->one;
	else
		pin->pages = kvmalloc_array(npages, sizeof(*pin->pages),
					    VHOST_IOMMU_GFP);
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
	vi->work += done;
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

/* ---- pinned guest RAM ---------------------------------------------------- */

static void region_put(struct vhost_iommu *vi, struct vhost_iommu_ram_region *r)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	if (--r->users)
		return;
	vhost_iommu_pin_release(vi, &r->pin);
	kfree(r);
}

/*
 * Whether the owner maps any of the memory table region [hva, hva + size)
 * from device memory (VM_IO or VM_PFNMAP, such as a VFIO BAR that the VMM
 * mapped into guest space): it has no pages to pin, and peer-to-peer DMA is
 * not supported.
 */
static bool region_is_device_memory(struct mm_struct *mm, u64 hva, u64 size)
{
	VMA_ITERATOR(vmi, mm, hva);
	struct vm_area_struct *vma;
	bool ret = false;

	mmap_read_lock(mm);
	for_each_vma_range(vmi, vma, hva + size) {
		if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
			ret = true;
			break;
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

/* @old's region for the same pages as [gpa, last] at @hva, or NULL. */
static struct vhost_iommu_ram_region *
region_find_same(const struct vhost_iommu_ram *old, u64 gpa, u64 last, u64 hva,
		 bool writable)
{
	unsigned int i;

	for (i = 0; old && i < old->nr; i++) {
		struct vhost_iommu_ram_region *r = old->regions[i];

		if (r->gpa == gpa && r->last == last && r->hva == hva &&
		    r->pin.writable == writable)
			return r;
	}
	return NULL;
}

/* Does [gpa, last] overlap a region @ram has already? */
static bool ram_overlaps(const struct vhost_iommu_ram *ram, u64 gpa, u64 last)
{
	unsigned int i;

	for (i = 0; i < ram->nr; i++)
		if (viommu_model_ranges_overlap(gpa, last, ram->regions[i]->gpa,
						ram->regions[i]->last))
			return true;
	return false;
}

/* Pin guest RAM [gpa, last] at @hva: a new region, or @old's same one. */
static struct vhost_iommu_ram_region *
region_get(struct vhost_iommu *vi, const struct vhost_iommu_ram *old,
	   u64 gpa, u64 last, u64 hva, bool writable)
{
	struct vhost_iommu_ram_region *r;

	r = region_find_same(old, gpa, last, hva, writable);
	if (r) {
		r->users++;
		return r;
	}
	r = kzalloc(sizeof(*r), VHOST_IOMMU_GFP);
	if (!r)
		return NULL;
	if (vhost_iommu_pin_gpa(vi, gpa, (last - gpa + 1) >> PAGE_SHIFT,
				writable, &r->pin)) {
		kfree(r);
		return NULL;
	}
	r->users = 1;
	r->gpa = gpa;
	r->last = last;
	r->hva = hva;
	return r;
}

/**
 * vhost_iommu_ram_build() - pin all guest RAM of the memory table
 * @vi: the device
 * @old: a pinned RAM of an earlier table, whose unchanged regions are
 *       shared rather than pinned again; or NULL
 *
 * Every RAM region of the table, shrunk to its whole pages; device memory,
 * and a region that overlaps one listed before it, are left out.  Writable
 * where the table lets the device write.
 *
 * Return: the pinned RAM, with one user; NULL if there is no table or
 * owner, or pinning failed (memlock limit, memory).
 */
struct vhost_iommu_ram *vhost_iommu_ram_build(struct vhost_iommu *vi,
					      const struct vhost_iommu_ram *old)
{
	struct vhost_iotlb *umem = vi->vqs[VHOST_IOMMU_VQ_REQ].umem;
	struct vhost_iommu_ram *ram;
	struct vhost_iotlb_map *map;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!umem || !vi->dev.mm)
		return NULL;
	ram = kzalloc(struct_size(ram, regions, umem->nmaps), VHOST_IOMMU_GFP);
	if (!ram)
		return NULL;
	ram->users = 1;
	ram->umem = umem;
	list_for_each_entry(map, &umem->list, link) {
		u64 start = PAGE_ALIGN(map->start);
		u64 end = (map->last + 1) & PAGE_MASK;	/* 0: top of space */
		u64 hva = map->addr + (start - map->start);
		struct vhost_iommu_ram_region *r;

		if (!end || end <= start ||
		    region_is_device_memory(vi->dev.mm, hva, end - start))
			continue;
		/*
		 * vhost takes overlapping regions (a VMM's bug); one IOVA mapped
		 * twice makes the IOMMU driver complain for every page.  The
		 * first region listed wins.
		 */
		if (ram_overlaps(ram, start, end - 1)) {
			pr_warn_ratelimited("vhost-iommu: memory table region [%#llx, %#llx] overlaps another, left out\n",
					    start, end - 1);
			continue;
		}
		r = region_get(vi, old, start, end - 1, hva, map->perm & VHOST_MAP_WO);
		if (!r)
			goto err;
		ram->regions[ram->nr++] = r;
		ram->npages += r->pin.npages;
	}
	return ram;

err:
	vhost_iommu_ram_put(vi, ram);
	return NULL;
}

/**
 * vhost_iommu_ram_get() - take one more user of a pinned RAM
 * @vi: the device
 * @ram: the pinned RAM
 *
 * Return: @ram.
 */
struct vhost_iommu_ram *vhost_iommu_ram_get(struct vhost_iommu *vi,
					    struct vhost_iommu_ram *ram)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	ram->users++;
	return ram;
}

/**
 * vhost_iommu_ram_put() - drop a user of a pinned RAM
 * @vi: the device
 * @ram: the pinned RAM, or NULL
 *
 * The last user unpins the regions no other pinned RAM shares.  Nothing
 * may still map its pages: the caller has unmapped, and flushed the IOTLB.
 */
void vhost_iommu_ram_put(struct vhost_iommu *vi, struct vhost_iommu_ram *ram)
{
	unsigned int i;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!ram || --ram->users)
		return;
	for (i = 0; i < ram->nr; i++)
		region_put(vi, ram->regions[i]);
	kfree(ram);
}

/**
 * vhost_iommu_ram_pages() - the pinned pages behind a guest physical address
 * @ram: the pinned RAM
 * @gpa: a page-aligned guest physical address
 * @n: set to how many pages of the same region follow, @gpa's included
 *
 * Return: the page array at @gpa, or NULL if @gpa is not pinned RAM.
 */
struct page **vhost_iommu_ram_pages(const struct vhost_iommu_ram *ram, u64 gpa,
				    unsigned long *n)
{
	unsigned int i;

	for (i = 0; i < ram->nr; i++) {
		const struct vhost_iommu_ram_region *r = ram->regions[i];
		unsigned long idx;

		if (gpa < r->gpa || gpa > r->last)
			continue;
		idx = (gpa - r->gpa) >> PAGE_SHIFT;
		*n = r->pin.npages - idx;
		return r->pin.pages + idx;
	}
	return NULL;
}

/* Does @ram hold every region of @old (so that @old pins nothing more)? */
static bool ram_has_all(const struct vhost_iommu_ram *ram,
			const struct vhost_iommu_ram *old)
{
	unsigned int i, j;

	if (!ram)
		return false;
	for (i = 0; i < old->nr; i++) {
		for (j = 0; j < ram->nr && ram->regions[j] != old->regions[i]; j++)
			;
		if (j == ram->nr)
			return false;
	}
	return true;
}

/**
 * vhost_iommu_ram_refresh() - pin the memory table for VHOST_IOMMU_OPT_PREPIN
 * @vi: the device
 *
 * After the memory table or the option changed: with the option, vi->ram
 * becomes the table's pinned RAM, sharing the unchanged regions of the one
 * it replaces (or of the identity domain's, or of a retired one); without
 * it, vi->ram goes.  Nothing to do if vi->ram is the current table's
 * already (the worker may have refreshed it first, see map_prepinned()).
 * Mappings do not say which RAM they map, so while any lives, a RAM
 * replaced with regions of its own stays pinned on vi->retired
 * (vhost_iommu_ram_retire()).
 *
 * Return: 0, or -ENOMEM if the table could not be pinned (memlock limit,
 * memory); MAPs then get VIRTIO_IOMMU_S_NOMEM until a table is pinned.
 */
int vhost_iommu_ram_refresh(struct vhost_iommu *vi)
{
	struct vhost_iotlb *umem = vi->vqs[VHOST_IOMMU_VQ_REQ].umem;
	struct vhost_iommu_ram *old = vi->ram, *base;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (vi->prepin && old && old->umem == umem)
		return 0;
	vi->ram = NULL;
	if (vi->prepin) {
		base = old ? old : vi->identity ? vi->identity->ram : vi->retired;
		vi->ram = vhost_iommu_ram_build(vi, base);
	}
	if (old && vi->pv.stats.mappings && !ram_has_all(vi->ram, old)) {
		old->next_retired = vi->retired;
		vi->retired = old;
	} else {
		vhost_iommu_ram_put(vi, old);
	}
	if (vi->prepin && !vi->ram && umem && vi->dev.mm)
		return -ENOMEM;
	return 0;
}

/**
 * vhost_iommu_ram_retire() - unpin the RAMs of older tables once unused
 * @vi: the device
 *
 * Once no mapping lives, and the IOTLB flush of the last UNMAPs is done,
 * nothing can map the retired RAMs any more.
 */
void vhost_iommu_ram_retire(struct vhost_iommu *vi)
{
	struct vhost_iommu_ram *ram;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (vi->pv.stats.mappings)
		return;
	while ((ram = vi->retired)) {
		vi->retired = ram->next_retired;
		vhost_iommu_ram_put(vi, ram);
	}
}
