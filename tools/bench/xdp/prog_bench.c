// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns per packet of gw_xdp_ingress for each verdict, from BPF_PROG_TEST_RUN
 * with repeat (the kernel times the loop; no syscall in the number). Runs
 * in a private network namespace with the tests' topology, so FIB lookups
 * and redirects are real. Not a test: numbers vary with the machine.
 *
 *   sudo .output/bench/xdp_prog_bench [-r ROUNDS] [-n REPEAT]
 *   sudo .output/bench/xdp_prog_bench -m ROUTES -e ENDPOINTS
 *
 * The second form reports the memory of the maps (kernel memlock) and the
 * time a load takes for ROUTES TCPRoutes of ENDPOINTS endpoints each.
 *
 * Prints the median and the spread (min..max) over the rounds.
 *
 * With repeat, the kernel runs the program again on the same buffer: a
 * verdict that rewrites the packet (steer, reverse NAT, ICMP) would see
 * its own output from the second run on. Those are timed with repeat=1
 * per call instead (each call starts from the original bytes), many
 * calls, minus the per-call timer overhead: the repeat=1 time of a passed
 * packet minus its repeat=N time. New flows likewise, over distinct
 * packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gw_xdp.skel.h"
#include "lib/pkt.h"
#include "lib/xdp_env.h"

#define VIP4 "192.0.2.1"
#define VIP6 "2001:db8::1"

static int rounds = 7;
static unsigned int repeat = 1000000;

static void tcp(struct pkt *p, bool from_be, const char *src, const char *dst, uint16_t sport,
		uint16_t dport, uint8_t flags, size_t payload)
{
	pkt_init(p);
	if (from_be)
		pkt_push_eth(p, MAC_GW_BE, MAC_BACKEND);
	else
		pkt_push_eth(p, MAC_GW_IN, MAC_CLIENT);
	if (strchr(src, ':'))
		pkt_push_ipv6(p, src, dst, IPPROTO_TCP, 64);
	else
		pkt_push_ipv4(p, src, dst, IPPROTO_TCP, 64, 0x4000, NULL, 0);
	pkt_push_tcp(p, sport, dport, flags);
	pkt_push_fill(p, payload);
	pkt_finish(p);
}

