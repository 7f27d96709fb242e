// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of proto/: the mapping table, the ID map and every
 * device-side MUST and SHOULD of docs/spec-rules.md, one named test each.
 */
#include <stdlib.h>

#include "../common/rbtree_check.h"
#include "../common/pool_backend.h"
#include "../common/tap.h"
#include "../common/unmap_examples.h"

#define OK	VIRTIO_IOMMU_S_OK
#define INVAL	VIRTIO_IOMMU_S_INVAL
#define RANGE	VIRTIO_IOMMU_S_RANGE
#define NOENT	VIRTIO_IOMMU_S_NOENT
#define UNSUPP	VIRTIO_IOMMU_S_UNSUPP
#define NOMEM	VIRTIO_IOMMU_S_NOMEM
#define DEVERR	VIRTIO_IOMMU_S_DEVERR
#define DROPPED	0xff	/* used_len 0 */
#define R	VIRTIO_IOMMU_MAP_F_READ
#define W	VIRTIO_IOMMU_MAP_F_WRITE
#define RW	(R | W)
#define FEAT(x)	(1ULL << VIRTIO_IOMMU_F_##x)
#define PAGE	0x1000ULL

static struct tap t;
static struct pool_backend pool;

static struct viommu_model_domain *domain_of(u32 id)
{
	return viommu_model_find_domain(&pool.dev, id);
}

/* --- the mapping table and the ID map, on the kernel's rbtree ---------- */

#define SLOTS 512

static void test_mappings_random(void)
{
	static struct viommu_model_mapping nodes[SLOTS];
	static bool present[SLOTS];
	struct viommu_model_mappings table = VIOMMU_MODEL_MAPPINGS_INIT;
	unsigned long ops, count = 0, counted;
	bool ok = true, query_ok = true;

	srand(1);
	/* Slot i may hold [i*16 + a, i*16 + b]; overlapping tries use two slots. */
	for (ops = 0; ops < 200000 && ok; ops++) {
		unsigned int i = rand() % SLOTS;

		if (present[i]) {
			viommu_model_mappings_remove(&table, &nodes[i]);
			present[i] = false;
			count--;
		} else {
			u64 a = rand() % 8, b = a + rand() % 8;

			nodes[i].iova.start = i * 16 + a;
			nodes[i].iova.last = i * 16 + b;
			if (viommu_model_mappings_check_map(&table, nodes[i].iova.start,
							    nodes[i].iova.last) != OK)
				ok = false;
			viommu_model_mappings_insert(&table, &nodes[i]);
			present[i] = true;
			count++;
		}
		if (ops % 997 == 0) {
			unsigned int j = rand() % SLOTS;
			u64 q = j * 16 + rand() % 16;
			struct viommu_model_mapping *hit =
				viommu_model_mappings_find(&table, q);
			bool expect = present[j] && nodes[j].iova.start <= q &&
				      q <= nodes[j].iova.last;

			if (expect != (hit == &nodes[j]) ||
			    (!expect && hit))
				query_ok = false;
			if (!mappings_valid(&table, &counted) || counted != count)
				ok = false;
		}
	}
	tap_ok(&t, ok && mappings_valid(&table, &counted),
	       "mappings: 200k random inserts/removes keep the interval tree ordered, augmented and red-black");
	tap_ok(&t, query_ok, "mappings: point queries agree with a naive model");
}

static void test_mappings_overlap_refused(void)
{
	struct viommu_model_mappings table = VIOMMU_MODEL_MAPPINGS_INIT;
	struct viommu_model_mapping a = { .iova = { 10, 20 } };
	struct viommu_model_mapping c = { .iova = { 0, 9 } };
	unsigned long count;
	bool fits;

	viommu_model_mappings_insert(&table, &a);
	tap_ok(&t, viommu_model_mappings_check_map(&table, 20, 30) == INVAL &&
	       mappings_valid(&table, &count) && count == 1,
	       "mappings: an overlapping MAP is refused and changes nothing");
	fits = viommu_model_mappings_check_map(&table, 0, 9) == OK;
	viommu_model_mappings_insert(&table, &c);
	tap_ok(&t, fits &&
	       viommu_model_mappings_check_map(&table, 0, U64_MAX) == INVAL,
	       "mappings: adjacent ranges fit; [0, 2^64-1] overlaps everything");
}

