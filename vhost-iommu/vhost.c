// SPDX-License-Identifier: GPL-2.0-only
/*
 * vhost-iommu: the virtio-iommu device (virtio device 23) in the host kernel.
 *
 * A guest with passthrough devices programs their translation with
 * virtio-iommu requests: ATTACH an endpoint to a domain, MAP and UNMAP
 * ranges of a domain, PROBE an endpoint's reserved regions.  Where QEMU's
 * virtio-iommu takes each request through the VMM's userspace (and a VFIO
 * syscall), this module pops them in a vhost worker and programs the host
 * IOMMU directly.  A guest domain is a host iommu_domain; ATTACH puts the
 * endpoint's VFIO group in it; MAP translates the guest-physical range
 * through the vhost memory table to the VMM's pages, pins them (charged to
 * the VMM's RLIMIT_MEMLOCK, as VFIO type1 does) and iommu_map()s them; UNMAP
 * undoes that.  An unattached endpoint is blocked, or in bypass (an identity
 * domain of all guest RAM).
 *
 * To attach groups it must own them, so the module is also a VFIO IOMMU
 * backend of its own type, VFIO_PVIOMMU_IOMMU: the VMM puts the passthrough
 * groups in a container of that type, binds the container to the vhost
 * device and declares each group as an endpoint.  The container has no
 * MAP_DMA; only the guest, through the vhost device, maps anything.
 *
 * The parts (vhost_iommu.h has the objects, their locks and lifetimes):
 *   vhost.c      this file: /dev/vhost-iommu, its ioctls, the request queue
 *                (0) and event queue (1), and the kick handler, which runs
 *                each request through proto/'s device model;
 *   domains.c    the model's backend: host domains, pinning, iommu_map();
 *   container.c  the VFIO IOMMU backend: containers and groups.
 * proto/device.c validates every request against the spec and keeps the
 * spec's state; docs/uapi.md describes the VMM's sequence.
 */
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <linux/uio.h>

#include "vhost_iommu.h"

/*
 * Work limits of one pass of the kick handler, after which the worker
 * requeues the kick and lets other work run (vhost_exceeds_weight()):
 * requests; units of work (vi->work): guest pages pinned (MAP, ATTACH of a
 * bypass domain), mapped (a pre-pinned MAP) or unpinned (UNMAP, DETACH of a
 * domain's last endpoint), and each chain's iovecs; and time.  A flood of
 * one-page MAPs stops at the request limit; one of large MAPs at the unit
 * limit (16 MiB with 4 KiB pages), after the request that reaches it.
 * Each requeue counts in weight_yields.  The worker reschedules between
 * requests.
 */
#define VHOST_IOMMU_REQ_WEIGHT		256
#define VHOST_IOMMU_WORK_WEIGHT		4096

/*
 * The longest a pass runs before it yields: its requests and its busy polls
 * (the VMM's busyloop timeout, capped to this).  The queue's mutex is held
 * meanwhile, and ioctls that need it wait.  What vhost core does inside one
 * vhost_get_vq_desc() cannot be cut short: a chain may chain up to the
 * ring's size of INDIRECT descriptors (vhost follows NEXT on them), each a
 * table of 65536 empty descriptors.  Hence the ring-size limit below: a
 * pass then ends within this time plus one such chain.
 */
#define VHOST_IOMMU_PASS_MAX_US		10000

/*
 * The most descriptors a queue has: QEMU's largest (VIRTQUEUE_MAX_SIZE),
 * which it lets a guest set whatever the device offers (virtio-iommu: 256).
 */
#define VHOST_IOMMU_VQ_NUM_MAX		1024

#define VHOST_IOMMU_DEV_FEATURES ((1ULL << VIRTIO_IOMMU_F_INPUT_RANGE) |	\
				  (1ULL << VIRTIO_IOMMU_F_DOMAIN_RANGE) |	\
				  (1ULL << VIRTIO_IOMMU_F_MAP_UNMAP) |		\
				  (1ULL << VIRTIO_IOMMU_F_PROBE) |		\
				  (1ULL << VIRTIO_IOMMU_F_BYPASS_CONFIG))
/* No dirty logging: requests write nothing to guest RAM but their tails. */
#define VHOST_IOMMU_FEATURES	((VHOST_FEATURES & ~(1ULL << VHOST_F_LOG_ALL)) | \
				 VHOST_IOMMU_DEV_FEATURES)

static unsigned long max_domains = 1024;
module_param(max_domains, ulong, 0644);
MODULE_PARM_DESC(max_domains, "Default limit of live domains per device");

/* VFIO type1's dma_entry_limit. */
static unsigned long max_mappings = 65535;
module_param(max_mappings, ulong, 0644);
MODULE_PARM_DESC(max_mappings, "Default limit of live mappings per device");

static DEFINE_IDA(vhost_iommu_ida);
static struct dentry *vhost_iommu_debugfs;

/* ---- the request queue ------------------------------------------------ */

/*
 * Completions of a pass wait in vq->heads until req_publish(): an UNMAP is
 * complete only once the IOTLB flush of its batch is done.
 */
static int req_publish(struct vhost_iommu *vi, struct vhost_virtqueue *vq);

/*
 * vhost_add_used_n() writes at most a ring's worth in one go: a guest that
 * reposts heads early can make a pass complete more than vq->num.
 */
static void req_done(struct vhost_iommu *vi, struct vhost_virtqueue *vq,
		     unsigned int head, size_t len)
{
	lockdep_assert_held(&vq->mutex);
	vq->heads[vi->nr_done].id = cpu_to_vhost32(vq, head);
	vq->heads[vi->nr_done].len = cpu_to_vhost32(vq, len);
	if (++vi->nr_done == vq->num)
		req_publish(vi, vq);
}

/* Flush the batched UNMAPs, then publish the pass's completions. */
static int req_publish(struct vhost_iommu *vi, struct vhost_virtqueue *vq)
{
	int ret;

	lockdep_assert_held(&vq->mutex);
	vhost_iommu_unmap_flush(vi);
	if (!vi->nr_done)
		return 0;
	ret = vhost_add_used_n(vq, vq->heads, vi->nr_done);
	vi->nr_done = 0;
	vhost_signal(&vi->dev, vq);
	return ret;
}

/*
 * vhost_get_vq_desc() refused the next chain (loop, out-after-in, bad
 * address...) after vq_err().  Return it with used_len 0 so the queue
 * keeps going, if its head index is sane; otherwise the ring itself is
 * broken and the queue stops, as in other vhost devices.
 */
static bool skip_bad_chain(struct vhost_iommu *vi, struct vhost_virtqueue *vq)
{
	__virtio16 raw;
	u16 head;

	lockdep_assert_held(&vq->mutex);
	vi->bad_chains++;
	if (vq->last_avail_idx == vq->avail_idx)
		return false;
	if (get_user(raw, &vq->avail->ring[vq->last_avail_idx & (vq->num - 1)]))
		return false;
	head = vhost16_to_cpu(vq, raw);
	if (head >= vq->num)
		return false;
	vq->last_avail_idx++;
	req_done(vi, vq, head, 0);
	return true;
}

