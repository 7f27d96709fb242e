// SPDX-License-Identifier: GPL-2.0-only
/*
 * vhost-iommu: the VFIO IOMMU driver of type VFIO_PVIOMMU_IOMMU.
 *
 * A VFIO container of this type holds the groups of the devices that the
 * guest's virtio-iommu translates.  It has no MAP_DMA of its own: the guest
 * programs it through the vhost-iommu device that the container is bound to
 * (VFIO_PVIOMMU_BIND).  A group enters the container in VFIO's blocking
 * domain (VFIO claimed DMA ownership), so a device reaches no memory until
 * the guest attaches its endpoint, or bypass allows it.
 */
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "vfio.h"		/* drivers/vfio/vfio.h, see Kbuild */
#include "vhost_iommu.h"

static void group_free(struct kref *kref)
{
	struct vhost_iommu_group *g =
		container_of(kref, struct vhost_iommu_group, kref);

	iommu_group_put(g->group);
	kfree(g);
}

void vhost_iommu_group_put(struct vhost_iommu_group *g)
{
	kref_put(&g->kref, group_free);
}

static int dev_in_domain(struct device *dev, void *hd)
{
	return iommu_get_domain_for_dev(dev) == hd;
}

/*
 * Is @group in @hd as far as the iommu core knows?  The core keeps one
 * domain per group, which iommu_get_domain_for_dev() returns for each of
 * its devices.  Called under the group's mutex, which only orders it
 * against the core's own changes: the caller owns the group's domain.
 */
static bool group_in_domain(struct iommu_group *group, struct iommu_domain *hd)
{
	return iommu_group_for_each_dev(group, hd, dev_in_domain) > 0;
}

/* Is a group other than @g in @hd, by our bookkeeping? */
static bool domain_used_by_other(struct vhost_iommu_container *c,
				 struct vhost_iommu_group *g,
				 struct iommu_domain *hd)
{
	struct vhost_iommu_group *o;

	lockdep_assert_held(&c->lock);
	list_for_each_entry(o, &c->groups, node)
		if (o != g && o->domain == hd)
			return true;
	list_for_each_entry(o, &c->stuck, node)
		if (o != g && o->domain == hd)
			return true;
	return false;
}

/**
 * group_leave_domain() - take a group out of its host domain
 * @g: the group
 *
 * In 6.1, iommu_detach_group() returns nothing: if the IOMMU driver fails to
 * attach the group's blocking domain (an allocation inside intel-iommu, for
 * example), the core WARNs and leaves the group in the old domain.  So ask
 * the core where the group is afterwards.  A group that left the container
 * is VFIO's again, which moves it to its default domain: it is only looked
 * at, never detached by us.
 *
 * Once the group is out, a domain it owned is freed if no other group is
 * left in it.
 *
 * Return: 0, the group is in none of our domains; or -EIO, it is still in
 * g->domain, which is unchanged.
 */
static int group_leave_domain(struct vhost_iommu_group *g)
{
	struct vhost_iommu_container *c = g->c;
	struct iommu_domain *hd = g->domain;

	lockdep_assert_held(&c->lock);
	if (!hd)
		return 0;
	if (!g->gone)
		iommu_detach_group(hd, g->group);
	if (group_in_domain(g->group, hd)) {
		pr_warn_ratelimited("vhost-iommu: IOMMU group %d did not leave its host domain\n",
				    iommu_group_id(g->group));
		return -EIO;
	}
	g->domain = NULL;
	if (g->owns_domain) {
		g->owns_domain = false;
		if (!domain_used_by_other(c, g, hd))
			iommu_domain_free(hd);
	}
	return 0;
}

/**
 * vhost_iommu_group_set_domain() - move a group to one of our host domains
 * @g: the group
 * @hd: the domain, or NULL for VFIO's blocking domain
 *
 * The iommu core attaches a group only from its default or blocking domain,
 * so the group goes through the blocking domain: DMA in flight during the
 * move is blocked, never sent elsewhere.  A group that left the container
 * may still leave our domain (see group_leave_domain()), but joins none.
 *
 * Return: 0; -EIO if the group could not leave its current domain; -ENODEV
 * if the group left the container; or the error of iommu_attach_group().
 * After an error, g->domain is where the group is: still its old domain
 * (-EIO), or NULL, blocked.
 */
