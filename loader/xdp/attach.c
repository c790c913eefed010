// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bpffs, pins, the pin-directory lock and attachment, on XDP or tc. The
 * XDP program is attached through netlink (bpf_xdp_attach), the tc one
 * with BPF_PROG_ATTACH on tcx ingress, so the kernel keeps either on the
 * interface independently of any pin: under `ip netns exec`, gwctl runs
 * in a throw-away mount namespace whose /sys has no bpffs, mounts one,
 * and its pins vanish when it exits. The attached program still holds its
 * maps, so the next gwctl finds them again through the program (matching
 * the instance by the hash of the pin directory in gw_config) and pins
 * them anew: pins are a way to reach the state, not the state itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "gw_tc.skel.h"
#include "gw_xdp.skel.h"
#include "xdp.h"

#define BPFFS_STD "/sys/fs/bpf"

/*
 * enum bpf_attach_type BPF_TCX_INGRESS (kernel 6.6). Debian 12's
 * linux/bpf.h (6.1) and libbpf 1.1 predate tcx; the plain BPF_PROG_ATTACH
 * form works with them. Not a bpf_link: a link dies with its last fd or
 * pin, and pins vanish with the mount namespace of `ip netns exec`; an
 * attachment stays like an XDP program attached over netlink does.
 */
#define GW_TCX_INGRESS ((enum bpf_attach_type)46)
#define GW_TCX_MAX 16

uint64_t gw_xdp_netns_ino(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return 0;
	return st.st_ino;
}

/* ---- bpffs and the pin directory --------------------------------------- */

static bool on_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && sf.f_type == BPF_FS_MAGIC;
}

static int mount_bpffs(const char *dir)
{
	if (mount("bpf", dir, "bpf", 0, "mode=0700")) {
		int err = -errno;

		fprintf(stderr, "gwctl: XDP: cannot mount bpffs on '%s': %s\n", dir, strerror(-err));
		return err;
	}
	pr_debug("XDP: mounted bpffs on %s\n", dir);
	return 0;
}

static int mkdirs(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int gw_xdp_pin_dir_prepare(const char *pin_dir, int *lock_fd)
{
	char anc[PATH_MAX];
	struct stat st;
	int err, fd;

	*lock_fd = -1;
	if (pin_dir[0] != '/') {
		fprintf(stderr, "gwctl: XDP: pin directory '%s' must be an absolute path\n",
			pin_dir);
		return -EINVAL;
	}
	/* the deepest existing ancestor decides where bpffs has to come from */
	snprintf(anc, sizeof(anc), "%s", pin_dir);
	while (stat(anc, &st)) {
		char *slash = strrchr(anc, '/');

		if (errno != ENOENT || !slash) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot inspect '%s': %s\n", anc, strerror(-err));
			return err;
		}
		if (slash == anc)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!on_bpffs(anc)) {
		if (!strcmp(anc, BPFFS_STD)) {
			/* no bpffs where it normally is (ip netns exec remounted /sys) */
			if ((err = mount_bpffs(anc)))
				return err;
		} else if (!strcmp(anc, pin_dir)) {
			if ((err = mount_bpffs(pin_dir)))
				return err;
		} else {
			/* a pin directory on an ordinary file system gets a bpffs of its own */
			if ((err = mkdirs(pin_dir))) {
				fprintf(stderr, "gwctl: XDP: cannot create pin directory '%s': %s\n",
					pin_dir, strerror(-err));
				return err;
			}
			if ((err = mount_bpffs(pin_dir)))
				return err;
		}
	}
	if ((err = mkdirs(pin_dir))) {
		fprintf(stderr, "gwctl: XDP: cannot create pin directory '%s': %s\n", pin_dir,
			strerror(-err));
		return err;
	}
	if (!on_bpffs(pin_dir)) {
		fprintf(stderr, "gwctl: XDP: pin directory '%s' is not on a bpffs\n", pin_dir);
		return -EINVAL;
	}
	fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot open pin directory '%s': %s\n", pin_dir,
			strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX)) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot lock pin directory '%s': %s\n", pin_dir,
			strerror(-err));
		close(fd);
		return err;
	}
	*lock_fd = fd;
	return 0;
}

bool gw_xdp_pins_exist(const char *pin_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/gw_config", pin_dir);
	return !access(path, F_OK);
}

/* ---- finding this instance's program ------------------------------------ */

static int prog_info(int prog_fd, struct bpf_prog_info *info, __u32 *map_ids, __u32 nmaps)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	info->nr_map_ids = nmaps;
	info->map_ids = (__u64)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(prog_fd, info, &len))
		return -errno;
	return 0;
}