/**
 * handle_request() - run one descriptor chain through the device model
 * @vi: the device
 * @vq: the request queue, its mutex held
 * @out: number of device-readable iovecs at vq->iov
 * @in: number of device-writable iovecs after them
 *
 * Copies at most VIOMMU_MODEL_REQ_READABLE_MAX bytes of the readable part (the
 * model gets the full length, to judge framing), lets the model handle
 * the request, and copies its response to the start of the writable part.
 *
 * Return: the used length; 0 when nothing was written.
 */
static size_t handle_request(struct vhost_iommu *vi, struct vhost_virtqueue *vq,
			     unsigned int out, unsigned int in)
{
	size_t readable = iov_length(vq->iov, out);
	size_t writable = iov_length(vq->iov + out, in);
	size_t n = min(readable, sizeof(vi->req));
	struct iov_iter iter;
	size_t used;

	lockdep_assert_held(&vq->mutex);
	if (!out || !in) {
		vq_err(vq, "vhost-iommu: request without a device-%s part\n",
		       out ? "writable" : "readable");
		vi->bad_chains++;
	}
	iov_iter_init(&iter, ITER_SOURCE, vq->iov, out, readable);
	if (copy_from_iter(vi->req, n, &iter) != n) {
		vq_err(vq, "vhost-iommu: faulted reading a request\n");
		vi->bad_chains++;
		return 0;
	}
	/* Only UNMAPs join a batch: anything else sees their flush done. */
	if (n < sizeof(struct virtio_iommu_req_head) ||
	    ((struct virtio_iommu_req_head *)vi->req)->type != VIRTIO_IOMMU_T_UNMAP)
		vhost_iommu_unmap_flush(vi);
	used = viommu_model_handle(&vi->pv, vi->req, readable, writable,
				   vi->resp);
	if (!used)
		return 0;
	iov_iter_init(&iter, ITER_DEST, vq->iov + out, in, writable);
	if (copy_to_iter(vi->resp, used, &iter) != used) {
		vq_err(vq, "vhost-iommu: faulted writing a response\n");
		vi->bad_chains++;
		return 0;
	}
	return used;
}

/*
 * Has this pass done enough: the work done since @start (see
 * VHOST_IOMMU_REQ_WEIGHT) or its time up at @pass_end?  Then the kick is
 * requeued, and the pass yields.
 */
static bool pass_exceeded(struct vhost_iommu *vi, struct vhost_virtqueue *vq,
			  int reqs, unsigned long start, u64 pass_end)
{
	lockdep_assert_held(&vq->mutex);
	if (local_clock() >= pass_end) {
		vhost_poll_queue(&vq->poll);
		return true;
	}
	return vhost_exceeds_weight(vq, reqs,
				    min_t(unsigned long, vi->work - start,
					  VHOST_IOMMU_WORK_WEIGHT));
}

/*
 * Whether a thread of the owner (the VMM: its vCPU threads among them), but
 * this one, is runnable on this CPU and so waits for it.  A sleeping thread
 * that the scheduler has yet to dequeue (6.12's delayed dequeue) is not:
 * single_task_running() would count it.
 */
