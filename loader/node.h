/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What gwctl load tells the config pipeline about the node (struct
 * gw_node): its addresses, read from the interfaces of the network
 * namespace gwctl runs in, which is gwd's.
 */
#ifndef GW_LOADER_NODE_H
#define GW_LOADER_NODE_H

#include "config/model.h"

/** Owns the strings a struct gw_node points at. */
struct gw_node_addrs {
	struct gw_node node;
	char **v;		/* every address, non-loopback ones first */
	int n;
};

/**
 * Fills na from getifaddrs(): unicast addresses of interfaces that are up,
 * IPv4 before IPv6 within each group, link-local IPv6 left out (it needs
 * a zone to be reached). xdp says whether the XDP tier is attached.
 * Returns 0 or -errno.
 */
int gw_node_probe(struct gw_node_addrs *na, bool xdp);
void gw_node_free(struct gw_node_addrs *na);

#endif
