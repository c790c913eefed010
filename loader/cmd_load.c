// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwctl load: validate every given object, resolve, and replace the
 * node's desired state with it, or with --dry-run only print the result.
 * Nothing is applied unless everything validates.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/limits.h"
#include "config/state.h"
#include "dataplane.h"
#include "node.h"
#include "gw/htpasswd.h"
#include "gw/jwt.h"
#include "gw/tls.h"
#include "gwctl.h"

#define GW_STAGED_FILE "config.staged.yaml"

/* load: the files are the whole configuration; apply: they add or replace objects;
 * delete: they (or KIND NAME) name objects to remove. Everything else is shared. */
enum load_mode { MODE_LOAD, MODE_APPLY, MODE_DELETE };

struct load_cfg {
	struct gw_common_cfg common;
	enum load_mode mode;
	const char *ns;			/* delete KIND NAME: the namespace */
	struct gw_strlist files;
	bool dry_run;
	const char *output;
	bool quiet;
	struct gw_strlist ifaces;
	const char *l4_hook;
	const char *pin_dir;
	const char *gwd_socket;
	struct gw_strlist allow_unenforced;
};

static const char *const l4_hooks[] = { "auto", "xdp", "tc", NULL };

static const struct gw_opt load_opts[] = {
	GW_OPT("filename", 'f', GW_OPT_STRLIST, struct load_cfg, files, "FILE", NULL,
	       "YAML/JSON file, directory of them, or - for stdin (repeatable)"),
	GW_OPT("dry-run", 0, GW_OPT_FLAG, struct load_cfg, dry_run, NULL, NULL,
	       "validate and resolve, print the result, apply nothing"),
	GW_OPT("output", 'o', GW_OPT_ENUM, struct load_cfg, output, "FORMAT", gw_output_formats,
	       "with --dry-run: print every object with its status (yaml|json|name)"),
	GW_OPT("quiet", 'q', GW_OPT_FLAG, struct load_cfg, quiet, NULL, NULL,
	       "print only errors"),
	GW_OPT("iface", 'i', GW_OPT_STRLIST, struct load_cfg, ifaces, "IFNAME", NULL,
	       "attach the XDP tier to this interface (repeatable)"),
	GW_OPT("l4-hook", 0, GW_OPT_ENUM, struct load_cfg, l4_hook, "HOOK", l4_hooks,
	       "where the L4 tier runs on the --iface interfaces: xdp, tc (sched_cls on tcx "
	       "ingress) or auto (default: tc on veths and drivers without native XDP)"),
	GW_OPT("pin-dir", 0, GW_OPT_STR, struct load_cfg, pin_dir, "DIR", NULL,
	       "bpffs directory for pinned maps (default /sys/fs/bpf/xdpgw)"),
	GW_OPT("gwd-socket", 0, GW_OPT_STR, struct load_cfg, gwd_socket, "PATH", NULL,
	       "gwd control socket (default STATE_DIR/gwd.sock)"),
	GW_OPT("allow-unenforced", 0, GW_OPT_STRLIST, struct load_cfg, allow_unenforced,
	       "KIND[,KIND]", NULL, "accept policies of these kinds though xdpgw does not "
	       "enforce them (their targets are served without them; repeatable)"),
	GW_COMMON_OPTS(struct load_cfg),
	GW_OPT_END,
};