static bool owner_waits_here(struct vhost_iommu *vi)
{
	unsigned int cpu = raw_smp_processor_id();
	struct task_struct *t;
	bool ret = false;

	if (!vi->owner)
		return false;
	rcu_read_lock();
	for_each_thread(vi->owner, t) {
		if (t != current && task_cpu(t) == cpu &&
		    READ_ONCE(t->__state) == TASK_RUNNING) {
			ret = true;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Busy-poll the empty request queue, notifications off, for
 * vq->busyloop_timeout microseconds (VHOST_SET_VRING_BUSYLOOP_TIMEOUT, at
 * most VHOST_IOMMU_PASS_MAX_US; 0: never) and not past @pass_end, after
 * publishing what the guest waits for.  Polling stops when the scheduler
 * wants the CPU back (need_resched()), a signal is pending, other work waits
 * for the worker (a flush: STOP, release), or a thread of the owner waits
 * for this CPU: on a CPU shared with the guest's vCPU, the guest needs it to
 * make its next request.  Return: whether a request came.
 */
static bool poll_avail(struct vhost_iommu *vi, struct vhost_virtqueue *vq,
		       u64 pass_end)
{
	u64 end;

	lockdep_assert_held(&vq->mutex);
	if (!vq->busyloop_timeout)
		return false;
	if (req_publish(vi, vq))
		return false;
	end = local_clock() + (u64)min_t(u32, vq->busyloop_timeout, VHOST_IOMMU_PASS_MAX_US) *
			      NSEC_PER_USEC;
	end = min(end, pass_end);
	while (vhost_vq_avail_empty(&vi->dev, vq)) {
		if (need_resched() || signal_pending(current) ||
		    pviommu_compat_vq_has_work(vq) || owner_waits_here(vi) ||
		    local_clock() >= end)
			return false;
		cpu_relax();
	}
	return true;
}

static void handle_req_kick(struct vhost_work *work)
{
	struct vhost_virtqueue *vq = container_of(work, struct vhost_virtqueue,
						  poll.work);
	struct vhost_iommu *vi = container_of(vq->dev, struct vhost_iommu, dev);
	bool yield = false, polled = false;
	struct mem_cgroup *old_memcg;
	unsigned long start;
	u64 pass_start, pass_end;
	unsigned int out, in;
	int head, reqs = 0;

	BUILD_BUG_ON(VHOST_IOMMU_REQ_WEIGHT > UIO_MAXIOV);
	mutex_lock(&vq->mutex);
	if (!vhost_vq_get_backend(vq))
		goto out;
	/* A kthread's allocations are charged nowhere unless told (6.1). */
	old_memcg = set_active_memcg(vi->memcg);
	vi->kicks += !vi->requeued;
	start = vi->work;
	pass_start = local_clock();
	pass_end = pass_start + VHOST_IOMMU_PASS_MAX_US * NSEC_PER_USEC;
	vi->batch.open = true;
	vhost_disable_notify(&vi->dev, vq);
	do {
		head = vhost_get_vq_desc(vq, vq->iov, ARRAY_SIZE(vq->iov),
					 &out, &in, NULL, NULL);
		if (head < 0) {
			if (!skip_bad_chain(vi, vq))
				break;
			continue;
		}
		if (head == vq->num) {
			if (poll_avail(vi, vq, pass_end)) {
				polled = true;
				continue;
			}
			if (unlikely(vhost_enable_notify(&vi->dev, vq))) {
				vhost_disable_notify(&vi->dev, vq);
				continue;
			}
			break;
		}
		vi->work += out + in;
		req_done(vi, vq, head, handle_request(vi, vq, out, in));
		vi->polled += polled;
		cond_resched();
	} while (!(yield = pass_exceeded(vi, vq, ++reqs, start, pass_end)));
	vi->weight_yields += yield;
	vi->requeued = yield;
	req_publish(vi, vq);
	vi->batch.open = false;
	vi->pass_max_ns = max(vi->pass_max_ns, local_clock() - pass_start);
	set_active_memcg(old_memcg);
out:
	mutex_unlock(&vq->mutex);
}

/*
 * The event queue.  The driver posts buffers for fault reports; the host
 * IOMMU driver of this rig (VT-d) does not report faults to domain owners
 * (report_iommu_fault()), so no event is ever written and the buffers stay
 * posted.  See docs/uapi.md.
 */
static void handle_evt_kick(struct vhost_work *work)
{
}

/* ---- ioctls -------------------------------------------------------------- */

/*
 * The locks of an ioctl that changes the model: dev.mutex, then the
 * model's (vhost_iommu_lock()), taken only by the device's owner.
 * Return: 0 with both held, or -EPERM with neither.
 */
static int owner_lock(struct vhost_iommu *vi)
{
	int ret;

	mutex_lock(&vi->dev.mutex);
	ret = vhost_dev_check_owner(&vi->dev);
	if (ret) {
		mutex_unlock(&vi->dev.mutex);
		return ret;
	}
	mutex_lock(vhost_iommu_lock(vi));
	return 0;
}

static void owner_unlock(struct vhost_iommu *vi)
{
	mutex_unlock(vhost_iommu_lock(vi));
	mutex_unlock(&vi->dev.mutex);
}

static int vhost_iommu_start(struct vhost_iommu *vi)
{
	struct vhost_virtqueue *vq;
	int i, ret;

	mutex_lock(&vi->dev.mutex);
	ret = vhost_dev_check_owner(&vi->dev);
	if (ret)
		goto out;
	if (!vhost_vq_is_setup(&vi->vqs[VHOST_IOMMU_VQ_REQ])) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < VHOST_IOMMU_NR_VQS; i++) {
		/* Fixed from now on: vhost refuses SET_VRING_NUM on a started queue. */
		if (vi->vqs[i].num > VHOST_IOMMU_VQ_NUM_MAX) {
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < VHOST_IOMMU_NR_VQS; i++) {
		vq = &vi->vqs[i];
		mutex_lock(&vq->mutex);
		/* The eventq is optional: it carries nothing yet. */
		if (vhost_vq_is_setup(vq) && !vhost_vq_get_backend(vq)) {
			if (!vhost_vq_access_ok(vq)) {
				ret = -EFAULT;
			} else {
				vhost_vq_set_backend(vq, vi);
				ret = vhost_vq_init_access(vq);
			}
			if (ret) {
				vhost_vq_set_backend(vq, NULL);
				mutex_unlock(&vq->mutex);
				goto err;
			}
		}
		mutex_unlock(&vq->mutex);
	}
	/* Requests may have been queued before the start. */
	vhost_poll_queue(&vi->vqs[VHOST_IOMMU_VQ_REQ].poll);
	mutex_unlock(&vi->dev.mutex);
	return 0;

err:
	while (--i >= 0) {
		vq = &vi->vqs[i];
		mutex_lock(&vq->mutex);
		vhost_vq_set_backend(vq, NULL);
		mutex_unlock(&vq->mutex);
	}
out:
	mutex_unlock(&vi->dev.mutex);
	return ret;
}

static int vhost_iommu_stop(struct vhost_iommu *vi, bool check_owner)
{
	int i, ret = 0;

	mutex_lock(&vi->dev.mutex);
	if (check_owner) {
		ret = vhost_dev_check_owner(&vi->dev);
		if (ret)
			goto out;
	}
	for (i = 0; i < VHOST_IOMMU_NR_VQS; i++) {
		mutex_lock(&vi->vqs[i].mutex);
		vhost_vq_set_backend(&vi->vqs[i], NULL);
		mutex_unlock(&vi->vqs[i].mutex);
	}
	vhost_dev_flush(&vi->dev);
out:
	mutex_unlock(&vi->dev.mutex);
	return ret;
}

static int vhost_iommu_set_features(struct vhost_iommu *vi, u64 features)
{
	int i;

	if (features & ~VHOST_IOMMU_FEATURES)
		return -EOPNOTSUPP;
	mutex_lock(&vi->dev.mutex);
	for (i = 0; i < VHOST_IOMMU_NR_VQS; i++) {
		mutex_lock(&vi->vqs[i].mutex);
		vi->vqs[i].acked_features = features;
		if (i == VHOST_IOMMU_VQ_REQ)
			vi->pv.features = features & VHOST_IOMMU_DEV_FEATURES;
		mutex_unlock(&vi->vqs[i].mutex);
	}
	mutex_unlock(&vi->dev.mutex);
	return 0;
}

/* Does @vep's PROBE answer, one RESV_MEM property a region, fit in @probe_size? */
static bool resv_fit(const struct vhost_iommu_endpoint *vep, u32 probe_size)
{
	return vep->ep.nr_resv * sizeof(struct virtio_iommu_probe_resv_mem) <=
	       probe_size;
}

/* Can every declared endpoint's PROBE answer fit in @probe_size? */
static bool probe_size_fits(struct vhost_iommu *vi, u32 probe_size)
{
	struct vhost_iommu_endpoint *vep;
	unsigned long id;

	lockdep_assert_held(vhost_iommu_lock(vi));
	xa_for_each(&vi->endpoints, id, vep)
		if (!resv_fit(vep, probe_size))
			return false;
	return true;
}

static int vhost_iommu_set_config(struct vhost_iommu *vi, void __user *argp)
{
	struct vhost_iommu_config uc;
	struct viommu_model_config cfg;
	int ret;

	if (copy_from_user(&uc, argp, sizeof(uc)))
		return -EFAULT;
	cfg = (struct viommu_model_config) {
		.page_size_mask = uc.page_size_mask,
		.input_start = uc.input_start,
		.input_end = uc.input_end,
		.domain_start = uc.domain_start,
		.domain_end = uc.domain_end,
		.probe_size = uc.probe_size,
		.bypass = uc.bypass,
	};
	if (memchr_inv(uc.padding, 0, sizeof(uc.padding)) ||
	    !viommu_model_config_valid(&cfg) ||
	    /* The host maps whole pages. */
	    (cfg.page_size_mask & -cfg.page_size_mask) < PAGE_SIZE)
		return -EINVAL;

	ret = owner_lock(vi);
	if (ret)
		return ret;
	if (vhost_vq_get_backend(&vi->vqs[VHOST_IOMMU_VQ_REQ]) ||
	    viommu_model_domain_count(&vi->pv)) {
		ret = -EBUSY;
	} else if (!probe_size_fits(vi, cfg.probe_size)) {
		ret = -ENOSPC;
	} else {
		vi->pv.config = cfg;
		/* -EIO: applied, but a group is stuck where it was (retried on its next move) */
		ret = vhost_iommu_place_all_unattached(vi);
	}
	owner_unlock(vi);
	return ret;
}

/* Does [start, last] overlap one of the @n regions at @resv? */
static bool resv_listed(const struct viommu_model_resv_region *resv,
			unsigned int n, u64 start, u64 last)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (viommu_model_ranges_overlap(resv[i].start, resv[i].last,
						start, last))
			return true;
	return false;
}

/**
 * guest_resv() - the reserved regions PROBE reports for an endpoint
 * @group: the endpoint's IOMMU group
 * @out: set to the regions, an array for the caller to kfree()
 * @nr: set to their number
 *
 * The x86 MSI doorbell window comes first, as the one MSI region, then the
 * host's reserved regions of the group (RMRRs and the like) as RESERVED,
 * leaving out any that overlap one already listed (the host's own MSI
 * window among them): the guest must not map over any of them.
 *
 * Return: 0, or the error of iommu_get_group_resv_regions(), or -ENOMEM.
 */
static int guest_resv(struct iommu_group *group,
		      struct viommu_model_resv_region **out, unsigned int *nr)
{
	struct viommu_model_resv_region *resv;
	struct iommu_resv_region *r;
	unsigned int n = 1;
	LIST_HEAD(list);
	int ret;

	ret = iommu_get_group_resv_regions(group, &list);
	if (ret)
		goto out;
	list_for_each_entry(r, &list, list)
		n++;
	resv = kcalloc(n, sizeof(*resv), GFP_KERNEL_ACCOUNT);
	if (!resv) {
		ret = -ENOMEM;
		goto out;
	}
	resv[0] = (struct viommu_model_resv_region)VIOMMU_MODEL_X86_MSI_REGION;
	n = 1;
	list_for_each_entry(r, &list, list) {
		u64 start = r->start, last = r->start + r->length - 1;

		if (!r->length || resv_listed(resv, n, start, last))
			continue;
		resv[n].start = start;
		resv[n].last = last;
		resv[n].subtype = VIRTIO_IOMMU_RESV_MEM_T_RESERVED;
		n++;
	}
	*out = resv;
	*nr = n;
out:
	vhost_iommu_put_resv_list(&list);
	return ret;
}

/* A new endpoint @id on @group, with its reserved regions; not declared yet. */
static struct vhost_iommu_endpoint *endpoint_alloc(struct iommu_group *group,
						   u32 id)
{
	struct vhost_iommu_endpoint *vep;
	int ret;

	vep = kzalloc(sizeof(*vep), GFP_KERNEL_ACCOUNT);
	if (!vep)
		return ERR_PTR(-ENOMEM);
	vep->ep.id = id;
	ret = guest_resv(group, &vep->resv, &vep->ep.nr_resv);
	if (ret) {
		kfree(vep);
		return ERR_PTR(ret);
	}
	vep->ep.resv = vep->resv;
	return vep;
}

static void endpoint_free(struct vhost_iommu_endpoint *vep)
{
	kfree(vep->resv);
	kfree(vep);
}

/* The group numbered @id (iommu_group_id()) in @c, or NULL. */
static struct vhost_iommu_group *container_find_group(struct vhost_iommu_container *c,
						      u32 id)
{
	struct vhost_iommu_group *g;

	lockdep_assert_held(&c->lock);
	list_for_each_entry(g, &c->groups, node)
		if ((u32)iommu_group_id(g->group) == id)
			return g;
	return NULL;
}

/*
 * Where an endpoint lives in vi->endpoints: at its ID; without one, above
 * every 32-bit ID, at its group's number, where no request can name it.
 */
static unsigned long endpoint_index(u32 id, u32 group)
{
	static_assert(BITS_PER_LONG == 64, "endpoints without an ID need 64-bit indices");

	return id == VHOST_IOMMU_ENDPOINT_NO_ID ? BIT(32) + group : id;
}

/*
 * Insert @vep at @index; -EEXIST if another endpoint has that ID.  A
 * group's number names only one group in the container, so an endpoint
 * without an ID cannot collide.
 */
static int endpoint_insert(struct vhost_iommu *vi, unsigned long index,
			   struct vhost_iommu_endpoint *vep)
{
	int ret = xa_insert(&vi->endpoints, index, vep, GFP_KERNEL_ACCOUNT);

	return ret == -EBUSY ? -EEXIST : ret;
}

/*
 * Declare endpoint @decl->endpoint_id on the IOMMU group numbered
 * @decl->iommu_group, which must be in the bound container and not yet used
 * by another endpoint, under an ID no other endpoint has.  The number is
 * resolved among the container's groups only: they hold a reference, so it
 * names the same group until it leaves.  Return: the new endpoint, or an
 * ERR_PTR() with the errors of vhost_iommu_add_endpoint().
 */
static struct vhost_iommu_endpoint *
endpoint_declare(struct vhost_iommu *vi, const struct vhost_iommu_endpoint_decl *decl)
{
	struct vhost_iommu_container *c = vi->container;
	struct vhost_iommu_endpoint *vep;
	struct vhost_iommu_group *g;
	int ret;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!c)
		return ERR_PTR(-EINVAL);
	mutex_lock(&c->lock);
	g = container_find_group(c, decl->iommu_group);
	if (!g) {
		ret = -ENOENT;
		goto err_unlock;
	}
	if (g->ep) {
		ret = -EBUSY;
		goto err_unlock;
	}
	vep = endpoint_alloc(g->group, decl->endpoint_id);
	if (IS_ERR(vep)) {
		ret = PTR_ERR(vep);
		goto err_unlock;
	}
	if (!resv_fit(vep, vi->pv.config.probe_size)) {
		ret = -ENOSPC;
		goto err_free;
	}
	ret = endpoint_insert(vi, endpoint_index(decl->endpoint_id, decl->iommu_group), vep);
	if (ret)
		goto err_free;
	kref_get(&g->kref);
	vep->g = g;
	g->ep = vep;
	vi->nr_endpoints++;
	mutex_unlock(&c->lock);
	return vep;

err_free:
	endpoint_free(vep);
err_unlock:
	mutex_unlock(&c->lock);
	return ERR_PTR(ret);
}

/*
 * Forget @vep, at @index of vi->endpoints, which the model has detached: it
 * is in no domain of ours but identity, or one it was stuck in.  Its group
 * goes back to VFIO's blocking domain.  A group that cannot leave its
 * domain stays in it, and the free of that domain leaves it to the group
 * (vhost_iommu_free_host_domain()).
 */
static void endpoint_forget(struct vhost_iommu *vi, unsigned long index,
			    struct vhost_iommu_endpoint *vep)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	mutex_lock(&vi->container->lock);
	vhost_iommu_group_set_domain(vep->g, NULL);
	vep->g->ep = NULL;
	mutex_unlock(&vi->container->lock);
	xa_erase(&vi->endpoints, index);
	vhost_iommu_group_put(vep->g);
	endpoint_free(vep);
	vi->nr_endpoints--;
}