int vhost_iommu_group_set_domain(struct vhost_iommu_group *g,
				 struct iommu_domain *hd)
{
	int ret;

	lockdep_assert_held(&g->c->lock);
	if (g->domain == hd)
		return hd && g->gone ? -ENODEV : 0;
	ret = group_leave_domain(g);
	if (ret)
		return ret;
	if (!hd)
		return 0;
	if (g->gone)
		return -ENODEV;
	ret = iommu_attach_group(hd, g->group);
	if (!ret)
		g->domain = hd;
	return ret;
}

/* A stuck group that left the container, and is in no domain of ours any more. */
static void stuck_group_drop(struct vhost_iommu_group *g)
{
	lockdep_assert_held(&g->c->lock);
	list_del(&g->node);
	vhost_iommu_group_put(g);
}

/*
 * The last reference to the container is gone: so is the vhost device, and
 * every domain a group of c->stuck is still in belongs to such groups.  Try
 * once more to take each out.  One that stays is left in its domain, which
 * is leaked: freeing it would leave the iommu core's group->domain, and
 * perhaps the IOMMU's context entries, pointing at freed memory, which is
 * far worse than the memory of an empty domain.  Retrying later would need
 * a work item outliving the container for a failure that has already shown
 * it does not go away by itself, so we warn instead.
 */
static void container_free(struct kref *kref)
{
	struct vhost_iommu_container *c =
		container_of(kref, struct vhost_iommu_container, kref);
	struct vhost_iommu_group *g, *tmp;

	WARN_ON_ONCE(!list_empty(&c->groups));
	mutex_lock(&c->lock);
	/* First the ones that can leave, so no domain is freed under the others. */
	list_for_each_entry(g, &c->stuck, node)
		group_leave_domain(g);
	list_for_each_entry_safe(g, tmp, &c->stuck, node) {
		if (g->domain) {
			WARN_ON_ONCE(!g->owns_domain);
			pr_warn("vhost-iommu: IOMMU group %d is stuck in a host domain, which is leaked\n",
				iommu_group_id(g->group));
			g->domain = NULL;
			g->owns_domain = false;
		}
		stuck_group_drop(g);
	}
	mutex_unlock(&c->lock);
	mutex_destroy(&c->lock);
	kfree(c);
}

void vhost_iommu_container_put(struct vhost_iommu_container *c)
{
	kref_put(&c->kref, container_free);
}

/**
 * vhost_iommu_container_unbind_empty() - unbind a container no group is in
 * @c: the container a device is bound to
 *
 * Every group left @c (the VMM unplugged every assigned device, and VFIO
 * let the container go): the device may bind a new one.
 *
 * Return: true if @c was unbound (the caller drops its reference); false if
 * a group is still in it, or stuck in one of its domains.
 */
bool vhost_iommu_container_unbind_empty(struct vhost_iommu_container *c)
{
	bool empty;

	mutex_lock(&c->lock);
	empty = list_empty(&c->groups) && list_empty(&c->stuck);
	if (empty)
		c->vi = NULL;
	mutex_unlock(&c->lock);
	return empty;
}

/**
 * vhost_iommu_put_resv_list() - free what iommu_get_group_resv_regions() gave
 * @list: the list it filled; empty afterwards
 */
void vhost_iommu_put_resv_list(struct list_head *list)
{
	struct iommu_resv_region *r, *tmp;

	list_for_each_entry_safe(r, tmp, list, list) {
		list_del(&r->list);
		kfree(r);
	}
}

/*
 * A new UNMANAGED domain for the IOMMU of @dev.  For a @coherent group's
 * device, whose DMA KVM takes to be cache coherent, the domain enforces it
 * from the start, before anything is mapped, or is not used at all.
 */
static bool domain_enforce_coherency(struct iommu_domain *hd)
{
	return hd->ops->enforce_cache_coherency && hd->ops->enforce_cache_coherency(hd);
}

