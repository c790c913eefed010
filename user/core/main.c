// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwd: the xdpgw L7 daemon. Runs in the foreground (systemd Type=notify is
 * not needed: /ready and the control socket say when it serves). Reads
 * STATE_DIR/config.yaml at start; `gwctl load` makes it reload.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/config/state.h"
#include "gw/log.h"
#include "gwd_internal.h"

struct opt {
	const char *name;
	int has_arg;
	const char *metavar;
	const char *help;
};

static const struct opt opts[] = {
	{ "state-dir", 1, "DIR", "state directory with config.yaml (default /var/lib/xdpgw)" },
	{ "socket", 1, "PATH", "control socket (default STATE_DIR/gwd.sock)" },
	{ "workers", 1, "N", "worker threads, one io_uring each (default: one per CPU)" },
	{ "admin", 1, "ADDR:PORT", "admin endpoint /metrics /ready /config, or 'off' "
				   "(default 127.0.0.1:9901)" },
	{ "access-log", 1, "PATH", "JSON-lines access log (default off)" },
	{ "controller-name", 1, "NAME", "GatewayClass controllerName to serve; must match the "
					"state's "
					"(default: the one gwctl loaded it for)" },
	{ "max-conns", 1, "N", "client connections, all workers (default 16384)" },
	{ "idle-timeout", 1, "SEC", "idle keep-alive client connection timeout (default 60)" },
	{ "header-timeout", 1, "SEC", "time to receive a request head (default 30)" },
	{ "upstream-timeout", 1, "SEC", "backend silence during a response without a "
					"backendRequest timeout (default 60)" },
	{ "connect-timeout", 1, "SEC", "backend connect timeout (default 5)" },
	{ "pool-idle-timeout", 1, "SEC", "idle pooled backend connection lifetime (default 30)" },
	{ "pool-max-idle", 1, "N", "idle backend connections per endpoint and worker "
				   "(default 1024)" },
	{ "upstream-max-conns", 1, "N", "backend connections per endpoint and worker; more "
					"requests wait for one (default 1024)" },
	{ "h2-conn-buffer", 1, "KIB", "response bytes an HTTP/2 client connection may hold "
				      "waiting for its flow-control windows (default 512)" },
	{ "h2-buffer-max", 1, "KIB", "the same for all connections; when full, the one "
				     "holding the most is closed (default 65536)" },
	{ "drain-timeout", 1, "SEC", "SIGTERM: how long in-flight requests may finish "
				     "(default 10)" },
	{ "udp-idle-timeout", 1, "SEC", "UDP listeners: a client's session ends after this "
					"long without a datagram (default 60)" },
	{ "udp-max-sessions", 1, "N", "UDP listeners: sessions, all workers (default 16384)" },
	{ "tcp-tunnel", 1, "MODE", "TCP listeners: copy (recv/send, default) or splice "
				   "(io_uring splice through a pipe pair)" },
	{ "lb", 1, "POLICY", "endpoint choice: round-robin (default) or least-request" },
	{ "xff", 1, "MODE", "X-Forwarded-For/-Proto/-Host: append (default) or off" },
	{ "allow-underscores-in-headers", 0, NULL, "forward request header fields whose name "
						   "has '_' (default: dropped, counted)" },
	{ "path-escaped-slash", 1, "ACTION", "%2F, %5C or \\ in a request path: reject (400, "
					       "default) or keep (forwarded as sent)" },
	{ "verbose", 0, NULL, "debug logging" },
	{ "help", 0, NULL, "show this help" },
	{ NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: gwd [options]\n\nxdpgw L7 data plane: serves the HTTP, HTTPS and TLS "
		   "listeners of the Gateways loaded with 'gwctl load', and their TCP/UDP listeners "
		   "the XDP tier does not serve.\n\nOptions:\n");
	for (const struct opt *o = opts; o->name; o++) {
		char left[48];

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->metavar ? " " : "",
			 o->metavar ? o->metavar : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
}

static bool number(const char *name, const char *v, long long min, long long max, long long *out)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end || end == v || x < min || x > max) {
		fprintf(stderr, "gwd: --%s: expected a number from %lld to %lld, got '%s'\n", name,
			min, max, v);
		return false;
	}
	*out = x;
	return true;
}

