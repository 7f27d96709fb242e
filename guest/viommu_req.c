// SPDX-License-Identifier: GPL-2.0-only
/*
 * pviommu.ko, the virtio side: feature negotiation, the configuration, the
 * request queue (requests are queued without a kick and completed in
 * batches), the event queue, debugfs counters and the device's lifecycle.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "viommu.h"

struct viommu_stats viommu_stats;		/* atomics */
static struct dentry *viommu_debugfs;

/*
 * A request from its queueing to its completion, both under the device's
 * request_lock: so is every field, written once when it is queued.
 */
struct viommu_request {
	struct list_head	list;		/* in viommu->requests */
	void			*writeback;	/* caller's device-writable part */
	unsigned int		write_offset;
	unsigned int		len;
	u8			buf[];
};

/* An event buffer: the device's while posted, the event handler's after. */
struct viommu_event {
	union {
		u32				head;
		struct virtio_iommu_fault	fault;
	};
};

int viommu_status_to_errno(u8 status)
{
	switch (status) {
	case VIRTIO_IOMMU_S_OK:
		return 0;
	case VIRTIO_IOMMU_S_UNSUPP:
		/* The in-tree driver says -ENOSYS, which is for syscalls. */
		return -EOPNOTSUPP;
	case VIRTIO_IOMMU_S_INVAL:
		return -EINVAL;
	case VIRTIO_IOMMU_S_RANGE:
		return -ERANGE;
	case VIRTIO_IOMMU_S_NOENT:
		return -ENOENT;
	case VIRTIO_IOMMU_S_FAULT:
		return -EFAULT;
	case VIRTIO_IOMMU_S_NOMEM:
		return -ENOMEM;
	case VIRTIO_IOMMU_S_IOERR:
	case VIRTIO_IOMMU_S_DEVERR:
	default:
		return -EIO;
	}
}

static struct virtio_iommu_req_tail *req_tail(void *buf, size_t len)
{
	return buf + len - sizeof(struct virtio_iommu_req_tail);
}

/* Where the device-writable part of a request starts. */
static size_t viommu_write_offset(struct viommu_dev *viommu, const void *buf,
				  size_t len)
{
	const struct virtio_iommu_req_head *head = buf;
	size_t tail = sizeof(struct virtio_iommu_req_tail);

	if (head->type == VIRTIO_IOMMU_T_PROBE)
		return len - viommu->probe_size - tail;
	return len - tail;
}

/* MAP and UNMAP begin alike: the range of a failed one is read as UNMAP's. */
static_assert(offsetof(struct virtio_iommu_req_map, domain) ==
	      offsetof(struct virtio_iommu_req_unmap, domain));
static_assert(offsetof(struct virtio_iommu_req_map, virt_start) ==
	      offsetof(struct virtio_iommu_req_unmap, virt_start));
static_assert(offsetof(struct virtio_iommu_req_map, virt_end) ==
	      offsetof(struct virtio_iommu_req_unmap, virt_end));

/* A queued request the caller does not wait for has failed: say which. */
static void viommu_report_async_error(struct viommu_dev *viommu,
				      struct viommu_request *req, u8 status)
{
	struct virtio_iommu_req_head *head = (void *)req->buf;
	struct virtio_iommu_req_unmap *range = (void *)req->buf;

	if (head->type == VIRTIO_IOMMU_T_MAP ||
	    head->type == VIRTIO_IOMMU_T_UNMAP)
		dev_err_ratelimited(viommu->dev,
				    "%s [%#llx-%#llx] in domain %u failed: status %s (%d)\n",
				    viommu_model_req_name(head->type),
				    le64_to_cpu(range->virt_start),
				    le64_to_cpu(range->virt_end),
				    le32_to_cpu(range->domain),
				    viommu_model_status_name(status),
				    viommu_status_to_errno(status));
	else
		dev_err_ratelimited(viommu->dev, "%s failed: status %s\n",
				    viommu_model_req_name(head->type),
				    viommu_model_status_name(status));
}

