// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Structural schemas of the core and discovery kinds xdpgw reads
 * (k8s.io/api/core/v1 Namespace, Service, Secret, ConfigMap and
 * k8s.io/api/discovery/v1 EndpointSlice), with the API server's defaulting
 * (pkg/apis/{core,discovery}/v1/defaults.go) and validation
 * (pkg/apis/{core,discovery}/validation) for the fields xdpgw uses. Objects
 * whose exact fields do not matter here are open, so manifests carrying
 * server-set or newer fields still load.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "kinds.h"

static const struct gw_schema s_any = { .type = GW_ST_ANY };
static const struct gw_schema s_str = { .type = GW_ST_STR };
static const struct gw_schema s_bool = { .type = GW_ST_BOOL };
static const struct gw_schema s_int32 = { .type = GW_ST_INT, .has_range = true,
					  .min = INT32_MIN, .max = INT32_MAX };
static const struct gw_schema s_strlist = { .type = GW_ST_ARR, .items = &s_str };
static const struct gw_schema s_strmap = { .type = GW_ST_STRMAP };
static const struct gw_schema s_dns_label = { .type = GW_ST_STR, .format = gw_fmt_dns_label };

/* Protocol (core/v1): TCP, UDP, SCTP; defaulted to TCP on ports */
static const char *const e_protocol[] = { "TCP", "UDP", "SCTP", NULL };
static const struct gw_schema s_protocol = { .type = GW_ST_STR, .enums = e_protocol };
static const char DEF_TCP[] = "TCP";

/* ---- Namespace (core/v1 NamespaceSpec: finalizers only) ----------------- */

const struct gw_sfield gw_fields_namespace[] = {
	{ "spec", &s_any },
	{ NULL },
};

/* ---- Service (core/v1 types.go, validation.ValidateService) ------------- */

/*
 * IANA_SVC_NAME (apimachinery IsValidPortName): at most 15 characters of
 * [-a-z0-9], at least one letter, no leading, trailing or adjacent '-'.
 */
static const char *fmt_port_name(const char *s)
{
	size_t n = strlen(s);
	bool letter = false;

	if (!n || n > 15)
		return "must be no more than 15 characters";
	if (s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
		return "must not begin or end with a hyphen nor contain adjacent hyphens";
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = true;
		else if (!isdigit((unsigned char)s[i]) && s[i] != '-')
			return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens "
			       "(-)";
	}
	return letter ? NULL : "must contain at least one letter (a-z)";
}

/*
 * ServicePort: targetPort is a port number or an IANA_SVC_NAME; when unset
 * (or 0 or "") it defaults to port (SetDefaults_Service).
 */
static int rule_service_port(struct gw_sctx *c, struct gw_yval *v)
{
	struct gw_yval *tp = gw_yget(v, "targetPort");
	const char *why;

	if (!tp || (tp->type == GW_YINT && tp->i == 0) ||
	    (tp->type == GW_YSTR && !*tp->str)) {
		struct gw_yval *port = gw_ycopy(c->a, gw_yget(v, "port"));

		if (!port || gw_yset(c->a, v, "targetPort", port)) {
			gw_schema_error(c, v, "targetPort", "out of memory applying default");
			return 1;
		}
		return 0;
	}
	if (tp->type == GW_YSTR && (why = fmt_port_name(tp->str))) {
		gw_schema_error(c, tp, "targetPort", "Invalid value: \"%s\": %s", tp->str, why);
		return 1;
	}
	return 0;
}

/* ServicePort */
static const struct gw_sfield service_port_fields[] = {
	{ "name", &s_dns_label },
	{ "protocol", &s_protocol, .def = DEF_TCP },
	{ "appProtocol", &s_str },
	{ "port", &(const struct gw_schema){ .type = GW_ST_INT, .has_range = true, .min = 1,
					      .max = 65535 },
	  true },
	{ "targetPort", &(const struct gw_schema){ .type = GW_ST_INTORSTR, .has_range = true,
						    .min = 0, .max = 65535 } },
	{ "nodePort", &(const struct gw_schema){ .type = GW_ST_INT, .has_range = true,
						  .min = 0, .max = 65535 } },
	{ NULL },
};