static struct iommu_domain *host_domain_alloc(struct device *dev, bool coherent)
{
	struct iommu_domain *hd = pviommu_compat_paging_domain_alloc(dev);

	if (IS_ERR(hd))
		return NULL;
	if (coherent && !domain_enforce_coherency(hd)) {
		dev_warn_ratelimited(dev, "vhost-iommu: the host domain cannot enforce cache coherency\n");
		iommu_domain_free(hd);
		return NULL;
	}
	return hd;
}

struct group_domain {
	struct iommu_domain *hd;
	bool coherent;
};

/* iommu_group_for_each_dev(): a domain for the group's first device. */
static int group_domain_alloc(struct device *dev, void *data)
{
	struct group_domain *gd = data;

	gd->hd = host_domain_alloc(dev, gd->coherent);
	return 1;
}

/**
 * vhost_iommu_alloc_host_domain() - a new, empty host domain
 * @c: the container, whose groups the domain must suit
 *
 * The domain is allocated for a device of the container's first group,
 * found under the group's mutex (as VFIO type1 does), so that it cannot go
 * away meanwhile.  Every group of the container is on the same bus.
 *
 * Return: an UNMANAGED domain, or NULL (no group in the container, or no
 * memory, or no domain that KVM's view of coherency allows).
 */
struct iommu_domain *vhost_iommu_alloc_host_domain(struct vhost_iommu_container *c)
{
	struct group_domain gd = {};
	struct vhost_iommu_group *g;

	mutex_lock(&c->lock);
	g = list_first_entry_or_null(&c->groups, struct vhost_iommu_group, node);
	if (g) {
		gd.coherent = g->coherent;
		iommu_group_for_each_dev(g->group, &gd, group_domain_alloc);
	}
	mutex_unlock(&c->lock);
	return gd.hd;
}

/*
 * @hd is going away: is @g still in it?  Then give @g one more try to leave
 * it, and if that fails too, make @g an owner of @hd.
 */
static bool group_keeps_domain(struct vhost_iommu_group *g,
			       struct iommu_domain *hd)
{
	lockdep_assert_held(&g->c->lock);
	if (g->domain != hd || !group_leave_domain(g))
		return false;
	g->owns_domain = true;
	return true;
}

/**
 * vhost_iommu_free_host_domain() - free a host domain of ours
 * @c: the container whose groups may be in @hd
 * @hd: the domain; its owner (a guest domain, or the identity domain) has
 *	unmapped everything and is done with it
 *
 * Every group should have left @hd.  One that the iommu core could not take
 * out is still attached to it, and @hd must not be freed under it (the core
 * would keep a dangling group->domain, the IOMMU perhaps walk freed page
 * tables).  Such groups own @hd from now on, blocked in it as it maps
 * nothing, and the last of them to leave it frees it.  Groups that left the
 * container meanwhile, and whose domain VFIO has changed, are dropped from
 * c->stuck on the way.
 */
void vhost_iommu_free_host_domain(struct vhost_iommu_container *c,
				  struct iommu_domain *hd)
{
	struct vhost_iommu_group *g, *tmp;
	bool used = false;

	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node)
		used |= group_keeps_domain(g, hd);
	list_for_each_entry_safe(g, tmp, &c->stuck, node) {
		used |= group_keeps_domain(g, hd);
		if (!g->domain)
			stuck_group_drop(g);
	}
	mutex_unlock(&c->lock);
	if (!used)
		iommu_domain_free(hd);
}

/* ---- struct vfio_iommu_driver_ops ------------------------------------ */

static void *vhost_iommu_vfio_open(unsigned long arg)
{
	struct vhost_iommu_container *c;

	if (arg != VFIO_PVIOMMU_IOMMU)
		return ERR_PTR(-EINVAL);
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	kref_init(&c->kref);
	mutex_init(&c->lock);
	INIT_LIST_HEAD(&c->groups);
	INIT_LIST_HEAD(&c->stuck);
	return c;
}

/*
 * @g leaves the container.  If it cannot leave our domain, it goes to
 * c->stuck, where frees of that domain find it: VFIO then hands the group
 * back to its default domain, which may work, or not.
 */
