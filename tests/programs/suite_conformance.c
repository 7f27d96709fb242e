// SPDX-License-Identifier: GPL-2.0
/*
 * suite conformance: the rules of docs/spec-rules.md, through the real
 * module (vrings, the kick handler, the device model and the host IOMMU).
 * It asserts the spec's seven UNMAP examples, the framing rules (unknown
 * types and short buffers get used_len 0, the tail's place), the status of
 * every malformed ATTACH/DETACH/MAP/UNMAP, the PROBE properties (one MSI
 * region, zero fill, short buffer), and the domains' lifetimes (move,
 * destroy, reuse, reset, bypass domains).  A fixture for each way of
 * holding guest pages (rig_modes).  And the container tells the VMM what
 * VFIO type1 tells it of the same group: page sizes, usable IOVA ranges,
 * cache coherency.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <linux/vfio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "suites.h"

/* The spec's UNMAP examples, in pages, at IOVA 1 MiB of domain 1. */
#define EX_IOVA		0x100000ull
#define EX_M(v, a, b)	v_map(v, 1, EX_IOVA + (a) * PAGE, EX_IOVA + ((b) + 1) * PAGE - 1, \
			      DATA_GPA + (a) * PAGE, RW)
#define EX_U(v, a, b)	v_unmap(v, 1, EX_IOVA + (a) * PAGE, EX_IOVA + ((b) + 1) * PAGE - 1)

static void t_unmap_examples(struct tap *t, struct rig *g)
{
	struct vdev *v = &g->v;
	bool ok;

	tap_check(t, EX_U(v, 0, 4) == OK, "UNMAP ex.1: unmap(0,4) on an empty domain -> OK");

	ok = EX_M(v, 0, 9) == OK && EX_U(v, 0, 9) == OK && live_mappings(v) == 0;
	tap_check(t, ok, "UNMAP ex.2: map(0,9); unmap(0,9) -> OK, removed");

	ok = EX_M(v, 0, 4) == OK && EX_M(v, 5, 9) == OK && EX_U(v, 0, 9) == OK &&
	     live_mappings(v) == 0;
	tap_check(t, ok, "UNMAP ex.3: map(0,4); map(5,9); unmap(0,9) -> OK, both removed");

	ok = EX_M(v, 0, 9) == OK;
	ok = EX_U(v, 0, 4) == RANGE && ok;
	ok = ok && live_mappings(v) == 1 && EX_M(v, 0, 9) == INVAL;
	tap_check(t, ok, "UNMAP ex.4: map(0,9); unmap(0,4) -> RANGE, nothing removed");
	EX_U(v, 0, 9);

	ok = EX_M(v, 0, 4) == OK && EX_M(v, 5, 9) == OK && EX_U(v, 0, 4) == OK &&
	     live_mappings(v) == 1 && EX_M(v, 5, 9) == INVAL && EX_M(v, 0, 4) == OK;
	tap_check(t, ok,
		  "UNMAP ex.5: map(0,4); map(5,9); unmap(0,4) -> OK, only the first removed");
	EX_U(v, 0, 9);

	ok = EX_M(v, 0, 4) == OK && EX_U(v, 0, 9) == OK && live_mappings(v) == 0;
	tap_check(t, ok, "UNMAP ex.6: map(0,4); unmap(0,9) -> OK");

	ok = EX_M(v, 0, 4) == OK && EX_M(v, 10, 14) == OK && EX_U(v, 0, 14) == OK &&
	     live_mappings(v) == 0;
	tap_check(t, ok, "UNMAP ex.7: map(0,4); map(10,14); unmap(0,14) -> OK, both removed");
	tap_check(t, pinned_pages(v) == 0, "no page stays pinned after the UNMAP examples");
}