static void test_mappings_height_is_logarithmic(void)
{
	static struct viommu_model_mapping nodes[1 << 16];
	struct viommu_model_mappings table = VIOMMU_MODEL_MAPPINGS_INIT;
	unsigned long count;
	unsigned int i;

	for (i = 0; i < 1 << 16; i++) {
		nodes[i].iova.start = (u64)i * PAGE;
		nodes[i].iova.last = (u64)i * PAGE + PAGE - 1;
		viommu_model_mappings_insert(&table, &nodes[i]);
	}
	/* A red-black tree of n nodes is at most 2 log2(n + 1) high. */
	tap_ok(&t, rbtree_height(table.tree.rb_root.rb_node) <= 32 &&
	       mappings_valid(&table, &count) && count == 1u << 16,
	       "mappings: 65536 sequential inserts give height <= 2 log2(n + 1)");
}

/* The guest picks domain IDs: any u32, however sparse. */
static void test_idmap_sparse_ids(void)
{
	static const u32 ids[] = { U32_MAX, 1, 1u << 31, 0, 77 };
	struct viommu_model_id nodes[5];
	struct viommu_model_idmap map = VIOMMU_MODEL_IDMAP_INIT;
	bool found = true;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		nodes[i].id = ids[i];
		viommu_model_idmap_insert(&map, &nodes[i]);
	}
	for (i = 0; i < 5; i++)
		found = found && viommu_model_idmap_find(&map, ids[i]) == &nodes[i];
	tap_ok(&t, found && idmap_valid(&map) && map.count == 5 &&
	       !viommu_model_idmap_find(&map, 2) &&
	       viommu_model_idmap_first(&map) == &nodes[3],
	       "idmap: sparse IDs 0..U32_MAX are found, ordered and counted");
	viommu_model_idmap_remove(&map, &nodes[3]);
	viommu_model_idmap_remove(&map, &nodes[0]);
	tap_ok(&t, !viommu_model_idmap_find(&map, 0) &&
	       !viommu_model_idmap_find(&map, U32_MAX) &&
	       viommu_model_idmap_first(&map) == &nodes[1] &&
	       idmap_valid(&map) && map.count == 3,
	       "idmap: removed IDs are gone, the others stay");
}

/* --- framing ---------------------------------------------------------- */

static void test_framing(void)
{
	struct virtio_iommu_req_attach att = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = cpu_to_le32(1), .endpoint = cpu_to_le32(1),
	};
	u8 resp[68];
	size_t used;

	pool_init(&pool, 0);
	memset(resp, 0xaa, sizeof(resp));
	tap_ok(&t, viommu_model_handle(&pool.dev, &att, 2, 4, resp) == 0 &&
	       resp[0] == 0xaa,
	       "framing: readable part shorter than the head -> used_len 0, unwritten");
	tap_ok(&t, viommu_model_handle(&pool.dev, &att, 20, 3, resp) == 0 &&
	       resp[0] == 0xaa && !domain_of(1),
	       "framing: no room for the tail -> used_len 0, nothing done");
	att.head.type = 0x42;
	tap_ok(&t, viommu_model_handle(&pool.dev, &att, 20, 4, resp) == 0 &&
	       resp[0] == 0xaa,
	       "framing: unknown type -> used_len 0, buffer unwritten");
	att.head.type = 0;
	tap_ok(&t, pool_req(&pool, &att, 20, NULL) == DROPPED,
	       "framing: type 0 is unknown -> used_len 0");
	att.head.type = VIRTIO_IOMMU_T_ATTACH;
	tap_ok(&t, pool_req(&pool, &att, 19, &used) == INVAL && used == 4 &&
	       !domain_of(1),
	       "framing: a body shorter than its type's -> INVAL, nothing done");
	att.head.reserved[0] = 0xff;
	att.head.reserved[2] = 0x01;
	tap_ok(&t, pool_req(&pool, &att, 20, &used) == OK && used == 4,
	       "framing: the device MUST ignore head.reserved");
	memset(resp, 0xaa, sizeof(resp));
	att.domain = cpu_to_le32(2);
	tap_ok(&t, viommu_model_handle(&pool.dev, &att, 20, 4, resp) == 4 &&
	       resp[0] == OK && resp[1] == 0 && resp[2] == 0 && resp[3] == 0,
	       "framing: the device SHOULD zero tail.reserved");
	tap_ok(&t, pool.dev.stats.requests[0] == 4 &&
	       pool.dev.stats.requests[VIRTIO_IOMMU_T_ATTACH] == 3 &&
	       pool.dev.stats.status[INVAL] == 1,
	       "framing: per-type and per-status counters add up");
}

