/* SPDX-License-Identifier: MIT */
/* config.c - parsing and validating the network configuration */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cni/lib/args.h"
#include "cni/lib/env.h"
#include "cni/lib/version.h"
#include "ttt/net/addr.h"
#include "ttt/proto.h"
#include "ttt/worker/options.h"

int cni_args_parse(const char *text, struct cni_args *a, struct cni_error *e)
{
	const struct cni_arg want[] = {
		{ "MAC", a->mac, sizeof(a->mac) },
		{ "TTT_PEER", a->peer, sizeof(a->peer) },
		{ "TTT_LISTEN", a->listen, sizeof(a->listen) },
		{ "K8S_POD_NAMESPACE", a->pod_namespace, sizeof(a->pod_namespace) },
		{ "K8S_POD_NAME", a->pod_name, sizeof(a->pod_name) },
	};

	return cni_args_get(text, want, sizeof(want) / sizeof(want[0]), e);
}

static int bad_field(struct cni_error *e, const char *field, const char *why)
{
	cni_fail(e, CNI_ERR_INVALID_CONFIG, "field '%s' %s", field, why);
	return cni_detail(e, "%s", field);
}

/* The string at obj.key, NULL when absent; wrong types are refused. */
static int get_string(const cJSON *obj, const char *key, const char *field, const char **out,
		      struct cni_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return bad_field(e, field, "must be a string");
	*out = v->valuestring;
	return 0;
}

static int get_object(const cJSON *obj, const char *key, const char *field, const cJSON **out,
		      struct cni_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return bad_field(e, field, "must be an object");
	*out = v;
	return 0;
}

static int get_number(const cJSON *obj, const char *key, const cJSON **out, struct cni_error *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return bad_field(e, key, "must be a number");
	*out = v;
	return 0;
}

static int check_version(struct cni_config *c, struct cni_error *e)
{
	const char *v;

	if (get_string(c->root, "cniVersion", "cniVersion", &v, e) < 0)
		return -1;
	if (!v)
		return bad_field(e, "cniVersion", "is required");
	if (!cni_version_supported(v)) {
		cni_fail(e, CNI_ERR_INCOMPATIBLE_VERSION, "incompatible CNI version %s", v);
		return cni_detail(e, "supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0");
	}
	snprintf(c->version_buf, sizeof(c->version_buf), "%s", v);
	c->cni_version = c->version_buf;
	return 0;
}

static int check_identity(struct cni_config *c, struct cni_error *e)
{
	const char *type;

	if (get_string(c->root, "name", "name", &c->name, e) < 0 ||
	    get_string(c->root, "type", "type", &type, e) < 0)
		return -1;
	if (!c->name || !cni_name_valid(c->name))
		return bad_field(e, "name", "must be letters, digits, '_', '.' or '-', starting with "
					    "a letter or digit");
	return 0;
}

static int check_endpoint(const char *text, const char *field, bool need_host,
			  struct cni_error *e)
{
	struct ttt_endpoint ep;
	struct ttt_err why;
	char msg[sizeof(why.msg) + 16];

	if (ttt_endpoint_parse(text, &ep, &why) < 0) {
		snprintf(msg, sizeof(msg), "('%s'): %s", text, why.msg);
		return bad_field(e, field, msg);
	}
	if (need_host && ep.host[0] == '\0')
		return bad_field(e, field, "needs a host (as in 198.18.0.2:9123)");
	return 0;
}

static int check_mac(struct cni_config *c, const char *text, const char *field,
		     struct cni_error *e)
{
	if (ttt_ether_parse(text, c->mac) < 0 || !ttt_ether_assignable(c->mac))
		return bad_field(e, field, "must be a unicast MAC address such as 02:00:00:00:00:01");
	c->have_mac = true;
	return 0;
}

static int take_numbers(struct cni_config *c, struct cni_error *e)
{
	const cJSON *mtu, *window, *keepalive;
	struct ttt_err err;

	if (get_number(c->root, "mtu", &mtu, e) < 0 || get_number(c->root, "window", &window, e) < 0 ||
	    get_number(c->root, "keepalive", &keepalive, e) < 0)
		return -1;
	c->mtu = TTT_MTU_DEFAULT;
	c->window_ns = TTT_WINDOW_DEFAULT_NS;
	c->mtu_given = mtu != NULL;
	if (mtu && ttt_check_mtu(mtu->valuedouble, &c->mtu, &err) < 0)
		return bad_field(e, "mtu", err.msg);
	if (keepalive && ttt_check_keepalive(keepalive->valuedouble, &c->keepalive, &err) < 0)
		return bad_field(e, "keepalive", err.msg);
	if (window && ttt_check_window(window->valuedouble, &c->window_ns, &err) < 0)
		return bad_field(e, "window", err.msg);
	return 0;
}

static int take_paths(struct cni_config *c, struct cni_error *e)
{
	if (get_string(c->root, "keyFile", "keyFile", &c->key_file, e) < 0 ||
	    get_string(c->root, "stateDir", "stateDir", &c->state_dir, e) < 0)
		return -1;
	if (c->key_file && c->key_file[0] != '/')
		return bad_field(e, "keyFile", "must be an absolute path");
	if (c->state_dir && c->state_dir[0] != '/')
		return bad_field(e, "stateDir", "must be an absolute path");
	if (!c->state_dir)
		c->state_dir = CNI_STATE_DIR_DEFAULT;
	return 0;
}