static void t_framing(struct tap *t, struct rig *g)
{
	struct vdev *v = &g->v;
	struct virtio_iommu_req_map m;
	uint8_t raw[64] = { 0 };
	unsigned int types[] = { 0, 6, 0x7f, 0xff }, i;
	bool ok = true;
	struct req r;

	for (i = 0; i < 4; i++) {
		raw[0] = types[i];
		ok = send_req(v, raw, 40) == S_DROPPED && ok;
	}
	tap_check(t, ok, "unknown request types 0, 6, 0x7f, 0xff: used_len 0");

	mk_map(&m, 1, 0, PAGE - 1, DATA_GPA, RW);
	tap_check(t, send_req(v, &m, 2) == S_DROPPED,
		  "readable part shorter than a head: used_len 0");
	memset(&r, 0, sizeof(r));
	r.out = &m;
	r.out_len = RO_LEN(m);
	r.in_len = 3;
	vq_run(v, &r, 1);
	tap_check(t, r.done && r.used == 0 && r.in[0] == 0xee,
		  "writable part shorter than a tail: used_len 0, nothing written");
	tap_check(t, send_req(v, &m, RO_LEN(m) - 4) == INVAL && live_mappings(v) == 0,
		  "MAP with a truncated body -> INVAL");
	/* A bigger writable part gets the tail at its start, used_len 4. */
	memset(&r, 0, sizeof(r));
	r.out = &m;
	r.out_len = RO_LEN(m);
	r.in_len = 64;
	mk_map(&m, 77, 0, PAGE - 1, DATA_GPA, RW);
	vq_run(v, &r, 1);
	tap_check(t, r.done && r.used == 4 && r.in[0] == NOENT && !r.in[1] && !r.in[2] && !r.in[3],
		  "tail at the start of a larger writable part, reserved bytes zeroed (status %u, used %u)",
		  r.in[0], r.used);
}

static void t_statuses(struct tap *t, struct rig *g)
{
	struct vdev *v = &g->v;
	struct virtio_iommu_req_attach a;
	struct virtio_iommu_req_unmap u;

	tap_check(t, v_attach(v, 1, g->ep + 1, 0) == NOENT,
		  "ATTACH of an unknown endpoint -> NOENT");
	tap_check(t, v_detach(v, 1, g->ep + 1) == NOENT, "DETACH of an unknown endpoint -> NOENT");
	tap_check(t, v_map(v, 5, 0, PAGE - 1, DATA_GPA, RW) == NOENT,
		  "MAP on an unknown domain -> NOENT");
	tap_check(t, v_unmap(v, 5, 0, PAGE - 1) == NOENT, "UNMAP on an unknown domain -> NOENT");

	mk_attach(&a, 1, g->ep, 0);
	a.reserved[2] = 1;
	tap_check(t, send_req(v, &a, RO_LEN(a)) == INVAL, "ATTACH with reserved != 0 -> INVAL");
	tap_check(t, v_attach(v, 1, g->ep, 1u << 5) == INVAL,
		  "ATTACH with an unknown flag -> INVAL");
	tap_check(t, v_attach(v, 1001, g->ep, 0) == RANGE, "ATTACH outside domain_range -> RANGE");
	tap_check(t, v_attach(v, 1, g->ep, 0) == OK, "ATTACH endpoint %#x to domain 1 -> OK",
		  g->ep);
	tap_check(t, v_attach(v, 1, g->ep, VIRTIO_IOMMU_ATTACH_F_BYPASS) == INVAL,
		  "ATTACH with a bypass flag inconsistent with the domain -> INVAL");
	tap_check(t, v_detach(v, 2, g->ep) == INVAL,
		  "DETACH from a domain the endpoint is not in -> INVAL");

	tap_check(t, v_map(v, 1, 0, PAGE - 1, DATA_GPA, 1u << 7) == INVAL,
		  "MAP with an unknown flag -> INVAL");
	tap_check(t, v_map(v, 1, 0, PAGE - 1, DATA_GPA, VIRTIO_IOMMU_MAP_F_MMIO) == INVAL,
		  "MAP with F_MMIO, not negotiated -> INVAL");
	tap_check(t, v_map(v, 1, PAGE, PAGE - 1, DATA_GPA, RW) == INVAL,
		  "MAP with virt_end < virt_start -> INVAL");
	tap_check(t, v_map(v, 1, 0x800, 0x17ff, DATA_GPA, RW) == RANGE,
		  "MAP with unaligned virt_start -> RANGE");
	tap_check(t, v_map(v, 1, 0, PAGE - 1, DATA_GPA + 0x800, RW) == RANGE,
		  "MAP with unaligned phys -> RANGE");
	tap_check(t, v_map(v, 1, 0, 0x17ff, DATA_GPA, RW) == RANGE,
		  "MAP with unaligned virt_end+1 -> RANGE");
	tap_check(t, v_map(v, 1, 1ull << 39, (1ull << 39) + PAGE - 1, DATA_GPA, RW) == RANGE,
		  "MAP beyond input_range -> RANGE");
	tap_check(t, v_map(v, 1, 0, PAGE - 1, GUEST_GPA + GUEST_SIZE, RW) == FAULT,
		  "MAP of a phys outside guest RAM -> FAULT");
	tap_check(t, v_map(v, 1, 0, 2 * PAGE - 1, GUEST_GPA + GUEST_SIZE - PAGE, RW) == FAULT,
		  "MAP of a phys range straddling the end of guest RAM -> FAULT");
	tap_check(t, v_map(v, 1, 0xfee00000, 0xfee00fff, DATA_GPA, RW) != OK,
		  "MAP over the MSI reserved region is refused");
	tap_check(t, v_map(v, 1, 0, 2 * PAGE - 1, DATA_GPA, RW) == OK, "MAP [0, 8K) -> OK");
	tap_check(t, v_map(v, 1, PAGE, 2 * PAGE - 1, DATA_GPA, RW) == INVAL,
		  "overlapping MAP -> INVAL");
	mk_unmap(&u, 1, 0, 2 * PAGE - 1);
	u.reserved[0] = 1;
	tap_check(t, send_req(v, &u, RO_LEN(u)) == INVAL && live_mappings(v) == 1,
		  "UNMAP with reserved != 0 -> INVAL, nothing removed");
	tap_check(t, v_unmap(v, 1, 0, 2 * PAGE - 1) == OK && live_mappings(v) == 0,
		  "UNMAP [0, 8K) -> OK");
	tap_check(t,
		  v_map(v, 1, 0, PAGE - 1, DATA_GPA, 0) == OK && v_unmap(v, 1, 0, PAGE - 1) == OK,
		  "MAP without access rights is accepted and UNMAPped");
}

