// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test environment for the XDP program (see xdp_env.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gw_xdp.skel.h"
#include "test_progs.h"
#include "xdp_env.h"

static const char *const net_cmds[] = {
	"ip link set lo up",
	"ip link add gwt-in address " MAC_GW_IN " type veth peer name gwt-in-p address " MAC_CLIENT,
	"ip link add gwt-be address " MAC_GW_BE " type veth peer name gwt-be-p address " MAC_BACKEND,
	"ip link add gwt-mtu address 02:00:00:00:02:01 mtu 1280 type veth peer name gwt-mtu-p "
	"address " MAC_MTU_BACKEND " mtu 1280",
	"for i in gwt-in gwt-in-p gwt-be gwt-be-p gwt-mtu gwt-mtu-p; do ip link set $i up; done",
	"ip addr add 10.0.0.1/24 dev gwt-in && ip addr add fd00::1/64 dev gwt-in nodad",
	"ip addr add 10.1.0.1/24 dev gwt-be && ip addr add fd01::1/64 dev gwt-be nodad",
	"ip addr add 10.2.0.1/24 dev gwt-mtu && ip addr add fd02::1/64 dev gwt-mtu nodad",
	"ip neigh add 10.0.0.2 lladdr " MAC_CLIENT " dev gwt-in nud permanent",
	"ip neigh add fd00::2 lladdr " MAC_CLIENT " dev gwt-in nud permanent",
	"ip neigh add 10.1.0.2 lladdr " MAC_BACKEND " dev gwt-be nud permanent",
	"ip neigh add fd01::2 lladdr " MAC_BACKEND " dev gwt-be nud permanent",
	"ip neigh add 10.2.0.2 lladdr " MAC_MTU_BACKEND " dev gwt-mtu nud permanent",
	"ip neigh add fd02::2 lladdr " MAC_MTU_BACKEND " dev gwt-mtu nud permanent",
	"ip route add blackhole 10.3.0.0/24 && ip -6 route add blackhole fd03::/64",
	"echo 1 > /proc/sys/net/ipv4/ip_forward",
	"echo 1 > /proc/sys/net/ipv6/conf/all/forwarding",
};

int xdp_env_net(struct xdp_env *e)
{
	static bool built;

	if (!built) {
		for (size_t i = 0; i < sizeof(net_cmds) / sizeof(net_cmds[0]); i++) {
			char cmd[512];

			snprintf(cmd, sizeof(cmd), "{ %s; } >/dev/null 2>&1", net_cmds[i]);
			if (system(cmd)) {
				printf("# network setup failed: %s\n", net_cmds[i]);
				return -1;
			}
		}
		built = true;
	}
	e->if_in = (int)if_nametoindex("gwt-in");
	e->if_be = (int)if_nametoindex("gwt-be");
	e->if_mtu = (int)if_nametoindex("gwt-mtu");
	return e->if_in && e->if_be && e->if_mtu ? 0 : -1;
}

int xdp_env_open(struct xdp_env *e)
{
	struct bpf_map *map;
	int err;

	memset(&e->m, 0, sizeof(e->m));
	e->skel = gw_xdp__open();
	if (!e->skel)
		return -errno;
	/* the production object pins by name; tests keep their maps private */
	bpf_object__for_each_map(map, e->skel->obj)
		bpf_map__set_pin_path(map, NULL);
	err = gw_xdp__load(e->skel);
	if (err)
		return err;
	XDP_ENV_MAPS(e, e->skel);
	return 0;
}

void xdp_env_close(struct xdp_env *e)
{
	gw_xdp_model_free(&e->m);
	gw_xdp__destroy(e->skel);
	e->skel = NULL;
}

static void *grow(void *v, size_t *n, size_t sz)
{
	void **pv = v;
	char *p = realloc(*pv, (*n + 1) * sz);

	if (!p)
		return NULL;
	*pv = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

int seed_gateway(struct gw_xdp_model *m, const char *name, const char *addrs, bool snat)
{
	struct gw_xdp_gateway *g = grow(&m->gateways, &m->ngateways, sizeof(*g));
	char buf[512], *save = NULL, *tok;

	if (!g)
		return -1;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->snat = snat;
	snprintf(buf, sizeof(buf), "%s", addrs);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		g->addrs = realloc(g->addrs, (g->naddrs + 1) * sizeof(*g->addrs));
		g->fams = realloc(g->fams, g->naddrs + 1);
		if (!g->addrs || !g->fams || gw_xdp_addr_parse(tok, &g->addrs[g->naddrs],
							       &g->fams[g->naddrs]))
			return -1;
		g->naddrs++;
	}
	return (int)m->ngateways - 1;
}

