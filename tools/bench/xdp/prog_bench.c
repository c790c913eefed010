// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ns per packet of gw_xdp_ingress for each verdict, from BPF_PROG_TEST_RUN
 * with repeat (the kernel times the loop; no syscall in the number). Runs
 * in a private network namespace with the tests' topology, so FIB lookups
 * and redirects are real. Not a test: numbers vary with the machine.
 *
 *   sudo .output/bench/xdp_prog_bench [-r ROUNDS] [-n REPEAT]
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
	int opt;

	while ((opt = getopt(argc, argv, "r:n:")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'n')
			repeat = (unsigned int)strtoul(optarg, NULL, 10);
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