/* --- config and bypass ------------------------------------------------ */

static void test_config(void)
{
	struct viommu_model_config c = {
		.page_size_mask = 0x1000, .input_end = ~0ULL,
		.domain_end = ~0U, .probe_size = 512,
	};
	struct viommu_model_config bad = c;

	tap_ok(&t, viommu_model_config_valid(&c), "config: a sane config is accepted");
	bad.page_size_mask = 0;
	tap_ok(&t, !viommu_model_config_valid(&bad),
	       "config: page_size_mask MUST have at least one bit set");
	bad = c;
	bad.bypass = 2;
	tap_ok(&t, !viommu_model_config_valid(&bad), "config: bypass MUST be 0 or 1");
	bad = c;
	bad.input_start = 10;
	bad.input_end = 9;
	tap_ok(&t, !viommu_model_config_valid(&bad), "config: an empty input range is refused");
	bad = c;
	bad.probe_size = VIOMMU_MODEL_PROBE_SIZE_MAX + 4;
	tap_ok(&t, !viommu_model_config_valid(&bad), "config: probe_size is bounded");
	bad = c;
	bad.page_size_mask = 1;
	tap_ok(&t, viommu_model_config_valid(&bad), "config: a one-byte granule is legal");
}

static void test_bypass(void)
{
	struct viommu_model_endpoint *ep = &pool.endpoints[1];

	/* BYPASS_CONFIG offered but not accepted by the driver. */
	pool_init(&pool, FEAT(MAP_UNMAP));
	tap_ok(&t, !viommu_model_endpoint_bypassed(&pool.dev, ep),
	       "bypass: an unattached endpoint does not bypass with config.bypass 0");
	pool.dev.config.bypass = 1;
	tap_ok(&t, viommu_model_endpoint_bypassed(&pool.dev, ep),
	       "bypass: config.bypass 1 applies even if the driver did not accept BYPASS_CONFIG");
	tap_ok(&t, !viommu_model_set_bypass(&pool.dev, 0) &&
	       pool.dev.config.bypass == 1,
	       "bypass: the driver may write bypass only when BYPASS_CONFIG was negotiated");
	tap_ok(&t, pool_attach(&pool, 1, 1, VIRTIO_IOMMU_ATTACH_F_BYPASS) == INVAL,
	       "bypass: ATTACH_F_BYPASS without BYPASS_CONFIG is an unknown flag -> INVAL");
	tap_ok(&t, pool_attach(&pool, 1, 1, 0) == OK &&
	       !viommu_model_endpoint_bypassed(&pool.dev, ep),
	       "bypass: an endpoint attached to a translated domain does not bypass");

	pool_init(&pool, 0);
	tap_ok(&t, !viommu_model_set_bypass(&pool.dev, 2) &&
	       viommu_model_set_bypass(&pool.dev, 1) &&
	       viommu_model_endpoint_bypassed(&pool.dev, ep),
	       "bypass: written value MUST be 0 or 1; 1 puts unattached endpoints in bypass");
	tap_ok(&t, pool_attach(&pool, 5, 1, VIRTIO_IOMMU_ATTACH_F_BYPASS) == OK &&
	       viommu_model_set_bypass(&pool.dev, 0) &&
	       viommu_model_endpoint_bypassed(&pool.dev, ep),
	       "bypass: an endpoint in an ATTACH_F_BYPASS domain bypasses");
	tap_ok(&t, pool_attach(&pool, 5, 2, 0) == INVAL,
	       "bypass: ATTACH with a bypass flag inconsistent with the domain -> INVAL");
	tap_ok(&t, pool_map(&pool, 5, 0, PAGE - 1, 0, RW) == INVAL &&
	       pool_unmap(&pool, 5, 0, PAGE - 1) == INVAL,
	       "bypass: MAP and UNMAP on a bypass domain -> INVAL");

	pool_init(&pool, FEAT(MAP_UNMAP) | FEAT(BYPASS));
	pool.dev.offered_features = FEAT(MAP_UNMAP) | FEAT(BYPASS);
	tap_ok(&t, viommu_model_endpoint_bypassed(&pool.dev, ep),
	       "bypass: legacy BYPASS negotiated puts unattached endpoints in bypass");
}

