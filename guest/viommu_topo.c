// SPDX-License-Identifier: GPL-2.0-only
/*
 * pviommu.ko, topology: which devices sit behind which virtio-iommu.
 *
 * With CONFIG_ACPI_VIOT the kernel reads the ACPI VIOT table itself: an
 * endpoint's probe waits for an IOMMU registered with the virtio-pci
 * device's fwnode, and the ACPI code gives it an fwspec.  Nothing to do.
 *
 * Without it (Debian's stock 6.1), this file reads VIOT, finds the node of
 * its own virtio-pci function, and gives every PCI endpoint in the ranges
 * that point at that node an fwspec, *before* iommu_device_register(),
 * which probes the buses.  The rules (see docs/guest.md):
 *   - probe_device() runs inside iommu_device_register(), so it finds the
 *     device through viommu_list, filled in before registering;
 *   - an endpoint whose driver bound before pviommu is left alone, with a
 *     message: its DMA ops are never switched under a bound driver;
 *   - an IOMMU group that such a skipped device would belong to is never
 *     handed to VFIO (an UNMANAGED domain), as it would not isolate;
 *   - endpoints bound later keep their fwspec: nothing in the stock kernel
 *     makes them wait, so pviommu must load first (softdep).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "viommu.h"

DEFINE_MUTEX(viommu_list_lock);		/* viommu_list, each device's ->list */
LIST_HEAD(viommu_list);			/* viommu_list_lock */

/*
 * A PCI device in one of our VIOT ranges, on viommu->topo: built before the
 * device is on viommu_list, freed after it left it, fixed in between.
 */
struct viommu_topo_ep {
	struct list_head	list;
	struct pci_dev		*pdev;
	bool			skipped;	/* bound before we came */
};

/* The viommu that translates @dev, from the private list.  */
struct viommu_dev *viommu_lookup(struct device *dev)
{
	struct iommu_fwspec *fwspec = dev_iommu_fwspec_get(dev);
	struct viommu_dev *viommu, *found = NULL;
	struct viommu_topo_ep *ep;

	mutex_lock(&viommu_list_lock);
	list_for_each_entry(viommu, &viommu_list, list) {
		if (viommu->private_viot) {
			list_for_each_entry(ep, &viommu->topo, list) {
				if (&ep->pdev->dev == dev && !ep->skipped) {
					found = viommu;
					goto out;
				}
			}
		} else if (fwspec && fwspec->iommu_fwnode &&
			   fwspec->iommu_fwnode == viommu->iommu.fwnode) {
			found = viommu;
			goto out;
		}
	}
out:
	mutex_unlock(&viommu_list_lock);
	return found;
}

#if IS_ENABLED(CONFIG_ACPI) && !IS_ENABLED(CONFIG_ACPI_VIOT)

struct viommu_viot_range {
	u32 endpoint_start;
	u16 segment_start, segment_end;
	u16 bdf_start, bdf_end;
};

struct viommu_alias_ctx {
	struct viommu_dev *viommu;
	struct device *dev;
	const struct viommu_viot_range *ranges;
	unsigned int nr_ranges;
	unsigned int nr_ids;
	int err;
	bool add;		/* add IDs, or only test for one */
};

/* For each DMA alias of the device: the endpoint ID of a range it is in. */
static int viommu_alias_add_id(struct pci_dev *pdev, u16 alias, void *data)
{
	struct viommu_alias_ctx *ctx = data;
	u32 seg = pci_domain_nr(pdev->bus);
	const struct viommu_viot_range *r;
	unsigned int i;
	u32 id;
	int ret;

	for (i = 0; i < ctx->nr_ranges; i++) {
		r = &ctx->ranges[i];
		if (seg < r->segment_start || seg > r->segment_end ||
		    alias < r->bdf_start || alias > r->bdf_end)
			continue;
		id = ((seg - r->segment_start) << 16) + alias - r->bdf_start +
		     r->endpoint_start;
		if (!ctx->nr_ids) {
			ret = pviommu_compat_fwspec_init(ctx->dev,
							 ctx->viommu->iommu.fwnode,
							 &viommu_ops);
			if (ret) {
				ctx->err = ret;
				return ret;
			}
		}
		ret = iommu_fwspec_add_ids(ctx->dev, &id, 1);
		if (ret) {
			ctx->err = ret;
			return ret;
		}
		ctx->nr_ids++;
		return 0;
	}
	return 0;
}

