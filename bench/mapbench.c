// SPDX-License-Identifier: GPL-2.0-only
/*
 * pviommu-mapbench: the L1 microbenchmark (bench/README.md).
 *
 *   pviommu-mapbench VHOST_BDF TYPE1_BDF [--live 1,1000,100000]
 *                    [--iters N] [--rounds R] [--warmup W]
 *                    [--placement same|split|none] [--prepin PREPIN_BDF]
 *                    [--poll POLL_BDF] [--json FILE]
 *
 * The cost of a guest-style 4 KiB MAP + UNMAP round trip (one request each,
 * kicked and waited for, as a strict-mode guest does) over three paths,
 * four with --prepin or --poll, five with both:
 *   (a) vhost:     a vring served by vhost_iommu.ko (kick eventfd -> used
 *                  ring + call eventfd), QEMU's edu at VHOST_BDF in a VFIO
 *                  container of type VFIO_PVIOMMU_IOMMU;
 *   (b) userspace: the same kind of vring served by a thread of this
 *                  process (userspace_backend.c: proto/'s device model,
 *                  VFIO type1 MAP_DMA/UNMAP_DMA), woken by the kick eventfd;
 *   (c) direct:    MAP_DMA/UNMAP_DMA ioctls from this thread, the floor;
 *   (d) vhost-prepin: as (a), on a second vhost-iommu device opened with
 *                  VHOST_IOMMU_OPT_PREPIN (all its guest RAM pinned once: a
 *                  MAP pins nothing), with the edu at PREPIN_BDF in its own
 *                  VFIO_PVIOMMU_IOMMU container;
 *   (e) vhost-poll: as (d), on a third vhost-iommu device (edu at POLL_BDF,
 *                  its own container) that also busy-polls its request
 *                  queue (VHOST_SET_VRING_BUSYLOOP_TIMEOUT, POLL_US), and
 *                  whose driver side is Linux's: it kicks only when the
 *                  used ring lacks VRING_USED_F_NO_NOTIFY, asks for no
 *                  interrupt, and spins on the used index (yielding) for
 *                  the completion instead of sleeping on the call eventfd.
 * (b) and (c) share one type1v2 container holding the edu at TYPE1_BDF (a
 * second edu: a group can be in one container only, and two identical
 * devices let the paths stay set up and interleave round by round).
 *
 * For each count L of --live, each domain first gets L background one-page
 * mappings (4 GiB and up); then R rounds run, each W warm-up and N measured
 * round trips per path, the paths in a rotating order so that drift
 * cancels.  TAP on stdout (each path really ran: the kernel's and the
 * backend's counters), results as JSON in FILE.
 *
 * --placement pins the driver (this thread) and the device sides (the vhost
 * worker kthread, the backend thread): "same" (default) puts all on CPU 0,
 * "split" the device sides on CPU 1, "none" leaves it to the scheduler (the
 * vhost workers of all vhost devices are device sides).  (e)'s polling only
 * works in "split": a worker stands down while a thread of its owner (the
 * spinning driver) is runnable on its CPU, so in "same" its counters are
 * reported, not checked.
 * Under TCG a wake-up across vCPUs costs milliseconds (bench/README.md).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <linux/vfio.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../tests/programs/edu.h"
#include "../tests/programs/vfio.h"
#include "../tests/programs/vhost_lib.h"
#include "userspace_backend.h"

#define DOM		1
/* Background mappings: IOVA 4 GiB + i pages -> the data pages, round robin. */
#define BG_IOVA		0x100000000ull
/* The measured page: (a) and (b) at MEAS_IOVA, (c) beside (b) in its container. */
#define MEAS_IOVA	0xc0000000ull
#define MEAS_IOVA_C	0xc0200000ull
#define MEAS_GPA	(DATA_GPA + DATA_SIZE - PAGE)
/* The DMA check: edu reads SRC, then writes DST (edu masks DMA to 28 bits). */
#define CHK_IOVA_SRC	0x400000ull
#define CHK_IOVA_DST	0x401000ull
#define CHK_GPA_SRC	(DATA_GPA + DATA_SIZE - 3 * PAGE)
#define CHK_GPA_DST	(DATA_GPA + DATA_SIZE - 2 * PAGE)

/* The paths: (a)-(c) always, (d) with --prepin, (e) with --poll. */
enum { P_VHOST, P_USER, P_DIRECT, P_PREPIN, P_POLL, NP };
static const char *const path_key[NP] = { "vhost", "userspace", "direct", "vhost-prepin",
					  "vhost-poll" };
static const char *const path_label[NP] = {
	"(a) vhost-iommu", "(b) userspace backend + type1", "(c) type1 direct",
	"(d) vhost-iommu, guest RAM pre-pinned",
	"(e) vhost-iommu, pre-pinned + busy polling" };
/* The paths that run, in path order, and how many (3 to 5). */
static int run[NP] = { P_VHOST, P_USER, P_DIRECT };
static unsigned int np = 3;
static bool on[NP] = { true, true, true };
/* (e)'s busy polling, in microseconds: the most the kernel uses. */
#define POLL_US		10000
enum { O_MAP, O_UNMAP, O_PAIR, NO };
static const char *const op_key[NO] = { "map_us", "unmap_us", "pair_us" };

#define MAX_LIVE	8

static struct {
	unsigned long live[MAX_LIVE];
	unsigned int nr_live, iters, rounds, warmup;
	const char *json;
	const char *placement;
	const char *prepin_bdf;		/* (d)'s edu, or NULL: no (d) */
	const char *poll_bdf;		/* (e)'s edu, or NULL: no (e) */
} opt = { { 1, 1000, 100000 }, 3, 100, 20, 10, "/tmp/mapbench.json", "same", NULL, NULL };

