/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hostile: a guest that breaks the rules, and a VMM that dies.  The module
 * must answer (or drop) every request, never crash, and give back every
 * pinned page.
 */
#ifndef VHOST_T_HOSTILE_H
#define VHOST_T_HOSTILE_H

#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "vhost_t_dma.h"

/*
 * Push a hand-made chain whose head is descriptor @head (already written
 * to the table), kick, and return its used length, or -1 if it was not
 * returned within a second.
 */
static long raw_chain(struct vdev *v, uint16_t head)
{
	struct vring_used_elem e;

	vq_push(v, 0, head);
	vq_kick(v, 0);
	if (vq_wait(v, 0, 1, 1000) < 1)
		return -1;
	e = vq_pop(v, 0);
	return e.id == head ? (long)e.len : -2;
}

static void t_malformed(struct rig *g)
{
	struct vdev *v = &g->v;
	struct vring_desc *d = v->vq[0].desc;
	struct virtio_iommu_req_map m;
	uint64_t body = scratch_alloc(v, 64), tail = scratch_alloc(v, 64);
	uint64_t ind = scratch_alloc(v, 64);
	struct vhost_iommu_stats st0, st1;

	mk_map(&m, 1, 0, PAGE - 1, DATA_GPA, RW);
	memcpy(hva(v, body), &m, RO_LEN(m));
	vdev_stats(v, &st0);

	/* Device-writable first, readable after it. */
	d[10] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 11 };
	d[11] = (struct vring_desc){ body, RO_LEN(m), 0, 0 };
	tap(raw_chain(v, 10) == 0, "chain with a readable descriptor after a writable one: used_len 0");

	/* A buffer outside the memory table. */
	d[12] = (struct vring_desc){ GUEST_GPA + GUEST_SIZE + PAGE, RO_LEN(m), VRING_DESC_F_NEXT, 13 };
	d[13] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE, 0 };
	tap(raw_chain(v, 12) == 0, "descriptor outside guest RAM: used_len 0");

	/* A loop. */
	d[14] = (struct vring_desc){ body, RO_LEN(m), VRING_DESC_F_NEXT, 15 };
	d[15] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 14 };
	tap(raw_chain(v, 14) == 0, "descriptor loop: used_len 0");

	/* No readable byte, no writable byte. */
	d[16] = (struct vring_desc){ body, 0, 0, 0 };
	tap(raw_chain(v, 16) == 0, "a lone empty descriptor: used_len 0");

	/* next beyond the table. */
	d[17] = (struct vring_desc){ body, RO_LEN(m), VRING_DESC_F_NEXT, VQ_NUM + 5 };
	tap(raw_chain(v, 17) == 0, "next index beyond the table: used_len 0");

	/* An indirect table of bad length. */
	d[18] = (struct vring_desc){ ind, 5, VRING_DESC_F_INDIRECT, 0 };
	tap(raw_chain(v, 18) == 0, "indirect table of a bad length: used_len 0");

	/* A good indirect chain works. */
	((struct vring_desc *)hva(v, ind))[0] =
		(struct vring_desc){ body, RO_LEN(m), VRING_DESC_F_NEXT, 1 };
	((struct vring_desc *)hva(v, ind))[1] = (struct vring_desc){ tail, 4, VRING_DESC_F_WRITE, 0 };
	d[19] = (struct vring_desc){ ind, 2 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0 };
	memset(hva(v, tail), 0xee, 4);
	tap(raw_chain(v, 19) == 4 && *(uint8_t *)hva(v, tail) == NOENT,
	    "a valid indirect chain is handled (MAP on no domain -> NOENT)");

	vdev_stats(v, &st1);
	tap(st1.bad_chains >= st0.bad_chains + 5, "bad chains are counted (%llu)",
	    (unsigned long long)(st1.bad_chains - st0.bad_chains));
	tap(v_attach(v, 1, g->ep, 0) == OK && v_detach(v, 1, g->ep) == OK,
	    "the queue still works after the malformed chains");
}