static __u32 map_id_of(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* Ids of the programs on tcx ingress of ifindex (at most max); their count. */
static __u32 tcx_prog_ids(int ifindex, __u32 *ids, __u32 max)
{
	__u32 cnt = max, flags = 0;

	/* -ENOSPC: more than max, the first max were filled */
	if (bpf_prog_query(ifindex, GW_TCX_INGRESS, 0, &flags, ids, &cnt) && errno != ENOSPC)
		return 0;
	return cnt < max ? cnt : max;
}

/*
 * Program prog_id, if it is an xdpgw program (either hook) of instance
 * 'instance' (hash of its pin directory): its fd (caller closes), map ids
 * in map_ids. -ENOENT if it is somebody else's.
 */
static int instance_prog(__u32 prog_id, uint64_t instance, __u32 *map_ids, __u32 *nmaps)
{
	struct bpf_prog_info info;
	__u32 ids[64];
	int fd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -ENOENT;
	if (prog_info(fd, &info, ids, 64) ||
	    (strcmp(info.name, "gw_xdp_ingress") && strcmp(info.name, "gw_tc_ingress")))
		goto no;
	for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++) {
		int mfd = bpf_map_get_fd_by_id(ids[i]);
		struct bpf_map_info mi = { 0 };
		__u32 len = sizeof(mi), zero = 0;
		struct gw_cfg cfg;
		bool match;

		if (mfd < 0)
			continue;
		match = !bpf_obj_get_info_by_fd(mfd, &mi, &len) && !strcmp(mi.name, "gw_config") &&
			mi.value_size == sizeof(cfg) && !bpf_map_lookup_elem(mfd, &zero, &cfg) &&
			cfg.instance == instance;
		close(mfd);
		if (match) {
			memcpy(map_ids, ids, sizeof(ids));
			*nmaps = info.nr_map_ids < 64 ? info.nr_map_ids : 64;
			return fd;
		}
	}
no:
	close(fd);
	return -ENOENT;
}

/*
 * The program attached to ifindex (XDP or tcx ingress), if it is an
 * xdpgw program of instance 'instance': its fd (caller closes), map ids
 * in map_ids. -ENOENT if there is none or it is somebody else's.
 */
static int find_instance_prog(int ifindex, uint64_t instance, __u32 *map_ids, __u32 *nmaps)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 tcx[GW_TCX_MAX], n;
	int fd;

	if (!bpf_xdp_query(ifindex, 0, &q) && q.prog_id &&
	    (fd = instance_prog(q.prog_id, instance, map_ids, nmaps)) >= 0)
		return fd;
	n = tcx_prog_ids(ifindex, tcx, GW_TCX_MAX);
	for (__u32 i = 0; i < n; i++)
		if ((fd = instance_prog(tcx[i], instance, map_ids, nmaps)) >= 0)
			return fd;
	return -ENOENT;
}

/*
 * For every pinned map of skel, the same map of this instance's program
 * attached somewhere in this network namespace: pinned again at its pin
 * path (pin), or taken as the skeleton's map (!pin). Returns 1 if the
 * program was found, 0 if there is none, -errno.
 */
static int maps_from_prog(struct gw_xdp *skel, const char *pin_dir, bool pin)
{
	uint64_t instance = gw_hash64(pin_dir, strlen(pin_dir), 0);
	struct if_nameindex *ifs = if_nameindex(), *i;
	__u32 ids[64], n = 0;
	struct bpf_map *map;
	int fd = -1, err = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index && fd < 0; i++)
		fd = find_instance_prog((int)i->if_index, instance, ids, &n);
	if_freenameindex(ifs);
	if (fd < 0)
		return 0;
	close(fd);
	if (pin)
		pr_info("XDP: pins under %s were gone; recovering them from the attached program\n",
			pin_dir);
	bpf_object__for_each_map(map, skel->obj) {
		const char *path = bpf_map__pin_path(map);
		bool found = false;

		if (!path)
			continue;
		for (__u32 k = 0; k < n && !found && !err; k++) {
			int mfd = bpf_map_get_fd_by_id(ids[k]);
			struct bpf_map_info mi = { 0 };
			__u32 len = sizeof(mi);

			if (mfd < 0)
				continue;
			found = !bpf_obj_get_info_by_fd(mfd, &mi, &len) &&
				!strcmp(mi.name, bpf_map__name(map));
			if (found && pin && bpf_obj_pin(mfd, path) && errno != EEXIST) {
				err = -errno;
				fprintf(stderr, "gwctl: XDP: cannot pin map '%s' at '%s': %s\n",
					mi.name, path, strerror(-err));
			} else if (found && !pin && (err = bpf_map__reuse_fd(map, mfd))) {
				fprintf(stderr, "gwctl: XDP: cannot use map '%s' of the attached "
					"program: %s\n", mi.name, strerror(-err));
			}
			close(mfd);
		}
		if (!found && !err) {
			fprintf(stderr, "gwctl: XDP: the attached program has no map '%s'\n",
				bpf_map__name(map));
			err = -ENOENT;
		}
		if (err)
			return err;
	}
	return 1;
}