/* --- ATTACH ----------------------------------------------------------- */

static void test_attach(void)
{
	struct virtio_iommu_req_attach req = {
		.head.type = VIRTIO_IOMMU_T_ATTACH,
		.domain = cpu_to_le32(1), .endpoint = cpu_to_le32(1),
	};
	unsigned int i;
	bool all_refused = true;

	pool_init(&pool, 0);
	for (i = 0; i < sizeof(req.reserved); i++) {
		req.reserved[i] = 1;
		all_refused &= pool_req(&pool, &req, 20, NULL) == INVAL;
		req.reserved[i] = 0;
	}
	tap_ok(&t, all_refused && !domain_of(1),
	       "attach: MUST return INVAL when reserved is not zero");
	tap_ok(&t, pool_attach(&pool, 1, 1, 1u << 1) == INVAL &&
	       pool_attach(&pool, 1, 1, 1u << 31) == INVAL && !domain_of(1),
	       "attach: MUST return INVAL for an unknown flags bit");
	tap_ok(&t, pool_attach(&pool, 1, 99, 0) == NOENT && !domain_of(1),
	       "attach: MUST return NOENT for an unknown endpoint");
	tap_ok(&t, pool_attach(&pool, 0, 1, 0) == RANGE &&
	       pool_attach(&pool, 1001, 1, 0) == RANGE,
	       "attach: a domain outside domain_range -> RANGE");
	tap_ok(&t, pool_attach(&pool, 1, 1, 0) == OK && domain_of(1) &&
	       pool.endpoints[1].domain == domain_of(1) && pool.nr_attach == 1,
	       "attach: a missing domain is created and the endpoint MUST be attached");
	tap_ok(&t, pool_attach(&pool, 1, 2, 0) == OK &&
	       pool.endpoints[2].domain == domain_of(1),
	       "attach: a domain may be shared by two endpoints");
	tap_ok(&t, pool_attach(&pool, 1, 1, 0) == OK && pool.nr_attach == 2,
	       "attach: attaching again to the same domain is a no-op");

	/* Moving: behaves like DETACH followed by ATTACH. */
	pool_map(&pool, 1, 0, PAGE - 1, 0, RW);
	tap_ok(&t, pool_attach(&pool, 2, 1, 0) == OK &&
	       pool.endpoints[1].domain == domain_of(2) && pool.nr_detach == 1 &&
	       pool.last_domain == domain_of(2) && pool.last_ep == &pool.endpoints[1] &&
	       pool_mapped(&pool, 1, 0, PAGE - 1),
	       "attach: an endpoint attached elsewhere is moved (DETACH then ATTACH)");
	tap_ok(&t, pool_attach(&pool, 2, 2, 0) == OK && !domain_of(1) &&
	       pool_mappings_in_use(&pool) == 0 && pool.nr_unmap == 1,
	       "attach: moving the last endpoint away destroys the old domain and its mappings");

	pool.refuse_attach_domain = 3;
	tap_ok(&t, pool_attach(&pool, 3, 2, 0) == UNSUPP &&
	       pool.endpoints[2].domain == domain_of(2) && !domain_of(3),
	       "attach: a move the backend cannot do -> UNSUPP, endpoint stays where it was");
	pool.refuse_attach_domain = -1;

	pool.refuse_detach_domain = 2;
	tap_ok(&t, pool_attach(&pool, 3, 2, 0) == DEVERR &&
	       pool.endpoints[2].domain == domain_of(2) && !domain_of(3) &&
	       pool_domains_in_use(&pool) == 1,
	       "attach: a move whose detach the backend fails -> its status, endpoint stays where it was");
	pool.refuse_detach_domain = -1;

	/* Endpoint 2 alone in domain 4, which maps a page. */
	tap_ok(&t, pool_attach(&pool, 4, 2, 0) == OK && pool_map(&pool, 4, 0, PAGE - 1, 0, RW) == OK,
	       "attach: endpoint 2 moved to a domain of its own, with a mapping");
	pool.refuse_attaches = 2;
	tap_ok(&t, pool_attach(&pool, 3, 2, 0) == UNSUPP &&
	       !pool.endpoints[2].domain && !domain_of(4) && !domain_of(3) &&
	       !pool_mapped(&pool, 4, 0, PAGE - 1),
	       "attach: a move the backend can neither do nor undo -> UNSUPP, the endpoint left detached, "
	       "its old domain destroyed as by a DETACH");
	pool.refuse_attaches = 0;
	tap_ok(&t, pool_attach(&pool, 2, 2, 0) == OK && pool.endpoints[2].domain == domain_of(2),
	       "attach: and the endpoint can be attached again");

	/* Endpoint 3 reserves 0x1000000-0x1ffffff. */
	pool_map(&pool, 2, 0x1000000, 0x1000fff, 0, RW);
	tap_ok(&t, pool_attach(&pool, 2, 3, 0) == UNSUPP &&
	       !pool.endpoints[3].domain,
	       "attach: PROBE properties incompatible with the domain -> UNSUPP");

	pool_init(&pool, 0);
	pool.dev.max_domains = 1;
	tap_ok(&t, pool_attach(&pool, 1, 1, 0) == OK &&
	       pool_attach(&pool, 2, 2, 0) == NOMEM && !domain_of(2),
	       "attach: more domains than the limit -> NOMEM");
}

