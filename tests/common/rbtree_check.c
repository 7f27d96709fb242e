// SPDX-License-Identifier: GPL-2.0-only
#include "rbtree_check.h"
/* After proto/'s headers, which give GNU C's typeof to C11 (compat.h). */
#include <linux/rbtree_augmented.h>

/*
 * The black height of the subtree at @node, or -1 unless it is a red-black
 * tree whose nodes point back to their parents: no red node has a red
 * child, and every path down has as many black nodes.
 */
static int black_height(const struct rb_node *node,
			const struct rb_node *parent)
{
	int l, r;

	if (!node)
		return 1;
	if (rb_parent(node) != parent)
		return -1;
	if (rb_is_red(node) && parent && rb_is_red(parent))
		return -1;
	l = black_height(node->rb_left, node);
	r = black_height(node->rb_right, node);
	if (l < 0 || l != r)
		return -1;
	return l + rb_is_black(node);
}

static bool rbtree_valid(const struct rb_root *root)
{
	return (!root->rb_node || rb_is_black(root->rb_node)) &&
	       black_height(root->rb_node, NULL) > 0;
}

unsigned int rbtree_height(const struct rb_node *node)
{
	unsigned int l, r;

	if (!node)
		return 0;
	l = rbtree_height(node->rb_left);
	r = rbtree_height(node->rb_right);
	return 1 + (l > r ? l : r);
}

static const struct viommu_model_mapping *to_mapping(const struct rb_node *node)
{
	return node ? rb_entry(node, struct viommu_model_mapping, rb) : NULL;
}

/* Is @m's subtree_last the largest iova.last of its subtree? */
static bool subtree_last_right(const struct viommu_model_mapping *m)
{
	const struct viommu_model_mapping *l = to_mapping(m->rb.rb_left);
	const struct viommu_model_mapping *r = to_mapping(m->rb.rb_right);
	u64 max = m->iova.last;

	if (l && l->subtree_last > max)
		max = l->subtree_last;
	if (r && r->subtree_last > max)
		max = r->subtree_last;
	return m->subtree_last == max;
}

/*
 * A red-black tree, in order and disjoint, with the leftmost node cached
 * and every subtree_last right?  Its node count goes to @count.
 */
bool mappings_valid(const struct viommu_model_mappings *table,
		    unsigned long *count)
{
	const struct rb_node *node, *first = rb_first(&table->tree.rb_root);
	const struct viommu_model_mapping *m, *prev = NULL;
	bool ok = rbtree_valid(&table->tree.rb_root) &&
		  table->tree.rb_leftmost == first;

	*count = 0;
	for (node = first; node; node = rb_next(node), prev = m) {
		m = to_mapping(node);
		if (m->iova.start > m->iova.last ||
		    (prev && m->iova.start <= prev->iova.last) ||
		    !subtree_last_right(m))
			ok = false;
		++*count;
	}
	return ok;
}

/* A red-black tree in strict ID order, as many nodes as it counts? */
bool idmap_valid(const struct viommu_model_idmap *map)
{
	const struct rb_node *node;
	const struct viommu_model_id *id, *prev = NULL;
	unsigned long n = 0;
	bool ok = rbtree_valid(&map->root);

	for (node = rb_first(&map->root); node; node = rb_next(node), prev = id) {
		id = rb_entry(node, struct viommu_model_id, rb);
		if (prev && id->id <= prev->id)
			ok = false;
		n++;
	}
	return ok && n == map->count;
}
