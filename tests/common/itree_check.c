// SPDX-License-Identifier: GPL-2.0-only
#include "itree_check.h"

static int check_subtree(const struct viommu_model_interval *n, u64 *prev_last,
			 bool *first, bool *ok)
{
	int l, r;

	if (!n)
		return 0;
	if ((n->left && n->left->parent != n) ||
	    (n->right && n->right->parent != n))
		*ok = false;
	l = check_subtree(n->left, prev_last, first, ok);
	if (n->start > n->last || (!*first && n->start <= *prev_last))
		*ok = false;
	*first = false;
	*prev_last = n->last;
	r = check_subtree(n->right, prev_last, first, ok);
	if (l - r > 1 || r - l > 1 || n->height != 1 + (l > r ? l : r))
		*ok = false;
	return 1 + (l > r ? l : r);
}

/* Ordered, disjoint, linked both ways and height-balanced? */
bool itree_valid(const struct viommu_model_itree *tree)
{
	u64 prev = 0;
	bool first = true, ok = true;

	check_subtree(tree->root, &prev, &first, &ok);
	return ok && (!tree->root || !tree->root->parent);
}