static void t_probe(struct tap *t, struct rig *g)
{
	struct vdev *v = &g->v;
	struct virtio_iommu_probe_resv_mem p;
	struct req r;
	unsigned int off, nprops = 0, msi = 0;
	bool ok = true, zero = true;

	ok = v_probe(v, g->ep, 512 + 4, &r) == OK;
	tap_check(t, ok && r.used == 516, "PROBE -> OK, used_len = probe_size + 4 (%u)", r.used);
	for (off = 0; off + 4 <= 512; off += sizeof(p)) {
		memcpy(&p, r.in + off, 4);
		if (!p.head.type) {
			for (; off < 512; off++)
				zero = zero && !r.in[off];
			break;
		}
		nprops++;
		if (off + sizeof(p) > 512 ||
		    le16toh(p.head.type) != VIRTIO_IOMMU_PROBE_T_RESV_MEM ||
		    le16toh(p.head.length) != 20) {
			ok = false;
			break;
		}
		memcpy(&p, r.in + off, sizeof(p));
		tap_diag("RESV_MEM subtype %u [%#llx, %#llx]", p.subtype,
			 (unsigned long long)le64toh(p.start), (unsigned long long)le64toh(p.end));
		if (p.subtype == VIRTIO_IOMMU_RESV_MEM_T_MSI) {
			msi++;
			ok = ok && le64toh(p.start) == 0xfee00000 && le64toh(p.end) == 0xfeefffff;
		}
	}
	tap_check(t, ok && msi == 1,
		  "PROBE reports exactly one MSI region, 0xfee00000-0xfeefffff (%u properties)",
		  nprops);
	tap_check(t, zero, "PROBE zero-fills after the last property");
	tap_check(t, v_probe(v, g->ep, 64, &r) == INVAL && r.used == 64 && !r.in[0] && !r.in[4],
		  "PROBE with a buffer smaller than probe_size -> INVAL, tail at its end, no property");
	tap_check(t, v_probe(v, g->ep + 1, 516, &r) == NOENT,
		  "PROBE of an unknown endpoint -> NOENT");
}

static void t_domains(struct tap *t, struct rig *g)
{
	struct vdev *v = &g->v;
	bool ok;

	/* The endpoint is in domain 1 (t_statuses). */
	ok = v_map(v, 1, 0, PAGE - 1, DATA_GPA, RW) == OK && live_domains(v) == 1;
	ok = ok && v_attach(v, 2, g->ep, 0) == OK;
	tap_check(t, ok && live_domains(v) == 1 && live_mappings(v) == 0,
		  "ATTACH to domain 2 moves the endpoint; domain 1 dies with its mapping");
	tap_check(t, v_map(v, 1, 0, PAGE - 1, DATA_GPA, RW) == NOENT,
		  "the dead domain 1 is unknown (NOENT)");
	tap_check(t, v_detach(v, 1, g->ep) == INVAL, "DETACH from the old domain -> INVAL");
	ok = v_map(v, 2, 0, PAGE - 1, DATA_GPA, RW) == OK && v_detach(v, 2, g->ep) == OK;
	tap_check(t, ok && live_domains(v) == 0 && live_mappings(v) == 0 && pinned_pages(v) == 0,
		  "DETACH of the last endpoint destroys the domain, its mappings and pins");
	ok = v_attach(v, 2, g->ep, 0) == OK && v_map(v, 2, 0, PAGE - 1, DATA_GPA, RW) == OK;
	tap_check(t, ok, "domain ID 2 is reusable, empty");
	tap_check(t,
		  ioctl(v->fd, VHOST_IOMMU_RESET) == 0 && live_domains(v) == 0 && pinned_pages(v) == 0,
		  "VHOST_IOMMU_RESET: no endpoint attached, no domain, nothing pinned");
	tap_check(t, v_detach(v, 2, g->ep) == INVAL, "after the reset the endpoint is unattached");

	ok = v_attach(v, 3, g->ep, VIRTIO_IOMMU_ATTACH_F_BYPASS) == OK;
	tap_check(t, ok && v_map(v, 3, 0, PAGE - 1, DATA_GPA, RW) == INVAL &&
		  v_unmap(v, 3, 0, PAGE - 1) == INVAL,
		  "MAP and UNMAP on a bypass domain -> INVAL");
	tap_check(t, v_detach(v, 3, g->ep) == OK && live_domains(v) == 0,
		  "bypass domain dies with its endpoint");
}

