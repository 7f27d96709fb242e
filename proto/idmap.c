// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/*
 * The ID map of idmap.h on the kernel's rbtree, with its rb_find() and
 * rb_add() helpers.
 */
#include "idmap.h"

static u32 id_of(const struct rb_node *node)
{
	return rb_entry(node, struct viommu_model_id, rb)->id;
}

static int id_cmp(const void *key, const struct rb_node *node)
{
	u32 id = *(const u32 *)key;

	return id < id_of(node) ? -1 : id > id_of(node);
}

static bool id_less(struct rb_node *a, const struct rb_node *b)
{
	return id_of(a) < id_of(b);
}

/**
 * viommu_model_idmap_find() - the object with ID @id
 * @map: the map
 * @id: the ID
 *
 * Return: its node, or NULL when no object has @id.
 */
struct viommu_model_id *viommu_model_idmap_find(const struct viommu_model_idmap *map,
						u32 id)
{
	struct rb_node *node = rb_find(&id, &map->root, id_cmp);

	return node ? rb_entry(node, struct viommu_model_id, rb) : NULL;
}
EXPORT_SYMBOL_GPL(viommu_model_idmap_find);

/**
 * viommu_model_idmap_insert() - add an object under the ID in @node
 * @map: the map
 * @node: the object's node, with its id set to one that
 *	  viommu_model_idmap_find() did not find (the caller looked it up)
 */
void viommu_model_idmap_insert(struct viommu_model_idmap *map,
			       struct viommu_model_id *node)
{
	rb_add(&node->rb, &map->root, id_less);
	map->count++;
}
EXPORT_SYMBOL_GPL(viommu_model_idmap_insert);

/**
 * viommu_model_idmap_remove() - take an object out of the map
 * @map: the map that holds @node
 * @node: the object's node; the caller still owns the object
 */
void viommu_model_idmap_remove(struct viommu_model_idmap *map,
			       struct viommu_model_id *node)
{
	rb_erase(&node->rb, &map->root);
	map->count--;
}
EXPORT_SYMBOL_GPL(viommu_model_idmap_remove);

/* The object with the lowest ID, or NULL when the map is empty. */
struct viommu_model_id *viommu_model_idmap_first(const struct viommu_model_idmap *map)
{
	struct rb_node *node = rb_first(&map->root);

	return node ? rb_entry(node, struct viommu_model_id, rb) : NULL;
}
EXPORT_SYMBOL_GPL(viommu_model_idmap_first);