/*
 * A request is done, its status in its tail: count the status, log it if
 * nobody waits for it, hand the device-writable part back to a waiter, free.
 */
static void viommu_req_done(struct viommu_dev *viommu,
			    struct viommu_request *req)
{
	u8 status = req_tail(req->buf, req->len)->status;

	lockdep_assert_held(&viommu->request_lock);
	if (status < ARRAY_SIZE(viommu_stats.status))
		atomic64_inc(&viommu_stats.status[status]);
	if (status != VIRTIO_IOMMU_S_OK) {
		viommu_count(VIOMMU_C_REQ_ERRORS);
		if (!req->writeback)
			viommu_report_async_error(viommu, req, status);
	}
	if (req->writeback)
		memcpy(req->writeback, req->buf + req->write_offset,
		       req->len - req->write_offset);
	list_del(&req->list);
	kfree(req);
	viommu_count(VIOMMU_C_REQ_FREE);
}

/*
 * Complete every queued request: kick once, then busy-wait (as the in-tree
 * driver does; requests are short and the caller may be atomic).  The
 * status of a request nobody waits for is counted and logged.
 */
static void __viommu_sync_req(struct viommu_dev *viommu)
{
	struct virtqueue *vq = viommu->vqs[VIOMMU_MODEL_VQ_REQUEST];
	struct viommu_request *req;
	unsigned int len;

	lockdep_assert_held(&viommu->request_lock);
	if (list_empty(&viommu->requests))
		return;

	viommu_count(VIOMMU_C_SYNCS);
	virtqueue_kick(vq);
	while (!list_empty(&viommu->requests)) {
		len = 0;
		req = virtqueue_get_buf(vq, &len);
		if (!req) {
			if (virtqueue_is_broken(vq))
				break;
			cpu_relax();
			continue;
		}
		if (len != req->len - req->write_offset) {
			/* used_len 0, or a short write: the tail is not ours */
			if (!len)
				viommu_count(VIOMMU_C_USED_LEN_ZERO);
			req_tail(req->buf, req->len)->status =
				VIRTIO_IOMMU_S_IOERR;
		}
		viommu_req_done(viommu, req);
	}

	/* A broken queue completes nothing more: fail what is left. */
	while (!list_empty(&viommu->requests)) {
		req = list_first_entry(&viommu->requests,
				       struct viommu_request, list);
		req_tail(req->buf, req->len)->status = VIRTIO_IOMMU_S_IOERR;
		viommu_req_done(viommu, req);
	}
}

int viommu_sync_req(struct viommu_dev *viommu)
{
	unsigned long flags;

	spin_lock_irqsave(&viommu->request_lock, flags);
	__viommu_sync_req(viommu);
	spin_unlock_irqrestore(&viommu->request_lock, flags);
	return 0;
}

/*
 * Queue one request without kicking.  When the queue is full, complete what
 * is queued first.  With @writeback, the device-writable part is copied back
 * into @buf when the request completes, so @buf must outlive the sync.
 */