bool gw_xdp_instance_attached(const char *pin_dir)
{
	uint64_t instance = gw_hash64(pin_dir, strlen(pin_dir), 0);
	struct if_nameindex *ifs = if_nameindex(), *i;
	__u32 ids[64], n;
	int fd = -1;

	for (i = ifs; i && i->if_index && fd < 0; i++)
		fd = find_instance_prog((int)i->if_index, instance, ids, &n);
	if (ifs)
		if_freenameindex(ifs);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ---- the instance: skeleton with pinned maps ------------------------------ */

static void fill_maps(struct gw_xdp *skel, struct gw_xdp_maps *m)
{
	m->config = bpf_map__fd(skel->maps.gw_config);
	m->addrs = bpf_map__fd(skel->maps.gw_addrs);
	m->listeners = bpf_map__fd(skel->maps.gw_listeners);
	m->routes = bpf_map__fd(skel->maps.gw_routes);
	m->maglev = bpf_map__fd(skel->maps.gw_maglev);
	m->backends = bpf_map__fd(skel->maps.gw_backends);
	m->conntrack = bpf_map__fd(skel->maps.gw_conntrack);
	m->ifaces = bpf_map__fd(skel->maps.gw_ifaces);
	m->names = bpf_map__fd(skel->maps.gw_names);
	m->stats = bpf_map__fd(skel->maps.gw_stats);
	m->drops = bpf_map__fd(skel->maps.gw_drops);
	m->lstats = bpf_map__fd(skel->maps.gw_lstats);
	m->rstats = bpf_map__fd(skel->maps.gw_rstats);
	m->bstats = bpf_map__fd(skel->maps.gw_bstats);
}

/*
 * The program must hold every pinned map, including those only user space
 * reads (gw_names): the attached program is how maps_from_prog() finds
 * them when the pins are gone.
 */
static int bind_pinned(struct bpf_object *obj, int prog_fd)
{
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj) {
		if (!bpf_map__pin_path(map))
			continue;
		err = bpf_prog_bind_map(prog_fd, bpf_map__fd(map), NULL);
		if (err) {
			fprintf(stderr, "gwctl: XDP: cannot bind map '%s' to the program: %s\n",
				bpf_map__name(map), strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * Loads gw_tc_ingress for an interface that gets the tc hook: a second
 * object with the same maps, which it takes from the pins the XDP
 * object's load made or reused (same pin_root_path, same names).
 */
static int tc_load(struct gw_xdp_instance *in)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = in->pin_dir);
	int err;

	if (in->tc)
		return 0;
	in->tc = gw_tc__open_opts(&opts);
	if (!in->tc) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot open the tc BPF object: %s\n", strerror(-err));
		return err;
	}
	err = gw_tc__load(in->tc);
	if (err) {
		fprintf(stderr, "gwctl: XDP: cannot load the tc program with the maps pinned in "
			"'%s': %s\n", in->pin_dir, strerror(-err));
		gw_tc__destroy(in->tc);
		in->tc = NULL;
		return err;
	}
	return bind_pinned(in->tc->obj, bpf_program__fd(in->tc->progs.gw_tc_ingress));
}

int gw_xdp_instance_open(struct gw_xdp_instance *in, const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct gw_cfg cfg = { 0 };
	uint32_t zero = 0;
	bool had_pins;
	int err;

	memset(&in->maps, -1, sizeof(in->maps));
	snprintf(in->pin_dir, sizeof(in->pin_dir), "%s", pin_dir);
	in->netns_ino = gw_xdp_netns_ino();
	in->skel = gw_xdp__open_opts(&opts);
	if (!in->skel) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	had_pins = gw_xdp_pins_exist(pin_dir);
	if (!had_pins) {
		err = maps_from_prog(in->skel, pin_dir, true);
		if (err < 0)
			return err;
		had_pins = err > 0;
	}
	err = gw_xdp__load(in->skel);
	if (err) {
		fprintf(stderr, "gwctl: XDP: cannot load the XDP program with the maps pinned in "
			"'%s': %s%s\n", pin_dir, strerror(-err),
			had_pins ? " (pinned maps of another version? 'gwctl unload' removes "
				   "them)" : "");
		return err;
	}
	in->created = !had_pins;
	fill_maps(in->skel, &in->maps);
	if ((err = bind_pinned(in->skel->obj, bpf_program__fd(in->skel->progs.gw_xdp_ingress))))
		return err;
	if (bpf_map_lookup_elem(in->maps.config, &zero, &cfg)) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot read gw_config: %s\n", strerror(-err));
		return err;
	}
	if (cfg.netns_ino && in->netns_ino && cfg.netns_ino != in->netns_ino) {
		fprintf(stderr, "gwctl: XDP: pin directory '%s' belongs to the XDP tier of network "
			"namespace net:[%llu], not this one (net:[%llu]); give each namespace its "
			"own --pin-dir and --state-dir\n", pin_dir,
			(unsigned long long)cfg.netns_ino, (unsigned long long)in->netns_ino);
		return -EBUSY;
	}
	return 0;
}