static bool yaml_name(const char *n)
{
	const char *dot = strrchr(n, '.');

	return dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* -f DIR: every .yaml/.yml/.json file in it, in name order (as kubectl -f DIR). */
static int add_path(struct gw_config *cfg, const char *path)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	int err = 0;

	if (strcmp(path, "-") && !stat(path, &st) && S_ISDIR(st.st_mode)) {
		d = opendir(path);
		if (!d) {
			gw_diag_add(&cfg->diags, GW_DIAG_ERROR, path, 0, NULL, NULL, NULL, NULL,
				    "cannot open directory: %s", strerror(errno));
			return 0;
		}
		while ((de = readdir(d))) {
			char **p;

			if (de->d_name[0] == '.' || !yaml_name(de->d_name))
				continue;
			p = realloc(names, (n + 1) * sizeof(*p));
			if (!p) {
				err = -ENOMEM;
				break;
			}
			names = p;
			if (!(names[n] = malloc(strlen(path) + strlen(de->d_name) + 2))) {
				err = -ENOMEM;
				break;
			}
			sprintf(names[n++], "%s/%s", path, de->d_name);
		}
		closedir(d);
		if (names)
			qsort(names, n, sizeof(*names), cmp_str);
		for (size_t i = 0; i < n; i++) {
			if (!err)
				err = gw_config_add_file(cfg, names[i]);
			free(names[i]);
		}
		free(names);
		return err;
	}
	return gw_config_add_file(cfg, path);
}

/* Conditions that are not True deserve a line after a load. */
static void warn_conditions(const struct gw_config *cfg)
{
	for (size_t i = 0; i < cfg->nobjs; i++) {
		const struct gw_obj *o = cfg->objs[i];

		if (!o->ours || !o->status)
			continue;
		struct gw_yval *parents = gw_yget(o->status, "parents");

		for (size_t p = 0; p < gw_ylen(parents); p++) {
			struct gw_yval *cs = gw_yget(parents->items[p], "conditions");
			struct gw_yval *pr = gw_yget(parents->items[p], "parentRef");

			for (size_t c = 0; c < gw_ylen(cs); c++) {
				struct gw_yval *cd = cs->items[c];

				if (!strcmp(gw_ygetstr(cd, "status", ""), "True"))
					continue;
				fprintf(stderr, "warning: %s %s/%s on %s %s: %s=%s %s: %s\n",
					o->ki->kind, o->ns, o->name,
					gw_ygetstr(pr, "kind", "Gateway"),
					gw_ygetstr(pr, "name", ""), gw_ygetstr(cd, "type", ""),
					gw_ygetstr(cd, "status", ""), gw_ygetstr(cd, "reason", ""),
					gw_ygetstr(cd, "message", ""));
			}
		}
	}
}

static int print_objects(struct gw_config *cfg, const char *fmt)
{
	struct gw_yval *list;

	if (!strcmp(fmt, "name")) {
		char buf[512];

		for (size_t i = 0; i < cfg->nobjs; i++)
			printf("%s\n", gw_resource_name(cfg->objs[i], buf, sizeof(buf)));
		return 0;
	}
	list = gw_list_view(&cfg->arena, cfg->objs, cfg->nobjs);
	if (!list)
		return -ENOMEM;
	return !strcmp(fmt, "json") ? gw_yemit_json(stdout, list, true)
				    : gw_yemit_yaml(stdout, list);
}