static int __viommu_add_req(struct viommu_dev *viommu, void *buf, size_t len,
			    bool writeback)
{
	struct virtqueue *vq = viommu->vqs[VIOMMU_MODEL_VQ_REQUEST];
	struct scatterlist top_sg, bottom_sg;
	struct scatterlist *sg[2] = { &top_sg, &bottom_sg };
	struct virtio_iommu_req_head *head = buf;
	struct viommu_request *req;
	size_t write_offset;
	int ret;

	lockdep_assert_held(&viommu->request_lock);
	if (viommu->dead)
		return -ENODEV;

	write_offset = viommu_write_offset(viommu, buf, len);
	if (!write_offset || write_offset >= len)
		return -EINVAL;

	req = kzalloc(struct_size(req, buf, len), GFP_ATOMIC);
	if (!req)
		return -ENOMEM;
	viommu_count(VIOMMU_C_REQ_ALLOC);

	req->len = len;
	req->write_offset = write_offset;
	if (writeback)
		req->writeback = buf + write_offset;
	memcpy(req->buf, buf, write_offset);

	sg_init_one(&top_sg, req->buf, write_offset);
	sg_init_one(&bottom_sg, req->buf + write_offset, len - write_offset);

	ret = virtqueue_add_sgs(vq, sg, 1, 1, req, GFP_ATOMIC);
	if (ret == -ENOSPC) {
		__viommu_sync_req(viommu);
		ret = virtqueue_add_sgs(vq, sg, 1, 1, req, GFP_ATOMIC);
	}
	if (ret) {
		kfree(req);
		viommu_count(VIOMMU_C_REQ_FREE);
		viommu_count(VIOMMU_C_QUEUE_ERRORS);
		return ret;
	}

	if (head->type < ARRAY_SIZE(viommu_stats.sent))
		atomic64_inc(&viommu_stats.sent[head->type]);
	list_add_tail(&req->list, &viommu->requests);
	return 0;
}

/* Queue a request whose status nobody waits for (MAP, UNMAP). */
int viommu_add_req(struct viommu_dev *viommu, void *buf, size_t len)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&viommu->request_lock, flags);
	ret = __viommu_add_req(viommu, buf, len, false);
	spin_unlock_irqrestore(&viommu->request_lock, flags);
	if (ret)
		dev_err_ratelimited(viommu->dev, "cannot queue a request: %d\n",
				    ret);
	return ret;
}

/* Send a request and wait for it (and everything queued before it). */
int viommu_send_req_sync(struct viommu_dev *viommu, void *buf, size_t len)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&viommu->request_lock, flags);
	ret = __viommu_add_req(viommu, buf, len, true);
	if (!ret) {
		__viommu_sync_req(viommu);
		ret = viommu_status_to_errno(req_tail(buf, len)->status);
	}
	spin_unlock_irqrestore(&viommu->request_lock, flags);
	return ret;
}

/* The event queue: fault reports. */

static void viommu_event_handler(struct virtqueue *vq)
{
	struct viommu_dev *viommu = vq->vdev->priv;
	struct viommu_event *evt;
	struct scatterlist sg;
	unsigned int len;

	while ((evt = virtqueue_get_buf(vq, &len)) != NULL) {
		if (len < sizeof(evt->fault)) {
			viommu_count(VIOMMU_C_FAULTS_IGNORED);
			dev_err_ratelimited(viommu->dev,
					    "short fault report (%u bytes) ignored\n",
					    len);
		} else {
			viommu_handle_fault(viommu, &evt->fault);
		}

		sg_init_one(&sg, evt, sizeof(*evt));
		if (virtqueue_add_inbuf(vq, &sg, 1, evt, GFP_ATOMIC))
			dev_err_ratelimited(viommu->dev,
					    "cannot re-post an event buffer\n");
	}
	virtqueue_kick(vq);
}

static int viommu_fill_evtq(struct viommu_dev *viommu)
{
	struct virtqueue *vq = viommu->vqs[VIOMMU_MODEL_VQ_EVENT];
	size_t i, nr = vq->num_free;
	struct viommu_event *evts;
	struct scatterlist sg;
	int ret;

	evts = kcalloc(nr, sizeof(*evts), GFP_KERNEL);
	if (!evts)
		return -ENOMEM;
	viommu->evts = evts;

	for (i = 0; i < nr; i++) {
		sg_init_one(&sg, &evts[i], sizeof(*evts));
		ret = virtqueue_add_inbuf(vq, &sg, 1, &evts[i], GFP_KERNEL);
		if (ret)
			return ret;
	}
	return 0;
}

/* The device */

static void viommu_release(struct kref *kref)
{
	struct viommu_dev *viommu = container_of(kref, struct viommu_dev, kref);

	ida_destroy(&viommu->domain_ids);
	kfree(viommu);
}

void viommu_put(struct viommu_dev *viommu)
{
	kref_put(&viommu->kref, viommu_release);
}

