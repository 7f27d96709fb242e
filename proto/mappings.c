// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/*
 * The mapping table's rules, quoted from the virtio-iommu specification
 * (device type 23, section "MAP request" and "UNMAP request").
 */
#include "mappings.h"

static struct viommu_model_mapping *to_mapping(struct viommu_model_interval *node)
{
	return node ? (struct viommu_model_mapping *)((char *)node -
		offsetof(struct viommu_model_mapping, iova)) : NULL;
}

/**
 * viommu_model_mappings_insert() - record a new mapping
 * @table: the domain's mapping table
 * @mapping: the mapping, with its iova interval filled in
 *
 * "If a mapping already exists in the requested range, the device SHOULD
 * set the request status to VIRTIO_IOMMU_S_INVAL."
 *
 * Return: VIRTIO_IOMMU_S_OK, or VIRTIO_IOMMU_S_INVAL on overlap, in which
 * case the table is unchanged.
 */
u8 viommu_model_mappings_insert(struct viommu_model_itree *table,
			   struct viommu_model_mapping *mapping)
{
	if (!viommu_model_itree_insert(table, &mapping->iova))
		return VIRTIO_IOMMU_S_INVAL;
	return VIRTIO_IOMMU_S_OK;
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_insert);

/**
 * viommu_model_mappings_check_unmap() - would UNMAP [start, last] split a mapping?
 * @table: the domain's mapping table
 * @start: virt_start of the UNMAP
 * @last: virt_end of the UNMAP (inclusive)
 *
 * "If a mapping affected by the range is not covered in its entirety by
 * the range (the UNMAP request would split the mapping), then the device
 * SHOULD set the request status to VIRTIO_IOMMU_S_RANGE, and SHOULD NOT
 * remove any mapping."  Only the mappings that contain @start or @last can
 * stick out of the range, so two lookups decide.
 *
 * Return: VIRTIO_IOMMU_S_OK or VIRTIO_IOMMU_S_RANGE.
 */
u8 viommu_model_mappings_check_unmap(const struct viommu_model_itree *table,
				u64 start, u64 last)
{
	const struct viommu_model_interval *head, *tail;

	head = viommu_model_itree_first(table, start, start);
	if (head && head->start < start)
		return VIRTIO_IOMMU_S_RANGE;
	tail = viommu_model_itree_first(table, last, last);
	if (tail && tail->last > last)
		return VIRTIO_IOMMU_S_RANGE;
	return VIRTIO_IOMMU_S_OK;
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_check_unmap);

/**
 * viommu_model_mappings_take() - remove the lowest mapping that overlaps a range
 * @table: the domain's mapping table
 * @start: first address of the range
 * @last: last address of the range (inclusive)
 *
 * Callers run viommu_model_mappings_check_unmap() first and then take mappings
 * until none is left: "Holes in the range are allowed; the device removes
 * every mapping that lies within the range."
 *
 * Return: the removed mapping, now owned by the caller, or NULL.
 */
struct viommu_model_mapping *viommu_model_mappings_take(struct viommu_model_itree *table,
					      u64 start, u64 last)
{
	struct viommu_model_interval *node = viommu_model_itree_first(table, start, last);

	if (node)
		viommu_model_itree_remove(table, node);
	return to_mapping(node);
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_take);

/* The mapping that contains @iova, or NULL. */
struct viommu_model_mapping *viommu_model_mappings_find(const struct viommu_model_itree *table,
					      u64 iova)
{
	return to_mapping(viommu_model_itree_first(table, iova, iova));
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_find);