/* Average ns per run of one call with this repeat (kernel-timed), or -1. */
static double timed(struct xdp_env *e, const struct pkt *p, int ifindex, unsigned int rep,
		    int *ret)
{
	struct xdp_md ctx = { .data_end = (__u32)p->len, .ingress_ifindex = (__u32)ifindex };
	static uint8_t out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf, .data_size_in = (__u32)p->len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = rep);

	if (bpf_prog_test_run_opts(e->prog_fd, &o))
		return -1;
	*ret = (int)o.retval;
	return o.duration;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, double *v, int n, int ret)
{
	static const char *const verdicts[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	printf("%-34s %-9s %8.1f %8.1f %8.1f\n", name, ret >= 0 && ret <= 4 ? verdicts[ret] : "?",
	       v[n / 2], v[0], v[n - 1]);
}

/* Packets that leave the buffer as it was (pass, drop): the kernel's repeat loop. */
static void bench(struct xdp_env *e, const char *name, const struct pkt *p, int ifindex)
{
	double v[64];
	int ret = -1;

	for (int r = 0; r < rounds; r++)
		v[r] = timed(e, p, ifindex, repeat, &ret);
	report(name, v, rounds, ret);
}

#define CALLS 20000

/* Timer and call overhead in a repeat=1 measurement, per round. */
static double overhead[64];

static void calibrate(struct xdp_env *e)
{
	struct pkt q;
	int ret;

	tcp(&q, false, "10.0.0.2", "10.9.9.9", 40000, 22, 0x10, 64);
	for (int r = 0; r < rounds; r++) {
		double one = 0;

		for (int i = 0; i < CALLS; i++)
			one += timed(e, &q, e->if_in, 1, &ret);
		overhead[r] = one / CALLS - timed(e, &q, e->if_in, repeat, &ret);
	}
}

/* Packets the program rewrites: repeat=1 per call, overhead subtracted. */
static void bench_rewrite(struct xdp_env *e, const char *name, const struct pkt *p, int ifindex)
{
	double v[64];
	int ret = -1;

	timed(e, p, ifindex, 1, &ret);	/* creates the flow, if it is one */
	for (int r = 0; r < rounds; r++) {
		double sum = 0;

		for (int i = 0; i < CALLS; i++)
			sum += timed(e, p, ifindex, 1, &ret);
		v[r] = sum / CALLS - overhead[r];
	}
	report(name, v, rounds, ret);
}

/* New flows: a distinct SYN per call. */
static void bench_new_flows(struct xdp_env *e, bool v6)
{
	double v[64];
	struct pkt p;
	char src[64];
	int ret = -1;

	for (int r = 0; r < rounds; r++) {
		double sum = 0;

		for (int i = 0; i < CALLS; i++) {
			if (v6)
				snprintf(src, sizeof(src), "fd00::%x:%x", r + 1, i + 1);
			else
				snprintf(src, sizeof(src), "10.%d.%d.%d", 100 + r, i / 250, i % 250 + 1);
			tcp(&p, false, src, v6 ? VIP6 : VIP4, (uint16_t)(10000 + i % 50000), 80, 0x02, 0);
			sum += timed(e, &p, e->if_in, 1, &ret);
		}
		v[r] = sum / CALLS - overhead[r];
	}
	report(v6 ? "steer: new flow (SYN), IPv6" : "steer: new flow (SYN), IPv4", v, rounds, ret);
}

static uint64_t memlock(int fd)
{
	char path[64], line[256];
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Map memory and load time for nroutes routes of neps endpoints each. */
static int memory_report(struct xdp_env *e, int nroutes, int neps)
{
	struct gw_xdp_model *m = &e->m;
	char *eps = malloc((size_t)neps * 32);
	uint64_t total = 0, tables = 0;
	struct bpf_map *map;
	double t0, t1;
	int g, err;

	if (!eps)
		return -1;
	g = seed_gateway(m, "bench/g", "192.0.2.1", false);
	for (int r = 0; r < nroutes; r++) {
		char name[64];
		size_t o = 0;
		int ri;

		for (int k = 0; k < neps; k++)
			o += (size_t)snprintf(eps + o, 32, "%s10.%d.%d.%d:8080=1", k ? " " : "",
					      100 + (r * neps + k) / 65536, (r * neps + k) / 256 % 256,
					      (r * neps + k) % 256);
		snprintf(name, sizeof(name), "TCPRoute bench/r%d IPv4", r);
		ri = seed_route(m, name, 4, eps);
		snprintf(name, sizeof(name), "bench/g/l%d", r);
		if (ri < 0 || seed_listener(m, g, name, IPPROTO_TCP, (uint16_t)(10000 + r),
					    GW_ACT_STEER, ri, -1) < 0) {
			free(eps);
			return -1;
		}
	}
	free(eps);
	t0 = now_s();
	err = seed_sync(e);
	t1 = now_s();
	if (err) {
		fprintf(stderr, "sync failed: %s\n", strerror(-err));
		return -1;
	}
	printf("# %d routes x %d endpoints: first load (tables written, generation switched) "
	       "%.2f s\n", nroutes, neps, t1 - t0);
	printf("%-16s %12s %14s\n", "map", "max_entries", "memlock bytes");
	bpf_object__for_each_map(map, e->skel->obj) {
		uint64_t b = memlock(bpf_map__fd(map));

		total += b;
		printf("%-16s %12u %14lu\n", bpf_map__name(map), bpf_map__max_entries(map),
		       (unsigned long)b);
	}
	/* the Maglev tables are inner maps, reachable through gw_maglev */
	for (uint32_t slot = 0; slot < GW_GENS * GW_MAX_ROUTES; slot++) {
		__u32 id;
		int fd;

		if (bpf_map_lookup_elem(e->maps.maglev, &slot, &id))
			continue;
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		tables += memlock(fd);
		close(fd);
	}
	printf("%-16s %12s %14lu   (%d Maglev tables of %u slots)\n", "maglev tables", "",
	       (unsigned long)tables, nroutes, m->routes[0].size);
	printf("%-16s %12s %14lu   (%.1f MiB)\n", "total", "", (unsigned long)(total + tables),
	       (total + tables) / 1048576.0);
	/* a reload with one endpoint changed: only its table is rewritten */
	m->routes[0].eps[0].port = 8081;
	snprintf(m->routes[0].eps[0].key, sizeof(m->routes[0].eps[0].key), "%s", "10.100.0.0:8081");
	t0 = now_s();
	err = seed_sync(e);
	t1 = now_s();
	printf("# reload with one endpoint changed: %.2f s (%s)\n", t1 - t0, err ? "failed" : "ok");
	return err ? -1 : 0;
}

static int seed(struct xdp_env *e)
{
	struct gw_xdp_model *m = &e->m;
	int g = seed_gateway(m, "infra/g", VIP4 " " VIP6, false);
	int s = seed_gateway(m, "infra/s", "192.0.2.2", true);
	int t4 = seed_route(m, "tcp v4", 4, "10.1.0.2:8080=1");
	int t6 = seed_route(m, "tcp v6", 6, "[fd01::2]:8080=1");
	int nn = seed_route(m, "noneigh", 4, "10.1.0.3:8080=1");

	seed_listener(m, g, "tcp", IPPROTO_TCP, 80, GW_ACT_STEER, t4, t6);
	seed_listener(m, g, "https", IPPROTO_TCP, 443, GW_ACT_PASS, -1, -1);
	seed_listener(m, g, "closed", IPPROTO_TCP, 81, GW_ACT_REJECT, -1, -1);
	seed_listener(m, g, "noneigh", IPPROTO_TCP, 83, GW_ACT_STEER, nn, -1);
	seed_listener(m, s, "snat", IPPROTO_TCP, 80, GW_ACT_STEER, t4, -1);
	return seed_sync_rate(e, 2000000000U);
}

int main(int argc, char **argv)
{
	struct xdp_env e = { 0 };
	struct pkt p;
	cpu_set_t cpus;
	int opt, mroutes = 0, meps = 0;

	while ((opt = getopt(argc, argv, "r:n:m:e:")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'n')
			repeat = (unsigned int)strtoul(optarg, NULL, 10);
		else if (opt == 'm')
			mroutes = atoi(optarg);
		else if (opt == 'e')
			meps = atoi(optarg);
		else
			return 2;
	}
	if (rounds < 1 || rounds > 64 || !repeat) {
		fprintf(stderr, "usage: %s [-r ROUNDS (1..64)] [-n REPEAT]\n", argv[0]);
		return 2;
	}
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		fprintf(stderr, "xdp_prog_bench: cannot create a private namespace (root?): %s\n",
			strerror(errno));
		return 1;
	}
	/* one CPU, so per-CPU state and caches are those of a steady flow */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (mroutes > 0 && meps > 0) {
		if (xdp_env_net(&e) || xdp_env_open(&e)) {
			fprintf(stderr, "xdp_prog_bench: setup failed\n");
			return 1;
		}
		opt = memory_report(&e, mroutes, meps);
		if (opt)
			fprintf(stderr, "xdp_prog_bench: building or loading the tables failed\n");
		xdp_env_close(&e);
		return opt ? 1 : 0;
	}
	if (xdp_env_net(&e) || xdp_env_open(&e) || seed(&e)) {
		fprintf(stderr, "xdp_prog_bench: setup failed\n");
		return 1;
	}
	printf("# gw_xdp_ingress, BPF_PROG_TEST_RUN repeat=%u, %d rounds: ns/packet median min max\n",
	       repeat, rounds);
	printf("%-34s %-9s %8s %8s %8s\n", "case", "verdict", "median", "min", "max");
	tcp(&p, false, "10.0.0.2", "10.9.9.9", 40000, 22, 0x10, 64);
	bench(&e, "pass: not a Gateway address", &p, e.if_in);
	tcp(&p, false, "10.0.0.2", VIP4, 40000, 9999, 0x02, 0);
	bench(&e, "drop: no listener", &p, e.if_in);
	tcp(&p, false, "10.0.0.2", VIP4, 40000, 443, 0x10, 64);
	bench(&e, "pass: L7 listener", &p, e.if_in);
	calibrate(&e);
	tcp(&p, false, "10.0.0.2", VIP4, 40000, 81, 0x02, 0);
	bench_rewrite(&e, "reject: ICMP unreachable", &p, e.if_in);
	/* established: the first call creates the flow, the rest hit conntrack */
	tcp(&p, false, "10.0.0.2", VIP4, 40001, 80, 0x10, 64);
	bench_rewrite(&e, "steer: established, IPv4", &p, e.if_in);
	tcp(&p, true, "10.1.0.2", "10.0.0.2", 8080, 40001, 0x10, 64);
	bench_rewrite(&e, "reverse NAT: reply, IPv4", &p, e.if_be);
	tcp(&p, false, "fd00::2", VIP6, 40001, 80, 0x10, 64);
	bench_rewrite(&e, "steer: established, IPv6", &p, e.if_in);
	tcp(&p, true, "fd01::2", "fd00::2", 8080, 40001, 0x10, 64);
	bench_rewrite(&e, "reverse NAT: reply, IPv6", &p, e.if_be);
	tcp(&p, false, "10.0.0.2", "192.0.2.2", 40002, 80, 0x10, 64);
	bench_rewrite(&e, "steer: established, SNAT", &p, e.if_in);
	tcp(&p, false, "10.0.0.2", VIP4, 40003, 83, 0x10, 64);
	bench_rewrite(&e, "steer: neighbour unresolved (pass)", &p, e.if_in);
	bench_new_flows(&e, false);
	bench_new_flows(&e, true);
	{
		double o[64];

		memcpy(o, overhead, sizeof(o));
		qsort(o, (size_t)rounds, sizeof(*o), cmp_d);
		printf("# repeat=1 call overhead subtracted: median %.1f ns\n", o[rounds / 2]);
	}
	xdp_env_close(&e);
	return 0;
}