static int viommu_read_config(struct viommu_dev *viommu)
{
	struct virtio_device *vdev = viommu->vdev;
	u64 input_start = 0, input_end = U64_MAX;
	unsigned long granule;

	virtio_cread_le(vdev, struct virtio_iommu_config, page_size_mask,
			&viommu->pgsize_bitmap);
	if (!viommu->pgsize_bitmap) {
		dev_err(viommu->dev, "the device's page_size_mask is empty\n");
		return -EINVAL;
	}
	granule = 1UL << __ffs64(viommu->pgsize_bitmap);
	if (granule > PAGE_SIZE) {
		dev_err(viommu->dev,
			"granule %#lx is larger than the page size %#lx: refusing the device\n",
			granule, PAGE_SIZE);
		return -EINVAL;
	}

	viommu->first_domain = 0;
	viommu->last_domain = U32_MAX;
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_INPUT_RANGE,
				struct virtio_iommu_config, input_range.start,
				&input_start);
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_INPUT_RANGE,
				struct virtio_iommu_config, input_range.end,
				&input_end);
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_DOMAIN_RANGE,
				struct virtio_iommu_config, domain_range.start,
				&viommu->first_domain);
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_DOMAIN_RANGE,
				struct virtio_iommu_config, domain_range.end,
				&viommu->last_domain);
	virtio_cread_le_feature(vdev, VIRTIO_IOMMU_F_PROBE,
				struct virtio_iommu_config, probe_size,
				&viommu->probe_size);

	if (input_end < input_start) {
		dev_err(viommu->dev, "empty input range [%#llx-%#llx]\n",
			input_start, input_end);
		return -EINVAL;
	}
	if (viommu->last_domain < viommu->first_domain) {
		dev_err(viommu->dev, "empty domain range [%u-%u]\n",
			viommu->first_domain, viommu->last_domain);
		return -EINVAL;
	}
	if (viommu->probe_size > SZ_64K) {
		dev_warn(viommu->dev,
			 "probe_size %u is too large: not probing endpoints\n",
			 viommu->probe_size);
		viommu->probe_size = 0;
	}
	/* The domain IDs must fit the ida's int. */
	if (viommu->first_domain > INT_MAX) {
		dev_err(viommu->dev, "domain range [%u-%u] is beyond %d\n",
			viommu->first_domain, viommu->last_domain, INT_MAX);
		return -EINVAL;
	}
	viommu->last_domain = min_t(u32, viommu->last_domain, INT_MAX);

	viommu->geometry = (struct iommu_domain_geometry) {
		.aperture_start	= input_start,
		.aperture_end	= input_end,
		.force_aperture	= true,
	};
	viommu->map_flags = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE;
	if (virtio_has_feature(vdev, VIRTIO_IOMMU_F_MMIO))
		viommu->map_flags |= VIRTIO_IOMMU_MAP_F_MMIO;
	viommu->bypass_config = virtio_has_feature(vdev,
						   VIRTIO_IOMMU_F_BYPASS_CONFIG);
	return 0;
}

/* The device must offer what the driver cannot do without. */
static int viommu_check_device(struct virtio_device *vdev)
{
	struct device *parent = vdev->dev.parent;

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1) ||
	    !virtio_has_feature(vdev, VIRTIO_IOMMU_F_MAP_UNMAP)) {
		dev_err(&vdev->dev,
			"the device lacks VERSION_1 or MAP_UNMAP: not driving it\n");
		return -ENODEV;
	}
	if (!parent || !dev_is_pci(parent)) {
		dev_err(&vdev->dev, "only virtio-pci IOMMUs are supported\n");
		return -ENODEV;
	}
	return 0;
}

static struct viommu_dev *viommu_dev_alloc(struct virtio_device *vdev)
{
	struct viommu_dev *viommu = kzalloc(sizeof(*viommu), GFP_KERNEL);