static void group_leave(struct vhost_iommu_group *g)
{
	struct vhost_iommu_container *c = g->c;
	int ret;

	lockdep_assert_held(&c->lock);
	ret = vhost_iommu_group_set_domain(g, NULL);
	WRITE_ONCE(g->gone, true);
	/* A hot-unplug: its endpoint goes too, in the device's worker. */
	if (g->ep && c->vi)
		vhost_iommu_endpoint_gone(c->vi);
	if (ret) {
		list_move_tail(&g->node, &c->stuck);
		return;
	}
	list_del(&g->node);
	vhost_iommu_group_put(g);
}

/*
 * VFIO releases the container's IOMMU data when its last group left (or
 * when SET_IOMMU failed).  A bound vhost-iommu device keeps its reference.
 */
static void vhost_iommu_vfio_release(void *data)
{
	struct vhost_iommu_container *c = data;
	struct vhost_iommu_group *g, *tmp;

	mutex_lock(&c->lock);
	list_for_each_entry_safe(g, tmp, &c->groups, node)
		group_leave(g);
	mutex_unlock(&c->lock);
	vhost_iommu_container_put(c);
}

static int first_dev(struct device *dev, void *data)
{
	*(struct device **)data = dev;
	return 1;
}

/*
 * Can @group's IOMMU enforce cache coherency?  Where the iommu core cannot
 * tell (6.1), a domain that enforces it joins the group, which VFIO holds
 * in its blocking domain, only if it can (VT-d refuses the attach
 * otherwise), and leaves again.  A group stuck in that domain keeps it,
 * leaked, and is taken as not coherent.
 */
static bool group_coherent(struct iommu_group *group, struct device *dev)
{
	int ret = pviommu_compat_dev_coherent(dev);
	struct iommu_domain *hd;
	bool ok;

	if (ret >= 0)
		return ret;
	hd = pviommu_compat_paging_domain_alloc(dev);
	if (IS_ERR(hd))
		return false;
	ok = domain_enforce_coherency(hd) && !iommu_attach_group(hd, group);
	if (ok) {
		iommu_detach_group(hd, group);
		if (group_in_domain(group, hd)) {
			pr_warn("vhost-iommu: IOMMU group %d did not leave a probe domain, which is leaked\n",
				iommu_group_id(group));
			return false;
		}
	}
	iommu_domain_free(hd);
	return ok;
}

static int vhost_iommu_vfio_attach_group(void *data, struct iommu_group *group,
					 enum vfio_group_type type)
{
	struct vhost_iommu_container *c = data;
	struct device *dev = NULL;
	const struct bus_type *bus;
	struct vhost_iommu_group *g;
	int ret = 0;

	/* Only groups of real, IOMMU-translated devices. */
	if (type != VFIO_IOMMU)
		return -EINVAL;
	iommu_group_for_each_dev(group, &dev, first_dev);
	if (!dev)
		return -ENODEV;
	bus = dev->bus;
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return -ENOMEM;
	kref_init(&g->kref);
	g->c = c;
	g->group = iommu_group_ref_get(group);
	g->coherent = group_coherent(group, dev);

	mutex_lock(&c->lock);
	if (c->bus && c->bus != bus) {
		ret = -EINVAL;	/* one host domain must suit every group */
	} else {
		c->bus = bus;
		list_add_tail(&g->node, &c->groups);
	}
	mutex_unlock(&c->lock);
	if (ret)
		vhost_iommu_group_put(g);
	return ret;
}

/*
 * The group leaves the container (its fd closed or UNSET_CONTAINER): take
 * it out of our domains before VFIO hands it back to its default domain.
 * An endpoint declared on it behaves as unplugged from now on.
 */
static void vhost_iommu_vfio_detach_group(void *data, struct iommu_group *group)
{
	struct vhost_iommu_container *c = data;
	struct vhost_iommu_group *g;

	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node) {
		if (g->group == group) {
			group_leave(g);
			break;
		}
	}
	mutex_unlock(&c->lock);
}

/*
 * Add the reserved regions of every group of @c to @resv, which stays
 * sorted by start address (iommu_get_group_resv_regions() inserts in order).
 */
