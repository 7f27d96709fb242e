/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost_lib: a guest-less driver for /dev/vhost-iommu, linked into the
 * vhost-iommu test programs and the L1 benchmark.
 *
 * One process plays VMM and guest at once:
 *   - "guest RAM" is an anonymous mapping of this process, declared to the
 *     device with VHOST_SET_MEM_TABLE at a guest physical address that is
 *     NOT its virtual address (GPA != HVA, so a backend that confuses them
 *     fails);
 *   - the split virtqueues (descriptor table, avail and used rings) live in
 *     that guest RAM, and this library is their driver side;
 *   - kicks are writes to the kick eventfd, interrupts reads of the call
 *     eventfd.
 * struct vdev is one device and its queues; struct rig the fixture the
 * suites use: guest RAM, the device, the edu's group in a container of
 * type VFIO_PVIOMMU_IOMMU bound to it, its one endpoint, started.
 * No state outside these structs.
 */
#ifndef PVIOMMU_PROGRAMS_VHOST_LIB_H
#define PVIOMMU_PROGRAMS_VHOST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vhost.h>
#include <linux/virtio_iommu.h>
#include <linux/virtio_ring.h>

#include "../../vhost-iommu/uapi/linux/vhost_iommu.h"
#include "../common/tap.h"
#include "vfio.h"

/* ---- guest RAM ------------------------------------------------------------ */

#define PAGE		4096ull
/* Below edu's 28-bit DMA mask, so bypassed DMA at IOVA == GPA reaches it. */
#define GUEST_GPA	0x01000000ull
#define GUEST_SIZE	(48ull << 20)
/* Layout of guest RAM: rings, then request scratch, then test pages. */
#define RING_GPA	GUEST_GPA
#define SCRATCH_GPA	(GUEST_GPA + 0x100000)
#define SCRATCH_SIZE	0x300000ull
#define DATA_GPA	(GUEST_GPA + 0x400000)
#define DATA_SIZE	(GUEST_SIZE - 0x400000)

#define VQ_NUM		256
/* The most requests one vq_run() takes: two descriptors each. */
#define VQ_BATCH	(VQ_NUM / 2)

/* GUEST_SIZE bytes of populated anonymous memory; bails through @t. */
uint8_t *guest_ram(struct tap *t);

/*
 * A second guest RAM region of hugetlbfs pages (2 MiB), at a GPA aligned
 * to 1 GiB, for the large-IOPTE checks; needs vm.nr_hugepages.
 */
#define HUGE_GPA	0x40000000ull
#define HUGE_SIZE	(4ull << 20)
/* HUGE_SIZE bytes of populated MAP_HUGETLB memory, or NULL. */
uint8_t *huge_ram(void);

/* ---- short names of the statuses and MAP flags ---------------------------- */

#define OK	VIRTIO_IOMMU_S_OK
#define UNSUPP	VIRTIO_IOMMU_S_UNSUPP
#define INVAL	VIRTIO_IOMMU_S_INVAL
#define RANGE	VIRTIO_IOMMU_S_RANGE
#define NOENT	VIRTIO_IOMMU_S_NOENT
#define FAULT	VIRTIO_IOMMU_S_FAULT
#define NOMEM	VIRTIO_IOMMU_S_NOMEM
#define DEVERR	VIRTIO_IOMMU_S_DEVERR
#define R	VIRTIO_IOMMU_MAP_F_READ
#define W	VIRTIO_IOMMU_MAP_F_WRITE
#define RW	(R | W)

/* ---- the vhost device ----------------------------------------------------- */

#define FEAT(x)		(1ull << VIRTIO_IOMMU_F_##x)
#define DEV_FEATURES	(FEAT(INPUT_RANGE) | FEAT(DOMAIN_RANGE) | FEAT(MAP_UNMAP) | \
			 FEAT(PROBE) | FEAT(BYPASS_CONFIG))

struct vdev {
	int fd, kick[2], call[2];
	uint8_t *ram;			/* HVA of GPA GUEST_GPA */
	uint8_t *huge;			/* HVA of GPA HUGE_GPA, or NULL */
	struct {
		struct vring_desc *desc;
		struct vring_avail *avail;
		struct vring_used *used;
		uint16_t avail_idx, used_idx;
	} vq[2];
	uint64_t features;
	size_t scratch;			/* bump offset in SCRATCH */
	/* vq_run() kicks only when the device wants it, and counts the rest */
	bool kick_if_asked;
	unsigned int kicks_saved;
	/*
	 * vq_wait() spins on the used index instead of sleeping on the call
	 * eventfd, and vq_push() asks for no interrupts
	 * (VRING_AVAIL_F_NO_INTERRUPT): Linux's virtio-iommu driver, whose
	 * request queue has no callback and which spins in viommu_sync_req().
	 */
	bool spin_wait;
};

