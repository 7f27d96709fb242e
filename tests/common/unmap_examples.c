// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seven UNMAP examples of the virtio-iommu specification, verbatim,
 * on a device with a one-byte granule.  Built into the userspace unit
 * tests and into the kernel module test, against the same proto/ code.
 */
#include "pool_backend.h"
#include "unmap_examples.h"

#define RW	(VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)
#define OK	VIRTIO_IOMMU_S_OK

struct unmap_example {
	const char *name;
	/* Up to two MAPs, then one UNMAP. */
	unsigned int nr_maps;
	u64 map[2][2];
	u64 unmap[2];
	bool expect_ok;
	/* Which of the maps survive the UNMAP. */
	bool survives[2];
};

static const struct unmap_example examples[] = {
	{ "unmap example 1: unmap(0,4) on an empty domain -> OK",
	  0, { { 0 } }, { 0, 4 }, true, { false } },
	{ "unmap example 2: map(0,9); unmap(0,9) -> OK",
	  1, { { 0, 9 } }, { 0, 9 }, true, { false } },
	{ "unmap example 3: map(0,4); map(5,9); unmap(0,9) -> OK, both removed",
	  2, { { 0, 4 }, { 5, 9 } }, { 0, 9 }, true, { false, false } },
	{ "unmap example 4: map(0,9); unmap(0,4) -> fails, nothing removed",
	  1, { { 0, 9 } }, { 0, 4 }, false, { true } },
	{ "unmap example 5: map(0,4); map(5,9); unmap(0,4) -> OK, first removed",
	  2, { { 0, 4 }, { 5, 9 } }, { 0, 4 }, true, { false, true } },
	{ "unmap example 6: map(0,4); unmap(0,9) -> OK",
	  1, { { 0, 4 } }, { 0, 9 }, true, { false } },
	{ "unmap example 7: map(0,4); map(10,14); unmap(0,14) -> OK, both removed",
	  2, { { 0, 4 }, { 10, 14 } }, { 0, 14 }, true, { false, false } },
};

static bool run_one(const struct unmap_example *ex)
{
	/* Too large for a kernel stack. */
	static struct pool_backend pool;
	unsigned int i, removed = 0;
	bool ok = true;
	u8 status;

	pool_init(&pool, 0);
	pool.dev.config.page_size_mask = 1;	/* a one-byte granule */
	if (pool_attach(&pool, 1, 1, 0) != OK)
		return false;
	for (i = 0; i < ex->nr_maps; i++)
		if (pool_map(&pool, 1, ex->map[i][0], ex->map[i][1],
			     0x100000 + ex->map[i][0], RW) != OK)
			return false;
	status = pool_unmap(&pool, 1, ex->unmap[0], ex->unmap[1]);
	if ((status == OK) != ex->expect_ok)
		ok = false;
	for (i = 0; i < ex->nr_maps; i++)
		if (pool_mapped(&pool, 1, ex->map[i][0], ex->map[i][1]) !=
		    ex->survives[i])
			ok = false;
	/* The backend was asked to unmap exactly what was removed. */
	for (i = 0; i < ex->nr_maps; i++)
		removed += !ex->survives[i];
	return ok && pool.nr_unmap == removed;
}

void run_unmap_examples(struct tap *t)
{
	unsigned int i;

	for (i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		tap_ok(t, run_one(&examples[i]), examples[i].name);
}