static int container_resv_regions(struct vhost_iommu_container *c,
				  struct list_head *resv)
{
	struct vhost_iommu_group *g;
	int ret = 0;

	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node) {
		ret = iommu_get_group_resv_regions(g->group, resv);
		if (ret)
			break;
	}
	mutex_unlock(&c->lock);
	return ret;
}

/*
 * The gaps that the regions of @resv (sorted by start, perhaps overlapping)
 * leave in [start, end]; written to @ranges unless it is NULL.  Return: how
 * many there are.
 */
static unsigned int iova_ranges_fill(const struct list_head *resv, u64 start,
				     u64 end, struct vfio_iova_range *ranges)
{
	struct iommu_resv_region *r;
	unsigned int n = 0;
	u64 cur = start;

	list_for_each_entry(r, resv, list) {
		u64 last = r->start + r->length - 1;

		if (r->start > cur && r->start <= end) {
			if (ranges) {
				ranges[n].start = cur;
				ranges[n].end = r->start - 1;
			}
			n++;
		}
		if (last >= end)
			return n;
		if (last >= cur)
			cur = last + 1;
	}
	if (ranges) {
		ranges[n].start = cur;
		ranges[n].end = end;
	}
	return n + 1;
}

/* The IOVA window and page sizes that every group of a container can use. */
struct container_geometry {
	u64 start, end;
	unsigned long pgsizes;
};

static void geometry_narrow(struct container_geometry *geo,
			    const struct iommu_domain *hd)
{
	geo->pgsizes &= hd->pgsize_bitmap;
	if (!hd->geometry.force_aperture)
		return;
	geo->start = max_t(u64, geo->start, hd->geometry.aperture_start);
	geo->end = min_t(u64, geo->end, hd->geometry.aperture_end);
}

/**
 * container_geometry() - what the container's domains can map
 * @c: the container
 * @geo: filled in
 *
 * An IOMMU driver may narrow a domain to the IOMMU of a group only when the
 * group joins it (VT-d on 6.1: its address width and large pages), so a
 * fresh domain says too much.  The answer comes from domains with the
 * groups in them: the domain of ours that each group is in, and an empty
 * scratch domain that the groups in VFIO's blocking domain join for the
 * time of the call (it maps nothing: they stay blocked).
 *
 * Return: 0, or -ENODEV (no group, or no domain).
 */
static int container_geometry(struct vhost_iommu_container *c,
			      struct container_geometry *geo)
{
	struct iommu_domain *scratch = vhost_iommu_alloc_host_domain(c);
	struct vhost_iommu_group *g;
	bool any = false;

	if (!scratch)
		return -ENODEV;
	*geo = (struct container_geometry){ .end = U64_MAX, .pgsizes = ULONG_MAX };
	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node)
		if (!g->domain && !g->gone)
			vhost_iommu_group_set_domain(g, scratch);
	list_for_each_entry(g, &c->groups, node) {
		if (g->domain) {
			geometry_narrow(geo, g->domain);
			any = true;
		}
	}
	if (!any)
		geometry_narrow(geo, scratch);
	list_for_each_entry(g, &c->groups, node)
		if (g->domain == scratch)
			vhost_iommu_group_set_domain(g, NULL);
	mutex_unlock(&c->lock);
	/* A group that could not leave it keeps it, blocked. */
	vhost_iommu_free_host_domain(c, scratch);
	return 0;
}

/**
 * iova_ranges_cap() - VFIO_IOMMU_GET_INFO's IOVA range capability
 * @c: the container
 * @geo: the container's IOVA window
 * @caps: the capability chain to add it to
 *
 * The usable IOVA ranges are the window minus every group's reserved
 * regions, as type1 reports them: a VMM takes the guest's input range from
 * them.
 *
 * Return: 0, or the error of iommu_get_group_resv_regions() or of
 * vfio_info_cap_add().
 */
static int iova_ranges_cap(struct vhost_iommu_container *c,
			   const struct container_geometry *geo,
			   struct vfio_info_cap *caps)
{
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	struct vfio_info_cap_header *header;
	LIST_HEAD(resv);
	unsigned int n;
	int ret;