/* Prints diagnostics from index first on (resolution adds warnings after parsing). */
static void print_diags(const struct gw_config *cfg, size_t first, bool verbose)
{
	char buf[2048];

	for (size_t i = first; i < cfg->diags.n; i++) {
		const struct gw_diag *g = &cfg->diags.v[i];

		if (g->level == GW_DIAG_NOTICE && !verbose)
			continue;
		gw_diag_format(g, buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
	}
}

static const struct gw_dp_ops *dataplanes[2];
static int ndataplanes;

static void find_dataplanes(void)
{
	ndataplanes = 0;
	if (&gw_dp_xdp)
		dataplanes[ndataplanes++] = &gw_dp_xdp;
	if (&gw_dp_gwd)
		dataplanes[ndataplanes++] = &gw_dp_gwd;
}

/*
 * Status hook: the data planes that serve a listener's protocol, in order
 * (XDP before gwd for TCP/UDP: gwd serves what XDP does not), say if one
 * does; the last one's reason is the message.
 */
static bool dp_programmed(void *vctx, const struct gw_listener *l, const char **msg)
{
	struct gw_dp_ctx *ctx = vctx;
	bool owned = false;

	for (int i = 0; i < ndataplanes; i++) {
		if (!dataplanes[i]->owns_listener(l))
			continue;
		owned = true;
		if (dataplanes[i]->listener_programmed(ctx, l, msg))
			return true;
	}
	if (!owned)
		*msg = "no data plane in this build serves this protocol";
	return false;
}

static bool l4_listener(const struct gw_listener *l)
{
	return l->proto == GW_PROTO_TCP || l->proto == GW_PROTO_UDP;
}

/*
 * After the XDP tier is programmed: records in cfg which TCP/UDP listeners
 * it serves and rewrites the staged file with that, so gwd (which reads
 * it) serves the others in userspace.
 */
static int restage_tiers(struct gw_dp_ctx *ctx, struct gw_config *cfg, const char *dir)
{
	const char *msg;
	char key[512];
	int err;

	cfg->xdp_listeners = NULL;
	cfg->nxdp_listeners = 0;
	for (size_t i = 0; &gw_dp_xdp && i < cfg->nby_kind[GW_K_GATEWAY]; i++) {
		const struct gw_obj *o = cfg->by_kind[GW_K_GATEWAY][i];

		if (!o->ours || !o->u.gw || !o->u.gw->ours)
			continue;
		for (int k = 0; k < o->u.gw->nall; k++) {
			const struct gw_listener *l = o->u.gw->all[k];

			if (!l->valid || !l4_listener(l) ||
			    !gw_dp_xdp.listener_programmed(ctx, l, &msg))
				continue;
			snprintf(key, sizeof(key), "%s/%s/%s/%s", l->owner->ki->kind,
				 l->owner->ns ? l->owner->ns : "", l->owner->name, l->name);
			if ((err = gw_config_add_xdp_listener(cfg, key)))
				return err;
		}
	}
	/* staged without the list already: only a non-empty one needs writing again */
	return cfg->nxdp_listeners ? gw_state_save_as(dir, GW_STAGED_FILE, cfg) : 0;
}

/*
 * Programs every data plane; on a failure, the ones already programmed go
 * back to prev (whose state file is still the committed one).
 */
static int apply_dataplanes(struct gw_dp_ctx *ctx, struct gw_config *cfg,
			    const struct gw_config *prev, const char *dir, const char *staged,
			    const char *committed)
{
	bool applied = false;
	int i, err = 0;

	for (i = 0; i < ndataplanes; i++) {
		err = dataplanes[i]->apply(ctx, cfg, prev, staged);
		if (!err && dataplanes[i] == &gw_dp_xdp && (err = restage_tiers(ctx, cfg, dir))) {
			fprintf(stderr, "gwctl load: cannot write state to '%s': %s\n", dir,
				strerror(-err));
			applied = true;
		}
		if (err)
			break;
	}
	if (!err)
		return 0;
	fprintf(stderr, "gwctl load: the %s data plane rejected the configuration; rolling "
		"back to the previous one\n", dataplanes[i]->name);
	if (applied)
		i++;	/* applied, then the state write failed: roll it back too */
	while (i-- > 0) {
		if (dataplanes[i]->apply(ctx, prev, cfg, committed))
			fprintf(stderr, "gwctl load: rolling back the %s data plane failed\n",
				dataplanes[i]->name);
	}
	return err;
}

#define STATE_INPUT "(state)"

/* An object of the current state, re-read as input the state vouches for. */
static int add_state_obj(struct gw_config *cfg, const struct gw_obj *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return -ENOMEM;
	err = gw_yemit_yaml(f, p->root);
	if (fclose(f) && !err)
		err = -EIO;
	if (!err) {
		/* accepted when it was loaded: no --allow-unenforced again, status kept */
		cfg->trusted = true;
		err = gw_config_add_buf(cfg, STATE_INPUT, buf, len);
		cfg->trusted = false;
	}
	free(buf);
	return err;
}

/* apply: every object of prev the input does not name stays as it is */
static int merge_apply(struct gw_config *cfg, const struct gw_config *prev)
{
	int err;

	/* prev's objects are distinct, so only the input's can be found here */
	for (size_t i = 0; i < prev->nobjs; i++)
		if (!gw_config_find_like(cfg, prev->objs[i]) &&
		    (err = add_state_obj(cfg, prev->objs[i])))
			return err;
	return 0;
}

static bool deleted(const struct gw_obj *p, const struct gw_config *dels,
		    const struct gw_kind_info *ki, const char *ns, const char *name)
{
	if (dels)
		return gw_config_find_like(dels, p) != NULL;
	return !strcmp(p->ki->kind, ki->kind) && !strcmp(p->ki->group, ki->group) &&
	       !strcmp(p->name, name) && (!ki->namespaced || !strcmp(p->ns, ns));
}

/*
 * delete: cfg becomes prev without the objects dels names (or KIND NAME
 * in ns); each must exist. *ndel counts them.
 */
static int merge_delete(struct gw_config *cfg, struct gw_config *dels, const struct gw_config *prev,
			const struct gw_kind_info *ki, const char *ns, const char *name, size_t *ndel)
{
	char buf[512];
	int err;

	*ndel = 0;
	for (size_t i = 0; dels && i < dels->nobjs; i++) {
		if (!gw_config_find_like(prev, dels->objs[i])) {
			fprintf(stderr, "Error from server (NotFound): %s not found\n",
				gw_resource_name(dels->objs[i], buf, sizeof(buf)));
			return -ENOENT;
		}
	}
	for (size_t i = 0; i < prev->nobjs; i++) {
		if (deleted(prev->objs[i], dels, ki, ns, name)) {
			(*ndel)++;
			continue;
		}
		if ((err = add_state_obj(cfg, prev->objs[i])))
			return err;
	}
	if (!dels && !*ndel) {
		fprintf(stderr, "Error from server (NotFound): %s%s%s \"%s\" not found\n",
			ki->plural, *ki->group ? "." : "", ki->group, name);
		return -ENOENT;
	}
	return 0;
}

/* cfg->htpasswd_check: the SecurityPolicy basicAuth file as gwd will read it */
static int check_htpasswd(const char *text, size_t len, char *err, size_t errlen)
{
	struct gw_htpasswd_error he = { 0 };
	struct gw_htpasswd *h = NULL;
	int rc = gw_htpasswd_parse(text, len, &h, &he);

	if (rc)
		snprintf(err, errlen, "line %u: %s", he.line, he.reason ? he.reason : strerror(-rc));
	gw_htpasswd_free(h);
	return rc;
}

/* cfg->jwks_check: a jwt provider's local JWK set as gwd will read it */
static int check_jwks(const char *text, size_t len, char *err, size_t errlen)
{
	struct gw_jwt_error je = { 0 };
	struct gw_jwks *k = NULL;
	int rc = gw_jwks_parse(text, len, &k, &je);

	if (rc)
		snprintf(err, errlen, "%s", je.reason ? je.reason : strerror(-rc));
	gw_jwks_free(k);
	return rc;
}

static int run_load(void *vcfg, int argc, char **argv)
{
	struct load_cfg *lc = vcfg;
	const char *dir = gw_state_dir(&lc->common);
	struct gw_config cfg, prev;
	char now[32], buf[512], staged[4200], committed[4200], sockpath[4200];
	struct gw_dp_ctx dpctx = { 0 };
	struct gw_dataplane dp = { 0 };
	struct gw_node_addrs node = { 0 };
	int lock = -1, err, ret = 1;
	size_t ndiags;
	char *allow = NULL;
	const char **kinds = NULL;
	int nkinds = 0;
	const char *cmd = lc->mode == MODE_APPLY ? "apply" : lc->mode == MODE_DELETE ? "delete"
										       : "load";
	const struct gw_kind_info *del_ki = NULL;
	const char *del_name = NULL;
	struct gw_config dels;
	bool have_dels = false;
	size_t ndeleted = 0;

	(void)argv;
	snprintf(sockpath, sizeof(sockpath), "%s/gwd.sock", dir);
	dpctx.state_dir = dir;
	dpctx.pin_dir = lc->pin_dir ? lc->pin_dir : GW_PIN_DIR_DEFAULT;
	dpctx.ifaces = lc->ifaces;
	dpctx.l4_hook = lc->l4_hook;
	dpctx.gwd_socket = lc->gwd_socket ? lc->gwd_socket : sockpath;
	dpctx.verbose = lc->common.verbose;
	gw_config_init(&cfg, lc->common.controller);
	gw_config_init(&prev, lc->common.controller);
	cfg.unserved_kinds = GW_UNSERVED_KINDS;
	cfg.tls_options_check = gw_tls_options_check;
	cfg.htpasswd_check = check_htpasswd;
	cfg.jwks_check = check_jwks;
	if (lc->mode == MODE_DELETE && argc == 2 && !lc->files.n) {
		del_ki = gw_kind_by_cli_name(argv[0]);
		del_name = argv[1];
		if (!del_ki) {
			fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n",
				argv[0]);
			goto out;
		}
	} else if (argc) {
		fprintf(stderr, "gwctl %s: unexpected argument '%s'; files are given with -f\n",
			cmd, argv[0]);
		ret = 2;
		goto out;
	} else if (!lc->files.n) {
		fprintf(stderr, "gwctl %s: no input: give one or more -f FILE%s\n", cmd,
			lc->mode == MODE_DELETE ? ", or KIND NAME" : "");
		ret = 2;
		goto out;
	}
	if (lc->output && !lc->dry_run) {
		fprintf(stderr, "gwctl load: -o is only valid with --dry-run\n");
		ret = 2;
		goto out;
	}
	/* --allow-unenforced A,B --allow-unenforced C: one list of kind names */
	for (int i = 0; i < lc->allow_unenforced.n; i++) {
		char *tok, *save;

		free(allow);
		allow = strdup(lc->allow_unenforced.v[i]);
		if (!allow)
			goto oom;
		for (tok = strtok_r(allow, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			const char **k = realloc(kinds, (nkinds + 1) * sizeof(*k));
			char *d = strdup(tok);

			if (!k || !d) {
				free(d);
				if (k)
					kinds = k;
				goto oom;
			}
			kinds = k;
			kinds[nkinds++] = d;
		}
	}
	cfg.allow_unenforced = kinds;
	cfg.nallow_unenforced = nkinds;
	for (int i = 0; i < lc->files.n; i++) {
		if ((err = add_path(&cfg, lc->files.v[i]))) {
			fprintf(stderr, "gwctl load: %s\n", strerror(-err));
			goto out;
		}
	}
	print_diags(&cfg, 0, lc->common.verbose);
	if (cfg.diags.nerrors) {
		fprintf(stderr, "gwctl load: %zu error%s; nothing was applied\n", cfg.diags.nerrors,
			cfg.diags.nerrors == 1 ? "" : "s");
		goto out;
	}
	if (!cfg.nobjs && !del_ki) {
		fprintf(stderr, "gwctl %s: no objects passed to %s; nothing was applied\n", cmd, cmd);
		goto out;
	}
	/*
	 * The previous state supplies creation times, generations and
	 * condition transition times. A dry run only reads it, and may run
	 * without the state directory existing at all.
	 */
	if (lc->dry_run) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, GW_STATE_FILE);
		if (!access(path, R_OK))
			lock = gw_state_lock(dir, LOCK_SH);
	} else {
		lock = gw_state_lock(dir, LOCK_EX);
		if (lock < 0) {
			fprintf(stderr, "gwctl load: cannot lock state directory '%s': %s\n", dir,
				strerror(-lock));
			goto out;
		}
	}
	if (lock >= 0 && (err = gw_state_load(dir, &prev))) {
		fprintf(stderr, "gwctl load: cannot read the current state in '%s': %s\n", dir,
			strerror(-err));
		gw_diags_print(&prev.diags, stderr);
		goto out;
	}
	if (lc->mode == MODE_APPLY && (err = merge_apply(&cfg, &prev)))
		goto merge_failed;
	if (lc->mode == MODE_DELETE) {
		/* the input names what goes; the configuration is the state without it */
		dels = cfg;
		have_dels = true;
		gw_config_init(&cfg, lc->common.controller);
		cfg.unserved_kinds = GW_UNSERVED_KINDS;
		cfg.tls_options_check = gw_tls_options_check;
		cfg.htpasswd_check = check_htpasswd;
		cfg.jwks_check = check_jwks;
		err = merge_delete(&cfg, del_ki ? NULL : &dels, &prev, del_ki,
				   lc->ns ? lc->ns : "default", del_name, &ndeleted);
		if (err)
			goto merge_failed;
	}
	cfg.now = gw_now_rfc3339(now, sizeof(now));
	/* the node's addresses: status.addresses, AddressNotUsable */
	if ((err = gw_node_probe(&node, lc->ifaces.n > 0))) {
		fprintf(stderr, "gwctl load: cannot list the node's addresses: %s\n",
			strerror(-err));
		goto out;
	}
	cfg.node = &node.node;
	ndiags = cfg.diags.n;
	if ((err = gw_config_stamp(&cfg, &prev, now)) || (err = gw_config_resolve(&cfg, &prev))) {
		fprintf(stderr, "gwctl load: %s\n", strerror(-err));
		goto out;
	}
	/* a dry run writes nothing: measure what the stage would write (gw_state_stage below) */
	if (lc->dry_run && !cfg.diags.nerrors &&
	    (err = gw_state_check_limits(&cfg, GW_STATE_MAX_BYTES, GW_STATE_NODE_BUDGET)) &&
	    err != -EFBIG) {
		fprintf(stderr, "gwctl load: measuring the stored configuration: %s\n",
			strerror(-err));
		goto out;
	}
	print_diags(&cfg, ndiags, lc->common.verbose);
	if (cfg.diags.nerrors) {
		fprintf(stderr, "gwctl load: %zu error%s; nothing was applied\n", cfg.diags.nerrors,
			cfg.diags.nerrors == 1 ? "" : "s");
		goto out;
	}
	if (lc->dry_run) {
		if (lc->output)
			ret = print_objects(&cfg, lc->output) ? 1 : 0;
		else {
			for (size_t i = 0; i < cfg.nobjs; i++)
				printf("%s validated (dry run)\n",
				       gw_resource_name(cfg.objs[i], buf, sizeof(buf)));
			warn_conditions(&cfg);
			ret = 0;
		}
		goto out;
	}
	/*
	 * stage, program the data planes, then commit with their status. What
	 * gwd and the next gwctl read back must be within the state file
	 * limits: the stage measures itself and names the user's object where
	 * it crosses them.
	 */
	ndiags = cfg.diags.n;
	err = gw_state_stage(dir, GW_STAGED_FILE, &cfg, GW_STATE_MAX_BYTES, GW_STATE_NODE_BUDGET);
	if (err == -EFBIG) {
		print_diags(&cfg, ndiags, lc->common.verbose);
		fprintf(stderr, "gwctl load: 1 error; nothing was applied\n");
		goto out;
	}
	if (err) {
		fprintf(stderr, "gwctl load: cannot write state to '%s': %s; the previous "
			"configuration is still in place\n", dir, strerror(-err));
		goto out;
	}
	snprintf(staged, sizeof(staged), "%s/%s", dir, GW_STAGED_FILE);
	snprintf(committed, sizeof(committed), "%s/%s", dir, GW_STATE_FILE);
	find_dataplanes();
	if ((err = apply_dataplanes(&dpctx, &cfg, &prev, dir, staged, committed))) {
		unlink(staged);
		goto out;
	}
	dp.listener_programmed = dp_programmed;
	dp.ctx = &dpctx;
	cfg.dataplane = &dp;
	if ((err = gw_config_refresh_status(&cfg, &prev)) || (err = gw_state_save(dir, &cfg))) {
		fprintf(stderr, "gwctl load: cannot write state to '%s': %s\n", dir,
			strerror(-err));
		unlink(staged);
		goto out;
	}
	unlink(staged);
	if (!lc->quiet) {
		for (size_t i = 0; lc->mode != MODE_DELETE && i < cfg.nobjs; i++) {
			struct gw_obj *o = cfg.objs[i];
			struct gw_obj *p = gw_config_find_like(&prev, o);

			if (!strcmp(o->file, STATE_INPUT))
				continue;	/* apply: not named by the input */
			printf("%s %s\n", gw_resource_name(o, buf, sizeof(buf)),
			       !p ? "created" : p->generation == o->generation ? "unchanged"
									  : "configured");
		}
		for (size_t i = 0; i < prev.nobjs; i++) {
			struct gw_obj *p = prev.objs[i];

			if (!gw_config_find_like(&cfg, p))
				printf("%s %s\n", gw_resource_name(p, buf, sizeof(buf)),
				       lc->mode == MODE_DELETE ? "deleted" : "pruned");
		}
		warn_conditions(&cfg);
	}
	ret = 0;
	goto out;