/*
 * ServiceSpec.ports (+listType=map, keys port and protocol): with more than
 * one port every port needs a name, names are unique (unique_key) and so is
 * each port/protocol pair.
 */
static int rule_service_ports(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = 0;

	for (size_t i = 0; i < v->n; i++) {
		const struct gw_yval *p = v->items[i];
		const char *proto = gw_ygetstr(p, "protocol", "TCP");
		long long port = gw_ygetint(p, "port", 0);
		size_t mark = gw_sctx_push(c, "[%zu]", i);

		if (v->n > 1 && !*gw_ygetstr(p, "name", "")) {
			gw_schema_error(c, p, "name", "Required value");
			nerr++;
		}
		for (size_t j = 0; j < i; j++) {
			if (gw_ygetint(v->items[j], "port", 0) == port &&
			    !strcmp(gw_ygetstr(v->items[j], "protocol", "TCP"), proto)) {
				gw_schema_error(c, p, NULL, "Duplicate value: \"%lld/%s\"", port,
						proto);
				nerr++;
				break;
			}
		}
		gw_sctx_pop(c, mark);
	}
	return nerr;
}

static const char *fmt_cluster_ip(const char *s)
{
	if (!*s || !strcmp(s, "None") || !gw_fmt_ip(s))
		return NULL;
	return "must be a valid IP address or \"None\"";
}

/* ServiceType, ServiceAffinity, IPFamily, IPFamilyPolicy, traffic policies */
static const char *const e_service_type[] = { "ClusterIP", "NodePort", "LoadBalancer",
					      "ExternalName", NULL };
static const char *const e_affinity[] = { "ClientIP", "None", NULL };
static const char *const e_ip_family[] = { "IPv4", "IPv6", NULL };
static const char *const e_ip_family_policy[] = { "SingleStack", "PreferDualStack",
						  "RequireDualStack", NULL };
static const char *const e_traffic_policy[] = { "Cluster", "Local", NULL };

static const struct gw_schema s_cluster_ip = { .type = GW_ST_STR, .format = fmt_cluster_ip };
static const struct gw_schema s_traffic_policy = { .type = GW_ST_STR,
						   .enums = e_traffic_policy };

/*
 * ServiceSpec (validation.ValidateService):
 *   ports: Required unless type ExternalName or headless (clusterIP None)
 *   externalName: Required for type ExternalName, a DNS subdomain
 *   nodePort: Forbidden for type ClusterIP
 */
static int rule_service_spec(struct gw_sctx *c, struct gw_yval *v)
{
	const char *type = gw_ygetstr(v, "type", "ClusterIP");
	const char *ext = gw_ygetstr(v, "externalName", NULL);
	const struct gw_yval *ports = gw_yget(v, "ports");
	int nerr = 0;

	if (!gw_ylen(ports) && strcmp(type, "ExternalName") &&
	    strcmp(gw_ygetstr(v, "clusterIP", ""), "None")) {
		gw_schema_error(c, v, "ports", "Required value");
		nerr++;
	}
	if (!strcmp(type, "ExternalName")) {
		char name[256];
		size_t n = ext ? strlen(ext) : 0;

		if (!n) {
			gw_schema_error(c, v, "externalName", "Required value");
			nerr++;
		} else if (n < sizeof(name)) {
			const char *why;

			memcpy(name, ext, n + 1);
			if (name[n - 1] == '.')
				name[n - 1] = '\0';
			if ((why = gw_fmt_dns_subdomain(name))) {
				gw_schema_error(c, gw_yget(v, "externalName"), "externalName",
						"Invalid value: \"%s\": %s", ext, why);
				nerr++;
			}
		}
	}
	for (size_t i = 0; !strcmp(type, "ClusterIP") && i < gw_ylen(ports); i++) {
		if (gw_ygetint(ports->items[i], "nodePort", 0)) {
			size_t mark = gw_sctx_push(c, ".ports[%zu]", i);

			gw_schema_error(c, ports->items[i], "nodePort",
					"Forbidden: may not be used when `type` is 'ClusterIP'");
			gw_sctx_pop(c, mark);
			nerr++;
		}
	}
	return nerr;
}

