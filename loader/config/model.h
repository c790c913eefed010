/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The configuration model: every object read from the user's YAML, typed
 * views of the Gateway API objects, and what resolution computed for them
 * (attachment, references, endpoints, status). The data planes (XDP
 * compiler, gwd) read only this; nothing here is specific to either.
 * All memory belongs to the gw_config's arena.
 */
#ifndef GW_MODEL_H
#define GW_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "kinds.h"
#include "yval.h"

#define GW_DEFAULT_CONTROLLER "xdpgw.io/gateway-controller"

struct gw_obj;
struct gw_gateway;
struct gw_route;

enum gw_proto {
	GW_PROTO_HTTP,
	GW_PROTO_HTTPS,
	GW_PROTO_TLS,
	GW_PROTO_TCP,
	GW_PROTO_UDP,
	GW_PROTO_OTHER,	/* implementation-specific protocol we do not support */
};

enum gw_from {
	GW_FROM_SAME,
	GW_FROM_ALL,
	GW_FROM_SELECTOR,
	GW_FROM_NONE,
};

/** A Kubernetes condition as Gateway API status carries it. */
struct gw_cond {
	const char *type;
	const char *status;	/* "True", "False", "Unknown" */
	const char *reason;
	const char *message;
};

#define GW_MAX_CONDS 8

struct gw_conds {
	struct gw_cond v[GW_MAX_CONDS];
	int n;
};

/** Group/kind pair (RouteGroupKind). */
struct gw_rgk {
	const char *group;
	const char *kind;
};

/** A TLS certificate a listener serves (from a kubernetes.io/tls Secret). */
struct gw_cert {
	struct gw_obj *secret;
	const char *cert_pem;	/* decoded tls.crt */
	const char *key_pem;	/* decoded tls.key */
	size_t cert_len, key_len;
};

/**
 * Client certificate validation of an HTTPS listener: the Gateway's
 * spec.tls.frontend entry for the listener's port (perPort), else its
 * default, with the CA bundles of the references that resolved.
 */
struct gw_client_validation {
	bool insecure_fallback;		/* mode AllowInsecureFallback, else AllowValidOnly */
	const char *ca_pem;		/* ca.crt of every valid reference, concatenated */
	size_t ca_len;
};

struct gw_attachment;

struct gw_listener {
	struct gw_obj *owner;		/* the Gateway or ListenerSet that declares it */
	struct gw_gateway *gw;		/* the Gateway it is a listener of */
	struct gw_yval *node;
	size_t index;			/* position in owner's listeners */
	const char *name;
	const char *hostname;		/* NULL = any */
	const char *protocol;		/* as written */
	enum gw_proto proto;
	int port;
	const char *tls_mode;		/* "Terminate", "Passthrough" or NULL */
	struct gw_yval *cert_refs;	/* spec tls.certificateRefs */
	enum gw_from from;
	struct gw_yval *selector;	/* allowedRoutes.namespaces.selector */
	struct gw_yval *kinds;		/* allowedRoutes.kinds as written */

	/* resolution */
	struct gw_rgk supported[8];
	int nsupported;
	bool valid;			/* Accepted and not Conflicted: routes may attach */
	struct gw_cert *certs;
	int ncerts;
	/* HTTPS: client certificates to ask for and verify, or NULL for none */
	struct gw_client_validation *client_validation;
	int attached_routes;
	struct gw_attachment *attachments;	/* routes attached here, in attach order */
	struct gw_attachment *attachments_tail;
	struct gw_conds conds;
};

/** One route attached to one listener, with the hostnames it serves there. */
struct gw_attachment {
	struct gw_attachment *next;
	struct gw_route *route;
	int parent;			/* index into route->parents */
	const char **hostnames;		/* intersection; NULL+0 = any */
	int nhostnames;
};