/* --- DETACH ----------------------------------------------------------- */

static void test_detach(void)
{
	struct virtio_iommu_req_detach req = {
		.head.type = VIRTIO_IOMMU_T_DETACH,
		.domain = cpu_to_le32(1), .endpoint = cpu_to_le32(1),
		.reserved = { 1, 2, 3, 4, 5, 6, 7, 8 },
	};

	pool_init(&pool, 0);
	pool_attach(&pool, 1, 1, 0);
	pool_attach(&pool, 1, 2, 0);
	tap_ok(&t, pool_detach(&pool, 1, 99) == NOENT,
	       "detach: MUST return NOENT for an unknown endpoint");
	tap_ok(&t, pool_detach(&pool, 7, 1) == INVAL &&
	       pool.endpoints[1].domain == domain_of(1),
	       "detach: an endpoint not in that domain -> INVAL");
	tap_ok(&t, pool_detach(&pool, 1, 3) == INVAL,
	       "detach: an unattached endpoint -> INVAL");
	tap_ok(&t, pool_req(&pool, &req, 20, NULL) == OK &&
	       !pool.endpoints[1].domain && domain_of(1),
	       "detach: the device MUST ignore reserved");
	pool_map(&pool, 1, 0, PAGE - 1, 0, RW);
	pool.refuse_detach_domain = 1;
	tap_ok(&t, pool_detach(&pool, 1, 2) == DEVERR &&
	       pool.endpoints[2].domain == domain_of(1) &&
	       pool_mapped(&pool, 1, 0, PAGE - 1) && pool.nr_unmap == 0,
	       "detach: a detach the backend fails -> its status, endpoint and domain stay");
	pool.refuse_detach_domain = -1;
	tap_ok(&t, pool_detach(&pool, 1, 2) == OK && !domain_of(1) &&
	       pool_mappings_in_use(&pool) == 0 && pool_domains_in_use(&pool) == 0,
	       "detach: the domain dies with its last endpoint, and its mappings with it");
	tap_ok(&t, pool_map(&pool, 1, 0, PAGE - 1, 0, RW) == NOENT,
	       "detach: after completion the endpoint cannot reach the domain's mappings");
	tap_ok(&t, pool_attach(&pool, 1, 1, 0) == OK &&
	       !pool_mapped(&pool, 1, 0, PAGE - 1),
	       "detach: a dead domain's ID may be reused, empty");
}

/* --- MAP -------------------------------------------------------------- */

