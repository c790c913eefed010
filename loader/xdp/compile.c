// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resolved configuration -> XDP model: which addresses are Gateway
 * addresses, what each (address, port, protocol) does, and for L4 routes
 * the weighted endpoint set and its Maglev table. Pure: no BPF, no
 * syscalls, so tests/unit/xdp can check every rule without root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config/model.h"
#include "xdp.h"

/*
 * Weights are per backendRef (Gateway API: 0..1,000,000) and split evenly
 * over its endpoints; scaling keeps that split exact enough in integers.
 */
#define WEIGHT_SCALE (1ULL << 20)

#define SNAT_ANNOTATION "xdpgw.io/l4-nat"

const char *gw_xdp_addr_str(const union gw_ip *a, uint8_t family, char *buf, size_t len)
{
	if (!inet_ntop(family == GW_FAM_V4 ? AF_INET : AF_INET6, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

int gw_xdp_addr_parse(const char *s, union gw_ip *a, uint8_t *family)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1) {
		*family = GW_FAM_V4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->v6) == 1) {
		*family = GW_FAM_V6;
		return 0;
	}
	return -EINVAL;
}

void gw_xdp_model_free(struct gw_xdp_model *m)
{
	for (size_t i = 0; i < m->ngateways; i++) {
		free(m->gateways[i].addrs);
		free(m->gateways[i].fams);
	}
	for (size_t i = 0; i < m->nroutes; i++)
		gw_l4_route_free(&m->routes[i]);
	free(m->gateways);
	free(m->listeners);
	free(m->routes);
	memset(m, 0, sizeof(*m));
}

bool gw_xdp_model_has(const struct gw_xdp_model *m, const void *l)
{
	for (size_t i = 0; i < m->nlisteners; i++)
		if (m->listeners[i].src == l)
			return m->gateways[m->listeners[i].gateway].naddrs > 0;
	return false;
}