int gw_xdp_instance_open_pinned(struct gw_xdp_instance *in, const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct bpf_map *map;
	int err;

	memset(&in->maps, -1, sizeof(in->maps));
	snprintf(in->pin_dir, sizeof(in->pin_dir), "%s", pin_dir);
	in->netns_ino = gw_xdp_netns_ino();
	in->skel = gw_xdp__open_opts(&opts);
	if (!in->skel) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	if (!gw_xdp_pins_exist(pin_dir)) {
		/* pins gone (another mount namespace): the attached program has the maps */
		err = maps_from_prog(in->skel, pin_dir, false);
		if (err <= 0) {
			if (!err)
				fprintf(stderr, "gwctl: XDP: no pinned maps in '%s' and no program of "
					"this instance attached\n", pin_dir);
			return err ? err : -ENOENT;
		}
		fill_maps(in->skel, &in->maps);
		return 0;
	}
	/* the skeleton's maps take the pinned ones, so skel->maps.X works as after a load */
	bpf_object__for_each_map(map, in->skel->obj) {
		const char *path = bpf_map__pin_path(map);
		int fd;

		if (!path)
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot open pinned map '%s': %s\n", path,
				strerror(-err));
			return err;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err) {
			fprintf(stderr, "gwctl: XDP: cannot use pinned map '%s': %s\n", path,
				strerror(-err));
			return err;
		}
	}
	fill_maps(in->skel, &in->maps);
	return 0;
}

void gw_xdp_instance_close(struct gw_xdp_instance *in)
{
	gw_tc__destroy(in->tc);
	in->tc = NULL;
	gw_xdp__destroy(in->skel);
	in->skel = NULL;
	if (in->lock_fd >= 0)
		close(in->lock_fd);
	in->lock_fd = -1;
}

/* ---- attachment ------------------------------------------------------------ */

/* Our XDP program on ifindex: its id (mode set), or 0 if something else/nothing. */
static uint32_t xdp_attached_ours(const struct gw_xdp_instance *in, int ifindex, uint32_t *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 want = map_id_of(in->maps.config), ids[64];
	struct bpf_prog_info info;
	uint32_t id = 0;
	int fd;

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id || !want)
		return 0;
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd < 0)
		return 0;
	if (!prog_info(fd, &info, ids, 64)) {
		for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
			if (ids[i] == want)
				id = q.prog_id;
	}
	close(fd);
	if (mode)
		*mode = q.attach_mode == XDP_ATTACHED_SKB ? GW_XDP_MODE_GENERIC
							   : GW_XDP_MODE_NATIVE;
	return id;
}

/* Our program on tcx ingress of ifindex: its id, or 0. */
static uint32_t tc_attached_ours(const struct gw_xdp_instance *in, int ifindex)
{
	__u32 want = map_id_of(in->maps.config), tcx[GW_TCX_MAX], ids[64], n;
	struct bpf_prog_info info;
	uint32_t id = 0;

	if (!want)
		return 0;
	n = tcx_prog_ids(ifindex, tcx, GW_TCX_MAX);
	for (__u32 k = 0; k < n && !id; k++) {
		int fd = bpf_prog_get_fd_by_id(tcx[k]);

		if (fd < 0)
			continue;
		if (!prog_info(fd, &info, ids, 64)) {
			for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
				if (ids[i] == want)
					id = tcx[k];
		}
		close(fd);
	}
	return id;
}

uint32_t gw_xdp_attached_ours(const struct gw_xdp_instance *in, int ifindex, uint32_t *mode)
{
	uint32_t id = xdp_attached_ours(in, ifindex, mode);

	if (id)
		return id;
	id = tc_attached_ours(in, ifindex);
	if (id && mode)
		*mode = GW_XDP_MODE_TC;
	return id;
}