static void test_map(void)
{
	pool_init(&pool, 0);
	pool_attach(&pool, 1, 1, 0);
	tap_ok(&t, pool_map(&pool, 1, 0, PAGE - 1, 0x5000, RW) == OK &&
	       pool_mapped(&pool, 1, 0, PAGE - 1) && pool.nr_map == 1 &&
	       pool.last_mapping->phys == 0x5000 && pool.last_mapping->flags == RW,
	       "map: maps [virt_start; virt_end] to phys_start");
	tap_ok(&t, pool_map(&pool, 1, 0, 2 * PAGE - 1, 0x9000, RW) == INVAL &&
	       pool_map(&pool, 1, PAGE - PAGE, PAGE - 1, 0, R) == INVAL &&
	       pool.nr_map == 1,
	       "map: an overlap with an existing mapping -> INVAL");
	tap_ok(&t, pool_map(&pool, 1, PAGE, 2 * PAGE - 1, 0, 1u << 3) == INVAL &&
	       pool_map(&pool, 1, PAGE, 2 * PAGE - 1, 0, 1u << 31) == INVAL,
	       "map: MUST return INVAL for an unknown flag");
	tap_ok(&t, pool_map(&pool, 1, 8 * PAGE, 8 * PAGE, 0, RW) == RANGE &&
	       pool_map(&pool, 1, 8 * PAGE + 1, 9 * PAGE - 1, 0, RW) == RANGE &&
	       pool_map(&pool, 1, 8 * PAGE, 9 * PAGE - 1, 0x10, RW) == RANGE,
	       "map: virt_start, phys_start or virt_end+1 unaligned -> RANGE");
	tap_ok(&t, pool_map(&pool, 1, 9 * PAGE, 8 * PAGE, 0, RW) == INVAL,
	       "map: virt_end before virt_start -> INVAL");
	tap_ok(&t, pool_map(&pool, 1, 1ULL << 48, (1ULL << 48) + PAGE - 1, 0, RW) == RANGE &&
	       pool_map(&pool, 1, 0, U64_MAX, 0, RW) == RANGE,
	       "map: outside input_range -> RANGE");
	tap_ok(&t, pool_map(&pool, 1, 4 * PAGE, 6 * PAGE - 1, U64_MAX - PAGE + 1, RW) == RANGE,
	       "map: phys_start + size wrapping around -> RANGE");
	tap_ok(&t, pool_map(&pool, 9, 4 * PAGE, 5 * PAGE - 1, 0, RW) == NOENT,
	       "map: no such domain -> NOENT");
	tap_ok(&t, pool_map(&pool, 1, 4 * PAGE, 5 * PAGE - 1, 0, R | VIRTIO_IOMMU_MAP_F_MMIO) == OK,
	       "map: F_MMIO is known when MMIO is negotiated");
	pool.dev.features &= ~FEAT(MMIO);
	tap_ok(&t, pool_map(&pool, 1, 5 * PAGE, 6 * PAGE - 1, 0, R | VIRTIO_IOMMU_MAP_F_MMIO) == INVAL,
	       "map: F_MMIO without the MMIO feature is an unknown flag -> INVAL");
	pool_map(&pool, 1, 6 * PAGE, 7 * PAGE - 1, 0x7000, W);
	tap_ok(&t, viommu_model_mappings_find(&domain_of(1)->mappings, 6 * PAGE)->flags == W,
	       "map: the flags reach the backend as sent (no write without F_WRITE)");

	pool.map_status = VIRTIO_IOMMU_S_FAULT;
	tap_ok(&t, pool_map(&pool, 1, 20 * PAGE, 21 * PAGE - 1, 0, RW) == VIRTIO_IOMMU_S_FAULT &&
	       !pool_mapped(&pool, 1, 20 * PAGE, 21 * PAGE - 1) &&
	       pool_mappings_in_use(&pool) == 3,
	       "map: a backend failure is returned and leaves no mapping behind");

	/* Endpoint 3 reserves the MSI window and 0x1000000-0x1ffffff. */
	pool_attach(&pool, 2, 3, 0);
	tap_ok(&t, pool_map(&pool, 2, 0xfee00000, 0xfee00fff, 0, RW) != OK &&
	       pool_map(&pool, 2, 0x1fff000, 0x2000fff, 0, RW) != OK,
	       "map: a MAP overlapping a RESV_MEM region is rejected");

	pool_init(&pool, 0);
	pool.dev.max_mappings = 2;
	pool_attach(&pool, 1, 1, 0);
	tap_ok(&t, pool_map(&pool, 1, 0, PAGE - 1, 0, RW) == OK &&
	       pool_map(&pool, 1, PAGE, 2 * PAGE - 1, 0, RW) == OK &&
	       pool_map(&pool, 1, 2 * PAGE, 3 * PAGE - 1, 0, RW) == NOMEM,
	       "map: more mappings than the limit -> NOMEM");

	pool_init(&pool, FEAT(PROBE));
	pool_attach(&pool, 1, 1, 0);
	tap_ok(&t, pool_map(&pool, 1, 0, PAGE - 1, 0, RW) == UNSUPP &&
	       pool_unmap(&pool, 1, 0, PAGE - 1) == UNSUPP,
	       "map: MAP/UNMAP without MAP_UNMAP negotiated -> UNSUPP");
}