/* Everything the paths need. */
static struct {
	struct tap tap;
	/* (a), (d), (e): vhost device + pviommu container, by path */
	struct rig vr[NP];
	uint8_t *ram_b;
	struct vfio t;			/* (b), (c): type1v2 container */
	struct vdev b;			/* (b): driver side of its vring */
	struct ubackend *ub;
	unsigned long bg;		/* background mappings in each domain */
} S;

/* Samples of one (live, path, op), in microseconds. */
static double *samples[MAX_LIVE][NP][NO];
static unsigned int nsamples[MAX_LIVE][NP];
static unsigned long failures[MAX_LIVE][NP];
/* The median MAP + UNMAP of each round: shows drift and bimodality. */
static double *round_med[MAX_LIVE][NP];
/* Populating each ring path's domain. */
static double populate_s[MAX_LIVE][NP];
/* The vhost paths' kernel counters over each live count's rounds. */
static struct {
	uint64_t requests, kicks, polled;
	unsigned int kicks_saved;	/* the driver's: sent without a kick */
} vcount[MAX_LIVE][NP];

/* ---- one round trip per path -------------------------------------------------- */

/* (a), (d), (e): the paths served by vhost_iommu.ko. */
static bool is_vhost(int path)
{
	return path == P_VHOST || path == P_PREPIN || path == P_POLL;
}

static struct vdev *vring_of(int path)
{
	return is_vhost(path) ? &S.vr[path].v : &S.b;
}

static uint8_t *ram_of(int path)
{
	return is_vhost(path) ? S.vr[path].ram : S.ram_b;
}

static struct vfio *vfio_of(int path)
{
	return is_vhost(path) ? &S.vr[path].f : &S.t;
}

static bool type1_map(uint64_t iova, void *hva, uint64_t size)
{
	return !vfio_type1_map(&S.t, iova, hva, size);
}

static bool type1_unmap(uint64_t iova, uint64_t size)
{
	uint64_t unmapped;

	return !vfio_type1_unmap(&S.t, iova, size, &unmapped) && unmapped == size;
}

/* One MAP + UNMAP of a 4 KiB page over @path; times in seconds. */
static bool round_trip(int path, double *t_map, double *t_unmap)
{
	double t0, t1, t2;
	bool ok;

	if (path == P_DIRECT) {
		void *page = S.ram_b + (MEAS_GPA - GUEST_GPA);

		t0 = now_s();
		ok = type1_map(MEAS_IOVA_C, page, PAGE);
		t1 = now_s();
		ok = type1_unmap(MEAS_IOVA_C, PAGE) && ok;
		t2 = now_s();
	} else {
		struct vdev *v = vring_of(path);

		t0 = now_s();
		ok = v_map(v, DOM, MEAS_IOVA, MEAS_IOVA + PAGE - 1, MEAS_GPA, RW) == OK;
		t1 = now_s();
		ok = v_unmap(v, DOM, MEAS_IOVA, MEAS_IOVA + PAGE - 1) == OK && ok;
		t2 = now_s();
	}
	*t_map = t1 - t0;
	*t_unmap = t2 - t1;
	return ok;
}

/* ---- background mappings -------------------------------------------------- */

/*
 * Map background pages [from, to) of @v's domain in batches, round robin
 * over the data pages but the last 16 (the measured and checked pages);
 * failures.
 */
static unsigned long populate(struct vdev *v, unsigned long from, unsigned long to)
{
	return map_pages(v, DOM, BG_IOVA, from, to, (DATA_SIZE - 16 * PAGE) / PAGE);
}

/* ---- statistics and output ------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct summary {
	unsigned int n;
	double min, p10, median, mean, p90, p99, max;
};

/* The wake-up floor's round trips (wakeup_floor()). */
static struct summary ping_sum;

static double quantile(const double *s, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int i = (unsigned int)pos;

	return i + 1 < n ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[n - 1];
}

static struct summary summarize(double *s, unsigned int n)
{
	struct summary r = { .n = n };
	unsigned int i;

	if (!n)
		return r;
	qsort(s, n, sizeof(*s), cmp_double);
	for (i = 0; i < n; i++)
		r.mean += s[i] / n;
	r.min = s[0];
	r.max = s[n - 1];
	r.p10 = quantile(s, n, 0.10);
	r.median = quantile(s, n, 0.50);
	r.p90 = quantile(s, n, 0.90);
	r.p99 = quantile(s, n, 0.99);
	return r;
}

/* JSON string contents: printable ASCII, quotes and backslashes dropped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		if (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			fputc(*s, f);
	fputc('"', f);
}

/* The first line of @path, newline stripped, or "" */
static const char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}

static void machine_json(FILE *f)
{
	char line[4096], model[256] = "", buf[256];
	unsigned int eax, ebx, ecx, edx, cpus = 0;
	char sig[13] = "";
	bool hyp = false;
	struct utsname u;
	FILE *ci = fopen("/proc/cpuinfo", "r");

	while (ci && fgets(line, sizeof(line), ci)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "processor", 9))
			cpus++;
		else if (c && !model[0] && !strncmp(line, "model name", 10))
			snprintf(model, sizeof(model), "%s", c + 2);
		else if (c && cpus == 1 && !strncmp(line, "flags", 5))
			hyp = strstr(c, " hypervisor") != NULL;
	}
	if (ci)
		fclose(ci);
	model[strcspn(model, "\n")] = '\0';
	/* The hypervisor's CPUID signature: KVMKVMKVM, TCGTCGTCGTCG, ... */
	if (hyp) {
		__cpuid(0x40000000, eax, ebx, ecx, edx);
		memcpy(sig, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
	}
	uname(&u);
	fprintf(f, "\"machine\": {\"level\": \"L1 (the emulated host)\", \"cpu_model\": ");
	json_str(f, model);
	fprintf(f, ", \"cpus\": %u, \"hypervisor_flag\": %s, \"hypervisor_cpuid\": ", cpus,
		hyp ? "true" : "false");
	json_str(f, sig);
	fprintf(f, ",\n  \"accel\": \"%s\"", !hyp ? "none (bare metal)" :
		!strncmp(sig, "KVMKVMKVM", 9) ? "KVM" :
		!strncmp(sig, "TCGTCGTCGTCG", 12) ? "TCG" : "unknown (see hypervisor_cpuid)");
	fprintf(f, ", \"dmi_sys_vendor\": ");
	json_str(f, read_line("/sys/class/dmi/id/sys_vendor", buf, sizeof(buf)));
	fprintf(f, ", \"dmi_product\": ");
	json_str(f, read_line("/sys/class/dmi/id/product_name", buf, sizeof(buf)));
	fprintf(f, ",\n  \"kernel\": ");
	json_str(f, u.release);
	fprintf(f, ", \"kernel_version\": ");
	json_str(f, u.version);
	fprintf(f, ", \"arch\": ");
	json_str(f, u.machine);
	fprintf(f, "}");
}

