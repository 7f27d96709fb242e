// SPDX-License-Identifier: GPL-2.0
/*
 * pviommu-iogen: a small O_DIRECT block read load generator on io_uring.
 *
 *   pviommu-iogen [--json-tag TAG] DEVICE PATTERN BS QD SECONDS [SPAN_MIB]
 *
 *   DEVICE    block device (or regular file) to read, opened
 *             O_RDONLY | O_DIRECT
 *   PATTERN   randread: block-aligned offsets drawn uniformly from the span
 *                       by xorshift64* with a fixed seed (runs are
 *                       comparable);
 *             seqread:  consecutive blocks, wrapping at the end of the span
 *   BS        bytes per read: a multiple of 512 (and of the device's logical
 *             block size), at most 16 MiB
 *   QD        reads kept in flight, 1..256
 *   SECONDS   measured duration, may be fractional (0.5)
 *   SPAN_MIB  the region read, from offset 0; default and upper bound: the
 *             whole device (BLKGETSIZE64)
 *
 * Every in-flight read has its own 4 KiB-aligned buffer.  After each
 * submission the program waits for at least one completion, reaps every
 * completion available, and at once resubmits the freed slots, so QD reads
 * stay in flight.
 *
 * What is measured: a warm-up of min(0.2 s, SECONDS / 5) runs first and is
 * not counted.  The measured window then opens at the last reap of the
 * warm-up and closes at the first reap at least SECONDS later; every
 * completion reaped inside it counts, and the window's real length gives
 * IOPS and MiB/s.  Latency is per read, from just before its submission to
 * just after the io_uring_enter() that returned its completion
 * (CLOCK_MONOTONIC), kept in a log-linear histogram (exact below 256 ns,
 * then 128 buckets per power of two: values within 0.4 % up to ~68 s).
 * Reads still in flight when the window closes are reaped and checked but
 * not counted.
 *
 * Output: exactly one line of JSON on stdout (tag, device, pattern, bs, qd,
 * seconds, ios, iops, mib_s, lat_us {mean, p50, p99, p999, max}, cdf_us
 * [[fraction, latency], ...] at 14 fractions from 0.01 to 0.999, errors).
 * Any failed or short read is fatal: it is reported on stderr and the exit
 * status is 1.  Usage errors exit with 2.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <liburing.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG		"pviommu-iogen"
#define MIB		(1024ULL * 1024)
#define NSEC_PER_SEC	1000000000ULL
#define BUF_ALIGN	4096
#define MAX_BS		(16 * MIB)
#define MAX_QD		256U
#define MAX_SECONDS	86400.0
#define MAX_WARMUP_NS	(NSEC_PER_SEC / 5)
#define RNG_SEED	0x9e3779b97f4a7c15ULL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Log-linear histogram: values below 2^HIST_SUB_BITS ns have a bucket each;
 * above, each power of two [2^e, 2^(e+1)) is split into HIST_HALF equal
 * buckets.  Values of 2^(HIST_MAX_MSB + 1) ns and more go to the last one.
 */
#define HIST_SUB_BITS	8
#define HIST_SUB	(1U << HIST_SUB_BITS)
#define HIST_HALF	(HIST_SUB / 2)
#define HIST_MAX_MSB	35
#define HIST_BUCKETS	(HIST_SUB + (HIST_MAX_MSB - HIST_SUB_BITS + 1) * HIST_HALF)

enum pattern {
	PATTERN_RANDREAD,
	PATTERN_SEQREAD,
};

static const char *const pattern_names[] = {
	[PATTERN_RANDREAD] = "randread",
	[PATTERN_SEQREAD] = "seqread",
};

struct options {
	const char *tag;
	const char *device;
	enum pattern pattern;
	unsigned int bs;
	unsigned int qd;
	double seconds;
	uint64_t span_mib;	/* 0: the whole device */
};

struct histogram {
	uint64_t counts[HIST_BUCKETS];
	uint64_t n;
	uint64_t sum_ns;
	uint64_t max_ns;
};

struct slot {
	void *buf;
	uint64_t offset;
	uint64_t submit_ns;
};

struct bench {
	struct io_uring ring;
	int fd;
	enum pattern pattern;
	unsigned int bs;
	unsigned int qd;
	uint64_t nblocks;
	uint64_t next_block;
	uint64_t rng;
	struct slot *slots;
	unsigned int *free_slots;
	unsigned int nfree;
};

