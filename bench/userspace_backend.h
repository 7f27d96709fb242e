/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A userspace virtio-iommu backend, the QEMU-style path of the L1
 * microbenchmark (bench/README.md): a thread, woken by the request queue's
 * kick eventfd as a VMM's iothread is, pops descriptor chains off a split
 * vring in "guest RAM", runs each request through proto/'s device model
 * (viommu_model_handle(), the same model vhost_iommu.ko runs), and
 * programs the host IOMMU with VFIO type1 MAP_DMA/UNMAP_DMA on a container
 * it is given.  GPA -> HVA goes through its own memory table.  Then it
 * publishes the used entries and signals the call eventfd.
 *
 * Deliberately lean: no QOM, no memory-listener or notifier chain, no big
 * lock.  Its cost is therefore a lower bound of QEMU's for the same work.
 */
#ifndef PVIOMMU_BENCH_USERSPACE_BACKEND_H
#define PVIOMMU_BENCH_USERSPACE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_ring.h>

/* One guest RAM region: [gpa, gpa + size) lives at hva. */
struct ub_region {
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

#define UB_MAX_REGIONS	4

struct ub_params {
	int container;			/* VFIO container, type1v2, group added */
	uint32_t endpoint_id;		/* the endpoint the guest names */
	struct ub_region mem[UB_MAX_REGIONS];
	unsigned int nr_mem;
	/* virtio-iommu config space (as struct vhost_iommu_config) */
	uint64_t page_size_mask, input_start, input_end;
	uint32_t domain_start, domain_end, probe_size;
	/* The request queue: driver-owned rings (HVAs) and eventfds. */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	unsigned int num;		/* power of 2 */
	int kick, call;
	int cpu;			/* pin the thread to this CPU; -1: don't */
};

struct ub_stats {
	/* The model's counters: struct viommu_model_stats */
	uint64_t requests[VIRTIO_IOMMU_T_PROBE + 1];	/* [0]: used_len 0 */
	uint64_t status[VIRTIO_IOMMU_S_NOMEM + 1];	/* by VIRTIO_IOMMU_S_* */
	uint64_t mappings;		/* live in the model */
	uint64_t map_dma, unmap_dma;	/* type1 ioctls that succeeded */
	uint64_t dma_errors;		/* type1 ioctls that failed */
	uint64_t wakeups;		/* kicks the thread woke up for */
	uint64_t bad_chains;
};

struct ubackend;

/* Start the backend thread; NULL (errno set) on failure. */
struct ubackend *ub_start(const struct ub_params *p);
/* Stop the thread, tear down the model (unmapping what is left), free. */
void ub_stop(struct ubackend *ub);
/* A snapshot of the counters (taken between requests). */
void ub_get_stats(struct ubackend *ub, struct ub_stats *st);

#endif /* PVIOMMU_BENCH_USERSPACE_BACKEND_H */