static __u32 mode_flag(uint32_t mode)
{
	return mode == GW_XDP_MODE_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

static int prog_tag(int fd, unsigned char tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info;
	int err = prog_info(fd, &info, NULL, 0);

	if (!err)
		memcpy(tag, info.tag, BPF_TAG_SIZE);
	return err;
}

static uint32_t prog_id_of(int fd)
{
	struct bpf_prog_info info;

	return prog_info(fd, &info, NULL, 0) ? 0 : info.id;
}

/*
 * XDP on ifc: native mode where the driver has it, else generic unless
 * native_only (then -EOPNOTSUPP, nothing attached: auto takes tc).
 */
static int attach_xdp(struct gw_xdp_instance *in, struct gw_xdp_iface *ifc, bool native_only)
{
	int prog = bpf_program__fd(in->skel->progs.gw_xdp_ingress), err;
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info;
	uint32_t mode = 0, cur;

	cur = xdp_attached_ours(in, ifc->ifindex, &mode);
	/* ours in generic mode says the driver has no native XDP: auto moves it to tc */
	if (cur && native_only && mode == GW_XDP_MODE_GENERIC)
		return -EOPNOTSUPP;
	if (cur) {
		unsigned char a[BPF_TAG_SIZE], b[BPF_TAG_SIZE];
		int old = bpf_prog_get_fd_by_id(cur);
		LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = old);

		if (old < 0)
			return -errno;
		if (!prog_tag(old, a) && !prog_tag(prog, b) && !memcmp(a, b, sizeof(a))) {
			close(old);
			ifc->mode = mode;
			ifc->prog_id = cur;
			return 0;	/* the same program: leave it in place */
		}
		/* another version of ours: swap atomically, never a moment without */
		err = bpf_xdp_attach(ifc->ifindex, prog, mode_flag(mode) | XDP_FLAGS_REPLACE, &ao);
		close(old);
		if (err) {
			fprintf(stderr, "gwctl: XDP: cannot replace the XDP program on '%s': %s\n",
				ifc->name, strerror(-err));
			return err;
		}
		ifc->mode = mode;
		goto done;
	}
	if (!bpf_xdp_query(ifc->ifindex, 0, &q) && q.prog_id) {
		int fd = bpf_prog_get_fd_by_id(q.prog_id);
		char name[BPF_OBJ_NAME_LEN] = "?";

		if (fd >= 0 && !prog_info(fd, &info, NULL, 0))
			snprintf(name, sizeof(name), "%s", info.name);
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "gwctl: XDP: interface '%s' already has XDP program %u (%s) that is "
			"not this xdpgw instance's; detach it first (ip link set dev %s xdp off)\n",
			ifc->name, q.prog_id, name, ifc->name);
		return -EBUSY;
	}
	/* native where the driver has it; the probe failing is expected otherwise */
	gw_log_libbpf_quiet(true);
	err = bpf_xdp_attach(ifc->ifindex, prog, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	gw_log_libbpf_quiet(false);
	ifc->mode = GW_XDP_MODE_NATIVE;
	if (err && native_only)
		return -EOPNOTSUPP;
	if (err) {
		pr_debug("XDP: native attach on %s failed (%s); using generic mode\n", ifc->name,
			 strerror(-err));
		err = bpf_xdp_attach(ifc->ifindex, prog,
				     XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		ifc->mode = GW_XDP_MODE_GENERIC;
	}
	if (err) {
		fprintf(stderr, "gwctl: XDP: cannot attach the XDP program to '%s': %s\n", ifc->name,
			strerror(-err));
		return err;
	}
	ifc->fresh = true;
done:
	if (!bpf_xdp_query(ifc->ifindex, 0, &q))
		ifc->prog_id = q.prog_id;
	return 0;
}

/* gw_tc_ingress on tcx ingress of ifc, after whatever tc programs are there. */
static int attach_tc(struct gw_xdp_instance *in, struct gw_xdp_iface *ifc)
{
	uint32_t cur;
	int prog, err;

	if ((err = tc_load(in)))
		return err;
	prog = bpf_program__fd(in->tc->progs.gw_tc_ingress);
	cur = tc_attached_ours(in, ifc->ifindex);
	ifc->mode = GW_XDP_MODE_TC;
	if (cur) {
		unsigned char a[BPF_TAG_SIZE], b[BPF_TAG_SIZE];
		int old = bpf_prog_get_fd_by_id(cur);
		LIBBPF_OPTS(bpf_prog_attach_opts, ao, .flags = BPF_F_REPLACE,
			    .replace_prog_fd = old);

		if (old < 0)
			return -errno;
		if (!prog_tag(old, a) && !prog_tag(prog, b) && !memcmp(a, b, sizeof(a))) {
			close(old);
			ifc->prog_id = cur;
			return 0;	/* the same program: leave it in place */
		}
		/* another version of ours: replaced in its place in the list, atomically */
		err = bpf_prog_attach_opts(prog, ifc->ifindex, GW_TCX_INGRESS, &ao);
		close(old);
		if (err) {
			fprintf(stderr, "gwctl: XDP: cannot replace the tc program on '%s': %s\n",
				ifc->name, strerror(-err));
			return err;
		}
	} else {
		err = bpf_prog_attach(prog, ifc->ifindex, GW_TCX_INGRESS, 0);
		if (err) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot attach the tc program to tcx ingress of "
				"'%s': %s\n", ifc->name, strerror(-err));
			return err;
		}
		ifc->fresh = true;
	}
	ifc->prog_id = prog_id_of(prog);
	return 0;
}

static int detach_xdp(struct gw_xdp_instance *in, int ifindex, const char *name)
{
	uint32_t mode = 0, id = xdp_attached_ours(in, ifindex, &mode);
	int fd, err;

	if (!id)
		return 0;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	{
		LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = fd);

		/* REPLACE with our fd: never detaches a program someone put there since */
		err = bpf_xdp_detach(ifindex, mode_flag(mode) | XDP_FLAGS_REPLACE, &ao);
	}
	close(fd);
	if (err) {
		fprintf(stderr, "gwctl: XDP: cannot detach the XDP program from '%s': %s\n", name,
			strerror(-err));
		return err;
	}
	pr_info("XDP: detached from %s\n", name);
	return 1;
}