	if (!viommu)
		return NULL;
	kref_init(&viommu->kref);
	spin_lock_init(&viommu->request_lock);
	spin_lock_init(&viommu->ep_lock);
	INIT_LIST_HEAD(&viommu->requests);
	INIT_LIST_HEAD(&viommu->endpoints);
	INIT_LIST_HEAD(&viommu->topo);
	INIT_LIST_HEAD(&viommu->list);
	ida_init(&viommu->domain_ids);
	viommu->dev = &vdev->dev;
	viommu->vdev = vdev;
	return viommu;
}

/*
 * Stop the queues for good: what is queued completes first, and a domain
 * that outlives the device (held by VFIO) finds it dead and never touches
 * the queues again.
 */
static void viommu_stop_queues(struct viommu_dev *viommu)
{
	struct virtio_device *vdev = viommu->vdev;

	spin_lock_irq(&viommu->request_lock);
	__viommu_sync_req(viommu);
	viommu->dead = true;
	spin_unlock_irq(&viommu->request_lock);

	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
	kfree(viommu->evts);
	viommu->evts = NULL;
	vdev->priv = NULL;
}

/* The request and event queues, the device made ready, event buffers posted. */
static int viommu_start_queues(struct viommu_dev *viommu)
{
	struct virtqueue_info vqs_info[VIOMMU_MODEL_NR_VQS] = {
		[VIOMMU_MODEL_VQ_REQUEST] = { .name = "request" },
		[VIOMMU_MODEL_VQ_EVENT] = { .name = "event",
					    .callback = viommu_event_handler },
	};
	struct virtio_device *vdev = viommu->vdev;
	int ret;

	ret = pviommu_compat_find_vqs(vdev, VIOMMU_MODEL_NR_VQS, viommu->vqs,
				      vqs_info);
	if (ret)
		return ret;
	vdev->priv = viommu;
	virtio_device_ready(vdev);
	ret = viommu_fill_evtq(viommu);
	if (ret)
		viommu_stop_queues(viommu);
	return ret;
}

static void viommu_unlist(struct viommu_dev *viommu)
{
	mutex_lock(&viommu_list_lock);
	list_del_init(&viommu->list);
	mutex_unlock(&viommu_list_lock);
}

/*
 * Register the IOMMU: in sysfs, on viommu_list, where probe_device() finds
 * it, then with the iommu core, which probes the buses' devices at once.
 */
static int viommu_register(struct viommu_dev *viommu)
{
	struct device *dev = viommu->dev;
	int ret;

	ret = iommu_device_sysfs_add(&viommu->iommu, dev, NULL, "%s",
				     dev_name(dev));
	if (ret)
		return ret;

	mutex_lock(&viommu_list_lock);
	list_add_tail(&viommu->list, &viommu_list);
	mutex_unlock(&viommu_list_lock);

	ret = iommu_device_register(&viommu->iommu, &viommu_ops, dev->parent);
	if (ret) {
		if (ret == -EBUSY)
			dev_err(dev,
				"another IOMMU driver already owns the PCI bus (intel_iommu=on?): not registering\n");
		else
			dev_err(dev, "cannot register the IOMMU: %d\n", ret);
		goto err_unlist;
	}
	return 0;

err_unlist:
	viommu_unlist(viommu);
	iommu_device_sysfs_remove(&viommu->iommu);
	return ret;
}

/**
 * viommu_probe() - drive one virtio-iommu device
 * @vdev: the virtio device
 *
 * Reads the configuration, starts the queues, gives the endpoints of the
 * firmware's topology their fwspecs (viommu_topo.c) and registers the IOMMU,
 * which probes those endpoints; then checks that no IOMMU group of ours
 * holds a device we do not translate.
 *
 * Return: 0, or a negative errno with the device reset and nothing kept.
 */