/* The configuration the suites use unless they say otherwise. */
extern const struct vhost_iommu_config default_cfg;

void *hva(struct vdev *v, uint64_t gpa);

/*
 * The driver side of queue @i alone: its rings in guest RAM (at
 * RING_GPA + i * 64 KiB, zeroed) and its kick and call eventfds.  Any
 * device can serve it: vdev_open() hands both queues to the vhost device,
 * the benchmark's userspace backend (bench/) serves one from a thread.
 * Returns 0 or -errno, as every int function here.
 */
int vq_init_driver(struct vdev *v, unsigned int i);

/*
 * Open /dev/vhost-iommu and do the VMM's steps up to (not including) the
 * VFIO binding: owner, features, memory table (GPA != HVA), vrings, config.
 * @ram: guest RAM of GUEST_SIZE bytes (kept across devices by the caller).
 */
int vdev_open(struct vdev *v, uint8_t *ram, const struct vhost_iommu_config *cfg);
/* VHOST_SET_MEM_TABLE again: guest RAM, and the hugetlb region if @huge. */
int vdev_set_mem_table(struct vdev *v, uint8_t *huge);
/* VHOST_IOMMU_SET_OPTIONS with @flags (VHOST_IOMMU_OPT_*). */
int vdev_set_options(struct vdev *v, uint64_t flags);
/* VHOST_SET_VRING_BUSYLOOP_TIMEOUT of the request queue, in microseconds. */
int vdev_set_poll(struct vdev *v, unsigned int us);
void vdev_close(struct vdev *v);
int vdev_stats(struct vdev *v, struct vhost_iommu_stats *st);
/* One counter of VHOST_IOMMU_GET_STATS, or ~0 if the ioctl fails. */
uint64_t live_mappings(struct vdev *v);
uint64_t live_domains(struct vdev *v);
uint64_t pinned_pages(struct vdev *v);

int vfio_bind(struct vfio *f, struct vdev *v);
int add_endpoint(struct vdev *v, uint32_t id, unsigned int group_id);
/* VHOST_IOMMU_SET_ENDPOINT_ID: 0 or -errno. */
int set_endpoint_id(struct vdev *v, uint32_t id, unsigned int group_id);

/* How many vhost-iommu devices exist (debugfs entries), or -1. */
int vhost_debugfs_devices(void);
/*
 * A counter of the debugfs stats of the only vhost-iommu device there is
 * ("NAME VALUE" lines: those of VHOST_IOMMU_GET_STATS and a few more), or
 * -1 if there is not exactly one device or no such counter.
 */
long long vhost_debugfs_stat(const char *name);

/* ---- the driver side of a split virtqueue --------------------------------- */

/* Guest memory for request buffers, reused from the start when full. */
uint64_t scratch_alloc(struct vdev *v, size_t len);
/* Make descriptor chain @head available (not yet kicked). */
void vq_push(struct vdev *v, unsigned int q, uint16_t head);
bool vq_kick(struct vdev *v, unsigned int q);
/* Whether the device wants kicks now (VRING_USED_F_NO_NOTIFY is clear). */
bool vq_kick_wanted(struct vdev *v, unsigned int q);
/*
 * Wait until the device has used @n more buffers of queue @q (or @ms
 * passed): asleep on the call eventfd, or with spin_wait spinning on the
 * used index, yielding the CPU between looks.  Returns how many it used.
 */
unsigned int vq_wait(struct vdev *v, unsigned int q, unsigned int n, int ms);
/* The next used element of queue @q (after vq_wait() said there is one). */
struct vring_used_elem vq_pop(struct vdev *v, unsigned int q);

/* The largest response: probe_size (at most 4096) and a tail. */
#define RESP_MAX	(4096 + 64)

/* One request: its device-readable bytes, and room for the device's answer. */
struct req {
	const void *out;
	size_t out_len;
	size_t in_len;		/* writable length offered */
	uint8_t in[RESP_MAX];
	uint32_t used;		/* used length the device reported */
	bool done;
	uint64_t in_gpa;
};

/*
 * Send @n requests (n <= VQ_BATCH) in one batch, each as a chain of a
 * readable and a writable descriptor, with one kick (see kick_if_asked),
 * and collect the answers.  Returns the number completed within 10 s.
 */
unsigned int vq_run(struct vdev *v, struct req *r, unsigned int n);