merge_failed:
	if (err != -ENOENT)
		fprintf(stderr, "gwctl %s: %s; nothing was applied\n", cmd, strerror(-err));
	goto out;
oom:
	fprintf(stderr, "gwctl load: %s\n", strerror(ENOMEM));
out:
	if (have_dels)
		gw_config_free(&dels);
	if (lock >= 0)
		close(lock);
	for (int i = 0; i < nkinds; i++)
		free((char *)kinds[i]);
	free(kinds);
	free(allow);
	free(lc->allow_unenforced.v);
	free(lc->files.v);
	free(lc->ifaces.v);
	gw_config_free(&cfg);
	gw_config_free(&prev);
	gw_node_free(&node);
	return ret;
}

const struct gw_cmd gw_cmd_load = {
	.name = "load",
	.args = "-f FILE...",
	.help = "validate Gateway API YAML and make it the node's configuration",
	.opts = load_opts,
	.cfg_size = sizeof(struct load_cfg),
	.run = run_load,
};

/* kubectl apply: the objects given are created or replaced, the rest stay */
static int run_apply(void *vcfg, int argc, char **argv)
{
	((struct load_cfg *)vcfg)->mode = MODE_APPLY;
	return run_load(vcfg, argc, argv);
}

const struct gw_cmd gw_cmd_apply = {
	.name = "apply",
	.args = "-f FILE...",
	.help = "create or update the objects given, keep every other one (kubectl apply)",
	.opts = load_opts,
	.cfg_size = sizeof(struct load_cfg),
	.run = run_apply,
};