/* ServiceSpec: open, the fields xdpgw reads are checked */
static const struct gw_sfield service_spec_fields[] = {
	{ "ports", &(const struct gw_schema){ .type = GW_ST_ARR,
					       .items = &(const struct gw_schema){
						       .type = GW_ST_OBJ,
						       .fields = service_port_fields,
						       .rule = rule_service_port },
					       .unique_key = "name",
					       .rule = rule_service_ports } },
	{ "selector", &s_strmap },
	{ "clusterIP", &s_cluster_ip },
	{ "clusterIPs", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_cluster_ip,
						    .max_items = 2 } },
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_service_type },
	  .def = "ClusterIP" },
	{ "externalIPs", &s_strlist },
	{ "sessionAffinity", &(const struct gw_schema){ .type = GW_ST_STR,
							 .enums = e_affinity },
	  .def = "None" },
	{ "sessionAffinityConfig", &s_any },
	{ "loadBalancerIP", &s_str },
	{ "loadBalancerSourceRanges", &s_strlist },
	{ "loadBalancerClass", &s_str },
	{ "externalName", &s_str },
	{ "externalTrafficPolicy", &s_traffic_policy },
	{ "internalTrafficPolicy", &s_traffic_policy },
	{ "healthCheckNodePort", &(const struct gw_schema){ .type = GW_ST_INT,
							     .has_range = true, .min = 0,
							     .max = 65535 } },
	{ "publishNotReadyAddresses", &s_bool },
	{ "ipFamilies", &(const struct gw_schema){ .type = GW_ST_ARR,
						    .items = &(const struct gw_schema){
							    .type = GW_ST_STR,
							    .enums = e_ip_family },
						    .max_items = 2 } },
	{ "ipFamilyPolicy", &(const struct gw_schema){ .type = GW_ST_STR,
							.enums = e_ip_family_policy } },
	{ "allocateLoadBalancerNodePorts", &s_bool },
	{ "trafficDistribution", &s_str },
	{ NULL },
};

const struct gw_sfield gw_fields_service[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = service_spec_fields,
					      .open = true, .rule = rule_service_spec } },
	{ NULL },
};

/* ---- EndpointSlice (discovery/v1 types.go, discovery/validation) -------- */

/* AddressType: IPv4, IPv6, FQDN (the deprecated "IP" is only kept on update) */
static const char *const e_address_type[] = { "IPv4", "IPv6", "FQDN", NULL };

/* EndpointConditions */
static const struct gw_sfield endpoint_conditions_fields[] = {
	{ "ready", &s_bool },
	{ "serving", &s_bool },
	{ "terminating", &s_bool },
	{ NULL },
};

/* deprecatedTopology: at most 16 labels (maxTopologyLabels) */
static int rule_topology(struct gw_sctx *c, struct gw_yval *v)
{
	if (v->n > 16) {
		gw_schema_error(c, v, NULL, "Too many: %u: must have at most 16 items", v->n);
		return 1;
	}
	return 0;
}

/*
 * Endpoint: addresses 1..100 (maxAddresses). Checking each address against
 * the slice's addressType needs the parent and is left to the resolver.
 */
static const struct gw_sfield endpoint_fields[] = {
	{ "addresses", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_str,
						   .min_items = 1, .max_items = 100 },
	  true },
	{ "conditions", &(const struct gw_schema){ .type = GW_ST_OBJ,
						    .fields = endpoint_conditions_fields } },
	{ "hostname", &s_dns_label },
	{ "targetRef", &s_any },
	{ "deprecatedTopology", &(const struct gw_schema){ .type = GW_ST_STRMAP,
							    .rule = rule_topology } },
	{ "nodeName", &s_str },
	{ "zone", &s_str },
	{ "hints", &s_any },
	{ NULL },
};

