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

static void container_free(struct kref *kref)
{
	struct vhost_iommu_container *c =
		container_of(kref, struct vhost_iommu_container, kref);

	WARN_ON_ONCE(!list_empty(&c->groups));
	mutex_destroy(&c->lock);
	kfree(c);
}

void vhost_iommu_container_put(struct vhost_iommu_container *c)
{
	kref_put(&c->kref, container_free);
}

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

/**
 * vhost_iommu_group_set_domain() - move a group to one of our host domains
 * @g: the group
 * @hd: the domain, or NULL for VFIO's blocking domain
 *
 * The iommu core attaches a group only from its default or blocking domain,
 * so the group goes through the blocking domain: DMA in flight during the
 * move is blocked, never sent elsewhere.
 *
 * Return: 0; -ENODEV if the group left the container; or the error of
 * iommu_attach_group(), in which case the group is blocked.
 */
int vhost_iommu_group_set_domain(struct vhost_iommu_group *g,
				 struct iommu_domain *hd)
{
	int ret;

	lockdep_assert_held(&g->c->lock);
	if (g->gone)
		return hd ? -ENODEV : 0;
	if (g->domain == hd)
		return 0;
	if (g->domain) {
		iommu_detach_group(g->domain, g->group);
		g->domain = NULL;
	}
	if (!hd)
		return 0;
	ret = iommu_attach_group(hd, g->group);
	if (!ret)
		g->domain = hd;
	return ret;
}

/**
 * vhost_iommu_alloc_host_domain() - a new, empty host domain
 * @c: the container, whose groups the domain must suit
 *
 * Return: an UNMANAGED domain on the bus of the container's devices, or
 * NULL.
 */
struct iommu_domain *vhost_iommu_alloc_host_domain(struct vhost_iommu_container *c)
{
	struct bus_type *bus;

	mutex_lock(&c->lock);
	bus = c->bus;
	mutex_unlock(&c->lock);
	return bus ? iommu_domain_alloc(bus) : NULL;
}

/* ---- struct vfio_iommu_driver_ops ------------------------------------ */

static void *pviommu_open(unsigned long arg)
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
	return c;
}

static void group_leave(struct vhost_iommu_group *g)
{
	lockdep_assert_held(&g->c->lock);
	vhost_iommu_group_set_domain(g, NULL);
	WRITE_ONCE(g->gone, true);
	list_del(&g->node);
	vhost_iommu_group_put(g);
}

/*
 * VFIO releases the container's IOMMU data when its last group left (or
 * when SET_IOMMU failed).  A bound vhost-iommu device keeps its reference.
 */
static void pviommu_release(void *data)
{
	struct vhost_iommu_container *c = data;
	struct vhost_iommu_group *g, *tmp;

	mutex_lock(&c->lock);
	list_for_each_entry_safe(g, tmp, &c->groups, node)
		group_leave(g);
	mutex_unlock(&c->lock);
	vhost_iommu_container_put(c);
}

static int first_dev_bus(struct device *dev, void *data)
{
	*(struct bus_type **)data = dev->bus;
	return 1;
}

static int pviommu_attach_group(void *data, struct iommu_group *group,
				enum vfio_group_type type)
{
	struct vhost_iommu_container *c = data;
	struct vhost_iommu_group *g;
	struct bus_type *bus = NULL;
	int ret = 0;

	/* Only groups of real, IOMMU-translated devices. */
	if (type != VFIO_IOMMU)
		return -EINVAL;
	iommu_group_for_each_dev(group, &bus, first_dev_bus);
	if (!bus)
		return -ENODEV;
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return -ENOMEM;
	kref_init(&g->kref);
	g->c = c;
	g->group = iommu_group_ref_get(group);

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
static void pviommu_detach_group(void *data, struct iommu_group *group)
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

/* The usable IOVA ranges: the aperture minus every group's reserved regions. */
static int iova_ranges_cap(struct vhost_iommu_container *c,
			   struct iommu_domain *hd, struct vfio_info_cap *caps)
{
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	struct iommu_resv_region *r, *tmp;
	struct vfio_info_cap_header *header;
	struct vhost_iommu_group *g;
	u64 cur, end = hd->geometry.aperture_end;
	unsigned int n = 0, pass;
	LIST_HEAD(resv);
	int ret = 0;

