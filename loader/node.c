// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The node's addresses for Gateway status (see node.h). Order is the
 * kernel's interface order, so status.addresses[0] is stable across loads
 * of an unchanged node: IPv4 first because it is what a user pastes into
 * a URL without brackets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

static int add(struct gw_node_addrs *na, const char *s)
{
	char **v = realloc(na->v, (size_t)(na->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	na->v = v;
	if (!(na->v[na->n] = strdup(s)))
		return -ENOMEM;
	na->n++;
	return 0;
}

/* pass 0: IPv4 non-loopback, 1: IPv6 non-loopback, 2: IPv4 loopback, 3: IPv6 loopback */
static int collect(struct gw_node_addrs *na, const struct ifaddrs *ifa, int pass)
{
	for (; ifa; ifa = ifa->ifa_next) {
		int fam = ifa->ifa_addr ? ifa->ifa_addr->sa_family : AF_UNSPEC;
		bool lo = ifa->ifa_flags & IFF_LOOPBACK;
		char buf[INET6_ADDRSTRLEN];
		const void *src;
		int err;

		if (!(ifa->ifa_flags & IFF_UP) || (fam != AF_INET && fam != AF_INET6) ||
		    (fam == AF_INET6) != (pass & 1) || lo != (pass >= 2))
			continue;
		if (fam == AF_INET) {
			src = &((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		} else {
			const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a6))
				continue;
			src = a6;
		}
		if (!inet_ntop(fam, src, buf, sizeof(buf)))
			return -errno;
		if ((err = add(na, buf)))
			return err;
	}
	return 0;
}

int gw_node_probe(struct gw_node_addrs *na, bool xdp)
{
	struct ifaddrs *ifs;
	int err = 0, nonlo = 0;

	memset(na, 0, sizeof(*na));
	na->node.xdp = xdp;
	if (getifaddrs(&ifs))
		return -errno;
	for (int pass = 0; pass < 4 && !err; pass++) {
		err = collect(na, ifs, pass);
		if (pass == 1)
			nonlo = na->n;
	}
	freeifaddrs(ifs);
	if (err) {
		gw_node_free(na);
		return err;
	}
	na->node.addrs = (const char *const *)na->v;
	na->node.naddrs = nonlo;
	na->node.loopback = (const char *const *)na->v + nonlo;
	na->node.nloopback = na->n - nonlo;
	return 0;
}

void gw_node_free(struct gw_node_addrs *na)
{
	for (int i = 0; i < na->n; i++)
		free(na->v[i]);
	free(na->v);
	memset(na, 0, sizeof(*na));
}