/* Does the device (or one of its aliases) fall in a range? */
static int viommu_alias_in_range(struct pci_dev *pdev, u16 alias, void *data)
{
	struct viommu_alias_ctx *ctx = data;
	u32 seg = pci_domain_nr(pdev->bus);
	unsigned int i;

	for (i = 0; i < ctx->nr_ranges; i++) {
		if (seg >= ctx->ranges[i].segment_start &&
		    seg <= ctx->ranges[i].segment_end &&
		    alias >= ctx->ranges[i].bdf_start &&
		    alias <= ctx->ranges[i].bdf_end)
			return 1;
	}
	return 0;
}

static int viommu_alias_visit(struct pci_dev *pdev, u16 alias,
			      struct viommu_alias_ctx *ctx)
{
	if (ctx->add)
		return viommu_alias_add_id(pdev, alias, ctx);
	return viommu_alias_in_range(pdev, alias, ctx);
}

/*
 * The requester IDs the device's DMA may carry: its own, quirk aliases and
 * those of bridges that take ownership of its transactions.  The kernel's
 * pci_for_each_dma_alias() is not exported in 6.1; this follows the same
 * PCI rules.  Stops at, and returns, the first non-zero result of
 * viommu_alias_visit().
 */
static int viommu_walk_dma_aliases(struct pci_dev *pdev,
				   struct viommu_alias_ctx *ctx)
{
	struct pci_bus *bus;
	struct pci_dev *tmp;
	unsigned int devfn;
	int ret;