/* --- UNMAP ------------------------------------------------------------ */

static void test_unmap(void)
{
	struct virtio_iommu_req_unmap req = {
		.head.type = VIRTIO_IOMMU_T_UNMAP,
		.domain = cpu_to_le32(1),
		.virt_start = 0, .virt_end = cpu_to_le64(PAGE - 1),
		.reserved = { 0, 0, 1, 0 },
	};

	run_unmap_examples(&t);

	pool_init(&pool, 0);
	pool_attach(&pool, 1, 1, 0);
	pool_map(&pool, 1, 0, PAGE - 1, 0, RW);
	pool_map(&pool, 1, PAGE, 4 * PAGE - 1, 0, RW);
	pool_map(&pool, 1, 4 * PAGE, 5 * PAGE - 1, 0, RW);
	tap_ok(&t, pool_unmap(&pool, 1, 0, 2 * PAGE - 1) == RANGE &&
	       pool_mapped(&pool, 1, 0, PAGE - 1) && pool.nr_unmap == 0,
	       "unmap: a split at the end -> RANGE, and the first mapping is NOT removed (atomic)");
	tap_ok(&t, pool_unmap(&pool, 1, 2 * PAGE, 5 * PAGE - 1) == RANGE &&
	       pool_mapped(&pool, 1, 4 * PAGE, 5 * PAGE - 1) && pool.nr_unmap == 0,
	       "unmap: a split at the start -> RANGE, the covered mapping is NOT removed");
	tap_ok(&t, pool_unmap(&pool, 9, 0, PAGE - 1) == NOENT,
	       "unmap: no such domain -> NOENT");
	tap_ok(&t, pool_req(&pool, &req, 28, NULL) == INVAL &&
	       pool_mapped(&pool, 1, 0, PAGE - 1),
	       "unmap: reserved not zero -> INVAL, nothing unmapped");
	tap_ok(&t, pool_unmap(&pool, 1, 0, U64_MAX) == OK &&
	       pool_mappings_in_use(&pool) == 0 && pool.nr_unmap == 3,
	       "unmap: [0, 2^64-1] removes every mapping");
}

/* --- PROBE ------------------------------------------------------------ */

static size_t probe(u32 ep, size_t writable, u8 *resp)
{
	struct virtio_iommu_req_probe req = {
		.head.type = VIRTIO_IOMMU_T_PROBE,
		.endpoint = cpu_to_le32(ep),
	};

	memset(resp, 0xaa, 64 + 4);
	return viommu_model_handle(&pool.dev, &req, sizeof(req), writable,
				     resp);
}