/* Grows *v (of *n elements of size sz) by one zeroed element; returns it or NULL. */
static void *push(void *v, size_t *n, size_t sz)
{
	void **pv = v;
	char *p = realloc(*pv, (*n + 1) * sz);

	if (!p)
		return NULL;
	*pv = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

static int cmp_ep(const void *a, const void *b)
{
	return strcmp(((const struct gw_xdp_ep *)a)->key, ((const struct gw_xdp_ep *)b)->key);
}

/* Adds weight to the endpoint with this key, creating it. */
static int add_ep(struct gw_xdp_route *r, const union gw_ip *addr, uint8_t fam, uint16_t port,
		  bool reject, uint64_t weight)
{
	char key[64], abuf[INET6_ADDRSTRLEN];
	struct gw_xdp_ep *e;

	if (reject)
		snprintf(key, sizeof(key), "reject");
	else if (fam == GW_FAM_V4)
		snprintf(key, sizeof(key), "%s:%u", gw_xdp_addr_str(addr, fam, abuf, sizeof(abuf)),
			 port);
	else
		snprintf(key, sizeof(key), "[%s]:%u",
			 gw_xdp_addr_str(addr, fam, abuf, sizeof(abuf)), port);
	for (size_t i = 0; i < r->neps; i++) {
		if (!strcmp(r->eps[i].key, key)) {
			r->eps[i].weight += weight;
			return 0;
		}
	}
	e = push(&r->eps, &r->neps, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (addr)
		e->addr = *addr;
	e->port = port;
	e->family = fam;
	e->reject = reject;
	e->weight = weight;
	snprintf(e->key, sizeof(e->key), "%s", key);
	return 0;
}

void gw_l4_route_free(struct gw_xdp_route *r)
{
	free(r->eps);
	free(r->table);
	r->eps = NULL;
	r->table = NULL;
	r->neps = 0;
	r->size = 0;
}

/*
 * The endpoints of route ro for one family (gwd builds its userspace L4
 * tables with this too). A backendRef that cannot be
 * used (unresolved, or no ready endpoint of this family) keeps its share
 * of the weight as "reject": Gateway API asks that connections to an
 * invalid backendRef be refused, in proportion, not spread over the rest.
 */
int gw_l4_route_compile(const struct gw_route *ro, uint8_t fam, struct gw_xdp_route *r)
{
	uint64_t rejected = 0;
	size_t real = 0;
	int err;

	snprintf(r->name, sizeof(r->name), "%s %s/%s %s", ro->obj->ki->kind, ro->obj->ns,
		 ro->obj->name, fam == GW_FAM_V4 ? "IPv4" : "IPv6");
	r->family = fam;
	for (int ri = 0; ri < ro->nrules; ri++) {
		const struct gw_rule *rule = &ro->rules[ri];

		for (int bi = 0; bi < rule->nbackends; bi++) {
			const struct gw_backend *b = &rule->backends[bi];
			uint64_t w = (uint64_t)(b->weight > 0 ? b->weight : 0) * WEIGHT_SCALE;
			size_t usable = 0;

			if (!w)
				continue;
			for (int e = 0; !b->reason && e < b->neps; e++)
				usable += (b->eps[e].family == AF_INET ? GW_FAM_V4 : GW_FAM_V6) == fam;
			if (!usable) {
				rejected += w;
				continue;
			}
			for (int e = 0; e < b->neps; e++) {
				union gw_ip a;
				uint8_t f;

				if (gw_xdp_addr_parse(b->eps[e].addr, &a, &f) || f != fam ||
				    b->eps[e].port <= 0 || b->eps[e].port > 65535)
					continue;
				err = add_ep(r, &a, f, (uint16_t)b->eps[e].port, false, w / usable);
				if (err)
					return err;
				real++;
			}
		}
	}
	if (!real)
		return 0;	/* no usable backend: the route refuses every new flow */
	if (rejected && (err = add_ep(r, NULL, fam, 0, true, rejected)))
		return err;
	qsort(r->eps, r->neps, sizeof(*r->eps), cmp_ep);
	{
		struct gw_maglev_ep *me = calloc(r->neps, sizeof(*me));

		if (!me)
			return -ENOMEM;
		for (size_t i = 0; i < r->neps; i++) {
			me[i].key = r->eps[i].key;
			me[i].weight = r->eps[i].weight;
		}
		r->size = gw_maglev_size(r->neps);
		r->table = calloc(r->size, sizeof(*r->table));
		err = r->table ? gw_maglev_fill(me, r->neps, r->size, r->table) : -ENOMEM;
		free(me);
		if (err)
			return err;
	}
	return 0;
}

/* Route index for (ro, fam), compiling it the first time. */
static int route_for(struct gw_xdp_model *m, const struct gw_route *ro, uint8_t fam,
		     const struct gw_route **srcs, int *idx)
{
	struct gw_xdp_route *r;
	int err;

	for (size_t i = 0; i < m->nroutes; i++) {
		if (srcs[i] == ro && m->routes[i].family == fam) {
			*idx = (int)i;
			return 0;
		}
	}
	r = push(&m->routes, &m->nroutes, sizeof(*r));
	if (!r)
		return -ENOMEM;
	srcs[m->nroutes - 1] = ro;
	*idx = (int)(m->nroutes - 1);
	err = gw_l4_route_compile(ro, fam, r);
	if (err)
		fprintf(stderr, "gwctl: XDP: cannot build the Maglev table of %s: %s\n", r->name,
			strerror(-err));
	return err;
}

static int add_addr(struct gw_xdp_gateway *g, const union gw_ip *a, uint8_t fam)
{
	void *p;

	for (size_t i = 0; i < g->naddrs; i++)
		if (g->fams[i] == fam && !memcmp(&g->addrs[i], a, sizeof(*a)))
			return 0;
	p = realloc(g->addrs, (g->naddrs + 1) * sizeof(*g->addrs));
	if (!p)
		return -ENOMEM;
	g->addrs = p;
	p = realloc(g->fams, (g->naddrs + 1) * sizeof(*g->fams));
	if (!p)
		return -ENOMEM;
	g->fams = p;
	g->addrs[g->naddrs] = *a;
	g->fams[g->naddrs++] = fam;
	return 0;
}

/* The route kind that may steer a listener of protocol proto. */
static enum gw_kind l4_kind(enum gw_proto proto)
{
	return proto == GW_PROTO_UDP ? GW_K_UDPROUTE : GW_K_TCPROUTE;
}

const struct gw_route *gw_l4_route_of(const struct gw_listener *l)
{
	for (const struct gw_attachment *a = l->attachments; a; a = a->next)
		if (a->route && a->route->obj->ki->id == l4_kind(l->proto))
			return a->route;
	return NULL;
}

static int compile_gateway(struct gw_xdp_model *m, const struct gw_obj *o,
			   const struct gw_xdp_iface *ifaces, size_t nifaces,
			   const struct gw_route ***srcs, size_t *srccap)
{
	const struct gw_gateway *gw = o->u.gw;
	struct gw_yval *ann = gw_yget(o->meta, "annotations");
	const char *nat = gw_ygetstr(ann, SNAT_ANNOTATION, "dnat");
	struct gw_xdp_gateway *g;
	size_t gi;
	bool has4 = false, has6 = false;
	int err;

	if (strcmp(nat, "dnat") && strcmp(nat, "snat")) {
		fprintf(stderr, "gwctl: Gateway %s/%s: annotation %s: \"%s\" is neither \"dnat\" "
			"nor \"snat\"\n", o->ns, o->name, SNAT_ANNOTATION, nat);
		return -EINVAL;
	}
	g = push(&m->gateways, &m->ngateways, sizeof(*g));
	if (!g)
		return -ENOMEM;
	gi = m->ngateways - 1;
	snprintf(g->name, sizeof(g->name), "%s/%s", o->ns, o->name);
	g->snat = !strcmp(nat, "snat");
	if (gw->naddresses) {
		for (int i = 0; i < gw->naddresses; i++) {
			union gw_ip a;
			uint8_t f;

			if (gw_xdp_addr_parse(gw->addresses[i], &a, &f))
				continue;	/* the resolver only accepts IP addresses */
			if ((err = add_addr(g, &a, f)))
				return err;
		}
	} else {
		for (size_t i = 0; i < nifaces; i++)
			for (size_t k = 0; k < ifaces[i].naddrs; k++)
				if ((err = add_addr(g, &ifaces[i].addrs[k], ifaces[i].fams[k])))
					return err;
	}
	for (size_t i = 0; i < g->naddrs; i++) {
		has4 |= g->fams[i] == GW_FAM_V4;
		has6 |= g->fams[i] == GW_FAM_V6;
	}
	for (int i = 0; i < gw->nall; i++) {
		const struct gw_listener *l = gw->all[i];
		const struct gw_route *ro = NULL;
		struct gw_xdp_listener *x;

		if (!l->valid || l->proto == GW_PROTO_OTHER || l->port <= 0 || l->port > 65535)
			continue;
		x = push(&m->listeners, &m->nlisteners, sizeof(*x));
		if (!x)
			return -ENOMEM;
		if (l->owner && l->owner != o)
			snprintf(x->name, sizeof(x->name), "%s/%s/%s", l->owner->ns, l->owner->name,
				 l->name);
		else
			snprintf(x->name, sizeof(x->name), "%s/%s/%s", o->ns, o->name, l->name);
		x->gateway = gi;
		x->port = (uint16_t)l->port;
		x->proto = l->proto == GW_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
		x->route4 = x->route6 = -1;
		x->src = l;
		if (l->proto != GW_PROTO_TCP && l->proto != GW_PROTO_UDP) {
			x->action = GW_ACT_PASS;
			continue;
		}
		m->nl4++;
		ro = gw_l4_route_of(l);
		if (!ro) {
			x->action = GW_ACT_REJECT;
			continue;
		}
		x->action = GW_ACT_STEER;
		if (*srccap < m->nroutes + 2) {
			size_t ncap = (*srccap ? *srccap * 2 : 16) + 2;
			const struct gw_route **p = realloc(*srcs, ncap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			*srcs = p;
			*srccap = ncap;
		}
		if (has4 && (err = route_for(m, ro, GW_FAM_V4, *srcs, &x->route4)))
			return err;
		if (has6 && (err = route_for(m, ro, GW_FAM_V6, *srcs, &x->route6)))
			return err;
	}
	return 0;
}

int gw_xdp_compile(const struct gw_config *cfg, const struct gw_xdp_iface *ifaces,
		   size_t nifaces, struct gw_xdp_model *m)
{
	const struct gw_route **srcs = NULL;
	size_t srccap = 0;
	int err = 0;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++) {
		const struct gw_obj *o = cfg->by_kind[GW_K_GATEWAY][i];

		if (!o->ours || !o->u.gw || !o->u.gw->ours)
			continue;
		err = compile_gateway(m, o, ifaces, nifaces, &srcs, &srccap);
		if (err)
			break;
	}
	free(srcs);
	if (err)
		gw_xdp_model_free(m);
	return err;
}