struct gw_gateway {
	struct gw_obj *obj;
	struct gw_obj *cls;		/* GatewayClass, if it exists */
	bool ours;			/* class is ours and accepted */
	struct gw_listener *listeners;	/* spec.listeners */
	int nlisteners;
	/* every listener, the Gateway's first then attached ListenerSets' by precedence */
	struct gw_listener **all;
	int nall;
	enum gw_from ls_from;		/* spec.allowedListeners.namespaces.from */
	struct gw_yval *ls_selector;
	int attached_listenersets;
	/* addresses gwd binds the listeners to (none: every address of the node) */
	const char **addresses;
	int naddresses;
	const char **spec_addrs;	/* spec.addresses IPAddress values, as written */
	int nspec_addrs;
	bool auto_addr;			/* an IPAddress entry without a value: we assign one */
	/* GatewayStatus.addresses, set by gw_finish_gateways() (max 16) */
	const char *status_addrs[16];
	int nstatus_addrs;
	/* spec.tls.backend.clientCertificateRef, presented to TLS backends; NULL if none */
	struct gw_cert *client_cert;
	/* why clientCertificateRef does not resolve (Gateway ResolvedRefs), or NULL */
	const char *client_cert_reason, *client_cert_message;
	struct gw_conds conds;
};

struct gw_listenerset {
	struct gw_obj *obj;
	struct gw_gateway *parent;	/* NULL if not attached */
	struct gw_listener *listeners;
	int nlisteners;
	bool accepted;
	struct gw_conds conds;
};

struct gw_endpoint {
	const char *addr;		/* textual IPv4/IPv6 address */
	int family;			/* AF_INET or AF_INET6 */
	int port;
	const char *target;		/* targetRef "ns/name" of the pod, or NULL */
};

/** A backendRef (route rule backend, mirror or ExternalAuth filter target), resolved. */
struct gw_backend {
	struct gw_yval *node;
	const char *group, *kind, *ns, *name;
	int port;			/* 0 = not given */
	int weight;
	struct gw_obj *svc;		/* NULL if unresolved */
	const char *app_protocol;
	/* resolution failure (ResolvedRefs reason) or NULL */
	const char *reason;
	const char *message;
	struct gw_endpoint *eps;	/* ready endpoints */
	int neps;
	/* the BackendTLSPolicy that applies to the Service port (reach it over TLS), or NULL */
	struct gw_obj *tls_policy;
	/* with tls_policy: the client certificate of the route's Gateway (tls.backend), or NULL */
	const struct gw_cert *tls_client_cert;
};

struct gw_rule {
	struct gw_yval *node;
	const char *name;
	struct gw_backend *backends;
	int nbackends;
	struct gw_backend *mirrors;	/* RequestMirror filter targets */
	int nmirrors;
	/*
	 * Why no data plane implements this rule ("path: problem"), or NULL.
	 * Such a rule is dropped (GEP-1364): gwd builds no match for it. Only
	 * HTTPRoute and GRPCRoute rules are checked (route_rules.c), so the
	 * TLSRoute/TCPRoute/UDPRoute compilers need not look.
	 */
	const char *invalid;
	struct gw_backend *extauths;	/* ExternalAuth filter backendRefs */
	int nextauths;
};

struct gw_parent {
	struct gw_yval *node;		/* the parentRef as written (defaulted) */
	const char *group, *kind, *ns, *name, *section;
	int port;			/* 0 = not given */
	struct gw_gateway *gw;		/* resolved Gateway (ours) or NULL */
	struct gw_listenerset *ls;	/* when kind is ListenerSet */
	bool ours;			/* a status entry is written for it */
	int attached;			/* listeners that accepted it */
	int conflicts;			/* of those, lost to an HTTP/GRPC hostname conflict */
	struct gw_route *conflict_with;
	struct gw_conds conds;
};

struct gw_route {
	struct gw_obj *obj;
	struct gw_parent *parents;
	int nparents;
	const char **hostnames;
	int nhostnames;
	struct gw_rule *rules;
	int nrules;
	/* first ResolvedRefs failure across all backendRefs */
	const char *rr_reason, *rr_message;
	/* first Accepted-blocking problem that is not attachment (e.g. ExtensionRef) */
	const char *bad_reason, *bad_message;
};

struct gw_service_port {
	const char *name;
	int port;
	const char *protocol;
	const char *app_protocol;
	struct gw_yval *target_port;
};

struct gw_service {
	struct gw_obj *obj;
	struct gw_service_port *ports;
	int nports;
	struct gw_obj **slices;		/* EndpointSlices labelled with this Service */
	int nslices;
};

/**
 * An Envoy Gateway SecurityPolicy as xdpgw enforces it; the fields stay in
 * obj->spec (the data plane builds them). invalid: why it cannot be
 * enforced, and then its targets get 500, never unauthenticated access.
 */