#define S_DROPPED	0xff	/* used_len 0: the device wrote nothing */
#define S_LOST		0xfe	/* no answer at all */

/* Status of an answered request: the first byte of its response's tail. */
uint8_t req_status(const struct req *r);
/* Send one request with a bare tail as its writable part; its status. */
uint8_t send_req(struct vdev *v, const void *body, size_t len);

/* The device-readable length of a request structure. */
#define RO_LEN(s)	(sizeof(s) - sizeof(struct virtio_iommu_req_tail))

void mk_attach(struct virtio_iommu_req_attach *q, uint32_t dom, uint32_t ep,
	       uint32_t flags);
void mk_detach(struct virtio_iommu_req_detach *q, uint32_t dom, uint32_t ep);
void mk_map(struct virtio_iommu_req_map *q, uint32_t dom, uint64_t start,
	    uint64_t last, uint64_t phys, uint32_t flags);
void mk_unmap(struct virtio_iommu_req_unmap *q, uint32_t dom, uint64_t start,
	      uint64_t last);

/* One request each, sent and waited for: the device's status. */
uint8_t v_attach(struct vdev *v, uint32_t dom, uint32_t ep, uint32_t flags);
uint8_t v_detach(struct vdev *v, uint32_t dom, uint32_t ep);
uint8_t v_map(struct vdev *v, uint32_t dom, uint64_t start, uint64_t last,
	      uint64_t phys, uint32_t flags);
uint8_t v_unmap(struct vdev *v, uint32_t dom, uint64_t start, uint64_t last);
/*
 * PROBE @ep with @in_len writable bytes; the response lands in @r (whose
 * in[] holds the properties and the tail).
 */
uint8_t v_probe(struct vdev *v, uint32_t ep, size_t in_len, struct req *r);

/*
 * MAP the one-page IOVAs @iova + k pages, k in [@from, @to), of domain
 * @dom, in batches of VQ_BATCH; page k maps to guest page
 * DATA_GPA + (k % @pages) pages.  Returns how many did not answer OK.
 */
unsigned long map_pages(struct vdev *v, uint32_t dom, uint64_t iova,
			unsigned long from, unsigned long to, unsigned long pages);

/* ---- the fixture: guest RAM, vhost device, VFIO, one endpoint ------------- */

struct rig {
	struct vdev v;
	struct vfio f;
	uint8_t *ram;
	uint32_t ep;
};

/* How a fixture's device is set up, beyond the config. */
struct rig_opts {
	uint64_t options;		/* VHOST_IOMMU_OPT_* */
	uint8_t *huge;			/* the hugetlb region too, or NULL */
	uint64_t max_mappings;		/* VHOST_IOMMU_SET_LIMITS; 0: the default */
};

/* The ways a device can hold guest pages: per MAP, and pre-pinned. */
#define RIG_NR_MODES	2
extern const struct rig_opts rig_modes[RIG_NR_MODES];
/* "pin per MAP" or "prepin". */
const char *rig_mode_name(const struct rig_opts *o);

/*
 * Everything up and started, set up as @o says (NULL: nothing more);
 * returns 0 or -errno, @step says what failed.
 */
int rig_open(struct rig *g, uint8_t *ram, const char *bdf,
	     const struct vhost_iommu_config *cfg, const struct rig_opts *o,
	     const char **step);
/* rig_open() with default_cfg and @o (NULL: none), as point "set up: STEP"; bails if it fails. */
void rig_open_or_bail(struct tap *t, struct rig *g, uint8_t *ram, const char *bdf,
		      const struct rig_opts *o);
void rig_close(struct rig *g);

/* ---- what the programs measure and take ------------------------------------ */

/* The value of "NAME VALUE" among the arguments after the first, or @def. */
unsigned long vhost_opt(int argc, char **argv, const char *name, unsigned long def);
/* "NAME" is among the arguments after the first. */
bool vhost_flag(int argc, char **argv, const char *name);
double now_s(void);
/* The "KEY: N kB" line of a /proc FILE (status, meminfo): N, or -1. */
long proc_kb(const char *file, const char *key);
/* The process's locked_vm in KiB (VmLck of /proc/self/status), or -1. */
long vmlck_kb(void);
/* Write @s to the file at @path (sysfs, cgroup, tracefs), truncating it. */
bool write_text(const char *path, const char *s);
/* The pid (or tid) of our device's vhost worker, "vhost-<our pid>": a thread
 * of ours (vhost_task, 6.12) or a kthread (6.1); -1 if there is none. */
int vhost_worker(void);

#endif /* PVIOMMU_PROGRAMS_VHOST_LIB_H */
