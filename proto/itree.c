// SPDX-License-Identifier: GPL-2.0-only OR BSD-3-Clause
/*
 * Intrusive AVL tree of disjoint intervals, ordered by start.  Because the
 * intervals never overlap, ordering by start also orders them by last, so
 * an overlap query is one descent.
 */
#include "itree.h"

static int height(const struct viommu_model_interval *node)
{
	return node ? node->height : 0;
}

static void update_height(struct viommu_model_interval *node)
{
	int l = height(node->left), r = height(node->right);

	node->height = 1 + (l > r ? l : r);
}

/* Make @new take @old's place under @parent (or at the root). */
static void replace_child(struct viommu_model_itree *tree,
			  struct viommu_model_interval *parent,
			  struct viommu_model_interval *old,
			  struct viommu_model_interval *new)
{
	if (!parent)
		tree->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct viommu_model_interval *rotate_left(struct viommu_model_itree *tree,
					    struct viommu_model_interval *x)
{
	struct viommu_model_interval *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(tree, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

static struct viommu_model_interval *rotate_right(struct viommu_model_itree *tree,
					     struct viommu_model_interval *x)
{
	struct viommu_model_interval *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(tree, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

/* Restore the AVL invariant on the path from @node up to the root. */
static void rebalance(struct viommu_model_itree *tree, struct viommu_model_interval *node)
{
	while (node) {
		int balance;

		update_height(node);
		balance = height(node->left) - height(node->right);
		if (balance > 1) {
			if (height(node->left->left) < height(node->left->right))
				rotate_left(tree, node->left);
			node = rotate_right(tree, node);
		} else if (balance < -1) {
			if (height(node->right->right) < height(node->right->left))
				rotate_right(tree, node->right);
			node = rotate_left(tree, node);
		}
		node = node->parent;
	}
}

/**
 * viommu_model_itree_first() - the lowest interval that overlaps [start, last]
 * @tree: the tree
 * @start: first address of the query
 * @last: last address of the query (inclusive)
 *
 * Return: the interval, or NULL when nothing in the tree overlaps.
 */
struct viommu_model_interval *viommu_model_itree_first(const struct viommu_model_itree *tree,
					     u64 start, u64 last)
{
	struct viommu_model_interval *node = tree->root, *found = NULL;

	/* The lowest interval that ends at or after @start... */
	while (node) {
		if (node->last >= start) {
			found = node;
			node = node->left;
		} else {
			node = node->right;
		}
	}
	/* ...overlaps the query if it begins at or before @last. */
	if (found && found->start <= last)
		return found;
	return NULL;
}
EXPORT_SYMBOL_GPL(viommu_model_itree_first);

/**
 * viommu_model_itree_next() - the interval after @node, if it starts by @last
 * @node: an interval in a tree
 * @last: the end of the query being walked (inclusive)
 *
 * Return: the in-order successor of @node when it begins at or before
 * @last, NULL otherwise.
 */
struct viommu_model_interval *viommu_model_itree_next(const struct viommu_model_interval *node,
					    u64 last)
{
	const struct viommu_model_interval *next;

	if (node->right) {
		next = node->right;
		while (next->left)
			next = next->left;
	} else {
		next = node->parent;
		while (next && node == next->right) {
			node = next;
			next = next->parent;
		}
	}
	if (next && next->start <= last)
		return (struct viommu_model_interval *)next;
	return NULL;
}
EXPORT_SYMBOL_GPL(viommu_model_itree_next);

/* The interval with the lowest start, or NULL when the tree is empty. */
struct viommu_model_interval *viommu_model_itree_min(const struct viommu_model_itree *tree)
{
	struct viommu_model_interval *node = tree->root;

	while (node && node->left)
		node = node->left;
	return node;
}
EXPORT_SYMBOL_GPL(viommu_model_itree_min);

/**
 * viommu_model_itree_insert() - add @node unless it overlaps an existing interval
 * @tree: the tree
 * @node: the interval, with start <= last set by the caller
 *
 * Return: true if @node was inserted, false if it overlaps (tree unchanged).
 */
bool viommu_model_itree_insert(struct viommu_model_itree *tree,
			  struct viommu_model_interval *node)
{
	struct viommu_model_interval **link = &tree->root, *parent = NULL;

	if (viommu_model_itree_first(tree, node->start, node->last))
		return false;

	while (*link) {
		parent = *link;
		link = node->start < parent->start ? &parent->left :
						     &parent->right;
	}
	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->height = 1;
	*link = node;
	tree->count++;
	rebalance(tree, parent);
	return true;
}
EXPORT_SYMBOL_GPL(viommu_model_itree_insert);

/**
 * viommu_model_itree_remove() - take @node out of @tree
 * @tree: the tree that holds @node
 * @node: the interval to remove; the caller still owns its memory
 */
void viommu_model_itree_remove(struct viommu_model_itree *tree,
			  struct viommu_model_interval *node)
{
	struct viommu_model_interval *fix;

	if (node->left && node->right) {
		/* Move the successor, which has no left child, into place. */
		struct viommu_model_interval *succ = node->right;

		while (succ->left)
			succ = succ->left;
		if (succ->parent != node) {
			fix = succ->parent;
			fix->left = succ->right;
			if (succ->right)
				succ->right->parent = fix;
			succ->right = node->right;
			node->right->parent = succ;
		} else {
			fix = succ;
		}
		succ->left = node->left;
		node->left->parent = succ;
		succ->height = node->height;
		replace_child(tree, node->parent, node, succ);
	} else {
		fix = node->parent;
		replace_child(tree, node->parent, node,
			      node->left ? node->left : node->right);
	}
	node->parent = NULL;
	node->left = NULL;
	node->right = NULL;
	tree->count--;
	rebalance(tree, fix);
}
EXPORT_SYMBOL_GPL(viommu_model_itree_remove);