struct gw_secpol {
	struct gw_obj *obj;
	const char *invalid_reason, *invalid;
	const char *htpasswd;		/* basicAuth.users: the Secret's .htpasswd, decoded */
	size_t htpasswd_len;
	const char **jwks;		/* jwt.providers[i]: the local JWKS text */
	int njwks;
	struct gw_apikey {		/* apiKeyAuth: client id and key, from the Secrets */
		const char *client;
		const char *key;
		size_t len;
	} *apikeys;
	int napikeys;
};

struct gw_obj {
	const struct gw_kind_info *ki;
	const char *api_version;
	const char *version;
	const char *ns;			/* NULL for cluster-scoped kinds */
	const char *name;
	const char *file;
	unsigned line;
	size_t seq;			/* position in the input */
	struct gw_yval *root;		/* the whole object, defaulted */
	struct gw_yval *meta;
	struct gw_yval *spec;		/* root.spec, or NULL */
	long long generation;
	const char *created;		/* metadata.creationTimestamp (RFC 3339) */
	struct gw_yval *labels;
	bool ours;			/* we own its status */
	struct gw_yval *status;		/* computed, or NULL */
	union {
		struct gw_gateway *gw;
		struct gw_listenerset *ls;
		struct gw_route *route;
		struct gw_service *svc;
		struct gw_secpol *secpol;
		void *any;
	} u;
	bool class_accepted;		/* GatewayClass: ours and Accepted */
	bool conflicted;		/* BackendTLSPolicy: lost precedence on some target */
	struct gw_conds conds;		/* GatewayClass / BackendTLSPolicy conditions */
};

struct gw_index;
struct gw_nscache;
struct gw_pol_attach;

/**
 * What the data planes report back, so status can say Programmed. Without
 * one (dry-run, or no data plane running) listeners stay Programmed=False
 * with reason Pending.
 */
/**
 * The node a configuration is loaded on, as gwctl sees it (gwctl load fills
 * it from getifaddrs(); NULL where unknown, as in gwd and most unit tests):
 * the addresses a Gateway without spec.addresses is reachable at, and what
 * decides whether a static address is usable (Programmed AddressNotUsable).
 */
struct gw_node {
	const char *const *addrs;	/* unicast addresses of up interfaces, loopback excluded */
	int naddrs;
	const char *const *loopback;	/* 127.0.0.1, ::1 if up: listed when addrs is empty */
	int nloopback;
	bool xdp;			/* the XDP tier is attached: it serves L4 VIPs off-interface */
};

struct gw_dataplane {
	/** True when the listener is served now; else *msg says why not. */
	bool (*listener_programmed)(void *ctx, const struct gw_listener *l, const char **msg);
	void *ctx;
};

struct gw_config {
	struct gw_arena arena;
	struct gw_diags diags;
	const char *controller;		/* our controllerName */
	struct gw_obj **objs;		/* every accepted object, input order */
	size_t nobjs, capobjs;
	struct gw_obj **by_kind[GW_K__COUNT];
	size_t nby_kind[GW_K__COUNT];
	struct gw_index *index;
	struct gw_nscache *nscache;	/* labels of undeclared namespaces */
	size_t nskipped;		/* objects of kinds we do not read */
	/*
	 * Kinds (gw_kind_classify() GW_KC_UNENFORCED) the operator accepts
	 * knowingly for this load (gwctl load --allow-unenforced); any other
	 * such object is an error. A trusted (state) file needs none: what
	 * it holds was accepted when it was loaded.
	 */
	const char *const *allow_unenforced;
	int nallow_unenforced;
	bool trusted;			/* input is our own state file: keep status */
	/*
	 * gwd: status is neither read from files (the parser skips each
	 * object's top-level status) nor computed; only gwctl writes status.
	 */
	bool no_status;
	/*
	 * Keys ("Gateway/ns/name/listener") of the TCP/UDP listeners the XDP
	 * tier serves, as gwctl load found them after programming it; gwd
	 * serves every other TCP/UDP listener in userspace. Persisted as state
	 * header lines "# xdpListener: KEY" (read back from trusted input).
	 */
	const char **xdp_listeners;
	size_t nxdp_listeners;
	const char *now;		/* RFC 3339 time of this load (lastTransitionTime) */
	const struct gw_dataplane *dataplane;
	const struct gw_node *node;	/* NULL: unknown, status.addresses lists spec only */
	/* where route/Gateway-targeting policies attach (policy_attach.h) */
	struct gw_pol_attach *attach;
	size_t nattach;
	/*
	 * Route kinds no data plane of this build serves (bit per enum
	 * gw_kind): they are left out of supportedKinds, so such routes are not
	 * accepted, as "supportedKinds MUST represent the kinds supported by an
	 * implementation" requires. 0 (all served) unless the caller knows.
	 */
	unsigned unserved_kinds;
	/*
	 * Checks a listener's tls.options the way the TLS engine applies them
	 * (gw_tls_options_check() of user/tls, which this library does not
	 * link): 0, or nonzero with err saying why. NULL: not checked here.
	 */
	int (*tls_options_check)(const struct gw_yval *options, bool http, char *err,
				 size_t errlen);
	/*
	 * Parses an .htpasswd as gwd's basicAuth will (user/auth/htpasswd.c,
	 * which this library does not link): 0, or nonzero with err saying
	 * why. NULL: not checked here (gwd still fails closed on it).
	 */
	int (*htpasswd_check)(const char *text, size_t len, char *err, size_t errlen);
	/* the same for a JWT provider's local JWK set (user/auth/jwks.c) */
	int (*jwks_check)(const char *text, size_t len, char *err, size_t errlen);
	bool resolved;
};