struct result {
	uint64_t window_ns;
	struct histogram hist;
};

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: " PROG " [--json-tag TAG] DEVICE PATTERN BS QD SECONDS [SPAN_MIB]\n"
		"  PATTERN   randread | seqread\n"
		"  BS        bytes per read, a multiple of 512, at most 16 MiB\n"
		"  QD        reads in flight, 1..%u\n"
		"  SECONDS   measured duration (fractional allowed), after a\n"
		"            warm-up of min(0.2 s, SECONDS/5)\n"
		"  SPAN_MIB  region read from offset 0 (default: whole device)\n"
		"Prints one line of JSON on stdout.\n", MAX_QD);
}

/* "pviommu-iogen: MESSAGE" on stderr. */
static void vwarn(const char *fmt, va_list ap)
{
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(1);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	print_usage(stderr);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* A decimal integer in [min, max], nothing else. */
static uint64_t parse_uint(const char *s, const char *name, uint64_t min,
			   uint64_t max)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		usage_error("%s: not a number: '%s'", name, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		usage_error("%s: not a number: '%s'", name, s);
	if (v < min || v > max)
		usage_error("%s: %llu is out of range %" PRIu64 "..%" PRIu64,
			    name, v, min, max);
	return v;
}

static double parse_seconds(const char *s)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end)
		usage_error("SECONDS: not a number: '%s'", s);
	/* Also rejects NaN. */
	if (!(v > 0 && v <= MAX_SECONDS))
		usage_error("SECONDS: %s is out of range (0, %.0f]", s,
			    MAX_SECONDS);
	return v;
}

static enum pattern parse_pattern(const char *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pattern_names); i++)
		if (!strcmp(s, pattern_names[i]))
			return i;
	usage_error("PATTERN: unknown '%s'", s);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	int i = 1, npos;

	o->tag = "";
	while (i < argc && argv[i][0] == '-' && argv[i][1] == '-') {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--help")) {
			print_usage(stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--json-tag")) {
			if (i + 1 >= argc)
				usage_error("--json-tag needs an argument");
			o->tag = argv[i + 1];
			i += 2;
		} else {
			usage_error("unknown option '%s'", argv[i]);
		}
	}

	npos = argc - i;
	if (npos != 5 && npos != 6)
		usage_error("expected 5 or 6 arguments, got %d", npos);
	o->device = argv[i];
	o->pattern = parse_pattern(argv[i + 1]);
	o->bs = parse_uint(argv[i + 2], "BS", 512, MAX_BS);
	if (o->bs % 512)
		usage_error("BS: %u is not a multiple of 512", o->bs);
	o->qd = parse_uint(argv[i + 3], "QD", 1, MAX_QD);
	o->seconds = parse_seconds(argv[i + 4]);
	o->span_mib = npos == 6 ?
		parse_uint(argv[i + 5], "SPAN_MIB", 1, UINT64_MAX / MIB) : 0;
}

/*
 * The size of DEVICE in bytes; for a block device, also check that BS is a
 * multiple of its logical block size (O_DIRECT would fail with EINVAL).
 */
static uint64_t device_size(int fd, const char *path, unsigned int bs)
{
	struct stat st;
	uint64_t size;
	int lbs;

	if (fstat(fd, &st))
		die("%s: fstat: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode))
		return st.st_size;
	if (!S_ISBLK(st.st_mode))
		die("%s: neither a block device nor a regular file", path);
	if (ioctl(fd, BLKGETSIZE64, &size))
		die("%s: BLKGETSIZE64: %s", path, strerror(errno));
	if (ioctl(fd, BLKSSZGET, &lbs))
		die("%s: BLKSSZGET: %s", path, strerror(errno));
	if (lbs <= 0 || bs % (unsigned int)lbs)
		die("%s: BS %u is not a multiple of the logical block size %d",
		    path, bs, lbs);
	return size;
}

/* The number of BS blocks in the span, which is clamped to the device. */
static uint64_t span_blocks(const struct options *o, uint64_t dev_size)
{
	uint64_t span = dev_size;

	if (o->span_mib) {
		span = o->span_mib * MIB;
		if (span > dev_size) {
			fprintf(stderr, PROG ": note: SPAN_MIB %" PRIu64
				" clamped to the device size (%" PRIu64
				" bytes)\n", o->span_mib, dev_size);
			span = dev_size;
		}
	}
	if (span < o->bs)
		die("%s: span of %" PRIu64 " bytes is smaller than BS %u",
		    o->device, span, o->bs);
	return span / o->bs;
}

/* xorshift64* (Vigna); the high bits are the good ones. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n) from the high bits of a 64-bit draw. */
static uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return (uint64_t)(((__uint128_t)rng_next(state) * n) >> 64);
}

static uint64_t next_offset(struct bench *b)
{
	uint64_t block;

	if (b->pattern == PATTERN_RANDREAD) {
		block = rng_below(&b->rng, b->nblocks);
	} else {
		block = b->next_block;
		b->next_block = block + 1 == b->nblocks ? 0 : block + 1;
	}
	return block * b->bs;
}