/* Forget every endpoint, after a reset of the model. */
static void remove_endpoints(struct vhost_iommu *vi)
{
	struct vhost_iommu_endpoint *vep;
	unsigned long index;

	xa_for_each(&vi->endpoints, index, vep)
		endpoint_forget(vi, index, vep);
}

/*
 * Forget the endpoints whose groups left the container: hot-unplugged
 * devices.  Each is detached from its domain, which dies with its mappings
 * and pins if it was the last (the guest's driver need not DETACH a device
 * that is gone), and its ID is free for the next device.
 */
static void endpoints_reap(struct vhost_iommu *vi)
{
	struct vhost_iommu_endpoint *vep;
	unsigned long index;

	lockdep_assert_held(vhost_iommu_lock(vi));
	xa_for_each(&vi->endpoints, index, vep) {
		if (!READ_ONCE(vep->g->gone))
			continue;
		viommu_model_unplug(&vi->pv, &vep->ep);
		endpoint_forget(vi, index, vep);
		/* An unattached one took its group out of the identity domain. */
		vhost_iommu_identity_put_unused(vi);
	}
}

static void reap_work(struct vhost_work *work)
{
	struct vhost_iommu *vi = container_of(work, struct vhost_iommu, reap_work);

	mutex_lock(vhost_iommu_lock(vi));
	endpoints_reap(vi);
	mutex_unlock(vhost_iommu_lock(vi));
}

