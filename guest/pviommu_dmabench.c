// SPDX-License-Identifier: GPL-2.0-only
/*
 * pviommu_dmabench.ko: how fast is the DMA API through the IOMMU?
 *
 *   echo "0000:00:03.0 4096 10000" > /sys/kernel/debug/pviommu_dmabench/run
 *   cat /sys/kernel/debug/pviommu_dmabench/run
 *
 * runs 10000 dma_map_single()/dma_unmap_single() pairs of 4096 bytes against
 * the PCI device 0000:00:03.0 (its bound driver, if any, is not involved)
 * and reports ops/s and the p50/p99 latency of a pair.  The device's domain
 * type tells the mode: DMA is strict (iommu.strict=1), DMA-FQ is lazy (the
 * default), identity is passthrough.  Nothing is transferred.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define DMABENCH_MAX_SIZE	SZ_4M
#define DMABENCH_MAX_COUNT	10000000u

static struct dentry *dmabench_dir;
static DEFINE_MUTEX(dmabench_lock);
static char dmabench_result[512] = "no run yet\n";

static const char *dmabench_domain_type(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (!domain)
		return "none";
	switch (domain->type) {
	case IOMMU_DOMAIN_DMA:
		return "DMA(strict)";
	case IOMMU_DOMAIN_DMA_FQ:
		return "DMA-FQ(lazy)";
	case IOMMU_DOMAIN_IDENTITY:
		return "identity";
	case IOMMU_DOMAIN_UNMANAGED:
		return "unmanaged";
	default:
		return "other";
	}
}

static int dmabench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int dmabench_run(struct pci_dev *pdev, size_t size, unsigned int count)
{
	struct device *dev = &pdev->dev;
	u64 *lat, t0, t1, total, p50, p99, ops;
	unsigned int i, errors = 0;
	dma_addr_t addr;
	void *buf;

	buf = kmalloc(size, GFP_KERNEL);
	lat = kvmalloc_array(count, sizeof(*lat), GFP_KERNEL);
	if (!buf || !lat) {
		kfree(buf);
		kvfree(lat);
		return -ENOMEM;
	}

	total = ktime_get_ns();
	for (i = 0; i < count; i++) {
		t0 = ktime_get_ns();
		addr = dma_map_single(dev, buf, size, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(dev, addr)) {
			errors++;
			lat[i] = ktime_get_ns() - t0;
			continue;
		}
		dma_unmap_single(dev, addr, size, DMA_BIDIRECTIONAL);
		t1 = ktime_get_ns();
		lat[i] = t1 - t0;
		if (!(i & 255))
			cond_resched();
	}
	total = ktime_get_ns() - total;

	sort(lat, count, sizeof(*lat), dmabench_cmp, NULL);
	p50 = lat[(count - 1) / 2];
	p99 = lat[div_u64((u64)(count - 1) * 99, 100)];
	ops = total ? div64_u64((u64)count * NSEC_PER_SEC, total) : 0;

	scnprintf(dmabench_result, sizeof(dmabench_result),
		  "device %s domain %s size %zu count %u errors %u total_ns %llu ops_per_s %llu p50_ns %llu p99_ns %llu\n",
		  pci_name(pdev), dmabench_domain_type(dev), size, count,
		  errors, total, ops, p50, p99);
	pr_info("%s", dmabench_result);

	kfree(buf);
	kvfree(lat);
	return errors ? -EIO : 0;
}

static ssize_t dmabench_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	unsigned int domain, bus, slot, fn, count;
	struct pci_dev *pdev;
	char cmd[96];
	size_t size;
	int ret;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';

	if (sscanf(cmd, "%x:%x:%x.%x %zu %u", &domain, &bus, &slot, &fn,
		   &size, &count) != 6)
		return -EINVAL;
	if (!size || size > DMABENCH_MAX_SIZE || !count ||
	    count > DMABENCH_MAX_COUNT || bus > 0xff || slot > 0x1f || fn > 7)
		return -EINVAL;

	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;

	mutex_lock(&dmabench_lock);
	ret = dmabench_run(pdev, size, count);
	mutex_unlock(&dmabench_lock);
	pci_dev_put(pdev);
	return ret ? ret : len;
}

static ssize_t dmabench_read(struct file *file, char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&dmabench_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, dmabench_result,
				      strlen(dmabench_result));
	mutex_unlock(&dmabench_lock);
	return ret;
}

static const struct file_operations dmabench_fops = {
	.owner	= THIS_MODULE,
	.read	= dmabench_read,
	.write	= dmabench_write,
	.llseek	= default_llseek,
};

static int __init dmabench_init(void)
{
	dmabench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("run", 0600, dmabench_dir, NULL, &dmabench_fops);
	return 0;
}
module_init(dmabench_init);

static void __exit dmabench_exit(void)
{
	debugfs_remove_recursive(dmabench_dir);
}
module_exit(dmabench_exit);

MODULE_DESCRIPTION("pviommu: DMA API map/unmap microbenchmark");
MODULE_LICENSE("GPL");