static unsigned int hist_index(uint64_t v)
{
	unsigned int msb, shift;

	if (v < HIST_SUB)
		return v;
	msb = 63 - __builtin_clzll(v);
	if (msb > HIST_MAX_MSB)
		return HIST_BUCKETS - 1;
	shift = msb - (HIST_SUB_BITS - 1);
	return HIST_SUB + (shift - 1) * HIST_HALF +
	       (unsigned int)((v >> shift) - HIST_HALF);
}

/* The middle of bucket @i, in ns. */
static double hist_bucket_value(unsigned int i)
{
	unsigned int k, shift;
	uint64_t low;

	if (i < HIST_SUB)
		return i;
	k = i - HIST_SUB;
	shift = k / HIST_HALF + 1;
	low = (uint64_t)(HIST_HALF + k % HIST_HALF) << shift;
	return low + (double)(1ULL << shift) / 2;
}

static void hist_record(struct histogram *h, uint64_t v)
{
	h->counts[hist_index(v)]++;
	h->n++;
	h->sum_ns += v;
	if (v > h->max_ns)
		h->max_ns = v;
}

/*
 * The percentile @permille / 10 in ns (nearest rank), as the middle of its
 * bucket but never above the maximum.
 */
static double hist_percentile(const struct histogram *h, unsigned int permille)
{
	uint64_t rank, seen = 0;
	unsigned int i;
	double v;

	rank = (h->n * permille + 999) / 1000;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}
	v = hist_bucket_value(i);
	return v < (double)h->max_ns ? v : (double)h->max_ns;
}

static void bench_init(struct bench *b, const struct options *o)
{
	uint64_t dev_size;
	unsigned int i;
	int ret;

	b->fd = open(o->device, O_RDONLY | O_DIRECT);
	if (b->fd < 0)
		die("%s: open O_RDONLY|O_DIRECT: %s", o->device,
		    strerror(errno));
	dev_size = device_size(b->fd, o->device, o->bs);
	b->pattern = o->pattern;
	b->bs = o->bs;
	b->qd = o->qd;
	b->nblocks = span_blocks(o, dev_size);
	b->next_block = 0;
	b->rng = RNG_SEED;

	b->slots = calloc(o->qd, sizeof(*b->slots));
	b->free_slots = calloc(o->qd, sizeof(*b->free_slots));
	if (!b->slots || !b->free_slots)
		die("out of memory for %u slots", o->qd);
	for (i = 0; i < o->qd; i++) {
		ret = posix_memalign(&b->slots[i].buf, BUF_ALIGN, o->bs);
		if (ret)
			die("posix_memalign(%d, %u): %s", BUF_ALIGN, o->bs,
			    strerror(ret));
		/* Fault the pages in now, not during the run. */
		memset(b->slots[i].buf, 0, o->bs);
		b->free_slots[i] = i;
	}
	b->nfree = o->qd;

	ret = io_uring_queue_init(o->qd, &b->ring, 0);
	if (ret < 0)
		die("io_uring_queue_init(%u): %s", o->qd, strerror(-ret));
}

static void bench_fini(struct bench *b)
{
	unsigned int i;

	io_uring_queue_exit(&b->ring);
	for (i = 0; i < b->qd; i++)
		free(b->slots[i].buf);
	free(b->slots);
	free(b->free_slots);
	close(b->fd);
}

/*
 * Queue a read into every free slot, submit them all and wait for at least
 * one completion.  The submission time is stamped after the SQEs are
 * prepared, just before io_uring_enter().
 */
static void submit_and_wait(struct bench *b)
{
	unsigned int i, n = b->nfree;
	struct io_uring_sqe *sqe;
	struct slot *s;
	uint64_t stamp;
	int ret;

	for (i = 0; i < n; i++) {
		s = &b->slots[b->free_slots[i]];
		sqe = io_uring_get_sqe(&b->ring);
		if (!sqe)
			die("io_uring submission queue unexpectedly full");
		s->offset = next_offset(b);
		io_uring_prep_read(sqe, b->fd, s->buf, b->bs, s->offset);
		io_uring_sqe_set_data64(sqe, b->free_slots[i]);
	}
	stamp = now_ns();
	for (i = 0; i < n; i++)
		b->slots[b->free_slots[i]].submit_ns = stamp;
	b->nfree = 0;

	do {
		ret = io_uring_submit_and_wait(&b->ring, 1);
	} while (ret == -EINTR);
	if (ret < 0)
		die("io_uring_submit_and_wait: %s", strerror(-ret));
	if ((unsigned int)ret != n)
		die("io_uring_submit_and_wait: submitted %d of %u reads", ret,
		    n);
}