static int take_ipam(struct cni_config *c, struct cni_error *e)
{
	const cJSON *ipam;

	if (get_object(c->root, "ipam", "ipam", &ipam, e) < 0)
		return -1;
	if (!ipam)
		return 0;
	if (get_string(ipam, "type", "ipam.type", &c->ipam_type, e) < 0)
		return -1;
	if (!c->ipam_type || !cni_name_valid(c->ipam_type))
		return bad_field(e, "ipam.type", "must name an IPAM plugin (such as host-local)");
	return 0;
}

/* The most specific of args.cni.<key>, CNI_ARGS and the configuration's own
 * field, and the name to blame in messages. */
static int pick(const cJSON *cniargs, const char *key, const char *env_value,
		const char *env_name, const char *conf_value, const char **value,
		const char **field, struct cni_error *e)
{
	static char fieldname[64];
	const char *v = NULL;

	if (cniargs && get_string(cniargs, key, key, &v, e) < 0)
		return bad_field(e, key, "in args.cni must be a string");
	if (v) {
		snprintf(fieldname, sizeof(fieldname), "args.cni.%s", key);
		*field = fieldname;
	} else if (env_value && *env_value) {
		v = env_value;
		*field = env_name;
	} else {
		v = conf_value;
		*field = key;
	}
	*value = v;
	return 0;
}

static int take_attachment(struct cni_config *c, const struct cni_args *a, struct cni_error *e)
{
	const cJSON *args = NULL, *cniargs = NULL, *rc = NULL;
	const char *listen, *peer, *mac, *rc_mac = NULL, *field;

	if (get_object(c->root, "args", "args", &args, e) < 0 ||
	    (args && get_object(args, "cni", "args.cni", &cniargs, e) < 0) ||
	    get_object(c->root, "runtimeConfig", "runtimeConfig", &rc, e) < 0 ||
	    (rc && get_string(rc, "mac", "runtimeConfig.mac", &rc_mac, e) < 0) ||
	    get_string(c->root, "listen", "listen", &listen, e) < 0 ||
	    get_string(c->root, "peer", "peer", &peer, e) < 0 ||
	    get_string(c->root, "mac", "mac", &mac, e) < 0)
		return -1;
	if (pick(cniargs, "listen", a->listen, "CNI_ARGS TTT_LISTEN", listen, &c->listen, &field,
		 e) < 0 ||
	    (c->listen && check_endpoint(c->listen, field, false, e) < 0))
		return -1;
	if (pick(cniargs, "peer", a->peer, "CNI_ARGS TTT_PEER", peer, &c->peer, &field, e) < 0 ||
	    (c->peer && check_endpoint(c->peer, field, true, e) < 0))
		return -1;
	if (rc_mac)
		return check_mac(c, rc_mac, "runtimeConfig.mac", e);
	if (pick(cniargs, "mac", a->mac, "CNI_ARGS MAC", mac, &mac, &field, e) < 0)
		return -1;
	return mac ? check_mac(c, mac, field, e) : 0;
}

static int take_extras(struct cni_config *c, struct cni_error *e)
{
	const cJSON *v;

	if (get_object(c->root, "prevResult", "prevResult", &c->prev_result, e) < 0)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(c->root, "cni.dev/valid-attachments");
	if (v && !cJSON_IsNull(v) && !cJSON_IsArray(v))
		return bad_field(e, "cni.dev/valid-attachments", "must be an array");
	c->valid_attachments = v && cJSON_IsArray(v) ? v : NULL;
	return 0;
}

int cni_config_parse(const char *text, size_t len, const struct cni_args *args,
		     struct cni_config *c, struct cni_error *e)
{
	memset(c, 0, sizeof(*c));
	c->root = cJSON_ParseWithLength(text, len);
	if (!c->root || !cJSON_IsObject(c->root)) {
		cni_fail(e, CNI_ERR_DECODE, "cannot decode the network configuration: %s",
			 c->root ? "it is not a JSON object" : "not valid JSON");
		cni_config_free(c);
		return -1;
	}
	if (check_version(c, e) < 0 || check_identity(c, e) < 0 || take_numbers(c, e) < 0 ||
	    take_paths(c, e) < 0 || take_ipam(c, e) < 0 || take_attachment(c, args, e) < 0 ||
	    take_extras(c, e) < 0) {
		cni_config_free(c);
		return -1;
	}
	return 0;
}

void cni_config_free(struct cni_config *c)
{
	char version[sizeof(c->version_buf)];
	bool had = c->cni_version != NULL;

	memcpy(version, c->version_buf, sizeof(version));
	cJSON_Delete(c->root);
	memset(c, 0, sizeof(*c)); /* no pointer into the freed tree survives */
	if (had) {
		memcpy(c->version_buf, version, sizeof(version));
		c->cni_version = c->version_buf;
	}
}