	ret = viommu_alias_visit(pdev, pci_dev_id(pdev), ctx);
	if (ret)
		return ret;
	if (pdev->dma_alias_mask) {
		for_each_set_bit(devfn, pdev->dma_alias_mask, 256) {
			ret = viommu_alias_visit(pdev,
						 PCI_DEVID(pdev->bus->number, devfn),
						 ctx);
			if (ret)
				return ret;
		}
	}

	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		tmp = bus->self;
		if (!tmp)
			continue;
		if (pci_is_pcie(tmp)) {
			switch (pci_pcie_type(tmp)) {
			case PCI_EXP_TYPE_PCI_BRIDGE:
				ret = viommu_alias_visit(tmp,
							 PCI_DEVID(tmp->subordinate->number, 0),
							 ctx);
				break;
			case PCI_EXP_TYPE_PCIE_BRIDGE:
				ret = viommu_alias_visit(tmp, pci_dev_id(tmp), ctx);
				break;
			default:
				continue;
			}
		} else if (tmp->dev_flags & PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS) {
			ret = viommu_alias_visit(tmp,
						 PCI_DEVID(tmp->subordinate->number, 0),
						 ctx);
		} else {
			ret = viommu_alias_visit(tmp, pci_dev_id(tmp), ctx);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The VIOT node at @offset: NULL past the end of the table, an error
 * pointer if the node's length is impossible.
 */
static struct acpi_viot_header *viommu_viot_node(struct acpi_table_header *hdr,
						 u32 offset)
{
	struct acpi_viot_header *node;

	if (offset + sizeof(*node) > hdr->length)
		return NULL;
	node = ACPI_ADD_PTR(struct acpi_viot_header, hdr, offset);
	if (node->length < sizeof(*node) || offset + node->length > hdr->length)
		return ERR_PTR(-EINVAL);
	return node;
}

/*
 * The offset of the VIOT node of our own virtio-pci function, which the
 * ranges of our endpoints name as their output node; 0 if VIOT has none.
 */
static int viommu_viot_find_self(struct viommu_dev *viommu,
				 struct acpi_table_viot *viot, u32 *self_offset)
{
	struct pci_dev *self = to_pci_dev(viommu->vdev->dev.parent);
	struct acpi_table_header *hdr = &viot->header;
	struct acpi_viot_virtio_iommu_pci *vpci;
	struct acpi_viot_header *node;
	u32 offset = viot->node_offset;
	unsigned int i;

	*self_offset = 0;
	for (i = 0; i < viot->node_count; i++, offset += node->length) {
		node = viommu_viot_node(hdr, offset);
		if (!node)
			break;
		if (IS_ERR(node)) {
			dev_err(viommu->dev, "VIOT node at %#x is malformed\n",
				offset);
			return PTR_ERR(node);
		}
		if (node->type != ACPI_VIOT_NODE_VIRTIO_IOMMU_PCI ||
		    node->length < sizeof(*vpci))
			continue;
		vpci = (void *)node;
		if (vpci->segment == pci_domain_nr(self->bus) &&
		    vpci->bdf == pci_dev_id(self)) {
			*self_offset = offset;
			break;
		}
	}
	if (!*self_offset)
		dev_warn(viommu->dev,
			 "VIOT has no node for %s: no endpoint to translate\n",
			 pci_name(self));
	return 0;
}

/*
 * Copy to @ranges, which has room for every node, the PCI ranges of VIOT
 * whose output node is at @self_offset.  Return: how many.
 */
static unsigned int viommu_viot_collect(struct viommu_dev *viommu,
					struct acpi_table_viot *viot,
					u32 self_offset,
					struct viommu_viot_range *ranges)
{
	struct acpi_table_header *hdr = &viot->header;
	struct acpi_viot_pci_range *range;
	struct acpi_viot_header *node;
	u32 offset = viot->node_offset;
	unsigned int i, nr = 0;

	for (i = 0; i < viot->node_count; i++, offset += node->length) {
		node = viommu_viot_node(hdr, offset);
		if (IS_ERR_OR_NULL(node))
			break;
		if (node->type == ACPI_VIOT_NODE_PCI_RANGE &&
		    node->length >= sizeof(*range)) {
			range = (void *)node;
			if (range->output_node != self_offset)
				continue;
			ranges[nr++] = (struct viommu_viot_range) {
				.endpoint_start = range->endpoint_start,
				.segment_start	= range->segment_start,
				.segment_end	= range->segment_end,
				.bdf_start	= range->bdf_start,
				.bdf_end	= range->bdf_end,
			};
		} else if (node->type == ACPI_VIOT_NODE_MMIO &&
			   ((struct acpi_viot_mmio *)node)->output_node ==
			   self_offset) {
			dev_warn(viommu->dev,
				 "VIOT lists an MMIO endpoint: not supported, left untranslated\n");
		}
	}
	return nr;
}

/**
 * viommu_viot_ranges() - the PCI ranges of VIOT that our IOMMU translates
 * @viommu: the device
 * @out: set to the ranges, for the caller to kfree(), if there are any
 *
 * Those ranges are the ones whose output node is our own virtio-pci
 * function's node.  The ACPI tables are the firmware's: every node is
 * checked against the table's length before it is read.
 *
 * Return: the number of ranges (0: no VIOT, no node of ours, or no range),
 * or -EINVAL (a malformed node before ours) or -ENOMEM.
 */
static int viommu_viot_ranges(struct viommu_dev *viommu,
			      struct viommu_viot_range **out)
{
	struct viommu_viot_range *ranges = NULL;
	struct acpi_table_header *hdr;
	struct acpi_table_viot *viot;
	u32 self_offset;
	acpi_status status;
	int ret;

	status = acpi_get_table(ACPI_SIG_VIOT, 0, &hdr);
	if (ACPI_FAILURE(status))
		return 0;
	viot = (struct acpi_table_viot *)hdr;

	ret = viommu_viot_find_self(viommu, viot, &self_offset);
	if (ret || !self_offset)
		goto out;
	ranges = kcalloc(viot->node_count, sizeof(*ranges), GFP_KERNEL);
	if (!ranges) {
		ret = -ENOMEM;
		goto out;
	}
	ret = viommu_viot_collect(viommu, viot, self_offset, ranges);
	if (ret)
		*out = ranges;
	else
		kfree(ranges);
out:
	acpi_put_table(hdr);
	return ret;
}

static int viommu_topo_add(struct viommu_dev *viommu, struct pci_dev *pdev,
			   bool skipped)
{
	struct viommu_topo_ep *ep = kzalloc(sizeof(*ep), GFP_KERNEL);

	if (!ep)
		return -ENOMEM;
	ep->pdev = pci_dev_get(pdev);
	ep->skipped = skipped;
	list_add_tail(&ep->list, &viommu->topo);
	return 0;
}

int viommu_topo_init(struct viommu_dev *viommu)
{
	struct pci_dev *self = to_pci_dev(viommu->vdev->dev.parent);
	struct viommu_viot_range *ranges = NULL;
	struct viommu_alias_ctx ctx = { .viommu = viommu };
	struct pci_dev *pdev = NULL;
	unsigned int nr_eps = 0, nr_skipped = 0;
	bool bound;
	int nr, ret = 0;

	viommu->private_viot = true;
	/* The fwnode the fwspecs name; iommu_device_register() sets it too. */
	viommu->iommu.fwnode = dev_fwnode(&self->dev);

	nr = viommu_viot_ranges(viommu, &ranges);
	if (nr <= 0)
		return nr;
	ctx.ranges = ranges;
	ctx.nr_ranges = nr;

	for_each_pci_dev(pdev) {
		if (pdev == self)
			continue;
		if (!viommu_walk_dma_aliases(pdev, &ctx))
			continue;

		device_lock(&pdev->dev);
		/* Under the device lock, a driver is bound, not probing. */
		bound = !!pdev->dev.driver;
		if (bound) {
			dev_warn(&pdev->dev,
				 "bound to %s before pviommu: left untranslated (load pviommu first, see docs/guest.md)\n",
				 pdev->dev.driver ? pdev->dev.driver->name : "?");
		} else if (dev_iommu_fwspec_get(&pdev->dev)) {
			dev_warn(&pdev->dev,
				 "already has an IOMMU fwspec: left alone\n");
			bound = true;
		} else {
			ctx.dev = &pdev->dev;
			ctx.nr_ids = 0;
			ctx.err = 0;
			ctx.add = true;
			viommu_walk_dma_aliases(pdev, &ctx);
			ctx.add = false;
			if (ctx.err) {
				iommu_fwspec_free(&pdev->dev);
				dev_err(&pdev->dev, "cannot set its fwspec: %d\n",
					ctx.err);
				bound = true;
			}
		}
		ret = viommu_topo_add(viommu, pdev, bound);
		device_unlock(&pdev->dev);
		if (ret) {
			pci_dev_put(pdev);
			break;
		}
		if (bound)
			nr_skipped++;
		else
			nr_eps++;
	}
	kfree(ranges);
	if (ret) {
		viommu_topo_release(viommu);
		return ret;
	}
	dev_info(viommu->dev, "VIOT: %u endpoints, %u skipped\n", nr_eps,
		 nr_skipped);
	return 0;
}

static int viommu_mark_incomplete(struct device *dev, void *data)
{
	struct viommu_dev *viommu = data;
	struct viommu_endpoint *vep;

	if (!dev->iommu || dev->iommu->iommu_dev != &viommu->iommu)
		return 0;
	vep = dev_iommu_priv_get(dev);
	if (vep && !vep->group_incomplete) {
		WRITE_ONCE(vep->group_incomplete, true);
		dev_warn(dev,
			 "shares its IOMMU group with an untranslated device: the group will not be given to VFIO\n");
	}
	return 0;
}

/*
 * A skipped device belongs, by the PCI rules, to the IOMMU group of some of
 * our endpoints (same slot without ACS, DMA aliases, ...): that group does
 * not isolate.  pci_device_group() answers which group it would join.
 */
void viommu_topo_check_groups(struct viommu_dev *viommu)
{
	struct viommu_topo_ep *ep;
	struct iommu_group *group;

	list_for_each_entry(ep, &viommu->topo, list) {
		if (!ep->skipped)
			continue;
		group = pci_device_group(&ep->pdev->dev);
		if (IS_ERR_OR_NULL(group))
			continue;
		iommu_group_for_each_dev(group, viommu, viommu_mark_incomplete);
		iommu_group_put(group);
	}
}

#else /* the kernel reads VIOT, or there is no ACPI */

int viommu_topo_init(struct viommu_dev *viommu)
{
	return 0;
}

void viommu_topo_check_groups(struct viommu_dev *viommu)
{
}

#endif

/* Drop the topology list, and any fwspec that no probe consumed. */
void viommu_topo_release(struct viommu_dev *viommu)
{
	struct viommu_topo_ep *ep, *tmp;
	struct iommu_fwspec *fwspec;
	struct device *dev;

	list_for_each_entry_safe(ep, tmp, &viommu->topo, list) {
		dev = &ep->pdev->dev;
		if (!ep->skipped) {
			device_lock(dev);
			fwspec = dev_iommu_fwspec_get(dev);
			if (fwspec &&
			    fwspec->iommu_fwnode == viommu->iommu.fwnode &&
			    !dev->iommu->iommu_dev)
				iommu_fwspec_free(dev);
			device_unlock(dev);
		}
		list_del(&ep->list);
		pci_dev_put(ep->pdev);
		kfree(ep);
	}
}

/*
 * Linux 6.1 never clears bus->iommu_ops once an IOMMU registered.  Left
 * pointing into this module after it is gone, it would crash the next
 * device hotplug and refuse the next registration (-EBUSY).  Every endpoint
 * is released by now (each held a module reference).  Later kernels have
 * no such pointer.
 */
void viommu_topo_exit(void)
{
	pviommu_compat_bus_forget_ops(&pci_bus_type, &viommu_ops);
	pviommu_compat_bus_forget_ops(&platform_bus_type, &viommu_ops);
}