/** Initialises an empty configuration owned by controller (NULL = default). */
void gw_config_init(struct gw_config *cfg, const char *controller);
void gw_config_free(struct gw_config *cfg);

/**
 * Parses and validates every document of buf (named file in messages) and
 * adds the objects. Problems go to cfg->diags; returns 0 or -errno only for
 * resource failures. Check cfg->diags.nerrors afterwards.
 */
int gw_config_add_buf(struct gw_config *cfg, const char *file, const char *buf, size_t len);
/** Whether the XDP tier serves listener l (its key is in cfg->xdp_listeners). */
bool gw_config_xdp_serves(const struct gw_config *cfg, const struct gw_listener *l);
/** Adds key to cfg->xdp_listeners (copied into the arena); 0 or -ENOMEM. */
int gw_config_add_xdp_listener(struct gw_config *cfg, const char *key);
/** Reads path ("-" = stdin) and calls gw_config_add_buf. */
int gw_config_add_file(struct gw_config *cfg, const char *path);

/**
 * Carries server-set metadata over from the previously accepted config
 * (creationTimestamp, uid, generation bumped only when spec changed) and
 * fills it in for new objects, as the API server does. prev may be NULL.
 * now is an RFC 3339 timestamp. Updates the API server would refuse
 * (immutable fields, immutable.h) are added to cfg->diags as errors.
 */
int gw_config_stamp(struct gw_config *cfg, const struct gw_config *prev, const char *now);

/**
 * Resolves references and attachment and computes every status into
 * obj->status. Conditions that did not change since prev (the previously
 * accepted config, may be NULL) keep their lastTransitionTime.
 */
int gw_config_resolve(struct gw_config *cfg, const struct gw_config *prev);

/**
 * Recomputes the summary conditions (Programmed) and status after
 * cfg->dataplane changed, e.g. once the data planes applied cfg.
 */
int gw_config_refresh_status(struct gw_config *cfg, const struct gw_config *prev);

/**
 * Finds the object of cfg with o's kind, namespace and name (also for
 * GW_K_UNENFORCED objects, whose kinds differ and are not indexed).
 */
struct gw_obj *gw_config_find_like(const struct gw_config *cfg, const struct gw_obj *o);

/** Finds an object; ns is ignored for cluster-scoped kinds. */
struct gw_obj *gw_config_find(const struct gw_config *cfg, enum gw_kind kind, const char *ns,
			      const char *name);

/** Whether a namespace's labels match a LabelSelector (matchLabels + matchExpressions). */
bool gw_selector_matches(const struct gw_yval *selector, const struct gw_yval *labels);

/**
 * Hostname intersection (Gateway API listener/route hostname rules).
 * Returns the more specific of the two when they intersect, else NULL;
 * a NULL argument means "any".
 */
const char *gw_hostname_intersect(const char *listener, const char *route, bool *any);

/**
 * The SecurityPolicy that applies to rule `rule` of route r when it is
 * served through listener l (Envoy Gateway precedence, policy_attach.h),
 * or NULL.
 */
const struct gw_secpol *gw_securitypolicy_for(const struct gw_config *cfg, const struct gw_route *r,
					      int rule, const struct gw_listener *l);

/** Labels of a namespace (declared or implied: kubernetes.io/metadata.name). */
struct gw_yval *gw_config_ns_labels(struct gw_config *cfg, const char *ns);

#endif
