// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the kernel lost on an interface of the tier after the program let
 * go of the packet: a redirect's transmit that failed (tx_dropped: a veth
 * whose peer is down or whose backlog is full, a full device queue), and
 * the driver's own drop and XDP-transmit-error counters (ethtool -S; for a
 * veth the XDP_REDIRECT frames its peer's ring refused). The program
 * cannot count these itself: they happen after it returned.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "xdp.h"

/*
 * rx and tx drops of ifname from /proc/net/dev, which follows the reader's
 * network namespace (/sys/class/net does not under `ip netns exec` without
 * a remount).
 */
static int procnet_drops(const char *ifname, uint64_t *rx, uint64_t *tx)
{
	char line[512];
	int err = -ENODEV;
	FILE *f = fopen("/proc/net/dev", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[16];
		char *colon = strchr(line, ':'), *name = line;

		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (strcmp(name, ifname))
			continue;
		/* rx: bytes packets errs drop fifo frame compressed multicast, tx: bytes packets errs drop */
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
			   &v[10], &v[11]) != 12) {
			err = -EINVAL;
			break;
		}
		*rx = v[3];
		*tx = v[11];
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

/* Whether an ethtool statistic names a loss: drops and XDP transmit errors. */
static bool is_loss(const char *name)
{
	return strstr(name, "drop") || strstr(name, "xmit_err") || strstr(name, "xdp_tx_err");
}

static int ethtool(int fd, const char *ifname, void *data)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : 0;
}

/* ethtool -S counters of ifname that name a loss and are not 0. */
static void ethtool_losses(const char *ifname, struct gw_xdp_ifloss *l)
{
	struct {
		struct ethtool_sset_info hdr;
		__u32 len;
	} ss = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_STATS } };
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *vals = NULL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	__u32 n;

	if (fd < 0)
		return;
	if (ethtool(fd, ifname, &ss) || !(ss.hdr.sset_mask & (1ULL << ETH_SS_STATS)) || !ss.len)
		goto out;
	n = ss.len;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(__u64));
	if (!names || !vals)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	if (ethtool(fd, ifname, names) || ethtool(fd, ifname, vals))
		goto out;
	for (__u32 i = 0; i < n && l->n < GW_XDP_IFLOSS_MAX; i++) {
		char name[ETH_GSTRING_LEN + 1];

		memcpy(name, names->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		name[ETH_GSTRING_LEN] = '\0';
		if (!vals->data[i] || !is_loss(name))
			continue;
		snprintf(l->reason[l->n], sizeof(l->reason[l->n]), "%s", name);
		l->count[l->n++] = vals->data[i];
	}
out:
	free(names);
	free(vals);
	close(fd);
}

int gw_xdp_iface_losses(const char *ifname, struct gw_xdp_ifloss *l)
{
	uint64_t rx = 0, tx = 0;
	int err;

	memset(l, 0, sizeof(*l));
	if ((err = procnet_drops(ifname, &rx, &tx)))
		return err;
	/* both always listed: 0 is an answer too */
	snprintf(l->reason[0], sizeof(l->reason[0]), "tx_dropped");
	l->count[0] = tx;
	snprintf(l->reason[1], sizeof(l->reason[1]), "rx_dropped");
	l->count[1] = rx;
	l->n = 2;
	ethtool_losses(ifname, l);
	return 0;
}