static int viommu_probe(struct virtio_device *vdev)
{
	struct viommu_dev *viommu;
	int ret;

	ret = viommu_check_device(vdev);
	if (ret)
		return ret;
	viommu = viommu_dev_alloc(vdev);
	if (!viommu)
		return -ENOMEM;

	ret = viommu_read_config(viommu);
	if (ret)
		goto err_put;
	viommu_ops.pgsize_bitmap = viommu->pgsize_bitmap;
	ret = viommu_start_queues(viommu);
	if (ret)
		goto err_put;

	/* Fwspecs for the endpoints: before registering, see viommu_topo.c */
	ret = viommu_topo_init(viommu);
	if (ret)
		goto err_stop;
	ret = viommu_register(viommu);
	if (ret)
		goto err_topo;
	viommu_topo_check_groups(viommu);

	dev_info(&vdev->dev,
		 "input range [%#llx-%#llx], domains [%u-%u], page mask %#llx, probe size %u%s%s\n",
		 viommu->geometry.aperture_start, viommu->geometry.aperture_end,
		 viommu->first_domain, viommu->last_domain,
		 viommu->pgsize_bitmap, viommu->probe_size,
		 viommu->bypass_config ? ", bypass config" : "",
		 viommu->map_flags & VIRTIO_IOMMU_MAP_F_MMIO ? ", mmio" : "");
	return 0;

err_topo:
	viommu_topo_release(viommu);
err_stop:
	viommu_stop_queues(viommu);
err_put:
	viommu_put(viommu);
	return ret;
}

/*
 * Unbind the drivers of our endpoints first: their DMA goes through us.
 * The driver core would do this for managed device links, but those cannot
 * be dropped again while the endpoint exists, so ours are stateless.
 */
static void viommu_unbind_endpoints(struct viommu_dev *viommu)
{
	struct viommu_endpoint *vep;
	struct device *dev;

	for (;;) {
		dev = NULL;
		spin_lock_irq(&viommu->ep_lock);
		list_for_each_entry(vep, &viommu->endpoints, list) {
			if (READ_ONCE(vep->dev->driver)) {
				dev = get_device(vep->dev);
				break;
			}
		}
		spin_unlock_irq(&viommu->ep_lock);
		if (!dev)
			break;
		dev_warn(viommu->dev,
			 "unbinding %s from %s: its IOMMU is going away\n",
			 dev->driver ? dev->driver->name : "its driver",
			 dev_name(dev));
		device_release_driver(dev);
		/* A driver that refuses to go would make us loop. */
		if (READ_ONCE(dev->driver)) {
			dev_err(viommu->dev, "%s is still bound\n",
				dev_name(dev));
			put_device(dev);
			break;
		}
		put_device(dev);
	}
}

static void viommu_remove(struct virtio_device *vdev)
{
	struct viommu_dev *viommu = vdev->priv;

	viommu_unbind_endpoints(viommu);

	/*
	 * Releases every endpoint: DETACH, DMA ops back to direct.  Before
	 * the sysfs removal, which the release path still uses (the 6.1
	 * in-tree driver does it the other way round and oopses here).
	 */
	iommu_device_unregister(&viommu->iommu);
	iommu_device_sysfs_remove(&viommu->iommu);

	viommu_unlist(viommu);
	viommu_topo_release(viommu);
	viommu_stop_queues(viommu);

	dev_info(&vdev->dev, "device removed\n");
	viommu_put(viommu);
}

static void viommu_config_changed(struct virtio_device *vdev)
{
	dev_warn(&vdev->dev, "config changed: ignored\n");
}

static unsigned int viommu_features[] = {
	VIRTIO_IOMMU_F_MAP_UNMAP,
	VIRTIO_IOMMU_F_INPUT_RANGE,
	VIRTIO_IOMMU_F_DOMAIN_RANGE,
	VIRTIO_IOMMU_F_PROBE,
	VIRTIO_IOMMU_F_MMIO,
	VIRTIO_IOMMU_F_BYPASS_CONFIG,
};