/**
 * vhost_iommu_endpoint_gone() - an endpoint's group left the container
 * @vi: the device it is declared on
 *
 * Called by the container with its lock held, so @vi is still bound and
 * its worker alive.  The endpoint is reaped by the worker, under the
 * model's lock, which the container's lock nests in.
 */
void vhost_iommu_endpoint_gone(struct vhost_iommu *vi)
{
	lockdep_assert_held(&vi->container->lock);
	pviommu_compat_vq_work_queue(&vi->vqs[VHOST_IOMMU_VQ_REQ], &vi->reap_work);
}

/**
 * vhost_iommu_add_endpoint() - VHOST_IOMMU_ADD_ENDPOINT
 * @vi: the device
 * @argp: a struct vhost_iommu_endpoint_decl
 *
 * The group, named by its number, must be in the bound container and not
 * yet used by another endpoint (one endpoint per group: VFIO attaches whole
 * groups, and the spec's DETACH of one endpoint of a shared group could not
 * be honoured).  The new endpoint is unattached: blocked, or in bypass.
 *
 * Return: 0, or -EINVAL (no container bound), -ENOENT (no group of that
 * number in the container), -EEXIST (endpoint ID taken), -EBUSY (group
 * already declared), -ENOSPC (probe_size too small for its regions),
 * -ENOMEM; or -EIO: the endpoint is declared, but its group could not leave
 * the host domain it was in and stays there, blocked (as
 * vhost_iommu_set_config()).
 */
static int vhost_iommu_add_endpoint(struct vhost_iommu *vi, void __user *argp)
{
	struct vhost_iommu_endpoint_decl decl;
	struct vhost_iommu_endpoint *vep;
	int ret;

	if (copy_from_user(&decl, argp, sizeof(decl)))
		return -EFAULT;
	ret = owner_lock(vi);
	if (ret)
		return ret;
	endpoints_reap(vi);	/* the ID of a device unplugged just now */
	vep = endpoint_declare(vi, &decl);
	if (IS_ERR(vep))
		ret = PTR_ERR(vep);
	else	/* -EIO: declared, but its group stays blocked in the domain it was in. */
		ret = vhost_iommu_place_unattached(vi, vep);
	owner_unlock(vi);
	return ret;
}

/**
 * vhost_iommu_set_endpoint_id() - VHOST_IOMMU_SET_ENDPOINT_ID
 * @vi: the device
 * @argp: a struct vhost_iommu_endpoint_decl: the group, and its new ID
 *
 * The endpoint declared on the group takes the new ID, or none
 * (VHOST_IOMMU_ENDPOINT_NO_ID).  A PCI endpoint's ID is its requester ID,
 * which holds the bus number that firmware or the guest gives the bus
 * behind a bridge.  The VMM follows the numbering; the guest names an
 * endpoint by the ID it sees, so the endpoint may change ID only while no
 * domain holds it under its old one.
 *
 * Return: 0, or -EFAULT, -EINVAL (no container bound), -ENOENT (no endpoint
 * declared on that group), -EBUSY (attached to a domain), -EEXIST (the ID
 * is another endpoint's), -ENOMEM.
 */
static int vhost_iommu_set_endpoint_id(struct vhost_iommu *vi, void __user *argp)
{
	struct vhost_iommu_endpoint_decl decl;
	struct vhost_iommu_endpoint *vep;
	struct vhost_iommu_group *g;
	unsigned long old;
	int ret;

	if (copy_from_user(&decl, argp, sizeof(decl)))
		return -EFAULT;
	ret = owner_lock(vi);
	if (ret)
		return ret;
	ret = -EINVAL;
	if (!vi->container)
		goto out;
	endpoints_reap(vi);
	mutex_lock(&vi->container->lock);
	g = container_find_group(vi->container, decl.iommu_group);
	vep = g ? g->ep : NULL;
	mutex_unlock(&vi->container->lock);
	ret = -ENOENT;
	if (!vep)
		goto out;
	ret = 0;
	if (vep->ep.id == decl.endpoint_id)
		goto out;
	ret = -EBUSY;
	if (vep->ep.domain)
		goto out;
	old = endpoint_index(vep->ep.id, decl.iommu_group);
	ret = endpoint_insert(vi, endpoint_index(decl.endpoint_id, decl.iommu_group), vep);
	if (ret)
		goto out;
	xa_erase(&vi->endpoints, old);
	vep->ep.id = decl.endpoint_id;
out:
	owner_unlock(vi);
	return ret;
}

static int vhost_iommu_set_bypass(struct vhost_iommu *vi, unsigned long arg)
{
	int ret = owner_lock(vi);

	if (ret)
		return ret;
	if (arg > 1 || !viommu_model_set_bypass(&vi->pv, arg))
		ret = -EINVAL;
	else	/* -EIO as in vhost_iommu_set_config() */
		ret = vhost_iommu_place_all_unattached(vi);
	owner_unlock(vi);
	return ret;
}