static void t_bad_ranges(struct rig *g)
{
	struct vdev *v = &g->v;
	long lck0 = vmlck_kb();
	bool ok;

	ok = v_attach(v, 1, g->ep, 0) == OK;
	ok = v_map(v, 1, 0, PAGE - 1, 0, RW) == FAULT && ok;
	ok = v_map(v, 1, 0, PAGE - 1, GUEST_GPA - PAGE, RW) == FAULT && ok;
	ok = v_map(v, 1, 0, 4 * PAGE - 1, GUEST_GPA + GUEST_SIZE - 2 * PAGE, RW) == FAULT && ok;
	tap(ok, "MAPs of GPAs outside the memory table -> FAULT");
	tap(v_map(v, 1, 0, ~0ull, 0, RW) != OK, "MAP [0, 2^64-1] is refused");
	tap(v_map(v, 1, 0, 2 * PAGE - 1, ~0ull - PAGE + 1, RW) == RANGE,
	    "MAP whose phys range wraps -> RANGE");
	tap(v_map(v, 1, 1ull << 38, (1ull << 39) - 1, GUEST_GPA, RW) == FAULT,
	    "MAP of 256 GiB starting in guest RAM -> FAULT");
	tap(v_unmap(v, 1, 0, ~0ull) == OK, "UNMAP [0, 2^64-1] -> OK");
	tap(pinned_pages(v) == 0 && vmlck_kb() == lck0,
	    "nothing pinned or locked by the refused MAPs (VmLck %ld kB)", vmlck_kb());
	v_detach(v, 1, g->ep);
}

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A random request, plausible enough to reach the handlers. */
static size_t random_req(struct rig *g, uint8_t *buf)
{
	static const uint32_t doms[] = { 1, 2, 3, 0, 1001, 0xffffffff };
	size_t len = 4 + rnd() % 80;
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = rnd();
	buf[0] = rnd() % 8;
	if (rnd() % 4) {
		/* Mostly-valid fields: domain, endpoint, small IOVAs, guest RAM. */
		uint32_t dom = doms[rnd() % 6];
		uint64_t iova = (rnd() % 64) * PAGE, size = (1 + rnd() % 4) * PAGE;
		uint64_t phys = DATA_GPA + (rnd() % 256) * PAGE;

		switch (buf[0]) {
		case VIRTIO_IOMMU_T_ATTACH:
			/* No ATTACH_F_BYPASS: each would pin all guest RAM. */
			mk_attach((void *)buf, dom, rnd() % 8 ? g->ep : (uint32_t)rnd(),
				  rnd() % 8 ? 0 : rnd() % 4 & ~1u);
			return RO_LEN(struct virtio_iommu_req_attach);
		case VIRTIO_IOMMU_T_MAP:
			mk_map((void *)buf, dom, iova, iova + size - 1,
			       rnd() % 8 ? phys : rnd(), rnd() % 8 ? RW : rnd() % 8);
			return RO_LEN(struct virtio_iommu_req_map);
		case VIRTIO_IOMMU_T_UNMAP:
			mk_unmap((void *)buf, dom, iova, iova + size * (rnd() % 3) - 1);
			return RO_LEN(struct virtio_iommu_req_unmap);
		default:
			break;
		}
	}
	return len;
}

static void t_random(struct rig *g, unsigned long count)
{
	static struct req r[VQ_NUM / 2];
	static uint8_t bodies[VQ_NUM / 2][96];
	struct vdev *v = &g->v;
	unsigned long sent = 0, lost = 0, answered = 0;
	struct vhost_iommu_stats st;
	double t0 = now_s();
	long lck0 = vmlck_kb();
	unsigned int i, n;

	while (sent < count) {
		n = count - sent < VQ_NUM / 2 ? count - sent : VQ_NUM / 2;
		for (i = 0; i < n; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			r[i].out = bodies[i];
			r[i].out_len = random_req(g, bodies[i]);
			r[i].in_len = rnd() % 8 ? 4 : rnd() % 600;
			/* Every 10th: a well-formed MAP or UNMAP of domain 1. */
			if (i % 10 == 0) {
				uint64_t iova = 0x10000000ull + (rnd() % 32) * PAGE;

				if (rnd() % 2)
					mk_map((void *)bodies[i], 1, iova, iova + PAGE - 1,
					       DATA_GPA + (rnd() % 512) * PAGE, RW);
				else
					mk_unmap((void *)bodies[i], 1, iova, iova + PAGE - 1);
				r[i].out_len = 36;
				r[i].in_len = 4;
			}
		}
		if (vq_run(v, r, n) != n) {
			lost += n;
			break;
		}
		for (i = 0; i < n; i++)
			answered += r[i].done;
		sent += n;
	}
	tap(!lost && answered == count, "%lu random requests, mixed with valid ones: all returned (%.1f s)",
	    count, now_s() - t0);
	/* Make sure the endpoint is in domain 1, then make everything go. */
	v_attach(v, 1, g->ep, 0);
	tap(v_map(v, 1, 0x20000000, 0x20000fff, DATA_GPA, RW) == OK,
	    "the device still answers a valid MAP");
	tap(ioctl(v->fd, VHOST_IOMMU_RESET) == 0 && vdev_stats(v, &st) == 0 &&
	    !st.mappings && !st.domains && !st.pinned_pages,
	    "after the random stream and a reset: no mapping, domain or pin left");
	tap(vmlck_kb() == lck0, "VmLck back to %ld kB", lck0);
}