	ret = container_resv_regions(c, &resv);
	if (ret)
		goto out;
	n = iova_ranges_fill(&resv, geo->start, geo->end, NULL);
	header = vfio_info_cap_add(caps, struct_size(cap, iova_ranges, n),
				   VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1);
	if (IS_ERR(header)) {
		ret = PTR_ERR(header);
		goto out;
	}
	cap = container_of(header, struct vfio_iommu_type1_info_cap_iova_range,
			   header);
	cap->nr_iovas = n;
	iova_ranges_fill(&resv, geo->start, geo->end, cap->iova_ranges);
out:
	vhost_iommu_put_resv_list(&resv);
	return ret;
}

/* VFIO_IOMMU_GET_INFO, laid out as type1's: page sizes and IOVA ranges. */
static long vhost_iommu_vfio_get_info(struct vhost_iommu_container *c, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	unsigned long capsz = offsetofend(struct vfio_iommu_type1_info, cap_offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct vfio_iommu_type1_info info;
	struct container_geometry geo;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.argsz >= capsz) {
		minsz = capsz;
		info.cap_offset = 0;
	}
	ret = container_geometry(c, &geo);
	if (ret)
		return ret;
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = geo.pgsizes;
	ret = iova_ranges_cap(c, &geo, &caps);
	if (ret)
		goto out;
	if (caps.size) {
		info.flags |= VFIO_IOMMU_INFO_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + sizeof(info), caps.buf, caps.size)) {
				ret = -EFAULT;
				goto out;
			}
			info.cap_offset = sizeof(info);
		}
	}
	ret = copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
out:
	kfree(caps.buf);
	return ret;
}

/*
 * VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU), as type1 answers it: do all the
 * container's domains enforce cache coherency?  host_domain_alloc() makes
 * them do so where the groups' IOMMU can.
 */
static bool container_coherent(struct vhost_iommu_container *c)
{
	struct vhost_iommu_group *g;
	bool ret = true;

	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node)
		ret &= g->coherent;
	mutex_unlock(&c->lock);
	return ret;
}

static long vhost_iommu_vfio_bind(struct vhost_iommu_container *c, void __user *arg)
{
	struct vfio_pviommu_bind bind;
	struct vhost_iommu *vi;
	struct file *file;
	long ret;

	if (copy_from_user(&bind, arg, sizeof(bind)))
		return -EFAULT;
	if (bind.argsz < sizeof(bind) || bind.flags || bind.reserved)
		return -EINVAL;
	file = fget(bind.vhost_fd);
	if (!file)
		return -EBADF;
	vi = vhost_iommu_from_file(file);
	ret = vi ? vhost_iommu_bind(vi, c) : -EBADF;
	fput(file);
	return ret;
}

static long vhost_iommu_vfio_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	struct vhost_iommu_container *c = data;

	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		if (arg == VFIO_DMA_CC_IOMMU)
			return c && container_coherent(c);
		return arg == VFIO_PVIOMMU_IOMMU;
	case VFIO_IOMMU_GET_INFO:
		return c ? vhost_iommu_vfio_get_info(c, (void __user *)arg) : -EINVAL;
	case VFIO_PVIOMMU_BIND:
		return c ? vhost_iommu_vfio_bind(c, (void __user *)arg) : -EINVAL;
	default:
		return -ENOTTY;
	}
}

static const struct vfio_iommu_driver_ops vhost_iommu_vfio_ops = {
	.name = "vfio-pviommu",
	.owner = THIS_MODULE,
	.open = vhost_iommu_vfio_open,
	.release = vhost_iommu_vfio_release,
	.ioctl = vhost_iommu_vfio_ioctl,
	.attach_group = vhost_iommu_vfio_attach_group,
	.detach_group = vhost_iommu_vfio_detach_group,
};

int vhost_iommu_container_init(void)
{
	return vfio_register_iommu_driver(&vhost_iommu_vfio_ops);
}

void vhost_iommu_container_exit(void)
{
	vfio_unregister_iommu_driver(&vhost_iommu_vfio_ops);
}