static const struct gw_opt delete_opts[] = {
	GW_OPT("filename", 'f', GW_OPT_STRLIST, struct load_cfg, files, "FILE", NULL,
	       "delete the objects this file names (repeatable)"),
	GW_OPT("namespace", 'n', GW_OPT_STR, struct load_cfg, ns, "NS", NULL,
	       "with KIND NAME: the namespace (default: default)"),
	GW_OPT("quiet", 'q', GW_OPT_FLAG, struct load_cfg, quiet, NULL, NULL,
	       "print only errors"),
	GW_OPT("iface", 'i', GW_OPT_STRLIST, struct load_cfg, ifaces, "IFNAME", NULL,
	       "attach the XDP tier to this interface (repeatable)"),
	GW_OPT("pin-dir", 0, GW_OPT_STR, struct load_cfg, pin_dir, "DIR", NULL,
	       "bpffs directory for pinned maps (default /sys/fs/bpf/xdpgw)"),
	GW_OPT("gwd-socket", 0, GW_OPT_STR, struct load_cfg, gwd_socket, "PATH", NULL,
	       "gwd control socket (default STATE_DIR/gwd.sock)"),
	GW_COMMON_OPTS(struct load_cfg),
	GW_OPT_END,
};

static int run_delete(void *vcfg, int argc, char **argv)
{
	((struct load_cfg *)vcfg)->mode = MODE_DELETE;
	return run_load(vcfg, argc, argv);
}

const struct gw_cmd gw_cmd_delete = {
	.name = "delete",
	.args = "-f FILE... | KIND NAME",
	.help = "delete the objects given, keep every other one (kubectl delete)",
	.opts = delete_opts,
	.cfg_size = sizeof(struct load_cfg),
	.run = run_delete,
};