static const struct virtio_device_id viommu_id_table[] = {
	{ VIOMMU_MODEL_VIRTIO_ID, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, viommu_id_table);

static struct virtio_driver viommu_driver = {
	.driver.name		= KBUILD_MODNAME,
	.driver.owner		= THIS_MODULE,
	.id_table		= viommu_id_table,
	.feature_table		= viommu_features,
	.feature_table_size	= ARRAY_SIZE(viommu_features),
	.probe			= viommu_probe,
	.remove			= viommu_remove,
	.config_changed		= viommu_config_changed,
};

/* debugfs: /sys/kernel/debug/pviommu/stats */

static const char *const viommu_counter_names[VIOMMU_NR_COUNTERS] = {
	[VIOMMU_C_REQ_ALLOC]		= "requests_alloc",
	[VIOMMU_C_REQ_FREE]		= "requests_free",
	[VIOMMU_C_MAPPING_ALLOC]	= "mappings_alloc",
	[VIOMMU_C_MAPPING_FREE]		= "mappings_free",
	[VIOMMU_C_DOMAIN_ALLOC]		= "domains_alloc",
	[VIOMMU_C_DOMAIN_FREE]		= "domains_free",
	[VIOMMU_C_ENDPOINT_ALLOC]	= "endpoints_alloc",
	[VIOMMU_C_ENDPOINT_FREE]	= "endpoints_free",
	[VIOMMU_C_RESV_ALLOC]		= "resv_regions_alloc",
	[VIOMMU_C_RESV_FREE]		= "resv_regions_free",
	[VIOMMU_C_MAPPINGS_LIVE]	= "mappings_live",
	[VIOMMU_C_DOMAINS_LIVE]		= "domains_live",
	[VIOMMU_C_ENDPOINTS_LIVE]	= "endpoints_live",
	[VIOMMU_C_REQ_ERRORS]		= "request_errors",
	[VIOMMU_C_USED_LEN_ZERO]	= "used_len_zero",
	[VIOMMU_C_QUEUE_ERRORS]		= "queue_errors",
	[VIOMMU_C_SPLIT_REFUSED]	= "unmap_split_refused",
	[VIOMMU_C_RANGE_REFUSED]	= "map_out_of_range",
	[VIOMMU_C_OVERLAP_REFUSED]	= "map_overlap_refused",
	[VIOMMU_C_FAULTS]		= "faults",
	[VIOMMU_C_FAULTS_IGNORED]	= "faults_ignored",
	[VIOMMU_C_FAULTS_REPORTED]	= "faults_reported",
	[VIOMMU_C_SYNCS]		= "syncs",
};

static int viommu_stats_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	for (i = VIRTIO_IOMMU_T_ATTACH; i < ARRAY_SIZE(viommu_stats.sent); i++)
		seq_printf(s, "sent_%s %lld\n", viommu_model_req_name(i),
			   atomic64_read(&viommu_stats.sent[i]));
	for (i = 0; i < ARRAY_SIZE(viommu_stats.status); i++)
		seq_printf(s, "status_%s %lld\n", viommu_model_status_name(i),
			   atomic64_read(&viommu_stats.status[i]));
	for (i = 0; i < VIOMMU_NR_COUNTERS; i++)
		seq_printf(s, "%s %lld\n", viommu_counter_names[i],
			   atomic64_read(&viommu_stats.c[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(viommu_stats);

static int __init viommu_init(void)
{
	int ret;

	viommu_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0444, viommu_debugfs, NULL,
			    &viommu_stats_fops);

	ret = register_virtio_driver(&viommu_driver);
	if (ret) {
		debugfs_remove_recursive(viommu_debugfs);
		return ret;
	}
	return 0;
}
module_init(viommu_init);

static void __exit viommu_exit(void)
{
	unregister_virtio_driver(&viommu_driver);
	viommu_topo_exit();
	debugfs_remove_recursive(viommu_debugfs);
}
module_exit(viommu_exit);

MODULE_DESCRIPTION("pviommu: virtio-iommu guest driver for kernels without CONFIG_VIRTIO_IOMMU");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: pviommu_proto");