static void write_json(const char *vbdf, const char *tbdf, const double *bulk_s)
{
	FILE *f = fopen(opt.json, "w");
	unsigned int li, k, o;
	int p;

	if (!f) {
		tap_diag("cannot write %s: %s", opt.json, strerror(errno));
		return;
	}
	fprintf(f, "{\"benchmark\": \"pviommu-mapbench\", \"format\": 1,\n");
	machine_json(f);
	fprintf(f, ",\n\"params\": {\"page_bytes\": %llu, \"iters\": %u, \"rounds\": %u, "
		"\"warmup\": %u, \"live\": [", PAGE, opt.iters, opt.rounds, opt.warmup);
	for (li = 0; li < opt.nr_live; li++)
		fprintf(f, "%s%lu", li ? ", " : "", opt.live[li]);
	fprintf(f, "], \"vhost_bdf\": \"%s\", \"type1_bdf\": \"%s\", ", vbdf, tbdf);
	if (on[P_PREPIN])
		fprintf(f, "\"prepin_bdf\": \"%s\", ", opt.prepin_bdf);
	if (on[P_POLL])
		fprintf(f, "\"poll_bdf\": \"%s\", \"poll_us\": %u, ", opt.poll_bdf, POLL_US);
	fprintf(f, "\"placement\": \"%s\", \"clock\": \"CLOCK_MONOTONIC\", \"unit\": \"us\"},\n",
		opt.placement);
	fprintf(f, "\"paths\": {");
	for (k = 0; k < np; k++)
		fprintf(f, "%s\"%s\": \"%s\"", k ? ", " : "", path_key[run[k]],
			path_label[run[k]]);
	fprintf(f, "},\n\"results\": [\n");
	for (li = 0; li < opt.nr_live; li++) {
		for (k = 0; k < np; k++) {
			p = run[k];
			fprintf(f, "{\"live\": %lu, \"path\": \"%s\", \"failures\": %lu",
				opt.live[li], path_key[p], failures[li][p]);
			/* The kernel's counters over the rounds (warm-up included). */
			if (is_vhost(p))
				fprintf(f, ",\n  \"counters\": {\"requests\": %llu, \"kicks\": %llu, "
					"\"polled\": %llu, \"kicks_saved\": %u}",
					(unsigned long long)vcount[li][p].requests,
					(unsigned long long)vcount[li][p].kicks,
					(unsigned long long)vcount[li][p].polled,
					vcount[li][p].kicks_saved);
			fprintf(f, ",\n  \"round_median_pair_us\": [");
			for (o = 0; o < opt.rounds; o++)
				fprintf(f, "%s%.1f", o ? ", " : "", round_med[li][p][o]);
			fprintf(f, "]");
			for (o = 0; o < NO; o++) {
				struct summary s = summarize(samples[li][p][o], nsamples[li][p]);

				fprintf(f, ",\n  \"%s\": {\"n\": %u, \"min\": %.2f, \"p10\": %.2f, "
					"\"median\": %.2f, \"mean\": %.2f, \"p90\": %.2f, "
					"\"p99\": %.2f, \"max\": %.2f}", op_key[o], s.n, s.min,
					s.p10, s.median, s.mean, s.p90, s.p99, s.max);
			}
			fprintf(f, "}%s\n", li + 1 == opt.nr_live && k + 1 == np ? "" : ",");
		}
	}
	fprintf(f, "],\n\"populate_s\": [");
	for (li = 0; li < opt.nr_live; li++) {
		fprintf(f, "%s\n{\"live\": %lu", li ? "," : "", opt.live[li]);
		for (k = 0; k < np; k++)
			if (run[k] != P_DIRECT)
				fprintf(f, ", \"%s\": %.3f", path_key[run[k]], populate_s[li][run[k]]);
		fprintf(f, "}");
	}
	fprintf(f, "],\n\"wakeup_floor_us\": {\"what\": \"eventfd ping-pong with a thread "
		"placed like the device sides\", \"n\": %u, \"min\": %.2f, \"p10\": %.2f, "
		"\"median\": %.2f, \"mean\": %.2f, \"p90\": %.2f, \"p99\": %.2f, "
		"\"max\": %.2f}", ping_sum.n, ping_sum.min, ping_sum.p10, ping_sum.median,
		ping_sum.mean, ping_sum.p90, ping_sum.p99, ping_sum.max);
	fprintf(f, ",\n\"bulk_unmap_s\": {\"live\": %lu", S.bg);
	for (k = 0; k < np; k++)
		if (run[k] != P_DIRECT)
			fprintf(f, ", \"%s\": %.3f", path_key[run[k]], bulk_s[run[k]]);
	fprintf(f, "}\n}\n");
	fclose(f);
}