/* Check a completion, free its slot and return the slot. */
static struct slot *complete(struct bench *b, const struct io_uring_cqe *cqe)
{
	uint64_t idx = io_uring_cqe_get_data64(cqe);
	struct slot *s;

	if (idx >= b->qd)
		die("completion with bad user_data %" PRIu64, idx);
	s = &b->slots[idx];
	if (cqe->res < 0)
		die("read of %u bytes at offset %" PRIu64 " failed: %s",
		    b->bs, s->offset, strerror(-cqe->res));
	if ((unsigned int)cqe->res != b->bs)
		die("short read at offset %" PRIu64 ": %d of %u bytes",
		    s->offset, cqe->res, b->bs);
	b->free_slots[b->nfree++] = idx;
	return s;
}

/*
 * Reap every completion available, reaped at time @ts; record their
 * latencies in @hist unless it is NULL.
 */
static void reap(struct bench *b, struct histogram *hist, uint64_t ts)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	struct slot *s;

	io_uring_for_each_cqe(&b->ring, head, cqe) {
		s = complete(b, cqe);
		if (hist)
			hist_record(hist, ts - s->submit_ns);
		n++;
	}
	io_uring_cq_advance(&b->ring, n);
}

/* Wait for the reads still in flight; they are checked, not counted. */
static void drain(struct bench *b)
{
	struct io_uring_cqe *cqe;
	int ret;

	while (b->nfree < b->qd) {
		ret = io_uring_wait_cqe(&b->ring, &cqe);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			die("io_uring_wait_cqe: %s", strerror(-ret));
		complete(b, cqe);
		io_uring_cqe_seen(&b->ring, cqe);
	}
}

static void run(struct bench *b, double seconds, struct result *r)
{
	uint64_t duration_ns = (uint64_t)(seconds * NSEC_PER_SEC + 0.5);
	uint64_t warmup_ns = duration_ns / 5;
	uint64_t t0, warm_end, last, ts, open = 0;
	bool measuring = false;

	if (warmup_ns > MAX_WARMUP_NS)
		warmup_ns = MAX_WARMUP_NS;
	t0 = now_ns();
	warm_end = t0 + warmup_ns;
	last = t0;
	for (;;) {
		submit_and_wait(b);
		ts = now_ns();
		if (!measuring && ts >= warm_end) {
			measuring = true;
			open = last;
		}
		reap(b, measuring ? &r->hist : NULL, ts);
		/* A wait cut short by a signal may have reaped nothing. */
		if (measuring && ts - open >= duration_ns && r->hist.n)
			break;
		last = ts;
	}
	r->window_ns = ts - open;
	drain(b);
}

/* @s as a JSON string literal. */
static void print_json_string(const char *s)
{
	unsigned char c;

	putchar('"');
	for (; (c = *s); s++) {
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The latency distribution printed for CDF plots, in permille. */
static const unsigned int cdf_permille[] = {
	10, 50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950, 990, 999,
};

static void print_result(const struct options *o, const struct result *r)
{
	const struct histogram *h = &r->hist;
	unsigned int i;
	double secs = (double)r->window_ns / NSEC_PER_SEC;
	double iops = h->n / secs;

	printf("{\"tag\":");
	print_json_string(o->tag);
	printf(",\"device\":");
	print_json_string(o->device);
	printf(",\"pattern\":\"%s\",\"bs\":%u,\"qd\":%u,\"seconds\":%.3f,"
	       "\"ios\":%" PRIu64 ",\"iops\":%.1f,\"mib_s\":%.2f,",
	       pattern_names[o->pattern], o->bs, o->qd, secs, h->n, iops,
	       iops * o->bs / MIB);
	printf("\"lat_us\":{\"mean\":%.2f,\"p50\":%.2f,\"p99\":%.2f,"
	       "\"p999\":%.2f,\"max\":%.2f},\"cdf_us\":[",
	       (double)h->sum_ns / h->n / 1000,
	       hist_percentile(h, 500) / 1000, hist_percentile(h, 990) / 1000,
	       hist_percentile(h, 999) / 1000, (double)h->max_ns / 1000);
	for (i = 0; i < ARRAY_SIZE(cdf_permille); i++)
		printf("%s[%.3f,%.2f]", i ? "," : "", cdf_permille[i] / 1000.0,
		       hist_percentile(h, cdf_permille[i]) / 1000);
	printf("],\"errors\":0}\n");
	if (fflush(stdout) || ferror(stdout))
		die("writing the result: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	static struct result result;
	struct options opts;
	struct bench bench;

	parse_args(argc, argv, &opts);
	bench_init(&bench, &opts);
	run(&bench, opts.seconds, &result);
	bench_fini(&bench);
	print_result(&opts, &result);
	return 0;
}