/* EndpointPort name: "" or a DNS label */
static const char *fmt_endpoint_port_name(const char *s)
{
	return *s ? gw_fmt_dns_label(s) : NULL;
}

/* EndpointPort: name defaults to "", protocol to TCP (SetDefaults_EndpointPort) */
static const struct gw_sfield endpoint_port_fields[] = {
	{ "name", &(const struct gw_schema){ .type = GW_ST_STR,
					      .format = fmt_endpoint_port_name },
	  .def = "\"\"" },
	{ "protocol", &s_protocol, .def = DEF_TCP },
	{ "port", &s_int32 },
	{ "appProtocol", &s_str },
	{ NULL },
};

const struct gw_sfield gw_fields_endpointslice[] = {
	{ "addressType", &(const struct gw_schema){ .type = GW_ST_STR,
						     .enums = e_address_type },
	  true },
	/* maxEndpoints */
	{ "endpoints", &(const struct gw_schema){ .type = GW_ST_ARR,
						   .items = &(const struct gw_schema){
							   .type = GW_ST_OBJ,
							   .fields = endpoint_fields,
							   .open = true },
						   .max_items = 1000 } },
	/* maxPorts; names unique, "" included */
	{ "ports", &(const struct gw_schema){ .type = GW_ST_ARR,
					       .items = &(const struct gw_schema){
						       .type = GW_ST_OBJ,
						       .fields = endpoint_port_fields },
					       .max_items = 100, .unique_key = "name" } },
	{ NULL },
};

/* ---- Secret and ConfigMap (core/v1 types.go) ----------------------------- */

/* IsConfigMapKey: [-._a-zA-Z0-9]+, at most 253, not "." or ".." */
static const char *config_key_err(const char *k)
{
	size_t n = strlen(k);

	if (!n)
		return "a valid config key must be non-empty";
	if (n > 253)
		return "must be no more than 253 characters";
	if (!strcmp(k, ".") || !strcmp(k, ".."))
		return "must not be '.' or '..'";
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && !strchr("-._", k[i]))
			return "a valid config key must consist of alphanumeric characters, '-', "
			       "'_' or '.'";
	return NULL;
}

static int config_keys(struct gw_sctx *c, const struct gw_yval *v, bool base64)
{
	int nerr = 0;
	const char *why;

	for (size_t i = 0; i < v->n; i++) {
		const struct gw_ypair *p = &v->pairs[i];

		if ((why = config_key_err(p->key))) {
			gw_schema_error(c, p->val, p->key, "Invalid value: \"%s\": %s", p->key,
					why);
			nerr++;
		} else if (base64 && (why = gw_fmt_base64(p->val->str))) {
			/* the value is secret material: not echoed */
			gw_schema_error(c, p->val, p->key, "Invalid value: %s", why);
			nerr++;
		}
	}
	return nerr;
}

/* Secret.data, ConfigMap.binaryData: map[string][]byte, base64 in YAML */
static int rule_binary_map(struct gw_sctx *c, struct gw_yval *v)
{
	return config_keys(c, v, true);
}

/* Secret.stringData, ConfigMap.data: map[string]string */
static int rule_string_map(struct gw_sctx *c, struct gw_yval *v)
{
	return config_keys(c, v, false);
}

static const struct gw_schema s_binary_map = { .type = GW_ST_STRMAP, .rule = rule_binary_map };
static const struct gw_schema s_string_map = { .type = GW_ST_STRMAP, .rule = rule_string_map };

/* Secret: type defaults to Opaque (SetDefaults_Secret) */
const struct gw_sfield gw_fields_secret[] = {
	{ "type", &s_str, .def = "Opaque" },
	{ "data", &s_binary_map },
	{ "stringData", &s_string_map },
	{ "immutable", &s_bool },
	{ NULL },
};

/* ConfigMap */
const struct gw_sfield gw_fields_configmap[] = {
	{ "data", &s_string_map },
	{ "binaryData", &s_binary_map },
	{ "immutable", &s_bool },
	{ NULL },
};