static void test_probe(void)
{
	struct virtio_iommu_probe_resv_mem prop[2];
	u8 resp[64 + 4];
	bool zeroes = true;
	unsigned int i;

	pool_init(&pool, 0);
	tap_ok(&t, probe(3, sizeof(resp), resp) == sizeof(resp) &&
	       resp[64] == OK, "probe: PROBE of a known endpoint -> OK");
	memcpy(prop, resp, sizeof(prop));
	tap_ok(&t, le16_to_cpu(prop[0].head.type) == VIRTIO_IOMMU_PROBE_T_RESV_MEM &&
	       le16_to_cpu(prop[0].head.length) == 20 &&
	       prop[0].subtype == VIRTIO_IOMMU_RESV_MEM_T_MSI &&
	       le64_to_cpu(prop[0].start) == 0xfee00000 &&
	       le64_to_cpu(prop[0].end) == 0xfeefffff &&
	       prop[1].subtype == VIRTIO_IOMMU_RESV_MEM_T_RESERVED &&
	       le64_to_cpu(prop[1].start) == 0x1000000,
	       "probe: RESV_MEM properties carry type, length 20, subtype, start, end");
	for (i = 48; i < 64 + 4; i++)
		zeroes &= i == 64 || resp[i] == 0;
	tap_ok(&t, zeroes, "probe: unused property bytes and tail.reserved are zero");
	tap_ok(&t, probe(1, sizeof(resp), resp) == sizeof(resp) &&
	       resp[0] == 0 && resp[64] == OK,
	       "probe: no reserved region -> an empty list (type 0 first)");
	tap_ok(&t, probe(99, sizeof(resp), resp) == sizeof(resp) &&
	       resp[64] == NOENT && resp[0] == 0,
	       "probe: unknown endpoint -> NOENT");
	tap_ok(&t, probe(3, 40, resp) == 40 && resp[36] == INVAL &&
	       resp[0] == 0 && resp[4] == 0,
	       "probe: buffer smaller than probe_size -> INVAL, no property written");
	pool.dev.config.probe_size = 24;
	tap_ok(&t, probe(3, 28, resp) == 28 && resp[24] == VIRTIO_IOMMU_S_DEVERR &&
	       resp[0] == 0,
	       "probe: regions that do not fit probe_size -> DEVERR, no property");
	pool_init(&pool, FEAT(MAP_UNMAP));
	tap_ok(&t, probe(3, sizeof(resp), resp) == 0 && resp[0] == 0xaa,
	       "probe: PROBE without the feature -> used_len 0, unwritten");
}

/* --- reset and faults ------------------------------------------------- */

static void test_reset(void)
{
	pool_init(&pool, 0);
	pool_attach(&pool, 1, 1, 0);
	pool_attach(&pool, 1, 2, 0);
	pool_attach(&pool, 2, 3, 0);
	pool_map(&pool, 1, 0, PAGE - 1, 0, RW);
	viommu_model_set_bypass(&pool.dev, 1);
	viommu_model_reset(&pool.dev);
	tap_ok(&t, !pool.endpoints[1].domain && !pool.endpoints[2].domain &&
	       !pool.endpoints[3].domain && pool_domains_in_use(&pool) == 0 &&
	       pool_mappings_in_use(&pool) == 0 && pool.nr_detach == 3,
	       "reset: after a reset no endpoint is attached to any domain");
	tap_ok(&t, pool.dev.config.bypass == 1,
	       "reset: bypass SHOULD persist across device reset");

	pool_init(&pool, 0);
	pool_attach(&pool, 1, 1, 0);
	pool_attach(&pool, 1, 2, 0);
	pool_map(&pool, 1, 0, PAGE - 1, 0, RW);
	pool.refuse_detach_domain = 1;
	viommu_model_reset(&pool.dev);
	tap_ok(&t, !pool.endpoints[1].domain && !pool.endpoints[2].domain &&
	       pool_domains_in_use(&pool) == 0 && pool_mappings_in_use(&pool) == 0 &&
	       pool.nr_unmap == 1,
	       "reset: detaches every endpoint even when the backend fails to");
}

static void test_fault(void)
{
	struct virtio_iommu_fault f;

	memset(&f, 0xff, sizeof(f));
	viommu_model_fault_encode(&f, VIRTIO_IOMMU_FAULT_R_MAPPING,
			     VIRTIO_IOMMU_FAULT_F_WRITE | VIRTIO_IOMMU_FAULT_F_ADDRESS,
			     7, 0x123456789000ULL);
	tap_ok(&t, f.reason == 2 && f.reserved[0] == 0 && f.reserved[2] == 0 &&
	       le32_to_cpu(f.flags) == 0x102 && le32_to_cpu(f.endpoint) == 7 &&
	       f.reserved2[0] == 0 && le64_to_cpu(f.address) == 0x123456789000ULL,
	       "fault: a report has zero reserved fields and LE fields");
}

int main(void)
{
	test_mappings_random();
	test_mappings_overlap_refused();
	test_mappings_height_is_logarithmic();
	test_idmap_sparse_ids();
	test_framing();
	test_config();
	test_bypass();
	test_attach();
	test_detach();
	test_map();
	test_unmap();
	test_probe();
	test_reset();
	test_fault();
	printf("1..%u\n", t.run);
	printf("# %u passed, %u failed\n", t.run - t.failed, t.failed);
	return t.failed ? 1 : 0;
}
