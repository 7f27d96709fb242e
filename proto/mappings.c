// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/*
 * The mapping table's rules, quoted from the virtio-iommu specification
 * (device type 23, section "MAP request" and "UNMAP request"), on the
 * kernel's interval tree.  Mappings never overlap, so the tree's order by
 * iova.start is also their order by iova.last.
 */
#include "mappings.h"
#include <linux/interval_tree_generic.h>

#define MAPPING_START(m)	((m)->iova.start)
#define MAPPING_LAST(m)		((m)->iova.last)

INTERVAL_TREE_DEFINE(struct viommu_model_mapping, rb, u64, subtree_last,
		     MAPPING_START, MAPPING_LAST, static, mapping_tree)

/*
 * The generated lookups only read the tree, but INTERVAL_TREE_DEFINE
 * declares them on non-const pointers.
 */
static struct rb_root_cached *tree_of(const struct viommu_model_mappings *table)
{
	return (struct rb_root_cached *)&table->tree;
}

/**
 * viommu_model_mappings_first() - the lowest mapping that overlaps a range
 * @table: the domain's mapping table
 * @start: first address of the range
 * @last: last address of the range (inclusive)
 *
 * Return: the mapping, or NULL when no mapping overlaps [@start, @last].
 */
struct viommu_model_mapping *
viommu_model_mappings_first(const struct viommu_model_mappings *table,
			    u64 start, u64 last)
{
	return mapping_tree_iter_first(tree_of(table), start, last);
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_first);

/**
 * viommu_model_mappings_next() - the mapping after @mapping in a range
 * @mapping: a mapping that overlaps [@start, @last]
 * @start: first address of the range
 * @last: last address of the range (inclusive)
 *
 * Return: the next higher mapping that overlaps the range, or NULL.
 */
struct viommu_model_mapping *
viommu_model_mappings_next(const struct viommu_model_mapping *mapping,
			   u64 start, u64 last)
{
	return mapping_tree_iter_next((struct viommu_model_mapping *)mapping,
				      start, last);
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_next);

/* The mapping that contains @iova, or NULL. */
struct viommu_model_mapping *
viommu_model_mappings_find(const struct viommu_model_mappings *table, u64 iova)
{
	return viommu_model_mappings_first(table, iova, iova);
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_find);

/**
 * viommu_model_mappings_check_map() - may MAP [start, last] be recorded?
 * @table: the domain's mapping table
 * @start: virt_start of the MAP
 * @last: virt_end of the MAP (inclusive)
 *
 * "If a mapping already exists in the requested range, the device SHOULD
 * set the request status to VIRTIO_IOMMU_S_INVAL."
 *
 * Return: VIRTIO_IOMMU_S_OK, or VIRTIO_IOMMU_S_INVAL on overlap.
 */
u8 viommu_model_mappings_check_map(const struct viommu_model_mappings *table,
				   u64 start, u64 last)
{
	if (viommu_model_mappings_first(table, start, last))
		return VIRTIO_IOMMU_S_INVAL;
	return VIRTIO_IOMMU_S_OK;
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_check_map);

/**
 * viommu_model_mappings_insert() - record a new mapping
 * @table: the domain's mapping table
 * @mapping: the mapping, with its iova range filled in
 *
 * The caller has run viommu_model_mappings_check_map() on the same range,
 * with nothing inserted since: the check is made once, where its status
 * can still be answered before anything is allocated or programmed.
 */
void viommu_model_mappings_insert(struct viommu_model_mappings *table,
				  struct viommu_model_mapping *mapping)
{
	mapping_tree_insert(mapping, &table->tree);
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_insert);

/**
 * viommu_model_mappings_remove() - take one mapping out of the table
 * @table: the table that holds @mapping
 * @mapping: the mapping; the caller still owns its memory
 */
void viommu_model_mappings_remove(struct viommu_model_mappings *table,
				  struct viommu_model_mapping *mapping)
{
	mapping_tree_remove(mapping, &table->tree);
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_remove);

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
u8 viommu_model_mappings_check_unmap(const struct viommu_model_mappings *table,
				     u64 start, u64 last)
{
	const struct viommu_model_mapping *head, *tail;

	head = viommu_model_mappings_find(table, start);
	if (head && head->iova.start < start)
		return VIRTIO_IOMMU_S_RANGE;
	tail = viommu_model_mappings_find(table, last);
	if (tail && tail->iova.last > last)
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
struct viommu_model_mapping *
viommu_model_mappings_take(struct viommu_model_mappings *table,
			   u64 start, u64 last)
{
	struct viommu_model_mapping *mapping;

	mapping = viommu_model_mappings_first(table, start, last);
	if (mapping)
		viommu_model_mappings_remove(table, mapping);
	return mapping;
}
EXPORT_SYMBOL_GPL(viommu_model_mappings_take);
