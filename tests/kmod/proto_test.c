// SPDX-License-Identifier: GPL-2.0-only
/*
 * pviommu_proto_test.ko: runs proto/'s shared tests inside the kernel,
 * against pviommu_proto.ko, and prints TAP to the kernel log.  Loading
 * fails with -EINVAL when a test fails, so `insmod` itself reports it.
 */
#include <linux/module.h>

#include "../common/pool_backend.h"
#include "../common/unmap_examples.h"

static int __init proto_test_init(void)
{
	struct tap t = { 0 };

	run_unmap_examples(&t);
	tap_print("1..%u\n", t.run);
	tap_print("# %u passed, %u failed\n", t.run - t.failed, t.failed);
	return t.failed ? -EINVAL : 0;
}
module_init(proto_test_init);

static void __exit proto_test_exit(void)
{
}
module_exit(proto_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel tests of the pviommu protocol core");