/*
 * After the memory table or VHOST_IOMMU_OPT_PREPIN changed: the device's
 * pinned RAM, then the identity domain, follow.  Existing MAPs keep their
 * pages.  Return: 0, or the first error.
 */
static int ram_changed(struct vhost_iommu *vi)
{
	int ret = vhost_iommu_ram_refresh(vi);
	int ret2 = vhost_iommu_identity_refresh(vi);

	return ret ? ret : ret2;
}

static int vhost_iommu_set_options(struct vhost_iommu *vi, void __user *argp)
{
	struct vhost_iommu_options opt;
	int ret;

	if (copy_from_user(&opt, argp, sizeof(opt)))
		return -EFAULT;
	if ((opt.flags & ~VHOST_IOMMU_OPT_PREPIN) ||
	    memchr_inv(opt.reserved, 0, sizeof(opt.reserved)))
		return -EINVAL;
	ret = owner_lock(vi);
	if (ret)
		return ret;
	/* The mappings hold pages the way the option said when they were made. */
	if (vhost_vq_get_backend(&vi->vqs[VHOST_IOMMU_VQ_REQ]) || vi->pv.stats.mappings) {
		ret = -EBUSY;
	} else if (vi->prepin != !!(opt.flags & VHOST_IOMMU_OPT_PREPIN)) {
		vi->prepin = opt.flags & VHOST_IOMMU_OPT_PREPIN;
		ret = ram_changed(vi);
		/* Guest RAM could not be pinned: the option is not set. */
		if (ret == -ENOMEM && vi->prepin) {
			vi->prepin = false;
			ram_changed(vi);
		}
	}
	owner_unlock(vi);
	return ret;
}

static int vhost_iommu_set_limits(struct vhost_iommu *vi, void __user *argp)
{
	struct vhost_iommu_limits lim;
	int ret;

	if (copy_from_user(&lim, argp, sizeof(lim)))
		return -EFAULT;
	ret = owner_lock(vi);
	if (ret)
		return ret;
	if (lim.max_domains)
		vi->pv.max_domains = min_t(u64, lim.max_domains, ULONG_MAX);
	if (lim.max_mappings)
		vi->pv.max_mappings = min_t(u64, lim.max_mappings, ULONG_MAX);
	owner_unlock(vi);
	return 0;
}

static int vhost_iommu_reset(struct vhost_iommu *vi)
{
	int ret = owner_lock(vi);

	if (ret)
		return ret;
	viommu_model_reset(&vi->pv);
	vhost_iommu_ram_retire(vi);
	owner_unlock(vi);
	return 0;
}

/* Pages the identity domain pinned for itself, not shared with vi->ram. */
static unsigned long bypass_pinned(struct vhost_iommu *vi)
{
	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!vi->identity || vi->identity->ram == vi->ram)
		return 0;
	return vi->identity->ram->npages;
}