/* ---- setup, checks --------------------------------------------------------- */

static void parse_args(int argc, char **argv)
{
	int i;

	for (i = 3; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];

		if (!strcmp(a, "--live")) {
			char *end;

			for (opt.nr_live = 0; *v && opt.nr_live < MAX_LIVE; v = end) {
				opt.live[opt.nr_live++] = strtoul(v, &end, 0);
				if (*end == ',')
					end++;
				else if (*end)
					break;
			}
		} else if (!strcmp(a, "--iters")) {
			opt.iters = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--rounds")) {
			opt.rounds = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--warmup")) {
			opt.warmup = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--placement")) {
			opt.placement = v;
		} else if (!strcmp(a, "--json")) {
			opt.json = v;
		} else if (!strcmp(a, "--prepin")) {
			opt.prepin_bdf = v;
		} else if (!strcmp(a, "--poll")) {
			opt.poll_bdf = v;
		} else {
			fprintf(stderr, "unknown option %s\n", a);
			exit(2);
		}
	}
	for (i = 1; i < (int)opt.nr_live; i++)
		if (opt.live[i] < opt.live[i - 1]) {
			fprintf(stderr, "--live must be ascending\n");
			exit(2);
		}
	if (opt.prepin_bdf)
		run[np++] = P_PREPIN;
	if (opt.poll_bdf)
		run[np++] = P_POLL;
	for (i = 0; i < (int)np; i++)
		on[run[i]] = true;
}

static bool pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(tid, sizeof(set), &set);
}

/*
 * --placement: "none" leaves the scheduler free; "same" pins the driver
 * (this thread), the vhost worker and the backend thread to CPU 0; "split"
 * pins the driver to CPU 0 and both device sides to CPU 1.
 */
static int device_cpu(void)
{
	return !strcmp(opt.placement, "same") ? 0 : !strcmp(opt.placement, "split") ? 1 : -1;
}

/*
 * Pin to @cpu the tasks under @dir (/proc/self/task or /proc) named
 * @comm; how many, or -1 if one could not be pinned.
 */