static int detach_tc(struct gw_xdp_instance *in, int ifindex, const char *name)
{
	uint32_t id = tc_attached_ours(in, ifindex);
	int fd, err;

	if (!id)
		return 0;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	/* by our fd: the other programs on tcx ingress stay */
	err = bpf_prog_detach2(fd, ifindex, GW_TCX_INGRESS) ? -errno : 0;
	close(fd);
	if (err) {
		fprintf(stderr, "gwctl: XDP: cannot detach the tc program from '%s': %s\n", name,
			strerror(-err));
		return err;
	}
	pr_info("XDP: detached the tc hook from %s\n", name);
	return 1;
}

/* Detaches ours from both hooks of ifindex: 1 if anything was, 0, or -errno. */
static int detach_one(struct gw_xdp_instance *in, int ifindex, const char *name)
{
	int a = detach_xdp(in, ifindex, name), b = detach_tc(in, ifindex, name);

	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	return a || b;
}

/* The driver of interface name (ethtool), or "" if it does not say. */
static void iface_driver(const char *name, char *drv, size_t len)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	drv[0] = '\0';
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&di;
	if (!ioctl(fd, SIOCETHTOOL, &ifr))
		snprintf(drv, len, "%.*s", (int)sizeof(di.driver), di.driver);
	close(fd);
}

/*
 * The hook ifc gets and why. auto: tc on a veth (XDP there turns off TSO
 * on its peer and GRO, so bulk TCP crosses as 1500-byte frames, and an
 * XDP frame loses the skb's CHECKSUM_PARTIAL state) and where the driver
 * has no native XDP (generic XDP runs on the same skb tc sees, without
 * its GSO and checksum state); XDP where the driver has it natively.
 */
static int attach_one(struct gw_xdp_instance *in, struct gw_xdp_iface *ifc)
{
	uint8_t hook = ifc->hook;
	uint32_t mode = 0;
	char drv[40];
	int err;

	if (hook == GW_L4_HOOK_KEEP) {
		if (gw_xdp_attached_ours(in, ifc->ifindex, &mode)) {
			hook = mode == GW_XDP_MODE_TC ? GW_L4_HOOK_TC : GW_L4_HOOK_XDP;
			snprintf(ifc->why, sizeof(ifc->why), "as attached before");
		} else {
			hook = GW_L4_HOOK_AUTO;
		}
	}
	if (hook == GW_L4_HOOK_XDP) {
		if (!ifc->why[0])
			snprintf(ifc->why, sizeof(ifc->why), "--l4-hook xdp");
		err = attach_xdp(in, ifc, false);
	} else if (hook == GW_L4_HOOK_TC) {
		if (!ifc->why[0])
			snprintf(ifc->why, sizeof(ifc->why), "--l4-hook tc");
		err = attach_tc(in, ifc);
	} else {
		iface_driver(ifc->name, drv, sizeof(drv));
		if (!strcmp(drv, "veth") || !strcmp(drv, "netkit")) {
			snprintf(ifc->why, sizeof(ifc->why), "auto: %s device; XDP there would turn "
				 "off TSO on its peer and GRO", drv);
			err = attach_tc(in, ifc);
		} else if (!(err = attach_xdp(in, ifc, true))) {
			snprintf(ifc->why, sizeof(ifc->why), "auto: native XDP in driver %s",
				 drv[0] ? drv : "?");
		} else if (err == -EOPNOTSUPP) {
			snprintf(ifc->why, sizeof(ifc->why), "auto: no native XDP in driver %s",
				 drv[0] ? drv : "?");
			err = attach_tc(in, ifc);
		}
	}
	if (err)
		return err;
	/* moved between hooks: the old one goes once the new one is in place */
	if (ifc->mode == GW_XDP_MODE_TC)
		err = detach_xdp(in, ifc->ifindex, ifc->name);
	else
		err = detach_tc(in, ifc->ifindex, ifc->name);
	if (err < 0)
		return err;
	pr_info("XDP: %s: L4 tier on the %s hook (%s)\n", ifc->name,
		ifc->mode == GW_XDP_MODE_TC	   ? "tc" :
		ifc->mode == GW_XDP_MODE_NATIVE ? "XDP native" : "XDP generic",
		ifc->why);
	return 0;
}

/* The SNAT source addresses of an interface: its first IPv4 and first global IPv6 address. */
static void iface_record(const struct gw_xdp_iface *ifc, struct gw_iface *v)
{
	bool have4 = false, have6 = false;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < ifc->naddrs; i++) {
		if (ifc->fams[i] == GW_FAM_V4 && !have4) {
			v->snat4 = ifc->addrs[i].v4;
			have4 = true;
		} else if (ifc->fams[i] == GW_FAM_V6 && !have6) {
			memcpy(v->snat6, ifc->addrs[i].v6, 16);
			have6 = true;
		}
	}
	v->mode = ifc->mode;
	v->prog_id = ifc->prog_id;
	snprintf(v->name, sizeof(v->name), "%s", ifc->name);
}