/* Drop CAP_IPC_LOCK from the effective set, so RLIMIT_MEMLOCK applies. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d);
}

/*
 * In a child without CAP_IPC_LOCK and with RLIMIT_MEMLOCK of 1 MiB: a MAP
 * over the limit gets NOMEM, one under it works.  Exit status: bit per
 * failed check.
 */
static void t_memlock(const char *bdf, uint8_t *ram)
{
	struct rlimit lim = { 1 << 20, 1 << 20 };
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rig g;
		const char *step;
		int bad = 0;

		if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &lim))
			_exit(64);
		if (rig_open(&g, ram, bdf, &default_cfg, &step))
			_exit(65);
		if (v_attach(&g.v, 1, g.ep, 0) != OK)
			bad |= 1;
		if (v_map(&g.v, 1, 0, (2ull << 20) - 1, DATA_GPA, RW) != NOMEM)
			bad |= 2;
		if (v_map(&g.v, 1, 0, (512ull << 10) - 1, DATA_GPA, RW) != OK)
			bad |= 4;
		if (v_map(&g.v, 1, 1ull << 20, (1ull << 20) + (768ull << 10) - 1,
			  DATA_GPA, RW) != NOMEM)
			bad |= 8;
		if (pinned_pages(&g.v) != 128)
			bad |= 16;
		rig_close(&g);
		_exit(bad);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	tap(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "RLIMIT_MEMLOCK 1 MiB without CAP_IPC_LOCK: 2 MiB MAP -> NOMEM, 512 KiB -> OK, "
	    "+768 KiB -> NOMEM (child status %#x)", status);
}

/*
 * A VMM SIGKILLed in the middle of a stream of MAPs: every pin must be
 * given back (the device's debugfs directory goes), and the group must be
 * usable again at once.
 */
static void t_sigkill(const char *bdf, uint8_t *ram)
{
	int pipefd[2], status, before = vhost_debugfs_devices();
	const char *step = "";
	struct rig g;
	pid_t pid;
	char c = 0;
	int ret;

	if (pipe(pipefd))
		bail("pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		unsigned long i;

		close(pipefd[0]);
		if (rig_open(&g, ram, bdf, &default_cfg, &step) ||
		    v_attach(&g.v, 1, g.ep, 0) != OK)
			_exit(1);
		for (i = 0; i < 512; i++)
			v_map(&g.v, 1, 0x1000000 + i * PAGE, 0x1000000 + i * PAGE + PAGE - 1,
			      DATA_GPA + i * PAGE, RW);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(2);
		for (i = 512;; i++) {
			static struct req r[VQ_NUM / 2];
			static struct virtio_iommu_req_map m[VQ_NUM / 2];
			unsigned int k;

			for (k = 0; k < VQ_NUM / 2; k++) {
				uint64_t iova = 0x1000000 + ((i * 128 + k) % 8192) * PAGE;

				mk_map(&m[k], 1, iova, iova + PAGE - 1, DATA_GPA + k * PAGE, RW);
				r[k] = (struct req){ .out = &m[k], .out_len = RO_LEN(m[k]),
						     .in_len = 4 };
			}
			vq_run(&g.v, r, VQ_NUM / 2);
		}
	}
	close(pipefd[1]);
	ret = read(pipefd[0], &c, 1);
	close(pipefd[0]);
	usleep(300000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tap(ret == 1 && c == 'r' && WIFSIGNALED(status),
	    "a child VMM mapping in a loop was SIGKILLed mid-stream");
	/* The release may run a little after the exit. */
	for (ret = 0; ret < 50 && vhost_debugfs_devices() > before; ret++)
		usleep(100000);
	tap(vhost_debugfs_devices() == before, "the killed child's vhost-iommu device is gone (debugfs: %d before, %d after)",
	    before, vhost_debugfs_devices());
	ret = rig_open(&g, ram, bdf, &default_cfg, &step);
	tap(!ret, "the group is usable again at once (%s: %s)", ret ? step : "ok",
	    ret ? strerror(-ret) : "");
	if (!ret) {
		uint8_t *a = hva(&g.v, GPA_A), *b = hva(&g.v, GPA_B);
		bool ok = v_attach(&g.v, 1, g.ep, 0) == OK &&
			  v_map(&g.v, 1, IOVA_A, IOVA_A + PAGE - 1, GPA_A, RW) == OK &&
			  v_map(&g.v, 1, IOVA_B, IOVA_B + PAGE - 1, GPA_B, RW) == OK;

		fill_pattern(a, PAGE, 3);
		memset(b, 0, PAGE);
		ok = ok && dma_copy(&g, IOVA_A, IOVA_B);
		tap(ok && !memcmp(a, b, DMA_LEN), "and DMA through a new device works");
	}
	rig_close(&g);
}

#endif /* VHOST_T_HOSTILE_H */