	if (!hd->geometry.force_aperture)
		end = U64_MAX;
	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node) {
		ret = iommu_get_group_resv_regions(g->group, &resv);
		if (ret)
			break;
	}
	mutex_unlock(&c->lock);
	if (ret)
		goto out;

	/* Pass 0 counts the ranges, pass 1 fills them in. */
	for (pass = 0, cap = NULL; pass < 2; pass++) {
		bool done = false;

		n = 0;
		cur = hd->geometry.force_aperture ? hd->geometry.aperture_start : 0;
		/* The list is sorted by start address. */
		list_for_each_entry(r, &resv, list) {
			u64 last = r->start + r->length - 1;

			if (r->start > cur && r->start <= end) {
				if (cap) {
					cap->iova_ranges[n].start = cur;
					cap->iova_ranges[n].end = r->start - 1;
				}
				n++;
			}
			if (last >= end) {
				done = true;
				break;
			}
			if (last >= cur)
				cur = last + 1;
		}
		if (!done) {
			if (cap) {
				cap->iova_ranges[n].start = cur;
				cap->iova_ranges[n].end = end;
			}
			n++;
		}
		if (pass == 0) {
			header = vfio_info_cap_add(caps, struct_size(cap, iova_ranges, n),
						   VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1);
			if (IS_ERR(header)) {
				ret = PTR_ERR(header);
				goto out;
			}
			cap = container_of(header, struct vfio_iommu_type1_info_cap_iova_range,
					   header);
			cap->nr_iovas = n;
		}
	}
out:
	list_for_each_entry_safe(r, tmp, &resv, list) {
		list_del(&r->list);
		kfree(r);
	}
	return ret;
}

/* VFIO_IOMMU_GET_INFO, laid out as type1's: page sizes and IOVA ranges. */
static long pviommu_get_info(struct vhost_iommu_container *c, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	unsigned long capsz = offsetofend(struct vfio_iommu_type1_info, cap_offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct vfio_iommu_type1_info info;
	struct iommu_domain *hd;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.argsz >= capsz) {
		minsz = capsz;
		info.cap_offset = 0;
	}
	/* What a domain of this container would be like. */
	hd = vhost_iommu_alloc_host_domain(c);
	if (!hd)
		return -ENODEV;
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = hd->pgsize_bitmap;
	ret = iova_ranges_cap(c, hd, &caps);
	iommu_domain_free(hd);
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

static long pviommu_bind(struct vhost_iommu_container *c, void __user *arg)
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

static long pviommu_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	struct vhost_iommu_container *c = data;

	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		return arg == VFIO_PVIOMMU_IOMMU;
	case VFIO_IOMMU_GET_INFO:
		return c ? pviommu_get_info(c, (void __user *)arg) : -EINVAL;
	case VFIO_PVIOMMU_BIND:
		return c ? pviommu_bind(c, (void __user *)arg) : -EINVAL;
	default:
		return -ENOTTY;
	}
}

static const struct vfio_iommu_driver_ops pviommu_vfio_ops = {
	.name = "vfio-pviommu",
	.owner = THIS_MODULE,
	.open = pviommu_open,
	.release = pviommu_release,
	.ioctl = pviommu_ioctl,
	.attach_group = pviommu_attach_group,
	.detach_group = pviommu_detach_group,
};

int vhost_iommu_container_init(void)
{
	return vfio_register_iommu_driver(&pviommu_vfio_ops);
}

void vhost_iommu_container_exit(void)
{
	vfio_unregister_iommu_driver(&pviommu_vfio_ops);
}