/* GET_INFO and VFIO_DMA_CC_IOMMU of @f's container: 0 or -errno. */
static int container_info(const struct vfio *f, struct vfio_info *info, int *cc)
{
	*cc = ioctl(f->container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU);
	return *cc < 0 ? -errno : vfio_get_info(f, info);
}

static bool info_equal(const struct vfio_info *a, const struct vfio_info *b)
{
	unsigned int i;

	if (a->pgsizes != b->pgsizes || a->nr_ranges != b->nr_ranges)
		return false;
	for (i = 0; i < a->nr_ranges; i++)
		if (a->ranges[i].start != b->ranges[i].start ||
		    a->ranges[i].end != b->ranges[i].end)
			return false;
	return true;
}

static void info_diag(const char *who, const struct vfio_info *info, int cc)
{
	unsigned int i;

	tap_diag("%s: page sizes %#llx, cache coherent %d, %u IOVA ranges", who,
		 (unsigned long long)info->pgsizes, cc, info->nr_ranges);
	for (i = 0; i < info->nr_ranges; i++)
		tap_diag("  [%#llx, %#llx]", (unsigned long long)info->ranges[i].start,
			 (unsigned long long)info->ranges[i].end);
}

/*
 * VFIO_IOMMU_GET_INFO and VFIO_CHECK_EXTENSION(VFIO_DMA_CC_IOMMU) on our
 * container answer what they answer on a type1 container of the same
 * group: the VMM takes the guest's input range and page sizes from them,
 * and KVM its view of coherency (on 6.1; 6.12 asks the device).
 */
static void t_get_info(struct tap *t, const struct suite_env *e)
{
	struct vfio_info type1, ours;
	int cc1 = -1, cc = -1, ret;
	struct vfio f;
	struct rig g;

	ret = vfio_open_type(&f, e->bdf, VFIO_TYPE1v2_IOMMU);
	ret = ret ? ret : container_info(&f, &type1, &cc1);
	vfio_close(&f);
	if (!tap_check(t, !ret, "GET_INFO of a type1 container of the edu's group (%s)",
		       strerror(-ret)))
		return;
	rig_open_or_bail(t, &g, e->ram, e->bdf, NULL);
	ret = container_info(&g.f, &ours, &cc);
	rig_close(&g);
	info_diag("type1", &type1, cc1);
	if (!ret)
		info_diag("vfio-pviommu", &ours, cc);
	tap_check(t, !ret && info_equal(&ours, &type1),
		  "GET_INFO: the same page sizes and IOVA ranges as type1 for the same group");
	tap_check(t, !ret && cc == cc1,
		  "VFIO_DMA_CC_IOMMU: %d, as type1 answers (%d)", cc, cc1);
}

void suite_conformance(const struct suite_env *e)
{
	struct tap *t = e->t;
	unsigned int i;
	struct rig g;

	for (i = 0; i < RIG_NR_MODES; i++) {
		rig_open_or_bail(t, &g, e->ram, e->bdf, &rig_modes[i]);
		tap_diag("suite: conformance, %s", rig_mode_name(&rig_modes[i]));
		tap_check(t, v_attach(&g.v, 1, g.ep, 0) == OK, "ATTACH endpoint to domain 1");
		t_unmap_examples(t, &g);
		tap_check(t, v_detach(&g.v, 1, g.ep) == OK, "DETACH endpoint from domain 1");
		t_framing(t, &g);
		t_statuses(t, &g);
		t_probe(t, &g);
		t_domains(t, &g);
		rig_close(&g);
	}
	t_get_info(t, e);
}