static int pin_named(const char *dir, const char *comm, int cpu)
{
	char path[288], buf[32];
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
		if (strcmp(read_line(path, buf, sizeof(buf)), comm))
			continue;
		if (n >= 0)
			n = pin(atoi(e->d_name), cpu) ? n + 1 : -1;
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * Pin every vhost worker of this process, one per vhost device, "vhost-PID":
 * threads of ours from 6.4 (vhost_task), kthreads before.  How many, or -1.
 */
static int pin_workers(int cpu)
{
	char comm[32];
	int n;

	snprintf(comm, sizeof(comm), "vhost-%d", getpid());
	n = pin_named("/proc/self/task", comm, cpu);
	return n ? n : pin_named("/proc", comm, cpu);
}

static void place(void)
{
	int w;

	if (device_cpu() < 0)
		return;
	w = pin_workers(device_cpu());
	tap_check(&S.tap, pin(0, 0) && w == 1 + on[P_PREPIN] + on[P_POLL],
		  "placement %s: driver on CPU 0, vhost workers (%d) and backend thread on CPU %d",
		  opt.placement, w, device_cpu());
}

/*
 * Open vhost path @path's device (with @o) on the edu at @bdf, in a
 * VFIO_PVIOMMU_IOMMU container of its own; bails if it fails.
 */
static void open_vhost(int path, const char *bdf, const struct rig_opts *o, const char *what)
{
	struct rig *g = &S.vr[path];
	const char *step;
	int ret;

	ret = rig_open(g, guest_ram(&S.tap), bdf, &default_cfg, o, &step);
	if (!tap_check(&S.tap, !ret, "%.3s vhost-iommu%s set up, edu %s in a pviommu container (%s)",
		       path_label[path], what, bdf, ret ? step : "started")) {
		errno = -ret;
		tap_bail(&S.tap, step);
	}
}

/* A prepin device's guest RAM is pinned, all of it, once. */
static void check_ram_pinned(int path)
{
	struct vhost_iommu_stats vs = { 0 };
	bool ok = !vdev_stats(&S.vr[path].v, &vs);

	tap_check(&S.tap, ok && vs.ram_pinned_pages == GUEST_SIZE / PAGE && !vs.pinned_pages,
		  "%.3s all its guest RAM pinned once (%llu pages), none per MAP",
		  path_label[path], (unsigned long long)vs.ram_pinned_pages);
}

/* The background mappings may go past the default limit (65535, as type1's). */
#define MAPBENCH_MAX_MAPPINGS	(1ull << 20)

static void setup(const char *vbdf, const char *tbdf)
{
	struct rig_opts plain = { .max_mappings = MAPBENCH_MAX_MAPPINGS };
	struct rig_opts prepin = { .options = VHOST_IOMMU_OPT_PREPIN,
				   .max_mappings = MAPBENCH_MAX_MAPPINGS };
	struct ub_params p = { 0 };
	unsigned int k;
	int ret;

	S.ram_b = guest_ram(&S.tap);
	open_vhost(P_VHOST, vbdf, &plain, "");
	if (on[P_PREPIN]) {
		open_vhost(P_PREPIN, opt.prepin_bdf, &prepin, " with VHOST_IOMMU_OPT_PREPIN");
		check_ram_pinned(P_PREPIN);
	}
	if (on[P_POLL]) {
		struct vdev *v = &S.vr[P_POLL].v;

		open_vhost(P_POLL, opt.poll_bdf, &prepin, " with VHOST_IOMMU_OPT_PREPIN");
		check_ram_pinned(P_POLL);
		ret = vdev_set_poll(v, POLL_US);
		if (!tap_check(&S.tap, !ret, "(e) busy polling of its request queue for %u us "
			       "(VHOST_SET_VRING_BUSYLOOP_TIMEOUT); its driver kicks only when asked "
			       "and spins on the used index", POLL_US)) {
			errno = -ret;
			tap_bail(&S.tap, "VHOST_SET_VRING_BUSYLOOP_TIMEOUT");
		}
		v->kick_if_asked = true;
		v->spin_wait = true;
	}
	ret = vfio_open_type(&S.t, tbdf, VFIO_TYPE1v2_IOMMU);
	if (!tap_check(&S.tap, !ret, "(b)(c) edu %s in a type1v2 container", tbdf)) {
		errno = -ret;
		tap_bail(&S.tap, "type1v2 container");
	}
	memset(&S.b, 0, sizeof(S.b));
	S.b.fd = -1;
	S.b.ram = S.ram_b;
	S.b.kick[1] = S.b.call[1] = -1;
	if (vq_init_driver(&S.b, 0))
		tap_bail(&S.tap, "vring for the userspace backend");
	p.container = S.t.container;
	p.endpoint_id = S.t.rid;
	p.mem[0] = (struct ub_region){ GUEST_GPA, GUEST_SIZE, S.ram_b };
	p.nr_mem = 1;
	p.page_size_mask = default_cfg.page_size_mask;
	p.input_start = default_cfg.input_start;
	p.input_end = default_cfg.input_end;
	p.domain_start = default_cfg.domain_start;
	p.domain_end = default_cfg.domain_end;
	p.probe_size = default_cfg.probe_size;
	p.desc = S.b.vq[0].desc;
	p.avail = S.b.vq[0].avail;
	p.used = S.b.vq[0].used;
	p.num = VQ_NUM;
	p.kick = S.b.kick[0];
	p.call = S.b.call[0];
	p.cpu = device_cpu();
	S.ub = ub_start(&p);
	if (!tap_check(&S.tap, S.ub != NULL,
		       "(b) userspace backend thread started (proto/ device model, type1 ops)"))
		tap_bail(&S.tap, "ub_start");
	tap_check(&S.tap,
		  v_attach(&S.vr[P_VHOST].v, DOM, S.vr[P_VHOST].ep, 0) == OK &&
		  v_attach(&S.b, DOM, S.t.rid, 0) == OK,
		  "ATTACH endpoint to domain %d over (a) and over (b)", DOM);
	for (k = 0; k < np; k++)
		if (run[k] == P_PREPIN || run[k] == P_POLL)
			tap_check(&S.tap, v_attach(&S.vr[run[k]].v, DOM, S.vr[run[k]].ep, 0) == OK,
				  "ATTACH endpoint to domain %d over %.3s", DOM, path_label[run[k]]);
}

/* edu reads CHK_IOVA_SRC and writes CHK_IOVA_DST: the path's maps are real. */
static bool dma_check(int path)
{
	struct vfio *f = vfio_of(path);
	uint8_t *ram = ram_of(path);
	uint8_t *src = ram + (CHK_GPA_SRC - GUEST_GPA), *dst = ram + (CHK_GPA_DST - GUEST_GPA);
	struct vdev *v = vring_of(path);
	bool ok;

	fill_pattern(src, PAGE, path + 1);
	memset(dst, 0, PAGE);
	if (path == P_DIRECT)
		ok = type1_map(CHK_IOVA_SRC, src, PAGE) && type1_map(CHK_IOVA_DST, dst, PAGE);
	else
		ok = v_map(v, DOM, CHK_IOVA_SRC, CHK_IOVA_SRC + PAGE - 1, CHK_GPA_SRC, RW) == OK &&
		     v_map(v, DOM, CHK_IOVA_DST, CHK_IOVA_DST + PAGE - 1, CHK_GPA_DST, RW) == OK;
	ok = ok && edu_copy(f->bar0, CHK_IOVA_SRC, CHK_IOVA_DST, EDU_DMA_LEN) &&
	     !memcmp(src, dst, EDU_DMA_LEN);
	if (path == P_DIRECT)
		ok = type1_unmap(CHK_IOVA_SRC, 2 * PAGE) && ok;
	else
		ok = v_unmap(v, DOM, CHK_IOVA_SRC, CHK_IOVA_DST + PAGE - 1) == OK && ok;
	return ok;
}

/* The counters of each vhost path (zeros for the others) and of (b). */
static void counters(struct vhost_iommu_stats *vs, struct ub_stats *us)
{
	int p;

	for (p = 0; p < NP; p++)
		if (!on[p] || !is_vhost(p) || vdev_stats(&S.vr[p].v, &vs[p]))
			memset(&vs[p], 0, sizeof(vs[p]));
	ub_get_stats(S.ub, us);
}

/*
 * A vhost path's kernel counters over the rounds, @maps MAPs and as many
 * UNMAPs, all OK, @live mappings left; (d) and (e) pinned nothing per MAP.
 */
static void check_vhost(int path, unsigned int li, uint64_t maps,
			const struct vhost_iommu_stats *s0, const struct vhost_iommu_stats *s1)
{
	unsigned long live = opt.live[li];
	bool prepin = path == P_PREPIN || path == P_POLL;

	tap_check(&S.tap, !failures[li][path] &&
		  s1->requests[VIRTIO_IOMMU_T_MAP] - s0->requests[VIRTIO_IOMMU_T_MAP] == maps &&
		  s1->requests[VIRTIO_IOMMU_T_UNMAP] - s0->requests[VIRTIO_IOMMU_T_UNMAP] == maps &&
		  s1->status[OK] - s0->status[OK] == 2 * maps && s1->mappings == live &&
		  (!prepin || (!s1->pinned_pages && s1->ram_pinned_pages == GUEST_SIZE / PAGE)),
		  "L=%lu %.3s: %llu MAP + %llu UNMAP handled by vhost_iommu.ko, all OK (kernel stats)%s",
		  live, path_label[path], (unsigned long long)maps, (unsigned long long)maps,
		  prepin ? ", no page pinned per MAP" : "");
}

/*
 * (e)'s busy polling over the rounds (vcount[li][P_POLL]).  In "split" the
 * worker polls on its own CPU while the driver spins on CPU 0: some
 * requests must be found by polling, and the kicks must be far fewer than
 * the requests (under a quarter; a poll ends when anything else wants the
 * worker's CPU, or 10 ms after the last request, e.g. between paths).
 * Elsewhere polling stands down by design, when a thread of the owner is
 * runnable on the worker's CPU ("same"), or may ("none"): reported only.
 */
static void check_poll(unsigned int li)
{
	unsigned long long req = vcount[li][P_POLL].requests, kicks = vcount[li][P_POLL].kicks,
			   polled = vcount[li][P_POLL].polled;
	unsigned int saved = vcount[li][P_POLL].kicks_saved;

	if (!strcmp(opt.placement, "split"))
		tap_check(&S.tap, polled > 0 && kicks * 4 < req,
			  "L=%lu (e) polls: of %llu requests %llu found by busy polling, %llu kicks, "
			  "%u sent without one", opt.live[li], req, polled, kicks, saved);
	else
		tap_diag("L=%lu (e) placement %s: of %llu requests %llu found by busy polling, "
			 "%llu kicks, %u sent without one (not checked: polling stands down while "
			 "the driver is runnable on the worker's CPU)", opt.live[li], opt.placement,
			 req, polled, kicks, saved);
}

/* ---- the wake-up floor -------------------------------------------------------- */

/*
 * A bare eventfd ping-pong with a thread placed like the device sides: the
 * hop (b) pays twice per request with no work at all.  It says how much of
 * (b) is the scheduler's (and, under TCG, the emulation's) wake-up cost.
 */
#define PING_N		300
#define PING_WARMUP	10

static int ping_kick, ping_call;
static double ping_us[PING_N];

static void *echo_thread(void *arg)
{
	struct pollfd pfd = { .fd = ping_kick, .events = POLLIN };
	uint64_t cnt;
	int i;

	(void)arg;
	if (device_cpu() >= 0)
		pin(0, device_cpu());
	for (i = 0; i < PING_WARMUP + PING_N; i++) {
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
		if (read(ping_kick, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			break;
		cnt = 1;
		if (write(ping_call, &cnt, sizeof(cnt)) != sizeof(cnt))
			break;
	}
	return NULL;
}

static void wakeup_floor(void)
{
	struct pollfd pfd;
	pthread_t t;
	uint64_t cnt = 1;
	int i, got = 0;

	ping_kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ping_call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pfd = (struct pollfd){ .fd = ping_call, .events = POLLIN };
	if (ping_kick < 0 || ping_call < 0 || pthread_create(&t, NULL, echo_thread, NULL))
		tap_bail(&S.tap, "echo thread");
	for (i = 0; i < PING_WARMUP + PING_N; i++) {
		double t0 = now_s();

		if (write(ping_kick, &cnt, sizeof(cnt)) != sizeof(cnt))
			break;
		while (poll(&pfd, 1, 5000) <= 0 || read(ping_call, &cnt, sizeof(cnt)) != sizeof(cnt))
			if (now_s() - t0 > 5)
				goto out;
		cnt = 1;
		if (i >= PING_WARMUP)
			ping_us[got++] = (now_s() - t0) * 1e6;
	}
out:
	pthread_join(t, NULL);
	close(ping_kick);
	close(ping_call);
	ping_sum = summarize(ping_us, got);
	tap_check(&S.tap, got == PING_N,
		  "wake-up floor: %d eventfd ping-pongs with a thread placed like the "
		  "device sides, median %.1f us (p10 %.1f, p90 %.1f)", got, ping_sum.median,
		  ping_sum.p10, ping_sum.p90);
}

/* ---- the measurement ------------------------------------------------------- */

static void measure(unsigned int li)
{
	unsigned long live = opt.live[li], fail_ring[NP] = { 0 };
	struct vhost_iommu_stats vs0[NP], vs1[NP];
	struct ub_stats us0, us1;
	unsigned int r, k, i, n = opt.rounds * opt.iters, saved0 = 0;
	uint64_t maps, unmaps;
	double t0, tm, tu, *rbuf;
	bool clean = true;
	int p;

	tap_diag("live mappings %lu: populating every domain from %lu", live, S.bg);
	for (k = 0; k < np; k++) {
		p = run[k];
		if (p == P_DIRECT)
			continue;
		t0 = now_s();
		fail_ring[p] = populate(vring_of(p), S.bg, live);
		populate_s[li][p] = now_s() - t0;
	}
	S.bg = live;
	counters(vs0, &us0);
	tap_check(&S.tap, !fail_ring[P_VHOST] && !fail_ring[P_USER] &&
		  vs0[P_VHOST].mappings == live && us0.mappings == live,
		  "L=%lu: background mappings live in the kernel (%llu) and the userspace model (%llu); "
		  "populated in %.1f s (a), %.1f s (b)", live,
		  (unsigned long long)vs0[P_VHOST].mappings, (unsigned long long)us0.mappings,
		  populate_s[li][P_VHOST], populate_s[li][P_USER]);
	for (k = 0; k < np; k++) {
		p = run[k];
		if (p == P_PREPIN || p == P_POLL)
			tap_check(&S.tap, !fail_ring[p] && vs0[p].mappings == live &&
				  !vs0[p].pinned_pages,
				  "L=%lu: background mappings live in %.3s (%llu), none pinned a page; "
				  "populated in %.1f s", live, path_label[p],
				  (unsigned long long)vs0[p].mappings, populate_s[li][p]);
	}

	rbuf = calloc(opt.iters, sizeof(double));
	for (k = 0; k < np; k++) {
		p = run[k];
		round_med[li][p] = calloc(opt.rounds, sizeof(double));
		for (i = 0; i < NO; i++)
			samples[li][p][i] = calloc(n, sizeof(double));
		nsamples[li][p] = 0;
		failures[li][p] = 0;
	}
	counters(vs0, &us0);
	if (on[P_POLL])
		saved0 = S.vr[P_POLL].v.kicks_saved;
	t0 = now_s();
	for (r = 0; r < opt.rounds; r++) {
		for (k = 0; k < np; k++) {
			p = run[(r + k) % np];	/* abc, bca, cab, ... (abcde, bcdea, ...) */
			for (i = 0; i < opt.warmup; i++)
				failures[li][p] += !round_trip(p, &tm, &tu);
			for (i = 0; i < opt.iters; i++) {
				unsigned int j = nsamples[li][p]++;

				failures[li][p] += !round_trip(p, &tm, &tu);
				samples[li][p][O_MAP][j] = tm * 1e6;
				samples[li][p][O_UNMAP][j] = tu * 1e6;
				samples[li][p][O_PAIR][j] = (tm + tu) * 1e6;
			}
			memcpy(rbuf, &samples[li][p][O_PAIR][nsamples[li][p] - opt.iters],
			       opt.iters * sizeof(double));
			round_med[li][p][r] = summarize(rbuf, opt.iters).median;
		}
	}
	free(rbuf);
	counters(vs1, &us1);
	maps = opt.rounds * (opt.warmup + opt.iters);
	unmaps = maps;
	tap_diag("L=%lu: %u rounds of %u+%u round trips per path in %.1f s", live, opt.rounds,
		 opt.warmup, opt.iters, now_s() - t0);
	for (k = 0; k < np; k++) {
		p = run[k];
		if (!is_vhost(p))
			continue;
		vcount[li][p].requests = vs1[p].requests[VIRTIO_IOMMU_T_MAP] -
					 vs0[p].requests[VIRTIO_IOMMU_T_MAP] +
					 vs1[p].requests[VIRTIO_IOMMU_T_UNMAP] -
					 vs0[p].requests[VIRTIO_IOMMU_T_UNMAP];
		vcount[li][p].kicks = vs1[p].kicks - vs0[p].kicks;
		vcount[li][p].polled = vs1[p].polled - vs0[p].polled;
		if (p == P_POLL)
			vcount[li][p].kicks_saved = S.vr[p].v.kicks_saved - saved0;
		check_vhost(p, li, maps, &vs0[p], &vs1[p]);
		clean = clean && vs1[p].requests[0] == vs0[p].requests[0] && !vs1[p].bad_chains;
	}
	if (on[P_POLL])
		check_poll(li);
	tap_check(&S.tap, !failures[li][P_USER] &&
		  us1.requests[VIRTIO_IOMMU_T_MAP] - us0.requests[VIRTIO_IOMMU_T_MAP] == maps &&
		  us1.requests[VIRTIO_IOMMU_T_UNMAP] - us0.requests[VIRTIO_IOMMU_T_UNMAP] == unmaps &&
		  us1.map_dma - us0.map_dma == maps && us1.unmap_dma - us0.unmap_dma == unmaps &&
		  us1.dma_errors == us0.dma_errors && us1.mappings == live,
		  "L=%lu (b): %llu MAP + %llu UNMAP through the backend thread, each one type1 ioctl "
		  "(%llu wakeups)", live, (unsigned long long)maps, (unsigned long long)unmaps,
		  (unsigned long long)(us1.wakeups - us0.wakeups));
	tap_check(&S.tap, !failures[li][P_DIRECT],
		  "L=%lu (c): %llu MAP_DMA + %llu UNMAP_DMA of 4096 bytes "
		  "succeeded", live, (unsigned long long)maps, (unsigned long long)unmaps);
	tap_check(&S.tap, clean && us1.bad_chains == 0,
		  "L=%lu: no dropped requests or malformed chains", live);
	for (k = 0; k < np; k++) {
		struct summary s;

		p = run[k];
		s = summarize(samples[li][p][O_PAIR], nsamples[li][p]);
		tap_diag("L=%-6lu %-42s MAP+UNMAP median %8.1f us (p10 %.1f, p90 %.1f)", live,
			 path_label[p], s.median, s.p10, s.p90);
	}
}

/*
 * One UNMAP request over the whole background range, timed, for each ring
 * path.  Waited for up to 5 minutes (vq_run() gives up after 10 s): (b)
 * issues one UNMAP_DMA per mapping.
 */
static void bulk_unmap(double *bulk_s)
{
	struct virtio_iommu_req_unmap q;
	unsigned int k;

	for (k = 0; k < np; k++) {
		int p = run[k];
		struct vdev *v = vring_of(p);
		struct vring_desc *d = v->vq[0].desc;
		uint64_t out, in;
		uint8_t st = 0xff;
		double t0;

		if (p == P_DIRECT)
			continue;
		out = scratch_alloc(v, sizeof(q));
		in = scratch_alloc(v, 4);
		t0 = now_s();
		mk_unmap(&q, DOM, BG_IOVA, BG_IOVA + S.bg * PAGE - 1);
		memcpy(hva(v, out), &q, RO_LEN(q));
		memset(hva(v, in), 0xee, 4);
		d[0] = (struct vring_desc){ .addr = out, .len = RO_LEN(q),
					    .flags = VRING_DESC_F_NEXT, .next = 1 };
		d[1] = (struct vring_desc){ .addr = in, .len = 4, .flags = VRING_DESC_F_WRITE };
		vq_push(v, 0, 0);
		/* (e) kicks only when asked, as in vq_run(). */
		if (!v->kick_if_asked || vq_kick_wanted(v, 0))
			vq_kick(v, 0);
		if (vq_wait(v, 0, 1, 300000) == 1 && vq_pop(v, 0).len == 4)
			st = *(uint8_t *)hva(v, in);

		bulk_s[p] = now_s() - t0;
		tap_check(&S.tap, st == OK,
			  "%s: one UNMAP removes the %lu background mappings (%.2f s)",
			  path_label[p], S.bg, bulk_s[p]);
	}
}

int main(int argc, char **argv)
{
	struct vhost_iommu_stats vs[NP];
	struct ub_stats us;
	double bulk_s[NP] = { 0 };
	const char *bdf[4];
	unsigned int li, k, nb = 2;
	bool left = false;
	long lck0;
	int p;

	if (argc < 3 || !strcmp(argv[1], argv[2])) {
		fprintf(stderr, "usage: %s VHOST_BDF TYPE1_BDF (two different edu devices) "
			"[--live 1,1000,100000] [--iters N] [--rounds R] [--warmup W] [--placement same|split|none] "
			"[--prepin PREPIN_BDF (another edu)] [--poll POLL_BDF (another edu)] "
			"[--json FILE]\n", argv[0]);
		return 2;
	}
	parse_args(argc, argv);
	/* Each path its own edu: a group can be in one container only. */
	bdf[0] = argv[1];
	bdf[1] = argv[2];
	if (opt.prepin_bdf)
		bdf[nb++] = opt.prepin_bdf;
	if (opt.poll_bdf)
		bdf[nb++] = opt.poll_bdf;
	for (k = 2; k < nb; k++)
		for (li = 0; li < k; li++)
			if (!strcmp(bdf[k], bdf[li])) {
				fprintf(stderr, "--%s needs an edu device of its own, not %s\n",
					bdf[k] == opt.poll_bdf ? "poll" : "prepin", bdf[k]);
				return 2;
			}
	setvbuf(stdout, NULL, _IOLBF, 0);
	lck0 = vmlck_kb();
	tap_diag("(a) edu %s, (b)(c) edu %s%s%s%s%s; live %lu..%lu; %u rounds x (%u warm-up + %u) per path",
		 argv[1], argv[2], opt.prepin_bdf ? ", (d) edu " : "",
		 opt.prepin_bdf ? opt.prepin_bdf : "", opt.poll_bdf ? ", (e) edu " : "",
		 opt.poll_bdf ? opt.poll_bdf : "", opt.live[0],
		 opt.live[opt.nr_live ? opt.nr_live - 1 : 0], opt.rounds, opt.warmup, opt.iters);
	setup(argv[1], argv[2]);
	place();
	wakeup_floor();

	/* Before anything is measured: each path's mappings carry real DMA. */
	for (k = 0; k < np; k++)
		tap_check(&S.tap, dma_check(run[k]),
			  "%s: edu DMA through the mapped IOVAs copies %u bytes "
			  "from page to page", path_label[run[k]], EDU_DMA_LEN);

	for (li = 0; li < opt.nr_live; li++)
		measure(li);
	bulk_unmap(bulk_s);
	write_json(argv[1], argv[2], bulk_s);
	tap_check(&S.tap, access(opt.json, R_OK) == 0, "results written to %s", opt.json);

	counters(vs, &us);
	for (p = P_PREPIN; p <= P_POLL; p++)
		if (on[p])
			tap_diag("%.3s vhost stats: MAP %llu UNMAP %llu, live %llu, RAM pinned once "
				 "%llu pages, pinned per MAP %llu, IOTLB syncs %llu, kicks %llu, "
				 "polled %llu", path_label[p],
				 (unsigned long long)vs[p].requests[VIRTIO_IOMMU_T_MAP],
				 (unsigned long long)vs[p].requests[VIRTIO_IOMMU_T_UNMAP],
				 (unsigned long long)vs[p].mappings,
				 (unsigned long long)vs[p].ram_pinned_pages,
				 (unsigned long long)vs[p].pinned_pages,
				 (unsigned long long)vs[p].iotlb_syncs,
				 (unsigned long long)vs[p].kicks, (unsigned long long)vs[p].polled);
	tap_diag("vhost stats: MAP %llu UNMAP %llu ATTACH %llu, live %llu; userspace: MAP %llu "
		 "UNMAP %llu, type1 MAP_DMA %llu UNMAP_DMA %llu errors %llu",
		 (unsigned long long)vs[P_VHOST].requests[VIRTIO_IOMMU_T_MAP],
		 (unsigned long long)vs[P_VHOST].requests[VIRTIO_IOMMU_T_UNMAP],
		 (unsigned long long)vs[P_VHOST].requests[VIRTIO_IOMMU_T_ATTACH],
		 (unsigned long long)vs[P_VHOST].mappings,
		 (unsigned long long)us.requests[VIRTIO_IOMMU_T_MAP],
		 (unsigned long long)us.requests[VIRTIO_IOMMU_T_UNMAP],
		 (unsigned long long)us.map_dma, (unsigned long long)us.unmap_dma,
		 (unsigned long long)us.dma_errors);
	for (p = 0; p < NP; p++)
		left = left || vs[p].mappings;	/* zeros for the paths not run */
	tap_check(&S.tap,
		  !left && !us.mappings && us.map_dma == us.unmap_dma && !us.dma_errors,
		  "nothing left mapped; every type1 MAP_DMA of (b) was undone by an UNMAP_DMA");
	ub_stop(S.ub);
	vdev_close(&S.b);
	vfio_close(&S.t);
	for (p = 0; p < NP; p++)
		if (on[p] && is_vhost(p))
			rig_close(&S.vr[p]);
	tap_check(&S.tap, vmlck_kb() == lck0, "VmLck back to its baseline %ld kB", lck0);
	return tap_done(&S.tap);
}