/* Read the counters (any caller). */
static int vhost_iommu_get_stats(struct vhost_iommu *vi, void __user *argp)
{
	struct vhost_iommu_stats st = {};
	struct mutex *lock = vhost_iommu_lock(vi);

	BUILD_BUG_ON(sizeof(st.requests) != sizeof(vi->pv.stats.requests));
	BUILD_BUG_ON(sizeof(st.status) != sizeof(vi->pv.stats.status));
	BUILD_BUG_ON(sizeof(st.ioptes) != sizeof(vi->ioptes));
	mutex_lock(lock);
	memcpy(st.requests, vi->pv.stats.requests, sizeof(st.requests));
	memcpy(st.status, vi->pv.stats.status, sizeof(st.status));
	st.mappings = vi->pv.stats.mappings;
	st.domains = viommu_model_domain_count(&vi->pv);
	st.endpoints = vi->nr_endpoints;
	st.pinned_pages = vi->pinned;
	st.bypass_pinned_pages = bypass_pinned(vi);
	st.bad_chains = vi->bad_chains;
	st.weight_yields = vi->weight_yields;
	st.ram_pinned_pages = vi->ram ? vi->ram->npages : 0;
	st.kicks = vi->kicks;
	st.polled = vi->polled;
	st.iotlb_syncs = vi->iotlb_syncs;
	memcpy(st.ioptes, vi->ioptes, sizeof(st.ioptes));
	mutex_unlock(lock);
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

/*
 * Do two memory-table regions overlap?  Empty and wrapping ones do not:
 * vhost refuses those itself.
 */
static bool regions_overlap(const struct vhost_memory_region *a,
			    const struct vhost_memory_region *b)
{
	u64 a_last = a->guest_phys_addr + a->memory_size - 1;
	u64 b_last = b->guest_phys_addr + b->memory_size - 1;

	if (!a->memory_size || !b->memory_size ||
	    a_last < a->guest_phys_addr || b_last < b->guest_phys_addr)
		return false;
	return viommu_model_ranges_overlap(a->guest_phys_addr, a_last,
					   b->guest_phys_addr, b_last);
}

/* The most memory-table regions checked for overlaps (vhost's default: 64). */
#define VHOST_IOMMU_MEM_REGIONS_MAX	1024

/**
 * mem_table_check() - refuse a memory table whose regions overlap
 * @argp: the struct vhost_memory of VHOST_SET_MEM_TABLE
 *
 * vhost takes overlapping regions; guest RAM pinned from them would map
 * one IOVA twice in the identity domain.  A VMM that rewrites the table
 * between this check and vhost's own read gets its overlapping regions
 * left out of the pinned RAM instead (vhost_iommu_ram_build()).
 *
 * Return: 0; -EINVAL if two regions overlap; -E2BIG past
 * VHOST_IOMMU_MEM_REGIONS_MAX regions; -EFAULT; -ENOMEM.
 */
static int mem_table_check(void __user *argp)
{
	struct vhost_memory __user *um = argp;
	struct vhost_memory_region *r;
	struct vhost_memory mem;
	u32 i, j;
	int ret = 0;

	if (copy_from_user(&mem, um, sizeof(mem)))
		return -EFAULT;
	if (mem.nregions > VHOST_IOMMU_MEM_REGIONS_MAX)
		return -E2BIG;
	r = memdup_array_user(um->regions, mem.nregions, sizeof(*r));
	if (IS_ERR(r))
		return PTR_ERR(r);
	for (i = 0; i < mem.nregions && !ret; i++)
		for (j = i + 1; j < mem.nregions && !ret; j++)
			if (regions_overlap(&r[i], &r[j]))
				ret = -EINVAL;
	kfree(r);
	return ret;
}

static long vhost_iommu_ioctl(struct file *file, unsigned int ioctl,
			      unsigned long arg)
{
	struct vhost_iommu *vi = file->private_data;
	void __user *argp = (void __user *)arg;
	u64 features;
	long r;

	switch (ioctl) {
	case VHOST_GET_FEATURES:
		features = VHOST_IOMMU_FEATURES;
		return copy_to_user(argp, &features, sizeof(features)) ? -EFAULT : 0;
	case VHOST_SET_FEATURES:
		if (copy_from_user(&features, argp, sizeof(features)))
			return -EFAULT;
		return vhost_iommu_set_features(vi, features);
	case VHOST_IOMMU_SET_CONFIG:
		return vhost_iommu_set_config(vi, argp);
	case VHOST_IOMMU_SET_LIMITS:
		return vhost_iommu_set_limits(vi, argp);
	case VHOST_IOMMU_ADD_ENDPOINT:
		return vhost_iommu_add_endpoint(vi, argp);
	case VHOST_IOMMU_SET_BYPASS:
		return vhost_iommu_set_bypass(vi, arg);
	case VHOST_IOMMU_START:
		return vhost_iommu_start(vi);
	case VHOST_IOMMU_STOP:
		return vhost_iommu_stop(vi, true);
	case VHOST_IOMMU_GET_STATS:
		return vhost_iommu_get_stats(vi, argp);
	case VHOST_IOMMU_RESET:
		return vhost_iommu_reset(vi);
	case VHOST_IOMMU_SET_OPTIONS:
		return vhost_iommu_set_options(vi, argp);
	case VHOST_IOMMU_SET_ENDPOINT_ID:
		return vhost_iommu_set_endpoint_id(vi, argp);
	case VHOST_SET_MEM_TABLE:
		r = mem_table_check(argp);
		if (r)
			return r;
		break;
	default:
		break;
	}

	mutex_lock(&vi->dev.mutex);
	r = vhost_dev_ioctl(&vi->dev, ioctl, argp);
	if (r == -ENOIOCTLCMD) {
		r = vhost_vring_ioctl(&vi->dev, ioctl, argp);
	} else {
		vhost_dev_flush(&vi->dev);
		if (!r && ioctl == VHOST_SET_OWNER) {
			/*
			 * Whose RLIMIT_MEMLOCK pays for pinned guest memory,
			 * and whose memcg for the worker's allocations.
			 */
			vi->owner = get_task_struct(current->group_leader);
			vi->lock_cap = capable(CAP_IPC_LOCK);
			vi->memcg = get_mem_cgroup_from_mm(current->mm);
		} else if (!r && ioctl == VHOST_SET_MEM_TABLE) {
			mutex_lock(vhost_iommu_lock(vi));
			r = ram_changed(vi);
			mutex_unlock(vhost_iommu_lock(vi));
		}
	}
	mutex_unlock(&vi->dev.mutex);
	return r;
}

/* ---- binding to a container ------------------------------------------ */

/*
 * Let the container @vi is bound to go if every group left it: the VMM
 * unplugged all its assigned devices, and binds a new container for the
 * next one.  Their endpoints go first, and with them every domain.
 */
static void unbind_empty_container(struct vhost_iommu *vi)
{
	struct vhost_iommu_container *c = vi->container;

	lockdep_assert_held(vhost_iommu_lock(vi));
	if (!c)
		return;
	endpoints_reap(vi);
	if (vi->nr_endpoints || !vhost_iommu_container_unbind_empty(c))
		return;
	vi->container = NULL;
	vhost_iommu_container_put(c);
}

/**
 * vhost_iommu_bind() - bind a VFIO container of our type to a device
 * @vi: the device, kept alive by the caller's file reference
 * @c: the container
 *
 * The caller must own @vi.  Each side binds once; the device binds again
 * once every group left its container (hot-unplug of every device).
 *
 * Return: 0, -EPERM (not the owner) or -EBUSY (either side already bound).
 */
int vhost_iommu_bind(struct vhost_iommu *vi, struct vhost_iommu_container *c)
{
	int ret = owner_lock(vi);

	if (ret)
		return ret;
	unbind_empty_container(vi);
	mutex_lock(&c->lock);
	if (vi->container || c->vi) {
		ret = -EBUSY;
	} else {
		kref_get(&c->kref);
		vi->container = c;
		c->vi = vi;
	}
	mutex_unlock(&c->lock);
	owner_unlock(vi);
	return ret;
}

/* ---- debugfs ------------------------------------------------------------ */

/* "requests.map", "status.inval": proto's names, in lower case. */
static void stats_show_one(struct seq_file *s, const char *prefix,
			   const char *name, u64 value)
{
	char lower[16];

	strscpy(lower, name, sizeof(lower));
	string_lower(lower, lower);
	seq_printf(s, "%s.%s %llu\n", prefix, lower, value);
}

static int stats_show(struct seq_file *s, void *unused)
{
	static const char * const iopte_sizes[] = { "4k", "2m", "1g" };
	struct vhost_iommu *vi = s->private;
	unsigned int i;

	mutex_lock(vhost_iommu_lock(vi));
	/* requests[0] counts the requests returned with used_len 0. */
	seq_printf(s, "requests.dropped %llu\n", vi->pv.stats.requests[0]);
	for (i = VIRTIO_IOMMU_T_ATTACH; i < ARRAY_SIZE(vi->pv.stats.requests); i++)
		stats_show_one(s, "requests", viommu_model_req_name(i),
			       vi->pv.stats.requests[i]);
	for (i = 0; i < ARRAY_SIZE(vi->pv.stats.status); i++)
		stats_show_one(s, "status", viommu_model_status_name(i),
			       vi->pv.stats.status[i]);
	seq_printf(s, "mappings %lu\n", vi->pv.stats.mappings);
	seq_printf(s, "domains %lu\n", viommu_model_domain_count(&vi->pv));
	seq_printf(s, "endpoints %lu\n", vi->nr_endpoints);
	seq_printf(s, "pinned_pages %lu\n", vi->pinned);
	seq_printf(s, "bypass_pinned_pages %lu\n", bypass_pinned(vi));
	seq_printf(s, "bad_chains %llu\n", vi->bad_chains);
	seq_printf(s, "weight_yields %llu\n", vi->weight_yields);
	seq_printf(s, "ram_pinned_pages %lu\n", vi->ram ? vi->ram->npages : 0);
	seq_printf(s, "kicks %llu\n", vi->kicks);
	seq_printf(s, "polled %llu\n", vi->polled);
	seq_printf(s, "iotlb_syncs %llu\n", vi->iotlb_syncs);
	seq_printf(s, "pass_max_us %llu\n", div_u64(vi->pass_max_ns, NSEC_PER_USEC));
	for (i = 0; i < ARRAY_SIZE(vi->ioptes); i++)
		seq_printf(s, "ioptes.%s %llu\n", iopte_sizes[i], vi->ioptes[i]);
	mutex_unlock(vhost_iommu_lock(vi));
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(stats);

/*
 * One line per endpoint: its ID as the guest names it ("none" while it has
 * none), its VFIO group, the domain it is attached to ("-": unattached) and
 * how many ATTACHes put it in one.
 */
static int endpoints_show(struct seq_file *s, void *unused)
{
	struct vhost_iommu *vi = s->private;
	struct vhost_iommu_endpoint *vep;
	unsigned long index;

	mutex_lock(vhost_iommu_lock(vi));
	xa_for_each(&vi->endpoints, index, vep) {
		if (vep->ep.id == VHOST_IOMMU_ENDPOINT_NO_ID)
			seq_puts(s, "none");
		else
			seq_printf(s, "%#06x", vep->ep.id);
		seq_printf(s, " group %d domain ", iommu_group_id(vep->g->group));
		if (vep->ep.domain)
			seq_printf(s, "%u", viommu_model_domain_id(vep->ep.domain));
		else
			seq_puts(s, "-");
		seq_printf(s, " attaches %llu%s\n", vep->attaches,
			   READ_ONCE(vep->g->gone) ? " gone" : "");
	}
	mutex_unlock(vhost_iommu_lock(vi));
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(endpoints);

/* ---- the char device ------------------------------------------------------ */

static const struct viommu_model_config default_config = {
	.page_size_mask = PAGE_MASK,
	.input_start = 0,
	.input_end = (1ULL << 48) - 1,
	.domain_start = 0,
	.domain_end = U32_MAX,
	.probe_size = 512,
	.bypass = 0,
};

static int vhost_iommu_open(struct inode *inode, struct file *file)
{
	struct vhost_virtqueue **vqs;
	struct vhost_iommu *vi;
	char name[16];
	int ret;

	vi = kvzalloc(sizeof(*vi), GFP_KERNEL_ACCOUNT);
	if (!vi)
		return -ENOMEM;
	vqs = kmalloc_array(VHOST_IOMMU_NR_VQS, sizeof(*vqs), GFP_KERNEL);
	if (!vqs) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = ida_alloc(&vhost_iommu_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_vqs;
	vi->id = ret;

	vqs[VHOST_IOMMU_VQ_REQ] = &vi->vqs[VHOST_IOMMU_VQ_REQ];
	vqs[VHOST_IOMMU_VQ_EVT] = &vi->vqs[VHOST_IOMMU_VQ_EVT];
	vi->vqs[VHOST_IOMMU_VQ_REQ].handle_kick = handle_req_kick;
	vi->vqs[VHOST_IOMMU_VQ_EVT].handle_kick = handle_evt_kick;
	/* byte_weight is compared with units of work, not bytes: pass_exceeded(). */
	vhost_dev_init(&vi->dev, vqs, VHOST_IOMMU_NR_VQS, UIO_MAXIOV,
		       VHOST_IOMMU_REQ_WEIGHT, VHOST_IOMMU_WORK_WEIGHT, true, NULL);

	viommu_model_init(&vi->pv, &vhost_iommu_ops, &default_config,
			  VHOST_IOMMU_DEV_FEATURES);
	vi->pv.max_domains = max_domains;
	vi->pv.max_mappings = max_mappings;
	xa_init(&vi->endpoints);
	vhost_work_init(&vi->reap_work, reap_work);

	snprintf(name, sizeof(name), "%d", vi->id);
	vi->debugfs = debugfs_create_dir(name, vhost_iommu_debugfs);
	debugfs_create_file("stats", 0444, vi->debugfs, vi, &stats_fops);
	debugfs_create_file("endpoints", 0444, vi->debugfs, vi, &endpoints_fops);

	file->private_data = vi;
	return 0;

err_vqs:
	kfree(vqs);
err_free:
	kvfree(vi);
	return ret;
}

/*
 * Closing the file (or the owner dying) tears everything down: no request
 * runs any more, the model's reset detaches every endpoint and destroys
 * every domain (unmapping and unpinning their pages), the groups go back to
 * VFIO's blocking domain, and the container is unbound.  A group the iommu
 * core cannot detach keeps its emptied domain, which is freed when it
 * leaves it, at the latest when the container goes (container_free()).
 * The pins are undone before vhost_dev_cleanup() drops the owner's mm,
 * which the accounting needs.
 */
static int vhost_iommu_release(struct inode *inode, struct file *file)
{
	struct vhost_iommu *vi = file->private_data;
	struct vhost_iommu_container *c;

	debugfs_remove_recursive(vi->debugfs);
	vhost_iommu_stop(vi, false);

	mutex_lock(&vi->dev.mutex);
	mutex_lock(vhost_iommu_lock(vi));
	vi->closing = true;
	viommu_model_reset(&vi->pv);
	c = vi->container;
	if (c)
		remove_endpoints(vi);
	vhost_iommu_identity_put(vi);
	vhost_iommu_ram_retire(vi);
	vhost_iommu_ram_put(vi, vi->ram);
	vi->ram = NULL;
	mutex_unlock(vhost_iommu_lock(vi));
	mutex_unlock(&vi->dev.mutex);
	xa_destroy(&vi->endpoints);
	if (c) {
		mutex_lock(&c->lock);
		c->vi = NULL;
		mutex_unlock(&c->lock);
		vhost_iommu_container_put(c);
	}

	vhost_dev_stop(&vi->dev);
	vhost_dev_cleanup(&vi->dev);
	if (vi->owner)
		put_task_struct(vi->owner);
	mem_cgroup_put(vi->memcg);
	ida_free(&vhost_iommu_ida, vi->id);
	kfree(vi->dev.vqs);
	kvfree(vi);
	return 0;
}

static const struct file_operations vhost_iommu_fops = {
	.owner = THIS_MODULE,
	.open = vhost_iommu_open,
	.release = vhost_iommu_release,
	.unlocked_ioctl = vhost_iommu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

struct vhost_iommu *vhost_iommu_from_file(struct file *file)
{
	return file->f_op == &vhost_iommu_fops ? file->private_data : NULL;
}

static struct miscdevice vhost_iommu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vhost-iommu",
	.fops = &vhost_iommu_fops,
};

static int __init vhost_iommu_init(void)
{
	int ret;

	ret = vhost_iommu_domains_init();
	if (ret)
		return ret;
	vhost_iommu_debugfs = debugfs_create_dir("vhost-iommu", NULL);
	ret = vhost_iommu_container_init();
	if (ret)
		goto err_domains;
	ret = misc_register(&vhost_iommu_misc);
	if (ret)
		goto err_container;
	return 0;

err_container:
	vhost_iommu_container_exit();
err_domains:
	debugfs_remove_recursive(vhost_iommu_debugfs);
	vhost_iommu_domains_exit();
	return ret;
}
module_init(vhost_iommu_init);

static void __exit vhost_iommu_exit(void)
{
	misc_deregister(&vhost_iommu_misc);
	vhost_iommu_container_exit();
	debugfs_remove_recursive(vhost_iommu_debugfs);
	vhost_iommu_domains_exit();
}
module_exit(vhost_iommu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vhost backend for the virtio-iommu device, with a VFIO IOMMU driver");