static int parse_args(int argc, char **argv, struct gwd_opts *o)
{
	struct option lo[sizeof(opts) / sizeof(opts[0])];
	int n = 0, c, idx;

	for (const struct opt *p = opts; p->name; p++, n++)
		lo[n] = (struct option){ p->name, p->has_arg ? required_argument : no_argument,
					 NULL, 0 };
	lo[n] = (struct option){ 0 };
	while ((c = getopt_long(argc, argv, "vh", lo, &idx)) != -1) {
		const char *name;
		long long v;

		if (c == 'v') {
			gw_log_level = GW_LOG_DEBUG;
			continue;
		}
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c != 0) {
			usage(stderr);
			return -EINVAL;
		}
		name = lo[idx].name;
		if (!strcmp(name, "state-dir")) {
			o->state_dir = optarg;
		} else if (!strcmp(name, "socket")) {
			o->socket = optarg;
		} else if (!strcmp(name, "workers")) {
			if (!number(name, optarg, 1, GW_MAX_WORKERS, &v))
				return -EINVAL;
			o->workers = (int)v;
		} else if (!strcmp(name, "admin")) {
			o->admin = optarg;
		} else if (!strcmp(name, "access-log")) {
			o->access_log = optarg;
		} else if (!strcmp(name, "controller-name")) {
			o->controller = optarg;
		} else if (!strcmp(name, "max-conns")) {
			if (!number(name, optarg, 1, 10000000, &v))
				return -EINVAL;
			o->max_conns = (int)v;
		} else if (!strcmp(name, "upstream-max-conns")) {
			if (!number(name, optarg, 1, 1000000, &v))
				return -EINVAL;
			o->upstream_max_conns = (int)v;
		} else if (!strcmp(name, "tcp-tunnel")) {
			if (strcmp(optarg, "copy") && strcmp(optarg, "splice")) {
				fprintf(stderr, "gwd: --tcp-tunnel: expected copy or splice, got "
						"'%s'\n", optarg);
				return -EINVAL;
			}
			o->tcp_splice = !strcmp(optarg, "splice");
		} else if (!strcmp(name, "udp-max-sessions")) {
			if (!number(name, optarg, 1, 10000000, &v))
				return -EINVAL;
			o->udp_max_sessions = (int)v;
		} else if (!strcmp(name, "pool-max-idle")) {
			if (!number(name, optarg, 0, 100000, &v))
				return -EINVAL;
			o->pool_max_idle = (int)v;
		} else if (!strcmp(name, "h2-conn-buffer") || !strcmp(name, "h2-buffer-max")) {
			/* below 64 KiB a connection could not hold two streams' buffers */
			if (!number(name, optarg, 64, 64 * 1024 * 1024, &v))
				return -EINVAL;
			*(name[3] == 'c' ? &o->h2_conn_buffer : &o->h2_buffer_max) =
				(size_t)v * 1024;
		} else if (!strcmp(name, "lb")) {
			if (strcmp(optarg, "round-robin") && strcmp(optarg, "least-request")) {
				fprintf(stderr, "gwd: --lb: expected round-robin or least-request, "
						"got '%s'\n", optarg);
				return -EINVAL;
			}
			o->least_request = !strcmp(optarg, "least-request");
		} else if (!strcmp(name, "xff")) {
			if (strcmp(optarg, "append") && strcmp(optarg, "off")) {
				fprintf(stderr, "gwd: --xff: expected append or off, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			o->xff = !strcmp(optarg, "off") ? GW_XFF_OFF : GW_XFF_APPEND;
		} else if (!strcmp(name, "allow-underscores-in-headers")) {
			o->allow_underscores = true;
		} else if (!strcmp(name, "path-escaped-slash")) {
			if (strcmp(optarg, "reject") && strcmp(optarg, "keep")) {
				fprintf(stderr, "gwd: --path-escaped-slash: expected reject or keep, "
						"got '%s'\n", optarg);
				return -EINVAL;
			}
			o->escaped_slash = !strcmp(optarg, "keep") ? GW_ESCAPED_SLASH_KEEP
								  : GW_ESCAPED_SLASH_REJECT;
		} else if (!strcmp(name, "verbose")) {
			gw_log_level = GW_LOG_DEBUG;
		} else if (!strcmp(name, "help")) {
			usage(stdout);
			exit(0);
		} else {
			uint64_t *ms = !strcmp(name, "idle-timeout")	     ? &o->idle_timeout_ms
				       : !strcmp(name, "header-timeout")     ? &o->header_timeout_ms
				       : !strcmp(name, "upstream-timeout")   ? &o->upstream_timeout_ms
				       : !strcmp(name, "connect-timeout")    ? &o->connect_timeout_ms
				       : !strcmp(name, "pool-idle-timeout") ? &o->pool_idle_ms
				       : !strcmp(name, "udp-idle-timeout")  ? &o->udp_idle_ms
									     : &o->drain_timeout_ms;

			if (!number(name, optarg, 1, 86400, &v))
				return -EINVAL;
			*ms = (uint64_t)v * 1000;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gwd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/*
 * The state directory holds the control socket and what gwctl loads: one
 * that does not exist yet (gwd started before the first load) is created,
 * private to root and its group as gwctl's state is. The controllerName
 * the state was loaded for is ours too; an explicit different one would
 * serve someone else's classes (or none), so it is refused.
 */
static int prepare_state_dir(const struct gwd_opts *o)
{
	char ctl[512];
	struct stat st;
	int err;

	if (stat(o->state_dir, &st)) {
		if (errno != ENOENT) {
			pr_err("Couldn't use state directory '%s': %s", o->state_dir,
			       strerror(errno));
			return -errno;
		}
		if ((err = gw_state_mkdir(o->state_dir, 0750))) {
			pr_err("Couldn't create state directory '%s': %s; create it (mkdir -m 0750 "
			       "%s) or give another with --state-dir DIR", o->state_dir,
			       strerror(-err), o->state_dir);
			return err;
		}
		pr_info("created state directory %s", o->state_dir);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		pr_err("State directory '%s' is not a directory; give one with --state-dir DIR",
		       o->state_dir);
		return -ENOTDIR;
	}
	err = gw_state_controller(o->state_dir, ctl, sizeof(ctl));
	if (!err && o->controller && strcmp(o->controller, ctl)) {
		pr_err("--controller-name %s differs from %s, the controllerName the state in %s "
		       "was loaded for; drop --controller-name, or load with gwctl load "
		       "--controller-name %s", o->controller, ctl, o->state_dir, o->controller);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char sockpath[4200];
	struct gwd_opts *o = &gwd.o;
	struct rlimit rl;
	sigset_t set;
	char err[2048];
	int ctl_fd = -1, admin_fd = -1, rc = 1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	*o = (struct gwd_opts){
		.state_dir = GW_STATE_DIR_DEFAULT,
		.admin = "127.0.0.1:9901",
		.xff = GW_XFF_APPEND,
		.workers = ncpu > 0 ? (int)(ncpu > GW_MAX_WORKERS ? GW_MAX_WORKERS : ncpu) : 1,
		.max_conns = 16384,
		.idle_timeout_ms = 60000,
		.header_timeout_ms = 30000,
		.upstream_timeout_ms = 60000,
		.connect_timeout_ms = 5000,
		.pool_idle_ms = 30000,
		/* as many as may be busy: a burst's connections are all reused */
		.pool_max_idle = 1024,
		.upstream_max_conns = 1024,
		.drain_timeout_ms = 10000,
		.udp_idle_ms = 60000,
		.udp_max_sessions = 16384,
		.h2_conn_buffer = 512 * 1024,
		.h2_buffer_max = 64 * 1024 * 1024,
	};
	gwd.accesslog_fd = -1;
	if (parse_args(argc, argv, o))
		return 2;
	if (prepare_state_dir(o))
		return 1;
	if (!o->socket) {
		snprintf(sockpath, sizeof(sockpath), "%s/gwd.sock", o->state_dir);
		o->socket = sockpath;
	}
	gwd.nworkers = o->workers;
	/* many client and backend sockets: take the whole allowance */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			pr_warn("Couldn't raise the open file limit to %llu: %s",
				(unsigned long long)rl.rlim_max, strerror(errno));
	}
	/* signals go to the main thread's signalfd; workers inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	gw_session_key_init();
	/* one stat cell per worker, not GW_MAX_WORKERS: stats are per rule and backend */
	if (gw_metrics_init(gwd.nworkers))
		pr_warn("Couldn't size the request stats for %d workers; using %d", gwd.nworkers,
			GW_MAX_WORKERS);
	gwd.noroute = gw_stat_get("", -1, "");
	if (o->access_log) {
		gwd.accesslog_fd = gw_accesslog_open(o->access_log);
		if (gwd.accesslog_fd < 0) {
			pr_warn("Couldn't open access log '%s': %s", o->access_log,
				strerror(-gwd.accesslog_fd));
			return 1;
		}
	}
	ctl_fd = gw_control_open(o->socket);
	if (ctl_fd < 0)
		return 1;
	if (strcmp(o->admin, "off")) {
		admin_fd = gw_admin_open(o->admin);
		if (admin_fd < 0)
			goto out;
	}
	gwd.w = calloc((size_t)gwd.nworkers, sizeof(*gwd.w));
	if (!gwd.w) {
		pr_warn("Couldn't allocate %d workers: out of memory", gwd.nworkers);
		goto out;
	}
	/* sockets first, then workers: they start on a complete table */
	if (gw_control_load_initial(err, sizeof(err))) {
		pr_warn("%s; starting with no configuration (waiting for 'gwctl load')", err);
	}
	for (int i = 0; i < gwd.nworkers; i++) {
		gwd.w[i].id = i;
		if (gw_worker_start(&gwd.w[i])) {
			pr_warn("Couldn't start worker %d; exiting", i);
			__atomic_store_n(&gwd.stop, 2, __ATOMIC_RELEASE);
			for (int k = 0; k < i; k++) {
				gw_worker_wake(&gwd.w[k]);
				pthread_join(gwd.w[k].thr, NULL);
			}
			goto out;
		}
	}
	gwd.running = true;
	gwd.ready = true;
	pr_info("gwd ready: %d workers, state %s, control socket %s", gwd.nworkers, o->state_dir,
		o->socket);
	rc = gw_control_run(ctl_fd, admin_fd) ? 1 : 0;
	for (int i = 0; i < gwd.nworkers; i++)
		pthread_join(gwd.w[i].thr, NULL);
	pr_info("gwd stopped");
out:
	if (ctl_fd >= 0) {
		close(ctl_fd);
		unlink(o->socket);
	}
	if (admin_fd >= 0)
		close(admin_fd);
	gw_control_shutdown();
	return rc;
}