int seed_route(struct gw_xdp_model *m, const char *name, uint8_t family, const char *eps)
{
	struct gw_xdp_route *r = grow(&m->routes, &m->nroutes, sizeof(*r));
	char *buf = strdup(eps), *save = NULL, *tok;
	struct gw_maglev_ep *me;

	if (!r || !buf) {
		free(buf);
		return -1;
	}
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->family = family;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		struct gw_xdp_ep *x = grow(&r->eps, &r->neps, sizeof(*x));
		char *eq = strrchr(tok, '='), *colon;

		if (!x || !eq) {
			free(buf);
			return -1;
		}
		*eq = '\0';
		x->weight = strtoull(eq + 1, NULL, 10) << 20;
		snprintf(x->key, sizeof(x->key), "%s", tok);
		x->family = family;
		if (!strcmp(tok, "reject")) {
			x->reject = true;
			continue;
		}
		colon = strrchr(tok, ':');
		if (!colon) {
			free(buf);
			return -1;
		}
		*colon = '\0';
		x->port = (uint16_t)atoi(colon + 1);
		if (tok[0] == '[') {
			tok++;
			tok[strlen(tok) - 1] = '\0';
		}
		if (gw_xdp_addr_parse(tok, &x->addr, &x->family) || x->family != family) {
			free(buf);
			return -1;
		}
	}
	free(buf);
	if (!r->neps)
		return (int)m->nroutes - 1;	/* no backend: no table */
	me = calloc(r->neps, sizeof(*me));
	r->size = gw_maglev_size(r->neps);
	r->table = calloc(r->size, sizeof(*r->table));
	if (!me || !r->table)
		return -1;
	for (size_t i = 0; i < r->neps; i++) {
		me[i].key = r->eps[i].key;
		me[i].weight = r->eps[i].weight;
	}
	if (gw_maglev_fill(me, r->neps, r->size, r->table)) {
		free(me);
		return -1;
	}
	free(me);
	return (int)m->nroutes - 1;
}

int seed_listener(struct gw_xdp_model *m, int gw, const char *name, uint8_t proto, uint16_t port,
		  uint8_t action, int route4, int route6)
{
	struct gw_xdp_listener *l = grow(&m->listeners, &m->nlisteners, sizeof(*l));

	if (!l)
		return -1;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->gateway = (size_t)gw;
	l->proto = proto;
	l->port = port;
	l->action = action;
	l->route4 = route4;
	l->route6 = route6;
	return (int)m->nlisteners - 1;
}

int seed_sync(struct xdp_env *e)
{
	return seed_sync_rate(e, 1000000);
}

int seed_sync_rate(struct xdp_env *e, uint32_t icmp_rate)
{
	static const char *const names[] = { "gwt-in", "gwt-be", "gwt-mtu" };
	struct gw_xdp_iface ifs[3];
	struct gw_xdp_sync_opts o = { .pin_dir = "/test", .icmp_rate = icmp_rate, .ifaces = ifs,
				      .nifaces = 3, .local_port_min = 32768, .local_port_max = 60999 };
	bool changed;
	int err;

	if ((err = gw_xdp_ifaces_lookup(names, 3, ifs)))
		return err;
	/* the SNAT source per egress interface, as gw_xdp_attach_all() records it */
	for (int i = 0; i < 3; i++) {
		struct gw_iface v = { 0 };

		for (size_t a = 0; a < ifs[i].naddrs; a++) {
			if (ifs[i].fams[a] == GW_FAM_V4 && !v.snat4)
				v.snat4 = ifs[i].addrs[a].v4;
			else if (ifs[i].fams[a] == GW_FAM_V6 && !v.snat6[0])
				memcpy(v.snat6, ifs[i].addrs[a].v6, 16);
		}
		snprintf(v.name, sizeof(v.name), "%s", names[i]);
		if (bpf_map_update_elem(e->maps.ifaces, &ifs[i].ifindex, &v, BPF_ANY))
			return -errno;
	}
	return gw_xdp_sync(&e->maps, &e->m, &o, &changed);
}

int run_xdp(struct xdp_env *e, const struct pkt *p, int ifindex, uint8_t *out, size_t *outlen)
{
	struct xdp_md ctx_in = { .data_end = (__u32)p->len, .ingress_ifindex = (__u32)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->buf, .data_size_in = (__u32)p->len,
		    .data_out = out, .data_size_out = PKT_MAX, .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .repeat = 1);
	int err = bpf_prog_test_run_opts(e->prog_fd, &opts);

	if (err) {
		printf("# BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		return -1;
	}
	*outlen = opts.data_size_out;
	return (int)opts.retval;
}

static uint64_t percpu_field(int fd, uint32_t idx, size_t vsize, int f)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *v = calloc((size_t)ncpus, vsize), sum = 0;

	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(fd, &idx, v))
		for (int c = 0; c < ncpus; c++)
			sum += v[c * (vsize / 8) + (size_t)f];
	free(v);
	return sum;
}

uint64_t counter(int map_fd, uint32_t idx)
{
	return percpu_field(map_fd, idx, sizeof(struct gw_counter), 0);
}

uint64_t traffic(int map_fd, uint32_t idx, int f)
{
	return percpu_field(map_fd, idx, sizeof(struct gw_traffic), f);
}