void gw_xdp_attach_undo(struct gw_xdp_instance *in, struct gw_xdp_iface *ifaces, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!ifaces[i].fresh)
			continue;
		detach_one(in, ifaces[i].ifindex, ifaces[i].name);
		bpf_map_delete_elem(in->maps.ifaces, &ifaces[i].ifindex);
		ifaces[i].fresh = false;
	}
}

int gw_xdp_attach_all(struct gw_xdp_instance *in, struct gw_xdp_iface *ifaces, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		struct gw_iface v;

		ifaces[i].fresh = false;
		if ((err = attach_one(in, &ifaces[i])))
			break;
		iface_record(&ifaces[i], &v);
		if (bpf_map_update_elem(in->maps.ifaces, &ifaces[i].ifindex, &v, BPF_ANY)) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot record interface '%s' in gw_ifaces: %s\n",
				ifaces[i].name, strerror(-err));
		}
	}
	if (err)
		gw_xdp_attach_undo(in, ifaces, n);
	return err;
}

int gw_xdp_detach_unlisted(struct gw_xdp_instance *in, const struct gw_xdp_iface *ifaces,
			   size_t n)
{
	struct gw_xdp_iface rec[GW_MAX_IFACES];
	int nrec, err;

	nrec = gw_xdp_ifaces_recorded(&in->maps, rec, GW_MAX_IFACES);
	if (nrec < 0)
		return nrec;
	for (int r = 0; r < nrec; r++) {
		bool keep = false;

		for (size_t i = 0; i < n; i++)
			keep |= ifaces[i].ifindex == rec[r].ifindex;
		if (keep)
			continue;
		if ((err = detach_one(in, rec[r].ifindex, rec[r].name)) < 0)
			return err;
		if (bpf_map_delete_elem(in->maps.ifaces, &rec[r].ifindex) && errno != ENOENT)
			return -errno;
	}
	return 0;
}

int gw_xdp_detach_all(struct gw_xdp_instance *in)
{
	struct gw_xdp_iface rec[GW_MAX_IFACES];
	struct if_nameindex *ifs, *i;
	int nrec, n = 0, err, ret = 0;

	nrec = gw_xdp_ifaces_recorded(&in->maps, rec, GW_MAX_IFACES);
	if (nrec < 0)
		return nrec;
	for (int r = 0; r < nrec; r++) {
		err = detach_one(in, rec[r].ifindex, rec[r].name);
		if (err < 0)
			ret = err;
		else
			n += err;
	}
	/* and wherever else it is attached in this namespace (a record lost) */
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index; i++) {
		err = detach_one(in, (int)i->if_index, i->if_name);
		if (err < 0)
			ret = err;
		else
			n += err;
	}
	if (ifs)
		if_freenameindex(ifs);
	return ret < 0 ? ret : n;
}

int gw_xdp_unpin_all(struct gw_xdp_instance *in)
{
	struct bpf_map *map;
	struct stat a, b;
	char parent[PATH_MAX], *slash;
	int err = 0;

	bpf_object__for_each_map(map, in->skel->obj) {
		const char *path = bpf_map__pin_path(map);

		if (path && unlink(path) && errno != ENOENT) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot remove pin '%s': %s\n", path,
				strerror(-err));
		}
	}
	if (err)
		return err;
	/* a bpffs mounted on the pin directory itself (see gw_xdp_pin_dir_prepare) goes too */
	snprintf(parent, sizeof(parent), "%s", in->pin_dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (!stat(in->pin_dir, &a) && !stat(parent, &b) && a.st_dev != b.st_dev &&
	    strcmp(in->pin_dir, BPFFS_STD) && umount2(in->pin_dir, MNT_DETACH))
		pr_debug("XDP: cannot unmount bpffs from %s: %s\n", in->pin_dir, strerror(errno));
	if (rmdir(in->pin_dir) && errno != ENOENT && errno != EBUSY) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot remove pin directory '%s': %s\n", in->pin_dir,
			strerror(-err));
	}
	return err;
}

/* ---- interfaces -------------------------------------------------------------- */

int gw_l4_hook_parse(const char *s, enum gw_l4_hook dflt, uint8_t *hook)
{
	if (!s)
		*hook = dflt;
	else if (!strcmp(s, "auto"))
		*hook = GW_L4_HOOK_AUTO;
	else if (!strcmp(s, "xdp"))
		*hook = GW_L4_HOOK_XDP;
	else if (!strcmp(s, "tc"))
		*hook = GW_L4_HOOK_TC;
	else
		return -EINVAL;
	return 0;
}

int gw_xdp_ifaces_lookup(const char *const *names, size_t n, struct gw_xdp_iface *ifaces)
{
	struct ifaddrs *ifa = NULL;

	if (getifaddrs(&ifa)) {
		int err = -errno;

		fprintf(stderr, "gwctl: XDP: cannot list interface addresses: %s\n",
			strerror(-err));
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		struct gw_xdp_iface *x = &ifaces[i];

		memset(x, 0, sizeof(*x));
		if (strlen(names[i]) >= sizeof(x->name) ||
		    !(x->ifindex = (int)if_nametoindex(names[i]))) {
			fprintf(stderr, "gwctl: XDP: no interface '%s' in this network namespace\n",
				names[i]);
			freeifaddrs(ifa);
			return -ENODEV;
		}
		snprintf(x->name, sizeof(x->name), "%s", names[i]);
		for (struct ifaddrs *a = ifa; a; a = a->ifa_next) {
			if (!a->ifa_addr || strcmp(a->ifa_name, names[i]) || x->naddrs >= 16)
				continue;
			if (a->ifa_addr->sa_family == AF_INET) {
				x->addrs[x->naddrs].v4 =
					((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
				x->fams[x->naddrs++] = GW_FAM_V4;
			} else if (a->ifa_addr->sa_family == AF_INET6) {
				struct in6_addr *s = &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;

				/* link-local addresses are per link, not a place to serve from */
				if (IN6_IS_ADDR_LINKLOCAL(s))
					continue;
				memcpy(x->addrs[x->naddrs].v6, s, 16);
				x->fams[x->naddrs++] = GW_FAM_V6;
			}
		}
	}
	freeifaddrs(ifa);
	return 0;
}

int gw_xdp_ifaces_recorded(const struct gw_xdp_maps *maps, struct gw_xdp_iface *ifaces,
			   size_t max)
{
	__u32 k, next, *prev = NULL;
	size_t n = 0;

	while (n < max && !bpf_map_get_next_key(maps->ifaces, prev, &next)) {
		struct gw_iface v;
		char name[IF_NAMESIZE];

		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(maps->ifaces, &k, &v))
			continue;
		memset(&ifaces[n], 0, sizeof(ifaces[n]));
		ifaces[n].ifindex = (int)k;
		ifaces[n].mode = v.mode;
		ifaces[n].prog_id = v.prog_id;
		snprintf(ifaces[n].name, sizeof(ifaces[n].name), "%.15s", v.name);
		/* an interface renamed or gone since: keep the record, say so */
		if (!if_indextoname(k, name) || strcmp(name, ifaces[n].name))
			pr_debug("XDP: recorded interface %s (ifindex %u) is %s now\n",
				 ifaces[n].name, k, if_indextoname(k, name) ? name : "gone");
		n++;
	}
	return (int)n;
}

/* ---- status ------------------------------------------------------------------- */

void gw_xdp_print_status(FILE *f, const char *pin_dir)
{
	struct gw_xdp_instance in = { .lock_fd = -1 };
	__u32 k, next, *prev = NULL, zero = 0;
	struct gw_cfg cfg;
	int n = 0;

	if (!gw_xdp_pins_exist(pin_dir) && !gw_xdp_instance_attached(pin_dir)) {
		fprintf(f, "XDP: not loaded (no pinned maps in %s)\n", pin_dir);
		return;
	}
	if (gw_xdp_instance_open_pinned(&in, pin_dir) ||
	    bpf_map_lookup_elem(in.maps.config, &zero, &cfg)) {
		fprintf(f, "XDP: cannot read the maps of %s\n", pin_dir);
		goto out;
	}
	fprintf(f, "XDP: generation %u, serial %llu, pins %s\n", cfg.gen,
		(unsigned long long)cfg.serial, pin_dir);
	while (!bpf_map_get_next_key(in.maps.ifaces, prev, &next)) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		struct gw_iface v;
		const char *state;
		__u32 tcx[GW_TCX_MAX], ntcx, id = 0;

		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(in.maps.ifaces, &k, &v))
			continue;
		if (v.mode == GW_XDP_MODE_TC) {
			ntcx = tcx_prog_ids((int)k, tcx, GW_TCX_MAX);
			state = "tc hook NOT ATTACHED";
			for (__u32 t = 0; t < ntcx; t++)
				if (tcx[t] == v.prog_id)
					state = "tc hook (tcx ingress)", id = tcx[t];
		} else if (bpf_xdp_query((int)k, 0, &q) || !q.prog_id) {
			state = "NOT ATTACHED";
		} else if ((id = q.prog_id) != v.prog_id) {
			state = "another program attached";
		} else {
			state = q.attach_mode == XDP_ATTACHED_SKB ? "generic mode" : "native mode";
		}
		fprintf(f, "  interface %.16s (ifindex %u): %s, prog %u\n", v.name, k, state, id);
		n++;
	}
	if (!n)
		fprintf(f, "  no interface attached\n");
out:
	gw_xdp_instance_close(&in);
}
